"""The leaders' figures, each one an aggregate query: the cost is the same few queries
whatever the number of items. Definitions come from followup.definitions."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app

from talentday.dashboard.sql import city_date, city_month, days_between
from talentday.events.models import Event, EventState
from talentday.extensions import db
from talentday.followup import definitions as d
from talentday.followup.models import (
    Category,
    FollowUpItem,
    ItemState,
    TimelineEntry,
    TimelineKind,
    followup_item_co_unit,
)
from talentday.registrations.models import Registration, RegistrationState
from talentday.units.models import ResponsibleUnit


@dataclass(frozen=True)
class Scope:
    """What the figures cover: items raised in a period, at one event or all."""

    start: date | None = None
    end: date | None = None
    event_id: int | None = None

    def items(self):
        clauses = [d.counted(), d.raised_between(self.start, self.end)]
        if self.event_id:
            clauses.append(FollowUpItem.event_id == self.event_id)
        return sa.and_(*clauses)

    def ledger_args(self) -> dict:
        """The same scope as ledger filters, for the drill-down links."""
        args = {}
        if self.start:
            args["raised_from"] = self.start.isoformat()
        if self.end:
            args["raised_to"] = self.end.isoformat()
        if self.event_id:
            args["event"] = self.event_id
        return args


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(kw_only=True)
class Figures:
    """The follow-up figures counted by _figure_columns, with the rates drawn from them."""

    closed: int = 0
    overdue: int = 0
    with_result: int = 0
    judged: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0

    def take(self, counts) -> int:
        """Fill in the counts of _figure_columns; return the first one, the item count."""
        items, *figures = counts
        (
            self.closed,
            self.overdue,
            self.with_result,
            self.judged,
            self.on_time,
            self.rated,
            self.satisfied,
        ) = figures
        return items

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.judged)

    @property
    def satisfied_share(self) -> float | None:
        return _rate(self.satisfied, self.rated)


@dataclass(kw_only=True)
class Headline(Figures):
    events_held: int = 0
    speakers: int = 0
    suggestions: int = 0


def _figure_columns(today: date) -> tuple:
    """Items, closed, overdue now, with a result, judged for the on-time rate, on time, rated,
    satisfied: in that order."""
    return (
        sa.func.count(),
        sa.func.count().filter(d.closed()),
        sa.func.count().filter(d.overdue(today)),
        sa.func.count().filter(d.has_result()),
        sa.func.count().filter(d.judged(today)),
        sa.func.count().filter(d.on_time()),
        sa.func.count().filter(d.rated()),
        sa.func.count().filter(d.satisfied()),
    )


def headline(scope: Scope, today: date) -> Headline:
    events = db.select(Event.id).where(Event.state.in_((EventState.HELD, EventState.ARCHIVED)))
    zone = current_app.config["TIMEZONE"]
    if scope.event_id:
        events = events.where(Event.id == scope.event_id)
    if scope.start:
        events = events.where(city_date(Event.starts_at, zone=zone) >= scope.start)
    if scope.end:
        events = events.where(city_date(Event.starts_at, zone=zone) <= scope.end)
    held = events.subquery()
    figures = Headline(
        events_held=db.session.scalar(db.select(sa.func.count()).select_from(held)) or 0,
        speakers=db.session.scalar(
            db.select(sa.func.count(sa.distinct(Registration.speaker_id))).where(
                Registration.state == RegistrationState.APPROVED,
                Registration.event_id.in_(db.select(held.c.id)),
            )
        )
        or 0,
    )
    figures.suggestions = figures.take(
        db.session.execute(db.select(*_figure_columns(today)).where(scope.items())).one()
    )
    return figures


@dataclass
class UnitRow(Figures):
    unit: ResponsibleUnit
    as_lead: int = 0
    as_co: int = 0
    returned: int = 0
    average_days: float | None = None


def units(scope: Scope, today: date, unit_id: int | None = None) -> list[UnitRow]:
    """Each responsible unit's record as lead unit, with its co-handling and returns."""
    lead = FollowUpItem.lead_unit_id
    statement = (
        db.select(
            lead,
            *_figure_columns(today),
            sa.func.avg(days_between(FollowUpItem.assigned_at, FollowUpItem.resolved_at)).filter(
                d.has_result(), FollowUpItem.assigned_at.is_not(None)
            ),
        )
        # A returned item waits on the organizers: it shows under "returned" for the unit
        # that returned it, and in no other figure of that unit.
        .where(scope.items(), lead.is_not(None), FollowUpItem.state != ItemState.RETURNED)
        .group_by(lead)
    )
    co = (
        db.select(followup_item_co_unit.c.unit_id, sa.func.count())
        .join(FollowUpItem, FollowUpItem.id == followup_item_co_unit.c.item_id)
        .where(scope.items())
        .group_by(followup_item_co_unit.c.unit_id)
    )
    returned = (
        db.select(TimelineEntry.unit_id, sa.func.count(sa.distinct(TimelineEntry.item_id)))
        .join(FollowUpItem, FollowUpItem.id == TimelineEntry.item_id)
        .where(scope.items(), TimelineEntry.kind == TimelineKind.RETURNED)
        .group_by(TimelineEntry.unit_id)
    )
    unit_query = db.select(ResponsibleUnit).order_by(ResponsibleUnit.name)
    if unit_id is not None:
        statement = statement.where(lead == unit_id)
        co = co.where(followup_item_co_unit.c.unit_id == unit_id)
        returned = returned.where(TimelineEntry.unit_id == unit_id)
        unit_query = unit_query.where(ResponsibleUnit.id == unit_id)
    rows = {unit.id: UnitRow(unit) for unit in db.session.scalars(unit_query)}
    for unit, *counts, average in db.session.execute(statement):
        rows[unit].as_lead = rows[unit].take(counts)
        rows[unit].average_days = float(average) if average is not None else None
    for unit, number in db.session.execute(co):
        rows[unit].as_co = number
    for unit, number in db.session.execute(returned):
        if unit in rows:
            rows[unit].returned = number
    active = [row for row in rows.values() if row.as_lead or row.as_co or row.returned]
    return sorted(active, key=lambda row: (-row.overdue, -row.as_lead, row.unit.name))


