"""Importing suggestions from a spreadsheet: every row checked and shown before any is saved."""

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from openpyxl import load_workbook

from talentday.auth.services import normalize_email
from talentday.events.models import Event
from talentday.extensions import db
from talentday.followup.models import Category
from talentday.registrations.models import Registration, Speaker

MAX_ROWS = 1000
MAX_CONTENT = 4000

# Column names accepted in either language, matched without regard to case.
COLUMNS = {
    "email": {"email", "speaker email", "e-mail", "邮箱", "电子邮箱"},
    "name": {"name", "speaker", "speaker name", "raised by", "姓名", "发言人", "提出人"},
    "category": {"category", "topic", "类别", "分类"},
    "content": {"suggestion", "content", "text", "意见建议", "建议", "内容"},
}


class ImportFileError(ValueError):
    pass


@dataclass
class ImportRow:
    line: int
    content: str = ""
    category_id: int | None = None
    category_name: str = ""
    speaker_id: int | None = None
    raised_by: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cells(data: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise ImportFileError(_("The file could not be read as an Excel workbook.")) from error
        sheet = workbook.worksheets[0]
        return [
            ["" if value is None else str(value).strip() for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


def _header_positions(header: list[str]) -> dict[str, int]:
    positions = {}
    for index, title in enumerate(header):
        for key, names in COLUMNS.items():
            if title.strip().lower() in names and key not in positions:
                positions[key] = index
    if "content" not in positions or "category" not in positions:
        raise ImportFileError(
            _("The first row must name the columns: a category column and a suggestion column.")
        )
    return positions


def parse(data: bytes, filename: str, event: Event) -> list[ImportRow]:
    """Read and check every row against the event's speakers and the categories."""
    cells = [row for row in _cells(data, filename) if any(row)]
    if not cells:
        raise ImportFileError(_("The file is empty."))
    positions = _header_positions(cells[0])
    if len(cells) - 1 > MAX_ROWS:
        raise ImportFileError(_("Import at most %(count)d rows at a time.", count=MAX_ROWS))
    categories = {}
    for category in db.session.scalars(db.select(Category).where(Category.active.is_(True))):
        for key in (category.name, category.name_zh, category.code):
            if key:
                categories[key.strip().lower()] = category
    speakers = {
        speaker.email: speaker
        for speaker in db.session.scalars(
            db.select(Speaker).join(Registration).where(Registration.event_id == event.id)
        )
    }

    def value(row, key):
        index = positions.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    rows = []
    for line, raw in enumerate(cells[1:], start=2):
        row = ImportRow(line=line, content=value(raw, "content"))
        if not row.content:
            row.errors.append(_("The suggestion is empty."))
        elif len(row.content) > MAX_CONTENT:
            row.errors.append(
                _("The suggestion is longer than %(max)d characters.", max=MAX_CONTENT)
            )
        row.category_name = value(raw, "category")
        category = categories.get(row.category_name.lower())
        if category is None:
            row.errors.append(_("Unknown category “%(name)s”.", name=row.category_name))
        else:
            row.category_id = category.id
        email, name = normalize_email(value(raw, "email")), value(raw, "name")
        if email:
            speaker = speakers.get(email)
            if speaker is None:
                row.errors.append(
                    _("No speaker of this event has the email %(email)s.", email=email)
                )
            else:
                row.speaker_id = speaker.id
                row.raised_by = speaker.name
        elif name:
            row.raised_by = name[:100]
        else:
            row.errors.append(_("Give the speaker's email or the name of who raised it."))
        rows.append(row)
    return rows
