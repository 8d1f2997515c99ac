r"""Evidence of AR-tracked e-mails (e-mail com AR), as plain functions.

For each e-mail whose sending, delivery, opening and acknowledgement must be provable, the
add-on keeps the exact RFC 5322 bytes sent and an append-only list of events (created,
accepted by the SMTP server, delivered, bounced, opened, acknowledged, failed), each event
bound by its hash to the one before. This module computes those hashes and checks them: any
change to the stored bytes or events is reported as a list of :class:`Problem`, all of them,
not just the first.

Personal data (the IP address and user agent of an opening or an acknowledgement) never
enter the hashed payload: the payload holds a salted commitment of each value, and the value
and its salt are stored beside the event. After the retention period (LGPD) the value and
the salt are erased; the hashes, timestamps and chain still verify.

Verification format, version 1
------------------------------

This section is the complete specification: anyone can check an evidence with SHA-256,
HMAC-SHA256 and a JSON serialiser. Hashes are written as 64 lowercase hexadecimal
characters; "LF" is the byte 0x0A.

1. Message. The message digest is the SHA-256 of the exact RFC 5322 bytes sent; an
   attachment's digest is the SHA-256 of its bytes.

2. Canonical payload. An event's payload is serialised as JSON (RFC 8259) encoded in UTF-8:

   * no whitespace outside strings; "," separates members and elements, ":" separates a key
     from its value;
   * object keys are strings, sorted by Unicode code point (not by UTF-16 code unit);
   * strings are written as they are, non-ASCII characters included (not escaped, nor is
     "/"), except: quotation mark as \", reverse solidus as \\, U+0008 as \b, U+0009 as
     \t, U+000A as \n, U+000C as \f, U+000D as \r, and every other character from U+0000
     to U+001F as \u00XX with lowercase hex digits; unpaired surrogates are refused;
   * integers are written in decimal without leading zeros, with "-" when negative, and lie
     between -(2**53 - 1) and 2**53 - 1 so that any JSON parser reads them exactly;
     fractions and exponents never appear (floating-point numbers are refused);
   * true, false and null as such; arrays keep their order;
   * values JSON has no type for are written as JSON strings: a date-time as
     YYYY-MM-DDTHH:MM:SSZ in UTC, or YYYY-MM-DDTHH:MM:SS.ffffffZ (six digits) when its
     microseconds are not zero, a date-time without time zone being taken as UTC; a date as
     YYYY-MM-DD; a decimal number in positional notation (no exponent) with the fractional
     digits it carries ("1.50" stays "1.50", 1E+2 is "100"), "-" when negative, never on
     zero. A stored payload holding these strings therefore serialises to the same bytes.

3. Event hash. hash = SHA-256("cobranca-evidence-v1" LF previous_hash LF payload), where
   previous_hash is the hash of the previous event, or 64 "0" characters (genesis) for the
   first event, and payload is the canonical payload of item 2.

4. Chain. The events are numbered 1, 2, 3... without gap; each event's previous_hash is the
   stored hash of the event before it. The first event's payload has "message_sha256", the
   message digest of item 1, so that its events cannot be moved to another message.

5. Personal data. A payload holds, under "personal", an object {name: commitment}, where
   commitment = HMAC-SHA256(key = the 32 bytes of the salt, message = the value in UTF-8)
   and the salt is 32 random bytes, stored as 64 lowercase hex characters beside the value,
   outside the payload. While value and salt are kept, the value must match its commitment;
   once they are erased, nothing about the value can be recovered from the chain.

Limits. A chain proves that nothing changed since its hashes were known. Whoever can write
to the database can rebuild a whole chain with consistent hashes, and removing the last
events leaves a valid, shorter chain: keep the head (the last event's hash) somewhere else
as well (in the laudo, with a time stamp) and pass it as ``head`` to :func:`verify_chain`.

Positions (``Problem.index``) count from 0 in the sequence of events given; a problem of
the message itself has ``index`` None, one of an attachment the attachment's position.
Details never quote a personal value.
"""

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