@dataclass
class Breakdown:
    key: object
    raised: int = 0
    open: int = 0
    closed: int = 0
    overdue: int = 0


def _breakdown(scope: Scope, today: date, column) -> list[tuple]:
    """Raised, not closed, closed and overdue items, grouped by one column of the items."""
    return list(
        db.session.execute(
            db.select(
                column,
                sa.func.count(),
                sa.func.count().filter(FollowUpItem.state != ItemState.CLOSED),
                sa.func.count().filter(d.closed()),
                sa.func.count().filter(d.overdue(today)),
            )
            .where(scope.items())
            .group_by(column)
        )
    )


def by_category(scope: Scope, today: date) -> list[Breakdown]:
    categories = {c.id: c for c in db.session.scalars(db.select(Category))}
    rows = [
        Breakdown(categories[key], *counts)
        for key, *counts in _breakdown(scope, today, FollowUpItem.category_id)
    ]
    return sorted(rows, key=lambda row: (-row.open, row.key.position))


def by_event(scope: Scope, today: date) -> list[Breakdown]:
    events = {e.id: e for e in db.session.scalars(db.select(Event))}
    rows = [
        Breakdown(events[key], *counts)
        for key, *counts in _breakdown(scope, today, FollowUpItem.event_id)
    ]
    return sorted(rows, key=lambda row: row.key.starts_at, reverse=True)


@dataclass
class Month:
    month: str
    raised: int = 0
    closed: int = 0


def trend(scope: Scope) -> list[Month]:
    """Items raised and closed, month by month (city time), over the months that have any."""
    zone = current_app.config["TIMEZONE"]
    raised_month = city_month(FollowUpItem.created_at, zone=zone)
    closed_month = city_month(FollowUpItem.closed_at, zone=zone)
    months: dict[str, Month] = {}
    for month, number in db.session.execute(
        db.select(raised_month, sa.func.count()).where(scope.items()).group_by(raised_month)
    ):
        months.setdefault(month, Month(month)).raised = number
    for month, number in db.session.execute(
        db.select(closed_month, sa.func.count())
        .where(scope.items(), FollowUpItem.closed_at.is_not(None))
        .group_by(closed_month)
    ):
        months.setdefault(month, Month(month)).closed = number
    return [months[key] for key in sorted(months)]


@dataclass
class Dashboard:
    scope: Scope
    headline: Headline
    units: list[UnitRow] = field(default_factory=list)
    categories: list[Breakdown] = field(default_factory=list)
    events: list[Breakdown] = field(default_factory=list)
    trend: list[Month] = field(default_factory=list)


def dashboard(scope: Scope, today: date) -> Dashboard:
    return Dashboard(
        scope=scope,
        headline=headline(scope, today),
        units=units(scope, today),
        categories=by_category(scope, today),
        events=by_event(scope, today),
        trend=trend(scope),
    )
