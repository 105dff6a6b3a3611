"""Importing suggestions from a spreadsheet: every row checked and shown before any is saved.

The file comes from a person at a desk, or from anyone holding an organizer's session: it is
read as if hostile. A workbook is a zip whose parts are checked for their unpacked size before
openpyxl opens it; rows are read one at a time and reading stops at the first row past the
limit; a cell longer than the cap is an error for its row; every way a file can be broken is a
message, never a crash. The upload waits in the instance folder between preview and
confirmation, and is deleted on confirmation or after a day.

What people actually have: a sheet exported from another system or typed by hand, its header
in Chinese or English, often under a title row, with notes such as "(required)". `FIELDS` is
the one table of the headers read; the preview says which columns were used and which were
ignored. `template_workbook()` is a file that imports as it is.
"""

import csv
import difflib
import io
import re
import time
import unicodedata
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from talentday.auth.services import normalize_email
from talentday.events.models import Event
from talentday.exports import display_width, safe_cell, strip_forbidden
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

# A title row or two above the header ("第24届人才沙龙意见建议汇总表") is skipped: the header is
# the first of this many non-blank rows that names a category and a suggestion column.
HEADER_SEARCH_ROWS = 5


@dataclass(frozen=True)
class ImportField:
    """A column the import reads: its header in the template (English, Chinese), which is
    also how the preview names it, and the other headers people use for it."""

    key: str
    en: str
    zh: str
    also: tuple[str, ...] = ()
    required: bool = False

    @property
    def label(self) -> str:
        locale = get_locale()
        return self.zh if locale is not None and locale.language == "zh" else self.en

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.en, self.zh, *self.also)


# The one table of known headers, in the template's order. Each is matched as `header_key`
# writes it: case, full-width letters and brackets, surrounding spaces, a trailing colon and
# a note in brackets, full-width or not ("E-mail address (optional):") do not count.
#
# The organization is read only to tell apart two speakers of the event with the same name:
# a row without an email is linked to the registered speaker of that name, and where two
# share it, to the one at that organization. It is not stored: the speaker's organization is
# part of their registration, and a row naming someone who did not register keeps only the
# name (FollowUpItem.raised_by_name), as an entry typed on the ledger does.
FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "name",
        "Name",
        "姓名",
        ("发言人", "提出人", "建议人", "发言人姓名", "Speaker", "Speaker name", "Raised by"),
    ),
    ImportField(
        "email",
        "Email",
        "邮箱",
        (
            "电子邮箱",
            "邮箱地址",
            "电子邮件",
            "E-mail",
            "Email address",
            "E-mail address",
            "Speaker email",
        ),
    ),
    ImportField(
        "organization",
        "Organization",
        "单位",
        ("工作单位", "所在单位", "单位名称", "Organisation", "Affiliation", "Employer"),
    ),
    ImportField(
        "category",
        "Category",
        "建议类别",
        ("类别", "分类", "问题类别", "建议分类", "意见类别", "Topic"),
        required=True,
    ),
    ImportField(
        "content",
        "Suggestion",
        "建议内容",
        ("意见建议", "内容", "主要内容", "建议", "意见", "Suggestions", "Content", "Text"),
        required=True,
    ),
)

# A note in brackets or a colon at the end of a header, after NFKC has made full-width
# brackets and colons half-width; an asterisk marking a required column at either end.
_HEADER_NOTE = re.compile(r"\s*(\([^()]*\)|\[[^\[\]]*\]|【[^】]*】|:)\s*$")
_SPACES = re.compile(r"\s+")


