from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

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


def record_download(
    export: str, *, actor: User, rows: int, fmt: str, target: Any = None, remote_addr: str = "",
    query: str = "",
) -> AuditEntry:  # fmt: skip
    """A file with personal data (phone numbers, emails, names) left the system: who took
    which file, in what format, with how many rows, filtered how."""
    return record(
        "export_downloaded",
        actor=actor,
        target=target,
        remote_addr=remote_addr,
        export=export,
        format=fmt,
        rows=rows,
        query=query[:500],
    )


# Names for the actions the code records; an action missing here is shown by its code.
ACTION_LABELS = {
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Failed sign-in"),
    "password_changed": _l("Password changed"),
    "password_reset_requested": _l("Password reset link asked for"),
    "password_reset": _l("Password reset with an emailed link"),
    "user_created": _l("Account created"),
    "user_updated": _l("Account changed"),
    "unit_saved": _l("Unit saved"),
    "unit_robot_changed": _l("Unit's group robot changed"),
    "unit_robot_tested": _l("Test message queued for a unit's group robot"),
    "category_saved": _l("Category saved"),
    "event_created": _l("Event created"),
    "event_state_changed": _l("Event state changed"),
    "registration_decided": _l("Registration decided"),
    "registration_withdrawn": _l("Registration withdrawn"),
    "registration_moved_up": _l("Moved up from the waiting list"),
    "export_downloaded": _l("File with personal data downloaded"),
    "api_personal_data_read": _l("Personal data read through the API"),
    "outbox_message_viewed": _l("Outbox message read"),
    "outbox_message_resent": _l("Outbox message queued again"),
    "outbox_message_discarded": _l("Outbox message discarded"),
    "registration_confirmed": _l("Registration confirmed by the speaker"),
    "attendance_confirmed": _l("Speaker confirmed they will come"),
    "attendance_declined": _l("Speaker declined: cannot come"),
    "speakers_messaged": _l("Message written to the speakers"),
    "message_template_saved": _l("Wording of a message changed"),
    "message_template_reset": _l("Wording of a message back to the default"),
    "speaker_checked_in": _l("Speaker checked in at the door"),
    "speaker_check_in_undone": _l("Speaker's check-in taken back"),
    "programme_break_added": _l("Break added to the programme"),
    "programme_break_removed": _l("Break taken out of the programme"),
    "speaker_anonymised": _l("Speaker's personal data erased"),
    "retention_applied": _l("Old personal data erased"),
    "score_weights_saved": _l("Weights of the unit scores changed"),
    "api_token_created": _l("API token made"),
    "api_token_revoked": _l("API token revoked"),
    "webhook_registered": _l("Webhook registered"),
    "webhook_paused": _l("Webhook paused"),
    "webhook_resumed": _l("Webhook resumed"),
    "webhook_removed": _l("Webhook removed"),
    "webhook_delivery_retried": _l("Webhook delivery sent again"),
}


TARGET_LABELS = {
    "User": _l("Account"),
    "Event": _l("Event"),
    "Registration": _l("Registration"),
    "ResponsibleUnit": _l("Responsible unit"),
    "Category": _l("Category"),
    "FollowUpItem": _l("Follow-up item"),
    "OutboxMessage": _l("Outbox message"),
    "Speaker": _l("Speaker"),
    "ApiToken": _l("API token"),
    "Webhook": _l("Webhook"),
}


# What each detail an entry keeps is called, and how its value reads: an admin reading the
# log in Chinese reads the role by its Chinese name, not "role: department_staff".
DETAIL_LABELS = {
    # The weights of the unit scores (dashboard.scores).
    "on_time": _l("On time"),
    "solved": _l("Solved (A)"),
    "satisfied": _l("Satisfied"),
    "kept": _l("Not returned"),
    "not_extended": _l("Without extension"),
    "contacted": _l("Contact made"),
    "minimum_items": _l("Items needed to be ranked"),
    "role": _l("Role"),
    "active": _l("Active"),
    "previous": _l("Before"),
    "state": _l("After"),
    "reason": _l("Reason"),
    "registrations": _l("Registrations"),
    "items": _l("Follow-up items"),
    "days": _l("Days"),
    "speakers": _l("Speakers"),
    "names": _l("Names"),
    "addresses": _l("Addresses"),
    "account": _l("Account"),
    "error": _l("Error"),
    "export": _l("File"),
    "format": _l("Format"),
    "rows": _l("Rows"),
    "query": _l("Filter"),
    "channel": _l("Group robot"),
    "signed": _l("Signed"),
    "audience": _l("To"),
    "team": _l("Talent team"),
    "batch": _l("Message number"),
    "after": _l("After speaker number"),
    "minutes": _l("Minutes"),
    "message": _l("Message"),
    "language": _l("Language"),
    "subject": _l("Subject"),
    "text": _l("Message text"),
    "token": _l("Token"),
    "can_write": _l("Also make changes"),
    "address": _l("Address"),
}
EXPORT_LABELS = {
    "ledger": _l("Follow-up ledger"),
    "registrations": _l("Registrations"),
    "attendance": _l("Attendance"),
    "attachment": _l("Attached file"),
    "api_registrations": _l("Registrations (API)"),
    "api_item": _l("Follow-up item (API)"),
}


