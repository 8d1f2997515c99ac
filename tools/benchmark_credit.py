"""Credit benchmark of cobranca_addon: scoring and credit status on generated data,
side by side with OCA account_financial_risk on the same database.

Not a test. Reached through ``tools/benchmark --credit`` (or run directly):

    tools/benchmark --credit                                    # 10,000 customers, 100,000 lines
    tools/benchmark --credit --customers 500 --lines 5000       # a quick one (a few minutes)
    tools/benchmark --credit --repeat 3 --markdown docs/benchmark-credit.md

Flags of the credit benchmark
-----------------------------

``--customers N``   customers (default 10,000), one of them the big customer;
``--lines L``       receivable lines of posted customer invoices in all (default 100,000),
                    the big customer's included;
``--big-items B``   open items of the big customer (default: a tenth of ``--lines``, so
                    10,000 at the default size; 0: no big customer);
``--page P``        customers of the "list view page" measurement (default 80);
``--calls C``       calls of each read-only measurement per copy, each in a fresh
                    environment (default 5; the first call of a process is shown apart);
``--repeat R``      measured copies (median, min and max when R > 1);
``--date D``        the data's "today" (default 2025-06-16), ``--seed S`` its random seed;
``--no-oca``        skip OCA account_financial_risk; ``--install-oca`` pip-installs it
                    (``requirements-bench.txt``) when it is missing;
``--no-tracemalloc`` skip the extra copy measured under tracemalloc;
``--profile``       add a cProfile of the first scoring run (and EXPLAIN ANALYZE of the
                    scoring and status queries) to the output;
``--rebuild``, ``--keep``, ``--markdown FILE`` as for the dunning benchmark.

How it works
------------

1. Template database ``cobranca_bench_credit_<N>_<L>_<B>``, built once and reused
   (``--rebuild`` builds it again; a changed ``--date`` or ``--seed`` too):
   ``odoo-bin -i cobranca_addon``, then through the ORM the company (BRL), the
   customers (4 in 10 with a credit limit of their own), three payment terms (30
   days; 30/60; 30/60/90), three template invoices, one of them paid through
   Odoo's *Register Payment* wizard (the template payment). Everything else is
   set-based SQL that clones those rows:

   - invoices with one, two or three instalments, invoice dates over the 12
     months before the data's day and due dates up to 30 days after it, amounts
     from R$ 50 to R$ 20,000 split as Odoo's payment terms split them;
   - every customer has a payment behaviour (good, regular, late, bad payer) that
     decides each instalment's fate: paid on time, paid late (delays drawn per
     behaviour, up to 6 months), paid in two parts, partly paid, open overdue, open
     not due;
   - a payment is a real ``account.payment`` with its journal entry in the bank
     journal (outstanding receipts / receivable), its receivable credit line
     reconciled with the instalment through ``account.partial.reconcile``
     (``max_date`` = the payment date) and an ``account.full.reconcile`` when the
     instalment is fully paid; residuals, ``reconciled``, matching numbers on the
     lines, ``amount_residual`` and ``payment_state`` on the invoices, ``state`` and
     ``is_reconciled`` on the payments, the payments' invoices (``invoice_ids``)
     are set as Odoo sets them;
   - the big customer (customer 1) has ``--big-items`` open items (a tenth of them
     partly paid), overdue and not due.

   Odoo then checks the result (the build fails on any difference): balanced
   entries, unique names, consistent full reconciliations; the counts and sums
   the generator planned against ``read_group``; for a random sample of
   invoices and payments, Odoo's own compute methods recompute residuals,
   ``reconciled``, amounts, ``payment_state``, the payments' state and
   reconciliation status, matching numbers (``_update_matching_number``) and its
   constraint, the payment-term split (``_compute_terms``) and the customers'
   ``credit``; and, in a savepoint rolled back, Odoo pays the rest of a partly
   paid instalment with the wizard and unreconciles a paid one.

2. Each measured copy (``createdb -T``) is measured in a child process, with the
   registry directly (no HTTP server), as the superuser, with the clock at the
   data's day (freezegun, ticking; timings use the real clocks):

   - ``cobranca.partner.score._score_company(company, today=day)``: the first run
     (writes every score) and a second run with nothing changed;
   - ``_cobranca_credit_data(company)`` of the big customer, and reading its
     ``cobranca_credit_status`` in a fresh environment, as the customer form does;
   - the same for a page of ``--page`` customers (a list view) and for all customers;
   - then ``odoo-bin -i account_financial_risk`` on the same copy (timed, next to
     a plain load of the same registry), every customer set to include open and
     unpaid invoices in its risk, and in a new child process: its risk of all
     customers (the computation behind its "risk exceeded" filter,
     ``_search_risk_exception``, which computes ``risk_exception`` and
     ``risk_total`` through ``_compute_risk_account_amount`` for every customer),
     ``risk_total`` and ``risk_exception`` of the big customer and of the page in
     a fresh environment.

   Each measurement: wall time, CPU time of the Odoo process, SQL queries
   (``odoo.sql_db.sql_counter``), rows per second, peak RSS of the step (VmHWM
   reset before it); peak Python allocations come from one more copy measured
   under tracemalloc (not timed).

Environment: ODOO_VENV (the wrapper ``tools/benchmark``), PGHOST, PGPORT, PGUSER.
"""

import argparse
import bisect
import cProfile
import datetime
import gc
import io
import itertools
import json
import math
import os
import pstats
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import benchmark as base  # noqa: E402  (tools/benchmark.py: helpers shared with it)

#: Bump when the generated data changes: older templates are rebuilt.
GENERATOR_VERSION = 1
DEFAULT_DATE = "2025-06-16"
OCA_MODULE = "account_financial_risk"
OCA_REQUIREMENT = "odoo-addon-account_financial_risk==18.0.*"
REQUIREMENTS = os.path.join(base.REPO, "requirements-bench.txt")
#: The real clocks, kept away from freezegun (it patches module attributes, not these).
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time, "strftime": time.strftime}

#: kind (instalments) -> payment term lines (percent, days), as Odoo's terms
TERMS = {
    1: [(100.0, 30)],
    2: [(50.0, 30), (50.0, 60)],
    3: [(33.33, 30), (33.33, 60), (33.34, 90)],
}
KIND_WEIGHTS = {1: 0.5, 2: 0.3, 3: 0.2}
#: payment behaviours: share of customers, chance an instalment is paid late, mean and
#: cap of the delay (days), chance it is still unpaid, chance it is partly paid
PROFILES = {
    "good": {"weight": 0.45, "late": 0.08, "delay": 4, "cap": 20, "unpaid": 0.01, "partial": 0.02},
    "regular": {
        "weight": 0.30,
        "late": 0.30,
        "delay": 12,
        "cap": 60,
        "unpaid": 0.04,
        "partial": 0.05,
    },
    "late": {
        "weight": 0.18,
        "late": 0.65,
        "delay": 30,
        "cap": 120,
        "unpaid": 0.10,
        "partial": 0.08,
    },
    "bad": {"weight": 0.07, "late": 0.85, "delay": 60, "cap": 180, "unpaid": 0.35, "partial": 0.10},
}
#: of the paid instalments, the share paid in two payments
TWO_PART_SHARE = 0.05
#: credit limits given to 4 customers in 10 (R$), and the big customer's
CREDIT_LIMITS = [2_000, 5_000, 10_000, 20_000, 50_000]
BIG_CREDIT_LIMIT = 1_000_000
CATEGORIES = ("on_time", "late", "partly_paid", "open_overdue", "open_not_due")


def log(message):
    now = CLOCKS["strftime"]("%H:%M:%S")  # the real time, also under freezegun
    print(f"[benchmark --credit {now}] {message}", file=sys.stderr, flush=True)


def fmt_money(cents):
    return f"{cents // 100}.{cents % 100:02d}"


# --------------------------------------------------------------------------
# Data generation
# --------------------------------------------------------------------------


