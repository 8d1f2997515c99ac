"""Aging buckets and the aging matrix (cobranca_addon/tools/aging.py), without Odoo."""

import io
import zipfile
from xml.etree import ElementTree

from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import load_tool

aging = load_tool("aging")
Bucket = aging.Bucket

DEFAULT = [
    Bucket("not_due", "Not due", None, 0),
    Bucket("1-30", "1-30", 1, 30),
    Bucket("31-60", "31-60", 31, 60),
    Bucket("61-90", "61-90", 61, 90),
    Bucket("91-180", "91-180", 91, 180),
    Bucket("over_180", "Over 180", 181, None),
]


def kinds(buckets):
    return [(problem.kind, problem.days) for problem in aging.problems(buckets)]


def test_the_default_buckets_cover_every_day_once():
    assert aging.problems(DEFAULT) == []
    expected = {
        -400: "not_due",
        0: "not_due",
        1: "1-30",
        30: "1-30",
        31: "31-60",
        60: "31-60",
        61: "61-90",
        90: "61-90",
        91: "91-180",
        180: "91-180",
        181: "over_180",
        5000: "over_180",
    }
    for days, key in expected.items():
        assert aging.bucket_for(DEFAULT, days).key == key, days


def test_order_does_not_matter():
    assert aging.problems(list(reversed(DEFAULT))) == []


def test_overlaps_are_found_with_the_first_common_day():
    buckets = [*DEFAULT, Bucket("x", "25-40", 25, 40)]
    problems = aging.problems(buckets)
    assert [(p.kind, p.first.key, p.second.key, p.days) for p in problems] == [
        ("overlap", "1-30", "x", 25),
        ("overlap", "x", "31-60", 31),
    ]
    # two buckets without lower limit overlap below the lower of their ends
    buckets = [Bucket("a", "a", None, 0), Bucket("b", "b", None, -5), Bucket("c", "c", 1, None)]
    assert kinds(buckets) == [("overlap", -5)]
    # two open-ended buckets overlap from the higher start
    buckets = [Bucket("a", "a", None, 0), Bucket("b", "b", 1, None), Bucket("c", "c", 10, None)]
    assert kinds(buckets) == [("overlap", 10)]


def test_gaps_and_missing_ends_are_found():
    buckets = [b for b in DEFAULT if b.key != "31-60"]
    problems = aging.problems(buckets)
    assert [(p.kind, p.days, p.until) for p in problems] == [("gap", 31, 60)]
    assert kinds(DEFAULT[1:]) == [("no_start", 0)]
    assert kinds(DEFAULT[:-1]) == [("no_end", 181)]
    assert kinds([]) == [("empty", None)]


def test_a_bucket_ending_before_it_starts_is_refused():
    buckets = [Bucket("a", "a", None, 0), Bucket("b", "b", 30, 1), Bucket("c", "c", 1, None)]
    assert kinds(buckets) == [("inverted", None)]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(-50, 400)),
            st.one_of(st.none(), st.integers(-50, 400)),
        ),
        min_size=1,
        max_size=7,
    )
)
def test_valid_means_each_day_in_exactly_one_bucket(ranges):
    buckets = [Bucket(index, str(index), low, high) for index, (low, high) in enumerate(ranges)]
    valid = not aging.problems(buckets)
    exactly_once = all(
        sum(bucket.contains(days) for bucket in buckets) == 1 for days in range(-60, 420)
    )
    beyond = all(
        sum(bucket.contains(days) for bucket in buckets) == 1 for days in (-(10**6), 10**6)
    )
    empty = any(low is not None and high is not None and high < low for low, high in ranges)
    assert valid == (exactly_once and beyond and not empty)


def test_matrix_totals_and_shares():
    cells = {
        ("ana", "not_due"): 100.0,
        ("ana", "1-30"): 50.004,
        ("bia", "1-30"): 150.0,
        ("bia", "over_180"): -100.0,  # a credit
    }
    columns = [bucket.key for bucket in DEFAULT]
    result = aging.matrix(cells, columns, rows=["bia", "ana"])
    assert [row.key for row in result.rows] == ["bia", "ana"]
    assert result.rows[0].amounts == (0.0, 150.0, 0.0, 0.0, 0.0, -100.0)
    assert result.rows[0].total == 50.0
    assert result.rows[1].total == 150.0
    assert result.totals == (100.0, 200.0, 0.0, 0.0, 0.0, -100.0)
    assert result.total == 200.0
    assert result.shares == (0.5, 1.0, 0.0, 0.0, 0.0, -0.5)


def test_matrix_without_total_has_no_shares_and_unknown_buckets_get_a_column():
    result = aging.matrix({("ana", "a"): 10.0, ("ana", None): -10.0}, ["a"])
    assert result.columns == ("a", None)
    assert result.total == 0.0
    assert result.shares == (None, None)


def _cells(sheet_xml, shared):
    namespace = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    values = {}
    for cell in ElementTree.fromstring(sheet_xml).iterfind(".//m:c", namespace):
        value = cell.find("m:v", namespace)
        if value is None:
            continue
        values[cell.get("r")] = (
            shared[int(value.text)] if cell.get("t") == "s" else float(value.text)
        )
    return values


def test_xlsx_has_the_matrix():
    result = aging.matrix({("ana", "a"): 10.0, ("ana", "b"): 5.5, ("bia", "b"): 1.0}, ["a", "b"])
    sheet = aging.Sheet(
        name="Comercial: Paulista/SP",
        title="Aging",
        subtitle=["Comercial Paulista", "2030-04-15"],
        matrix=result,
        column_labels=["1-30", "31-60"],
        row_labels=["Ana", "Bia"],
        row_header="Customer",
        total_label="Total",
        share_label="Share",
    )
    content = aging.xlsx([sheet, sheet])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        assert "xl/worksheets/sheet2.xml" in names
        namespace = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        shared = [
            "".join(text.text or "" for text in item.iter(f"{namespace}t"))
            for item in ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
        ]
        workbook = archive.read("xl/workbook.xml").decode()
        cells = _cells(archive.read("xl/worksheets/sheet1.xml"), shared)
    assert 'name="Comercial  Paulista SP"' in workbook
    assert 'name="Comercial  Paulista SP (2)"' in workbook
    assert cells["A1"] == "Aging"
    assert (cells["A5"], cells["B5"], cells["C5"], cells["D5"]) == (
        "Customer",
        "1-30",
        "31-60",
        "Total",
    )
    assert (cells["A6"], cells["B6"], cells["C6"], cells["D6"]) == ("Ana", 10.0, 5.5, 15.5)
    assert (cells["A7"], cells["B7"], cells["C7"], cells["D7"]) == ("Bia", 0.0, 1.0, 1.0)
    assert (cells["A8"], cells["B8"], cells["C8"], cells["D8"]) == ("Total", 10.0, 6.5, 16.5)
    assert cells["A9"] == "Share"
    assert round(cells["B9"], 6) == round(10.0 / 16.5, 6)
