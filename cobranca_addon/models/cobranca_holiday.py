from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import calendario


class CobrancaHoliday(models.Model):
    """A day on which no reminder goes out and which is not a business day."""

    _name = "cobranca.holiday"
    _description = "Holiday (Cobrança)"
    _order = "date, id"

    name = fields.Char(required=True, translate=True)
    date = fields.Date(required=True, index=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Empty for a national holiday (all companies); a company for a state or "
        "municipal holiday of its own.",
    )
    is_national = fields.Boolean(readonly=True, help="Generated from the national calendar.")

    @api.constrains("date", "company_id")
    def _check_unique(self):
        for holiday in self:
            if self.search_count(
                [
                    ("id", "!=", holiday.id),
                    ("date", "=", holiday.date),
                    ("company_id", "=", holiday.company_id.id),
                ]
            ):
                raise ValidationError(
                    self.env._("%(date)s is already a holiday.", date=holiday.date)
                )

    @api.model
    def _generate_national(self, years=None):
        """Create the national holidays of the given years (default: this year and the
        next five), skipping those that exist. Called at install and every year."""
        this_year = fields.Date.context_today(self).year
        years = years or range(this_year, this_year + 6)
        existing = set(
            self.search(
                [("company_id", "=", False), ("date", ">=", date(min(years), 1, 1))]
            ).mapped("date")
        )
        values_list = [
            {"name": name, "date": day, "is_national": True}
            for year in years
            for day, name in calendario.national_holidays(year).items()
            if day not in existing
        ]
        return self.create(values_list)

    @api.model
    def _closed_dates(self, company, date_from, date_to):
        """The holidays of ``company`` (national and its own) between two dates."""
        return set(
            self.sudo()
            .search(
                [
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                    ("company_id", "in", [False, company.id]),
                ]
            )
            .mapped("date")
        )
