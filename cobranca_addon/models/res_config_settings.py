from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cobranca_policy_id = fields.Many2one(related="company_id.cobranca_policy_id", readonly=False)
    cobranca_batch_size = fields.Integer(
        string="Customers per Batch",
        config_parameter="cobranca_addon.batch_size",
        default=50,
        help="How many customers a scheduled run dispatches before committing and "
        "handing over to the next batch (possibly on another worker).",
    )
