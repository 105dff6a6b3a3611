"""Files attached to progress notes and results: what is accepted, and how it is kept.

A file is accepted for what its content is, not for what its name or the browser says: a
PDF, an image, or a Word, Excel or PowerPoint document, at most ATTACHMENT_MAX_BYTES, at most
ATTACHMENT_MAX_FILES at a time. It is stored under a random key (talentday.storage) and sent
back only by views that check who may see its item, as a download with its own name.
"""

import contextlib
import contextvars
import os
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import filetype
import sqlalchemy as sa
from flask import Response, abort, current_app, send_file
from flask_babel import lazy_gettext as _l

from talentday.auth.models import User
from talentday.extensions import db
from talentday.followup.models import Attachment, FollowUpItem, TimelineEntry, TimelineKind
from talentday.followup.moves import FollowUpError
from talentday.storage import StoredFileMissing, new_key, storage

# Recognised from their first bytes by `filetype`: the type, and the names it may carry.
SIMPLE_TYPES = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/webp": ("webp",),
    "image/gif": ("gif",),
    "image/heic": ("heic",),
}
# Office documents, recognised by their structure: a ZIP package with its main part, or an
# OLE compound file (the formats before 2007).
OOXML_TYPES = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "word/"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ppt/"),
}
OLE_TYPES = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
# What the file input offers on a phone or a computer (the server checks again).
ACCEPT = ",".join(
    f".{extension}"
    for extension in (
        *(name for names in SIMPLE_TYPES.values() for name in names),
        *OOXML_TYPES,
        *OLE_TYPES,
    )
)
HEAD_BYTES = 8192
NAME_LENGTH = 200


@dataclass(frozen=True)
class Upload:
    """A file as it came: its name on the uploader's computer and its content."""

    filename: str
    stream: BinaryIO


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    size: int
    stream: BinaryIO


def _error(message) -> FollowUpError:
    return FollowUpError(message, field="files")


def clean_name(filename: str) -> str:
    """The name without folders or characters that break a header or a file system."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    stem, extension = os.path.splitext(name)
    return stem[: NAME_LENGTH - len(extension)] + extension


def _size(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _content_type(stream: BinaryIO, extension: str) -> str | None:
    """What the content is, if it is a kind we accept and its name says the same."""
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if extension in OOXML_TYPES:
        content_type, main_part = OOXML_TYPES[extension]
        try:
            with zipfile.ZipFile(stream) as package:
                names = package.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            stream.seek(0)
        if "[Content_Types].xml" in names and any(name.startswith(main_part) for name in names):
            return content_type
        return None
    if extension in OLE_TYPES:
        return OLE_TYPES[extension] if head.startswith(OLE_SIGNATURE) else None
    kind = filetype.guess(head)
    if kind is not None and extension in SIMPLE_TYPES.get(kind.mime, ()):
        return kind.mime
    return None


def check(uploads: Iterable[Upload], *, document_number: str = "") -> list[CheckedFile]:
    """The files, each checked; the first that is refused raises FollowUpError at "files".
    A document number is kept with the files: without one it would be lost."""
    config = current_app.config
    uploads = [upload for upload in uploads if upload.filename]
    if document_number.strip() and not uploads:
        raise FollowUpError(
            _l("Attach the letter this document number belongs to, or leave it empty."),
            field="document_number",
        )
    if len(uploads) > config["ATTACHMENT_MAX_FILES"]:
        raise _error(
            _l("Attach at most %(count)d files at a time.", count=config["ATTACHMENT_MAX_FILES"])
        )
    checked = []
    for upload in uploads:
        name = clean_name(upload.filename)
        extension = os.path.splitext(name)[1].lower().lstrip(".")
        size = _size(upload.stream)
        if size == 0:
            raise _error(_l("%(name)s is empty.", name=name))
        if size > config["ATTACHMENT_MAX_BYTES"]:
            raise _error(
                _l(
                    "%(name)s is larger than %(size)s MB.",
                    name=name,
                    size=f"{config['ATTACHMENT_MAX_BYTES'] / 1024 / 1024:g}",
                )
            )
        content_type = _content_type(upload.stream, extension)
        if content_type is None:
            raise _error(
                _l(
                    "%(name)s is not a PDF, an image or a Word, Excel or PowerPoint document "
                    "(or its content is not what its name says).",
                    name=name,
                )
            )
        checked.append(CheckedFile(name, content_type, size, upload.stream))
    return checked


# The keys stored during this request's change: removed again if it is not committed.
_stored: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "stored_attachments", default=None
)


@contextlib.contextmanager
def removed_unless_committed() -> Iterator[None]:
    """Files stored inside the block are deleted if the block fails (the change they came
    with was refused or not saved): no file without its row."""
    stored: list[str] = []
    token = _stored.set(stored)
    try:
        yield
    except BaseException:
        for key in stored:
            storage().delete(key)
        raise
    finally:
        _stored.reset(token)


def attach(
    item: FollowUpItem,
    entry: TimelineEntry,
    files: list[CheckedFile],
    *,
    by: User,
    document_number: str = "",
) -> list[Attachment]:
    """Store the checked files and record them with the note or result they came with."""
    attached = []
    for checked in files:
        key = new_key()
        storage().save(key, checked.stream, checked.content_type)
        stored = _stored.get()
        if stored is not None:
            stored.append(key)
        attachment = Attachment(
            item=item,
            entry=entry,
            storage_key=key,
            filename=checked.filename,
            content_type=checked.content_type,
            size=checked.size,
            document_number=document_number.strip(),
            uploaded_by_id=by.id,
            unit_id=by.unit_id,
        )
        db.session.add(attachment)
        attached.append(attachment)
    return attached


def send(attachment: Attachment) -> Response:
    """The file as a download under its own name, with the type its content was found to
    be (the page's Content-Security-Policy and nosniff apply to it as to every response)."""
    try:
        stream = storage().open(attachment.storage_key)
    except StoredFileMissing:
        abort(404)
    response = send_file(
        stream,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.content_length = attachment.size
    return response


def extension(attachment: Attachment) -> str:
    return os.path.splitext(attachment.filename)[1].lower().lstrip(".")


def of_item(item_id: int) -> dict[int, list[Attachment]]:
    """The item's attachments by the timeline entry they came with: one query."""
    by_entry: dict[int, list[Attachment]] = {}
    for attachment in db.session.scalars(
        db.select(Attachment).where(Attachment.item_id == item_id).order_by(Attachment.id)
    ):
        by_entry.setdefault(attachment.entry_id, []).append(attachment)
    return by_entry


def of_results(items: Iterable[FollowUpItem]) -> dict[int, list[Attachment]]:
    """The files that came with each item's handling result that stands (the speaker's page
    offers them: the reply letter is addressed to them). One query."""
    answered = {item.id for item in items if item.result}
    if not answered:
        return {}
    # The result that stands is each item's latest result entry, with files or without.
    latest = (
        db.select(sa.func.max(TimelineEntry.id))
        .where(TimelineEntry.item_id.in_(answered), TimelineEntry.kind == TimelineKind.RESULT)
        .group_by(TimelineEntry.item_id)
    )
    by_item: dict[int, list[Attachment]] = {}
    for attachment in db.session.scalars(
        db.select(Attachment).where(Attachment.entry_id.in_(latest)).order_by(Attachment.id)
    ):
        by_item.setdefault(attachment.item_id, []).append(attachment)
    return by_item
