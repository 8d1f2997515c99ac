"""Charges on overdue items and instalment plans (cobranca_addon/tools/encargos.py), without Odoo.

The worked examples are computed by hand in the comments; the properties check the rules
that must hold whatever the figures (exact totals, rounding steps, caps, monotony).
"""

import calendar
import contextlib
import dataclasses
from datetime import date, timedelta
from decimal import Decimal, Inexact, localcontext

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from .conftest import load_tool

encargos = load_tool("encargos")
ChargeRules = encargos.ChargeRules
updated_value = encargos.updated_value
plan_instalments = encargos.plan_instalments
allocate = encargos.allocate

D = Decimal
CENT = D("0.01")
PRINCIPAL = D("1000.00")
DUE = date(2025, 1, 10)
# 2025-01-10 -> 2025-02-09: 21 days of January (11..31) + 9 of February = 30 days late
PAID_30 = date(2025, 2, 9)
# IPCA of 2025 (monthly %), for the correction examples
IPCA = {(2025, 1): D("0.16"), (2025, 2): D("1.31"), (2025, 3): D("0.56")}


@contextlib.contextmanager
def exact_arithmetic():
    """Arithmetic of the checks that neither rounds nor loses digits (the properties reach
    amounts of 30 digits with 10 % a day compound over two years)."""
    with localcontext() as context:
        context.prec = 1000
        context.traps[Inexact] = True
        yield


def components(charges):
    return charges.principal, charges.correction, charges.fine, charges.interest, charges.discount


# Worked examples: updated_value ------------------------------------------------------------


def test_thirty_days_late_with_the_default_rules():
    # fine 2 % of 1,000.00 = 20.00; interest 1 % a month pro rata die: 1000 * 0.01 / 30 * 30
    # = 10.00; total 1,000.00 + 20.00 + 10.00 = 1,030.00
    charges = updated_value(PRINCIPAL, DUE, PAID_30, ChargeRules())
    assert charges.days_late == 30
    assert components(charges) == (D("1000.00"), 0, D("20.00"), D("10.00"), 0)
    assert charges.total == D("1030.00")
    assert str(charges.correction) == "0.00"  # zeros carry the currency's exponent too


def test_consumer_fine_is_capped_at_two_percent():
    # CDC art. 52 §1: a 10 % contract fee becomes 2 % of 1,000.00 = 20.00
    charges = updated_value(PRINCIPAL, DUE, PAID_30, ChargeRules(fine_percent=D("10")))
    assert charges.fine == D("20.00")
    assert charges.total == D("1030.00")


def test_business_fine_applies_as_agreed():
    # 10 % of 1,000.00 = 100.00; total 1,000.00 + 100.00 + 10.00 = 1,110.00
    rules = ChargeRules(fine_percent=D("10"), consumer=False)
    charges = updated_value(PRINCIPAL, DUE, PAID_30, rules)
    assert charges.fine == D("100.00")
    assert charges.total == D("1110.00")


def test_business_can_agree_a_fee_below_the_cap():
    rules = ChargeRules(fine_percent=D("1.5"), consumer=True)
    assert updated_value(PRINCIPAL, DUE, PAID_30, rules).fine == D("15.00")


def test_year_basis_is_pro_rata_over_365_days():
    # 12 % a year, 30 days: 1000 * 0.12 * 30 / 365 = 9.8630... -> 9.86
    rules = ChargeRules(interest_percent=D("12"), interest_basis="year")
    charges = updated_value(PRINCIPAL, DUE, PAID_30, rules)
    assert charges.interest == D("9.86")
    assert charges.total == D("1029.86")


def test_day_basis():
    # 0.033 % a day, 30 days: 1000 * 0.00033 * 30 = 9.90
    rules = ChargeRules(interest_percent=D("0.033"), interest_basis="day")
    assert updated_value(PRINCIPAL, DUE, PAID_30, rules).interest == D("9.90")


