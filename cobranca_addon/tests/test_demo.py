from datetime import timedelta

from stdnum.br import cnpj, cpf

from odoo.tests import tagged

from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestDemo(CobrancaCommon):
    """The demo data loads on a company and shows the régua working."""

    def test_demo_data(self):
        # the company's day, as the run and the credit status count it (between 00:00
        # and 03:00 UTC the user's UTC date is already tomorrow in Brasília)
        self.today = self.company._cobranca_local_now().date()
        result = self.env["cobranca.demo"].sudo()._load_demo(company=self.company, today=self.today)
        customers, invoices = result["customers"], result["invoices"]
        # Brazilian identities are valid
        for partner in customers.values():
            digits = "".join(filter(str.isdigit, partner.vat))
            self.assertTrue(
                cnpj.is_valid(digits) if partner.is_company else cpf.is_valid(digits),
                partner.vat,
            )
        self.assertTrue(cnpj.is_valid("".join(filter(str.isdigit, self.company.vat))))
        # the régua ran every day of the last weeks
        runs = self.Run.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(runs), 47)
        messages = self.Message.search([("company_id", "=", self.company.id)])
        self.assertTrue(messages.filtered(lambda m: m.channel == "email" and m.state == "sent"))
        self.assertTrue(messages.filtered(lambda m: m.channel == "phone" and m.state == "todo"))
        # the paid invoice stopped being reminded, the disputed one never was
        joao = invoices["joao"]
        self.assertIn(joao.payment_state, ("paid", "in_payment"))
        paid_on = self.today - timedelta(days=16)
        self.assertTrue(self._lines(joao))
        self.assertLessEqual(max(self._lines(joao).mapped("date")), paid_on)
        self.assertFalse(self._lines(invoices["construtora_2"]))
        # the customer without e-mail and the one with an invalid address got calls
        for key in ("restaurante", "papelaria"):
            self.assertEqual(set(self._messages(customers[key]).mapped("channel")), {"phone"}, key)
        # instalments are dunned one by one; the paid first one never
        padaria = invoices["padaria_1"]
        first = padaria.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).sorted("date_maturity")[0]
        self.assertTrue(first.reconciled)
        self.assertFalse(self._lines(padaria).filtered(lambda line: line.move_line_id == first))
        self.assertTrue(self._lines(padaria))
        # old debts advanced one level at a time, through the written notice, to the
        # negativação of the stricter B2B policy
        self.assertEqual(
            self._lines(invoices["distribuidora"]).level_id.mapped("days"), [1, 5, 10, 25]
        )
        escalation = self.env["cobranca.escalation"].search(
            [("partner_id", "=", customers["distribuidora"].id)]
        )
        self.assertEqual(escalation.kind, "negativacao")
        self.assertIn(invoices["distribuidora"], escalation.item_ids.move_id)
        # João paid after his reminders, and was thanked
        thanks = self._messages(customers["joao"]).filtered(lambda m: m.kind == "thanks")
        self.assertEqual(thanks.line_ids.move_id, joao)
        # the customers were scored on their payments: a good payer and a blocked one
        autopecas = customers["autopecas"].with_company(self.company)
        self.assertEqual(
            autopecas.cobranca_segment_id, self.env.ref("cobranca_addon.cobranca_segment_a")
        )
        self.assertEqual(autopecas.cobranca_credit_status, "ok")
        distribuidora = customers["distribuidora"].with_company(self.company)
        self.assertEqual(
            distribuidora.cobranca_segment_id, self.env.ref("cobranca_addon.cobranca_segment_d")
        )
        self.assertEqual(distribuidora.cobranca_credit_status, "blocked")
        self.assertIn("120 days overdue", distribuidora.cobranca_credit_reasons)
        # the negotiation log: a broken promise, an open one pausing its invoice, a
        # dispute excluding its invoice; an agreement confirmed and one offered
        Negotiation = self.env["cobranca.negotiation"]
        broken = Negotiation.search([("partner_id", "=", customers["restaurante"].id)])
        self.assertEqual(
            sorted(broken.mapped(lambda n: (n.outcome, n.state))),
            [("no_answer", "logged"), ("promise", "broken")],
        )
        promise = Negotiation.search([("partner_id", "=", customers["mercado"].id)])
        self.assertEqual((promise.outcome, promise.state), ("promise", "open"))
        self.assertEqual(invoices["mercado_2"].cobranca_paused_until, self.today + timedelta(3 + 2))
        dispute = Negotiation.search([("partner_id", "=", customers["construtora"].id)])
        self.assertEqual((dispute.outcome, dispute.state), ("dispute", "open"))
        self.assertTrue(invoices["construtora_2"].cobranca_excluded)
        Agreement = self.env["cobranca.agreement"]
        active = Agreement.search([("partner_id", "=", customers["farmacia"].id)])
        self.assertEqual(active.state, "active")
        self.assertEqual(invoices["farmacia"].payment_state, "paid")
        self.assertEqual(len(active.instalment_ids), 3)
        offer = Agreement.search([("partner_id", "=", customers["distribuidora"].id)])
        self.assertEqual(offer.state, "offered")
        self.assertTrue(offer.access_token)
        self.assertEqual(offer.valid_until, self.today + timedelta(days=3))
        # the formal notice of the B2B policy is an AR-tracked e-mail with its
        # evidence; sent to a loopback server, opened and acknowledged
        evidence = self.env["cobranca.evidence"].search(
            [("partner_id", "=", customers["distribuidora"].id)]
        )
        self.assertTrue(evidence)
        for proof in evidence.filtered("raw_message"):
            self.assertEqual(proof.state, "acknowledged")
            self.assertEqual(proof.verify_integrity(), {proof.id: []})
