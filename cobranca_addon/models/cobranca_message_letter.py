from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.pdf import merge_pdf


class CobrancaChannelLetter(models.AbstractModel):
    """The letter channel: a "carta de cobrança" (PDF) to print and post, or sent
    through Odoo's postal service when the snailmail module is installed."""

    _name = "cobranca.channel.letter"
    _description = "Cobrança: Letter Channel"

    @api.model
    def _recipient_letter(self, partner):
        for contact in self._contacts_for(partner):
            if contact.street and contact.city and contact.zip:
                return contact, False
        return False, self.env._("The customer has no complete postal address.")

    def _send_letter(self):
        """Letters wait in the queue of letters to print (Cobrança > Letters to
        Print); those of levels that post by snailmail go to Odoo's postal service,
        whose queue prints and posts them."""
        snailmail = self.filtered(lambda message: message.level_id.letter_snailmail)
        if snailmail and "snailmail.letter" in self.env:
            report = self.env.ref("cobranca_addon.action_report_cobranca_letter")
            letters = (
                self.env["snailmail.letter"]
                .sudo()
                .create(
                    [
                        {
                            "partner_id": message.recipient_id.id,
                            "model": self._name,
                            "res_id": message.id,
                            "user_id": self.env.user.id,
                            "company_id": message.company_id.id,
                            "report_template": report.id,
                        }
                        for message in snailmail
                    ]
                )
            )
            for message, letter in zip(snailmail, letters, strict=True):
                message.tracked_message_id = letter.message_id

    def action_print_letters(self):
        """Print the queued letters in one PDF and mark them as sent.

        Letters whose items were all paid or excluded meanwhile are cancelled
        instead of printed.
        """
        letters = self.filtered(
            lambda message: (
                message.channel == "letter"
                and message.state == "queued"
                and not message.tracked_message_id
            )
        )
        if not letters:
            raise UserError(self.env._("Select letters waiting to be printed."))
        closed, _changed = letters.sudo()._refresh_before_sending(
            note=self.env._("Cancelled before printing: all its items were paid or excluded.")
        )
        to_print = letters - closed
        if not to_print:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "message": self.env._(
                        "Nothing to print: the selected letters were cancelled, their items "
                        "being paid or excluded."
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        pdfs = to_print.sudo()._letter_pdfs()
        to_print.sudo().write({"date_sent": fields.Datetime.now()})
        batch = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": self.env._(
                        "Collection letters %(date)s.pdf",
                        date=fields.Date.to_string(fields.Date.context_today(self)),
                    ),
                    "raw": merge_pdf([pdfs[message.id] for message in to_print]),
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": to_print[0].id,
                }
            )
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{batch.id}?download=true",
            "target": "self",
        }

    def _letter_pdfs(self):
        """Each letter's PDF, rendered once and kept on the message (the record of
        what was posted). Rendered one by one, then merged: this works with every
        build of wkhtmltopdf, including the Debian one that cannot print several
        documents at once."""
        report = self.env.ref("cobranca_addon.action_report_cobranca_letter")
        pdfs = {}
        for message in self:
            attachment = self.env["ir.attachment"].search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", message.id),
                    ("name", "=like", "Carta de cobrança%"),
                ],
                limit=1,
            )
            if not attachment:
                pdf, _kind = self.env["ir.actions.report"]._render_qweb_pdf(report, message.ids)
                attachment = self.env["ir.attachment"].create(
                    {
                        "name": f"Carta de cobrança - {message.partner_id.name}.pdf",
                        "raw": pdf,
                        "mimetype": "application/pdf",
                        "res_model": self._name,
                        "res_id": message.id,
                    }
                )
            pdfs[message.id] = attachment.raw
        return pdfs