def test_compound_against_simple_interest():
    # 2025-01-10 -> 2025-04-10: 21 + 28 + 31 + 10 = 90 days
    paid = date(2025, 4, 10)
    # simple: 1000 * 0.01 / 30 * 90 = 30.00
    simple = updated_value(PRINCIPAL, DUE, paid, ChargeRules())
    assert simple.interest == D("30.00")
    # compound: daily rate 0.01 / 30 = 0.000333...; ln(1.000333...) = 0.000333278;
    # * 90 = 0.0299950; exp(0.0299950) = 1.0304494 -> 1000 * 0.0304494 = 30.449 -> 30.45
    compound = updated_value(PRINCIPAL, DUE, paid, ChargeRules(compound=True))
    assert compound.interest == D("30.45")
    assert compound.total == D("1050.45")


def test_grace_days():
    rules = ChargeRules(grace_days=5)
    # paid 5 days late: nothing at all
    charges = updated_value(PRINCIPAL, DUE, date(2025, 1, 15), rules)
    assert charges.days_late == 5
    assert charges.total == PRINCIPAL
    assert charges.fine == charges.interest == charges.correction == 0
    # 6 days late: the charges run from the due date: fine 20.00, interest
    # 1000 * 0.01 / 30 * 6 = 2.00, total 1,022.00
    charges = updated_value(PRINCIPAL, DUE, date(2025, 1, 16), rules)
    assert (charges.fine, charges.interest, charges.total) == (D("20.00"), D("2.00"), D("1022.00"))


def test_nothing_when_paid_on_or_before_the_due_date():
    for paid in (DUE, DUE - timedelta(days=10)):
        charges = updated_value(PRINCIPAL, DUE, paid, ChargeRules(correction_index=IPCA))
        assert charges.days_late == 0
        assert charges.total == PRINCIPAL


def test_correction_over_three_whole_months():
    # 2024-12-31 -> 2025-03-31: January, February and March whole (90 days)
    # factor = 1.0016 * 1.0131 * 1.0056 = 1.01472096 * 1.0056 = 1.020403397376
    # correction 1000 * 0.020403397376 = 20.4034 -> 20.40
    # updated principal 1,020.403397: fine 2 % = 20.408 -> 20.41;
    # interest 1 % a month * 90 / 30 = 3 % = 30.612 -> 30.61
    # total 1,000.00 + 20.40 + 20.41 + 30.61 = 1,071.42
    rules = ChargeRules(correction_index=IPCA)
    charges = updated_value(PRINCIPAL, date(2024, 12, 31), date(2025, 3, 31), rules)
    assert components(charges) == (D("1000.00"), D("20.40"), D("20.41"), D("30.61"), 0)
    assert charges.total == D("1071.42")
    # fee and interest on the principal alone: 20.00 and 30.00
    rules = ChargeRules(correction_index=IPCA, interest_on_corrected=False)
    charges = updated_value(PRINCIPAL, date(2024, 12, 31), date(2025, 3, 31), rules)
    assert components(charges) == (D("1000.00"), D("20.40"), D("20.00"), D("30.00"), 0)
    assert charges.total == D("1070.40")


def test_correction_pro_rata_die_over_three_months():
    # 2025-01-16 -> 2025-03-16, 59 days: 15 of January's 31 (17..31), February whole,
    # 16 of March's 31
    # January: ln(1.0016) = 0.00159872 * 15/31 = 0.00077357 -> 1.00077387
    # March:   ln(1.0056) = 0.00558438 * 16/31 = 0.00288226 -> 1.00288642
    # factor = 1.00077387 * 1.0131 * 1.00288642 = 1.01388401 * 1.00288642 = 1.01681051
    # correction 16.8105 -> 16.81; fine 2 % of 1,016.8105 = 20.336 -> 20.34;
    # interest 1 % * 59 / 30 = 1.96667 % of 1,016.8105 = 19.997 -> 20.00
    # total 1,000.00 + 16.81 + 20.34 + 20.00 = 1,057.15
    rules = ChargeRules(correction_index=IPCA)
    factor = rules.correction_factor(date(2025, 1, 16), date(2025, 3, 16))
    assert abs(factor - D("1.01681051")) < D("1e-8")
    charges = updated_value(PRINCIPAL, date(2025, 1, 16), date(2025, 3, 16), rules)
    assert components(charges) == (D("1000.00"), D("16.81"), D("20.34"), D("20.00"), 0)
    assert charges.total == D("1057.15")


def test_deflation_never_reduces_the_debt():
    deflation = {(2025, 1): D("-0.5"), (2025, 2): D("-0.3")}
    rules = ChargeRules(correction_index=deflation)
    charges = updated_value(PRINCIPAL, DUE, PAID_30, rules)
    # correction floored at 0; fine and interest as without correction
    assert (charges.correction, charges.fine, charges.interest) == (0, D("20.00"), D("10.00"))


