"""Benchmark of the day's dunning at scale, side by side with OCA account_credit_control.

Not a test. Reached through ``tools/benchmark --scale`` (or run directly):

    tools/benchmark --scale                                  # 10,000 customers, 100,000 lines
    tools/benchmark --scale --customers 1000 --lines 10000   # a quick one
    tools/benchmark --scale --repeat 3 --markdown docs/benchmark-scale.md

The data is the credit benchmark's (``tools/benchmark_credit.py``, the same
reusable template database): N customers, L receivable lines of invoices with
one, two or three instalments, invoice dates over the 12 months before the
data's day and due dates up to a month after it, with a real payment history
(paid on time, paid late, paid in two parts, partly paid, open overdue, open not
due) and one big customer with a tenth of the lines. No dunning history: the
measured day is the first run of the régua on that portfolio, where every
overdue item reaches the first level after the due date at once.

Both sides run the same three-level policy, e-mail only:

- ours: the shipped régua reduced to its three e-mail levels after the due date
  (D+1 *Payment not identified*, D+7 *Second notice*, D+30 *Formal notice*, the
  latter without its phone task; the D-3 reminder and the D+15 call archived);
- OCA account_credit_control 18.0 (``pip install -r requirements-bench.txt``):
  a policy on the receivable accounts with level 1 at 1 day net, level 2 six
  days after the previous reminder, level 3 twenty-three days after it
  (``previous_date``, so that a level is reached one reminder after the other as
  ours), channel e-mail, invoice details shown in the e-mail, its shipped e-mail
  template without its PDF attachment (ours attaches none by default).

Each side is measured on its own fresh copy of the template (``createdb -T``),
in a child process, with the registry directly (no HTTP server), as the
superuser:

- ours, exactly as ``tools/benchmark`` measures the run (``benchmark.measure``):
  the line selection (``_prepare_runs``), then ``_process_batch`` batch after
  batch, each committed, a new cursor every ten batches as the scheduler does,
  until no customer is left; then a second run the same day;
- OCA, the way its UI does it: a ``credit.control.run`` of the day with the
  policy, *Compute Credit Lines* (``generate_credit_lines``); then *Mark as ready
  to be sent* (``set_to_ready_lines``) and *Run channel action*
  (``run_channel_action``: one ``credit.control.communication`` per customer and
  level, and its e-mail posted from the template); then a second run of the
  same day (a new ``credit.control.run``, *Compute Credit Lines* again).

E-mails are created in Odoo's mail queue on both sides, not sent (OCA's
``message_post`` is told not to send at once: ``mail_notify_force_send=False``).
Figures: wall time, CPU time of the Odoo process, SQL queries
(``odoo.sql_db.sql_counter``), items per second, peak RSS (VmHWM, reset before
the step).

Environment: ODOO_VENV (the wrapper ``tools/benchmark``), PGHOST, PGPORT, PGUSER;
COBRANCA_BENCH_DB_PREFIX (default ``cobranca_bench``) prefixes the databases made.
"""

import argparse
import gc
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import benchmark as base  # noqa: E402  (tools/benchmark.py: the run's measurement)
import benchmark_credit as credit  # noqa: E402  (tools/benchmark_credit.py: the data)

