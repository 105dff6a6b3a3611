"""A consistent copy of a live SQLite database, checked before it is called a backup."""

import contextlib
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from talentday.errors_domain import DomainError


class BackupError(DomainError):
    """The backup was refused or its copy failed its check."""


@dataclass
class BackupReport:
    source: Path
    copy: Path
    size: int
    integrity: str
    revision: str | None


def pg_dump_command(url: sa.URL, path: str) -> str:
    """The pg_dump line that does for PostgreSQL what `flask backup` does for SQLite.
    The password stays out: pg_dump reads it from ~/.pgpass or PGPASSWORD."""
    parts = ["pg_dump", "-Fc"]
    if url.host:
        parts += ["-h", url.host]
    if url.port:
        parts += ["-p", str(url.port)]
    if url.username:
        parts += ["-U", url.username]
    parts += ["-f", path, url.database or ""]
    return shlex.join(parts)


def _integrity(connection: sqlite3.Connection) -> str:
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(row[0]) for row in rows)


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def backup_sqlite(source: Path, copy: Path) -> BackupReport:
    """Copy the database with SQLite's online backup API, which reads one committed snapshot
    while the application goes on writing (copying the file could catch a half-written page
    or miss the WAL), then check the copy: integrity and the same Alembic revision as the
    source. A copy that fails is deleted, so that nothing that looks like a backup is wrong."""
    source, copy = source.resolve(), copy.resolve()
    if not source.is_file():
        raise BackupError(f"There is no database file at {source}.")
    if copy.exists():
        raise BackupError(f"{copy} already exists; choose a new file name.")
    if not copy.parent.is_dir():
        raise BackupError(f"The folder {copy.parent} does not exist.")
    # Read-only: a backup must never be able to change the live database.
    with contextlib.closing(sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)) as live:
        expected = _revision(live)
        with contextlib.closing(sqlite3.connect(copy)) as target:
            live.backup(target)
    with contextlib.closing(sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)) as check:
        integrity = _integrity(check)
        revision = _revision(check)
    problem = None
    if integrity != "ok":
        problem = f"the copy failed its integrity check: {integrity}"
    elif revision != expected:
        problem = f"the copy has revision {revision}, the database {expected}"
    if problem:
        copy.unlink(missing_ok=True)
        raise BackupError(f"Backup failed: {problem}. The copy was deleted.")
    return BackupReport(source, copy, copy.stat().st_size, integrity, revision)