def test_interest_index_per_calendar_month():
    # 2025-01-10 -> 2025-02-14: 21 days of January (0.5 %), 14 of February (0.6 %)
    # 1000 * (0.005 * 21 / 31 + 0.006 * 14 / 28) = 3.3871 + 3.0000 = 6.3871 -> 6.39
    # interest_percent (here an absurd 50 %) is ignored
    table = {(2025, 1): D("0.5"), (2025, 2): D("0.6")}
    rules = ChargeRules(interest_index=table, interest_percent=D("50"))
    charges = updated_value(PRINCIPAL, DUE, date(2025, 2, 14), rules)
    assert (charges.fine, charges.interest, charges.total) == (D("20.00"), D("6.39"), D("1026.39"))


def test_a_negative_legal_rate_counts_as_zero():
    table = {(2025, 1): D("-0.2"), (2025, 2): D("0.6")}
    # only February: 1000 * 0.006 * 14 / 28 = 3.00
    charges = updated_value(PRINCIPAL, DUE, date(2025, 2, 14), ChargeRules(interest_index=table))
    assert charges.interest == D("3.00")


def test_a_missing_month_raises_naming_it():
    table = {(2025, 1): D("0.5"), (2025, 2): D("0.6")}
    with pytest.raises(ValueError, match="interest_index has no value for 2025-03"):
        updated_value(PRINCIPAL, DUE, date(2025, 3, 1), ChargeRules(interest_index=table))
    with pytest.raises(ValueError, match="correction_index has no value for 2024-12"):
        updated_value(PRINCIPAL, date(2024, 12, 20), PAID_30, ChargeRules(correction_index=IPCA))
    # a month outside the late period is not needed
    updated_value(PRINCIPAL, DUE, date(2025, 2, 28), ChargeRules(interest_index=table))


def test_currency_without_cents():
    # fine 2 % of 1,234 = 24.68 -> 25; interest 1 % of 1,234 = 12.34 -> 12; total 1,271
    charges = updated_value(D("1234"), DUE, PAID_30, ChargeRules(), rounding=D("1"))
    assert (charges.fine, charges.interest, charges.total) == (D("25"), D("12"), D("1271"))


def test_half_up_rounding_of_each_component():
    # fine 2 % of 0.25 = 0.005 -> 0.01 (half up); interest 1 % of 0.25 = 0.0025 -> 0.00
    charges = updated_value(D("0.25"), DUE, PAID_30, ChargeRules())
    assert (charges.fine, charges.interest, charges.total) == (D("0.01"), 0, D("0.26"))


def test_discount():
    charges = updated_value(PRINCIPAL, DUE, PAID_30, ChargeRules(), discount=D("30.00"))
    assert charges.discount == D("30.00")
    assert charges.total == D("1000.00")
    assert updated_value(PRINCIPAL, DUE, PAID_30, ChargeRules(), discount=D("1030")).total == 0
    with pytest.raises(ValueError, match="exceeds"):
        updated_value(PRINCIPAL, DUE, PAID_30, ChargeRules(), discount=D("1030.01"))
    with pytest.raises(ValueError, match="discount must not be negative"):
        updated_value(PRINCIPAL, DUE, PAID_30, ChargeRules(), discount=D("-1"))


def test_invalid_inputs():
    with pytest.raises(ValueError, match="principal must not be negative"):
        updated_value(D("-1"), DUE, PAID_30, ChargeRules())
    with pytest.raises(ValueError, match="rounding"):
        updated_value(PRINCIPAL, DUE, PAID_30, ChargeRules(), rounding=D("0"))
    with pytest.raises(TypeError, match="Decimal"):
        updated_value(1000.0, DUE, PAID_30, ChargeRules())


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"fine_percent": D("-1")}, "fine_percent"),
        ({"consumer_fine_cap": D("-2")}, "consumer_fine_cap"),
        ({"interest_percent": D("-0.5")}, "interest_percent"),
        ({"interest_basis": "week"}, "interest_basis must be one of day, month, year"),
        ({"grace_days": -1}, "grace_days"),
        ({"correction_index": {(2025, 1): D("-100")}}, "above -100"),
    ],
)
def test_rules_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ChargeRules(**kwargs)


