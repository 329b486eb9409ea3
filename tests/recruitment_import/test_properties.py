"""Random bytes and random CSV text through the reader and the checker: a report or a clear message, nothing else."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kollega.core.models import Programme
from kollega.recruitment.importing.checking import SPECIAL_TARGETS, Context, Report, check_table
from kollega.recruitment.importing.reading import ImportFileError, read_table
from kollega.recruitment.importing.services import import_context
from tests.recruitment_import.conftest import KEYS, csv_text, person, xlsx_bytes

cell_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(',;\t"\n\r >xX0123456789.:-+ äöåÄÖÅ€@')),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=30,
)
heading = st.one_of(st.sampled_from([*KEYS, *SPECIAL_TARGETS, "Notes", ""]), cell_text)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])
delimiters = st.sampled_from([",", ";", "\t"])
targets = st.one_of(st.sampled_from([*KEYS, *SPECIAL_TARGETS, "", "other_topics", "heard_from"]), cell_text)


@pytest.fixture
def context(programme: Programme) -> Context:
    return import_context(programme=programme, language="en")


def outcome(content: bytes, mapping: dict[str, str], context: Context) -> Report | str:
    try:
        table = read_table(content)
    except ImportFileError as error:
        message = error.message
    else:
        message = ""
    if message:
        assert isinstance(message, str) and message.strip()
        return message
    report = check_table(table, mapping, context)
    assert report.total == len(table.rows)
    assert len(report.valid) + len(report.rejected) == report.total
    for row in report.rejected:
        assert row.reasons and all(isinstance(r, str) and r.strip() for r in row.reasons)
    for row in report.valid:
        assert not row.reasons
    assert all(isinstance(p, str) and p for p in report.problems)
    report.as_json()
    return report


@given(content=st.binary(max_size=4000))
def test_random_bytes(content: bytes, context: Context) -> None:
    outcome(content, {key: key for key in KEYS}, context)


@given(
    headers=st.lists(heading, min_size=1, max_size=12),
    cells=st.lists(st.lists(cell_text, max_size=14), max_size=15),
    delimiter=delimiters,
    encoding=encodings,
    mapping_targets=st.lists(targets, max_size=12),
)
def test_random_csv_text(
    headers: list[str],
    cells: list[list[str]],
    delimiter: str,
    encoding: str,
    mapping_targets: list[str],
    context: Context,
) -> None:
    text = delimiter.join(headers) + "\n" + "\n".join(delimiter.join(row) for row in cells)
    content = text.encode(encoding, errors="replace")
    mapping = dict(zip(headers, mapping_targets, strict=False))
    outcome(content, mapping, context)


@given(
    changes=st.dictionaries(st.sampled_from([*KEYS, "registered_at", "channel", "language"]), cell_text, max_size=6),
    delimiter=delimiters,
    encoding=encodings,
)
def test_nearly_valid_rows(changes: dict[str, str], delimiter: str, encoding: str, context: Context) -> None:
    headers = [*KEYS, "registered_at", "channel", "language"]
    rows: list[dict[str, Any]] = [person(1, **changes), person(2)]
    content = csv_text(rows, headers=headers, delimiter=delimiter).encode(encoding, errors="replace")
    result = outcome(content, {h: h for h in headers}, context)
    if isinstance(result, Report) and not changes:
        assert len(result.valid) == 2


@settings(max_examples=15)
@given(
    cells=st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.integers(min_value=-(10**12), max_value=10**12),
                st.floats(allow_nan=False, allow_infinity=False),
                st.booleans(),
                st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
                st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
            ),
            max_size=len(KEYS),
        ),
        max_size=6,
    )
)
def test_random_workbooks(cells: list[list[Any]], context: Context) -> None:
    outcome(xlsx_bytes([KEYS, *cells]), {key: key for key in KEYS}, context)


def test_a_registration_time_far_in_the_past_or_future_is_a_message(context: Context) -> None:
    for value in ["0001-01-01", "9999-12-31 23:59", (context.now + timedelta(days=2)).isoformat()]:
        content = csv_text([person(1, registered_at=value)], headers=[*KEYS, "registered_at"]).encode()
        result = outcome(content, {h: h for h in [*KEYS, "registered_at"]}, context)
        assert isinstance(result, Report) and len(result.rejected) == 1
