"""The exact bytes of an e-mail as handed to an SMTP server, as plain functions.

An AR-tracked e-mail keeps, as its evidence, the very bytes the SMTP server
received. Python's ``smtplib.SMTP.send_message`` flattens a message and hands
the bytes to ``sendmail``, which only adds the SMTP transparency (dot-stuffing,
undone by the server) and a final CRLF when missing. :func:`flatten` produces
the same bytes as ``send_message`` does, so that the add-on sends them itself
with ``sendmail`` and stores exactly what went out.
"""

import copy
import email.generator
import email.parser
import email.policy
import hashlib
import io

#: Line ending of SMTP (RFC 5321 §2.3.8).
CRLF = b"\r\n"


def needs_smtputf8(from_addr, to_addrs):
    """Whether an envelope address is not ASCII (RFC 6531 SMTPUTF8 is then needed)."""
    try:
        "".join([from_addr, *to_addrs]).encode("ascii")
    except UnicodeEncodeError:
        return True
    return False


def flatten(message, international=False):
    """The bytes of ``message`` (an :class:`email.message.Message`) as
    ``smtplib.SMTP.send_message`` would send them: Bcc removed, CRLF line
    endings, UTF-8 headers when the envelope is ``international``; they always
    end with CRLF, so that the server receives them unchanged."""
    message = copy.copy(message)
    del message["Bcc"]
    del message["Resent-Bcc"]
    with io.BytesIO() as buffer:
        if international:
            generator = email.generator.BytesGenerator(
                buffer, policy=message.policy.clone(utf8=True)
            )
        else:
            generator = email.generator.BytesGenerator(buffer)
        generator.flatten(message, linesep="\r\n")
        raw = buffer.getvalue()
    return raw if raw.endswith(CRLF) else raw + CRLF


def parse(raw):
    """The message of ``raw`` bytes (modern policy)."""
    return email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)


def attachments(raw):
    """``[(filename, content type, bytes, sha256 hex)]`` of the attachments of the
    message ``raw``, in their order in the message."""
    result = []
    for part in parse(raw).walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if not filename and part.get_content_disposition() != "attachment":
            continue
        content = part.get_payload(decode=True) or b""
        result.append(
            (
                filename or "",
                part.get_content_type(),
                content,
                hashlib.sha256(content).hexdigest(),
            )
        )
    return result


def headers(raw):
    """The main headers of the message ``raw``, as text: ``{name: value}``."""
    message = parse(raw)
    names = ("Message-Id", "Date", "From", "To", "Cc", "Subject", "Return-Path")
    return {name: str(message[name]) for name in names if message[name] is not None}


def _field(block, name):
    value = block.get(name) if block is not None else None
    return str(value).strip() if value is not None else None


def _after_type(value):
    """``rfc822; joao@example.com`` → ``joao@example.com`` (RFC 3464 typed fields)."""
    if not value:
        return value
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


def delivery_report(message):
    """What a delivery status notification (RFC 3464) says of the first recipient:
    ``action`` (delivered, failed, delayed, relayed, expanded; lower case),
    ``status`` (e.g. 5.1.1), ``diagnostic``, ``final_recipient``,
    ``reporting_mta``, ``envelope_id`` (the ENVID of RFC 3461), the notification's
    own ``message_id`` and the ``original_message_id`` of the message it is
    about (from the returned message or headers). Missing values are None."""
    report = dict.fromkeys(
        (
            "action",
            "status",
            "diagnostic",
            "final_recipient",
            "reporting_mta",
            "envelope_id",
            "original_message_id",
        )
    )
    report["message_id"] = _field(message, "Message-Id")
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            blocks = part.get_payload()
            if not isinstance(blocks, list) or not blocks:
                continue
            report["reporting_mta"] = _after_type(_field(blocks[0], "Reporting-MTA"))
            report["envelope_id"] = _field(blocks[0], "Original-Envelope-Id")
            if len(blocks) > 1:
                recipient = blocks[1]
                report["action"] = (_field(recipient, "Action") or "").lower() or None
                report["status"] = _field(recipient, "Status")
                report["diagnostic"] = _after_type(_field(recipient, "Diagnostic-Code"))
                report["final_recipient"] = _after_type(_field(recipient, "Final-Recipient"))
        elif content_type in ("message/rfc822", "text/rfc822-headers"):
            if report["original_message_id"]:
                continue
            if content_type == "message/rfc822":
                inner = part.get_payload()
                inner = inner[0] if isinstance(inner, list) and inner else None
            else:
                text = part.get_payload(decode=True) or b""
                inner = email.parser.BytesParser(policy=email.policy.default).parsebytes(
                    text, headersonly=True
                )
            report["original_message_id"] = _field(inner, "Message-Id")
    return report
