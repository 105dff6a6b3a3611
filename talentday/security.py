"""Security headers on every response, error pages and downloads included; NUL refused.

A small after_request hook rather than flask-talisman (docs/decisions.md): the rules here are
ours (no-referrer on private links, no-store on everything but static files) and fit in a
screen; Talisman would add HTTPS redirects and cookie settings that overlap config.py.
"""

import logging
import re

from flask import Flask, Response, abort, current_app, request

# No inline script, handler or style attribute anywhere: everything comes from our own files.
# Bootstrap's CSS draws its icons (select arrow, navbar toggler) from data: SVG images.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)

# A speaker's private link and a password reset link carry their secret in the path.
PRIVATE_LINK_PREFIXES = ("/r/", "/reset-password/")
PRIVATE_LINK = re.compile(r"/r/[^/?#\s]+")
RESET_LINK = re.compile(r"/reset-password/[^/?#\s]+")


def without_private_links(text):
    """The text with each link's secret left out: for gunicorn's access log and for the
    application's own log, where a request that fails is logged with its path."""
    if not isinstance(text, str):
        return text
    text = PRIVATE_LINK.sub("/r/[private-link]", text)
    return RESET_LINK.sub("/reset-password/[reset-link]", text)


class PrivateLinkFilter(logging.Filter):
    """Flask logs a request that fails as "Exception on <path> [GET]": the path, not the
    secret, when it is a link's."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # arguments that do not fit: logging reports that itself
        if any(prefix in message for prefix in PRIVATE_LINK_PREFIXES):
            record.msg, record.args = without_private_links(message), None
        return True


def is_static_file() -> bool:
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    # For browsers that predate frame-ancestors.
    headers["X-Frame-Options"] = "DENY"
    if request.path.startswith(PRIVATE_LINK_PREFIXES):
        # Otherwise the token leaves in the Referer of every asset and link the page loads.
        headers["Referrer-Policy"] = "no-referrer"
    else:
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if not is_static_file():
        # Which pages hold personal data grows with every feature (a private link, the
        # confirmation showing the speaker's email, every signed-in page and export): only
        # static files, which hold none, may be kept by the browser or a proxy.
        headers["Cache-Control"] = "no-store"
    max_age = current_app.config["HSTS_MAX_AGE"]
    if max_age and (request.is_secure or current_app.config["HSTS_ALWAYS"]):
        headers["Strict-Transport-Security"] = f"max-age={max_age}; includeSubDomains"
    return response


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_nul_bytes() -> None:
    """No text here may hold a NUL: PostgreSQL refuses to store or even compare one (a 500
    from any search box or form), and no person types it. One 400 for the whole request,
    before any view or database sees it; uploaded files are not text and not looked at."""
    if "\x00" in request.path:
        abort(400)
    texts = []
    if request.query_string:
        texts.append(request.args)
    # The only bodies Werkzeug parses into request.form; other requests have nothing there.
    if request.mimetype in FORM_TYPES:
        texts.append(request.form)
    for values in texts:
        for key, items in values.lists():
            if "\x00" in key or any("\x00" in value for value in items):
                abort(400)


def init_app(app: Flask) -> None:
    app.logger.addFilter(PrivateLinkFilter())
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
