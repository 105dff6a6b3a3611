"""Accounts: creating them, signing in, and changing passwords."""

from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from talentday.auth.models import Role, User, new_session_token
from talentday.database import utcnow
from talentday.errors_domain import DomainError
from talentday.extensions import db
from talentday.units.models import ResponsibleUnit

MIN_PASSWORD_LENGTH = 10


@cache
def _dummy_hash(method: str) -> str:
    """Checked when no account matches, so that a wrong email costs the same time as a
    wrong password and the response time reveals nothing."""
    return generate_password_hash("talentday-no-such-account", method=method)


class AccountError(DomainError):
    """A change to an account that the rules refuse; the message is shown to the user."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active account with this email and password, or None: never says which was wrong."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_sign_in_at = utcnow()
    return user


def check_new_password(password: str, *, email: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _l("Enter a password of at least %(count)d characters", count=MIN_PASSWORD_LENGTH),
            field="password",
        )
    if email and password.strip().lower() == normalize_email(email):
        raise AccountError(_l("Choose a password that is not your email address"), "password")


def _check_role_and_unit(role: Role, unit: ResponsibleUnit | None) -> None:
    if role is Role.DEPARTMENT_STAFF and unit is None:
        raise AccountError(_l("Choose the unit this staff member works for"), field="unit_id")
    if role is Role.DEPARTMENT_STAFF and unit is not None and not unit.active:
        raise AccountError(_l("Choose a unit that is active"), field="unit_id")


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    unit: ResponsibleUnit | None = None,
    locale: str | None = None,
) -> User:
    """Create an account. Emails are unique whatever their capitals; staff need a unit."""
    email = normalize_email(email)
    if find_user_by_email(email) is not None:
        raise AccountError(_l("An account with this email address already exists"), "email")
    check_new_password(password, email=email)
    _check_role_and_unit(role, unit)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        unit=unit if role is Role.DEPARTMENT_STAFF else None,
        locale=locale,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(
    user: User,
    *,
    by: User,
    email: str,
    name: str,
    role: Role,
    unit: ResponsibleUnit | None,
    active: bool,
    new_password: str = "",
) -> None:
    """Change an account. An admin can neither demote nor deactivate their own account."""
    email = normalize_email(email)
    other = find_user_by_email(email)
    if other is not None and other.id != user.id:
        raise AccountError(_l("An account with this email address already exists"), "email")
    if user.id == by.id and role is not user.role:
        raise AccountError(_l("You cannot change your own role"), field="role")
    if user.id == by.id and not active:
        raise AccountError(_l("You cannot deactivate your own account"), field="active")
    _check_role_and_unit(role, unit)
    if new_password:
        check_new_password(new_password, email=email)
        user.set_password(new_password)
    user.email = email
    user.name = name.strip()
    user.role = role
    user.unit = unit if role is Role.DEPARTMENT_STAFF else None
    if user.active != active:
        user.session_token = new_session_token()  # a deactivated account is signed out now
    user.active = active


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Change one's own password after proving the current one; other sessions end."""
    if not user.check_password(current_password):
        raise AccountError(_l("Enter your current password correctly"), "current_password")
    try:
        check_new_password(new_password, email=user.email)
    except AccountError as error:
        error.field = "new_password"
        raise
    user.set_password(new_password)
