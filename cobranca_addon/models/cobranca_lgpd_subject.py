import base64
import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import evidencia, lgpd

_logger = logging.getLogger(__name__)

#: Fields never exported: Odoo's bookkeeping and the chatter's own fields.
SKIPPED_FIELDS = {"create_uid", "write_uid", "display_name"}
SKIPPED_PREFIXES = ("message_", "activity_", "website_", "access_", "rating_")
#: What counts as open in the module, beside the open receivables: a promise or a
#: dispute not closed, an escalation item not withdrawn nor cancelled (a listing
#: must still be withdrawn after payment, STJ Súmula 548).
OPEN_NEGOTIATION_STATES = ("open",)
OPEN_ESCALATION_ITEM_STATES = ("todo", "requested", "done")


class CobrancaLgpdSubject(models.AbstractModel):
    """LGPD rights of a customer over what the Cobrança add-on holds about them:
    an export (access, art. 18 II and art. 20: the figures of the scores) and
    the anonymisation after settlement and the retention period (art. 16).

    Inherited by ``res.partner`` (``res_partner.py``): its methods run on
    customers."""

    _name = "cobranca.lgpd.subject"
    _description = "Cobrança: LGPD Rights of a Customer"

    cobranca_lgpd_anonymised_date = fields.Date(
        string="Cobrança Data Anonymised On",
        company_dependent=True,
        readonly=True,
        copy=False,
        groups="cobranca_addon.group_cobranca_user",
        help="LGPD: when the personal data the Cobrança add-on held about this customer "
        "in this company were anonymised (the accounting is kept).",
    )

    # ------------------------------------------------------------------
    # Export (right of access)
    # ------------------------------------------------------------------

    def _cobranca_lgpd_check_manager(self):
        if not self.env.user.has_group("cobranca_addon.group_cobranca_manager"):
            raise AccessError(
                self.env._("Only Cobrança managers may export or anonymise a person's data.")
            )

    def _cobranca_lgpd_people(self):
        """The person and their contacts (the commercial entity and its children)."""
        self.ensure_one()
        return self.with_context(active_test=False).search(
            [("id", "child_of", self.commercial_partner_id.id)]
        )

    @api.model
    def _cobranca_lgpd_fields(self, model):
        """The stored fields of ``model`` an export shows: no binaries, no
        one2many, nothing restricted to a group, no chatter bookkeeping."""
        return [
            name
            for name, field in self.env[model]._fields.items()
            if field.store
            and field.type not in ("binary", "one2many")
            and not field.groups
            and name not in SKIPPED_FIELDS
            and not name.startswith(SKIPPED_PREFIXES)
        ]

    def _cobranca_lgpd_records(self, company):
        """``{section: records}`` of everything the module holds about the person
        in ``company``, read with the user's rights (one search per model)."""
        self.ensure_one()
        people = self._cobranca_lgpd_people()
        env = self.env
        by_partner = [("partner_id", "in", people.ids), ("company_id", "=", company.id)]
        messages = env["cobranca.message"].search(
            [
                ("company_id", "=", company.id),
                "|",
                ("partner_id", "in", people.ids),
                ("recipient_id", "in", people.ids),
            ]
        )
        agreements = env["cobranca.agreement"].search(by_partner)
        escalations = env["cobranca.escalation"].search(by_partner)
        evidence = env["cobranca.evidence"].search(
            [
                ("company_id", "=", company.id),
                "|",
                ("partner_id", "in", people.ids),
                ("recipient_id", "in", people.ids),
            ]
        )
        return {
            "scores": env["cobranca.partner.score"].search(by_partner),
            "segment_history": env["cobranca.segment.history"].search(by_partner),
            "credit_overrides": env["cobranca.credit.override"].search(by_partner),
            "dunning_lines": env["cobranca.line"].search(by_partner),
            "messages": messages,
            # the e-mails sent: only the module's, which the manager may see through
            # the messages (the mail queue itself is for administrators)
            "emails": env["mail.mail"].sudo().search([("cobranca_message_id", "in", messages.ids)]),
            "negotiations": env["cobranca.negotiation"].search(by_partner),
            "agreements": agreements,
            "agreement_instalments": agreements.instalment_ids,
            "agreement_items": agreements.item_ids,
            "escalations": escalations,
            "escalation_items": escalations.item_ids,
            "evidence": evidence,
            "evidence_events": evidence.event_ids,
            "evidence_attachments": evidence.attachment_ids,
            "access_log": env["cobranca.access.log"].search(
                [("partner_id", "in", people.ids), ("company_id", "=", company.id)]
            ),
        }

    def _cobranca_lgpd_export(self, company=None):
        """The export of everything the module holds about this person in
        ``company``: ``(zip bytes, document)``; the ZIP holds the JSON document
        and the exact e-mails (.eml) of the evidence."""
        self.ensure_one()
        company = company or self.env.company
        records = self._cobranca_lgpd_records(company)
        sections = {}
        for name, recs in records.items():
            fields_ = self._cobranca_lgpd_fields(recs._name)
            if name == "emails":
                fields_ += ["subject", "email_from", "date", "body_html"]
            sections[name] = recs.read(fields_) if recs else []
        person = self.commercial_partner_id
        subject = {
            "id": person.id,
            "name": person.name,
            "vat": person.vat,
            "email": person.email,
            "phone": person.phone,
            "contacts": [
                {"id": contact.id, "name": contact.name, "email": contact.email}
                for contact in self._cobranca_lgpd_people() - person
            ],
        }
        document = lgpd.export_document(
            subject,
            sections,
            fields.Datetime.now(),
            self.env.user.name,
            {"name": company.name, "vat": company.vat},
        )
        files = [
            (f"{evidence.name}.eml", base64.b64decode(evidence.raw_message))
            for evidence in records["evidence"]
            if evidence.raw_message
        ]
        return lgpd.export_zip(document, files), document

    def action_cobranca_lgpd_export(self):
        """Managers: download the export (ZIP); logged in the access log, which
        holds the file (only managers read it), and on the chatter."""
        self.ensure_one()
        self._cobranca_lgpd_check_manager()
        person = self.commercial_partner_id
        data, document = person._cobranca_lgpd_export()
        log = self.env["cobranca.access.log"]._log(person, "export", partner_field=None)
        filename = lgpd.safe_name(
            self.env._(
                "LGPD export %(name)s %(date)s.zip",
                name=person.name,
                date=fields.Date.context_today(self),
            )
        )
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": filename,
                    "raw": data,
                    "mimetype": "application/zip",
                    "res_model": "cobranca.access.log",
                    "res_id": log.id,
                }
            )
        )
        total = sum(document["counts"].values())
        person.message_post(
            body=Markup("%s")
            % self.env._(
                "LGPD: the data Cobrança holds about this customer were exported by "
                "%(user)s (%(count)s records, SHA-256 %(sha)s).",
                user=self.env.user.name,
                count=total,
                sha=evidencia.sha256_hex(data),
            )
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    # ------------------------------------------------------------------
    # Anonymisation after settlement and the retention period
    # ------------------------------------------------------------------

    @api.model
    def _cobranca_lgpd_status(self, commercials, company):
        """``{commercial partner: (open count, last settlement date)}`` in one
        query per source: the open receivables and the date of the latest
        receivable entry (invoice, payment, credit note) of each customer, and the
        module's open promises, disputes and escalation items."""
        lines = self.env["account.move.line"].sudo()
        base = [
            ("company_id", "=", company.id),
            ("partner_id", "child_of", commercials.ids),
            ("account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
        ]
        status = {partner: [0, None] for partner in commercials}

        def commercial(partner):
            return partner.commercial_partner_id

        for partner, last in lines._read_group(base, ["partner_id"], ["date:max"]):
            entry = status.setdefault(commercial(partner), [0, None])
            entry[1] = max(filter(None, (entry[1], last)), default=None)
        open_sources = (
            (lines, [*base, ("reconciled", "=", False), ("amount_residual", "!=", 0)]),
            (
                self.env["cobranca.negotiation"].sudo(),
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "child_of", commercials.ids),
                    ("state", "in", OPEN_NEGOTIATION_STATES),
                ],
            ),
            (
                self.env["cobranca.escalation.item"].sudo(),
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "child_of", commercials.ids),
                    ("state", "in", OPEN_ESCALATION_ITEM_STATES),
                ],
            ),
        )
        for model, domain in open_sources:
            for partner, count in model._read_group(domain, ["partner_id"], ["__count"]):
                status.setdefault(commercial(partner), [0, None])[0] += count
        return {partner: tuple(value) for partner, value in status.items()}

    def _cobranca_lgpd_check_anonymisable(self, company, today=None):
        """Refuse, with the reason, unless every receivable of the customer is
        settled and the retention period after the last settlement has ended."""
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        person = self.commercial_partner_id
        open_count, last = self._cobranca_lgpd_status(person, company)[person]
        years = company.cobranca_lgpd_retention_years
        allowed, reason = lgpd.anonymisable(open_count, last, years, today)
        if reason == "open":
            raise UserError(
                self.env._(
                    "%(name)s cannot be anonymised: %(count)s item(s) are still open in "
                    "%(company)s (receivables not settled, an open promise or dispute, or a "
                    "protest or negativação not yet withdrawn).",
                    name=person.name,
                    count=open_count,
                    company=company.name,
                )
            )
        if reason == "retention":
            raise UserError(
                self.env._(
                    "%(name)s cannot be anonymised before %(date)s: the last settlement was on "
                    "%(last)s and the data are kept %(years)s years after it (Settings, "
                    "Cobrança: retention).",
                    name=person.name,
                    date=lgpd.retention_end(last, years),
                    last=last,
                    years=years,
                )
            )
        return allowed

    def action_cobranca_lgpd_anonymise(self):
        """Managers: anonymise what the module holds about the customer in the
        current company, when nothing is open and the retention period ended."""
        self.ensure_one()
        self._cobranca_lgpd_check_manager()
        company = self.env.company
        person = self.commercial_partner_id
        person._cobranca_lgpd_check_anonymisable(company)
        person._cobranca_lgpd_anonymise(company)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("LGPD"),
                "message": self.env._(
                    "The personal data Cobrança held about %(name)s were anonymised.",
                    name=person.name,
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _cobranca_lgpd_anonymise(self, company):
        """Erase the personal data the module holds about these customers (and
        their contacts) in ``company``: texts of messages, e-mails, SMS and tasks,
        recipients' addresses and numbers, notes of contacts, lines and
        escalations, the IP addresses and browsers of agreements accepted online
        and of evidence events (their commitments stay in the chain), and the
        bytes of the AR-tracked e-mails (their SHA-256 stays). The accounting,
        the amounts, dates and states, the scores' figures, the hashes and the
        access log are kept. A few writes per model for all the customers."""
        people = self.with_context(active_test=False).search(
            [("id", "child_of", self.commercial_partner_id.ids)]
        )
        env = self.env
        erased = lgpd.ERASED
        by_partner = [("partner_id", "in", people.ids), ("company_id", "=", company.id)]
        messages = env["cobranca.message"].sudo().search(
            [("company_id", "=", company.id), "|", ("partner_id", "in", people.ids),
             ("recipient_id", "in", people.ids)]
        )  # fmt: skip
        messages.filtered("body_text").write({"body_text": erased})
        messages.filtered("note").write({"note": False})
        mails = env["mail.mail"].sudo().search([("cobranca_message_id", "in", messages.ids)])
        mails.write({"body_html": erased, "email_to": False, "email_cc": False})
        chatter = (
            env["mail.message"]
            .sudo()
            .search(
                [
                    "|",
                    "|",
                    "&",
                    ("model", "=", "cobranca.message"),
                    ("res_id", "in", messages.ids),
                    ("id", "in", mails.mail_message_id.ids),
                    ("id", "in", messages.tracked_message_id.ids),
                ]
            )
        )
        chatter.write({"body": erased})
        env["mail.notification"].sudo().search(
            [("mail_message_id", "in", chatter.ids), ("sms_number", "!=", False)]
        ).write({"sms_number": False})
        env["sms.sms"].sudo().search([("mail_message_id", "in", chatter.ids)]).write(
            {"number": False, "body": erased}
        )
        env["mail.activity"].sudo().search([("cobranca_message_id", "in", messages.ids)]).write(
            {"note": erased}
        )
        env["cobranca.negotiation"].sudo().search([*by_partner, ("note", "!=", False)]).write(
            {"note": erased}
        )
        env["cobranca.line"].sudo().search([*by_partner, ("note", "!=", False)]).write(
            {"note": False}
        )
        env["cobranca.escalation"].sudo().search([*by_partner, ("note", "!=", False)]).write(
            {"note": erased}
        )
        env["cobranca.agreement"].sudo().search(
            [*by_partner, "|", ("accepted_ip", "!=", False), ("accepted_user_agent", "!=", False)]
        ).write({"accepted_ip": False, "accepted_user_agent": False})
        evidence = env["cobranca.evidence"].sudo().search(
            [("company_id", "=", company.id), "|", ("partner_id", "in", people.ids),
             ("recipient_id", "in", people.ids)]
        )  # fmt: skip
        evidence._anonymise_personal()
        today = fields.Date.context_today(self)
        for person in self.commercial_partner_id:
            person.with_company(company).sudo().cobranca_lgpd_anonymised_date = today
            person.message_post(
                body=Markup("%s")
                % self.env._(
                    "LGPD: the personal data Cobrança held about this customer in %(company)s "
                    "were anonymised (by %(user)s); the accounting is kept.",
                    company=company.name,
                    user=self.env.user.name,
                )
            )
        env["cobranca.access.log"].with_company(company)._log(
            self.commercial_partner_id, "anonymise", partner_field=None
        )
        _logger.info(
            "LGPD: anonymised the Cobrança data of %s customer(s) of %s", len(self), company.name
        )
        return True

    @api.model
    def _cron_cobranca_lgpd_anonymise(self, batch_size=200):
        """Every night: anonymise the customers whose receivables are all settled
        and whose last settlement is older than their company's retention
        period, once (again only if they came back since)."""
        done = remaining = 0
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):
            eligible = self._cobranca_lgpd_due(company, today)
            batch = eligible[:batch_size]
            if batch:
                batch.with_company(company)._cobranca_lgpd_anonymise(company)
            done += len(batch)
            remaining += len(eligible) - len(batch)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _cobranca_lgpd_due(self, company, today):
        """The customers of ``company`` to anonymise on ``today``: their last
        receivable entry is older than the retention period, nothing is open, and
        they were not anonymised since that entry (two grouped queries, plus the
        open items of the candidates)."""
        years = company.cobranca_lgpd_retention_years
        if not years:
            return self.browse()  # 0: the company anonymises by hand only
        limit = lgpd.add_years(today, -years)
        latest = {}
        for partner, last in (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", company.id),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("partner_id", "!=", False),
                ],
                ["partner_id"],
                ["date:max"],
            )
        ):
            commercial = partner.commercial_partner_id
            latest[commercial] = max(filter(None, (latest.get(commercial), last)), default=None)
        old = self.browse(
            [partner.id for partner, last in latest.items() if last and last <= limit]
        )
        marks = old.with_company(company).sudo()
        candidates = self.browse(
            [
                partner.id
                for partner in marks
                if not partner.cobranca_lgpd_anonymised_date
                or partner.cobranca_lgpd_anonymised_date < latest[partner]
            ]
        )
        if not candidates:
            return candidates
        status = self._cobranca_lgpd_status(candidates, company)
        return self.browse([partner.id for partner in candidates if not status[partner][0]])
