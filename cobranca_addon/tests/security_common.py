"""Users of every role and one record of every model of the module, in two
companies, for the access matrix, the bad input and the escaping tests."""

from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user

from .common import CobrancaCommon

#: The groups of each role (the sales groups only when Sales is installed: it is
#: in the suite's database, through cobranca_sale).
ROLE_GROUPS = {
    "collector": [
        "base.group_user",
        "account.group_account_invoice",
        "cobranca_addon.group_cobranca_user",
    ],
    "manager": [
        "base.group_user",
        "account.group_account_invoice",
        "cobranca_addon.group_cobranca_manager",
    ],
    "salesman": [
        "base.group_user",
        "sales_team.group_sale_salesman",
        "account.group_account_invoice",
    ],
    "accountant": ["base.group_user", "account.group_account_user"],
    "account_manager": ["base.group_user", "account.group_account_manager"],
    "portal": ["base.group_portal"],
}
#: Every role of the matrix: the public visitor is Odoo's own public user.
ROLES = (*ROLE_GROUPS, "public")
#: Users of the other company only (multi-company isolation).
OTHER_COMPANY_ROLES = {
    "collector_b": ROLE_GROUPS["collector"],
    "manager_b": ROLE_GROUPS["manager"],
}


class SecurityCommon(CobrancaCommon):
    """Company A (the test's) and company B; a user of each role; an overdue
    invoice reminded by e-mail, a call task, an escalation, contacts (a promise
    and a dispute), an offered and a confirmed agreement, an AR evidence, scores,
    a segment override and a lifted credit hold, all in company A."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "cobranca_charges_account_id": cls.company_data["default_account_revenue"].id,
                "cobranca_discount_account_id": cls.company_data["default_account_expense"].id,
                "cobranca_discount_limit_user": 5.0,
                "cobranca_discount_limit_manager": 30.0,
            }
        )
        cls.company_b = cls.setup_other_company(name="Filial Sul Ltda")["company"]
        cls.company_b.cobranca_policy_id = cls.policy
        cls.users = {}
        for role, groups in ROLE_GROUPS.items():
            cls.users[role] = cls._role_user(role, groups, cls.company)
        cls.users["public"] = cls.env.ref("base.public_user")
        for role, groups in OTHER_COMPANY_ROLES.items():
            cls.users[role] = cls._role_user(role, groups, cls.company_b)
        #: the agreement date: 30 days after the due date
        cls.day = cls.DUE + timedelta(days=30)
        cls._build_records()

    @classmethod
    def _role_user(cls, role, groups, company):
        available = [xmlid for xmlid in groups if cls.env.ref(xmlid, raise_if_not_found=False)]
        return new_test_user(
            cls.env,
            login=f"matrix_{role}",
            name=f"Matrix {role}",
            groups=",".join(available),
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    @classmethod
    def _at(cls, day):
        return freeze_time(datetime.combine(day, time(15)))

    @classmethod
    def _receivable(cls, moves):
        return moves.line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    @classmethod
    def _build_records(cls):
        env = cls.env
        # messages are the run's: created as the system
        Message = env["cobranca.message"].sudo()
        # a reminder e-mail (the run of D+1), its line and run
        cls.invoice = cls._invoice(cls.customer, 100.0)
        with cls._at(cls.DUE + timedelta(days=1)):
            env["cobranca.run"]._run_dunning(
                date=cls.DUE + timedelta(days=1), companies=cls.company
            )
        cls.line = env["cobranca.line"].search([("move_id", "=", cls.invoice.id)])
        cls.dunning_run = cls.line.run_id
        cls.email = cls.line.message_ids
        cls.email.mail_ids.write({"state": "exception", "failure_type": "mail_smtp"})
        # company B's own run, line and message
        cls.invoice_b = cls._invoice(cls.customer, 300.0, company=cls.company_b)
        with cls._at(cls.DUE + timedelta(days=1)):
            env["cobranca.run"]._run_dunning(
                date=cls.DUE + timedelta(days=1), companies=cls.company_b
            )
        cls.line_b = env["cobranca.line"].search([("move_id", "=", cls.invoice_b.id)])
        # a call task for the collector
        cls.call = Message.create(
            {
                "company_id": cls.company.id,
                "partner_id": cls.customer.id,
                "recipient_id": cls.customer.id,
                "channel": "phone",
                "level_id": cls.level_call.id,
                "date": cls.DUE + timedelta(days=15),
                "user_id": cls.collector.id,
                "line_ids": [Command.set(cls.line.ids)],
                "item_ids": [Command.set(cls._receivable(cls.invoice).ids)],
            }
        )
        cls.call._send()
        cls.call = cls.call.sudo(False)
        # a letter whose items were paid meanwhile (printing it cancels it)
        cls.paid_invoice = cls._invoice(cls.customer, 40.0)
        cls.letter = Message.create(
            {
                "company_id": cls.company.id,
                "partner_id": cls.customer.id,
                "recipient_id": cls.customer.id,
                "channel": "letter",
                "level_id": cls.level_formal.id,
                "date": cls.DUE + timedelta(days=30),
                "item_ids": [Command.set(cls._receivable(cls.paid_invoice).ids)],
                "line_ids": [
                    Command.create(
                        {
                            "move_line_id": cls._receivable(cls.paid_invoice).id,
                            "move_id": cls.paid_invoice.id,
                            "partner_id": cls.customer.id,
                            "company_id": cls.company.id,
                            "currency_id": cls.company.currency_id.id,
                            "policy_id": cls.policy.id,
                            "level_id": cls.level_formal.id,
                            "date": cls.DUE + timedelta(days=30),
                        }
                    )
                ],
            }
        )
        cls.letter = cls.letter.sudo(False)
        cls._pay(cls.paid_invoice)
        # an escalation with an item to carry out
        cls.escalation = env["cobranca.escalation"].create(
            {"company_id": cls.company.id, "partner_id": cls.customer.id, "kind": "protesto"}
        )
        cls.escalation_item = env["cobranca.escalation.item"].create(
            {
                "escalation_id": cls.escalation.id,
                "move_line_id": cls._receivable(cls.invoice).id,
                "amount": 100.0,
            }
        )
        # contacts: one without answer, a dispute of its own invoice
        cls.contact = env["cobranca.negotiation"].create(
            {
                "partner_id": cls.customer.id,
                "move_ids": [Command.set(cls.invoice.ids)],
                "outcome": "no_answer",
                "note": "Ninguém atendeu.",
            }
        )
        cls.disputed = cls._invoice(cls.customer, 70.0)
        cls.dispute = env["cobranca.negotiation"].create(
            {
                "partner_id": cls.customer.id,
                "move_ids": [Command.set(cls.disputed.ids)],
                "outcome": "dispute",
                "note": "Mercadoria avariada.",
            }
        )
        # agreements: an offer and a confirmed one, of their own customers
        cls.debtor = cls._customer("Devedor do Acordo Ltda", "acordo@example.com")
        cls.agreement_invoice = cls._invoice(cls.debtor, 1000.0)
        cls.offered_invoice = cls._invoice(cls.debtor, 500.0)
        cls.agreement = cls._agreement(cls.agreement_invoice, confirm=True)
        cls.offer = cls._agreement(cls.offered_invoice)
        # credit: scores, a segment set by hand, a lifted hold
        env["cobranca.partner.score"]._score_company(cls.company, today=cls.day)
        cls.score = env["cobranca.partner.score"].search(
            [("partner_id", "=", cls.customer.id), ("company_id", "=", cls.company.id)]
        )
        cls.score._override(env.ref("cobranca_addon.cobranca_segment_c"), "Conhecido do gerente")
        cls.segment_history = env["cobranca.segment.history"].search(
            [("score_id", "=", cls.score.id)], limit=1
        )
        cls.invoice._cobranca_log_override("Cliente antigo", "action_post")
        cls.credit_override = env["cobranca.credit.override"].search(
            [("res_id", "=", cls.invoice.id)], limit=1
        )
        # an AR evidence of the e-mail, with an event and an attachment
        cls.evidence = env["cobranca.evidence"]._prepare_for(cls.email)
        cls.evidence._append_event("accepted", {"smtp_code": 250})
        cls.evidence_attachment = (
            env["cobranca.evidence.attachment"]
            .sudo()
            .with_context(cobranca_evidence_internal=True)
            .create({"evidence_id": cls.evidence.id, "name": "boleto.pdf", "sha256": "0" * 64})
            .sudo(False)
        )
        # configuration: a company holiday, an index value, policies of each company
        cls.holiday = env["cobranca.holiday"].create(
            {"name": "Aniversário da cidade", "date": "2030-01-25", "company_id": cls.company.id}
        )
        cls.national_holiday = env["cobranca.holiday"].search([("company_id", "=", False)], limit=1)
        cls.index = env.ref("cobranca_addon.cobranca_index_ipca")
        cls.index_value = env["cobranca.index.value"].create(
            {"index_id": cls.index.id, "month": "2030-01-01", "rate": 0.5}
        )
        cls.policy_a = env["cobranca.policy"].create(
            {"name": "Régua da matriz", "company_id": cls.company.id}
        )
        cls.policy_b = env["cobranca.policy"].create(
            {"name": "Régua da filial", "company_id": cls.company_b.id}
        )
        cls.level_a = env["cobranca.level"].create(
            {
                "policy_id": cls.policy_a.id,
                "name": "Ligação",
                "days": 2,
                "channel_email": False,
                "channel_phone": True,
            }
        )
        cls.segment_a_only = env["cobranca.segment"].create(
            {"name": "Só da matriz", "min_score": 95, "company_id": cls.company.id}
        )
        cls.credit_policy_a = env["cobranca.credit.policy"].create(
            {"name": "Política da matriz", "company_id": cls.company.id}
        )
        # the work queue shows the escalation to carry out
        cls.work_item = env["cobranca.work.item"].search(
            [("res_model", "=", "cobranca.escalation"), ("res_id", "=", cls.escalation.id)]
        )
        # the access log: the contact opened in its form
        cls.access_log = env["cobranca.access.log"]._log(cls.contact, "open")
        # the aging report and buckets of company A
        cls.aging_row = env["cobranca.aging.report"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.aging_bucket = env["cobranca.aging.bucket"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        # the indicator reports of company A: the reminder's effectiveness and
        # recovery, the confirmed agreement
        cls.level_effectiveness = env["cobranca.level.effectiveness"].search(
            [("line_id", "=", cls.line.id)]
        )
        cls.recovery_row = env["cobranca.recovery.report"].search(
            [("move_line_id", "=", cls.line.move_line_id.id)]
        )
        cls.commitment_row = env["cobranca.commitment.report"].search(
            [("agreement_id", "=", cls.agreement.id)]
        )

    @classmethod
    def _agreement(cls, invoice, confirm=False):
        env = cls.env
        with cls._at(cls.day):
            wizard = env["cobranca.agreement.wizard"].create(
                {
                    "partner_id": invoice.partner_id.id,
                    "company_id": invoice.company_id.id,
                    "move_line_ids": [Command.set(cls._receivable(invoice).ids)],
                    "date": cls.day,
                    "first_due": cls.day + timedelta(days=7),
                    "instalment_count": 2,
                }
            )
            action = wizard.action_confirm() if confirm else wizard.action_offer()
        return env["cobranca.agreement"].browse(action["res_id"])

    def _as(self, role):
        return self.users[role]
