from typing import Any

from talentday.audit.models import AuditEntry
from talentday.auth.models import User
from talentday.extensions import db


def record(
    action: str,
    *,
    actor: User | None,
    target: Any = None,
    remote_addr: str = "",
    **details: Any,
) -> AuditEntry:
    """Add an audit entry in the caller's transaction; it is kept only if that commits."""
    if target is not None and getattr(target, "id", None) is None:
        db.session.flush()  # the target needs its id before the entry can name it
    entry = AuditEntry(
        action=action,
        actor=actor,
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        details=details,
        remote_addr=remote_addr or "",
    )
    db.session.add(entry)
    return entry
