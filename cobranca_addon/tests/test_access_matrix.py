"""The access matrix: what each role may read, write, create and delete on every
model of the module, which of the module's fields on invoices, items and
customers it sees, and which actions (buttons) it may carry out, in one company
and across two.

The tables below are the specification (the README's "Security" section says
the same in words): a change of an ACL, a record rule or a field's groups that
does not change them breaks a test. To extend it (the reports of other issues):
a new model goes in ``MODEL_ACCESS`` and ``SAMPLES`` (a test fails until it is),
a new field on invoices, items or customers in ``FIELD_ACCESS`` (likewise), a new
button in ``ACTIONS``: a function doing it as ``user``, and the roles that may.
"""

import json
from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.base.models.ir_qweb import QWebException

from .security_common import OTHER_COMPANY_ROLES, ROLES, SecurityCommon

OPERATIONS = {"r": "read", "w": "write", "c": "create", "d": "unlink"}
COBRANCA = ("collector", "manager")

#: model -> {role: operations it may carry out, "rwcd"}; an absent role may do
#: nothing. Checked against the ACLs (``has_access``), record by record against
#: the record rules, and with the users of the other company.
MODEL_ACCESS = {
    # configuration: read by collectors, kept by managers
    "cobranca.policy": {"collector": "r", "manager": "rwcd"},
    "cobranca.level": {"collector": "r", "manager": "rwcd"},
    "cobranca.holiday": {"collector": "r", "manager": "rwcd"},
    "cobranca.segment": {"collector": "r", "manager": "rwcd"},
    "cobranca.credit.policy": {"collector": "r", "manager": "rwcd"},
    "cobranca.index": {"collector": "r", "manager": "rwcd"},
    "cobranca.index.value": {"collector": "r", "manager": "rwcd"},
    # what the régua does: created by the run (sudo), never deleted
    "cobranca.run": {"collector": "r", "manager": "rw"},
    "cobranca.line": {"collector": "r", "manager": "rw"},
    "cobranca.message": {"collector": "r", "manager": "rw"},
    "cobranca.escalation": {"collector": "rw", "manager": "rwc"},
    "cobranca.escalation.item": {"collector": "rw", "manager": "rwc"},
    # negotiation: collectors log contacts and make agreements; the figures of an
    # agreement (items, instalments) are the module's
    "cobranca.negotiation": {"collector": "rwc", "manager": "rwcd"},
    "cobranca.agreement": {"collector": "rwc", "manager": "rwcd"},
    "cobranca.agreement.item": {"collector": "r", "manager": "r"},
    "cobranca.agreement.instalment": {"collector": "r", "manager": "r"},
    # credit: records of decisions, written by the module only
    "cobranca.partner.score": {"collector": "r", "manager": "r"},
    "cobranca.segment.history": {"collector": "r", "manager": "r"},
    "cobranca.credit.override": {"collector": "r", "manager": "r"},
    # evidence of AR-tracked e-mails: read only, for everyone
    "cobranca.evidence": {"collector": "r", "manager": "r"},
    "cobranca.evidence.event": {"collector": "r", "manager": "r"},
    "cobranca.evidence.attachment": {"collector": "r", "manager": "r"},
    "cobranca.work.item": {"collector": "r", "manager": "r"},
    # LGPD: who opened evidence and contacts, exported or anonymised; managers read it,
    # nobody writes it (the module appends)
    "cobranca.access.log": {"manager": "r"},
    # reports: SQL views read by Cobrança users; buckets kept by managers
    "cobranca.aging.report": {"collector": "r", "manager": "r"},
    "cobranca.aging.bucket": {"collector": "r", "manager": "rwcd"},
    "cobranca.indicator.month": {"collector": "r", "manager": "r"},
    "cobranca.level.effectiveness": {"collector": "r", "manager": "r"},
    "cobranca.recovery.report": {"collector": "r", "manager": "r"},
    "cobranca.commitment.report": {"collector": "r", "manager": "r"},
    # wizards
    "cobranca.aging.bucket.wizard": {"manager": "rwcd"},
    "cobranca.aging.bucket.wizard.line": {"manager": "rwcd"},
    "cobranca.exclusion.wizard": {"collector": "rwcd", "manager": "rwcd"},
    "cobranca.agreement.wizard": {"collector": "rwcd", "manager": "rwcd"},
    "cobranca.credit.override.wizard": {"manager": "rwcd"},
    "cobranca.segment.override.wizard": {"manager": "rwcd"},
}

