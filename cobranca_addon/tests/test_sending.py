from datetime import timedelta

from odoo.tests import tagged

from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestSending(CobrancaCommon):
    def test_reminder_of_an_invoice_paid_while_queued_is_cancelled(self):
        invoice = self._invoice(self.customer, 100.0)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(self.customer)
        mail = message.mail_ids
        self.assertEqual(mail.state, "outgoing")
        self._pay(invoice, day=self.DUE + timedelta(days=1))
        self._send_mails(mail)
        self.assertEqual(mail.state, "cancel")
        self.assertEqual(message.state, "cancelled")
        self.assertFalse(message.date_sent)
        self.assertEqual(self._lines(invoice).state, "cancelled")

    def test_reminder_is_rendered_again_when_an_item_was_paid(self):
        paid = self._invoice(self.customer, 100.0)
        still_open = self._invoice(self.customer, 222.0)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(self.customer)
        mail = message.mail_ids
        self.assertIn(paid.name, mail.body_html)
        self._pay(paid, day=self.DUE + timedelta(days=1))
        self._send_mails(mail)
        self.assertEqual(mail.state, "sent")
        self.assertNotIn(paid.name, mail.body_html)
        self.assertIn(still_open.name, mail.body_html)
        self.assertEqual(message.item_ids.move_id, still_open)
        self.assertEqual(message.amount_residual, 222.0)
        lines = self._lines(paid | still_open)
        self.assertEqual(lines.filtered(lambda ln: ln.move_id == paid).state, "cancelled")
        self.assertEqual(lines.filtered(lambda ln: ln.move_id == still_open).state, "sent")

    def test_unchanged_reminder_is_sent_as_rendered(self):
        self._invoice(self.customer, 100.0)
        self._run(self.DUE + timedelta(days=1))
        mail = self._messages(self.customer).mail_ids
        body = mail.body_html
        self._send_mails(mail)
        self.assertEqual(mail.body_html, body)

    def test_the_message_shows_its_email_and_its_chatter_a_summary(self):
        """The e-mail is kept once (on the mail.mail): the message's form shows it
        to a collector, who cannot read e-mails themselves; its chatter line is a
        summary, not a second copy of the e-mail."""
        invoice = self._invoice(self.customer, 100.0)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(self.customer)
        mail = message.mail_ids
        self.assertIn(invoice.name, mail.body_html)
        self.assertNotIn(invoice.name, mail.mail_message_id.body)
        self.assertIn(mail.subject, mail.mail_message_id.body)
        self.assertIn(self.customer.name, mail.mail_message_id.body)
        # the form, as the web client reads it, for a collector
        views = message.with_user(self.collector).get_views([(False, "form")])
        self.assertIn('name="email_body_html"', views["views"]["form"]["arch"])
        [data] = message.with_user(self.collector).web_read({"email_body_html": {}})
        self.assertEqual(data["email_body_html"], mail.body_html)
        # once sent, it still shows what left
        self._send_mails(mail)
        message.invalidate_recordset()
        self.assertEqual(message.with_user(self.collector).email_body_html, mail.body_html)

    def test_failed_email_is_retried_as_the_same_email(self):
        self._invoice(self.customer, 100.0)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(self.customer)
        mail = message.mail_ids
        mail.write(
            {"state": "exception", "failure_type": "mail_smtp", "failure_reason": "timed out"}
        )
        self.assertEqual(message.state, "failed")
        self.assertEqual(message.failure_reason, "timed out")
        self.Message.sudo()._cron_retry_failed()
        self.assertEqual(message.mail_ids, mail, "retried, not duplicated")
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(message.attempt_count, 1)
        self._send_mails(mail)
        self.assertEqual(message.state, "sent")

    def test_hopeless_email_falls_back_to_a_phone_task(self):
        invoice = self._invoice(self.customer, 100.0)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(self.customer)
        message.mail_ids.write(
            {"state": "exception", "failure_type": "mail_email_invalid", "failure_reason": "bad"}
        )
        self.Message.sudo()._cron_retry_failed()
        phone = message.fallback_message_id
        self.assertTrue(phone)
        self.assertEqual(phone.channel, "phone")
        self.assertEqual(phone.state, "todo")
        self.assertEqual(phone.line_ids, self._lines(invoice))
        self.assertIn("could not be delivered", self._lines(invoice).note)
        # nothing more happens on the next retry
        self.Message.sudo()._cron_retry_failed()
        self.assertEqual(len(self._messages(self.customer)), 2)

    def test_too_many_failures_fall_back_to_a_phone_task(self):
        self._invoice(self.customer, 100.0)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(self.customer)
        for _attempt in range(3):
            message.mail_ids.write({"state": "exception", "failure_type": "mail_smtp"})
            self.Message.sudo()._cron_retry_failed()
        self.assertEqual(message.attempt_count, 3)
        self.assertFalse(message.fallback_message_id)
        message.mail_ids.write({"state": "exception", "failure_type": "mail_smtp"})
        self.Message.sudo()._cron_retry_failed()
        self.assertTrue(message.fallback_message_id)

    def test_open_task_of_a_settled_customer_is_cancelled(self):
        partner = self._customer("Sem E-mail Pagador")
        invoice = self._invoice(partner, 100.0)
        self._run(self.DUE + timedelta(days=1))
        task = self._messages(partner)
        self.assertEqual(task.state, "todo")
        self._pay(invoice, day=self.DUE + timedelta(days=2))
        self._run(self.DUE + timedelta(days=2))
        self.assertEqual(task.state, "cancelled")
        self.assertFalse(task.activity_ids)
