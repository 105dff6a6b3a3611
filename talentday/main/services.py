"""The figures each role's home page opens with, computed by aggregate queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from talentday.events.models import PUBLIC_EVENT_STATES, Event, EventState
from talentday.extensions import db
from talentday.followup.models import DONE_STATES, FollowUpItem, ItemState, followup_item_co_unit
from talentday.registrations.models import Registration, RegistrationState
from talentday.units.models import ResponsibleUnit

DUE_SOON_DAYS = 7


def public_events(limit: int = 20) -> list[Event]:
    """Published events, the coming ones first, then the most recent past ones."""
    return list(
        db.session.scalars(
            db.select(Event)
            .where(Event.state.in_(PUBLIC_EVENT_STATES))
            .order_by(Event.starts_at.desc())
            .limit(limit)
        )
    )


def _overdue_clause(today: date):
    return sa.and_(FollowUpItem.due_on < today, FollowUpItem.state.not_in(DONE_STATES))


@dataclass
class EventRow:
    event: Event
    registrations: int = 0
    approved: int = 0
    items: int = 0
    open_items: int = 0
    overdue: int = 0


def organizer_overview(today: date) -> list[EventRow]:
    """Each event with its registration and follow-up counts, in three queries."""
    events = list(db.session.scalars(db.select(Event).order_by(Event.starts_at.desc()).limit(50)))
    rows = {event.id: EventRow(event) for event in events}
    if not rows:
        return []
    registration_counts = db.session.execute(
        db.select(
            Registration.event_id,
            sa.func.count(),
            sa.func.count().filter(Registration.state == RegistrationState.APPROVED),
        )
        .where(Registration.event_id.in_(rows))
        .group_by(Registration.event_id)
    )
    for event_id, total, approved in registration_counts:
        rows[event_id].registrations = total
        rows[event_id].approved = approved
    item_counts = db.session.execute(
        db.select(
            FollowUpItem.event_id,
            sa.func.count(),
            sa.func.count().filter(FollowUpItem.state != ItemState.CLOSED),
            sa.func.count().filter(_overdue_clause(today)),
        )
        .where(FollowUpItem.event_id.in_(rows))
        .group_by(FollowUpItem.event_id)
    )
    for event_id, total, open_items, overdue in item_counts:
        rows[event_id].items = total
        rows[event_id].open_items = open_items
        rows[event_id].overdue = overdue
    return list(rows.values())


@dataclass
class UnitDesk:
    """A responsible unit's items, grouped the way staff work through them."""

    to_accept: list[FollowUpItem] = field(default_factory=list)
    overdue: list[FollowUpItem] = field(default_factory=list)
    due_soon: list[FollowUpItem] = field(default_factory=list)
    in_progress: list[FollowUpItem] = field(default_factory=list)
    awaiting_closure: list[FollowUpItem] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(
            (self.to_accept, self.overdue, self.due_soon, self.in_progress, self.awaiting_closure)
        )


def unit_desk(unit_id: int, today: date) -> UnitDesk:
    """The open items of one unit, as lead or co-handler, in one query plus eager loads."""
    co_handled = db.select(followup_item_co_unit.c.item_id).where(
        followup_item_co_unit.c.unit_id == unit_id
    )
    items = db.session.scalars(
        db.select(FollowUpItem)
        .where(
            sa.or_(FollowUpItem.lead_unit_id == unit_id, FollowUpItem.id.in_(co_handled)),
            FollowUpItem.state.not_in((ItemState.NEW, ItemState.CLOSED, ItemState.RETURNED)),
        )
        .options(
            joinedload(FollowUpItem.category),
            joinedload(FollowUpItem.event),
            joinedload(FollowUpItem.lead_unit),
            selectinload(FollowUpItem.co_units),
        )
        .order_by(FollowUpItem.due_on, FollowUpItem.id)
    ).unique()
    desk = UnitDesk()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    for item in items:
        if item.state is ItemState.ASSIGNED and item.lead_unit_id == unit_id:
            desk.to_accept.append(item)
        elif item.state is ItemState.RESOLVED:
            desk.awaiting_closure.append(item)
        elif item.is_overdue(today):
            desk.overdue.append(item)
        elif item.due_on is not None and item.due_on <= soon:
            desk.due_soon.append(item)
        else:
            desk.in_progress.append(item)
    return desk


@dataclass
class Headline:
    events_held: int
    speakers: int
    suggestions: int
    closed: int
    overdue: int


@dataclass
class LateUnit:
    unit: ResponsibleUnit
    overdue: int


def leader_overview(today: date) -> tuple[Headline, list[LateUnit]]:
    """The figures a leader glances at, and the units with overdue items, most late first."""
    headline = Headline(
        events_held=db.session.scalar(
            db.select(sa.func.count()).select_from(Event).where(Event.state == EventState.HELD)
        )
        or 0,
        speakers=db.session.scalar(
            db.select(sa.func.count(sa.distinct(Registration.speaker_id))).where(
                Registration.state == RegistrationState.APPROVED
            )
        )
        or 0,
        suggestions=db.session.scalar(db.select(sa.func.count()).select_from(FollowUpItem)) or 0,
        closed=db.session.scalar(
            db.select(sa.func.count())
            .select_from(FollowUpItem)
            .where(FollowUpItem.state == ItemState.CLOSED)
        )
        or 0,
        overdue=db.session.scalar(
            db.select(sa.func.count()).select_from(FollowUpItem).where(_overdue_clause(today))
        )
        or 0,
    )
    overdue_count = sa.func.count(FollowUpItem.id).label("overdue")
    late = db.session.execute(
        db.select(ResponsibleUnit, overdue_count)
        .join(FollowUpItem, FollowUpItem.lead_unit_id == ResponsibleUnit.id)
        .where(_overdue_clause(today))
        .group_by(ResponsibleUnit.id)
        .order_by(overdue_count.desc(), ResponsibleUnit.name)
    )
    return headline, [LateUnit(unit, count) for unit, count in late]
