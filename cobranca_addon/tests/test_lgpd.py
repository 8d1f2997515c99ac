"""LGPD: the export of what the module holds about a person, the anonymisation
after settlement and the retention period (accounting and evidence hashes
intact), and the access log."""

import base64
import io
import json
import zipfile
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..tools import lgpd
from .evidence_common import EvidenceCommon

IP = "198.51.100.7"
AGENT = "Mozilla/5.0 (Cliente)"


@tagged("post_install", "-at_install")
class TestLgpd(EvidenceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="lgpd_manager",
            groups="base.group_user,account.group_account_invoice,"
            "cobranca_addon.group_cobranca_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.company.cobranca_lgpd_retention_years = 5

    def _history(self):
        """An AR-tracked reminder sent, opened and acknowledged, a contact with a
        note, a contact person; the invoice paid on its due date + 3."""
        invoice, message, evidence = self._ar_reminder()
        self._send(message.mail_ids)
        evidence._record_open(IP, AGENT)
        evidence._record_acknowledgement(IP, AGENT)
        contact = self.env["cobranca.negotiation"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(invoice.ids)],
                "outcome": "no_answer",
                "note": "Falei com a Dona Maria, celular 11 98888-7777.",
            }
        )
        self.env["res.partner"].create(
            {"name": "Maria (Contas a Pagar)", "parent_id": self.customer.id, "type": "invoice"}
        )
        return invoice, message, evidence, contact

    def _zip(self, action):
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        archive = zipfile.ZipFile(io.BytesIO(attachment.raw))
        return attachment, archive, json.loads(archive.read(lgpd.JSON_NAME))

    # ------------------------------------------------------------------
    # Export
    # ------------------------------------------------------------------

    def test_export_holds_what_the_module_holds(self):
        invoice, message, evidence, contact = self._history()
        self.env["cobranca.partner.score"]._score_company(
            self.company, today=self.DUE + timedelta(days=10)
        )
        action = self.customer.with_user(self.manager).action_cobranca_lgpd_export()
        attachment, archive, document = self._zip(action)
        self.assertEqual(document["format"], lgpd.EXPORT_FORMAT)
        self.assertEqual(document["subject"]["id"], self.customer.id)
        self.assertEqual(
            [c["name"] for c in document["subject"]["contacts"]], ["Maria (Contas a Pagar)"]
        )
        sections = document["sections"]
        self.assertEqual([row["id"] for row in sections["messages"]], message.ids)
        self.assertEqual([row["id"] for row in sections["negotiations"]], contact.ids)
        self.assertIn("98888-7777", sections["negotiations"][0]["note"])
        self.assertEqual([row["id"] for row in sections["emails"]], message.mail_ids.ids)
        self.assertIn("Mercado Bom Preço", sections["emails"][0]["body_html"])
        self.assertEqual([row["id"] for row in sections["evidence"]], evidence.ids)
        self.assertIn(IP, [row["ip"] for row in sections["evidence_events"]])
        # LGPD art. 20: the figures behind the score
        [score] = sections["scores"]
        self.assertIn("penalty_delay", score)
        self.assertIn("segment_history", sections)
        # no secret: tokens and salts are not exported
        self.assertNotIn("token", sections["evidence"][0])
        self.assertNotIn("ip_salt", sections["evidence_events"][0])
        # the exact e-mail of the evidence
        eml = archive.read(evidence.name.replace("/", "-") + ".eml")
        self.assertEqual(eml, base64.b64decode(evidence.raw_message))
        # logged: in the access log (which holds the file), on the chatter
        log = self.env["cobranca.access.log"].search(
            [("partner_id", "=", self.customer.id), ("action", "=", "export")]
        )
        self.assertEqual(log.user_id, self.manager)
        self.assertEqual((attachment.res_model, attachment.res_id), (log._name, log.id))
        self.assertIn("were exported by", self.customer.message_ids[0].body)
        # the next export lists the first one
        action = self.customer.with_user(self.manager).action_cobranca_lgpd_export()
        _attachment, _archive, document = self._zip(action)
        self.assertIn(log.id, [row["id"] for row in document["sections"]["access_log"]])

    def test_only_managers_export_or_anonymise(self):
        self._history()
        for action in ("action_cobranca_lgpd_export", "action_cobranca_lgpd_anonymise"):
            with self.assertRaises(AccessError):
                getattr(self.customer.with_user(self.collector), action)()
        # the file is the access log's: a collector cannot download it
        action = self.customer.with_user(self.manager).action_cobranca_lgpd_export()
        attachment, _archive, _document = self._zip(action)
        with self.assertRaises(AccessError):
            attachment.with_user(self.collector).read(["raw"])

    def test_export_of_another_company_holds_none_of_this_one(self):
        self._history()
        company_b = self.setup_other_company(name="Filial Sul Ltda")["company"]
        manager_b = new_test_user(
            self.env,
            login="lgpd_manager_b",
            groups="base.group_user,cobranca_addon.group_cobranca_manager",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        data, document = self.customer.with_user(manager_b)._cobranca_lgpd_export()
        self.assertFalse(any(document["counts"].values()), document["counts"])
        self.assertTrue(data.startswith(b"PK"))

    # ------------------------------------------------------------------
    # Anonymisation
    # ------------------------------------------------------------------

    def test_refused_while_something_is_open_or_within_the_retention(self):
        invoice, _message, _evidence, _contact = self._history()
        with self.assertRaisesRegex(UserError, "still open"):
            self.customer.with_user(self.manager).action_cobranca_lgpd_anonymise()
        self._pay(invoice, day=self.DUE + timedelta(days=3))
        with freeze_time(self.DUE + timedelta(days=365)):
            with self.assertRaisesRegex(UserError, "before 2035-04-18"):
                self.customer.with_user(self.manager).action_cobranca_lgpd_anonymise()
        # a dispute not resolved is open as well
        _contact.sudo()._write_unguarded({"outcome": "dispute", "state": "open"})
        with freeze_time(date(2036, 1, 1)):
            with self.assertRaisesRegex(UserError, "still open"):
                self.customer.with_user(self.manager).action_cobranca_lgpd_anonymise()

    def test_anonymise_keeps_the_accounting_and_the_evidence_verifies(self):
        invoice, message, evidence, contact = self._history()
        self._pay(invoice, day=self.DUE + timedelta(days=3))
        mail = message.mail_ids
        lines_before = invoice.line_ids.read(
            ["debit", "credit", "amount_residual", "reconciled", "partner_id", "name"]
        )
        amount_before = invoice.amount_total
        hashes = evidence.event_ids.mapped("hash")
        digest, head = evidence.raw_sha256, evidence.head_hash
        self.assertEqual(evidence.verify_integrity(), {evidence.id: []})
        with freeze_time(date(2036, 1, 1)):
            action = self.customer.with_user(self.manager).action_cobranca_lgpd_anonymise()
        self.assertEqual(action["params"]["type"], "success")
        self.env.invalidate_all()
        # what the module held is gone
        self.assertNotIn("98888", contact.note)
        self.assertEqual(contact.note, lgpd.ERASED)
        self.assertFalse(mail.email_to)
        self.assertEqual(mail.body_html, lgpd.ERASED)
        self.assertFalse(any(evidence.event_ids.mapped("ip")))
        self.assertFalse(any(evidence.event_ids.mapped("user_agent")))
        self.assertFalse(evidence.raw_message)
        self.assertTrue(evidence.anonymised)
        with self.assertRaisesRegex(UserError, "erased"):
            evidence.action_download_eml()
        # the accounting and the proof are intact
        self.assertEqual(
            invoice.line_ids.read(
                ["debit", "credit", "amount_residual", "reconciled", "partner_id", "name"]
            ),
            lines_before,
        )
        self.assertEqual(invoice.amount_total, amount_before)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(evidence.event_ids.mapped("hash"), hashes)
        self.assertEqual((evidence.raw_sha256, evidence.head_hash), (digest, head))
        self.assertEqual(evidence.verify_integrity(), {evidence.id: []})
        # recorded
        self.assertEqual(
            self.customer.with_company(self.company).cobranca_lgpd_anonymised_date,
            date(2036, 1, 1),
        )
        self.assertTrue(
            self.env["cobranca.access.log"].search(
                [("partner_id", "=", self.customer.id), ("action", "=", "anonymise")]
            )
        )
        self.assertIn("were anonymised", self.customer.message_ids[0].body)

    def test_cron_anonymises_the_customers_due_once(self):
        invoice, message, evidence, contact = self._history()
        self._pay(invoice, day=self.DUE + timedelta(days=3))
        owing = self._customer("Ainda Deve Ltda", "deve@example.com")
        self._invoice(owing, 50.0)
        owing_contact = self.env["cobranca.negotiation"].create(
            {"partner_id": owing.id, "outcome": "no_answer", "note": "Secretária atendeu."}
        )
        Partner = self.env["res.partner"]
        with freeze_time(date(2035, 4, 17)):  # one day before the end of the retention
            self.assertFalse(Partner._cobranca_lgpd_due(self.company, date(2035, 4, 17)))
        with freeze_time(date(2035, 4, 18)):
            self.assertEqual(Partner._cron_cobranca_lgpd_anonymise(), 1)
            self.assertEqual(Partner._cron_cobranca_lgpd_anonymise(), 0, "once")
        self.env.invalidate_all()
        self.assertEqual(contact.note, lgpd.ERASED)
        self.assertEqual(owing_contact.note, "Secretária atendeu.")
        self.assertEqual(evidence.verify_integrity(), {evidence.id: []})

    def test_cron_through_the_scheduler(self):
        invoice, _message, evidence, contact = self._history()
        self._pay(invoice, day=self.DUE + timedelta(days=3))
        cron = self.env.ref("cobranca_addon.ir_cron_cobranca_lgpd_anonymise")
        self.assertEqual(cron.code, "model._cron_cobranca_lgpd_anonymise()")
        with freeze_time(date(2036, 1, 1)):
            self._run_scheduled_action(cron)
        self.assertEqual(contact.note, lgpd.ERASED)
        self.assertTrue(evidence.anonymised)
        progress = self.env["ir.cron.progress"].search([("cron_id", "=", cron.id)])
        self.assertIn(1, progress.mapped("done"))

    # ------------------------------------------------------------------
    # Access log
    # ------------------------------------------------------------------

    def test_opening_a_form_or_printing_is_logged_lists_are_not(self):
        _invoice, _message, evidence, contact = self._history()
        Log = self.env["cobranca.access.log"]
        before = Log.search_count([])
        as_collector = evidence.with_user(self.collector)
        as_collector.web_search_read([("id", "=", evidence.id)], {"name": {}})
        self.assertEqual(Log.search_count([]), before, "a list is not logged")
        as_collector.web_read({"name": {}, "state": {}})
        contact.with_user(self.collector).web_read({"note": {}})
        contact.with_user(self.collector).web_save({"note": "Retornar amanhã."}, {"note": {}})
        logs = Log.search([], limit=2)
        self.assertEqual(Log.search_count([]), before + 2, "a save is no new opening")
        self.assertEqual(logs.mapped("user_id"), self.collector)
        self.assertEqual(
            {(log.res_model, log.res_id, log.action) for log in logs},
            {
                ("cobranca.evidence", evidence.id, "open"),
                ("cobranca.negotiation", contact.id, "open"),
            },
        )
        self.assertEqual(logs.partner_id, self.customer)
        # the form read again after a button is the same opening; another user's
        # opening, or the same user's an hour later, is a new line
        as_collector.web_read({"name": {}, "state": {}})
        self.assertEqual(Log.search_count([]), before + 2, "a reload is no new opening")
        evidence.with_user(self.manager).web_read({"name": {}})
        self.assertEqual(Log.search([], limit=1).user_id, self.manager)
        with freeze_time(fields.Datetime.now() + timedelta(hours=1)):
            as_collector.web_read({"name": {}, "state": {}})
        self.assertEqual(Log.search_count([]), before + 4)
        # the laudo printed
        self.env["report.cobranca_addon.report_cobranca_evidence"].with_user(
            self.collector
        )._get_report_values(evidence.ids)
        self.assertEqual(Log.search([], order="id desc", limit=1).action, "print")

    def test_the_access_log_is_append_only_and_read_by_managers(self):
        _invoice, _message, _evidence, contact = self._history()
        contact.with_user(self.collector).web_read({"note": {}})
        log = self.env["cobranca.access.log"].search([], limit=1)
        with self.assertRaises(AccessError):
            log.with_user(self.collector).read(["user_id"])
        self.assertEqual(log.with_user(self.manager).user_id, self.collector)
        for user in (self.manager, self.env.ref("base.user_root")):
            with self.assertRaises(UserError):
                log.with_user(user).write({"action": "print"})
            with self.assertRaises(UserError):
                log.with_user(user).sudo().unlink()
        with self.assertRaises(UserError):
            self.env["cobranca.access.log"].sudo().create(
                {
                    "user_id": self.manager.id,
                    "company_id": self.company.id,
                    "action": "open",
                    "res_model": "cobranca.negotiation",
                    "res_id": contact.id,
                }
            )