class CreditGenerator(base.Generator):
    """Customers, invoices in instalments and their payments, in bulk SQL."""

    def __init__(self, env, customers, lines, big_items, day, seed):
        super().__init__(env, customers, 0, day, seed)
        self.n_lines = lines
        self.big_items = big_items

    # -- ORM part ---------------------------------------------------------

    def create_customers(self):
        super().create_customers()
        rng = self.rng
        big = self.customers[0]
        if self.big_items:
            big.name = "Rede Nacional de Supermercados S.A. (big customer)"
        self.profiles = [
            rng.choices(list(PROFILES), [p["weight"] for p in PROFILES.values()])[0]
            for _customer in self.customers
        ]
        limits = {}
        for index, customer in enumerate(self.customers):
            if index == 0 and self.big_items:
                limits.setdefault(BIG_CREDIT_LIMIT, []).append(customer.id)
            elif rng.random() < 0.4:
                limits.setdefault(rng.choice(CREDIT_LIMITS), []).append(customer.id)
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        for limit, ids in sorted(limits.items()):
            Partner.browse(ids).write({"credit_limit": limit})
        self.facts["credit_limits"] = sum(len(ids) for ids in limits.values())
        self.facts["profiles"] = {name: self.profiles.count(name) for name in PROFILES}

    def create_templates(self):
        from odoo import Command

        env, day = self.env, self.day
        days = datetime.timedelta
        admin = env.ref("base.user_admin")
        self.terms = {}
        for kind, spec in TERMS.items():
            self.terms[kind] = env["account.payment.term"].create(
                {
                    "name": "/".join(str(d) for _p, d in spec) + " days (benchmark)",
                    "line_ids": [
                        Command.create({"value": "percent", "value_amount": pct, "nb_days": d})
                        for pct, d in spec
                    ],
                }
            )
        partner = self.customers[1 if len(self.customers) > 1 else 0]
        Move = env["account.move"].with_context(tracking_disable=True)
        self.templates = {}
        for kind, offset in ((1, 100), (2, 40), (3, 70)):
            invoice_date = day - days(offset)
            self.templates[kind] = Move.create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "currency_id": self.currency.id,
                    "invoice_user_id": admin.id,
                    "invoice_date": invoice_date,
                    "date": invoice_date,
                    "invoice_payment_term_id": self.terms[kind].id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Mercadorias",
                                "quantity": 1,
                                "price_unit": 1000.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        moves = env["account.move"].union(*self.templates.values())
        moves.action_post()
        self.tpl_lines = {}
        for kind, move in self.templates.items():
            terms = move.line_ids.filtered(lambda line: line.display_type == "payment_term")
            terms = terms.sorted(lambda line: (line.date_maturity, line.id))
            products = move.line_ids - terms
            if (
                len(terms) != kind
                or len(products) != 1
                or products.display_type != "product"
                or move.state != "posted"
                or move.currency_id != self.company.currency_id
            ):
                raise RuntimeError(f"template invoice {move.name} is not as expected")
            self.tpl_lines[kind] = {"product": products, "terms": terms}
        # the template payment: the first template paid through Odoo's wizard, on time
        first = self.tpl_lines[1]["terms"]
        wizard = (
            env["account.payment.register"]
            .with_context(active_model="account.move.line", active_ids=first.ids)
            .create({"payment_date": first.date_maturity - days(2)})
        )
        payment = wizard._create_payments()
        env.flush_all()
        liquidity, counterpart, writeoff = payment._seek_for_lines()
        partial = first.matched_credit_ids
        if (
            len(payment) != 1
            or not payment.move_id
            or writeoff
            or len(liquidity) != 1
            or len(counterpart) != 1
            or len(partial) != 1
            or not first.full_reconcile_id
            or self.templates[1].payment_state != "paid"
        ):
            raise RuntimeError("the template payment is not as expected")
        self.tpl_payment = {
            "payment": payment,
            "liquidity": liquidity,
            "counterpart": counterpart,
            "partial": partial,
        }

    # -- the plan (Python) ------------------------------------------------

    def _split(self, cents, kind):
        """The instalments of an invoice of ``cents``, as Odoo's payment term splits it."""
        total = cents / 100
        parts, used = [], 0
        for index, (pct, _days) in enumerate(TERMS[kind]):
            if index == len(TERMS[kind]) - 1:
                parts.append(cents - used)
            else:
                part = round(self.currency.round(total * (pct / 100.0)) * 100)
                parts.append(part)
                used += part
        return parts

    def _fate(self, profile, invoice_date, due, cents):
        """(category, two_parts, [(payment date, cents)]) of one instalment."""
        rng, day = self.rng, self.day
        days = datetime.timedelta

        def between(start, end):
            return start + days(rng.randint(0, max(0, (end - start).days)))

        def part_of(low, high):
            return min(cents - 1, max(1, round(cents * rng.uniform(low, high))))

        if due >= day:  # not due yet
            draw = rng.random()
            if draw < 0.08:
                return "on_time", False, [(between(invoice_date, day), cents)]
            if draw < 0.12 and cents > 1:
                return "partly_paid", False, [(between(invoice_date, day), part_of(0.2, 0.8))]
            return "open_not_due", False, []
        draw = rng.random()
        if draw < profile["unpaid"]:
            return "open_overdue", False, []
        if draw < profile["unpaid"] + profile["partial"] and cents > 1:
            date = min(day, max(invoice_date, due + days(rng.randint(-10, 40))))
            return "partly_paid", False, [(date, part_of(0.2, 0.8))]
        if rng.random() < profile["late"]:
            delay = min(profile["cap"], 1 + int(rng.expovariate(1 / profile["delay"])))
            paid_on = due + days(delay)
            if paid_on > day:
                return "open_overdue", False, []
            category = "late"
        else:
            paid_on = due - days(rng.randint(0, min(10, (due - invoice_date).days)))
            category = "on_time"
        if rng.random() < TWO_PART_SHARE and cents > 1 and (paid_on - invoice_date).days >= 2:
            first_on = between(max(invoice_date, paid_on - days(30)), paid_on - days(1))
            first = part_of(0.3, 0.7)
            return category, True, [(first_on, first), (paid_on, cents - first)]
        return category, False, [(paid_on, cents)]

    def _big_fate(self, invoice_date, due, cents):
        rng, day = self.rng, self.day
        category = "open_not_due" if due >= day else "open_overdue"
        if rng.random() < 0.1 and cents > 1:
            date = invoice_date + datetime.timedelta(
                days=rng.randint(0, max(0, (day - invoice_date).days))
            )
            part = min(cents - 1, max(1, round(cents * rng.uniform(0.2, 0.8))))
            return "partly_paid", False, [(date, part)]
        return category, False, []

    def _draw_invoices(self):
        """[(customer index, kind, invoice date, cents, big)] adding up to the lines."""
        rng, day = self.rng, self.day
        days = datetime.timedelta
        kinds = list(KIND_WEIGHTS)

        def draw_kind(budget):
            allowed = [k for k in kinds if k <= budget]
            return rng.choices(allowed, [KIND_WEIGHTS[k] for k in allowed])[0]

        def draw_date(kind, oldest):
            # the last instalment (30 days per instalment) is due at most 30 days from now
            newest = min(0, 30 - 30 * kind)
            return day + days(rng.randint(-oldest, newest))

        invoices = []
        budget = self.big_items
        while budget > 0:
            kind = draw_kind(budget)
            cents = round(math.exp(rng.uniform(math.log(10_000), math.log(500_000))))
            invoices.append((0, kind, draw_date(kind, 150), cents, True))
            budget -= kind
        template_lines = sum(self.templates)  # a template of kind k has k instalments
        budget = self.n_lines - self.big_items - template_lines
        others = list(range(1 if self.big_items else 0, self.n_customers))
        if budget < len(others):
            raise SystemExit(
                f"benchmark: --lines {self.n_lines} is too few for {self.n_customers} customers "
                f"and {self.big_items} items of the big customer"
            )
        # every customer buys once, then the rest goes to customers by their size
        for position, index in enumerate(others):
            kind = draw_kind(budget - (len(others) - position - 1))
            invoices.append((index, kind, None, None, False))
            budget -= kind
        weights = [rng.paretovariate(2.0) for _index in others]
        cumulative = list(itertools.accumulate(weights))
        while budget > 0:
            kind = draw_kind(budget)
            pick = bisect.bisect(cumulative, rng.random() * cumulative[-1])
            invoices.append((others[min(pick, len(others) - 1)], kind, None, None, False))
            budget -= kind
        result = []
        for index, kind, invoice_date, cents, big in invoices:
            if not big:
                invoice_date = draw_date(kind, 365)
                cents = round(math.exp(rng.uniform(math.log(5_000), math.log(2_000_000))))
            result.append((index, kind, invoice_date, cents, big))
        return result

    def plan(self):
        """Every invoice, instalment, payment and reconciliation, with their ids."""
        days = datetime.timedelta
        invoices, payments = [], []
        counts = dict.fromkeys(CATEGORIES, 0)
        counts.update(two_parts=0)
        for index, kind, invoice_date, cents, big in self._draw_invoices():
            parts = self._split(cents, kind)
            instalments = []
            for position, (part, (_pct, offset)) in enumerate(zip(parts, TERMS[kind], strict=True)):
                due = invoice_date + days(offset)
                if big:
                    category, two, paid = self._big_fate(invoice_date, due, part)
                else:
                    category, two, paid = self._fate(
                        PROFILES[self.profiles[index]], invoice_date, due, part
                    )
                counts[category] += 1
                counts["two_parts"] += two
                instalments.append(
                    {
                        "position": position,
                        "due": due,
                        "cents": part,
                        "paid": paid,
                        "residual": part - sum(c for _d, c in paid),
                    }
                )
            invoices.append(
                {
                    "customer": index,
                    "partner_id": self.customers[index].id,
                    "kind": kind,
                    "invoice_date": invoice_date,
                    "cents": cents,
                    "instalments": instalments,
                    "residual": sum(i["residual"] for i in instalments),
                }
            )
        for invoice in invoices:
            for instalment in invoice["instalments"]:
                for paid_on, part in instalment["paid"]:
                    payments.append(
                        {
                            "invoice": invoice,
                            "instalment": instalment,
                            "date": paid_on,
                            "cents": part,
                        }
                    )
        self._assign_names(invoices, payments)
        n_fulls = self._assign_ids(invoices, payments)
        self.invoices, self.payments = invoices, payments
        self.plan_counts = counts
        self.plan_counts.update(
            invoices=len(invoices),
            payments=len(payments),
            full_reconciles=n_fulls,
            lines=sum(i["kind"] for i in invoices),
        )

    def _assign_ids(self, invoices, payments):
        """Ids of every row (reserved from the tables' sequences), reconciliation numbers."""
        cr = self.cr

        def reserve(sequence, count):
            cr.execute("SELECT nextval(%s)", [sequence])
            first = cr.fetchone()[0]
            if count > 1:
                cr.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first

        n_lines = sum(1 + i["kind"] for i in invoices) + 2 * len(payments)
        n_fulls = sum(
            1 for i in invoices for x in i["instalments"] if x["paid"] and not x["residual"]
        )
        move_id = reserve("account_move_id_seq", len(invoices) + len(payments))
        line_id = reserve("account_move_line_id_seq", n_lines)
        pay_id = reserve("account_payment_id_seq", len(payments))
        partial_id = reserve("account_partial_reconcile_id_seq", len(payments))
        full_id = reserve("account_full_reconcile_id_seq", max(1, n_fulls))
        for invoice in invoices:
            invoice["move_id"] = move_id
            move_id += 1
            invoice["product_line_id"] = line_id
            line_id += 1
            for instalment in invoice["instalments"]:
                instalment["line_id"] = line_id
                line_id += 1
        for payment in payments:
            payment.update(move_id=move_id, pay_id=pay_id, liquidity_id=line_id)
            payment["counterpart_id"] = line_id + 1
            move_id, pay_id, line_id = move_id + 1, pay_id + 1, line_id + 2
        for payment in sorted(payments, key=lambda p: (p["date"], p["move_id"])):
            payment["partial_id"] = partial_id
            partial_id += 1
        by_instalment = {}
        for payment in payments:
            by_instalment.setdefault(id(payment["instalment"]), []).append(payment)
        for invoice in invoices:
            for instalment in invoice["instalments"]:
                mine = by_instalment.get(id(instalment), [])
                instalment["full_id"] = None
                instalment["matching"] = None
                if mine and not instalment["residual"]:
                    instalment["full_id"] = full_id
                    instalment["matching"] = str(full_id)
                    full_id += 1
                elif mine:
                    instalment["matching"] = f"P{min(p['partial_id'] for p in mine)}"
            paid = not invoice["residual"]
            partly = any(x["paid"] for x in invoice["instalments"])
            invoice["payment_state"] = "paid" if paid else ("partial" if partly else "not_paid")
        return n_fulls

    def _assign_names(self, invoices, payments):
        """Names per journal and year, continuing the journal's sequences, in date order."""
        cr = self.cr

        def namer(move):
            match = re.fullmatch(r"(.*?)(\d{4})(\D*)", move.sequence_prefix)
            if not match:
                raise RuntimeError(f"unexpected sequence prefix {move.sequence_prefix!r}")
            head, _year, tail = match.groups()
            cr.execute(
                """
                SELECT sequence_prefix, MAX(sequence_number) FROM account_move
                 WHERE journal_id = %s GROUP BY sequence_prefix
                """,
                [move.journal_id.id],
            )
            last = dict(cr.fetchall())

            def name(date):
                prefix = f"{head}{date.year}{tail}"
                last[prefix] = number = last.get(prefix, 0) + 1
                return prefix, number, f"{prefix}{number:05d}"

            return name

        name_invoice = namer(self.templates[1])
        for invoice in sorted(invoices, key=lambda i: i["invoice_date"]):
            invoice["prefix"], invoice["number"], invoice["name"] = name_invoice(
                invoice["invoice_date"]
            )
        name_payment = namer(self.tpl_payment["payment"].move_id)
        for payment in sorted(payments, key=lambda p: p["date"]):
            payment["prefix"], payment["number"], payment["name"] = name_payment(payment["date"])

    # -- the SQL part -----------------------------------------------------

    def _copy(self, table, columns, rows):
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(r"\N" if value is None else str(value) for value in row) + "\n")
        buffer.seek(0)
        self.cr.copy_from(buffer, table, columns=columns)

    def _clone(self, table, overrides, source):
        """INSERT INTO table (every column) SELECT the template row ``t`` with overrides."""
        from odoo.tools import SQL

        columns = self._columns(table)
        select = SQL(", ").join(
            overrides.get(column, SQL.identifier("t", column)) for column in columns
        )
        self.cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT %s %s",
                SQL.identifier(table),
                SQL(", ").join(SQL.identifier(column) for column in columns),
                select,
                source,
            )
        )
        return self.cr.rowcount

    def write_sql(self):
        from odoo.tools import SQL

        cr = self.cr
        cr.execute(
            """
            CREATE TEMP TABLE bench_inv (
                move_id int PRIMARY KEY, tpl_id int, partner_id int, invoice_date date,
                due_last date, amount numeric, residual numeric, payment_state varchar,
                name varchar, prefix varchar, number int
            ) ON COMMIT DROP;
            CREATE TEMP TABLE bench_inv_line (
                line_id int PRIMARY KEY, move_id int, tpl_line_id int, amount numeric,
                date_maturity date, residual numeric, reconciled bool, full_id int,
                matching varchar
            ) ON COMMIT DROP;
            CREATE TEMP TABLE bench_pay (
                pay_id int PRIMARY KEY, move_id int, partner_id int, date date, amount numeric,
                name varchar, prefix varchar, number int, invoice_id int, inv_line_id int,
                liquidity_id int, counterpart_id int, partial_id int, full_id int,
                matching varchar, state varchar
            ) ON COMMIT DROP;
            """
        )
        inv_rows, line_rows, pay_rows = [], [], []
        for invoice in self.invoices:
            kind = invoice["kind"]
            instalments = invoice["instalments"]
            inv_rows.append(
                (
                    invoice["move_id"],
                    self.templates[kind].id,
                    invoice["partner_id"],
                    invoice["invoice_date"],
                    instalments[-1]["due"],
                    fmt_money(invoice["cents"]),
                    fmt_money(invoice["residual"]),
                    invoice["payment_state"],
                    invoice["name"],
                    invoice["prefix"],
                    invoice["number"],
                )
            )
            line_rows.append(
                (
                    invoice["product_line_id"],
                    invoice["move_id"],
                    self.tpl_lines[kind]["product"].id,
                    fmt_money(invoice["cents"]),
                    None,
                    "0",
                    "f",
                    None,
                    None,
                )
            )
            for instalment, tpl_line in zip(
                instalments, self.tpl_lines[kind]["terms"], strict=True
            ):
                line_rows.append(
                    (
                        instalment["line_id"],
                        invoice["move_id"],
                        tpl_line.id,
                        fmt_money(instalment["cents"]),
                        instalment["due"],
                        fmt_money(instalment["residual"]),
                        "f" if instalment["residual"] else "t",
                        instalment["full_id"],
                        instalment["matching"],
                    )
                )
        for payment in self.payments:
            invoice, instalment = payment["invoice"], payment["instalment"]
            pay_rows.append(
                (
                    payment["pay_id"],
                    payment["move_id"],
                    invoice["partner_id"],
                    payment["date"],
                    fmt_money(payment["cents"]),
                    payment["name"],
                    payment["prefix"],
                    payment["number"],
                    invoice["move_id"],
                    instalment["line_id"],
                    payment["liquidity_id"],
                    payment["counterpart_id"],
                    payment["partial_id"],
                    instalment["full_id"],
                    instalment["matching"],
                    "paid" if invoice["payment_state"] == "paid" else "in_process",
                )
            )
        self._copy(
            "bench_inv",
            [
                "move_id",
                "tpl_id",
                "partner_id",
                "invoice_date",
                "due_last",
                "amount",
                "residual",
                "payment_state",
                "name",
                "prefix",
                "number",
            ],
            inv_rows,
        )
        self._copy(
            "bench_inv_line",
            [
                "line_id",
                "move_id",
                "tpl_line_id",
                "amount",
                "date_maturity",
                "residual",
                "reconciled",
                "full_id",
                "matching",
            ],
            line_rows,
        )
        self._copy(
            "bench_pay",
            [
                "pay_id",
                "move_id",
                "partner_id",
                "date",
                "amount",
                "name",
                "prefix",
                "number",
                "invoice_id",
                "inv_line_id",
                "liquidity_id",
                "counterpart_id",
                "partial_id",
                "full_id",
                "matching",
                "state",
            ],
            pay_rows,
        )
        cr.execute("ANALYZE bench_inv; ANALYZE bench_inv_line; ANALYZE bench_pay")
        now = SQL("(NOW() AT TIME ZONE 'UTC')")

        def signed(column, amount):
            return SQL(
                "CASE WHEN %(col)s = 0 THEN 0 ELSE SIGN(%(col)s) * %(amount)s END",
                col=SQL.identifier("t", column),
                amount=amount,
            )

        amounts = (
            "amount_untaxed",
            "amount_total",
            "amount_untaxed_signed",
            "amount_untaxed_in_currency_signed",
            "amount_total_signed",
            "amount_total_in_currency_signed",
        )
        common_move = {
            "access_token": SQL("NULL"),
            "message_main_attachment_id": SQL("NULL"),
            "inalterable_hash": SQL("NULL"),
            "secure_sequence_number": SQL("NULL"),
            "create_date": now,
            "write_date": now,
        }
        # 0. the full reconciliations (the lines refer to them)
        cr.execute(
            SQL(
                """
                INSERT INTO account_full_reconcile (id, exchange_move_id, create_uid, create_date,
                                                    write_uid, write_date)
                SELECT DISTINCT b.full_id, NULL::int, t.create_uid, %(now)s, t.write_uid, %(now)s
                  FROM bench_pay b, account_full_reconcile t
                 WHERE b.full_id IS NOT NULL AND t.id = %(tpl)s
                 ORDER BY b.full_id
                """,
                now=now,
                tpl=self.tpl_payment["partial"].full_reconcile_id.id,
            )
        )
        fulls = cr.rowcount
        # 1. the invoices
        overrides = dict(
            common_move,
            id=SQL("b.move_id"),
            name=SQL("b.name"),
            sequence_prefix=SQL("b.prefix"),
            sequence_number=SQL("b.number"),
            payment_reference=SQL("b.name"),
            partner_id=SQL("b.partner_id"),
            commercial_partner_id=SQL("p.commercial_partner_id"),
            partner_shipping_id=SQL("b.partner_id"),
            invoice_partner_display_name=SQL("p.complete_name"),
            date=SQL("b.invoice_date"),
            invoice_date=SQL("b.invoice_date"),
            invoice_date_due=SQL("b.due_last"),
            payment_state=SQL("b.payment_state"),
            amount_residual=SQL("b.residual"),
            amount_residual_signed=SQL("b.residual"),
        )
        overrides.update({col: signed(col, SQL("b.amount")) for col in amounts})
        moves = self._clone(
            "account_move",
            overrides,
            SQL(
                """FROM bench_inv b
                   JOIN account_move t ON t.id = b.tpl_id
                   JOIN res_partner p ON p.id = b.partner_id
                  ORDER BY b.move_id"""
            ),
        )
        value = SQL("(SIGN(t.balance) * l.amount)")
        product = SQL("(l.date_maturity IS NULL)")
        overrides = {
            "id": SQL("l.line_id"),
            "move_id": SQL("b.move_id"),
            "move_name": SQL("b.name"),
            "partner_id": SQL("b.partner_id"),
            "date": SQL("b.invoice_date"),
            "invoice_date": SQL("b.invoice_date"),
            "date_maturity": SQL(
                "CASE WHEN %s THEN t.date_maturity + (b.invoice_date - tm.invoice_date) "
                "ELSE l.date_maturity END",
                product,
            ),
            "name": SQL("REPLACE(t.name, tm.name, b.name)"),
            "balance": value,
            "amount_currency": value,
            "debit": SQL("GREATEST(%s, 0)", value),
            "credit": SQL("GREATEST(-%s, 0)", value),
            "amount_residual": SQL("CASE WHEN %s THEN 0 ELSE l.residual END", product),
            "amount_residual_currency": SQL("CASE WHEN %s THEN 0 ELSE l.residual END", product),
            "price_unit": SQL("CASE WHEN %s THEN l.amount ELSE t.price_unit END", product),
            "price_subtotal": SQL("CASE WHEN %s THEN l.amount ELSE t.price_subtotal END", product),
            "price_total": SQL("CASE WHEN %s THEN l.amount ELSE t.price_total END", product),
            "reconciled": SQL("CASE WHEN %s THEN t.reconciled ELSE l.reconciled END", product),
            "full_reconcile_id": SQL("l.full_id"),
            "matching_number": SQL("l.matching"),
            "create_date": now,
            "write_date": now,
        }
        lines = self._clone(
            "account_move_line",
            overrides,
            SQL(
                """FROM bench_inv_line l
                   JOIN bench_inv b ON b.move_id = l.move_id
                   JOIN account_move_line t ON t.id = l.tpl_line_id
                   JOIN account_move tm ON tm.id = b.tpl_id
                  ORDER BY l.line_id"""
            ),
        )
        # 2. the payments' journal entries, their lines, the payments
        tpl = self.tpl_payment
        tpl_pay = tpl["payment"]
        overrides = dict(
            common_move,
            id=SQL("b.move_id"),
            name=SQL("b.name"),
            sequence_prefix=SQL("b.prefix"),
            sequence_number=SQL("b.number"),
            partner_id=SQL("b.partner_id"),
            commercial_partner_id=SQL("p.commercial_partner_id"),
            date=SQL("b.date"),
            ref=SQL("REPLACE(t.ref, %s, il.name)", tpl["partial"].debit_move_id.name),
            origin_payment_id=SQL("NULL"),  # set once the payments exist (a cycle of keys)
            invoice_partner_display_name=SQL(
                "CASE WHEN t.invoice_partner_display_name IS NULL THEN NULL "
                "ELSE p.complete_name END"
            ),
        )
        overrides.update(
            {
                col: signed(col, SQL("b.amount"))
                for col in amounts + ("amount_residual", "amount_residual_signed")
            }
        )
        pay_source = SQL(
            """FROM bench_pay b
               JOIN account_move t ON t.id = %s
               JOIN res_partner p ON p.id = b.partner_id
               JOIN account_move_line il ON il.id = b.inv_line_id
              ORDER BY b.move_id""",
            tpl_pay.move_id.id,
        )
        pay_moves = self._clone("account_move", overrides, pay_source)
        tpl_memo = tpl_pay.memo or ""
        tpl_inv_line_name = tpl["partial"].debit_move_id.name
        memo = SQL("REPLACE(%s, %s, il.name)", tpl_memo, tpl_inv_line_name)
        overrides = {
            "id": SQL("b.pay_id"),
            "move_id": SQL("b.move_id"),
            "partner_id": SQL("b.partner_id"),
            "name": SQL("b.name"),
            "memo": memo,
            "date": SQL("b.date"),
            "amount": SQL("b.amount"),
            "amount_company_currency_signed": SQL(
                "SIGN(t.amount_company_currency_signed) * b.amount"
            ),
            "state": SQL("b.state"),
            "message_main_attachment_id": SQL("NULL"),
            "create_date": now,
            "write_date": now,
        }
        pays = self._clone(
            "account_payment",
            overrides,
            SQL(
                """FROM bench_pay b
                   JOIN account_payment t ON t.id = %s
                   JOIN account_move_line il ON il.id = b.inv_line_id
                  ORDER BY b.pay_id""",
                tpl_pay.id,
            ),
        )
        cr.execute(
            """
            UPDATE account_move move SET origin_payment_id = b.pay_id
              FROM bench_pay b WHERE move.id = b.move_id
            """
        )
        cp = SQL("(t.id = %s)", tpl["counterpart"].id)
        value = SQL("(SIGN(t.balance) * b.amount)")
        overrides = {
            "id": SQL("CASE WHEN %s THEN b.counterpart_id ELSE b.liquidity_id END", cp),
            "move_id": SQL("b.move_id"),
            "move_name": SQL("b.name"),
            "partner_id": SQL("b.partner_id"),
            "date": SQL("b.date"),
            "date_maturity": SQL("b.date"),
            "name": SQL("REPLACE(t.name, %s, %s)", tpl_memo, memo),
            "payment_id": SQL("b.pay_id"),
            "balance": value,
            "amount_currency": value,
            "debit": SQL("GREATEST(%s, 0)", value),
            "credit": SQL("GREATEST(-%s, 0)", value),
            "amount_residual": SQL("CASE WHEN %s THEN 0 ELSE %s END", cp, value),
            "amount_residual_currency": SQL("CASE WHEN %s THEN 0 ELSE %s END", cp, value),
            "reconciled": SQL("%s", cp),
            "full_reconcile_id": SQL("CASE WHEN %s THEN b.full_id END", cp),
            "matching_number": SQL("CASE WHEN %s THEN b.matching END", cp),
            "price_subtotal": value,
            "price_total": value,
            "create_date": now,
            "write_date": now,
        }
        pay_lines = self._clone(
            "account_move_line",
            overrides,
            SQL(
                """FROM bench_pay b
                   JOIN account_move_line t ON t.id IN %s
                   JOIN account_move_line il ON il.id = b.inv_line_id
                  ORDER BY b.move_id, t.id""",
                (tpl["liquidity"].id, tpl["counterpart"].id),
            ),
        )
        cr.execute(
            """
            INSERT INTO account_move__account_payment (invoice_id, payment_id)
            SELECT DISTINCT invoice_id, pay_id FROM bench_pay
            """
        )
        # 3. the partial reconciliations
        overrides = {
            "id": SQL("b.partial_id"),
            "debit_move_id": SQL("b.inv_line_id"),
            "credit_move_id": SQL("b.counterpart_id"),
            "full_reconcile_id": SQL("b.full_id"),
            "amount": SQL("b.amount"),
            "debit_amount_currency": SQL("b.amount"),
            "credit_amount_currency": SQL("b.amount"),
            "max_date": SQL("b.date"),
            "create_date": now,
            "write_date": now,
        }
        partials = self._clone(
            "account_partial_reconcile",
            overrides,
            SQL(
                """FROM bench_pay b JOIN account_partial_reconcile t ON t.id = %s
                  ORDER BY b.partial_id""",
                tpl["partial"].id,
            ),
        )
        self.facts.update(
            cloned_invoices=moves,
            cloned_invoice_lines=lines,
            cloned_payments=pays,
            cloned_payment_moves=pay_moves,
            cloned_payment_lines=pay_lines,
            cloned_partials=partials,
            cloned_full_reconciles=fulls,
        )
        if (moves, pays, pay_moves, partials, fulls) != (
            len(self.invoices),
            len(self.payments),
            len(self.payments),
            len(self.payments),
            self.plan_counts["full_reconciles"],
        ) or pay_lines != 2 * len(self.payments):
            raise RuntimeError(f"cloned other counts than planned: {self.facts}")

    # -- checks -----------------------------------------------------------

    def check(self, before):
        """Odoo must find what the generator planned (raises RuntimeError otherwise)."""
        env, cr = self.env, self.cr
        env.invalidate_all()
        after = data_facts(cr, self.company.id, self.day, self.customers[0].id)
        for key in CATEGORIES + ("two_parts",):
            if after["categories"][key] - before["categories"][key] != self.plan_counts[key]:
                raise RuntimeError(
                    f"{key}: {after['categories'][key]} in the database, "
                    f"{before['categories'][key]} + {self.plan_counts[key]} planned"
                )
        # a. SQL invariants
        checks = {
            "unbalanced entries": """
                SELECT COUNT(*) FROM (SELECT move_id FROM account_move_line GROUP BY move_id
                 HAVING SUM(balance) != 0 OR SUM(debit) != SUM(credit)) x""",
            "duplicated names": """
                SELECT COUNT(*) FROM (SELECT name, journal_id FROM account_move
                 WHERE state = 'posted' GROUP BY 1, 2 HAVING COUNT(*) > 1) x""",
            "full reconciliations not balanced or with an open line": """
                SELECT COUNT(*) FROM (SELECT full_reconcile_id FROM account_move_line
                 WHERE full_reconcile_id IS NOT NULL GROUP BY 1
                HAVING SUM(balance) != 0 OR BOOL_OR(amount_residual != 0)
                    OR BOOL_OR(NOT reconciled)) x""",
            "residuals not matching the partials": """
                SELECT COUNT(*) FROM account_move_line aml
                  JOIN account_account a ON a.id = aml.account_id
                  LEFT JOIN (SELECT line_id, SUM(amount) AS amount FROM (
                        SELECT debit_move_id AS line_id, amount FROM account_partial_reconcile
                        UNION ALL
                        SELECT credit_move_id, -amount FROM account_partial_reconcile) y
                      GROUP BY line_id) p ON p.line_id = aml.id
                 WHERE a.account_type = 'asset_receivable'
                   AND aml.amount_residual != aml.balance - COALESCE(p.amount, 0)""",
            "reconciled flags not matching the residuals": """
                SELECT COUNT(*) FROM account_move_line aml
                  JOIN account_account a ON a.id = aml.account_id
                 WHERE a.reconcile AND aml.reconciled != (aml.amount_residual = 0)""",
            "invoice residuals not the sum of their instalments": """
                SELECT COUNT(*) FROM account_move m
                  JOIN (SELECT aml.move_id, SUM(aml.amount_residual) AS residual
                          FROM account_move_line aml
                          JOIN account_account a ON a.id = aml.account_id
                         WHERE a.account_type = 'asset_receivable' GROUP BY 1) r
                    ON r.move_id = m.id
                 WHERE m.move_type = 'out_invoice' AND m.amount_residual != r.residual""",
        }
        for label, query in checks.items():
            cr.execute(query)
            if cr.fetchone()[0]:
                raise RuntimeError(label)
        cr.execute(
            "SELECT MAX(max_date) FROM account_partial_reconcile",
        )
        if cr.fetchone()[0] > self.day:
            raise RuntimeError("a payment after the data's day")
        # b. Odoo's read_group against the plan
        expected = {}
        for invoice in self.invoices:
            state = expected.setdefault(invoice["payment_state"], [0, 0, 0])
            state[0] += 1
            state[1] += invoice["residual"]
            state[2] += invoice["cents"]
        for move in self.templates.values():
            state = expected.setdefault(move.payment_state, [0, 0, 0])
            state[0] += 1
            state[1] += round(move.amount_residual * 100)
            state[2] += round(move.amount_total * 100)
        groups = env["account.move"]._read_group(
            [("move_type", "=", "out_invoice"), ("state", "=", "posted")],
            ["payment_state"],
            ["__count", "amount_residual:sum", "amount_total:sum"],
        )
        seen = {
            state: [count, round(residual * 100), round(total * 100)]
            for state, count, residual, total in groups
        }
        if seen != expected:
            raise RuntimeError(f"invoices by payment state: Odoo sees {seen}, planned {expected}")
        payments = env["account.payment"]._read_group(
            [("partner_type", "=", "customer")], ["state"], ["__count", "amount:sum"]
        )
        planned_pay = {}
        for payment in self.payments:
            state = "paid" if payment["invoice"]["payment_state"] == "paid" else "in_process"
            entry = planned_pay.setdefault(state, [0, 0])
            entry[0] += 1
            entry[1] += payment["cents"]
        tpl_pay = self.tpl_payment["payment"]
        entry = planned_pay.setdefault(tpl_pay.state, [0, 0])
        entry[0] += 1
        entry[1] += round(tpl_pay.amount * 100)
        seen_pay = {state: [count, round(amount * 100)] for state, count, amount in payments}
        if seen_pay != planned_pay:
            raise RuntimeError(f"payments: Odoo sees {seen_pay}, planned {planned_pay}")
        # c. a sample recomputed by Odoo's own compute methods
        self._check_sample()
        # d. Odoo works on the generated reconciliations
        self._check_orm_operations()
        self.facts["data"] = after

    def _check_sample(self):
        env, cr, rng = self.env, self.cr, self.rng
        sample = rng.sample(self.invoices, min(300, len(self.invoices)))
        # make sure the sample has every kind of instalment fate
        for state in ("paid", "partial", "not_paid"):
            sample += [i for i in self.invoices if i["payment_state"] == state][:20]
        sample += [i for i in self.invoices if i["customer"] == 0][:20]
        invoice_ids = sorted({i["move_id"] for i in sample})
        wanted = set(invoice_ids)
        payment_ids = sorted(
            {p["pay_id"] for p in self.payments if p["invoice"]["move_id"] in wanted}
        )
        payments = env["account.payment"].browse(payment_ids)
        moves = env["account.move"].browse(invoice_ids) | payments.move_id
        move_fields = [
            "amount_untaxed",
            "amount_tax",
            "amount_total",
            "amount_residual",
            "amount_untaxed_signed",
            "amount_total_signed",
            "amount_residual_signed",
            "amount_total_in_currency_signed",
            "payment_state",
        ]
        line_fields = [
            "amount_residual",
            "amount_residual_currency",
            "reconciled",
            "debit",
            "credit",
            "balance",
            "matching_number",
            "full_reconcile_id",
        ]
        pay_fields = ["state", "is_reconciled", "is_matched", "amount_company_currency_signed"]

        def snapshot():
            rows = []
            for table, ids, columns, key in (
                ("account_move", moves.ids, move_fields, "id"),
                ("account_move_line", moves.ids, line_fields, "move_id"),
                ("account_payment", payments.ids, pay_fields, "id"),
            ):
                cr.execute(
                    f"SELECT id, {', '.join(columns)} FROM {table} "
                    f"WHERE {key} = ANY(%s) ORDER BY id",
                    [ids],
                )
                rows.append(cr.fetchall())
            return rows

        before = snapshot()
        cr.execute("SAVEPOINT bench_check")
        lines = moves.line_ids
        lines._constrains_matching_number()
        for name in ("amount_residual", "amount_residual_currency", "reconciled"):
            env.add_to_compute(lines._fields[name], lines)
        for name in move_fields:
            env.add_to_compute(moves._fields[name], moves)
        for name in pay_fields:
            env.add_to_compute(payments._fields[name], payments)
        env.flush_all()
        env["account.partial.reconcile"]._update_matching_number(lines)
        env.flush_all()
        after = snapshot()
        cr.execute("ROLLBACK TO SAVEPOINT bench_check")
        env.invalidate_all()
        if before != after:
            for old, new in zip(before, after, strict=True):
                diff = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
                if diff:
                    raise RuntimeError(f"Odoo recomputes other values: {diff[:5]}")
        # the instalments as Odoo's payment terms split them
        for invoice in sample[:100]:
            move = env["account.move"].browse(invoice["move_id"])
            amount = invoice["cents"] / 100
            terms = move.invoice_payment_term_id._compute_terms(
                invoice["invoice_date"], self.currency, self.company, 0.0, 0.0, 1, amount, amount
            )
            odoo = [(t["date"], round(t["company_amount"] * 100)) for t in terms["line_ids"]]
            mine = [(i["due"], i["cents"]) for i in invoice["instalments"]]
            if odoo != mine:
                raise RuntimeError(f"{move.name}: instalments {mine}, Odoo's terms {odoo}")
        # the customers' credit (Odoo's res.partner.credit) against the plan
        expected = {}
        for invoice in self.invoices:
            expected[invoice["partner_id"]] = (
                expected.get(invoice["partner_id"], 0) + invoice["residual"]
            )
        for move in self.templates.values():
            partner_id = move.partner_id.id
            expected[partner_id] = expected.get(partner_id, 0) + round(move.amount_residual * 100)
        partner_ids = rng.sample(sorted(expected), min(200, len(expected)))
        partner_ids.append(self.customers[0].id)
        env.invalidate_all()
        partners = env["res.partner"].with_company(self.company).browse(partner_ids)
        for partner in partners:
            if round(partner.credit * 100) != expected[partner.id]:
                raise RuntimeError(
                    f"credit of {partner.name}: Odoo {partner.credit}, planned "
                    f"{expected[partner.id] / 100}"
                )
        self.facts["checked_sample"] = {
            "invoices": len(invoice_ids),
            "payments": len(payment_ids),
            "lines": len(lines),
            "partners": len(partner_ids),
        }

    def _check_orm_operations(self):
        """In a savepoint: Odoo pays the rest of a partly paid instalment, and unreconciles
        an instalment paid in two parts."""
        env, cr = self.env, self.cr
        partly = next(
            (
                (invoice, instalment)
                for invoice in self.invoices
                for instalment in invoice["instalments"]
                if instalment["paid"] and instalment["residual"]
            ),
            None,
        )
        two = next(
            (
                (invoice, instalment)
                for invoice in self.invoices
                for instalment in invoice["instalments"]
                if len(instalment["paid"]) == 2 and not instalment["residual"]
            ),
            None,
        )
        cr.execute("SAVEPOINT bench_orm")
        if partly:
            invoice, instalment = partly
            line = env["account.move.line"].browse(instalment["line_id"])
            wizard = (
                env["account.payment.register"]
                .with_context(active_model="account.move.line", active_ids=line.ids)
                .create({"payment_date": self.day})
            )
            if round(wizard.amount * 100) != instalment["residual"]:
                raise RuntimeError(f"the wizard proposes {wizard.amount} for {line.name}")
            wizard._create_payments()
            env.flush_all()
            others_open = any(x["residual"] for x in invoice["instalments"] if x is not instalment)
            if (
                not line.reconciled
                or not line.full_reconcile_id
                or line.matching_number != str(line.full_reconcile_id.id)
                or line.move_id.payment_state != ("partial" if others_open else "paid")
            ):
                raise RuntimeError(f"Odoo could not pay the rest of {line.name}")
        if two:
            invoice, instalment = two
            line = env["account.move.line"].browse(instalment["line_id"])
            line.remove_move_reconcile()
            env.flush_all()
            if (
                line.reconciled
                or line.amount_residual != line.balance
                or line.matched_credit_ids
                or line.move_id.payment_state == "paid"
            ):
                raise RuntimeError(f"Odoo could not unreconcile {line.name}")
        cr.execute("ROLLBACK TO SAVEPOINT bench_orm")
        env.invalidate_all()

    def run(self):
        started = time.time()
        self.setup_company()
        self.create_customers()
        self.create_templates()
        self.env.flush_all()
        log(
            f"ORM part done in {time.time() - started:.1f}s ({self.n_customers} customers, "
            f"{len(self.templates)} template invoices, 1 template payment)"
        )
        before = data_facts(self.cr, self.company.id, self.day, self.customers[0].id)
        step = time.time()
        self.plan()
        log(
            f"planned {len(self.invoices)} invoices, {len(self.payments)} payments "
            f"in {time.time() - step:.1f}s"
        )
        step = time.time()
        self.write_sql()
        log(f"wrote them in SQL in {time.time() - step:.1f}s: {self.facts}")
        step = time.time()
        self.check(before)
        log(f"checked by Odoo in {time.time() - step:.1f}s")
        self.facts.update(
            big_customer_id=self.customers[0].id if self.big_items else None,
            company_id=self.company.id,
        )
        return self.facts


