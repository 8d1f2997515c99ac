"""Hostile values through the ORM (what a browser may send by JSON-RPC) to every
wizard and dialog of the module: each is refused with a clear message (a
UserError, ValidationError or AccessError) and creates or changes nothing."""

import json
import math
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .security_common import SecurityCommon

HUGE = "x" * 100_000


@tagged("post_install", "-at_install")
class TestBadInputWizards(SecurityCommon):
    def setUp(self):
        super().setUp()
        self.collector_a = self._as("collector")
        self.manager_a = self._as("manager")

    def _counts(self):
        """How many records of what the wizards create exist now."""
        models = (
            "cobranca.agreement",
            "cobranca.agreement.item",
            "cobranca.agreement.instalment",
            "cobranca.negotiation",
            "cobranca.credit.override",
            "cobranca.segment.history",
            "account.move",
            "mail.activity",
        )
        self.env.flush_all()
        return {model: self.env[model].sudo().search_count([]) for model in models}

    def assertRefused(self, function, *args, **kwargs):
        """``function`` is refused with a message, and nothing was created."""
        before = self._counts()
        # UserError: ValidationError and AccessError are UserErrors too. The cache is
        # cleared first so that access errors are not hidden by what it holds.
        self.env.cr.clear()
        with self.assertRaises(UserError) as caught:
            function(*args, **kwargs)
            self.env.flush_all()
        self.assertTrue(str(caught.exception).strip(), "a refusal says why")
        self.assertEqual(self._counts(), before, "a refusal creates nothing")
        return caught.exception

    # ------------------------------------------------------------------
    # Exclusion
    # ------------------------------------------------------------------

    def _exclusion(self, moves, user=None, **values):
        return (
            self.env["cobranca.exclusion.wizard"]
            .with_user(user or self.collector_a)
            .with_context(active_model="account.move", active_ids=moves.ids if moves else [])
            .create({"reason": "Disputa", **values})
        )

    def test_exclusion(self):
        invoice = self.invoice
        for reason in ("   ", HUGE):
            wizard = self._exclusion(invoice, reason=reason)
            self.assertRefused(wizard.action_confirm)
        refund = self._invoice(self.customer, 5.0, move_type="out_refund")
        vendor_bill = self._invoice(self.customer, 5.0, move_type="in_invoice")
        for moves in (refund, vendor_bill):
            self.assertRefused(self._exclusion(moves).action_confirm)
        # another company's invoice: not even readable
        self.assertRefused(lambda: self._exclusion(self.invoice_b).action_confirm())
        # ids that are not invoices (deleted, not integers) are dropped, not crashed on
        wizard = (
            self.env["cobranca.exclusion.wizard"]
            .with_user(self.collector_a)
            .with_context(active_model="account.move", active_ids=[999_999_999, "1; drop", None])
            .create({"reason": "Disputa"})
        )
        self.assertFalse(wizard.move_ids)
        self.assertRefused(wizard.action_confirm)
        invoice.invalidate_recordset()
        self.assertFalse(invoice.cobranca_excluded)
        self.assertFalse(invoice.cobranca_exclusion_reason)
        # a dispute's note longer than a reason is shortened in the exclusion reason
        with self._at(self.DUE + timedelta(days=2)):
            dispute = (
                self.env["cobranca.negotiation"]
                .with_user(self.collector_a)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set(invoice.ids)],
                        "outcome": "dispute",
                        "note": "n" * 5000,
                    }
                )
            )
        self.assertTrue(invoice.cobranca_excluded)
        self.assertLessEqual(len(invoice.cobranca_exclusion_reason), 1000)
        self.assertTrue(invoice.cobranca_exclusion_reason.endswith("…"))
        self.assertEqual(dispute.state, "open")

    # ------------------------------------------------------------------
    # Credit hold override
    # ------------------------------------------------------------------

    def _override(self, user=None, **values):
        draft = self._invoice(self.customer, 10.0, post=False)
        wizard = (
            self.env["cobranca.credit.override.wizard"]
            .with_user(user or self.manager_a)
            .create(
                {
                    "res_model": "account.move",
                    "res_ids": json.dumps(draft.ids),
                    "method": "action_post",
                    "reason": "Pedido urgente",
                    **values,
                }
            )
        )
        return wizard, draft

    def test_credit_override(self):
        for values in (
            {"reason": ""},
            {"reason": "  \n "},
            {"reason": HUGE},
            {"res_ids": "not json"},
            {"res_ids": "{}"},
            {"res_ids": "[]"},
            {"res_ids": '["1"]'},
            {"res_ids": "[-1]"},
            {"res_ids": "[1.5]"},
            {"res_ids": "[true]"},
            {"res_ids": f"[{2**40}]"},
            {"res_ids": "[999999999]"},
            {"method": "unlink"},
            {"method": "button_draft"},
            {"res_model": "res.users", "res_ids": json.dumps(self.manager_a.ids)},
        ):
            wizard, draft = self._override(**values)
            self.assertRefused(wizard.action_confirm)
            self.assertEqual(draft.state, "draft", values)
        # another company's draft, named by id: refused by the record rules
        draft_b = self._invoice(self.customer, 10.0, post=False, company=self.company_b)
        wizard, _draft = self._override(res_ids=json.dumps(draft_b.ids))
        self.assertRefused(wizard.action_confirm)
        self.assertEqual(draft_b.state, "draft")
        # a collector may not lift a hold at all
        with self.assertRaises(AccessError):
            self._override(user=self.collector_a)

    # ------------------------------------------------------------------
    # Segment set by hand
    # ------------------------------------------------------------------

    def _segment_override(self, user=None, **values):
        return (
            self.env["cobranca.segment.override.wizard"]
            .with_user(user or self.manager_a)
            .create(
                {
                    "partner_id": self.customer.id,
                    "segment_id": self.env.ref("cobranca_addon.cobranca_segment_a").id,
                    "reason": "Bom pagador",
                    **values,
                }
            )
        )

    def test_segment_override(self):
        segment_b = self.env["cobranca.segment"].create(
            {"name": "Só da filial", "min_score": 90, "company_id": self.company_b.id}
        )
        partner_b = self._customer("Cliente da Filial Ltda", company_id=self.company_b.id)
        before = (self.score.segment_id, self.score.override_reason)
        for values in (
            {"reason": "   "},
            {"reason": HUGE},
            # another company: the manager does not work in it
            {"company_id": self.company_b.id},
            # a segment of another company
            {"segment_id": segment_b.id},
        ):
            self.assertRefused(self._segment_override(**values).action_confirm)
        # a customer of another company is not even readable
        self.assertRefused(lambda: self._segment_override(partner_id=partner_b.id).action_confirm())
        self.score.invalidate_recordset()
        self.assertEqual((self.score.segment_id, self.score.override_reason), before)
        # the manager of the other company cannot override this company's score
        self.assertRefused(
            lambda: self._segment_override(
                user=self._as("manager_b"), company_id=self.company.id
            ).action_confirm()
        )
        with self.assertRaises(AccessError):
            self.score.with_user(self._as("manager_b"))._override(
                self.env.ref("cobranca_addon.cobranca_segment_a"), "por fora"
            )

    # ------------------------------------------------------------------
    # New agreement
    # ------------------------------------------------------------------

    def _agreement_wizard(self, user=None, invoice=None, **values):
        invoice = invoice or self._invoice(self.debtor, 300.0)
        action = invoice.with_user(user or self.collector_a).action_cobranca_new_agreement()
        with self._at(self.day):
            return (
                self.env["cobranca.agreement.wizard"]
                .with_user(user or self.collector_a)
                .with_context(**action["context"])
                .create(
                    {
                        "date": self.day,
                        "first_due": self.day + timedelta(days=7),
                        "instalment_count": 2,
                        **values,
                    }
                )
            )

    def _confirm(self, wizard):
        with self._at(self.day):
            return wizard.action_confirm()

    def test_agreement_wizard_numbers(self):
        # numbers no agreement can have: refused when typed in
        for values in (
            {"discount_amount": math.nan},
            {"discount_amount": math.inf},
            {"discount_amount": 1e15},
            {"down_payment": -math.inf},
            {"monthly_rate": math.nan},
            {"monthly_rate": 1e300},
            {"instalment_count": 10**12},
            {"instalment_count": -(10**12)},
        ):
            self.assertRefused(self._agreement_wizard, **values)
        # numbers the figures refuse, with their reason, before confirming
        for values in (
            {"instalment_count": -1},
            {"instalment_count": 0},
            {"instalment_count": 1000},
            {"discount_amount": -5.0},
            {"discount_amount": 1e9},
            {"down_payment": -10.0},
            {"down_payment": 1e9},
            {"monthly_rate": -1.0},
            {"monthly_rate": 150.0},
            {"first_due": date(9999, 12, 31)},
            {"first_due": self.day - timedelta(days=1)},
            {"date": date(9999, 12, 1), "first_due": date(9999, 12, 31)},
        ):
            wizard = self._agreement_wizard(**values)
            with self._at(self.day):
                self.assertTrue(wizard.error, values)
            self.assertRefused(self._confirm, wizard)
            self.assertRefused(lambda wizard=wizard: wizard.action_offer())

    def test_agreement_wizard_items(self):
        invoice = self._invoice(self.debtor, 300.0)
        items = self._receivable(invoice)
        for lines in (
            # another customer's item
            self._receivable(self.invoice),
            # a paid item
            self._receivable(self.paid_invoice),
            # not a receivable
            invoice.line_ids - items,
        ):
            wizard = self._agreement_wizard(
                invoice=invoice, move_line_ids=[Command.set((items | lines).ids)]
            )
            self.assertRefused(self._confirm, wizard)
        # another company's item is not even readable: no figure of it is shown
        wizard = self._agreement_wizard(
            invoice=invoice, move_line_ids=[Command.set(self._receivable(self.invoice_b).ids)]
        )
        with self._at(self.day):
            self.assertFalse(wizard.amount_principal)
            self.assertFalse(wizard.preview_html)
        self.assertRefused(self._confirm, wizard)
        # a discount beyond the collector's limit (5 %)
        self.assertRefused(
            self._confirm, self._agreement_wizard(invoice=invoice, discount_amount=100.0)
        )

    def test_agreement_figures_are_the_modules(self):
        """An agreement created straight through the ORM has the figures of its
        items and terms, never the typed ones."""
        invoice = self._invoice(self.debtor, 300.0)
        Agreement = self.env["cobranca.agreement"].with_user(self.collector_a)
        forged = {
            "partner_id": self.debtor.id,
            "date": self.day,
            "first_due": self.day + timedelta(days=7),
            "instalment_count": 1,
            "item_ids": [
                Command.create({"move_line_id": self._receivable(invoice).id, "principal": 1.0})
            ],
            "state": "active",
            "name": "ACORDO/FALSO",
            "amount_total": 1.0,
            "accepted_online": True,
            "accepted_ip": "6.6.6.6",
            "instalment_ids": [
                Command.create({"number": 1, "date_maturity": self.day, "amount": 1.0})
            ],
        }
        with self._at(self.day):
            agreement = Agreement.with_context(default_move_id=self.invoice.id).create(forged)
        self.assertEqual(agreement.state, "offered")
        self.assertNotEqual(agreement.name, "ACORDO/FALSO")
        self.assertFalse(agreement.accepted_online or agreement.accepted_ip or agreement.move_id)
        self.assertEqual(agreement.item_ids.principal, 300.0)
        self.assertEqual(agreement.amount_total, agreement.amount_financed)
        self.assertGreater(agreement.amount_total, 300.0)  # with the late charges
        self.assertEqual(len(agreement.instalment_ids), 1)
        self.assertEqual(agreement.instalment_ids.amount, agreement.amount_total)
        # beyond the discount limit, other commands, no items: refused
        for values in (
            {"discount_amount": 100.0},
            {"item_ids": [Command.link(self.agreement.item_ids[:1].id)]},
            {"item_ids": [Command.create({"move_line_id": "1"})]},
            {"item_ids": []},
            {"item_ids": [Command.create({"move_line_id": self._receivable(self.invoice_b).id})]},
        ):
            with self._at(self.day):
                self.assertRefused(Agreement.create, {**forged, **values})
        # and no item or instalment is added to an agreement afterwards
        with self.assertRaises(AccessError):
            self.env["cobranca.agreement.item"].with_user(self.manager_a).create(
                {"agreement_id": self.offer.id, "move_line_id": self._receivable(invoice).id}
            )
        self.assertRefused(
            self.offer.with_user(self.manager_a).write,
            {"item_ids": [Command.create({"move_line_id": self._receivable(invoice).id})]},
        )

    # ------------------------------------------------------------------
    # The negotiation dialog
    # ------------------------------------------------------------------

    def _log(self, context=None, user=None, **values):
        action = self.invoice.with_user(user or self.collector_a).action_cobranca_log_contact()
        with self._at(self.DUE + timedelta(days=2)):
            return (
                self.env["cobranca.negotiation"]
                .with_user(user or self.collector_a)
                .with_context(**action["context"], **(context or {}))
                .create({"outcome": "no_answer", **values})
            )

    def test_negotiation_dialog(self):
        promise = {"outcome": "promise", "promise_date": self.DUE + timedelta(days=5)}
        for values in (
            {**promise, "promise_amount": math.nan},
            {**promise, "promise_amount": math.inf},
            {**promise, "promise_amount": 1e15},
            {**promise, "promise_amount": -50.0},
            {**promise, "promise_amount": 50.0, "promise_date": date(9999, 12, 31)},
            {**promise, "promise_amount": 50.0, "promise_date": self.DUE - timedelta(days=1)},
            {"note": HUGE},
            # another customer's invoice
            {"move_ids": [Command.set(self.agreement_invoice.ids)]},
            # another company's invoice
            {"move_ids": [Command.set(self.invoice_b.ids)]},
            # another company's task
            {"message_id": self.line_b.message_ids.id},
            # a company the collector does not work in
            {"company_id": self.company_b.id},
        ):
            with mute_logger("odoo.sql_db"):
                self.assertRefused(self._log, **values)
        self.invoice.invalidate_recordset()
        self.assertFalse(self.invoice.cobranca_paused_until)
        # the task of another customer of the company
        action = self.agreement_invoice.with_user(self.collector_a).action_cobranca_log_contact()
        with self._at(self.DUE + timedelta(days=2)):
            self.assertRefused(
                self.env["cobranca.negotiation"]
                .with_user(self.collector_a)
                .with_context(**action["context"])
                .create,
                {"outcome": "no_answer", "message_id": self.call.id},
            )

    def test_negotiation_dialog_defaults(self):
        """What only the module sets is not taken from the dialog's context."""
        contact = self._log(
            context={
                "default_state": "open",
                "default_pause_until": "2099-01-01",
                "default_amount_paid": 1e6,
                "default_agreement_id": self.agreement.id,
                "default_date_closed": "2030-01-01",
            }
        )
        self.assertEqual(contact.state, "logged")
        self.assertFalse(contact.pause_until or contact.agreement_id or contact.date_closed)
        self.assertEqual(contact.amount_paid, 0.0)
        self.invoice.invalidate_recordset()
        self.assertFalse(self.invoice.cobranca_paused_until)
        # forging them as values does not work either
        contact = self._log(state="open", pause_until="2099-01-01")
        self.assertEqual((contact.state, contact.pause_until), ("logged", False))

    def test_negotiation_completes_only_a_task_of_its_customer(self):
        other = self._customer("Outro Cliente Ltda", "outro@example.com")
        other_task = self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": other.id,
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "user_id": self.collector_a.id,
                "summary": "Ligar",
            }
        )
        for activity_id in (other_task.id, "12", [1], True):
            self.assertRefused(self._log, context={"cobranca_activity_id": activity_id})
        self.assertTrue(other_task.exists())
        # the task of the contact's customer is completed (by its collector)
        task = self.call.activity_ids
        self.assertEqual(task.user_id, self.collector)
        self._log(
            context={"cobranca_activity_id": task.id}, user=self.collector, message_id=self.call.id
        )
        self.assertFalse(task.exists())

    # ------------------------------------------------------------------
    # Escalation items change with their buttons only
    # ------------------------------------------------------------------

    def test_escalation_items(self):
        item = self.escalation_item.with_user(self.collector_a)
        for values in (
            {"withdrawal_deadline": self.day + timedelta(days=365)},
            {"state": "withdrawn"},
            {"amount": 0.0},
            {"move_line_id": self._receivable(self.agreement_invoice).id},
        ):
            self.assertRefused(item.write, values)
        self.assertRefused(
            self.escalation.with_user(self.collector_a).write, {"partner_id": self.debtor.id}
        )
        self.assertEqual(self.escalation_item.state, "todo")
        item.action_request()
        self.assertEqual(self.escalation_item.state, "requested")
        self.assertTrue(self.escalation_item.date_requested)
