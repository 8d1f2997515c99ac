from odoo import fields, models
from odoo.tools import SQL


class CobrancaLevelEffectiveness(models.Model):
    """How well each level of the régua works: of the items it reminded, how many
    were paid, and how much, within N days after it.

    One row per dunning line sent (an item at a level: carried by an e-mail, an SMS,
    a letter, a task or an escalation). The item counts as paid when payments
    reconciled with it from the line's date to N days after it cover what was open
    at the line; the amount paid counts those payments up to that open amount. N is
    *Settings > Cobrança > Effectiveness window* (per company, default 15 days).
    Only payments count (a payment's entry or a bank statement line), not credit
    notes nor agreements. An item paid within N days of two levels counts for both.
    """

    _name = "cobranca.level.effectiveness"
    _inherit = ["cobranca.indicator.mixin"]
    _description = "Effectiveness of the Levels of the Régua"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "level_id"
    _depends = {
        "cobranca.line": [
            "move_line_id", "move_id", "partner_id", "company_id", "policy_id", "level_id",
            "date", "state", "amount_residual",
        ],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "amount", "max_date"],
        "account.move.line": ["move_id"],
        "account.move": ["origin_payment_id", "statement_line_id"],
        "res.partner": ["cobranca_collector_id", "cobranca_policy_id"],
        "res.company": ["cobranca_policy_id", "currency_id", "cobranca_effectiveness_days"],
        "cobranca.partner.score": ["partner_id", "company_id", "credit_policy_id"],
        "cobranca.credit.policy": ["regua_id", "active"],
        "cobranca.policy": ["collector_id"],
    }  # fmt: skip
    _cobranca_ratios = {
        "paid_rate": ("paid_count", "item_count", 100.0),
        "amount_rate": ("amount_paid", "amount_dunned", 100.0),
    }

    line_id = fields.Many2one("cobranca.line", string="Dunning Line", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    policy_id = fields.Many2one("cobranca.policy", readonly=True)
    level_id = fields.Many2one("cobranca.level", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    date = fields.Date(string="Reminded On", readonly=True)
    window_days = fields.Integer(
        string="Window (Days)", readonly=True, aggregator="max", help="N of the company."
    )
    window_closed = fields.Boolean(
        string="Window Over",
        readonly=True,
        help="The N days after the reminder are over: whether it was paid is final.",
    )
    item_count = fields.Integer(string="Items Reminded", readonly=True)
    paid_count = fields.Integer(string="Items Paid in the Window", readonly=True)
    amount_dunned = fields.Monetary(
        string="Amount Reminded", readonly=True, help="What was open when reminded."
    )
    amount_paid = fields.Monetary(
        string="Paid in the Window",
        readonly=True,
        help="Payments on the item within the window, up to what was open.",
    )
    paid_rate = fields.Float(
        string="Items Paid (%)",
        readonly=True,
        digits=(16, 2),
        help="Items paid in the window / items reminded × 100.",
    )
    amount_rate = fields.Float(
        string="Amount Paid (%)",
        readonly=True,
        digits=(16, 2),
        help="Amount paid in the window / amount reminded × 100.",
    )

    def _query(self):
        return SQL(
            """
            SELECT line.id AS id,
                   line.id AS line_id,
                   line.move_id,
                   line.partner_id,
                   line.company_id,
                   company.currency_id,
                   line.policy_id,
                   line.level_id,
                   who.collector_id,
                   line.date,
                   company.cobranca_effectiveness_days AS window_days,
                   line.date + company.cobranca_effectiveness_days < %(today)s AS window_closed,
                   1 AS item_count,
                   CASE WHEN COALESCE(paid.amount, 0) >= line.amount_residual
                        THEN 1 ELSE 0 END AS paid_count,
                   line.amount_residual AS amount_dunned,
                   LEAST(COALESCE(paid.amount, 0), line.amount_residual) AS amount_paid,
                   CASE WHEN COALESCE(paid.amount, 0) >= line.amount_residual
                        THEN 100.0 ELSE 0.0 END AS paid_rate,
                   LEAST(COALESCE(paid.amount, 0), line.amount_residual)
                       / line.amount_residual * 100 AS amount_rate
              FROM cobranca_line line
              JOIN res_company company ON company.id = line.company_id
              LEFT JOIN LATERAL (
                   SELECT SUM(partial.amount) AS amount
                     FROM account_partial_reconcile partial
                     JOIN account_move_line counterpart
                       ON counterpart.id = partial.credit_move_id
                     JOIN account_move payment ON payment.id = counterpart.move_id
                    WHERE partial.debit_move_id = line.move_line_id
                      AND partial.max_date >= line.date
                      AND partial.max_date <= line.date + company.cobranca_effectiveness_days
                      AND %(is_payment)s
              ) paid ON TRUE
              %(collector)s
             WHERE line.state = 'sent'
               AND line.amount_residual > 0
            """,
            today=self._cobranca_today(),
            is_payment=self._cobranca_payment_counterpart("payment"),
            collector=self._cobranca_collector_join(SQL("line.company_id"), SQL("line.partner_id")),
        )
