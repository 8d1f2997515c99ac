import hashlib
from datetime import date, datetime, time, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from ..tools import mensagem
from .evidence_common import EvidenceCommon
from .test_agreement import AgreementCommon

REPORT = "cobranca_addon.action_report_cobranca_statement"


def _text(node):
    text = " ".join(node.itertext()).replace("\xa0", " ").replace("\ufeff", "")
    return " ".join(text.split())


def _rows(html, row_class):
    """The cells' texts of the statement rows of a class (items, credits, totals...)."""
    tree = lxml_html.fromstring(html)
    return [
        [_text(cell) for cell in row.xpath("./td")]
        for row in tree.xpath(f"//tr[contains(@class, '{row_class}')]")
    ]


def _links(html):
    tree = lxml_html.fromstring(html)
    return [
        (_text(row.xpath("./td")[0]), row.xpath(".//a/@href"))
        for row in tree.xpath("//tr[contains(@class, 'o_cobranca_statement_item')]")
    ]


class StatementCommon(AgreementCommon):
    """A customer with overdue items, one not due, a partial payment, a credit note,
    an agreement in three instalments, a paid and an excluded invoice; the statement
    is printed on June 14, 2030 (``cls.today``), with the default charges: 2 % late
    fee and 1 % interest a month pro rata."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = cls.DUE + timedelta(days=60)  # 2030-06-14
        cls.customer.write(
            {
                "vat": "12.345.678/0001-95",
                "street": "Rua Augusta, 1500",
                "city": "São Paulo",
                "zip": "01304-001",
                "country_id": cls.env.ref("base.br").id,
            }
        )
        cls.invoice_contact = cls.env["res.partner"].create(
            {
                "name": "Contas a Pagar",
                "type": "invoice",
                "parent_id": cls.customer.id,
                "email": "pagar@bompreco.example.com",
            }
        )
        bank = cls.env["res.bank"].create({"name": "Banco do Brasil", "bic": "001"})
        cls.env["res.partner.bank"].create(
            {
                "partner_id": cls.company.partner_id.id,
                "bank_id": bank.id,
                "acc_number": "1234-5 / 67890-1",
            }
        )
        # 1,000.00 due May 15: 30 days late on June 14
        cls.overdue = cls._invoice(cls.customer, 1000.0, due=date(2030, 5, 15))
        # 600.00 due May 25, 100.00 paid: 500.00 open, 20 days late
        cls.partial = cls._invoice(cls.customer, 600.0, due=date(2030, 5, 25))
        cls._pay(cls.partial, amount=100.0, day=date(2030, 5, 30))
        # not due yet
        cls.not_due = cls._invoice(cls.customer, 400.0, due=date(2030, 6, 24))
        cls.credit_note = cls._invoice(
            cls.customer, 150.0, due=date(2030, 6, 1), move_type="out_refund"
        )
        cls.paid = cls._invoice(cls.customer, 250.0, due=date(2030, 5, 20))
        cls._pay(cls.paid, day=date(2030, 5, 20))
        cls.excluded = cls._invoice(cls.customer, 777.0, due=date(2030, 5, 1))
        cls.excluded._cobranca_exclude("Disputed delivery")
        # 300.00 due April 15, renegotiated on May 15 (30 days late: fee 6.00 and
        # interest 3.00) into 3 instalments of 103.00, May 22, June 22, July 22
        cls.renegotiated = cls._invoice(cls.customer, 300.0, due=cls.DUE)
        cls.agreement = cls._agreement(cls.renegotiated)

    @classmethod
    def _agreement(cls, moves):
        day = cls.DUE + timedelta(days=30)
        action = moves.with_user(cls.collector).action_cobranca_new_agreement()
        with freeze_time(datetime.combine(day, time(15))):
            wizard = (
                cls.env["cobranca.agreement.wizard"]
                .with_user(cls.collector)
                .with_context(**action["context"])
                .create({"date": day, "first_due": day + timedelta(days=7), "instalment_count": 3})
            )
            result = wizard.action_confirm()
        return cls.env["cobranca.agreement"].browse(result["res_id"])

    def _on_today(self):
        return freeze_time(datetime.combine(self.today, time(15)))

    def _html(self, partner=None, user=None):
        Report = self.env["ir.actions.report"]
        if user:
            Report = Report.with_user(user)
        with self._on_today():
            return Report._render_qweb_html(REPORT, (partner or self.customer).ids)[0].decode()


@tagged("post_install", "-at_install")
class TestStatement(StatementCommon):
    def test_the_statement_lists_the_open_items_with_their_updated_values(self):
        html = self._html()
        agreement = self.agreement.name
        self.assertEqual(
            [row[:8] for row in _rows(html, "o_cobranca_statement_item")],
            [
                # 1,000.00 30 days late: fee 20.00 + interest 1,000 x 1% x 30/30 = 10.00
                [
                    self.overdue.name,
                    "",
                    "05/15/2030",
                    "$ 1,000.00",
                    "$ 1,000.00",
                    "30",
                    "$ 30.00",
                    "$ 1,030.00",
                ],
                # 103.00 23 days late: fee 2.06 + interest 103 x 1% x 23/30 = 0.79
                [
                    agreement,
                    "1/3",
                    "05/22/2030",
                    "$ 103.00",
                    "$ 103.00",
                    "23",
                    "$ 2.85",
                    "$ 105.85",
                ],
                # 500.00 open 20 days late: fee 10.00 + interest 500 x 1% x 20/30 = 3.33
                [
                    self.partial.name,
                    "",
                    "05/25/2030",
                    "$ 600.00",
                    "$ 500.00",
                    "20",
                    "$ 13.33",
                    "$ 513.33",
                ],
                # not due: no charges
                [agreement, "2/3", "06/22/2030", "$ 103.00", "$ 103.00", "", "", "$ 103.00"],
                [self.not_due.name, "", "06/24/2030", "$ 400.00", "$ 400.00", "", "", "$ 400.00"],
                [agreement, "3/3", "07/22/2030", "$ 103.00", "$ 103.00", "", "", "$ 103.00"],
            ],
        )
        self.assertEqual(
            _rows(html, "o_cobranca_statement_credit"),
            [
                [
                    self.credit_note.name,
                    "",
                    "06/01/2030",
                    "$ 150.00",
                    "$ -150.00",
                    "Credit in your favour",
                    "$ -150.00",
                    "",
                ]
            ],
        )
        # open: 1,000 + 103 + 500 + 103 + 400 + 103 - 150 = 2,059.00; charges:
        # 30.00 + 2.85 + 13.33 = 46.18; updated: 2,105.18
        self.assertEqual(
            _rows(html, "o_cobranca_statement_totals"),
            [["Total", "$ 2,059.00", "", "$ 46.18", "$ 2,105.18", ""]],
        )
        # nothing paid, nothing excluded from cobrança
        self.assertNotIn(self.paid.name, html)
        self.assertNotIn(self.excluded.name, html)
        self.assertNotIn(self.renegotiated.name, html, "settled by the agreement")
        self.assertNotIn("could not be computed", html)
        self.assertIn("computed for the date of this statement and may change", html)

    def test_the_statement_identifies_creditor_and_customer_and_how_to_pay(self):
        html = self._html()
        # the creditor (CDC art. 42-A), the customer, the date
        for text in (
            "Comercial Paulista de Alimentos Ltda",
            "11.222.333/0001-81",
            "Av. Paulista, 1000, São Paulo, 01310-100",
            "Mercado Bom Preço Ltda",
            "12.345.678/0001-95",
            "Rua Augusta, 1500",
            "06/14/2030",
        ):
            self.assertIn(text, html)
        # each item's payment link: the invoice's page, the agreement's page
        links = dict(_links(html))
        self.assertEqual(
            links[self.overdue.name],
            [self.overdue.get_base_url() + self.overdue.get_portal_url()],
        )
        self.assertTrue(self.overdue.access_token)
        self.assertEqual(
            links[self.agreement.name],
            [self.agreement.get_base_url() + self.agreement.get_portal_url()],
        )
        self.assertTrue(self.agreement.access_token)
        self.assertEqual(
            _rows(html, "o_cobranca_statement_bank"),
            [["Banco do Brasil (001)", "1234-5 / 67890-1", self.company.name]],
        )

    def test_a_customer_without_open_items_gets_an_empty_statement(self):
        settled = self._customer("Cliente Em Dia", "emdia@example.com")
        self._pay(self._invoice(settled, 100.0), day=self.DUE)
        html = self._html(settled)
        self.assertIn("no open items", html)
        self.assertFalse(_rows(html, "o_cobranca_statement_item"))

    def test_items_of_another_company_are_not_listed(self):
        other = self.setup_other_company()["company"]
        foreign = self._invoice(self.customer, 999.0, due=date(2030, 5, 15), company=other)
        self.assertEqual(foreign.company_id, other)
        html = self._html()
        self.assertEqual(len(_rows(html, "o_cobranca_statement_item")), 6)
        self.assertNotIn("999.00", html)

    def test_items_in_another_currency_are_charged_in_it(self):
        euro = self.setup_other_currency("EUR", rounding=0.01)  # 2 EUR for 1 USD
        customer = self._customer("Importadora Euro", "euro@example.com")
        local = self._invoice(customer, 100.0, due=date(2030, 5, 15))
        foreign = self._invoice(customer, 200.0, due=date(2030, 5, 15), currency=euro)
        html = self._html(customer)
        rows = {row[0]: row[3:8] for row in _rows(html, "o_cobranca_statement_item")}
        # 30 days late: fee 2 % and interest 1 %, each in the item's currency
        self.assertEqual(rows[local.name], ["$ 100.00", "$ 100.00", "30", "$ 3.00", "$ 103.00"])
        self.assertEqual(rows[foreign.name], ["200.00 €", "200.00 €", "30", "6.00 €", "206.00 €"])
        self.assertEqual(
            _rows(html, "o_cobranca_statement_totals"),
            [
                ["Total", "$ 100.00", "", "$ 3.00", "$ 103.00", ""],
                ["Total", "200.00 €", "", "6.00 €", "206.00 €", ""],
            ],
        )

    def test_a_missing_index_month_leaves_the_charges_out_not_the_statement(self):
        index = self.env["cobranca.index"].create(
            {
                "name": "IPCA (test)",
                "value_ids": [Command.create({"month": date(2030, 6, 1), "rate": 0.0})],
            }
        )
        self.company.cobranca_correction_index_id = index
        customer = self._customer("Cliente Índice", "indice@example.com")
        # April and May have no value: no correction can be computed for it
        old = self._invoice(customer, 500.0, due=date(2030, 4, 15))
        # 10 days late within June (0 % correction): fee 20.00 + interest 3.33
        recent = self._invoice(customer, 1000.0, due=date(2030, 6, 4))
        html = self._html(customer)
        rows = {row[0]: row[4:8] for row in _rows(html, "o_cobranca_statement_item")}
        self.assertEqual(rows[old.name], ["$ 500.00", "60", "*", "$ 500.00"])
        self.assertEqual(rows[recent.name], ["$ 1,000.00", "10", "$ 23.33", "$ 1,023.33"])
        self.assertIn("could not be computed", html)
        self.assertEqual(
            _rows(html, "o_cobranca_statement_totals"),
            [["Total", "$ 1,500.00", "", "$ 23.33", "$ 1,523.33", ""]],
        )

    def test_the_statement_renders_in_portuguese(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        self.env["ir.module.module"]._load_module_terms(["base", "cobranca_addon"], ["pt_BR"], True)
        self.customer.lang = "pt_BR"
        html = self._html()
        self.assertIn('data-oe-lang="pt_BR"', html)
        rows = _rows(html, "o_cobranca_statement_item")
        self.assertEqual(
            rows[0][2:8], ["15/05/2030", "$ 1.000,00", "$ 1.000,00", "30", "$ 30,00", "$ 1.030,00"]
        )
        self.assertEqual(
            _rows(html, "o_cobranca_statement_totals")[0][1:5],
            ["$ 2.059,00", "", "$ 46,18", "$ 2.105,18"],
        )
        self.assertIn("14/06/2030", html)
        self.assertIn("Brasil", html, "the customer's country, in Portuguese")
        self.assertNotIn("Brazil", html)

    def test_a_real_pdf(self):
        with self._on_today():
            pdf, kind = (
                self.env["ir.actions.report"]
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(REPORT, self.customer.ids)
            )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_print_statement_from_the_customer_form(self):
        action = self.customer.with_user(self.collector).action_cobranca_print_statement()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], "cobranca_addon.report_cobranca_statement")
        self.assertEqual(action["context"]["active_ids"], self.customer.ids)

    def test_send_statement_opens_the_composer_and_the_email_has_the_pdf(self):
        # a collector may write to the customer: Cobrança / User implies Contact Creation
        self.assertTrue(self.collector.has_group("base.group_partner_manager"))
        action = self.customer.with_user(self.collector).action_cobranca_send_statement()
        self.assertEqual(action["res_model"], "mail.compose.message")
        context = action["context"]
        template = self.env.ref("cobranca_addon.mail_template_cobranca_statement")
        self.assertEqual(context["default_template_id"], template.id)
        self.assertEqual(context["default_composition_mode"], "comment")
        self.assertFalse(template.auto_delete)
        with self._on_today():
            composer = Form(
                self.env["mail.compose.message"]
                .with_user(self.collector)
                .with_context(context, force_report_rendering=True)
            )
            self.assertEqual(composer.partner_ids[:], self.invoice_contact)
            self.assertIn("statement of your account", composer.subject)
            [attachment] = composer.attachment_ids[:]
            self.assertEqual(attachment.name, "Statement Mercado Bom Preço Ltda 2030-06-14.pdf")
            with self.mock_mail_gateway():
                composer.save().action_send_mail()
        message = self.customer.message_ids[0]
        self.assertEqual(message.attachment_ids.name, attachment.name)
        self.assertEqual(message.partner_ids, self.invoice_contact)
        mail = self._new_mails.filtered(lambda m: m.mail_message_id == message)
        self.assertEqual(mail.attachment_ids.name, attachment.name)
        self.assertTrue(mail.attachment_ids.raw.startswith(b"%PDF"))
        [sent] = self._mails
        self.assertEqual(sent["email_to"], ['"Contas a Pagar" <pagar@bompreco.example.com>'])
        self.assertIn("11.222.333/0001-81", sent["body"], "the creditor identified")
        self.assertEqual([name for name, *_rest in sent["attachments"]], [attachment.name])

    def test_salesmen_cannot_print_or_send_it(self):
        salesman = new_test_user(
            self.env,
            login="vendedor_extrato",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            self._html(user=salesman)
        customer = self.customer.with_user(salesman)
        with self.assertRaises(AccessError):
            customer.action_cobranca_print_statement()
        with self.assertRaises(AccessError):
            customer.action_cobranca_send_statement()
        report = self.env.ref(REPORT)
        Actions = self.env["ir.actions.actions"]
        bindings = Actions.with_user(salesman).get_bindings("res.partner")
        self.assertNotIn(report.id, [action["id"] for action in bindings.get("report", [])])
        bindings = Actions.with_user(self.collector).get_bindings("res.partner")
        self.assertIn(report.id, [action["id"] for action in bindings["report"]])


@tagged("post_install", "-at_install")
class TestStatementAttachedToReminders(StatementCommon):
    """A level that attaches the customer statement to its e-mails."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level_overdue.attach_statement = True
        cls.reminded = cls._customer("Padaria Pão Quente", "padaria@example.com")

    def _reminder(self, partner=None):
        partner = partner or self.reminded
        invoice = self._invoice(partner, 1000.0)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(partner)
        self.assertEqual(message.channel, "email")
        return invoice, message

    def _statements(self, message):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "cobranca.message"), ("res_id", "=", message.id)]
        )

    def test_the_reminder_gets_the_statement_when_it_leaves_and_once(self):
        invoice, message = self._reminder()
        mail = message.mail_ids
        self.assertFalse(mail.attachment_ids, "not rendered during the run")
        self.assertFalse(message.statement_attachment_id)
        # sent 3 days after the due date: fee 20.00 + interest 1,000 x 1% x 3/30 = 1.00
        with freeze_time(datetime.combine(self.DUE + timedelta(days=3), time(15))):
            self._send_mails(mail)
        self.assertEqual(mail.state, "sent")
        statement = message.statement_attachment_id
        self.assertEqual(mail.attachment_ids, statement)
        self.assertEqual(statement.name, "Statement Padaria Pão Quente 2030-04-18.html")
        self.assertIn(invoice.name.encode(), statement.raw)
        self.assertIn(b"1,021.00", statement.raw)
        [sent] = self._mails
        self.assertEqual([name for name, *_rest in sent["attachments"]], [statement.name])
        # a failed sending retried: the same statement, not a second one
        mail.write({"state": "exception", "failure_type": "mail_smtp"})
        self.Message.sudo()._cron_retry_failed()
        self.assertEqual(mail.state, "outgoing")
        self._send_mails(mail)
        self.assertEqual(mail.state, "sent")
        self.assertEqual(mail.attachment_ids, statement)
        self.assertEqual(self._statements(message), statement)

    def test_levels_without_the_option_attach_nothing(self):
        self.level_overdue.attach_statement = False
        _invoice, message = self._reminder()
        self._send_mails(message.mail_ids)
        self.assertFalse(message.mail_ids.attachment_ids)
        self.assertFalse(self._statements(message))

    def test_a_reminder_cancelled_before_sending_renders_no_statement(self):
        invoice, message = self._reminder()
        self._pay(invoice, day=self.DUE + timedelta(days=1))
        self._send_mails(message.mail_ids)
        self.assertEqual(message.state, "cancelled")
        self.assertFalse(self._statements(message))

    def test_a_statement_that_cannot_be_computed_does_not_stop_the_reminder(self):
        self.company.cobranca_correction_index_id = self.env["cobranca.index"].create(
            {"name": "Empty index"}
        )
        _invoice, message = self._reminder()
        with freeze_time(datetime.combine(self.DUE + timedelta(days=3), time(15))):
            self._send_mails(message.mail_ids)
        self.assertEqual(message.mail_ids.state, "sent")
        self.assertIn(b"could not be computed", message.statement_attachment_id.raw)

    def test_statements_are_rendered_a_few_per_batch(self):
        second = self._customer("Quitanda Verde", "quitanda@example.com")
        self._invoice(second, 500.0)
        _invoice, message = self._reminder()
        other = self._messages(second)
        mails = (message | other).mail_ids
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        with patch.object(type(self.Message), "_statements_per_batch", lambda self: 1):
            self._send_mails(mails)
        sent = mails.filtered(lambda mail: mail.state == "sent")
        self.assertEqual(len(sent), 1)
        self.assertEqual((mails - sent).state, "outgoing", "waits for the next batch")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - triggers,
            "the mail queue runs again at once",
        )
        self._send_mails(mails - sent)
        self.assertEqual(set(mails.mapped("state")), {"sent"})
        self.assertTrue(all(mails.mapped("attachment_ids")))


