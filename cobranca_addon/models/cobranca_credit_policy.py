from odoo import api, fields, models
from odoo.exceptions import ValidationError

CREDIT_ACTIONS = [
    ("warn", "Warn"),
    ("block_sale", "Block new sale confirmations"),
    ("block_posting", "Block invoice posting"),
    ("prepayment", "Require prepayment"),
]


class CobrancaCreditPolicy(models.Model):
    """Who gets credit and how much, per segment, and what happens beyond it."""

    _name = "cobranca.credit.policy"
    _description = "Credit Policy"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one("res.company", help="Empty: for all companies.")
    segment_ids = fields.Many2many(
        "cobranca.segment",
        string="Segments",
        help="The customers of these segments follow this policy.",
    )
    limit_rule = fields.Selection(
        [
            ("partner", "Customer's credit limit"),
            ("fixed", "Fixed amount"),
            ("multiple", "Multiple of monthly purchases"),
        ],
        default="partner",
        required=True,
        tracking=True,
        help="Customer's credit limit: Odoo's own (Invoicing tab of the customer, or the "
        "company's default). A customer with a limit of their own always keeps it.",
    )
    limit_amount = fields.Float(string="Limit", digits="Account", tracking=True)
    limit_multiple = fields.Float(
        string="Months of Purchases",
        default=2.0,
        tracking=True,
        help="The limit is this many times the customer's average monthly purchases over "
        "the scoring window.",
    )
    max_days_overdue = fields.Integer(
        string="Tolerated Days Overdue",
        default=30,
        tracking=True,
        help="An open item overdue for longer than this puts the customer beyond the policy.",
    )
    action = fields.Selection(
        CREDIT_ACTIONS,
        string="When Exceeded",
        default="warn",
        required=True,
        tracking=True,
        help="Warn: the status shows a warning.\n"
        "Block new sale confirmations: only a Cobrança manager may confirm, with a reason.\n"
        "Block invoice posting: only a Cobrança manager may post, with a reason.\n"
        "Require prepayment: quotations require full online payment before confirmation.",
    )
    regua_id = fields.Many2one(
        "cobranca.policy",
        string="Régua",
        check_company=True,
        help="The collection policy of these customers (unless they have one of their own).",
    )
    block_on_escalation = fields.Boolean(
        string="Customers under Negativação or Protesto",
        default=True,
        help="A customer with items under negativação or protesto is beyond the policy.",
    )

    @api.constrains("limit_rule", "limit_amount", "limit_multiple", "max_days_overdue")
    def _check_values(self):
        for policy in self:
            if min(policy.limit_amount, policy.limit_multiple, policy.max_days_overdue) < 0:
                raise ValidationError(self.env._("Credit policy figures cannot be negative."))

    @api.constrains("segment_ids", "company_id", "active")
    def _check_one_policy_per_segment(self):
        for policy in self.filtered("active"):
            others = self.search(
                [
                    ("id", "!=", policy.id),
                    ("segment_ids", "in", policy.segment_ids.ids),
                    ("company_id", "in", [False, policy.company_id.id]),
                ]
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "The segments %(segments)s already follow the credit policy %(policy)s.",
                        segments=", ".join(
                            (others.segment_ids & policy.segment_ids).mapped("name")
                        ),
                        policy=others[0].name,
                    )
                )
