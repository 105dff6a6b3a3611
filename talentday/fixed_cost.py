"""What every request pays for, paid only where it is needed (issue 14).

The health check and static files need no account, no rate limit and no session: a load
balancer polls the one, a browser fetches the others by the dozen. A visitor without a
session cookie needs no signing machinery to be told they have an empty session. Everything
else still gets all of it, in the order create_app() sets up.
"""

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

from talentday.extensions import limiter

# Endpoints that answer the same to everyone and read no session, account or language.
BARE_ENDPOINTS = frozenset({"main.healthz", "static", "bootstrap.static"})


def is_bare_request() -> bool:
    return request.endpoint in BARE_ENDPOINTS


# Registered once, on the one limiter object every application shares.
limiter.request_filter(is_bare_request)


class SessionFromCookieOnly(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that a request without the cookie gets its
    empty session straight away: Flask would first build the cookie's signing serializer
    (a key derivation) on every request, cookie or not."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = SessionFromCookieOnly()
