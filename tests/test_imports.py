"""Hostile import files: bombs, floods of rows, giant cells, broken files, oversized posts.
Each file is built here, small on disk; none may crash, exhaust memory or run for long."""

import io
import os
import time
import uuid
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from talentday.auth.models import Role
from talentday.extensions import db
from talentday.followup import imports
from talentday.followup.imports import MAX_ROWS, ImportFileError, parse
from talentday.followup.models import FollowUpItem
from tests import factories
from tests.conftest import csrf_token, sign_in

HEADER = ["Speaker email", "Name", "Category", "Suggestion"]


@pytest.fixture
def event(app_ctx):
    event = factories.event()
    factories.category(name="Talent apartments", code="talent-apartments")
    db.session.commit()
    return event


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet_xml(chunks) -> bytes:
    """A real workbook whose first sheet is replaced by the XML `chunks` yield, streamed
    into the zip so that a sheet of hundreds of megabytes costs a few kilobytes here."""
    original = zipfile.ZipFile(io.BytesIO(workbook([HEADER])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in original.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with target.open(info.filename, "w", force_zip64=True) as sheet:
                    for chunk in chunks:
                        sheet.write(chunk.encode())
            else:
                target.writestr(info, original.read(info.filename))
    return buffer.getvalue()


SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_END = "</sheetData></worksheet>"


def inline_row(number: int, *values: str) -> str:
    cells = "".join(
        f'<c r="{column}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for column, value in zip("ABCD", values, strict=False)
    )
    return f'<row r="{number}">{cells}</row>'


def test_a_workbook_that_expands_to_a_huge_cell_is_refused_unopened(event):
    def chunks():
        yield SHEET_START + '<row r="1"><c r="A1" t="inlineStr"><is><t>'
        for _ in range(300):
            yield "A" * 1_000_000
        yield "</t></is></c></row>" + SHEET_END

    data = with_sheet_xml(chunks())
    assert len(data) < 1_000_000, "small on disk"
    with pytest.raises(ImportFileError, match="expands to more than"):
        parse(data, "bomb.xlsx", event)


def test_a_sheet_of_many_rows_stops_at_the_limit(event):
    """50,000 rows, under the size limit: reading stops at the row after the limit."""

    def chunks():
        yield SHEET_START + inline_row(1, *HEADER)
        for number in range(2, 50_002):
            yield inline_row(number, "", "Someone", "Talent apartments", "x")
        yield SHEET_END

    data = with_sheet_xml(chunks())
    assert len(data) < 5_000_000
    with pytest.raises(ImportFileError, match=f"more than {MAX_ROWS} rows"):
        parse(data, "flood.xlsx", event)


def test_csv_stops_reading_after_the_row_limit(event):
    lines = ["Category,Suggestion"] + ["Talent apartments,x"] * (MAX_ROWS + 1)
    with pytest.raises(ImportFileError, match=f"more than {MAX_ROWS} rows"):
        parse("\n".join(lines).encode(), "flood.csv", event)
    just_enough = "\n".join(lines[: MAX_ROWS + 1]).encode()
    assert len(parse(just_enough, "ok.csv", event)) == MAX_ROWS


def test_a_giant_cell_is_an_error_for_its_row_only(event):
    giant = "x" * 200_000
    text = f"Name,Category,Suggestion\nA,Talent apartments,{giant}\nB,Talent apartments,fine\n"
    rows = parse(text.encode(), "giant.csv", event)
    assert [row.ok for row in rows] == [False, True]
    assert "longer than" in rows[0].errors[0]
    assert len(rows[0].content) <= imports.PREVIEW_LENGTH
    data = workbook(
        [["Name", "Category", "Suggestion"], ["A", "Talent apartments", giant[:30_000]]]
    )
    rows = parse(data, "giant.xlsx", event)
    assert not rows[0].ok and "longer than" in rows[0].errors[0]


def test_previews_and_messages_are_truncated(event):
    long_name = "Q" * 5000
    text = f"Name,Category,Suggestion\n{long_name},{long_name},fine\n"
    (row,) = parse(text.encode(), "long.csv", event)
    assert len(row.category_name) <= imports.PREVIEW_LENGTH + 1
    assert all(len(error) < 400 for error in row.errors)


def test_control_characters_in_cells_are_dropped(event):
    text = "Name,Category,Suggestion\nA\x00B,Talent apartments,Flats\x0b near the zone\n"
    (row,) = parse(text.encode(), "nul.csv", event)
    assert row.ok and row.raised_by == "AB" and row.content == "Flats near the zone"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "could not be read as an Excel workbook"),
        ("other.xlsx", None, "could not be read as an Excel workbook"),
        ("badxml.xlsx", "bad-xml", "could not be read as an Excel workbook"),
        ("latin.csv", "Category,Suggestion\n\xff\xfe\xfa,x\n".encode("latin-1"), "neither UTF-8"),
        ("quotes.csv", b'Category,Suggestion\n"unterminated,x\n', None),
    ],
)
def test_broken_files_are_messages(event, name, data, message):
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        data = buffer.getvalue()
    elif data == "bad-xml":
        data = with_sheet_xml([SHEET_START + '<row r="1"><c r="A1" t="inlineStr"><is><t>x'])
    try:
        parse(data, name, event)
    except ImportFileError as error:
        assert message is None or message in str(error)
    else:
        assert message is None, "a broken file must be refused"