#: The record of each model the record rules are checked on (an attribute of the
#: test class, dotted paths allowed), and whether it has no company (shared by
#: every company). A model whose records the fixtures cannot build yet may be
#: listed with ``None``: its ACLs are still checked, its record rules not.
SAMPLES = {
    "cobranca.policy": ("policy_a", False),
    "cobranca.level": ("level_a", False),
    "cobranca.holiday": ("holiday", False),
    "cobranca.segment": ("segment_a_only", False),
    "cobranca.credit.policy": ("credit_policy_a", False),
    "cobranca.index": ("index", True),
    "cobranca.index.value": ("index_value", True),
    "cobranca.run": ("dunning_run", False),
    "cobranca.line": ("line", False),
    "cobranca.message": ("email", False),
    "cobranca.escalation": ("escalation", False),
    "cobranca.escalation.item": ("escalation_item", False),
    "cobranca.negotiation": ("contact", False),
    "cobranca.agreement": ("agreement", False),
    "cobranca.agreement.item": ("agreement.item_ids", False),
    "cobranca.agreement.instalment": ("agreement.instalment_ids", False),
    "cobranca.partner.score": ("score", False),
    "cobranca.segment.history": ("segment_history", False),
    "cobranca.credit.override": ("credit_override", False),
    "cobranca.evidence": ("evidence", False),
    "cobranca.evidence.event": ("evidence.event_ids", False),
    "cobranca.evidence.attachment": ("evidence_attachment", False),
    "cobranca.work.item": ("work_item", False),
    "cobranca.access.log": ("access_log", False),
    "cobranca.aging.report": ("aging_row", False),
    "cobranca.aging.bucket": ("aging_bucket", False),
    # the fixtures' items are dated in 2030, after today: no month yet (the
    # indicators' own tests check its company rule, test_indicators.py)
    "cobranca.indicator.month": None,
    "cobranca.level.effectiveness": ("level_effectiveness", False),
    "cobranca.recovery.report": ("recovery_row", False),
    "cobranca.commitment.report": ("commitment_row", False),
}
#: Records without company, seen by every company (the module says so).
SHARED_SAMPLES = {
    "cobranca.policy": "policy",
    "cobranca.level": "level_overdue",
    "cobranca.holiday": "national_holiday",
    "cobranca.segment": "segment_shared",
    "cobranca.credit.policy": "credit_policy_shared",
}

