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
    TimelineEntry,
    TimelineKind,
)
from talentday.followup.moves import UNITS_AT_WORK
from talentday.followup.permissions import handled_by
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


# Each group of a unit's desk shows this many items a page; its count is always the whole.
DESK_PAGE = 25
DESK_GROUPS = (
    "to_accept", "opinion_wanted", "overdue", "due_soon", "in_progress", "awaiting_closure",
)  # fmt: skip


@dataclass
class DeskGroup:
    """One group of a unit's desk: a page of its items and how many there are in all."""

    key: str
    items: list[FollowUpItem] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = DESK_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


@dataclass
class UnitDesk:
    """A responsible unit's items, grouped the way staff work through them."""

    groups: dict[str, DeskGroup]

    def __getattr__(self, key: str) -> list[FollowUpItem]:
        if key in DESK_GROUPS:
            return self.groups[key].items
        raise AttributeError(key)

    @property
    def is_empty(self) -> bool:
        return not any(group.total for group in self.groups.values())


def opinion_wanted_from(unit_id: int):
    """Items this unit co-handles whose lead unit waits for its opinion (会签): none given
    yet and not waived. Among a unit's own items (the desk's), the index of entries by
    kind and unit answers the NOT EXISTS."""
    given = (
        sa.select(TimelineEntry.id)
        .where(
            TimelineEntry.item_id == FollowUpItem.id,
            TimelineEntry.kind == TimelineKind.CO_OPINION,
            TimelineEntry.unit_id == unit_id,
        )
        .exists()
    )
    return sa.and_(
        FollowUpItem.lead_unit_id != unit_id,
        FollowUpItem.state.in_((ItemState.ASSIGNED, *UNITS_AT_WORK)),
        FollowUpItem.opinions_waived_at.is_(None),
        ~given,
    )


def desk_group(unit_id: int, today: date):
    """The SQL twin of the desk's grouping: which group each open item of the unit is in."""
    soon = today + timedelta(days=definitions.DUE_SOON_DAYS)
    return sa.case(
        (
            sa.and_(FollowUpItem.state == ItemState.ASSIGNED, FollowUpItem.lead_unit_id == unit_id),
            "to_accept",
        ),
        (FollowUpItem.state == ItemState.RESOLVED, "awaiting_closure"),
        (opinion_wanted_from(unit_id), "opinion_wanted"),
        (definitions.overdue(today), "overdue"),
        (FollowUpItem.due_on <= soon, "due_soon"),
        else_="in_progress",
    )


def unit_desk(unit_id: int, today: date, pages: dict[str, int] | None = None) -> UnitDesk:
    """The open items of one unit, as lead or co-handler: each group counted in SQL and one
    page of each group's items (the first unless `pages` names another), in three queries
    whatever the number of items."""
    pages = pages or {}
    group = desk_group(unit_id, today).label("desk_group")
    mine = sa.and_(
        handled_by(unit_id),
        FollowUpItem.state.not_in((ItemState.NEW, ItemState.CLOSED, ItemState.RETURNED)),
    )
    groups = {key: DeskGroup(key) for key in DESK_GROUPS}
    for key, total in db.session.execute(
        db.select(group, sa.func.count()).where(mine).group_by(group)
    ):
        groups[key].total = total
    for key, found in groups.items():
        found.page = min(max(pages.get(key) or 1, 1), found.pages)
    ranked = (
        db.select(
            FollowUpItem.id,
            group,
            sa.func.row_number()
            .over(partition_by=group, order_by=definitions.desk_order())
            .label("position"),
        )
        .where(mine)
        .subquery()
    )
    wanted = sa.or_(
        *(
            sa.and_(
                ranked.c.desk_group == key,
                ranked.c.position > (found.page - 1) * DESK_PAGE,
                ranked.c.position <= found.page * DESK_PAGE,
            )
            for key, found in groups.items()
            if found.total
        ),
        sa.false(),
    )
    items = db.session.execute(
        db.select(FollowUpItem, ranked.c.desk_group)
        .join(ranked, ranked.c.id == FollowUpItem.id)
        .where(wanted)
        .options(*ITEM_DISPLAY_LOADS)
        .order_by(*definitions.desk_order())
    ).unique()
    for item, key in items:
        groups[key].items.append(item)
    return UnitDesk(groups)


def leader_overview(today: date, limit: int = 20):
    """The dashboard's headline and its units with overdue items, most late first (the
    first `limit` of them), with the number of such units."""
    dashboard = metrics.dashboard(metrics.Scope(), today)
    late = [row for row in dashboard.units if row.overdue]
    late.sort(key=lambda row: (-row.overdue, row.unit.name))
    return dashboard, late[:limit], len(late)


def items_awaiting_organizers(today: date) -> definitions.Counts:
    """What waits on the organizers: new and returned items to assign, requests for more time
    to decide, promises to check, resolved items to close. Only those items are read (the
    state index and the partial indexes of requests and promises find them)."""
    waiting = sa.or_(
        FollowUpItem.state.in_((ItemState.NEW, ItemState.RETURNED, ItemState.RESOLVED)),
        definitions.extension_asked(),
        definitions.promise_to_check(),
    )
    (figures,) = metrics.count(
        metrics.ORGANIZER_DESK, sa.and_(definitions.counted(), waiting), today
    )
    return figures
