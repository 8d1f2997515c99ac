import re
import unicodedata

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import html2plaintext

#: Expressions a collection message must never contain (CDC art. 42 and 71: no
#: threat, embarrassment or exposure). Settings > Cobrança replaces the list.
DEFAULT_FORBIDDEN_EXPRESSIONS = (
    "prisão",
    "preso",
    "cadeia",
    "polícia",
    "delegacia",
    "boletim de ocorrência",
    "processo criminal",
    "crime",
    "vergonha",
    "humilhação",
    "expor seu nome",
    "divulgar seu nome",
    "seus vizinhos",
    "seu empregador",
    "seus familiares",
    "ameaça",
)

#: What proves that a template identifies the creditor (CDC art. 42-A).
CREDITOR_MARKERS_HTML = ("cobranca_addon.cobranca_message_creditor", "_creditor()")
CREDITOR_MARKERS_TEXT = ("_creditor_short()", "_creditor()")


def _normalize(text):
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", text).lower()


class CobrancaTemplateGuard(models.AbstractModel):
    """Guardrails of the texts sent to debtors: creditor identified, no threat."""

    _name = "cobranca.template.guard"
    _description = "Cobrança: Template Guardrails"

    @api.model
    def _forbidden_expressions(self):
        value = (
            self.env["ir.config_parameter"].sudo().get_param("cobranca_addon.forbidden_expressions")
        )
        if value is None or value is False:
            return list(DEFAULT_FORBIDDEN_EXPRESSIONS)
        return [line.strip() for line in value.splitlines() if line.strip()]

    @api.model
    def _find_forbidden(self, text):
        """The forbidden expressions found in ``text`` (accents and case ignored)."""
        normalized = _normalize(text)
        found = []
        for expression in self._forbidden_expressions():
            pattern = r"\b" + re.escape(_normalize(expression)) + r"\b"
            if re.search(pattern, normalized):
                found.append(expression)
        return found

    @api.model
    def _raise_if_forbidden(self, template, text):
        found = self._find_forbidden(text)
        if found:
            raise ValidationError(
                self.env._(
                    "The template %(template)s contains expressions that a collection "
                    "message must not use (CDC art. 42: no threat, embarrassment or "
                    "exposure): %(expressions)s.",
                    template=template.display_name,
                    expressions=", ".join(found),
                )
            )

    @api.model
    def _check_mail_template(self, template):
        body = template.body_html or ""
        if not any(marker in body for marker in CREDITOR_MARKERS_HTML):
            raise ValidationError(
                self.env._(
                    "The e-mail template %(template)s must identify the creditor (name, "
                    "address and CNPJ, CDC art. 42-A): keep the block "
                    "cobranca_addon.cobranca_message_creditor in its body.",
                    template=template.display_name,
                )
            )
        self._raise_if_forbidden(template, f"{template.subject or ''} {html2plaintext(body)}")

    @api.model
    def _check_text_template(self, template):
        body = template.body or ""
        if not any(marker in body for marker in CREDITOR_MARKERS_TEXT):
            raise ValidationError(
                self.env._(
                    "The text template %(template)s must identify the creditor (CDC art. "
                    "42-A): keep {{ object._creditor_short() }} in it.",
                    template=template.display_name,
                )
            )
        self._raise_if_forbidden(template, body)