#: The module's fields on Odoo's models: the roles that read them. ``None``: every
#: user who reads the record (salesmen see the credit status and its reasons).
FIELD_ACCESS = {
    "account.move": {
        **dict.fromkeys(
            (
                "cobranca_line_ids",
                "cobranca_level_id",
                "cobranca_last_date",
                "cobranca_next_date",
                "cobranca_excluded",
                "cobranca_exclusion_reason",
                "cobranca_evidence_count",
                "cobranca_in_agreement",
                "cobranca_negotiation_ids",
                "cobranca_paused_until",
                "cobranca_message_count",
            ),
            COBRANCA,
        ),
        "cobranca_agreement_id": None,
        "cobranca_credit_status": None,
        "cobranca_credit_reasons": None,
    },
    "account.move.line": {
        "cobranca_line_ids": COBRANCA,
        "cobranca_level_id": COBRANCA,
        "cobranca_excluded": COBRANCA,
        "cobranca_agreement_item_id": None,
        "cobranca_agreement_instalment_id": None,
        "cobranca_days_late": None,
    },
    "res.partner": {
        **dict.fromkeys(
            (
                "cobranca_policy_id",
                "cobranca_collector_id",
                "cobranca_line_ids",
                "cobranca_message_ids",
                "cobranca_line_count",
                "cobranca_message_count",
                "cobranca_last_date",
                "cobranca_negotiation_ids",
                "cobranca_business_relation",
                "cobranca_agreement_ids",
                "cobranca_agreement_count",
                "cobranca_negotiation_count",
                "cobranca_segment_id",
                "cobranca_score",
                "cobranca_credit_policy_id",
                "cobranca_credit_exposure",
                "cobranca_credit_limit",
                "cobranca_currency_id",
                "cobranca_lgpd_anonymised_date",
            ),
            COBRANCA,
        ),
        "cobranca_credit_status": None,
        "cobranca_credit_reasons": None,
    },
}
#: Roles that read invoices and customers at all (the others are refused the
#: record before any field).
RECORD_READERS = {
    "account.move": ("collector", "manager", "salesman", "accountant", "account_manager"),
    "account.move.line": ("collector", "manager", "salesman", "accountant", "account_manager"),
    "res.partner": ("collector", "manager", "salesman", "accountant", "account_manager"),
}


# ----------------------------------------------------------------------
# The actions (buttons and wizards): each runs as ``user`` and asserts what it did
# ----------------------------------------------------------------------


def run_now(test, user):
    action = (
        test.env["cobranca.run"]
        .with_user(user)
        .with_context(allowed_company_ids=user.company_id.ids)
        .action_run_now()
    )
    test.assertEqual(action["res_model"], "cobranca.run")


def retry_email(test, user):
    test.email.with_user(user).action_retry()
    test.assertEqual(test.email.mail_ids.state, "outgoing")


def print_letters(test, user):
    action = test.letter.with_user(user).action_print_letters()
    test.assertEqual(action["tag"], "display_notification")
    test.assertTrue(test.letter.is_cancelled)


def log_outcome_of_task(test, user):
    action = test.call.with_user(user).action_cobranca_log_contact()
    test.assertEqual(action["res_model"], "cobranca.negotiation")


def exclude_invoice(test, user):
    wizard = (
        test.env["cobranca.exclusion.wizard"]
        .with_user(user)
        .with_context(active_model="account.move", active_ids=test.invoice.ids)
        .create({"reason": "Disputa"})
    )
    wizard.action_confirm()
    test.assertTrue(test.invoice.cobranca_excluded)


def include_invoice(test, user):
    test.disputed.with_user(user).action_cobranca_include()
    test.assertFalse(test.disputed.cobranca_excluded)


def log_contact(test, user):
    action = test.invoice.with_user(user).action_cobranca_log_contact()
    contact = (
        test.env["cobranca.negotiation"]
        .with_user(user)
        .with_context(**action["context"])
        .create({"outcome": "refusal", "note": "Não quer pagar."})
    )
    test.assertEqual(contact.partner_id, test.customer)


def rewrite_contact(test, user):
    test.contact.with_user(user).write({"outcome": "promise"})


def complete_notes(test, user):
    test.contact.with_user(user).write({"note": "Ninguém atendeu. Tentar à tarde."})


def delete_contact(test, user):
    test.contact.with_user(user).unlink()
    test.assertFalse(test.contact.exists())


def resolve_dispute(test, user):
    test.dispute.with_user(user).action_resolve_dispute()
    test.assertEqual(test.dispute.state, "resolved")


def new_agreement(test, user):
    invoice = test._invoice(test.debtor, 200.0)
    action = invoice.with_user(user).action_cobranca_new_agreement()
    with test._at(test.day):
        wizard = (
            test.env["cobranca.agreement.wizard"]
            .with_user(user)
            .with_context(**action["context"])
            .create({"date": test.day, "first_due": test.day + timedelta(days=7)})
        )
        agreement = test.env["cobranca.agreement"].browse(wizard.action_confirm()["res_id"])
    test.assertEqual(agreement.state, "active")


