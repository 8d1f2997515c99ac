import io
import zipfile
from datetime import date, timedelta
from xml.etree import ElementTree

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import CobrancaCommon

# The aging view counts days late up to the database's current date (UTC, as Odoo's
# server): the data of these tests is built around the real today, freezegun does not
# move PostgreSQL's clock.
TODAY = date.today()

DEFAULT_BUCKETS = ["Not due", "1-30", "31-60", "61-90", "91-180", "Over 180"]

XLSX_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def days_ago(days):
    return TODAY - timedelta(days=days)


def read_xlsx(content):
    """``{sheet name: {cell reference: value}}`` of an .xlsx file, read as the zip of
    XML files it is (strings from the shared strings, numbers as floats)."""
    sheets = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        shared = [
            "".join(text.text or "" for text in item.iter(f"{XLSX_NS}t"))
            for item in ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
        ]
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        names = [sheet.get("name") for sheet in workbook.iter(f"{XLSX_NS}sheet")]
        for index, name in enumerate(names, start=1):
            cells = {}
            xml = archive.read(f"xl/worksheets/sheet{index}.xml")
            for cell in ElementTree.fromstring(xml).iter(f"{XLSX_NS}c"):
                value = cell.find(f"{XLSX_NS}v")
                if value is not None:
                    cells[cell.get("r")] = (
                        shared[int(value.text)] if cell.get("t") == "s" else float(value.text)
                    )
            sheets[name] = cells
    return sheets


def sheet_rows(cells):
    """The rows of a worksheet as lists of values, from row 1."""
    rows = {}
    for reference, value in cells.items():
        column = "".join(char for char in reference if char.isalpha())
        number = int("".join(char for char in reference if char.isdigit()))
        rows.setdefault(number, {})[ord(column) - ord("A")] = value
    return {
        number: [row.get(index) for index in range(max(row) + 1)] for number, row in rows.items()
    }


