from odoo import api, fields, models

from .constants import NO_CHATTER_NOISE


class CobrancaChannelArEmail(models.AbstractModel):
    """The AR-tracked e-mail channel (e-mail com AR): the level's e-mail, with a
    link to acknowledge its receipt and a tracking image, whose evidence
    (``cobranca.evidence``) keeps the bytes sent and the chain of what followed.

    A bounce, or no acknowledgement within the days of the Settings, moves the
    customer to the level's next channel (a letter, a phone task).
    """

    _name = "cobranca.channel.ar_email"
    _description = "Cobrança: AR-tracked E-mail Channel"

    evidence_ids = fields.One2many("cobranca.evidence", "message_id")
    evidence_state = fields.Selection(
        lambda self: self.env["cobranca.evidence"]._fields["state"].selection,
        string="Evidence Status",
        compute="_compute_evidence_state",
    )

    @api.depends("evidence_ids.state")
    def _compute_evidence_state(self):
        for message in self:
            message.evidence_state = message.evidence_ids.sorted("id")[-1:].state or False

    @api.model
    def _recipient_ar_email(self, partner):
        return self._recipient_email(partner)

    def _state_ar_email(self):
        return self._state_email()

    def _send_ar_email(self):
        """Queue one e-mail per message, each with its evidence (created first:
        the e-mail's links carry its token)."""
        evidences = self.env["cobranca.evidence"]._prepare_for(self)
        by_message = {evidence.message_id.id: evidence for evidence in evidences}
        values_list = []
        for template, messages in self._group_by_template().items():
            rendered = messages._render_mail(template)
            for message in messages:
                values = message._prepare_mail_values(template, rendered[message.id])
                values_list.append(message._with_evidence(values, by_message[message.id]))
        mails = self.env["mail.mail"].sudo().create(values_list)
        for mail in mails:
            by_message[mail.cobranca_message_id.id]._internal().write({"mail_id": mail.id})

    def _with_evidence(self, values, evidence):
        """The e-mail's values with the acknowledgement link and tracking image,
        and the header naming its evidence (read at the sending point)."""
        self.ensure_one()
        body = (values.get("body_html") or "") + evidence._footer()
        return {
            **values,
            "body_html": body,
            "headers": repr({"X-Cobranca-Evidence": evidence.name}),
        }

    def _current_evidence(self):
        """The message's evidence still waiting to be sent, or the latest."""
        self.ensure_one()
        return self.evidence_ids.sorted("id")[-1:]

    def _rendered_again(self, rendered):
        """The body of an AR-tracked e-mail rendered again before sending (its items
        changed): the same evidence if nothing was handed to the server yet, else a
        new one (an evidence proves one message, byte for byte)."""
        self.ensure_one()
        evidence = self._current_evidence()
        if evidence.raw_message:
            evidence = self.env["cobranca.evidence"]._prepare_for(self)
            evidence._internal().write({"mail_id": self.mail_ids.sorted("id")[-1:].id})
        body = (rendered.get("body_html") or "") + evidence._footer()
        return body, evidence

    def action_open_evidence(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_evidence_action"
        )
        action["domain"] = [("message_id", "=", self.id)]
        if len(self.evidence_ids) == 1:
            action.update(res_id=self.evidence_ids.id, view_mode="form", views=[(False, "form")])
        return action

    def _log_evidence_event(self, evidence, kind):
        """What the customer's AR-tracked e-mail became, on the invoices and the
        customer."""
        labels = dict(
            self.env["cobranca.evidence.event"]._fields["kind"]._description_selection(self.env)
        )
        for message in self:
            body = self.env._(
                "AR-tracked e-mail %(name)s: %(event)s.",
                name=evidence.name,
                event=labels.get(kind, kind),
            )
            message.line_ids.move_id._message_log_batch(
                {move.id: body for move in message.line_ids.move_id}
            )
            message.partner_id._message_log(body=body)

    def _fallback_to_next_channel(self, reason):
        """Hand the message's lines to the level's next channel after the
        AR-tracked e-mail that reaches the customer (a letter...), else to a phone
        task; the new message says why.

        :return: the new message
        """
        self.ensure_one()
        channels = self.level_id._cobranca_channels()
        later = channels[channels.index("ar_email") + 1 :] if "ar_email" in channels else []
        target = self._fallback_channel("ar_email")
        for code in later:
            recipient, _problem = getattr(self, f"_recipient_{code}")(self.partner_id)
            if recipient and code != "email":
                target = code
                break
        recipient, _problem = getattr(self, f"_recipient_{target}")(self.partner_id)
        values = self._prepare_message_values(
            self.company_id,
            self.partner_id,
            target,
            self.line_ids,
            recipient or self.partner_id,
            self.item_ids,
            self.env._(
                "%(reason)s Next channel: %(channel)s.",
                reason=reason,
                channel=dict(self._fields["channel"]._description_selection(self.env))[target],
            ),
        )
        values.update(run_id=False, date=fields.Date.context_today(self))
        follow = self.with_context(**NO_CHATTER_NOISE).create(values)
        self.fallback_message_id = follow
        self.line_ids.write({"note": follow.note})
        follow._send()
        return follow
