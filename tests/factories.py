"""Builders for domain objects inside an application context, with sensible defaults."""

from datetime import UTC, date, datetime, timedelta
from itertools import count

from talentday.events.models import Event, EventState
from talentday.extensions import db
from talentday.followup.models import (
    Category,
    FollowUpItem,
    ItemState,
    TimelineEntry,
    TimelineKind,
)
from talentday.registrations.models import Registration, Speaker, TalentTeam
from talentday.units.models import ResponsibleUnit, UnitKind

_sequence = count(1)


def unit(**overrides) -> ResponsibleUnit:
    values = {"name": f"Bureau {next(_sequence)}", "kind": UnitKind.MUNICIPAL_DEPARTMENT}
    values.update(overrides)
    obj = ResponsibleUnit(**values)
    db.session.add(obj)
    db.session.flush()
    return obj


def event(**overrides) -> Event:
    starts = datetime(2026, 9, 20, 6, 30, tzinfo=UTC)
    values = {
        "series": "Talent Salon",
        "edition": next(_sequence),
        "title": "A talent salon",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "speaking_slots": 12,
        "state": EventState.PUBLISHED,
    }
    values.update(overrides)
    obj = Event(**values)
    db.session.add(obj)
    db.session.flush()
    return obj


def speaker(**overrides) -> Speaker:
    values = {
        "name": "Gao Lizhi",
        "email": f"speaker{next(_sequence)}@example.com",
        "talent_team": TalentTeam.SCI_TECH_TOWN_LEADER_GROUP,
    }
    values.update(overrides)
    obj = Speaker(**values)
    db.session.add(obj)
    db.session.flush()
    return obj


def registration(**overrides) -> Registration:
    values = {}
    values.update(overrides)
    values.setdefault("event", values.get("event") or event())
    values.setdefault("speaker", values.get("speaker") or speaker())
    obj = Registration(**values)
    db.session.add(obj)
    db.session.flush()
    return obj


def category(**overrides) -> Category:
    number = next(_sequence)
    values = {"code": f"topic-{number}", "name": f"Topic {number}"}
    values.update(overrides)
    obj = Category(**values)
    db.session.add(obj)
    db.session.flush()
    return obj


def item(**overrides) -> FollowUpItem:
    values = {
        "content": "Open talent apartments near the development zone.",
        "state": ItemState.NEW,
    }
    values.update(overrides)
    values.setdefault("event", values.get("event") or event())
    values.setdefault("category", values.get("category") or category())
    if "speaker" not in values and not values.get("raised_by_name"):
        values["speaker"] = speaker()
    if values["state"] is not ItemState.NEW:
        values.setdefault("lead_unit", values.get("lead_unit") or unit())
        values.setdefault("due_on", date(2026, 10, 20))
    obj = FollowUpItem(**values)
    db.session.add(obj)
    db.session.add(
        TimelineEntry(item=obj, kind=TimelineKind.CREATED, to_state=ItemState.NEW, note="")
    )
    db.session.flush()
    return obj
