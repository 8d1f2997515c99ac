from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestUi(CobrancaCommon, HttpCase):
    def test_tour_overdue_invoice_shows_its_level(self):
        partner = self._customer("Cliente do Tour Ltda", "tour@example.com")
        today = fields.Date.context_today(self.env.user)
        invoice = self._invoice(partner, 1234.0, due=today - timedelta(days=2))
        self.Run._run_dunning(companies=self.company)
        self.assertEqual(invoice.cobranca_level_id, self.level_overdue)
        self.env.ref("base.user_admin").write(
            {"company_id": self.company.id, "company_ids": [(4, self.company.id)]}
        )
        self.start_tour("/odoo", "cobranca_overdue_invoice_tour", login="admin")