def header_key(text: str) -> str:
    """A header as it is matched: " Email: ", "EMAIL (optional)" and the same in full-width
    letters, brackets and colon alike."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().strip("*").strip()
    while (shorter := _HEADER_NOTE.sub("", text)) != text:
        text = shorter.strip("*").strip()
    return text.replace("_", " ").casefold()


# Every header as matched, to its field (tests/test_imports.py checks that none names two).
HEADERS: dict[str, ImportField] = {
    header_key(header): known for known in FIELDS for header in known.headers
}


def value_key(text: str) -> str:
    """A category's name as it is matched: case, width and runs of spaces do not count."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def person_key(text: str) -> str:
    """A name or an organization as it is matched: no spaces at all, since Chinese sheets pad
    two-character names to the width of three ("张  三")."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).casefold()


# The template's example row, in both languages: a row that still holds it is left out of
# the import and said so, never saved as a suggestion.
EXAMPLE = {
    "en": {
        "name": "Zhang San",
        "email": "zhangsan@example.com",
        "organization": "Huai'an Institute of Technology",
        "content": "(Example: replace this row) One suggestion per row.",
    },
    "zh_Hans": {
        "name": "张三",
        "email": "zhangsan@example.com",
        "organization": "淮安某研究院",
        "content": "（示例，请替换本行）每行填写一条意见建议。",
    },
}
FIELDS_BY_KEY = {known.key: known for known in FIELDS}
EXAMPLE_CONTENTS = {value_key(example["content"]) for example in EXAMPLE.values()}


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
    # How the row was tied to a registered speaker: "email", "name", or "" (not tied).
    matched_by: str = ""
    errors: list[str] = field(default_factory=list)
    # Said on the preview without keeping the row out.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ColumnUse:
    """A column of the file's header: the field it was read as, or None when ignored."""

    index: int
    header: str
    field: ImportField | None
    # An ignored column whose field an earlier column gives: that column's letter.
    duplicate_of: str = ""

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)


@dataclass
class Checked:
    """A file read and checked: its rows, and what was made of its header."""

    rows: list[ImportRow]
    columns: list[ColumnUse]
    header_line: int = 1
    # Rows holding the template's example, left out.
    examples: list[int] = field(default_factory=list)

    @property
    def used(self) -> list[ColumnUse]:
        return [column for column in self.columns if column.field is not None]

    @property
    def ignored(self) -> list[ColumnUse]:
        return [column for column in self.columns if column.field is None]

    @property
    def good(self) -> list[ImportRow]:
        return [row for row in self.rows if row.ok]


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


def _rows(data: bytes, filename: str) -> Iterator[tuple[int, list[str] | CellTooLong]]:
    """The file's non-blank rows with their row numbers, at most MAX_SCANNED_ROWS read."""
    reader = _workbook_rows if filename.lower().endswith(".xlsx") else _csv_rows
    rows = reader(data)
    try:
        for scanned, row in enumerate(rows, start=1):
            if scanned > MAX_SCANNED_ROWS:
                raise _too_many_rows()
            if isinstance(row, CellTooLong) or any(row):
                yield scanned, row
    finally:
        rows.close()


def _columns(header: list[str]) -> list[ColumnUse]:
    columns, taken = [], {}
    for index, title in enumerate(header):
        if not title:
            continue
        found = HEADERS.get(header_key(title))
        if found is not None and found.key in taken:
            columns.append(ColumnUse(index, _shorten(title), None, taken[found.key].letter))
            continue
        columns.append(ColumnUse(index, _shorten(title), found))
        if found is not None:
            taken[found.key] = columns[-1]
    return columns


def _names_required(columns: list[ColumnUse]) -> bool:
    keys = {column.field.key for column in columns if column.field is not None}
    return all(known.key in keys for known in FIELDS if known.required)


def _no_header(first: list[str] | CellTooLong | None) -> ImportFileError:
    message = _("The first row must name the columns: a category column and a suggestion column.")
    if isinstance(first, list):
        found = _("; ").join(_shorten(title) for title in first if title)
        message += " " + _("The file's first row reads: %(headers)s.", headers=found)
    return ImportFileError(message)


def _shorten(text: str) -> str:
    return text if len(text) <= PREVIEW_LENGTH else text[:PREVIEW_LENGTH] + "…"


def _read_header(rows_read) -> tuple[int, list[ColumnUse]]:
    """The header's row number and columns: the first of the first few non-blank rows that
    names the required columns, so that a title row above it does not stop the import."""
    first = None
    for searched, (line, row) in enumerate(rows_read, start=1):
        if first is None:
            first = row
        if isinstance(row, list):
            columns = _columns(row)
            if _names_required(columns):
                return line, columns
        if searched >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise ImportFileError(_("The file is empty."))
    raise _no_header(first)


