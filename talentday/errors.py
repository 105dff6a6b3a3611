"""Error pages that say what happened in plain words and reveal nothing internal."""

from flask import Flask, current_app, has_request_context, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

from talentday.api import problems
from talentday.extensions import db

PAGES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    413: "errors/413.html",
    429: "errors/429.html",
}


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, SecurityError):
            # A request for a host this site does not serve: no page of ours, whose links
            # would need that host, only the plain refusal.
            return error
        if has_request_context() and problems.is_api_request():
            return problems.from_http_exception(error)
        template = PAGES.get(error.code)
        if template is None:
            return error
        # The limit of this request: the forms with files take more than the others.
        limit = (
            request.max_content_length
            if has_request_context()
            else current_app.config.get("MAX_CONTENT_LENGTH")
        ) or 0
        limit_mb = f"{limit / (1024 * 1024):g}"
        return render_template(template, error=error, limit_mb=limit_mb), error.code

    @app.errorhandler(500)
    def server_error(error):
        # The failed request may have left the session mid-transaction.
        db.session.rollback()
        if has_request_context() and problems.is_api_request():
            return problems.problem_response(500, detail=problems.server_error_detail())
        return render_template("errors/500.html"), 500
