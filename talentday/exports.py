"""Spreadsheet and calendar files: CSV and Excel from the same rows, never running formulas."""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# Characters XML 1.0 forbids: a workbook cannot hold them (openpyxl refuses the whole file),
# and in a CSV they only confuse Excel. Tab, newline and carriage return are allowed.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_response(headers: Sequence[str], rows: Iterable[Sequence], filename: str) -> Response:
    buffer = io.StringIO()
    # A byte-order mark makes Excel read the UTF-8 (Chinese names) correctly.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(str(header)) for header in headers])
    for row in rows:
        writer.writerow([safe_cell(_text(value)) for value in row])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def xlsx_response(
    headers: Sequence[str], rows: Iterable[Sequence], filename: str, sheet_title: str
) -> Response:
    return xlsx_workbook_response([(sheet_title, headers, rows)], filename)


def xlsx_workbook_response(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]], filename: str
) -> Response:
    """One worksheet per (title, headers, rows): bold headers, a frozen first row, widths."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(strip_forbidden(str(title))[:31])
        sheet.append([safe_cell(str(header)) for header in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = [len(str(header)) for header in headers]
        for row in rows:
            # Numbers stay numbers for sums and sorting; everything else becomes safe text.
            values = [
                value
                if isinstance(value, int | float) and not isinstance(value, bool)
                else safe_cell(_text(value))
                for value in row
            ]
            sheet.append(values)
            for index, value in enumerate(values):
                widths[index] = min(60, max(widths[index], len(_text(value))))
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width + 2
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
