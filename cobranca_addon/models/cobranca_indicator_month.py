from odoo import fields, models
from odoo.models import parse_read_group_spec
from odoo.tools import SQL

#: Figures taken at each month end: over several months, their average (a sum of
#: balances of different days would mean nothing).
PER_MONTH_FIELDS = ("receivable_amount", "overdue_amount", "sales_per_day")


class CobrancaIndicatorMonth(models.Model):
    """Receivables, overdue and sales by month: taxa de inadimplência and DSO.

    One row per company, month and collector, from the first month with a
    receivable to the current one. The receivables of a month are the open amount,
    on its last day (today for the current month), of the customer invoices'
    instalments and of the agreements' instalments: their amount less what was
    reconciled with them (payments, credit notes, agreements) by that day; the
    overdue part is that of the items due before that day. The sales of the month
    are the customer invoices less the credit notes dated in it (taxes included,
    as the receivables). Amounts in the company's currency.
    """

    _name = "cobranca.indicator.month"
    _inherit = ["cobranca.indicator.mixin"]
    _description = "Collection Indicators by Month"
    _auto = False
    _order = "month desc, company_id, collector_id"
    _rec_name = "month"
    _depends = {
        "account.move.line": [
            "move_id", "account_id", "company_id", "partner_id", "balance", "date",
            "date_maturity", "parent_state",
        ],
        "account.move": ["move_type", "cobranca_agreement_id"],
        "account.account": ["account_type"],
        "account.partial.reconcile": ["debit_move_id", "amount", "max_date"],
        "res.partner": ["commercial_partner_id", "cobranca_collector_id", "cobranca_policy_id"],
        "res.company": ["cobranca_policy_id", "currency_id"],
        "cobranca.partner.score": ["partner_id", "company_id", "credit_policy_id"],
        "cobranca.credit.policy": ["regua_id", "active"],
        "cobranca.policy": ["collector_id"],
    }  # fmt: skip
    _cobranca_ratios = {
        "overdue_rate": ("overdue_amount", "receivable_amount", 100.0),
        "dso": ("receivable_amount", "sales_per_day", 1.0),
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    month = fields.Date(readonly=True, help="The first day of the month.")
    date = fields.Date(
        string="Taken On",
        readonly=True,
        aggregator="max",
        help="The day the month's receivables are taken: its last day, or today for "
        "the current month.",
    )
    collector_id = fields.Many2one(
        "res.users",
        readonly=True,
        help="Who follows the customers today: their collector in the company, else "
        "the collector of their régua.",
    )
    receivable_amount = fields.Monetary(
        string="Receivables",
        readonly=True,
        help="Open customer instalments at the month end. Over several months, the "
        "average of the month ends.",
    )
    overdue_amount = fields.Monetary(
        string="Overdue",
        readonly=True,
        help="The part of the receivables due before the month end. Over several "
        "months, the average of the month ends.",
    )
    sales_amount = fields.Monetary(
        string="Sales",
        readonly=True,
        help="Customer invoices less credit notes of the month, taxes included.",
    )
    sales_per_day = fields.Monetary(
        string="Sales per Day",
        readonly=True,
        help="The month's sales over its days (so far, for the current month). Over "
        "several months, the average.",
    )
    overdue_rate = fields.Float(
        string="Inadimplência (%)",
        readonly=True,
        digits=(16, 2),
        help="Overdue / receivables × 100, at the month end. Over several rows, the "
        "sum of the overdue over the sum of the receivables.",
    )
    dso = fields.Float(
        string="DSO (Days)",
        readonly=True,
        digits=(16, 1),
        help="Days sales outstanding: receivables / sales per day. Over several "
        "months, the average receivables over the average sales per day.",
    )

    def _read_group_select(self, aggregate_spec, query):
        fname, _property, func = parse_read_group_spec(aggregate_spec)
        if func == "sum" and fname in PER_MONTH_FIELDS:
            return SQL(
                "SUM(%s) / NULLIF(COUNT(DISTINCT %s), 0)",
                self._field_to_sql(self._table, fname, query),
                self._field_to_sql(self._table, "month", query),
            )
        return super()._read_group_select(aggregate_spec, query)

    def _query(self):
        """Set-based: each item, payment and sale is a change of the receivables,
        the overdue or the sales in the month it happens (an item becomes overdue
        the day after its due date); the month-end figures are the running sums of
        those changes, per company and collector, over every month up to today."""
        today = self._cobranca_today()
        return SQL(
            """
            WITH lines AS (
                SELECT aml.id, aml.company_id, partner.commercial_partner_id AS partner_id,
                       aml.balance, aml.date,
                       GREATEST(aml.date, COALESCE(aml.date_maturity, aml.date) + 1)
                           AS overdue_from,
                       aml.balance > 0
                           AND (move.move_type = 'out_invoice'
                                OR move.cobranca_agreement_id IS NOT NULL) AS is_item,
                       move.move_type IN ('out_invoice', 'out_refund') AS is_sale
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN res_partner partner ON partner.id = aml.partner_id
                 WHERE aml.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
                   AND (move.move_type IN ('out_invoice', 'out_refund')
                        OR move.cobranca_agreement_id IS NOT NULL)
            ),
            changes AS (
                -- an item: receivable from its date, overdue from the day after it is due;
                -- a customer invoice or credit note: a sale of its date
                SELECT line.company_id, line.partner_id, change.*
                  FROM lines line
                 CROSS JOIN LATERAL (VALUES
                       (line.date,
                        CASE WHEN line.is_item THEN line.balance ELSE 0 END,
                        0,
                        CASE WHEN line.is_sale THEN line.balance ELSE 0 END),
                       (line.overdue_from, 0,
                        CASE WHEN line.is_item THEN line.balance ELSE 0 END, 0)
                 ) AS change(day, receivable, overdue, sales)
                UNION ALL
                -- what is reconciled with an item (by its date) reduces both
                SELECT item.company_id, item.partner_id, change.*
                  FROM lines item
                  JOIN account_partial_reconcile partial ON partial.debit_move_id = item.id
                 CROSS JOIN LATERAL (VALUES
                       (GREATEST(partial.max_date, item.date), -partial.amount, 0, 0),
                       (GREATEST(partial.max_date, item.overdue_from), 0, -partial.amount, 0)
                 ) AS change(day, receivable, overdue, sales)
                 WHERE item.is_item
            ),
            by_customer AS (
                SELECT company_id, partner_id, date_trunc('month', day)::date AS month,
                       SUM(receivable) AS receivable, SUM(overdue) AS overdue,
                       SUM(sales) AS sales
                  FROM changes
                 WHERE day <= %(today)s
                 GROUP BY company_id, partner_id, date_trunc('month', day)
            ),
            customers AS (
                SELECT DISTINCT company_id, partner_id FROM by_customer
            ),
            followed AS (
                SELECT customers.company_id, customers.partner_id, who.collector_id
                  FROM customers
                  %(collector)s
            ),
            by_collector AS (
                SELECT change.company_id, followed.collector_id, change.month,
                       SUM(change.receivable) AS receivable, SUM(change.overdue) AS overdue,
                       SUM(change.sales) AS sales
                  FROM by_customer change
                  JOIN followed
                    ON followed.company_id = change.company_id
                   AND followed.partner_id = change.partner_id
                 GROUP BY change.company_id, followed.collector_id, change.month
            ),
            grid AS (
                SELECT first.company_id, first.collector_id, series.day::date AS month
                  FROM (SELECT company_id, collector_id, MIN(month) AS month
                          FROM by_collector
                         GROUP BY company_id, collector_id) first
                 CROSS JOIN LATERAL generate_series(
                       first.month::timestamp, date_trunc('month', %(today)s::timestamp),
                       interval '1 month'
                 ) AS series(day)
            ),
            running AS (
                SELECT grid.company_id, grid.collector_id, grid.month,
                       LEAST((grid.month + interval '1 month')::date - 1, %(today)s) AS date,
                       SUM(COALESCE(change.receivable, 0)) OVER running AS receivable,
                       SUM(COALESCE(change.overdue, 0)) OVER running AS overdue,
                       COALESCE(change.sales, 0) AS sales
                  FROM grid
                  LEFT JOIN by_collector change
                    ON change.company_id = grid.company_id
                   AND change.collector_id IS NOT DISTINCT FROM grid.collector_id
                   AND change.month = grid.month
                WINDOW running AS (
                       PARTITION BY grid.company_id, grid.collector_id ORDER BY grid.month
                )
            )
            SELECT ROW_NUMBER() OVER (
                       ORDER BY running.company_id, running.month, running.collector_id
                   ) AS id,
                   running.company_id,
                   company.currency_id,
                   running.collector_id,
                   running.month,
                   running.date,
                   running.receivable AS receivable_amount,
                   running.overdue AS overdue_amount,
                   running.sales AS sales_amount,
                   running.sales / (running.date - running.month + 1) AS sales_per_day,
                   running.overdue / NULLIF(running.receivable, 0) * 100 AS overdue_rate,
                   running.receivable
                       / NULLIF(running.sales / (running.date - running.month + 1), 0) AS dso
              FROM running
              JOIN res_company company ON company.id = running.company_id
            """,
            today=today,
            collector=self._cobranca_collector_join(
                SQL("customers.company_id"), SQL("customers.partner_id")
            ),
        )
