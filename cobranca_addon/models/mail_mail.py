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
        rendered again.

        Reminders carrying a customer statement not rendered yet go at most
        ``cobranca.message._statements_per_batch()`` per batch (a statement costs
        about a second): the others stay in the queue, which runs again at once."""
        held = self._cobranca_statements_to_hold()
        if held:
            self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()
        mails = self - held
        reminders = mails.filtered(
            lambda mail: mail.cobranca_message_id.kind == "reminder" and mail.state == "outgoing"
        )
        if reminders:
            # the module's own bookkeeping, whoever triggers the queue
            reminders.cobranca_message_id.sudo()._check_before_send(reminders.sudo())
        return super(MailMail, mails)._send(
            auto_commit=auto_commit,
            raise_exception=raise_exception,
            smtp_session=smtp_session,
            alias_domain_id=alias_domain_id,
            mail_server=mail_server,
            post_send_callback=post_send_callback,
        )

    def _cobranca_statements_to_hold(self):
        waiting = self.sudo().filtered(
            lambda mail: (
                mail.state == "outgoing"
                and mail.cobranca_message_id
                and mail.cobranca_message_id._wants_statement()
            )
        )
        budget = self.env["cobranca.message"]._statements_per_batch()
        return self.browse(waiting[budget:].ids)

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        sent = self.filtered(lambda mail: mail.cobranca_message_id and mail.state == "sent")
        if sent:
            sent.cobranca_message_id.sudo()._on_mail_sent()
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
