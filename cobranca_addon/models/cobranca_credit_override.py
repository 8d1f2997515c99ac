from odoo import api, fields, models
from odoo.exceptions import UserError


class CobrancaCreditOverride(models.Model):
    """Append-only log of the credit holds a manager lifted, and why."""

    _name = "cobranca.credit.override"
    _description = "Credit Hold Override"
    _order = "date desc, id desc"

    date = fields.Datetime(default=fields.Datetime.now, readonly=True, required=True)
    user_id = fields.Many2one(
        "res.users",
        string="Manager",
        readonly=True,
        required=True,
        default=lambda self: self.env.user,
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Integer(string="Document ID", readonly=True)
    reference = fields.Char(string="Document", readonly=True)
    action = fields.Char(string="Operation", readonly=True)
    status = fields.Char(string="Credit Status", readonly=True)
    status_reasons = fields.Text(readonly=True)
    reason = fields.Text(readonly=True, required=True)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Overrides of credit holds are a record: they are kept."))

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
