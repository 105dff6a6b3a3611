"""Importing suggestions from a spreadsheet: every row checked and shown before any is saved.

The file comes from a person at a desk, or from anyone holding an organizer's session: it is
read as if hostile. A workbook is a zip whose parts are checked for their unpacked size before
openpyxl opens it; rows are read one at a time and reading stops at the first row past the
limit; a cell longer than the cap is an error for its row; every way a file can be broken is a
message, never a crash. The upload waits in the instance folder between preview and
confirmation, and is deleted on confirmation or after a day.
"""

import csv
import io
import re
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from flask_babel import gettext as _
from openpyxl import load_workbook

from talentday.auth.services import normalize_email
from talentday.events.models import Event
from talentday.exports import strip_forbidden
from talentday.extensions import db
from talentday.followup.models import Category
from talentday.registrations.models import Registration, Speaker

MAX_ROWS = 1000
MAX_CONTENT = 4000
# No cell of a sensible import is longer; a longer one is its row's error, and only this
# much of it is ever kept in memory past the reader.
MAX_CELL = 10_000
# What a preview or a message shows of a cell.
PREVIEW_LENGTH = 200
# Columns read from each row of a workbook: the header may name only a few.
MAX_COLUMNS = 50
# Blank rows are skipped, but not forever: a sheet "formatted" down to row 1,048,576 ends here.
MAX_SCANNED_ROWS = 20 * MAX_ROWS
# The unpacked size of all the parts of a workbook together. 1,000 rows of 4,000 Chinese
# characters are about 12 MB of XML; a zip bomb is refused before any part is parsed.
MAX_UNPACKED_BYTES = 24 * 1024 * 1024
# Uploads older than this are deleted: a preview nobody confirmed holds personal data.
UPLOAD_MAX_AGE_SECONDS = 24 * 3600

# The reader refuses fields past the cap itself (a csv.Error for that row) instead of
# building a 50 MB string. The setting is process-wide; nothing else here reads CSV.
csv.field_size_limit(MAX_CELL)

# Column names accepted in either language, matched without regard to case.
COLUMNS = {
    "email": {"email", "speaker email", "e-mail", "邮箱", "电子邮箱"},
    "name": {"name", "speaker", "speaker name", "raised by", "姓名", "发言人", "提出人"},
    "category": {"category", "topic", "类别", "分类"},
    "content": {"suggestion", "content", "text", "意见建议", "建议", "内容"},
}


class ImportFileError(ValueError):
    pass


class CellTooLong(ValueError):
    """A row whose cell exceeds MAX_CELL: kept as a row, marked in error."""


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


def _unreadable_workbook() -> ImportFileError:
    return ImportFileError(_("The file could not be read as an Excel workbook."))


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _(
            "The file has more than %(count)d rows. Import at most %(count)d rows at a time.",
            count=MAX_ROWS,
        )
    )


def _cell(value) -> str:
    text = strip_forbidden("" if value is None else str(value)).strip()
    if len(text) > MAX_CELL:
        raise CellTooLong(text[:PREVIEW_LENGTH])
    return text


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than MAX_UNPACKED_BYTES. The sizes come
    from the zip's directory; Python's zipfile never unpacks more than the size an entry
    declares (it stops there and fails the checksum), so the declaration binds the reader."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _unreadable_workbook() from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _(
                "The workbook expands to more than %(size)d MB. Import fewer rows at a time.",
                size=MAX_UNPACKED_BYTES // (1024 * 1024),
            )
        )


def _workbook_rows(data: bytes) -> Iterator[list[str] | CellTooLong]:
    _check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise _unreadable_workbook() from error
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            try:
                yield [_cell(value) for value in values]
            except CellTooLong as error:
                yield error
    except (ImportFileError, GeneratorExit):
        raise
    except Exception as error:  # a part that is not the XML it claims, found while reading
        raise _unreadable_workbook() from error
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> Iterator[list[str] | CellTooLong]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # A field past field_size_limit: the reader goes on with the next record.
            yield CellTooLong(str(error)[:PREVIEW_LENGTH])
            continue
        try:
            yield [_cell(value) for value in values]
        except CellTooLong as error:
            yield error


