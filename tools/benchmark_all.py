"""``tools/benchmark --all``: every benchmark of the module on one generated database,
summed up in one table.

It runs, one after the other, on the same template database (the credit
benchmark's generator, reused when it exists: 10,000 customers and 100,000
receivable lines by default):

- ``tools/benchmark --scale``: the first run of the régua for a day, a second run
  the same day, and the same day's work by OCA account_credit_control;
- ``tools/benchmark --credit``: the scoring of all customers and the credit status
  of the biggest, next to OCA account_financial_risk;
- ``tools/benchmark --reports``: the aging report and each indicator.

It prints one summary table (each step's time, SQL queries, rows per second, peak
memory, and the ratio to OCA where OCA does the same), then each benchmark's own
tables. ``--markdown FILE`` writes all of it; ``--readme README.md`` also writes
the summary table into the README, between its markers::

    <!-- tools/benchmark --all: begin -->
    <!-- tools/benchmark --all: end -->
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchmark as base  # noqa: E402  (tools/benchmark.py: helpers shared with it)

BEGIN = "<!-- tools/benchmark --all: begin -->"
END = "<!-- tools/benchmark --all: end -->"


def log(message):
    print(f"[benchmark --all {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(flag, args, extra=()):
    """Run one benchmark as its own process; its tables (JSON) and Markdown."""
    with tempfile.TemporaryDirectory(prefix="cobranca-bench-all-") as folder:
        tables, markdown = os.path.join(folder, "tables.json"), os.path.join(folder, "out.md")
        cmd = [
            sys.executable,
            os.path.join(os.path.dirname(os.path.abspath(__file__)), "benchmark.py"),
            flag,
            "--customers",
            str(args.customers),
            "--lines",
            str(args.lines),
            "--repeat",
            str(args.repeat),
            "--markdown",
            markdown,
            "--tables-json",
            tables,
            *extra,
        ]
        log(" ".join(shlex.quote(part) for part in cmd[1:]))
        result = subprocess.run(cmd, env=base.pg_env())
        if result.returncode:
            base.fail(f"tools/benchmark {flag} failed (exit {result.returncode})")
        with open(tables) as handle, open(markdown) as text:
            return json.load(handle), text.read()


def table(data, title_start):
    for entry in data["tables"]:
        if entry["title"].startswith(title_start):
            return entry
    return {"header": [], "rows": []}


def detail(data, title, label_start):
    for row in table(data, title)["rows"]:
        if row[0].startswith(label_start):
            return row[1]
    return "—"


def rate_and_memory(data, title, rate_label, memory_label):
    """``"509/s, 237 MiB"``: a rate and a peak RSS of a benchmark's detail table."""
    if not table(data, title)["rows"]:
        return "—"
    return f"{detail(data, title, rate_label)}, {detail(data, title, memory_label)}"


def summary_rows(scale, credit, reports):
    """One table: ``[what, cobranca_addon, OCA, OCA / ours]`` rows."""
    rows = []
    for step, ours, oca, ratio in table(scale, "Side by side")["rows"]:
        rows.append([f"Régua: {step}", ours, oca, ratio])
    day_rate = "The day in all: items per second"
    rows.append(
        [
            "Régua: items per second, peak RSS of the whole run",
            rate_and_memory(scale, "cobranca_addon", day_rate, "Peak RSS of the whole run"),
            rate_and_memory(scale, "OCA", day_rate, "Peak RSS of emails"),
            "",
        ]
    )
    for what, ours, oca, ratio in table(credit, "Side by side")["rows"]:
        rows.append([f"Credit: {what}", ours, oca, ratio])
    scoring = "Scoring, first run: "
    rows.append(
        [
            "Credit: scoring (first run), receivable lines per second, peak RSS",
            rate_and_memory(
                credit,
                "cobranca_addon",
                scoring + "receivable lines per second",
                scoring + "peak RSS",
            ),
            "—",
            "",
        ]
    )
    header = table(reports, "Reports")["header"]
    for row in table(reports, "Reports")["rows"]:
        cell = dict(zip(header, row, strict=False))
        rows.append(
            [
                f"Report: {cell['Report']} ({cell['Rows of the view']} rows)",
                f"{cell['Median']} ({cell['Min']} – {cell['Max']}), "
                f"{cell['SQL queries']} queries, {cell['Rows per second']}, {cell['Peak RSS']}",
                "—",
                "",
            ]
        )
    return rows


def write_readme(path, markdown_table, command):
    with open(path) as handle:
        text = handle.read()
    if BEGIN not in text or END not in text:
        base.fail(f"{path} has no markers {BEGIN} ... {END}")
    block = f"{BEGIN}\n<!-- written by `{command}` on {time.strftime('%Y-%m-%d')} -->\n\n"
    # one level below the README's section
    block += re.sub(r"^### ", "#### ", markdown_table, flags=re.M) + f"\n{END}"
    text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    with open(path, "w") as handle:
        handle.write(text)
    log(f"wrote the summary into {path}")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="tools/benchmark --all",
        description="Every benchmark (--scale, --credit, --reports) on one generated "
        "database, summed up in one table.",
    )
    parser.add_argument("--customers", type=int, default=10_000, metavar="N")
    parser.add_argument("--lines", type=int, default=100_000, metavar="L")
    parser.add_argument("--repeat", type=int, default=1, metavar="R", help="copies of each")
    parser.add_argument("--no-oca", action="store_true", help="skip both OCA modules")
    parser.add_argument("--markdown", metavar="FILE", help="also write everything as Markdown")
    parser.add_argument(
        "--readme", metavar="FILE", help="write the summary table between the markers of FILE"
    )
    return parser.parse_args(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    command = "tools/benchmark --all" + "".join(f" {shlex.quote(arg)}" for arg in argv)
    oca = ["--no-oca"] if args.no_oca else []
    started = time.time()
    scale, scale_md = run("--scale", args, oca)
    credit, credit_md = run("--credit", args, oca)
    reports, reports_md = run("--reports", args)
    rows = summary_rows(scale, credit, reports)
    tables = [
        (
            f"Summary: {args.customers:,} customers, {args.lines:,} receivable lines",
            ["What", "cobranca_addon", "OCA", "OCA / ours"],
            rows,
            "",
            False,
        )
    ]
    print()
    print(base.render(tables, markdown=False))
    summary_md = base.render(tables, markdown=True)
    note = (
        f"Measured by `{command}` in {time.time() - started:.0f} s; each benchmark's own "
        "tables follow (machine, data set, what each side did, every figure).\n"
    )
    if args.markdown:
        with open(args.markdown, "w") as handle:
            handle.write(f"# `{command}`\n\n{summary_md}\n{note}\n")
            handle.write("\n".join((scale_md, credit_md, reports_md)))
        log(f"wrote {args.markdown}")
    if args.readme:
        write_readme(args.readme, summary_md, command)


if __name__ == "__main__":
    main()
