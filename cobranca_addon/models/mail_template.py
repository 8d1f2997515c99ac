from odoo import api, models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    @api.constrains("body_html", "subject", "model_id")
    def _check_cobranca_guardrails(self):
        """Collection e-mails identify the creditor and threaten nobody."""
        guard = self.env["cobranca.template.guard"]
        for template in self.filtered(lambda t: t.model_id.model == "cobranca.message"):
            guard._check_mail_template(template)
