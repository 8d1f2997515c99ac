import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import entrada


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
        if not entrada.is_short_text(self.reason, entrada.MAX_REASON_LENGTH):
            raise UserError(
                self.env._(
                    "The reason has at most %(limit)s characters.", limit=entrada.MAX_REASON_LENGTH
                )
            )
        if (self.res_model, self.method) not in self._allowed_methods():
            raise UserError(self.env._("This operation cannot be overridden."))
        records = self.env[self.res_model].browse(self._document_ids()).exists()
        if not records:
            raise UserError(self.env._("The documents of this credit hold no longer exist."))
        # the manager's own rights on the documents (their companies included)
        records.check_access("write")
        records._cobranca_log_override(self.reason, self.method)
        return getattr(records.with_context(cobranca_credit_override=True), self.method)()

    def _document_ids(self):
        """The ids of ``res_ids``, a JSON list of record ids (refused otherwise)."""
        self.ensure_one()
        try:
            ids = json.loads(self.res_ids or "")
        except ValueError:
            ids = None
        if (
            not isinstance(ids, list)
            or not ids
            or not all(
                isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in ids
            )
        ):
            raise UserError(self.env._("These are not documents stopped by a credit hold."))
        return ids

    @api.model
    def _allowed_methods(self):
        """Hook: the operations a credit hold can stop (extended by sales)."""
        return {("account.move", "action_post")}