@tagged("post_install", "-at_install")
class TestStatementInTrackedEmails(EvidenceCommon):
    """AR-tracked e-mails: the statement is part of the bytes sent and of their
    evidence."""

    def test_the_statement_is_in_the_bytes_sent_and_their_digests(self):
        self.level_overdue.attach_statement = True
        self.handler.refuse = 1
        _invoice, message, evidence = self._ar_reminder()
        mail = message.mail_ids
        # the refusal is logged as an error: expected
        with self.real_smtp(), mute_logger("odoo.addons.mail.models.mail_mail"):
            mail.with_context(force_report_rendering=True).sudo().send()
        self.assertEqual(mail.state, "exception")
        statement = message.statement_attachment_id
        self.assertTrue(statement.raw.startswith(b"%PDF"), "a real PDF")
        [digest] = evidence.attachment_ids
        self.assertEqual(digest.name, statement.name)
        self.assertEqual(digest.sha256, hashlib.sha256(statement.raw).hexdigest())
        # retried: the very same bytes, with the same statement
        first = evidence.raw_message
        self.Message._cron_retry_failed()
        self._send(mail)
        self.assertEqual(mail.state, "sent")
        [envelope] = self.handler.envelopes
        self.assertEqual(evidence.raw_message, first)
        [(name, kind, data, _sha)] = mensagem.attachments(envelope.original_content)
        self.assertEqual((name, kind, data), (statement.name, "application/pdf", statement.raw))
        self.assertEqual(evidence.attachment_ids, digest)
        self.assertEqual(message.statement_attachment_id, statement)
        self.assertFalse(evidence.verify_integrity()[evidence.id])
