from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CobrancaSegment(models.Model):
    """A group of customers by payment behaviour: good payers get softer rules."""

    _name = "cobranca.segment"
    _description = "Customer Segment (Cobrança)"
    _order = "min_score desc, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    min_score = fields.Float(
        string="Minimum Score",
        help="Customers whose payment score (0-100) reaches this are in the segment, "
        "unless a more demanding segment takes them.",
    )
    is_new_customer = fields.Boolean(
        string="For New Customers",
        help="The segment of customers without payment history in the scoring window.",
    )
    color = fields.Integer()
    description = fields.Text(translate=True)
    company_id = fields.Many2one("res.company", help="Empty: for all companies.")

    @api.constrains("min_score")
    def _check_min_score(self):
        for segment in self:
            if not 0 <= segment.min_score <= 100:
                raise ValidationError(self.env._("A minimum score is between 0 and 100."))
