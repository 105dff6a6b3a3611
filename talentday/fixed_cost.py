"""What every request pays for, paid only where it is needed (issue 14).

The health check and static files need no account, no rate limit and no session: a load
balancer polls the one, a browser fetches the others by the dozen. A visitor without a
session cookie needs no signing machinery to be told they have an empty session. Everything
else still gets all of it, in the order create_app() sets up.
"""

from functools import partial, wraps

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

from talentday.extensions import limiter

# Endpoints that answer the same to everyone and read no session, account or language.
BARE_ENDPOINTS = frozenset({"main.healthz", "static", "bootstrap.static"})


def is_bare_request() -> bool:
    return request.endpoint in BARE_ENDPOINTS


class SessionFromCookieOnly(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that a request without the cookie gets its
    empty session straight away: Flask would first build the cookie's signing serializer
    (a key derivation) on every request, cookie or not."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        # Flask's own answer for an empty session nobody changed (no cookie to set or
        # delete), without first working out the cookie's domain, path and flags.
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SessionFromCookieOnly()


def _limiter_hook(hook) -> bool:
    if getattr(hook, "__self__", None) is limiter:  # the check, a bound method
        return hook.__name__ == "_check_request_limit"
    # The headers, a partial of the class's private method bound to our limiter.
    return (
        isinstance(hook, partial)
        and hook.args[:1] == (limiter,)
        and hook.func.__name__.endswith("__inject_headers")
    )


def skip_limits_of_bare_requests(app: Flask) -> None:
    """Flask-Limiter works out every request's limits and headers, and the health check and
    static files have none: its two hooks (registered by limiter.init_app, just before this)
    are skipped for them, and only for them."""
    if not limiter.enabled:
        return  # RATELIMIT_ENABLED = False: Flask-Limiter registered no hooks to skip.
    wrapped = 0
    for hooks in (app.before_request_funcs.get(None, []), app.after_request_funcs.get(None, [])):
        for index, hook in enumerate(hooks):
            if _limiter_hook(hook):
                hooks[index] = _unless_bare(hook)
                wrapped += 1
    if wrapped != 2:
        raise RuntimeError("Flask-Limiter's hooks were not found: call after limiter.init_app")


def _unless_bare(hook):
    @wraps(hook)
    def run(*args):
        if is_bare_request():
            return args[0] if args else None  # an after-request hook returns the response
        return hook(*args)

    return run
