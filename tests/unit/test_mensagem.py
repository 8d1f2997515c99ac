"""The bytes of an e-mail handed to SMTP (cobranca_addon/tools/mensagem.py), without Odoo."""

import hashlib
import smtplib
from email.message import EmailMessage

from .conftest import load_tool

mensagem = load_tool("mensagem")


class FakeSMTP(smtplib.SMTP):
    """An SMTP client that records what sendmail would put on the wire."""

    def __init__(self, extensions=("smtputf8",)):
        super().__init__()
        self.esmtp_features = {name: "" for name in extensions}
        self.sent = []

    def ehlo_or_helo_if_needed(self):
        pass

    def sendmail(self, from_addr, to_addrs, msg, mail_options=(), rcpt_options=()):
        self.sent.append((from_addr, list(to_addrs), msg, tuple(mail_options)))
        return {}


def _message(subject="Lembrete de pagamento", to="contas@cliente.example.com"):
    message = EmailMessage()
    message["From"] = "Comercial Paulista <financeiro@paulista.example.com>"
    message["To"] = to
    message["Bcc"] = "arquivo@paulista.example.com"
    message["Subject"] = subject
    message["Message-Id"] = "<123.456@paulista.example.com>"
    message.set_content("Olá,\nsegue a lista dos títulos em aberto.\n.\nFim.")
    message.add_attachment(b"%PDF-1.4 fatura", maintype="application", subtype="pdf",
                           filename="fatura.pdf")  # fmt: skip
    # a fixed MIME boundary: otherwise each flattening draws a new one
    message.set_boundary("===============cobranca==")
    return message


def test_flatten_gives_the_bytes_send_message_hands_to_sendmail():
    for to, international in (
        ("contas@cliente.example.com", False),
        ("joão@cliente.example.com", True),
    ):
        message = _message(to=to)
        smtp = FakeSMTP()
        smtp.send_message(message, "bounce@paulista.example.com", [to])
        _from, _to, wire, _options = smtp.sent[0]
        assert mensagem.needs_smtputf8("bounce@paulista.example.com", [to]) is international
        assert mensagem.flatten(message, international=international) == wire


def test_flatten_removes_bcc_uses_crlf_and_ends_with_it():
    raw = mensagem.flatten(_message())
    assert b"arquivo@paulista" not in raw
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_attachments_and_their_digests():
    raw = mensagem.flatten(_message())
    [(name, content_type, content, digest)] = mensagem.attachments(raw)
    assert (name, content_type, content) == ("fatura.pdf", "application/pdf", b"%PDF-1.4 fatura")
    assert digest == hashlib.sha256(b"%PDF-1.4 fatura").hexdigest()


def test_headers():
    found = mensagem.headers(mensagem.flatten(_message()))
    assert found["Message-Id"] == "<123.456@paulista.example.com>"
    assert found["Subject"] == "Lembrete de pagamento"
    assert "Bcc" not in found


DSN = (
    b"From: MAILER-DAEMON@mx.cliente.example.com\r\n"
    b"To: bounce@paulista.example.com\r\n"
    b"Subject: Delivery Status Notification (Failure)\r\n"
    b"Message-Id: <dsn.1@mx.cliente.example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
    b"\r\n"
    b"--B\r\n"
    b"Content-Type: text/plain\r\n"
    b"\r\n"
    b"The message could not be delivered.\r\n"
    b"--B\r\n"
    b"Content-Type: message/delivery-status\r\n"
    b"\r\n"
    b"Reporting-MTA: dns; mx.cliente.example.com\r\n"
    b"Original-Envelope-Id: AR-2026-00001\r\n"
    b"\r\n"
    b"Final-Recipient: rfc822; contas@cliente.example.com\r\n"
    b"Action: failed\r\n"
    b"Status: 5.1.1\r\n"
    b"Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
    b"--B\r\n"
    b"Content-Type: text/rfc822-headers\r\n"
    b"\r\n"
    b"Message-Id: <123.456@paulista.example.com>\r\n"
    b"Subject: Lembrete de pagamento\r\n"
    b"--B--\r\n"
)


def test_delivery_report_of_a_bounce():
    report = mensagem.delivery_report(mensagem.parse(DSN))
    assert report == {
        "action": "failed",
        "status": "5.1.1",
        "diagnostic": "550 5.1.1 User unknown",
        "final_recipient": "contas@cliente.example.com",
        "reporting_mta": "mx.cliente.example.com",
        "envelope_id": "AR-2026-00001",
        "original_message_id": "<123.456@paulista.example.com>",
        "message_id": "<dsn.1@mx.cliente.example.com>",
    }


def test_delivery_report_of_a_success_with_the_returned_message():
    success = (
        DSN.replace(b"Action: failed", b"Action: delivered")
        .replace(b"Status: 5.1.1", b"Status: 2.0.0")
        .replace(b"text/rfc822-headers", b"message/rfc822")
    )
    report = mensagem.delivery_report(mensagem.parse(success))
    assert (report["action"], report["status"]) == ("delivered", "2.0.0")
    assert report["original_message_id"] == "<123.456@paulista.example.com>"


def test_a_plain_message_is_no_report():
    report = mensagem.delivery_report(mensagem.parse(mensagem.flatten(_message())))
    assert report["action"] is None and report["original_message_id"] is None