def _rows(data: bytes, filename: str) -> Iterator[list[str] | CellTooLong]:
    """The file's non-blank rows, at most MAX_ROWS + 1 of them read."""
    reader = _workbook_rows if filename.lower().endswith(".xlsx") else _csv_rows
    rows = reader(data)
    try:
        for scanned, row in enumerate(rows, start=1):
            if scanned > MAX_SCANNED_ROWS:
                raise _too_many_rows()
            if isinstance(row, CellTooLong) or any(row):
                yield row
    finally:
        rows.close()


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


def _shorten(text: str) -> str:
    return text if len(text) <= PREVIEW_LENGTH else text[:PREVIEW_LENGTH] + "…"


def parse(data: bytes, filename: str, event: Event) -> list[ImportRow]:
    """Read and check every row against the event's speakers and the categories."""
    rows_read = _rows(data, filename)
    header = next(rows_read, None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    if isinstance(header, CellTooLong):
        raise ImportFileError(
            _("The first row must name the columns: a category column and a suggestion column.")
        )
    positions = _header_positions(header)
    cells = list(islice(rows_read, MAX_ROWS + 1))
    rows_read.close()
    if len(cells) > MAX_ROWS:
        raise _too_many_rows()
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
    for line, raw in enumerate(cells, start=2):
        if isinstance(raw, CellTooLong):
            rows.append(
                ImportRow(
                    line=line,
                    content=str(raw),
                    errors=[
                        _("A cell of this row is longer than %(max)d characters.", max=MAX_CELL)
                    ],
                )
            )
            continue
        row = ImportRow(line=line, content=value(raw, "content"))
        if not row.content:
            row.errors.append(_("The suggestion is empty."))
        elif len(row.content) > MAX_CONTENT:
            row.errors.append(
                _("The suggestion is longer than %(max)d characters.", max=MAX_CONTENT)
            )
        row.category_name = value(raw, "category")
        category = categories.get(row.category_name.lower())
        row.category_name = _shorten(row.category_name)
        if category is None:
            row.errors.append(_("Unknown category “%(name)s”.", name=row.category_name))
        else:
            row.category_id = category.id
        email, name = normalize_email(value(raw, "email")), value(raw, "name")
        if email:
            speaker = speakers.get(email)
            if speaker is None:
                row.errors.append(
                    _("No speaker of this event has the email %(email)s.", email=_shorten(email))
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


# --- the upload between preview and confirmation -------------------------------------------

BATCH_PATTERN = re.compile(r"^[0-9a-f]{32}\.(xlsx|csv)$")


def store_upload(folder: Path, data: bytes, extension: str) -> str:
    """Keep an upload for its confirmation; the name is random, so nobody can guess it."""
    folder.mkdir(parents=True, exist_ok=True)
    batch = f"{uuid.uuid4().hex}.{extension}"
    (folder / batch).write_bytes(data)
    return batch


def _is_stale(path: Path, now: float) -> bool:
    return now - path.stat().st_mtime > UPLOAD_MAX_AGE_SECONDS


def read_upload(folder: Path, batch: str, *, now: float | None = None) -> bytes | None:
    """The stored upload, or None when the name is not ours or the upload has expired."""
    if not BATCH_PATTERN.match(batch):
        return None
    path = folder / batch
    try:
        if _is_stale(path, time.time() if now is None else now):
            path.unlink(missing_ok=True)
            return None
        return path.read_bytes()
    except FileNotFoundError:
        return None


def discard_upload(folder: Path, batch: str) -> None:
    if BATCH_PATTERN.match(batch):
        (folder / batch).unlink(missing_ok=True)


def remove_stale_uploads(folder: Path, *, now: float | None = None) -> int:
    """Delete the uploads nobody confirmed within a day: they hold speakers' emails."""
    now = time.time() if now is None else now
    removed = 0
    for path in folder.glob("*"):
        try:
            if BATCH_PATTERN.match(path.name) and _is_stale(path, now):
                path.unlink(missing_ok=True)
                removed += 1
        except FileNotFoundError:  # removed meanwhile by another request
            continue
    return removed
