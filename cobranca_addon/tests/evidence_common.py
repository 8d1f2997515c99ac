"""A real SMTP server on loopback (aiosmtpd) and AR-tracked reminders for the
evidence tests."""

import socket
import threading
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from aiosmtpd.controller import Controller

from odoo import modules

from .common import CobrancaCommon


class RecordingHandler:
    """Keeps every message the server receives; ``refuse`` answers the next DATA
    commands with a temporary failure instead."""

    def __init__(self):
        self.envelopes = []
        self.refuse = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                return "451 4.3.0 Try again later"
            self.envelopes.append(envelope)
        return "250 2.0.0 Ok: queued as COBRANCA42"


class EvidenceCommon(CobrancaCommon):
    """An SMTP server on loopback for the class, and the default régua's D+1
    level sending AR-tracked e-mails."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.handler = RecordingHandler()
        with socket.socket() as probe:  # a free port on loopback
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        cls.smtpd = Controller(cls.handler, hostname="127.0.0.1", port=port)
        cls.smtpd.start()
        cls.addClassCleanup(cls.smtpd.stop)
        cls.mail_server = cls.env["ir.mail_server"].create(
            {
                "name": "Loopback SMTP (tests)",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_encryption": "none",
                "sequence": 1,
            }
        )
        cls.level_overdue.write({"channel_email": False, "channel_ar_email": True})
        alias_domain = cls.env["mail.alias.domain"].create(
            {"name": "paulista.example.com", "bounce_alias": "bounce", "catchall_alias": "catchall"}
        )
        cls.company.alias_domain_id = alias_domain
        cls.company.cobranca_ar_ack_days = 5

    def setUp(self):
        super().setUp()
        self.handler.envelopes.clear()
        self.handler.refuse = 0

    @contextmanager
    def real_smtp(self):
        """Let Odoo really connect and send (it sends nothing in test mode)."""
        with patch.object(modules.module, "current_test", False):
            yield

    def _ar_reminder(self, partner=None, amount=1000.0):
        """A customer's invoice reminded at D+1 by an AR-tracked e-mail (queued)."""
        partner = partner or self.customer
        invoice = self._invoice(partner, amount)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(partner).filtered(lambda m: m.channel == "ar_email")
        self.assertEqual(len(message), 1)
        return invoice, message, message.evidence_ids

    def _send(self, mails):
        with self.real_smtp():
            mails.sudo().send()
