"""Files with progress notes and results (reply letters, photos, spreadsheets): accepted for
what their content is, stored under a random name outside the web root (a folder, or an
S3-compatible store), and handed out only to those who may see the item, as downloads with
their own name."""

import contextlib
import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from talentday import create_app
from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup import attachments, services
from talentday.followup.attachments import Upload
from talentday.followup.models import (
    Attachment,
    FollowUpItem,
    ItemState,
    ResultClass,
    TimelineEntry,
)
from talentday.followup.moves import FollowUpError
from talentday.i18n import city_today
from talentday.models import AuditEntry
from talentday.registrations import services as registrations
from talentday.storage import FolderStorage, S3Storage, StoredFileMissing, new_key, storage
from tests import factories
from tests.conftest import app_config, csrf_token, empty_all_tables, open_private_link, sign_in

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 64


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> Upload:
    return Upload(name, io.BytesIO(data))


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("复函.pdf", PDF, "application/pdf"),
        ("site.PNG", PNG, "image/png"),
        ("letter.docx", docx(), None),
        ("figures.xlsx", xlsx(), None),
        ("old.doc", bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 600, "application/msword"),
    ],
)
def test_accepted_for_what_their_content_is(app_ctx, name, data, content_type):
    [checked] = attachments.check([upload(name, data)])
    assert checked.filename == name and checked.size == len(data)
    extension = name.rsplit(".", 1)[1].lower()
    expected = content_type or attachments.OOXML_TYPES[extension][0]
    assert checked.content_type == expected


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("letter.pdf", b"MZ\x90\x00 a program, not a letter" * 10),  # an executable, renamed
        ("letter.pdf", PNG),  # an image named as a PDF
        ("letter.docx", b"PK\x03\x04 not a zip at all"),
        ("letter.html", b"<html><script>alert(1)</script></html>"),
        ("letter.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
        ("empty.pdf", b""),
    ],
)
def test_refused_when_the_content_is_not_an_accepted_kind(app_ctx, name, data):
    with pytest.raises(FollowUpError) as refused:
        attachments.check([upload(name, data)])
    assert refused.value.field == "files"
    assert name.split(".")[0] in str(refused.value.message)


def test_the_size_and_the_number_of_files_are_capped(app_ctx):
    app_ctx.config.update(ATTACHMENT_MAX_BYTES=len(PDF) - 1, ATTACHMENT_MAX_FILES=2)
    with pytest.raises(FollowUpError, match="larger than"):
        attachments.check([upload("big.pdf", PDF)])
    app_ctx.config.update(ATTACHMENT_MAX_BYTES=1024)
    with pytest.raises(FollowUpError, match="at most 2 files"):
        attachments.check([upload(f"{n}.pdf", PDF) for n in range(3)])


def test_a_name_keeps_no_folder_and_no_control_character(app_ctx):
    [checked] = attachments.check([upload("..\\..\\etc/pass\r\nwd.pdf", PDF)])
    assert checked.filename == "pass wd.pdf".replace(" ", "")


def test_a_file_is_removed_when_its_change_is_not_saved(app_ctx, make_user):
    lead = factories.unit()
    db.session.commit()
    staff = db.session.get(User, make_user(Role.DEPARTMENT_STAFF, unit_id=lead.id).id)
    item = factories.item(state=ItemState.IN_PROGRESS, lead_unit=lead)
    kept = set(Path(app_ctx.config["ATTACHMENT_FOLDER"]).rglob("*"))
    with pytest.raises(RuntimeError), attachments.removed_unless_committed():
        services.post_progress(
            item, note="Letter attached.", percent=None, by=staff,
            files=[upload("letter.pdf", PDF)],
        )  # fmt: skip
        assert set(Path(app_ctx.config["ATTACHMENT_FOLDER"]).rglob("*")) - kept  # stored
        raise RuntimeError("the commit failed")
    db.session.rollback()
    assert stored_files(app_ctx) == {path for path in kept if path.is_file()}


@pytest.fixture
def item_world(app, make_user):
    with app.app_context():
        lead, other = factories.unit(name="Housing Bureau"), factories.unit(name="Science Bureau")
        db.session.commit()
        registration = factories.registration()
        item = factories.item(
            state=ItemState.IN_PROGRESS, lead_unit=lead, due_on=city_today() + timedelta(9),
            speaker=registration.speaker, registration=registration, event=registration.event,
        )  # fmt: skip
        db.session.commit()
        token = registrations.issue_token(registration)
        db.session.commit()
        ids = {"item": item.id, "lead": lead.id, "other": other.id}
    return {
        **ids,
        "token": token,
        "staff": make_user(Role.DEPARTMENT_STAFF, unit_id=ids["lead"]),
        "stranger": make_user(Role.DEPARTMENT_STAFF, unit_id=ids["other"]),
        "organizer": make_user(Role.ORGANIZER),
    }


