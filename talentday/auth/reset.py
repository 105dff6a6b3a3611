"""Forgotten passwords: a time-limited, single-use reset link, with no table of its own.

The link's token is signed by itsdangerous (URLSafeTimedSerializer, a salt of its own, so no
other signed value of the application can stand for one) and carries the account's id and a
fingerprint: an HMAC, under a key derived from SECRET_KEY, of the account's password hash,
whether it is active, its email address and its session token. The token is checked against
the account as it is now, so it dies when:

- it is older than PASSWORD_RESET_MINUTES (the signature's timestamp);
- it has been used (a new password is a new hash, whatever password was chosen);
- the password changed any other way, the account was disabled (even if enabled again: that
  rotates the session token, as every "sign out everywhere" does), or its address changed
  (the link went to the old one).

As with a speaker's private link (docs/decisions.md), the outbox keeps a marker where the link
goes and `outbox.services.text_to_send` makes the token when the message is sent: organizers
reading the outbox, a database dump or a backup hold no working reset link. The token is in
an address once, `/reset-password/<token>`, which puts it on the visitor's session and sends
them on to `/reset-password/`: the access log has it once, the form and its post never.
"""

import hashlib
import hmac
from datetime import timedelta

from flask import current_app, has_request_context
from flask_babel import get_locale
from itsdangerous import BadData, URLSafeTimedSerializer

from talentday.audit.services import record
from talentday.auth.models import User
from talentday.auth.services import find_user_by_email, replace_password
from talentday.database import utcnow
from talentday.extensions import db
from talentday.navigation import public_url
from talentday.outbox.models import MessageStatus, OutboxMessage
from talentday.outbox.services import MessageCannotBeSent, queue_message

SALT = "talentday password reset"
# The kind of the outbox message that carries a reset link.
MESSAGE_KIND = "password_reset"
# Longer than any token this module makes; a longer value is not even looked at.
MAX_TOKEN_LENGTH = 300


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    """Changes whenever the password, the active state or the address does, and whenever
    the account is signed out everywhere (its session token: a deactivation, even one undone
    at once, a password set by an administrator). Keyed, so that the token (readable by
    whoever holds the link) tells nothing about the password hash."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode("utf-8")
    key = hmac.new(secret, b"talentday password reset fingerprint", hashlib.sha256).digest()
    state = "\x1f".join(
        (user.password_hash, str(int(bool(user.active))), user.email, user.session_token)
    )
    return hmac.new(key, state.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def valid_for() -> timedelta:
    return timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"])


def make_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "state": _fingerprint(user)})


def reset_link(user: User) -> str:
    return public_url("auth.open_reset_link", token=make_token(user))


def user_for_token(token: str | None) -> User | None:
    """The active account whose password this token may reset now, or None: forged, too
    old, already used, or the account changed since (see the module's docstring)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        data = _serializer().loads(token, max_age=valid_for().total_seconds())
    except BadData:
        return None
    if not isinstance(data, dict):
        return None
    user_id, state = data.get("user"), data.get("state")
    if type(user_id) is not int or not isinstance(state, str) or not 0 < user_id < 2**31:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or not hmac.compare_digest(_fingerprint(user), state):
        return None
    return user


def _asked_recently(user: User) -> bool:
    """A reset message to this address was queued minutes ago (LINK_RESEND_MINUTES): a
    double click or a script posting the form again queues nothing more."""
    since = utcnow() - timedelta(minutes=current_app.config["LINK_RESEND_MINUTES"])
    return (
        db.session.scalar(
            db.select(OutboxMessage.id)
            .where(
                OutboxMessage.kind == MESSAGE_KIND,
                OutboxMessage.to_email == user.email,
                OutboxMessage.created_at >= since,
                OutboxMessage.status != MessageStatus.DISCARDED,
            )
            .limit(1)
        )
        is not None
    )


def _lock(user: User) -> None:
    """Requests for one account take turns until the transaction ends (PostgreSQL: the row's
    lock; SQLite: the database write lock), so five posts at once queue one message."""
    table = User.__table__
    db.session.execute(table.update().where(table.c.id == user.id).values(id=table.c.id))


def request_reset(email: str, *, remote_addr: str = "") -> None:
    """Someone typed an address on "Forgot your password?". An active account with that
    address gets a message with a reset link, unless it got one minutes ago; a disabled one
    gets nothing. The caller answers the same in every case and learns nothing here.

    The request is audited against the account when there is one (whether a message was
    queued, and if not why); an address that is no account is not recorded anywhere."""
    user = find_user_by_email(email)
    if user is None:
        return
    _lock(user)
    if not user.active:
        outcome = "account disabled"
    elif _asked_recently(user):
        outcome = "sent minutes ago"
    else:
        page_locale = str(get_locale()) if has_request_context() else None
        queue_message(
            kind=MESSAGE_KIND,
            to_email=user.email,
            to_name=user.name,
            # The language the person reads; failing that, the one of the page they asked on.
            locale=user.locale or page_locale,
            template="password_reset",
            reset_link_for=user,
            recipient=user,
            minutes=current_app.config["PASSWORD_RESET_MINUTES"],
        )
        outcome = "queued"
    record(
        "password_reset_requested",
        actor=None,
        target=user,
        remote_addr=remote_addr,
        outcome=outcome,
    )


def link_for_message(message: OutboxMessage) -> str:
    """The reset link of a message being sent, made now for the account at its address.

    Raises MessageCannotBeSent (the sender marks the message failed, not to be retried,
    with the reason) when no link should go: the address is no longer an active account's,
    or the message waited in the outbox longer than a link lives (the person has asked
    again or given up)."""
    user = find_user_by_email(message.to_email)
    if user is None or not user.active:
        raise MessageCannotBeSent("the address is no longer that of an active account")
    if message.created_at is not None and utcnow() - message.created_at > valid_for():
        raise MessageCannotBeSent("asked for longer ago than a reset link lives")
    return reset_link(user)


def reset_password(user: User, *, new_password: str, remote_addr: str = "") -> None:
    """Set the password chosen through a reset link, under the rules of every new password.
    The token dies with the old hash; every session of the account ends. Audited."""
    replace_password(user, new_password)
    record("password_reset", actor=user, target=user, remote_addr=remote_addr)
