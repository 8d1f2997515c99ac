import re
from datetime import date, datetime, time, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CobrancaCommon


class AgreementCommon(CobrancaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "cobranca_charges_account_id": cls.company_data["default_account_revenue"].id,
                "cobranca_discount_account_id": cls.company_data["default_account_expense"].id,
                "cobranca_fine_percent": 2.0,
                "cobranca_interest_percent": 1.0,
                "cobranca_interest_basis": "month",
                "cobranca_discount_limit_user": 5.0,
                "cobranca_discount_limit_manager": 30.0,
                "cobranca_agreement_tolerance_days": 15,
                "cobranca_agreement_offer_days": 5,
            }
        )
        #: the agreement date: 30, 20 and 10 days after the three due dates
        cls.day = cls.DUE + timedelta(days=30)
        cls.Agreement = cls.env["cobranca.agreement"]
        cls.Wizard = cls.env["cobranca.agreement.wizard"]

    def _at(self, day):
        return freeze_time(datetime.combine(day, time(15)))

    def _three_invoices(self, partner=None):
        partner = partner or self.customer
        return (
            self._invoice(partner, 1000.0, due=self.DUE)
            | self._invoice(partner, 500.0, due=self.DUE + timedelta(days=10))
            | self._invoice(partner, 250.0, due=self.DUE + timedelta(days=20))
        )

    @staticmethod
    def _receivables(moves):
        return moves.line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    def _wizard(self, moves, user=None, **values):
        user = user or self.collector
        action = moves.with_user(user).action_cobranca_new_agreement()
        with self._at(self.day):
            return (
                self.Wizard.with_user(user)
                .with_context(**action["context"])
                .create(
                    {
                        "date": self.day,
                        "first_due": self.day + timedelta(days=7),
                        "instalment_count": 3,
                        **values,
                    }
                )
            )

    def _confirmed(self, moves, **values):
        wizard = self._wizard(moves, **values)
        with self._at(self.day):
            action = wizard.action_confirm()
        return self.Agreement.browse(action["res_id"])

    def _balance(self, partner):
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "=", partner.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        return self.company.currency_id.round(sum(lines.mapped("balance")))