def test_rules_accept_int_percentages():
    rules = ChargeRules(fine_percent=10, consumer=False, interest_percent=1)
    assert rules.fine_percent == D("10") and isinstance(rules.fine_percent, Decimal)


def test_sum_charges():
    first = updated_value(PRINCIPAL, DUE, PAID_30, ChargeRules(), discount=D("5.00"))
    second = updated_value(D("500.00"), date(2025, 2, 1), PAID_30, ChargeRules())
    # second: 8 days late, fine 10.00, interest 500 * 0.01 * 8 / 30 = 1.333 -> 1.33
    total = encargos.sum_charges([first, second])
    assert components(total) == (D("1500.00"), 0, D("30.00"), D("11.33"), D("5.00"))
    assert total.total == first.total + second.total == D("1536.33")
    assert total.days_late == 30
    empty = encargos.sum_charges([])
    assert (empty.total, empty.days_late) == (0, 0)


# Properties: updated_value -----------------------------------------------------------------

steps = st.sampled_from([D("0.01"), D("1"), D("0.05")])
percents = st.integers(0, 2000).map(lambda n: D(n) / 100)
# index tables from 2024-01 to 2027-12, one value per month
MONTHS = [(year, month) for year in range(2024, 2028) for month in range(1, 13)]


def index_tables(low, high):
    values = st.integers(low, high).map(lambda n: D(n) / 100)
    return st.lists(values, min_size=len(MONTHS), max_size=len(MONTHS)).map(
        lambda rates: dict(zip(MONTHS, rates, strict=True))
    )


rules_strategy = st.builds(
    ChargeRules,
    fine_percent=percents,
    consumer=st.booleans(),
    interest_percent=st.integers(0, 1000).map(lambda n: D(n) / 100),
    interest_basis=st.sampled_from(["day", "month", "year"]),
    compound=st.booleans(),
    interest_index=st.none() | index_tables(-50, 200),
    correction_index=st.none() | index_tables(-100, 200),
    grace_days=st.integers(0, 10),
    interest_on_corrected=st.booleans(),
)
principals = st.integers(0, 10**8).map(lambda cents: D(cents) / 100)
due_dates = st.dates(date(2024, 1, 1), date(2025, 6, 30))
offsets = st.integers(-30, 700)


@settings(max_examples=150, deadline=None)
@given(principal=principals, due=due_dates, offset=offsets, rules=rules_strategy, step=steps)
def test_properties_of_updated_value(principal, due, offset, rules, step):
    on = due + timedelta(days=offset)
    charges = updated_value(principal, due, on, rules, rounding=step)
    parts = components(charges)
    assert charges.days_late == max(0, offset)
    with exact_arithmetic():
        # the total is exactly the sum of the rounded components
        assert charges.total == charges.principal + charges.charges - charges.discount
        assert all(part % step == 0 and part >= 0 for part in (*parts, charges.total))
        if offset <= rules.grace_days:
            assert charges.charges == 0 and charges.total == charges.principal
        if rules.consumer:
            base = charges.principal + (charges.correction if rules.interest_on_corrected else 0)
            assert charges.fine <= base * D("0.02") + step / 2


@settings(max_examples=100, deadline=None)
@given(
    principal=principals,
    due=due_dates,
    offsets=st.tuples(offsets, offsets).map(sorted),
    rules=rules_strategy,
    correction=st.none() | index_tables(0, 200),
    step=steps,
)
def test_charges_never_decrease_with_the_payment_date(
    principal, due, offsets, rules, correction, step
):
    # (a negative monthly inflation may lower a correction already accrued: not here)
    rules = dataclasses.replace(rules, correction_index=correction)
    early, late = (
        updated_value(principal, due, due + timedelta(days=offset), rules, rounding=step)
        for offset in offsets
    )
    for name in ("correction", "fine", "interest", "total"):
        assert getattr(early, name) <= getattr(late, name)