def post_result(app, item_world, files, **fields):
    client = app.test_client()
    sign_in(client, item_world["staff"].email)
    page = f"/followup/items/{item_world['item']}"
    data = {
        "csrf_token": csrf_token(client, page),
        "result-result": "Thirty flats are offered to the zone's engineers.",
        "result-result_class": "solved",
        "result-document_number": "淮住建函〔2026〕12号",
        "result-files": files,
        **fields,
    }
    return client.post(f"{page}/result", data=data, content_type="multipart/form-data")


def test_a_reply_letter_comes_with_the_result_and_goes_to_those_who_may_see_it(app, item_world):
    response = post_result(app, item_world, [(io.BytesIO(PDF), "淮安复函.pdf")])
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        attachment = db.session.scalars(sa.select(Attachment)).one()
        assert attachment.document_number == "淮住建函〔2026〕12号"
        assert attachment.storage_key not in attachment.filename
        attachment_id = attachment.id

    organizer = app.test_client()
    sign_in(organizer, item_world["organizer"].email)
    page = organizer.get(f"/followup/items/{item_world['item']}").get_data(as_text=True)
    assert "淮安复函.pdf" in page and "淮住建函〔2026〕12号" in page
    download = organizer.get(f"/followup/attachments/{attachment_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and quote("淮安复函.pdf") in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]
    with app.app_context():
        audited = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "export_downloaded")
        ).all()
        assert [entry.details["export"] for entry in audited] == ["attachment"]

    stranger = app.test_client()  # the staff of a unit with nothing to do with the item
    sign_in(stranger, item_world["stranger"].email)
    assert stranger.get(f"/followup/attachments/{attachment_id}").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(f"/followup/attachments/{attachment_id}").status_code in (302, 401)

    speaker = app.test_client()  # the reply letter is addressed to the speaker
    link = open_private_link(speaker, f"/r/{item_world['token']}")
    assert "淮安复函.pdf" in speaker.get(link).get_data(as_text=True)
    assert speaker.get(f"/r/attachments/{attachment_id}").data == PDF
    assert anonymous.get(f"/r/attachments/{attachment_id}").status_code in (403, 404)


def stored_files(app) -> set[Path]:
    return {path for path in Path(app.config["ATTACHMENT_FOLDER"]).rglob("*") if path.is_file()}


def test_a_refused_file_is_said_at_its_field_and_nothing_is_saved(app, item_world):
    before = stored_files(app)
    response = post_result(
        app, item_world, [(io.BytesIO(PDF), "good.pdf"), (io.BytesIO(b"MZ" * 100), "letter.pdf")]
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "letter.pdf is not a PDF" in text and 'id="result-files-error"' in text
    assert "Thirty flats are offered" in text  # the typed result is kept
    with app.app_context():
        item = db.session.get(FollowUpItem, item_world["item"])
        assert item.state is ItemState.IN_PROGRESS and item.result == ""
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
    assert stored_files(app) == before  # not even the good file of the two


def test_only_the_forms_with_files_take_more_than_the_request_limit(app, item_world):
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024)
    big = PDF + b"%" + b"x" * (100 * 1024)
    response = post_result(app, item_world, [(io.BytesIO(big), "scan.pdf")])
    assert response.status_code == 302
    client = app.test_client()
    refused = client.post("/sign-in", data={"email": "a@example.com", "password": "x" * 100_000})
    assert refused.status_code == 413


@pytest.mark.parametrize("kind", ["folder", "s3"])
def test_both_storages_keep_and_give_back_a_file(tmp_path, s3_bucket, kind):
    store = FolderStorage(tmp_path) if kind == "folder" else s3_bucket
    key = new_key()
    store.save(key, io.BytesIO(PDF), "application/pdf")
    with contextlib.closing(store.open(key)) as stored:
        assert stored.read() == PDF
    store.delete(key)
    with pytest.raises(StoredFileMissing):
        store.open(key)
    with pytest.raises(ValueError):
        store.open("../../etc/passwd")


@pytest.fixture(scope="module")
def s3_server():
    """A local S3-compatible server (moto's), for as long as the module's tests run."""
    moto_server = pytest.importorskip("moto.server", reason="moto[server] is in the test extras")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_server, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",  # pragma: allowlist secret
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    store = S3Storage("talentday-test", endpoint_url=s3_server, region="us-east-1")
    store.client.create_bucket(Bucket="talentday-test")
    return store


