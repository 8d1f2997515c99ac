"""Totals of a customer statement (cobranca_addon/tools/extrato.py), without Odoo."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import load_tool

extrato = load_tool("extrato")
Debt = extrato.Debt
totals = extrato.totals

D = Decimal

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


def test_a_worked_statement():
    # 1,000.00 30 days late: fee 20.00 + interest 10.00; 500.00 not due; 250.00 whose
    # charges could not be computed; a credit note of 100.00
    result = totals(
        [Debt(D("1000.00"), D("30.00")), Debt(D("500.00")), Debt(D("250.00"), None)],
        [D("100.00")],
    )
    assert result.debts == D("1750.00")
    assert result.credits == D("100.00")
    assert result.open_amount == D("1650.00")
    assert result.charges == D("30.00")
    assert result.updated == D("1680.00")
    assert result.uncharged == 1


def test_nothing_open():
    result = totals([])
    assert (result.debts, result.credits, result.open_amount, result.charges, result.updated) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert result.uncharged == 0


def test_credits_larger_than_debts_leave_a_balance_in_the_customers_favour():
    result = totals([Debt(D("10.00"), D("0.20"))], [D("50.00")])
    assert result.open_amount == D("-40.00")
    assert result.updated == D("-39.80")


def test_an_item_is_worth_its_open_amount_and_its_charges():
    assert Debt(D("1000.00"), D("30.00")).updated == D("1030.00")
    assert Debt(D("1000.00"), None).updated == D("1000.00")


@pytest.mark.parametrize(
    "values",
    [
        {"open_amount": 10.0},
        {"open_amount": D("-1")},
        {"open_amount": D("NaN")},
        {"open_amount": D("1"), "charges": D("-0.01")},
        {"open_amount": D("1"), "charges": 0.5},
    ],
)
def test_bad_amounts_are_refused(values):
    with pytest.raises((TypeError, ValueError)):
        Debt(**values)


def test_a_negative_credit_is_refused():
    with pytest.raises(ValueError):
        totals([Debt(D("1"))], [D("-1")])


@given(
    st.lists(st.tuples(amounts, st.one_of(st.none(), amounts)), max_size=30),
    st.lists(amounts, max_size=10),
)
def test_the_columns_add_up_exactly(items, credits):
    debts = [Debt(open_amount, charges) for open_amount, charges in items]
    result = totals(debts, credits)
    assert result.debts == sum((debt.open_amount for debt in debts), D(0))
    assert result.open_amount == result.debts - result.credits
    assert result.updated == result.open_amount + result.charges
    assert result.updated == sum((debt.updated for debt in debts), D(0)) - sum(credits, D(0))
    assert result.uncharged == sum(1 for _amount, charges in items if charges is None)
    # every total keeps the cents of its parts: nothing was rounded
    assert result.updated.as_tuple().exponent >= -2
