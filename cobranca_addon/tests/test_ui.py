import logging
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CobrancaCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestUi(CobrancaCommon, HttpCase):
    def start_tour(self, url_path, tour_name, **kwargs):
        """Start the tour; once more if the web client failed to load.

        Seen here on a fresh database: the web client's first load sometimes gets
        an HTML error page where it fetches JSON ("Unexpected token '<' ... is not
        valid JSON"), before any step ran. Nothing of the tour happened then, so
        starting it again is safe; any other failure fails the test.
        """
        try:
            return super().start_tour(url_path, tour_name, **kwargs)
        except AssertionError as error:
            if "is not valid JSON" not in str(error) or "[1/" in str(error):
                raise
            _logger.info("The web client did not load (%s): starting %s again", error, tour_name)
            return super().start_tour(url_path, tour_name, **kwargs)

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

    def test_tour_completing_a_call_asks_for_the_outcome(self):
        partner = self._customer("Cliente Sem E-mail Ltda")  # reminded by calls
        today = fields.Date.context_today(self.env.user)
        self._invoice(partner, 500.0, due=today - timedelta(days=2))
        self.Run._run_dunning(companies=self.company)
        task = self.Message.search([("partner_id", "=", partner.id), ("channel", "=", "phone")])
        self.assertEqual(task.state, "todo")
        self.env.ref("base.user_admin").write(
            {"company_id": self.company.id, "company_ids": [(4, self.company.id)]}
        )
        self.start_tour(
            f"/odoo/action-account.res_partner_action_customer/{partner.id}",
            "cobranca_call_task_outcome_tour",
            login="admin",
        )
        contact = self.env["cobranca.negotiation"].search([("partner_id", "=", partner.id)])
        self.assertEqual((contact.outcome, contact.note), ("no_answer", "Caixa postal"))
        self.assertEqual(contact.message_id, task)
        self.assertEqual(task.state, "done")

    def test_tour_dashboard_shows_the_indicators(self):
        partner = self._customer("Cliente do Painel Ltda", "painel@example.com")
        today = fields.Date.context_today(self.env.user)
        # due long enough ago for the effectiveness window (15 days) to be over
        invoice = self._invoice(
            partner, 1000.0, due=today - timedelta(days=20), invoice_date=today - timedelta(days=50)
        )
        line = (
            self.env["cobranca.line"]
            .sudo()
            .create(
                {
                    "move_line_id": invoice.line_ids.filtered("date_maturity").id,
                    "move_id": invoice.id,
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "currency_id": invoice.currency_id.id,
                    "policy_id": self.policy.id,
                    "level_id": self.level_overdue.id,
                    "date": today - timedelta(days=19),
                    "state": "sent",
                    "date_maturity": today - timedelta(days=20),
                    "days_late": 1,
                    "amount_residual": 1000.0,
                    "amount_residual_currency": 1000.0,
                }
            )
        )
        self.assertTrue(line)
        self.env.ref("base.user_admin").write(
            {"company_id": self.company.id, "company_ids": [(4, self.company.id)]}
        )
        self.start_tour(
            "/odoo/action-cobranca_addon.cobranca_dashboard_action",
            "cobranca_dashboard_tour",
            login="admin",
        )
