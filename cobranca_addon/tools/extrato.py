"""The totals of a customer statement (extrato), as plain functions.

A statement lists, per currency, the customer's open items (debts) and their credits
(credit notes, unapplied payments). Each debt is worth its open amount plus its late
charges on the date of the statement; a debt whose charges could not be computed (an
index month missing) counts for its open amount alone. Credits reduce the total and bear
no charge.

Amounts are :class:`decimal.Decimal`, already rounded to the currency's step (the
charges come rounded from :mod:`.encargos`); every total is the exact sum of rounded
amounts, never rounded on its own, so that the columns of the statement add up.
"""

from dataclasses import dataclass
from decimal import (
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)

#: Exact sums: an error rather than a wrong total.
EXACT = Context(prec=1000, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])
ZERO = Decimal(0)


@dataclass(frozen=True)
class Debt:
    """An open item: its open amount and its late charges (``None``: not computed)."""

    open_amount: Decimal
    charges: Decimal | None = ZERO

    def __post_init__(self):
        _check_amount(self.open_amount, "open_amount")
        if self.charges is not None:
            _check_amount(self.charges, "charges")

    @property
    def updated(self):
        """What the item is worth on the date of the statement."""
        with localcontext(EXACT):
            return self.open_amount + (self.charges or ZERO)


@dataclass(frozen=True)
class Totals:
    """The totals of one currency of a statement.

    ``open_amount == debts - credits`` and ``updated == open_amount + charges``, exactly.
    """

    debts: Decimal
    credits: Decimal
    open_amount: Decimal
    charges: Decimal
    updated: Decimal
    #: How many debts count without their charges (they could not be computed).
    uncharged: int


def _check_amount(value, name):
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name} must be a finite amount, not negative, got {value}")


def totals(debts, credits=()):
    """The :class:`Totals` of the ``debts`` (:class:`Debt`) and ``credits`` (positive
    Decimal amounts in the customer's favour) of one currency."""
    debts = list(debts)
    credits = list(credits)
    for index, credit in enumerate(credits):
        _check_amount(credit, f"credits[{index}]")
    with localcontext(EXACT):
        debt_total = sum((debt.open_amount for debt in debts), ZERO)
        credit_total = sum(credits, ZERO)
        charges = sum((debt.charges for debt in debts if debt.charges is not None), ZERO)
        open_amount = debt_total - credit_total
        return Totals(
            debts=debt_total,
            credits=credit_total,
            open_amount=open_amount,
            charges=charges,
            updated=open_amount + charges,
            uncharged=sum(1 for debt in debts if debt.charges is None),
        )
