from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import format_amount, format_date

from ..tools import regua
from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestReguaRun(CobrancaCommon):
    def _run_days(self, start, end):
        day = start
        while day <= end:
            self._run(day)
            day += timedelta(days=1)

    def test_whole_regua_over_a_month(self):
        """Daily runs from ten days before the due date to forty after it."""
        invoice = self._invoice(self.customer, 1000.0)
        due = self.DUE
        self._run_days(due - timedelta(days=10), due + timedelta(days=40))

        lines = self._lines(invoice)
        self.assertEqual(
            [(line.date, line.level_id) for line in lines],
            [
                (due - timedelta(days=3), self.level_friendly),
                (due + timedelta(days=1), self.level_overdue),
                (due + timedelta(days=7), self.level_second),
                (due + timedelta(days=15), self.level_call),
                (due + timedelta(days=30), self.level_formal),
            ],
        )
        self.assertEqual(set(lines.mapped("state")), {"sent"})
        messages = self._messages(self.customer)
        self.assertEqual(
            [(m.date, m.channel, m.level_id) for m in messages],
            [
                (due - timedelta(days=3), "email", self.level_friendly),
                (due + timedelta(days=1), "email", self.level_overdue),
                (due + timedelta(days=7), "email", self.level_second),
                (due + timedelta(days=15), "phone", self.level_call),
                (due + timedelta(days=30), "email", self.level_formal),
                (due + timedelta(days=30), "phone", self.level_formal),
            ],
        )
        # one e-mail per e-mail message, each with its level's template
        emails = messages.filtered(lambda m: m.channel == "email")
        self.assertEqual(len(emails.mail_ids), 4)
        self.assertIn("friendly reminder", emails[0].mail_ids.subject)
        self.assertIn("formal notice", emails[-1].mail_ids.subject)
        # the newer call task replaced the older one: one open task per customer
        calls = messages.filtered(lambda m: m.channel == "phone")
        self.assertEqual(calls.mapped("state"), ["cancelled", "todo"])
        self.assertEqual(len(calls.activity_ids), 1)
        self.assertEqual(calls.activity_ids.user_id, self.collector)
        self.assertEqual(calls.activity_ids.res_id, self.customer.id)
        # the invoice shows where it stands
        self.assertEqual(invoice.cobranca_level_id, self.level_formal)
        self.assertEqual(invoice.cobranca_last_date, due + timedelta(days=30))
        self.assertEqual(self.customer.cobranca_message_count, 6)
        # one run a day, all done
        runs = self.Run.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(runs), 51)
        self.assertEqual(set(runs.mapped("state")), {"done"})

    def test_running_twice_the_same_day_sends_nothing_new(self):
        invoice = self._invoice(self.customer, 500.0)
        day = self.DUE + timedelta(days=1)
        first = self._run(day)
        lines, messages = self._lines(invoice), self._messages(self.customer)
        mails = messages.mail_ids
        self.assertEqual(len(lines), 1)
        self.assertEqual(len(messages), 1)
        second = self._run(day)
        self.assertEqual(first["runs"], second["runs"])
        self.assertEqual(self._lines(invoice), lines)
        self.assertEqual(self._messages(self.customer), messages)
        self.assertEqual(messages.mail_ids, mails)
        # "Run now" the same day changes nothing either
        self.Run.with_context(allowed_company_ids=self.company.ids).action_run_now()
        self.assertEqual(self._messages(self.customer), messages)

    def test_payment_between_runs_stops_the_next_reminder(self):
        invoice = self._invoice(self.customer, 800.0)
        self._run(self.DUE + timedelta(days=1))
        self.assertEqual(len(self._lines(invoice)), 1)
        self._pay(invoice, day=self.DUE + timedelta(days=3))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self._run_days(self.DUE + timedelta(days=4), self.DUE + timedelta(days=40))
        self.assertEqual(len(self._lines(invoice)), 1)
        self.assertEqual(len(self._messages(self.customer)), 1)
        self.assertFalse(invoice.cobranca_next_date)

    def test_partial_payment_keeps_reminding_the_rest(self):
        invoice = self._invoice(self.customer, 800.0)
        self._pay(invoice, amount=300.0, day=self.DUE)
        self._run(self.DUE + timedelta(days=1))
        line = self._lines(invoice)
        self.assertEqual(line.amount_residual_currency, 500.0)
        items = self._messages(self.customer).item_ids
        self.assertEqual(items.mapped("amount_residual_currency"), [500.0])

    def test_each_instalment_is_dunned_on_its_own_due_date(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "30/60",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 60}),
                ],
            }
        )
        invoice_date = self.DUE - timedelta(days=30)
        invoice = self._invoice(self.customer, 1000.0, payment_term=term, invoice_date=invoice_date)
        first, second = invoice.line_ids.filtered(
            lambda ln: ln.account_type == "asset_receivable"
        ).sorted("date_maturity")
        self.assertEqual(
            (first.date_maturity, second.date_maturity), (self.DUE, self.DUE + timedelta(days=30))
        )

        self._run(self.DUE + timedelta(days=1))
        lines = self._lines(invoice)
        self.assertEqual(lines.move_line_id, first)
        self.assertEqual(lines.level_id, self.level_overdue)
        self.assertEqual(lines.amount_residual_currency, 500.0)
        # the message lists both instalments, each with its own due date
        message = self._messages(self.customer)
        self.assertEqual(message.item_ids, first | second)
        body = message.mail_ids.body_html
        self.assertIn(">1/2<", body)
        self.assertIn(">2/2<", body)

        # paying the first instalment does not stop the second one
        self._pay(invoice, amount=500.0, day=self.DUE + timedelta(days=2))
        self._run_days(self.DUE + timedelta(days=2), self.DUE + timedelta(days=31))
        second_lines = self._lines(invoice).filtered(lambda ln: ln.move_line_id == second)
        self.assertEqual(
            [(ln.date, ln.level_id) for ln in second_lines],
            [
                (self.DUE + timedelta(days=27), self.level_friendly),
                (self.DUE + timedelta(days=31), self.level_overdue),
            ],
        )
        first_lines = self._lines(invoice).filtered(lambda ln: ln.move_line_id == first)
        self.assertEqual(len(first_lines), 1, "the paid instalment is never reminded again")

    def test_one_message_per_customer_listing_all_open_items(self):
        old = self._invoice(self.customer, 100.0, due=self.DUE - timedelta(days=8))
        recent = self._invoice(self.customer, 200.0, due=self.DUE - timedelta(days=1))
        upcoming = self._invoice(self.customer, 300.0, due=self.DUE + timedelta(days=2))
        not_yet = self._invoice(self.customer, 400.0, due=self.DUE + timedelta(days=20))
        self._run(self.DUE)
        lines = self._lines(old | recent | upcoming | not_yet)
        self.assertEqual(
            {(ln.move_id, ln.level_id) for ln in lines},
            {
                (old, self.level_overdue),
                (recent, self.level_overdue),
                (upcoming, self.level_friendly),
            },
        )
        message = self._messages(self.customer)
        self.assertEqual(len(message), 1)
        # in the tone of the highest level reached, listing every open item
        self.assertEqual(message.level_id, self.level_overdue)
        self.assertEqual(message.item_ids.move_id, old | recent | upcoming | not_yet)
        self.assertEqual(message.amount_residual, 1000.0)
        self.assertEqual(message.mail_ids.recipient_ids, self.customer)

    def test_a_long_list_of_items_is_summed_up_beyond_the_limit(self):
        """A customer with more open items than a message lists: the most overdue
        are listed, the others summed up in one row; the total counts them all."""
        invoices = self.env["account.move"]
        for days, amount in ((40, 100.0), (30, 200.0), (20, 300.0), (10, 400.0)):
            invoices |= self._invoice(self.customer, amount, due=self.DUE - timedelta(days=days))
        with patch.object(type(self.Message), "_listed_items_limit", return_value=2):
            self._run(self.DUE)
            message = self._messages(self.customer)
            self.assertEqual(message.item_ids.move_id, invoices, "the message covers them all")
            [group] = message._item_groups()
            self.assertEqual(
                [entry["move"] for entry in group["items"]], list(invoices[:2]), "oldest first"
            )
            self.assertEqual((group["more"], group["more_residual"]), (2, 700.0))
            self.assertEqual(group["total"], 1000.0)
        body = message.mail_ids.body_html
        self.assertIn(invoices[0].name, body)
        self.assertNotIn(invoices[3].name, body)
        self.assertIn("Other open items, not listed here:", body)
        self.assertIn("Ask us for your complete statement.", body)
        self.assertEqual(message.amount_residual, 1000.0)

    def test_amounts_and_dates_are_written_as_odoo_writes_them(self):
        """The message's own formatters (the language looked up once) write what
        Odoo's format_amount and format_date write, in every language."""
        self.env["res.lang"]._activate_lang("pt_BR")
        currencies = [self.env.ref(f"base.{code}") for code in ("BRL", "USD", "EUR", "JPY")]
        amounts = (0.0, 0.005, 100.0, 1234567.891, -1234.5, -0.4)
        for lang in ("en_US", "pt_BR"):
            env = self.env(context=dict(self.env.context, lang=lang))
            money, day = env["cobranca.message"]._cobranca_formatters()
            for currency in currencies:
                for amount in amounts:
                    self.assertEqual(
                        money(amount, currency),
                        format_amount(env, amount, currency),
                        (lang, currency.name, amount),
                    )
            for value in (date(2026, 1, 5), date(2031, 12, 31)):
                self.assertEqual(day(value), format_date(env, value), (lang, value))
            self.assertEqual(day(False), "")

    def test_a_batch_takes_customers_up_to_a_budget_of_lines(self):
        """Batches follow the customers' pending lines, not only their number: a
        customer with many items makes a batch of its own."""
        many = self._customer("Cliente Muitos Títulos", "muitos@example.com")
        few = self._customer("Cliente Poucos Títulos", "poucos@example.com")
        for partner, count in ((self.customer, 2), (many, 5), (few, 1)):
            for n in range(count):
                self._invoice(partner, 100.0 + n, due=self.DUE - timedelta(days=1))
        with freeze_time(self.DUE):
            self.Run._prepare_runs(self.company, date=self.DUE)
        claimed = self.Run._claim_partners(self.company, batch_size=50, line_budget=4)
        self.assertEqual(claimed, [self.customer.id], "the next customer's 5 lines do not fit")
        self.Line.search([("partner_id", "=", self.customer.id)]).state = "sent"
        # over the budget on its own: alone in its batch
        claimed = self.Run._claim_partners(self.company, batch_size=50, line_budget=4)
        self.assertEqual(claimed, [many.id])
        self.Line.search([("partner_id", "=", many.id)]).state = "sent"
        self.assertEqual(self.Run._claim_partners(self.company, 50, line_budget=4), [few.id])
        # the budget is a setting (Settings > Cobrança), 1,000 lines by default
        self.assertEqual(self.Run._batch_line_budget(), 1000)
        self.env["res.config.settings"].create({"cobranca_batch_line_budget": 300}).execute()
        self.assertEqual(self.Run._batch_line_budget(), 300)

    def test_old_debts_advance_one_level_at_a_time(self):
        """Installing on a database with old debts causes no burst of formal notices."""
        invoice = self._invoice(self.customer, 100.0, due=self.DUE - timedelta(days=200))
        self._run(self.DUE)
        self.assertEqual(self._lines(invoice).level_id, self.level_overdue)
        # not again before the minimum interval
        self._run(self.DUE + timedelta(days=2))
        self.assertEqual(len(self._lines(invoice)), 1)
        self._run(self.DUE + timedelta(days=3))
        self.assertEqual(self._lines(invoice).level_id, self.level_overdue | self.level_second)

    def test_minimum_interval_between_reminders_to_a_customer(self):
        self.policy.min_interval_days = 5
        first = self._invoice(self.customer, 100.0, due=self.DUE)
        second = self._invoice(self.customer, 100.0, due=self.DUE + timedelta(days=2))
        self._run(self.DUE + timedelta(days=1))  # first: D+1; second: D-1 -> friendly
        self.assertEqual(len(self._messages(self.customer)), 1)
        for offset in range(2, 6):
            self._run(self.DUE + timedelta(days=offset))
        self.assertEqual(len(self._messages(self.customer)), 1)
        self._run(self.DUE + timedelta(days=6))
        self.assertEqual(len(self._messages(self.customer)), 2)
        self.assertEqual(self._lines(second).level_id, self.level_friendly | self.level_overdue)
        self.assertEqual(self._lines(first).level_id, self.level_overdue)

    def test_reminders_are_logged_and_kept(self):
        invoice = self._invoice(self.customer, 100.0)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(self.customer)
        mail = message.mail_ids
        self.assertFalse(mail.auto_delete)
        self.assertEqual(message.state, "queued")
        self._send_mails(mail)
        self.assertTrue(mail.exists())
        self.assertEqual(mail.state, "sent")
        self.assertEqual(message.state, "sent")
        self.assertTrue(message.date_sent)
        # on the invoice's and the customer's chatter
        for record in (invoice, self.customer):
            log = record.message_ids.filtered(lambda m: "Collection reminder" in (m.body or ""))
            self.assertEqual(len(log), 1, record)
            self.assertIn("Payment not identified", log.body)
        # CDC art. 42-A: the creditor is identified in every message
        self.assertIn("11.222.333/0001-81", mail.body_html)
        self.assertIn("Comercial Paulista de Alimentos Ltda", mail.body_html)
        self.assertIn("Av. Paulista, 1000", mail.body_html)
        # how to pay: the invoice's portal link
        self.assertIn(invoice.get_portal_url(), mail.body_html)

    def test_invoice_next_reminder_date(self):
        invoice = self._invoice(self.customer, 100.0)
        with freeze_time(self.DUE - timedelta(days=10)):
            invoice.invalidate_recordset(["cobranca_next_date"])
            self.assertEqual(invoice.cobranca_next_date, self.DUE - timedelta(days=3))
        self._run(self.DUE - timedelta(days=3))
        with freeze_time(self.DUE - timedelta(days=3)):
            invoice.invalidate_recordset(["cobranca_next_date"])
            self.assertEqual(invoice.cobranca_next_date, self.DUE + timedelta(days=1))
        invoice._cobranca_exclude("Disputa sobre a entrega")
        invoice.invalidate_recordset(["cobranca_next_date"])
        self.assertFalse(invoice.cobranca_next_date)

    def test_sql_selection_agrees_with_the_pure_rules(self):
        """The set-based run and tools/regua.py give the same level to every item."""
        offsets = [-6, -3, -2, 0, 1, 2, 6, 7, 8, 14, 15, 16, 29, 30, 31, 200]
        invoices = {}
        for offset in offsets:
            partner = self._customer(f"Cliente {offset}", f"c{offset}@example.com")
            invoices[offset] = self._invoice(partner, 100.0, due=self.DUE - timedelta(days=offset))
        steps = self.policy._regua_steps()
        reached = dict.fromkeys(offsets)
        last_contact = dict.fromkeys(offsets)
        for run_offset in (0, 1, 3, 4, 8, 16, 40):
            day = self.DUE + timedelta(days=run_offset)
            self._run(day)
            for offset, invoice in invoices.items():
                days_late = (day - invoice.invoice_date_due).days
                interval_ok = (
                    last_contact[offset] is None
                    or (day - last_contact[offset]).days >= self.policy.min_interval_days
                )
                expected = (
                    regua.next_step(steps, days_late, reached[offset]) if interval_ok else None
                )
                created = self._lines(invoice).filtered(lambda ln, day=day: ln.date == day)
                self.assertEqual(
                    created.level_id.id or None,
                    expected and expected.key,
                    f"item due D{-offset:+d}, run on D+{run_offset}",
                )
                if created:
                    reached[offset] = created.level_id.days
                    last_contact[offset] = day