# Details that are codes (a query string), shown as code in any language.
CODE_DETAILS = frozenset({"query", "account", "batch", "message", "language", "address"})


def detail_lines(entry: AuditEntry) -> list[tuple[str, str, bool]]:
    """(label, value, whether it is code) for each detail of the entry, in the reader's
    language."""
    from talentday.auth.models import Role
    from talentday.events.models import EventState
    from talentday.outbox.message_templates import KINDS, LANGUAGE_LABELS
    from talentday.outbox.models import MessageChannel
    from talentday.registrations.models import RegistrationState, TalentTeam
    from talentday.registrations.speaker_messages import Audience

    states = EventState if entry.action == "event_state_changed" else RegistrationState
    channels = {channel.value: channel for channel in MessageChannel}
    lines = []
    for key, value in (entry.details or {}).items():
        shown = value
        if key == "role" and value in {role.value for role in Role}:
            shown = Role(value).label
        elif entry.action == "unit_robot_changed" and key in ("channel", "previous"):
            shown = channels[value].label if value in channels else "–"
        elif key in ("state", "previous") and value in {state.value for state in states}:
            shown = states(value).label
        elif key == "message" and value in KINDS:
            shown = KINDS[value].label
        elif key == "language" and value in LANGUAGE_LABELS:
            shown = LANGUAGE_LABELS[value]
        elif isinstance(value, bool):
            shown = _l("Yes") if value else _l("No")
        elif key == "export":
            shown = EXPORT_LABELS.get(value, value)
        elif key == "audience" and value in {audience.value for audience in Audience}:
            shown = Audience(value).label
        elif key == "team":
            shown = TalentTeam(value).label if value in {t.value for t in TalentTeam} else "–"
        elif key == "format":
            shown = str(value).upper()
        code = key in CODE_DETAILS and shown is value
        lines.append((str(DETAIL_LABELS.get(key, key)), str(shown), code))
    return lines


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def target_label(target_type: str) -> str:
    return str(TARGET_LABELS.get(target_type, target_type))


@dataclass(frozen=True)
class AuditFilters:
    """What the admin asked to see; every value already checked (bad ones are dropped)."""

    action: str = ""
    actor: str = ""
    target_type: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_statement(filters: AuditFilters, zone: ZoneInfo):
    """The entries matching the filters, newest first, with their actors loaded. Dates are
    whole days in the city's time zone, both ends included."""
    statement = (
        db.select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if filters.action:
        statement = statement.where(AuditEntry.action == filters.action)
    if filters.target_type:
        statement = statement.where(AuditEntry.target_type == filters.target_type)
    if filters.actor:
        pattern = f"%{filters.actor.lower()}%"
        statement = statement.where(
            AuditEntry.actor.has(
                db.or_(db.func.lower(User.name).like(pattern), User.email.like(pattern))
            )
        )
    if filters.date_from:
        start = datetime.combine(filters.date_from, time(), zone).astimezone(UTC)
        statement = statement.where(AuditEntry.at >= start)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(), zone).astimezone(UTC)
        statement = statement.where(AuditEntry.at < end)
    return statement


def filter_choices() -> tuple[list[str], list[str]]:
    """The actions (those named above and any the log holds) and the target types to filter
    by. The actions come from an indexed column; target types from the names above, so that a
    long log is never scanned to fill a list."""
    actions = set(db.session.scalars(db.select(AuditEntry.action).distinct())) | set(ACTION_LABELS)
    return sorted(actions, key=action_label), sorted(TARGET_LABELS, key=target_label)
