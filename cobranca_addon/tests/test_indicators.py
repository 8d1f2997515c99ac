import calendar
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CobrancaCommon

# The reports count up to the database's current date (UTC, as Odoo's server):
# the data is built around the real today, in the two months before the current
# one (freezegun does not move PostgreSQL's clock).
TODAY = date.today()
M0 = TODAY.replace(day=1)
M1 = (M0 - timedelta(days=1)).replace(day=1)
M2 = (M1 - timedelta(days=1)).replace(day=1)
D2 = calendar.monthrange(M2.year, M2.month)[1]
D1 = calendar.monthrange(M1.year, M1.month)[1]
D0 = TODAY.day

REPORTS = (
    "cobranca.indicator.month",
    "cobranca.level.effectiveness",
    "cobranca.recovery.report",
    "cobranca.commitment.report",
)


def day(month, number):
    return month.replace(day=number)


@tagged("post_install", "-at_install")
class TestIndicators(CobrancaCommon):
    """The indicators on a crafted dataset, every figure computed by hand below.

    Alfa (collector Otávio, their own) and Beta (collector Carla, the régua's):

    ====  =====  ==========  =====  ==========  ========================================
    item  cust.  date        amt    due         settled
    ====  =====  ==========  =====  ==========  ========================================
    I5    Beta   M-2 day 1     800  M-2 day 10  paid 800 on M-2 day 14
    I1    Alfa   M-2 day 5   1,000  M-2 day 20  paid 400 on M-2 day 10, 600 on M-1 day 5
    I2    Alfa   M-2 day 15    500  M-1 day 10  credit note R2 of 100 on M-1 day 12
    I3    Beta   M-1 day 1   2,000  M-1 day 14  paid 500 on M-1 day 18
    R1    Beta   M-1 day 25   -200              a credit note not applied
    I4    Beta   today         300  today + 30
    ====  =====  ==========  =====  ==========  ========================================

    Reminders sent (effectiveness window: 10 days): L0 I5 D+1 (M-2 day 11, 800),
    L1 I1 D+1 (M-2 day 21, 600), L2 I1 D+7 (M-2 day 27, 600), L3 I2 D+1 (M-1 day 11,
    500), L4 I3 D+1 (M-1 day 15, 2,000); a cancelled one (I4) that counts nowhere.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.cobranca_effectiveness_days = 10
        common = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.otavio = new_test_user(
            cls.env,
            login="otavio_ind",
            name="Otávio",
            groups="base.group_user,cobranca_addon.group_cobranca_user",
            **common,
        )
        cls.salesman = new_test_user(
            cls.env,
            login="vendedor_ind",
            groups="base.group_user,sales_team.group_sale_salesman,account.group_account_invoice",
            **common,
        )
        cls.accountant = new_test_user(
            cls.env, login="contador_ind", groups="base.group_user,account.group_account_user",
            **common,
        )  # fmt: skip
        cls.alfa = cls._customer("Atacado Alfa Ltda", "alfa@example.com")
        cls.alfa.with_company(cls.company).cobranca_collector_id = cls.otavio
        cls.beta = cls._customer("Bazar Beta Ltda", "beta@example.com")

        cls.i5 = cls._invoice(cls.beta, 800.0, due=day(M2, 10), invoice_date=day(M2, 1))
        cls._pay(cls.i5, day=day(M2, 14))
        cls.i1 = cls._invoice(cls.alfa, 1000.0, due=day(M2, 20), invoice_date=day(M2, 5))
        cls._pay(cls.i1, amount=400.0, day=day(M2, 10))
        cls._pay(cls.i1, amount=600.0, day=day(M1, 5))
        cls.i2 = cls._invoice(cls.alfa, 500.0, due=day(M1, 10), invoice_date=day(M2, 15))
        cls.r2 = cls._invoice(
            cls.alfa, 100.0, due=day(M1, 12), invoice_date=day(M1, 12), move_type="out_refund"
        )
        (cls._receivable(cls.i2) | cls._receivable(cls.r2)).reconcile()
        cls.i3 = cls._invoice(cls.beta, 2000.0, due=day(M1, 14), invoice_date=day(M1, 1))
        cls._pay(cls.i3, amount=500.0, day=day(M1, 18))
        cls.r1 = cls._invoice(
            cls.beta, 200.0, due=day(M1, 25), invoice_date=day(M1, 25), move_type="out_refund"
        )
        cls.i4 = cls._invoice(cls.beta, 300.0, due=TODAY + timedelta(days=30), invoice_date=TODAY)

        cls.l0 = cls._line(cls.i5, cls.level_overdue, day(M2, 11), 800.0)
        cls.l1 = cls._line(cls.i1, cls.level_overdue, day(M2, 21), 600.0)
        cls.l2 = cls._line(cls.i1, cls.level_second, day(M2, 27), 600.0)
        cls.l3 = cls._line(cls.i2, cls.level_overdue, day(M1, 11), 500.0)
        cls.l4 = cls._line(cls.i3, cls.level_overdue, day(M1, 15), 2000.0)
        cls.cancelled = cls._line(cls.i4, cls.level_friendly, TODAY, 300.0, state="cancelled")

        cls.scope = [("company_id", "=", cls.company.id)]
        cls.period = (M2, TODAY)

    @classmethod
    def _receivable(cls, moves):
        return moves.line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    @classmethod
    def _line(cls, invoice, level, when, amount, state="sent"):
        item = cls._receivable(invoice)
        return (
            cls.env["cobranca.line"]
            .sudo()
            .create(
                {
                    "move_line_id": item.id,
                    "move_id": invoice.id,
                    "partner_id": invoice.partner_id.id,
                    "company_id": invoice.company_id.id,
                    "currency_id": invoice.currency_id.id,
                    "policy_id": level.policy_id.id,
                    "level_id": level.id,
                    "date": when,
                    "state": state,
                    "date_maturity": item.date_maturity,
                    "days_late": (when - item.date_maturity).days,
                    "amount_residual": amount,
                    "amount_residual_currency": amount,
                }
            )
        )

    def _months(self, Model=None, domain=()):
        Model = Model or self.env["cobranca.indicator.month"]
        return {
            (row.month, row.collector_id): (
                row.receivable_amount,
                row.overdue_amount,
                row.sales_amount,
            )
            for row in Model.search(self.scope + list(domain))
        }

    # ------------------------------------------------------------------
    # Inadimplência and DSO
    # ------------------------------------------------------------------

    def test_receivables_overdue_and_sales_at_each_month_end(self):
        carla, otavio = self.collector, self.otavio
        self.assertEqual(
            self._months(),
            {
                # M-2: I1 600 open (due the 20th: overdue), I2 500 (due next month);
                # I5 paid; sales 1,000 + 500 and 800
                (M2, otavio): (1100.0, 600.0, 1500.0),
                (M2, carla): (0.0, 0.0, 800.0),
                # M-1: I1 paid; I2 400 after the credit note, overdue; credit note R2
                # -100 of sales; I3 1,500 overdue; R1 (-200) counts in sales only
                (M1, otavio): (400.0, 400.0, -100.0),
                (M1, carla): (1500.0, 1500.0, 1800.0),
                # today: I4 300 not due yet
                (M0, otavio): (400.0, 400.0, 0.0),
                (M0, carla): (1800.0, 1500.0, 300.0),
            },
        )
        current = self.env["cobranca.indicator.month"].search(self.scope + [("month", "=", M0)])
        self.assertEqual(set(current.mapped("date")), {TODAY})
        carla_m1 = self.env["cobranca.indicator.month"].search(
            self.scope + [("month", "=", M1), ("collector_id", "=", carla.id)]
        )
        self.assertAlmostEqual(carla_m1.sales_per_day, 1800.0 / D1, places=2)
        self.assertAlmostEqual(carla_m1.overdue_rate, 100.0)
        self.assertAlmostEqual(carla_m1.dso, 1500.0 / (1800.0 / D1), places=2)

    def test_month_figures_aggregate_as_ratios_of_sums(self):
        Month = self.env["cobranca.indicator.month"]
        aggregates = [
            "receivable_amount:sum",
            "overdue_amount:sum",
            "sales_amount:sum",
            "sales_per_day:sum",
            "overdue_rate:sum",
            "dso:sum",
        ]
        by_month = {
            month: values
            for month, *values in Month._read_group(self.scope, ["month:month"], aggregates)
        }
        # M-1: both collectors together, one month: plain sums
        receivable, overdue, sales, per_day, rate, dso = by_month[M1]
        self.assertAlmostEqual(receivable, 1900.0)
        self.assertAlmostEqual(overdue, 1900.0)
        self.assertAlmostEqual(sales, 1700.0)
        self.assertAlmostEqual(per_day, 1700.0 / D1)
        self.assertAlmostEqual(rate, 100.0)
        self.assertAlmostEqual(dso, 1900.0 / (1700.0 / D1))
        # today: 1,900 of 2,200 overdue = 86.36 %, not the average of 100 % and 83.33 %
        receivable, overdue, sales, per_day, rate, dso = by_month[M0]
        self.assertAlmostEqual(rate, 1900.0 / 2200.0 * 100)
        self.assertAlmostEqual(dso, 2200.0 / (300.0 / D0))
        # the three months: average month ends (5,200 / 3 and 4,400 / 3), the
        # period's sales, and the average receivables over the average sales per day
        (values,) = Month._read_group(self.scope, [], aggregates)
        receivable, overdue, sales, per_day, rate, dso = values
        self.assertAlmostEqual(receivable, 5200.0 / 3)
        self.assertAlmostEqual(overdue, 4400.0 / 3)
        self.assertAlmostEqual(sales, 4300.0)
        daily = 2300.0 / D2 + 1700.0 / D1 + 300.0 / D0
        self.assertAlmostEqual(per_day, daily / 3)
        self.assertAlmostEqual(rate, 4400.0 / 5200.0 * 100)
        self.assertAlmostEqual(dso, 5200.0 / daily)
        # what the pivot view asks for (read_group of the web client) is the same
        (group,) = Month.read_group(self.scope, ["overdue_rate:sum", "dso:sum"], [])
        self.assertAlmostEqual(group["overdue_rate"], 4400.0 / 5200.0 * 100)
        self.assertAlmostEqual(group["dso"], 5200.0 / daily)

    def test_the_current_month_is_the_aging_of_today(self):
        Aging = self.env["cobranca.aging.report"]
        receivables = self.scope + [("amount_residual", ">", 0)]
        ((total,),) = Aging._read_group(receivables, [], ["amount_residual:sum"])
        ((overdue,),) = Aging._read_group(
            receivables + [("days_late", ">", 0)], [], ["amount_residual:sum"]
        )
        self.assertEqual((total, overdue), (2200.0, 1900.0))
        ((month_total, month_overdue),) = self.env["cobranca.indicator.month"]._read_group(
            self.scope + [("month", "=", M0)],
            [],
            ["receivable_amount:sum", "overdue_amount:sum"],
        )
        self.assertEqual((month_total, month_overdue), (total, overdue))

    # ------------------------------------------------------------------
    # Effectiveness of the levels, recovery
    # ------------------------------------------------------------------

    def test_effectiveness_of_each_level(self):
        rows = self.env["cobranca.level.effectiveness"].search(self.scope)
        self.assertEqual(rows.line_id, self.l0 | self.l1 | self.l2 | self.l3 | self.l4)
        self.assertTrue(all(rows.mapped("window_closed")))
        paid = {row.line_id: (row.paid_count, row.amount_paid) for row in rows}
        self.assertEqual(
            paid,
            {
                self.l0: (1, 800.0),  # paid 3 days after
                self.l1: (0, 0.0),  # paid 15 days after: beyond the 10 days
                self.l2: (1, 600.0),  # the same payment, 9 days after D+7
                self.l3: (0, 0.0),  # a credit note is not a payment
                self.l4: (0, 500.0),  # a part, 3 days after
            },
        )
        by_level = {
            level: values
            for level, *values in self.env["cobranca.level.effectiveness"]._read_group(
                self.scope,
                ["level_id"],
                [
                    "item_count:sum",
                    "paid_count:sum",
                    "paid_rate:sum",
                    "amount_dunned:sum",
                    "amount_paid:sum",
                    "amount_rate:sum",
                ],
            )
        }
        items, paid_items, paid_rate, dunned, amount_paid, amount_rate = by_level[
            self.level_overdue
        ]
        self.assertEqual((items, paid_items, dunned, amount_paid), (4, 1, 3900.0, 1300.0))
        self.assertAlmostEqual(paid_rate, 25.0)
        self.assertAlmostEqual(amount_rate, 1300.0 / 3900.0 * 100)
        self.assertEqual(by_level[self.level_second][:2], [1, 1])
        self.assertAlmostEqual(by_level[self.level_second][2], 100.0)

    def test_the_window_is_a_setting_of_the_company(self):
        # 15 days: the payment of I1 on M-1 day 5 (14 or 15 days after M-2 day 21,
        # 12 in February) counts for D+1 too
        self.company.cobranca_effectiveness_days = 15
        self.env.flush_all()
        self.env.invalidate_all()
        row = self.env["cobranca.level.effectiveness"].search([("line_id", "=", self.l1.id)])
        self.assertEqual((row.window_days, row.paid_count, row.amount_paid), (15, 1, 600.0))
        self.company.cobranca_effectiveness_days = 0
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(
            self.env["cobranca.level.effectiveness"]
            .search(self.scope)
            .filtered("paid_count")
            .line_id,
            self.env["cobranca.line"],
            "no payment on the day of its reminder",
        )

    def test_recovery_after_the_first_reminder(self):
        rows = self.env["cobranca.recovery.report"].search(self.scope)
        self.assertEqual(
            {row.move_id: (row.date, row.amount_dunned, row.amount_recovered) for row in rows},
            {
                self.i5: (day(M2, 11), 800.0, 800.0),
                # entered on D+1 (not again on D+7); recovered whenever paid
                self.i1: (day(M2, 21), 600.0, 600.0),
                self.i2: (day(M1, 11), 500.0, 0.0),
                self.i3: (day(M1, 15), 2000.0, 500.0),
            },
        )
        by_collector = {
            collector: values
            for collector, *values in self.env["cobranca.recovery.report"]._read_group(
                self.scope,
                ["collector_id"],
                ["amount_dunned:sum", "amount_recovered:sum", "recovery_rate:sum"],
            )
        }
        self.assertEqual(by_collector[self.otavio][:2], [1100.0, 600.0])
        self.assertEqual(by_collector[self.collector][:2], [2800.0, 1300.0])
        self.assertAlmostEqual(by_collector[self.collector][2], 1300.0 / 2800.0 * 100)
        ((rate, recovered_rate),) = self.env["cobranca.recovery.report"]._read_group(
            self.scope, [], ["recovery_rate:sum", "recovered_rate:sum"]
        )
        self.assertAlmostEqual(rate, 1900.0 / 3900.0 * 100)
        self.assertAlmostEqual(recovered_rate, 50.0)

    # ------------------------------------------------------------------
    # Promises and agreements
    # ------------------------------------------------------------------

    def _promise(self, invoice, amount, state=None, paid=0.0):
        promise = self.env["cobranca.negotiation"].create(
            {
                "partner_id": invoice.partner_id.id,
                "user_id": self.otavio.id,
                "move_ids": [Command.set(invoice.ids)],
                "outcome": "promise",
                "promise_date": TODAY + timedelta(days=5),
                "promise_amount": amount,
            }
        )
        if state:
            promise.sudo()._write_unguarded({"state": state, "amount_paid": paid})
        return promise

    def _agreement(self, invoice):
        action = invoice.action_cobranca_new_agreement()
        wizard = (
            self.env["cobranca.agreement.wizard"]
            .with_context(**action["context"])
            .create({"date": TODAY, "first_due": TODAY + timedelta(days=7), "instalment_count": 2})
        )
        return self.env["cobranca.agreement"].browse(wizard.action_confirm()["res_id"])

    def test_promises_and_agreements_made_and_kept(self):
        self.company.write(
            {
                "cobranca_charges_account_id": self.company_data["default_account_revenue"].id,
                "cobranca_discount_account_id": self.company_data["default_account_expense"].id,
            }
        )
        self._promise(self.i2, 100.0, "kept", 100.0)
        self._promise(self.i2, 200.0, "broken")
        self._promise(self.i3, 300.0)
        delta = self._customer("Drogaria Delta Ltda", "delta@example.com")
        kept = self._agreement(self._invoice(delta, 1000.0, due=day(M1, 3)))
        kept.sudo().write({"state": "kept"})
        active = self._agreement(self._invoice(delta, 400.0, due=day(M1, 4)))
        self.env.flush_all()
        Commitment = self.env["cobranca.commitment.report"]
        by_kind = {
            kind: values
            for kind, *values in Commitment._read_group(
                self.scope,
                ["kind"],
                [
                    "made_count:sum",
                    "kept_count:sum",
                    "broken_count:sum",
                    "open_count:sum",
                    "kept_rate:sum",
                    "amount:sum",
                    "amount_paid:sum",
                ],
            )
        }
        made, kept_count, broken, still_open, rate, amount, paid = by_kind["promise"]
        self.assertEqual((made, kept_count, broken, still_open), (3, 1, 1, 1))
        self.assertAlmostEqual(rate, 50.0)  # of the two decided
        self.assertEqual((amount, paid), (600.0, 100.0))
        made, kept_count, broken, still_open, rate, amount, paid = by_kind["agreement"]
        self.assertEqual((made, kept_count, broken, still_open), (2, 1, 0, 1))
        self.assertAlmostEqual(rate, 100.0)
        self.assertAlmostEqual(amount, kept.amount_total + active.amount_total)
        rows = Commitment.search(self.scope + [("kind", "=", "promise")])
        self.assertEqual(set(rows.collector_id), {self.otavio})
        self.assertEqual(set(rows.mapped("date")), {TODAY})
        # what the module's own figures of promises and agreements say
        promises = self.env["cobranca.negotiation"]._figures(self.company)[self.company]
        self.assertEqual((promises["made"], promises["kept"], promises["broken"]), (3, 1, 1))
        agreements = self.env["cobranca.agreement"]._figures(self.company)[self.company]
        self.assertEqual((agreements["made"], agreements["kept"]), (2, 1))

    # ------------------------------------------------------------------
    # The summary of the dashboard: the reports' figures
    # ------------------------------------------------------------------

    def test_the_summary_is_the_reports(self):
        self._promise(self.i2, 100.0, "kept", 100.0)
        self._promise(self.i2, 200.0, "broken")
        figures = self.company._cobranca_indicators(*self.period)[self.company]
        self.assertEqual((figures["receivable"], figures["overdue"]), (2200.0, 1900.0))
        self.assertAlmostEqual(figures["overdue_rate"], 1900.0 / 2200.0 * 100)
        self.assertAlmostEqual(figures["receivable_avg"], 5200.0 / 3)
        self.assertAlmostEqual(figures["overdue_rate_avg"], 4400.0 / 5200.0 * 100)
        self.assertAlmostEqual(figures["sales"], 4300.0)
        daily = 2300.0 / D2 + 1700.0 / D1 + 300.0 / D0
        self.assertAlmostEqual(figures["dso"], 5200.0 / daily)
        recovery = figures["recovery"]
        self.assertEqual(
            (recovery["items"], recovery["amount_dunned"], recovery["amount_recovered"]),
            (4, 3900.0, 1900.0),
        )
        levels = {row["level"]: row for row in figures["levels"]}
        self.assertEqual(
            (levels[self.level_overdue]["items"], levels[self.level_overdue]["paid"]), (4, 1)
        )
        self.assertAlmostEqual(levels[self.level_overdue]["amount_rate"], 1300.0 / 3900.0 * 100)
        self.assertEqual(figures["promises"]["made"], 2)
        self.assertAlmostEqual(figures["promises"]["kept_rate"], 50.0)
        self.assertIsNone(figures["agreements"]["kept_rate"])
        collectors = figures["collectors"]
        self.assertEqual(collectors[self.otavio]["overdue"], 400.0)
        self.assertEqual(collectors[self.collector]["overdue"], 1500.0)
        self.assertEqual(collectors[self.otavio]["amount_recovered"], 600.0)
        self.assertEqual(collectors[self.otavio]["promises_kept"], 1)
        # a period of M-1 only
        figures = self.company._cobranca_indicators(M1, day(M1, D1))[self.company]
        self.assertAlmostEqual(figures["dso"], 1900.0 / (1700.0 / D1))
        self.assertEqual(figures["recovery"]["amount_dunned"], 2500.0)

    def test_dashboard_data(self):
        data = (
            self.env["res.company"]
            .with_user(self.otavio)
            .with_context(allowed_company_ids=self.company.ids)
            .cobranca_dashboard_data(months=3)
        )
        self.assertEqual(data["months"], 3)
        (section,) = data["companies"]
        self.assertEqual(section["id"], self.company.id)
        self.assertEqual(section["kpis"]["overdue_rate"], "86.4 %")
        self.assertEqual(section["window_days"], 10)
        self.assertEqual(
            [level["name"] for level in section["levels"]],
            [self.level_overdue.display_name, self.level_second.display_name],
        )
        self.assertEqual(
            {row["name"] for row in section["collectors"]}, {"Otávio", self.collector.name}
        )

    # ------------------------------------------------------------------
    # Companies, currencies, access
    # ------------------------------------------------------------------

    def test_companies_are_kept_apart(self):
        other = self.setup_other_company(name="Filial Indicadores Ltda")["company"]
        other.cobranca_policy_id = self.policy
        invoice = self._invoice(self.beta, 700.0, due=day(M1, 2), company=other,
                                invoice_date=day(M1, 1))  # fmt: skip
        self.env.flush_all()
        self.assertEqual(
            self._months(domain=[("month", "=", M1)]),
            {
                (M1, self.otavio): (400.0, 400.0, -100.0),
                (M1, self.collector): (1500.0, 1500.0, 1800.0),
            },
        )
        other_rows = self.env["cobranca.indicator.month"].search([("company_id", "=", other.id)])
        self.assertEqual(set(other_rows.mapped("receivable_amount")), {700.0})
        self.assertEqual(other_rows.currency_id, other.currency_id)
        figures = (self.company | other)._cobranca_indicators(*self.period)
        self.assertEqual(figures[self.company]["receivable"], 2200.0)
        self.assertEqual(figures[other]["receivable"], 700.0)
        # a collector of this company sees none of the other one's figures
        for model in REPORTS:
            self.assertFalse(
                self.env[model].with_user(self.otavio).search([("company_id", "=", other.id)]),
                model,
            )
        self.assertTrue(invoice)

    def test_foreign_currency_items_count_in_the_company_currency(self):
        euro = self.setup_other_currency("EUR", rounding=0.01)
        gama = self._customer("Casa Gama Ltda", "gama@example.com")
        # 1,000.00 EUR at the rate 2: 500.00 in the company's currency, due in 10 days
        self._invoice(gama, 1000.0, due=TODAY + timedelta(days=10), currency=euro,
                      invoice_date=day(M1, 10))  # fmt: skip
        self.env.flush_all()
        ((receivable, overdue, sales),) = self.env["cobranca.indicator.month"]._read_group(
            self.scope + [("month", "=", M0)],
            [],
            ["receivable_amount:sum", "overdue_amount:sum", "sales_amount:sum"],
        )
        self.assertEqual((receivable, overdue, sales), (2700.0, 1900.0, 300.0))
        rows = self.env["cobranca.indicator.month"].search(self.scope)
        self.assertEqual(rows.currency_id, self.company.currency_id)
        figures = self.company._cobranca_indicators(*self.period)[self.company]
        self.assertEqual(figures["receivable"], 2700.0)

    def test_only_cobranca_users_see_the_indicators(self):
        for user in (self.salesman, self.accountant):
            for model in REPORTS:
                with self.assertRaises(AccessError, msg=f"{user.login} {model}"):
                    self.env[model].with_user(user).search([])
            with self.assertRaises(AccessError):
                self.env["res.company"].with_user(user).cobranca_dashboard_data()
            with self.assertRaises(AccessError):
                self.company.with_user(user)._cobranca_indicators()
        for model in REPORTS[:3]:
            self.assertTrue(self.env[model].with_user(self.otavio).search(self.scope), model)
        # the menus are under the Cobrança app, which sales reps do not see
        root = self.env.ref("cobranca_addon.cobranca_menu_root")
        reports = self.env.ref("cobranca_addon.cobranca_report_menu")
        menus = [
            self.env.ref(f"cobranca_addon.{xmlid}")
            for xmlid in (
                "cobranca_dashboard_menu",
                "cobranca_indicator_month_menu",
                "cobranca_level_effectiveness_menu",
                "cobranca_recovery_report_menu",
                "cobranca_commitment_report_menu",
            )
        ]
        self.assertEqual({menu.parent_id for menu in menus}, {reports})
        self.assertEqual(reports.parent_id, root)
        visible = self.env["ir.ui.menu"].with_user(self.salesman)._visible_menu_ids()
        self.assertNotIn(root.id, visible)
        visible = self.env["ir.ui.menu"].with_user(self.otavio)._visible_menu_ids()
        self.assertTrue({root.id, reports.id, *(menu.id for menu in menus)} <= visible)
