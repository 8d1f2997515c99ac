from odoo import fields, models


class CobrancaSegmentOverrideWizard(models.TransientModel):
    """A manager sets a customer's credit segment by hand, with the reason."""

    _name = "cobranca.segment.override.wizard"
    _description = "Set a Customer's Segment by Hand"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    segment_id = fields.Many2one(
        "cobranca.segment",
        help="Empty: give the customer back the segment of their score.",
    )
    reason = fields.Char(required=True)

    def action_confirm(self):
        self.ensure_one()
        Score = self.env["cobranca.partner.score"].sudo()
        partner = self.partner_id.commercial_partner_id
        score = Score.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company_id.id)]
        )
        if not score:
            score = Score.create({"partner_id": partner.id, "company_id": self.company_id.id})
        score.with_user(self.env.user)._override(self.segment_id, self.reason)
        return {"type": "ir.actions.act_window_close"}
