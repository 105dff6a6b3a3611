"""Where uploaded files live, behind one small interface: a folder in `instance/` by default,
or S3-compatible object storage (boto3) when several app servers must share the files.

A stored file is known by a random key that says nothing of its owner or name; the database
keeps what the file is (its name, type, size, item). Nothing here is under the web root: a
file is served by a view that checks who may see it first.
"""

import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app

# Keys are made by `new_key` (hex); anything else is refused before it reaches a path or a
# bucket.
KEY_LENGTH = 32


class StoredFileMissing(LookupError):
    """No file is stored under that key (removed by hand, or a bucket emptied)."""


class Storage(Protocol):
    def save(self, key: str, stream: BinaryIO, content_type: str) -> None: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...


def _checked(key: str) -> str:
    if len(key) != KEY_LENGTH or not all(char in "0123456789abcdef" for char in key):
        raise ValueError("not a storage key")
    return key


class FolderStorage:
    """Files in a folder, spread over 256 subfolders by the key's first two characters."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        key = _checked(key)
        return self.root / key[:2] / key

    def save(self, key: str, stream: BinaryIO, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside its place and renamed: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(stream, out)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as missing:
            raise StoredFileMissing(key) from missing

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """Objects in one bucket of an S3-compatible store (AWS, MinIO, a cloud's OSS/COS with
    its S3 endpoint). Credentials come from boto3's usual places: environment variables
    (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), its config files or the machine's role."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None):
        import boto3  # optional: `pip install talentday[s3]`

        self.bucket = bucket
        self.client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)

    def save(self, key: str, stream: BinaryIO, content_type: str) -> None:
        self.client.upload_fileobj(
            stream, self.bucket, _checked(key), ExtraArgs={"ContentType": content_type}
        )

    def open(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=_checked(key))["Body"]
        except self.client.exceptions.NoSuchKey as missing:
            raise StoredFileMissing(key) from missing

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=_checked(key))


def new_key() -> str:
    return secrets.token_hex(KEY_LENGTH // 2)


def storage() -> Storage:
    """The application's storage, made once per application."""
    return current_app.extensions["talentday.storage"]


def init_app(app: Flask) -> None:
    from talentday import ConfigurationError

    kind = app.config["ATTACHMENT_STORAGE"]
    if kind == "folder":
        root = app.config.get("ATTACHMENT_FOLDER") or os.path.join(app.instance_path, "attachments")
        app.extensions["talentday.storage"] = FolderStorage(Path(root))
    elif kind == "s3":
        bucket = app.config.get("ATTACHMENT_S3_BUCKET")
        if not bucket:
            raise ConfigurationError(
                "ATTACHMENT_STORAGE is s3 but no bucket is named: set ATTACHMENT_S3_BUCKET."
            )
        try:
            app.extensions["talentday.storage"] = S3Storage(
                bucket,
                endpoint_url=app.config.get("ATTACHMENT_S3_ENDPOINT_URL"),
                region=app.config.get("ATTACHMENT_S3_REGION"),
            )
        except ImportError as missing:
            raise ConfigurationError(
                "ATTACHMENT_STORAGE is s3 but boto3 is not installed: pip install 'talentday[s3]'."
            ) from missing
    else:
        raise ConfigurationError(f"ATTACHMENT_STORAGE must be folder or s3, not {kind!r}")
