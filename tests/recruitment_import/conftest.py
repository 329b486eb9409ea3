"""Files of registrations as another tool would export them, and a programme to import them into."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest

from kollega.accounts.models import User
from kollega.core.models import Programme
from tests.factories import make_programme, make_staff

KEYS = [
    "name",
    "email",
    "company_name",
    "industry",
    "years_in_business",
    "region",
    "company_size",
    "time_slots",
    "themes",
    "privacy",
]


def person(n: int, **changes: Any) -> dict[str, Any]:
    """A registration that the default form accepts, as text cells keyed by question key."""
    row: dict[str, Any] = {
        "name": f"Yrittäjä Äänekoski {n}",
        "email": f"person{n}@example.org",
        "company_name": f"Toiminimi Öljy {n}",
        "industry": "C",
        "years_in_business": "3",
        "region": "Vaasa",
        "company_size": "solo",
        "time_slots": "morning",
        "themes": "goals > networks",
        "privacy": "yes",
    }
    row.update(changes)
    return row


def csv_text(rows: list[dict[str, Any]], *, headers: list[str] | None = None, delimiter: str = ",") -> str:
    headers = headers or KEYS
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue()


def csv_bytes(
    rows: list[dict[str, Any]], *, headers: list[str] | None = None, delimiter: str = ",", encoding: str = "utf-8"
) -> bytes:
    return csv_text(rows, headers=headers, delimiter=delimiter).encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def programme(db: None) -> Programme:
    return make_programme()


@pytest.fixture
def coordinator(programme: Programme) -> User:
    return make_staff(programme.organisation)
