"""The one way a view hands over a file with personal data, or an API client a speaker's
contact details: audited first."""

from flask import Response, g, request
from flask_login import current_user

from talentday.audit.services import record, record_download
from talentday.extensions import db


def audited_download(response: Response, export: str, *, rows: int, fmt: str, target=None):
    """Record who downloads this file (see audit.services.record_download), then send it."""
    record_download(
        export,
        actor=current_user._get_current_object(),
        rows=rows,
        fmt=fmt,
        target=target,
        remote_addr=request.remote_addr or "",
        query=request.query_string.decode("utf-8", "replace"),
    )
    db.session.commit()
    return response


def audited_api_read(export: str, *, rows: int, target=None) -> None:
    """A client of the API was handed speakers' contact details: recorded as a download is,
    with the token's name. A client can pull every item one by one, so each answer that
    carries a phone number or email counts; one that carries none leaves no entry."""
    if rows == 0:
        return
    token = g.get("api_token")
    record(
        "api_personal_data_read",
        actor=current_user._get_current_object(),
        target=target,
        remote_addr=request.remote_addr or "",
        export=export,
        rows=rows,
        query=request.query_string.decode("utf-8", "replace")[:500],
        token=token.name if token is not None else "",
    )
    db.session.commit()
