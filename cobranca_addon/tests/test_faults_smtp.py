"""The SMTP server refuses or times out, then recovers: every reminder reaches the
server exactly once, plain and AR-tracked e-mails alike."""

import base64
from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CobrancaCommon
from .fault_common import FaultAssertions, SmtpFaultMixin

#: Where Odoo logs a failed sending (an error, expected here).
MAIL_LOGGERS = (
    "odoo.addons.mail.models.mail_mail",
    "odoo.addons.base.models.ir_mail_server",
    "odoo.addons.cobranca_addon.models.ir_mail_server",
)


class SmtpFaultCommon(CobrancaCommon, SmtpFaultMixin, FaultAssertions):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_smtp_server()
        alias_domain = cls.env["mail.alias.domain"].create(
            {"name": "paulista.example.com", "bounce_alias": "bounce", "catchall_alias": "catchall"}
        )
        cls.company.alias_domain_id = alias_domain
        cls.day = cls.DUE + timedelta(days=1)
        #: noon in Brasília: inside the send window, the e-mails are not delayed
        cls.noon = datetime.combine(cls.day, time(15, 0))

    def setUp(self):
        super().setUp()
        self.handler.reset()

    def _customers(self, count):
        return [self.customer] + [
            self._customer(f"Cliente SMTP {n}", f"smtp{n}@example.com") for n in range(1, count)
        ]

    def _remind(self, partners, hour=15):
        """An invoice per customer, reminded at D+1 (e-mails queued)."""
        invoices = self.env["account.move"]
        for n, partner in enumerate(partners):
            invoices |= self._invoice(partner, 100.0 + n)
        self._run(self.day, hour=hour)
        return invoices

    def _mails(self, invoices):
        messages = self.Message.search([("line_ids.move_id", "in", invoices.ids)])
        return self.env["mail.mail"].search([("cobranca_message_id", "in", messages.ids)])

    def _process_queue(self, moment=None):
        """Odoo's mail queue, as its scheduled action runs it, on the real server."""
        with freeze_time(moment or self.noon), self.real_smtp(), mute_logger(*MAIL_LOGGERS):
            self.env["mail.mail"].sudo().process_email_queue()

    def _retry(self):
        """The module's hourly retry of failed reminders."""
        with freeze_time(self.noon + timedelta(hours=1)):
            return self.Message._cron_retry_failed()

    def _check(self, invoices, paid=None):
        self.env.invalidate_all()
        return self.assertNothingLostNothingDuplicated(
            self.env, invoices, self.level_overdue, paid=paid, sink=self.handler.envelopes
        )


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