def data_facts(cr, company_id, day, big_id):
    """What the database holds: receivable lines by fate, invoices, payments, big customer."""
    cr.execute(
        """
        WITH rec AS (
            SELECT aml.id, aml.move_id, aml.partner_id, aml.date_maturity, aml.balance,
                   aml.amount_residual, aml.reconciled,
                   (SELECT MAX(p.max_date) FROM account_partial_reconcile p
                     WHERE p.debit_move_id = aml.id) AS paid_on,
                   (SELECT COUNT(*) FROM account_partial_reconcile p
                     WHERE p.debit_move_id = aml.id) AS parts
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account a ON a.id = aml.account_id
             WHERE aml.company_id = %(company)s AND move.move_type = 'out_invoice'
               AND aml.parent_state = 'posted' AND a.account_type = 'asset_receivable'
        )
        SELECT COUNT(*),
               COUNT(*) FILTER (WHERE reconciled AND paid_on <= date_maturity),
               COUNT(*) FILTER (WHERE reconciled AND paid_on > date_maturity),
               COUNT(*) FILTER (WHERE NOT reconciled AND parts > 0),
               COUNT(*) FILTER (WHERE NOT reconciled AND parts = 0
                                  AND date_maturity < %(day)s),
               COUNT(*) FILTER (WHERE NOT reconciled AND parts = 0
                                  AND date_maturity >= %(day)s),
               COUNT(*) FILTER (WHERE reconciled AND parts > 1),
               COUNT(*) FILTER (WHERE NOT reconciled),
               COALESCE(SUM(amount_residual), 0),
               COUNT(DISTINCT partner_id),
               COUNT(DISTINCT move_id),
               MIN(date_maturity), MAX(date_maturity),
               COUNT(*) FILTER (WHERE partner_id = %(big)s AND NOT reconciled),
               COUNT(*) FILTER (WHERE partner_id = %(big)s AND NOT reconciled
                                  AND date_maturity < %(day)s),
               COUNT(*) FILTER (WHERE partner_id = %(big)s AND NOT reconciled AND parts > 0),
               COALESCE(SUM(amount_residual) FILTER (WHERE partner_id = %(big)s), 0)
          FROM rec
        """,
        {"company": company_id, "day": day, "big": big_id},
    )
    row = cr.fetchone()
    cr.execute(
        """
        SELECT n, COUNT(*) FROM (
            SELECT move.id, COUNT(*) AS n FROM account_move move
              JOIN account_move_line aml ON aml.move_id = move.id
              JOIN account_account a ON a.id = aml.account_id
             WHERE move.move_type = 'out_invoice' AND move.company_id = %(company)s
               AND a.account_type = 'asset_receivable'
             GROUP BY move.id) x
         GROUP BY n ORDER BY n
        """,
        {"company": company_id},
    )
    by_instalments = {str(n): count for n, count in cr.fetchall()}
    cr.execute(
        """
        SELECT MIN(invoice_date), MAX(invoice_date),
               (SELECT COUNT(*) FROM account_payment WHERE company_id = %(company)s),
               (SELECT COUNT(*) FROM account_partial_reconcile WHERE company_id = %(company)s),
               (SELECT COUNT(*) FROM account_full_reconcile),
               (SELECT COUNT(*) FROM account_move_line WHERE company_id = %(company)s)
          FROM account_move WHERE move_type = 'out_invoice' AND company_id = %(company)s
        """,
        {"company": company_id},
    )
    first_invoice, last_invoice, payments, partials, fulls, all_lines = cr.fetchone()
    return {
        "receivable_lines": row[0],
        "categories": dict(zip(CATEGORIES + ("two_parts",), row[1:7], strict=True)),
        "open_lines": row[7],
        "open_amount": float(row[8]),
        "customers_with_lines": row[9],
        "invoices": row[10],
        "invoices_by_instalments": by_instalments,
        "first_due": str(row[11]),
        "last_due": str(row[12]),
        "first_invoice": str(first_invoice),
        "last_invoice": str(last_invoice),
        "big_open": row[13],
        "big_overdue": row[14],
        "big_partly_paid": row[15],
        "big_open_amount": float(row[16]),
        "payments": payments,
        "partials": partials,
        "full_reconciles": fulls,
        "journal_items": all_lines,
    }


