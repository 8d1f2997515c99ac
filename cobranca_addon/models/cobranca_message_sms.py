from odoo import api, fields, models
from odoo.tools import format_date


class CobrancaChannelSms(models.AbstractModel):
    """The SMS channel: a short text through Odoo's SMS service (module sms)."""

    _name = "cobranca.channel.sms"
    _description = "Cobrança: SMS Channel"

    @api.model
    def _mobile_number(self, contact):
        """The contact's mobile (else phone) in E.164 form, or ``False``."""
        for number in (contact.mobile, contact.phone):
            if number:
                formatted = contact._phone_format(number=number)
                if formatted:
                    return formatted
        return False

    @api.model
    def _recipient_sms(self, partner):
        for contact in self._contacts_for(partner):
            if self._mobile_number(contact):
                return contact, False
        if partner.mobile or partner.phone:
            return False, self.env._(
                "The phone number %(number)s cannot receive an SMS.",
                number=partner.mobile or partner.phone,
            )
        return False, self.env._("The customer has no mobile phone number.")

    def _send_sms(self):
        """Post the SMS now, or leave them scheduled for the send window (the
        scheduled action "Cobrança: send scheduled messages" posts them then)."""
        self.filtered(lambda message: not message.scheduled_at)._post_sms()

    def _post_sms(self):
        """Post each message's SMS on its thread: Odoo's SMS queue sends it and
        tracks its delivery (queued, sent, delivered, error)."""
        for template, messages in self._group_by_text_template("sms").items():
            bodies = template._render_field("body", messages.ids, compute_lang=True)
            for message in messages:
                mail_message = message._message_sms(
                    bodies[message.id],
                    partner_ids=message.recipient_id.ids,
                    sms_pid_to_number={message.recipient_id.id: message.number},
                    put_in_queue=True,
                )
                message.write(
                    {
                        "tracked_message_id": mail_message.id,
                        "body_text": bodies[message.id],
                        "scheduled_at": False,
                    }
                )

    def _group_by_text_template(self, channel):
        grouped = {}
        for message in self:
            template = message.level_id._text_template(channel)
            grouped.setdefault(template, self.browse())
            grouped[template] |= message
        return grouped

    # ------------------------------------------------------------------
    # Short texts for SMS and WhatsApp templates
    # ------------------------------------------------------------------

    def _creditor_short(self):
        """The creditor in one line: name and CNPJ (CDC art. 42-A)."""
        self.ensure_one()
        creditor = self._creditor()
        if creditor["vat"]:
            return f"{creditor['name']} (CNPJ {creditor['vat']})"
        return creditor["name"]

    def _text_total(self):
        """The open total, e.g. ``R$ 4.850,00`` (per currency, joined)."""
        self.ensure_one()
        return " + ".join(group["total_text"] for group in self._item_groups())

    def _text_oldest_due(self):
        """The earliest due date among the open items, in the customer's format."""
        self.ensure_one()
        dates = [
            entry["date_due"]
            for group in self._item_groups()
            for entry in group["items"]
            if entry["date_due"]
        ]
        return format_date(self.env, min(dates)) if dates else ""

    def _text_payment_link(self):
        """The portal link of the oldest open invoice (where the customer pays)."""
        self.ensure_one()
        for group in self._item_groups():
            for entry in group["items"]:
                if entry["url"]:
                    return entry["url"]
        return ""

    def _text_items(self):
        """One line per open item, for WhatsApp: ``NF 123 - vence 19/10 - R$ 4.850,00``."""
        self.ensure_one()
        lines = []
        for group in self._item_groups():
            for entry in group["items"]:
                label = entry["name"] + (f" ({entry['instalment']})" if entry["instalment"] else "")
                lines.append(f"- {label}: {entry['date_text']}, {entry['residual_text']}")
            if group["more"]:
                lines.append(
                    self.env._(
                        "- %(count)s other open items: %(amount)s",
                        count=group["more"],
                        amount=group["more_residual_text"],
                    )
                )
        return "\n".join(lines)

    def _check_text_before_send(self, sms_records):
        """Last check of SMS reminders before they leave (see ``sms.sms._send``).

        :return: the SMS cancelled because all their items were paid or excluded
        """
        cancelled, changed = self._refresh_before_sending()
        cancelled_sms = sms_records.filtered(
            lambda sms: sms.mail_message_id in cancelled.tracked_message_id
        )
        cancelled_sms.write({"state": "canceled"})
        cancelled.tracked_message_id.notification_ids.filtered(
            lambda notif: notif.notification_type == "sms"
        ).write({"notification_status": "canceled"})
        for message in changed:
            body = message.level_id._text_template("sms")._render_field(
                "body", message.ids, compute_lang=True
            )[message.id]
            sms_records.filtered(
                lambda sms, message=message: sms.mail_message_id == message.tracked_message_id
            ).write({"body": body})
            message.body_text = body
        return cancelled_sms

    # ------------------------------------------------------------------
    # Scheduled messages
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_scheduled(self):
        """Post the SMS that waited for the send window, once it is open."""
        due = self.search(
            [
                ("state", "=", "scheduled"),
                ("scheduled_at", "<=", fields.Datetime.now()),
            ]
        )
        closed, _changed = due._refresh_before_sending()
        (due - closed)._post_sms()
        return len(due - closed)
