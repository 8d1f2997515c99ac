"""Brazilian calendar: holidays, send window, business days (no Odoo)."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import load_tool

cal = load_tool("calendario")

DEFAULT = cal.SendWindow.from_settings((8.0, 20.0), saturday=(8.0, 14.0), sunday=None)


@pytest.mark.parametrize(
    "year, expected",
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2030, date(2030, 4, 21)),
    ],
)
def test_easter(year, expected):
    assert cal.easter(year) == expected


def test_national_holidays_2026():
    holidays = cal.national_holidays(2026)
    assert holidays[date(2026, 2, 16)] == "Carnaval (segunda-feira)"
    assert holidays[date(2026, 2, 17)] == "Carnaval (terça-feira)"
    assert holidays[date(2026, 4, 3)] == "Sexta-feira Santa"
    assert holidays[date(2026, 6, 4)] == "Corpus Christi"
    assert holidays[date(2026, 11, 20)].startswith("Dia Nacional de Zumbi")
    assert date(2026, 4, 21) in holidays and date(2026, 12, 25) in holidays
    assert len(holidays) == 13


def test_window_on_a_weekday():
    monday = datetime(2026, 11, 23, 10, 0)
    assert cal.is_open(monday, DEFAULT, set())
    assert cal.next_open(monday, DEFAULT, set()) == monday
    early = datetime(2026, 11, 23, 6, 0)
    assert cal.next_open(early, DEFAULT, set()) == datetime(2026, 11, 23, 8, 0)


def test_run_at_21h_goes_to_the_next_morning():
    assert cal.next_open(datetime(2026, 11, 23, 21, 0), DEFAULT, set()) == datetime(
        2026, 11, 24, 8, 0
    )


def test_saturday_afternoon_and_sunday_go_to_monday():
    saturday = datetime(2026, 11, 28, 15, 0)
    assert cal.next_open(saturday, DEFAULT, set()) == datetime(2026, 11, 30, 8, 0)
    sunday = datetime(2026, 11, 29, 10, 0)
    assert not cal.is_open(sunday, DEFAULT, set())
    assert cal.next_open(sunday, DEFAULT, set()) == datetime(2026, 11, 30, 8, 0)
    assert cal.next_open(datetime(2026, 11, 28, 9, 0), DEFAULT, set()) == datetime(
        2026, 11, 28, 9, 0
    )


def test_holidays_are_closed():
    holidays = cal.national_holidays(2026)
    # Friday 20 November 2026 is Consciência Negra: next window is Saturday 8h
    assert cal.next_open(datetime(2026, 11, 20, 9, 0), DEFAULT, holidays) == datetime(
        2026, 11, 21, 8, 0
    )


def test_window_that_never_opens():
    closed = cal.SendWindow.from_settings(None)
    with pytest.raises(ValueError):
        cal.next_open(datetime(2026, 1, 1, 9, 0), closed, set())


def test_business_days_for_sumula_548():
    holidays = cal.national_holidays(2026)
    # paid Wednesday 18 Nov 2026; Fri 20 is a holiday: Thu 19, Mon 23, Tue 24, Wed 25, Thu 26
    assert cal.add_business_days(date(2026, 11, 18), 5, holidays) == date(2026, 11, 26)
    assert cal.add_business_days(date(2026, 11, 18), 5, set()) == date(2026, 11, 25)


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)),
    begin=st.floats(min_value=0, max_value=12),
    length=st.floats(min_value=0.5, max_value=12),
)
def test_next_open_is_open_and_never_earlier(start, begin, length):
    window = cal.SendWindow.from_settings((begin, begin + length), saturday=(begin, begin + 1))
    holidays = set(cal.national_holidays(start.year)) | set(cal.national_holidays(start.year + 1))
    moment = cal.next_open(start, window, holidays)
    assert moment >= start
    assert cal.is_open(moment, window, holidays)
    # nothing open was skipped: one minute before it (if after start) is closed
    before = moment - timedelta(minutes=1)
    if before >= start:
        assert not cal.is_open(before, window, holidays)


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    count=st.integers(min_value=1, max_value=20),
)
def test_business_days_count(start, count):
    holidays = set(cal.national_holidays(start.year)) | set(cal.national_holidays(start.year + 1))
    end = cal.add_business_days(start, count, holidays)
    days = [start + timedelta(days=n) for n in range(1, (end - start).days + 1)]
    business = [d for d in days if d.weekday() < 5 and d not in holidays]
    assert len(business) == count and business[-1] == end
