from ast import literal_eval
from datetime import timedelta
from urllib.parse import unquote

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CobrancaCommon

#: 14h UTC is 11h in Brasília: inside the send window
OPEN_HOUR = 14


@tagged("post_install", "-at_install")
class TestMoreChannels(CobrancaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.brazil = cls.env.ref("base.br")
        cls.customer.write(
            {
                "mobile": "+55 11 98888-7777",
                "street": "Rua Augusta, 1500",
                "city": "São Paulo",
                "zip": "01304-001",
                "country_id": cls.brazil.id,
            }
        )

    def _level(self, **channels):
        values = {"channel_email": False, **channels}
        self.level_overdue.write(values)
        return self.level_overdue

    def test_sms_is_sent_through_odoo_sms_and_tracked(self):
        self._level(channel_sms=True)
        invoice = self._invoice(self.customer, 1234.56)
        self._run(self.DUE + timedelta(days=1), hour=OPEN_HOUR)
        message = self._messages(self.customer)
        self.assertEqual(message.channel, "sms")
        self.assertEqual(message.number, "+5511988887777")
        self.assertEqual(message.state, "queued")
        self.assertIn("CNPJ 11.222.333/0001-81", message.body_text)
        self.assertIn("1,234.56", message.body_text)
        self.assertIn(invoice.get_portal_url(), message.body_text)
        sms = self.env["sms.sms"].search([("mail_message_id", "=", message.tracked_message_id.id)])
        self.assertEqual(sms.state, "outgoing")
        with self.mockSMSGateway(force_delivered=True):
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(message.state, "sent")
        self.assertEqual(message.delivery_status, "Delivered")
        self.assertIn("SMS: Delivered", self._lines(invoice).delivery_status)
        self.assertEqual(self._sms[0]["number"], "+5511988887777")

    def test_sms_of_an_invoice_paid_while_queued_is_cancelled(self):
        self._level(channel_sms=True)
        invoice = self._invoice(self.customer, 100.0)
        self._run(self.DUE + timedelta(days=1), hour=OPEN_HOUR)
        message = self._messages(self.customer)
        self._pay(invoice, day=self.DUE + timedelta(days=1))
        with self.mockSMSGateway():
            self.env["sms.sms"].sudo()._process_queue()
        self.assertFalse(self._sms, "nothing went out")
        self.assertEqual(message.state, "cancelled")

    def test_failed_sms_falls_back_to_a_phone_task(self):
        self._level(channel_sms=True)
        invoice = self._invoice(self.customer, 100.0)
        self._run(self.DUE + timedelta(days=1), hour=OPEN_HOUR)
        message = self._messages(self.customer)
        with self.mockSMSGateway(sim_error="wrong_number_format"):
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(message.state, "failed")
        self.assertTrue(message.failure_reason)
        self.Message.sudo()._cron_retry_failed()
        task = message.fallback_message_id
        self.assertEqual(task.channel, "phone")
        self.assertEqual(task.line_ids, self._lines(invoice))
        self.assertIn("SMS", task.note)

    def test_whatsapp_task_with_click_to_chat_link(self):
        self._level(channel_whatsapp=True)
        invoice = self._invoice(self.customer, 500.0)
        self._run(self.DUE + timedelta(days=1), hour=OPEN_HOUR)
        message = self._messages(self.customer)
        self.assertEqual(message.channel, "whatsapp")
        self.assertEqual(message.state, "todo")
        link = message._whatsapp_link()
        self.assertTrue(link.startswith("https://wa.me/5511988887777?text="))
        self.assertIn(invoice.name, unquote(link))
        activity = message.activity_ids
        self.assertEqual(
            activity.activity_type_id, self.env.ref("cobranca_addon.mail_activity_type_whatsapp")
        )
        self.assertEqual(activity.user_id, self.collector)
        self.assertIn("https://wa.me/5511988887777", activity.note)
        activity.with_user(self.collector).action_feedback(feedback="Enviado")
        self.assertEqual(message.state, "done")

    def test_letter_queue_prints_one_pdf_and_marks_sent(self):
        self._level(channel_letter=True)
        other = self._customer(
            "Padaria Pão Quente Ltda",
            street="Av. Norte-Sul, 230",
            city="Campinas",
            zip="13025-320",
            country_id=self.brazil.id,
        )
        self._invoice(self.customer, 300.0)
        self._invoice(other, 450.0)
        self._run(self.DUE + timedelta(days=1))
        letters = self._messages(self.customer | other)
        self.assertEqual(letters.mapped("channel"), ["letter", "letter"])
        self.assertEqual(set(letters.mapped("state")), {"queued"})
        self.assertFalse(any(letters.mapped("scheduled_at")), "letters are not timed by the window")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_letter_action"
        )
        queue = self.env["cobranca.message"].search(
            literal_eval(action["domain"]) + [("state", "=", "queued")]
        )
        self.assertEqual(queue, letters)
        # tests render HTML instead of PDF unless asked: ask, wkhtmltopdf is installed
        action = letters.with_context(force_report_rendering=True).action_print_letters()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(set(letters.mapped("state")), {"sent"})
        batch = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        self.assertTrue(batch.raw.startswith(b"%PDF"))
        # each letter's own PDF is kept on it: the record of what was posted
        for letter in letters:
            kept = self.env["ir.attachment"].search(
                [
                    ("res_model", "=", "cobranca.message"),
                    ("res_id", "=", letter.id),
                    ("mimetype", "=", "application/pdf"),
                    ("id", "!=", batch.id),
                ]
            )
            self.assertEqual(len(kept), 1)
            self.assertTrue(kept.raw.startswith(b"%PDF"))
        report = self.env["ir.actions.report"]
        html = report._render_qweb_html(
            "cobranca_addon.action_report_cobranca_letter", letters.ids
        )[0]
        html = html.decode()
        self.assertIn("Collection letter", html)
        self.assertIn("11.222.333/0001-81", html)
        self.assertIn("Padaria Pão Quente Ltda", html)
        self.assertIn("Rua Augusta, 1500", html)

    def test_letter_of_a_paid_invoice_is_not_printed(self):
        self._level(channel_letter=True)
        invoice = self._invoice(self.customer, 300.0)
        self._run(self.DUE + timedelta(days=1))
        letter = self._messages(self.customer)
        self._pay(invoice, day=self.DUE + timedelta(days=2))
        action = letter.action_print_letters()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(letter.state, "cancelled")
        with self.assertRaises(UserError):
            letter.action_print_letters()

    def test_letter_by_snailmail_when_installed(self):
        if "snailmail.letter" not in self.env:
            self.skipTest("snailmail is not installed")
        self._level(channel_letter=True, letter_snailmail=True)
        self._invoice(self.customer, 300.0)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(self.customer)
        letter = self.env["snailmail.letter"].search(
            [("model", "=", "cobranca.message"), ("res_id", "=", message.id)]
        )
        self.assertEqual(letter.state, "pending")
        self.assertEqual(
            letter.report_template, self.env.ref("cobranca_addon.action_report_cobranca_letter")
        )
        self.assertEqual(message.state, "queued")
        letter.notification_ids.sudo().write({"notification_status": "sent"})
        self.assertEqual(message.state, "sent")

    def test_fallback_follows_the_channels_of_the_level(self):
        """No e-mail, no mobile: the SMS and the e-mail go by letter, and say why."""
        self._level(channel_email=True, channel_sms=True, channel_letter=True)
        partner = self._customer(
            "Sem E-mail Nem Celular",
            street="Rua da Bahia, 870",
            city="Belo Horizonte",
            zip="30160-011",
            country_id=self.brazil.id,
        )
        invoice = self._invoice(partner, 200.0)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(partner)
        self.assertEqual(message.channel, "letter")
        note = self._lines(invoice).note
        self.assertIn("no e-mail address", note)
        self.assertIn("no mobile phone number", note)
        self.assertIn("Letter", note)

    def test_last_resort_is_a_phone_task(self):
        self._level(channel_sms=True)
        partner = self._customer("Sem Celular")
        invoice = self._invoice(partner, 200.0)
        self._run(self.DUE + timedelta(days=1))
        self.assertEqual(self._messages(partner).channel, "phone")
        self.assertIn("Phone Task", self._lines(invoice).note)

    def test_several_channels_at_once(self):
        self._level(
            channel_email=True,
            channel_sms=True,
            channel_whatsapp=True,
            channel_letter=True,
            channel_phone=True,
        )
        self.company.cobranca_weekly_cap = 0
        invoice = self._invoice(self.customer, 200.0)
        self._run(self.DUE + timedelta(days=1), hour=OPEN_HOUR)
        self.assertEqual(
            sorted(self._messages(self.customer).mapped("channel")),
            ["email", "letter", "phone", "sms", "whatsapp"],
        )
        self.assertEqual(len(self._lines(invoice)), 1, "one line, carried by five messages")
        self.assertEqual(len(self._lines(invoice).message_ids), 5)

    def test_levels_use_the_shipped_texts_by_default(self):
        level = self._level(channel_sms=True, channel_whatsapp=True)
        level.write({"sms_template_id": False, "whatsapp_template_id": False})
        self.assertEqual(
            level._text_template("sms"),
            self.env.ref("cobranca_addon.sms_template_cobranca_reminder"),
        )
        escalation = self.env["cobranca.level"].create(
            {
                "policy_id": self.policy.id,
                "name": "Protesto",
                "days": 60,
                "channel_email": False,
                "escalation": "protesto",
            }
        )
        self.assertFalse(escalation._cobranca_channels())
        with self.assertRaises(ValidationError):
            escalation.escalation = False

    def test_policy_with_sms_whatsapp_letter_levels_in_the_form(self):
        policy = self.env["cobranca.policy"].create(
            {
                "name": "Régua completa",
                "level_ids": [
                    Command.create(
                        {"name": "SMS", "days": 2, "channel_email": False, "channel_sms": True}
                    ),
                    Command.create(
                        {
                            "name": "Carta",
                            "days": 10,
                            "channel_email": False,
                            "channel_letter": True,
                        }
                    ),
                ],
            }
        )
        self.assertEqual(policy.level_ids.mapped("channel_summary"), ["SMS", "Letter"])
