"""Every download is a table: an export builds `Table`s, one sender per format writes them.

An export function (the ledger, the registrations, the report) returns a `Table` (title,
typed columns, rows, a line saying what it holds) or a list of them for a workbook, without
knowing any file format; `send(tables, fmt)` looks the format up in `SENDERS`. Adding a
format (JSON, PDF) is one function taking the list of tables and one entry in `SENDERS`.
Text is never run as a formula, whatever got stored (OWASP "CSV injection").
"""

import csv
import io
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from itertools import islice

from flask import Response, has_request_context, stream_with_context
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from werkzeug.exceptions import NotFound

from talentday.database import utcnow
from talentday.i18n import to_city_time

# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# Characters XML 1.0 forbids: a workbook cannot hold them (openpyxl refuses the whole file),
# and in a CSV they only confuse Excel. Tab, newline and carriage return are allowed.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Excel refuses these in a sheet's name, and names longer than 31 characters.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31

# No column wider than this many characters: long texts wrap in the cell instead.
MAX_COLUMN_WIDTH = 60


def strip_forbidden(text: str) -> str:
    """Text without the characters no spreadsheet file may carry, whatever got stored."""
    return XML_FORBIDDEN.sub("", text)


def safe_cell(value):
    """Text a spreadsheet can hold: forbidden characters dropped, and text that it would run
    as a formula prefixed with an apostrophe (checked after dropping, so that a hidden
    character in front cannot smuggle a formula past the check)."""
    if not isinstance(value, str):
        return value
    value = strip_forbidden(value)
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class Kind(StrEnum):
    """What a column holds, so that each format can write it as its own type."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"  # the fraction: 0.4 is 40%
    DATE = "date"
    DATETIME = "datetime"  # an aware timestamp, written in the city's time


@dataclass(frozen=True)
class Column:
    label: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Cell:
    """A value whose kind differs from its column's: the report's list of figures holds
    counts and rates in one column."""

    value: object
    kind: Kind


@dataclass
class Table:
    """One sheet: what it is, which rows (filtered how), when. `rows` may be any iterable,
    a generator included, each row a sequence of values in the order of `columns`."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    description: str  # the filter or scope in words, e.g. "Overdue; lead unit: Unit A"
    stem: str  # the file's name without its extension
    exported_at: datetime = field(default_factory=utcnow)
    # For rows that are a generator: their number, counted beforehand (in SQL).
    count: int | None = None

    @property
    def row_count(self) -> int:
        """How many rows, for the download audit, which is written before the file is sent."""
        if self.count is not None:
            return self.count
        if not isinstance(self.rows, Sized):
            raise TypeError("rows that are a generator need their count given beforehand")
        return len(self.rows)

    def heading(self) -> str:
        """The line above the header: the table, its filter, and when it was exported."""
        return _(
            "%(title)s — %(description)s — exported %(time)s",
            title=self.title,
            description=self.description,
            time=to_city_time(self.exported_at).strftime("%Y-%m-%d %H:%M"),
        )


def describe_period(start: date | None, end: date | None) -> str:
    """A period for a description line: two dates joined by an en dash, or open at one end."""
    if start and end:
        return f"{start.isoformat()}–{end.isoformat()}"
    if start:
        return _("from %(date)s", date=start.isoformat())
    if end:
        return _("until %(date)s", date=end.isoformat())
    return ""


def describe(parts: Iterable[str], nothing: str) -> str:
    """The parts of a filter in one line, or `nothing` when there is no filter."""
    parts = [part for part in parts if part]
    # The separator is translated: Chinese takes a full-width semicolon.
    return _("; ").join(parts) if parts else nothing


def _kind_of(value, column: Column) -> tuple[object, Kind]:
    if isinstance(value, Cell):
        return value.value, value.kind
    return value, column.kind


def _city(value: datetime) -> datetime:
    """A naive wall-clock time in the city: aware timestamps are converted, naive ones are
    taken to be the city's already."""
    return to_city_time(value) if value.tzinfo else value


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _text(value) -> str:
    return "" if value is None else str(value)


