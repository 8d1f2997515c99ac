from datetime import timedelta

from odoo.tests import tagged

from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestChannels(CobrancaCommon):
    def test_customer_without_email_gets_a_phone_task(self):
        partner = self._customer("Padaria Sem E-mail Ltda", phone="+55 11 98888-7777")
        invoice = self._invoice(partner, 250.0)
        self._run(self.DUE + timedelta(days=1))
        line = self._lines(invoice)
        self.assertEqual(line.state, "sent")
        self.assertIn("no e-mail address", line.note)
        message = self._messages(partner)
        self.assertEqual(message.channel, "phone")
        self.assertEqual(message.state, "todo")
        self.assertFalse(message.mail_ids)
        activity = message.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.res_model, "res.partner")
        self.assertEqual(activity.res_id, partner.id)
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(activity.date_deadline, self.DUE + timedelta(days=1))
        self.assertIn(invoice.name, activity.note)
        self.assertIn("+55 11 98888-7777", activity.note)

    def test_invalid_email_gets_a_phone_task_with_the_reason(self):
        partner = self._customer("Loja Endereço Errado", "contato@@errado")
        invoice = self._invoice(partner, 250.0)
        self._run(self.DUE + timedelta(days=1))
        self.assertIn("not valid", self._lines(invoice).note)
        self.assertEqual(self._messages(partner).channel, "phone")

    def test_bounced_email_gets_a_phone_task(self):
        partner = self._customer("Loja Bounce", "bounce@example.com", message_bounce=3)
        invoice = self._invoice(partner, 250.0)
        self._run(self.DUE + timedelta(days=1))
        self.assertIn("bounced", self._lines(invoice).note)
        self.assertEqual(self._messages(partner).channel, "phone")

    def test_reminder_goes_to_the_invoice_contact(self):
        partner = self._customer("Atacado Central S.A.", "geral@atacado.example.com")
        contact = self.env["res.partner"].create(
            {
                "name": "Contas a Pagar",
                "type": "invoice",
                "parent_id": partner.id,
                "email": "pagar@atacado.example.com",
            }
        )
        invoice = self._invoice(partner, 900.0)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(partner)
        self.assertEqual(message.partner_id, partner)
        self.assertEqual(message.recipient_id, contact)
        self.assertEqual(message.mail_ids.recipient_ids, contact)
        self.assertIn("Hello Contas a Pagar", message.mail_ids.body_html)
        # an invoice addressed to the contact is dunned under the customer
        invoice_to_contact = self._invoice(contact, 100.0, due=self.DUE + timedelta(days=5))
        self.assertEqual(invoice_to_contact.commercial_partner_id, partner)
        self._run(self.DUE + timedelta(days=5))
        self.assertEqual(self._lines(invoice_to_contact).partner_id, partner)
        self.assertTrue(invoice)

    def test_collector_of_the_customer_gets_the_task(self):
        other_collector = self.collector.copy({"login": "outro.cobrador", "name": "Outro Cobrador"})
        partner = self._customer("Cliente do Outro", False)
        partner.with_company(self.company).cobranca_collector_id = other_collector
        self._invoice(partner, 100.0)
        self._run(self.DUE + timedelta(days=1))
        self.assertEqual(self._messages(partner).activity_ids.user_id, other_collector)

    def test_phone_level_and_done_task(self):
        invoice = self._invoice(self.customer, 100.0, due=self.DUE - timedelta(days=15))
        self._run(self.DUE)  # D+15 item: one level at a time -> D+1
        self._run(self.DUE + timedelta(days=3))  # -> D+7
        self._run(self.DUE + timedelta(days=6))  # -> D+15, the call
        call = self._messages(self.customer).filtered(lambda m: m.channel == "phone")
        self.assertEqual(call.level_id, self.level_call)
        self.assertEqual(call.state, "todo")
        call.activity_ids.with_user(self.collector).action_feedback(
            feedback="Promised to pay Friday"
        )
        self.assertEqual(call.state, "done")
        self.assertTrue(call.date_done)
        self.assertEqual(invoice.cobranca_level_id, self.level_call)

    def test_level_with_email_and_phone(self):
        invoice = self._invoice(self.customer, 100.0, due=self.DUE - timedelta(days=30))
        # the last reached level is D+15, so the next one is the formal notice
        for day, level in ((0, self.level_overdue), (3, self.level_second), (6, self.level_call)):
            self._run(self.DUE + timedelta(days=day))
            self.assertIn(level, self._lines(invoice).level_id)
        self._run(self.DUE + timedelta(days=9))
        formal = self._messages(self.customer).filtered(lambda m: m.level_id == self.level_formal)
        self.assertEqual(sorted(formal.mapped("channel")), ["email", "phone"])
        line = self._lines(invoice).filtered(lambda ln: ln.level_id == self.level_formal)
        self.assertEqual(line.message_ids, formal)
