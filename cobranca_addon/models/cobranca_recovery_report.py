from odoo import fields, models
from odoo.tools import SQL


class CobrancaRecoveryReport(models.Model):
    """Recovery: what was paid of the overdue items once the régua reminded them.

    One row per item that entered collection: an instalment (or an agreement's
    instalment) with a dunning line sent after its due date. It entered on its first
    such line, with what was open then; recovered is what payments reconciled with
    it from that day to today paid, up to that amount. Only payments count (a
    payment's entry or a bank statement line): a credit note or an agreement
    settling the item is not money recovered (the agreement's own instalments,
    reminded in turn, are items of their own).
    """

    _name = "cobranca.recovery.report"
    _inherit = ["cobranca.indicator.mixin"]
    _description = "Recovery of Overdue Items"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "move_id"
    _depends = {
        "cobranca.line": [
            "move_line_id", "move_id", "partner_id", "company_id", "level_id", "date",
            "state", "days_late", "amount_residual",
        ],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "amount", "max_date"],
        "account.move.line": ["move_id"],
        "account.move": ["origin_payment_id", "statement_line_id"],
        "res.partner": ["cobranca_collector_id", "cobranca_policy_id"],
        "res.company": ["cobranca_policy_id", "currency_id"],
        "cobranca.partner.score": ["partner_id", "company_id", "credit_policy_id"],
        "cobranca.credit.policy": ["regua_id", "active"],
        "cobranca.policy": ["collector_id"],
    }  # fmt: skip
    _cobranca_ratios = {
        "recovery_rate": ("amount_recovered", "amount_dunned", 100.0),
        "recovered_rate": ("recovered_count", "item_count", 100.0),
    }

    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    level_id = fields.Many2one(
        "cobranca.level", string="First Level", readonly=True, help="The first level after due."
    )
    collector_id = fields.Many2one("res.users", readonly=True)
    date = fields.Date(string="Entered Collection", readonly=True)
    date_recovered = fields.Date(
        string="Last Payment", readonly=True, aggregator="max", help="Of the payments counted."
    )
    item_count = fields.Integer(string="Items in Collection", readonly=True)
    recovered_count = fields.Integer(string="Items Recovered", readonly=True)
    amount_dunned = fields.Monetary(
        string="Amount in Collection", readonly=True, help="What was open when it entered."
    )
    amount_recovered = fields.Monetary(string="Recovered", readonly=True)
    recovery_rate = fields.Float(
        string="Recovery Rate (%)",
        readonly=True,
        digits=(16, 2),
        help="Recovered / amount in collection × 100.",
    )
    recovered_rate = fields.Float(
        string="Items Recovered (%)",
        readonly=True,
        digits=(16, 2),
        help="Items fully recovered / items in collection × 100.",
    )

    def _query(self):
        return SQL(
            """
            WITH entered AS (
                SELECT DISTINCT ON (line.move_line_id)
                       line.id, line.move_line_id, line.move_id, line.partner_id,
                       line.company_id, line.level_id, line.date, line.amount_residual
                  FROM cobranca_line line
                 WHERE line.state = 'sent'
                   AND line.days_late > 0
                   AND line.amount_residual > 0
                 ORDER BY line.move_line_id, line.date, line.id
            )
            SELECT entered.id AS id,
                   entered.move_line_id,
                   entered.move_id,
                   entered.partner_id,
                   entered.company_id,
                   company.currency_id,
                   entered.level_id,
                   who.collector_id,
                   entered.date,
                   paid.last_date AS date_recovered,
                   1 AS item_count,
                   CASE WHEN COALESCE(paid.amount, 0) >= entered.amount_residual
                        THEN 1 ELSE 0 END AS recovered_count,
                   entered.amount_residual AS amount_dunned,
                   LEAST(COALESCE(paid.amount, 0), entered.amount_residual) AS amount_recovered,
                   LEAST(COALESCE(paid.amount, 0), entered.amount_residual)
                       / entered.amount_residual * 100 AS recovery_rate,
                   CASE WHEN COALESCE(paid.amount, 0) >= entered.amount_residual
                        THEN 100.0 ELSE 0.0 END AS recovered_rate
              FROM entered
              JOIN res_company company ON company.id = entered.company_id
              LEFT JOIN LATERAL (
                   SELECT SUM(partial.amount) AS amount, MAX(partial.max_date) AS last_date
                     FROM account_partial_reconcile partial
                     JOIN account_move_line counterpart
                       ON counterpart.id = partial.credit_move_id
                     JOIN account_move payment ON payment.id = counterpart.move_id
                    WHERE partial.debit_move_id = entered.move_line_id
                      AND partial.max_date >= entered.date
                      AND partial.max_date <= %(today)s
                      AND %(is_payment)s
              ) paid ON TRUE
              %(collector)s
            """,
            today=self._cobranca_today(),
            is_payment=self._cobranca_payment_counterpart("payment"),
            collector=self._cobranca_collector_join(
                SQL("entered.company_id"), SQL("entered.partner_id")
            ),
        )