# --- CSV -----------------------------------------------------------------------------------


def csv_value(value, kind: Kind) -> str:
    """A value as CSV text: ISO dates, city times to the minute, a percent as its number
    (40.0 for 40%), text formula-safe."""
    if value is None or value == "":
        return ""
    if kind is Kind.DATETIME and isinstance(value, datetime):
        return _city(value).strftime("%Y-%m-%d %H:%M")
    if kind is Kind.DATE and isinstance(value, date):
        return (_city(value).date() if isinstance(value, datetime) else value).isoformat()
    if kind is Kind.PERCENT and _is_number(value):
        return f"{float(value) * 100:.1f}"
    if kind in (Kind.INTEGER, Kind.DECIMAL) and _is_number(value):
        return str(value)
    return safe_cell(_text(value))


def _only_table(tables: Sequence[Table]) -> Table:
    if len(tables) != 1:
        # A CSV file holds one table: a workbook is not cut down to its first sheet.
        raise NotFound(_("This export has several tables: download it as Excel."))
    return tables[0]


def csv_lines(table: Table) -> Iterator[str]:
    """The file line by line (a byte-order mark first, so that Excel reads the UTF-8 of
    Chinese names), so that a long export can be streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line([safe_cell(str(column.label)) for column in table.columns])
    for row in table.rows:
        yield line(
            [
                csv_value(*_kind_of(value, column))
                for value, column in zip(row, table.columns, strict=True)
            ]
        )


# Lines gathered into one write of about this many characters: a write per line would cost
# a system call per row of a long export.
CSV_CHUNK = 64 * 1024


def _chunks(lines: Iterable[str]) -> Iterator[str]:
    pending: list[str] = []
    size = 0
    for line in lines:
        pending.append(line)
        size += len(line)
        if size >= CSV_CHUNK:
            yield "".join(pending)
            pending, size = [], 0
    if pending:
        yield "".join(pending)


def send_csv(tables: Sequence[Table]) -> Response:
    """The file streamed as its rows come: the worker holds a few lines, not the file. The
    request (its language, time zone and database session) stays open until the last row."""
    table = _only_table(tables)
    body = _chunks(csv_lines(table))
    if has_request_context():
        body = stream_with_context(body)
    return Response(
        body,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{table.stem}.csv"'},
    )


# --- Excel ---------------------------------------------------------------------------------

NUMBER_FORMATS = {
    Kind.INTEGER: "0",
    Kind.DECIMAL: "0.0",
    Kind.PERCENT: "0.0%",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
}


def xlsx_value(value, kind: Kind):
    """A value as Excel holds it: dates and city times (naive: Excel has no time zones) and
    numbers as themselves, so that they sort, sum and filter; everything else safe text."""
    if value is None or value == "":
        return None
    if kind is Kind.DATETIME and isinstance(value, datetime):
        return _city(value)
    if kind is Kind.DATE and isinstance(value, date):
        return _city(value).date() if isinstance(value, datetime) else value
    if kind in (Kind.INTEGER, Kind.DECIMAL, Kind.PERCENT) and _is_number(value):
        return value
    return safe_cell(_text(value))


def display_width(text: str) -> int:
    """Columns a text takes on screen: Chinese (wide and fullwidth) characters count two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _width(value, kind: Kind) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if kind is Kind.PERCENT and _is_number(value):
        return 6
    return max(display_width(line) for line in str(value).split("\n"))


def sheet_name(title: str, taken: set[str]) -> str:
    """A name Excel accepts: no []:*?/\\, at most 31 characters, not blank, not starting or
    ending with an apostrophe, and unlike the workbook's other sheets (case ignored)."""
    name = SHEET_NAME_FORBIDDEN.sub(" ", strip_forbidden(str(title))).strip().strip("'")
    name = name[:SHEET_NAME_LENGTH].strip() or _("Sheet")
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: SHEET_NAME_LENGTH - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


