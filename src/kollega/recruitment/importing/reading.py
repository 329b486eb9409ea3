"""Reading a file of registrations: CSV or XLSX in, a table of text cells out.

Pure: no database. The kind of file is decided by its content, not its name.
Anything that cannot be read becomes an :class:`ImportFileError` carrying a
whole-sentence message in the active language; no other exception escapes.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 200
# A workbook is a ZIP archive; this much unpacked is far more than 10 000 rows need.
XLSX_MAX_UNPACKED = 200 * 1024 * 1024
# Counting rows past the limit (only to say how many there are) stops here.
COUNT_LIMIT = 2_000_000
SAMPLE_CHARS = 64 * 1024

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls (and .doc) container
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Never echoed into a message: a terminal would obey an escape sequence hidden in a cell.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# A multi-byte UTF-8 sequence: a lead byte followed by the right number of continuation bytes.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_DELIMITERS = ("\t", ";", ",")


class ImportFileError(Exception):
    """The file cannot be imported; ``message`` says why and what to do, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Row:
    """One data row: ``line`` is where it starts in the file (the heading row is usually line 1)."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    header_line: int = 1

    def column_values(self, index: int) -> Iterator[str]:
        for row in self.rows:
            yield row.cells[index] if index < len(row.cells) else ""

    @property
    def description(self) -> str:
        """What was read, for the report: "CSV, UTF-8, separated by semicolons" or "Excel workbook"."""
        if self.kind == "xlsx":
            return _("Excel workbook (.xlsx), first sheet")
        separators = {",": _("commas"), ";": _("semicolons"), "\t": _("tabs")}
        return _("CSV in %(encoding)s, cells separated by %(separator)s") % {
            "encoding": self.encoding,
            "separator": separators.get(self.delimiter, self.delimiter),
        }


def format_count(number: int) -> str:
    """12345 → "12 345": digits grouped by spaces, as Finnish and Swedish write them and as English reads them."""
    return f"{number:,}".replace(",", " ")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def shorten(text: str, limit: int = 60) -> str:
    """A value from the file, fit to quote in a message: one line, no control characters, at most ``limit`` long."""
    text = " ".join(_UNPRINTABLE.sub("\ufffd", str(text)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_table(content: bytes, *, max_rows: int = MAX_ROWS) -> Table:
    """The file's heading row and data rows. Raises :class:`ImportFileError` and nothing else."""
    try:
        return _read(content, max_rows=max_rows)
    except ImportFileError:
        raise
    except Exception:  # the last guard: a file never becomes a server error
        raise ImportFileError(
            _("The file could not be read. Save it again as CSV or as an Excel workbook (.xlsx) and try again.")
        ) from None