def confirm_offer(test, user):
    with test._at(test.day):
        test.offer.with_user(user).action_confirm()
    test.assertEqual(test.offer.state, "active")


def cancel_offer(test, user):
    test.offer.with_user(user).action_cancel()
    test.assertEqual(test.offer.state, "cancelled")


def send_offer_again(test, user):
    test.offer.with_user(user).action_send_offer()


def rewrite_agreement(test, user):
    test.offer.with_user(user).write({"discount_amount": 400.0})


def delete_offer(test, user):
    test.offer.with_user(user).unlink()
    test.assertFalse(test.offer.exists())


def add_agreement_instalment(test, user):
    test.env["cobranca.agreement.instalment"].with_user(user).create(
        {
            "agreement_id": test.offer.id,
            "number": 9,
            "date_maturity": test.day + timedelta(days=90),
            "amount": 1.0,
        }
    )


def request_escalation(test, user):
    test.escalation_item.with_user(user).action_request()
    test.assertEqual(test.escalation_item.state, "requested")


def cancel_escalation_item(test, user):
    test.escalation_item.with_user(user).action_cancel()
    test.assertEqual(test.escalation_item.state, "cancelled")


def postpone_withdrawal(test, user):
    test.escalation_item.with_user(user).write(
        {"withdrawal_deadline": test.day + timedelta(days=90)}
    )


def give_escalation_to(test, user):
    test.escalation.with_user(user).write({"user_id": user.id, "note": "<p>Cartório marcado</p>"})
    test.assertEqual(test.escalation.user_id, user)


def change_escalation_kind(test, user):
    test.escalation.with_user(user).write({"kind": "acao_judicial"})


def escalate_by_hand(test, user):
    test.env["cobranca.escalation"].with_user(user).create(
        {"company_id": test.company.id, "partner_id": test.customer.id, "kind": "negativacao"}
    )


def verify_integrity(test, user):
    result = test.evidence.with_user(user).verify_integrity()
    test.assertEqual(result, {test.evidence.id: []})


def export_personal_data(test, user):
    action = test.customer.with_user(user).action_cobranca_lgpd_export()
    test.assertTrue(action["url"].startswith("/web/content/"))


def anonymise_personal_data(test, user):
    # the customer still owes: refused with the reason (managers), or no right at all
    try:
        test.customer.with_user(user).action_cobranca_lgpd_anonymise()
    except AccessError:
        raise
    except UserError as error:
        test.assertIn("still open", str(error))
        return
    test.fail("anonymised a customer who still owes")


def change_access_log(test, user):
    test.access_log.with_user(user).write({"action": "print"})


def print_laudo(test, user):
    action = test.evidence.with_user(user).action_print_laudo()
    test.assertEqual(action["report_name"], "cobranca_addon.report_cobranca_evidence")
    html, _kind = (
        test.env["ir.actions.report"]
        .with_user(user)
        ._render_qweb_html("cobranca_addon.action_report_cobranca_evidence", test.evidence.ids)
    )
    test.assertIn(test.evidence.name, html.decode())


def attach_laudo(test, user):
    test.evidence.with_user(user).action_attach_laudo()
    attachments = test.env["ir.attachment"].search(
        [("res_model", "=", "account.move"), ("res_id", "=", test.invoice.id)]
    )
    test.assertIn(f"Laudo {test.evidence.name.replace('/', '-')}.pdf", attachments.mapped("name"))


def print_documents(test, user):
    Report = test.env["ir.actions.report"].with_user(user)
    for report, records in (
        ("cobranca_addon.action_report_cobranca_letter", test.letter),
        ("cobranca_addon.action_report_cobranca_agreement", test.agreement),
    ):
        html, _kind = Report._render_qweb_html(report, records.ids)
        test.assertIn(
            test.customer.name if records == test.letter else test.agreement.name, html.decode()
        )