OCA_MODULE = "account_credit_control"
OCA_REQUIREMENT = "odoo-addon-account_credit_control==18.0.*"
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def log(message):
    print(f"[benchmark --scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def db_prefix():
    return os.environ.get("COBRANCA_BENCH_DB_PREFIX", "cobranca_bench")


# --------------------------------------------------------------------------
# The policies
# --------------------------------------------------------------------------


def configure_ours(env):
    """The shipped régua reduced to its three e-mail levels after the due date."""
    policy = env.ref("cobranca_addon.cobranca_policy_default")
    env.ref("cobranca_addon.cobranca_level_default_friendly").active = False
    env.ref("cobranca_addon.cobranca_level_default_call").active = False
    env.ref("cobranca_addon.cobranca_level_default_formal").channel_phone = False
    levels = policy.level_ids.filtered("active").sorted("days")
    return [(level.days, level.name, level._cobranca_channels()) for level in levels]


def configure_oca(env, company):
    """An OCA credit control policy equivalent to ours: three e-mail levels."""
    template = env.ref("account_credit_control.email_template_credit_control_base")
    template.report_template_ids = [(5, 0, 0)]
    receivables = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)]
    )
    text = "Our records indicate that we have not received the payment of the invoices below."

    def level(number, name, mode, delay):
        return (
            0,
            0,
            {
                "name": name,
                "level": number,
                "computation_mode": mode,
                "delay_days": delay,
                "channel": "email",
                "email_template_id": template.id,
                "custom_text": text,
                "custom_mail_text": f"<p>{text}</p>",
                "mail_show_invoice_detail": True,
            },
        )

    policy = env["credit.control.policy"].create(
        {
            "name": "Régua (3 levels)",
            "account_ids": [(6, 0, receivables.ids)],
            "level_ids": [
                level(1, "Payment not identified", "net_days", 1),
                level(2, "Second notice", "previous_date", 6),
                level(3, "Formal notice", "previous_date", 23),
            ],
        }
    )
    company.credit_policy_id = policy
    return policy


# --------------------------------------------------------------------------
# Child processes
# --------------------------------------------------------------------------


def measure_ours(args):
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    registry = Registry(args.measure_ours)
    with registry.cursor() as cr:
        levels = configure_ours(api.Environment(cr, SUPERUSER_ID, {}))
    measured = argparse.Namespace(
        measure=args.measure_ours,
        date=args.date,
        batch_size=args.batch_size,
        trace_memory=False,
        json_out=args.json_out,
    )
    base.measure(measured)
    with open(args.json_out) as handle:
        result = json.load(handle)
    result["vm_hwm_kb"] = credit.vm_hwm_kb()
    result["levels_configured"] = levels
    with open(args.json_out, "w") as handle:
        json.dump(result, handle, default=str)


def measure_oca(args):
    import odoo.sql_db
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    registry = Registry(args.measure_oca)
    facts = base.template_facts(args.measure_oca)
    company_id = facts["company_id"]
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        policy_id = configure_oca(env, env["res.company"].browse(company_id)).id

    def counts(cr):
        cr.execute(
            """
            SELECT (SELECT COUNT(*) FROM credit_control_line),
                   (SELECT COUNT(*) FROM credit_control_line WHERE channel = 'email'),
                   (SELECT COUNT(DISTINCT partner_id) FROM credit_control_line),
                   (SELECT COUNT(*) FROM credit_control_communication),
                   (SELECT COALESCE(MAX(id), 0) FROM mail_mail),
                   (SELECT COALESCE(MAX(id), 0) FROM mail_message)
            """
        )
        return cr.fetchone()

    result = {"db": args.measure_oca, "steps": {}}

    def step(name, fn):
        gc.collect()
        base.reset_peak_rss()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"mail_notify_force_send": False})
            before = counts(cr)
            q0, t0, c0 = odoo.sql_db.sql_counter, CLOCKS["wall"](), CLOCKS["cpu"]()
            fn(env)
            env.flush_all()
            cr.commit()
            t1, q1, c1 = CLOCKS["wall"](), odoo.sql_db.sql_counter, CLOCKS["cpu"]()
            after = counts(cr)
        result["steps"][name] = {
            "wall": t1 - t0,
            "cpu": c1 - c0,
            "queries": q1 - q0,
            "rss_peak_kb": credit.vm_hwm_kb(),
            "lines": after[0] - before[0],
            "email_lines": after[1] - before[1],
            "customers": after[2] - before[2],
            "communications": after[3] - before[3],
            "mails": after[4] - before[4],
            "chatter": after[5] - before[5],
        }
        log(f"  OCA {name}: {t1 - t0:.2f}s wall, {q1 - q0} queries, {result['steps'][name]}")

    runs = {}

    def generate(env, key):
        run = env["credit.control.run"].create(
            {"date": args.date, "company_id": company_id, "policy_ids": [(6, 0, [policy_id])]}
        )
        run.generate_credit_lines()
        runs[key] = run.id

    def emails(env, key):
        run = env["credit.control.run"].browse(runs[key])
        run.set_to_ready_lines()
        run.run_channel_action()

    step("generate", lambda env: generate(env, "first"))
    step("emails", lambda env: emails(env, "first"))
    step("second_generate", lambda env: generate(env, "second"))
    step("second_emails", lambda env: emails(env, "second"))
    with registry.cursor() as cr:
        cr.execute("SELECT state, COUNT(*) FROM credit_control_line GROUP BY state")
        result["line_states"] = dict(cr.fetchall())
        cr.execute(
            "SELECT channel, COUNT(*), COUNT(DISTINCT partner_id) FROM credit_control_line "
            "GROUP BY channel"
        )
        result["channels"] = {row[0]: [row[1], row[2]] for row in cr.fetchall()}
    with open(args.json_out, "w") as handle:
        json.dump(result, handle, default=str)


