"""Names, notes and reasons holding HTML, JavaScript and template syntax appear
escaped — never as live markup, never evaluated — wherever the module shows
them: reminder e-mails, letters, agreement documents and pages, the AR
acknowledgement page, the laudo, tasks and the work queue, the chatter logs
it writes, SMS and WhatsApp texts."""

import re
from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import CobrancaCommon

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
TEMPLATES = "{{ 7*7 }} ${7*7} #{7*7} <%= 7*7 %>"
HOSTILE = f"{SCRIPT} {IMAGE} {TEMPLATES}"
#: 14h UTC is 11h in Brasília: inside the send window
OPEN_HOUR = 14


@tagged("post_install", "-at_install")
class TestEscaping(CobrancaCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "name": f"Credora {HOSTILE}",
                "cobranca_charges_account_id": cls.company_data["default_account_revenue"].id,
                "cobranca_discount_account_id": cls.company_data["default_account_expense"].id,
            }
        )
        cls.collector.name = f"Cobradora {HOSTILE}"
        cls.customer.write(
            {
                "name": f"Cliente {HOSTILE}",
                "mobile": "+55 11 98888-7777",
                "street": f"Rua {SCRIPT}, 1",
                "city": "São Paulo",
                "zip": "01304-001",
                "country_id": cls.env.ref("base.br").id,
                "comment": f"<p>{SCRIPT}</p>",
            }
        )
        cls.level_overdue.write(
            {
                "name": f"Nível {HOSTILE}",
                "channel_email": True,
                "channel_ar_email": True,
                "channel_sms": True,
                "channel_whatsapp": True,
                "channel_letter": True,
                "channel_phone": True,
            }
        )
        # a customer whose e-mail address is itself hostile (invalid): its note says so
        cls.bad_address = cls._customer(f"Endereço {HOSTILE}", f"{SCRIPT}@x")
        cls.invoice = cls._invoice(cls.customer, 1000.0)
        cls.bad_invoice = cls._invoice(cls.bad_address, 200.0)

    def assertEscaped(self, html, where, shown=True):
        """No live markup of the hostile texts; shown (escaped) when ``shown``;
        template syntax kept as typed, never evaluated."""
        html = str(html or "")
        self.assertNotIn(SCRIPT, html, where)
        self.assertIsNone(re.search(r"<img[^>]*onerror", html, re.IGNORECASE), where)
        if shown:
            self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html, where)
            self.assertIn("{{ 7*7 }}", html, where)
            self.assertIn("${7*7}", html, where)

    def _remind(self):
        self._run(self.DUE + timedelta(days=1), hour=OPEN_HOUR)
        messages = self._messages(self.customer)
        self.assertEqual(
            sorted(messages.mapped("channel")),
            ["ar_email", "email", "letter", "phone", "sms", "whatsapp"],
        )
        return {message.channel: message for message in messages}

    def test_messages_of_every_channel(self):
        messages = self._remind()
        for channel in ("email", "ar_email"):
            mail = messages[channel].mail_ids
            self.assertEscaped(mail.body_html, f"{channel}: body_html")
            self.assertEscaped(mail.mail_message_id.body, f"{channel}: message body")
            self.assertNotIn("49", mail.subject.replace(str(self.invoice.name), ""))
        # the AR e-mail's own footer, and the evidence's laudo
        evidence = messages["ar_email"].evidence_ids
        evidence._record_view("203.0.113.9", f"Navegador {HOSTILE}")
        evidence.sudo()._record_report(
            "bounced", {"diagnostic": f"550 {HOSTILE}", "status": "5.1.1"}
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("cobranca_addon.action_report_cobranca_evidence", evidence.ids)[0]
            .decode()
        )
        self.assertEscaped(html, "laudo")
        self.assertIn("550 &lt;script&gt;", html)
        self.assertIn("Navegador &lt;script&gt;", html)
        # the letter (the HTML the PDF is printed from)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "cobranca_addon.action_report_cobranca_letter", messages["letter"].ids
            )[0]
            .decode()
        )
        self.assertEscaped(html, "letter")
        # SMS: plain text, the name as typed (a text is not HTML), nothing evaluated
        sms = messages["sms"]
        self.assertIn(f"Credora {HOSTILE} (CNPJ", sms.body_text)
        self.assertNotIn("49", sms.body_text.replace(self.invoice.name, "").split("http")[0])
        self.assertEscaped(sms.tracked_message_id.body, "SMS on the chatter")
        # WhatsApp: the task's note, its link
        whatsapp = messages["whatsapp"]
        self.assertIn(f"Cliente {HOSTILE}", whatsapp.body_text)
        note = whatsapp.activity_ids.note
        self.assertEscaped(note, "WhatsApp task")
        self.assertIn("%3Cscript%3Ealert%281%29%3C/script%3E", note)
        # the call task, and its summary (plain text)
        call = messages["phone"].activity_ids
        self.assertEscaped(call.note, "call task")
        self.assertEqual(call.summary, f"Collection call: Nível {HOSTILE}")
        # what the run logged on the invoice and the customer
        for record in (self.invoice, self.customer):
            for message in record.message_ids:
                self.assertEscaped(message.body, f"chatter of {record.display_name}", shown=False)
            self.assertTrue(
                any("&lt;script&gt;" in (message.body or "") for message in record.message_ids)
            )

    def test_an_invalid_hostile_address_in_the_notes(self):
        self._run(self.DUE + timedelta(days=1), hour=OPEN_HOUR)
        messages = self._messages(self.bad_address)
        self.assertTrue(messages)
        for message in messages:
            self.assertIn(SCRIPT, message.note or "")  # plain text, as the field holds it
            for activity in message.activity_ids:
                self.assertEscaped(activity.note, "task of an invalid address")
        for message in self.bad_invoice.message_ids | self.bad_address.message_ids:
            self.assertEscaped(message.body, "chatter", shown=False)

    def test_contacts_overrides_and_agreements_on_the_chatter(self):
        Negotiation = self.env["cobranca.negotiation"].with_user(self.collector)
        with self._freeze(self.DUE + timedelta(days=2)):
            Negotiation.create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(self.invoice.ids)],
                    "outcome": "dispute",
                    "note": f"Nota {HOSTILE}",
                }
            )
        self.assertEqual(self.invoice.cobranca_exclusion_reason, f"Dispute: Nota {HOSTILE}")
        self.assertEscaped(self.invoice.message_ids[:3].mapped("body"), "contact on the invoice")
        self.assertEscaped(self.customer.message_ids[0].body, "contact on the customer")
        # a credit hold lifted and a segment set by hand, with hostile reasons
        draft = self._invoice(self.customer, 10.0, post=False)
        draft._cobranca_log_override(f"Motivo {HOSTILE}", "action_post")
        self.assertEscaped(draft.message_ids[0].body, "override on the invoice")
        self.assertEscaped(self.customer.message_ids[0].body, "override on the customer")
        score = (
            self.env["cobranca.partner.score"]
            .sudo()
            .create({"partner_id": self.customer.id, "company_id": self.company.id})
        )
        score.sudo(False)._override(
            self.env.ref("cobranca_addon.cobranca_segment_a"), f"Segmento {HOSTILE}"
        )
        self.assertEscaped(self.customer.message_ids[0].body, "segment on the customer")
        # an agreement confirmed by a collector whose name is hostile
        agreement = self._agreement(confirm=True)
        for message in agreement.message_ids:
            self.assertEscaped(message.body, "agreement chatter", shown=False)
        self.assertTrue(
            any("Cobradora &lt;script&gt;" in message.body for message in agreement.message_ids)
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("cobranca_addon.action_report_cobranca_agreement", agreement.ids)[0]
            .decode()
        )
        self.assertEscaped(html, "agreement document")

    def test_the_work_queue_holds_plain_text(self):
        escalation = self.env["cobranca.escalation"].create(
            {"company_id": self.company.id, "partner_id": self.customer.id, "kind": "protesto"}
        )
        self.env["cobranca.escalation.item"].create(
            {
                "escalation_id": escalation.id,
                "move_line_id": self.invoice.line_ids.filtered(
                    lambda line: line.account_type == "asset_receivable"
                ).id,
                "amount": 1000.0,
            }
        )
        self.env.flush_all()
        [work] = self.env["cobranca.work.item"].search([("res_id", "=", escalation.id)])
        # text (the web client shows it as text), not markup
        self.assertEqual(work.name, f"Protesto – Cliente {HOSTILE}")
        self.assertEqual(work.display_name, f"Escalation to carry out – Cliente {HOSTILE}")

    def test_the_agreement_preview(self):
        wizard = self._agreement_wizard()
        with self._freeze(self.day):
            self.assertEscaped(wizard.preview_html, "agreement preview", shown=False)

    # ------------------------------------------------------------------
    # Public pages, through HTTP
    # ------------------------------------------------------------------

    def test_the_agreement_page(self):
        offer = self._agreement()
        self.env.flush_all()
        page = self.url_open(f"/my/cobranca/agreement/{offer.id}?access_token={offer.access_token}")
        self.assertEqual(page.status_code, 200)
        self.assertEscaped(page.text, "agreement page")
        mail = offer.message_ids.filtered(lambda message: message.message_type == "comment")
        self.assertEscaped(mail[:1].body, "offer e-mail")

    def test_the_acknowledgement_page(self):
        messages = self._remind()
        evidence = messages["ar_email"].evidence_ids
        self.env.flush_all()
        page = self.url_open(f"/cobranca/ar/{evidence.id}/{evidence.sudo().token}")
        self.assertEqual(page.status_code, 200)
        self.assertEscaped(page.text, "acknowledgement page")

    # ------------------------------------------------------------------

    day = CobrancaCommon.DUE + timedelta(days=30)

    def _freeze(self, day):
        return freeze_time(datetime.combine(day, time(15)))

    def _agreement_wizard(self):
        with self._freeze(self.day):
            return (
                self.env["cobranca.agreement.wizard"]
                .with_user(self.collector)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "move_line_ids": [
                            Command.set(
                                self.invoice.line_ids.filtered(
                                    lambda line: line.account_type == "asset_receivable"
                                ).ids
                            )
                        ],
                        "date": self.day,
                        "first_due": self.day + timedelta(days=7),
                        "instalment_count": 2,
                    }
                )
            )

    def _agreement(self, confirm=False):
        wizard = self._agreement_wizard()
        with self._freeze(self.day):
            action = wizard.action_confirm() if confirm else wizard.action_offer()
        return self.env["cobranca.agreement"].browse(action["res_id"])
