"""Who may do what: one place for the checks every view makes."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from talentday.auth.models import Role, User


def role_required(*roles: Role) -> Callable:
    """Signed in (else off to sign-in) and holding one of these roles (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(Role.ADMIN)
organizer_required = role_required(Role.ORGANIZER)
# Leaders read everything organizers can see; organizers see the leaders' figures too.
oversight_required = role_required(Role.ORGANIZER, Role.LEADER)
staff_required = role_required(Role.DEPARTMENT_STAFF)


def is_staff_of(user: User, unit_id: int | None) -> bool:
    """Whether the user acts for this responsible unit."""
    return (
        user.is_authenticated
        and user.role is Role.DEPARTMENT_STAFF
        and unit_id is not None
        and user.unit_id == unit_id
    )


def require_staff_of(user: User, unit_id: int | None) -> None:
    """Abort with 404 unless the user is staff of the unit: others must not learn it exists."""
    if not is_staff_of(user, unit_id):
        abort(404)
