import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class CobrancaCreditOverrideWizard(models.TransientModel):
    """A Cobrança manager lifts a credit hold, for one operation, with a reason."""

    _name = "cobranca.credit.override.wizard"
    _description = "Override a Credit Hold"

    res_model = fields.Char(string="Document Model", required=True)
    res_ids = fields.Char(string="Documents", required=True, help="JSON list of the documents.")
    method = fields.Char(required=True, help="The operation to carry out once overridden.")
    summary = fields.Text(string="Why the Customer Is on Hold", readonly=True)
    reason = fields.Text(help="Why the hold may be lifted this time.")

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("cobranca_addon.group_cobranca_manager"):
            raise AccessError(self.env._("Only Cobrança managers may lift a credit hold."))
        if not (self.reason or "").strip():
            raise UserError(self.env._("Say why the credit hold is lifted."))
        if (self.res_model, self.method) not in self._allowed_methods():
            raise UserError(self.env._("This operation cannot be overridden."))
        records = self.env[self.res_model].browse(json.loads(self.res_ids)).exists()
        records._cobranca_log_override(self.reason, self.method)
        return getattr(records.with_context(cobranca_credit_override=True), self.method)()

    @api.model
    def _allowed_methods(self):
        """Hook: the operations a credit hold can stop (extended by sales)."""
        return {("account.move", "action_post")}