@tagged("post_install", "-at_install")
class TestAgreement(AgreementCommon):
    def test_the_wizard_shows_the_updated_amount_and_the_plan(self):
        invoices = self._three_invoices()
        wizard = self._wizard(invoices, discount_amount=50.0)
        self.assertFalse(wizard.error)
        # 1,000 30 days late: fee 20.00, interest 1% a month pro rata 10.00
        # 500 20 days late: 10.00 and 3.33; 250 10 days late: 5.00 and 0.83
        self.assertEqual(wizard.amount_principal, 1750.0)
        self.assertEqual(wizard.amount_charges, 49.16)
        self.assertEqual(wizard.amount_updated, 1799.16)
        self.assertEqual(wizard.discount_limit, 89.96)  # 5% for a collector
        self.assertEqual(wizard.amount_financed, 1749.16)
        self.assertEqual(wizard.amount_total, 1749.16)
        self.assertEqual(wizard.effective_annual_rate, 0.0)
        self.assertIn("1,030.00", wizard.preview_html)
        self.assertIn("583.06", wizard.preview_html)  # the last instalment takes the cents
        self.assertIn("CDC art. 52", wizard.preview_html)
        wizard.discount_amount = 5000.0
        self.assertIn("discount", wizard.error)

    def test_an_agreement_over_three_invoices_keeps_the_ledger_balanced(self):
        invoices = self._three_invoices()
        before = self._balance(self.customer)
        agreement = self._confirmed(invoices, discount_amount=50.0)
        self.assertEqual(agreement.state, "active")
        self.assertTrue(agreement.name.startswith("ACORDO/"))
        move = agreement.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.cobranca_agreement_id, agreement)
        self.assertAlmostEqual(
            sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")), places=2
        )
        # the originals are settled by the agreement
        self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})
        self.assertTrue(all(self._receivables(invoices).mapped("reconciled")))
        # the customer owes the instalments: the balance moved by charges - discount
        after = self._balance(self.customer)
        self.assertEqual(after, 1749.16)
        self.assertAlmostEqual(after - before, 49.16 - 50.0, places=2)
        instalments = self._receivables(move).filtered(lambda line: line.debit)
        self.assertEqual(
            [(line.date_maturity, line.debit) for line in instalments.sorted("date_maturity")],
            [
                (date(2030, 5, 22), 583.05),  # a week after the agreement of May 15
                (date(2030, 6, 22), 583.05),  # then every month, the same day
                (date(2030, 7, 22), 583.06),  # the last one takes the rounding cents
            ],
        )
        self.assertEqual(agreement.instalment_ids.move_line_id, instalments)
        charges = move.line_ids.filtered(
            lambda line: line.account_id == self.company_data["default_account_revenue"]
        )
        self.assertEqual(sum(charges.mapped("credit")), 49.16)
        discount = move.line_ids.filtered(
            lambda line: line.account_id == self.company_data["default_account_expense"]
        )
        self.assertEqual(discount.debit, 50.0)
        # logged: a contact with the outcome, on the customer and the invoices
        contact = agreement.negotiation_ids
        self.assertEqual((contact.outcome, contact.move_ids), ("agreement", invoices))
        self.assertTrue(invoices[0].cobranca_in_agreement)
        self.assertEqual(self.customer.cobranca_agreement_count, 1)

    def test_instalments_are_dunned_on_their_dates(self):
        invoices = self._three_invoices()
        agreement = self._confirmed(invoices)
        first, second = agreement.instalment_ids.sorted("number")[:2]
        # before the first due date nothing of the agreement is reminded but D-3
        self._run(first.date_maturity - timedelta(days=3))
        lines = self.Line.search([("move_id", "=", agreement.move_id.id)])
        self.assertEqual(lines.move_line_id, first.move_line_id)
        self.assertEqual(lines.level_id, self.level_friendly)
        self._run(first.date_maturity + timedelta(days=1))
        lines = self.Line.search([("move_id", "=", agreement.move_id.id)], order="id")
        self.assertEqual(lines[-1].move_line_id, first.move_line_id)
        self.assertEqual(lines[-1].level_id, self.level_overdue)
        self.assertNotIn(second.move_line_id, lines.move_line_id)
        # the reminder names the agreement and links to its page
        message = self.Message.search([("line_ids", "in", lines[-1].ids)])
        entry = message._item_groups()[0]["items"][0]
        self.assertEqual(entry["name"], agreement.name)
        self.assertEqual(entry["instalment"], "1/3")
        self.assertIn(f"/my/cobranca/agreement/{agreement.id}", entry["url"])
        self.assertIn(agreement.name, message.mail_ids.body_html)
        # the originals, settled, are never reminded again
        self.assertFalse(
            self.Line.search([("move_id", "in", invoices.ids), ("date", ">", self.day)])
        )

    def test_a_kept_agreement(self):
        agreement = self._confirmed(self._three_invoices())
        for instalment in agreement.instalment_ids:
            self.env["account.payment.register"].with_context(
                active_model="account.move.line", active_ids=instalment.move_line_id.ids
            ).create({"payment_date": instalment.date_maturity})._create_payments()
        self.assertEqual(agreement.amount_residual, 0.0)
        self.assertAlmostEqual(agreement.amount_paid, 1799.16, places=2)
        last = agreement.instalment_ids[-1].date_maturity
        kept, broken, _expired = self.Agreement._follow_up(self.company, today=last)
        self.assertEqual(kept, agreement)
        self.assertFalse(broken)
        self.assertEqual(agreement.state, "kept")
        figures = self.Agreement._figures(self.company)[self.company]
        self.assertEqual((figures["made"], figures["kept"]), (1, 1))
        self.assertAlmostEqual(figures["amount_paid"], 1799.16, places=2)

    def test_a_broken_agreement_resumes_the_regua_and_shows_in_the_credit_status(self):
        agreement = self._confirmed(self._three_invoices())
        first = agreement.instalment_ids.sorted("number")[0]
        self.assertEqual(self.customer.cobranca_credit_status, "ok")
        # 15 days of tolerance: not broken on the 15th day, broken on the 16th
        self._run(first.date_maturity + timedelta(days=15))
        self.assertEqual(agreement.state, "active")
        self._run(first.date_maturity + timedelta(days=16))
        self.assertEqual(agreement.state, "broken")
        self.assertIn("overdue beyond 15 days", agreement.close_reason)
        self.assertEqual(agreement.activity_ids.user_id, self.collector)
        self.customer.invalidate_recordset()
        self.assertIn("Broken agreement", self.customer.cobranca_credit_reasons)
        self.assertIn(agreement.name, self.customer.cobranca_credit_reasons)
        self.assertNotEqual(self.customer.cobranca_credit_status, "ok")
        # the instalments left stay in the régua
        lines = self.Line.search([("move_id", "=", agreement.move_id.id)])
        self.assertIn(first.move_line_id, lines.move_line_id)
        figures = self.Agreement._figures(self.company)[self.company]
        self.assertEqual((figures["made"], figures["broken"]), (1, 1))

    def test_discount_limit_per_group(self):
        invoices = self._three_invoices()
        with self.assertRaisesRegex(UserError, "at most"):
            self._wizard(invoices, discount_amount=100.0).action_confirm()
        manager = self.env.user  # a Cobrança manager: 30%
        wizard = self._wizard(invoices, user=manager, discount_amount=500.0)
        self.assertEqual(wizard.discount_limit, 539.75)
        with self._at(self.day):
            wizard.action_confirm()

    def test_the_late_fee_of_a_consumer_is_capped_at_two_percent(self):
        self.company.cobranca_fine_percent = 10.0
        person = self._customer("Maria Consumidora", "maria@example.com", is_company=False)
        business = self._customer("João Revendedor", "joao@example.com", is_company=False)
        business.cobranca_business_relation = True
        company = self._customer("Empresa Compradora Ltda", "empresa@example.com")
        fines = {}
        for partner in (person, business, company):
            invoice = self._invoice(partner, 1000.0, due=self.DUE)
            fines[partner.name] = self._wizard(invoice).amount_charges - 10.0  # minus interest
        self.assertEqual(
            fines,
            {"Maria Consumidora": 20.0, "João Revendedor": 100.0, "Empresa Compradora Ltda": 100.0},
        )

    def test_monetary_correction_by_index(self):
        index = self.env.ref("cobranca_addon.cobranca_index_ipca")
        self.company.cobranca_correction_index_id = index
        invoice = self._invoice(self.customer, 1000.0, due=self.DUE)
        wizard = self._wizard(invoice)
        self.assertIn("has no value", wizard.error)
        index.value_ids = [
            Command.create({"month": self.DUE.replace(day=1), "rate": 0.5}),
            Command.create({"month": self.day.replace(day=1), "rate": 0.5}),
        ]
        wizard = self._wizard(invoice)
        self.assertFalse(wizard.error)
        # 0.5% in April and in May, pro rata die over the late days of each month:
        # 1.005 ** (15/30 + 15/31) = 1.0049192, so +4.92 of correction; then the fee
        # (2%: 20.10) and the interest (1% a month for 30 days: 10.05) on 1,004.92
        self.assertAlmostEqual(wizard.amount_charges, 4.92 + 20.10 + 10.05, places=2)

    def test_an_offer_expires_and_items_that_changed_refuse_it(self):
        invoices = self._three_invoices()
        wizard = self._wizard(invoices)
        with self._at(self.day):
            offer = self.Agreement.browse(wizard.action_offer()["res_id"])
        self.assertEqual(offer.state, "offered")
        self.assertEqual(offer.valid_until, self.day + timedelta(days=5))
        self.assertTrue(offer.access_token)
        mail = self.env["mail.mail"].search(
            [("model", "=", offer._name), ("res_id", "=", offer.id)]
        )
        self.assertIn(offer.get_portal_url(), mail.body_html)
        self.assertTrue(mail.attachment_ids, "the agreement document is attached")
        # a payment meanwhile: the offer no longer holds
        self._pay(invoices[2], amount=50.0, day=self.day + timedelta(days=1))
        with self._at(self.day + timedelta(days=1)), self.assertRaisesRegex(UserError, "changed"):
            offer.action_confirm()
        self.Agreement._follow_up(self.company, today=self.day + timedelta(days=6))
        self.assertEqual(offer.state, "cancelled")
        self.assertEqual(offer.close_reason, "The offer expired.")

    def test_the_terms_cannot_be_rewritten(self):
        agreement = self._confirmed(self._three_invoices())
        with self.assertRaises(UserError):
            agreement.with_user(self.collector).write({"amount_total": 1.0})
        with self.assertRaises(UserError):
            agreement.with_user(self.collector).write({"discount_amount": 999.0})
        agreement.with_user(self.collector).write({"user_id": self.env.user.id})
        with self.assertRaises(UserError):
            agreement.unlink()
        with self.assertRaises(UserError):
            agreement.action_cancel()

    def test_bad_input_is_refused_with_a_message(self):
        invoices = self._three_invoices()
        other = self._invoice(self._customer("Terceiro Ltda", "t@example.com"), 10.0)
        with self.assertRaises(UserError):
            (invoices | other).action_cobranca_new_agreement()
        for values, expected in (
            ({"instalment_count": 0}, "instalments"),
            ({"instalment_count": 99}, "instalments"),
            ({"first_due": self.day - timedelta(days=1)}, "before the agreement"),
            ({"down_payment": 5000.0}, "not possible"),
        ):
            self.assertIn(expected, self._wizard(invoices, **values).error)

    def test_who_sees_agreements(self):
        agreement = self._confirmed(self._three_invoices())
        salesman = new_test_user(
            self.env,
            login="vendedor_acordo",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        for model in ("cobranca.agreement", "cobranca.agreement.instalment", "cobranca.index"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(salesman).search([])
        self.assertEqual(self.Agreement.with_user(self.collector).search([]), agreement)
        other = self.setup_other_company(name="Filial Oeste Ltda")["company"]
        outsider = new_test_user(
            self.env,
            login="gerente_oeste",
            groups="base.group_user,cobranca_addon.group_cobranca_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(self.Agreement.with_user(outsider).search([]))

    def test_the_document_renders_in_portuguese(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        self.env["ir.module.module"]._load_module_terms(["cobranca_addon"], ["pt_BR"], True)
        self.customer.lang = "pt_BR"
        agreement = self._confirmed(self._three_invoices(), discount_amount=50.0)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("cobranca_addon.action_report_cobranca_agreement", agreement.ids)[0]
            .decode()
        )
        self.assertIn("Termo de acordo", html)
        self.assertIn("Parcelas", html)
        self.assertIn("Taxa efetiva anual", html)
        self.assertIn("1.749,16", html)
        self.assertIn(self.day.strftime("%d/%m/%Y"), html)
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("cobranca_addon.action_report_cobranca_agreement", agreement.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))


@tagged("post_install", "-at_install")
class TestAgreementPortal(AgreementCommon, HttpCase):
    def _offer(self, partner=None):
        wizard = self._wizard(self._three_invoices(partner))
        with self._at(self.day):
            return self.Agreement.browse(wizard.action_offer()["res_id"])

    def test_portal_page_and_online_acceptance(self):
        offer = self._offer()
        url = f"/my/cobranca/agreement/{offer.id}?access_token={offer.access_token}"
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn(offer.name, page.text)
        self.assertIn("1,030.00", page.text)  # the first item's updated value
        self.assertIn("I accept the agreement", page.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"/my/cobranca/agreement/{offer.id}/accept",
            data={"csrf_token": csrf, "access_token": offer.access_token},
            headers={"User-Agent": "Navegador de Teste/1.0"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("the agreement is confirmed", response.text)
        offer.invalidate_recordset()
        self.assertEqual(offer.state, "active")
        self.assertTrue(offer.accepted_online)
        self.assertEqual(offer.accepted_ip, "127.0.0.1")
        self.assertEqual(offer.accepted_user_agent, "Navegador de Teste/1.0")
        self.assertEqual(offer.negotiation_ids.channel, "portal")
        self.assertTrue(offer.move_id)
        # accepting again changes nothing
        response = self.url_open(
            f"/my/cobranca/agreement/{offer.id}/accept",
            data={"csrf_token": csrf, "access_token": offer.access_token},
        )
        self.assertIn("can no longer be accepted", response.text)
        self.assertEqual(len(offer.negotiation_ids), 1)
        pdf = self.url_open(url + "&report_type=pdf")
        self.assertEqual(pdf.status_code, 200)

    def test_bad_tokens_see_nothing_and_change_nothing(self):
        offer = self._offer()
        other = self._offer(self._customer("Outro Devedor Ltda", "outro@example.com"))

        def text(response):  # the page of a "not found", without its session's CSRF token
            return re.sub(r"csrf_token: \"\w+\"", "", response.text)

        not_found = self.url_open(f"/my/cobranca/agreement/{offer.id}?access_token=wrong")
        for url in (
            f"/my/cobranca/agreement/{offer.id}",
            f"/my/cobranca/agreement/{offer.id}?access_token=",
            f"/my/cobranca/agreement/{offer.id}?access_token={other.access_token}",
            f"/my/cobranca/agreement/{other.id}?access_token={offer.access_token}",
            f"/my/cobranca/agreement/999999?access_token={offer.access_token}",
            f"/my/cobranca/agreement/{offer.id}?access_token={'x' * 5000}",
            f"/my/cobranca/agreement/{offer.id}?access_token={offer.access_token}x",
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertEqual(text(response), text(not_found), url)
            self.assertNotIn(offer.partner_id.name, response.text)
        page = self.url_open(f"/my/cobranca/agreement/{offer.id}?access_token={offer.access_token}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"/my/cobranca/agreement/{offer.id}/accept",
            data={"csrf_token": csrf, "access_token": other.access_token},
        )
        self.assertEqual(response.status_code, 404)
        offer.invalidate_recordset()
        self.assertEqual((offer.state, other.state), ("offered", "offered"))