@settings(max_examples=100, deadline=None)
@given(
    principal=principals,
    offset=offsets,
    rules=rules_strategy,
    share=st.integers(0, 100),
    step=steps,
)
def test_discount_bounds(principal, offset, rules, share, step):
    on = DUE + timedelta(days=offset)
    gross = updated_value(principal, DUE, on, rules, rounding=step).total
    with exact_arithmetic():
        discount = encargos.round_to(gross * share / 100, step)
        above = gross + step
        charges = updated_value(principal, DUE, on, rules, rounding=step, discount=discount)
        assert charges.discount == discount
        assert charges.total == gross - discount >= 0
    with pytest.raises(ValueError, match="exceeds"):
        updated_value(principal, DUE, on, rules, rounding=step, discount=above)


# Worked examples: instalment plans ---------------------------------------------------------


def test_equal_instalments_remainder_on_the_last_and_month_end_clamping():
    # 1,000.00 / 3 = 333.333... -> 333.33, 333.33 and 1,000.00 - 666.66 = 333.34
    plan = plan_instalments(D("1000.00"), 3, date(2025, 1, 31), date(2025, 1, 15))
    assert [i.amount for i in plan.instalments] == [D("333.33"), D("333.33"), D("333.34")]
    assert [i.due for i in plan.instalments] == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),  # back on the 31st
    ]
    assert plan.total == plan.financed == D("1000.00")
    assert plan.total_interest == 0
    assert plan.effective_annual_rate == 0
    # a leap year
    plan = plan_instalments(D("1000.00"), 2, date(2024, 1, 31), date(2024, 1, 1))
    assert plan.instalments[1].due == date(2024, 2, 29)


def test_price_table():
    # PMT = 1000 * 0.01 / (1 - 1.01 ** -12) = 88.8488 -> 88.85
    # 1st: interest 1 % of 1,000.00 = 10.00, principal 78.85, balance 921.15
    # 2nd: interest 9.2115 -> 9.21, principal 79.64, balance 841.51
    # ... 12th: the balance left, 87.96, plus 0.88 interest = 88.84
    # total 11 * 88.85 + 88.84 = 1,066.19
    start = date(2025, 1, 15)
    plan = plan_instalments(D("1000.00"), 12, date(2025, 2, 15), start, monthly_rate=D("0.01"))
    first, second, last = plan.instalments[0], plan.instalments[1], plan.instalments[-1]
    assert (first.amount, first.interest, first.principal) == (D("88.85"), D("10.00"), D("78.85"))
    assert (second.interest, second.principal) == (D("9.21"), D("79.64"))
    assert (last.amount, last.interest, last.principal) == (D("88.84"), D("0.88"), D("87.96"))
    assert plan.total == D("1066.19")
    assert plan.total_interest == D("66.19")
    assert sum(i.principal for i in plan.instalments) == D("1000.00")
    # (1.01) ** 12 - 1 = 0.126825 with equal months; on the real calendar (Feb has 28 days)
    # the payments come a little earlier, hence a little more
    assert plan.effective_annual_rate == D("0.127392")
    assert plan.disclosure() == {
        "financed": D("1000.00"),
        "total": D("1066.19"),
        "total_interest": D("66.19"),
        "count": 12,
        "periodicity": "P1M",
        "monthly_rate": D("0.01"),
        "effective_annual_rate": D("0.127392"),
        "first_due": date(2025, 2, 15),
        "last_due": date(2026, 1, 15),
    }


def test_down_payment():
    # entrada 150.00 on the first due date; 850.00 / 3 = 283.33, 283.33, 283.34
    plan = plan_instalments(
        D("1000.00"), 4, date(2025, 3, 5), date(2025, 3, 5), down_payment=D("150")
    )
    assert [i.amount for i in plan.instalments] == [
        D("150.00"),
        D("283.33"),
        D("283.33"),
        D("283.34"),
    ]
    assert [i.due for i in plan.instalments][:2] == [date(2025, 3, 5), date(2025, 4, 5)]
    assert plan.total == plan.financed == D("1000.00")
    assert plan.down_payment == D("150.00")