def change_evidence(test, user):
    test.evidence.with_user(user).with_context(cobranca_evidence_internal=True).write(
        {"raw_sha256": "0" * 64}
    )


def score_now(test, user):
    test.env["cobranca.partner.score"].with_user(user).action_score_now()


def override_segment(test, user):
    wizard = (
        test.env["cobranca.segment.override.wizard"]
        .with_user(user)
        .create(
            {
                "partner_id": test.customer.id,
                "company_id": test.company.id,
                "segment_id": test.env.ref("cobranca_addon.cobranca_segment_a").id,
                "reason": "Pagou tudo em dia este ano",
            }
        )
    )
    wizard.action_confirm()
    test.assertEqual(test.score.override_segment_id.name, "A – Good payer")


def lift_credit_hold(test, user):
    draft = test._invoice(test.customer, 10.0, post=False)
    wizard = (
        test.env["cobranca.credit.override.wizard"]
        .with_user(user)
        .create(
            {
                "res_model": "account.move",
                "res_ids": json.dumps(draft.ids),
                "method": "action_post",
                "reason": "Pedido urgente aprovado",
            }
        )
    )
    wizard.action_confirm()
    test.assertEqual(draft.state, "posted")


def log_outcome_from_queue(test, user):
    work = test.env["cobranca.work.item"].with_user(user).browse(test.work_item.id)
    action = work.action_log_outcome()
    test.assertEqual(action["res_model"], "cobranca.negotiation")


#: action -> (what it does, the roles of company A that may do it). Every other
#: role, and the users of the other company, get an exception.
ACTIONS = {
    "Run now": (run_now, ("manager",)),
    "Retry a failed e-mail": (retry_email, ("manager",)),
    "Print letters": (print_letters, COBRANCA),
    "Log the outcome of a task": (log_outcome_of_task, COBRANCA),
    "Exclude an invoice": (exclude_invoice, COBRANCA),
    "Resume cobrança of an invoice": (include_invoice, COBRANCA),
    "Log a contact": (log_contact, COBRANCA),
    "Complete the notes of a contact": (complete_notes, COBRANCA),
    "Rewrite a contact": (rewrite_contact, ()),
    "Delete a contact": (delete_contact, ("manager",)),
    "Resolve a dispute": (resolve_dispute, COBRANCA),
    "New agreement, confirmed": (new_agreement, COBRANCA),
    "Confirm an offer": (confirm_offer, COBRANCA),
    "Cancel an offer": (cancel_offer, COBRANCA),
    "Send an offer again": (send_offer_again, COBRANCA),
    "Rewrite the terms of an agreement": (rewrite_agreement, ()),
    "Delete an offer": (delete_offer, ("manager",)),
    "Add an instalment to an agreement": (add_agreement_instalment, ()),
    "Mark an escalation requested": (request_escalation, COBRANCA),
    "Cancel an escalation item": (cancel_escalation_item, COBRANCA),
    "Postpone a withdrawal deadline": (postpone_withdrawal, ()),
    "Give an escalation to a collector": (give_escalation_to, COBRANCA),
    "Change the kind of an escalation": (change_escalation_kind, ()),
    "Escalate by hand": (escalate_by_hand, ("manager",)),
    "Verify integrity": (verify_integrity, COBRANCA),
    "Print the laudo": (print_laudo, COBRANCA),
    "Attach the laudo to the invoices": (attach_laudo, COBRANCA),
    "Print a letter and an agreement": (print_documents, COBRANCA),
    "Change an evidence": (change_evidence, ()),
    "Score now": (score_now, ("manager",)),
    "Set a segment by hand": (override_segment, ("manager",)),
    "Lift a credit hold": (lift_credit_hold, ("manager",)),
    "Log the outcome from the work queue": (log_outcome_from_queue, COBRANCA),
    "LGPD: export a customer's data": (export_personal_data, ("manager",)),
    "LGPD: anonymise a customer's data": (anonymise_personal_data, ("manager",)),
    "Change the access log": (change_access_log, ()),
}
#: Actions a user of the other company may do on their own company's records.
OWN_COMPANY_ACTIONS = {
    "Run now": ("manager_b",),
    "Score now": ("manager_b",),
    # the customer is shared: manager B exports (and is refused) what company B holds
    "LGPD: export a customer's data": ("manager_b",),
    "LGPD: anonymise a customer's data": ("manager_b",),
}


