import base64
import json
import logging
import secrets
from datetime import datetime, timedelta, timezone

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import evidencia, mensagem

_logger = logging.getLogger(__name__)

EVENT_KINDS = [
    ("created", "Handed to the SMTP server"),
    ("accepted", "Accepted by the server"),
    ("failed", "Sending failed"),
    ("delivered", "Delivered (delivery notification)"),
    ("delayed", "Delayed (delivery notification)"),
    ("bounced", "Bounced"),
    ("opened", "Opened (image loaded)"),
    ("viewed", "Acknowledgement page opened"),
    ("acknowledged", "Receipt acknowledged"),
]

STATES = [
    ("queued", "Queued"),
    ("failed", "Failed"),
    ("accepted", "Accepted by the server"),
    ("delivered", "Delivered"),
    ("opened", "Opened"),
    ("acknowledged", "Acknowledged"),
    ("bounced", "Bounced"),
]

#: The events that make an evidence's state, the strongest first.
STATE_OF_EVENT = (
    ("acknowledged", "acknowledged"),
    ("bounced", "bounced"),
    ("viewed", "opened"),
    ("opened", "opened"),
    ("delivered", "delivered"),
    ("accepted", "accepted"),
    ("failed", "failed"),
)

#: Context key of the module's own writes on evidence (nobody else writes it).
INTERNAL = "cobranca_evidence_internal"


def utc_now():
    """Now, in UTC, to the microsecond (the time recorded in the events)."""
    return datetime.now(timezone.utc)