def build_template(args, conf, template):
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    building = f"{template}_building"
    base.drop_db(building)
    started = time.time()
    base.install_module(conf, building)
    log(f"installed in {time.time() - started:.0f}s; generating the data")
    registry = Registry(building)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        facts = CreditGenerator(
            env, args.customers, args.lines, args.big_items, args.date, args.seed
        ).run()
        facts.update(
            generator_version=GENERATOR_VERSION,
            date=str(args.date),
            seed=args.seed,
            module_hash=base.module_hash(),
            built_in_seconds=round(time.time() - started, 1),
        )
        env["ir.config_parameter"].set_param("cobranca_benchmark.facts", json.dumps(facts))
    base.close_registry(building)
    base.psql("VACUUM ANALYZE", db=building)
    base.drop_db(template)
    base.psql(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
    if os.path.isdir(base.filestore(building)):
        os.rename(base.filestore(building), base.filestore(template))
    log(f"template {template} built in {time.time() - started:.0f}s")
    return facts


def ensure_template(args, conf):
    prefix = os.environ.get("COBRANCA_BENCH_DB_PREFIX", "cobranca_bench")
    template = f"{prefix}_credit_{args.customers}_{args.lines}_{args.big_items}"
    if args.rebuild or not base.db_exists(template):
        return template, build_template(args, conf, template), "generated now"
    facts = base.template_facts(template)
    if (
        not facts
        or facts.get("generator_version") != GENERATOR_VERSION
        or facts.get("date") != str(args.date)
        or facts.get("seed") != args.seed
    ):
        log(f"{template} was generated differently (version, --date or --seed): rebuilding")
        return template, build_template(args, conf, template), "generated now"
    current = base.module_hash()
    if facts.get("module_hash") != current:
        log(f"{base.MODULE} changed since {template} was built: upgrading it in the template")
        base.upgrade_module(conf, template)
        facts["module_hash"] = current
        base.psql(
            "UPDATE ir_config_parameter SET value = $json$" + json.dumps(facts) + "$json$ "
            "WHERE key = 'cobranca_benchmark.facts'",
            db=template,
        )
        base.psql("VACUUM ANALYZE", db=template)
        return template, facts, "reused (module upgraded)"
    return template, facts, "reused"


# --------------------------------------------------------------------------
# OCA account_financial_risk
# --------------------------------------------------------------------------


def oca_version(module=OCA_MODULE):
    """The installed OCA ``module``'s version and folder, or None."""
    import importlib.util

    spec = importlib.util.find_spec(f"odoo.addons.{module}")
    if not spec or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        manifest = os.path.join(folder, "__manifest__.py")
        if os.path.isfile(manifest):
            import ast

            with open(manifest) as handle:
                return ast.literal_eval(handle.read()).get("version"), folder
    return None


def ensure_oca(args, module=OCA_MODULE, requirement=OCA_REQUIREMENT):
    """The version and folder of the OCA ``module`` (18.0), installed from
    requirements-bench.txt first with ``--install-oca``; fails without it."""
    found = oca_version(module)
    if not found and args.install_oca:
        log(f"installing {requirement} (requirements-bench.txt) into {sys.prefix}")
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--no-deps", "-r", REQUIREMENTS], check=True
        )
        import importlib

        importlib.invalidate_caches()
        found = oca_version(module)
    if not found:
        base.fail(
            f"OCA {module} is not installed in {sys.prefix}: install it with\n"
            f"    {sys.executable} -m pip install -r {REQUIREMENTS}\n"
            "or run with --install-oca (or --no-oca to skip the comparison)"
        )
    version, folder = found
    if not version.startswith("18.0."):
        base.fail(f"{module} {version} found in {folder}, 18.0.* needed")
    return version, folder