def _read(content: bytes, *, max_rows: int) -> Table:
    if not isinstance(content, bytes | bytearray | memoryview):
        raise ImportFileError(_("The file could not be read."))
    content = bytes(content)
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise ImportFileError(
            _("The file is %(size)s MB; at most %(limit)d MB can be imported at once. Split the file.")
            % {"size": f"{len(content) / 1024 / 1024:.1f}", "limit": MAX_BYTES // 1024 // 1024}
        )
    if content.startswith(_ZIP):
        headers, rows, header_line = _table(_xlsx_rows(content), max_rows=max_rows)
        return Table(headers=headers, rows=rows, kind="xlsx", header_line=header_line)
    if content.startswith(_OLE2):
        raise ImportFileError(
            _("This is an old Excel file (.xls). Open it in Excel, save it as .xlsx or CSV, and try again.")
        )
    text, encoding = _decode(content)
    text, delimiter = _delimiter(text)
    headers, rows, header_line = _table(_csv_rows(text, delimiter), max_rows=max_rows)
    return Table(
        headers=headers, rows=rows, kind="csv", encoding=encoding, delimiter=delimiter, header_line=header_line
    )


def _not_a_table() -> ImportFileError:
    return ImportFileError(
        _(
            "The file is not a CSV file or an Excel workbook (.xlsx). "
            "Save the list of registrations as CSV or .xlsx and try again."
        )
    )


# --- text files ---------------------------------------------------------------


def _decode(content: bytes) -> tuple[str, str]:
    """UTF-8 (with or without a byte-order mark), UTF-16 with a mark, or Windows-1252; never a silent wrong guess."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _text_only(content.decode("utf-16")), "UTF-16"
        except UnicodeDecodeError:
            raise _not_a_table() from None
    if b"\x00" in content:
        raise _not_a_table()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if _UTF8_SEQUENCE.search(content):
            # Mostly UTF-8 with a broken byte: reading it as Windows-1252 would turn ä into "Ã¤" everywhere.
            line = content[: error.start].count(b"\n") + 1
            raise ImportFileError(
                _(
                    "The file is in UTF-8 but line %(line)d has characters that are not. "
                    "Save the file again as CSV UTF-8 and try again."
                )
                % {"line": line}
            ) from None
    else:
        return _text_only(text), "UTF-8"
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The characters of the file could not be read. Save it as CSV UTF-8 and try again.")
        ) from None
    return _text_only(text), "Windows-1252"


def _text_only(text: str) -> str:
    """Refuse binary data that happened to decode: a table has almost no control characters."""
    sample = text[:SAMPLE_CHARS]
    if "\x00" in text or len(_CONTROL.findall(sample)) > max(2, len(sample) // 100):
        raise _not_a_table()
    return text.lstrip("\ufeff")


def _delimiter(text: str) -> tuple[str, str]:
    """The cell separator: an Excel ``sep=`` line, else csv.Sniffer checked against the rows, else the best fit."""
    first, _newline, rest = text.partition("\n")
    hint = first.strip()
    if hint.lower().startswith("sep=") and len(hint) == 5 and hint[4] in _DELIMITERS:
        # Excel's hint line; keep it as a blank line so that line numbers stay the file's own.
        return "\n" + rest, hint[4]
    sample = text[:SAMPLE_CHARS]
    whole = len(text) <= SAMPLE_CHARS
    candidates: list[str] = []
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed in _DELIMITERS:
        candidates.append(sniffed)
    candidates += [d for d in _DELIMITERS if d not in candidates]
    scores = {d: _fit(sample, d, whole=whole) for d in candidates}
    if sniffed and scores[sniffed] >= 0.8:
        return text, sniffed
    best = max(candidates, key=lambda d: scores[d])  # max keeps the first of equals: the sniffer's guess
    return text, best if scores[best] > 0 else ","


def _fit(sample: str, delimiter: str, *, whole: bool) -> float:
    """How well ``delimiter`` splits the sample into a table: 0 (one column) to 1 (every row as wide as the header)."""
    try:
        records = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(r)][:51]
    except csv.Error:
        return 0.0
    if not whole and len(records) > 1:
        records = records[:-1]  # the sample may end in the middle of a row
    if not records or len(records[0]) < 2:
        return 0.0
    width = len(records[0])
    rest = records[1:]
    if not rest:
        return 0.5
    return sum(1 for r in rest if len(r) == width) / len(rest)


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise ImportFileError(
                    _("A cell that starts on line %(line)d is too long to be read.") % {"line": start}
                ) from None
            raise ImportFileError(
                _(
                    "The file could not be read as CSV from line %(line)d on. "
                    "Check that every quotation mark that opens a cell also closes it."
                )
                % {"line": start}
            ) from None
        yield start, record
        start = reader.line_num + 1


# --- workbooks ----------------------------------------------------------------


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ImportFileError(
            _("The file looks like an Excel workbook or a ZIP archive but it is damaged. Save it again and try again.")
        ) from None
    if "xl/workbook.xml" not in names:
        if "content.xml" in names and "mimetype" in names:
            raise ImportFileError(
                _("This is an OpenDocument spreadsheet (.ods). Save it as .xlsx or CSV and try again.")
            )
        raise ImportFileError(_("The file is a ZIP archive, not an Excel workbook (.xlsx)."))
    if unpacked > XLSX_MAX_UNPACKED:
        raise ImportFileError(_("The workbook is too large to read. Split it into smaller files."))
    return _workbook_rows(content)


def _workbook_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # openpyxl warns about features it skips (styles, validation); they do not matter here.
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:
            raise ImportFileError(
                _(
                    "The workbook could not be read. Open it in a spreadsheet program, "
                    "save it again as .xlsx or CSV, and try again."
                )
            ) from None
        try:
            if not workbook.worksheets:
                raise ImportFileError(_("The workbook has no sheets."))
            sheet = workbook.worksheets[0]
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield line, [_cell_text(value) for value in values]
        except ImportFileError:
            raise
        except Exception:
            raise ImportFileError(
                _("The first sheet of the workbook could not be read. Save it again as .xlsx or CSV and try again.")
            ) from None
        finally:
            workbook.close()


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person would type: dates as 2025-03-31, numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


# --- the table ------------------------------------------------------------------


def _blank(cells: list[Any]) -> bool:
    return all(not str(cell).strip() for cell in cells)


def _table(records: Iterable[tuple[int, list[Any]]], *, max_rows: int) -> tuple[tuple[str, ...], tuple[Row, ...], int]:
    iterator = iter(records)
    header_line = 0
    raw_headers: list[str] = []
    for line, cells in iterator:
        if not _blank(cells):
            header_line, raw_headers = line, [str(cell).strip().lstrip("\ufeff").strip() for cell in cells]
            break
    if not header_line:
        raise ImportFileError(_("The file is empty."))
    rows: list[Row] = []
    count = 0
    for line, cells in iterator:
        if _blank(cells):
            continue
        count += 1
        if count <= max_rows:
            rows.append(Row(line=line, cells=tuple(str(cell) for cell in cells)))
        elif count >= COUNT_LIMIT:
            break
    if count > max_rows:
        total = (
            format_count(count)
            if count < COUNT_LIMIT
            else _("more than %(count)s") % {"count": format_count(COUNT_LIMIT)}
        )
        raise ImportFileError(
            _("The file has %(total)s rows; at most %(limit)s can be imported at once. Split the file.")
            % {"total": total, "limit": format_count(max_rows)}
        )
    headers = _headers(raw_headers, rows)
    if not rows:
        raise ImportFileError(
            _("The file has a heading row but no registrations under it. The first row must name the columns.")
        )
    return headers, tuple(rows), header_line


def _headers(raw: list[str], rows: list[Row]) -> tuple[str, ...]:
    """The headings, checked: each column that has data needs a heading of its own."""
    # Columns past the last heading are not columns of the table; a row with data there is reported on its own.
    while raw and not raw[-1]:
        raw.pop()
    if not raw:
        raise ImportFileError(_("The first row must name the columns, but it is empty."))
    if len(raw) > MAX_COLUMNS:
        raise ImportFileError(
            _("The file has %(count)d columns; at most %(limit)d can be read.")
            % {"count": len(raw), "limit": MAX_COLUMNS}
        )
    problems: list[str] = []
    for index, heading in enumerate(raw):
        if not heading and any(index < len(row.cells) and row.cells[index].strip() for row in rows):
            problems.append(
                _("Column %(letter)s (number %(number)d) has no heading. Give it a heading in the first row.")
                % {"letter": column_letter(index), "number": index + 1}
            )
    seen: dict[str, list[int]] = {}
    for index, heading in enumerate(raw):
        if heading:
            seen.setdefault(" ".join(heading.casefold().split()), []).append(index)
    for indexes in seen.values():
        if len(indexes) > 1:
            problems.append(
                _(
                    "The heading “%(heading)s” is in more than one column: %(columns)s. "
                    "Give each column its own heading."
                )
                % {"heading": shorten(raw[indexes[0]]), "columns": ", ".join(column_letter(i) for i in indexes)}
            )
    if problems:
        raise ImportFileError(" ".join(problems))
    return tuple(raw)
