"""Personal API tokens: created, named and revoked by their owner; revoked by any admin."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from talentday.api.models import SHOWN_CHARACTERS, TOKEN_PREFIX, ApiToken, hash_token, new_token
from talentday.audit import services as audit
from talentday.auth.models import User
from talentday.database import utcnow
from talentday.errors_domain import DomainError
from talentday.extensions import db

# Enough for every program a person connects; a leaked session cannot mint thousands.
MAX_LIVE_TOKENS = 20
# The last-used time is written at most this often: a busy program does not turn every
# read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenRefused(DomainError):
    pass


def live_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            db.select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def tokens_of(user: User) -> list[ApiToken]:
    """Live tokens first, then the revoked ones, newest first within each."""
    return list(
        db.session.scalars(
            db.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(
                ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()
            )
        )
    )


def create(user: User, *, name: str, can_write: bool, remote_addr: str = "") -> str:
    """Make a token and return its secret, which is never stored and never shown again."""
    if len(live_tokens(user)) >= MAX_LIVE_TOKENS:
        raise TokenRefused(
            _l(
                "You have %(count)d tokens: revoke one you no longer use first.",
                count=MAX_LIVE_TOKENS,
            ),
            field="name",
        )
    secret = new_token()
    token = ApiToken(
        user=user,
        name=name,
        token_hash=hash_token(secret),
        shown=secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + SHOWN_CHARACTERS],
        can_write=can_write,
    )
    db.session.add(token)
    audit.record(
        "api_token_created", actor=user, target=token, remote_addr=remote_addr, token=name,
        can_write=can_write,
    )  # fmt: skip
    return secret


def revoke(token: ApiToken, *, by: User, remote_addr: str = "") -> None:
    """Takes effect on the token's next request: every request looks the token up."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    token.revoked_by = by
    audit.record(
        "api_token_revoked", actor=by, target=token, remote_addr=remote_addr, token=token.name,
        account=token.user.email,
    )  # fmt: skip


def authenticate(secret: str) -> ApiToken | None:
    """The live token with this secret, its last use noted; None for any other string."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or not token.is_live:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        # Its own small transaction: a request that fails later still counts as a use.
        db.session.execute(
            db.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
        )
        db.session.commit()
    return token