@tagged("post_install", "-at_install")
class TestAging(CobrancaCommon):
    """The aging report on a crafted dataset whose buckets are computed by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Aging = cls.env["cobranca.aging.report"]
        cls.Bucket = cls.env["cobranca.aging.bucket"]
        cls.company.write(
            {
                "cobranca_charges_account_id": cls.company_data["default_account_revenue"].id,
                "cobranca_discount_account_id": cls.company_data["default_account_expense"].id,
            }
        )
        common = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.salesman = new_test_user(
            cls.env,
            login="vendedor_aging",
            groups="base.group_user,account.group_account_invoice",
            **common,
        )
        cls.manager = new_test_user(
            cls.env,
            login="gerente_aging",
            groups="base.group_user,account.group_account_invoice,"
            "cobranca_addon.group_cobranca_manager",
            **common,
        )
        cls.otavio = new_test_user(
            cls.env,
            login="otavio_aging",
            name="Otávio",
            groups="base.group_user,cobranca_addon.group_cobranca_user",
            **common,
        )
        cls.rita = new_test_user(
            cls.env, login="rita_aging", name="Rita", groups="base.group_user", **common
        )
        cls.paulo = new_test_user(
            cls.env, login="paulo_aging", name="Paulo", groups="base.group_user", **common
        )
        cls.policy_strict = cls.env["cobranca.policy"].create(
            {"name": "Régua rigorosa", "collector_id": cls.rita.id}
        )
        cls.policy_credit = cls.env["cobranca.policy"].create(
            {"name": "Régua de risco", "collector_id": cls.paulo.id}
        )
        cls.credit_policy = cls.env["cobranca.credit.policy"].create(
            {"name": "Risco", "regua_id": cls.policy_credit.id, "limit_rule": "partner"}
        )
        cls.segment_a = cls.env.ref("cobranca_addon.cobranca_segment_a")
        cls.segment_d = cls.env.ref("cobranca_addon.cobranca_segment_d")

        # A: an invoice at each limit of the default buckets, and one due in 20 days;
        # their own collector wins over their own policy's
        cls.alfa = cls._customer("Atacado Alfa Ltda", "alfa@example.com")
        cls.alfa.with_company(cls.company).write(
            {"cobranca_collector_id": cls.otavio.id, "cobranca_policy_id": cls.policy_strict.id}
        )
        cls.alfa_invoices = {
            days: cls._invoice(cls.alfa, amount, due=days_ago(days))
            for days, amount in (
                (-20, 50.0),
                (0, 100.0),
                (1, 200.0),
                (30, 300.0),
                (31, 400.0),
                (60, 500.0),
                (61, 600.0),
                (90, 700.0),
                (91, 800.0),
                (180, 900.0),
                (181, 1000.0),
            )
        }
        cls.Score = cls.env["cobranca.partner.score"].sudo()
        cls.Score.create(
            {
                "partner_id": cls.alfa.id,
                "company_id": cls.company.id,
                "segment_id": cls.segment_a.id,
            }
        )

        # B: three instalments (50/30/20 % at 30/60/90 days of an invoice of 75 days
        # ago: 45 days late, 15 days late, due in 15 days), a partial payment, a credit
        # note and a payment not applied yet; their régua comes from their credit policy
        cls.beta = cls._customer("Bazar Beta Ltda", "beta@example.com")
        term = cls.env["account.payment.term"].create(
            {
                "name": "30/60/90",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 30.0, "nb_days": 60}),
                    Command.create({"value": "percent", "value_amount": 20.0, "nb_days": 90}),
                ],
            }
        )
        cls.beta_invoice = cls._invoice(
            cls.beta, 900.0, payment_term=term, invoice_date=days_ago(75)
        )
        cls._pay(cls.beta_invoice, amount=100.0, day=days_ago(5))
        cls.beta_refund = cls._invoice(
            cls.beta, 120.0, due=days_ago(10), invoice_date=days_ago(10), move_type="out_refund"
        )
        cls.beta_payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": cls.beta.id,
                "amount": 80.0,
                "date": days_ago(3),
            }
        )
        cls.beta_payment.action_post()
        cls.Score.create(
            {
                "partner_id": cls.beta.id,
                "company_id": cls.company.id,
                "segment_id": cls.segment_d.id,
                "credit_policy_id": cls.credit_policy.id,
            }
        )

        # C: an invoice in euros (rate 2: 1,000.00 EUR are 500.00 in the company's
        # currency) and one in the company's currency; the company's régua
        cls.euro = cls.setup_other_currency("EUR", rounding=0.01)
        cls.gama = cls._customer("Casa Gama Ltda", "gama@example.com")
        cls.gama_euro = cls._invoice(cls.gama, 1000.0, due=days_ago(10), currency=cls.euro)
        cls.gama_local = cls._invoice(cls.gama, 300.0, due=days_ago(100))
        cls.customers = cls.alfa | cls.beta | cls.gama
        cls.scope = [("partner_id", "in", cls.customers.ids)]

    def _rows(self, partners=None, user=None):
        partners = partners or self.customers
        Aging = self.Aging.with_user(user) if user else self.Aging
        return Aging.search([("partner_id", "in", partners.ids)])

    def _by_bucket(self, rows):
        """``{bucket name: amount}`` of report rows, from a _read_group as the views do."""
        return {
            bucket.name: amount
            for bucket, amount in self.Aging._read_group(
                [("id", "in", rows.ids)], ["bucket_id"], ["amount_residual:sum"]
            )
        }

    # ------------------------------------------------------------------
    # Buckets
    # ------------------------------------------------------------------

    def test_every_company_has_the_default_buckets(self):
        other = self.setup_other_company(name="Filial Aging Ltda")["company"]
        for company in (self.company, other):
            buckets = self.Bucket.search([("company_id", "=", company.id)])
            self.assertEqual(buckets.mapped("name"), DEFAULT_BUCKETS)
            self.assertEqual(
                [
                    (
                        None if bucket.no_min else bucket.min_days,
                        None if bucket.no_max else bucket.max_days,
                    )
                    for bucket in buckets
                ],
                [(None, 0), (1, 30), (31, 60), (61, 90), (91, 180), (181, None)],
            )
        self.assertEqual(buckets[0].range_label, "0 or fewer")
        self.assertEqual(buckets[1].range_label, "1 to 30")
        self.assertEqual(buckets[-1].range_label, "181 or more")

    def test_items_at_the_limits_of_each_bucket(self):
        rows = self._rows(self.alfa)
        self.assertEqual(len(rows), 11)
        for days, invoice in self.alfa_invoices.items():
            row = rows.filtered(lambda row, invoice=invoice: row.move_id == invoice)
            self.assertEqual(row.days_late, days)
            self.assertEqual(row.date_maturity, days_ago(days))
        bucket_of = {row.days_late: row.bucket_id.name for row in rows}
        self.assertEqual(
            bucket_of,
            {
                -20: "Not due",
                0: "Not due",
                1: "1-30",
                30: "1-30",
                31: "31-60",
                60: "31-60",
                61: "61-90",
                90: "61-90",
                91: "91-180",
                180: "91-180",
                181: "Over 180",
            },
        )
        self.assertEqual(
            self._by_bucket(rows),
            {
                "Not due": 50.0 + 100.0,
                "1-30": 200.0 + 300.0,
                "31-60": 400.0 + 500.0,
                "61-90": 600.0 + 700.0,
                "91-180": 800.0 + 900.0,
                "Over 180": 1000.0,
            },
        )

    def test_instalments_partial_payments_and_credits(self):
        rows = self._rows(self.beta)
        self.assertEqual(
            {(row.move_id, row.days_late): row.amount_residual for row in rows},
            {
                # the partial payment went to the oldest instalment: 450 - 100
                (self.beta_invoice, 45): 350.0,
                (self.beta_invoice, 15): 270.0,
                (self.beta_invoice, -15): 180.0,
                # credits count negative, in the bucket of their own date
                (self.beta_refund, 10): -120.0,
                (self.beta_payment.move_id, 3): -80.0,
            },
        )
        self.assertEqual(
            self._by_bucket(rows),
            {"Not due": 180.0, "1-30": 270.0 - 120.0 - 80.0, "31-60": 350.0},
        )
        self.assertEqual(set(rows.mapped("move_type")), {"out_invoice", "out_refund", "entry"})

    def test_currencies_are_kept_apart(self):
        rows = self._rows(self.gama)
        euro_row = rows.filtered(lambda row: row.currency_id == self.euro)
        self.assertEqual(
            (euro_row.amount_residual_currency, euro_row.amount_residual), (1000.0, 500.0)
        )
        self.assertEqual(euro_row.company_currency_id, self.company.currency_id)
        by_currency = {
            currency: (amount, amount_currency)
            for currency, amount, amount_currency in self.Aging._read_group(
                [("partner_id", "=", self.gama.id)],
                ["currency_id"],
                ["amount_residual:sum", "amount_residual_currency:sum"],
            )
        }
        self.assertEqual(
            by_currency,
            {self.euro: (500.0, 1000.0), self.company.currency_id: (300.0, 300.0)},
        )
        self.assertEqual(self._by_bucket(rows), {"1-30": 500.0, "91-180": 300.0})

    def test_who_follows_each_customer(self):
        rows = self._rows()
        collectors = {row.partner_id: row.collector_id for row in rows}
        # their own collector; their credit policy's régua's; the company's régua's
        self.assertEqual(collectors[self.alfa], self.otavio)
        self.assertEqual(collectors[self.beta], self.paulo)
        self.assertEqual(collectors[self.gama], self.collector)
        # without a collector of their own, their own policy's collector
        self.alfa.with_company(self.company).cobranca_collector_id = False
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(set(self._rows(self.alfa).collector_id), {self.rita})
        segments = {row.partner_id: row.segment_id for row in rows}
        self.assertEqual(
            segments,
            {
                self.alfa: self.segment_a,
                self.beta: self.segment_d,
                self.gama: self.env["cobranca.segment"],
            },
        )
        self.assertEqual(set(self._rows(self.alfa).invoice_user_id), {self.env.user})

    def test_flags_of_the_items(self):
        excluded = self.alfa_invoices[60]
        excluded._cobranca_exclude("Em disputa")
        paused = self.alfa_invoices[90]
        paused.sudo().cobranca_paused_until = TODAY + timedelta(days=3)
        over = self.alfa_invoices[181]
        over.line_ids.filtered("date_maturity").sudo().cobranca_level_id = self.level_formal
        self.env.flush_all()
        rows = self._rows(self.alfa)
        flags = {
            row.move_id: (row.excluded, row.paused, row.in_agreement, row.level_id) for row in rows
        }
        self.assertEqual(flags[excluded][0:3], (True, False, False))
        self.assertEqual(flags[paused][0:3], (False, True, False))
        self.assertEqual(flags[over][3], self.level_formal)
        untouched = [
            move for move, (ex, pa, ag, level) in flags.items() if not (ex or pa or ag or level)
        ]
        self.assertEqual(len(untouched), 11 - 3)
        self.assertEqual(self.Aging.search_count(self.scope + [("excluded", "=", True)]), 1)

    def test_agreement_instalments_and_drill_down(self):
        delta = self._customer("Drogaria Delta Ltda", "delta@example.com")
        invoices = self._invoice(delta, 1000.0, due=days_ago(30)) | self._invoice(
            delta, 500.0, due=days_ago(20)
        )
        action = invoices.with_user(self.collector).action_cobranca_new_agreement()
        wizard = (
            self.env["cobranca.agreement.wizard"]
            .with_user(self.collector)
            .with_context(**action["context"])
            .create({"date": TODAY, "first_due": TODAY + timedelta(days=7), "instalment_count": 3})
        )
        agreement = self.env["cobranca.agreement"].browse(wizard.action_confirm()["res_id"])
        rows = self._rows(delta)
        # the invoices are settled by the agreement: its instalments are what is owed
        self.assertEqual(len(rows), 3)
        self.assertEqual(set(rows.agreement_id), {agreement})
        self.assertTrue(all(rows.mapped("in_agreement")))
        self.assertEqual(
            sorted(rows.mapped("days_late")),
            sorted((TODAY - due).days for due in agreement.instalment_ids.mapped("date_maturity")),
        )
        self.assertEqual(max(rows.mapped("days_late")), -7)
        self.assertEqual(set(rows.bucket_id.mapped("name")), {"Not due"})
        self.assertAlmostEqual(sum(rows.mapped("amount_residual")), agreement.amount_total)
        action = rows[0].action_open_document()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("cobranca.agreement", agreement.id)
        )
        invoice_row = self._rows(self.alfa)[0]
        action = invoice_row.action_open_document()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("account.move", invoice_row.move_id.id)
        )

    def test_custom_buckets(self):
        # as in the editor's dialog: all the buckets at once
        with Form(self.env["cobranca.aging.bucket.wizard"].with_user(self.manager)) as form:
            self.assertEqual(len(form.line_ids), 6, "the company's buckets, to edit")
            # 1-15, 16-45 (a limit moved: two buckets change), over 45
            with form.line_ids.edit(1) as line:
                line.name = "1-15"
                line.max_days = 15
            with form.line_ids.edit(2) as line:
                line.name = "16-45"
                line.min_days = 16
                line.max_days = 45
            with form.line_ids.edit(5) as line:
                line.name = "Over 45"
                line.min_days = 46
            form.line_ids.remove(4)
            form.line_ids.remove(3)
        wizard = form.record
        self.assertEqual(wizard.line_ids.mapped("name"), ["Not due", "1-15", "16-45", "Over 45"])
        not_due = wizard.line_ids[0]
        wizard.action_apply()
        buckets = self.Bucket.search([("company_id", "=", self.company.id)])
        self.assertEqual(buckets.mapped("name"), ["Not due", "1-15", "16-45", "Over 45"])
        self.assertEqual(buckets[:1], not_due.bucket_id, "buckets are updated, not replaced")
        self.assertEqual(
            self._by_bucket(self._rows(self.alfa)),
            {
                "Not due": 150.0,
                "1-15": 200.0,
                "16-45": 300.0 + 400.0,
                "Over 45": 500.0 + 600.0 + 700.0 + 800.0 + 900.0 + 1000.0,
            },
        )
        # a bucket added on its own overlaps: refused with the buckets and the days
        with self.assertRaisesRegex(
            ValidationError, "“16-45” and “Late” .* overlap: both contain 40"
        ):
            self.Bucket.with_user(self.manager).create(
                {"name": "Late", "min_days": 40, "no_max": True, "company_id": self.company.id}
            )

    def test_buckets_must_cover_every_day_once(self):
        wizard = self.env["cobranca.aging.bucket.wizard"].with_user(self.manager).create({})
        lines = wizard.line_ids
        # a hole between 30 and 61 days
        wizard.write({"line_ids": [Command.delete(lines[2].id)]})
        with self.assertRaisesRegex(ValidationError, "contains 31 to 60 days late"):
            wizard.action_apply()
        wizard.write(
            {"line_ids": [Command.create({"name": "20-60", "min_days": 20, "max_days": 60})]}
        )
        with self.assertRaisesRegex(ValidationError, "“1-30” and “20-60” .* overlap"):
            wizard.action_apply()
        # a limit moved in one bucket only leaves a gap or an overlap
        bucket = self.Bucket.search([("company_id", "=", self.company.id), ("name", "=", "1-30")])
        with self.assertRaisesRegex(ValidationError, "contains 31 to 45 days late"):
            self.Bucket.search(
                [("company_id", "=", self.company.id), ("name", "=", "31-60")]
            ).with_user(self.manager).min_days = 46
        with self.assertRaisesRegex(ValidationError, "the last bucket needs no upper limit"):
            self.Bucket.search(
                [("company_id", "=", self.company.id), ("name", "=", "Over 180")]
            ).with_user(self.manager).write({"no_max": False, "max_days": 365})
        with self.assertRaisesRegex(UserError, "Deleting this bucket would leave"):
            bucket.with_user(self.manager).unlink()
        # nothing changed
        self.assertEqual(
            self.Bucket.search([("company_id", "=", self.company.id)]).mapped("name"),
            DEFAULT_BUCKETS,
        )

    # ------------------------------------------------------------------
    # The matrix: XLSX and PDF
    # ------------------------------------------------------------------

    #: the matrix of A, B and C, by hand (see setUpClass), in bucket order
    EXPECTED = {
        "Atacado Alfa Ltda": [150.0, 500.0, 900.0, 1300.0, 1700.0, 1000.0, 5550.0],
        "Bazar Beta Ltda": [180.0, 70.0, 350.0, 0.0, 0.0, 0.0, 600.0],
        "Casa Gama Ltda": [0.0, 500.0, 0.0, 0.0, 300.0, 0.0, 800.0],
    }
    TOTALS = [330.0, 1070.0, 1250.0, 1300.0, 2000.0, 1000.0, 6950.0]

    def test_xlsx_export_of_the_current_filter(self):
        action = (
            self.Aging.with_user(self.collector)
            .with_context(active_domain=self.scope, active_model="cobranca.aging.report")
            .action_export_xlsx()
        )
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        self.assertEqual(attachment.create_uid, self.collector)
        self.assertTrue(attachment.name.endswith(".xlsx"))
        sheets = read_xlsx(attachment.with_user(self.collector).raw)
        self.assertEqual(list(sheets), [self.company.name[:31]])
        rows = sheet_rows(sheets[self.company.name[:31]])
        self.assertEqual(rows[1], ["Aging of receivables"])
        self.assertEqual(rows[2], [self.company.name])
        self.assertEqual(rows[6], ["Customer", *DEFAULT_BUCKETS, "Total"])
        self.assertEqual({row[0]: row[1:] for row in (rows[7], rows[8], rows[9])}, self.EXPECTED)
        self.assertEqual(rows[10], ["Total", *self.TOTALS])
        shares = rows[11]
        self.assertEqual(shares[0], "Share of the total")
        self.assertEqual(
            [round(share, 4) for share in shares[1:]],
            [round(total / 6950.0, 4) for total in self.TOTALS[:-1]],
        )
        # the other users do not read it
        with self.assertRaises(AccessError):
            attachment.with_user(self.manager).raw  # noqa: B018

    def test_xlsx_export_of_the_selection_and_of_two_companies(self):
        other = self.setup_other_company(name="Filial Norte Aging Ltda")["company"]
        self._invoice(self.alfa, 5000.0, due=days_ago(45), company=other)
        self.env.user.company_ids |= other
        Aging = self.Aging.with_context(allowed_company_ids=[self.company.id, other.id])
        selected = Aging.search(
            [("partner_id", "=", self.alfa.id), ("company_id", "=", self.company.id)]
        )
        content = Aging._aging_xlsx([("id", "in", selected.ids)])
        rows = sheet_rows(read_xlsx(content)[self.company.name[:31]])
        self.assertEqual(rows[7], ["Atacado Alfa Ltda", *self.EXPECTED["Atacado Alfa Ltda"]])
        self.assertEqual(rows[8], ["Total", *self.EXPECTED["Atacado Alfa Ltda"]])
        # one worksheet per company, each in its currency and with its buckets
        sheets = read_xlsx(Aging._aging_xlsx([("partner_id", "=", self.alfa.id)]))
        self.assertEqual(list(sheets), [self.company.name[:31], other.name])
        there = sheet_rows(sheets[other.name])
        self.assertEqual(there[6], ["Customer", *DEFAULT_BUCKETS, "Total"])
        self.assertEqual(there[7], ["Atacado Alfa Ltda", 0.0, 0.0, 5000.0, 0.0, 0.0, 0.0, 5000.0])
        here = sheet_rows(sheets[self.company.name[:31]])
        self.assertEqual(here[8], ["Total", *self.EXPECTED["Atacado Alfa Ltda"]])

    def test_pdf_of_the_matrix_in_the_company_language(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        self.company.partner_id.lang = "pt_BR"
        report = self.env["ir.actions.report"].with_user(self.collector)
        html = report._render_qweb_html(
            "cobranca_addon.action_report_cobranca_aging", None, data={"domain": self.scope}
        )[0].decode()
        self.assertIn("Aging of receivables", html)
        self.assertIn(self.company.name, html)
        self.assertIn(TODAY.strftime("%d/%m/%Y"), html, "the date in Portuguese")
        for name in self.EXPECTED:
            self.assertIn(name, html)
        # totals per bucket, in Portuguese number format, and the shares
        for amount in ("5.550,00", "1.070,00", "2.000,00", "6.950,00"):
            self.assertIn(amount, html)
        self.assertIn("15,4 %", html)  # 1,070 / 6,950
        self.assertIn("28,8 %", html)  # 2,000 / 6,950
        pdf, kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "cobranca_addon.action_report_cobranca_aging", None, data={"domain": self.scope}
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_pdf_and_xlsx_buttons(self):
        rows = self._rows(self.beta, user=self.collector)
        action = rows.action_print_pdf()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["data"], {"domain": [("id", "in", rows.ids)]})
        action = (
            self.Aging.with_user(self.collector)
            .with_context(active_domain=self.scope, active_model="cobranca.aging.report")
            .action_print_pdf()
        )
        self.assertEqual(action["data"], {"domain": self.scope})
        # a domain of another model is not the report's filter
        action = (
            self.Aging.with_user(self.collector)
            .with_context(active_domain=[("state", "=", "posted")], active_model="account.move")
            .action_print_pdf()
        )
        self.assertEqual(action["data"], {"domain": []})
        values = self.env["report.cobranca_addon.report_cobranca_aging"]._get_report_values(
            rows.ids
        )
        [section] = values["sections"]
        self.assertEqual([partner.name for partner in section["partners"]], ["Bazar Beta Ltda"])
        self.assertEqual(section["matrix"].total, 600.0)

    def test_matrix_queries_do_not_grow_with_items(self):
        def queries():
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            sections = self.Aging._aging_sections(self.scope)
            return self.cr.sql_log_count - before, sections

        self.Aging._aging_sections(self.scope)  # warm the caches
        count, sections = queries()
        self.assertEqual(sections[0]["matrix"].total, 6950.0)
        for days in range(10):
            self._invoice(self.beta, 10.0, due=days_ago(days))
        self.env.flush_all()
        self.assertEqual(queries()[0], count, "the matrix is aggregated in SQL, not per item")
        self.assertEqual(queries()[1][0]["matrix"].total, 6950.0 + 100.0)

    # ------------------------------------------------------------------
    # Who sees it
    # ------------------------------------------------------------------

    def test_sales_reps_see_nothing(self):
        for model in ("cobranca.aging.report", "cobranca.aging.bucket"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.salesman).search([])
        with self.assertRaises(AccessError):
            self.Aging.with_user(self.salesman)._read_group(
                [], ["bucket_id"], ["amount_residual:sum"]
            )
        with self.assertRaises(AccessError):
            self.Aging.with_user(self.salesman).with_context(
                active_domain=self.scope, active_model="cobranca.aging.report"
            ).action_export_xlsx()
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(self.salesman)._render_qweb_html(
                "cobranca_addon.action_report_cobranca_aging", None, data={"domain": self.scope}
            )

    def test_collectors_read_and_managers_configure(self):
        rows = self._rows(user=self.collector)
        self.assertEqual(len(rows), 11 + 5 + 2)
        self.assertEqual(sum(rows.mapped("amount_residual")), 6950.0)
        bucket = self.Bucket.with_user(self.collector).search(
            [("company_id", "=", self.company.id)]
        )[1]
        self.assertEqual(bucket.name, "1-30")
        with self.assertRaises(AccessError):
            bucket.write({"name": "Até 30"})
        with self.assertRaises(AccessError):
            self.env["cobranca.aging.bucket.wizard"].with_user(self.collector).create({})
        with self.assertRaises(AccessError):
            rows[0].write({"amount_residual": 0.0})
        bucket.with_user(self.manager).write({"name": "Até 30"})
        self.assertEqual(
            self._rows(self.alfa).filtered(lambda r: r.days_late == 1).bucket_id.name, "Até 30"
        )

    def test_users_of_another_company_see_only_theirs(self):
        other = self.setup_other_company(name="Filial Sul Aging Ltda")["company"]
        self._invoice(self.alfa, 5000.0, due=days_ago(45), company=other)
        outsider = new_test_user(
            self.env,
            login="cobrador_sul",
            groups="base.group_user,cobranca_addon.group_cobranca_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        rows = self.Aging.with_user(outsider).search([("partner_id", "in", self.customers.ids)])
        self.assertEqual(rows.mapped("amount_residual"), [5000.0])
        self.assertEqual(rows.bucket_id.company_id, other)
        self.assertEqual(rows.bucket_id.name, "31-60")
        third = self.setup_other_company(name="Filial Leste Aging Ltda")["company"]
        stranger = new_test_user(
            self.env,
            login="cobrador_leste",
            groups="base.group_user,cobranca_addon.group_cobranca_user",
            company_id=third.id,
            company_ids=[Command.set(third.ids)],
        )
        self.assertFalse(self.Aging.with_user(stranger).search([]))
        self.assertFalse(
            self.Aging.with_user(stranger)._aging_sections(
                [("partner_id", "in", self.customers.ids)]
            )
        )
        self.assertEqual(self.Bucket.with_user(stranger).search([]).company_id, third)
