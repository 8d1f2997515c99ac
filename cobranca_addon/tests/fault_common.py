"""The fault suite's shared parts: the "nothing lost, nothing duplicated" check,
a real SMTP server on loopback that fails on demand, and committed data for the
faults that need several real connections."""

import asyncio
import email
import socket
import threading
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from unittest.mock import patch

from aiosmtpd.controller import Controller
from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api, modules
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import TransactionCase
from odoo.tools import mute_logger

from .common import CobrancaCommon

#: Line states a fault may leave behind: done, or taken up again by the next run.
SETTLED_LINE_STATES = ("sent", "cancelled", "waiting")


def message_id_of(raw):
    """The Message-Id header of raw e-mail bytes."""
    return (email.message_from_bytes(raw).get("Message-Id") or "").strip()


@contextmanager
def registry_lock_released():
    """Let other threads reach the registry: Odoo's test runner holds the registry
    lock while it runs the tests (pytest-odoo does not), and every new Environment
    takes it, so the workers' threads would wait forever. Odoo's test mode swaps
    the lock for a dummy the same way; the workers' cursors stay real, distinct
    connections (the registry is loaded: nothing changes it meanwhile)."""
    saved = Registry._lock
    Registry._lock = DummyRLock()
    try:
        yield
    finally:
        Registry._lock = saved


class FaultAssertions:
    """The one assertion every fault test ends with."""

    def assertNothingLostNothingDuplicated(self, env, moves, level, paid=None, sink=None):
        """After a fault and the recovery, the dunning of ``moves`` is exactly what a
        run without the fault would have done.

        :param env: where to look (the test's environment, or one on a new cursor
            when the fault involved other connections)
        :param moves: the invoices of the scenario
        :param level: the level every unpaid item must have reached, once
        :param paid: the invoices paid before their reminder left: nothing may
            reach their customer
        :param sink: the envelopes the loopback SMTP server accepted, to compare
            with what Odoo believes it sent (``None`` when there is no server)
        """
        moves = env["account.move"].browse(moves.ids)
        paid = env["account.move"].browse(paid.ids if paid else [])
        items = moves.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        lines = env["cobranca.line"].search([("move_id", "in", moves.ids)])
        # nothing duplicated: one line per item and level
        keys = Counter((line.move_line_id.id, line.level_id.id) for line in lines)
        self.assertFalse([key for key, count in keys.items() if count > 1], "a line twice")
        # nothing lost: no line stuck half-way, every due item reached its level
        stuck = lines.filtered(lambda line: line.state not in SETTLED_LINE_STATES)
        self.assertFalse(stuck, f"lines left {stuck.mapped('state')}")
        for item in items.filtered(lambda aml: aml.move_id not in paid):
            reached = lines.filtered(lambda line, item=item: line.move_line_id == item)
            self.assertEqual(
                reached.filtered(lambda line: line.state == "sent").level_id,
                env["cobranca.level"].browse(level.id),
                f"item {item.move_id.name} skipped or dunned at another level",
            )
        messages = env["cobranca.message"].search(
            [("line_ids", "in", lines.ids), ("kind", "=", "reminder")]
        )
        live = messages.filtered(
            lambda message: message.state != "cancelled" and not message.fallback_message_id
        )
        # nothing duplicated: one message per customer, level and channel
        per_channel = Counter(
            (message.partner_id.id, message.level_id.id, message.channel) for message in live
        )
        self.assertFalse(
            [key for key, count in per_channel.items() if count > 1],
            "a customer reminded twice on one channel for one level",
        )
        # nothing lost: every sent line of an unpaid item is carried by a message
        # that is alive (a paid item's line may stay "sent" with its message
        # cancelled by the next run: the régua counts the level as reached)
        orphans = lines.filtered(
            lambda line: (
                line.state == "sent" and line.move_id not in paid and not (line.message_ids & live)
            )
        )
        self.assertFalse(orphans, "sent lines no message carries")
        # nothing for a paid item: its messages were cancelled, never sent
        for message in messages.filtered(lambda m: set(m.line_ids.move_id) <= set(paid)):
            self.assertEqual(message.state, "cancelled", f"{message.display_name} not cancelled")
            self.assertFalse(message.date_sent, f"{message.display_name} was sent")
            self.assertFalse(
                message.mail_ids.filtered(lambda mail: mail.state in ("sent", "received"))
            )
        # never a copy: one e-mail per e-mail message, one SMS per SMS message
        mails = env["mail.mail"].search([("cobranca_message_id", "in", messages.ids)])
        per_message = Counter(mails.mapped("cobranca_message_id.id"))
        self.assertFalse([m for m, count in per_message.items() if count > 1], "an e-mail twice")
        for message in live.filtered(lambda m: m.channel in ("email", "ar_email")):
            self.assertTrue(message.mail_ids, f"{message.display_name} has no e-mail")
        sms = env["sms.sms"].search([("mail_message_id", "in", messages.tracked_message_id.ids)])
        self.assertEqual(len(sms), len(set(sms.mail_message_id.ids)), "an SMS twice")
        if sink is not None:
            # what Odoo says it sent is what the server received, each once
            sent = mails.filtered(lambda mail: mail.state in ("sent", "received"))
            received = Counter(message_id_of(envelope.original_content) for envelope in sink)
            self.assertEqual(
                received,
                Counter(mail.message_id.strip() for mail in sent),
                "the SMTP server received other messages than Odoo sent, or twice",
            )
        return lines, live


