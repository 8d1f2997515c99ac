from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.cobranca_addon.tests.common import CobrancaCommon

TODAY = date.today()


@tagged("post_install", "-at_install")
class TestSaleHold(CobrancaCommon):
    """Credit holds on sale orders (module cobranca_sale)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy_watch = cls.env.ref("cobranca_addon.cobranca_credit_policy_watch")
        common = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.salesman = new_test_user(
            cls.env,
            login="vendedor_sale",
            groups="base.group_user,sales_team.group_sale_salesman",
            **common,
        )
        cls.manager = new_test_user(
            cls.env,
            login="gerente_sale",
            groups="base.group_user,sales_team.group_sale_salesman_all_leads,"
            "cobranca_addon.group_cobranca_manager",
            **common,
        )

    def _risky_customer(self, action):
        self.policy_watch.action = action
        partner = self._customer(f"Cliente Arriscado {action}", f"arriscado.{action}@example.com")
        self._invoice(partner, 300.0, due=TODAY - timedelta(days=40))
        self.env["cobranca.partner.score"]._score_company(self.company, today=TODAY)
        return partner

    def _order(self, partner, user=None):
        return (
            self.env["sale.order"]
            .with_user(user or self.env.user)
            .create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create({"product_id": self.product_a.id, "product_uom_qty": 2})
                    ],
                }
            )
        )

    def test_blocked_customer_needs_a_manager(self):
        partner = self._risky_customer("block_sale")
        order = self._order(partner, self.salesman)
        self.assertEqual(order.cobranca_credit_status, "blocked")
        self.assertIn("days overdue", order.cobranca_credit_reasons)
        with self.assertRaisesRegex(UserError, "credit hold"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        action = order.with_user(self.manager).action_confirm()
        self.assertEqual(action["res_model"], "cobranca.credit.override.wizard")
        wizard = (
            self.env["cobranca.credit.override.wizard"]
            .with_user(self.manager)
            .browse(action["res_id"])
        )
        wizard.reason = "Pedido de reposição urgente, aprovado pela diretoria"
        wizard.action_confirm()
        self.assertEqual(order.state, "sale")
        log = self.env["cobranca.credit.override"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual(log.user_id, self.manager)
        self.assertIn("diretoria", log.reason)
        self.assertTrue(order.message_ids.filtered(lambda m: "diretoria" in (m.body or "")))

    def test_warning_does_not_stop_the_sale(self):
        partner = self._risky_customer("warn")
        order = self._order(partner, self.salesman)
        self.assertEqual(order.cobranca_credit_status, "warning")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_prepayment_customer_pays_online_before_confirmation(self):
        partner = self._risky_customer("prepayment")
        order = self._order(partner, self.salesman)
        self.assertTrue(order.require_payment)
        self.assertEqual(order.prepayment_percent, 1.0)
        with self.assertRaises(UserError):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_confirmed_orders_count_in_the_exposure(self):
        partner = self._customer("Cliente com Pedidos", "pedidos@example.com")
        partner.with_company(self.company).sudo().credit_limit = 150.0
        order = self._order(partner)
        order.action_confirm()
        to_invoice = sum(order.order_line.mapped("untaxed_amount_to_invoice"))
        self.assertTrue(to_invoice)
        partner.invalidate_recordset()
        self.assertEqual(partner.cobranca_credit_exposure, to_invoice)
        self.assertEqual(partner.cobranca_credit_status, "warning")
        self.assertIn("Over the credit limit", partner.cobranca_credit_reasons)
