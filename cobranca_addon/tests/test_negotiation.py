from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestNegotiation(CobrancaCommon):
    """The negotiation log: contacts, promises that pause the régua, disputes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Negotiation = cls.env["cobranca.negotiation"]
        cls.company.cobranca_promise_grace_days = 2
        cls.salesman = new_test_user(
            cls.env,
            login="vendedor_neg",
            groups="base.group_user,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _at(self, day):
        return freeze_time(datetime.combine(day, time(15)))

    def _log(self, day, user=None, **values):
        with self._at(day):
            return self.Negotiation.with_user(user or self.collector).create(
                {"partner_id": self.customer.id, "channel": "phone", **values}
            )

    def _levels(self, invoice):
        return [(line.date, line.level_id) for line in self._lines(invoice)]

    # ------------------------------------------------------------------
    # Promises to pay
    # ------------------------------------------------------------------

    def test_promise_pauses_the_regua_then_a_broken_promise_resumes_it(self):
        invoice = self._invoice(self.customer, 1000.0)
        due = self.DUE
        self._run(due + timedelta(days=1))
        promise = self._log(
            due + timedelta(days=2),
            move_ids=[Command.set(invoice.ids)],
            outcome="promise",
            promise_date=due + timedelta(days=5),
            promise_amount=1000.0,
            note="Paga na sexta",
        )
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.pause_until, due + timedelta(days=7))
        self.assertEqual(promise.amount_open_at_promise, 1000.0)
        self.assertEqual(invoice.cobranca_paused_until, due + timedelta(days=7))
        self.assertIn("Paga na sexta", invoice.message_ids[0].body)
        self.assertIn("Promise to pay", self.customer.message_ids[0].body)
        # D+7 would send the second notice: paused until the promised date + 2
        self._run(due + timedelta(days=7))
        self.assertEqual(self._levels(invoice), [(due + timedelta(days=1), self.level_overdue)])
        self.assertFalse(invoice._cobranca_next_reminder()[0] == due + timedelta(days=7))
        # the day after the deadline: broken, the régua resumes
        self._run(due + timedelta(days=8))
        self.assertEqual(promise.state, "broken")
        self.assertEqual(promise.date_closed, due + timedelta(days=8))
        self.assertFalse(invoice.cobranca_paused_until)
        self.assertEqual(
            self._levels(invoice),
            [
                (due + timedelta(days=1), self.level_overdue),
                (due + timedelta(days=8), self.level_second),
            ],
        )
        self.assertIn("broken", self.customer.message_ids.mapped("body")[1])

    def test_promise_kept_when_the_promised_amount_is_paid(self):
        invoice = self._invoice(self.customer, 1000.0)
        due = self.DUE
        promise = self._log(
            due + timedelta(days=2),
            move_ids=[Command.set(invoice.ids)],
            outcome="promise",
            promise_date=due + timedelta(days=5),
            promise_amount=400.0,
        )
        self._pay(invoice, amount=400.0, day=due + timedelta(days=4))
        self._run(due + timedelta(days=5))
        self.assertEqual(promise.state, "kept")
        self.assertEqual(promise.amount_paid, 400.0)
        # a kept promise gives the rest back to the régua at once
        self.assertFalse(invoice.cobranca_paused_until)
        self.assertEqual(self._lines(invoice).level_id, self.level_overdue)
        self.assertEqual(self._lines(invoice).amount_residual, 600.0)

    def test_promise_without_items_covers_all_open_items(self):
        first = self._invoice(self.customer, 100.0)
        second = self._invoice(self.customer, 200.0, due=self.DUE + timedelta(days=10))
        promise = self._log(
            self.DUE + timedelta(days=1),
            outcome="promise",
            promise_date=self.DUE + timedelta(days=3),
            promise_amount=300.0,
        )
        self.assertEqual(promise.move_ids, first | second)
        self.assertEqual(promise.amount_open_at_promise, 300.0)

    def test_a_promise_cancels_what_was_queued_for_its_items(self):
        invoice = self._invoice(self.customer, 1000.0)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(self.customer)
        self.assertIn(message.state, ("queued", "scheduled"))
        self._log(
            self.DUE + timedelta(days=1),
            move_ids=[Command.set(invoice.ids)],
            outcome="promise",
            promise_date=self.DUE + timedelta(days=3),
            promise_amount=1000.0,
        )
        self.assertEqual(message.state, "cancelled")
        self.assertEqual(message.mail_ids.state, "cancel")

    def test_a_promise_needs_a_future_date_and_an_amount(self):
        invoice = self._invoice(self.customer, 1000.0)
        values = {"move_ids": [Command.set(invoice.ids)], "outcome": "promise"}
        with self.assertRaises(ValidationError):
            self._log(self.DUE, promise_date=self.DUE + timedelta(days=2), **values)
        with self.assertRaises(ValidationError):
            self._log(
                self.DUE, promise_date=self.DUE - timedelta(days=1), promise_amount=10, **values
            )
        other = self._customer("Outro Cliente Ltda", "outro@example.com")
        with self.assertRaises(ValidationError):
            self._log(self.DUE, partner_id=other.id, outcome="refusal", **{
                "move_ids": [Command.set(invoice.ids)]
            })  # fmt: skip

    # ------------------------------------------------------------------
    # Disputes
    # ------------------------------------------------------------------

    def test_dispute_excludes_the_items_until_resolved(self):
        invoice = self._invoice(self.customer, 1000.0)
        dispute = self._log(
            self.DUE,
            move_ids=[Command.set(invoice.ids)],
            outcome="dispute",
            note="Mercadoria avariada",
        )
        self.assertEqual(dispute.state, "open")
        self.assertTrue(invoice.cobranca_excluded)
        self.assertIn("Mercadoria avariada", invoice.cobranca_exclusion_reason)
        self._run(self.DUE + timedelta(days=1))
        self.assertFalse(self._lines(invoice))
        dispute.with_user(self.collector).action_resolve_dispute()
        self.assertEqual(dispute.state, "resolved")
        self.assertFalse(invoice.cobranca_excluded)
        self._run(self.DUE + timedelta(days=2))
        self.assertEqual(self._lines(invoice).level_id, self.level_overdue)
        with self.assertRaises(UserError):
            dispute.action_resolve_dispute()

    # ------------------------------------------------------------------
    # Logging in one click
    # ------------------------------------------------------------------

    def test_completing_a_call_task_asks_for_the_outcome(self):
        invoice = self._invoice(self.customer, 1000.0)
        self.customer.email = False  # a customer without e-mail gets a call task
        self._run(self.DUE + timedelta(days=1))
        task = self._messages(self.customer).filtered(lambda m: m.channel == "phone")
        activity = task.activity_ids
        self.assertTrue(activity.cobranca_asks_outcome)
        # "Done & Schedule Next" asks for the outcome instead of scheduling
        action = activity.with_user(self.collector).action_feedback_schedule_next(feedback="Ok")
        self.assertEqual(action["res_model"], "cobranca.negotiation")
        self.assertEqual(action["context"]["default_note"], "Ok")
        with self._at(self.DUE + timedelta(days=1)):
            Negotiation = self.Negotiation.with_user(self.collector)
            form = Form(Negotiation.with_context(**action["context"]))
            form.outcome = "no_answer"
            contact = form.save()
        self.assertEqual(contact.message_id, task)
        self.assertEqual(contact.move_ids, invoice)
        self.assertEqual(contact.partner_id, self.customer)
        self.assertFalse(activity.exists(), "the task is done")
        self.assertEqual(task.state, "done")
        done = self.customer.message_ids.filtered(lambda m: "No answer" in (m.body or ""))
        self.assertTrue(done)
        # from the message form, without a task, it only logs
        action = task.action_cobranca_log_contact()
        self.assertNotIn("cobranca_activity_id", action["context"])

    def test_log_from_the_invoice_the_customer_and_the_items(self):
        invoice = self._invoice(self.customer, 1000.0)
        for action in (
            invoice.action_cobranca_log_contact(),
            self.customer.action_cobranca_log_contact(),
            invoice.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            ).action_cobranca_log_contact(),
        ):
            self.assertEqual(action["res_model"], "cobranca.negotiation")
            self.assertEqual(action["target"], "new")
            self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        self.assertEqual(
            invoice.action_cobranca_log_contact()["context"]["default_move_ids"],
            [(6, 0, invoice.ids)],
        )
        other = self._invoice(self._customer("Outra Ltda", "o@example.com"), 10.0)
        with self.assertRaises(UserError):
            (invoice | other).action_cobranca_log_contact()
        self._log(self.DUE, outcome="wrong_contact", move_ids=[Command.set(invoice.ids)])
        self.assertEqual(self.customer.cobranca_negotiation_count, 1)
        self.assertEqual(len(invoice.cobranca_negotiation_ids), 1)

    # ------------------------------------------------------------------
    # The log is a record
    # ------------------------------------------------------------------

    def test_a_logged_contact_is_not_rewritten(self):
        contact = self._log(self.DUE, outcome="refusal", note="Não quer pagar")
        contact.with_user(self.collector).write({"note": "Não quer pagar agora"})
        with self.assertRaises(UserError):
            contact.with_user(self.collector).write({"outcome": "promise"})
        with self.assertRaises(AccessError):
            contact.with_user(self.collector).unlink()
        contact.with_user(self.env.user).unlink()  # a manager may remove a mistake

    def test_who_sees_the_log(self):
        contact = self._log(self.DUE, outcome="no_answer")
        with self.assertRaises(AccessError):
            self.Negotiation.with_user(self.salesman).search([])
        with self.assertRaises(AccessError):
            contact.with_user(self.salesman).read(["note"])
        other = self.setup_other_company(name="Filial Norte Ltda")["company"]
        outsider = new_test_user(
            self.env,
            login="cobrador_norte",
            groups="base.group_user,cobranca_addon.group_cobranca_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(self.Negotiation.with_user(outsider).search([]))

    def test_figures_of_promises(self):
        kept_invoice = self._invoice(self.customer, 100.0)
        broken_customer = self._customer("Promete e Não Paga Ltda", "nao@example.com")
        broken_invoice = self._invoice(broken_customer, 300.0)
        self._log(
            self.DUE,
            move_ids=[Command.set(kept_invoice.ids)],
            outcome="promise",
            promise_date=self.DUE + timedelta(days=1),
            promise_amount=100.0,
        )
        self._log(
            self.DUE,
            partner_id=broken_customer.id,
            move_ids=[Command.set(broken_invoice.ids)],
            outcome="promise",
            promise_date=self.DUE + timedelta(days=1),
            promise_amount=300.0,
        )
        self._log(self.DUE, outcome="no_answer")
        self._pay(kept_invoice, day=self.DUE + timedelta(days=1))
        self.Negotiation._follow_up_promises(self.company, today=self.DUE + timedelta(days=4))
        figures = self.Negotiation._figures(self.company)[self.company]
        self.assertEqual(
            {key: figures[key] for key in ("made", "kept", "broken", "open")},
            {"made": 2, "kept": 1, "broken": 1, "open": 0},
        )
        self.assertEqual((figures["amount_promised"], figures["amount_paid"]), (400.0, 100.0))
