"""Personal API tokens: what a program holds to act for one account."""

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talentday.auth.models import User
from talentday.database import UTCDateTime, utcnow
from talentday.extensions import db

# Every personal token starts with this, so that a leaked one is recognised for what it is
# (secret scanners look for such prefixes) and the API tells it from a speaker's link secret.
TOKEN_PREFIX = "tdk_"  # nosec B105 - a prefix that names what follows, not a secret
# The first characters after the prefix, kept in clear to name a token on its owner's page.
SHOWN_CHARACTERS = 6


def hash_token(token: str) -> str:
    """The token holds 256 random bits: a plain SHA-256 cannot be reversed or guessed, and a
    lookup by it costs one index read (a password hash would cost a key derivation)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(db.Model):
    """A personal API token: named by its owner, shown once, stored only as a hash. It acts
    with the owner's role and unit, for reading only or for reading and writing."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    shown: Mapped[str] = mapped_column(sa.String(16))
    can_write: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def scopes(self) -> list[str]:
        return ["read", "write"] if self.can_write else ["read"]

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.user.is_active
