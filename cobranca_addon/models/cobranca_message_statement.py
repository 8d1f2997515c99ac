import logging

from odoo import Command, api, fields, models

_logger = logging.getLogger(__name__)

#: Channels whose e-mails may carry the customer statement.
STATEMENT_CHANNELS = ("email", "ar_email")
#: Statements rendered per batch of e-mails sent (about 1.2 s each): the batch
#: stays well within a worker's time limit; the e-mails beyond wait for the next
#: batch of the mail queue, which is triggered at once.
STATEMENTS_PER_BATCH = 20


class CobrancaMessage(models.Model):
    """The customer statement attached to the e-mails of the levels that ask for
    it (``cobranca.level.attach_statement``).

    It is rendered when the e-mail leaves (``_check_before_send``, called by
    ``mail.mail._send``), never during the régua's run: a PDF costs about a
    second, and the statement then shows the values of the moment it is sent.
    """

    _inherit = "cobranca.message"

    statement_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Customer Statement",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The customer statement (PDF) attached to the message's e-mail when it left.",
    )

    @api.model
    def _statements_per_batch(self):
        """Hook: how many statements one batch of e-mails may render."""
        return STATEMENTS_PER_BATCH

    def _wants_statement(self):
        """The messages whose e-mail should carry a statement not rendered yet."""
        return self.filtered(
            lambda message: (
                message.kind == "reminder"
                and message.channel in STATEMENT_CHANNELS
                and message.level_id.attach_statement
                and not message.is_cancelled
                and not message.statement_attachment_id
            )
        )

    def _check_before_send(self, mails):
        result = super()._check_before_send(mails)
        self._attach_statement(mails)
        return result

    def _attach_statement(self, mails):
        """Attach the customer statement to the outgoing e-mails of the messages
        whose level asks for it. Once: a retry sends the statement attached the
        first time (an AR-tracked e-mail is retried with the very same bytes)."""
        outgoing = mails.filtered(lambda mail: mail.state == "outgoing")
        for message in self.filtered(
            lambda message: (
                message.channel in STATEMENT_CHANNELS
                and message.level_id.attach_statement
                and not message.is_cancelled
            )
        ):
            targets = outgoing.filtered(
                lambda mail, message=message: mail.cobranca_message_id == message
            )
            if not targets:
                continue
            attachment = message.statement_attachment_id or message._render_statement()
            if attachment:
                targets.write({"attachment_ids": [Command.link(attachment.id)]})

    def _render_statement(self):
        """The customer statement of the message's customer in its company, as an
        attachment of the message; none when it cannot be rendered (the e-mail
        then leaves without it, and the reason is logged)."""
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id).with_context(
            lang=self.partner_id.lang
        )
        report = self.env.ref("cobranca_addon.action_report_cobranca_statement")
        try:
            with self.env.cr.savepoint():
                content, kind = (
                    self.env["ir.actions.report"]
                    .with_company(self.company_id)
                    ._render_qweb_pdf(report, partner.ids)
                )
        except Exception:
            _logger.exception(
                "The customer statement of %s could not be rendered: the reminder %s "
                "leaves without it",
                partner.display_name,
                self.id,
            )
            return self.env["ir.attachment"]
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    # html when Odoo's tests render no PDF
                    "name": f"{partner._cobranca_statement_filename()}.{kind}",
                    "raw": content,
                    "mimetype": "application/pdf" if kind == "pdf" else "text/html",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        self.statement_attachment_id = attachment
        return attachment