def test_the_app_keeps_attachments_in_s3_when_configured(database_url, s3_bucket, s3_server):
    app = create_app(
        app_config(
            database_url,
            ATTACHMENT_STORAGE="s3",
            ATTACHMENT_S3_BUCKET="talentday-test",
            ATTACHMENT_S3_ENDPOINT_URL=s3_server,
            ATTACHMENT_S3_REGION="us-east-1",
        )
    )
    with app.app_context():
        try:
            lead = factories.unit()
            db.session.flush()
            staff = User(
                email="s3@example.com", name="S", role=Role.DEPARTMENT_STAFF, unit=lead,
                password_hash="x",
            )  # fmt: skip
            item = factories.item(state=ItemState.IN_PROGRESS, lead_unit=lead)
            db.session.add(staff)
            db.session.flush()
            services.submit_result(
                item, result="Done.", result_class=ResultClass.SOLVED, by=staff,
                files=[upload("photo.png", PNG)],
            )  # fmt: skip
            [attachment] = db.session.scalars(sa.select(Attachment)).all()
            assert isinstance(storage(), S3Storage)
            body = s3_bucket.client.get_object(Bucket="talentday-test", Key=attachment.storage_key)
            assert body["Body"].read() == PNG
            with app.test_request_context():
                response = attachments.send(attachment)
                response.direct_passthrough = False
                assert response.get_data() == PNG
        finally:
            db.session.rollback()
            empty_all_tables()
            db.engine.dispose()  # this app's connections, closed now rather than collected


def test_an_unknown_storage_or_a_missing_bucket_stops_the_start(database_url):
    from talentday import ConfigurationError

    with pytest.raises(ConfigurationError, match="folder or s3"):
        create_app(app_config(database_url, ATTACHMENT_STORAGE="ftp"))
    with pytest.raises(ConfigurationError, match="ATTACHMENT_S3_BUCKET"):
        create_app(app_config(database_url, ATTACHMENT_STORAGE="s3"))


def test_a_timeline_entry_lists_its_files(app, item_world):
    assert post_result(app, item_world, [(io.BytesIO(PNG), "site.png")]).status_code == 302
    with app.app_context():
        entry = db.session.scalars(
            sa.select(TimelineEntry).join(Attachment, Attachment.entry_id == TimelineEntry.id)
        ).one()
        assert [a.filename for a in attachments.of_item(item_world["item"])[entry.id]] == [
            "site.png"
        ]


def test_the_speaker_gets_only_the_files_of_the_answer_that_stands(app, item_world):
    """Found by the attack: after a result with a file was sent back and a new one came
    without any, the old file was offered again."""
    assert post_result(app, item_world, [(io.BytesIO(PDF), "first.pdf")]).status_code == 302
    with app.app_context():
        item = db.session.get(FollowUpItem, item_world["item"])
        organizer = db.session.get(User, item_world["organizer"].id)
        staff = db.session.get(User, item_world["staff"].id)
        services.reopen(item, reason="Not enough.", by=organizer)
        services.submit_result(item, result="Second.", result_class=ResultClass.SOLVED, by=staff)
        db.session.commit()
        first = db.session.scalars(sa.select(Attachment.id)).one()
    speaker = app.test_client()
    link = open_private_link(speaker, f"/r/{item_world['token']}")
    assert "first.pdf" not in speaker.get(link).get_data(as_text=True)
    assert speaker.get(f"/r/attachments/{first}").status_code == 404


def test_only_the_forms_that_carry_files_take_large_bodies(app, item_world):
    """Found by the attack: every item move (return, urge, reopen…) took 100 MB."""
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024)
    client = app.test_client()
    sign_in(client, item_world["staff"].email)
    big = {"csrf_token": "x", "return-reason": "x" * (100 * 1024)}
    response = client.post(f"/followup/items/{item_world['item']}/return", data=big)
    assert response.status_code == 413
    assert "64 KB" in response.get_data(as_text=True) or "0.0625" in response.get_data(as_text=True)


def test_a_file_missing_from_the_storage_is_not_found_not_an_error(app, item_world):
    assert post_result(app, item_world, [(io.BytesIO(PDF), "gone.pdf")]).status_code == 302
    with app.app_context():
        attachment = db.session.scalars(sa.select(Attachment)).one()
        storage().delete(attachment.storage_key)
        attachment_id = attachment.id
    organizer = app.test_client()
    sign_in(organizer, item_world["organizer"].email)
    assert organizer.get(f"/followup/attachments/{attachment_id}").status_code == 404


def test_a_document_number_needs_its_letter(app, item_world):
    """Found by the attack: a number posted without a file was silently lost."""
    response = post_result(app, item_world, [])
    assert response.status_code == 400
    assert 'id="result-document_number-error"' in response.get_data(as_text=True)


def test_the_ledger_export_counts_each_items_files(app, item_world):
    response = post_result(
        app, item_world, [(io.BytesIO(PDF), "复函.pdf"), (io.BytesIO(PNG), "site.png")]
    )
    assert response.status_code == 302
    organizer = app.test_client()
    sign_in(organizer, item_world["organizer"].email)
    rows = list(
        csv.reader(io.StringIO(organizer.get("/followup/ledger.csv").text.lstrip("\ufeff")))
    )
    header = next(index for index, row in enumerate(rows) if row and row[0] == "Number")
    files = rows[header].index("Files")
    (row,) = [row for row in rows[header + 1 :] if row[0] == str(item_world["item"])]
    assert row[files] == "2"
