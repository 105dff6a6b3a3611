"""The figures each role's home page opens with, computed by aggregate queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from talentday.dashboard import metrics
from talentday.events.models import PUBLIC_EVENT_STATES, Event
from talentday.extensions import db
from talentday.followup import definitions
from talentday.followup.models import (
    ITEM_DISPLAY_LOADS,
    FollowUpItem,
    ItemState,
)
from talentday.followup.permissions import co_handled_by
from talentday.registrations.models import Registration, RegistrationState


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


@dataclass
class EventRow:
    event: Event
    registrations: int = 0
    approved: int = 0
    figures: definitions.Counts = field(
        default_factory=lambda: definitions.Counts(dict.fromkeys(metrics.EVENT_ROW, 0))
    )


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
    # Counted as the dashboard counts them, by the registry's keys.
    for event_id, figures in metrics.count(
        metrics.EVENT_ROW,
        sa.and_(FollowUpItem.event_id.in_(rows), definitions.counted()),
        today,
        group_by=FollowUpItem.event_id,
    ):
        rows[event_id].figures = figures
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
    items = db.session.scalars(
        db.select(FollowUpItem)
        .where(
            sa.or_(FollowUpItem.lead_unit_id == unit_id, co_handled_by(unit_id)),
            FollowUpItem.state.not_in((ItemState.NEW, ItemState.CLOSED, ItemState.RETURNED)),
        )
        .options(*ITEM_DISPLAY_LOADS)
        .order_by(FollowUpItem.due_on, FollowUpItem.id)
    ).unique()
    desk = UnitDesk()
    soon = today + timedelta(days=definitions.DUE_SOON_DAYS)
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


def leader_overview(today: date):
    """The dashboard's headline and its units with overdue items, most late first."""
    headline = metrics.headline(metrics.Scope(), today)
    late = [row for row in metrics.units(metrics.Scope(), today) if row.overdue]
    late.sort(key=lambda row: (-row.overdue, row.unit.name))
    return headline, late


def items_awaiting_organizers(today: date) -> definitions.Counts:
    """What waits on the organizers: new and returned items to assign, resolved to close."""
    (figures,) = metrics.count(metrics.ORGANIZER_DESK, definitions.counted(), today)
    return figures