# A sheet written in write-only mode must have its column widths before its first row: they
# are measured on the header and this many first rows (a longer text further down wraps).
WIDTH_SAMPLE_ROWS = 500
# The file is written to disk, then sent in pieces of this many bytes.
FILE_CHUNK = 256 * 1024


def _xlsx_cells(sheet, row: Sequence, columns: Sequence[Column]) -> tuple[list, list[int]]:
    """A row's cells for a write-only sheet, and the width each takes."""
    cells, widths = [], []
    for value, column in zip(row, columns, strict=True):
        value, kind = _kind_of(value, column)
        value = xlsx_value(value, kind)
        widths.append(_width(value, kind))
        if kind in NUMBER_FORMATS and value is not None and not isinstance(value, str):
            cell = WriteOnlyCell(sheet, value)
            cell.number_format = NUMBER_FORMATS[kind]
            value = cell
        cells.append(value)
    return cells, widths


def _bold(sheet, value, **font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value)
    cell.font = Font(bold=True, **font)
    return cell


def _write_sheet(workbook: Workbook, table: Table, taken: set[str]) -> None:
    """Rows go to the file as they come (openpyxl's write-only mode keeps none in memory);
    widths, the frozen header and the view are set before the first row, the filter, which
    needs the last row's number, after the last."""
    sheet = workbook.create_sheet(sheet_name(table.title, taken))
    columns = list(table.columns)
    rows = iter(table.rows)
    first = [_xlsx_cells(sheet, row, columns) for row in islice(rows, WIDTH_SAMPLE_ROWS)]
    widths = [display_width(str(column.label)) for column in columns]
    for _cells, row_widths in first:
        widths = [max(pair) for pair in zip(widths, row_widths, strict=True)]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_COLUMN_WIDTH, width) + 2
    # The heading and the header stay in view; the filter covers the header and the data.
    sheet.freeze_panes = "A3"
    sheet.append([_bold(sheet, safe_cell(table.heading()), size=12)])
    sheet.append([_bold(sheet, safe_cell(str(column.label))) for column in columns])
    last_row = 2
    for cells, _widths in first:
        sheet.append(cells)
        last_row += 1
    for row in rows:
        sheet.append(_xlsx_cells(sheet, row, columns)[0])
        last_row += 1
    last = get_column_letter(max(len(columns), 1))
    sheet.auto_filter.ref = f"A2:{last}{last_row}"


def _file_pieces(file) -> Iterator[bytes]:
    try:
        file.seek(0)
        while piece := file.read(FILE_CHUNK):
            yield piece
    finally:
        file.close()


def send_xlsx(tables: Sequence[Table]) -> Response:
    """One worksheet per table: its heading in row 1, the bold header frozen under it. The
    workbook is written to a temporary file row by row, then sent from it."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for table in tables:
        _write_sheet(workbook, table, taken)
    file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _file_pieces once sent)
    try:
        workbook.save(file)
        size = file.tell()
    except BaseException:
        file.close()
        raise
    return Response(
        _file_pieces(file),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="{tables[0].stem}.xlsx"',
            "Content-Length": str(size),
        },
    )


# --- one way to send -----------------------------------------------------------------------

# A sender takes the tables (one, or a workbook's) and answers with the file.
SENDERS: dict[str, Callable[[Sequence[Table]], Response]] = {
    "csv": send_csv,
    "xlsx": send_xlsx,
}


def url_formats() -> str:
    """The formats as a route converter, `any(csv, xlsx)`: a new sender gets its address."""
    return "any(" + ", ".join(SENDERS) + ")"


def send(tables: Table | Sequence[Table], fmt: str) -> Response:
    """The file of `tables` in `fmt`; a 404 for a format we do not write, or one that holds
    a single table when given several."""
    tables = [tables] if isinstance(tables, Table) else list(tables)
    if fmt not in SENDERS or not tables:
        raise NotFound()
    return SENDERS[fmt](tables)