def explain(args):
    """--explain DB: EXPLAIN ANALYZE of the run's hot queries on a copy (rolled back).

    The line selection (``_create_lines``, its one INSERT ... SELECT), then, with
    the lines created, the claim of a batch (``_claim_partners``), the count of the
    customers left (``_count_pending_partners``) and the lines of a batch
    (``_process_batch``'s ``FOR UPDATE``), each the statement the module runs, with
    ``EXPLAIN (ANALYZE, BUFFERS)`` put in front of it.
    """
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import SQL

    registry = Registry(args.explain)
    plans = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        configure_ours(env)
        env.flush_all()
        companies = env["res.company"].search([])
        real_execute = type(cr).execute

        def explained(title, fn, needle):
            """Run fn(), its first query containing ``needle`` under EXPLAIN ANALYZE."""
            seen = []

            def execute(self, query, params=None, log_exceptions=True):
                if not seen and isinstance(query, SQL) and needle in query.code:
                    seen.append(query)
                    real_execute(
                        self, SQL("EXPLAIN (ANALYZE, BUFFERS) %s", query), params, log_exceptions
                    )
                    plans.append((title, "\n".join(row[0] for row in self.fetchall())))
                    return real_execute(self, query, params, log_exceptions)
                return real_execute(self, query, params, log_exceptions)

            type(cr).execute = execute
            try:
                return fn()
            finally:
                type(cr).execute = real_execute

        Run = env["cobranca.run"]
        run = Run.create({"company_id": companies[0].id, "date": args.date})
        explained(
            "Line selection (`_create_lines`)", run._create_lines, "INSERT INTO cobranca_line"
        )
        env.invalidate_all()
        explained(
            "Claim of a batch (`_claim_partners`, candidates)",
            lambda: Run._claim_partners(companies, args.batch_size),
            "SELECT partner_id, COUNT(*)",
        )
        explained(
            "Customers left (`_count_pending_partners`)",
            lambda: Run._count_pending_partners(companies),
            "COUNT(DISTINCT partner_id)",
        )
        partner_ids = Run._claim_partners(companies, args.batch_size)
        cr.execute(
            SQL(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM cobranca_line WHERE state = 'pending' "
                "AND company_id = ANY(%s) AND partner_id = ANY(%s) ORDER BY id FOR UPDATE",
                companies.ids,
                partner_ids,
            )
        )
        plans.append(
            (
                "Lines of a batch (`_process_batch`, FOR UPDATE)",
                "\n".join(row[0] for row in cr.fetchall()),
            )
        )
        cr.rollback()
    with open(args.json_out, "w") as handle:
        json.dump(plans, handle)