#: Version tag that starts every hashed event (domain separation).
DOMAIN = b"cobranca-evidence-v1"
#: The previous hash of the first event of a chain.
GENESIS = "0" * 64
#: Key of the first event's payload that holds the message digest.
BINDING_KEY = "message_sha256"
#: Key of a payload that holds the commitments of personal values, ``{name: commitment}``.
PERSONAL_KEY = "personal"
#: Event types of an AR-tracked e-mail (the ``type`` of a payload, by convention).
EVENT_TYPES = ("created", "accepted", "delivered", "bounced", "opened", "acknowledged", "failed")
#: Kinds of :class:`Problem`.
KINDS = ("message_hash", "attachment_hash", "event_hash", "broken_link", "sequence", "commitment")
#: Largest integer magnitude a payload may hold (exact in every JSON parser, RFC 7493).
MAX_INT = 2**53 - 1
#: Hex characters of a hash quoted in a problem's detail.
SHORT = 12

_HEX = frozenset("0123456789abcdef")
_MISSING = object()


def sha256_hex(data):
    """The SHA-256 of ``data`` (bytes), as 64 lowercase hex characters."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    return hashlib.sha256(data).hexdigest()


def is_hash(value):
    """Whether ``value`` is written as a hash: 64 lowercase hex characters."""
    return isinstance(value, str) and len(value) == 64 and _HEX.issuperset(value)


def _check_hash(value, name):
    if not is_hash(value):
        raise ValueError(f"{name} must be 64 lowercase hex characters, got {_short(value)}")
    return value


# Canonical payloads ------------------------------------------------------------------------


def _string(value, where):
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"{where} is not valid Unicode (unpaired surrogate)") from error
    return str.__str__(value)


def _utc_text(value):
    if value.utcoffset() is not None:
        value = value.astimezone(timezone.utc)
    timespec = "microseconds" if value.microsecond else "seconds"
    return value.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def _decimal_text(value, where):
    if not value.is_finite():
        raise ValueError(f"{where} must be a finite Decimal, got {value}")
    return format(value.copy_abs() if value.is_zero() else value, "f")


def _integer(value, where):
    if abs(value) > MAX_INT:
        raise ValueError(f"{where} is beyond +/-(2**53 - 1): pass it as a Decimal")
    return int(value)


def jsonable(value, where="payload"):
    """``value`` as plain JSON data (dict, list, str, int, bool, None): the data whose
    serialisation :func:`canonical` hashes, and the form to store.

    Date-times, dates and Decimals become their strings (see the module's format, item 2);
    floats (not exact) and any other type raise ``TypeError``, non-string keys too; NaN,
    infinite Decimals, integers beyond 2**53 - 1 and unpaired surrogates raise
    ``ValueError``.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _integer(value, where)
    if isinstance(value, str):
        return _string(value, where)
    if isinstance(value, float):
        raise TypeError(f"{where} is a float, which is not exact: use a Decimal or an int")
    if isinstance(value, datetime):
        return _utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _decimal_text(value, where)
    if isinstance(value, Mapping):
        data = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} has a key that is not a string: {key!r}")
            key = _string(key, f"a key of {where}")
            data[key] = jsonable(item, f"{where}[{key!r}]")
        return data
    if isinstance(value, list | tuple):
        return [jsonable(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise TypeError(f"{where} has a value of a type with no canonical form: {type(value).__name__}")


def canonical(payload):
    """The canonical bytes of a payload (a mapping), as the module's format, item 2."""
    if not isinstance(payload, Mapping):
        raise TypeError(f"payload must be a mapping, got {type(payload).__name__}")
    text = json.dumps(
        jsonable(payload),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    )
    return text.encode("utf-8")


# Events ------------------------------------------------------------------------------------


def event_hash(previous_hash, payload):
    """The hash of an event: SHA-256 of ``DOMAIN`` LF ``previous_hash`` LF canonical
    payload."""
    _check_hash(previous_hash, "previous_hash")
    return sha256_hex(DOMAIN + b"\n" + previous_hash.encode("ascii") + b"\n" + canonical(payload))


def chain_event(previous_hash, sequence, payload):
    """The next event of a chain: ``{"sequence", "previous_hash", "payload", "hash"}``.

    ``payload`` in the result is its JSON form (:func:`jsonable`): store that one, its
    canonical bytes are those hashed. The first event of a chain has sequence 1,
    ``previous_hash`` :data:`GENESIS` and the message digest under :data:`BINDING_KEY`.
    """
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise ValueError(f"sequence must be an int of at least 1, got {sequence!r}")
    data = jsonable(payload)
    return {
        "sequence": sequence,
        "previous_hash": previous_hash,
        "payload": data,
        "hash": event_hash(previous_hash, data),
    }


# Personal values ---------------------------------------------------------------------------


def new_salt():
    """32 random bytes, as 64 lowercase hex characters."""
    return secrets.token_hex(32)


def commitment(value, salt):
    """HMAC-SHA256 of ``value`` (a str, in UTF-8) keyed with the 32 bytes of ``salt``."""
    if not isinstance(value, str):
        raise TypeError(f"a personal value must be a str, got {type(value).__name__}")
    key = bytes.fromhex(_check_hash(salt, "salt"))
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def check_commitment(value, salt, expected):
    """Whether ``value`` with ``salt`` gives the commitment ``expected`` (False when any of
    them is malformed)."""
    if not isinstance(value, str) or not is_hash(salt) or not is_hash(expected):
        return False
    try:
        found = commitment(value, salt)
    except ValueError:  # unpaired surrogate
        return False
    return hmac.compare_digest(found, expected)


def seal_personal(values):
    """Commit personal values ``{name: value or None}``.

    Returns ``(commitments, personal)``: ``commitments`` ``{name: commitment}`` goes into the
    payload under :data:`PERSONAL_KEY`; ``personal`` ``{name: (value, salt)}`` is stored
    beside the event, outside the payload, and erased after the retention period. None
    values are left out.
    """
    commitments, personal = {}, {}
    for name, value in values.items():
        if value is None:
            continue
        salt = new_salt()
        commitments[name] = commitment(value, salt)
        personal[name] = (value, salt)
    return commitments, personal


# Verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What does not match: ``index`` is the event's position (from 0) in the chain given,
    the attachment's position for ``attachment_hash``, None for the message; ``kind`` one of
    :data:`KINDS`; ``detail`` an English sentence with the expected and found values."""

    index: int | None
    kind: str
    detail: str

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")

    def __str__(self):
        return self.detail


def _short(value):
    """A hash cut to its first hex characters, anything else as a short repr."""
    if isinstance(value, str) and 0 < len(value) <= 64 and _HEX.issuperset(value):
        return value if len(value) <= SHORT else value[:SHORT] + "…"
    text = repr(value)
    return text if len(text) <= 24 else text[:23] + "…"


def _field(event, name):
    if isinstance(event, Mapping):
        return event.get(name, _MISSING)
    return getattr(event, name, _MISSING)


def _label(index, sequence):
    if isinstance(sequence, int) and not isinstance(sequence, bool):
        return f"Event at index {index} (sequence {sequence})"
    return f"Event at index {index}"


def _sequence_problem(index, sequence, expected):
    label = f"Event at index {index}"
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        found = "no sequence" if sequence is _MISSING else f"sequence {_short(sequence)}"
        return Problem(index, "sequence", f"{label} has {found}, where {expected} was expected.")
    if sequence == expected:
        return None
    if sequence > expected:
        why = "a gap: events are missing before it"
    else:
        why = "a repeat or a step back"
    return Problem(
        index, "sequence", f"{label} has sequence {sequence} where {expected} was expected ({why})."
    )


def _link_problem(index, label, previous_hash, expected):
    if previous_hash == expected:
        return None
    found = (
        "no previous_hash"
        if previous_hash is _MISSING
        else f"previous_hash {_short(previous_hash)}"
    )
    if index == 0:
        where = f"the genesis hash {_short(expected)}"
    elif expected is _MISSING:
        where = f"a hash: the event at index {index - 1} has no stored hash"
    else:
        where = f"the stored hash of the event at index {index - 1}, {_short(expected)}"
    return Problem(index, "broken_link", f"{label} has {found}, which is not {where}.")


def _hash_problem(index, label, previous_hash, payload, stored):
    if not isinstance(payload, Mapping):
        reason = "it has no payload" if payload is _MISSING else "its payload is not an object"
        return Problem(index, "event_hash", f"{label}: the hash cannot be recomputed: {reason}.")
    if not is_hash(previous_hash):
        return Problem(
            index,
            "event_hash",
            f"{label}: the hash cannot be recomputed: previous_hash {_short(previous_hash)} "
            "is not 64 lowercase hex characters.",
        )
    try:
        found = event_hash(previous_hash, payload)
    except (TypeError, ValueError) as error:
        return Problem(
            index,
            "event_hash",
            f"{label}: the hash cannot be recomputed: the payload has no canonical form ({error}).",
        )
    if stored == found:
        return None
    shown = "no hash" if stored is _MISSING else f"hash {_short(stored)}"
    return Problem(
        index,
        "event_hash",
        f"{label} has the stored {shown}, but its payload and previous hash give {_short(found)}.",
    )


def _commitment_problems(index, label, payload, personal):
    if personal is _MISSING or personal is None:
        return []
    if not isinstance(personal, Mapping):
        return [Problem(index, "commitment", f"{label}: its personal values are not a mapping.")]
    commitments = payload.get(PERSONAL_KEY) if isinstance(payload, Mapping) else None
    problems = []
    for name, pair in personal.items():
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            problems.append(
                Problem(index, "commitment", f"{label}: the {name} is not a (value, salt) pair.")
            )
            continue
        value, salt = pair
        if value is None:
            continue  # anonymised (a salt left without its value reveals nothing by itself)
        if salt is None:
            detail = f"{label}: the stored {name} cannot be checked: its salt is missing."
        elif not isinstance(commitments, Mapping) or name not in commitments:
            detail = f"{label}: a {name} is stored but its payload has no commitment for it."
        elif check_commitment(value, salt, commitments[name]):
            continue
        else:
            expected = commitments[name]
            detail = (
                f"{label}: the stored {name} and its salt do not match the commitment "
                f"{_short(expected)} of the payload."
            )
        problems.append(Problem(index, "commitment", detail))
    return problems


def _binding_problem(events, message_sha256):
    if not events:
        return None
    first = events[0]
    payload = _field(first, "payload")
    label = _label(0, _field(first, "sequence"))
    bound = payload.get(BINDING_KEY, _MISSING) if isinstance(payload, Mapping) else _MISSING
    if bound == message_sha256:
        return None
    if bound is _MISSING:
        detail = f"{label} does not name its message ({BINDING_KEY} is missing from its payload)."
    else:
        detail = (
            f"{label} is bound to the message {_short(bound)}, but this evidence's message "
            f"SHA-256 is {_short(message_sha256)}."
        )
    return Problem(0, "broken_link", detail)


def _head_problem(events, head):
    count = len(events)
    last = _field(events[-1], "hash") if events else GENESIS
    if last == head:
        return None
    if events:
        detail = (
            f"The chain ends at index {count - 1} with the hash {_short(last)}, but its recorded "
            f"head is {_short(head)}: events are missing at the end or the chain was rewritten."
        )
    else:
        detail = f"The chain is empty, but its recorded head is {_short(head)}."
    return Problem(count, "broken_link", detail)


def verify_chain(events, genesis=GENESIS, head=None, message_sha256=None):
    """Every :class:`Problem` of a chain of events, in chain order (empty when it is intact).

    ``events``: the events in their stored order, mappings or objects with ``sequence``,
    ``previous_hash``, ``hash`` and ``payload`` as stored, and optionally ``personal``
    ``{name: (value or None, salt or None)}`` for the values committed in
    ``payload["personal"]``. A value erased (None) is anonymised, not a problem; a value
    whose salt is gone cannot be checked and is reported.

    ``head``: the last event's hash as recorded elsewhere; when given, a chain that does
    not end with it is reported (``broken_link`` at index ``len(events)``).
    ``message_sha256``: the evidence's message digest; when given, the first event must be
    bound to it (``broken_link`` at index 0).
    """
    _check_hash(genesis, "genesis")
    events = list(events)
    problems = []
    if message_sha256 is not None:
        problems.append(_binding_problem(events, message_sha256))
    expected_link, expected_sequence = genesis, 1
    for index, event in enumerate(events):
        sequence = _field(event, "sequence")
        previous_hash = _field(event, "previous_hash")
        payload = _field(event, "payload")
        stored = _field(event, "hash")
        label = _label(index, sequence)
        problems.append(_sequence_problem(index, sequence, expected_sequence))
        problems.append(_link_problem(index, label, previous_hash, expected_link))
        problems.append(_hash_problem(index, label, previous_hash, payload, stored))
        problems.extend(_commitment_problems(index, label, payload, _field(event, "personal")))
        expected_link = stored
        valid_sequence = isinstance(sequence, int) and not isinstance(sequence, bool)
        expected_sequence = sequence + 1 if valid_sequence else expected_sequence + 1
    if head is not None:
        problems.append(_head_problem(events, head))
    return [problem for problem in problems if problem is not None]


def _bytes_mismatch(data, stored):
    """How ``data`` fails its stored digest ("has the SHA-256 ... but ..."), or None."""
    if not isinstance(data, bytes | bytearray | memoryview):
        return f"has no bytes ({type(data).__name__}), where the stored SHA-256 is {_short(stored)}"
    found = sha256_hex(data)
    if found == stored:
        return None
    return f"has the SHA-256 {_short(found)}, but the stored one is {_short(stored)}"


def verify_message(raw, stored_sha256, attachments=()):
    """The :class:`Problem` list of a message's bytes and of its attachments
    ``[(name, bytes, stored_sha256)]`` against their stored digests."""
    problems = []
    mismatch = _bytes_mismatch(raw, stored_sha256)
    if mismatch:
        problems.append(Problem(None, "message_hash", f"The message {mismatch}."))
    for index, (name, data, stored) in enumerate(attachments):
        mismatch = _bytes_mismatch(data, stored)
        if mismatch:
            detail = f"The attachment {name!r} (position {index}) {mismatch}."
            problems.append(Problem(index, "attachment_hash", detail))
    return problems


def verify_evidence(raw, stored_sha256, events, attachments=(), genesis=GENESIS, head=None):
    """All problems of an evidence: its message and attachments (:func:`verify_message`),
    then its chain (:func:`verify_chain`), bound to ``stored_sha256``."""
    problems = verify_message(raw, stored_sha256, attachments)
    return problems + verify_chain(events, genesis, head=head, message_sha256=stored_sha256)


__all__ = [
    "BINDING_KEY",
    "DOMAIN",
    "EVENT_TYPES",
    "GENESIS",
    "KINDS",
    "PERSONAL_KEY",
    "Problem",
    "canonical",
    "chain_event",
    "check_commitment",
    "commitment",
    "event_hash",
    "is_hash",
    "jsonable",
    "new_salt",
    "seal_personal",
    "sha256_hex",
    "verify_chain",
    "verify_evidence",
    "verify_message",
]
