"""A short-lived cache of the figures of a period, in this process (docs/decisions.md).

At a province's scale the figures take a second or more of SQL; leaders reload the dashboard
far more often than the items change. Each entry lives `FIGURES_CACHE_SECONDS` (60 by
default) and is dropped at once when this process commits a change to any table the figures
read: one hook, on the SQLAlchemy session, sees every write the services, the CLI commands
and the tests make, and bumps a version number that every entry's key carries. Another
server's change shows here when the entry expires; the page says when its figures were
counted.
"""

import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

# The tables whose rows the figures count or name.
WATCHED_TABLES = frozenset(
    {
        "followup_item",
        "followup_item_co_unit",
        "timeline_entry",
        "event",
        "registration",
        "responsible_unit",
        "category",
    }
)
DEFAULT_SECONDS = 60
MAX_ENTRIES = 256
_CHANGED = "figures_changed"
# Hand-written SQL that may write: assumed to touch the figures.
_WRITES = re.compile(r"\s*(insert|update|delete|replace|truncate)\b", re.IGNORECASE)


class FiguresCache:
    """Computed values by key, each valid for its version of the data and a short time."""

    def __init__(self):
        self.version = 0
        self._entries: dict = {}
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self.version += 1
            self._entries.clear()

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


def figures_cache() -> FiguresCache:
    return current_app.extensions.setdefault("talentday_figures_cache", FiguresCache())


def cached(key, compute: Callable):
    """`compute()`'s value, at most `FIGURES_CACHE_SECONDS` old and never older than this
    process's last change to the figures' tables; returns (value, computed at, UTC)."""
    seconds = current_app.config.get("FIGURES_CACHE_SECONDS", DEFAULT_SECONDS)
    return figures_cache().get(key, compute, seconds)


# --- the hook: a commit that wrote to a watched table drops every entry ---------------------


def _touches_watched(objects) -> bool:
    for obj in objects:
        mapper = sa.inspect(obj).mapper
        if any(table.name in WATCHED_TABLES for table in mapper.tables):
            return True
    return False


def _after_flush(session: Session, _context) -> None:
    # A change to an item's co-handling units flushes as a change to the item.
    if _touches_watched((*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


def _do_orm_execute(state) -> None:
    # Bulk UPDATE, DELETE and INSERT statements pass no object through the flush.
    statement = state.statement
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(statement, "table", None)
        if table is None or getattr(table, "name", None) in WATCHED_TABLES:
            state.session.info[_CHANGED] = True
    elif isinstance(statement, sa.TextClause) and _WRITES.match(statement.text):
        state.session.info[_CHANGED] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context():
        figures_cache().invalidate()


def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)


sa.event.listen(Session, "after_flush", _after_flush)
sa.event.listen(Session, "do_orm_execute", _do_orm_execute)
sa.event.listen(Session, "after_commit", _after_commit)
sa.event.listen(Session, "after_rollback", _after_rollback)