def odoo_bin(conf, dbname, *options):
    """Run odoo-bin --stop-after-init; return its wall time."""
    cmd = [
        sys.executable,
        os.path.join(base.odoo_root(), "odoo-bin"),
        "-c",
        conf,
        "-d",
        dbname,
        *options,
        "--stop-after-init",
    ]
    log(" ".join(shlex.quote(part) for part in cmd))
    started = CLOCKS["wall"]()
    result = subprocess.run(cmd, env=base.pg_env(), capture_output=True, text=True)
    wall = CLOCKS["wall"]() - started
    errors = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if re.search(r" (ERROR|CRITICAL) ", line)
    ]
    if result.returncode or errors:
        sys.stderr.write(result.stdout + result.stderr)
        base.fail(f"odoo-bin {' '.join(options)} on {dbname} failed")
    return wall


def install_oca(conf, dbname):
    """Install account_financial_risk on a measured copy; configure every customer's risk
    to include open and unpaid invoices (what a user of it sets)."""
    load = odoo_bin(conf, dbname)
    install = odoo_bin(conf, dbname, "-i", OCA_MODULE)
    base.psql(
        """
        UPDATE res_partner SET risk_invoice_open_include = TRUE,
                               risk_invoice_unpaid_include = TRUE
         WHERE customer_rank > 0;
        ANALYZE res_partner;
        """,
        db=dbname,
    )
    return {"load_wall": load, "install_wall": install}


