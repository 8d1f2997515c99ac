"""Reports benchmark of cobranca_addon: the aging and every indicator on the credit
benchmark's generated database (10,000 customers, 100,000 receivable lines with a
year of real payments).

Not a test. Reached through ``tools/benchmark --reports`` (or run directly):

    tools/benchmark --reports                                 # 10,000 customers, 100,000 lines
    tools/benchmark --reports --customers 1000 --lines 10000  # a quick one
    tools/benchmark --reports --repeat 7 --markdown docs/benchmark-reports.md

How it works
------------

1. The template database of ``tools/benchmark --credit`` with the same
   ``--customers``, ``--lines``, ``--big-items``, ``--date`` and ``--seed``
   (``cobranca_bench_credit_<N>_<L>_<B>``), built by its generator if missing
   (``benchmark_credit.ensure_template``: nothing of it is duplicated here).
2. A copy of it (``createdb -T``), to which, set-based in SQL, the history of
   the régua is added as a daily run would have left it: for every instalment
   overdue before the data's day, a *sent* dunning line at each level of the
   default régua after the due date (D+1, D+7, D+15, D+30) reached before it was
   paid and before the data's day, with what was open that day; five collectors
   sharing the customers; and promises to pay for one customer in twenty with an
   overdue item (kept, broken or open).
3. Each report is read the way its views and the dashboard read it
   (``_read_group``), in a fresh environment (new cursor, empty caches), as the
   superuser, ``--repeat`` times: median, minimum and maximum wall time, SQL
   queries, and the rows behind it (rows of the SQL view) and the groups it returns.

The reports count up to the database's current date (they are "as of today"),
not the data's day: the aging puts every item of the data in its buckets as of
the real today, and the indicator months run from the data's first month to the
current one.

Environment: ODOO_VENV (the wrapper ``tools/benchmark``), PGHOST, PGPORT, PGUSER.
"""

import argparse
import datetime
import gc
import os
import shlex
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import benchmark as base  # noqa: E402  (tools/benchmark.py: helpers shared with it)
import benchmark_credit as credit  # noqa: E402  (the generated database)

#: The levels of the default régua after the due date (days), as its data file ships them.
LEVEL_XMLIDS = (
    "cobranca_level_default_overdue",
    "cobranca_level_default_second",
    "cobranca_level_default_call",
    "cobranca_level_default_formal",
)
COLLECTORS = 5
REPORT_MODELS = (
    "cobranca.aging.report",
    "cobranca.indicator.month",
    "cobranca.level.effectiveness",
    "cobranca.recovery.report",
    "cobranca.commitment.report",
)


def log(message):
    base.log(message)


def add_collection_history(env, day):
    """The régua's history, collectors and promises on the copy (set-based SQL)."""
    cr = env.cr
    # the reports as the code on disk writes them (the template may predate a change)
    for model in REPORT_MODELS:
        env[model].init()
    company = env["res.company"].search([], limit=1, order="id")
    policy = env.ref("cobranca_addon.cobranca_policy_default")
    levels = [env.ref(f"cobranca_addon.{xmlid}") for xmlid in LEVEL_XMLIDS]
    users = env["res.users"].create(
        [
            {
                "name": f"Cobrador {index + 1}",
                "login": f"cobrador{index + 1}@bench.example.com",
                "groups_id": [(6, 0, [env.ref("cobranca_addon.group_cobranca_user").id])],
            }
            for index in range(COLLECTORS)
        ]
    )
    env.flush_all()
    cr.execute(
        """
        UPDATE res_partner partner
           SET cobranca_collector_id = jsonb_build_object(
                   %(company)s::text, (%(users)s::int[])[1 + partner.id %% %(count)s])
         WHERE partner.customer_rank > 0 AND partner.parent_id IS NULL
        """,
        {"company": company.id, "users": users.ids, "count": len(users)},
    )
    started = time.time()
    cr.execute(
        """
        WITH items AS (
            SELECT aml.id, aml.move_id, aml.partner_id, aml.company_id, aml.currency_id,
                   aml.date_maturity, aml.balance,
                   (SELECT MAX(partial.max_date) FROM account_partial_reconcile partial
                     WHERE partial.debit_move_id = aml.id AND aml.reconciled) AS paid_on
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
             WHERE move.move_type = 'out_invoice' AND aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable' AND aml.balance > 0
               AND aml.date_maturity < %(day)s
        ),
        reached AS (
            SELECT item.*, level.id AS level_id, item.date_maturity + level.days AS date,
                   level.days
              FROM items item
              JOIN cobranca_level level ON level.id = ANY(%(levels)s)
             WHERE item.date_maturity + level.days <= %(day)s
               AND (item.paid_on IS NULL OR item.date_maturity + level.days < item.paid_on)
        )
        INSERT INTO cobranca_line (
            move_line_id, move_id, partner_id, company_id, currency_id, policy_id, level_id,
            date, state, date_maturity, days_late, amount_residual, amount_residual_currency,
            create_uid, write_uid, create_date, write_date)
        SELECT reached.id, reached.move_id, reached.partner_id, reached.company_id,
               reached.currency_id, %(policy)s, reached.level_id, reached.date, 'sent',
               reached.date_maturity, reached.days, open.amount, open.amount,
               1, 1, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
          FROM reached
         CROSS JOIN LATERAL (
               SELECT reached.balance - COALESCE(SUM(partial.amount), 0) AS amount
                 FROM account_partial_reconcile partial
                WHERE partial.debit_move_id = reached.id AND partial.max_date <= reached.date
         ) open
         WHERE open.amount > 0
        """,
        {"day": day, "levels": [level.id for level in levels], "policy": policy.id},
    )
    lines = cr.rowcount
    cr.execute(
        """
        INSERT INTO cobranca_negotiation (
            company_id, partner_id, user_id, date, channel, outcome, state, promise_date,
            promise_amount, amount_paid, create_uid, write_uid, create_date, write_date)
        SELECT line.company_id, line.partner_id,
               (%(users)s::int[])[1 + line.partner_id %% %(count)s],
               line.date + interval '10 hours', 'phone', 'promise',
               (ARRAY['kept', 'broken', 'open'])[1 + line.id %% 3],
               line.date + 5, line.amount_residual,
               CASE WHEN line.id %% 3 = 0 THEN line.amount_residual ELSE 0 END,
               1, 1, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
          FROM (SELECT DISTINCT ON (partner_id) * FROM cobranca_line
                 WHERE partner_id %% 20 = 0 ORDER BY partner_id, date DESC) line
        """,
        {"users": users.ids, "count": len(users)},
    )
    promises = cr.rowcount
    cr.execute("ANALYZE cobranca_line; ANALYZE cobranca_negotiation; ANALYZE res_partner")
    log(
        f"history: {lines:,} dunning lines, {promises:,} promises, {len(users)} collectors "
        f"in {time.time() - started:.1f}s"
    )
    return {"lines": lines, "promises": promises, "collectors": len(users)}