class _Rollback(Exception):
    """Undo what an allowed action did, so that each action starts afresh."""


@tagged("post_install", "-at_install")
class TestAccessMatrix(SecurityCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.segment_shared = cls.env.ref("cobranca_addon.cobranca_segment_a")
        cls.credit_policy_shared = cls.env.ref("cobranca_addon.cobranca_credit_policy_good")

    def _sample(self, path):
        first, *rest = path.split(".")
        record = getattr(self, first)
        for name in rest:
            record = record[name]
        return record

    def test_every_model_of_the_module_is_in_the_matrix(self):
        models = {
            name
            for name, model in self.env.registry.items()
            if name.startswith("cobranca.") and not model._abstract
        }
        self.assertEqual(models, set(MODEL_ACCESS), "add the new models to MODEL_ACCESS")
        self.assertEqual(set(SAMPLES), {m for m in models if not self.env[m]._transient})

    def test_acl_of_every_model_and_role(self):
        for model, access in MODEL_ACCESS.items():
            for role in ROLES:
                allowed = access.get(role, "")
                Model = self.env[model].with_user(self._as(role))
                for flag, operation in OPERATIONS.items():
                    self.assertEqual(
                        Model.has_access(operation),
                        flag in allowed,
                        f"{role} {operation} {model}",
                    )

    def test_record_rules_in_one_company(self):
        for model, (path, _shared) in filter(lambda item: item[1], SAMPLES.items()):
            record = self._sample(path)
            self.assertTrue(record, model)
            for role, allowed in MODEL_ACCESS[model].items():
                mine = record.with_user(self._as(role))
                self.assertEqual(
                    mine.search([("id", "in", record.ids)]), mine, f"{role} finds {model}"
                )
                for flag in allowed.replace("c", ""):
                    mine.check_access(OPERATIONS[flag])

    def test_the_other_company_sees_nothing_of_this_one(self):
        for model, (path, shared) in filter(lambda item: item[1], SAMPLES.items()):
            record = self._sample(path)
            for role in OTHER_COMPANY_ROLES:
                theirs = record.with_user(self._as(role))
                if "r" not in MODEL_ACCESS[model].get(role.removesuffix("_b"), ""):
                    # not even their own company's (the ACLs, checked above)
                    with self.assertRaises(AccessError, msg=f"{role} reads {model}"):
                        theirs.search([("id", "in", record.ids)])
                    continue
                found = theirs.search([("id", "in", record.ids)])
                if shared:
                    self.assertEqual(found, theirs, f"{role} shares {model}")
                    continue
                self.assertFalse(found, f"{role} must not find {model}")
                with self.assertRaises(AccessError, msg=f"{role} reads {model}"):
                    theirs.check_access("read")
                if "w" in MODEL_ACCESS[model].get(role.removesuffix("_b"), ""):
                    with self.assertRaises(AccessError, msg=f"{role} writes {model}"):
                        theirs.check_access("write")
        # and this company does not see the other's run, line and policy
        for record in (self.line_b, self.line_b.run_id, self.line_b.message_ids, self.policy_b):
            self.assertFalse(
                record.with_user(self._as("collector")).search([("id", "in", record.ids)])
            )
        # records without company are shared by every company
        for model, name in SHARED_SAMPLES.items():
            record = getattr(self, name)
            self.assertFalse(record.company_id, model)
            for role in ("collector", "collector_b"):
                self.assertTrue(
                    record.with_user(self._as(role)).search([("id", "=", record.id)]),
                    f"{role} shares {model}",
                )

    def test_the_module_fields_of_invoices_items_and_customers(self):
        records = {
            "account.move": self.invoice,
            "account.move.line": self._receivable(self.invoice),
            "res.partner": self.customer,
        }
        for model, fields_access in FIELD_ACCESS.items():
            defined = {
                name
                for name, field in self.env[model]._fields.items()
                if name.startswith("cobranca_") and field._module == "cobranca_addon"
            }
            self.assertEqual(defined, set(fields_access), f"add the new fields of {model}")
            record = records[model]
            for role in ROLES:
                mine = record.with_user(self._as(role))
                for name, readers in fields_access.items():
                    may = role in RECORD_READERS[model] and (readers is None or role in readers)
                    if may:
                        mine.read([name])
                    else:
                        with self.assertRaises(AccessError, msg=f"{role} reads {model}.{name}"):
                            mine.read([name])
                            mine.invalidate_recordset()
        # what salesmen write: none of the module's fields
        with self.assertRaises(AccessError):
            self.invoice.with_user(self._as("salesman")).write({"cobranca_excluded": True})
        with self.assertRaises(AccessError):
            self.customer.with_user(self._as("salesman")).write(
                {"cobranca_policy_id": self.policy_a.id}
            )

    def _attempt(self, action, user):
        """Run ``action`` as ``user`` and undo it; the exception it raised, if any."""
        self.env.invalidate_all()
        try:
            with self.env.cr.savepoint():
                self.env.cr.clear()
                action(self, user)
                self.env.flush_all()
                raise _Rollback
        except _Rollback:
            return None
        except (AccessError, UserError, AssertionError) as error:
            return error
        except QWebException as error:  # a report refused: what the template met
            if isinstance(error.__cause__, (AccessError, UserError)):
                return error.__cause__
            raise
        finally:
            self.env.invalidate_all()

    def test_who_may_do_what(self):
        roles = (*ROLES, *OTHER_COMPANY_ROLES)
        problems = []
        for name, (action, allowed) in ACTIONS.items():
            allowed = (*allowed, *OWN_COMPANY_ACTIONS.get(name, ()))
            for role in roles:
                error = self._attempt(action, self._as(role))
                if isinstance(error, AssertionError):
                    problems.append(f"{role} {name}: ran, without the expected effect: {error}")
                elif role in allowed:
                    if error is not None:
                        problems.append(f"{role} may {name}, but: {error}")
                elif error is None:
                    problems.append(f"{role} must not {name}, but did")
                elif role not in COBRANCA and not isinstance(error, AccessError):
                    # users without a Cobrança group are refused by the access rights
                    problems.append(f"{role} {name}: not an access error: {error!r}")
        self.assertFalse(problems, "\n".join(problems))

    def test_run_now_of_another_company_runs_only_that_one(self):
        manager_b = self._as("manager_b")
        self.env["cobranca.run"].with_user(manager_b).with_context(
            allowed_company_ids=self.company_b.ids
        ).action_run_now()
        with self.assertRaises(AccessError):
            self.env["cobranca.run"].with_user(manager_b).with_context(
                allowed_company_ids=(self.company | self.company_b).ids
            ).action_run_now()
        self.assertFalse(
            self.env["cobranca.run"].search(
                [("company_id", "=", self.company.id), ("user_id", "=", manager_b.id)]
            )
        )

    def test_a_salesman_sees_the_credit_status_only(self):
        partner = self.customer.with_user(self._as("salesman"))
        self.assertIn(partner.cobranca_credit_status, ("ok", "warning", "blocked"))
        with self.assertRaises(AccessError):
            partner.read(["cobranca_score"])
        with self.assertRaises(AccessError):
            partner.read(["cobranca_segment_id"])
