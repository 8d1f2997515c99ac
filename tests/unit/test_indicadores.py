"""The indicators' formulas (cobranca_addon/tools/indicadores.py), without Odoo.

Ratios of sums, DSO over one and several months, the months of a period and the
day each month's figures are taken; the worked examples are computed by hand.
"""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import load_tool

indicadores = load_tool("indicadores")

amounts = st.integers(min_value=0, max_value=10**9).map(lambda cents: cents / 100)


def test_overdue_rate_is_the_share_of_the_receivables_overdue():
    # 250 of 1,000 receivables are overdue: 25 %
    assert indicadores.overdue_rate(250.0, 1000.0) == 25.0
    assert indicadores.overdue_rate(0.0, 1000.0) == 0.0


def test_no_receivables_is_no_figure_not_zero():
    assert indicadores.overdue_rate(0.0, 0.0) is None
    assert indicadores.ratio(5, 0) is None
    assert indicadores.dso(1000.0, 0.0) is None


def test_dso_of_one_month():
    # 3,000 of sales in a 30-day month: 100 a day; 4,500 receivable: 45 days
    per_day = indicadores.sales_per_day(3000.0, 30)
    assert per_day == 100.0
    assert indicadores.dso(4500.0, per_day) == 45.0


def test_dso_over_several_months_is_average_receivables_over_average_daily_sales():
    # January: 31 days, 3,100 sold (100/day), 2,000 receivable at the end
    # February: 28 days, 5,600 sold (200/day), 4,000 receivable at the end
    # average receivables 3,000; average sales per day 150: 20 days
    receivables = 2000.0 + 4000.0
    per_day = indicadores.sales_per_day(3100.0, 31) + indicadores.sales_per_day(5600.0, 28)
    assert indicadores.dso(receivables, per_day) == pytest.approx(20.0)
    # not the average of the two months' DSO (20 and 20 here, but see below)
    assert indicadores.dso(2000.0, 100.0) == 20.0


def test_a_ratio_of_sums_is_not_the_average_of_the_ratios():
    # collector A: 10 overdue of 100 (10 %); collector B: 900 of 1,000 (90 %)
    # together: 910 of 1,100 = 82.73 %, not (10 + 90) / 2 = 50 %
    together = indicadores.ratio(10.0 + 900.0, 100.0 + 1000.0)
    assert together == pytest.approx(82.7272727)


def test_sales_per_day_needs_a_day():
    with pytest.raises(ValueError):
        indicadores.sales_per_day(100.0, 0)


def test_months_of_a_period():
    assert indicadores.months(date(2025, 11, 20), date(2026, 2, 3)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert indicadores.months(date(2026, 2, 3), date(2026, 2, 3)) == [date(2026, 2, 1)]
    assert indicadores.months(date(2026, 3, 1), date(2026, 2, 3)) == []


def test_month_close_is_the_last_day_or_today():
    today = date(2026, 2, 10)
    assert indicadores.month_close(date(2024, 2, 5), today) == date(2024, 2, 29)
    assert indicadores.month_close(date(2026, 1, 31), today) == date(2026, 1, 31)
    assert indicadores.month_close(date(2026, 2, 1), today) == today
    assert indicadores.month_close(date(2026, 3, 1), today) is None


def test_default_period_is_twelve_months_with_the_current_one():
    assert indicadores.default_period(date(2026, 12, 1)) == (date(2026, 1, 1), date(2026, 12, 1))
    assert indicadores.default_period(date(2026, 3, 31), 3) == (date(2026, 1, 1), date(2026, 3, 31))


def test_window_and_overdue_days():
    # reminded on the 1st, window of 15 days: over on the 17th, not on the 16th
    assert not indicadores.window_closed(date(2026, 1, 1), 15, date(2026, 1, 16))
    assert indicadores.window_closed(date(2026, 1, 1), 15, date(2026, 1, 17))
    # due on the 10th: overdue from the 11th (due today is not late)
    assert not indicadores.is_overdue(date(2026, 1, 10), date(2026, 1, 10))
    assert indicadores.is_overdue(date(2026, 1, 10), date(2026, 1, 11))


@given(st.lists(st.tuples(amounts, amounts), min_size=1, max_size=20))
def test_the_share_of_a_group_lies_between_its_rows_shares(rows):
    rows = [(min(part, whole), whole) for part, whole in rows if whole > 0]
    if not rows:
        return
    total = indicadores.ratio(sum(part for part, _ in rows), sum(whole for _, whole in rows))
    shares = [indicadores.ratio(part, whole) for part, whole in rows]
    assert min(shares) - 1e-9 <= total <= max(shares) + 1e-9
    assert 0.0 <= total <= 100.0 + 1e-9


@given(st.integers(min_value=2000, max_value=2100), st.integers(min_value=1, max_value=12))
def test_every_month_has_its_days(year, month):
    start = date(year, month, 1)
    end = indicadores.month_end(start)
    assert indicadores.month_start(end) == start
    assert 28 <= (end - start).days + 1 <= 31
    assert indicadores.months(start, end) == [start]
