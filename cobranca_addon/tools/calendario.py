"""Brazilian calendar for collections, as plain functions.

* the national holidays of a year (fixed dates and those that move with Easter);
* the send window: when a message may go out (weekday hours, holidays);
* business days, for legal deadlines such as the 5 business days of STJ
  Súmula 548 to withdraw a negativação after payment.

No Odoo import; the models call these with the company's settings.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


def easter(year):
    """Easter Sunday of a Gregorian year (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


#: Fixed national holidays (Lei 662/1949, Lei 6.802/1980, Lei 14.759/2023).
FIXED_HOLIDAYS = (
    (1, 1, "Confraternização Universal"),
    (4, 21, "Tiradentes"),
    (5, 1, "Dia do Trabalho"),
    (9, 7, "Independência do Brasil"),
    (10, 12, "Nossa Senhora Aparecida"),
    (11, 2, "Finados"),
    (11, 15, "Proclamação da República"),
    (11, 20, "Dia Nacional de Zumbi e da Consciência Negra"),
    (12, 25, "Natal"),
)

#: Days around Easter on which banks and most businesses close: Carnaval
#: (Monday and Tuesday), Good Friday (a national holiday) and Corpus Christi.
EASTER_HOLIDAYS = (
    (-48, "Carnaval (segunda-feira)"),
    (-47, "Carnaval (terça-feira)"),
    (-2, "Sexta-feira Santa"),
    (60, "Corpus Christi"),
)


def national_holidays(year):
    """``{date: name}`` of the days collections treat as national holidays."""
    holidays = {date(year, month, day): name for month, day, name in FIXED_HOLIDAYS}
    sunday = easter(year)
    for offset, name in EASTER_HOLIDAYS:
        holidays[sunday + timedelta(days=offset)] = name
    return holidays


@dataclass(frozen=True)
class SendWindow:
    """When messages may go out, in local time.

    ``hours[weekday]`` is ``(start, end)`` in hours (floats, 8.5 = 8h30) for
    Monday=0 ... Sunday=6, or ``None`` for a closed day; holidays are closed.
    """

    hours: tuple

    @classmethod
    def from_settings(cls, weekdays, saturday=None, sunday=None):
        """Build from the weekday hours and the optional Saturday/Sunday hours."""
        return cls(hours=(weekdays,) * 5 + (saturday, sunday))

    def opening(self, day):
        """``(start, end)`` datetimes of the window on ``day``, or ``None``."""
        span = self.hours[day.weekday()]
        if not span or span[1] <= span[0]:
            return None
        return (
            datetime.combine(day, _time_of(span[0])),
            datetime.combine(day, _time_of(span[1])),
        )


def _time_of(hours):
    minutes = round(hours * 60)
    if minutes >= 24 * 60:
        return time(23, 59, 59)
    return time(minutes // 60, minutes % 60)


def is_open(moment, window, holidays):
    """Whether a message may go out at ``moment`` (a naive local datetime)."""
    if moment.date() in holidays:
        return False
    span = window.opening(moment.date())
    return bool(span) and span[0] <= moment < span[1]


def next_open(moment, window, holidays, horizon_days=366):
    """The first moment at or after ``moment`` when a message may go out.

    :param moment: naive local datetime
    :param holidays: a set (or mapping) of closed dates
    :return: naive local datetime; ``moment`` itself when the window is open
    :raises ValueError: when the window never opens within the horizon
    """
    day = moment.date()
    for _offset in range(horizon_days + 1):
        if day not in holidays:
            span = window.opening(day)
            if span:
                start, end = span
                if moment < end:
                    return max(moment, start)
        day += timedelta(days=1)
        moment = datetime.combine(day, time.min)
    raise ValueError("The send window never opens: check the hours and the holidays.")


def add_business_days(start, count, holidays):
    """The date ``count`` business days after ``start`` (weekends and holidays skipped)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            remaining -= 1
    return day
