"""Who is calling the API: a personal token, a speaker's private-link secret, or nobody.

The API never reads the session cookie. A browser that is signed in to the pages is anonymous
here, so a page on another site cannot make a signed-in browser call the API for it (the API
takes no CSRF token); only the Authorization header counts, and only as a bearer token."""

import math
import time
from functools import wraps

from flask import Flask, current_app, g, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from flask_smorest import abort
from limits import parse_many

from talentday.api import problems, tokens
from talentday.api.models import TOKEN_PREFIX
from talentday.auth.models import Role, User
from talentday.extensions import limiter
from talentday.registrations import services as registrations

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="TalentDay"'}


def identify() -> None:
    """Before every other hook of an API request: Flask-Login's current user is the token's
    account (or anonymous), so that the services and the rate limits see who acts. A refusal
    waits for `limit_requests`, so that refused requests are counted too."""
    if not problems.is_api_request():
        return
    g._login_user = AnonymousUserMixin()
    g.api_token = None
    g.api_registration = None
    g.api_refusal = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        g.api_refusal = _unauthorized
        return
    if secret.startswith(TOKEN_PREFIX):
        token = tokens.authenticate(secret)
        if token is None:
            g.api_refusal = _unknown_secret
            return
        g.api_token = token
        g._login_user = token.user
        if request.method not in READ_METHODS and not token.can_write:
            g.api_refusal = _read_only
        return
    registration = registrations.find_by_token(secret)
    if registration is None:
        g.api_refusal = _unknown_secret
        return
    g.api_registration = registration


def limit_requests() -> None:
    """API_LIMITS for every API request, counted per token (per address without one), in the
    rate limits' shared storage, before the request is refused or served. Flask-Limiter's
    blueprint limits counted each request twice here, so the API counts its own, with the
    same storage and the same 429."""
    if not problems.is_api_request():
        return
    if limiter.enabled:
        _count(current_app.config["API_LIMITS"], "api", rate_limit_key())
    refusal = g.pop("api_refusal", None)
    if refusal is not None:
        refusal()


def _count(limits: str, scope: str, key: str) -> None:
    for item in parse_many(limits):
        if not limiter.limiter.hit(item, scope, key):
            reset, _remaining = limiter.limiter.get_window_stats(item, scope, key)
            abort(
                429,
                headers={"Retry-After": str(max(1, math.ceil(reset - time.time())))},
            )


def _unknown_secret():
    """A secret that is no token and no private link: a guess, or one revoked. Guesses are
    slowed down as on the private links' pages (PRIVATE_LINK_LIMITS per address)."""
    if limiter.enabled:
        key = f"address:{request.remote_addr or ''}"
        _count(current_app.config["PRIVATE_LINK_LIMITS"], "api-unknown-secret", key)
    _unauthorized()


def _read_only():
    abort(403, kind=problems.SCOPE, title="insufficient_scope", detail=_scope_message())


def _scope_message() -> str:

    return _("This token may only read: make a token with the write scope to change anything.")


def _unauthorized():

    abort(
        401,
        detail=_("The token is unknown, revoked, or its account is inactive."),
        headers=CHALLENGE,
    )


def current_account() -> User | None:
    token = g.get("api_token")
    return token.user if token is not None else None


def account_required(*roles: Role):
    """The view needs a personal token; with roles, one of an account with these roles."""

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            user = current_account()
            if user is None:
                abort(
                    401,
                    detail=_(
                        "Send a personal API token: %(header)s.",
                        header="Authorization: Bearer tdk_…",
                    ),
                    headers=CHALLENGE,
                )
            if roles and user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return checked

    return decorate


def speaker_required(view):
    """The view needs a speaker's private-link secret as the bearer token."""

    @wraps(view)
    def checked(*args, **kwargs):
        if g.get("api_registration") is None:
            abort(
                401,
                detail=_(
                    "Send the secret of your private link: %(header)s.",
                    header="Authorization: Bearer <secret>",
                ),
                headers=CHALLENGE,
            )
        return view(*args, **kwargs)

    return checked


def rate_limit_key() -> str:
    """Counted per token when there is one (a city office's system behind one address is
    many users), else per address."""
    token = g.get("api_token")
    if token is not None:
        return f"token:{token.id}"
    return f"address:{request.remote_addr or ''}"


def init_app(app: Flask) -> None:
    # First of all the before-request hooks: the session loader, the rate limits and the
    # language all ask who is there.
    app.before_request_funcs.setdefault(None, []).insert(0, identify)
    app.before_request_funcs[None].insert(1, limit_requests)
