"""Limits of what users type in, as plain functions.

The models refuse, with a message, a value these functions find wrong; the
limits are far beyond any real use and short of what breaks something:

* **amounts**: Odoo computes money in binary floats, exact to the cent up to
  about 10^13; an amount of :data:`MAX_AMOUNT` (a trillion) or more, or one that
  is not a finite number (NaN and infinity arrive through JSON-RPC), is refused;
* **texts**: a reason (an exclusion, a lifted hold, a segment set by hand) is a
  sentence, at most :data:`MAX_REASON_LENGTH` characters; the notes of a contact
  at most :data:`MAX_NOTE_LENGTH`. They are logged on chatters, e-mails and
  reports, where a megabyte of text is a denial of service, not a note.
"""

import math

#: Amounts from this value on are refused (money, in any currency unit).
MAX_AMOUNT = 10**12
#: The longest reason accepted, in characters.
MAX_REASON_LENGTH = 1000
#: The longest notes of a contact accepted, in characters.
MAX_NOTE_LENGTH = 10000
#: The highest monthly interest of an instalment plan, in percent.
MAX_MONTHLY_RATE = 100


def is_amount(value, allow_negative=False):
    """Whether ``value`` is an amount the module may compute with: a finite number
    below :data:`MAX_AMOUNT` (and not negative unless ``allow_negative``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if not math.isfinite(value) or abs(value) >= MAX_AMOUNT:
        return False
    return allow_negative or value >= 0


def is_rate(value, maximum=MAX_MONTHLY_RATE):
    """Whether ``value`` is a percentage from 0 up to ``maximum`` (excluded)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value) and 0 <= value < maximum


def is_short_text(value, limit):
    """Whether ``value`` (a text, or empty) has at most ``limit`` characters."""
    return not value or len(value) <= limit


def shorten(value, limit, ellipsis="…"):
    """``value`` cut to at most ``limit`` characters, ending with ``ellipsis`` when
    cut (for a text built from a longer one, e.g. the reason of a dispute)."""
    value = value or ""
    if len(value) <= limit:
        return value
    return value[: max(limit - len(ellipsis), 0)] + ellipsis[:limit]


def printable(value, limit):
    """``value`` without its non-printable characters (control characters, NUL:
    what a browser may send in a header and a database refuses), cut to ``limit``
    characters (for the user agent recorded with an acceptance or an opening)."""
    return "".join(char for char in (value or "")[: limit * 4] if char.isprintable())[:limit]
