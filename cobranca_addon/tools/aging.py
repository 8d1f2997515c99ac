"""Aging buckets and the aging matrix, as plain functions.

An aging bucket is a range of *days late* (today minus the due date): ``min_days`` to
``max_days``, both included, ``None`` meaning no limit on that side. A company's buckets
must put every day count, from minus infinity (not due yet) to plus infinity, in exactly
one bucket: :func:`problems` says what prevents it.

The aging matrix is one row per customer and one column per bucket, with the totals of
each row and column and each column's share of the grand total. It is built from
aggregated amounts (one per customer and bucket, as ``_read_group`` gives them), never
from the items themselves. :func:`xlsx` writes matrices to an Excel workbook.
"""

import io
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    """A range of days late; ``None``: no lower (``min_days``) or upper limit."""

    key: Hashable
    name: str
    min_days: int | None
    max_days: int | None

    def contains(self, days):
        return (self.min_days is None or days >= self.min_days) and (
            self.max_days is None or days <= self.max_days
        )


@dataclass(frozen=True)
class Problem:
    """Why buckets do not cover each day count exactly once.

    ``kind`` is one of:

    * ``"empty"``: there is no bucket;
    * ``"inverted"``: ``first`` ends before it starts;
    * ``"overlap"``: ``first`` and ``second`` both contain ``days``;
    * ``"gap"``: no bucket contains ``days`` to ``until`` (between ``first`` and ``second``);
    * ``"no_start"``: no bucket contains ``days`` or fewer (``first`` starts after it);
    * ``"no_end"``: no bucket contains ``days`` or more (``first`` ends before it).
    """

    kind: str
    first: Bucket | None = None
    second: Bucket | None = None
    days: int | None = None
    until: int | None = None


def _start(bucket):
    return (bucket.min_days is not None, bucket.min_days or 0)


def _first_common_day(one, other):
    """A day count both buckets contain (they overlap): the lowest, if any is."""
    starts = [days for days in (one.min_days, other.min_days) if days is not None]
    if starts:
        return max(starts)
    ends = [days for days in (one.max_days, other.max_days) if days is not None]
    return min(ends) if ends else 0


def problems(buckets: Iterable[Bucket]) -> list[Problem]:
    """Every reason why ``buckets`` do not put each day count in exactly one bucket;
    an empty list when they do."""
    buckets = list(buckets)
    if not buckets:
        return [Problem("empty")]

    def inverted(bucket):
        return (
            bucket.min_days is not None
            and bucket.max_days is not None
            and bucket.max_days < bucket.min_days
        )

    found = [Problem("inverted", bucket) for bucket in buckets if inverted(bucket)]
    ranges = sorted((bucket for bucket in buckets if not inverted(bucket)), key=_start)
    if not ranges:
        return found
    first = ranges[0]
    if first.min_days is not None:
        found.append(Problem("no_start", first, days=first.min_days - 1))
    # ``reach``: the highest day count covered so far (None: no upper limit), and by whom
    reach, reacher = first.max_days, first
    for bucket in ranges[1:]:
        if reach is None or bucket.min_days is None or bucket.min_days <= reach:
            found.append(
                Problem("overlap", reacher, bucket, days=_first_common_day(reacher, bucket))
            )
        elif bucket.min_days > reach + 1:
            found.append(Problem("gap", reacher, bucket, days=reach + 1, until=bucket.min_days - 1))
        if reach is not None and (bucket.max_days is None or bucket.max_days > reach):
            reach, reacher = bucket.max_days, bucket
    if reach is not None:
        found.append(Problem("no_end", reacher, days=reach + 1))
    return found


def bucket_for(buckets: Iterable[Bucket], days: int) -> Bucket | None:
    """The first bucket containing ``days`` (the one when they are valid)."""
    return next((bucket for bucket in buckets if bucket.contains(days)), None)


@dataclass(frozen=True)
class Row:
    key: Hashable
    amounts: tuple
    total: float


@dataclass(frozen=True)
class Matrix:
    """The aging of several customers: ``rows`` (one per customer, in the given order)
    by ``columns`` (bucket keys), the ``totals`` of each column, the grand ``total`` and
    each column's ``shares`` of it (a fraction; ``None`` when the total is zero)."""

    columns: tuple
    rows: tuple
    totals: tuple
    total: float
    shares: tuple


