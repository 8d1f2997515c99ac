from odoo import api, models


class SmsTemplate(models.Model):
    _inherit = "sms.template"

    @api.constrains("body", "model_id")
    def _check_cobranca_guardrails(self):
        """Collection texts (SMS, WhatsApp) identify the creditor and threaten nobody."""
        guard = self.env["cobranca.template.guard"]
        for template in self.filtered(lambda t: t.model_id.model == "cobranca.message"):
            guard._check_text_template(template)
