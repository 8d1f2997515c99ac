from odoo import fields, models


class MailMail(models.Model):
    _inherit = "mail.mail"

    cobranca_message_id = fields.Many2one(
        "cobranca.message",
        string="Collection Message",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )

    def _send(
        self,
        auto_commit=False,
        raise_exception=False,
        smtp_session=None,
        alias_domain_id=False,
        mail_server=False,
        post_send_callback=None,
    ):
        """Check reminders once more at the moment of sending: a reminder whose
        items were all paid meanwhile is cancelled, one whose items changed is
        rendered again."""
        reminders = self.filtered(
            lambda mail: mail.cobranca_message_id.kind == "reminder" and mail.state == "outgoing"
        )
        if reminders:
            # the module's own bookkeeping, whoever triggers the queue
            reminders.cobranca_message_id.sudo()._check_before_send(reminders.sudo())
        return super()._send(
            auto_commit=auto_commit,
            raise_exception=raise_exception,
            smtp_session=smtp_session,
            alias_domain_id=alias_domain_id,
            mail_server=mail_server,
            post_send_callback=post_send_callback,
        )

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        sent = self.filtered(lambda mail: mail.cobranca_message_id and mail.state == "sent")
        if sent:
            sent.cobranca_message_id.sudo()._on_mail_sent()
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
