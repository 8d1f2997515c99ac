import logging
import smtplib

from odoo import models

from ..tools import mensagem
from .cobranca_evidence import utc_now

_logger = logging.getLogger(__name__)


class EvidenceSMTP:
    """An SMTP session that sends a message as exact bytes and records them,
    with the server's reply to DATA and the time it came.

    It stands for the real session in ``ir.mail_server.send_email``, which only
    calls ``send_message`` on it (and reads a few attributes, delegated).
    """

    def __init__(self, smtp, evidence):
        self._smtp = smtp
        self._evidence = evidence
        self.capture = {}

    def __getattr__(self, name):
        return getattr(self._smtp, name)

    def send_message(self, msg, from_addr=None, to_addrs=None, mail_options=(), rcpt_options=()):
        # Odoo's SMTPConnection wraps the smtplib client in ``__obj__``
        smtp = getattr(self._smtp, "__obj__", self._smtp)
        to_addrs = [to_addrs] if isinstance(to_addrs, str) else list(to_addrs or [])
        smtp.ehlo_or_helo_if_needed()
        international = mensagem.needs_smtputf8(from_addr, to_addrs)
        if international and not smtp.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError(
                "An address needs SMTPUTF8, which the server does not support."
            )
        raw = self._evidence._bytes_to_send(msg, international)
        mail_options = list(mail_options)
        rcpt_options = list(rcpt_options)
        if international:
            mail_options += ["SMTPUTF8", "BODY=8BITMIME"]
        if smtp.has_extn("dsn"):
            # ask for delivery status notifications (RFC 3461), of success too
            mail_options += ["RET=HDRS", f"ENVID={self._evidence.name}".replace(" ", "")]
            rcpt_options += ["NOTIFY=SUCCESS,FAILURE,DELAY"]
        sock = getattr(smtp, "sock", None)
        peer = sock.getpeername() if sock else None
        self.capture.update(
            raw=raw,
            envelope_from=from_addr,
            envelope_to=to_addrs,
            server=f"{peer[0]}:{peer[1]}" if peer else getattr(smtp, "_host", ""),
            handed_at=utc_now(),
        )
        original_data = smtp.data

        def data(message_bytes):
            code, reply = original_data(message_bytes)
            self.capture.update(
                code=code,
                reply=reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply,
                accepted_at=utc_now(),
            )
            return code, reply

        smtp.data = data
        try:
            return smtp.sendmail(from_addr, to_addrs, raw, mail_options, rcpt_options)
        finally:
            del smtp.data


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    def send_email(
        self,
        message,
        mail_server_id=None,
        smtp_server=None,
        smtp_port=None,
        smtp_user=None,
        smtp_password=None,
        smtp_encryption=None,
        smtp_ssl_certificate=None,
        smtp_ssl_private_key=None,
        smtp_debug=False,
        smtp_session=None,
    ):
        """AR-tracked e-mails are sent as exact bytes that their evidence keeps,
        with the server's reply: what the server received is what is stored."""
        evidence = self.env["cobranca.evidence"]._for_outgoing(message)
        kwargs = {
            "mail_server_id": mail_server_id,
            "smtp_server": smtp_server,
            "smtp_port": smtp_port,
            "smtp_user": smtp_user,
            "smtp_password": smtp_password,
            "smtp_encryption": smtp_encryption,
            "smtp_ssl_certificate": smtp_ssl_certificate,
            "smtp_ssl_private_key": smtp_ssl_private_key,
            "smtp_debug": smtp_debug,
        }
        if not evidence:
            return super().send_email(message, smtp_session=smtp_session, **kwargs)
        smtp = smtp_session or self.connect(
            smtp_server,
            smtp_port,
            smtp_user,
            smtp_password,
            smtp_encryption,
            smtp_from=message["From"],
            ssl_certificate=smtp_ssl_certificate,
            ssl_private_key=smtp_ssl_private_key,
            smtp_debug=smtp_debug,
            mail_server_id=mail_server_id,
        )
        if smtp is None:
            # no connection in test mode (Odoo sends nothing then): no attempt
            return super().send_email(message, smtp_session=smtp_session, **kwargs)
        recorder = EvidenceSMTP(smtp, evidence)
        try:
            result = super().send_email(message, smtp_session=recorder, **kwargs)
        except Exception as error:
            self._cobranca_record(evidence, recorder.capture, error)
            raise
        finally:
            if not smtp_session:
                try:
                    smtp.quit()
                except smtplib.SMTPException:
                    _logger.info("The SMTP session of %s did not close cleanly", evidence.name)
        self._cobranca_record(evidence, recorder.capture)
        return result

    def _cobranca_record(self, evidence, capture, error=None):
        """Record the attempt; a failure to record never turns a sent e-mail into a
        failed one (it would be sent again)."""
        if not capture and error is None:
            return
        try:
            with self.env.cr.savepoint():
                evidence._record_attempt(capture, error=error)
        except Exception:
            _logger.exception("Could not record the sending of the evidence %s", evidence.name)
