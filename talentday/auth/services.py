"""Accounts: creating them, signing in, and changing passwords."""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from talentday.audit.services import record
from talentday.auth.models import Role, User, UserSession, new_session_token
from talentday.database import utcnow
from talentday.errors_domain import DomainError
from talentday.extensions import db
from talentday.units.models import ResponsibleUnit

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
# Long enough for any passphrase; the bound keeps hashing and the guess estimate cheap.
MAX_PASSWORD_LENGTH = 128
# zxcvbn's estimate of the guesses an attacker needs (log10). Below 10^6 a password falls to
# an online attack even with throttling: this refuses every entry of its common-password
# lists and their obvious variants (capitals, l33t, years, keyboard runs). A password made of
# the person's name or email, the service or the city is the first thing a targeted attacker
# tries, so it must clear 10^10 instead.
COMMON_BELOW_LOG10 = 6
CONTEXT_BELOW_LOG10 = 10
# zxcvbn's matching is quadratic in the length: score the start of very long passphrases.
ESTIMATE_MAX_LENGTH = 72


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


def _context_words(email: str, name: str) -> list[str]:
    words = [*current_app.config["PASSWORD_CONTEXT_WORDS"]]
    if email:
        email = normalize_email(email)
        local, _sep, domain = email.partition("@")
        words += [email, local, *re.split(r"[._+-]", local), domain.split(".")[0]]
    if name:
        words += [name, name.replace(" ", ""), *name.split()]
    return [word for word in words if len(word) >= 3]


def record_failed_sign_in(email: str, *, remote_addr: str) -> None:
    """Put a failed sign-in on the application log and the audit trail: when, which account
    was tried and from where; never the password."""
    account = normalize_email(email)[:254]
    # %r escapes line breaks, so a typed "email" cannot forge extra log lines.
    logger.warning(
        "Failed sign-in at %s for account %r from %s", utcnow().isoformat(), account, remote_addr
    )
    record(
        "sign_in_failed",
        actor=None,
        target=find_user_by_email(account),
        remote_addr=remote_addr,
        account=account,
    )


def check_new_password(password: str, *, email: str = "", name: str = "") -> None:
    """A new password has 10 to 128 characters of any kind (no composition rules), is not
    a common password or a variant of one, and is not built from the person's name or email,
    the service or the city (OWASP ASVS 6.2, NIST SP 800-63B 3.1.1.2)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _l("Enter a password of at least %(count)d characters", count=MIN_PASSWORD_LENGTH),
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(
            _l("Enter a password of at most %(count)d characters", count=MAX_PASSWORD_LENGTH),
            field="password",
        )
    estimate = zxcvbn(
        password[:ESTIMATE_MAX_LENGTH],
        user_inputs=_context_words(email, name),
        max_length=ESTIMATE_MAX_LENGTH,
    )
    guesses = estimate["guesses_log10"]
    from_context = any(
        match.get("dictionary_name") == "user_inputs" for match in estimate["sequence"]
    )
    if from_context and guesses < CONTEXT_BELOW_LOG10:
        raise AccountError(
            _l(
                "Choose a password without your name, your email address, or the name of "
                "this service or the city: a phrase of several unrelated words is best"
            ),
            field="password",
        )
    if guesses < COMMON_BELOW_LOG10:
        raise AccountError(
            _l(
                "This password is too easy to guess: it is common or close to a common one. "
                "Choose a phrase of several unrelated words"
            ),
            field="password",
        )


# A page view refreshes last_seen_at only when it is older than this: not a write per click.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionLimits:
    """How long a signed-in session lives: `idle` without a request, `lifetime` in all;
    a remembered one ("keep me signed in") never idles out but ends after `remembered`."""

    idle: timedelta
    lifetime: timedelta
    remembered: timedelta

    @classmethod
    def from_config(cls, config) -> "SessionLimits":
        return cls(
            idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            lifetime=timedelta(hours=config["SESSION_LIFETIME_HOURS"]),
            remembered=config["REMEMBER_COOKIE_DURATION"],
        )


def start_session(user: User, *, remember: bool = False) -> UserSession:
    """Open a server-side session for one browser; its id goes into the cookies. The
    account's rows too old to be live any more are removed, so the table stays small."""
    kept = max(timedelta(days=30), current_app.config["REMEMBER_COOKIE_DURATION"])
    db.session.execute(
        db.delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.created_at < utcnow() - kept
        )
    )
    row = UserSession(user=user, remember=remember)
    db.session.add(row)
    db.session.flush()
    user.signed_in_session = row
    return row


