"""Reading files: encodings, separators, workbooks, limits and broken files (no database)."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date, datetime

import pytest

from kollega.recruitment.importing.reading import ImportFileError, read_table
from tests.recruitment_import.conftest import csv_bytes, person, xlsx_bytes

FINNISH = {"name": "Åsa Ähtäri-Öhman", "region": "Närpiö"}


def message(content: bytes) -> str:
    with pytest.raises(ImportFileError) as caught:
        read_table(content)
    return caught.value.message


@pytest.mark.parametrize(
    ("encoding", "named"),
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252"), ("utf-16", "UTF-16")],
)
def test_each_encoding_reads_the_nordic_letters(encoding: str, named: str) -> None:
    table = read_table(csv_bytes([person(1, **FINNISH)], encoding=encoding))
    assert table.encoding == named
    assert table.headers[0] == "name"  # no byte-order mark left in the first heading
    cells = dict(zip(table.headers, table.rows[0].cells, strict=True))
    assert cells["name"] == "Åsa Ähtäri-Öhman"
    assert cells["region"] == "Närpiö"


def test_a_utf8_file_with_one_broken_byte_is_refused_not_misread_as_windows_1252() -> None:
    good = csv_bytes([person(1, **FINNISH), person(2), person(3)])
    broken = good.replace(b"person3", b"person\xe43")
    text = message(broken)
    assert "UTF-8" in text
    assert "line 4" in text


@pytest.mark.parametrize(("delimiter", "named"), [(",", "commas"), (";", "semicolons"), ("\t", "tabs")])
def test_each_delimiter(delimiter: str, named: str) -> None:
    rows = [person(1, themes="goals; networks", region="Vaasa, Finland"), person(2)]
    table = read_table(csv_bytes(rows, delimiter=delimiter))
    assert table.delimiter == delimiter
    assert len(table.headers) == 10
    assert [len(r.cells) for r in table.rows] == [10, 10]
    assert dict(zip(table.headers, table.rows[0].cells, strict=True))["region"] == "Vaasa, Finland"
    assert named in table.description


def test_semicolons_with_decimal_commas_in_the_cells_are_still_semicolons() -> None:
    content = b"name;email;years_in_business\nA;a@example.org;3,0\nB;b@example.org;4,0\nC;c@example.org;5,5\n"
    table = read_table(content)
    assert table.delimiter == ";"
    assert table.rows[0].cells == ("A", "a@example.org", "3,0")


def test_quoted_cells_may_span_lines_and_line_numbers_stay_the_files() -> None:
    content = (
        b'name,email,expectations\n"Anna",a@example.org,"First line\nsecond line\nthird"\nBertta,b@example.org,x\n'
    )
    table = read_table(content)
    assert [r.line for r in table.rows] == [2, 5]
    assert table.rows[0].cells[2] == "First line\nsecond line\nthird"


def test_blank_lines_are_skipped_and_do_not_shift_line_numbers() -> None:
    table = read_table(b"name,email\n\nA,a@example.org\n,\nB,b@example.org\n")
    assert [r.line for r in table.rows] == [3, 5]


def test_excels_sep_line_sets_the_separator() -> None:
    table = read_table(b"sep=;\nname;email\nA;a@example.org\n")
    assert table.headers == ("name", "email")
    assert table.rows[0].line == 3


def test_an_unclosed_quotation_mark_is_named_with_its_line() -> None:
    text = message(b'name,email\nA,a@example.org\n"B,b@example.org\nC,c@example.org\n')
    assert "line 3" in text
    assert "quotation mark" in text


def test_xlsx_first_sheet_with_dates_and_numbers_as_text() -> None:
    content = xlsx_bytes(
        [
            ["name", "email", "years_in_business", "registered_at", "day", "share"],
            ["Åsa", "a@example.org", 3, datetime(2025, 3, 5, 14, 30), date(2025, 3, 6), True],
            ["Bo", "b@example.org", 4.0, datetime(2025, 3, 7), None, False],
            [None, None, None, None, None, None],
            ["Cid", "c@example.org", 2.5, "5.3.2025", "", ""],
        ]
    )
    table = read_table(content)
    assert table.kind == "xlsx"
    assert table.rows[0].cells == ("Åsa", "a@example.org", "3", "2025-03-05 14:30", "2025-03-06", "true")
    assert table.rows[1].cells == ("Bo", "b@example.org", "4", "2025-03-07", "", "false")
    assert table.rows[2].line == 5
    assert table.rows[2].cells[2] == "2.5"


def test_xlsx_is_recognised_by_content_not_by_name() -> None:
    # Whatever the upload was called, a CSV is read as CSV and a workbook as a workbook.
    assert read_table(csv_bytes([person(1)])).kind == "csv"
    assert read_table(xlsx_bytes([["name", "email"], ["A", "a@example.org"]])).kind == "xlsx"


def test_a_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert message(out.getvalue()) == "The file is a ZIP archive, not an Excel workbook (.xlsx)."


def test_a_damaged_workbook() -> None:
    content = xlsx_bytes([["name", "email"], ["A", "a@example.org"]])
    assert "damaged" in message(content[: len(content) // 2])


def test_a_zip_that_claims_to_be_a_workbook_but_is_not() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really/>")
    assert "could not be read" in message(out.getvalue())


def test_an_old_excel_file_says_what_to_do() -> None:
    assert ".xls" in message(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 40,
        b"%PDF-1.7\n" + bytes(range(256)) * 8,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
)
def test_binary_garbage_is_a_clear_message(content: bytes) -> None:
    assert message(content).startswith("The file is not a CSV file or an Excel workbook (.xlsx).")


def test_an_empty_file() -> None:
    assert message(b"") == "The file is empty."
    assert message(b"\n\n \n") == "The file is empty."


def test_a_heading_row_without_registrations() -> None:
    assert "no registrations under it" in message(b"name,email\n")


def test_duplicate_headings_are_named_with_their_columns() -> None:
    text = message(b"name,Email,region, email \nA,a@example.org,x,y\n")
    assert text == "The heading “Email” is in more than one column: B, D. Give each column its own heading."


def test_a_column_with_data_but_no_heading_is_named() -> None:
    assert message(b"name,,email\nA,x,a@example.org\n") == (
        "Column B (number 2) has no heading. Give it a heading in the first row."
    )


def test_an_empty_column_without_a_heading_is_left_out_quietly() -> None:
    table = read_table(b"name,,email,,\nA,,a@example.org,,\n")
    assert table.headers == ("name", "", "email")


def test_too_large_a_file() -> None:
    content = b"name,email\n" + b"A,a@example.org\n" * 700_000
    assert message(content).startswith("The file is 10.7 MB; at most 10 MB can be imported at once.")


def test_100_000_rows_is_a_clear_message_and_fast() -> None:
    content = b"name,email\n" + b"".join(b"P%d,p%d@example.org\n" % (i, i) for i in range(100_000))
    started = time.monotonic()
    text = message(content)
    assert time.monotonic() - started < 3
    assert text == "The file has 100 000 rows; at most 10 000 can be imported at once. Split the file."


def test_10_000_rows_is_fine() -> None:
    content = b"name,email\n" + b"".join(b"P%d,p%d@example.org\n" % (i, i) for i in range(10_000))
    assert len(read_table(content).rows) == 10_000


def test_too_many_rows_in_a_workbook() -> None:
    rows: list[list[object]] = [["name", "email"]] + [[f"P{i}", f"p{i}@example.org"] for i in range(10_001)]
    assert message(xlsx_bytes(rows)).startswith("The file has 10 001 rows; at most 10 000 can be imported")