class CobrancaEvidence(models.Model):
    """The proof of an AR-tracked e-mail: the exact bytes handed to the SMTP
    server, their SHA-256 and their attachments', and an append-only chain of
    events (handed over, accepted, delivered, bounced, opened, acknowledged,
    failed), each bound by its hash to the previous one.

    Nobody edits or deletes it through the application, managers included; the
    module appends events and, after the retention period, erases the IP
    addresses and user agents of its events (their salted commitments stay in
    the chain, which still verifies). See :mod:`..tools.evidencia`.
    """

    _name = "cobranca.evidence"
    _description = "E-mail Evidence (AR)"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False, index="trigram")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True,
        ondelete="restrict",
    )  # fmt: skip
    recipient_id = fields.Many2one("res.partner", readonly=True, ondelete="restrict")
    message_id = fields.Many2one(
        "cobranca.message", string="Reminder", readonly=True, index=True, ondelete="restrict"
    )
    mail_id = fields.Many2one(
        "mail.mail", string="E-mail", readonly=True, index="btree_not_null", ondelete="set null",
        help="The e-mail of the mail queue; the evidence keeps its own copy of the bytes sent, "
        "so it survives the queue's cleanup.",
    )  # fmt: skip
    move_ids = fields.Many2many(
        "account.move",
        "cobranca_evidence_move_rel",
        "evidence_id",
        "move_id",
        string="Invoices",
        readonly=True,
    )
    token = fields.Char(readonly=True, copy=False, groups="base.group_system")
    state = fields.Selection(STATES, default="queued", readonly=True, index=True)
    message_id_header = fields.Char(string="Message-ID", readonly=True, index="btree_not_null")
    email_from = fields.Char(string="Sender", readonly=True)
    email_to = fields.Char(string="Recipient Address", readonly=True)
    subject = fields.Char(readonly=True)
    raw_message = fields.Binary(
        string="Message (.eml)",
        attachment=False,
        readonly=True,
        help="The exact RFC 5322 bytes handed to the SMTP server.",
    )
    raw_filename = fields.Char(compute="_compute_raw_filename")
    raw_sha256 = fields.Char(string="SHA-256 of the Message", readonly=True)
    raw_size = fields.Integer(string="Size (Bytes)", readonly=True)
    attachment_ids = fields.One2many(
        "cobranca.evidence.attachment", "evidence_id", string="Attachments", readonly=True
    )
    smtp_server = fields.Char(string="SMTP Server", readonly=True)
    smtp_reply = fields.Char(string="Server Reply", readonly=True)
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    date_accepted = fields.Datetime(string="Accepted On", readonly=True)
    date_delivered = fields.Datetime(string="Delivered On", readonly=True)
    date_opened = fields.Datetime(string="First Opened On", readonly=True)
    date_acknowledged = fields.Datetime(string="Acknowledged On", readonly=True)
    date_bounced = fields.Datetime(string="Bounced On", readonly=True)
    event_ids = fields.One2many("cobranca.evidence.event", "evidence_id", readonly=True)
    event_count = fields.Integer(compute="_compute_event_count")
    head_hash = fields.Char(
        string="Chain Head",
        readonly=True,
        help="The hash of the last event, printed in the laudo: a chain that no longer ends "
        "with it was cut or rebuilt.",
    )
    integrity = fields.Selection(
        [("unchecked", "Not Verified"), ("ok", "Intact"), ("broken", "Altered")],
        default="unchecked",
        readonly=True,
    )
    verification = fields.Text(string="Verification Result", readonly=True)
    date_verified = fields.Datetime(string="Verified On", readonly=True)
    anonymised = fields.Boolean(
        readonly=True,
        help="LGPD: the e-mail's bytes and the personal values of its events were erased "
        "after the retention period; the digests and the chain remain and verify.",
    )
    followed_up = fields.Boolean(
        readonly=True,
        help="The customer was moved to the level's next channel (bounced, or no "
        "acknowledgement in time).",
    )

    _sql_constraints = [
        ("name_unique", "UNIQUE(name)", "An evidence number is unique."),
    ]

    def _compute_raw_filename(self):
        for evidence in self:
            evidence.raw_filename = f"{(evidence.name or 'evidence').replace('/', '-')}.eml"

    def _compute_event_count(self):
        counts = dict(
            self.env["cobranca.evidence.event"]._read_group(
                [("evidence_id", "in", self.ids)], ["evidence_id"], ["__count"]
            )
        )
        for evidence in self:
            evidence.event_count = counts.get(evidence, 0)

    # ------------------------------------------------------------------
    # Nobody rewrites evidence
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get(INTERNAL):
            raise UserError(self.env._("Evidence is recorded by the régua only."))
        for vals in vals_list:
            vals["name"] = self.env["ir.sequence"].sudo().next_by_code("cobranca.evidence")
            vals["token"] = secrets.token_urlsafe(32)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.context.get(INTERNAL):
            raise UserError(
                self.env._("Evidence cannot be changed: it is the record of what was sent.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Evidence cannot be deleted."))

    def _internal(self):
        return self.sudo().with_context(**{INTERNAL: True})

    # ------------------------------------------------------------------
    # Created with the reminder, before its e-mail
    # ------------------------------------------------------------------

    @api.model
    def _prepare_for(self, messages):
        """One evidence (queued, with its token) per AR-tracked message."""
        return (
            self.env["cobranca.evidence"]
            ._internal()
            .create(
                [
                    {
                        "company_id": message.company_id.id,
                        "partner_id": message.partner_id.id,
                        "recipient_id": message.recipient_id.id,
                        "message_id": message.id,
                        "email_to": message.recipient_id.email,
                        "move_ids": [Command.set(message.line_ids.move_id.ids)],
                    }
                    for message in messages
                ]
            )
        )

    def _url(self, kind):
        """The public URL of the tracking image (``open``) or of the
        acknowledgement page (``ack``)."""
        self.ensure_one()
        token = self.sudo().token
        base = self.get_base_url()
        if kind == "open":
            return f"{base}/cobranca/ar/{self.id}/{token}/i.png"
        return f"{base}/cobranca/ar/{self.id}/{token}"

    def _footer(self):
        """What an AR-tracked e-mail adds to its template's body: the link to
        acknowledge the receipt and the tracking image."""
        self.ensure_one()
        return self.env["ir.qweb"]._render(
            "cobranca_addon.cobranca_evidence_mail_footer",
            {"evidence": self, "ack_url": self._url("ack"), "image_url": self._url("open")},
        )

    # ------------------------------------------------------------------
    # The chain of events
    # ------------------------------------------------------------------

    def _lock(self):
        """Serialise the appends to one evidence's chain (two workers, or a
        worker and a web request, may record events at the same time)."""
        self.env.cr.execute(
            SQL("SELECT id FROM cobranca_evidence WHERE id = ANY(%s) FOR UPDATE", self.ids)
        )

    def _append_event(self, kind, details=None, personal=None, when=None):
        """Append an event to the chain: its payload (what happened, when, and the
        commitments of personal values), hashed with the previous event's hash.

        :param personal: ``{"ip": ..., "user_agent": ...}``, kept beside the event
            and erased after the retention period
        """
        self.ensure_one()
        self._lock()
        Event = self.env["cobranca.evidence.event"].sudo()
        last = Event.search([("evidence_id", "=", self.id)], order="sequence desc", limit=1)
        when = when or utc_now()
        commitments, sealed = evidencia.seal_personal(
            {name: (value or None) and str(value)[:512] for name, value in (personal or {}).items()}
        )
        payload = {"kind": kind, "at": when, "evidence": self.name, **(details or {})}
        if commitments:
            payload[evidencia.PERSONAL_KEY] = commitments
        event = evidencia.chain_event(
            last.hash if last else evidencia.GENESIS, (last.sequence if last else 0) + 1, payload
        )
        values = {
            "evidence_id": self.id,
            "sequence": event["sequence"],
            "kind": kind,
            "date": when.replace(tzinfo=None),
            "payload": json.dumps(event["payload"], ensure_ascii=False, sort_keys=True),
            "previous_hash": event["previous_hash"],
            "hash": event["hash"],
        }
        for name, (value, salt) in sealed.items():
            values.update({name: value, f"{name}_salt": salt})
        record = Event.with_context(**{INTERNAL: True}).create(values)
        self._internal().write({"head_hash": event["hash"], "state": self._state_after(kind)})
        return record

    def _state_after(self, kind):
        """The evidence's state once an event of ``kind`` is added."""
        self.ensure_one()
        kinds = set(self.event_ids.mapped("kind")) | {kind}
        for event_kind, state in STATE_OF_EVENT:
            if event_kind in kinds:
                return state
        return "queued"

    # ------------------------------------------------------------------
    # At the sending point (called by ir.mail_server.send_email)
    # ------------------------------------------------------------------

    @api.model
    def _for_outgoing(self, message):
        """The evidence of an outgoing ``email.message.Message``, if it is one."""
        name = message.get("X-Cobranca-Evidence")
        if not name:
            return self.browse()
        return self.sudo().search([("name", "=", str(name).strip())], limit=1)

    def _bytes_to_send(self, message, international):
        """The bytes to hand to the server: the ones of the first attempt when it
        was made (a retry sends the very same message, never another one)."""
        self.ensure_one()
        if self.raw_message:
            return base64.b64decode(self.raw_message)
        return mensagem.flatten(message, international=international)

    def _record_attempt(self, capture, error=None):
        """Record one attempt: on the first, the bytes and their digests and the
        "handed to the server" event; then "accepted" or "failed"."""
        self.ensure_one()
        raw = capture.get("raw")
        evidence = self._internal()
        if raw and not self.raw_message:
            digest = evidencia.sha256_hex(raw)
            found = mensagem.headers(raw)
            evidence.write(
                {
                    "raw_message": base64.b64encode(raw),
                    "raw_sha256": digest,
                    "raw_size": len(raw),
                    "message_id_header": found.get("Message-Id"),
                    "email_from": found.get("From"),
                    "subject": found.get("Subject"),
                    "attachment_ids": [
                        Command.create(
                            {"name": name, "mimetype": kind, "size": len(data), "sha256": sha}
                        )
                        for name, kind, data, sha in mensagem.attachments(raw)
                    ],
                }
            )
            self._append_event(
                "created",
                {
                    evidencia.BINDING_KEY: digest,
                    "size": len(raw),
                    "message_id": found.get("Message-Id"),
                    "from": found.get("From"),
                    "to": found.get("To"),
                    "subject": found.get("Subject"),
                    "date_header": found.get("Date"),
                    "attachments": [
                        {"name": name, "sha256": sha}
                        for name, _kind, _data, sha in mensagem.attachments(raw)
                    ],
                    "envelope_from": capture.get("envelope_from"),
                    "envelope_to": capture.get("envelope_to") or [],
                    "smtp_server": capture.get("server"),
                },
                when=capture.get("handed_at"),
            )
        evidence.write({"attempt_count": self.attempt_count + 1})
        if error is None and capture.get("code") == 250:
            reply = capture.get("reply") or ""
            evidence.write(
                {
                    "smtp_server": capture.get("server"),
                    "smtp_reply": f"{capture['code']} {reply}"[:512],
                    "date_accepted": capture["accepted_at"].replace(tzinfo=None),
                }
            )
            self._append_event(
                "accepted",
                {
                    "smtp_code": capture["code"],
                    "smtp_reply": reply,
                    "smtp_server": capture.get("server"),
                    "attempt": self.attempt_count,
                },
                when=capture["accepted_at"],
            )
        else:
            self._append_event(
                "failed",
                {
                    "attempt": self.attempt_count,
                    "error": str(error or capture.get("reply") or "")[:1000],
                    "smtp_code": capture.get("code"),
                    "smtp_server": capture.get("server"),
                },
            )

    # ------------------------------------------------------------------
    # What comes back: delivery notifications and bounces
    # ------------------------------------------------------------------

    @api.model
    def _parse_report(self, email_message):
        """What an incoming delivery status notification says (empty values for
        any other message)."""
        return mensagem.delivery_report(email_message)

    @api.model
    def _by_message_ids(self, message_ids, envelope_id=None):
        """The evidences of the e-mails with these Message-IDs (or of the envelope
        id a delivery notification returns)."""
        ids = [str(value).strip() for value in (message_ids or []) if value]
        domain = [("message_id_header", "in", ids)] if ids else []
        if envelope_id:
            domain = ["|", *domain, ("name", "=", envelope_id)] if domain else [
                ("name", "=", envelope_id)
            ]  # fmt: skip
        if not domain:
            return self.browse()
        return self.sudo().search(domain)

    def _record_report(self, kind, report, raw_report=None):
        """A delivery status notification (or a bounce) of this evidence's e-mail."""
        details = {
            "action": report.get("action"),
            "status": report.get("status"),
            "diagnostic": (report.get("diagnostic") or "")[:1000],
            "final_recipient": report.get("final_recipient"),
            "reporting_mta": report.get("reporting_mta"),
            "report_message_id": report.get("message_id"),
        }
        if raw_report:
            details["report_sha256"] = evidencia.sha256_hex(raw_report)
        date_field = {"delivered": "date_delivered", "bounced": "date_bounced"}.get(kind)
        for evidence in self:
            evidence._append_event(kind, details)
            if date_field and not evidence[date_field]:
                evidence._internal().write({date_field: fields.Datetime.now()})
            evidence.message_id._log_evidence_event(evidence, kind)
        if kind == "bounced":
            # the level's next channel at once (letter, phone task)
            self._follow_up_now()

    def _follow_up_now(self):
        for evidence in self.filtered(lambda e: not e.followed_up and e.message_id):
            reason = self.env._("The AR-tracked e-mail %(name)s bounced.", name=evidence.name)
            evidence.message_id._fallback_to_next_channel(reason)
            evidence._internal().write({"followed_up": True})

    # ------------------------------------------------------------------
    # What the customer does: opening, acknowledgement (public routes)
    # ------------------------------------------------------------------

    def _check_token(self, token):
        """Whether ``token`` opens this evidence (compared in constant time)."""
        self.ensure_one()
        stored = self.sudo().token or ""
        return bool(token) and secrets.compare_digest(stored.encode(), str(token).encode())

    def _record_open(self, ip, user_agent):
        """The tracking image was loaded. Recorded once per hour at most: image
        proxies and reloads would otherwise fill the chain."""
        self.ensure_one()
        recent = self.event_ids.filtered(
            lambda event: (
                event.kind == "opened" and event.date > fields.Datetime.now() - timedelta(hours=1)
            )
        )
        if recent:
            return False
        self._append_event("opened", personal={"ip": ip, "user_agent": user_agent})
        if not self.date_opened:
            self._internal().write({"date_opened": fields.Datetime.now()})
        return True

    def _record_view(self, ip, user_agent):
        self.ensure_one()
        recent = self.event_ids.filtered(
            lambda event: (
                event.kind == "viewed" and event.date > fields.Datetime.now() - timedelta(hours=1)
            )
        )
        if not recent:
            self._append_event("viewed", personal={"ip": ip, "user_agent": user_agent})

    def _record_acknowledgement(self, ip, user_agent):
        """The customer clicked "Confirmo o recebimento" on the acknowledgement page."""
        self.ensure_one()
        if self.date_acknowledged:
            return False
        self._append_event("acknowledged", personal={"ip": ip, "user_agent": user_agent})
        self._internal().write({"date_acknowledged": fields.Datetime.now()})
        self.message_id._log_evidence_event(self, "acknowledged")
        return True

    # ------------------------------------------------------------------
    # Verification
    # ------------------------------------------------------------------

    def _problems(self):
        """Every problem of this evidence, read straight from the database (not
        from the ORM cache), as :class:`..tools.evidencia.Problem`."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT raw_message, raw_sha256, head_hash FROM cobranca_evidence WHERE id = %s",
                self.id,
            )
        )
        raw_b64, raw_sha256, head = self.env.cr.fetchone()
        self.env.cr.execute(
            SQL(
                """
                SELECT sequence, previous_hash, hash, payload, ip, ip_salt,
                       user_agent, user_agent_salt
                  FROM cobranca_evidence_event
                 WHERE evidence_id = %s
                 ORDER BY sequence, id
                """,
                self.id,
            )
        )
        events = []
        for (
            sequence,
            previous,
            stored,
            payload,
            ip,
            ip_salt,
            agent,
            agent_salt,
        ) in self.env.cr.fetchall():
            try:
                data = json.loads(payload)
            except (TypeError, ValueError):
                data = payload
            events.append(
                {
                    "sequence": sequence,
                    "previous_hash": previous,
                    "hash": stored,
                    "payload": data,
                    "personal": {"ip": (ip, ip_salt), "user_agent": (agent, agent_salt)},
                }
            )
        self.env.cr.execute(
            SQL(
                "SELECT name, sha256 FROM cobranca_evidence_attachment"
                " WHERE evidence_id = %s ORDER BY id",
                self.id,
            )
        )
        stored_attachments = self.env.cr.fetchall()
        if not raw_b64:
            # nothing was handed to the server yet: only the chain (if any)
            # (or they were erased, LGPD: the chain stays bound to the stored digest)
            if not events:
                return []
            return evidencia.verify_chain(events, head=head, message_sha256=raw_sha256 or None)
        raw = base64.b64decode(bytes(raw_b64) if isinstance(raw_b64, memoryview) else raw_b64)
        found = mensagem.attachments(raw)
        attachments = [
            (name, found[index][2] if index < len(found) else None, sha)
            for index, (name, sha) in enumerate(stored_attachments)
        ]
        return evidencia.verify_evidence(raw, raw_sha256, events, attachments, head=head)

    def verify_integrity(self):
        """Recompute every hash and the chain; store and return what does not match.

        :return: ``{evidence id: [problem sentences]}`` (empty lists when intact)
        """
        result = {}
        for evidence in self:
            problems = evidence._problems()
            details = [problem.detail for problem in problems]
            result[evidence.id] = details
            evidence._internal().write(
                {
                    "integrity": "broken" if problems else "ok",
                    "verification": "\n".join(details)
                    or self.env._(
                        "Intact: the message's SHA-256, its attachments' and the %(count)s "
                        "events of the chain match.",
                        count=len(evidence.event_ids),
                    ),
                    "date_verified": fields.Datetime.now(),
                }
            )
        return result

    def action_verify_integrity(self):
        result = self.verify_integrity()
        broken = [evidence for evidence in self if result[evidence.id]]
        message = (
            self.env._("Altered: %(problems)s", problems=" ".join(result[broken[0].id]))
            if broken
            else self.env._("Intact: every hash and the chain match.")
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Verification"),
                "message": message,
                "type": "danger" if broken else "success",
                "sticky": bool(broken),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------
    # Documents: the .eml and the laudo técnico
    # ------------------------------------------------------------------

    def action_download_eml(self):
        self.ensure_one()
        if not self.raw_message and self.anonymised:
            raise UserError(
                self.env._(
                    "The bytes of this e-mail were erased after the retention period (LGPD); "
                    "its SHA-256 and chain remain."
                )
            )
        if not self.raw_message:
            raise UserError(self.env._("Nothing was handed to the SMTP server yet."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/cobranca.evidence/{self.id}/raw_message/"
            f"{self.raw_filename}?download=true",
            "target": "self",
        }

    def action_print_laudo(self):
        self.verify_integrity()
        return self.env.ref("cobranca_addon.action_report_cobranca_evidence").report_action(self)

    def action_attach_laudo(self):
        """Attach the laudo técnico (PDF) to the chatter of the evidence's invoices."""
        report = self.env.ref("cobranca_addon.action_report_cobranca_evidence")
        for evidence in self:
            evidence.verify_integrity()
            pdf, _kind = report.sudo()._render_qweb_pdf(report.report_name, evidence.ids)
            filename = self.env._(
                "Laudo %(name)s.pdf", name=evidence.name.replace("/", "-")
            )  # fmt: skip
            for move in evidence.move_ids:
                attachment = (
                    self.env["ir.attachment"]
                    .sudo()
                    .create(
                        {
                            "name": filename,
                            "datas": base64.b64encode(pdf),
                            "mimetype": "application/pdf",
                            "res_model": "account.move",
                            "res_id": move.id,
                        }
                    )
                )
                move.message_post(
                    body=Markup("%s") % self.env._(
                        "Laudo técnico of the AR-tracked e-mail %(name)s.", name=evidence.name
                    ),
                    attachment_ids=attachment.ids,
                )  # fmt: skip
        return True

    def _events_for_report(self):
        """The events with their time in UTC and in Brasília, for the laudo."""
        self.ensure_one()
        tz = self.company_id._cobranca_timezone()
        rows = []
        for event in self.event_ids.sorted("sequence"):
            payload = json.loads(event.payload or "{}")
            at = payload.get("at") or ""
            moment = datetime.fromisoformat(at.replace("Z", "+00:00")) if at else None
            rows.append(
                {
                    "event": event,
                    "utc": moment.strftime("%Y-%m-%d %H:%M:%S.%f UTC") if moment else "",
                    "local": moment.astimezone(tz).strftime("%d/%m/%Y %H:%M:%S %Z")
                    if moment
                    else "",
                    "payload": payload,
                }
            )
        return rows

    # ------------------------------------------------------------------
    # Scheduled: follow-up of unanswered e-mails, retention (LGPD)
    # ------------------------------------------------------------------

    @api.model
    def _cron_follow_up(self):
        """Bounced AR e-mails, and those not acknowledged within the days of the
        Settings, move their customer to the level's next channel."""
        for company in self.env["res.company"].search([]):
            self._follow_up(company)

    @api.model
    def _follow_up(self, company, now=None):
        now = now or fields.Datetime.now()
        limit = now - timedelta(days=company.cobranca_ar_ack_days)
        domain = [
            ("company_id", "=", company.id),
            ("followed_up", "=", False),
            ("message_id", "!=", False),
            "|",
            ("state", "=", "bounced"),
            "&",
            ("state", "in", ("accepted", "delivered", "opened")),
            ("date_accepted", "<", limit),
        ]
        evidences = self.sudo().search(domain)
        for evidence in evidences:
            reason = (
                self.env._("The AR-tracked e-mail %(name)s bounced.", name=evidence.name)
                if evidence.state == "bounced"
                else self.env._(
                    "The AR-tracked e-mail %(name)s was not acknowledged within %(days)s days.",
                    name=evidence.name,
                    days=company.cobranca_ar_ack_days,
                )
            )
            evidence.message_id._fallback_to_next_channel(reason)
        evidences._internal().write({"followed_up": True})
        return evidences

    @api.model
    def _cron_anonymise(self):
        """LGPD: erase the IP addresses and user agents of events older than the
        retention period (their commitments stay: the chain still verifies)."""
        for company in self.env["res.company"].search([]):
            self._anonymise(company)

    @api.model
    def _anonymise(self, company, now=None):
        now = now or fields.Datetime.now()
        limit = now - timedelta(days=company.cobranca_evidence_retention_days)
        count = self._erase_event_personal(SQL("company_id = %s AND date < %s", company.id, limit))
        if count:
            _logger.info("Anonymised %s evidence events of %s", count, company.name)
        return count

    @api.model
    def _erase_event_personal(self, where):
        """Erase the IP addresses and user agents, and their salts, of the events
        matching ``where`` (an SQL condition): their commitments stay in the
        payloads, so the chain still verifies. One UPDATE; returns its count."""
        self.env["cobranca.evidence.event"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE cobranca_evidence_event
                   SET ip = NULL, ip_salt = NULL, user_agent = NULL, user_agent_salt = NULL,
                       anonymised = TRUE
                 WHERE %s AND anonymised IS NOT TRUE
                   AND (ip IS NOT NULL OR user_agent IS NOT NULL
                        OR ip_salt IS NOT NULL OR user_agent_salt IS NOT NULL)
                """,
                where,
            )
        )
        count = self.env.cr.rowcount
        self.env["cobranca.evidence.event"].invalidate_model(
            ["ip", "ip_salt", "user_agent", "user_agent_salt", "anonymised"]
        )
        return count

    def _anonymise_personal(self):
        """LGPD, after settlement and the retention period (see res.partner's
        ``_cobranca_lgpd_anonymise``): erase the personal values of every event,
        the recipient's address and the bytes of the e-mail. The message's SHA-256,
        the payloads, hashes and head stay: the chain still verifies, bound to the
        same digest; the .eml can no longer be downloaded."""
        if not self:
            return 0
        count = self._erase_event_personal(SQL("evidence_id = ANY(%s)", self.ids))
        self._internal().write({"raw_message": False, "email_to": False, "anonymised": True})
        return count


class CobrancaEvidenceEvent(models.Model):
    """One event of an evidence's chain: append-only."""

    _name = "cobranca.evidence.event"
    _description = "E-mail Evidence: Event"
    _order = "evidence_id, sequence"

    evidence_id = fields.Many2one(
        "cobranca.evidence", required=True, readonly=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(
        related="evidence_id.company_id", store=True, index=True, readonly=True
    )
    sequence = fields.Integer(required=True, readonly=True)
    kind = fields.Selection(EVENT_KINDS, required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, help="UTC.")
    payload = fields.Text(readonly=True, help="What was hashed (canonical JSON).")
    previous_hash = fields.Char(readonly=True)
    hash = fields.Char(readonly=True)
    ip = fields.Char(string="IP Address", readonly=True)
    ip_salt = fields.Char(readonly=True, groups="base.group_system")
    user_agent = fields.Char(readonly=True)
    user_agent_salt = fields.Char(readonly=True, groups="base.group_system")
    anonymised = fields.Boolean(
        readonly=True, help="Its IP address and user agent were erased (LGPD retention)."
    )

    _sql_constraints = [
        (
            "evidence_sequence_unique",
            "UNIQUE(evidence_id, sequence)",
            "An evidence's events are numbered without repeats.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get(INTERNAL):
            raise UserError(self.env._("Evidence events are recorded by the régua only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.context.get(INTERNAL):
            raise UserError(self.env._("Evidence events cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Evidence events cannot be deleted."))


class CobrancaEvidenceAttachment(models.Model):
    """An attachment of an AR-tracked e-mail and its digest."""

    _name = "cobranca.evidence.attachment"
    _description = "E-mail Evidence: Attachment"
    _order = "evidence_id, id"

    evidence_id = fields.Many2one(
        "cobranca.evidence", required=True, readonly=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="evidence_id.company_id", store=True, readonly=True)
    name = fields.Char(readonly=True)
    mimetype = fields.Char(readonly=True)
    size = fields.Integer(readonly=True)
    sha256 = fields.Char(string="SHA-256", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get(INTERNAL):
            raise UserError(self.env._("Evidence is recorded by the régua only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.context.get(INTERNAL):
            raise UserError(self.env._("Evidence cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Evidence cannot be deleted."))