class _Categories:
    """The categories a row may name, by either language's name or code, and the nearest
    active one to suggest for a name that matches none."""

    def __init__(self):
        self.active: dict[str, Category] = {}
        self.retired: dict[str, Category] = {}
        # What a suggestion may name: an active category's names as they are written, in
        # both languages (a code is no name to suggest).
        self.names: dict[str, tuple[str, Category]] = {}
        for category in db.session.scalars(db.select(Category).order_by(Category.position)):
            found = self.active if category.active else self.retired
            for key in (category.name, category.name_zh, category.code):
                if key:
                    found.setdefault(value_key(key), category)
            for name in (category.name, category.name_zh) if category.active else ():
                if name:
                    self.names.setdefault(value_key(name), (name, category))

    def nearest(self, name: str) -> str | None:
        """The name of the one active category nearest to `name`, or None when none is near
        enough or two are as near (a suggestion between equals would be a guess)."""
        key = value_key(name)
        scored = sorted(
            (difflib.SequenceMatcher(None, key, candidate).ratio(), candidate)
            for candidate in difflib.get_close_matches(key, self.names, n=4, cutoff=0.6)
        )
        if not scored:
            return None
        best_score, best = scored[-1]
        rivals = {
            self.names[candidate][1].id
            for score, candidate in scored
            if score == best_score and self.names[candidate][1].id != self.names[best][1].id
        }
        return None if rivals else self.names[best][0]


class _Speakers:
    """The event's speakers, found by email, or by name and, where two share a name, by
    organization. Anonymised speakers have no name to match."""

    def __init__(self, event: Event):
        self.by_email: dict[str, Speaker] = {}
        self.by_name: dict[str, list[Speaker]] = {}
        statement = db.select(Speaker).join(Registration).where(Registration.event_id == event.id)
        for speaker in db.session.scalars(statement).unique():
            self.by_email[speaker.email] = speaker
            if speaker.anonymised_at is None:
                self.by_name.setdefault(person_key(speaker.name), []).append(speaker)

    def match(self, row: ImportRow, email: str, name: str, organization: str) -> None:
        if email:
            speaker = self.by_email.get(email)
            if speaker is None:
                row.errors.append(
                    _("No speaker of this event has the email %(email)s.", email=_shorten(email))
                )
            else:
                row.speaker_id, row.raised_by, row.matched_by = speaker.id, speaker.name, "email"
            return
        if not name:
            row.errors.append(_("Give the speaker's email or the name of who raised it."))
            return
        row.raised_by = name[:100]
        namesakes = self.by_name.get(person_key(name), [])
        if organization and namesakes:
            at = [s for s in namesakes if person_key(s.organization) == person_key(organization)]
            if not at:
                # Someone else of that name, or the same person's organization written
                # otherwise: the row is kept under the name alone, and the preview says so.
                row.notes.append(
                    _(
                        "Not linked to the registered speaker %(name)s (%(organization)s): "
                        "the organization differs. Give the email to link them.",
                        name=namesakes[0].name,
                        organization=namesakes[0].organization,
                    )
                    if len(namesakes) == 1
                    else _(
                        "Not linked to a registered speaker: none named %(name)s is at "
                        "%(organization)s. Give the email to link them.",
                        name=_shorten(name),
                        organization=_shorten(organization),
                    )
                )
                return
            namesakes = at
        if len(namesakes) > 1:
            row.errors.append(
                _(
                    "%(count)d speakers of this event are named %(name)s. Give the email, "
                    "or the organization, to tell them apart.",
                    count=len(namesakes),
                    name=_shorten(name),
                )
            )
        elif namesakes:
            speaker = namesakes[0]
            row.speaker_id, row.raised_by, row.matched_by = speaker.id, speaker.name, "name"


