"""The registrations as a spreadsheet, and the event as a calendar entry."""

from datetime import UTC
from urllib.parse import urlsplit

from flask import Response
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from talentday.database import utcnow
from talentday.events.models import Event
from talentday.exports import csv_response, xlsx_response
from talentday.extensions import db
from talentday.followup.models import FollowUpItem
from talentday.i18n import to_city_time
from talentday.navigation import public_url
from talentday.registrations.models import Registration


def _city(value) -> str:
    return to_city_time(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _suggestions_by_registration(event: Event) -> dict[int, list[str]]:
    """The suggestions each registration raised, in one query for the whole event."""
    found: dict[int, list[str]] = {}
    rows = db.session.execute(
        db.select(FollowUpItem.registration_id, FollowUpItem.content)
        .join(Registration, Registration.id == FollowUpItem.registration_id)
        .where(Registration.event_id == event.id)
        .order_by(FollowUpItem.created_at, FollowUpItem.id)
    )
    for registration_id, content in rows:
        found.setdefault(registration_id, []).append(content)
    return found


def registrations_file(event: Event, registrations: list[Registration], fmt: str) -> Response:
    """One row per registration, with the columns an organizer files."""
    suggestions = _suggestions_by_registration(event)
    headers = [
        _("Speaking order"),
        _("Full name"),
        _("Talent team"),
        _("Organization"),
        _("Position"),
        _("Mobile phone"),
        _("Email address"),
        _("Topic of your talk"),
        _("Summary"),
        _("Suggestions"),
        _("State"),
        _("Minutes"),
        _("Submitted"),
        _("Decided"),
    ]
    rows = [
        [
            registration.speaking_order,
            registration.speaker.display_name,
            str(registration.speaker.talent_team.label),
            registration.speaker.organization,
            registration.speaker.position,
            registration.speaker.phone,
            registration.speaker.email,
            registration.topic,
            registration.summary,
            "\n".join(suggestions.get(registration.id, [])),
            str(registration.state.label),
            registration.speaking_minutes,
            _city(registration.submitted_at),
            _city(registration.decided_at),
        ]
        for registration in registrations
    ]
    name = f"registrations-event-{event.id}"
    if fmt == "xlsx":
        return xlsx_response(headers, rows, f"{name}.xlsx", sheet_title=_("Registrations"))
    return csv_response(headers, rows, f"{name}.csv")


def calendar_file(event: Event) -> Response:
    calendar = Calendar()
    calendar.add("prodid", "-//TalentDay//talentday//EN")
    calendar.add("version", "2.0")
    entry = CalendarEvent()
    page = public_url("events.public_page", event_id=event.id)
    entry.add("uid", f"event-{event.id}@{urlsplit(page).hostname}")
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", event.starts_at.astimezone(UTC))
    entry.add("dtend", event.ends_at.astimezone(UTC))
    entry.add("summary", event.title)
    if event.venue:
        entry.add("location", event.venue)
    description = "\n".join(part for part in (event.theme, event.description) if part)
    if description:
        entry.add("description", description)
    entry.add("url", page)
    calendar.add_component(entry)
    return Response(
        calendar.to_ical(),
        mimetype="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}.ics"'},
    )