def sign_in_user(user: User, *, remember: bool = False, remote_addr: str = "") -> UserSession:
    """An authenticated person signs in: a new session, and an entry in the audit log."""
    row = start_session(user, remember=remember)
    record("sign_in", actor=user, target=user, remote_addr=remote_addr)
    return row


def remember_language(user: User, *, chosen: str | None, reading: str) -> None:
    """At sign-in the account learns the language its owner reads, for the emails and
    digests sent while they are away: the one they chose on the switcher just before (which
    then rules every page too), else, unless they chose one earlier, the one this browser
    reads (asked for, or the city's default)."""
    if chosen:
        choose_language(user, chosen)
    elif not user.locale_chosen:
        user.locale = reading


def choose_language(user: User, locale: str) -> None:
    """The person chose a language on the switcher: it rules their pages and their mail."""
    user.locale = locale
    user.locale_chosen = True


def end_session(row: UserSession) -> None:
    """Sign one browser out for good: copies of its cookies stop working too."""
    if row.ended_at is None:
        row.ended_at = utcnow()


def end_all_sessions(user: User) -> None:
    """Sign the account out everywhere (new password, deactivation)."""
    now = utcnow()
    db.session.execute(
        db.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session="fetch")
    )
    user.session_token = new_session_token()


def session_expiry(row: UserSession, limits: SessionLimits, now: datetime) -> str | None:
    """Why this session may no longer be used ("ended", "idle", "old"), or None if it may."""
    if row.ended_at is not None:
        return "ended"
    if row.remember:
        return "old" if now - row.created_at > limits.remembered else None
    if now - row.created_at > limits.lifetime:
        return "old"
    if now - row.last_seen_at > limits.idle:
        return "idle"
    return None


def load_session(cookie_id: str, limits: SessionLimits) -> tuple[UserSession | None, str | None]:
    """The live session named by a cookie, with its account, and why not when it is not.

    The account must be active and its token unchanged. last_seen_at is refreshed when due
    (see LAST_SEEN_RESOLUTION); the caller commits.
    """
    user_id, _sep, rest = cookie_id.partition(":")
    token, _sep, session_id = rest.partition(":")
    if not user_id.isdigit() or not token or not session_id:
        return None, None
    row = db.session.get(UserSession, session_id)
    if (
        row is None
        or row.user_id != int(user_id)
        or row.user.session_token != token
        or not row.user.active
    ):
        return None, None
    now = utcnow()
    expiry = session_expiry(row, limits, now)
    if expiry is not None:
        end_session(row)
        return None, expiry
    if now - row.last_seen_at > LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
    row.user.signed_in_session = row
    return row, None


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
    active: bool = True,
    by: User | None = None,
) -> User:
    """Create an account, in the audit log under `by` (None: a command run on the server).
    Emails are unique whatever their capitals; staff need a unit."""
    email = normalize_email(email)
    if find_user_by_email(email) is not None:
        raise AccountError(_l("An account with this email address already exists"), "email")
    check_new_password(password, email=email, name=name)
    _check_role_and_unit(role, unit)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        unit=unit if role is Role.DEPARTMENT_STAFF else None,
        locale=locale,
    )
    user.set_password(password)
    user.active = active
    db.session.add(user)
    db.session.flush()
    record("user_created", actor=by, target=user, role=user.role.value)
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
    """Change an account, in the audit log under `by`. An admin can neither demote nor
    deactivate their own account."""
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
        check_new_password(new_password, email=email, name=name)
        user.set_password(new_password)
        end_all_sessions(user)
    user.email = email
    user.name = name.strip()
    user.role = role
    user.unit = unit if role is Role.DEPARTMENT_STAFF else None
    if user.active != active:
        end_all_sessions(user)  # a deactivated account is signed out now
    user.active = active
    record("user_updated", actor=by, target=user, role=user.role.value, active=user.active)


def replace_password(user: User, new_password: str) -> None:
    """The person sets a new password for their own account, knowing the current one (the
    change-password page) or holding a reset link: the rules of every new password, with
    the message at the new-password field, and every session of the account ends."""
    try:
        check_new_password(new_password, email=user.email, name=user.name)
    except AccountError as error:
        error.field = "new_password"
        raise
    user.set_password(new_password)
    end_all_sessions(user)


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Change one's own password after proving the current one; other sessions end. The
    audit log keeps that it changed."""
    if not user.check_password(current_password):
        raise AccountError(_l("Enter your current password correctly"), "current_password")
    replace_password(user, new_password)
    record("password_changed", actor=user, target=user)
