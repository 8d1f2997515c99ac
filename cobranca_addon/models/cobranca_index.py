from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class CobrancaIndex(models.Model):
    """A monthly index: a correction index (IPCA, IGP-M) or an interest rate
    (the legal rate Selic − IPCA of Lei 14.905/2024), one value per month."""

    _name = "cobranca.index"
    _description = "Monetary Index"
    _order = "name, id"

    name = fields.Char(required=True)
    code = fields.Char(help="Short name shown in documents, e.g. IPCA.")
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    value_ids = fields.One2many("cobranca.index.value", "index_id", string="Monthly Values")
    last_month = fields.Date(compute="_compute_last_month", string="Last Month Known")

    @api.depends("value_ids.month")
    def _compute_last_month(self):
        for index in self:
            index.last_month = max(index.value_ids.mapped("month"), default=False)

    def _monthly_table(self, date_from, date_to):
        """``{(year, month): Decimal percent}`` between two dates (both months
        included), as the pure calculator reads it; a missing month is an error
        that says which index to complete."""
        self.ensure_one()
        start = date_from.replace(day=1)
        values = self.value_ids.filtered(lambda v: start <= v.month <= date_to)
        table = {(v.month.year, v.month.month): Decimal(str(v.rate)) for v in values}
        month = start
        while month <= date_to:
            if (month.year, month.month) not in table:
                label = f"{month.month:02d}/{month.year}"
                raise UserError(
                    self.env._(
                        "The index %(index)s has no value for %(month)s: enter it in "
                        "Cobrança > Configuration > Indexes.",
                        index=self.name,
                        month=label,
                    )
                )
            month += relativedelta(months=1)
        return table


class CobrancaIndexValue(models.Model):
    _name = "cobranca.index.value"
    _description = "Monetary Index: Monthly Value"
    _order = "index_id, month desc"

    index_id = fields.Many2one("cobranca.index", required=True, ondelete="cascade", index=True)
    month = fields.Date(required=True, help="Any day of the month; stored as its first day.")
    rate = fields.Float(string="Rate (%)", digits=(16, 6), required=True)

    _sql_constraints = [
        ("index_month_unique", "UNIQUE(index_id, month)", "One value per index and month."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("month"):
            vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return super().write(vals)

    @api.constrains("rate")
    def _check_rate(self):
        for value in self:
            if value.rate <= -100:
                raise ValidationError(self.env._("A monthly variation cannot be -100% or less."))
