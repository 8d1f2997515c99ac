from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import calendario


class ResCompany(models.Model):
    _inherit = "res.company"

    cobranca_policy_id = fields.Many2one(
        "cobranca.policy",
        string="Default Collection Policy",
        check_company=True,
        default=lambda self: self.env.ref(
            "cobranca_addon.cobranca_policy_default", raise_if_not_found=False
        ),
        help="The régua applied to customers who have no policy of their own.",
    )
    cobranca_credit_policy_id = fields.Many2one(
        "cobranca.credit.policy",
        string="Default Credit Policy",
        check_company=True,
        help="The credit policy of customers whose segment has none.",
    )
    cobranca_credit_hold_enabled = fields.Boolean(
        string="Credit Holds",
        default=True,
        help="Credit policies that block sales or invoice posting are applied. Off: "
        "their customers are only warned about.",
    )
    # Send window: conservative defaults inspired by São Paulo's Lei 15.426/2014.
    cobranca_tz = fields.Selection(
        "_tz_get",
        string="Collection Timezone",
        default="America/Sao_Paulo",
        help="Timezone of the send window and of the run date.",
    )
    cobranca_weekday_start = fields.Float(string="Weekdays From", default=8.0)
    cobranca_weekday_end = fields.Float(string="Weekdays Until", default=20.0)
    cobranca_saturday = fields.Boolean(string="Send on Saturdays", default=True)
    cobranca_saturday_start = fields.Float(string="Saturdays From", default=8.0)
    cobranca_saturday_end = fields.Float(string="Saturdays Until", default=14.0)
    cobranca_sunday = fields.Boolean(string="Send on Sundays", default=False)
    cobranca_sunday_start = fields.Float(string="Sundays From", default=9.0)
    cobranca_sunday_end = fields.Float(string="Sundays Until", default=13.0)
    cobranca_weekly_cap = fields.Integer(
        string="Messages per Customer per Week",
        default=3,
        help="Maximum number of messages (all channels) a customer receives in seven days; the "
        "régua waits rather than exceed it. 0: no limit.",
    )
    cobranca_notice_days = fields.Integer(
        string="Days Between Notice and Negativação",
        default=10,
        help="A negativação is requested only when a written prior notice (a level "
        "marked as notice) was delivered at least this many days before (CDC art. 43 "
        "§2).",
    )
    cobranca_withdrawal_days = fields.Integer(
        string="Business Days to Withdraw",
        default=5,
        help="Once an escalated item is paid, business days to ask the credit bureau to "
        "remove a negativação (STJ Súmula 548: 5) or to give the debtor the carta de "
        "anuência that cancels a protesto.",
    )

    @api.model
    def _tz_get(self):
        return [(tz, tz) for tz in sorted(pytz.all_timezones, key=lambda tz: tz.lower())]

    @api.constrains(
        "cobranca_weekday_start",
        "cobranca_weekday_end",
        "cobranca_saturday_start",
        "cobranca_saturday_end",
        "cobranca_sunday_start",
        "cobranca_sunday_end",
        "cobranca_weekly_cap",
        "cobranca_notice_days",
        "cobranca_withdrawal_days",
    )
    def _check_cobranca_settings(self):
        for company in self:
            for start, end in (
                (company.cobranca_weekday_start, company.cobranca_weekday_end),
                (company.cobranca_saturday_start, company.cobranca_saturday_end),
                (company.cobranca_sunday_start, company.cobranca_sunday_end),
            ):
                if not 0 <= start < end <= 24:
                    raise ValidationError(
                        self.env._(
                            "Each send window must start before it ends, between 0h and 24h."
                        )
                    )
            if (
                min(
                    company.cobranca_weekly_cap,
                    company.cobranca_notice_days,
                    company.cobranca_withdrawal_days,
                )
                < 0
            ):
                raise ValidationError(self.env._("Collection limits cannot be negative."))

    @api.model
    def _cobranca_set_default_policy(self):
        """Give the standard régua to companies that have no policy yet."""
        policy = self.env.ref("cobranca_addon.cobranca_policy_default", raise_if_not_found=False)
        if policy:
            self.search([("cobranca_policy_id", "=", False)]).write(
                {"cobranca_policy_id": policy.id}
            )

    # ------------------------------------------------------------------
    # Calendar: send window, holidays, business days
    # ------------------------------------------------------------------

    def _cobranca_timezone(self):
        self.ensure_one()
        return pytz.timezone(self.cobranca_tz or self.partner_id.tz or "America/Sao_Paulo")

    def _cobranca_send_window(self):
        self.ensure_one()
        return calendario.SendWindow.from_settings(
            (self.cobranca_weekday_start, self.cobranca_weekday_end),
            saturday=(self.cobranca_saturday_start, self.cobranca_saturday_end)
            if self.cobranca_saturday
            else None,
            sunday=(self.cobranca_sunday_start, self.cobranca_sunday_end)
            if self.cobranca_sunday
            else None,
        )

    def _cobranca_holidays(self, date_from, date_to):
        self.ensure_one()
        return self.env["cobranca.holiday"]._closed_dates(self, date_from, date_to)

    def _cobranca_next_send_moment(self, moment=None):
        """The first moment (naive UTC, as Odoo stores datetimes) at or after
        ``moment`` (default: now) at which the company may send a reminder."""
        self.ensure_one()
        moment = moment or fields.Datetime.now()
        tz = self._cobranca_timezone()
        local = pytz.utc.localize(moment).astimezone(tz).replace(tzinfo=None)
        holidays = self._cobranca_holidays(local.date(), local.date() + timedelta(days=40))
        opening = calendario.next_open(local, self._cobranca_send_window(), holidays)
        if opening == local:
            return moment
        return tz.localize(opening).astimezone(pytz.utc).replace(tzinfo=None)

    def _cobranca_add_business_days(self, day, count):
        self.ensure_one()
        holidays = self._cobranca_holidays(day, day + timedelta(days=count * 3 + 15))
        return calendario.add_business_days(day, count, holidays)

    def _cobranca_local_now(self):
        self.ensure_one()
        return (
            pytz.utc.localize(fields.Datetime.now())
            .astimezone(self._cobranca_timezone())
            .replace(tzinfo=None)
        )
