from odoo import fields
from odoo.tests import tagged

from odoo.addons.cobranca_addon.tests.common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestSaleDemo(CobrancaCommon):
    """With sales installed, the demo has quotations showing the credit status."""

    def test_demo_quotations(self):
        today = fields.Date.context_today(self.env.user)
        result = self.env["cobranca.demo"].sudo()._load_demo(company=self.company, today=today)
        good, blocked = result["sale_orders"]
        self.assertEqual(good.cobranca_credit_status, "ok")
        self.assertEqual(blocked.cobranca_credit_status, "blocked")
        action = blocked.action_confirm()
        self.assertEqual(action["res_model"], "cobranca.credit.override.wizard")
        self.assertEqual(blocked.state, "draft")
        good.action_confirm()
        self.assertEqual(good.state, "sale")