class FaultySmtpHandler:
    """A loopback SMTP server's handler that fails on demand, then recovers.

    ``refuse`` is a list of replies given to the next DATA commands instead of
    accepting (``"451 ..."`` temporary, ``"554 ..."`` permanent); ``stall`` makes
    the next MAIL commands answer only after that many seconds (beyond the
    client's timeout: the connection times out before any message is handed
    over); ``stall_data`` makes the next DATA commands accept the message only
    at once but answer only after that many seconds (the client has given up:
    did it go or not?).
    ``envelopes`` keeps what the server accepted.
    """

    def __init__(self):
        self.envelopes = []
        self.refuse = []
        self.stall = []
        self.stall_data = []
        self.lock = threading.Lock()

    def reset(self):
        with self.lock:
            self.envelopes.clear()
            self.refuse.clear()
            self.stall.clear()
            self.stall_data.clear()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            delay = self.stall.pop(0) if self.stall else 0
        if delay:
            await asyncio.sleep(delay)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            delay = self.stall_data.pop(0) if self.stall_data else 0
            if delay:
                # queued at once, as a real MTA does, but answered too late
                self.envelopes.append(envelope)
        if delay:
            await asyncio.sleep(delay)
            return "250 2.0.0 Ok: queued"
        with self.lock:
            if self.refuse:
                return self.refuse.pop(0)
            self.envelopes.append(envelope)
        return "250 2.0.0 Ok: queued"


def start_loopback_smtp():
    """A real SMTP server on a free port of loopback: ``(handler, controller, port)``."""
    handler = FaultySmtpHandler()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return handler, controller, port


class SmtpFaultMixin:
    """A real SMTP server on loopback for the class, and Odoo connecting to it."""

    #: Seconds Odoo waits for the server in these tests (60 in production).
    SMTP_TIMEOUT = 1

    @classmethod
    def _start_smtp_server(cls):
        cls.handler, cls.smtpd, port = start_loopback_smtp()
        cls.addClassCleanup(cls.smtpd.stop)
        cls.mail_server = cls.env["ir.mail_server"].create(
            {
                "name": "Loopback SMTP (fault tests)",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_encryption": "none",
                "sequence": 1,
            }
        )

    @contextmanager
    def real_smtp(self):
        """Let Odoo really connect and send (it sends nothing in test mode), with a
        short timeout."""
        with (
            patch.object(modules.module, "current_test", False),
            patch("odoo.addons.base.models.ir_mail_server.SMTP_TIMEOUT", self.SMTP_TIMEOUT),
        ):
            yield


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


