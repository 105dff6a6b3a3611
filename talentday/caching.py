"""Short-lived caches in this process, dropped when this process commits a change to a table
they read (docs/decisions.md, "Short-lived caches").

At a province's scale some answers cost far more than they change: the dashboard's figures
take a second or more of SQL, and the public page of a salon is read by hundreds of visitors
for every registration approved. Each cache names the tables its values read; an entry lives
a few seconds (its caller says how many) and is dropped at once when this process commits a
write to one of those tables: one hook, on the SQLAlchemy session, sees every write the
services, the CLI commands and the tests make. Another server's change shows here when the
entry expires; pages served from a cache say how fresh they are, or are fresh enough that it
does not matter.
"""

import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

MAX_ENTRIES = 256
_CHANGED = "talentday_changed_tables"
# A write whose table we cannot name (hand-written SQL): assumed to touch every cache.
ANY_TABLE = "*"
# Hand-written SQL that may write.
_WRITES = re.compile(r"\s*(insert|update|delete|replace|truncate)\b", re.IGNORECASE)


class ShortCache:
    """Computed values by key, each valid for its version of the data and a short time."""

    def __init__(self, watched_tables: frozenset[str]):
        self.watched_tables = watched_tables
        self.version = 0
        self._entries: dict = {}
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self.version += 1
            self._entries.clear()

    def reads_any_of(self, tables: set[str]) -> bool:
        return ANY_TABLE in tables or not self.watched_tables.isdisjoint(tables)

    def get(self, key, compute: Callable, seconds: float):
        """The value cached under `key`, or `compute()`'s, with the time it was computed."""
        version = self.version  # read first: a change during compute() makes the entry stale
        now = time.monotonic()
        found = self._entries.get(key)
        if found is not None and found[0] == version and found[1] > now:
            return found[2], found[3]
        value, computed_at = compute(), datetime.now(UTC)
        if seconds > 0:
            with self._lock:
                if self.version == version:
                    if len(self._entries) >= MAX_ENTRIES:
                        self._entries.clear()
                    self._entries[key] = (version, now + seconds, value, computed_at)
        return value, computed_at


def short_cache(name: str, watched_tables: frozenset[str]) -> ShortCache:
    """The application's cache of that name (made on first use), reading those tables."""
    caches = current_app.extensions.setdefault("talentday_short_caches", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches.setdefault(name, ShortCache(watched_tables))
    return cache


# --- the hook: a commit that wrote to a table drops every cache that reads it ---------------


def _changed(session: Session) -> set[str]:
    return session.info.setdefault(_CHANGED, set())


def _after_flush(session: Session, _context) -> None:
    # A change to an item's co-handling units flushes as a change to the item.
    for obj in (*session.new, *session.dirty, *session.deleted):
        _changed(session).update(table.name for table in sa.inspect(obj).mapper.tables)


def _do_orm_execute(state) -> None:
    # Bulk UPDATE, DELETE and INSERT statements pass no object through the flush.
    statement = state.statement
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(statement, "table", None)
        _changed(state.session).add(getattr(table, "name", None) or ANY_TABLE)
    elif isinstance(statement, sa.TextClause) and _WRITES.match(statement.text):
        _changed(state.session).add(ANY_TABLE)


def _after_commit(session: Session) -> None:
    tables = session.info.pop(_CHANGED, None)
    if tables and has_app_context():
        for cache in current_app.extensions.get("talentday_short_caches", {}).values():
            if cache.reads_any_of(tables):
                cache.invalidate()


def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)


sa.event.listen(Session, "after_flush", _after_flush)
sa.event.listen(Session, "do_orm_execute", _do_orm_execute)
sa.event.listen(Session, "after_commit", _after_commit)
sa.event.listen(Session, "after_rollback", _after_rollback)
