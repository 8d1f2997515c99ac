"""LGPD export and retention helpers (cobranca_addon/tools/lgpd.py), without Odoo."""

import io
import json
import zipfile
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import load_tool

lgpd = load_tool("lgpd")


def test_plain_values():
    moment = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=-3)))
    assert lgpd.plain(moment) == "2026-03-01T15:30:00Z"
    assert lgpd.plain(datetime(2026, 3, 1, 12, 30)) == "2026-03-01T12:30:00Z"
    assert lgpd.plain(date(2026, 3, 1)) == "2026-03-01"
    assert lgpd.plain(Decimal("1.50")) == "1.50"
    assert lgpd.plain((7, "Cliente")) == {"id": 7, "name": "Cliente"}
    assert lgpd.plain([1, 2]) == [1, 2]
    assert lgpd.plain(b"abc") == {"bytes": 3}
    assert lgpd.plain({"a": (1, "x")}) == {"a": {"id": 1, "name": "x"}}
    assert lgpd.plain(False) is False
    assert lgpd.plain(2.5) == 2.5


def test_export_document_and_zip():
    document = lgpd.export_document(
        {"id": 7, "name": "Maria"},
        {"messages": [{"id": 1, "date": date(2026, 1, 2), "level_id": (3, "D+7")}], "notes": []},
        datetime(2026, 3, 1, 10, 0),
        "Gerente",
        {"name": "Empresa", "vat": "11.222.333/0001-81"},
    )
    assert document["format"] == lgpd.EXPORT_FORMAT
    assert document["counts"] == {"messages": 1, "notes": 0}
    assert document["sections"]["messages"][0] == {
        "id": 1,
        "date": "2026-01-02",
        "level_id": {"id": 3, "name": "D+7"},
    }
    data = lgpd.export_zip(document, [("EV/1.eml", b"x"), ("EV/1.eml", b"y"), ("a", b"z")])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == [lgpd.JSON_NAME, "EV-1.eml", "EV-1-2.eml", "a"]
        assert json.loads(archive.read(lgpd.JSON_NAME)) == document
        assert archive.read("EV-1-2.eml") == b"y"


def test_safe_name():
    assert lgpd.safe_name("../etc/passwd") == "-etc-passwd"
    assert lgpd.safe_name("\x00") == "-"
    assert lgpd.safe_name("  ") == "file"


def test_add_years_29_february():
    assert lgpd.add_years(date(2024, 2, 29), 5) == date(2029, 2, 28)
    assert lgpd.add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert lgpd.add_years(datetime(2020, 1, 15, 10), 5) == date(2025, 1, 15)


def test_anonymisable():
    today = date(2031, 6, 1)
    assert lgpd.anonymisable(1, date(2020, 1, 1), 5, today) == (False, "open")
    assert lgpd.anonymisable(0, date(2026, 6, 2), 5, today) == (False, "retention")
    assert lgpd.anonymisable(0, date(2026, 6, 1), 5, today) == (True, None)
    assert lgpd.anonymisable(0, None, 5, today) == (True, None)
    with pytest.raises(ValueError):
        lgpd.retention_end(date(2026, 1, 1), -1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9000, 12, 31)), st.integers(0, 50))
def test_retention_end_is_years_later(day, years):
    end = lgpd.retention_end(day, years)
    assert end.year == day.year + years
    assert end.month == day.month
    assert 0 <= day.day - end.day <= 1
