from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, format_date

from ..tools import aging

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CobrancaAgingReport(models.Model):
    """The aging of receivables: one row per open receivable item, with the bucket
    of its days late and who follows it up.

    A SQL view, always as of today: the days late are counted from the due date to
    the current date of the database (in UTC, as Odoo's server).
    """

    _name = "cobranca.aging.report"
    _inherit = ["cobranca.report.view"]
    _description = "Aging of Receivables (Cobrança)"
    _auto = False
    _order = "date_maturity, id"
    _rec_name = "move_id"
    # what the view reads: flushed before the report is queried
    _depends = {
        "account.move.line": [
            "move_id",
            "account_id",
            "company_id",
            "company_currency_id",
            "currency_id",
            "partner_id",
            "amount_residual",
            "amount_residual_currency",
            "date_maturity",
            "date",
            "parent_state",
            "reconciled",
            "cobranca_level_id",
        ],
        "account.move": [
            "move_type",
            "invoice_user_id",
            "cobranca_agreement_id",
            "cobranca_excluded",
            "cobranca_paused_until",
        ],
        "account.account": ["account_type"],
        "res.partner": ["commercial_partner_id", "cobranca_collector_id", "cobranca_policy_id"],
        "res.company": ["cobranca_policy_id"],
        "cobranca.partner.score": ["partner_id", "company_id", "segment_id", "credit_policy_id"],
        "cobranca.credit.policy": ["regua_id", "active"],
        "cobranca.policy": ["collector_id"],
        "cobranca.aging.bucket": [
            "company_id",
            "sequence",
            "no_min",
            "min_days",
            "no_max",
            "max_days",
        ],
    }

    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    move_id = fields.Many2one("account.move", string="Document", readonly=True)
    move_type = fields.Selection(
        selection=lambda self: self.env["account.move"]._fields["move_type"].selection,
        string="Document Type",
        readonly=True,
    )
    agreement_id = fields.Many2one("cobranca.agreement", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    amount_residual = fields.Monetary(
        string="Open Amount",
        currency_field="company_currency_id",
        readonly=True,
        help="What is left to pay, in the company's currency; credits (credit notes, "
        "payments not applied yet) are negative.",
    )
    amount_residual_currency = fields.Monetary(
        string="Open Amount in Currency",
        currency_field="currency_id",
        readonly=True,
        help="What is left to pay, in the item's own currency.",
    )
    date_maturity = fields.Date(string="Due Date", readonly=True)
    days_late = fields.Integer(
        readonly=True,
        aggregator="max",
        help="Today minus the due date: negative when not due yet.",
    )
    bucket_id = fields.Many2one("cobranca.aging.bucket", readonly=True)
    segment_id = fields.Many2one("cobranca.segment", readonly=True)
    collector_id = fields.Many2one(
        "res.users",
        readonly=True,
        help="The customer's collector in the company, else the collector of their régua.",
    )
    invoice_user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    level_id = fields.Many2one("cobranca.level", string="Collection Level", readonly=True)
    excluded = fields.Boolean(string="Excluded from cobrança", readonly=True)
    paused = fields.Boolean(
        string="Paused by a Promise",
        readonly=True,
        help="An open promise to pay pauses the régua for this invoice.",
    )
    in_agreement = fields.Boolean(
        string="Agreement Instalment",
        readonly=True,
        help="An instalment of an agreement (acordo).",
    )

    def _query(self):
        """One row per open receivable item of a customer: the open instalments of
        posted customer invoices and agreements, and every open credit (credit notes,
        payments not applied yet: a negative amount), in the bucket of their days late.

        The collector is the customer's own in the company, else the collector of
        their régua (their own policy, else their credit policy's, else the company's),
        as the collection run chooses the régua.
        """
        today = SQL("(NOW() AT TIME ZONE 'UTC')::date")
        return SQL(
            """
            SELECT aml.id AS id,
                   aml.id AS move_line_id,
                   aml.move_id AS move_id,
                   move.move_type AS move_type,
                   move.cobranca_agreement_id AS agreement_id,
                   aml.company_id AS company_id,
                   aml.company_currency_id AS company_currency_id,
                   aml.currency_id AS currency_id,
                   commercial.id AS partner_id,
                   aml.amount_residual AS amount_residual,
                   aml.amount_residual_currency AS amount_residual_currency,
                   due.date_maturity AS date_maturity,
                   due.days_late AS days_late,
                   bucket.id AS bucket_id,
                   score.segment_id AS segment_id,
                   COALESCE(
                       (commercial.cobranca_collector_id ->> aml.company_id::text)::int,
                       policy.collector_id
                   ) AS collector_id,
                   move.invoice_user_id AS invoice_user_id,
                   aml.cobranca_level_id AS level_id,
                   COALESCE(move.cobranca_excluded, FALSE) AS excluded,
                   COALESCE(move.cobranca_paused_until >= %(today)s, FALSE) AS paused,
                   move.cobranca_agreement_id IS NOT NULL AS in_agreement
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_partner partner ON partner.id = aml.partner_id
              JOIN res_partner commercial ON commercial.id = partner.commercial_partner_id
              JOIN res_company company ON company.id = aml.company_id
             CROSS JOIN LATERAL (
                   SELECT COALESCE(aml.date_maturity, aml.date) AS date_maturity,
                          %(today)s - COALESCE(aml.date_maturity, aml.date) AS days_late
             ) due
              LEFT JOIN cobranca_partner_score score
                ON score.partner_id = commercial.id AND score.company_id = aml.company_id
              LEFT JOIN cobranca_credit_policy credit
                ON credit.id = score.credit_policy_id AND credit.active
              LEFT JOIN cobranca_policy policy
                ON policy.id = COALESCE(
                       (commercial.cobranca_policy_id ->> aml.company_id::text)::int,
                       credit.regua_id,
                       company.cobranca_policy_id
                   )
              LEFT JOIN LATERAL (
                   SELECT span.id
                     FROM cobranca_aging_bucket span
                    WHERE span.company_id = aml.company_id
                      AND (span.no_min OR due.days_late >= span.min_days)
                      AND (span.no_max OR due.days_late <= span.max_days)
                    ORDER BY span.sequence, span.id
                    LIMIT 1
             ) bucket ON TRUE
             WHERE aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND aml.reconciled IS NOT TRUE
               AND (aml.amount_residual_currency < 0
                    OR (aml.amount_residual_currency > 0
                        AND (move.move_type = 'out_invoice'
                             OR move.cobranca_agreement_id IS NOT NULL)))
            """,
            today=today,
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_document(self):
        """The item's agreement when it is an agreement's instalment, else its document."""
        self.ensure_one()
        if self.agreement_id:
            return self.agreement_id._get_records_action()
        return self.move_id._get_records_action()

    def action_export_xlsx(self):
        """Download the aging matrix of the selected rows (none: of the current filter)."""
        today = fields.Date.today()
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Aging %(date)s.xlsx", date=fields.Date.to_string(today)),
                "raw": self._aging_xlsx(self._aging_scope()),
                "mimetype": XLSX_MIMETYPE,
                "res_model": self._name,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    def action_print_pdf(self):
        """The aging matrix of the selected rows (none: of the current filter) as a PDF."""
        return self.env.ref("cobranca_addon.action_report_cobranca_aging").report_action(
            [], data={"domain": self._aging_scope()}
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _aging_scope(self):
        """The rows the user looks at: those selected, else those of the list's
        filter (``active_domain`` of a list's header button)."""
        if self:
            return [("id", "in", self.ids)]
        if self.env.context.get("active_model") != self._name:
            return []
        return list(self.env.context.get("active_domain") or [])

    @api.model
    def _aging_sections(self, domain):
        """The aging matrix of the rows of ``domain``, one section per company (its
        amounts are in its currency): ``company``, ``currency``, ``buckets`` (the
        buckets of the columns, in order; an empty record for amounts without a
        bucket), ``partners`` (the rows, by name) and ``matrix``
        (:class:`..tools.aging.Matrix`).

        The amounts come from one ``_read_group``: a figure per company, customer and
        bucket, not the items.
        """
        cells = defaultdict(dict)
        for company, partner, bucket, amount in self._read_group(
            domain, ["company_id", "partner_id", "bucket_id"], ["amount_residual:sum"]
        ):
            cells[company][(partner, bucket)] = amount
        if not cells:
            return []
        companies = self.env["res.company"].union(*cells).sorted(lambda c: (c.sequence, c.name))
        all_buckets = self.env["cobranca.aging.bucket"].search(
            [("company_id", "in", companies.ids)]
        )
        sections = []
        for company in companies:
            buckets = all_buckets.filtered(
                lambda bucket, company=company: bucket.company_id == company
            )
            partners = sorted(
                {partner for partner, _bucket in cells[company]},
                key=lambda partner: ((partner.display_name or "").lower(), partner.id),
            )
            matrix = aging.matrix(
                cells[company],
                list(buckets),
                rows=partners,
                round_amount=company.currency_id.round,
            )
            sections.append(
                {
                    "company": company,
                    "currency": company.currency_id,
                    "buckets": matrix.columns,
                    "partners": partners,
                    "matrix": matrix,
                }
            )
        return sections

    @api.model
    def _aging_xlsx(self, domain):
        """The aging matrix of the rows of ``domain`` as an Excel workbook (bytes), a
        worksheet per company, in the user's language."""
        today = format_date(self.env, fields.Date.today())
        no_bucket = self.env._("No bucket")
        sheets = [
            aging.Sheet(
                name=section["company"].name,
                title=self.env._("Aging of receivables"),
                subtitle=[
                    section["company"].name,
                    self.env._("As of %(date)s", date=today),
                    self.env._("Amounts in %(currency)s", currency=section["currency"].name),
                ],
                matrix=section["matrix"],
                column_labels=[bucket.name or no_bucket for bucket in section["buckets"]],
                row_labels=[partner.display_name for partner in section["partners"]],
                row_header=self.env._("Customer"),
                total_label=self.env._("Total"),
                share_label=self.env._("Share of the total"),
                digits=section["currency"].decimal_places,
            )
            for section in self._aging_sections(domain)
        ]
        return aging.xlsx(sheets)

    @api.autovacuum
    def _gc_aging_exports(self):
        """Remove the downloaded workbooks of yesterday and before."""
        self.env["ir.attachment"].sudo().search(
            [
                ("res_model", "=", self._name),
                ("create_date", "<", fields.Datetime.now() - timedelta(days=1)),
            ]
        ).unlink()
