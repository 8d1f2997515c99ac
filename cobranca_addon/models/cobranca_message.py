import ast
import hashlib
import logging
from collections import defaultdict

import babel.dates
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, email_normalize, format_amount, format_date
from odoo.tools.mail import single_email_re
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

from odoo.addons.base.models.res_lang import intersperse

from .constants import NO_CHATTER_NOISE

_logger = logging.getLogger(__name__)

#: Sending attempts of a reminder e-mail before it falls back to a phone task.
MAX_SEND_ATTEMPTS = 3
#: mail.mail failure types meaning that the address itself cannot be reached.
ADDRESS_FAILURES = ("mail_email_invalid", "mail_email_missing", "mail_bounce")
#: Channel a message falls back to when its own cannot reach the customer.
FALLBACK_CHANNEL = "phone"
#: Items one message lists at most (see ``_listed_items_limit``).
LISTED_ITEMS_LIMIT = 100


class CobrancaMessage(models.Model):
    """What carried dunning lines to one customer: an e-mail, an SMS, a letter, a
    WhatsApp or phone task for the collector.

    One per customer, channel and run. It lists all of the customer's open
    items, in the tone of the highest level its lines reached. The sending of
    each channel lives in its own file (cobranca_message_<channel>.py).
    """

    _name = "cobranca.message"
    _description = "Collection Message"
    _inherit = [
        "mail.thread",
        "cobranca.channel.ar_email",
        "cobranca.channel.sms",
        "cobranca.channel.whatsapp",
        "cobranca.channel.letter",
        "cobranca.channel.thanks",
    ]
    _order = "date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    recipient_id = fields.Many2one(
        "res.partner",
        readonly=True,
        help="The contact the message went to: the customer's invoice address when there is one.",
    )
    channel = fields.Selection(
        [
            ("email", "E-mail"),
            ("ar_email", "AR-tracked E-mail"),
            ("sms", "SMS"),
            ("whatsapp", "WhatsApp"),
            ("letter", "Letter"),
            ("phone", "Phone Task"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    kind = fields.Selection(
        [("reminder", "Reminder"), ("thanks", "Thank You")],
        default="reminder",
        required=True,
        readonly=True,
        help="Thank-you messages are sent after reminded items are paid.",
    )
    level_id = fields.Many2one(
        "cobranca.level",
        readonly=True,
        ondelete="restrict",
        help="The highest level reached by the lines this message carries; it sets the tone.",
    )
    run_id = fields.Many2one("cobranca.run", readonly=True, index=True, ondelete="set null")
    date = fields.Date(required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        readonly=True,
        help="Who was given the phone or WhatsApp task.",
    )
    number = fields.Char(
        string="Phone Number", readonly=True, help="The number the SMS or WhatsApp went to."
    )
    scheduled_at = fields.Datetime(
        string="Scheduled For",
        readonly=True,
        copy=False,
        help="Prepared outside the company's send window (night, weekend, holiday): it "
        "goes out at this moment.",
    )
    body_text = fields.Text(
        string="Message Text",
        readonly=True,
        copy=False,
        help="The text of the SMS or of the WhatsApp message, as it was prepared.",
    )
    tracked_message_id = fields.Many2one(
        "mail.message",
        string="Delivery Tracking",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The SMS or snailmail letter posted on this record, whose notification "
        "Odoo updates as it is sent and delivered.",
    )
    delivery_status = fields.Char(
        compute="_compute_delivery_status",
        help="What Odoo knows of the delivery: the e-mail's, SMS's or letter's own status.",
    )
    line_ids = fields.Many2many(
        "cobranca.line",
        "cobranca_line_message_rel",
        "message_id",
        "line_id",
        string="Dunning Lines",
        readonly=True,
    )
    item_ids = fields.Many2many(
        "account.move.line",
        "cobranca_message_item_rel",
        "message_id",
        "move_line_id",
        string="Listed Items",
        readonly=True,
        help="Every open item of the customer listed in the message, including "
        "credits in their favour.",
    )
    move_ids = fields.Many2many("account.move", compute="_compute_move_ids", string="Invoices")
    currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    amount_residual = fields.Monetary(
        string="Open Amount",
        readonly=True,
        help="Net open amount of the listed items when the message was prepared, in "
        "the company currency.",
    )
    items_signature = fields.Char(readonly=True, copy=False)
    mail_ids = fields.One2many("mail.mail", "cobranca_message_id", string="E-mails")
    # the e-mail as it leaves (kept once, on the mail.mail; shown in a sandboxed
    # preview, as Odoo's own e-mail form does)
    email_body_html = fields.Html(
        string="E-mail Sent",
        compute="_compute_email_body_html",
        compute_sudo=True,  # the e-mails themselves are the administrator's
        sanitize=False,
        help="The body of the message's e-mail, as it was (or will be) sent.",
    )
    activity_ids = fields.One2many("mail.activity", "cobranca_message_id", string="Tasks")
    state = fields.Selection(
        [
            ("scheduled", "Scheduled"),
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("todo", "To Do"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        compute="_compute_state",
        store=True,
        index=True,
    )
    failure_reason = fields.Text(compute="_compute_failure_reason")
    note = fields.Char(
        readonly=True,
        help="Why this channel was used (a fallback) or why the message was cancelled.",
    )
    is_cancelled = fields.Boolean(readonly=True, copy=False)
    date_sent = fields.Datetime(readonly=True, copy=False)
    date_done = fields.Datetime(readonly=True, copy=False)
    attempt_count = fields.Integer(string="Sending Attempts", default=0, readonly=True, copy=False)
    fallback_message_id = fields.Many2one(
        "cobranca.message",
        readonly=True,
        copy=False,
        help="The task created when this e-mail could not be delivered.",
    )

    _sql_constraints = [
        (
            "run_partner_channel_unique",
            "UNIQUE(run_id, company_id, partner_id, channel, kind)",
            "A customer gets at most one message per channel and run.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("partner_id.name", "level_id.name", "channel", "date")
    def _compute_display_name(self):
        labels = dict(self._fields["channel"]._description_selection(self.env))
        for message in self:
            message.display_name = self.env._(
                "%(customer)s – %(level)s (%(channel)s, %(date)s)",
                customer=message.partner_id.name or "",
                level=message.level_id.name or "",
                channel=labels.get(message.channel, ""),
                date=fields.Date.to_string(message.date) or "",
            )

    @api.depends("line_ids.move_id")
    def _compute_move_ids(self):
        for message in self:
            message.move_ids = message.line_ids.move_id

    @api.depends(
        "channel",
        "is_cancelled",
        "scheduled_at",
        "mail_ids.state",
        "activity_ids",
        "date_done",
        "date_sent",
        "tracked_message_id.notification_ids.notification_status",
    )
    def _compute_state(self):
        for message in self:
            if message.is_cancelled:
                message.state = "cancelled"
            else:
                message.state = getattr(message, f"_state_{message.channel}")()

    def _state_email(self):
        mail_states = {
            "outgoing": "queued",
            "sent": "sent",
            "received": "sent",
            "exception": "failed",
            "cancel": "cancelled",
        }
        if self.mail_ids:
            mail = self.mail_ids.sorted("id")[-1]
            return mail_states.get(mail.state, "queued")
        return "sent" if self.date_sent else "queued"

    def _state_task(self):
        """Phone and WhatsApp tasks: to do until the collector marks them done."""
        if self.date_done:
            return "done"
        return "todo" if self.activity_ids else "cancelled"

    _state_phone = _state_task
    _state_whatsapp = _state_task

    #: Odoo notification statuses (SMS, snailmail) as message states.
    NOTIFICATION_STATES = {
        "ready": "queued",
        "process": "queued",
        "pending": "sent",
        "sent": "sent",
        "bounce": "failed",
        "exception": "failed",
        "canceled": "cancelled",
    }

    def _tracked_notification(self):
        self.ensure_one()
        return self.tracked_message_id.notification_ids.filtered(
            lambda notif: notif.notification_type in ("sms", "snail")
        )[:1]

    def _state_sms(self):
        notification = self._tracked_notification()
        if notification:
            return self.NOTIFICATION_STATES.get(notification.notification_status, "queued")
        return "scheduled" if self.scheduled_at else "queued"

    def _state_letter(self):
        """Printed letters are sent; posted ones follow snailmail's notification."""
        notification = self._tracked_notification()
        if notification:
            return self.NOTIFICATION_STATES.get(notification.notification_status, "queued")
        return "sent" if self.date_sent else "queued"

    @api.depends(
        "state",
        "mail_ids.state",
        "tracked_message_id.notification_ids.notification_status",
        "evidence_ids.state",
    )
    def _compute_delivery_status(self):
        labels = dict(self._fields["state"]._description_selection(self.env))
        sms_labels = dict(
            self.env["mail.notification"]
            ._fields["notification_status"]
            ._description_selection(self.env)
        )
        evidence_labels = dict(
            self.env["cobranca.evidence"]._fields["state"]._description_selection(self.env)
        )
        for message in self:
            status = labels.get(message.state, "")
            notification = message._tracked_notification()
            if notification:
                status = sms_labels.get(notification.notification_status, status)
            elif message.channel == "ar_email" and message.evidence_state:
                status = evidence_labels[message.evidence_state]
            message.delivery_status = status

    @api.depends("mail_ids.body_html")
    def _compute_email_body_html(self):
        for message in self:
            message.email_body_html = message.mail_ids.sorted("id")[-1:].body_html or False

    @api.depends(
        "mail_ids.failure_reason",
        "tracked_message_id.notification_ids.failure_type",
        "tracked_message_id.notification_ids.failure_reason",
    )
    def _compute_failure_reason(self):
        failure_labels = dict(
            self.env["mail.notification"]._fields["failure_type"]._description_selection(self.env)
        )
        for message in self:
            failed = message.mail_ids.filtered(lambda mail: mail.state == "exception")
            notification = message._tracked_notification()
            message.failure_reason = (
                failed[-1:].failure_reason
                or notification.failure_reason
                or failure_labels.get(notification.failure_type)
                or False
            )

    # ------------------------------------------------------------------
    # Preparing messages (called by cobranca.line._dispatch)
    # ------------------------------------------------------------------

    @api.model
    def _open_items_domain(self, partners, companies):
        """What a reminder lists: the statement's open items but those paused today."""
        return self.env["account.move.line"]._cobranca_open_items_domain(
            partners, companies, on=fields.Date.context_today(self)
        )

    @api.model
    def _open_items_by_partner(self, partners, companies):
        """Open receivable items of the customers, ``{(company id, partner id): items}``.

        Items are the open instalments of their invoices that may be reminded, and
        their credits (credit notes, unreconciled payments). One query.
        """
        items = self.env["account.move.line"].search(
            self._open_items_domain(partners, companies), order="date_maturity, id"
        )
        items.fetch(
            [
                "company_id",
                "partner_id",
                "move_id",
                "currency_id",
                "amount_currency",
                "amount_residual",
                "amount_residual_currency",
                "date_maturity",
            ]
        )
        grouped = defaultdict(list)  # ids, browsed once (|= in a loop is quadratic)
        for item in items:
            grouped[(item.company_id.id, item.partner_id.commercial_partner_id.id)].append(item.id)
        return defaultdict(
            lambda: items.browse(),
            {key: items.browse(ids) for key, ids in grouped.items()},
        )

    @api.model
    def _items_signature(self, items):
        """A fingerprint of what a message lists: items and their open amounts."""
        payload = ";".join(
            f"{item.id}:{item.amount_residual_currency}" for item in items.sorted("id")
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    @api.model
    def _plan_channels(self, partner, lines):
        """Decide which channel carries which lines of one customer.

        Each line goes by every channel of its level. A channel that cannot reach
        the customer (no e-mail, no mobile, no postal address...) hands its lines
        to the next channel of their level, and in the end to a phone task, which
        always reaches the collector; the note says why.

        :return: ``{channel: (lines, recipient, note)}``
        """
        Level = self.env["cobranca.level"]
        order = [code for code, _field in Level._cobranca_channel_fields()]
        labels = dict(self._fields["channel"]._description_selection(self.env))
        # ids gathered in lists (|= in a loop is quadratic in the customer's lines)
        wanted = defaultdict(dict)  # channel: {line id: None}, an ordered set
        for line in lines:
            for code in line.level_id._cobranca_channels():
                wanted[code][line.id] = None
        plan, notes, unreachable = {}, defaultdict(list), set()
        for code in order:
            if not wanted.get(code):
                continue
            channel_lines = lines.browse(list(wanted[code]))
            recipient, problem = getattr(self, f"_recipient_{code}")(partner)
            if recipient:
                plan[code] = (channel_lines, recipient, " ".join(notes[code]) or False)
                continue
            unreachable.add(code)
            carried = notes.pop(code, [])
            for line in channel_lines:
                channels = line.level_id._cobranca_channels()
                later = [
                    other
                    for other in channels[channels.index(code) + 1 :]
                    if other not in unreachable
                ]
                target = later[0] if later else self._fallback_channel(code)
                wanted[target][line.id] = None
                note = self.env._(
                    "%(problem)s Next channel: %(channel)s.",
                    problem=problem,
                    channel=labels[target],
                )
                for text in [*carried, note]:
                    if text not in notes[target]:
                        notes[target].append(text)
        return plan

    @api.model
    def _fallback_channel(self, channel):
        """Hook: the channel of last resort when no channel of the level reaches the
        customer."""
        return FALLBACK_CHANNEL

    @api.model
    def _contacts_for(self, partner):
        """The customer's invoice addresses first, then the customer itself."""
        invoice_contacts = partner.child_ids.filtered(
            lambda contact: contact.type == "invoice" and contact.active
        )
        return invoice_contacts | partner

    @api.model
    def _recipient_email(self, partner):
        """The contact who receives reminder e-mails, or ``(False, why not)``.

        The customer's invoice address (a child contact of type invoice) when it
        has a valid e-mail, else the customer itself.
        """
        for contact in self._contacts_for(partner):
            if self._is_valid_email(contact.email) and not contact.message_bounce:
                return contact, False
        if partner.message_bounce and self._is_valid_email(partner.email):
            return False, self.env._("E-mails to %(email)s bounced.", email=partner.email)
        if (partner.email or "").strip():
            return False, self.env._(
                "The e-mail address %(email)s is not valid.", email=partner.email
            )
        return False, self.env._("The customer has no e-mail address.")

    @api.model
    def _is_valid_email(self, email):
        normalized = email_normalize(email or "")
        return bool(normalized and single_email_re.match(normalized))

    @api.model
    def _recipient_phone(self, partner):
        """Phone tasks always reach the collector; the contact to call is the invoice
        address when it has a phone number."""
        for contact in self._contacts_for(partner):
            if contact.phone or contact.mobile:
                return contact, False
        return partner, False

    @api.model
    def _collector_for(self, company, partner, policy):
        partner = partner.with_company(company)
        user = (
            partner.cobranca_collector_id
            or policy.collector_id
            or partner.user_id
            or (not self.env.su and self.env.user)
            or self.env.ref("base.user_admin", raise_if_not_found=False)
            or self.env.user
        )
        return user

    @api.model
    def _prepare_message_values(self, company, partner, channel, lines, recipient, items, note):
        top_level = lines.level_id.sorted(lambda level: level.days)[-1]
        latest = lines.sorted(lambda line: line.date)[-1]
        listed = items
        values = {
            "company_id": company.id,
            "partner_id": partner.id,
            "recipient_id": recipient.id,
            "channel": channel,
            "level_id": top_level.id,
            "run_id": latest.run_id.id,
            "date": latest.date,
            "line_ids": [Command.set(lines.ids)],
            "item_ids": [Command.set(listed.ids)],
            "amount_residual": company.currency_id.round(sum(listed.mapped("amount_residual"))),
            "items_signature": self._items_signature(listed),
            "note": note or False,
        }
        if channel in ("phone", "whatsapp"):
            values["user_id"] = self._collector_for(company, partner, top_level.policy_id).id
        if channel in ("sms", "whatsapp"):
            values["number"] = self._mobile_number(recipient)
        return values

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    #: Channels that reach the customer at a given moment, hence respect the
    #: company's send window (letters are printed and posted, not timed).
    TIMED_CHANNELS = ("email", "ar_email", "sms", "whatsapp", "phone")

    def _send(self):
        """Hand each message to its channel, then log it on invoices and customer.

        Outside the company's send window (night, weekend, holiday) the messages
        are scheduled for the next moment the window opens: e-mails wait in the
        mail queue, SMS are posted then, tasks are due that day.
        """
        self._ensure_portal_tokens()
        now = fields.Datetime.now()
        for company in self.company_id:
            moment = company._cobranca_next_send_moment(now)
            if moment > now:
                self.filtered(
                    lambda message, company=company: (
                        message.company_id == company and message.channel in self.TIMED_CHANNELS
                    )
                ).write({"scheduled_at": moment})
        by_channel = defaultdict(lambda: self.browse())
        for message in self:
            by_channel[message.channel] |= message
        for channel, messages in by_channel.items():
            getattr(messages, f"_send_{channel}")()
        self._log_on_documents()

    def _send_email(self):
        """Queue one e-mail per message, rendered from its level's template.

        The e-mail is kept after sending (no auto-delete): it is the record of
        what was sent.
        """
        values_list = []
        for template, messages in self._group_by_template().items():
            rendered = messages._render_mail(template)
            for message in messages:
                values_list.append(message._prepare_mail_values(template, rendered[message.id]))
        if values_list:
            self.env["mail.mail"].sudo().create(values_list)

    def _group_by_template(self):
        grouped = defaultdict(lambda: self.browse())
        for message in self:
            grouped[message._mail_template()] |= message
        return grouped

    def _mail_template(self):
        self.ensure_one()
        if self.kind == "thanks":
            return self.level_id.policy_id._thank_you_template()
        return self.level_id.mail_template_id

    def _render_mail(self, template):
        return template.sudo()._generate_template(
            self.ids, ("subject", "body_html", "email_from", "reply_to", "lang")
        )

    def _prepare_mail_values(self, template, rendered):
        self.ensure_one()
        return {
            "cobranca_message_id": self.id,
            "model": self._name,
            "res_id": self.id,
            "record_name": self.display_name,
            "subject": rendered.get("subject"),
            "body_html": rendered.get("body_html"),
            # the chatter of the message says what left; the e-mail itself is
            # kept once, in body_html (not copied into mail.message.body, where
            # Odoo would store it a second time and sanitise it twice: about a
            # third of the run's CPU)
            "body": self._mail_summary(rendered.get("subject")),
            "email_from": rendered.get("email_from")
            or self.company_id.email_formatted
            or self.env.user.email_formatted,
            "reply_to": rendered.get("reply_to") or False,
            "recipient_ids": [Command.link(self.recipient_id.id)],
            "author_id": self.company_id.partner_id.id,
            "auto_delete": False,
            "message_type": "email_outgoing",
            "mail_server_id": template.mail_server_id.id,
            "scheduled_date": self.scheduled_at or False,
        }

    def _mail_summary(self, subject):
        """The chatter line of a reminder's e-mail (its body stays on the e-mail)."""
        self.ensure_one()
        return Markup("<p>%s</p>") % self.env._(
            "E-mail “%(subject)s” to %(recipient)s.",
            subject=subject or "",
            recipient=self.recipient_id.display_name or "",
        )

    def _send_phone(self):
        """One call task per customer for their collector, listing the open items."""
        call_type = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        self._create_tasks(
            lambda message: message.level_id.activity_type_id or call_type,
            lambda message: self.env._("Collection call: %(level)s", level=message.level_id.name),
        )

    def _create_tasks(self, activity_type_of, summary_of):
        """A task (activity on the customer) per message, for its collector.

        An open task of an earlier message of the same channel for the same
        customer is replaced, so that a collector never has two calls (or two
        WhatsApp messages) to make to one customer. Outside the send window the
        task is due the day the window opens.
        """
        customers = {(message.company_id, message.partner_id, message.channel) for message in self}
        previous = (
            self.env["mail.activity"]
            .search(
                [
                    ("cobranca_message_id.partner_id", "in", self.partner_id.ids),
                    ("cobranca_message_id", "not in", self.ids),
                    ("cobranca_message_id.channel", "in", list({m.channel for m in self})),
                ]
            )
            .filtered(
                lambda activity: (
                    (
                        activity.cobranca_message_id.company_id,
                        activity.cobranca_message_id.partner_id,
                        activity.cobranca_message_id.channel,
                    )
                    in customers
                )
            )
        )
        if previous:
            superseded = previous.cobranca_message_id
            previous.sudo().unlink()
            superseded.write(
                {
                    "is_cancelled": True,
                    "note": self.env._("Replaced by a newer task."),
                }
            )
        partner_model = self.env["ir.model"]._get_id("res.partner")
        values_list = []
        for message in self:
            due = message.date
            if message.scheduled_at:
                local = fields.Datetime.context_timestamp(
                    message.with_context(tz=message.company_id._cobranca_timezone().zone),
                    message.scheduled_at,
                )
                due = max(due, local.date())
            values_list.append(
                {
                    "cobranca_message_id": message.id,
                    "res_model_id": partner_model,
                    "res_id": message.partner_id.id,
                    "activity_type_id": activity_type_of(message).id,
                    "summary": summary_of(message),
                    "note": message._render_activity_note(),
                    "user_id": message.user_id.id,
                    "date_deadline": due,
                }
            )
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            values_list
        )

    def _render_activity_note(self):
        self.ensure_one()
        template = {
            "whatsapp": "cobranca_addon.cobranca_whatsapp_note",
        }.get(self.channel, "cobranca_addon.cobranca_activity_note")
        return self.env["ir.qweb"]._render(
            template,
            {
                "object": self,
                "format_amount": lambda amount, currency: format_amount(self.env, amount, currency),
                "format_date": lambda value: format_date(self.env, value),
            },
        )

    def _ensure_portal_tokens(self):
        """Give the listed invoices a portal access token, in one statement."""
        moves = self.item_ids.move_id.filtered(lambda move: not move.access_token)
        if not moves:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move SET access_token = gen_random_uuid()::text
                 WHERE id = ANY(%s) AND access_token IS NULL
                """,
                moves.ids,
            )
        )
        moves.invalidate_recordset(["access_token"])

    def _log_on_documents(self):
        """Log each message on the chatter of its invoices and of the customer."""
        labels = dict(self._fields["channel"]._description_selection(self.env))
        move_bodies, partner_bodies = defaultdict(list), defaultdict(list)
        for message in self:
            recipient = (
                message.user_id.name
                if message.channel in ("phone", "whatsapp")
                else message.recipient_id.display_name
            )
            if message.kind == "thanks":
                text = self.env._(
                    "Thank-you message for the payment (%(channel)s) to %(recipient)s.",
                    channel=labels[message.channel],
                    recipient=recipient,
                )
            else:
                text = self.env._(
                    "Collection reminder “%(level)s” (%(channel)s) for %(recipient)s.",
                    level=message.level_id.name,
                    channel=labels[message.channel],
                    recipient=recipient,
                )
            link = Markup('<a href="#" data-oe-model="cobranca.message" data-oe-id="%s">%s</a>') % (
                message.id,
                text,
            )
            if message.note:
                link += Markup("<br/>") + message.note
            for move in message.line_ids.move_id:
                move_bodies[move.id].append(link)
            partner_bodies[message.partner_id.id].append(link)

        def join(bodies):
            return {key: Markup("<br/>").join(values) for key, values in bodies.items()}

        if move_bodies:
            self.env["account.move"].browse(list(move_bodies))._message_log_batch(join(move_bodies))
        if partner_bodies:
            self.env["res.partner"].browse(list(partner_bodies))._message_log_batch(
                join(partner_bodies)
            )

    # ------------------------------------------------------------------
    # What the templates show
    # ------------------------------------------------------------------

    @api.model
    def _listed_items_limit(self):
        """Hook: how many items one message lists at most (e-mail, letter, task,
        WhatsApp). The totals always count every open item; the items beyond
        are summed up in one row, so that the message of a customer with
        thousands of open items stays readable and its rendering bounded."""
        return LISTED_ITEMS_LIMIT

    @api.model
    def _cobranca_formatters(self):
        """``(money, day)``: ``money(amount, currency)`` and ``day(date)`` write
        amounts and dates as Odoo's ``format_amount`` and ``format_date`` do, in
        the language of the rendering (the customer's), the language looked up
        once. (Odoo's functions look it up again for every value, and
        ``res.lang.format`` reads its grouping again: a fifth of the time of
        rendering a reminder of many items.)"""
        lang = get_lang(self.env)
        grouping = ast.literal_eval(lang.grouping)
        thousands, decimal = lang.thousands_sep or "", lang.decimal_point
        locale = babel_locale_parse(lang.code)
        date_format = posix_to_ldml(lang.date_format, locale=locale)

        def money(amount, currency):
            whole, _point, cents = (
                f"{currency.round(amount):.{currency.decimal_places}f}".partition(".")
            )
            number = intersperse(whole, grouping, thousands)[0] + (decimal + cents if cents else "")
            number = number.replace(" ", "\N{NO-BREAK SPACE}").replace(
                "-", "-\N{ZERO WIDTH NO-BREAK SPACE}"
            )
            symbol = currency.symbol or ""
            if currency.position == "before":
                return f"{symbol}\N{NO-BREAK SPACE}{number}"
            return f"{number}\N{NO-BREAK SPACE}{symbol}"

        def day(value):
            return (
                babel.dates.format_date(value, format=date_format, locale=locale) if value else ""
            )

        return money, day

    def _item_groups(self):
        """The listed items grouped per currency, for templates and tasks.

        :return: list of dicts with ``currency``, ``items`` (dicts with the
            invoice, instalment label, due date, original and open amounts,
            days late and payment link), ``credits``, ``total`` (of every open
            item, rounded with the currency), and ``more`` / ``more_residual``:
            how many items, and how much open amount, are beyond
            :meth:`_listed_items_limit` (the most overdue are listed first);
            dates and amounts also as texts in the customer's language
            (``date_text``, ``amount_text``, ``residual_text`` — negative for a
            credit —, ``total_text``, ``more_residual_text``).
        """
        self.ensure_one()
        groups = {}
        today = self.date or fields.Date.context_today(self)
        room = self._listed_items_limit()
        money, day = self._cobranca_formatters()
        for item in self.item_ids.sorted(lambda i: (i.date_maturity or today, i.id)):
            currency = item.currency_id
            group = groups.setdefault(
                currency.id,
                {
                    "currency": currency,
                    "items": [],
                    "credits": [],
                    "total": 0.0,
                    "more": 0,
                    "more_residual": 0.0,
                },
            )
            group["total"] += item.amount_residual_currency
            if room <= 0:
                group["more"] += 1
                group["more_residual"] += item.amount_residual_currency
                continue
            room -= 1
            move = item.move_id
            entry = {
                "item": item,
                "move": move,
                "name": move._cobranca_document_name(),
                "instalment": item._cobranca_instalment_label(),
                "date_due": item.date_maturity,
                "amount": abs(item.amount_currency),
                "residual": abs(item.amount_residual_currency),
                "days_late": (today - item.date_maturity).days if item.date_maturity else 0,
                "url": move._cobranca_payment_url(),
            }
            # the same, written in the customer's language (the templates show these)
            entry["date_text"] = day(entry["date_due"])
            entry["amount_text"] = money(entry["amount"], currency)
            entry["residual_text"] = money(
                entry["residual"] if item.amount_residual_currency >= 0 else -entry["residual"],
                currency,
            )
            group["credits" if item.amount_residual_currency < 0 else "items"].append(entry)
        for group in groups.values():
            group["total"] = group["currency"].round(group["total"])
            group["more_residual"] = group["currency"].round(group["more_residual"])
            group["total_text"] = money(group["total"], group["currency"])
            group["more_residual_text"] = money(group["more_residual"], group["currency"])
        return list(groups.values())

    def _creditor(self):
        """The creditor identification of CDC art. 42-A: name, address, CNPJ."""
        self.ensure_one()
        return self.company_id._cobranca_creditor()

    # ------------------------------------------------------------------
    # At the moment of sending (called by mail.mail._send)
    # ------------------------------------------------------------------

    def _refresh_before_sending(self, note=None):
        """Check reminders once more, just before they leave (any channel).

        Lines whose item was paid or excluded meanwhile are cancelled, with the
        reason; a message whose lines are all cancelled is cancelled itself (with
        ``note``); the others list the customer's current open items again.

        :return: ``(cancelled messages, messages whose items changed)``
        """
        reminders = self.filtered(lambda message: message.kind == "reminder")
        reminders.line_ids.move_line_id.fetch(
            ["amount_residual_currency", "reconciled", "currency_id"]
        )
        reminders.line_ids.move_id.fetch(
            ["state", "payment_state", "cobranca_excluded", "cobranca_paused_until"]
        )
        current = self._open_items_by_partner(reminders.partner_id, reminders.company_id)
        cancelled = changed = self.browse()
        for message in reminders:
            closed = message.line_ids.filtered(lambda line: line._item_closed_reason())
            for line in closed:
                line.write({"state": "cancelled", "note": line._item_closed_reason()})
            if closed == message.line_ids:
                cancelled |= message
                continue
            items = current.get(
                (message.company_id.id, message.partner_id.id), self.env["account.move.line"]
            )
            signature = self._items_signature(items)
            if signature != message.items_signature:
                message.write(
                    {
                        "item_ids": [Command.set(items.ids)],
                        "items_signature": signature,
                        "amount_residual": message.company_id.currency_id.round(
                            sum(items.mapped("amount_residual"))
                        ),
                    }
                )
                changed |= message
        cancelled.write(
            {
                "is_cancelled": True,
                "note": note
                or self.env._("Cancelled before sending: all its items were paid or excluded."),
            }
        )
        return cancelled, changed

    def _check_before_send(self, mails):
        """Last check before the e-mails go out (called by ``mail.mail._send``).

        A message whose items were all paid (or excluded) in the meantime is
        cancelled; one whose listed items changed is rendered again with the
        current amounts.
        """
        cancelled, changed = self._refresh_before_sending()
        mails.filtered(lambda mail: mail.cobranca_message_id in cancelled).cancel()
        changed._ensure_portal_tokens()
        for message in changed:
            rendered = message._render_mail(message._mail_template())[message.id]
            body, values = rendered.get("body_html"), {}
            if message.channel == "ar_email":
                body, evidence = message._rendered_again(rendered)
                values["headers"] = repr({"X-Cobranca-Evidence": evidence.name})
            mails.filtered(lambda mail, message=message: mail.cobranca_message_id == message).write(
                {
                    "subject": rendered.get("subject"),
                    "body_html": body,
                    "body": message._mail_summary(rendered.get("subject")),
                    **values,
                }
            )

    def _on_mail_sent(self):
        """Called when the message's e-mail was accepted by the SMTP server."""
        self.write({"date_sent": fields.Datetime.now()})

    # ------------------------------------------------------------------
    # Failures: retried, never duplicated, never lost
    # ------------------------------------------------------------------

    @api.model
    def _cron_retry_failed(self, limit=500):
        """Retry failed reminder e-mails; give up to a phone task when hopeless.

        A transient failure (the SMTP server refused or timed out) re-queues the
        same e-mail (never a copy) up to :data:`MAX_SEND_ATTEMPTS` times. An
        unreachable address, or too many attempts, hands the lines to a phone
        task with the reason. A failed SMS (wrong number, no credit) goes to a
        phone task at once: Odoo's SMS service already retried what it could.
        """
        failed = self.search(
            [
                ("channel", "in", ("email", "ar_email", "sms")),
                ("state", "=", "failed"),
                ("fallback_message_id", "=", False),
                ("attempt_count", "<=", MAX_SEND_ATTEMPTS),
            ],
            limit=limit,
        )
        to_retry, hopeless = self.browse(), self.browse()
        for message in failed:
            if message.channel == "sms":
                hopeless |= message
                continue
            mail = message.mail_ids.sorted("id")[-1]
            if mail.failure_type in ADDRESS_FAILURES or message.attempt_count >= MAX_SEND_ATTEMPTS:
                hopeless |= message
            else:
                to_retry |= message
        for message in to_retry:
            message.attempt_count += 1
        to_retry.mail_ids.filtered(lambda mail: mail.state == "exception").mark_outgoing()
        reminders = hopeless.filtered(lambda message: message.kind == "reminder")
        reminders._fallback_to_phone()
        # a thank-you that cannot be delivered is not worth a call: it stays failed
        (hopeless - reminders).write({"attempt_count": MAX_SEND_ATTEMPTS + 1})
        return len(to_retry), len(hopeless)

    def _fallback_to_phone(self):
        values_list = []
        labels = dict(self._fields["channel"]._description_selection(self.env))
        for message in self:
            reason = self.env._(
                "The reminder could not be delivered (%(channel)s: %(reason)s): a phone "
                "task replaces it.",
                channel=labels[message.channel],
                reason=message.failure_reason or "-",
            )
            values = self._prepare_message_values(
                message.company_id,
                message.partner_id,
                "phone",
                message.line_ids,
                message.partner_id,
                message.item_ids,
                reason,
            )
            values["run_id"] = False
            values["date"] = fields.Date.context_today(self)
            values_list.append(values)
        if not values_list:
            return self.browse()
        phones = self.with_context(**NO_CHATTER_NOISE).create(values_list)
        for message, phone in zip(self, phones, strict=True):
            message.fallback_message_id = phone
            message.line_ids.write({"note": phone.note})
        phones._send()
        return phones

    @api.model
    def _cancel_obsolete(self, moves=None):
        """Cancel queued e-mails and open tasks whose items are all settled.

        :param moves: only look at the messages of these invoices
        """
        domain = [("state", "in", ("scheduled", "queued", "todo")), ("kind", "=", "reminder")]
        if moves is not None:
            domain.append(("line_ids.move_id", "in", moves.ids))
        messages = self.search(domain)
        if not messages:
            return self.browse()
        messages.line_ids.move_line_id.fetch(
            ["amount_residual_currency", "reconciled", "currency_id"]
        )
        messages.line_ids.move_id.fetch(
            ["state", "payment_state", "cobranca_excluded", "cobranca_paused_until"]
        )
        obsolete = messages.filtered(
            lambda message: all(line._item_closed_reason() for line in message.line_ids)
        )
        if not obsolete:
            return obsolete
        obsolete.mail_ids.filtered(lambda mail: mail.state == "outgoing").cancel()
        obsolete.activity_ids.sudo().unlink()
        obsolete.write(
            {
                "is_cancelled": True,
                "note": self.env._("Cancelled: all its items were paid, excluded or paused."),
            }
        )
        return obsolete

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_mail(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.mail",
            "res_id": self.mail_ids.sorted("id")[-1:].id,
            "view_mode": "form",
            "target": "current",
        }

    def action_cobranca_log_contact(self):
        """Log what came of this message's contact; for an open task, saving it
        completes the task."""
        self.ensure_one()
        activity = self.activity_ids[:1]
        if activity:
            return activity.action_cobranca_log_outcome()
        return self.env["cobranca.negotiation"]._action_log(
            self.partner_id, self.line_ids.move_id, message=self
        )

    def action_retry(self):
        """Re-queue the failed e-mail of the message (the same e-mail, not a copy).

        Managers only (who may write messages); the mail queue itself is the
        administrator's, hence ``sudo`` once the right was checked.
        """
        if not self.env.user.has_group("cobranca_addon.group_cobranca_manager"):
            raise AccessError(self.env._("Only Cobrança managers may retry a reminder."))
        self.check_access("write")
        self.sudo().mail_ids.filtered(lambda mail: mail.state == "exception").mark_outgoing()
