"""Benchmark of a full cobranca_addon dunning run on a generated database.

Not a test: it builds (once) a database with N customers and M open customer
invoices, then times, on fresh copies of it, the run the way the scheduled
action does it, and prints what it took: wall time, SQL queries, items and
customers per second, peak memory.

    tools/benchmark                                  # 2000 customers, 20000 invoices
    tools/benchmark --customers 200 --invoices 2000  # a quick one
    tools/benchmark --repeat 3 --markdown bench.md   # median/min/max of 3 runs
    tools/benchmark --credit                         # the credit benchmark (see below)
    tools/benchmark --scale                          # the run at scale, vs OCA (see below)

``--credit`` runs the other benchmark of this command instead, in
``tools/benchmark_credit.py`` (``tools/benchmark --credit --help`` for its flags):
the payment scoring and the credit status on 10,000 customers and 100,000
receivable lines with a payment history, next to OCA account_financial_risk's
risk on the same database. ``--scale`` runs ``tools/benchmark_scale.py``: this
run's measurement on the credit benchmark's data (10,000 customers, 100,000
lines), side by side with OCA account_credit_control on the same data.

How it works
------------

1. Template database ``cobranca_bench_tpl_<N>_<M>``, built once and reused
   (``--rebuild`` builds it again): ``odoo-bin -i cobranca_addon`` on an empty
   database, then, through the ORM, the company (BRL), a collector, the N
   customers (one ``create()``; 5 % without e-mail, 10 % with an invoice
   contact) and two template invoices (one instalment; two instalments 30/60
   days), posted. The other invoices are clones of those two made by set-based
   SQL (one ``INSERT ... SELECT`` for the moves, one for their journal items),
   with their own customer, dates, amounts and names, every accounting field
   consistent (balance, debit/credit, amount_currency, residuals, totals,
   sequence). Odoo then checks them: ``read_group`` of the open receivables
   and a recomputation by Odoo's own compute methods of a sample.

   The run date (``--date``, fixed so that results are reproducible) is the
   "today" of the data: due dates are spread over the 90 days before it and
   the 10 days after it. The régua moves an item one level per run, so the
   template also holds the dunning history of a régua that last ran four days
   before the run date (the lines it had sent, SQL-generated): on the run date
   every level of the default régua is reached by some items (D-3, D+1, D+7,
   D+15 phone, D+30 e-mail and phone). ``--no-history`` removes that history
   from the measured copy: the first run on an existing portfolio, where every
   overdue item reaches D+1 at once.

2. Each measurement runs on a copy (``createdb -T``, filestore copied) in a
   child process (so that its peak RSS is its own), with the registry
   directly: no HTTP server, no cron thread. As ``_cron_run`` and the
   scheduler do it: ``_prepare_runs`` (line selection),
   ``cobranca.message._cancel_obsolete`` when runs were created, then
   ``_process_batch`` committed after each batch until no customer is left (a
   new cursor every 10 batches, as ``ir.cron._run_job``). A second run the
   same day follows (it must find nothing to do). Wall time, CPU time of the
   Odoo process and SQL queries (``odoo.sql_db.sql_counter``) are taken around
   the module's calls only.

3. Peak Python allocations are measured with tracemalloc on one more copy
   (tracing slows Python down several times, so that run is not timed);
   ``--no-tracemalloc`` skips it. When the module's code changed since the
   template was built, the template is upgraded (``-u cobranca_addon``) first.

Environment: ODOO_VENV (the wrapper ``tools/benchmark``), PGHOST, PGPORT,
PGUSER as for psql.
"""

import argparse
import contextlib
import datetime
import gc
import hashlib
import importlib
import io
import json
import os
import platform
import random
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MODULE = "cobranca_addon"
#: Bump when the generated data changes: older templates are rebuilt.
GENERATOR_VERSION = 1
#: Days between the last run of the régua in the generated history and the run date.
HISTORY_GAP_DAYS = 4
#: Batches a cron worker runs in one cursor (odoo.addons.base.models.ir_cron).
MAX_BATCH_PER_CRON_JOB = 10
DEFAULT_DATE = "2025-06-16"

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def log(message):
    print(f"[benchmark {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fail(message):
    print(f"benchmark: {message}", file=sys.stderr)
    sys.exit(1)


def odoo_root():
    import odoo

    return os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__)))


def pg_env():
    env = dict(os.environ)
    if not env.get("PGHOST") and os.path.isdir("/var/run/postgresql"):
        env["PGHOST"] = "/var/run/postgresql"
    return env


def psql(sql, db="postgres"):
    result = subprocess.run(
        ["psql", "-X", "-d", db, "-Atq", "-v", "ON_ERROR_STOP=1", "-c", sql],
        env=pg_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def db_exists(name):
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def filestore(name):
    from odoo.tools import config

    return config.filestore(name)


def drop_db(name):
    """Drop a benchmark database and its filestore."""
    if db_exists(name):
        subprocess.run(["dropdb", name], env=pg_env(), check=True)
    shutil.rmtree(filestore(name), ignore_errors=True)


def copy_db(template, name):
    """A copy of the template (``createdb -T``) with its filestore."""
    drop_db(name)
    subprocess.run(["createdb", "-T", template, name], env=pg_env(), check=True)
    if os.path.isdir(filestore(template)):
        shutil.copytree(filestore(template), filestore(name))


def write_config(path):
    root = odoo_root()
    env = pg_env()
    addons = ",".join([f"{root}/addons", f"{root}/odoo/addons", REPO])
    lines = [
        "[options]",
        f"addons_path = {addons}",
        f"db_host = {env.get('PGHOST', '')}",
        "without_demo = all",
        "max_cron_threads = 0",
        "log_level = warn",
    ]
    if env.get("PGPORT"):
        lines.append(f"db_port = {env['PGPORT']}")
    if env.get("PGUSER"):
        lines.append(f"db_user = {env['PGUSER']}")
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")


def setup_odoo(conf):
    from odoo.tools import config

    config.parse_config(["-c", conf], setup_logging=True)


def module_hash():
    """Fingerprint of the module's code and data (tests excluded)."""
    digest = hashlib.sha256()
    base = os.path.join(REPO, MODULE)
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in ("tests", "__pycache__"))
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, base).encode())
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()


def module_version():
    """The git commit of the module measured, and whether it has local changes."""
    try:
        head = subprocess.run(
            ["git", "-C", REPO, "log", "-1", "--format=%h %cd", "--date=short", "--", MODULE],
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", REPO, "status", "--porcelain", "--", MODULE],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")


def close_registry(dbname):
    import odoo.sql_db
    from odoo.modules.registry import Registry

    Registry.delete(dbname)
    odoo.sql_db.close_db(dbname)