def check(data: bytes, filename: str, event: Event) -> Checked:
    """Read and check every row against the event's speakers and the categories."""
    rows_read = _rows(data, filename)
    try:
        header_line, columns = _read_header(rows_read)
        cells = list(islice(rows_read, MAX_ROWS + 1))
    finally:
        rows_read.close()
    if len(cells) > MAX_ROWS:
        raise _too_many_rows()
    positions = {column.field.key: column.index for column in columns if column.field}
    categories = _Categories()
    speakers = _Speakers(event)

    def value(row, key):
        index = positions.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    checked = Checked(rows=[], columns=columns, header_line=header_line)
    for line, raw in cells:
        if isinstance(raw, CellTooLong):
            checked.rows.append(
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
        if value_key(row.content) in EXAMPLE_CONTENTS:
            checked.examples.append(line)
            continue
        if not row.content:
            row.errors.append(_("The suggestion is empty."))
        elif len(row.content) > MAX_CONTENT:
            row.errors.append(
                _("The suggestion is longer than %(max)d characters.", max=MAX_CONTENT)
            )
        _check_category(row, value(raw, "category"), categories)
        speakers.match(
            row,
            normalize_email(value(raw, "email")),
            value(raw, "name"),
            value(raw, "organization"),
        )
        checked.rows.append(row)
    return checked


def _check_category(row: ImportRow, name: str, categories: _Categories) -> None:
    key = value_key(name)
    row.category_name = _shorten(name)
    category = categories.active.get(key)
    if category is not None:
        row.category_id = category.id
        return
    if not name:
        row.errors.append(_("The category is empty."))
    elif key in categories.retired:
        row.errors.append(_("The category “%(name)s” is no longer in use.", name=row.category_name))
    elif (nearest := categories.nearest(name)) is not None:
        row.errors.append(
            _(
                "Unknown category “%(name)s”. Did you mean “%(nearest)s”?",
                name=row.category_name,
                nearest=nearest,
            )
        )
    else:
        row.errors.append(_("Unknown category “%(name)s”.", name=row.category_name))


def parse(data: bytes, filename: str, event: Event) -> list[ImportRow]:
    """The checked rows alone, for callers that need nothing of the header."""
    return check(data, filename, event).rows


# --- the template ----------------------------------------------------------------------------

TEMPLATE_ROWS = 1000  # the rows of the category column that offer the list of categories
SHEET_TITLES = {
    "en": ("Suggestions", "Categories"),
    "zh_Hans": ("意见建议", "建议类别"),
}
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_workbook(language: str, categories: list[Category]) -> bytes:
    """A workbook that imports as it is: the header in `language` ("en" or "zh_Hans"), the
    example row (left out by the import), and a second sheet of the active categories in
    that language, which the category column offers as a list."""
    chinese = language == "zh_Hans"
    names = [(c.name_zh or c.name) if chinese else c.name for c in categories]
    example = dict(EXAMPLE[language], category=names[0] if names else "")
    book = Workbook()
    sheet = book.active
    sheet.title, listing_title = SHEET_TITLES[language]
    headers = [known.zh if chinese else known.en for known in FIELDS]
    sheet.append(headers)
    sheet.append([safe_cell(example[known.key]) for known in FIELDS])
    for index, header in enumerate(headers, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        wide = display_width(str(sheet.cell(row=2, column=index).value or ""))
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(display_width(header), wide, 12) + 2
    sheet.freeze_panes = "A2"
    listing = book.create_sheet(listing_title)
    category = FIELDS_BY_KEY["category"]
    listing.append([category.zh if chinese else category.en])
    listing.cell(row=1, column=1).font = Font(bold=True)
    for name in names:
        listing.append([safe_cell(name)])
    listing.column_dimensions["A"].width = max([12, *map(display_width, names)]) + 2
    if names:
        column = get_column_letter(1 + [f.key for f in FIELDS].index("category"))
        # A warning, not a stop: a category typed otherwise is checked on the preview.
        choice = DataValidation(
            type="list",
            formula1=f"'{listing_title}'!$A$2:$A${len(names) + 1}",
            allow_blank=True,
            errorStyle="warning",
        )
        choice.add(f"{column}2:{column}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(choice)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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


def upload_folder() -> Path:
    """Where uploads wait for their confirmation: IMPORT_FOLDER, by default the instance
    folder's imports/; never served."""
    folder = current_app.config.get("IMPORT_FOLDER")
    return Path(folder) if folder else Path(current_app.instance_path) / "imports"


def stale_uploads(folder: Path, *, now: float | None = None) -> list[Path]:
    """The uploads nobody confirmed within a day."""
    now = time.time() if now is None else now
    stale = []
    for path in folder.glob("*"):
        try:
            if BATCH_PATTERN.match(path.name) and _is_stale(path, now):
                stale.append(path)
        except FileNotFoundError:  # removed meanwhile by another request
            continue
    return stale


def remove_stale_uploads(folder: Path, *, now: float | None = None) -> int:
    """Delete the uploads nobody confirmed within a day: they hold speakers' emails. Run when
    the import page opens and by the daily `flask anonymise-old`."""
    stale = stale_uploads(folder, now=now)
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)