# --------------------------------------------------------------------------
# Measurement (child processes)
# --------------------------------------------------------------------------


def vm_hwm_kb():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Meter:
    """Runs measured steps, each in a fresh environment (new cursor, empty cache)."""

    def __init__(self, registry, trace_memory):
        self.registry = registry
        self.trace = trace_memory
        self.results = {}

    def step(self, name, fn, rows, commit=False):
        import odoo.sql_db
        from odoo import SUPERUSER_ID, api

        gc.collect()
        base.reset_peak_rss()
        if self.trace:
            tracemalloc.reset_peak()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            q0, t0, c0 = odoo.sql_db.sql_counter, CLOCKS["wall"](), CLOCKS["cpu"]()
            value = fn(env)
            env.flush_all()
            if commit:
                cr.commit()
            t1, q1, c1 = CLOCKS["wall"](), odoo.sql_db.sql_counter, CLOCKS["cpu"]()
            if not commit:
                cr.rollback()
        result = {
            "wall": t1 - t0,
            "cpu": c1 - c0,
            "queries": q1 - q0,
            "rows": rows,
            "rss_peak_kb": vm_hwm_kb(),
            "py_peak": tracemalloc.get_traced_memory()[1] if self.trace else None,
            "value": value,
        }
        self.results.setdefault(name, []).append(result)
        log(
            f"  {name}: {result['wall']:.3f}s wall, {result['cpu']:.3f}s CPU, "
            f"{result['queries']} queries"
        )
        return result


def measure_child(args):
    """--measure-ours DB / --measure-oca DB: measure and write the results as JSON."""
    import freezegun

    from odoo.modules.registry import Registry

    dbname = args.measure_ours or args.measure_oca
    facts = base.template_facts(dbname)
    company_id, big_id = facts["company_id"], facts["big_customer_id"]
    registry = Registry(dbname)
    with registry.cursor() as cr:
        cr.execute(
            """
            SELECT id FROM res_partner
             WHERE customer_rank > 0 AND parent_id IS NULL AND active
             ORDER BY complete_name, id DESC
            """
        )
        customer_ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            """
            SELECT COUNT(*) FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account a ON a.id = aml.account_id
             WHERE move.move_type = 'out_invoice' AND aml.parent_state = 'posted'
               AND a.account_type = 'asset_receivable'
            """
        )
        receivable_lines = cr.fetchone()[0]
    page_ids = customer_ids[: args.page]
    big_items = facts["data"]["big_open"]
    if args.trace_memory:
        tracemalloc.start()
    meter = Meter(registry, args.trace_memory)
    extra = {}
    # the clock at the data's day, 09:00 in São Paulo (timings use CLOCKS, not patched)
    freezer = freezegun.freeze_time(f"{args.date} 12:00:00", tick=True)
    freezer.start()
    try:
        if args.measure_ours:
            measure_ours(args, meter, company_id, big_id, page_ids, customer_ids, extra, facts)
        else:
            measure_oca(args, meter, big_id, page_ids, customer_ids, extra)
    finally:
        freezer.stop()
    result = {
        "db": dbname,
        "steps": meter.results,
        "customers": len(customer_ids),
        "receivable_lines": receivable_lines,
        "big_items": big_items,
        "page": len(page_ids),
        **extra,
    }
    with open(args.json_out, "w") as handle:
        json.dump(result, handle, default=str)