class CommittedFaultCase(TransactionCase, FaultAssertions):
    """Customers and invoices committed for faults on several real connections
    (each worker must see them), removed at the end. These tests commit, hence
    the pylint exemptions.

    Six customers, each with an invoice due one day before :attr:`DAY` and one
    due ten days before: both reach the default régua's D+1 level, once.
    """

    #: A Tuesday, far from any real data (TestConcurrentRuns uses 2031-05-06).
    DAY = date(2031, 5, 13)
    CUSTOMERS = 6

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            income = env["account.account"].search(
                [("account_type", "=", "income"), ("company_ids", "in", company.id)], limit=1
            )
            partners = env["res.partner"].create(
                [
                    {"name": f"Cliente Falha {n}", "email": f"falha{n}@example.com"}
                    for n in range(self.CUSTOMERS)
                ]
            )
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": self.DAY - timedelta(days=40),
                        "invoice_date_due": self.DAY - timedelta(days=days),
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "x",
                                    "price_unit": 100.0 + days,
                                    "account_id": income.id,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                    for partner in partners
                    for days in (1, 10)
                ]
            )
            moves.action_post()
            cr.commit()  # pylint: disable=invalid-commit
            self.level_id = env.ref("cobranca_addon.cobranca_level_default_overdue").id
        self.company_id = company.id
        self.partner_ids = partners.ids
        self.move_ids = moves.ids
        self.addCleanup(self._clean_up)

    def _clean_up(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            messages = env["cobranca.message"].search([("partner_id", "in", self.partner_ids)])
            env["mail.mail"].search([("cobranca_message_id", "in", messages.ids)]).unlink()
            env["mail.activity"].search([("cobranca_message_id", "in", messages.ids)]).unlink()
            messages.unlink()
            env["cobranca.line"].search([("move_id", "in", self.move_ids)]).unlink()
            env["cobranca.run"].search([("date", "=", self.DAY)]).unlink()
            cron = env.ref("cobranca_addon.ir_cron_cobranca_run")
            env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
            env["account.payment.register"].search(
                [("partner_id", "in", self.partner_ids)]
            ).unlink()
            payments = env["account.payment"].search([("partner_id", "in", self.partner_ids)])
            payments.action_draft()
            payments.unlink()
            moves = env["account.move"].browse(self.move_ids)
            moves.button_draft()
            moves.with_context(force_delete=True).unlink()
            env["res.partner"].browse(self.partner_ids).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    @contextmanager
    def worker(self, uid=SUPERUSER_ID):
        """An environment on a new real connection, as a cron worker or an HTTP
        request has; committed when the block ends without error, else rolled
        back."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, uid, {})

    def at_noon(self):
        """Noon in Brasília (the company's timezone) on :attr:`DAY`: inside the
        send window."""
        return freeze_time(datetime.combine(self.DAY, time(15, 0)))

    def company(self, env):
        return env["res.company"].browse(self.company_id)

    def cron_until_done(self, env_factory, batch_size=2, calls=20):
        """Call the scheduled action as the scheduler does, each call in its own
        transaction, until nothing is left (or ``calls`` calls)."""
        for _call in range(calls):
            with env_factory() as env:
                remaining = env["cobranca.run"]._cron_run(batch_size=batch_size)
            if not remaining:
                return
        self.fail("the scheduled action never finished")

    def pay(self, env, moves):
        """Register the payment of ``moves`` (in full, on the day)."""
        wizard = (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({"payment_date": self.DAY})
        )
        return wizard._create_payments()

    def assert_dunned_once(self, paid=None):
        with self.worker() as env:
            moves = env["account.move"].browse(self.move_ids)
            self.assertNothingLostNothingDuplicated(
                env,
                moves,
                env["cobranca.level"].browse(self.level_id),
                paid=env["account.move"].browse(paid.ids if paid else []),
            )
            runs = env["cobranca.run"].search([("date", "=", self.DAY)])
            self.assertEqual(set(runs.mapped("state")), {"done"})