def rss_kb():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def dump_tables(path, title, tables):
    """Write a benchmark's tables as JSON, for ``tools/benchmark --all`` to gather."""
    with open(path, "w") as handle:
        json.dump(
            {
                "title": title,
                "tables": [
                    {"title": table[0], "header": list(table[1]), "rows": table[2]}
                    for table in tables
                ],
            },
            handle,
            default=str,
        )


def reset_peak_rss():
    """Reset the process's peak RSS (Linux >= 4.0), so ru_maxrss measures from now."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


# --------------------------------------------------------------------------
# Data generation (the template database)
# --------------------------------------------------------------------------


def install_module(conf, dbname):
    root = odoo_root()
    cmd = [
        sys.executable,
        os.path.join(root, "odoo-bin"),
        "-c",
        conf,
        "-d",
        dbname,
        "-i",
        MODULE,
        "--stop-after-init",
        "--without-demo=all",
    ]
    log("installing: " + " ".join(shlex.quote(part) for part in cmd))
    result = subprocess.run(cmd, env=pg_env(), capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        fail(f"installing {MODULE} on {dbname} failed")
    errors = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if re.search(r" (ERROR|CRITICAL) ", line)
    ]
    if errors:
        sys.stderr.write("\n".join(errors) + "\n")
        fail(f"installing {MODULE} on {dbname} logged errors")


def upgrade_module(conf, dbname):
    root = odoo_root()
    cmd = [
        sys.executable,
        os.path.join(root, "odoo-bin"),
        "-c",
        conf,
        "-d",
        dbname,
        "-u",
        MODULE,
        "--stop-after-init",
    ]
    log("upgrading the template: " + " ".join(shlex.quote(part) for part in cmd))
    result = subprocess.run(cmd, env=pg_env(), capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        fail(f"upgrading {MODULE} on {dbname} failed")


class Generator:
    """Builds the customers, the invoices and the dunning history of a template."""

    def __init__(self, env, customers, invoices, day, seed):
        self.env = env
        self.cr = env.cr
        self.n_customers = customers
        self.n_invoices = invoices
        self.day = day
        self.rng = random.Random(seed)
        self.facts = {}

    # -- ORM part ---------------------------------------------------------

    def setup_company(self):
        from odoo import Command

        env = self.env
        company = env.ref("base.main_company")
        brl = env.ref("base.BRL")
        brl.active = True
        if company.currency_id != brl:
            company.currency_id = brl
        company.write(
            {
                "name": "Comercial Paulista de Alimentos Ltda",
                "email": "financeiro@paulista.example.com",
                "vat": "11.222.333/0001-81",
                "street": "Av. Paulista, 1000",
                "city": "São Paulo",
                "zip": "01310-100",
                "phone": "+55 11 3333-4444",
            }
        )
        company.partner_id.tz = "America/Sao_Paulo"
        policy = env.ref("cobranca_addon.cobranca_policy_default")
        company.cobranca_policy_id = policy
        collector = env["res.users"].create(
            {
                "name": "Carla Cobradora",
                "login": "carla.cobradora",
                "email": "carla@paulista.example.com",
                "groups_id": [
                    Command.set(
                        [
                            env.ref("base.group_user").id,
                            env.ref("account.group_account_invoice").id,
                            env.ref("cobranca_addon.group_cobranca_user").id,
                        ]
                    )
                ],
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
            }
        )
        policy.collector_id = collector
        self.company = company
        self.currency = brl
        self.policy = policy

    def create_customers(self):
        rng, n = self.rng, self.n_customers
        without_email = set(rng.sample(range(n), round(n * 0.05)))
        with_contact = set(
            rng.sample([i for i in range(n) if i not in without_email], round(n * 0.10))
        )
        values = []
        for i in range(n):
            number = f"{i + 1:05d}"
            values.append(
                {
                    "name": f"Cliente {number} Comércio Ltda",
                    "is_company": True,
                    "email": False if i in without_email else f"contas{number}@cliente.example.com",
                    "phone": f"+55 11 9{i:04d}-{(i * 7919) % 10000:04d}"
                    if rng.random() < 0.8
                    else False,
                    "lang": "en_US",
                    "customer_rank": 1,
                    "city": "São Paulo",
                }
            )
        Partner = self.env["res.partner"].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        )
        customers = Partner.create(values)
        contacts = Partner.create(
            [
                {
                    "name": f"Financeiro {customers[i].name}",
                    "type": "invoice",
                    "parent_id": customers[i].id,
                    "email": f"financeiro{i + 1:05d}@cliente.example.com",
                }
                for i in sorted(with_contact)
            ]
        )
        self.customers = customers
        self.facts.update(
            customers=n,
            customers_without_email=len(without_email),
            invoice_contacts=len(contacts),
        )

    def create_template_invoices(self):
        from odoo import Command

        env = self.env
        day = self.day
        admin = env.ref("base.user_admin")
        term = env["account.payment.term"].create(
            {
                "name": "30/60 days (benchmark)",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 60}),
                ],
            }
        )
        common = {
            "move_type": "out_invoice",
            "partner_id": self.customers[0].id,
            "currency_id": self.currency.id,
            "invoice_user_id": admin.id,
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
        one_date = day - datetime.timedelta(days=40)
        two_date = day - datetime.timedelta(days=60)
        Move = env["account.move"].with_context(tracking_disable=True)
        one = Move.create(
            dict(
                common,
                invoice_date=one_date,
                date=one_date,
                invoice_date_due=one_date + datetime.timedelta(days=30),
            )
        )
        two = Move.create(
            dict(common, invoice_date=two_date, date=two_date, invoice_payment_term_id=term.id)
        )
        (one | two).action_post()
        self.templates = {1: one, 2: two}
        for kind, move in self.templates.items():
            terms = move.line_ids.filtered(lambda line: line.display_type == "payment_term")
            others = move.line_ids - terms
            if (
                len(terms) != kind
                or set(others.mapped("display_type")) != {"product"}
                or move.state != "posted"
                or move.payment_state != "not_paid"
                or move.currency_id != self.company.currency_id
            ):
                raise RuntimeError(
                    f"template invoice {move.name} is not as expected: "
                    f"{[(line.display_type, line.balance) for line in move.line_ids]}"
                )

    # -- SQL part ---------------------------------------------------------

    def _columns(self, table):
        self.cr.execute(
            """
            SELECT column_name FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name = %s
             ORDER BY ordinal_position
            """,
            [table],
        )
        return [row[0] for row in self.cr.fetchall()]

    def plan_invoices(self):
        """Customer, dates, amount and name of every cloned invoice (in Python)."""
        rng, day = self.rng, self.day
        days = datetime.timedelta
        count = self.n_invoices - len(self.templates)
        plan = []
        for index in range(count):
            if rng.random() < 1 / 3:
                kind = 2
                due2 = day + days(rng.randint(-60, 10))
                due1 = due2 - days(30)
            else:
                kind = 1
                due1 = day + days(rng.randint(-90, 10))
                due2 = None
            cents = rng.randint(5_000, 500_000)
            plan.append(
                {
                    "index": index,
                    "kind": kind,
                    "partner_id": self.customers[rng.randrange(self.n_customers)].id,
                    "invoice_date": due1 - days(30),
                    "due1": due1,
                    "due2": due2,
                    "amount": cents / 100,
                    "rec1": (cents // 2 if kind == 2 else cents) / 100,
                    "rec2": (cents - cents // 2) / 100 if kind == 2 else None,
                }
            )
        # names: per journal and year, continuing the journal's sequence, in date order
        template = self.templates[1]
        match = re.fullmatch(r"(.*?)(\d{4})(\D*)", template.sequence_prefix)
        if not match:
            raise RuntimeError(f"unexpected sequence prefix {template.sequence_prefix!r}")
        head, _year, tail = match.groups()
        self.cr.execute(
            """
            SELECT sequence_prefix, MAX(sequence_number) FROM account_move
             WHERE journal_id = %s GROUP BY sequence_prefix
            """,
            [template.journal_id.id],
        )
        last = dict(self.cr.fetchall())
        self.cr.execute("SELECT nextval('account_move_id_seq')")
        first_id = self.cr.fetchone()[0]
        self.cr.execute("SELECT setval('account_move_id_seq', %s)", [first_id + len(plan) - 1])
        for offset, item in enumerate(sorted(plan, key=lambda i: (i["invoice_date"], i["index"]))):
            prefix = f"{head}{item['invoice_date'].year}{tail}"
            number = last.get(prefix, 0) + 1
            last[prefix] = number
            item.update(
                move_id=first_id + offset,
                tpl_id=self.templates[item["kind"]].id,
                prefix=prefix,
                number=number,
                name=f"{prefix}{number:05d}",
            )
        self.plan = plan

    def clone_invoices(self):
        cr = self.cr
        cr.execute(
            """
            CREATE TEMP TABLE bench_move (
                move_id int PRIMARY KEY, tpl_id int, partner_id int, invoice_date date,
                due1 date, due2 date, amount numeric, rec1 numeric, rec2 numeric,
                name varchar, prefix varchar, number int
            ) ON COMMIT DROP;
            CREATE TEMP TABLE bench_tpl_line (line_id int, tpl_id int, role varchar)
                ON COMMIT DROP;
            """
        )
        buffer = io.StringIO()
        for item in self.plan:
            row = [
                item["move_id"],
                item["tpl_id"],
                item["partner_id"],
                item["invoice_date"],
                item["due1"],
                item["due2"],
                item["amount"],
                item["rec1"],
                item["rec2"],
                item["name"],
                item["prefix"],
                item["number"],
            ]
            buffer.write("\t".join(r"\N" if value is None else str(value) for value in row) + "\n")
        buffer.seek(0)
        cr.copy_from(buffer, "bench_move")
        roles = []
        for move in self.templates.values():
            terms = move.line_ids.filtered(lambda line: line.display_type == "payment_term")
            terms = terms.sorted(lambda line: (line.date_maturity, line.id))
            for line in move.line_ids - terms:
                roles.append((line.id, move.id, "product"))
            for position, line in enumerate(terms, start=1):
                roles.append((line.id, move.id, "rec1" if position == 1 else "rec2"))
        for role in roles:
            cr.execute("INSERT INTO bench_tpl_line VALUES (%s, %s, %s)", role)

        now = "(NOW() AT TIME ZONE 'UTC')"
        signed = "CASE WHEN t.{col} = 0 THEN 0 ELSE SIGN(t.{col}) * b.amount END"
        move_overrides = {
            "id": "b.move_id",
            "name": "b.name",
            "sequence_prefix": "b.prefix",
            "sequence_number": "b.number",
            "payment_reference": "b.name",
            "partner_id": "b.partner_id",
            "commercial_partner_id": "p.commercial_partner_id",
            "partner_shipping_id": "b.partner_id",
            "invoice_partner_display_name": "p.complete_name",
            "date": "b.invoice_date",
            "invoice_date": "b.invoice_date",
            "invoice_date_due": "COALESCE(b.due2, b.due1)",
            "access_token": "NULL",
            "message_main_attachment_id": "NULL",
            "inalterable_hash": "NULL",
            "secure_sequence_number": "NULL",
            "create_date": now,
            "write_date": now,
        }
        for col in (
            "amount_untaxed",
            "amount_total",
            "amount_residual",
            "amount_untaxed_signed",
            "amount_untaxed_in_currency_signed",
            "amount_total_signed",
            "amount_total_in_currency_signed",
            "amount_residual_signed",
        ):
            move_overrides[col] = signed.format(col=col)
        move_cols = self._columns("account_move")
        select = ", ".join(move_overrides.get(col, f"t.{col}") for col in move_cols)
        cr.execute(
            f"""
            INSERT INTO account_move ({", ".join(move_cols)})
            SELECT {select}
              FROM bench_move b
              JOIN account_move t ON t.id = b.tpl_id
              JOIN res_partner p ON p.id = b.partner_id
             ORDER BY b.move_id
            """
        )
        moves = cr.rowcount

        amount = (
            "(CASE tl.role WHEN 'product' THEN b.amount WHEN 'rec1' THEN b.rec1 ELSE b.rec2 END)"
        )
        value = f"(SIGN(t.balance) * {amount})"
        line_overrides = {
            "move_id": "b.move_id",
            "move_name": "b.name",
            "partner_id": "b.partner_id",
            "date": "b.invoice_date",
            "invoice_date": "b.invoice_date",
            "date_maturity": "CASE tl.role WHEN 'rec1' THEN b.due1 WHEN 'rec2' THEN b.due2 "
            "ELSE t.date_maturity END",
            "name": "REPLACE(t.name, tm.name, b.name)",
            "balance": value,
            "amount_currency": value,
            "debit": f"GREATEST({value}, 0)",
            "credit": f"GREATEST(-{value}, 0)",
            "amount_residual": f"CASE WHEN t.amount_residual = 0 THEN 0 ELSE {value} END",
            "amount_residual_currency": f"CASE WHEN t.amount_residual_currency = 0 THEN 0 "
            f"ELSE {value} END",
            "price_unit": f"CASE WHEN tl.role = 'product' THEN {amount} ELSE t.price_unit END",
            "price_subtotal": f"CASE WHEN tl.role = 'product' THEN {amount} "
            "ELSE t.price_subtotal END",
            "price_total": f"CASE WHEN tl.role = 'product' THEN {amount} ELSE t.price_total END",
            "reconciled": "FALSE",
            "full_reconcile_id": "NULL",
            "matching_number": "NULL",
            "create_date": now,
            "write_date": now,
        }
        line_cols = [col for col in self._columns("account_move_line") if col != "id"]
        select = ", ".join(line_overrides.get(col, f"t.{col}") for col in line_cols)
        cr.execute(
            f"""
            INSERT INTO account_move_line ({", ".join(line_cols)})
            SELECT {select}
              FROM bench_move b
              JOIN bench_tpl_line tl ON tl.tpl_id = b.tpl_id
              JOIN account_move_line t ON t.id = tl.line_id
              JOIN account_move tm ON tm.id = b.tpl_id
             ORDER BY b.move_id, t.id
            """
        )
        lines = cr.rowcount
        self.facts.update(
            invoices=self.n_invoices,
            cloned_moves=moves,
            cloned_lines=lines,
            two_instalment_invoices=1 + sum(1 for i in self.plan if i["kind"] == 2),
        )

    def create_history(self):
        """The lines a régua that last ran HISTORY_GAP_DAYS ago would have sent."""
        cr = self.cr
        last_run = self.day - datetime.timedelta(days=HISTORY_GAP_DAYS)
        cr.execute(
            """
            INSERT INTO cobranca_line
                (move_line_id, move_id, partner_id, company_id, currency_id, policy_id,
                 level_id, run_id, date, state, date_maturity, days_late,
                 amount_residual, amount_residual_currency,
                 create_uid, create_date, write_uid, write_date)
            SELECT aml.id, aml.move_id, partner.commercial_partner_id, aml.company_id,
                   aml.currency_id, level.policy_id, level.id, NULL,
                   aml.date_maturity + level.days, 'sent', aml.date_maturity, level.days,
                   aml.amount_residual, aml.amount_residual_currency,
                   1, NOW() AT TIME ZONE 'UTC', 1, NOW() AT TIME ZONE 'UTC'
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner partner ON partner.id = aml.partner_id
              JOIN res_company company ON company.id = aml.company_id
              JOIN cobranca_level level
                ON level.policy_id = company.cobranca_policy_id AND level.active
             WHERE move.move_type = 'out_invoice'
               AND aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND aml.date_maturity + level.days <= %s
             ORDER BY aml.date_maturity + level.days, aml.id, level.days
            """,
            [last_run],
        )
        history = cr.rowcount
        # the stored computed fields that depend on the sent lines
        cr.execute(
            """
            UPDATE account_move_line aml SET cobranca_level_id = top.level_id
              FROM (SELECT DISTINCT ON (line.move_line_id) line.move_line_id, line.level_id
                      FROM cobranca_line line JOIN cobranca_level level ON level.id = line.level_id
                     WHERE line.state = 'sent'
                     ORDER BY line.move_line_id, level.days DESC) top
             WHERE aml.id = top.move_line_id;
            UPDATE account_move move
               SET cobranca_level_id = top.level_id, cobranca_last_date = top.last_date
              FROM (SELECT DISTINCT ON (line.move_id) line.move_id, line.level_id,
                           MAX(line.date) OVER (PARTITION BY line.move_id) AS last_date
                      FROM cobranca_line line JOIN cobranca_level level ON level.id = line.level_id
                     WHERE line.state = 'sent'
                     ORDER BY line.move_id, level.days DESC) top
             WHERE move.id = top.move_id;
            """
        )
        self.facts.update(history_lines=history, history_last_run=str(last_run))

    # -- Checks -----------------------------------------------------------

    def check(self):
        """Odoo must see what the SQL made: posted, open invoices with their residuals."""
        env, cr = self.env, self.cr
        env.invalidate_all()
        expected_total = round(
            sum(item["amount"] for item in self.plan)
            + sum(move.amount_total for move in self.templates.values()),
            2,
        )
        moves = env["account.move"]._read_group(
            [("move_type", "=", "out_invoice")],
            ["state", "payment_state"],
            ["__count", "amount_residual:sum", "amount_total:sum"],
        )
        if len(moves) != 1 or moves[0][:3] != ("posted", "not_paid", self.n_invoices):
            raise RuntimeError(f"invoices seen by Odoo: {moves}")
        if round(moves[0][3], 2) != expected_total or round(moves[0][4], 2) != expected_total:
            raise RuntimeError(f"invoice totals {moves[0][3:]} != {expected_total}")
        items = env["account.move.line"]._read_group(
            [
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("move_id.move_type", "=", "out_invoice"),
            ],
            [],
            ["__count", "amount_residual:sum", "amount_residual_currency:sum", "balance:sum"],
        )[0]
        expected_items = self.n_invoices + self.facts["two_instalment_invoices"]
        if items[0] != expected_items or any(round(v, 2) != expected_total for v in items[1:]):
            raise RuntimeError(
                f"open receivables seen by Odoo: {items}, expected "
                f"{expected_items} items of {expected_total}"
            )
        cr.execute(
            """
            SELECT COUNT(*) FROM (
                SELECT move_id FROM account_move_line GROUP BY move_id
                HAVING SUM(balance) != 0 OR SUM(debit) != SUM(credit)) unbalanced
            """
        )
        if cr.fetchone()[0]:
            raise RuntimeError("unbalanced journal entries")
        cr.execute(
            """
            SELECT COUNT(*) FROM (SELECT name, journal_id FROM account_move
                                   WHERE state = 'posted' GROUP BY 1, 2 HAVING COUNT(*) > 1) d
            """
        )
        if cr.fetchone()[0]:
            raise RuntimeError("duplicated invoice names")
        # Odoo's own computations, on a sample, must find what is stored
        sample_ids = [
            item["move_id"] for item in self.rng.sample(self.plan, min(300, len(self.plan)))
        ]
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
        ]

        def snapshot():
            cr.execute(
                f"SELECT id, {', '.join(move_fields)} FROM account_move "
                "WHERE id = ANY(%s) ORDER BY id",
                [sample_ids],
            )
            moves_rows = cr.fetchall()
            cr.execute(
                f"SELECT id, {', '.join(line_fields)} FROM account_move_line "
                "WHERE move_id = ANY(%s) ORDER BY id",
                [sample_ids],
            )
            return moves_rows, cr.fetchall()

        before = snapshot()
        cr.execute("SAVEPOINT bench_check")
        sample = env["account.move"].browse(sample_ids)
        lines = sample.line_ids
        for name in ("amount_residual", "amount_residual_currency", "reconciled"):
            env.add_to_compute(lines._fields[name], lines)
        for name in move_fields:
            env.add_to_compute(sample._fields[name], sample)
        env.flush_all()
        after = snapshot()
        cr.execute("ROLLBACK TO SAVEPOINT bench_check")
        env.invalidate_all()
        if before != after:
            raise RuntimeError("Odoo recomputes other amounts than the generated ones")
        self.facts.update(
            open_items=items[0], open_amount=expected_total, checked_sample=len(sample_ids)
        )

    def run(self):
        started = time.time()
        self.setup_company()
        self.create_customers()
        self.create_template_invoices()
        self.env.flush_all()
        log(
            f"ORM part done in {time.time() - started:.1f}s "
            f"({self.n_customers} customers, {len(self.templates)} template invoices)"
        )
        step = time.time()
        self.plan_invoices()
        self.clone_invoices()
        log(
            f"cloned {self.facts['cloned_moves']} invoices, {self.facts['cloned_lines']} "
            f"journal items in {time.time() - step:.1f}s"
        )
        self.create_history()
        self.check()
        log(
            f"checked by Odoo: {self.facts['open_items']} open items, "
            f"{self.facts['open_amount']:.2f} open"
        )
        return self.facts


def build_template(args, conf, template):
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    building = f"{template}_building"
    drop_db(building)
    started = time.time()
    install_module(conf, building)
    log(f"installed in {time.time() - started:.0f}s; generating the data")
    registry = Registry(building)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        facts = Generator(env, args.customers, args.invoices, args.date, args.seed).run()
        facts.update(
            generator_version=GENERATOR_VERSION,
            date=str(args.date),
            seed=args.seed,
            module_hash=module_hash(),
            built_in_seconds=round(time.time() - started, 1),
        )
        env["ir.config_parameter"].set_param("cobranca_benchmark.facts", json.dumps(facts))
    close_registry(building)
    psql("VACUUM ANALYZE", db=building)
    drop_db(template)
    psql(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
    if os.path.isdir(filestore(building)):
        os.rename(filestore(building), filestore(template))
    log(f"template {template} built in {time.time() - started:.0f}s")
    return facts


def template_facts(template):
    raw = psql(
        "SELECT value FROM ir_config_parameter WHERE key = 'cobranca_benchmark.facts'",
        db=template,
    )
    return json.loads(raw) if raw else None


def ensure_template(args, conf):
    template = f"cobranca_bench_tpl_{args.customers}_{args.invoices}"
    if args.rebuild or not db_exists(template):
        return template, build_template(args, conf, template), "generated now"
    facts = template_facts(template)
    if (
        not facts
        or facts.get("generator_version") != GENERATOR_VERSION
        or facts.get("date") != str(args.date)
        or facts.get("seed") != args.seed
    ):
        log(f"{template} was generated differently (version, --date or --seed): rebuilding")
        return template, build_template(args, conf, template), "generated now"
    current = module_hash()
    if facts.get("module_hash") != current:
        log(f"{MODULE} changed since {template} was built: upgrading it in the template")
        upgrade_module(conf, template)
        facts["module_hash"] = current
        psql(
            "UPDATE ir_config_parameter SET value = $json$" + json.dumps(facts) + "$json$ "
            "WHERE key = 'cobranca_benchmark.facts'",
            db=template,
        )
        psql("VACUUM ANALYZE", db=template)
        return template, facts, "reused (module upgraded)"
    return template, facts, "reused"


# --------------------------------------------------------------------------
# Measurement (child process, one fresh copy of the template)
# --------------------------------------------------------------------------


def measure(args):
    """Time one full run, then a second run the same day, on database args.measure."""
    import odoo.sql_db
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    def queries():
        return odoo.sql_db.sql_counter

    dbname = args.measure
    day = args.date
    registry = Registry(dbname)

    def counts(cr):
        cr.execute(
            """
            SELECT (SELECT COALESCE(MAX(id), 0) FROM cobranca_line),
                   (SELECT COALESCE(MAX(id), 0) FROM cobranca_message),
                   (SELECT COALESCE(MAX(id), 0) FROM mail_mail),
                   (SELECT COALESCE(MAX(id), 0) FROM mail_activity),
                   (SELECT COALESCE(MAX(id), 0) FROM mail_message)
            """
        )
        return cr.fetchone()

    with registry.cursor() as cr:
        marks = counts(cr)
        cr.execute("SELECT id FROM res_company ORDER BY id")
        company_ids = [row[0] for row in cr.fetchall()]

    def new_env(cr):
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env, env["res.company"].browse(company_ids)

    result = {"db": dbname, "batch_size": args.batch_size, "batches": []}
    gc.collect()
    rss_before = rss_kb()
    peak_reset = reset_peak_rss()
    if args.trace_memory:
        tracemalloc.start()

    # -- the run ----------------------------------------------------------
    cr = registry.cursor()
    env, companies = new_env(cr)
    Run = env["cobranca.run"]
    q0, t0, c0 = queries(), time.perf_counter(), time.process_time()
    prepared = Run._prepare_runs(companies, date=day, trigger="cron")
    # (runs of the date, runs created now); older versions returned the runs only
    runs, created = prepared if isinstance(prepared, tuple) else (prepared, prepared)
    cr.commit()
    t1, q1, c1 = time.perf_counter(), queries(), time.process_time()
    if created:
        # as _run_dunning does once a day, when it creates the runs
        env["cobranca.message"]._cancel_obsolete()
    cr.commit()
    t2, q2, c2 = time.perf_counter(), queries(), time.process_time()
    run_ids = runs.ids
    result["selection"] = {"wall": t1 - t0, "queries": q1 - q0, "cpu": c1 - c0}
    result["obsolete"] = {"wall": t2 - t1, "queries": q2 - q1, "cpu": c2 - c1}

    def progress(cr):
        cr.execute(
            """
            SELECT (SELECT COUNT(*) FROM cobranca_line
                     WHERE run_id = ANY(%s) AND state != 'pending'),
                   (SELECT COUNT(*) FROM cobranca_message WHERE id > %s)
            """,
            [run_ids, marks[1]],
        )
        return cr.fetchone()

    dispatch_wall, dispatch_cpu, dispatch_queries, customers = 0.0, 0.0, 0, 0
    handled, messages = progress(cr)
    calls = 0
    while True:
        if calls and calls % MAX_BATCH_PER_CRON_JOB == 0:
            cr.close()
            cr = registry.cursor()
            env, companies = new_env(cr)
            Run = env["cobranca.run"]
        qa, ta, ca = queries(), time.perf_counter(), time.process_time()
        done, remaining = Run._process_batch(companies, args.batch_size)
        cr.commit()
        tb, qb, cb = time.perf_counter(), queries(), time.process_time()
        calls += 1
        dispatch_wall += tb - ta
        dispatch_cpu += cb - ca
        dispatch_queries += qb - qa
        customers += done
        now_handled, now_messages = progress(cr)
        if done:
            result["batches"].append(
                {
                    "customers": done,
                    "lines": now_handled - handled,
                    "messages": now_messages - messages,
                    "queries": qb - qa,
                    "wall": tb - ta,
                    "cpu": cb - ca,
                }
            )
        handled, messages = now_handled, now_messages
        if not done or not remaining:
            break
    cr.close()
    result["dispatch"] = {
        "wall": dispatch_wall,
        "cpu": dispatch_cpu,
        "queries": dispatch_queries,
        "calls": calls,
        "batches": len(result["batches"]),
        "customers": customers,
    }
    if args.trace_memory:
        result["tracemalloc_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    else:
        result["tracemalloc_peak"] = None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["memory"] = {
        "rss_before_kb": rss_before,
        "ru_maxrss_kb": usage.ru_maxrss,
        "peak_reset": peak_reset,
    }
    result["total"] = {
        "wall": result["selection"]["wall"] + result["obsolete"]["wall"] + dispatch_wall,
        "cpu": result["selection"]["cpu"] + result["obsolete"]["cpu"] + dispatch_cpu,
        "queries": result["selection"]["queries"]
        + result["obsolete"]["queries"]
        + dispatch_queries,
    }

    # -- what it made -----------------------------------------------------
    with registry.cursor() as cr:
        cr.execute(
            """
            SELECT COUNT(*) FILTER (WHERE state = 'sent'),
                   COUNT(*) FILTER (WHERE state = 'cancelled'),
                   COUNT(*) FILTER (WHERE state = 'pending'),
                   COUNT(*)
              FROM cobranca_line WHERE run_id = ANY(%s)
            """,
            [run_ids],
        )
        sent, cancelled, pending, lines = cr.fetchone()
        cr.execute(
            """
            SELECT COUNT(*) FILTER (WHERE channel = 'email'),
                   COUNT(*) FILTER (WHERE channel = 'phone'),
                   COUNT(*) FILTER (WHERE channel = 'phone' AND note IS NOT NULL),
                   COUNT(DISTINCT partner_id)
              FROM cobranca_message WHERE id > %s
            """,
            [marks[1]],
        )
        emails, phones, phone_fallbacks, messaged = cr.fetchone()
        cr.execute(
            """
            SELECT (SELECT COUNT(*) FROM mail_mail WHERE id > %s),
                   (SELECT COUNT(*) FROM mail_activity WHERE id > %s),
                   (SELECT COUNT(*) FROM mail_message WHERE id > %s),
                   (SELECT COUNT(*) FROM cobranca_message_item_rel rel
                      JOIN cobranca_message msg ON msg.id = rel.message_id WHERE msg.id > %s),
                   (SELECT COUNT(DISTINCT partner_id) FROM cobranca_line WHERE run_id = ANY(%s))
            """,
            [marks[2], marks[3], marks[4], marks[1], run_ids],
        )
        mails, activities, chatter, listed, line_customers = cr.fetchone()
        cr.execute(
            """
            SELECT level.days, level.name->>'en_US', COUNT(line.id),
                   COUNT(DISTINCT line.partner_id)
              FROM cobranca_level level
              LEFT JOIN cobranca_line line ON line.level_id = level.id AND line.run_id = ANY(%s)
             GROUP BY level.days, level.name->>'en_US'
             ORDER BY level.days
            """,
            [run_ids],
        )
        result["levels"] = [
            {"days": days, "name": name, "lines": count, "customers": partners}
            for days, name, count, partners in cr.fetchall()
        ]
        cr.execute("SELECT state, COUNT(*) FROM cobranca_run GROUP BY state")
        result["runs"] = dict(cr.fetchall())
    result.update(
        lines=lines,
        lines_sent=sent,
        lines_cancelled=cancelled,
        lines_pending=pending,
        line_customers=line_customers,
        emails=emails,
        phone_tasks=phones,
        phone_fallbacks=phone_fallbacks,
        messaged_customers=messaged,
        mails=mails,
        activities=activities,
        chatter_messages=chatter,
        listed_items=listed,
    )
    result["selection"]["lines"] = lines

    # -- a second run the same day ----------------------------------------
    with registry.cursor() as cr:
        marks2 = counts(cr)
        env, companies = new_env(cr)
        Run = env["cobranca.run"]
        q0, t0 = queries(), time.perf_counter()
        Run._prepare_runs(companies, date=day, trigger="cron")
        cr.commit()
        second_calls = 0
        while True:
            done, remaining = Run._process_batch(companies, args.batch_size)
            cr.commit()
            second_calls += 1
            if not done or not remaining:
                break
        t1, q1 = time.perf_counter(), queries()
        after = counts(cr)
    result["second"] = {
        "wall": t1 - t0,
        "queries": q1 - q0,
        "calls": second_calls,
        "lines": after[0] - marks2[0],
        "messages": after[1] - marks2[1],
    }
    with open(args.json_out, "w") as handle:
        json.dump(result, handle)


def remove_history(dbname):
    """A first run: no line was ever sent (nor the stored fields that follow them)."""
    psql(
        """
        DELETE FROM cobranca_line;
        UPDATE account_move_line SET cobranca_level_id = NULL WHERE cobranca_level_id IS NOT NULL;
        UPDATE account_move SET cobranca_level_id = NULL, cobranca_last_date = NULL
         WHERE cobranca_level_id IS NOT NULL OR cobranca_last_date IS NOT NULL;
        """,
        db=dbname,
    )
    psql("VACUUM ANALYZE cobranca_line, account_move_line, account_move", db=dbname)


def run_child(args, conf, dbname, trace_memory):
    with tempfile.NamedTemporaryFile("r", suffix=".json", prefix="cobranca-bench-") as out:
        cmd = [
            sys.executable,
            os.path.abspath(__file__),
            "--measure",
            dbname,
            "--conf",
            conf,
            "--json-out",
            out.name,
            "--date",
            str(args.date),
            "--batch-size",
            str(args.batch_size),
        ]
        if trace_memory:
            cmd.append("--trace-memory")
        result = subprocess.run(cmd, env=pg_env())
        if result.returncode:
            fail(f"the measured run on {dbname} failed (exit {result.returncode})")
        return json.load(out)


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def machine_facts():
    cpu_model = ""
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
    memory = ""
    with contextlib.suppress(OSError):
        with open("/proc/meminfo") as handle:
            kb = int(handle.readline().split()[1])
            memory = f"{kb / 1024 / 1024:.0f} GiB"
    import odoo.release

    pg_version = psql("SHOW server_version")
    return [
        ("CPU", f"{os.cpu_count()} × {cpu_model}" if cpu_model else str(os.cpu_count())),
        ("RAM", memory),
        ("PostgreSQL", pg_version),
        ("Python", platform.python_version()),
        ("Odoo", odoo.release.version),
        ("OS", f"{platform.system()} {platform.release()}"),
    ]


def fmt_int(value):
    return f"{value:,.0f}"


def fmt_s(value):
    return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def fmt_rate(value):
    return f"{value:,.0f}/s" if value >= 100 else f"{value:,.1f}/s"


def fmt_mb(value):
    return "n/a" if value is None else f"{value / 1024 / 1024:,.0f} MiB"


def fmt_kb(value):
    return f"{value / 1024:,.0f} MiB"


def metric_rows(results, memory_result):
    """(label, [values per measured copy], formatter) of the main table."""

    def take(fn):
        return [fn(r) for r in results]

    def per(a, b):
        return a / b if b else 0.0

    rows = [
        ("Line selection (`_prepare_runs`): wall", take(lambda r: r["selection"]["wall"]), fmt_s),
        ("Line selection: SQL queries", take(lambda r: r["selection"]["queries"]), fmt_int),
        ("Line selection: lines created", take(lambda r: r["selection"]["lines"]), fmt_int),
        (
            "Obsolete-message check (`_cancel_obsolete`): wall",
            take(lambda r: r["obsolete"]["wall"]),
            fmt_s,
        ),
        ("Dispatch (all `_process_batch`): wall", take(lambda r: r["dispatch"]["wall"]), fmt_s),
        ("Dispatch: CPU time of the Odoo process", take(lambda r: r["dispatch"]["cpu"]), fmt_s),
        ("Dispatch: SQL queries", take(lambda r: r["dispatch"]["queries"]), fmt_int),
        ("Dispatch: batches", take(lambda r: r["dispatch"]["batches"]), fmt_int),
        (
            "Dispatch: SQL queries per batch (mean)",
            take(lambda r: per(r["dispatch"]["queries"], r["dispatch"]["batches"])),
            fmt_int,
        ),
        ("Dispatch: lines / s", take(lambda r: per(r["lines"], r["dispatch"]["wall"])), fmt_rate),
        ("Total: wall", take(lambda r: r["total"]["wall"]), fmt_s),
        ("Total: CPU time of the Odoo process", take(lambda r: r["total"]["cpu"]), fmt_s),
        ("Total: SQL queries", take(lambda r: r["total"]["queries"]), fmt_int),
        (
            "Total: SQL queries per line",
            take(lambda r: per(r["total"]["queries"], r["lines"])),
            lambda v: f"{v:.2f}",
        ),
        ("Lines (items) dunned", take(lambda r: r["lines"]), fmt_int),
        (
            "  sent / cancelled / left pending",
            take(lambda r: (r["lines_sent"], r["lines_cancelled"], r["lines_pending"])),
            lambda v: " / ".join(fmt_int(x) for x in v),
        ),
        ("Customers dunned", take(lambda r: r["dispatch"]["customers"]), fmt_int),
        ("Messages: e-mails queued (mail.mail)", take(lambda r: r["emails"]), fmt_int),
        ("Messages: phone tasks (mail.activity)", take(lambda r: r["phone_tasks"]), fmt_int),
        ("  of which fallbacks (no usable e-mail)", take(lambda r: r["phone_fallbacks"]), fmt_int),
        ("Chatter notes logged", take(lambda r: r["chatter_messages"]), fmt_int),
        (
            "**Items (lines) per second**",
            take(lambda r: per(r["lines"], r["total"]["wall"])),
            fmt_rate,
        ),
        (
            "**Customers per second**",
            take(lambda r: per(r["dispatch"]["customers"], r["total"]["wall"])),
            fmt_rate,
        ),
        ("RSS before the run", take(lambda r: r["memory"]["rss_before_kb"]), fmt_kb),
        (
            "Peak RSS during the run (ru_maxrss)",
            take(lambda r: r["memory"]["ru_maxrss_kb"]),
            fmt_kb,
        ),
        ("Second run, same day: wall", take(lambda r: r["second"]["wall"]), fmt_s),
        ("Second run: SQL queries", take(lambda r: r["second"]["queries"]), fmt_int),
        (
            "Second run: lines / messages created",
            take(lambda r: (r["second"]["lines"], r["second"]["messages"])),
            lambda v: " / ".join(fmt_int(x) for x in v),
        ),
    ]
    if memory_result is not None:
        rows.insert(
            rows.index(next(row for row in rows if row[0].startswith("RSS before"))),
            (
                "Peak Python allocations (tracemalloc)¹",
                [memory_result["tracemalloc_peak"]] * len(results),
                fmt_mb,
            ),
        )
    return rows


def summarize(values, formatter):
    if len(values) == 1:
        return [formatter(values[0])]
    if isinstance(values[0], tuple):
        ordered = sorted(values)
        return [
            formatter(ordered[len(ordered) // 2]),
            formatter(ordered[0]),
            formatter(ordered[-1]),
        ]
    return [formatter(statistics.median(values)), formatter(min(values)), formatter(max(values))]


def _just(text, width, index, numeric):
    """Left-align the first column (and every column of a non-numeric table)."""
    return text.rjust(width) if numeric and index else text.ljust(width)


def render(tables, markdown):
    """tables: list of (title, header, rows, note[, numeric columns right-aligned])."""
    out = []
    for title, header, rows, note, *options in tables:
        numeric = options[0] if options else True

        if markdown:
            out.append(f"### {title}\n" if title else "")
            out.append("| " + " | ".join(header) + " |")
            out.append(
                "|" + "|".join("---:" if numeric and i else "---" for i in range(len(header))) + "|"
            )
            for row in rows:
                out.append("| " + " | ".join(str(cell) for cell in row) + " |")
            if note:
                out.append("\n" + note)
            out.append("")
        else:
            clean = [[str(cell).replace("**", "").replace("`", "") for cell in row] for row in rows]
            widths = [
                max(len(str(x)) for x in column) for column in zip(header, *clean, strict=True)
            ]
            if title:
                out.append(title)
                out.append("=" * len(title))
            line = "  ".join(
                _just(h, w, i, numeric) for i, (h, w) in enumerate(zip(header, widths, strict=True))
            ).rstrip()
            out.append(line)
            out.append("-" * len(line))
            for row in clean:
                out.append(
                    "  ".join(
                        _just(c, w, i, numeric)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True))
                    ).rstrip()
                )
            if note:
                out.append(note.replace("**", "").replace("`", ""))
            out.append("")
    return "\n".join(out)


def build_tables(args, facts, how, machine, results, memory_result, command):
    tables = []
    first = results[0]
    tables.append(("Machine", ["Fact", "Value"], machine, "", False))
    total_items = facts["open_items"]
    dataset = [
        (
            "Customers",
            f"{facts['customers']:,} ({facts['customers_without_email']:,} without "
            f"e-mail, {facts['invoice_contacts']:,} with an invoice contact)",
        ),
        (
            "Open customer invoices",
            f"{facts['invoices']:,} ({facts['two_instalment_invoices']:,} "
            "in two instalments), no taxes, BRL",
        ),
        ("Open receivable items", f"{total_items:,} (R$ {facts['open_amount']:,.2f})"),
        ("Run date", f"{facts['date']} (due dates from 90 days before to 10 days after)"),
        (
            "Dunning history",
            "none (--no-history: first run on the portfolio)"
            if args.no_history
            else f"{facts['history_lines']:,} lines sent by a régua that last ran on "
            f"{facts['history_last_run']}",
        ),
        ("Batch size", f"{args.batch_size} customers per `_process_batch`"),
        ("Module measured", f"{MODULE} {args.module_version}"),
        (
            "Template database",
            f"{args.template} ({how}; generating it took {facts.get('built_in_seconds', 0):.0f} s)",
        ),
        (
            "Measured copies",
            f"{len(results)}" + (" (median, min, max)" if len(results) > 1 else ""),
        ),
        ("Command", f"`{command}`"),
    ]
    tables.append(("Data set", ["Fact", "Value"], dataset, "", False))
    header = ["Metric"] + (["Median", "Min", "Max"] if len(results) > 1 else ["Value"])
    rows = [
        [label] + summarize(values, formatter)
        for label, values, formatter in metric_rows(results, memory_result)
    ]
    note = ""
    if memory_result is not None:
        note = (
            f"¹ Peak of Python allocations during the run, measured with tracemalloc on a "
            f"separate copy (tracing slows Python down: that run took "
            f"{memory_result['total']['wall']:.1f} s, not counted above)."
        )
    if not first["memory"]["peak_reset"]:
        note += "\nPeak RSS includes the start of the process (could not reset it)."
    tables.append(("Full run", header, rows, note))
    batch_rows = []
    for index, batch in enumerate(first["batches"], start=1):
        batch_rows.append(
            [
                index,
                batch["customers"],
                batch["lines"],
                batch["messages"],
                batch["queries"],
                f"{batch['queries'] / batch['customers']:.1f}" if batch["customers"] else "-",
                f"{batch['wall']:.2f}",
                f"{batch['cpu']:.2f}",
            ]
        )
    tables.append(
        (
            "Dispatch, batch by batch" + (" (first copy)" if len(results) > 1 else ""),
            [
                "Batch",
                "Customers",
                "Lines",
                "Messages",
                "SQL queries",
                "Queries/customer",
                "Wall (s)",
                "CPU (s)",
            ],
            batch_rows,
            "",
        )
    )
    level_rows = [
        [f"D{level['days']:+d} {level['name']}", level["lines"], level["customers"]]
        for level in first["levels"]
    ]
    tables.append(("Lines per level of the régua", ["Level", "Lines", "Customers"], level_rows, ""))
    return tables


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="tools/benchmark",
        description="Time a full cobranca_addon dunning run on a generated database.",
    )
    parser.add_argument(
        "--credit",
        action="store_true",
        help="run the credit benchmark instead (scoring, credit status, OCA "
        "account_financial_risk); tools/benchmark --credit --help for its options",
    )
    parser.add_argument(
        "--reports",
        action="store_true",
        help="run the reports benchmark instead (aging and indicators on the credit "
        "benchmark's data); tools/benchmark --reports --help for its options",
    )
    parser.add_argument(
        "--customers", type=int, default=2000, metavar="N", help="customers (default 2000)"
    )
    parser.add_argument(
        "--invoices",
        type=int,
        default=20000,
        metavar="M",
        help="open customer invoices (default 20000)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=50,
        metavar="B",
        help="customers per _process_batch (default 50, the module's DEFAULT_BATCH_SIZE)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="R",
        help="measured copies; with R > 1 the median, min and max are shown",
    )
    parser.add_argument("--keep", action="store_true", help="keep the measured databases")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the template database")
    parser.add_argument("--markdown", metavar="FILE", help="also write the tables as Markdown")
    parser.add_argument(
        "--date",
        type=datetime.date.fromisoformat,
        default=datetime.date.fromisoformat(DEFAULT_DATE),
        help=f"run date, the 'today' of the data (default {DEFAULT_DATE})",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed of the data (default 42)")
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="measure a first run: no dunning history in the measured copy",
    )
    parser.add_argument(
        "--no-tracemalloc",
        action="store_true",
        help="skip the extra copy run under tracemalloc (peak Python memory)",
    )
    # internal: the child process that measures one copy
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--conf", help=argparse.SUPPRESS)
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    parser.add_argument("--trace-memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.customers < 1 or args.invoices < 3 or args.batch_size < 1 or args.repeat < 1:
        parser.error("--customers >= 1, --invoices >= 3, --batch-size >= 1, --repeat >= 1")
    return args


def main(argv=None):
    given = sys.argv[1:] if argv is None else argv
    # the other benchmarks, each in its own file
    for flag, module_name in (
        ("--credit", "benchmark_credit"),
        ("--reports", "benchmark_reports"),
        ("--scale", "benchmark_scale"),
        ("--all", "benchmark_all"),
    ):
        if flag in given:
            importlib.import_module(module_name).main([arg for arg in given if arg != flag])
            return
    args = parse_args(argv)
    if args.measure:
        setup_odoo(args.conf)
        measure(args)
        return
    command = "tools/benchmark" + "".join(
        f" {shlex.quote(arg)}" for arg in (sys.argv[1:] if argv is None else argv)
    )
    with tempfile.NamedTemporaryFile(
        "w", suffix=".conf", prefix="cobranca-bench-", delete=False
    ) as handle:
        conf = handle.name
    try:
        write_config(conf)
        setup_odoo(conf)
        template, facts, how = ensure_template(args, conf)
        args.template = template
        args.module_version = module_version()
        machine = machine_facts()
        results, memory_result = [], None
        copies = args.repeat + (0 if args.no_tracemalloc else 1)
        for index in range(copies):
            trace = index == args.repeat
            dbname = f"cobranca_bench_{args.customers}_{args.invoices}_" + (
                "mem" if trace else f"r{index + 1}"
            )
            started = time.time()
            copy_db(template, dbname)
            if args.no_history:
                remove_history(dbname)
            log(
                f"{dbname}: copied from the template in {time.time() - started:.1f}s; "
                + ("measuring memory (tracemalloc)" if trace else "measuring")
            )
            try:
                result = run_child(args, conf, dbname, trace_memory=trace)
            finally:
                if not args.keep:
                    drop_db(dbname)
            log(
                f"{dbname}: {result['lines']} lines, {result['dispatch']['customers']} "
                f"customers in {result['total']['wall']:.1f}s, "
                f"{result['total']['queries']} queries"
            )
            if trace:
                memory_result = result
            else:
                results.append(result)
        if args.keep:
            log(
                "kept the measured databases: "
                + ", ".join(r["db"] for r in results + ([memory_result] if memory_result else []))
            )
        tables = build_tables(args, facts, how, machine, results, memory_result, command)
        title = (
            f"cobranca_addon benchmark: {facts['customers']:,} customers, "
            f"{facts['invoices']:,} invoices"
        )
        print()
        print(title)
        print()
        print(render(tables, markdown=False))
        if args.markdown:
            with open(args.markdown, "w") as handle:
                handle.write(f"## {title}\n\n" + render(tables, markdown=True))
            log(f"wrote {args.markdown}")
    finally:
        os.unlink(conf)


if __name__ == "__main__":
    main()
