"""The API's objects, filled from the models for one reader: what `schemas` documents."""

from datetime import date

from flask_babel import gettext as _

from talentday.events.models import Event
from talentday.events.services import registration_is_open
from talentday.followup import timeline
from talentday.followup.models import FollowUpItem, TimelineEntry
from talentday.followup.moves import allowed_moves
from talentday.followup.permissions import can_see_contact_details
from talentday.navigation import public_url
from talentday.registrations import queries
from talentday.registrations import services as registrations


def _named(thing) -> dict | None:
    if thing is None:
        return None
    return {"id": thing.id, "name": thing.display_name}


def event_summary(event: Event, *, full: bool | None = None) -> dict:
    return {
        "id": event.id,
        "title": event.display_title,
        "series": event.series,
        "edition": event.edition,
        "state": event.state.value,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "venue": event.display_venue,
        "registration_open": registration_is_open(event),
        "registration_closes_at": event.registration_closes_at,
        "full": queries.is_full(event) if full is None else full,
    }


def event_detail(event: Event) -> dict:
    programme = queries.programme(event)
    rows = registrations.timetable(event.starts_at, programme, queries.breaks(event.id))
    return {
        **event_summary(event),
        "theme": event.display_theme,
        "description": event.display_description,
        "host": event.display_host,
        "presiding_official": event.display_presiding_official,
        "attending_leaders": event.attending_leaders_list,
        "speaking_slots": event.speaking_slots,
        "registration_opens_at": event.registration_opens_at,
        "results_public": event.results_public,
        "programme": [_programme_row(row) for row in rows],
        "links": {
            "page": public_url("events.public_page", event_id=event.id),
            "register": public_url("registrations.register", event_id=event.id),
            "calendar": public_url("registrations.calendar", event_id=event.id),
        },
    }


def _programme_row(row) -> dict:
    """What the public programme shows of a talk, and no more (see docs/decisions.md)."""
    slot = row.slot
    times = {
        "starts_at": slot.starts_at if slot else None,
        "ends_at": slot.ends_at if slot else None,
    }
    if row.pause is not None:
        return {
            "order": None, **times, "speaker": None, "position": None, "organization": None,
            "talent_team": None, "topic": None, "minutes": row.pause.minutes,
            "pause": row.pause.display_label,
        }  # fmt: skip
    registration = row.registration
    speaker = registration.speaker
    return {
        "order": registration.speaking_order,
        **times,
        "speaker": speaker.display_name,
        "position": speaker.position,
        "organization": speaker.organization,
        "talent_team": speaker.talent_team.value,
        "topic": registration.topic,
        "minutes": registration.speaking_minutes,
        "pause": None,
    }


def item(user, found: FollowUpItem, today: date) -> dict:
    return {
        "id": found.id,
        "version": found.version,
        "event": {"id": found.event.id, "name": found.event.display_title},
        "category": _named(found.category),
        "content": found.content,
        "raised_by": found.raised_by,
        "state": found.state.value,
        "lead_unit": _named(found.lead_unit),
        "co_units": [_named(unit) for unit in found.co_units],
        "due_on": found.due_on,
        "overdue": found.is_overdue(today),
        "extension_asked_to": found.extension_asked_to,
        "instructions": found.instructions,
        "result": found.result,
        "result_class": found.result_class.value if found.result_class else None,
        "commitment_on": found.commitment_on,
        "satisfaction": found.satisfaction.value if found.satisfaction else None,
        "key": found.is_key,
        "key_instruction": found.key_instruction,
        "contacted_on": found.contacted_on,
        "published": found.published_at is not None,
        "merged_into": found.merged_into_id,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
    }


def item_detail(user, found: FollowUpItem, entries: list[TimelineEntry], today: date) -> dict:
    contact = can_see_contact_details(user, found) and found.speaker is not None
    units = timeline.units_named(entries)
    return {
        **item(user, found, today),
        "moves": sorted(move.value for move in allowed_moves(user, found)),
        "speaker_phone": found.speaker.phone if contact else None,
        "speaker_email": found.speaker.email if contact else None,
        "timeline": [
            {
                "id": entry.id,
                "at": entry.at,
                "kind": entry.kind.value,
                "actor": _actor(entry),
                "unit": _named(entry.unit),
                "from_state": entry.from_state.value if entry.from_state else None,
                "to_state": entry.to_state.value if entry.to_state else None,
                "note": entry.note,
                "progress_percent": entry.progress_percent,
                "wording": [str(line) for line in timeline.wording(entry, units)],
            }
            for entry in entries
        ],
    }


def _actor(entry: TimelineEntry) -> str | None:
    if entry.actor_user is not None:
        return entry.actor_user.name
    if entry.actor_speaker is not None:
        return entry.actor_speaker.display_name
    return None


def received(event: Event, email: str) -> dict:
    return {
        "event_id": event.id,
        "email": email,
        "message": _(
            "We have sent a message to %(email)s. Open the private link in it to see your "
            "registration, confirm it if we ask you to, change your details while "
            "registration is open, add suggestions and follow what becomes of them.",
            email=email,
        ),
    }