def measure_ours(args, meter, company_id, big_id, page_ids, customer_ids, extra, facts):
    lines = facts["data"]["receivable_lines"]

    def score(env):
        company = env["res.company"].browse(company_id)
        return env["cobranca.partner.score"]._score_company(company, today=args.date)

    log("ours: scoring")
    meter.step("score_first", score, lines, commit=True)
    meter.step("score_second", score, lines, commit=True)
    if args.profile:
        extra["profile"] = profile_scoring(meter.registry, company_id, args.date)

    def credit_data(ids):
        def run(env):
            company = env["res.company"].browse(company_id)
            data = env["res.partner"].browse(ids)._cobranca_credit_data(company)
            return status_counts(data)

        return run

    def status(ids):
        def run(env):
            partners = env["res.partner"].with_company(company_id).browse(ids)
            return dict(sorted(_count(partners.mapped("cobranca_credit_status")).items()))

        return run

    big = [big_id] if big_id else page_ids[:1]
    big_items = facts["data"]["big_open"]
    log("ours: credit status")
    for call in range(args.calls + 1):
        name = "" if call else "_cold"
        meter.step("data_big" + name, credit_data(big), big_items)
        meter.step("status_big" + name, status(big), big_items)
        meter.step("status_page" + name, status(page_ids), len(page_ids))
    for _call in range(max(1, args.calls // 2)):
        meter.step("data_all", credit_data(customer_ids), len(customer_ids))
    if args.profile:
        extra["explain"] = explain_ours(meter.registry, company_id, big_id, args.date)


def _count(values):
    counts = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def status_counts(data):
    return dict(sorted(_count(values["status"] for values in data.values()).items()))


def profile_scoring(registry, company_id, day):
    """One more scoring run (nothing changed) under cProfile, with the time of each SQL
    statement: where the time goes."""
    from odoo import SUPERUSER_ID, api

    statements = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["res.company"].browse(company_id)
        execute = cr.execute

        def timed(query, params=None, log_exceptions=True):
            started = CLOCKS["wall"]()
            try:
                return execute(query, params, log_exceptions)
            finally:
                text = query.code if hasattr(query, "code") else str(query)
                statements.append((CLOCKS["wall"]() - started, " ".join(text.split())[:90]))

        copy_expert = cr.copy_expert

        def timed_copy(sql, file, *args):
            started = CLOCKS["wall"]()
            try:
                return copy_expert(sql, file, *args)
            finally:
                statements.append((CLOCKS["wall"]() - started, " ".join(sql.split())[:90]))

        profiler = cProfile.Profile()
        cr.execute = timed
        cr.copy_expert = timed_copy  # the scores are written with COPY (not counted by Odoo)
        started = CLOCKS["wall"]()
        try:
            profiler.enable()
            env["cobranca.partner.score"]._score_company(company, today=day)
            env.flush_all()
            profiler.disable()
        finally:
            cr.execute = execute
            del cr.copy_expert
        wall = CLOCKS["wall"]() - started
        cr.commit()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    text = out.getvalue()
    text = text[text.find("   ncalls") :] if "   ncalls" in text else text
    for folder in (base.REPO, base.odoo_root(), sys.prefix, sys.base_prefix):
        text = text.replace(folder.rstrip("/") + "/", "")
    statements.sort(reverse=True)
    return {
        "wall": wall,
        "sql_wall": sum(duration for duration, _text in statements),
        "statements": len(statements),
        "top_statements": statements[:8],
        "cprofile": text,
    }


def measure_oca(args, meter, big_id, page_ids, customer_ids, extra):
    def risk_all(env):
        partners = env["res.partner"].search([("risk_exception", "=", True)])
        return {"risk_exception": len(partners)}

    def risk(ids):
        def run(env):
            partners = env["res.partner"].browse(ids)
            totals = partners.mapped("risk_total")
            exceptions = partners.mapped("risk_exception")
            return {"risk_exception": sum(exceptions), "risk_total": round(sum(totals), 2)}

        return run

    big = [big_id] if big_id else page_ids[:1]
    log("OCA: risk")
    for call in range(args.calls + 1):
        name = "" if call else "_cold"
        meter.step("oca_big" + name, risk(big), None)
        meter.step("oca_page" + name, risk(page_ids), len(page_ids))
    for _call in range(max(1, args.calls // 2)):
        meter.step("oca_all", risk_all, len(customer_ids))


def explain_ours(registry, company_id, big_id, day):
    """EXPLAIN (ANALYZE, BUFFERS) of the scoring query and of the big customer's figures."""
    from odoo import SUPERUSER_ID, api
    from odoo.tools import SQL

    plans = {}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["res.company"].browse(company_id)
        since = day - datetime.timedelta(days=round(12 * 30.44))
        query = env["cobranca.partner.score"]._figures_query(company, day, since)
        cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", query))
        plans["scoring"] = "\n".join(row[0] for row in cr.fetchall())
        if big_id:
            Partner = env["res.partner"]
            captured = []
            execute = cr.execute

            def capture(query, params=None, log_exceptions=True):
                captured.append((query, params))
                return execute(query, params, log_exceptions)

            cr.execute = capture
            try:
                Partner._cobranca_receivable_figures(Partner.browse(big_id), company)
            finally:
                cr.execute = execute
            for query, params in captured[-1:]:
                sql = query if isinstance(query, SQL) else SQL(query, *(params or ()))
                cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", sql))
                plans["status_big"] = "\n".join(row[0] for row in cr.fetchall())
        cr.rollback()
    return plans


def run_child(args, conf, dbname, side, trace_memory, profile=False):
    with tempfile.NamedTemporaryFile("r", suffix=".json", prefix="cobranca-bench-") as out:
        cmd = [
            sys.executable,
            os.path.abspath(__file__),
            "--measure-ours" if side == "ours" else "--measure-oca",
            dbname,
            "--conf",
            conf,
            "--json-out",
            out.name,
            "--date",
            str(args.date),
            "--page",
            str(args.page),
            "--calls",
            # under tracemalloc (slow, only the peaks count) each step runs once
            "1" if trace_memory else str(args.calls),
        ]
        if trace_memory:
            cmd.append("--trace-memory")
        if profile:
            cmd.append("--profile")
        result = subprocess.run(cmd, env=base.pg_env())
        if result.returncode:
            base.fail(f"the {side} measurement on {dbname} failed (exit {result.returncode})")
        return json.load(out)


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def collect(results, side, name, key):
    """Every value of ``key`` of step ``name`` over the measured copies (all calls)."""
    values = []
    for result in results:
        for step in (result[side] or {}).get("steps", {}).get(name, []):
            values.append(step[key])
    return values


def summary(values, formatter):
    if not values:
        return ["n/a"]
    if len(values) == 1:
        return [formatter(values[0])]
    return [formatter(statistics.median(values)), formatter(min(values)), formatter(max(values))]


def fmt_q(value):
    return f"{value:,.0f}"


def per_second(rows, wall):
    return rows / wall if wall else 0.0


def step_rows(results, memory, side, name, label, rows_label=None):
    """The table rows of one measured step."""
    out = []
    walls = collect(results, side, name, "wall")
    out.append((f"{label}: wall", walls, base.fmt_s))
    out.append(
        (f"{label}: CPU time of the Odoo process", collect(results, side, name, "cpu"), base.fmt_s)
    )
    out.append((f"{label}: SQL queries", collect(results, side, name, "queries"), fmt_q))
    rows = collect(results, side, name, "rows")
    if rows_label and rows and rows[0]:
        out.append(
            (
                f"{label}: {rows_label} per second",
                [per_second(r, w) for r, w in zip(rows, walls, strict=True)],
                base.fmt_rate,
            )
        )
    out.append((f"{label}: peak RSS", collect(results, side, name, "rss_peak_kb"), base.fmt_kb))
    if memory and memory.get(side):
        peaks = [s["py_peak"] for s in memory[side]["steps"].get(name, []) if s["py_peak"]]
        if peaks:
            out.append((f"{label}: peak Python allocations¹", [max(peaks)], base.fmt_mb))
    return out


def ours_rows(results, memory, cold):
    rows = []
    rows += step_rows(
        results, memory, "ours", "score_first", "Scoring, first run", "receivable lines"
    )
    customers = collect(results, "ours", "score_first", "value")
    rows.append(("Scoring: customers scored", customers, fmt_q))
    rows += step_rows(
        results, memory, "ours", "score_second", "Scoring, second run (nothing changed)",
        "receivable lines",
    )  # fmt: skip
    rows += step_rows(
        results, memory, "ours", "data_big", "Big customer: `_cobranca_credit_data`", "open items"
    )
    rows += step_rows(
        results, memory, "ours", "status_big",
        "Big customer: `cobranca_credit_status`, fresh environment", "open items",
    )  # fmt: skip
    rows.append(
        (
            "Big customer: `cobranca_credit_status`, first call of the process: wall",
            collect(cold, "ours", "status_big_cold", "wall"),
            base.fmt_s,
        )
    )
    rows += step_rows(
        results, memory, "ours", "status_page",
        "Page of customers: `cobranca_credit_status`, fresh environment", "customers",
    )  # fmt: skip
    rows += step_rows(
        results, memory, "ours", "data_all", "All customers: `_cobranca_credit_data`", "customers"
    )
    return rows


def oca_rows(results, memory):
    rows = [
        (
            f"`-i {OCA_MODULE}` on the database: wall (odoo-bin, registry load included)",
            [r["oca"]["install"]["install_wall"] for r in results],
            base.fmt_s,
        ),
        (
            "  a plain registry load of the same database (odoo-bin --stop-after-init)",
            [r["oca"]["install"]["load_wall"] for r in results],
            base.fmt_s,
        ),
    ]
    rows += step_rows(
        results, memory, "oca", "oca_all",
        "All customers: risk (`_search_risk_exception`: `risk_exception`, `risk_total`)",
        "customers",
    )  # fmt: skip
    rows += step_rows(
        results, memory, "oca", "oca_big",
        "Big customer: `risk_total`, `risk_exception`, fresh environment",
    )  # fmt: skip
    rows.append(
        (
            "Big customer: risk, first call of the process: wall",
            collect(results, "oca", "oca_big_cold", "wall"),
            base.fmt_s,
        )
    )
    rows += step_rows(
        results, memory, "oca", "oca_page",
        "Page of customers: `risk_total`, `risk_exception`, fresh environment", "customers",
    )  # fmt: skip
    return rows


def median_of(results, side, name, key="wall"):
    values = collect(results, side, name, key)
    return statistics.median(values) if values else None


def comparison_rows(results, facts):
    data = facts["data"]
    n = results[0]["ours"]["customers"]
    page = results[0]["ours"]["page"]
    pairs = [
        (
            f"Credit standing of all {n:,} customers: our `_cobranca_credit_data` vs OCA's "
            "risk of all (its *risk exceeded* filter)",
            "data_all",
            "oca_all",
        ),
        (
            f"All customers, nightly: our scoring of {data['receivable_lines']:,} lines (first "
            "run) vs OCA's risk of all (OCA stores nothing: it computes this on every search)",
            "score_first",
            "oca_all",
        ),
        (
            f"Big customer ({data['big_open']:,} open items), fresh environment: "
            "`cobranca_credit_status` vs `risk_total` + `risk_exception`",
            "status_big",
            "oca_big",
        ),
        (
            f"A page of {page} customers (list view), fresh environment",
            "status_page",
            "oca_page",
        ),
    ]
    rows = []
    for label, ours, oca in pairs:
        ours_wall, oca_wall = median_of(results, "ours", ours), median_of(results, "oca", oca)
        ours_q = median_of(results, "ours", ours, "queries")
        oca_q = median_of(results, "oca", oca, "queries")
        ratio = f"{oca_wall / ours_wall:,.1f}×" if ours_wall and oca_wall else "n/a"
        rows.append(
            [
                label,
                f"{base.fmt_s(ours_wall)}, {ours_q:,.0f} queries",
                f"{base.fmt_s(oca_wall)}, {oca_q:,.0f} queries",
                ratio,
            ]
        )
    return rows


COMPARISON_NOTE = (
    "What is compared. Ours: `_cobranca_credit_data` is the credit status (segment, "
    "policy, exposure, limit, overdue tolerance, escalations, reasons) that the customer "
    "form, the invoice and the sales order show; the nightly scoring stores every "
    "customer's payment figures and segment. OCA's risk amounts are not stored in 18.0 "
    "(computed fields without `store`): its install computes nothing per customer, and "
    "its risk of all customers is what its *risk exceeded* filter "
    "(`_search_risk_exception`) computes on every search, in batches of 1,000 customers "
    "(the ORM's prefetch), each with three `read_group` on the journal items and a Python "
    "loop over every group row for every customer of the batch "
    "(`_prepare_risk_account_vals`). Every customer is set to include open and unpaid "
    "invoices in the risk (the setting that makes OCA compute anything), with the same "
    "credit limits (Odoo's `credit_limit`) as ours. Both run as the superuser in a fresh "
    "environment (empty ORM cache), the clock at the data's day."
)


def data_rows(args, facts, how, results, command):
    data = facts["data"]
    total = data["receivable_lines"]
    cats = data["categories"]

    def share(count):
        return f"{count:,} ({100 * count / total:.1f} %)" if total else str(count)

    instalments = ", ".join(
        f"{count:,} with {n} instalment{'s' if n != '1' else ''}"
        for n, count in sorted(data["invoices_by_instalments"].items())
    )
    profiles = ", ".join(f"{count:,} {name}" for name, count in facts["profiles"].items())
    first = results[0]
    rows = [
        (
            "Customers",
            f"{facts['customers']:,} ({facts['customers_without_email']:,} without e-mail, "
            f"{facts['invoice_contacts']:,} with an invoice contact, {facts['credit_limits']:,} "
            f"with a credit limit of their own); payment behaviour: {profiles}",
        ),
        (
            "Customer invoices",
            f"{data['invoices']:,} posted ({instalments}), no taxes, BRL; invoice dates "
            f"{data['first_invoice']} to {data['last_invoice']}",
        ),
        (
            "Receivable lines (instalments)",
            f"{total:,}; due dates {data['first_due']} to {data['last_due']}",
        ),
        ("  paid on time", share(cats["on_time"])),
        ("  paid late", share(cats["late"])),
        ("  (of the paid ones, paid in two payments)", f"{cats['two_parts']:,}"),
        ("  partly paid (open)", share(cats["partly_paid"])),
        ("  open, overdue", share(cats["open_overdue"])),
        ("  open, not due", share(cats["open_not_due"])),
        (
            "Open receivables",
            f"{data['open_lines']:,} items, R$ {data['open_amount']:,.2f}",
        ),
        (
            "Payments",
            f"{data['payments']:,} `account.payment` with their journal entries; "
            f"{data['partials']:,} partial and {data['full_reconciles']:,} full reconciliations; "
            f"{data['journal_items']:,} journal items in all",
        ),
        (
            "Big customer",
            f"{data['big_open']:,} open items ({data['big_overdue']:,} overdue, "
            f"{data['big_partly_paid']:,} partly paid), R$ {data['big_open_amount']:,.2f} open, "
            f"credit limit R$ {BIG_CREDIT_LIMIT:,}",
        ),
        ("Data's day (the clock of the measurements)", f"{facts['date']}"),
        (
            "Checked by Odoo",
            "sample of {invoices} invoices, {payments} payments, {lines} journal items, "
            "{partners} customers' credit (see the module docstring)".format(
                **facts["checked_sample"]
            ),
        ),
        ("Module measured", f"{base.MODULE} {args.module_version}"),
    ]
    if args.oca:
        rows.append(("OCA module", f"{OCA_MODULE} {args.oca[0]} (`{OCA_REQUIREMENT}`)"))
    rows += [
        (
            "Template database",
            f"{args.template} ({how}; generating it took {facts.get('built_in_seconds', 0):.0f} s)",
        ),
        (
            "Measured copies",
            f"{len(results)}; read-only steps {args.calls} calls per copy"
            + (" (median, min, max of all)" if len(results) * args.calls > 1 else ""),
        ),
        ("Command", f"`{command}`"),
    ]
    our_status = first["ours"]["steps"]["data_all"][0]["value"]
    rows.append(("Our credit status of all customers", json.dumps(our_status)))
    if first.get("oca"):
        oca_all = first["oca"]["steps"]["oca_all"][0]["value"]
        rows.append(("OCA's customers in risk exception", f"{oca_all['risk_exception']:,}"))
    return rows


def build_tables(args, facts, how, machine, results, memory, command):
    tables = [("Machine", ["Fact", "Value"], machine, "", False)]
    tables.append(
        ("Data set", ["Fact", "Value"], data_rows(args, facts, how, results, command), "", False)
    )
    many = len(results) * args.calls > 1
    header = ["Metric"] + (["Median", "Min", "Max"] if many else ["Value"])

    def render_rows(rows):
        out = []
        for label, values, formatter in rows:
            cells = summary(values, formatter)
            if many and len(cells) == 1:
                cells += ["", ""]
            out.append([label] + cells)
        return out

    note = ""
    if memory:
        note = (
            "¹ Peak of Python allocations during the step, measured with tracemalloc on a "
            "separate copy (not timed)."
        )
    if args.oca:
        tables.append(
            (
                f"Side by side: cobranca_addon and OCA {OCA_MODULE} (medians)",
                ["What", "cobranca_addon", f"OCA {OCA_MODULE}", "OCA / ours"],
                comparison_rows(results, facts),
                COMPARISON_NOTE,
                False,
            )
        )
    tables.append(
        ("cobranca_addon", header, render_rows(ours_rows(results, memory, results)), note)
    )
    if args.oca:
        tables.append((f"OCA {OCA_MODULE}", header, render_rows(oca_rows(results, memory)), note))
    return tables


def profile_section(result, markdown):
    """The profile of a scoring run and the query plans, as text."""
    parts = []
    profile = result.get("profile")
    fence = "```" if markdown else ""
    if profile:
        parts.append(
            f"Scoring run under cProfile: {profile['wall']:.2f} s (profiling slows Python down), "
            f"of which {profile['sql_wall']:.2f} s in {profile['statements']} SQL statements; "
            "the slowest statements:\n"
        )
        for duration, text in profile["top_statements"]:
            parts.append(f"- {duration * 1000:,.0f} ms: `{text}`")
        parts.append("\ncProfile, by cumulative time:\n")
        parts.append(f"{fence}\n{profile['cprofile'].rstrip()}\n{fence}\n")
    for name, plan in (result.get("explain") or {}).items():
        parts.append(f"EXPLAIN (ANALYZE, BUFFERS) of the {name.replace('_', ' ')} query:\n")
        parts.append(f"{fence}\n{plan}\n{fence}\n")
    return "\n".join(parts)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def add_data_arguments(parser):
    """The options that define the generated data set (hence the template database
    reused by --credit, --scale and --reports)."""
    parser.add_argument(
        "--customers", type=int, default=10_000, metavar="N", help="customers (default 10000)"
    )
    parser.add_argument(
        "--lines",
        type=int,
        default=100_000,
        metavar="L",
        help="receivable lines (instalments of posted customer invoices) in all, the big "
        "customer's included (default 100000)",
    )
    parser.add_argument(
        "--big-items",
        type=int,
        default=None,
        metavar="B",
        help="open items of the big customer (default: a tenth of --lines; 0: none)",
    )
    parser.add_argument(
        "--date",
        type=datetime.date.fromisoformat,
        default=datetime.date.fromisoformat(DEFAULT_DATE),
        help=f"the data's 'today', the day measured (default {DEFAULT_DATE})",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed of the data (default 42)")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the template database")


def add_output_arguments(parser):
    """``--keep`` and ``--markdown``, and the JSON tables for ``tools/benchmark --all``."""
    parser.add_argument("--keep", action="store_true", help="keep the measured databases")
    parser.add_argument("--markdown", metavar="FILE", help="also write the tables as Markdown")
    parser.add_argument("--tables-json", metavar="FILE", help=argparse.SUPPRESS)


def parse_data_arguments(parser, argv):
    """Parse, and default ``--big-items`` to a tenth of ``--lines``."""
    args = parser.parse_args(argv)
    if args.big_items is None:
        args.big_items = args.lines // 10
    return args


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="tools/benchmark --credit",
        description="Time cobranca_addon's scoring and credit status on generated data with "
        "payment history, next to OCA account_financial_risk's risk on the same database.",
    )
    add_data_arguments(parser)
    add_output_arguments(parser)
    parser.add_argument(
        "--page", type=int, default=80, metavar="P", help="customers of a list page (default 80)"
    )
    parser.add_argument(
        "--calls",
        type=int,
        default=5,
        metavar="C",
        help="calls of each read-only measurement per copy, each in a fresh environment "
        "(default 5)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="R",
        help="measured copies; with R > 1 the median, min and max are shown",
    )
    parser.add_argument(
        "--no-oca", action="store_true", help=f"skip the comparison with OCA {OCA_MODULE}"
    )
    parser.add_argument(
        "--install-oca",
        action="store_true",
        help=f"pip-install {OCA_REQUIREMENT} (requirements-bench.txt) when it is missing",
    )
    parser.add_argument(
        "--no-tracemalloc",
        action="store_true",
        help="skip the extra copy measured under tracemalloc (peak Python memory)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="add a cProfile of a scoring run and EXPLAIN ANALYZE of its queries",
    )
    # internal: the child processes that measure one copy
    parser.add_argument("--measure-ours", help=argparse.SUPPRESS)
    parser.add_argument("--measure-oca", help=argparse.SUPPRESS)
    parser.add_argument("--conf", help=argparse.SUPPRESS)
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    parser.add_argument("--trace-memory", action="store_true", help=argparse.SUPPRESS)
    args = parse_data_arguments(parser, argv)
    if (
        args.customers < 2
        or args.lines < 10
        or not 0 <= args.big_items <= args.lines // 2
        or args.repeat < 1
        or args.calls < 1
        or args.page < 1
    ):
        parser.error(
            "--customers >= 2, --lines >= 10, 0 <= --big-items <= --lines / 2, "
            "--repeat, --calls, --page >= 1"
        )
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.measure_ours or args.measure_oca:
        base.setup_odoo(args.conf)
        measure_child(args)
        return
    command = "tools/benchmark --credit" + "".join(f" {shlex.quote(arg)}" for arg in argv)
    load_before = os.getloadavg()
    with tempfile.NamedTemporaryFile(
        "w", suffix=".conf", prefix="cobranca-bench-", delete=False
    ) as handle:
        conf = handle.name
    try:
        try:
            import freezegun  # noqa: F401  (the measuring processes need it)
        except ImportError:
            base.fail(
                f"freezegun is missing in {sys.prefix}: install it with\n"
                f"    {sys.executable} -m pip install -r {REQUIREMENTS}"
            )
        base.write_config(conf)
        base.setup_odoo(conf)
        args.oca = None if args.no_oca else ensure_oca(args)
        template, facts, how = ensure_template(args, conf)
        args.template = template
        args.module_version = base.module_version()
        machine = base.machine_facts()
        results, memory = [], None
        copies = args.repeat + (0 if args.no_tracemalloc else 1)
        started_all = time.time()
        for index in range(copies):
            trace = index == args.repeat
            dbname = f"{os.environ.get('COBRANCA_BENCH_DB_PREFIX', 'cobranca_bench')}_credit_"
            dbname += f"{args.customers}_{args.lines}_" + ("mem" if trace else f"r{index + 1}")
            started = time.time()
            base.copy_db(template, dbname)
            log(
                f"{dbname}: copied from the template in {time.time() - started:.1f}s; "
                + ("measuring memory (tracemalloc)" if trace else "measuring")
            )
            try:
                result = {
                    "ours": run_child(
                        args, conf, dbname, "ours", trace, profile=args.profile and index == 0
                    ),
                    "oca": None,
                }
                if args.oca:
                    install = install_oca(conf, dbname)
                    result["oca"] = run_child(args, conf, dbname, "oca", trace)
                    result["oca"]["install"] = install
            finally:
                if not args.keep:
                    base.drop_db(dbname)
            if trace:
                memory = result
            else:
                results.append(result)
        load_after = os.getloadavg()
        machine.append(
            (
                "Load average (1, 5, 15 min) before / after",
                " / ".join(
                    ", ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after)
                )
                + f" (measuring took {time.time() - started_all:.0f} s; compare wall and CPU time)",
            )
        )
        tables = build_tables(args, facts, how, machine, results, memory, command)
        title = (
            f"cobranca_addon credit benchmark: {facts['customers']:,} customers, "
            f"{facts['data']['receivable_lines']:,} receivable lines"
        )
        if args.tables_json:
            base.dump_tables(args.tables_json, title, tables)
        print()
        print(title)
        print()
        print(base.render(tables, markdown=False))
        profiled = results[0]["ours"]
        if args.profile:
            print(profile_section(profiled, markdown=False))
        if args.markdown:
            with open(args.markdown, "w") as handle:
                handle.write(f"## {title}\n\n" + base.render(tables, markdown=True))
                if args.profile:
                    handle.write("\n### Where the scoring's time goes\n\n")
                    handle.write(profile_section(profiled, markdown=True))
            log(f"wrote {args.markdown}")
    finally:
        os.unlink(conf)


if __name__ == "__main__":
    main()
