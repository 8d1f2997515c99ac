"""The collection indicators as plain formulas (no Odoo): ratios, DSO, months.

The report models of the add-on compute their figures in SQL; these functions say
what the figures mean, are what the "now" summary and the dashboard use to turn
sums into ratios, and are unit-tested on their own (tests/unit/test_indicadores.py).

Every ratio is a ratio of sums: the share of a group of rows is the sum of their
numerators over the sum of their denominators, never the average of their shares.
"""

import calendar
from datetime import timedelta


def ratio(numerator, denominator, factor=100.0):
    """``numerator / denominator * factor``, or ``None`` when there is nothing to
    divide by (no receivables, no item dunned): "no figure", not 0 %."""
    if not denominator:
        return None
    return numerator / denominator * factor


def overdue_rate(overdue, receivables):
    """Taxa de inadimplência, in %: the share of the receivables that is overdue."""
    return ratio(overdue, receivables)


def sales_per_day(sales, days):
    """Average sales per day of a period of ``days`` days."""
    if days <= 0:
        raise ValueError("a period has at least one day")
    return sales / days


def dso(receivables, daily_sales):
    """Days sales outstanding (prazo médio de recebimento): how many days of sales
    the receivables are. Over several months, ``receivables`` is the sum of the
    receivables at each month end and ``daily_sales`` the sum of each month's
    sales per day, i.e. the average receivables over the average daily sales.
    ``None`` without sales."""
    return ratio(receivables, daily_sales, factor=1.0)


def month_start(day):
    return day.replace(day=1)


def month_end(day):
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_close(day, today):
    """The day a month's figures are taken: its last day, or ``today`` for the
    current month (its figures so far); ``None`` for a month after today's."""
    start = month_start(day)
    if start > today:
        return None
    return min(month_end(day), today)


def months(date_from, date_to):
    """The first days of the months from ``date_from``'s to ``date_to``'s."""
    result = []
    current = month_start(date_from)
    while current <= date_to:
        result.append(current)
        current = month_end(current) + timedelta(days=1)
    return result


def default_period(today, months_back=12):
    """The default period of the indicators: the ``months_back`` months up to
    ``today`` (the current month included, so far)."""
    start = month_start(today)
    for _index in range(months_back - 1):
        start = month_start(start - timedelta(days=1))
    return start, today


def window_closed(day, window_days, today):
    """Whether the ``window_days`` after ``day`` are over by ``today``: only then is
    "paid within the window" a final answer."""
    return day + timedelta(days=window_days) < today


def is_overdue(date_maturity, day):
    """An item is overdue on ``day`` from the day after its due date (as the aging
    report counts: due today is not late)."""
    return date_maturity < day


__all__ = [
    "default_period",
    "dso",
    "is_overdue",
    "month_close",
    "month_end",
    "month_start",
    "months",
    "overdue_rate",
    "ratio",
    "sales_per_day",
    "window_closed",
]
