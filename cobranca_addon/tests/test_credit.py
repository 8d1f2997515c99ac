from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import CobrancaCommon

# the credit status reads "today": the data of these tests is around the real today
TODAY = date.today()


@tagged("post_install", "-at_install")
class TestCredit(CobrancaCommon):
    """Scoring, segments, credit status, holds and their overrides."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Score = cls.env["cobranca.partner.score"]
        cls.segment_a = cls.env.ref("cobranca_addon.cobranca_segment_a")
        cls.segment_b = cls.env.ref("cobranca_addon.cobranca_segment_b")
        cls.segment_c = cls.env.ref("cobranca_addon.cobranca_segment_c")
        cls.segment_d = cls.env.ref("cobranca_addon.cobranca_segment_d")
        cls.segment_new = cls.env.ref("cobranca_addon.cobranca_segment_new")
        cls.policy_good = cls.env.ref("cobranca_addon.cobranca_credit_policy_good")
        cls.policy_watch = cls.env.ref("cobranca_addon.cobranca_credit_policy_watch")
        common = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.salesman = new_test_user(
            cls.env,
            login="vendedora",
            groups="base.group_user,account.group_account_invoice",
            **common,
        )
        cls.manager = new_test_user(
            cls.env,
            login="gerente_credito",
            groups="base.group_user,account.group_account_invoice,cobranca_addon.group_cobranca_manager",
            **common,
        )

    def _paid_invoice(self, partner, amount, due, paid_on):
        invoice = self._invoice(partner, amount, due=due)
        self._pay(invoice, day=paid_on)
        return invoice

    def _score(self, partner):
        self.Score._score_company(self.company, today=TODAY)
        return self.Score.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    # ------------------------------------------------------------------
    # Scoring
    # ------------------------------------------------------------------

    def test_scores_of_crafted_histories(self):
        punctual = self._customer("Sempre em Dia Ltda", "dia@example.com")
        late = self._customer("Às Vezes Atrasa Ltda", "atrasa@example.com")
        overdue = self._customer("Tem Título Vencido Ltda", "vencido@example.com")
        newcomer = self._customer("Cliente Novo Ltda", "novo@example.com")
        due = TODAY - timedelta(days=60)
        self._paid_invoice(punctual, 1000.0, due, due)
        self._paid_invoice(punctual, 500.0, due + timedelta(days=10), due + timedelta(days=8))
        # 1,000 paid 20 days late and 1,000 on time: weighted delay 10 days, half late
        self._paid_invoice(late, 1000.0, due, due + timedelta(days=20))
        self._paid_invoice(late, 1000.0, due, due)
        self._invoice(overdue, 700.0, due=TODAY - timedelta(days=40))
        self._invoice(newcomer, 300.0, due=TODAY + timedelta(days=20))

        score = self._score(punctual)
        self.assertEqual((score.paid_count, score.late_share, score.score), (2, 0.0, 100.0))
        self.assertEqual(score.segment_id, self.segment_a)
        self.assertEqual(score.credit_policy_id, self.policy_good)

        score = self._score(late)
        self.assertEqual(score.paid_count, 2)
        self.assertEqual(score.weighted_days_late, 10.0)
        self.assertEqual(score.avg_days_late, 10.0)
        self.assertEqual(score.late_share, 0.5)
        # 100 - 1.5 x 10 (delay) - 30 x 0.5 (share late) = 70
        self.assertEqual((score.penalty_delay, score.penalty_late_share), (15.0, 15.0))
        self.assertEqual(score.score, 70.0)
        self.assertEqual(score.segment_id, self.segment_b)

        score = self._score(overdue)
        self.assertEqual((score.max_days_overdue, score.open_overdue_amount), (40, 700.0))
        # 100 - 1.5 x 40 = 40
        self.assertEqual(score.score, 40.0)
        self.assertEqual(score.segment_id, self.segment_c)
        self.assertEqual(score.credit_policy_id, self.policy_watch)

        score = self._score(newcomer)
        self.assertFalse(score.has_history)
        self.assertEqual(score.segment_id, self.segment_new)
        self.assertEqual(score.volume, 300.0)

    def test_changes_of_segment_are_kept_with_their_figures(self):
        partner = self._customer("Muda de Segmento Ltda", "muda@example.com")
        invoice = self._invoice(partner, 800.0, due=TODAY - timedelta(days=45))
        score = self._score(partner)
        # 45 days overdue: 100 - 60 (1.5 a day, capped) = 40
        self.assertEqual((score.score, score.segment_id), (40.0, self.segment_c))
        first = score.history_ids
        self.assertEqual((first.kind, first.segment_id), ("automatic", self.segment_c))
        self.assertEqual((first.max_days_overdue, first.score), (45, 40.0))
        # paid 45 days late: 100 - 60 (delay, capped) - 30 (all late) = 10
        self._pay(invoice, day=TODAY)
        self._score(partner)
        self.assertEqual((score.score, score.segment_id), (10.0, self.segment_d))
        last = score.history_ids.sorted("id")[-1]
        self.assertEqual(
            (last.previous_segment_id, last.segment_id), (self.segment_c, self.segment_d)
        )
        self.assertEqual(
            (last.paid_count, last.weighted_days_late, last.late_share), (1, 45.0, 1.0)
        )
        # scoring again with nothing new changes nothing
        self._score(partner)
        self.assertEqual(len(score.history_ids), 2)

    def test_override_by_a_manager_is_logged_and_kept(self):
        partner = self._customer("Cliente Especial Ltda", "especial@example.com")
        self._invoice(partner, 800.0, due=TODAY - timedelta(days=45))
        score = self._score(partner)
        wizard = (
            self.env["cobranca.segment.override.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "partner_id": partner.id,
                    "segment_id": self.segment_a.id,
                    "reason": "Cliente há 20 anos",
                }
            )
        )
        wizard.action_confirm()
        self.assertEqual(score.segment_id, self.segment_a)
        self.assertEqual(score.override_user_id, self.manager)
        history = score.history_ids.sorted("id")[-1]
        self.assertEqual((history.kind, history.reason), ("override", "Cliente há 20 anos"))
        self.assertEqual(history.previous_segment_id, score.computed_segment_id)
        self.assertIn("Cliente há 20 anos", partner.message_ids[0].body)
        # the nightly scoring does not undo a manager's decision
        self._score(partner)
        self.assertEqual(score.segment_id, self.segment_a)
        # and the decision can be given back to the score
        self.env["cobranca.segment.override.wizard"].with_user(self.manager).create(
            {"partner_id": partner.id, "reason": "Revisão anual"}
        ).action_confirm()
        self.assertEqual(score.segment_id, score.computed_segment_id)
        with self.assertRaises(UserError):
            history.write({"reason": "apagar"})
        with self.assertRaises(UserError):
            history.unlink()

    def test_only_managers_override(self):
        partner = self._customer("Cliente X", "x@example.com")
        wizard = self.env["cobranca.segment.override.wizard"].create(
            {"partner_id": partner.id, "segment_id": self.segment_a.id, "reason": "r"}
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.salesman).action_confirm()

    # ------------------------------------------------------------------
    # Credit status
    # ------------------------------------------------------------------

    def test_status_over_the_customers_own_limit(self):
        partner = self._customer("Limite Baixo Ltda", "limite@example.com")
        partner.with_company(self.company).sudo().credit_limit = 500.0
        self._invoice(partner, 800.0, due=TODAY + timedelta(days=10))
        self.assertEqual(partner.cobranca_credit_status, "warning")
        self.assertIn("Over the credit limit", partner.cobranca_credit_reasons)
        self.assertEqual(partner.cobranca_credit_exposure, 800.0)
        self.assertEqual(partner.cobranca_credit_limit, 500.0)

    def test_status_blocked_by_overdue_beyond_tolerance(self):
        self.policy_watch.action = "block_sale"
        partner = self._customer("Atrasado Bloqueado Ltda", "bloq@example.com")
        self._invoice(partner, 300.0, due=TODAY - timedelta(days=40))
        self._score(partner)
        partner.invalidate_recordset()
        self.assertEqual(partner.cobranca_credit_policy_id, self.policy_watch)
        self.assertEqual(partner.cobranca_credit_status, "blocked")
        self.assertIn("days overdue", partner.cobranca_credit_reasons)

    def test_limit_rules_fixed_and_multiple(self):
        partner = self._customer("Regra de Limite Ltda", "regra@example.com")
        due = TODAY - timedelta(days=90)
        for month in range(3):
            self._paid_invoice(
                partner, 1200.0, due + timedelta(days=30 * month), due + timedelta(days=30 * month)
            )
        self._invoice(partner, 500.0, due=TODAY + timedelta(days=5))
        score = self._score(partner)
        self.assertEqual(score.monthly_volume, 341.67)  # 4,100 invoiced over 12 months
        self.policy_good.write({"limit_rule": "multiple", "limit_multiple": 1.0})
        partner.invalidate_recordset()
        self.assertEqual(partner.cobranca_credit_limit, 341.67)
        self.assertEqual(partner.cobranca_credit_status, "warning")
        self.policy_good.write({"limit_rule": "fixed", "limit_amount": 1000.0})
        partner.invalidate_recordset()
        self.assertEqual(partner.cobranca_credit_limit, 1000.0)
        self.assertEqual(partner.cobranca_credit_status, "ok")
        self.assertFalse(partner.cobranca_credit_reasons)

    def test_bad_debtor_trust_is_a_reason(self):
        """Odoo's own "degree of trust" of the customer counts."""
        partner = self._customer("Mau Pagador Ltda", "mau@example.com")
        self.assertEqual(partner.cobranca_credit_status, "ok")
        partner.with_company(self.company).trust = "bad"
        partner.invalidate_recordset()
        self.assertEqual(partner.cobranca_credit_status, "warning")
        self.assertIn("bad debtor", partner.cobranca_credit_reasons)

    def test_status_under_negativacao(self):
        partner = self._customer("Negativado Ltda", "neg@example.com")
        invoice = self._invoice(partner, 300.0, due=TODAY + timedelta(days=10))
        escalation = self.env["cobranca.escalation"].create(
            {"company_id": self.company.id, "partner_id": partner.id, "kind": "negativacao"}
        )
        self.env["cobranca.escalation.item"].create(
            {
                "escalation_id": escalation.id,
                "move_line_id": invoice.line_ids.filtered(
                    lambda line: line.account_type == "asset_receivable"
                ).id,
            }
        ).action_done()
        self.assertIn("Negativação", partner.cobranca_credit_reasons)

    def test_status_costs_a_few_queries_whatever_the_items(self):
        partners = self.env["res.partner"]
        for n in range(3):
            partner = self._customer(f"Muitos Títulos {n}", f"muitos{n}@example.com")
            for k in range(4):
                self._invoice(partner, 100.0 + k, due=TODAY - timedelta(days=k))
            partners |= partner
        partners._cobranca_credit_data(self.company)  # warm the metadata caches
        # at most the same queries for one customer as for three, whatever their items
        # (a few more when the test order left the access rules uncached):
        # company, customers, scores, receivables (one aggregate), escalations,
        # the new customers' segment and its credit policy (these customers have no
        # score yet), currency, credit limits, broken agreements
        models = ("res.partner", "res.company", "res.currency", "cobranca.partner.score",
                  "cobranca.segment", "cobranca.credit.policy")  # fmt: skip
        for group in (partners[:1], partners):
            group._cobranca_credit_data(self.company)  # metadata caches (rules, defaults)
            for model in models:
                self.env[model].invalidate_model()
            # one more when sales (cobranca_sale) adds the orders still to invoice
            with self.assertQueryCount(12 + ("sale.order" in self.env)):
                group._cobranca_credit_data(self.company)

    # ------------------------------------------------------------------
    # Holds on invoice posting
    # ------------------------------------------------------------------

    def _blocked_customer(self, action):
        self.policy_watch.action = action
        partner = self._customer(f"Cliente {action}", f"{action}@example.com")
        self._invoice(partner, 300.0, due=TODAY - timedelta(days=40))
        self._score(partner)
        return partner

    def test_posting_is_blocked_and_a_manager_overrides_with_a_reason(self):
        partner = self._blocked_customer("block_posting")
        draft = self._invoice(partner, 50.0, due=TODAY + timedelta(days=30), post=False)
        self.assertEqual(draft.cobranca_credit_status, "blocked")
        with self.assertRaisesRegex(UserError, "credit hold"):
            draft.with_user(self.salesman).action_post()
        self.assertEqual(draft.state, "draft")
        action = draft.with_user(self.manager).action_post()
        self.assertEqual(action["res_model"], "cobranca.credit.override.wizard")
        self.assertEqual(draft.state, "draft")
        wizard = self.env["cobranca.credit.override.wizard"].browse(action["res_id"])
        wizard = wizard.with_user(self.manager)
        wizard.reason = "Pagamento confirmado pelo banco"
        wizard.action_confirm()
        self.assertEqual(draft.state, "posted")
        log = self.env["cobranca.credit.override"].search([("res_id", "=", draft.id)])
        self.assertEqual(log.reason, "Pagamento confirmado pelo banco")
        self.assertEqual(
            (log.user_id, log.partner_id, log.status), (self.manager, partner, "blocked")
        )
        self.assertIn("Pagamento confirmado", draft.message_ids[0].body)
        with self.assertRaises(UserError):
            log.unlink()

    def test_posting_under_a_warning_is_logged(self):
        partner = self._blocked_customer("warn")
        invoice = self._invoice(partner, 50.0, due=TODAY + timedelta(days=30), post=False)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertIn("credit status is Warning", invoice.message_ids[0].body)

    def test_other_policies_do_not_block_posting(self):
        partner = self._blocked_customer("block_sale")
        invoice = self._invoice(partner, 50.0, due=TODAY + timedelta(days=30), post=False)
        invoice.with_user(self.salesman).action_post()
        self.assertEqual(invoice.state, "posted")

    # ------------------------------------------------------------------
    # Who sees what
    # ------------------------------------------------------------------

    def test_sales_reps_see_the_status_and_nothing_else(self):
        partner = self._blocked_customer("block_sale")
        as_salesman = partner.with_user(self.salesman)
        self.assertEqual(as_salesman.cobranca_credit_status, "blocked")
        self.assertTrue(as_salesman.cobranca_credit_reasons)
        for model in (
            "cobranca.partner.score",
            "cobranca.segment.history",
            "cobranca.credit.override",
            "cobranca.message",
        ):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.salesman).search([])

    def test_scores_are_per_company(self):
        other = self.setup_other_company(name="Outra Filial Ltda")["company"]
        partner = self._customer("Cliente de Duas Empresas", "duas@example.com")
        self._invoice(partner, 300.0, due=TODAY - timedelta(days=40))
        self._invoice(partner, 300.0, due=TODAY + timedelta(days=10), company=other)
        self._score(partner)
        self.Score._score_company(other, today=TODAY)
        scores = self.Score.search([("partner_id", "=", partner.id)])
        self.assertEqual(
            {(s.company_id, s.segment_id) for s in scores},
            {(self.company, self.segment_c), (other, self.segment_new)},
        )
        self.assertEqual(partner.with_company(other).cobranca_segment_id, self.segment_new)

    def test_regua_by_segment(self):
        strict = self.env["cobranca.policy"].create(
            {
                "name": "Régua rigorosa",
                "min_interval_days": 1,
                "level_ids": [
                    Command.create(
                        {
                            "name": "Ligação no dia seguinte",
                            "days": 1,
                            "channel_email": False,
                            "channel_phone": True,
                        }
                    )
                ],
            }
        )
        self.policy_watch.regua_id = strict
        partner = self._customer("Cliente Atenção", "atencao@example.com")
        self._invoice(partner, 300.0, due=TODAY - timedelta(days=40))
        self._score(partner)
        invoice = self._invoice(partner, 100.0, due=TODAY)
        self.assertEqual(invoice._cobranca_policy(), strict)
        self._run(TODAY + timedelta(days=1))
        self.assertEqual(self._lines(invoice).level_id.policy_id, strict)

    def test_collectors_read_the_credit_figures_but_do_not_decide(self):
        partner = self._blocked_customer("block_sale")
        score = self.Score.search([("partner_id", "=", partner.id)])
        as_collector = self.env["cobranca.partner.score"].with_user(self.collector)
        self.assertEqual(as_collector.search([("partner_id", "=", partner.id)]), score)
        self.assertTrue(score.with_user(self.collector).history_ids)
        self.assertEqual(partner.with_user(self.collector).cobranca_segment_id, self.segment_c)
        with self.assertRaises(AccessError):
            self.policy_watch.with_user(self.collector).write({"max_days_overdue": 90})
        with self.assertRaises(AccessError):
            self.env["cobranca.segment.override.wizard"].with_user(self.collector).create(
                {"partner_id": partner.id, "segment_id": self.segment_a.id, "reason": "r"}
            )
        with self.assertRaises(AccessError):
            score.with_user(self.collector)._override(self.segment_a, "amigo")
        with self.assertRaises(AccessError):
            self.env["cobranca.partner.score"].with_user(self.collector).action_score_now()
        # a collector cannot lift a hold either: the confirmation is refused
        draft = self._invoice(partner, 50.0, due=TODAY + timedelta(days=30), post=False)
        self.policy_watch.action = "block_posting"
        with self.assertRaisesRegex(UserError, "credit hold"):
            draft.with_user(self.collector).action_post()

    def test_credit_records_stay_in_their_company(self):
        other = self.setup_other_company(name="Filial Sul Ltda")["company"]
        partner = self._blocked_customer("block_posting")
        draft = self._invoice(partner, 50.0, due=TODAY + timedelta(days=30), post=False)
        wizard = self.env["cobranca.credit.override.wizard"].browse(
            draft.with_user(self.manager).action_post()["res_id"]
        )
        wizard.with_user(self.manager).write({"reason": "Garantia bancária"})
        wizard.with_user(self.manager).action_confirm()
        other_manager = new_test_user(
            self.env,
            login="gerente_sul",
            groups="base.group_user,account.group_account_invoice,cobranca_addon.group_cobranca_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        for model in (
            "cobranca.partner.score",
            "cobranca.segment.history",
            "cobranca.credit.override",
        ):
            self.assertTrue(self.env[model].search([("partner_id", "=", partner.id)]), model)
            self.assertFalse(
                self.env[model].with_user(other_manager).search([("partner_id", "=", partner.id)]),
                model,
            )
        # policies and segments without a company are shared
        self.assertIn(
            self.policy_watch,
            self.env["cobranca.credit.policy"].with_user(other_manager).search([]),
        )
        # a policy of one company is not seen in another
        local = self.env["cobranca.credit.policy"].create(
            {"name": "Política da matriz", "company_id": self.company.id}
        )
        self.assertNotIn(
            local, self.env["cobranca.credit.policy"].with_user(other_manager).search([])
        )
        # the status is the company's: no score in the other company, no overdue there
        self.assertEqual(partner.with_company(other).cobranca_credit_status, "ok")

    def test_scoring_weights_are_settings(self):
        partner = self._customer("Peso Configurável Ltda", "peso@example.com")
        self._invoice(partner, 700.0, due=TODAY - timedelta(days=40))
        self.assertEqual(self._score(partner).score, 40.0)  # 100 - 1.5 x 40
        settings = self.env["res.config.settings"].create(
            {"cobranca_scoring_per_day_overdue": 0.5, "cobranca_scoring_max_overdue": 15.0}
        )
        settings.execute()
        score = self._score(partner)
        self.assertEqual(score.score, 85.0)  # 100 - min(15, 0.5 x 40)
        self.assertEqual(score.penalty_overdue, 15.0)
        self.assertEqual(score.segment_id, self.segment_a)

    def test_holds_can_be_switched_off(self):
        partner = self._blocked_customer("block_posting")
        self.assertEqual(partner.cobranca_credit_status, "blocked")
        self.company.cobranca_credit_hold_enabled = False
        partner.invalidate_recordset()
        self.assertEqual(partner.cobranca_credit_status, "warning")
        invoice = self._invoice(partner, 50.0, due=TODAY + timedelta(days=30), post=False)
        invoice.with_user(self.salesman).action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertIn("credit status is Warning", invoice.message_ids[0].body)
