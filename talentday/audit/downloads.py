"""The one way a view hands over a file with personal data: audited first."""

from flask import Response, request
from flask_login import current_user

from talentday.audit.services import record_download
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
