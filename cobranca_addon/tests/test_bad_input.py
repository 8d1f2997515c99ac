from datetime import timedelta

from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestBadInput(CobrancaCommon):
    def test_paid_and_zero_invoices_are_never_reminded(self):
        paid = self._invoice(self.customer, 100.0)
        self._pay(paid, day=self.DUE - timedelta(days=5))
        zero = self._invoice(self.customer, 0.0)
        draft = self._invoice(self.customer, 100.0, post=False)
        self._run(self.DUE + timedelta(days=1))
        self.assertFalse(self._lines(paid | zero | draft))
        self.assertFalse(self._messages(self.customer))

    def test_credit_notes_are_not_reminded_and_reduce_the_balance(self):
        invoice = self._invoice(self.customer, 100.0)
        refund = self._invoice(self.customer, 30.0, move_type="out_refund")
        self._run(self.DUE + timedelta(days=1))
        self.assertFalse(self._lines(refund))
        message = self._messages(self.customer)
        self.assertEqual(message.item_ids.move_id, invoice | refund)
        self.assertEqual(message.amount_residual, 70.0)
        body = message.mail_ids.body_html
        self.assertIn("Credit in your favour", body)
        self.assertIn("70.00", body)

    def test_customer_whose_credits_cover_the_debt_is_not_reminded(self):
        invoice = self._invoice(self.customer, 100.0)
        self._invoice(self.customer, 100.0, move_type="out_refund")
        self._run(self.DUE + timedelta(days=1))
        self.assertFalse(self._lines(invoice))

    def test_foreign_currency_items_are_grouped_per_currency(self):
        euro = self.setup_other_currency("EUR", rounding=0.01)
        local = self._invoice(self.customer, 100.0)
        foreign = self._invoice(self.customer, 80.0, currency=euro)
        self._run(self.DUE + timedelta(days=1))
        lines = self._lines(local | foreign)
        self.assertEqual(len(lines), 2)
        foreign_line = lines.filtered(lambda ln: ln.move_id == foreign)
        self.assertEqual(foreign_line.currency_id, euro)
        self.assertEqual(foreign_line.amount_residual_currency, 80.0)
        message = self._messages(self.customer)
        self.assertEqual(len(message), 1, "one message per customer, whatever the currencies")
        groups = message._item_groups()
        self.assertEqual(
            sorted((g["currency"].name, g["total"]) for g in groups),
            sorted([(self.company.currency_id.name, 100.0), ("EUR", 80.0)]),
        )
        self.assertIn("80.00", message.mail_ids.body_html)

    def test_archived_customers_are_not_reminded(self):
        partner = self._customer("Cliente Arquivado", "arquivado@example.com")
        invoice = self._invoice(partner, 100.0)
        partner.action_archive()
        self._run(self.DUE + timedelta(days=1))
        self.assertFalse(self._lines(invoice))

    def test_excluded_invoices_are_not_reminded(self):
        excluded = self._invoice(self.customer, 100.0)
        other = self._invoice(self.customer, 50.0)
        wizard = (
            self.env["cobranca.exclusion.wizard"]
            .with_context(active_model="account.move", active_ids=excluded.ids)
            .create({"reason": "Disputa: mercadoria avariada"})
        )
        wizard.action_confirm()
        self.assertTrue(excluded.cobranca_excluded)
        self.assertEqual(excluded.cobranca_exclusion_reason, "Disputa: mercadoria avariada")
        self._run(self.DUE + timedelta(days=1))
        self.assertFalse(self._lines(excluded))
        message = self._messages(self.customer)
        self.assertEqual(message.item_ids.move_id, other, "an excluded invoice is not even listed")
        excluded.action_cobranca_include()
        self._run(self.DUE + timedelta(days=4))
        self.assertEqual(self._lines(excluded).level_id, self.level_overdue)

    def test_exclusion_needs_a_reason_and_a_customer_invoice(self):
        refund = self._invoice(self.customer, 10.0, move_type="out_refund")
        wizard = (
            self.env["cobranca.exclusion.wizard"]
            .with_context(active_model="account.move", active_ids=refund.ids)
            .create({"reason": "x"})
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        invoice = self._invoice(self.customer, 10.0)
        with self.assertRaises(UserError):
            invoice._cobranca_exclude("  ".strip())

    def test_item_paid_after_selection_is_cancelled_not_sent(self):
        invoice = self._invoice(self.customer, 100.0)
        runs, _created = self.Run.sudo()._prepare_runs(
            self.company, date=self.DUE + timedelta(days=1)
        )
        line = self._lines(invoice)
        self.assertEqual(line.state, "pending")
        self._pay(invoice, day=self.DUE + timedelta(days=1))
        self.Run.sudo()._process_batch(self.company)
        self.assertEqual(line.state, "cancelled")
        self.assertIn("paid", line.note.lower())
        self.assertFalse(self._messages(self.customer))
        self.assertEqual(runs.state, "done")

    def test_tolerance_skips_small_amounts(self):
        self.level_overdue.tolerance_amount = 10.0
        small = self._invoice(self.customer, 9.99)
        self._run(self.DUE + timedelta(days=1))
        self.assertFalse(self._lines(small))

    def test_other_companies_are_not_mixed(self):
        other = self.setup_other_company(name="Filial Rio Ltda")["company"]
        other.cobranca_policy_id = self.policy
        here = self._invoice(self.customer, 100.0)
        there = self._invoice(self.customer, 300.0, company=other)
        self._run(self.DUE + timedelta(days=1))
        self.assertTrue(self._lines(here))
        self.assertFalse(self._lines(there), "only the company of the run is dunned")
        self._run(self.DUE + timedelta(days=1), companies=other)
        line_there = self._lines(there)
        self.assertEqual(line_there.company_id, other)
        messages = self._messages(self.customer)
        self.assertEqual(len(messages), 2, "one message per company")
        for message in messages:
            self.assertEqual(message.item_ids.company_id, message.company_id)

    def test_level_configuration_is_validated(self):
        with self.assertRaises(ValidationError):
            self.env["cobranca.level"].create(
                {"policy_id": self.policy.id, "name": "Nothing", "days": 45, "channel_email": False}
            )
        with self.assertRaises(ValidationError):
            self.env["cobranca.level"].create(
                {
                    "policy_id": self.policy.id,
                    "name": "No template",
                    "days": 45,
                    "channel_email": True,
                }
            )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["cobranca.level"].create(
                {
                    "policy_id": self.policy.id,
                    "name": "Same day",
                    "days": 7,
                    "channel_phone": True,
                    "channel_email": False,
                }
            )
            self.env.flush_all()

    def test_minimum_interval_is_at_least_one_day(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.policy.min_interval_days = 0
            self.env.flush_all()
