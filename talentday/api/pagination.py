"""Cursor pagination: a stable order, a cursor that says where the last page ended, a cap.

A cursor is the sort key of the last row sent, encoded; the next page is the rows after it
(`WHERE (key) > (last)`), so rows added or changed meanwhile never shift a page, and page
1,000 costs what page 1 costs (an OFFSET would read and skip every row before it)."""

import base64
import binascii
import json
from datetime import datetime
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from flask_smorest import abort
from marshmallow import Schema, ValidationError, fields, validate

from talentday.api import problems
from talentday.extensions import db
from talentday.forms import EARLIEST_YEAR, ID_MAX, LATEST_YEAR, plausible_date

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


def id_parameter(description: str) -> fields.Integer:
    """A query parameter naming a row: a number an id column can hold."""
    return fields.Integer(
        strict=False, validate=validate.Range(min=1, max=ID_MAX),
        metadata={"description": description},
    )  # fmt: skip


def date_parameter(description: str) -> fields.Date:
    """A query parameter that is a day, in the years the domain can mean."""
    return fields.Date(validate=_plausible, metadata={"description": description})


def _plausible(day) -> bool:
    if not plausible_date(day):
        raise ValidationError(
            _(
                "Enter a date between the years %(first)d and %(last)d",
                first=EARLIEST_YEAR,
                last=LATEST_YEAR,
            )
        )
    return True


class PageQuery(Schema):
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Rows per page, 1 to {MAX_LIMIT}."},
    )
    cursor = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "`next_cursor` of the page before; leave out for the first."},
    )


def page_schema(row_schema, name: str) -> type[Schema]:
    return type(
        name,
        (Schema,),
        {
            "data": fields.List(fields.Nested(row_schema), required=True),
            "next_cursor": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "Pass as `cursor` for the next page; null on the last."},
            ),
        },
    )


def encode(values: list) -> str:
    text = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str, kinds: tuple) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError
        decoded = []
        for kind, value in zip(kinds, values, strict=True):
            if kind is datetime:
                moment = datetime.fromisoformat(value)
                # The API writes times with their zone, in the years a record can have.
                if moment.tzinfo is None or not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
                    raise ValueError
                decoded.append(moment)
            elif kind is int and isinstance(value, int) and not isinstance(value, bool):
                if not -(2**31) <= value < 2**31:
                    raise ValueError
                decoded.append(value)
            else:
                raise ValueError
        return decoded
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        abort(
            400,
            kind=problems.INVALID,
            detail=_("The cursor is not one this API gave: start again without it."),
            errors=[{"field": "cursor", "message": _("Unknown cursor")}],
        )


def _kind(column) -> type:
    column_type = column.type
    if isinstance(column_type, sa.types.TypeDecorator):
        column_type = column_type.impl
    return datetime if isinstance(column_type, sa.DateTime) else int


def keyset_page(statement, keys: list, *, descending: bool, args: dict, key_of) -> dict:
    """One page of `statement` ordered by `keys`; `key_of(row)` gives a row's key values."""
    limit = args["limit"]
    kinds = tuple(_kind(key) for key in keys)
    if args.get("cursor"):
        last = decode(args["cursor"], kinds)
        row_key = sa.tuple_(*keys)
        # Bound with each column's own type, so that a time is stored-form on every database.
        after = sa.tuple_(
            *(sa.literal(value, key.type) for key, value in zip(keys, last, strict=True))
        )
        statement = statement.where(row_key < after if descending else row_key > after)
    order = [key.desc() if descending else key.asc() for key in keys]
    rows = list(db.session.scalars(statement.order_by(*order).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode(key_of(rows[-1])) if more and rows else None
    return {"rows": rows, "next_cursor": next_cursor}


def next_link(next_cursor: str | None) -> dict:
    """The RFC 8288 Link header to the next page, for clients that follow links."""
    if next_cursor is None:
        return {}
    args = {**request.args.to_dict(), "cursor": next_cursor}
    return {"Link": f'<{request.path}?{urlencode(args)}>; rel="next"'}
