"""A payment registered while its reminder waits: the reminder is cancelled, not
sent (CDC art. 42: never charge what is paid), whatever it waits in — its
dunning line not yet dispatched, its e-mail (plain or AR-tracked) in Odoo's
mail queue, its SMS in Odoo's SMS queue."""

from datetime import timedelta

from odoo.tests import tagged

from .fault_common import SmtpFaultCommon


@tagged("post_install", "-at_install")
class TestFaultsPayment(SmtpFaultCommon):
    def _paid_while_queued(self):
        """Two customers reminded by e-mail at night (the e-mails wait in the queue
        for the morning's send window); the first pays before it opens."""
        payer, other = self._customers(2)
        invoices = self._remind([payer, other], hour=0)
        mails = self._mails(invoices)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        self.assertTrue(all(mails.mapped("scheduled_date")), "waiting for the window")
        paid = invoices.filtered(lambda move: move.partner_id == payer)
        self._pay(paid, day=self.day)
        self.assertIn(paid.payment_state, ("paid", "in_payment"))
        # the send window opens: Odoo's mail queue takes them
        self._process_queue()
        mail = mails.filtered(lambda mail: mail.cobranca_message_id.partner_id == payer)
        self.assertEqual(mail.state, "cancel", "cancelled at the moment of sending")
        self.assertEqual(mail.cobranca_message_id.state, "cancelled")
        self.assertEqual((mails - mail).state, "sent")
        [envelope] = self.handler.envelopes
        self.assertNotIn(payer.email.encode(), envelope.original_content)
        # later: the retry, the queue and the next day's run remind nobody again
        self._retry()
        self._process_queue(self.noon + timedelta(days=1))
        self._run(self.day + timedelta(days=1), hour=15)
        self._process_queue(self.noon + timedelta(days=1))
        self._check(invoices, paid=paid)
        self.assertEqual(len(self.handler.envelopes), 1)
        return mail

    def test_paid_while_the_email_is_queued(self):
        self._paid_while_queued()

    def test_paid_while_the_ar_email_is_queued(self):
        self.level_overdue.write({"channel_email": False, "channel_ar_email": True})
        mail = self._paid_while_queued()
        evidence = mail.cobranca_message_id.evidence_ids
        self.assertFalse(evidence.raw_message, "nothing was handed to the server")

    def test_paid_while_its_line_is_pending(self):
        """The run selected the item, the batch has not dispatched it yet."""
        payer, other = self._customers(2)
        invoices = self.env["account.move"]
        for partner in (payer, other):
            invoices |= self._invoice(partner, 100.0)
        self._run(self.day, hour=15, max_batches=0)
        lines = self._lines(invoices)
        self.assertEqual(set(lines.mapped("state")), {"pending"})
        paid = invoices.filtered(lambda move: move.partner_id == payer)
        self._pay(paid, day=self.day)
        self._run(self.day, hour=15)
        line = self._lines(paid)
        self.assertEqual(line.state, "cancelled")
        self.assertTrue(line.note)
        self.assertFalse(self._messages(payer))
        self._process_queue()
        self._check(invoices, paid=paid)
        self.assertEqual(len(self.handler.envelopes), 1)

    def test_paid_while_the_sms_is_queued(self):
        self.level_overdue.write({"channel_email": False, "channel_sms": True})
        payer, other = self._customers(2)
        payer.mobile, other.mobile = "+55 11 98888-7777", "+55 11 97777-6666"
        invoices = self._remind([payer, other])
        paid = invoices.filtered(lambda move: move.partner_id == payer)
        self._pay(paid, day=self.day)
        with self.mockSMSGateway():
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual([sms["number"] for sms in self._sms], ["+5511977776666"])
        self.assertEqual(self._messages(payer).state, "cancelled")
        self._check(invoices, paid=paid)
