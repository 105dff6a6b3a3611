"""Who may see an event."""

from flask import abort
from flask_login import current_user

from talentday.events.models import Event
from talentday.extensions import db


def visible_event_or_404(event_id: int) -> Event:
    """Public pages show published events; organizers also see drafts and archives."""
    event = db.get_or_404(Event, event_id)
    if not event.is_public and not (current_user.is_authenticated and current_user.is_organizer):
        abort(404)
    return event