def steps(day):
    """(name, what it is, model, function of env) of every measurement."""
    year_before = (day.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)

    def read_group(model, domain, groupby, aggregates):
        return lambda env: env[model]._read_group(domain, groupby, aggregates)

    month_measures = [
        "receivable_amount:sum",
        "overdue_amount:sum",
        "sales_amount:sum",
        "overdue_rate:sum",
        "dso:sum",
    ]
    level_measures = [
        "item_count:sum",
        "paid_count:sum",
        "paid_rate:sum",
        "amount_dunned:sum",
        "amount_paid:sum",
        "amount_rate:sum",
    ]
    recovery_measures = ["amount_dunned:sum", "amount_recovered:sum", "recovery_rate:sum"]
    commitment_measures = ["made_count:sum", "kept_count:sum", "kept_rate:sum", "amount:sum"]
    return [
        (
            "aging_bucket",
            "Aging by bucket",
            "cobranca.aging.report",
            read_group("cobranca.aging.report", [], ["bucket_id"], ["amount_residual:sum"]),
        ),
        (
            "aging_customer",
            "Aging by customer and bucket (the XLSX/PDF matrix)",
            "cobranca.aging.report",
            read_group(
                "cobranca.aging.report", [], ["partner_id", "bucket_id"], ["amount_residual:sum"]
            ),
        ),
        (
            "month",
            "Inadimplência and DSO by month",
            "cobranca.indicator.month",
            read_group("cobranca.indicator.month", [], ["month:month"], month_measures),
        ),
        (
            "month_collector",
            "Inadimplência and DSO by month and collector",
            "cobranca.indicator.month",
            read_group(
                "cobranca.indicator.month", [], ["month:month", "collector_id"], month_measures
            ),
        ),
        (
            "levels",
            "Effectiveness by level (window over)",
            "cobranca.level.effectiveness",
            read_group(
                "cobranca.level.effectiveness",
                [("window_closed", "=", True)],
                ["level_id"],
                level_measures,
            ),
        ),
        (
            "levels_month",
            "Effectiveness by level and month",
            "cobranca.level.effectiveness",
            read_group(
                "cobranca.level.effectiveness", [], ["level_id", "date:month"], level_measures
            ),
        ),
        (
            "recovery",
            "Recovery by month and collector",
            "cobranca.recovery.report",
            read_group(
                "cobranca.recovery.report", [], ["date:month", "collector_id"], recovery_measures
            ),
        ),
        (
            "commitments",
            "Promises and agreements by kind and collector",
            "cobranca.commitment.report",
            read_group(
                "cobranca.commitment.report", [], ["kind", "collector_id"], commitment_measures
            ),
        ),
        (
            "summary",
            "Summary of the dashboard (res.company._cobranca_indicators, 12 months)",
            None,
            lambda env: env["res.company"].search([])._cobranca_indicators(year_before, day),
        ),
    ]


