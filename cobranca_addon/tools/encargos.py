"""Charges on overdue items (encargos moratórios) and instalment plans, as plain functions.

What a receivable item is worth when paid late (monetary correction, late fee, default
interest, discount) and how an agreement (acordo) splits an amount into instalments, with
the figures CDC art. 52 asks to disclose. Every legal number is a parameter of
:class:`ChargeRules` or of :func:`plan_instalments`, never a constant here.

Money is :class:`decimal.Decimal`. Each component is computed at full precision and rounded
once, half up, to the currency's rounding step (``Decimal("0.01")``, ``Decimal("1")`` for a
currency without cents, or any other positive step); a total is always the sum of its
rounded components, never rounded on its own.

Vocabulary:

* ``days_late``: payment date minus due date, at least 0;
* the *late period*: the days after the due date up to the payment date included, so a
  month's share of it is the number of its days in ``(due, on]``;
* ``rounding``: the currency's rounding step.
"""

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction

#: Context of the intermediate computations (rates, powers, products): 50 significant
#: digits, far more than any amount needs.
WORKING = Context(prec=50)
#: Context of the sums of rounded amounts: exact, or an error rather than a wrong total.
EXACT = Context(prec=1000, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])
#: Days per period of each interest basis (pro rata die).
BASIS_DAYS = {"day": 1, "month": 30, "year": 365}
#: Digits of the effective annual rate.
RATE_STEP = Decimal("0.000001")
#: Tolerance of the effective annual rate solver (relative above 100 %).
RATE_TOLERANCE = 1e-12
#: Beyond this annual rate (a fraction) the solver gives up.
MAX_RATE = 1e15

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def _decimal(value, name):
    """``value`` as a Decimal; ints are welcome, floats refused (they are not exact)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"{name} must be a Decimal (or an int), got {type(value).__name__}")


def exact_sum(values):
    """The exact sum of Decimal amounts (0 for none)."""
    with localcontext(EXACT):
        return sum(values, ZERO)


def _check_step(rounding):
    rounding = _decimal(rounding, "rounding")
    if not rounding.is_finite() or rounding <= 0:
        raise ValueError(f"rounding must be a positive step, got {rounding}")
    return rounding


def round_to(value, rounding):
    """``value`` rounded half up (away from zero on ties) to a multiple of ``rounding``."""
    with localcontext(WORKING):
        units = (value / rounding).to_integral_value(rounding=ROUND_HALF_UP)
        return (units * rounding).quantize(rounding)


def is_multiple(value, rounding):
    """Whether ``value`` is a whole number of rounding steps."""
    with localcontext(WORKING):
        return value % rounding == 0


def month_key(day):
    """The ``(year, month)`` key of the index tables for a date."""
    return day.year, day.month


def days_in_month(year, month):
    return calendar.monthrange(year, month)[1]


def late_months(due, on):
    """``[((year, month), days_in_overlap, days_in_month)]`` of the late period ``(due, on]``,
    in calendar order; empty when ``on <= due``."""
    months = []
    day = due + timedelta(days=1)
    while day <= on:
        length = days_in_month(day.year, day.month)
        month_end = date(day.year, day.month, length)
        last = min(month_end, on)
        months.append((month_key(day), (last - day).days + 1, length))
        day = last + timedelta(days=1)
    return months


def _index_rate(index, key, name):
    """The monthly percentage of ``key`` in an index table; ``ValueError`` when missing."""
    if key not in index:
        year, month = key
        raise ValueError(f"{name} has no value for {year:04d}-{month:02d}")
    return _decimal(index[key], f"{name}[{key}]")


@dataclass(frozen=True)
class ChargeRules:
    """How an overdue item is charged: late fee (multa), default interest (juros de mora)
    and monetary correction (correção monetária). Percentages are in percent
    (``Decimal("2")`` is 2 %).

    * ``fine_percent``: late fee, applied once when ``days_late > grace_days``; in a
      consumer relation it is capped at ``consumer_fine_cap`` (CDC art. 52 §1), between
      businesses (``consumer=False``) it applies as given.
    * ``interest_percent`` per ``interest_basis`` period: ``"day"``, ``"month"`` (30 days,
      pro rata die) or ``"year"`` (365 days, pro rata die); simple interest unless
      ``compound``, then ``(1 + daily) ** days - 1``.
    * ``interest_index``: ``{(year, month): monthly percent}`` (e.g. the legal rate, Selic
      minus IPCA, of Lei 14.905/2024); when set it replaces ``interest_percent`` and each
      month of the late period bears its own rate pro rata die (its days in the period over
      its length); negative values count as 0 (the legal rate is floored at 0).
    * ``correction_index``: ``{(year, month): monthly percent}`` (e.g. IPCA); the factor is
      the product over the months of the late period of ``(1 + r / 100) ** (days / length)``;
      negative months are allowed but the correction as a whole never goes below 0.
    * ``grace_days``: paid at most that many days late, nothing is charged; later, the
      charges run from the due date.
    * ``interest_on_corrected``: fee and interest are computed on the principal plus the
      correction, else on the principal alone.

    A month missing from a table raises ``ValueError``: rates are never guessed.
    """

    fine_percent: Decimal = Decimal("2")
    consumer: bool = True
    consumer_fine_cap: Decimal = Decimal("2")
    interest_percent: Decimal = Decimal("1")
    interest_basis: str = "month"
    compound: bool = False
    interest_index: Mapping | None = None
    correction_index: Mapping | None = None
    grace_days: int = 0
    interest_on_corrected: bool = True

    def __post_init__(self):
        for name in ("fine_percent", "consumer_fine_cap", "interest_percent"):
            value = _decimal(getattr(self, name), name)
            if not value.is_finite() or value < 0:
                raise ValueError(f"{name} must be a non-negative number, got {value}")
            object.__setattr__(self, name, value)
        if self.interest_basis not in BASIS_DAYS:
            raise ValueError(
                f"interest_basis must be one of {', '.join(BASIS_DAYS)}, "
                f"got {self.interest_basis!r}"
            )
        if isinstance(self.grace_days, bool) or not isinstance(self.grace_days, int):
            raise TypeError(f"grace_days must be an int, got {type(self.grace_days).__name__}")
        if self.grace_days < 0:
            raise ValueError(f"grace_days must not be negative, got {self.grace_days}")
        for key, value in (self.correction_index or {}).items():
            if _decimal(value, f"correction_index[{key}]") <= -100:
                raise ValueError(f"correction_index[{key}] must be above -100 %, got {value}")

    @property
    def effective_fine_percent(self):
        """The late fee actually applied, after the consumer cap."""
        if self.consumer:
            return min(self.fine_percent, self.consumer_fine_cap)
        return self.fine_percent

    def correction_factor(self, due, on):
        """The monetary correction factor over the late period (1 without an index), not
        floored yet."""
        factor = Decimal(1)
        if self.correction_index is None:
            return factor
        with localcontext(WORKING):
            for key, days, length in late_months(due, on):
                rate = _index_rate(self.correction_index, key, "correction_index")
                factor *= (1 + rate / HUNDRED) ** (Decimal(days) / length)
        return factor

    def interest_fraction(self, due, on):
        """The interest over the late period as a fraction of the base (0.01 is 1 %)."""
        with localcontext(WORKING):
            if self.interest_index is not None:
                return self._indexed_interest_fraction(due, on)
            days = max(0, (on - due).days)
            daily = self.interest_percent / HUNDRED / BASIS_DAYS[self.interest_basis]
            if self.compound:
                return (1 + daily) ** days - 1
            return daily * days

    def _indexed_interest_fraction(self, due, on):
        simple, factor = ZERO, Decimal(1)
        for key, days, length in late_months(due, on):
            rate = max(ZERO, _index_rate(self.interest_index, key, "interest_index")) / HUNDRED
            if self.compound:
                factor *= (1 + rate) ** (Decimal(days) / length)
            else:
                simple += rate * days / length
        return factor - 1 if self.compound else simple


@dataclass(frozen=True)
class Charges:
    """The value of an item on a payment date, each component rounded to the step;
    ``total == principal + correction + fine + interest - discount`` exactly."""

    principal: Decimal
    correction: Decimal
    fine: Decimal
    interest: Decimal
    discount: Decimal
    total: Decimal
    days_late: int

    @property
    def charges(self):
        """Correction, fee and interest together."""
        return exact_sum((self.correction, self.fine, self.interest))


def _charges(principal, correction, fine, interest, discount, days_late):
    total = exact_sum((principal, correction, fine, interest, -discount))
    return Charges(principal, correction, fine, interest, discount, total, days_late)


def updated_value(principal, due, on, rules, rounding=Decimal("0.01"), discount=ZERO):
    """The :class:`Charges` of an item of ``principal`` due on ``due`` and paid on ``on``.

    Within the grace period (or not late) nothing is charged. ``discount`` is an absolute
    amount, rounded to the step, between 0 and the principal plus the charges.
    ``principal`` is rounded to the step too.
    """
    rounding = _check_step(rounding)
    principal = _decimal(principal, "principal")
    discount = _decimal(discount, "discount")
    if principal < 0:
        raise ValueError(f"principal must not be negative, got {principal}")
    if discount < 0:
        raise ValueError(f"discount must not be negative, got {discount}")
    principal = round_to(principal, rounding)
    days_late = max(0, (on - due).days)
    correction = fine = interest = round_to(ZERO, rounding)
    if days_late > rules.grace_days:
        with localcontext(WORKING):
            exact_correction = max(ZERO, principal * (rules.correction_factor(due, on) - 1))
            base = principal + exact_correction if rules.interest_on_corrected else principal
            correction = round_to(exact_correction, rounding)
            fine = round_to(base * rules.effective_fine_percent / HUNDRED, rounding)
            interest = round_to(base * rules.interest_fraction(due, on), rounding)
    gross = exact_sum((principal, correction, fine, interest))
    if discount > gross:
        raise ValueError(f"discount {discount} exceeds the updated value {gross}")
    discount = round_to(discount, rounding)
    return _charges(principal, correction, fine, interest, discount, days_late)


def sum_charges(charges_list):
    """Component-wise sum of :class:`Charges` (no re-rounding); ``days_late`` is the max."""
    charges_list = list(charges_list)
    parts = [
        exact_sum(getattr(charges, name) for charges in charges_list)
        for name in ("principal", "correction", "fine", "interest", "discount")
    ]
    days_late = max((charges.days_late for charges in charges_list), default=0)
    return _charges(*parts, days_late)


def allocate(total, weights, rounding):
    """Split ``total`` (a whole number of rounding steps) in proportion to ``weights``.

    Largest remainder: every part is a multiple of the step, the parts sum exactly to
    ``total`` and each is within one step of its exact share; ties go to the first items.
    Weights are non-negative numbers (Decimal, int or Fraction), at least one positive.
    """
    rounding = _check_step(rounding)
    total = _decimal(total, "total")
    if not is_multiple(total, rounding):
        raise ValueError(f"total {total} is not a multiple of the rounding step {rounding}")
    shares = [Fraction(_weight(weight)) for weight in weights]
    if any(share < 0 for share in shares):
        raise ValueError("weights must not be negative")
    weight_sum = sum(shares, Fraction(0))
    if weight_sum <= 0:
        raise ValueError("at least one weight must be positive")
    units = int(Fraction(total) / Fraction(rounding))
    sign, units = (-1 if units < 0 else 1), abs(units)
    quotas = [units * share / weight_sum for share in shares]
    parts = [int(quota) for quota in quotas]
    left = units - sum(parts)
    by_remainder = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    with localcontext(EXACT):
        return [sign * part * rounding for part in parts]


def _weight(weight):
    if isinstance(weight, float):
        raise TypeError("weights must be Decimal, int or Fraction, not float")
    if isinstance(weight, Decimal | int | Fraction) and not isinstance(weight, bool):
        return weight
    raise TypeError(f"weights must be numbers, got {type(weight).__name__}")


# Instalment plans (acordos) --------------------------------------------------------------


def add_months(day, months, day_of_month=None):
    """``day`` plus ``months`` calendar months on ``day_of_month`` (default: ``day.day``),
    clamped to the last day of the target month."""
    day_of_month = day_of_month or day.day
    year, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month0 + 1
    return date(year, month, min(day_of_month, days_in_month(year, month)))


def due_dates(first_due, count, period_months=1, period_days=None):
    """The ``count`` due dates of a plan: every ``period_days`` days when given, else every
    ``period_months`` months on the day of month of ``first_due`` (clamped to the month's
    end: Jan 31, Feb 28/29, Mar 31)."""
    if period_days is not None:
        return [first_due + timedelta(days=k * period_days) for k in range(count)]
    return [add_months(first_due, k * period_months) for k in range(count)]


@dataclass(frozen=True)
class Instalment:
    """One parcela: ``amount == principal + interest``."""

    number: int
    due: date
    amount: Decimal
    principal: Decimal
    interest: Decimal


@dataclass(frozen=True)
class Plan:
    """An instalment plan and what CDC art. 52 asks to disclose.

    ``financed`` is the amount of the agreement at ``start`` (down payment included; the
    down payment, when any, is instalment 1, all principal). ``monthly_rate`` and
    ``effective_annual_rate`` are fractions (``Decimal("0.01")`` is 1 % a month).
    """

    instalments: tuple
    financed: Decimal
    total: Decimal
    total_interest: Decimal
    monthly_rate: Decimal
    effective_annual_rate: Decimal
    start: date
    period_months: int = 1
    period_days: int | None = None
    down_payment: Decimal = ZERO

    @property
    def count(self):
        return len(self.instalments)

    @property
    def periodicity(self):
        """The period between instalments as an ISO 8601 duration: ``P1M``, ``P15D``."""
        if self.period_days is not None:
            return f"P{self.period_days}D"
        return f"P{self.period_months}M"

    def disclosure(self):
        """The figures of the CDC art. 52 text."""
        return {
            "financed": self.financed,
            "total": self.total,
            "total_interest": self.total_interest,
            "count": self.count,
            "periodicity": self.periodicity,
            "monthly_rate": self.monthly_rate,
            "effective_annual_rate": self.effective_annual_rate,
            "first_due": self.instalments[0].due,
            "last_due": self.instalments[-1].due,
        }


def period_rate(monthly_rate, period_months=1, period_days=None):
    """The compound rate equivalent to ``monthly_rate`` over one period (``period_days`` are
    counted as ``period_days / 30`` months)."""
    months = Decimal(period_days) / 30 if period_days is not None else Decimal(period_months)
    with localcontext(WORKING):
        return (1 + monthly_rate) ** months - 1


def _check_plan(amount, count, first_due, start, period_months, period_days, monthly_rate):
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be an int of at least 1, got {count!r}")
    if amount <= 0:
        raise ValueError(f"amount must be positive, got {amount}")
    if first_due < start:
        raise ValueError(f"first_due {first_due} is before the start {start}")
    if period_days is not None:
        if isinstance(period_days, bool) or not isinstance(period_days, int) or period_days < 1:
            raise ValueError(f"period_days must be an int of at least 1, got {period_days!r}")
    elif isinstance(period_months, bool) or not isinstance(period_months, int):
        raise ValueError(f"period_months must be an int of at least 1, got {period_months!r}")
    elif period_months < 1:
        raise ValueError(f"period_months must be an int of at least 1, got {period_months!r}")
    if monthly_rate < 0:
        raise ValueError(f"monthly_rate must not be negative, got {monthly_rate}")
    if monthly_rate >= 1:
        raise ValueError(
            f"monthly_rate is a fraction (Decimal('0.01') is 1 % a month), got {monthly_rate}"
        )


def _split(financed, count, rate, rounding):
    """``[(principal, interest)]`` of ``count`` instalments repaying ``financed``: equal
    amounts without interest, else a Price table (constant payment); the last instalment
    takes the rounding remainder."""
    with localcontext(WORKING):
        if rate == 0:
            payment = round_to(financed / count, rounding)
        else:
            payment = round_to(financed * rate / (1 - (1 + rate) ** -count), rounding)
        parts, balance = [], financed
        for number in range(1, count + 1):
            interest = round_to(balance * rate, rounding)
            principal = payment - interest if number < count else balance
            parts.append((principal, interest))
            balance -= principal
    if any(principal < 0 or principal + interest <= 0 for principal, interest in parts):
        raise ValueError(
            f"{financed} is too small to split into {count} instalments "
            f"with a rounding step of {rounding}"
        )
    return parts


def plan_instalments(
    amount,
    count,
    first_due,
    start,
    rounding=Decimal("0.01"),
    period_months=1,
    period_days=None,
    monthly_rate=ZERO,
    down_payment=ZERO,
):
    """Split ``amount`` (the agreement's value at ``start``) into ``count`` instalments.

    The first is due on ``first_due``, the next ones every ``period_months`` months (on the
    same day of month, clamped to the month's end) or every ``period_days`` days. A
    ``down_payment`` is instalment 1, not financed; the rest is split over the other
    instalments. ``monthly_rate`` (a fraction) gives a Price table whose rate per period is
    the compound equivalent; the table counts its first period as ending on the first
    financed instalment. ``amount`` and ``down_payment`` are rounded to the step.
    """
    rounding = _check_step(rounding)
    amount = round_to(_decimal(amount, "amount"), rounding)
    monthly_rate = _decimal(monthly_rate, "monthly_rate")
    down_payment = round_to(_decimal(down_payment, "down_payment"), rounding)
    _check_plan(amount, count, first_due, start, period_months, period_days, monthly_rate)
    if down_payment < 0:
        raise ValueError(f"down_payment must not be negative, got {down_payment}")
    if down_payment >= amount:
        raise ValueError(f"down_payment {down_payment} must be less than the amount {amount}")
    if down_payment and count < 2:
        raise ValueError("a down payment needs at least 2 instalments")
    if monthly_rate and count == 1 and first_due == start:
        raise ValueError("a single instalment due on the start date cannot bear interest")
    rate = period_rate(monthly_rate, period_months, period_days) if monthly_rate else ZERO
    parts = [(down_payment, round_to(ZERO, rounding))] if down_payment else []
    parts += _split(exact_sum((amount, -down_payment)), count - len(parts), rate, rounding)
    dates = due_dates(first_due, count, period_months, period_days)
    instalments = tuple(
        Instalment(number, day, exact_sum((principal, interest)), principal, interest)
        for number, (day, (principal, interest)) in enumerate(zip(dates, parts, strict=True), 1)
    )
    total = exact_sum(instalment.amount for instalment in instalments)
    return Plan(
        instalments=instalments,
        financed=amount,
        total=total,
        total_interest=exact_sum(instalment.interest for instalment in instalments),
        monthly_rate=monthly_rate,
        effective_annual_rate=effective_annual_rate(amount, start, instalments),
        start=start,
        period_months=period_months,
        period_days=period_days,
        down_payment=down_payment,
    )


def effective_annual_rate(amount, start, instalments):
    """The annual rate ``r`` (a fraction, 6 decimals) at which the instalments, discounted
    from their due dates to ``start`` with ``(1 + r) ** (days / 365)``, are worth
    ``amount``; exactly 0 when they add up to ``amount``."""
    total = exact_sum(instalment.amount for instalment in instalments)
    if total <= amount:
        # no interest at all (a plan never pays less than it finances)
        return ZERO.quantize(RATE_STEP)
    flows = [(float(i.amount), (i.due - start).days / 365) for i in instalments]
    target = float(amount)

    def excess(rate):
        return sum(value / (1 + rate) ** years for value, years in flows) - target

    low, high = 0.0, 1.0
    while excess(high) > 0:
        if high > MAX_RATE:
            raise ValueError("no effective annual rate: the instalments are all due at start")
        low, high = high, high * 2
    while high - low > RATE_TOLERANCE * max(1.0, low):
        middle = (low + high) / 2
        if excess(middle) > 0:
            low = middle
        else:
            high = middle
    return Decimal(repr((low + high) / 2)).quantize(RATE_STEP, rounding=ROUND_HALF_UP)


__all__ = [
    "ChargeRules",
    "Charges",
    "Instalment",
    "Plan",
    "add_months",
    "allocate",
    "due_dates",
    "effective_annual_rate",
    "exact_sum",
    "late_months",
    "period_rate",
    "plan_instalments",
    "round_to",
    "sum_charges",
    "updated_value",
]
