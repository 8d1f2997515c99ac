from odoo import api, fields, models
from odoo.exceptions import UserError


class CobrancaExclusionWizard(models.TransientModel):
    """Exclude invoices from cobrança, with the reason (e.g. a dispute)."""

    _name = "cobranca.exclusion.wizard"
    _description = "Exclude Invoices from cobrança"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    reason = fields.Char(required=True, help="Why these invoices must not be reminded.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "account.move":
            # the ids come from the browser: invoices that exist, nothing else
            ids = [
                record_id
                for record_id in self.env.context.get("active_ids") or []
                if isinstance(record_id, int) and not isinstance(record_id, bool)
            ]
            moves = self.env["account.move"].browse(ids).exists()
            values["move_ids"] = [fields.Command.set(moves.ids)]
        return values

    def action_confirm(self):
        self.ensure_one()
        moves = self.move_ids.filtered(lambda move: move.move_type == "out_invoice")
        if not moves:
            raise UserError(self.env._("Only customer invoices can be excluded from cobrança."))
        moves._cobranca_exclude((self.reason or "").strip())
        return {"type": "ir.actions.act_window_close"}
