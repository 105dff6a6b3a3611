"""The registrations as a spreadsheet, and the event as a calendar entry."""

from collections.abc import Mapping
from datetime import UTC
from urllib.parse import urlsplit

from flask import Response
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from talentday import exports
from talentday.database import utcnow
from talentday.events.models import Event
from talentday.exports import Column, Kind, Table
from talentday.extensions import db
from talentday.followup.models import FollowUpItem
from talentday.navigation import public_url
from talentday.registrations.models import Registration, RegistrationState, TalentTeam


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


def describe(event: Event, filters: Mapping[str, str]) -> str:
    """The event and the review page's filters in words, for the line above the header."""
    parts = [_("event: %(title)s", title=event.display_title)]
    if filters.get("state") in {state.value for state in RegistrationState}:
        parts.append(_("state: %(state)s", state=RegistrationState(filters["state"]).label))
    if filters.get("team") in {team.value for team in TalentTeam}:
        parts.append(_("talent team: %(team)s", team=TalentTeam(filters["team"]).label))
    if filters.get("q", "").strip():
        parts.append(_("search: %(text)s", text=filters["q"].strip()))
    return exports.describe(parts, "")


def registrations_table(
    event: Event, registrations: list[Registration], filters: Mapping[str, str]
) -> Table:
    """One row per registration, with the columns an organizer files: the talk's topic,
    its summary and the suggestions the speaker raised included."""
    suggestions = _suggestions_by_registration(event)
    columns = [
        Column(_("Speaking order"), Kind.INTEGER),
        Column(_("Full name")),
        Column(_("Talent team")),
        Column(_("Organization")),
        Column(_("Position")),
        Column(_("Mobile phone")),
        Column(_("Email address")),
        Column(_("Topic of your talk")),
        Column(_("Summary")),
        Column(_("Suggestions")),
        Column(_("State")),
        Column(_("Will you come?")),
        Column(_("Minutes"), Kind.INTEGER),
        Column(_("Submitted"), Kind.DATETIME),
        Column(_("Decided"), Kind.DATETIME),
        Column(_("May the organizers publish your suggestions and their answers?")),
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
            str(registration.attendance.label) if registration.attendance else "",
            registration.speaking_minutes,
            registration.submitted_at,
            registration.decided_at,
            str(registration.publication.label),
        ]
        for registration in registrations
    ]
    return Table(
        title=_("Registrations"),
        columns=columns,
        rows=rows,
        description=describe(event, filters),
        stem=f"registrations-event-{event.id}",
    )


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
    entry.add("summary", event.display_title)
    if event.display_venue:
        entry.add("location", event.display_venue)
    description = "\n".join(
        part for part in (event.display_theme, event.display_description) if part
    )
    if description:
        entry.add("description", description)
    entry.add("url", page)
    calendar.add_component(entry)
    return Response(
        calendar.to_ical(),
        mimetype="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}.ics"'},
    )
