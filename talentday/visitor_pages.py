"""Public pages kept a few seconds for visitors who are not signed in (issue 14).

A salon's public page is read by hundreds of visitors for every change to it, and most of
its cost is Python: the event, the programme and the template, the same for every visitor
who reads it in the same language. A visit without a session or remember-me cookie and
without a query string is served from `talentday.caching` for
`VISITOR_PAGE_CACHE_SECONDS` (30 by default, 0 turns it off), keyed by path and language,
and dropped when this process commits a change to the tables the page reads. Another
server's change shows within those seconds.

Every page carries a CSRF token (the language switcher is a form), and a token belongs to
one visitor's session: the kept page holds a placeholder where the token was, and each
visitor gets their own token put in its place, as if the page had been rendered for them.
Anything else, a signed-in user, a visitor with a session (who may have a message waiting),
a page with a query string, an error, is rendered as usual.
"""

import secrets
from functools import wraps

from flask import Response, current_app, g, request, url_for
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from talentday.caching import short_cache

DEFAULT_SECONDS = 30
# What an event's public page shows: the event, its quotas, its approved speakers.
WATCHED_TABLES = frozenset({"event", "team_quota", "registration", "speaker"})
# Random per process, so that no text a user typed can be mistaken for it.
_PLACEHOLDER = f"csrf-placeholder-{secrets.token_hex(16)}"


def is_plain_visit() -> bool:
    """A GET with nothing that could make the page differ from one visitor to the next, at
    the page's own address (not /events/01 for /events/1: one entry per page)."""
    if request.method not in ("GET", "HEAD") or request.query_string:
        return False
    if request.script_root + request.path != url_for(request.endpoint, **request.view_args):
        return False
    config = current_app.config
    cookies = request.cookies
    return not (
        cookies.get(config["SESSION_COOKIE_NAME"])
        or cookies.get(config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    )


def cached_for_visitors(view):
    """Serve the view's page from the visitor page cache when the request is a plain visit."""

    @wraps(view)
    def serve(**kwargs):
        seconds = current_app.config.get("VISITOR_PAGE_CACHE_SECONDS", DEFAULT_SECONDS)
        if seconds <= 0 or not is_plain_visit():
            return view(**kwargs)
        rendered: list[Response] = []

        def render() -> tuple[str, str] | None:
            response = current_app.make_response(view(**kwargs))
            rendered.append(response)
            if response.status_code != 200 or response.direct_passthrough:
                return None
            token = g.get(current_app.config["WTF_CSRF_FIELD_NAME"])
            body = response.get_data(as_text=True)
            return (body.replace(token, _PLACEHOLDER) if token else body), response.mimetype

        cache = short_cache("visitor_pages", WATCHED_TABLES)
        # The script root is part of every link on the page: a request that claims another
        # (a forged SCRIPT_NAME) must not shape the page everyone else gets.
        key = (request.script_root, request.path, str(get_locale()))
        page, _kept_at = cache.get(key, render, seconds)
        if rendered:  # rendered for this request: sent as it is
            return rendered[0]
        if page is None:  # never kept: an answer other than a page
            return view(**kwargs)
        body, mimetype = page
        if _PLACEHOLDER in body:
            body = body.replace(_PLACEHOLDER, generate_csrf())
        return Response(body, mimetype=mimetype)

    return serve
