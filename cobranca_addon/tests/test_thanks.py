from datetime import timedelta

from odoo.tests import tagged

from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestThanks(CobrancaCommon):
    def test_thank_you_after_a_reminded_invoice_is_paid(self):
        self.policy.thank_you = True
        reminded = self._invoice(self.customer, 800.0)
        never_reminded = self._invoice(self.customer, 50.0, due=self.DUE + timedelta(days=30))
        self._run(self.DUE + timedelta(days=1))
        self._pay(reminded, day=self.DUE + timedelta(days=3))
        self._pay(never_reminded, day=self.DUE + timedelta(days=3))
        self._run(self.DUE + timedelta(days=4))
        thanks = self._messages(self.customer).filtered(lambda m: m.kind == "thanks")
        self.assertEqual(len(thanks), 1)
        self.assertEqual(thanks.line_ids.move_id, reminded)
        mail = thanks.mail_ids
        self.assertIn("thank you for your payment", mail.subject)
        self.assertIn(reminded.name, mail.body_html)
        self.assertNotIn(never_reminded.name, mail.body_html)
        self._send_mails(mail)
        self.assertEqual(
            mail.state, "sent", "a thank-you is not cancelled for its items being paid"
        )
        self.assertEqual(self._lines(reminded).thanks_date, self.DUE + timedelta(days=4))
        self._run(self.DUE + timedelta(days=5))
        self.assertEqual(
            len(self._messages(self.customer).filtered(lambda m: m.kind == "thanks")),
            1,
            "thanked once",
        )

    def test_no_thanks_unless_the_policy_says_so(self):
        reminded = self._invoice(self.customer, 800.0)
        self._run(self.DUE + timedelta(days=1))
        self._pay(reminded, day=self.DUE + timedelta(days=3))
        self._run(self.DUE + timedelta(days=4))
        self.assertFalse(self._messages(self.customer).filtered(lambda m: m.kind == "thanks"))
