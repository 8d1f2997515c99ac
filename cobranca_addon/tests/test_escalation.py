from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestEscalation(CobrancaCommon):
    """Protesto, negativação and lawsuit as tracked steps; Súmula 548 deadlines."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        template = cls.env.ref("cobranca_addon.mail_template_cobranca_formal_notice")
        cls.escalation_policy = cls.env["cobranca.policy"].create(
            {
                "name": "Régua com negativação",
                "min_interval_days": 1,
                "collector_id": cls.collector.id,
                "level_ids": [
                    Command.create(
                        {
                            "name": "Notificação prévia",
                            "days": 5,
                            "mail_template_id": template.id,
                            "is_notice": True,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Negativação",
                            "days": 20,
                            "channel_email": False,
                            "escalation": "negativacao",
                        }
                    ),
                    Command.create(
                        {
                            "name": "Protesto",
                            "days": 40,
                            "channel_email": False,
                            "escalation": "protesto",
                        }
                    ),
                ],
            }
        )
        cls.company.cobranca_policy_id = cls.escalation_policy
        cls.company.cobranca_weekly_cap = 0

    def _notice_and_send(self, invoice):
        self._run(self.DUE + timedelta(days=5))
        notice = self._messages(self.customer)
        self._send_mails(notice.mail_ids)
        self.assertEqual(notice.state, "sent")
        return notice

    def test_negativacao_after_the_delivered_prior_notice(self):
        invoice = self._invoice(self.customer, 900.0)
        self._notice_and_send(invoice)
        self._run(self.DUE + timedelta(days=20))
        escalation = self.env["cobranca.escalation"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(escalation.kind, "negativacao")
        self.assertEqual(escalation.state, "open")
        self.assertEqual(escalation.user_id, self.collector)
        self.assertEqual(escalation.item_ids.move_id, invoice)
        self.assertEqual(escalation.item_ids.state, "todo")
        self.assertEqual(escalation.amount, 900.0)
        self.assertEqual(
            escalation.activity_ids.activity_type_id,
            self.env.ref("cobranca_addon.mail_activity_type_escalation"),
        )
        line = self._lines(invoice).filtered(lambda ln: ln.level_id.escalation)
        self.assertEqual(line.state, "sent")
        self.assertEqual(line.escalation_item_ids, escalation.item_ids)
        self.assertFalse(
            self._messages(self.customer).filtered(
                lambda m: m.date == self.DUE + timedelta(days=20)
            ),
            "an escalation is a tracked step, not a message",
        )

    def test_negativacao_waits_for_a_delivered_notice(self):
        invoice = self._invoice(self.customer, 900.0)
        self._run(self.DUE + timedelta(days=5))
        notice = self._messages(self.customer)
        self.assertEqual(notice.state, "queued")  # not delivered yet
        self._run(self.DUE + timedelta(days=20))
        line = self._lines(invoice).filtered(lambda ln: ln.level_id.escalation)
        self.assertEqual(line.state, "waiting")
        self.assertIn("prior notice", line.note)
        self.assertFalse(
            self.env["cobranca.escalation"].search([("partner_id", "=", self.customer.id)])
        )
        # the notice leaves; the next run takes the negativação up again
        self._send_mails(notice.mail_ids)
        self._run(self.DUE + timedelta(days=21))
        self.assertEqual(line.state, "sent")
        self.assertTrue(
            self.env["cobranca.escalation"].search([("partner_id", "=", self.customer.id)])
        )

    def test_notice_must_be_old_enough(self):
        self.company.cobranca_notice_days = 20
        invoice = self._invoice(self.customer, 900.0)
        self._notice_and_send(invoice)
        self._run(self.DUE + timedelta(days=20))
        line = self._lines(invoice).filtered(lambda ln: ln.level_id.escalation)
        self.assertEqual(line.state, "waiting")
        self._run(self.DUE + timedelta(days=25))
        self.assertEqual(line.state, "sent")

    def test_protesto_needs_no_notice_and_items_move_through_states(self):
        invoice = self._invoice(self.customer, 700.0, due=self.DUE - timedelta(days=40))
        # straight to the protesto level: the earlier levels were reached long ago
        self.escalation_policy.level_ids.filtered(
            lambda lv: lv.escalation != "protesto"
        ).active = False
        self._run(self.DUE)
        escalation = self.env["cobranca.escalation"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(escalation.kind, "protesto")
        item = escalation.item_ids
        item.action_request()
        self.assertEqual(item.state, "requested")
        self.assertTrue(item.date_requested)
        item.action_done()
        self.assertEqual(item.state, "done")
        self.assertTrue(invoice)

    def test_paid_item_gets_a_withdrawal_deadline_of_five_business_days(self):
        """STJ Súmula 548: ask for the removal within 5 business days of the payment."""
        invoice = self._invoice(self.customer, 900.0)
        self._notice_and_send(invoice)
        self._run(self.DUE + timedelta(days=20))
        escalation = self.env["cobranca.escalation"].search([("partner_id", "=", self.customer.id)])
        escalation.item_ids.action_done()
        # paid on Wednesday 15 May 2030; the next days: Thu 16, Fri 17, Mon 20, Tue 21, Wed 22
        paid_on = date(2030, 5, 15)
        self._pay(invoice, day=paid_on)
        self._run(paid_on + timedelta(days=1))
        item = escalation.item_ids
        self.assertEqual(item.state, "done")
        self.assertEqual(item.date_paid, paid_on)
        self.assertEqual(item.withdrawal_deadline, date(2030, 5, 22))
        withdrawal = escalation.activity_ids.filtered(
            lambda act: (
                act.activity_type_id == self.env.ref("cobranca_addon.mail_activity_type_withdrawal")
            )
        )
        self.assertEqual(withdrawal.date_deadline, date(2030, 5, 22))
        with freeze_time(datetime(2030, 5, 22, 15)):
            item.invalidate_recordset(["withdrawal_overdue"])
            self.assertFalse(item.withdrawal_overdue)
        with freeze_time(datetime(2030, 5, 23, 15)):
            item.invalidate_recordset(["withdrawal_overdue"])
            escalation.invalidate_recordset(["withdrawal_overdue"])
            self.assertTrue(item.withdrawal_overdue)
            self.assertTrue(escalation.withdrawal_overdue)
            self.assertIn(
                escalation,
                self.env["cobranca.escalation"].search([("withdrawal_overdue", "=", True)]),
            )
        item.action_withdraw()
        self.assertEqual(item.state, "withdrawn")
        self.assertEqual(escalation.state, "closed")
        self.assertFalse(escalation.activity_ids.filtered(lambda act: act == withdrawal))

    def test_deadline_skips_holidays(self):
        invoice = self._invoice(self.customer, 900.0)
        self._notice_and_send(invoice)
        self._run(self.DUE + timedelta(days=20))
        escalation = self.env["cobranca.escalation"].search([("partner_id", "=", self.customer.id)])
        escalation.item_ids.action_done()
        self.env["cobranca.holiday"].create(
            {
                "name": "Aniversário da cidade",
                "date": date(2030, 5, 20),
                "company_id": self.company.id,
            }
        )
        self._pay(invoice, day=date(2030, 5, 15))
        self._run(date(2030, 5, 16))
        # Thu 16, Fri 17, (Mon 20 local holiday), Tue 21, Wed 22, Thu 23
        self.assertEqual(escalation.item_ids.withdrawal_deadline, date(2030, 5, 23))

    def test_item_paid_before_any_request_is_cancelled(self):
        invoice = self._invoice(self.customer, 900.0)
        self._notice_and_send(invoice)
        self._run(self.DUE + timedelta(days=20))
        escalation = self.env["cobranca.escalation"].search([("partner_id", "=", self.customer.id)])
        self._pay(invoice, day=self.DUE + timedelta(days=21))
        self._run(self.DUE + timedelta(days=22))
        self.assertEqual(escalation.item_ids.state, "cancelled")
        self.assertFalse(escalation.item_ids.withdrawal_deadline)
        self.assertEqual(escalation.state, "closed")

    def test_second_item_joins_the_open_escalation(self):
        first = self._invoice(self.customer, 100.0)
        second = self._invoice(self.customer, 200.0, due=self.DUE + timedelta(days=3))
        self._notice_and_send(first)
        self._run(self.DUE + timedelta(days=8))
        self._send_mails(
            self._messages(self.customer).mail_ids.filtered(lambda m: m.state == "outgoing")
        )
        self._run(self.DUE + timedelta(days=20))
        self._run(self.DUE + timedelta(days=23))
        escalations = self.env["cobranca.escalation"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(escalations), 1)
        self.assertEqual(escalations.item_ids.move_id, first | second)