def matrix(
    cells: Mapping[tuple, float],
    columns: Sequence[Hashable],
    rows: Sequence[Hashable] | None = None,
    round_amount: Callable[[float], float] = lambda amount: round(amount, 2),
) -> Matrix:
    """The matrix of ``cells``, ``{(row key, column key): amount}``.

    Every amount is rounded with ``round_amount`` (the currency's rounding) and every
    total is the rounded sum of rounded amounts, so the figures always add up. Rows
    follow ``rows`` (default: the order of ``cells``); a column key of ``cells`` not in
    ``columns`` (amounts without a bucket) gets a column of its own, at the end.
    """
    columns = list(columns)
    for _row, column in cells:
        if column not in columns:
            columns.append(column)
    if rows is None:
        rows = list(dict.fromkeys(row for row, _column in cells))
    table = []
    for row in rows:
        amounts = tuple(round_amount(cells.get((row, column), 0.0)) for column in columns)
        table.append(Row(row, amounts, round_amount(sum(amounts))))
    totals = tuple(
        round_amount(sum(row.amounts[index] for row in table)) for index in range(len(columns))
    )
    total = round_amount(sum(totals))
    shares = tuple(amount / total if total else None for amount in totals)
    return Matrix(tuple(columns), tuple(table), totals, total, shares)


@dataclass(frozen=True)
class Sheet:
    """A worksheet of :func:`xlsx`: a title, lines under it (company, date), the
    matrix with its column and row labels, and the labels of the totals."""

    name: str
    title: str
    subtitle: Sequence[str]
    matrix: Matrix
    column_labels: Sequence[str]
    row_labels: Sequence[str]
    row_header: str
    total_label: str
    share_label: str
    digits: int = 2


def _sheet_name(name, taken):
    # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook
    clean = "".join(" " if char in "[]:*?/\\" else char for char in name).strip() or "Sheet"
    base, number = clean[:31], 1
    candidate = base
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def xlsx(sheets: Iterable[Sheet]) -> bytes:
    """An Excel workbook with one worksheet per :class:`Sheet`: the labels, one row
    per customer with an amount per bucket and its total, then the totals and the
    shares. Totals are formulas (with their value, so any reader sees it)."""
    import xlsxwriter  # one of Odoo's requirements, imported only when needed
    from xlsxwriter.utility import xl_rowcol_to_cell

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    title_format = workbook.add_format({"bold": True, "font_size": 14})
    header = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True, "align": "center"})
    taken = set()
    for sheet in sheets:
        money_pattern = "#,##0" + ("." + "0" * sheet.digits if sheet.digits > 0 else "")
        money = workbook.add_format({"num_format": money_pattern})
        money_bold = workbook.add_format({"num_format": money_pattern, "bold": True, "top": 1})
        share = workbook.add_format({"num_format": "0.0%", "italic": True})
        worksheet = workbook.add_worksheet(_sheet_name(sheet.name, taken))
        worksheet.write(0, 0, sheet.title, title_format)
        for offset, line in enumerate(sheet.subtitle, start=1):
            worksheet.write(offset, 0, line)
        top = len(sheet.subtitle) + 2
        width = len(sheet.matrix.columns)
        worksheet.write(top, 0, sheet.row_header, header)
        for index, label in enumerate(sheet.column_labels):
            worksheet.write(top, 1 + index, label, header)
        worksheet.write(top, 1 + width, sheet.total_label, header)
        first = top + 1
        for offset, (row, label) in enumerate(
            zip(sheet.matrix.rows, sheet.row_labels, strict=True)
        ):
            line = first + offset
            worksheet.write(line, 0, label)
            for index, amount in enumerate(row.amounts):
                worksheet.write_number(line, 1 + index, amount, money)
            worksheet.write_formula(
                line,
                1 + width,
                "=SUM(%s:%s)" % (xl_rowcol_to_cell(line, 1), xl_rowcol_to_cell(line, width)),
                money,
                row.total,
            )
        last = first + len(sheet.matrix.rows) - 1
        totals_line = last + 1
        worksheet.write(totals_line, 0, sheet.total_label, bold)
        for index, amount in enumerate((*sheet.matrix.totals, sheet.matrix.total)):
            column = 1 + index
            formula = (
                "=SUM(%s:%s)" % (xl_rowcol_to_cell(first, column), xl_rowcol_to_cell(last, column))
                if sheet.matrix.rows
                else "=0"
            )
            worksheet.write_formula(totals_line, column, formula, money_bold, amount)
        worksheet.write(totals_line + 1, 0, sheet.share_label, bold)
        for index, value in enumerate(sheet.matrix.shares):
            if value is not None:
                worksheet.write_number(totals_line + 1, 1 + index, value, share)
        worksheet.set_column(0, 0, 40)
        worksheet.set_column(1, 1 + width, 14)
        worksheet.freeze_panes(first, 1)
    workbook.close()
    return output.getvalue()
