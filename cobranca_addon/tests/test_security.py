from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestSecurity(CobrancaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, 100.0)
        cls.env["cobranca.run"]._run_dunning(
            date=cls.DUE + timedelta(days=1), companies=cls.company
        )
        common = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.salesman = new_test_user(
            cls.env,
            login="vendedor",
            groups="base.group_user,account.group_account_invoice",
            **common,
        )
        cls.user = new_test_user(
            cls.env,
            login="cobrador",
            groups="base.group_user,account.group_account_invoice,cobranca_addon.group_cobranca_user",
            **common,
        )
        cls.manager = new_test_user(
            cls.env,
            login="gerente",
            groups="base.group_user,account.group_account_manager,cobranca_addon.group_cobranca_manager",
            **common,
        )
        cls.portal = new_test_user(
            cls.env, login="portal_cliente", groups="base.group_portal", **common
        )

    def test_salesman_cannot_read_collection_data(self):
        for model in (
            "cobranca.line",
            "cobranca.message",
            "cobranca.run",
            "cobranca.policy",
            "cobranca.escalation",
            "cobranca.escalation.item",
            "cobranca.holiday",
        ):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.salesman).search([])
        # the invoice itself stays readable, without the collection fields
        invoice = self.invoice.with_user(self.salesman)
        self.assertEqual(invoice.read(["name"])[0]["name"], self.invoice.name)
        with self.assertRaises(AccessError):
            invoice.read(["cobranca_level_id"])
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).read(["cobranca_policy_id"])

    def test_portal_user_reads_nothing(self):
        for model in ("cobranca.line", "cobranca.message", "cobranca.policy"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.portal).search([])

    def test_collection_user_reads_but_does_not_configure(self):
        lines = self.Line.with_user(self.user).search([("move_id", "=", self.invoice.id)])
        self.assertEqual(len(lines), 1)
        self.assertEqual(self.invoice.with_user(self.user).cobranca_level_id, self.level_overdue)
        self.assertTrue(self.Message.with_user(self.user).search([]))
        with self.assertRaises(AccessError):
            self.policy.with_user(self.user).write({"min_interval_days": 7})
        with self.assertRaises(AccessError):
            self.env["cobranca.policy"].with_user(self.user).create({"name": "Minha régua"})
        with self.assertRaises(AccessError):
            self.Run.with_user(self.user).action_run_now()
        with self.assertRaises(AccessError):
            lines.with_user(self.user).write({"note": "changed"})
        with self.assertRaises(AccessError):
            lines.with_user(self.user).unlink()
        # a collector may exclude an invoice (dispute) with a reason
        self.invoice.with_user(self.user)._cobranca_exclude("Disputa")
        self.assertTrue(self.invoice.cobranca_excluded)

    def test_escalations_and_holidays(self):
        escalation = self.env["cobranca.escalation"].create(
            {"company_id": self.company.id, "partner_id": self.customer.id, "kind": "protesto"}
        )
        item = self.env["cobranca.escalation.item"].create(
            {
                "escalation_id": escalation.id,
                "move_line_id": self.invoice.line_ids.filtered(
                    lambda line: line.account_type == "asset_receivable"
                ).id,
                "amount": 100.0,
            }
        )
        # collectors carry escalations out, but do not create them by hand
        item.with_user(self.user).action_request()
        self.assertEqual(item.state, "requested")
        escalation.with_user(self.user).user_id = self.user
        with self.assertRaises(AccessError):
            self.env["cobranca.escalation"].with_user(self.user).create(
                {"company_id": self.company.id, "partner_id": self.customer.id, "kind": "protesto"}
            )
        with self.assertRaises(AccessError):
            escalation.with_user(self.manager).unlink()
        # holidays: read by collectors, kept by managers
        Holiday = self.env["cobranca.holiday"]
        self.assertTrue(Holiday.with_user(self.user).search([]))
        with self.assertRaises(AccessError):
            Holiday.with_user(self.user).create({"name": "Feriado", "date": "2030-07-09"})
        Holiday.with_user(self.manager).create(
            {
                "name": "Revolução Constitucionalista",
                "date": "2030-07-09",
                "company_id": self.company.id,
            }
        )

    def test_manager_configures_and_runs(self):
        policy = (
            self.env["cobranca.policy"]
            .with_user(self.manager)
            .create({"name": "Régua rigorosa", "min_interval_days": 2})
        )
        self.env["cobranca.level"].with_user(self.manager).create(
            {
                "policy_id": policy.id,
                "name": "Ligação imediata",
                "days": 1,
                "channel_email": False,
                "channel_phone": True,
            }
        )
        action = (
            self.Run.with_user(self.manager)
            .with_context(allowed_company_ids=self.company.ids)
            .action_run_now()
        )
        self.assertEqual(action["res_model"], "cobranca.run")
        with self.assertRaises(AccessError):
            self.Line.with_user(self.manager).search([]).unlink()

    def test_multi_company_isolation(self):
        other = self.setup_other_company(name="Outra Empresa S.A.")["company"]
        other.cobranca_policy_id = self.policy
        there = self._invoice(self.customer, 300.0, company=other)
        self.env["cobranca.run"]._run_dunning(date=self.DUE + timedelta(days=1), companies=other)
        self.assertTrue(self._lines(there))
        visible = self.Line.with_user(self.user).search([])
        self.assertTrue(visible)
        self.assertEqual(visible.company_id, self.company)
        self.assertEqual(self.Message.with_user(self.user).search([]).company_id, self.company)
        self.assertEqual(self.Run.with_user(self.user).search([]).company_id, self.company)
        # a policy of the other company is invisible too
        private = self.env["cobranca.policy"].create(
            {"name": "Régua da outra", "company_id": other.id}
        )
        self.assertNotIn(private, self.env["cobranca.policy"].with_user(self.user).search([]))