def test_down_payment_with_interest():
    # 1,000.00 - 400.00 = 600.00 at 2 % a month over 2 months:
    # 1.02 ** -2 = 0.9611688; PMT = 600 * 0.02 / (1 - 0.9611688) = 12 / 0.0388312 = 309.0298
    # -> 309.03; 1st: interest 12.00, principal 297.03, balance 302.97;
    # 2nd: interest 302.97 * 0.02 = 6.0594 -> 6.06, principal 302.97, amount 309.03
    plan = plan_instalments(
        D("1000.00"),
        3,
        date(2025, 3, 5),
        date(2025, 3, 5),
        monthly_rate=D("0.02"),
        down_payment=D("400.00"),
    )
    rows = [(i.amount, i.principal, i.interest) for i in plan.instalments]
    assert rows == [
        (D("400.00"), D("400.00"), 0),
        (D("309.03"), D("297.03"), D("12.00")),
        (D("309.03"), D("302.97"), D("6.06")),
    ]
    assert plan.total_interest == D("18.06")
    assert plan.total == D("1018.06")


def test_instalments_every_n_days():
    # every 15 days; the rate per period is the compound equivalent: 1.01 ** (15 / 30) - 1
    # = 0.0049876; PMT = 300 * 0.0049876 / (1 - 1.0049876 ** -3) = 100.9993 -> 101.00
    plan = plan_instalments(
        D("300.00"),
        3,
        date(2025, 1, 10),
        date(2024, 12, 26),
        period_days=15,
        monthly_rate=D("0.01"),
    )
    assert [i.due for i in plan.instalments] == [
        date(2025, 1, 10),
        date(2025, 1, 25),
        date(2025, 2, 9),
    ]
    assert plan.instalments[0].amount == D("101.00")
    assert plan.instalments[0].interest == D("1.50")  # 300 * 0.0049876 = 1.496
    assert plan.periodicity == "P15D"
    assert plan_instalments(D("1"), 1, DUE, DUE, period_months=2).periodicity == "P2M"


def test_plans_are_validated():
    start = date(2025, 1, 1)
    with pytest.raises(ValueError, match="count"):
        plan_instalments(D("100"), 0, start, start)
    with pytest.raises(ValueError, match="amount must be positive"):
        plan_instalments(D("0"), 2, start, start)
    with pytest.raises(ValueError, match="before the start"):
        plan_instalments(D("100"), 2, start, date(2025, 1, 2))
    with pytest.raises(ValueError, match="monthly_rate must not be negative"):
        plan_instalments(D("100"), 2, start, start, monthly_rate=D("-0.01"))
    with pytest.raises(ValueError, match="monthly_rate is a fraction"):
        plan_instalments(D("100"), 2, start, start, monthly_rate=D("1"))
    with pytest.raises(ValueError, match="down_payment"):
        plan_instalments(D("100"), 2, start, start, down_payment=D("100"))
    with pytest.raises(ValueError, match="down_payment must not be negative"):
        plan_instalments(D("100"), 2, start, start, down_payment=D("-1"))
    with pytest.raises(ValueError, match="at least 2 instalments"):
        plan_instalments(D("100"), 1, start, start, down_payment=D("10"))
    with pytest.raises(ValueError, match="period_months"):
        plan_instalments(D("100"), 2, start, start, period_months=0)
    with pytest.raises(ValueError, match="period_days"):
        plan_instalments(D("100"), 2, start, start, period_days=0)
    with pytest.raises(ValueError, match="cannot bear interest"):
        plan_instalments(D("100"), 1, start, start, monthly_rate=D("0.01"))
    with pytest.raises(ValueError, match="too small"):
        # 0.11 / 7 = 0.0157 -> 0.02, and six of them already make 0.12
        plan_instalments(D("0.11"), 7, start, start)


# Properties: instalment plans --------------------------------------------------------------


