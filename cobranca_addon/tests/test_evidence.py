import base64
import hashlib
import json
import re
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Command, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..tools import evidencia
from .evidence_common import EvidenceCommon

DSN = """From: MAILER-DAEMON@mx.bompreco.example.com
To: bounce@paulista.example.com
Subject: Delivery Status Notification ({title})
Message-Id: <dsn.{action}@mx.bompreco.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="DSN"

--DSN
Content-Type: text/plain

{text}
--DSN
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.bompreco.example.com
Original-Envelope-Id: {envid}

Final-Recipient: rfc822; contas@bompreco.example.com
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--DSN
Content-Type: text/rfc822-headers

Message-Id: {message_id}
Subject: {subject}

--DSN--
"""


@tagged("post_install", "-at_install")
class TestEvidence(EvidenceCommon):
    """The evidence of AR-tracked e-mails, with a real SMTP server on loopback."""

    def _dsn(self, evidence, action="failed", status="5.1.1", diagnostic="550 User unknown"):
        return DSN.format(
            title="Failure" if action == "failed" else "Success",
            text="Report",
            action=action,
            status=status,
            diagnostic=diagnostic,
            envid=evidence.name,
            message_id=evidence.message_id_header,
            subject=evidence.subject,
        ).replace("\n", "\r\n")

    def test_the_stored_bytes_are_the_bytes_the_server_received(self):
        invoice, message, evidence = self._ar_reminder()
        self.assertEqual(evidence.state, "queued")
        mail = message.mail_ids
        self.assertIn(f"/cobranca/ar/{evidence.id}/", mail.body_html)
        self.assertIn("Confirmo o recebimento", mail.body_html)
        pdf = self.env["ir.attachment"].create(
            {"name": "NF 123.pdf", "raw": b"%PDF-1.4 nota fiscal", "mimetype": "application/pdf"}
        )
        mail.attachment_ids = [Command.link(pdf.id)]
        self._send(mail)
        self.assertEqual(mail.state, "sent", mail.failure_reason)
        [envelope] = self.handler.envelopes
        raw = base64.b64decode(evidence.raw_message)
        self.assertEqual(raw, envelope.original_content, "stored bytes are the bytes received")
        self.assertEqual(evidence.raw_sha256, hashlib.sha256(envelope.original_content).hexdigest())
        self.assertEqual(evidence.raw_size, len(raw))
        self.assertEqual(evidence.message_id_header, mail.message_id)
        self.assertEqual(envelope.rcpt_tos, ["contas@bompreco.example.com"])
        [attachment] = evidence.attachment_ids
        self.assertEqual(attachment.name, "NF 123.pdf")
        self.assertEqual(attachment.sha256, hashlib.sha256(b"%PDF-1.4 nota fiscal").hexdigest())
        self.assertEqual(evidence.event_ids.mapped("kind"), ["created", "accepted"])
        created, accepted = evidence.event_ids
        self.assertEqual(json.loads(created.payload)["message_sha256"], evidence.raw_sha256)
        self.assertIn("250", evidence.smtp_reply)
        self.assertIn("COBRANCA42", json.loads(accepted.payload)["smtp_reply"])
        self.assertEqual(evidence.state, "accepted")
        self.assertEqual(evidence.head_hash, accepted.hash)
        self.assertEqual(evidence.move_ids, invoice)
        self.assertEqual(evidence.verify_integrity(), {evidence.id: []})
        self.assertEqual(evidence.integrity, "ok")
        self.assertEqual(message.delivery_status, "Accepted by the server")

    def test_a_byte_changed_in_the_database_fails_verification(self):
        _invoice, message, evidence = self._ar_reminder()
        self._send(message.mail_ids)
        original = base64.b64decode(evidence.raw_message)
        changed = bytearray(original)
        changed[-40] = ord("X") if changed[-40] != ord("X") else ord("Y")

        def store(raw):
            self.env.cr.execute(
                "UPDATE cobranca_evidence SET raw_message = %s WHERE id = %s",
                [base64.b64encode(bytes(raw)), evidence.id],
            )

        store(changed)
        [problems] = evidence.verify_integrity().values()
        self.assertEqual(evidence.integrity, "broken")
        self.assertTrue(any("The message has the SHA-256" in p for p in problems), problems)
        # an event changed directly in the database
        store(original)
        accepted = evidence.event_ids[-1]
        payload = json.loads(accepted.payload)
        payload["smtp_reply"] = "250 forged"
        self.env.cr.execute(
            "UPDATE cobranca_evidence_event SET payload = %s WHERE id = %s",
            [json.dumps(payload), accepted.id],
        )
        [problems] = evidence.verify_integrity().values()
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("2", problems[0])
        # the last event removed: the chain no longer ends with its recorded head
        self.env.cr.execute("DELETE FROM cobranca_evidence_event WHERE id = %s", [accepted.id])
        [problems] = evidence.verify_integrity().values()
        self.assertEqual(len(problems), 1, problems)

    def test_a_refused_send_is_retried_with_the_very_same_bytes(self):
        _invoice, message, evidence = self._ar_reminder()
        self.handler.refuse = 1
        mail = message.mail_ids
        with mute_logger("odoo.addons.mail.models.mail_mail"):  # the refusal, expected
            self._send(mail)
        self.assertEqual(mail.state, "exception")
        self.assertFalse(self.handler.envelopes)
        self.assertEqual(evidence.event_ids.mapped("kind"), ["created", "failed"])
        self.assertEqual(evidence.state, "failed")
        first = base64.b64decode(evidence.raw_message)
        # the hourly retry queues the same e-mail again; the server accepts it
        self.Message._cron_retry_failed()
        self.assertEqual(mail.state, "outgoing")
        self._send(mail)
        self.assertEqual(mail.state, "sent")
        [envelope] = self.handler.envelopes
        self.assertEqual(envelope.original_content, first, "never another message")
        self.assertEqual(evidence.event_ids.mapped("kind"), ["created", "failed", "accepted"])
        self.assertEqual(evidence.attempt_count, 2)
        self.assertEqual(
            len(self.env["mail.mail"].search([("cobranca_message_id", "=", message.id)])), 1
        )
        self.assertFalse(evidence.verify_integrity()[evidence.id])

    def test_a_real_bounce_moves_the_customer_to_the_next_channel(self):
        self.level_overdue.channel_letter = True
        self.customer.write(
            {
                "street": "Rua Augusta, 1500",
                "city": "São Paulo",
                "zip": "01304-001",
                "country_id": self.env.ref("base.br").id,
            }
        )
        _invoice, message, evidence = self._ar_reminder()
        self._send(message.mail_ids)
        bounces = self.customer.message_bounce
        self.env["mail.thread"].message_process(False, self._dsn(evidence).encode())
        self.assertEqual(evidence.state, "bounced")
        bounced = evidence.event_ids[-1]
        self.assertEqual(bounced.kind, "bounced")
        payload = json.loads(bounced.payload)
        self.assertEqual((payload["action"], payload["status"]), ("failed", "5.1.1"))
        self.assertIn("User unknown", payload["diagnostic"])
        self.assertTrue(payload["report_sha256"])
        self.assertGreater(self.customer.message_bounce, bounces)
        # the level's next channel: the letter
        follow = message.fallback_message_id
        self.assertEqual(follow.channel, "letter")
        self.assertIn("bounced", follow.note)
        self.assertTrue(evidence.followed_up)
        self.assertFalse(evidence.verify_integrity()[evidence.id])

    def test_a_delivery_notification_is_not_a_bounce(self):
        _invoice, message, evidence = self._ar_reminder()
        self._send(message.mail_ids)
        dsn = self._dsn(evidence, action="delivered", status="2.0.0", diagnostic="250 Ok")
        self.env["mail.thread"].message_process(False, dsn.encode())
        self.assertEqual(evidence.state, "delivered")
        self.assertTrue(evidence.date_delivered)
        self.assertEqual(self.customer.message_bounce, 0)
        self.assertFalse(message.fallback_message_id)

    def test_no_acknowledgement_in_time_moves_to_the_next_channel(self):
        _invoice, message, evidence = self._ar_reminder()
        self._send(message.mail_ids)
        Evidence = self.env["cobranca.evidence"]
        self.assertFalse(Evidence._follow_up(self.company, now=evidence.date_accepted))
        later = evidence.date_accepted + timedelta(days=6)
        self.assertEqual(Evidence._follow_up(self.company, now=later), evidence)
        follow = message.fallback_message_id
        self.assertEqual(follow.channel, "phone")  # no other channel on the level
        self.assertIn("not acknowledged within 5 days", follow.note)
        self.assertFalse(Evidence._follow_up(self.company, now=later), "once")

    def test_retention_erases_ip_addresses_and_the_chain_still_verifies(self):
        _invoice, message, evidence = self._ar_reminder()
        self._send(message.mail_ids)
        evidence._record_open("198.51.100.7", "Mozilla/5.0 (Cliente)")
        evidence._record_acknowledgement("198.51.100.7", "Mozilla/5.0 (Cliente)")
        opened = evidence.event_ids.filtered(lambda event: event.kind == "opened")
        self.assertEqual(opened.ip, "198.51.100.7")
        self.assertNotIn("198.51.100.7", opened.payload, "personal data is not in the chain")
        self.assertFalse(evidence.verify_integrity()[evidence.id])
        # a forged IP address is detected while it is kept
        self.env.cr.execute(
            "UPDATE cobranca_evidence_event SET ip = '203.0.113.9' WHERE id = %s", [opened.id]
        )
        [problems] = evidence.verify_integrity().values()
        self.assertEqual(len(problems), 1)
        # the retention period passed: erased, and the chain still verifies
        hashes = evidence.event_ids.mapped("hash")
        Evidence = self.env["cobranca.evidence"]
        future = fields.Datetime.now() + timedelta(
            days=self.company.cobranca_evidence_retention_days + 1
        )
        self.assertEqual(Evidence._anonymise(self.company, now=future), 2)
        evidence.invalidate_recordset()
        self.assertFalse(any(evidence.event_ids.mapped("ip")))
        self.assertFalse(any(evidence.event_ids.mapped("user_agent")))
        self.assertTrue(all(opened.mapped("anonymised")))
        self.assertEqual(evidence.event_ids.mapped("hash"), hashes)
        self.assertEqual(evidence.verify_integrity(), {evidence.id: []})

    def test_nobody_changes_or_deletes_evidence(self):
        _invoice, message, evidence = self._ar_reminder()
        self._send(message.mail_ids)
        salesman = new_test_user(
            self.env,
            login="vendedor_ar",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            self.env["cobranca.evidence"].with_user(salesman).search([])
        with self.assertRaises(AccessError):
            evidence.event_ids.with_user(salesman).read(["hash"])
        # collectors read it, and nobody writes it, not even the superuser
        self.assertEqual(
            self.env["cobranca.evidence"].with_user(self.collector).search([]), evidence
        )
        for record in (evidence, evidence.with_user(self.collector), evidence.sudo()):
            with self.assertRaises(UserError):  # AccessError is one
                record.write({"subject": "forjado"})
            with self.assertRaises(UserError):  # AccessError is one
                record.unlink()
        with self.assertRaises(UserError):
            evidence.event_ids[0].sudo().write({"hash": "0" * 64})
        with self.assertRaises(UserError):
            evidence.event_ids.sudo().unlink()
        with self.assertRaises(UserError):
            self.env["cobranca.evidence"].sudo().create({"partner_id": self.customer.id})
        # the mail queue's cleanup does not take the evidence with it
        message.mail_ids.sudo().unlink()
        self.assertTrue(evidence.exists().raw_message)
        self.assertFalse(evidence.verify_integrity()[evidence.id])

    def test_the_laudo_in_portuguese_and_on_the_invoice(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        self.env["ir.module.module"]._load_module_terms(["cobranca_addon"], ["pt_BR"], True)
        self.company.partner_id.lang = "pt_BR"
        invoice, message, evidence = self._ar_reminder()
        self._send(message.mail_ids)
        with freeze_time(fields.Datetime.now()):
            evidence._record_acknowledgement("198.51.100.7", "Mozilla/5.0")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("cobranca_addon.action_report_cobranca_evidence", evidence.ids)[0]
            .decode()
        )
        self.assertIn("Laudo técnico", html)
        self.assertIn(evidence.raw_sha256, html)
        self.assertIn(evidence.head_hash, html)
        self.assertIn("sha256sum", html)
        self.assertIn("Íntegro", html)
        self.assertIn("UTC", html)
        evidence.with_context(force_report_rendering=True).action_attach_laudo()
        posted = invoice.message_ids.filtered(lambda message: "Laudo" in (message.body or ""))
        attachment = posted.attachment_ids
        self.assertEqual(attachment.mimetype, "application/pdf", posted.mapped("body"))
        self.assertTrue(attachment.raw.startswith(b"%PDF"))

    def test_the_chain_follows_the_published_format(self):
        """A third party recomputes the hashes from the laudo's description alone."""
        _invoice, message, evidence = self._ar_reminder()
        self._send(message.mail_ids)
        previous = "0" * 64
        for event in evidence.event_ids:
            payload = json.loads(event.payload)
            canonical = json.dumps(
                payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")
            ).encode()
            self.assertEqual(canonical, evidencia.canonical(payload))
            expected = hashlib.sha256(
                b"cobranca-evidence-v1\n" + previous.encode() + b"\n" + canonical
            ).hexdigest()
            self.assertEqual(event.hash, expected)
            previous = event.hash


@tagged("post_install", "-at_install")
class TestEvidenceRoutes(EvidenceCommon, HttpCase):
    """The public routes: the tracking image and the acknowledgement page."""

    def _sent(self):
        """Two customers reminded by AR-tracked e-mails, sent: their evidence."""
        other = self._customer("Outra Empresa Ltda", "outra@example.com")
        self._invoice(other, 300.0)
        _invoice, message, evidence = self._ar_reminder()
        other_message = self._messages(other)
        self._send(message.mail_ids | other_message.mail_ids)
        return evidence, other_message.evidence_ids

    def test_the_tracking_image(self):
        evidence, other = self._sent()
        token = evidence.sudo().token
        good = self.url_open(f"/cobranca/ar/{evidence.id}/{token}/i.png",
                             headers={"User-Agent": "Leitor de E-mail/2.0"})  # fmt: skip
        self.assertEqual(good.status_code, 200)
        self.assertEqual(good.headers["Content-Type"], "image/gif")
        opened = evidence.event_ids.filtered(lambda event: event.kind == "opened")
        self.assertEqual((opened.ip, opened.user_agent), ("127.0.0.1", "Leitor de E-mail/2.0"))
        self.assertEqual(evidence.state, "opened")
        # bad input gets the very same pixel, and records nothing
        for url in (
            f"/cobranca/ar/{evidence.id}/wrong/i.png",
            f"/cobranca/ar/{evidence.id}/{other.sudo().token}/i.png",
            f"/cobranca/ar/{other.id}/{token}/i.png",
            f"/cobranca/ar/99999999/{token}/i.png",
            f"/cobranca/ar/{evidence.id}/{'x' * 400}/i.png",
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertEqual(response.content, good.content, url)
        self.assertEqual(len(evidence.event_ids.filtered(lambda e: e.kind == "opened")), 1)
        self.assertFalse(other.event_ids.filtered(lambda e: e.kind == "opened"))

    def test_the_acknowledgement_page(self):
        evidence, _other = self._sent()
        url = f"/cobranca/ar/{evidence.id}/{evidence.sudo().token}"
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Confirmo o recebimento", page.text)
        self.assertIn(evidence.name, page.text)
        self.assertIn("1,000.00", page.text)  # the items of the message
        self.assertEqual(evidence.event_ids[-1].kind, "viewed")
        self.assertNotEqual(evidence.state, "acknowledged", "opening the page is not acknowledging")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            url, data={"csrf_token": csrf}, headers={"User-Agent": "Navegador do Cliente/1.0"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Receipt acknowledged on", response.text)
        acknowledged = evidence.event_ids[-1]
        self.assertEqual(acknowledged.kind, "acknowledged")
        self.assertEqual(
            (acknowledged.ip, acknowledged.user_agent), ("127.0.0.1", "Navegador do Cliente/1.0")
        )
        self.assertEqual(evidence.state, "acknowledged")
        self.assertTrue(evidence.date_acknowledged)
        # once only
        self.url_open(url, data={"csrf_token": csrf})
        self.assertEqual(len(evidence.event_ids.filtered(lambda e: e.kind == "acknowledged")), 1)
        self.assertFalse(evidence.verify_integrity()[evidence.id])
        # acknowledged: no fallback to another channel (the other customer's goes)
        later = evidence.date_accepted + timedelta(days=30)
        self.assertNotIn(
            evidence, self.env["cobranca.evidence"]._follow_up(self.company, now=later)
        )
        self.assertFalse(evidence.message_id.fallback_message_id)

    def test_bad_tokens_see_nothing(self):
        evidence, other = self._sent()

        def text(response):
            return re.sub(r"csrf_token: \"\w+\"", "", response.text)

        not_found = self.url_open(f"/cobranca/ar/{evidence.id}/wrong")
        self.assertEqual(not_found.status_code, 404)
        for url in (
            f"/cobranca/ar/{evidence.id}/{other.sudo().token}",
            f"/cobranca/ar/{other.id}/{evidence.sudo().token}",
            f"/cobranca/ar/99999999/{evidence.sudo().token}",
            f"/cobranca/ar/{evidence.id}/{'x' * 400}",
            f"/cobranca/ar/{evidence.id}/{evidence.sudo().token[:-1]}",
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertEqual(text(response), text(not_found), url)
            self.assertNotIn(evidence.partner_id.name, response.text)
        self.assertFalse(
            evidence.event_ids.filtered(lambda e: e.kind in ("viewed", "acknowledged"))
        )
