"""Date arithmetic in the city's time zone that SQLite and PostgreSQL spell differently."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class _CityFunction(FunctionElement):
    inherit_cache = True

    def __init__(self, *clauses, zone: str):
        ZoneInfo(zone)  # an unknown zone fails here, not in the database
        if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", zone):
            raise ValueError(f"unexpected time zone name {zone!r}")
        super().__init__(*clauses)
        self.zone = zone


class city_date(_CityFunction):
    """The calendar date of a UTC timestamp in the city."""

    type = sa.Date()
    name = "city_date"
    # The zone is not part of SQLAlchemy's cache key: compile afresh rather than reuse SQL
    # compiled for another zone.
    inherit_cache = False


class city_month(_CityFunction):
    """'YYYY-MM' of a UTC timestamp in the city."""

    type = sa.String()
    name = "city_month"
    inherit_cache = False


class days_between(FunctionElement):
    """Days (fractional) from the first timestamp to the second."""

    type = sa.Float()
    name = "days_between"
    inherit_cache = True


def _offset_minutes(zone: str) -> int:
    # SQLite knows no time zones: use the zone's current offset (China keeps no summer time).
    return int(datetime.now(ZoneInfo(zone)).utcoffset().total_seconds() // 60)


def _one(compiler, element, **kw) -> str:
    (clause,) = element.clauses
    return compiler.process(clause, **kw)


@compiles(city_date, "sqlite")
def _city_date_sqlite(element, compiler, **kw):
    return f"date({_one(compiler, element, **kw)}, '{_offset_minutes(element.zone):+d} minutes')"


@compiles(city_date, "postgresql")
def _city_date_postgresql(element, compiler, **kw):
    return f"CAST(({_one(compiler, element, **kw)} AT TIME ZONE '{element.zone}') AS DATE)"


@compiles(city_month, "sqlite")
def _city_month_sqlite(element, compiler, **kw):
    offset = _offset_minutes(element.zone)
    return f"strftime('%Y-%m', {_one(compiler, element, **kw)}, '{offset:+d} minutes')"


@compiles(city_month, "postgresql")
def _city_month_postgresql(element, compiler, **kw):
    return f"to_char(({_one(compiler, element, **kw)} AT TIME ZONE '{element.zone}'), 'YYYY-MM')"


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_postgresql(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"
