from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestWorkQueue(CobrancaCommon):
    """The collector's work queue: tasks, promises, broken agreements, escalations."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the queue is a SQL view of the company's "today" (its timezone, as the
        # run): its data is around the real today
        cls.today = cls.company._cobranca_local_now().date()

    def _queue(self, user=None):
        Item = self.env["cobranca.work.item"].with_user(user or self.env.user)
        return Item.search([("company_id", "=", self.company.id)])

    def _receivable(self, invoice):
        return invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    def test_the_queue_of_the_day(self):
        # a call task for a customer without e-mail, 10 days late
        caller = self._customer("Sem E-mail Comércio Ltda")
        self._invoice(caller, 800.0, due=self.today - timedelta(days=10))
        self.Run._run_dunning(companies=self.company)
        message = self._messages(caller)
        self.assertEqual(message.channel, "phone")
        message.activity_ids.date_deadline = self.today
        # a promise falling due tomorrow (the customer is 40 days late)
        promiser = self._customer("Promete Pagar Ltda", "promete@example.com")
        promised = self._invoice(promiser, 2500.0, due=self.today - timedelta(days=40))
        promise = self.env["cobranca.negotiation"].create(
            {
                "partner_id": promiser.id,
                "move_ids": [Command.set(promised.ids)],
                "outcome": "promise",
                "promise_date": self.today + timedelta(days=1),
                "promise_amount": 2500.0,
            }
        )
        # a promise for next week is not in today's queue
        later = self._customer("Paga Semana Que Vem Ltda", "semana@example.com")
        self.env["cobranca.negotiation"].create(
            {
                "partner_id": later.id,
                "move_ids": [Command.set(self._invoice(later, 90.0).ids)],
                "outcome": "promise",
                "promise_date": self.today + timedelta(days=7),
                "promise_amount": 90.0,
            }
        )
        # an escalation with an item to carry out
        escalated = self._customer("Vai Para o Serasa Ltda", "serasa@example.com")
        old = self._invoice(escalated, 1200.0, due=self.today - timedelta(days=70))
        escalation = self.env["cobranca.escalation"].create(
            {"company_id": self.company.id, "partner_id": escalated.id, "kind": "negativacao"}
        )
        self.env["cobranca.escalation.item"].create(
            {
                "escalation_id": escalation.id,
                "move_line_id": self._receivable(old).id,
                "amount": 1200.0,
            }
        )
        queue = self._queue()
        self.assertEqual(
            [(item.kind, item.partner_id, item.amount, item.days_late) for item in queue],
            [
                ("promise", promiser, 2500.0, 40),
                ("escalation", escalated, 1200.0, 70),
                ("task", caller, 800.0, 10),
            ],
            "the largest amounts first",
        )
        self.assertEqual(queue[0].date, self.today + timedelta(days=1))
        self.assertEqual(queue[2].user_id, self.collector)
        # "my queue": the collector's own
        mine = self._queue(self.collector).filtered(lambda item: item.user_id == self.collector)
        self.assertEqual(mine.mapped("kind"), ["task"])
        # one click logs the outcome; for the task, it completes it
        action = queue[2].action_log_outcome()
        self.assertEqual(action["res_model"], "cobranca.negotiation")
        self.assertEqual(action["context"]["cobranca_activity_id"], message.activity_ids.id)
        contact = (
            self.env["cobranca.negotiation"]
            .with_context(**action["context"])
            .create({"outcome": "no_answer"})
        )
        self.assertEqual(contact.message_id, message)
        self.assertNotIn("task", self._queue().mapped("kind"))
        action = queue[0].action_log_outcome()
        self.assertEqual(action["context"]["default_move_ids"], [(6, 0, promised.ids)])
        self.assertEqual(queue[1].action_open()["res_id"], escalation.id)
        self.assertEqual(promise.state, "open")

    def test_the_queue_is_of_the_companys_day(self):
        """The queue's "today" is the company's (its timezone, as the run's), not the
        database's UTC date: a company whose day differs from UTC's right now."""
        utc_now = fields.Datetime.now()
        # twelve hours behind UTC in the morning (yesterday there), fourteen ahead
        # in the afternoon (tomorrow there)
        self.company.cobranca_tz = "Etc/GMT+12" if utc_now.hour < 12 else "Pacific/Kiritimati"
        local_today = self.company._cobranca_local_now().date()
        self.assertNotEqual(local_today, utc_now.date())
        caller = self._customer("Outro Fuso Comércio Ltda")
        self._invoice(caller, 300.0, due=local_today - timedelta(days=1))
        self.Run._run_dunning(companies=self.company)
        task = self._messages(caller).activity_ids
        self.assertTrue(task)
        task.date_deadline = local_today
        self.env.flush_all()
        items = self._queue().filtered(lambda item: item.partner_id == caller)
        self.assertEqual(items.mapped("kind"), ["task"], "due today, in the company's day")
        self.assertEqual(items.days_late, 1)
        self.assertEqual(items.oldest_due, local_today - timedelta(days=1))

    def test_broken_agreements_wait_in_the_queue(self):
        debtor = self._customer("Quebrou o Acordo Ltda", "quebrou@example.com")
        invoice = self._invoice(debtor, 600.0, due=self.today - timedelta(days=60))
        wizard = self.env["cobranca.agreement.wizard"].create(
            {
                "partner_id": debtor.id,
                "move_line_ids": [Command.set(self._receivable(invoice).ids)],
                "date": self.today - timedelta(days=50),
                "first_due": self.today - timedelta(days=45),
                "instalment_count": 2,
            }
        )
        agreement = self.env["cobranca.agreement"].create(
            self.env["cobranca.agreement"]._values_from_terms(wizard, wizard._compute_terms())
        )
        agreement._confirm(channel="phone", day=self.today - timedelta(days=50))
        self.env["cobranca.agreement"]._follow_up(self.company, today=self.today)
        self.assertEqual(agreement.state, "broken")
        [item] = self._queue()
        self.assertEqual((item.kind, item.partner_id), ("agreement", debtor))
        self.assertEqual(item.amount, agreement.amount_residual)
        self.assertEqual(item.days_late, 45)  # the first instalment's due date
        action = item.action_log_outcome()
        self.assertEqual(action["context"]["default_move_ids"], [(6, 0, agreement.move_id.ids)])

    def test_who_sees_the_queue(self):
        customer = self._customer("Promessa Qualquer Ltda", "qualquer@example.com")
        self.env["cobranca.negotiation"].create(
            {
                "partner_id": customer.id,
                "move_ids": [Command.set(self._invoice(customer, 100.0).ids)],
                "outcome": "promise",
                "promise_date": self.today,
                "promise_amount": 100.0,
                "date": datetime.combine(self.today, datetime.min.time()),
            }
        )
        self.assertEqual(len(self._queue()), 1)
        salesman = new_test_user(
            self.env,
            login="vendedor_fila",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            self.env["cobranca.work.item"].with_user(salesman).search([])
        other = self.setup_other_company(name="Filial Leste Ltda")["company"]
        outsider = new_test_user(
            self.env,
            login="cobrador_leste",
            groups="base.group_user,cobranca_addon.group_cobranca_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(self.env["cobranca.work.item"].with_user(outsider).search([]))