def view_rows(env):
    rows = {}
    for model in REPORT_MODELS:
        env.cr.execute(f'SELECT COUNT(*) FROM "{env[model]._table}"')  # noqa: S608 (a model's table)
        rows[model] = env.cr.fetchone()[0]
    return rows


def measure(registry, repeat, day):
    import odoo.sql_db
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        rows = view_rows(api.Environment(cr, SUPERUSER_ID, {}))
    results = []
    for name, label, model, fn in steps(day):
        walls, queries, groups, peaks = [], [], 0, []
        for _index in range(repeat):
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                gc.collect()
                base.reset_peak_rss()
                q0, t0 = odoo.sql_db.sql_counter, time.perf_counter()
                value = fn(env)
                walls.append(time.perf_counter() - t0)
                queries.append(odoo.sql_db.sql_counter - q0)
                peaks.append(credit.vm_hwm_kb())
                cr.rollback()
            groups = len(value) if isinstance(value, list) else len(value)
        results.append(
            {
                "name": name,
                "label": label,
                "rows": rows.get(model),
                "groups": groups,
                "median": statistics.median(walls),
                "min": min(walls),
                "max": max(walls),
                "queries": statistics.median(queries),
                "peak_rss_kb": max(peaks),
            }
        )
        log(f"  {label}: {statistics.median(walls) * 1000:.0f} ms, {queries[0]} queries")
    return rows, results


def render(results, markdown):
    header, table = report_table(results)
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in table]
        return "\n".join(lines) + "\n"
    widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                  for i, cell in enumerate(row))
        for row in [header, *table]
    ) + "\n"  # fmt: skip


def report_table(results):
    header = [
        "Report",
        "Rows of the view",
        "Groups",
        "Median",
        "Min",
        "Max",
        "SQL queries",
        "Rows per second",
        "Peak RSS",
    ]
    table = [
        [
            result["label"],
            "—" if result["rows"] is None else f"{result['rows']:,}",
            f"{result['groups']:,}",
            f"{result['median'] * 1000:,.0f} ms",
            f"{result['min'] * 1000:,.0f} ms",
            f"{result['max'] * 1000:,.0f} ms",
            f"{result['queries']:g}",
            "—"
            if result["rows"] is None or not result["median"]
            else f"{result['rows'] / result['median']:,.0f}/s",
            f"{result.get('peak_rss_kb', 0) / 1024:,.0f} MiB",
        ]
        for result in results
    ]
    return header, table


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="tools/benchmark --reports",
        description="Time cobranca_addon's aging and indicator reports on the credit "
        "benchmark's generated data.",
    )
    credit.add_data_arguments(parser)
    credit.add_output_arguments(parser)
    parser.add_argument(
        "--repeat", type=int, default=5, metavar="R", help="runs of each report (default 5)"
    )
    args = credit.parse_data_arguments(parser, argv)
    if args.repeat < 1:
        parser.error("--repeat >= 1")
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    command = "tools/benchmark --reports" + "".join(f" {shlex.quote(arg)}" for arg in argv)
    with tempfile.NamedTemporaryFile(
        "w", suffix=".conf", prefix="cobranca-bench-", delete=False
    ) as handle:
        conf = handle.name
    dbname = f"cobranca_bench_reports_{args.customers}_{args.lines}"
    try:
        base.write_config(conf)
        base.setup_odoo(conf)
        template, facts, how = credit.ensure_template(args, conf)
        started = time.time()
        base.copy_db(template, dbname)
        log(f"{dbname}: copied from {template} in {time.time() - started:.1f}s")
        from odoo import SUPERUSER_ID, api
        from odoo.modules.registry import Registry

        registry = Registry(dbname)
        with registry.cursor() as cr:
            history = add_collection_history(api.Environment(cr, SUPERUSER_ID, {}), args.date)
        rows, results = measure(registry, args.repeat, args.date)
        base.close_registry(dbname)
    finally:
        os.unlink(conf)
        if not args.keep:
            base.drop_db(dbname)
    machine = base.machine_facts()
    title = (
        f"cobranca_addon reports benchmark: {facts['customers']:,} customers, "
        f"{facts['data']['receivable_lines']:,} receivable lines, "
        f"{history['lines']:,} dunning lines, {history['promises']:,} promises"
    )
    facts_lines = [
        f"Command: `{command}`",
        f"Template database: {template} ({how})",
        f"Median of {args.repeat} runs of each, each in a fresh environment, as the superuser.",
        *(f"{key}: {value}" for key, value in machine),
    ]
    if args.tables_json:
        header, table = report_table(results)
        base.dump_tables(
            args.tables_json, title, [("Reports (median of the runs)", header, table, "", False)]
        )
    print()
    print(title)
    print()
    print("\n".join(facts_lines))
    print()
    print(render(results, markdown=False))
    if args.markdown:
        with open(args.markdown, "w") as handle:
            handle.write(f"## {title}\n\n")
            handle.write("".join(f"- {line}\n" for line in facts_lines) + "\n")
            handle.write(render(results, markdown=True))
        log(f"wrote {args.markdown}")


if __name__ == "__main__":
    main()
