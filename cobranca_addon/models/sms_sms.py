from odoo import models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        """Check collection SMS once more at the moment of sending: one whose items
        were all paid meanwhile is cancelled, one whose items changed is rendered
        again with the current amounts."""
        reminders = self.filtered(
            lambda sms: sms.state == "outgoing" and sms.mail_message_id.model == "cobranca.message"
        )
        if reminders:
            messages = (
                self.env["cobranca.message"]
                .sudo()
                .browse(reminders.mail_message_id.mapped("res_id"))
                .exists()
            )
            cancelled = messages._check_text_before_send(reminders.sudo())
            self -= cancelled
            if not self:  # all cancelled: Odoo's _send expects at least one SMS
                return None
        return super()._send(
            unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception
        )
