from urllib.parse import quote

from odoo import api, models


class CobrancaChannelWhatsapp(models.AbstractModel):
    """The WhatsApp channel: Odoo Community has no WhatsApp API, so the collector
    gets a task with a click-to-chat link and the message ready to send."""

    _name = "cobranca.channel.whatsapp"
    _description = "Cobrança: WhatsApp Channel"

    @api.model
    def _recipient_whatsapp(self, partner):
        for contact in self._contacts_for(partner):
            if self._mobile_number(contact):
                return contact, False
        return False, self.env._("The customer has no mobile number for WhatsApp.")

    def _whatsapp_link(self):
        """``https://wa.me/<number>?text=<message>``: opens the chat, message typed."""
        self.ensure_one()
        digits = "".join(char for char in self.number or "" if char.isdigit())
        return f"https://wa.me/{digits}?text={quote(self.body_text or '')}"

    def _send_whatsapp(self):
        for template, messages in self._group_by_text_template("whatsapp").items():
            bodies = template._render_field("body", messages.ids, compute_lang=True)
            for message in messages:
                message.body_text = bodies[message.id]
        activity_type = self.env.ref(
            "cobranca_addon.mail_activity_type_whatsapp", raise_if_not_found=False
        )
        self._create_tasks(
            lambda message: activity_type,
            lambda message: self.env._(
                "Collection WhatsApp: %(level)s", level=message.level_id.name
            ),
        )
