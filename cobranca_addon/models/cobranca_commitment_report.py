from odoo import fields, models
from odoo.tools import SQL

KINDS = [("promise", "Promise to pay"), ("agreement", "Agreement")]
STATES = [
    ("open", "Open"),
    ("kept", "Kept"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]


class CobrancaCommitmentReport(models.Model):
    """Promises to pay and agreements (acordos): made, kept and broken.

    One row per promise to pay logged (on the day of the contact, with the promised
    amount and what was paid on its items by its deadline) and per agreement
    confirmed (on its confirmation day, with the total of its instalments and what
    was paid of them). Open: not decided yet (a promise before its deadline, an
    agreement with instalments to come). The collector is who made it.
    """

    _name = "cobranca.commitment.report"
    _inherit = ["cobranca.indicator.mixin"]
    _description = "Promises and Agreements Made and Kept"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    _depends = {
        "cobranca.negotiation": [
            "company_id", "partner_id", "user_id", "date", "outcome", "state",
            "promise_amount", "amount_paid",
        ],
        "cobranca.agreement": [
            "company_id", "partner_id", "user_id", "date_confirmed", "state", "amount_total",
            "amount_paid",
        ],
        "res.company": ["currency_id"],
    }  # fmt: skip
    _cobranca_ratios = {
        "kept_rate": ("kept_count", "decided_count", 100.0),
        "paid_rate": ("amount_paid", "amount", 100.0),
    }

    kind = fields.Selection(KINDS, readonly=True)
    state = fields.Selection(STATES, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    date = fields.Date(string="Made On", readonly=True)
    negotiation_id = fields.Many2one("cobranca.negotiation", string="Contact", readonly=True)
    agreement_id = fields.Many2one("cobranca.agreement", readonly=True)
    made_count = fields.Integer(string="Made", readonly=True)
    kept_count = fields.Integer(string="Kept", readonly=True)
    broken_count = fields.Integer(string="Broken", readonly=True)
    open_count = fields.Integer(string="Open", readonly=True)
    decided_count = fields.Integer(
        string="Decided", readonly=True, help="Kept or broken: no longer open."
    )
    amount = fields.Monetary(
        string="Amount Committed",
        readonly=True,
        help="The promised amount; the total of an agreement's instalments.",
    )
    amount_paid = fields.Monetary(string="Paid", readonly=True)
    kept_rate = fields.Float(
        string="Kept (%)",
        readonly=True,
        digits=(16, 2),
        help="Kept / (kept + broken) × 100: of those decided.",
    )
    paid_rate = fields.Float(
        string="Paid (%)", readonly=True, digits=(16, 2), help="Paid / amount committed × 100."
    )

    def _query(self):
        return SQL(
            """
            WITH commitment AS (
                SELECT negotiation.id * 2 AS id, 'promise' AS kind,
                       CASE WHEN negotiation.state IN ('kept', 'broken') THEN negotiation.state
                            ELSE 'open' END AS state,
                       negotiation.company_id, negotiation.partner_id,
                       negotiation.user_id AS collector_id,
                       (negotiation.date AT TIME ZONE 'UTC')::date AS date,
                       negotiation.id AS negotiation_id, NULL::int AS agreement_id,
                       COALESCE(negotiation.promise_amount, 0) AS amount,
                       COALESCE(negotiation.amount_paid, 0) AS amount_paid
                  FROM cobranca_negotiation negotiation
                 WHERE negotiation.outcome = 'promise'
                UNION ALL
                SELECT agreement.id * 2 + 1, 'agreement',
                       CASE WHEN agreement.state IN ('kept', 'broken', 'cancelled')
                            THEN agreement.state ELSE 'open' END,
                       agreement.company_id, agreement.partner_id, agreement.user_id,
                       agreement.date_confirmed, NULL, agreement.id,
                       COALESCE(agreement.amount_total, 0), COALESCE(agreement.amount_paid, 0)
                  FROM cobranca_agreement agreement
                 WHERE agreement.date_confirmed IS NOT NULL
            )
            SELECT commitment.*,
                   company.currency_id,
                   1 AS made_count,
                   (commitment.state = 'kept')::int AS kept_count,
                   (commitment.state = 'broken')::int AS broken_count,
                   (commitment.state = 'open')::int AS open_count,
                   (commitment.state IN ('kept', 'broken'))::int AS decided_count,
                   CASE WHEN commitment.state = 'kept' THEN 100.0
                        WHEN commitment.state = 'broken' THEN 0.0 END AS kept_rate,
                   commitment.amount_paid / NULLIF(commitment.amount, 0) * 100 AS paid_rate
              FROM commitment
              JOIN res_company company ON company.id = commitment.company_id
            """
        )
