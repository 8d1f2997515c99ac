from odoo import api, models


class CobrancaCreditOverrideWizard(models.TransientModel):
    _inherit = "cobranca.credit.override.wizard"

    @api.model
    def _allowed_methods(self):
        return super()._allowed_methods() | {("sale.order", "action_confirm")}
