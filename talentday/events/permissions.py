"""Who may see an event, and who may manage one."""

from flask import abort
from flask_login import current_user

from talentday.auth.models import User
from talentday.events.models import Event
from talentday.extensions import db


def may_manage(user, event: Event | None = None) -> bool:
    """Organizers manage every event: an event has no organizer of its own, and admins run
    accounts and reference data, not events. `event` is None for one not yet created."""
    return isinstance(user, User) and user.is_active and user.is_organizer


def visible_event_or_404(event_id: int) -> Event:
    """Public pages show published events; those who manage events also see drafts and
    archives."""
    event = db.get_or_404(Event, event_id)
    if not event.is_public and not may_manage(current_user, event):
        abort(404)
    return event
