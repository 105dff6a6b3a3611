import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from talentday.database import UTCDateTime, enum_column, utcnow
from talentday.extensions import db
from talentday.units.models import ResponsibleUnit


class Role(enum.Enum):
    ADMIN = "admin"
    ORGANIZER = "organizer"
    DEPARTMENT_STAFF = "department_staff"
    LEADER = "leader"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.ORGANIZER: _l("Organizer"),
    Role.DEPARTMENT_STAFF: _l("Department staff"),
    Role.LEADER: _l("Leader"),
}


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    """An account: organizers, department staff, leaders and admins. Speakers have none."""

    __tablename__ = "user_account"
    __table_args__ = (
        # Department staff act for exactly one unit; other roles belong to none.
        sa.CheckConstraint(
            "(role = 'department_staff') = (unit_id IS NOT NULL)", name="staff_have_unit"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), index=True)
    unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("responsible_unit.id", ondelete="RESTRICT"), index=True
    )
    # The language the person reads, for what is sent while they are away (emails, digests):
    # the browser's at their last sign-in, or the one they chose with the language switcher.
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    # Chosen with the switcher: then it rules the pages too, whatever the browser asks.
    locale_chosen: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Part of the id kept in the session cookie: changing it signs the user out everywhere.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[ResponsibleUnit | None] = relationship(lazy="joined")

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    # The signed-in session this object was loaded for; set by start_session() and the loader.
    signed_in_session = None

    def get_id(self) -> str:
        # The cookie names one server-side session, so that signing out can end it for good;
        # the account's token still ends every session at once when it changes.
        if self.signed_in_session is None:
            raise RuntimeError("sign in through auth.services.start_session()")
        return f"{self.id}:{self.session_token}:{self.signed_in_session.id}"

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_organizer(self) -> bool:
        return self.role is Role.ORGANIZER

    @property
    def is_leader(self) -> bool:
        return self.role is Role.LEADER

    @property
    def is_department_staff(self) -> bool:
        return self.role is Role.DEPARTMENT_STAFF

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r} {self.role.value}>"


class UserSession(db.Model):
    """One signed-in browser: named in the session and remember-me cookies, ended on sign-out,
    and refused by the loader once idle or old (see auth.services.live_session)."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True, default=new_session_id)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remember: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
