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
from openpyxl import Workbook, load_workbook

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
    factories.category(name="Talent apartments", name_zh="人才公寓", code="talent-apartments")
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


def test_a_large_upload_in_a_test_leaves_no_temporary_file_open(client):
    """werkzeug's test client writes a multipart body over 500 KB to a temporary file and
    never closes it; the warning then fails whichever test the garbage collector runs in
    (the form fuzz's big uploads did so at random). The suite's client closes it."""
    response = client.post(
        "/sign-in",
        data={"email": "a@example.com", "file": (io.BytesIO(b"x" * 600_000), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code < 500
    assert response.request.environ["wsgi.input"].closed


def test_the_daily_anonymise_old_removes_uploads_nobody_confirmed(app, runner):
    """Without anyone opening the import page again, an unconfirmed upload (speakers' emails)
    is gone after a day: the cron job of the retention period deletes it."""
    folder = Path(app.config["IMPORT_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    stale, fresh = (folder / f"{uuid.uuid4().hex}.{kind}" for kind in ("xlsx", "csv"))
    stale.write_bytes(b"old")
    fresh.write_bytes(b"new")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(stale, (two_days_ago, two_days_ago))
    dry = runner.invoke(args=["anonymise-old", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 import upload" in dry.output and stale.exists()
    result = runner.invoke(args=["anonymise-old"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 import upload" in result.output
    assert not stale.exists() and fresh.exists()


def test_stale_uploads_are_removed_and_confirmed_ones_deleted(app, make_user):
    with app.app_context():
        folder = Path(app.config["IMPORT_FOLDER"])
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


# --- what people actually have: header variants, namesakes, near categories, the template ---


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("姓名", "name"),
        ("姓名（必填）：", "name"),
        ("发言人", "name"),
        ("提出人", "name"),
        ("建议人", "name"),
        (" Speaker name ", "name"),
        ("NAME:", "name"),
        ("邮箱", "email"),
        ("电子邮箱（选填）", "email"),
        ("ＥＭＡＩＬ", "email"),
        ("E-mail address (optional)", "email"),
        ("单位", "organization"),
        ("工作单位", "organization"),
        ("Organization", "organization"),
        ("建议类别", "category"),
        ("类别：", "category"),
        ("分类", "category"),
        ("问题类别", "category"),
        ("*Category", "category"),
        ("建议内容", "content"),
        ("意见建议", "content"),
        ("内容", "content"),
        ("主要内容【必填】", "content"),
        ("Suggestion", "content"),
        ("Content", "content"),
    ],
)
def test_the_usual_headers_are_read_in_both_languages(header, key):
    assert imports.HEADERS[imports.header_key(header)].key == key


def test_no_header_names_two_columns():
    every = [imports.header_key(h) for known in imports.FIELDS for h in known.headers]
    assert len(every) == len(set(every)) == len(imports.HEADERS)


def test_the_preview_says_which_columns_were_read_and_which_ignored(event):
    text = (
        "序号,姓名（必填）,电子邮箱（选填）,建议类别：,建议内容,备注,内容\n"
        "1,王伟,,Talent apartments,建设人才公寓,,另一列\n"
    )
    checked = imports.check(text.encode(), "s.csv", event)
    assert [(c.letter, c.field.key) for c in checked.used] == [
        ("B", "name"),
        ("C", "email"),
        ("D", "category"),
        ("E", "content"),
    ]
    assert [(c.letter, c.header, c.duplicate_of) for c in checked.ignored] == [
        ("A", "序号", ""),
        ("F", "备注", ""),
        ("G", "内容", "E"),
    ]
    (row,) = checked.rows
    assert row.ok and row.content == "建设人才公寓" and row.raised_by == "王伟"


def test_a_title_row_above_the_header_is_skipped_and_rows_keep_their_numbers(event):
    data = workbook(
        [
            ["第24届人才沙龙意见建议汇总表"],
            [],
            ["姓名", "建议类别", "建议内容"],
            ["王伟", "Talent apartments", "第一条"],
            [],
            ["李娜", "Talent apartments", "第二条"],
        ]
    )
    checked = imports.check(data, "t.xlsx", event)
    assert checked.header_line == 3
    assert [(row.line, row.content) for row in checked.rows] == [(4, "第一条"), (6, "第二条")]


def test_a_file_without_the_columns_says_what_its_first_row_reads(event):
    with pytest.raises(ImportFileError) as error:
        parse("序号,意见\n1,x\n".encode(), "x.csv", event)
    message = str(error.value)
    assert "must name the columns" in message and "序号; 意见" in message


def test_a_name_is_linked_to_the_speaker_and_the_organization_tells_namesakes_apart(event):
    nanjing = factories.speaker(name="王伟", organization="南京大学")
    factories.registration(event=event, speaker=nanjing)
    huaian = factories.speaker(name="王伟", organization="淮阴工学院")
    factories.registration(event=event, speaker=huaian)
    single = factories.speaker(name="李娜", organization="淮安市人社局")
    factories.registration(event=event, speaker=single)
    db.session.commit()
    text = (
        "姓名,单位,类别,内容\n"
        "王伟,,Talent apartments,a\n"  # two speakers of that name: which one?
        "王 伟,淮阴工学院,Talent apartments,b\n"  # the organization decides
        "李  娜,,Talent apartments,c\n"  # the only one of that name
        "李娜,南京大学,Talent apartments,d\n"  # a namesake elsewhere: not linked, said so
        "赵六,南京大学,Talent apartments,e\n"  # nobody registered: the name alone
    )
    a, b, c, d, e = parse(text.encode(), "n.csv", event)
    assert not a.ok and "2 speakers of this event are named 王伟" in a.errors[0]
    assert b.ok and b.speaker_id == huaian.id and b.matched_by == "name"
    assert c.ok and c.speaker_id == single.id and c.raised_by == "李娜"
    assert d.ok and d.speaker_id is None and d.raised_by == "李娜"
    assert "the organization differs" in d.notes[0]
    assert e.ok and e.speaker_id is None and not e.notes and e.raised_by == "赵六"


def test_an_unknown_category_gets_the_nearest_one_suggested_never_substituted(event):
    factories.category(name="Industrial policy", name_zh="产业政策", code="industry")
    factories.category(name="Talent training", name_zh="人才培养", code="training")
    factories.category(name="Talent services", name_zh="人才服务", code="services")
    factories.category(name="Retired topic", name_zh="旧类别", code="old", active=False)
    db.session.commit()
    text = (
        "Name,Category,Suggestion\n"
        "A,talent apartment,x\n"
        "A,产业政策类,x\n"
        "A,人才公务,x\n"  # as near to 人才公寓 as to 人才服务: no guess
        "A,Space travel,x\n"
        "A,旧类别,x\n"
        "A,ＴＡＬＥＮＴ  APARTMENTS,x\n"  # width, case and spaces are no mistake
    )
    near, chinese, tie, far, retired, same = parse(text.encode(), "c.csv", event)
    assert near.errors == ["Unknown category “talent apartment”. Did you mean “Talent apartments”?"]
    assert near.category_id is None
    assert chinese.errors == ["Unknown category “产业政策类”. Did you mean “产业政策”?"]
    assert tie.errors == ["Unknown category “人才公务”."]
    assert far.errors == ["Unknown category “Space travel”."]
    assert retired.errors == ["The category “旧类别” is no longer in use."]
    assert same.ok and same.category_id is not None


def _template(client, **args):
    response = client.get("/followup/import/template.xlsx", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == imports.XLSX_MIMETYPE
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


@pytest.fixture
def organizer(app, make_user):
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANIZER).email)
    return client


@pytest.fixture
def categories(app):
    with app.app_context():
        event = factories.event()
        factories.category(name="Talent apartments", name_zh="人才公寓", position=1)
        factories.category(name="Industrial policy", name_zh="产业政策", position=2)
        factories.category(name="Retired topic", name_zh="旧类别", active=False)
        db.session.commit()
        return event.id


@pytest.mark.parametrize(
    ("accept", "args", "header", "names"),
    [
        ("en", {}, ["Name", "Email", "Organization", "Category", "Suggestion"], None),
        ("zh-CN", {}, ["姓名", "邮箱", "单位", "建议类别", "建议内容"], ["人才公寓", "产业政策"]),
        ("zh-CN", {"language": "en"}, ["Name", "Email"], None),
    ],
)
def test_the_template_is_in_the_readers_language_and_lists_the_active_categories(
    app, organizer, categories, accept, args, header, names
):
    organizer.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
    book = load_workbook(io.BytesIO(_template(organizer, **args)))
    sheet, listing = book.worksheets
    assert [cell.value for cell in sheet[1]][: len(header)] == header
    assert sheet.max_row == 2, "the header and the example"
    names = names or ["Talent apartments", "Industrial policy"]
    assert [row[0] for row in listing.iter_rows(min_row=2, values_only=True)] == names
    assert sheet["D2"].value == names[0]
    (choice,) = sheet.data_validations.dataValidation
    assert choice.type == "list" and "$A$2:$A$3" in choice.formula1


def test_the_template_imports_as_it_is_its_example_left_out(app, organizer, categories):
    for language in ("en", "zh_Hans"):
        book = load_workbook(io.BytesIO(_template(organizer, language=language)))
        book.active.append(["Gao", "", "", book.active["D2"].value, "Open the library at night"])
        buffer = io.BytesIO()
        book.save(buffer)
        with app.app_context():
            event = db.session.get(factories.Event, categories)
            checked = imports.check(buffer.getvalue(), "template.xlsx", event)
        assert checked.examples == [2], language
        assert [(row.line, row.ok) for row in checked.rows] == [(3, True)], language
        assert {column.field.key for column in checked.used} == {
            known.key for known in imports.FIELDS
        }


def test_only_organizers_download_the_template(app, client, make_user, categories):
    assert client.get("/followup/import/template.xlsx").status_code == 302
    for role in (Role.DEPARTMENT_STAFF, Role.LEADER, Role.ADMIN):
        other = app.test_client()
        sign_in(other, make_user(role).email)
        assert other.get("/followup/import/template.xlsx").status_code == 403, role
    organizer = app.test_client()
    sign_in(organizer, make_user(Role.ORGANIZER).email)
    assert organizer.get("/followup/import/template.xlsx?language=fr").status_code == 404


def test_the_import_page_links_the_template_and_the_preview_tells_the_columns(
    app, organizer, categories
):
    page = organizer.get("/followup/import").get_data(as_text=True)
    assert "/followup/import/template.xlsx" in page and "language=zh_Hans" in page
    text = "第一行是标题\n序号,建议人：,分类,意见建议,备注\n1,王伟,人材公寓,建设人才公寓,\n"
    preview = organizer.post(
        "/followup/import",
        data={
            "csrf_token": csrf_token(organizer, "/followup/import"),
            "event_id": str(categories),
            "file": (io.BytesIO(text.encode()), "s.csv"),
        },
        content_type="multipart/form-data",
        headers={"Accept-Language": "zh-CN"},
    ).get_data(as_text=True)
    assert "读取的列：B 列“建议人：”作为姓名；" in preview
    assert "A 列“序号”" in preview and "E 列“备注”" in preview
    assert "第 2 行" in preview
    assert "未知类别“人材公寓”。是否指“人才公寓”？" in preview
