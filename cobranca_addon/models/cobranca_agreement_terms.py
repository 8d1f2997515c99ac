from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..tools import encargos, entrada

PERIODICITIES = [
    ("monthly", "Monthly"),
    ("biweekly", "Every 15 days"),
    ("weekly", "Weekly"),
]
#: ``plan_instalments`` arguments of each periodicity.
PERIODS = {
    "monthly": {"period_months": 1},
    "biweekly": {"period_days": 15},
    "weekly": {"period_days": 7},
}


#: The years an agreement's dates may fall in (the calendar ends in 9999: due
#: dates computed from a date near it do not exist), and the farthest its first
#: instalment may be due after it, in days.
FIRST_YEAR, LAST_YEAR = 1900, 2999
MAX_FIRST_DUE_DAYS = 3660


def to_decimal(value, currency):
    """An Odoo amount (float) as the exact Decimal of its rounded value."""
    return Decimal(str(currency.round(value or 0.0)))


class CobrancaAgreementTerms(models.AbstractModel):
    """The terms of an agreement (acordo) over overdue items, and the figures they
    give: what each item is worth today (late fee, interest, correction), the
    discount, the instalment plan and the CDC art. 52 disclosure.

    Shared by the agreement wizard (a live preview) and the agreement itself
    (what was offered and accepted), so that both compute the same way, with the
    pure functions of :mod:`..tools.encargos`.
    """

    _name = "cobranca.agreement.terms"
    _description = "Cobrança: Terms of an Agreement"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        string="Agreement Date",
        required=True,
        default=fields.Date.context_today,
        help="The charges are computed up to this date.",
    )
    discount_amount = fields.Monetary(string="Discount")
    instalment_count = fields.Integer(string="Number of Instalments", default=3, required=True)
    first_due = fields.Date(
        string="First Due Date",
        required=True,
        default=lambda self: fields.Date.context_today(self) + timedelta(days=7),
    )
    periodicity = fields.Selection(PERIODICITIES, default="monthly", required=True)
    down_payment = fields.Monetary(
        help="A first amount (entrada) due on the first due date; the rest is split over "
        "the other instalments."
    )
    monthly_rate = fields.Float(
        string="Financing Interest (% a Month)",
        digits=(16, 2),
        default=lambda self: self.env.company.cobranca_agreement_monthly_rate,
        help="Interest of the instalment plan (Price table); 0: the instalments add "
        "nothing to the updated amount.",
    )

    # ------------------------------------------------------------------
    # What is typed in: numbers the figures can be computed with
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_typed_numbers(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_typed_numbers(vals)
        return super().write(vals)

    @api.model
    def _check_typed_numbers(self, vals):
        """Refuse, before they reach the database, numbers no agreement can have:
        not a number, infinite, an amount of a trillion or more, a count that no
        integer column holds (the figures check the rest, with their reasons)."""
        for name in ("discount_amount", "down_payment", "monthly_rate"):
            value = vals.get(name)
            if value and not entrada.is_amount(value, allow_negative=True):
                raise UserError(
                    self.env._(
                        "%(field)s: %(value)s is not a possible value.",
                        field=self._fields[name]._description_string(self.env),
                        value=value,
                    )
                )
        count = vals.get("instalment_count")
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or not -(2**31) < count < 2**31
        ):
            raise UserError(
                self.env._("%(count)s is not a possible number of instalments.", count=count)
            )

    # ------------------------------------------------------------------
    # The figures
    # ------------------------------------------------------------------

    def _terms_lines(self):
        """The receivable items the terms are about (an ``account.move.line`` set)."""
        raise NotImplementedError

    def _check_lines(self, lines):
        """Refuse items an agreement cannot take, with the reason."""
        self.ensure_one()
        if not lines:
            raise UserError(self.env._("Select the overdue items of the agreement."))
        partners = lines.partner_id.commercial_partner_id
        if len(partners) > 1 or (self.partner_id and partners != self.partner_id):
            raise UserError(self.env._("An agreement is about the items of one customer."))
        if lines.company_id != self.company_id:
            raise UserError(self.env._("An agreement is about the items of one company."))
        wrong = lines.filtered(
            lambda line: (
                line.account_id.account_type != "asset_receivable"
                or line.parent_state != "posted"
                or line.reconciled
                or line.currency_id.compare_amounts(line.amount_residual_currency, 0) <= 0
            )
        )
        if wrong:
            raise UserError(
                self.env._(
                    "These items are not open receivables: %(items)s.",
                    items=", ".join(wrong.mapped("move_id.name")),
                )
            )
        foreign = lines.filtered(lambda line: line.currency_id != self.currency_id)
        if foreign:
            raise UserError(
                self.env._(
                    "Agreements are in %(currency)s; these items are in another currency: "
                    "%(items)s.",
                    currency=self.currency_id.name,
                    items=", ".join(foreign.mapped("move_id.name")),
                )
            )

    def _compute_terms(self, lines=None):
        """Every figure of the terms, for the preview and the agreement.

        :return: dict with ``items`` (per item: ``line``, ``charges``: an
            :class:`encargos.Charges`, ``discount``), ``charges`` (their sum),
            ``discount``, ``financed`` and ``plan`` (an :class:`encargos.Plan`)
        """
        self.ensure_one()
        lines = self._terms_lines() if lines is None else lines
        self._check_lines(lines)
        currency = self.currency_id
        step = Decimal(str(currency.rounding))
        lines = lines.sorted(lambda line: (line.date_maturity or self.date, line.id))
        by_line = lines._cobranca_charges(self.date)
        item_charges = [by_line[line] for line in lines]
        total = encargos.sum_charges(item_charges)
        discount = to_decimal(self.discount_amount, currency)
        if discount < 0 or discount >= total.total:
            raise UserError(self.env._("The discount must be less than the updated amount."))
        shares = encargos.allocate(discount, [c.total for c in item_charges], step)
        financed = total.total - discount
        count = self.instalment_count
        if count < 1 or count > max(self.company_id.cobranca_agreement_max_instalments, 1):
            raise UserError(
                self.env._(
                    "An agreement has from 1 to %(max)s instalments (Settings).",
                    max=self.company_id.cobranca_agreement_max_instalments,
                )
            )
        if self.first_due < self.date:
            raise UserError(self.env._("The first instalment cannot be due before the agreement."))
        for day in (self.date, self.first_due):
            if not LAST_YEAR >= day.year >= FIRST_YEAR:
                raise UserError(
                    self.env._(
                        "%(date)s is not a possible date of an agreement.",
                        date=fields.Date.to_string(day),
                    )
                )
        if (self.first_due - self.date).days > MAX_FIRST_DUE_DAYS:
            raise UserError(
                self.env._(
                    "The first instalment is due at most %(days)s days after the agreement.",
                    days=MAX_FIRST_DUE_DAYS,
                )
            )
        if not entrada.is_rate(self.monthly_rate or 0.0):
            raise UserError(
                self.env._(
                    "The interest of the instalments is at least 0 and less than %(max)s "
                    "percent a month.",
                    max=entrada.MAX_MONTHLY_RATE,
                )
            )
        down = to_decimal(self.down_payment, currency)
        try:
            plan = encargos.plan_instalments(
                financed,
                count,
                self.first_due,
                self.date,
                rounding=step,
                monthly_rate=Decimal(str(self.monthly_rate or 0.0)) / 100,
                down_payment=down,
                **PERIODS[self.periodicity],
            )
        except (ValueError, ArithmeticError) as error:
            # ArithmeticError: due dates beyond the calendar (OverflowError), a
            # Decimal operation refused (InvalidOperation)
            raise UserError(
                self.env._("These instalments are not possible: %(error)s", error=error)
            ) from error
        return {
            "items": [
                {"line": line, "charges": charges, "discount": share}
                for line, charges, share in zip(lines, item_charges, shares, strict=True)
            ],
            "charges": total,
            "discount": discount,
            "financed": financed,
            "plan": plan,
        }

    def _document_values_from_terms(self, terms):
        """What the preview, the document and the portal show, from computed terms."""
        self.ensure_one()
        charges, plan = terms["charges"], terms["plan"]
        return {
            "items": [
                {
                    "line": item["line"],
                    "name": item["line"].move_id._cobranca_document_name(),
                    "instalment": item["line"]._cobranca_instalment_label(),
                    "date_maturity": item["line"].date_maturity,
                    "days_late": item["charges"].days_late,
                    "principal": float(item["charges"].principal),
                    "correction": float(item["charges"].correction),
                    "fine": float(item["charges"].fine),
                    "interest": float(item["charges"].interest),
                    "updated": float(item["charges"].total),
                    "discount": float(item["discount"]),
                    "total": float(item["charges"].total - item["discount"]),
                }
                for item in terms["items"]
            ],
            "instalments": [
                {
                    "number": instalment.number,
                    "date_maturity": instalment.due,
                    "amount": float(instalment.amount),
                    "principal": float(instalment.principal),
                    "interest": float(instalment.interest),
                }
                for instalment in plan.instalments
            ],
            "principal": float(charges.principal),
            "correction": float(charges.correction),
            "fine": float(charges.fine),
            "interest": float(charges.interest),
            "charges": float(charges.charges),
            "updated": float(charges.total),
            "discount": float(terms["discount"]),
            "financed": float(terms["financed"]),
            "financing_interest": float(plan.total_interest),
            "total": float(plan.total),
            "count": plan.count,
            "periodicity": self._periodicity_label(self.periodicity),
            "monthly_rate": self.monthly_rate or 0.0,
            "effective_annual_rate": float(plan.effective_annual_rate * 100),
            "first_due": plan.instalments[0].due,
            "last_due": plan.instalments[-1].due,
            "down_payment": float(plan.down_payment),
        }

    def _discount_limit(self, updated_total, user=None):
        """The largest discount ``user`` may grant on ``updated_total`` (Settings:
        a percentage per group)."""
        self.ensure_one()
        user = user or self.env.user
        company = self.company_id
        percent = (
            company.cobranca_discount_limit_manager
            if user.has_group("cobranca_addon.group_cobranca_manager")
            else company.cobranca_discount_limit_user
        )
        return self.currency_id.round(updated_total * percent / 100)

    def _check_discount(self, terms, user=None):
        self.ensure_one()
        updated = float(terms["charges"].total)
        limit = self._discount_limit(updated, user=user)
        if self.currency_id.compare_amounts(float(terms["discount"]), limit) > 0:
            raise UserError(
                self.env._(
                    "The discount exceeds what you may grant: at most %(limit)s on this "
                    "agreement (Settings > Cobrança).",
                    limit=format_amount(self.env, limit, self.currency_id),
                )
            )

    @api.model
    def _periodicity_label(self, periodicity):
        return dict(self._fields["periodicity"]._description_selection(self.env))[periodicity]
