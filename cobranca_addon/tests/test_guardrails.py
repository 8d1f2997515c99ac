from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestGuardrails(CobrancaCommon):
    """Collection templates identify the creditor and never threaten (CDC 42, 42-A)."""

    def _mail_template(self, body, subject="Cobrança"):
        # as the administrator: template editors may write QWeb (t-call)
        return (
            self.env["mail.template"]
            .sudo()
            .create(
                {
                    "name": "Modelo",
                    "model_id": self.env["ir.model"]._get_id("cobranca.message"),
                    "subject": subject,
                    "body_html": body,
                }
            )
        )

    def test_shipped_templates_pass(self):
        guard = self.env["cobranca.template.guard"]
        for xmlid in (
            "mail_template_cobranca_friendly",
            "mail_template_cobranca_overdue",
            "mail_template_cobranca_second_notice",
            "mail_template_cobranca_formal_notice",
            "mail_template_cobranca_thanks",
        ):
            guard._check_mail_template(self.env.ref(f"cobranca_addon.{xmlid}"))
        for xmlid in ("sms_template_cobranca_reminder", "sms_template_cobranca_whatsapp"):
            guard._check_text_template(self.env.ref(f"cobranca_addon.{xmlid}"))

    def test_mail_template_must_identify_the_creditor(self):
        with self.assertRaisesRegex(ValidationError, "identify the creditor"):
            self._mail_template("<p>Pague logo.</p>")
        template = self._mail_template(
            '<p>Olá</p><t t-call="cobranca_addon.cobranca_message_creditor"/>'
        )
        with self.assertRaisesRegex(ValidationError, "identify the creditor"):
            template.sudo().body_html = "<p>Sem credor</p>"

    def test_threats_are_refused(self):
        creditor = '<t t-call="cobranca_addon.cobranca_message_creditor"/>'
        with self.assertRaisesRegex(ValidationError, "polícia"):
            self._mail_template(
                f"<p>Chamaremos a POLICIA se não pagar.</p>{creditor}".replace("POLICIA", "POLÍCIA")
            )
        with self.assertRaisesRegex(ValidationError, "vergonha"):
            self._mail_template(creditor, subject="Que Vergonha, cliente!")
        with self.assertRaisesRegex(ValidationError, "seus vizinhos"):
            self.env.ref(
                "cobranca_addon.sms_template_cobranca_reminder"
            ).sudo().body = "{{ object._creditor_short() }}: contaremos a seus vizinhos."
        # words that merely contain a forbidden one are fine
        self.assertTrue(self._mail_template(f"<p>Prezado, seu crédito está ok.</p>{creditor}"))

    def test_forbidden_list_is_a_setting(self):
        creditor = '<t t-call="cobranca_addon.cobranca_message_creditor"/>'
        settings = self.env["res.config.settings"].create({})
        self.assertIn("prisão", settings.cobranca_forbidden_expressions)
        settings.cobranca_forbidden_expressions = "juros abusivos\nmulta dobrada"
        settings.execute()
        self.assertTrue(self._mail_template(f"<p>Evite a prisão de ventre.</p>{creditor}"))
        with self.assertRaisesRegex(ValidationError, "multa dobrada"):
            self._mail_template(f"<p>Haverá MULTA DOBRADA.</p>{creditor}")

    def test_text_template_must_identify_the_creditor(self):
        with self.assertRaisesRegex(ValidationError, "identify the creditor"):
            self.env["sms.template"].create(
                {
                    "name": "SMS sem credor",
                    "model_id": self.env["ir.model"]._get_id("cobranca.message"),
                    "body": "Pague {{ object._text_total() }}",
                }
            )
