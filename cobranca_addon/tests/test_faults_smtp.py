"""The SMTP server refuses or times out, then recovers: every reminder reaches the
server exactly once, plain and AR-tracked e-mails alike."""

import base64
from datetime import timedelta

from odoo.tests import tagged

from .fault_common import SmtpFaultCommon, message_id_of


@tagged("post_install", "-at_install")
class TestFaultsSmtp(SmtpFaultCommon):
    def test_plain_email_refused_then_recovers(self):
        """4xx and 5xx at DATA: those e-mails fail, the retry sends them, once."""
        invoices = self._remind(self._customers(3))
        mails = self._mails(invoices)
        self.assertEqual(len(mails), 3)
        self.handler.refuse = ["451 4.3.0 Try again later", "554 5.7.1 Not now"]
        self._process_queue()
        self.assertEqual(sorted(mails.mapped("state")), ["exception", "exception", "sent"])
        self.assertEqual(len(self.handler.envelopes), 1)
        failed = mails.filtered(lambda mail: mail.state == "exception").cobranca_message_id
        self.assertEqual(set(failed.mapped("state")), {"failed"})
        # the server recovers; the hourly retry re-queues the same e-mails
        self.assertEqual(self._retry(), (2, 0))
        self.assertEqual(self._mails(invoices), mails, "the same e-mails, not copies")
        self._process_queue()
        self.assertEqual(set(mails.mapped("state")), {"sent"})
        self.assertEqual(failed.mapped("attempt_count"), [1, 1])
        # the retry, the queue and the run again change nothing
        self.assertEqual(self._retry(), (0, 0))
        self._process_queue()
        self._run(self.day, hour=16)
        lines, messages = self._check(invoices)
        self.assertEqual(len(self.handler.envelopes), 3)
        self.assertEqual(set(messages.mapped("state")), {"sent"})

    def test_plain_email_server_times_out_then_recovers(self):
        """The server stops answering (beyond Odoo's SMTP timeout) before any
        message is handed over: nothing was sent, nothing is marked sent; the next
        run of the queue sends each e-mail once."""
        invoices = self._remind(self._customers(3))
        mails = self._mails(invoices)
        self.handler.stall = [self.SMTP_TIMEOUT + 2]
        self._process_queue()
        self.assertFalse(self.handler.envelopes)
        # the e-mail being sent is marked failed (Odoo marks it so before handing
        # it over, so that it is never sent twice); the session is lost, the
        # others wait in the queue
        self.assertEqual(sorted(mails.mapped("state")), ["exception", "outgoing", "outgoing"])
        # the server recovers: the queue sends the others, the retry the failed one
        self._process_queue(self.noon + timedelta(minutes=1))
        self.assertEqual(self._retry(), (1, 0))
        self._process_queue(self.noon + timedelta(minutes=2))
        self.assertEqual(set(mails.mapped("state")), {"sent"})
        self._retry()
        self._process_queue(self.noon + timedelta(minutes=3))
        self._check(invoices)
        self.assertEqual(len(self.handler.envelopes), 3)

    def test_ar_email_refused_and_timed_out_then_recovers(self):
        """An AR-tracked e-mail refused, then timed out, then accepted: one e-mail,
        the same bytes each time, and its evidence tells the three attempts."""
        self.level_overdue.write({"channel_email": False, "channel_ar_email": True})
        invoices = self._remind(self._customers(2))
        mails = self._mails(invoices)
        self.assertEqual(len(mails), 2)
        self.handler.refuse = ["451 4.3.0 Try again later", "451 4.3.0 Try again later"]
        self._process_queue()
        self.assertEqual(set(mails.mapped("state")), {"exception"})
        evidences = mails.cobranca_message_id.evidence_ids
        first_bytes = {
            evidence.id: base64.b64decode(evidence.raw_message) for evidence in evidences
        }
        self._retry()
        self.handler.stall = [self.SMTP_TIMEOUT + 2]
        self._process_queue()
        self.assertFalse(self.handler.envelopes)
        self.assertEqual(sorted(mails.mapped("state")), ["exception", "outgoing"])
        self._process_queue(self.noon + timedelta(minutes=1))
        self.assertEqual(self._retry(), (1, 0))
        self._process_queue(self.noon + timedelta(minutes=2))
        self.assertEqual(set(mails.mapped("state")), {"sent"})
        self.assertEqual(len(self.handler.envelopes), 2)
        self._check(invoices)
        received = {envelope.original_content for envelope in self.handler.envelopes}
        self.assertEqual(received, set(first_bytes.values()), "never another message")
        for evidence in evidences:
            self.assertEqual(evidence.state, "accepted")
            self.assertEqual(evidence.event_ids.mapped("kind")[0], "created")
            self.assertEqual(evidence.event_ids.mapped("kind")[-1], "accepted")
            self.assertFalse(evidence.verify_integrity()[evidence.id])

    def test_timeout_after_the_data_is_the_same_message_again(self):
        """The one case SMTP cannot settle: the server times out after it received
        the whole message, and accepts it after Odoo gave up. Odoo cannot know it
        arrived, so the retry sends it again: the very same message (same
        Message-Id, for AR-tracked e-mails the same bytes), never a new reminder,
        so that a receiving server or mail program that removes duplicates by
        Message-Id shows it once. The module's own records stay single."""
        self.level_overdue.write({"channel_email": False, "channel_ar_email": True})
        invoices = self._remind(self._customers(1))
        mail = self._mails(invoices)
        self.handler.stall_data = [self.SMTP_TIMEOUT + 1]
        self._process_queue()
        self.assertEqual(mail.state, "exception")
        self.assertEqual(self._retry(), (1, 0))
        # the server has meanwhile accepted the first copy
        self._process_queue(self.noon + timedelta(minutes=5))
        self.assertEqual(mail.state, "sent")
        first, second = self.handler.envelopes
        self.assertEqual(first.original_content, second.original_content)
        self.assertEqual(message_id_of(first.original_content), mail.message_id.strip())
        self.assertEqual(len(self._mails(invoices)), 1)
        self.assertEqual(len(mail.cobranca_message_id), 1)
        # the check holds once the copies are merged by Message-Id, as the
        # receiving side does
        self.handler.envelopes[:] = [first]
        self._check(invoices)
