from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_amount, format_date

from ..tools import calendario, encargos, indicadores


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

    cobranca_promise_grace_days = fields.Integer(
        string="Grace Days after a Promise",
        default=2,
        help="A promise to pay pauses the régua for its items until the promised date plus "
        "these days; if the promised amount was not paid by then, the promise is broken "
        "and the régua resumes.",
    )

    # Charges on overdue items (CDC art. 52 §1, CC arts. 389 and 406): settings, never
    # constants; the late fee of a consumer is capped at 2% whatever is set here.
    cobranca_fine_percent = fields.Float(
        string="Late Fee (%)",
        default=2.0,
        digits=(16, 2),
        help="Multa de mora, once, on the open amount. For consumers (people, CPF) it never "
        "exceeds 2% (CDC art. 52 §1), unless the customer is marked as a business relation.",
    )
    cobranca_interest_percent = fields.Float(
        string="Default Interest (%)",
        default=1.0,
        digits=(16, 4),
        help="Juros de mora per period of the basis, pro rata die.",
    )
    cobranca_interest_basis = fields.Selection(
        [("day", "a day"), ("month", "a month (30 days)"), ("year", "a year (365 days)")],
        string="Interest Basis",
        default="month",
        required=True,
    )
    cobranca_interest_compound = fields.Boolean(
        string="Compound Interest", help="Off (the default): simple interest."
    )
    cobranca_interest_index_id = fields.Many2one(
        "cobranca.index",
        string="Interest by Index",
        help="Take the monthly interest rate from an index table (e.g. the legal rate "
        "Selic − IPCA of Lei 14.905/2024) instead of the fixed rate.",
    )
    cobranca_correction_index_id = fields.Many2one(
        "cobranca.index",
        string="Monetary Correction Index",
        help="Correct the open amount by a monthly index (e.g. IPCA); empty: no correction.",
    )
    cobranca_charges_grace_days = fields.Integer(
        string="Days Without Charges",
        default=0,
        help="An item paid within these days after its due date bears no charge.",
    )
    # AR-tracked e-mails
    cobranca_ar_ack_days = fields.Integer(
        string="Days to Acknowledge",
        default=5,
        help="An AR-tracked e-mail not acknowledged within these days after the server "
        "accepted it moves the customer to the level's next channel (letter, phone task).",
    )
    cobranca_evidence_retention_days = fields.Integer(
        string="Keep IP Addresses (Days)",
        default=365,
        help="LGPD: after these days the IP addresses and browsers recorded with the "
        "evidence of AR-tracked e-mails are erased; hashes and times remain.",
    )
    cobranca_lgpd_retention_years = fields.Integer(
        string="Keep Customer Data (Years)",
        default=5,
        help="LGPD: the personal data Cobrança holds about a customer (message texts, "
        "recipients, notes, IP addresses, the e-mails of the evidence) are anonymised when "
        "all their receivables are settled and the last settlement is older than these "
        "years: 5 is the prescription of the collection of debts (Código Civil art. 206 "
        "§5 I) and the limit of negative records (CDC art. 43 §1). 0: by hand only.",
    )
    # Agreements (acordos)
    cobranca_agreement_journal_id = fields.Many2one(
        "account.journal",
        string="Agreement Journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
        help="Where agreements are booked; empty: the company's first miscellaneous journal.",
    )
    cobranca_charges_account_id = fields.Many2one(
        "account.account",
        string="Charges Account",
        check_company=True,
        help="Income account of the late fees, interest and correction of agreements; "
        "empty: the income account of the sales journal.",
    )
    cobranca_discount_account_id = fields.Many2one(
        "account.account",
        string="Discount Account",
        check_company=True,
        help="Expense account of the discounts granted in agreements; empty: the company's "
        "cash discount loss account.",
    )
    cobranca_discount_limit_user = fields.Float(
        string="Discount Limit of Collectors (%)",
        default=5.0,
        help="The largest discount a Cobrança user may grant, in % of the updated amount.",
    )
    cobranca_discount_limit_manager = fields.Float(
        string="Discount Limit of Managers (%)",
        default=30.0,
        help="The largest discount a Cobrança manager may grant, in % of the updated amount.",
    )
    cobranca_agreement_max_instalments = fields.Integer(string="Most Instalments", default=12)
    cobranca_agreement_monthly_rate = fields.Float(
        string="Instalment Interest (% a Month)",
        default=0.0,
        digits=(16, 2),
        help="Default interest of an instalment plan (Price table); 0: none.",
    )
    cobranca_agreement_offer_days = fields.Integer(
        string="Offer Validity (Days)",
        default=5,
        help="An offered agreement not accepted within these days expires.",
    )
    cobranca_agreement_tolerance_days = fields.Integer(
        string="Days Before an Agreement Breaks",
        default=15,
        help="An instalment overdue for longer than this breaks the agreement.",
    )
    cobranca_effectiveness_days = fields.Integer(
        string="Effectiveness Window (Days)",
        default=15,
        help="A level of the régua is effective on an item paid within these days after it.",
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
        "cobranca_promise_grace_days",
        "cobranca_fine_percent",
        "cobranca_interest_percent",
        "cobranca_charges_grace_days",
        "cobranca_discount_limit_user",
        "cobranca_discount_limit_manager",
        "cobranca_agreement_max_instalments",
        "cobranca_agreement_monthly_rate",
        "cobranca_agreement_offer_days",
        "cobranca_agreement_tolerance_days",
        "cobranca_ar_ack_days",
        "cobranca_evidence_retention_days",
        "cobranca_lgpd_retention_years",
        "cobranca_effectiveness_days",
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
                    company.cobranca_promise_grace_days,
                    company.cobranca_fine_percent,
                    company.cobranca_interest_percent,
                    company.cobranca_charges_grace_days,
                    company.cobranca_agreement_monthly_rate,
                    company.cobranca_agreement_offer_days,
                    company.cobranca_agreement_tolerance_days,
                    company.cobranca_ar_ack_days,
                    company.cobranca_evidence_retention_days,
                    company.cobranca_lgpd_retention_years,
                    company.cobranca_effectiveness_days,
                )
                < 0
            ):
                raise ValidationError(self.env._("Collection limits cannot be negative."))
            if not (
                0 <= company.cobranca_discount_limit_user <= 100
                and 0 <= company.cobranca_discount_limit_manager <= 100
            ):
                raise ValidationError(self.env._("A discount limit is between 0% and 100%."))
            if company.cobranca_agreement_max_instalments < 1:
                raise ValidationError(self.env._("An agreement has at least one instalment."))

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # every company starts with the default aging buckets
        self.env["cobranca.aging.bucket"]._create_default_buckets(companies)
        return companies

    # ------------------------------------------------------------------
    # Late charges
    # ------------------------------------------------------------------

    def _cobranca_charge_rules(self, partner, date_from, date_to):
        """The late charge rules of the company for ``partner`` (a consumer's late
        fee is capped at 2%), with the monthly index tables from ``date_from`` to
        ``date_to`` (the late periods to charge).

        :raise UserError: when the settings or an index table cannot be applied
        """
        self.ensure_one()
        partner = partner.commercial_partner_id
        consumer = not partner.is_company and not partner.sudo().cobranca_business_relation
        tables = {}
        for key, index in (
            ("correction_index", self.cobranca_correction_index_id),
            ("interest_index", self.cobranca_interest_index_id),
        ):
            if index and date_from < date_to:
                tables[key] = index._monthly_table(date_from, date_to)
        try:
            return encargos.ChargeRules(
                fine_percent=Decimal(str(self.cobranca_fine_percent)),
                consumer=consumer,
                interest_percent=Decimal(str(self.cobranca_interest_percent)),
                interest_basis=self.cobranca_interest_basis,
                compound=self.cobranca_interest_compound,
                grace_days=self.cobranca_charges_grace_days,
                **tables,
            )
        except ValueError as error:
            raise UserError(
                self.env._("The charge settings are not valid: %(error)s", error=error)
            ) from error

    # ------------------------------------------------------------------
    # Creditor identification (CDC art. 42-A)
    # ------------------------------------------------------------------

    def _cobranca_creditor(self):
        """The creditor identification every collection document shows (CDC art.
        42-A): name, address, CNPJ, and how to reach the company."""
        self.ensure_one()
        partner = self.partner_id
        address = ", ".join(
            part
            for part in (
                partner.street,
                partner.street2,
                partner.city,
                partner.state_id.code,
                partner.zip,
            )
            if part
        )
        return {
            "name": self.name,
            "address": address,
            "vat": self.vat or partner.vat or "",
            "phone": self.phone or "",
            "email": self.email or "",
        }

    # ------------------------------------------------------------------
    # Agreements: where they are booked
    # ------------------------------------------------------------------

    def _cobranca_agreement_journal(self):
        self.ensure_one()
        journal = self.cobranca_agreement_journal_id or self.env["account.journal"].search(
            [("company_id", "=", self.id), ("type", "=", "general")], limit=1
        )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no miscellaneous journal for agreements: set one in "
                    "Settings > Cobrança.",
                    company=self.name,
                )
            )
        return journal

    def _cobranca_charges_account(self):
        self.ensure_one()
        account = self.cobranca_charges_account_id
        if not account:
            sale = self.env["account.journal"].search(
                [("company_id", "=", self.id), ("type", "=", "sale")], limit=1
            )
            account = sale.default_account_id
        if not account:
            raise UserError(
                self.env._(
                    "Set the account of late charges in Settings > Cobrança (e.g. "
                    "'Juros e multas recebidos')."
                )
            )
        return account

    def _cobranca_discount_account(self):
        self.ensure_one()
        account = (
            self.cobranca_discount_account_id
            or self.account_journal_early_pay_discount_loss_account_id
        )
        if not account:
            raise UserError(
                self.env._(
                    "Set the account of the discounts granted in agreements in Settings > "
                    "Cobrança (e.g. 'Descontos concedidos')."
                )
            )
        return account

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

    # ------------------------------------------------------------------
    # Indicators: one summary read from the reports themselves (_read_group on
    # the aging and the indicator reports), so that the dashboard, the tests and
    # the benchmark show the figures the reports show
    # ------------------------------------------------------------------

    def _cobranca_indicators(self, date_from=None, date_to=None):
        """The indicators of the companies ``self`` (default: the user's), per company.

        *Now* (as of today, from the aging report): ``receivable``, ``overdue`` and
        ``overdue_rate`` (%). *Over the period* (default: the 12 months up to today;
        months of ``date_from`` to ``date_to`` for the month figures, days for the
        others): ``receivable_avg``, ``overdue_avg``, ``overdue_rate_avg`` (average
        month ends), ``sales``, ``dso``; ``recovery`` (items entering collection in the
        period), ``levels`` (per level, reminders of the period whose window is over),
        ``promises`` and ``agreements`` (made in the period), ``collectors`` (per
        collector: overdue now, recovery and promises of the period).

        :return: ``{company: {...}}``
        """
        today = fields.Date.today()
        default_from, default_to = indicadores.default_period(today)
        date_from = date_from or default_from
        date_to = date_to or default_to
        companies = self or self.env.companies
        company_domain = [("company_id", "in", companies.ids)]
        period = [("date", ">=", date_from), ("date", "<=", date_to)]
        result = {company: self._cobranca_empty_indicators() for company in companies}
        collectors = defaultdict(lambda: defaultdict(dict))

        Aging = self.env["cobranca.aging.report"]
        receivables = company_domain + [("amount_residual", ">", 0)]
        for company, amount in Aging._read_group(
            receivables, ["company_id"], ["amount_residual:sum"]
        ):
            result[company]["receivable"] = amount
        for company, collector, amount in Aging._read_group(
            receivables + [("days_late", ">", 0)],
            ["company_id", "collector_id"],
            ["amount_residual:sum"],
        ):
            result[company]["overdue"] += amount
            collectors[company][collector]["overdue"] = amount
        for figures in result.values():
            figures["overdue_rate"] = indicadores.overdue_rate(
                figures["overdue"], figures["receivable"]
            )

        Month = self.env["cobranca.indicator.month"]
        for company, receivable, overdue, sales, rate, dso in Month._read_group(
            company_domain
            + [
                ("month", ">=", indicadores.month_start(date_from)),
                ("month", "<=", date_to),
            ],
            ["company_id"],
            [
                "receivable_amount:sum",
                "overdue_amount:sum",
                "sales_amount:sum",
                "overdue_rate:sum",
                "dso:sum",
            ],
        ):
            result[company].update(
                receivable_avg=receivable,
                overdue_avg=overdue,
                sales=sales,
                overdue_rate_avg=rate,
                dso=dso,
            )

        Recovery = self.env["cobranca.recovery.report"]
        measures = ["item_count:sum", "amount_dunned:sum", "amount_recovered:sum"]
        for company, collector, items, dunned, recovered in Recovery._read_group(
            company_domain + period, ["company_id", "collector_id"], measures
        ):
            recovery = result[company]["recovery"]
            recovery["items"] += items
            recovery["amount_dunned"] += dunned
            recovery["amount_recovered"] += recovered
            collectors[company][collector].update(
                items=items,
                amount_dunned=dunned,
                amount_recovered=recovered,
                recovery_rate=indicadores.ratio(recovered, dunned),
            )
        for figures in result.values():
            recovery = figures["recovery"]
            recovery["rate"] = indicadores.ratio(
                recovery["amount_recovered"], recovery["amount_dunned"]
            )

        Effectiveness = self.env["cobranca.level.effectiveness"]
        for company, level, items, paid, dunned, amount_paid in Effectiveness._read_group(
            company_domain + period + [("window_closed", "=", True)],
            ["company_id", "level_id"],
            ["item_count:sum", "paid_count:sum", "amount_dunned:sum", "amount_paid:sum"],
            order="company_id, level_id",
        ):
            result[company]["levels"].append(
                {
                    "level": level,
                    "items": items,
                    "paid": paid,
                    "paid_rate": indicadores.ratio(paid, items),
                    "amount_dunned": dunned,
                    "amount_paid": amount_paid,
                    "amount_rate": indicadores.ratio(amount_paid, dunned),
                }
            )

        Commitment = self.env["cobranca.commitment.report"]
        measures = [
            "made_count:sum",
            "kept_count:sum",
            "broken_count:sum",
            "open_count:sum",
            "amount:sum",
            "amount_paid:sum",
        ]
        for company, kind, collector, *counts in Commitment._read_group(
            company_domain + period, ["company_id", "kind", "collector_id"], measures
        ):
            made, kept, broken, still_open, amount, paid = counts
            commitments = result[company][f"{kind}s"]
            for key, value in zip(
                ("made", "kept", "broken", "open", "amount", "amount_paid"),
                counts,
                strict=True,
            ):
                commitments[key] += value
            if kind == "promise":
                collectors[company][collector].update(
                    promises=made, promises_kept=kept, promises_broken=broken
                )
            else:
                collectors[company][collector].update(
                    agreements=made, agreements_kept=kept, agreements_broken=broken
                )
        for figures in result.values():
            for key in ("promises", "agreements"):
                commitments = figures[key]
                commitments["kept_rate"] = indicadores.ratio(
                    commitments["kept"], commitments["kept"] + commitments["broken"]
                )
        for company, by_collector in collectors.items():
            result[company]["collectors"] = dict(by_collector)
        for figures in result.values():
            figures["date_from"], figures["date_to"] = date_from, date_to
        return result

    @api.model
    def _cobranca_empty_indicators(self):
        commitments = {"made": 0, "kept": 0, "broken": 0, "open": 0, "amount": 0.0,
                       "amount_paid": 0.0, "kept_rate": None}  # fmt: skip
        return {
            "receivable": 0.0,
            "overdue": 0.0,
            "overdue_rate": None,
            "receivable_avg": 0.0,
            "overdue_avg": 0.0,
            "overdue_rate_avg": None,
            "sales": 0.0,
            "dso": None,
            "recovery": {"items": 0, "amount_dunned": 0.0, "amount_recovered": 0.0, "rate": None},
            "levels": [],
            "promises": dict(commitments),
            "agreements": dict(commitments),
            "collectors": {},
        }

    @api.model
    def cobranca_dashboard_data(self, months=12):
        """The dashboard's figures (``cobranca_dashboard`` client action): the
        indicators of the user's companies over the last ``months`` months, with the
        amounts formatted in each company's currency."""
        if not self.env.user.has_group("cobranca_addon.group_cobranca_user"):
            raise AccessError(self.env._("The collection indicators are for Cobrança users."))
        months = max(1, min(int(months or 12), 36))
        today = fields.Date.today()
        date_from, date_to = indicadores.default_period(today, months)
        indicators = self.env.companies._cobranca_indicators(date_from, date_to)
        return {
            "date_from": format_date(self.env, date_from),
            "date_to": format_date(self.env, date_to),
            "months": months,
            "companies": [
                self._cobranca_dashboard_section(company, figures)
                for company, figures in sorted(
                    indicators.items(), key=lambda item: (item[0].sequence, item[0].name)
                )
            ],
        }

    @api.model
    def _cobranca_dashboard_section(self, company, figures):
        currency = company.currency_id

        def money(amount):
            return format_amount(self.env, amount or 0.0, currency)

        def percent(value):
            return "–" if value is None else f"{value:.1f} %"

        def days(value):
            return "–" if value is None else self.env._("%(days)s days", days=round(value))

        recovery = figures["recovery"]
        promises, agreements = figures["promises"], figures["agreements"]
        collectors = []
        for collector, values in figures["collectors"].items():
            collectors.append(
                {
                    "id": collector.id or False,
                    "name": collector.name or self.env._("No collector"),
                    "overdue": money(values.get("overdue")),
                    "amount_dunned": money(values.get("amount_dunned")),
                    "amount_recovered": money(values.get("amount_recovered")),
                    "recovery_rate": percent(values.get("recovery_rate")),
                    "promises": values.get("promises", 0),
                    "promises_kept": values.get("promises_kept", 0),
                    "agreements": values.get("agreements", 0),
                    "agreements_kept": values.get("agreements_kept", 0),
                }
            )
        collectors.sort(key=lambda row: row["name"].lower())
        return {
            "id": company.id,
            "name": company.name,
            "currency": currency.name,
            "kpis": {
                "receivable": money(figures["receivable"]),
                "overdue": money(figures["overdue"]),
                "overdue_rate": percent(figures["overdue_rate"]),
                "overdue_rate_avg": percent(figures["overdue_rate_avg"]),
                "sales": money(figures["sales"]),
                "dso": days(figures["dso"]),
                "recovery_rate": percent(recovery["rate"]),
                "amount_recovered": money(recovery["amount_recovered"]),
                "amount_dunned": money(recovery["amount_dunned"]),
                "promises_kept_rate": percent(promises["kept_rate"]),
                "promises": promises["made"],
                "promises_kept": promises["kept"],
                "promises_broken": promises["broken"],
                "agreements_kept_rate": percent(agreements["kept_rate"]),
                "agreements": agreements["made"],
                "agreements_kept": agreements["kept"],
                "agreements_broken": agreements["broken"],
                "agreements_amount": money(agreements["amount"]),
            },
            "levels": [
                {
                    "id": row["level"].id,
                    "name": row["level"].display_name,
                    "items": row["items"],
                    "paid": row["paid"],
                    "paid_rate": percent(row["paid_rate"]),
                    "amount_dunned": money(row["amount_dunned"]),
                    "amount_paid": money(row["amount_paid"]),
                    "amount_rate": percent(row["amount_rate"]),
                }
                for row in figures["levels"]
            ],
            "collectors": collectors,
            "window_days": company.cobranca_effectiveness_days,
        }
