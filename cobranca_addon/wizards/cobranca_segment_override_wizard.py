from odoo import fields, models
from odoo.exceptions import AccessError, UserError


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
        company, segment = self.company_id, self.segment_id
        if company not in self.env.companies:
            raise AccessError(self.env._("You may set segments only in the companies you work in."))
        if segment.company_id and segment.company_id != company:
            raise UserError(
                self.env._(
                    "The segment %(segment)s is not one of %(company)s.",
                    segment=segment.name,
                    company=company.name,
                )
            )
        self.partner_id.check_access("read")
        Score = self.env["cobranca.partner.score"].sudo()
        partner = self.partner_id.commercial_partner_id
        if partner.company_id and partner.company_id != company:
            raise UserError(
                self.env._(
                    "%(customer)s is not a customer of %(company)s.",
                    customer=partner.name,
                    company=company.name,
                )
            )
        score = Score.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company_id.id)]
        )
        if not score:
            score = Score.create({"partner_id": partner.id, "company_id": self.company_id.id})
        score.with_user(self.env.user)._override(self.segment_id, self.reason)
        return {"type": "ir.actions.act_window_close"}