def test_stale_uploads_are_removed_and_confirmed_ones_deleted(app, make_user):
    with app.app_context():
        folder = Path(app.instance_path) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        stale = folder / f"{uuid.uuid4().hex}.csv"
        fresh = folder / f"{uuid.uuid4().hex}.csv"
        stale.write_bytes(b"old")
        fresh.write_bytes(b"new")
        two_days_ago = time.time() - 2 * 24 * 3600
        os.utime(stale, (two_days_ago, two_days_ago))
        event = factories.event()
        factories.category(name="Talent apartments")
        db.session.commit()
        event_id = event.id
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANIZER).email)
    assert client.get("/followup/import").status_code == 200
    assert not stale.exists() and fresh.exists()
    # An expired batch is told as such, not a crash.
    response = client.post(
        "/followup/import/confirm",
        data={
            "csrf_token": csrf_token(client, "/followup/import"),
            "batch": stale.name,
            "event_id": str(event_id),
        },
    )
    assert response.status_code == 302
    preview = client.post(
        "/followup/import",
        data={
            "csrf_token": csrf_token(client, "/followup/import"),
            "event_id": str(event_id),
            "file": (io.BytesIO(b"Name,Category,Suggestion\nA,Talent apartments,x\n"), "s.csv"),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    batch = preview.split('name="batch" value="')[1].split('"')[0]
    assert (folder / batch).exists()
    client.post(
        "/followup/import/confirm",
        data={
            "csrf_token": csrf_token(client, "/followup/import"),
            "batch": batch,
            "event_id": str(event_id),
        },
    )
    assert not (folder / batch).exists()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpItem)) == 1
    fresh.unlink()


def test_oversized_posts_get_a_friendly_413(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit and limit <= 20 * 1024 * 1024
    body = {"email": "a@example.com", "password": "x" * (limit + 1)}
    response = client.post("/sign-in", data=body)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Too large" in page and "<title>" in page
    chinese = client.post("/sign-in", data=body, headers={"Accept-Language": "zh-CN"})
    assert "太大" in chinese.get_data(as_text=True)


def test_an_oversized_upload_is_refused_before_it_is_read(app, make_user):
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANIZER).email)
    body = b"--x\r\n" + b"a" * app.config["MAX_CONTENT_LENGTH"] + b"\r\n--x--\r\n"
    response = client.post(
        "/followup/import", data=body, content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)