def run_child(args, conf, dbname, side):
    with tempfile.NamedTemporaryFile("r", suffix=".json", prefix="cobranca-bench-") as out:
        cmd = [
            sys.executable,
            os.path.abspath(__file__),
            {"ours": "--measure-ours", "oca": "--measure-oca", "explain": "--explain"}[side],
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
        result = subprocess.run(cmd, env=base.pg_env())
        if result.returncode:
            base.fail(f"the {side} measurement on {dbname} failed (exit {result.returncode})")
        return json.load(out)


def ensure_oca(args):
    version, _folder = credit.ensure_oca(args, OCA_MODULE, OCA_REQUIREMENT)
    return version


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def summary(values, formatter):
    """'median (min – max)' of the measured copies, or the one value."""
    if not values:
        return "—"
    cells = base.summarize(values, formatter)
    return cells[0] if len(cells) == 1 else f"{cells[0]} ({cells[1]} – {cells[2]})"


def fmt_q(value):
    return f"{value:,.0f} queries"


def ours_step(result, name):
    """(wall, cpu, queries, items, customers, peak kb) of one of our steps."""
    if name == "selection":
        sel, obs = result["selection"], result["obsolete"]
        return {
            "wall": sel["wall"] + obs["wall"],
            "cpu": sel["cpu"] + obs["cpu"],
            "queries": sel["queries"] + obs["queries"],
            "items": result["lines"],
        }
    if name == "dispatch":
        dispatch = result["dispatch"]
        return {
            "wall": dispatch["wall"],
            "cpu": dispatch["cpu"],
            "queries": dispatch["queries"],
            "items": result["lines_sent"] + result["lines_cancelled"],
        }
    if name == "total":
        return {
            "wall": result["total"]["wall"],
            "cpu": result["total"]["cpu"],
            "queries": result["total"]["queries"],
            "items": result["lines"],
        }
    second = result["second"]
    return {"wall": second["wall"], "cpu": None, "queries": second["queries"], "items": 0}


def oca_step(result, name):
    steps = result["steps"]
    if name == "selection":
        step = steps["generate"]
        return {**step, "items": step["lines"]}
    if name == "dispatch":
        step = steps["emails"]
        return {**step, "items": steps["generate"]["email_lines"]}
    if name == "total":
        return {
            "wall": steps["generate"]["wall"] + steps["emails"]["wall"],
            "cpu": steps["generate"]["cpu"] + steps["emails"]["cpu"],
            "queries": steps["generate"]["queries"] + steps["emails"]["queries"],
            "items": steps["generate"]["lines"],
        }
    return {
        "wall": steps["second_generate"]["wall"] + steps["second_emails"]["wall"],
        "cpu": None,
        "queries": steps["second_generate"]["queries"] + steps["second_emails"]["queries"],
        "items": steps["second_generate"]["lines"],
    }


STEPS = [
    (
        "selection",
        "Selecting the day's items: our line selection (one SQL statement) vs OCA's "
        "*Compute Credit Lines*",
        "Selection",
    ),
    (
        "dispatch",
        "Messages: our dispatch of every batch (e-mail per customer, chatter notes) vs "
        "OCA's *Run channel action* (communications and their e-mails)",
        "Messages",
    ),
    ("total", "The day's work in all", "The day in all"),
    ("second", "A second run the same day", "Second run"),
]


def figure(steps):
    walls = [s["wall"] for s in steps]
    queries = [s["queries"] for s in steps]
    return f"{summary(walls, base.fmt_s)}, {summary(queries, fmt_q)}"


def comparison_rows(results):
    rows = []
    for name, label, _short in STEPS:
        ours = [ours_step(r["ours"], name) for r in results]
        oca = [oca_step(r["oca"], name) for r in results if r["oca"]]
        if oca:
            ratios = [
                b["wall"] / a["wall"]
                for a, b in zip(ours, oca, strict=False)
                if a["wall"] > 0 and b["wall"] > 0
            ]
            ratio = summary(ratios, lambda x: f"{x:,.1f}×") if ratios else "—"
            rows.append([label, figure(ours), figure(oca), ratio])
        else:
            rows.append([label, figure(ours), "—", "—"])
    return rows


def detail_rows(results, side):
    rows = []
    take = ours_step if side == "ours" else oca_step
    for name, _long, label in STEPS[:3]:
        steps = [take(r[side], name) for r in results if r[side]]
        rows.append([f"{label}: wall", summary([s["wall"] for s in steps], base.fmt_s)])
        rows.append(
            [
                f"{label}: CPU time of the Odoo process",
                summary([s["cpu"] for s in steps], base.fmt_s),
            ]
        )
        rows.append([f"{label}: SQL queries", summary([s["queries"] for s in steps], fmt_q)])
        rows.append(
            [
                f"{label}: items per second",
                summary(
                    [s["items"] / s["wall"] for s in steps if s["wall"]],
                    base.fmt_rate,
                ),
            ]
        )
    if side == "ours":
        batches = [b for r in results for b in r["ours"]["batches"]]
        if batches:
            queries = sorted(b["queries"] for b in batches)
            walls = sorted(b["wall"] for b in batches)
            rows.append(
                [
                    f"Batches of {results[0]['ours']['batch_size']} customers: count",
                    summary([r["ours"]["dispatch"]["batches"] for r in results], base.fmt_int),
                ]
            )
            rows.append(
                [
                    "SQL queries per batch: median (min – max)",
                    f"{queries[len(queries) // 2]} ({queries[0]} – {queries[-1]})",
                ]
            )
            rows.append(
                [
                    "Wall time per batch: median (min – max)",
                    f"{base.fmt_s(walls[len(walls) // 2])} "
                    f"({base.fmt_s(walls[0])} – {base.fmt_s(walls[-1])})",
                ]
            )
        rows.append(
            [
                "Peak RSS of the whole run (VmHWM)",
                summary([r["ours"]["vm_hwm_kb"] for r in results], base.fmt_kb),
            ]
        )
        rows.append(
            [
                "A second run the same day: wall, queries, lines and messages created",
                summary([r["ours"]["second"]["wall"] for r in results], base.fmt_s)
                + ", "
                + summary([r["ours"]["second"]["queries"] for r in results], fmt_q)
                + f", {results[0]['ours']['second']['lines']} lines, "
                f"{results[0]['ours']['second']['messages']} messages",
            ]
        )
    else:
        for name in ("generate", "emails"):
            rows.append(
                [
                    f"Peak RSS of {name} (VmHWM)",
                    summary([r["oca"]["steps"][name]["rss_peak_kb"] for r in results], base.fmt_kb),
                ]
            )
        second = results[0]["oca"]["steps"]
        rows.append(
            [
                "A second run the same day: wall, queries, lines and e-mails created",
                summary(
                    [
                        r["oca"]["steps"]["second_generate"]["wall"]
                        + r["oca"]["steps"]["second_emails"]["wall"]
                        for r in results
                    ],
                    base.fmt_s,
                )
                + f", {second['second_generate']['lines']} lines, "
                f"{second['second_emails']['mails']} e-mails",
            ]
        )
    return rows


def what_rows(results):
    ours, oca = results[0]["ours"], results[0]["oca"]
    rows = [
        [
            "Levels",
            ", ".join(
                f"D{days:+d} {name} ({', '.join(channels)})"
                for days, name, channels in ours["levels_configured"]
            ),
            "1: 1 day net; 2: previous + 6 days; 3: previous + 23 days; e-mail",
        ],
        [
            "Items selected (dunning lines / credit control lines)",
            f"{ours['lines']:,} lines of {ours['line_customers']:,} customers",
            f"{oca['steps']['generate']['lines']:,} lines of "
            f"{oca['steps']['generate']['customers']:,} customers"
            if oca
            else "—",
        ],
        [
            "Messages",
            f"{ours['emails']:,} e-mails, {ours['phone_tasks']:,} call tasks (no e-mail address)",
            f"{oca['steps']['emails']['communications']:,} communications, "
            f"{oca['channels'].get('letter', [0, 0])[1]:,} customers left to letters "
            "(no e-mail address)"
            if oca
            else "—",
        ],
        [
            "E-mails in the mail queue (mail.mail)",
            f"{ours['mails']:,}",
            f"{oca['steps']['emails']['mails']:,}" if oca else "—",
        ],
        [
            "Chatter messages (mail.message)",
            f"{ours['chatter_messages']:,}",
            f"{oca['steps']['emails']['chatter']:,}" if oca else "—",
        ],
    ]
    return rows


def data_rows(args, facts, how, command, oca_version):
    data = facts["data"]
    return [
        ["Customers", f"{facts['customers']:,}"],
        ["Receivable lines (instalments)", f"{data['receivable_lines']:,}"],
        [
            "Invoices; due dates",
            f"{data['invoices']:,} ({data['invoices_by_instalments']} by instalments); "
            f"{data['first_due']} to {data['last_due']}",
        ],
        [
            "Open items (overdue, partly paid, not due)",
            f"{data['open_lines']:,} ({data['categories']})",
        ],
        ["Big customer's open items", f"{data.get('big_open', 0):,}"],
        ["Data's day (the run date)", str(args.date)],
        ["Template database", f"{args.template} ({how})"],
        ["Module measured", args.module_version],
        ["OCA module", f"{OCA_MODULE} {oca_version}" if oca_version else "not measured"],
        ["Measured copies", f"{args.repeat} (median, min – max)"],
        ["Batch size", str(args.batch_size)],
        ["Command", f"`{command}`"],
    ]


def build_tables(args, facts, how, machine, results, command):
    tables = [
        ("Machine", ["Fact", "Value"], [list(row) for row in machine], "", False),
        ("Data set", ["Fact", "Value"], data_rows(args, facts, how, command, args.oca), "", False),
        (
            "What each side did",
            ["", "cobranca_addon", f"OCA {OCA_MODULE}"],
            what_rows(results),
            "",
            False,
        ),
        (
            "Side by side (median, min – max)",
            ["Step", "cobranca_addon", f"OCA {OCA_MODULE}", "OCA / ours"],
            comparison_rows(results),
            "",
            False,
        ),
        ("cobranca_addon", ["Metric", "Value"], detail_rows(results, "ours"), "", False),
    ]
    if results[0]["oca"]:
        tables.append(
            (f"OCA {OCA_MODULE}", ["Metric", "Value"], detail_rows(results, "oca"), "", False)
        )
    return tables


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="tools/benchmark --scale",
        description="Time the day's dunning of cobranca_addon on the credit benchmark's data "
        f"(10,000 customers, 100,000 lines), next to OCA {OCA_MODULE} on the same data.",
    )
    credit.add_data_arguments(parser)
    credit.add_output_arguments(parser)
    parser.add_argument(
        "--batch-size", type=int, default=50, metavar="B", help="customers per batch (default 50)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="R",
        help="measured copies of each side (default 1)",
    )
    parser.add_argument("--no-oca", action="store_true", help=f"skip OCA {OCA_MODULE}")
    parser.add_argument(
        "--install-oca",
        action="store_true",
        help=f"pip-install {OCA_REQUIREMENT} (requirements-bench.txt) when it is missing",
    )
    parser.add_argument(
        "--explain-plans",
        action="store_true",
        help="add EXPLAIN ANALYZE of the run's queries (on one more copy) to the output",
    )
    parser.add_argument("--explain", help=argparse.SUPPRESS)
    parser.add_argument("--measure-ours", help=argparse.SUPPRESS)
    parser.add_argument("--measure-oca", help=argparse.SUPPRESS)
    parser.add_argument("--conf", help=argparse.SUPPRESS)
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    args = credit.parse_data_arguments(parser, argv)
    if args.customers < 2 or args.lines < 10 or args.repeat < 1 or args.batch_size < 1:
        parser.error("--customers >= 2, --lines >= 10, --repeat >= 1, --batch-size >= 1")
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.measure_ours or args.measure_oca or args.explain:
        base.setup_odoo(args.conf)
        if args.explain:
            explain(args)
        elif args.measure_ours:
            measure_ours(args)
        else:
            measure_oca(args)
        return
    command = "tools/benchmark --scale" + "".join(f" {shlex.quote(arg)}" for arg in argv)
    with tempfile.NamedTemporaryFile(
        "w", suffix=".conf", prefix="cobranca-bench-", delete=False
    ) as handle:
        conf = handle.name
    try:
        base.write_config(conf)
        base.setup_odoo(conf)
        args.oca = None if args.no_oca else ensure_oca(args)
        template, facts, how = credit.ensure_template(args, conf)
        args.template = template
        args.module_version = base.module_version()
        machine = base.machine_facts()
        load_before = os.getloadavg()
        started_all = time.time()
        results = []
        for index in range(args.repeat):
            result = {"ours": None, "oca": None}
            for side in ("ours", "oca") if args.oca else ("ours",):
                dbname = f"{db_prefix()}_scale_{args.customers}_{args.lines}_{side}_r{index + 1}"
                base.copy_db(template, dbname)
                try:
                    if side == "oca":
                        credit.odoo_bin(conf, dbname, "-i", OCA_MODULE)
                    log(f"{dbname}: measuring {side}")
                    result[side] = run_child(args, conf, dbname, side)
                finally:
                    if not args.keep:
                        base.drop_db(dbname)
                ours = result["ours"]
                if side == "ours":
                    log(
                        f"ours: {ours['lines']} lines, {ours['dispatch']['customers']} customers "
                        f"in {ours['total']['wall']:.1f}s, {ours['total']['queries']} queries"
                    )
            results.append(result)
        plans = []
        if args.explain_plans:
            dbname = f"{db_prefix()}_scale_{args.customers}_{args.lines}_explain"
            base.copy_db(template, dbname)
            try:
                plans = run_child(args, conf, dbname, "explain")
            finally:
                if not args.keep:
                    base.drop_db(dbname)
        load_after = os.getloadavg()
        machine.append(
            (
                "Load average (1, 5, 15 min) before / after",
                " / ".join(
                    ", ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after)
                )
                + f" (measuring took {time.time() - started_all:.0f} s; "
                "the machine is shared: compare wall and CPU time)",
            )
        )
        tables = build_tables(args, facts, how, machine, results, command)
        title = (
            f"cobranca_addon at scale: the day's dunning of {facts['customers']:,} customers, "
            f"{facts['data']['receivable_lines']:,} receivable lines"
        )
        if args.tables_json:
            base.dump_tables(args.tables_json, title, tables)
        print()
        print(title)
        print()
        print(base.render(tables, markdown=False))
        for name, plan in plans:
            print(f"{name}\n{plan}\n")
        if args.markdown:
            with open(args.markdown, "w") as handle:
                handle.write(f"## {title}\n\n" + base.render(tables, markdown=True))
                if plans:
                    handle.write("\n### Query plans (EXPLAIN ANALYZE, BUFFERS)\n\n")
                    for name, plan in plans:
                        handle.write(f"{name}:\n\n```\n{plan}\n```\n\n")
            log(f"wrote {args.markdown}")
        with open(
            os.path.join(
                tempfile.gettempdir(), f"cobranca-bench-scale-{args.customers}-{args.lines}.json"
            ),
            "w",
        ) as raw:
            json.dump(results, raw, default=str)
    finally:
        os.unlink(conf)


if __name__ == "__main__":
    main()