@st.composite
def plans(draw, rate):
    step = draw(st.sampled_from([D("0.01"), D("1")]))
    count = draw(st.integers(1, 60))
    units = draw(st.integers(max(100_000, 10 * count * count), 10**9))
    start = draw(st.dates(date(2024, 1, 1), date(2030, 12, 31)))
    # a single instalment bearing interest cannot fall on the start date
    first_due = start + timedelta(days=draw(st.integers(1 if rate and count == 1 else 0, 60)))
    period = draw(st.sampled_from([{}, {"period_months": 2}, {"period_days": 15}]))
    down_payment = D(0)
    if count >= 2 and draw(st.booleans()):
        down_payment = D(draw(st.integers(1, units // 2))) * step
    monthly_rate = D(draw(st.integers(1, 300))) / 10_000 if rate else D(0)
    return plan_instalments(
        units * step,
        count,
        first_due,
        start,
        rounding=step,
        monthly_rate=monthly_rate,
        down_payment=down_payment,
        **period,
    )


def check_plan(plan):
    instalments = plan.instalments
    financed = instalments[1:] if plan.down_payment else instalments
    # all instalments but the last are equal (the down payment aside)
    assert len({i.amount for i in financed[:-1]}) <= 1
    assert all(i.amount == i.principal + i.interest and i.amount > 0 for i in instalments)
    assert all(i.principal >= 0 and i.interest >= 0 for i in instalments)
    assert [i.number for i in instalments] == list(range(1, len(instalments) + 1))
    # the principal parts repay exactly the amount
    assert sum(i.principal for i in instalments) == plan.financed
    assert plan.total == sum(i.amount for i in instalments) == plan.financed + plan.total_interest
    dues = [i.due for i in instalments]
    assert dues == sorted(set(dues))
    first = dues[0]
    for k, due in enumerate(dues):
        if plan.period_days is not None:
            assert due == first + timedelta(days=k * plan.period_days)
        else:
            months = (due.year - first.year) * 12 + due.month - first.month
            assert months == k * plan.period_months
            assert due.day == min(first.day, calendar.monthrange(due.year, due.month)[1])


@settings(max_examples=100, deadline=None)
@given(plan=plans(rate=False))
def test_properties_of_plans_without_interest(plan):
    check_plan(plan)
    assert plan.total == plan.financed
    assert plan.total_interest == 0
    assert plan.effective_annual_rate == 0


@settings(max_examples=100, deadline=None)
@given(plan=plans(rate=True))
def test_properties_of_price_tables(plan):
    check_plan(plan)
    assert plan.effective_annual_rate >= 0
    disclosure = plan.disclosure()
    assert disclosure["count"] == len(plan.instalments)
    assert disclosure["last_due"] == plan.instalments[-1].due


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    count=st.integers(12, 60),
    bps=st.integers(1, 80),
    cents=st.integers(100_000, 10**8),
)
def test_effective_annual_rate_of_monthly_instalments(start, count, bps, cents):
    """≈ (1 + i) ** 12 - 1: actual/365 day counting on the real calendar moves it a little
    (within 1e-3 up to 0.8 % a month, over a year or more, starting on day 1-28 so that no
    due date is clamped)."""
    assume(start.day <= 28)
    rate = D(bps) / 10_000
    first_due = encargos.add_months(start, 1)
    plan = plan_instalments(D(cents) / 100, count, first_due, start, monthly_rate=rate)
    assert abs(plan.effective_annual_rate - ((1 + rate) ** 12 - 1)) < D("1e-3")


# allocate ----------------------------------------------------------------------------------


def test_allocate_examples():
    # 100.00 / 3 = 33.333...: the three remainders tie, the first item takes the cent
    assert allocate(D("100.00"), [1, 1, 1], CENT) == [D("33.34"), D("33.33"), D("33.33")]
    # 10.00 * (0, 1, 3) / 4 = 0, 2.50, 7.50
    assert allocate(D("10.00"), [0, D("1"), 3], CENT) == [0, D("2.50"), D("7.50")]
    # 1.00 * (2, 1) / 3 = 0.666..., 0.333...: the larger remainder (0.666) takes the cent
    assert allocate(D("1.00"), [D("2"), D("1")], CENT) == [D("0.67"), D("0.33")]
    assert allocate(D("7"), [1, 1], D("1")) == [D("4"), D("3")]
    with pytest.raises(ValueError, match="at least one weight"):
        allocate(D("1.00"), [0, 0], CENT)
    with pytest.raises(ValueError, match="must not be negative"):
        allocate(D("1.00"), [2, -1], CENT)
    with pytest.raises(ValueError, match="not a multiple"):
        allocate(D("1.005"), [1], CENT)


@settings(max_examples=150, deadline=None)
@given(
    step=steps,
    units=st.integers(-(10**7), 10**9),
    weights=st.lists(st.integers(0, 10**6).map(lambda n: D(n) / 100), min_size=1, max_size=20),
)
def test_properties_of_allocate(step, units, weights):
    assume(any(weights))
    total = units * step
    parts = allocate(total, weights, step)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert part % step == 0
        assert abs(part - total * weight / weight_sum) < step
        if weight == 0:
            assert part == 0
