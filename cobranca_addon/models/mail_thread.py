from odoo import api, models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        """Delivery status notifications of AR-tracked e-mails (RFC 3464).

        A notification of success (delivered, relayed) or of a delay is recorded
        on the e-mail's evidence and is not a bounce: the customer's address is
        not counted as bouncing. A failure is a bounce, handled by Odoo as usual
        and recorded on the evidence, which moves the customer to the level's
        next channel.
        """
        Evidence = self.env["cobranca.evidence"].sudo()
        report = Evidence._parse_report(email_message)
        evidences = Evidence._by_message_ids(
            [*(message_dict.get("bounced_msg_ids") or []), report.get("original_message_id")],
            envelope_id=report.get("envelope_id"),
        )
        raw = email_message.as_bytes() if evidences else None
        if evidences and report.get("action") in ("delivered", "relayed", "expanded"):
            evidences._record_report("delivered", report, raw)
            return None
        if evidences and report.get("action") == "delayed":
            evidences._record_report("delayed", report, raw)
            return None
        result = super()._routing_handle_bounce(email_message, message_dict)
        if evidences:
            evidences._record_report("bounced", report, raw)
        return result
