"""LGPD (Lei 13.709/2018) helpers, as plain functions: the export of what the add-on holds
about a person (art. 18, II: access), and the retention rule that decides when that data
may be anonymised (art. 16: kept while needed to exercise rights, then erased).

No Odoo import: the model gives plain rows (dicts as ``read`` returns them), these
functions make them JSON and a ZIP, and compute dates.
"""

import io
import json
import zipfile
from datetime import date, datetime, timezone
from decimal import Decimal

#: Version of the export's layout (``format`` of its JSON).
EXPORT_FORMAT = "cobranca-lgpd-export-v1"
#: Name of the JSON document inside the ZIP.
JSON_NAME = "dados.json"
#: Placeholder written over erased free text.
ERASED = "[anonimizado]"


def plain(value):
    """``value`` as JSON data: date-times in UTC ISO 8601 with "Z", dates ISO 8601,
    Decimals as strings, bytes as their length, a many2one pair ``(id, name)`` as
    ``{"id", "name"}``; mappings and sequences recursively; anything else unchanged when
    JSON has a type for it, else its ``str``."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, datetime):
        if value.utcoffset() is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bytes | bytearray | memoryview):
        return {"bytes": len(value)}
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int):
        return {"id": value[0], "name": plain(value[1])}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    return str(value)


def clean_row(row):
    """A row of ``read``: its values made :func:`plain`, Odoo's ``False`` for an empty
    non-boolean value left as it is (the reader sees what the database holds)."""
    return {key: plain(value) for key, value in row.items()}


def export_document(subject, sections, generated_at, generated_by, company):
    """The export as one JSON-able dict.

    :param subject: the person, ``{"id", "name", ...}``
    :param sections: ``{section name: [rows]}``, in the order to show
    :param generated_at: a datetime (UTC)
    :param generated_by: the user's name
    :param company: the controller (the company's name and CNPJ)
    """
    return {
        "format": EXPORT_FORMAT,
        "generated_at": plain(generated_at),
        "generated_by": generated_by,
        "controller": plain(company),
        "subject": plain(subject),
        "counts": {name: len(rows) for name, rows in sections.items()},
        "sections": {name: [clean_row(row) for row in rows] for name, rows in sections.items()},
    }


def export_json(document):
    """The document as UTF-8 JSON bytes, indented, keys in their order (readable)."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def safe_name(name):
    """A file name without path separators or control characters."""
    text = "".join("-" if char in '/\\:*?"<>|' or ord(char) < 32 else char for char in name)
    return text.strip(" .") or "file"


def export_zip(document, files=()):
    """A ZIP holding :data:`JSON_NAME` (the document) and ``files`` ``[(name, bytes)]``
    (the e-mails of the evidence), names made safe and unique."""
    buffer = io.BytesIO()
    used = {JSON_NAME}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, export_json(document))
        for name, data in files:
            name = safe_name(name)
            stem, dot, ext = name.rpartition(".")
            candidate, n = name, 1
            while candidate in used:
                n += 1
                candidate = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"
            used.add(candidate)
            archive.writestr(candidate, bytes(data))
    return buffer.getvalue()


# Retention ---------------------------------------------------------------------------------


def add_years(day, years):
    """``day`` plus ``years`` calendar years; 29 February becomes 28 February in a year
    that has none (a period in years ends on the same day, Código Civil art. 132 §3)."""
    if isinstance(day, datetime):
        day = day.date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def retention_end(last_settlement, years):
    """The first day the data of a customer whose last settlement was ``last_settlement``
    may be anonymised (None: no settlement, nothing holds it)."""
    if years < 0:
        raise ValueError(f"the retention period cannot be negative, got {years}")
    if not last_settlement:
        return None
    return add_years(last_settlement, years)


def anonymisable(open_count, last_settlement, years, today):
    """Whether a customer's data may be anonymised on ``today``: ``(True, None)``, or
    ``(False, reason)`` with reason ``"open"`` (something is still open) or ``"retention"``
    (the retention period has not ended: :func:`retention_end` says when)."""
    if open_count:
        return False, "open"
    end = retention_end(last_settlement, years)
    if end is not None and today < end:
        return False, "retention"
    return True, None


__all__ = [
    "ERASED",
    "EXPORT_FORMAT",
    "JSON_NAME",
    "add_years",
    "anonymisable",
    "clean_row",
    "export_document",
    "export_json",
    "export_zip",
    "plain",
    "retention_end",
    "safe_name",
]
