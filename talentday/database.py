"""Column types and connection settings shared by every feature's models."""

import enum
import sqlite3
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """A timezone-aware UTC timestamp on every database.

    PostgreSQL keeps the zone itself; SQLite has no zone type, so values are stored as naive
    UTC and made aware again on the way out. Naive values are refused so that a local time
    can never be mistaken for UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_class: type[enum.Enum], name: str) -> sa.Enum:
    """Store an enum by its value in a VARCHAR guarded by a CHECK constraint.

    Values rather than names keep the stored text stable if a member is renamed in code;
    a CHECK rather than a native ENUM type keeps migrations alike on SQLite and PostgreSQL.
    """
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Foreign keys on, WAL for readers beside a writer, and a wait instead of 'locked'."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    from flask import current_app, has_app_context

    timeout = 5000
    if has_app_context():
        timeout = int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", timeout))
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={timeout:d}")
    cursor.close()


def claim(model, *, where, order_by, mark, limit: int, now: datetime) -> list[int]:
    """Mark up to `limit` rows of `model` that `where` selects as taken by this sender (their
    `mark` column set to `now`), commit, and return their ids: two senders running at once
    (two servers' cron, a worker sending after a request) never take the same row.

    PostgreSQL: the rows are chosen `FOR UPDATE SKIP LOCKED`, so another sender claiming at
    the same moment takes the next ones instead of waiting. SQLite has one writer: the claim
    is the first statement of its transaction, so it takes the write lock before reading, and
    a second sender's claim waits (milliseconds) and then sees the first one's marks."""
    from talentday.extensions import db

    db.session.commit()
    chosen = (
        sa.select(model.id)
        .where(where)
        .order_by(*order_by)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    table = model.__table__
    ids = db.session.scalars(
        table.update()
        .where(table.c.id.in_(chosen.scalar_subquery()))
        .values({mark.key: now})
        .returning(table.c.id)
    ).all()
    db.session.commit()
    return list(ids)
