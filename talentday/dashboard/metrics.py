"""The leaders' figures, each one an aggregate query: the cost is the same few queries
whatever the number of items. Definitions come from followup.definitions."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from talentday.dashboard import scores
from talentday.dashboard.cache import cached
from talentday.dashboard.sql import city_date, city_month
from talentday.events.models import Event, EventState
from talentday.extensions import db
from talentday.followup import definitions as d
from talentday.followup.definitions import FIGURES
from talentday.followup.models import (
    Category,
    FollowUpItem,
    TimelineEntry,
    TimelineKind,
    followup_item_co_unit,
)
from talentday.registrations.models import Registration, RegistrationState
from talentday.units.models import ResponsibleUnit, localized


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


@dataclass(frozen=True)
class Named:
    """What a page shows of a unit, a category or an event beside its figures: plain values
    that may be cached with them (names are shown in the reader's language when shown)."""

    id: int
    name: str
    name_zh: str | None = None
    position: int = 0
    starts_at: datetime | None = None

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_zh)

    @property
    def title(self) -> str:
        return self.name

    @property
    def display_title(self) -> str:
        return self.display_name


# The figures each view counts over its items, by key from the registry.
HEADLINE = (
    "suggestions",
    "closed",
    "overdue",
    "with_result",
    "judged",
    "on_time",
    "rated",
    "satisfied",
    "to_reassign",
    "extended",
    "days_extended",
    "classed",
    "solved",
    "key",
    "key_overdue",
    "without_contact",
    "contact_denied",
)
UNIT = ("as_lead", "closed", "overdue", "with_result", "judged", "on_time", "rated", "satisfied",
        "average_days", "extended", "days_extended", "classed", "solved",
        "without_contact")  # fmt: skip
# The columns of the tables by category and by event, and the figures counted for them.
BREAKDOWN = ("suggestions", "open", "closed", "overdue", "solved_rate")
BREAKDOWN_COUNTED = ("suggestions", "open", "closed", "overdue", "solved", "classed")
ORGANIZER_DESK = ("to_assign", "to_reassign", "extension_asked", "promise_to_check", "to_close")
EVENT_ROW = ("suggestions", "open", "overdue")
# What the pages show, in order.
HEADLINE_CARDS = ("events_held", "speakers", "suggestions", "closed", "overdue", "to_reassign",
                  "on_time_rate", "satisfied_share", "solved_rate", "key", "key_overdue",
                  "without_contact", "contact_denied")  # fmt: skip
LEADER_HOME_CARDS = ("events_held", "speakers", "suggestions", "closed", "overdue", "key",
                     "key_overdue")  # fmt: skip
UNIT_COLUMNS = ("as_lead", "as_co", "closed", "on_time_rate", "overdue", "average_days",
                "satisfied_share", "solved_rate", "returned", "extended",
                "days_extended", "without_contact")  # fmt: skip
UNIT_CARDS = UNIT_COLUMNS
REPORT_SUMMARY = ("events_held", "speakers", "suggestions", "closed", "overdue", "with_result",
                  "judged", "on_time", "on_time_rate", "rated", "satisfied", "satisfied_share",
                  "to_reassign", "extended", "days_extended", "classed", "solved",
                  "solved_rate", "key", "key_overdue", "without_contact",
                  "contact_denied")  # fmt: skip


def count(keys, where, today: date, group_by=None) -> list:
    """The figures named by `keys` over the counted items `where` selects: one row, or one
    per value of `group_by` (as (value, Counts) pairs)."""
    columns = d.columns(keys, today)

    def figures(row) -> d.Counts:
        # PostgreSQL averages come back as Decimal: figures are plain numbers everywhere.
        return d.Counts(
            {
                key: float(row._mapping[key])
                if isinstance(row._mapping[key], Decimal)
                else row._mapping[key]
                for key in keys
            }
        )

    if group_by is None:
        return [figures(db.session.execute(db.select(*columns).where(where)).one())]
    statement = db.select(group_by.label("group"), *columns).where(where).group_by(group_by)
    return [(row.group, figures(row)) for row in db.session.execute(statement)]


def headline(scope: Scope, today: date) -> d.Counts:
    events = db.select(Event.id).where(Event.state.in_((EventState.HELD, EventState.ARCHIVED)))
    zone = current_app.config["TIMEZONE"]
    if scope.event_id:
        events = events.where(Event.id == scope.event_id)
    if scope.start:
        events = events.where(city_date(Event.starts_at, zone=zone) >= scope.start)
    if scope.end:
        events = events.where(city_date(Event.starts_at, zone=zone) <= scope.end)
    held = events.subquery()
    (figures,) = count(HEADLINE, scope.items(), today)
    figures.update(
        {
            "events_held": db.session.scalar(db.select(sa.func.count()).select_from(held)) or 0,
            "speakers": db.session.scalar(
                db.select(sa.func.count(sa.distinct(Registration.speaker_id))).where(
                    Registration.state == RegistrationState.APPROVED,
                    Registration.event_id.in_(db.select(held.c.id)),
                )
            )
            or 0,
        }
    )
    return figures


class UnitRow(d.Counts):
    """A responsible unit's figures: as lead unit, co-handling and returns."""

    def __init__(self, unit: Named, values=None):
        super().__init__({key: FIGURES[key].empty() for key in (*UNIT, "as_co", "returned")})
        self.update(values or {})
        self.unit = unit
        self.score = None  # set by `units` (dashboard.scores)


def units(scope: Scope, today: date, unit_id: int | None = None) -> list[UnitRow]:
    """Each responsible unit's record as lead unit, with its co-handling and returns."""
    lead = FollowUpItem.lead_unit_id
    lead_where = sa.and_(scope.items(), d.leading())
    co = (
        db.select(followup_item_co_unit.c.unit_id, sa.func.count())
        .join(FollowUpItem, FollowUpItem.id == followup_item_co_unit.c.item_id)
        .where(scope.items())
        .group_by(followup_item_co_unit.c.unit_id)
    )
    returned = (
        db.select(TimelineEntry.unit_id, sa.func.count(sa.distinct(TimelineEntry.item_id)))
        .join(FollowUpItem, FollowUpItem.id == TimelineEntry.item_id)
        .where(
            scope.items(),
            TimelineEntry.kind == TimelineKind.RETURNED,
            TimelineEntry.unit_id.is_not(None),  # the partial index of returns by unit
        )
        .group_by(TimelineEntry.unit_id)
    )
    unit_query = db.select(
        ResponsibleUnit.id, ResponsibleUnit.name, ResponsibleUnit.name_zh
    ).order_by(ResponsibleUnit.name)
    if unit_id is not None:
        lead_where = sa.and_(lead_where, lead == unit_id)
        co = co.where(followup_item_co_unit.c.unit_id == unit_id)
        returned = returned.where(TimelineEntry.unit_id == unit_id)
        unit_query = unit_query.where(ResponsibleUnit.id == unit_id)
    rows = {
        unit.id: UnitRow(Named(unit.id, unit.name, unit.name_zh))
        for unit in db.session.execute(unit_query)
    }
    for unit, figures in count(UNIT, lead_where, today, group_by=lead):
        rows[unit].update(figures)
    for unit, number in db.session.execute(co):
        rows[unit].update({"as_co": number})
    for unit, number in db.session.execute(returned):
        if unit in rows:
            rows[unit].update({"returned": number})
    active = [row for row in rows.values() if row.as_lead or row.as_co or row.returned]
    scores.scored(active)
    return sorted(active, key=lambda row: (-row.overdue, -row.as_lead, row.unit.name))


class Breakdown(d.Counts):
    """Raised, not closed, closed and overdue items of one category or event."""

    def __init__(self, key, values=None):
        super().__init__(values)
        self.key = key


def _breakdown(scope: Scope, today: date, column) -> list[tuple]:
    return count(BREAKDOWN_COUNTED, scope.items(), today, group_by=column)


def by_category(scope: Scope, today: date) -> list[Breakdown]:
    categories = {
        c.id: Named(c.id, c.name, c.name_zh, position=c.position)
        for c in db.session.execute(
            db.select(Category.id, Category.name, Category.name_zh, Category.position)
        )
    }
    rows = [
        Breakdown(categories[key], figures)
        for key, figures in _breakdown(scope, today, FollowUpItem.category_id)
    ]
    return sorted(rows, key=lambda row: (-row.open, row.key.position))


def by_event(scope: Scope, today: date) -> list[Breakdown]:
    events = {
        e.id: Named(e.id, e.title, e.title_zh, starts_at=e.starts_at)
        for e in db.session.execute(
            db.select(Event.id, Event.title, Event.title_zh, Event.starts_at)
        )
    }
    rows = [
        Breakdown(events[key], figures)
        for key, figures in _breakdown(scope, today, FollowUpItem.event_id)
    ]
    return sorted(rows, key=lambda row: row.key.starts_at, reverse=True)


@dataclass
class Month:
    month: str
    raised: int = 0
    closed: int = 0


def trend(scope: Scope) -> list[Month]:
    """Items raised and closed, month by month (city time), over the months that have any:
    one pass over the items, counting each (month raised, month closed) pair, then each
    month's raised and closed from the pairs."""
    zone = current_app.config["TIMEZONE"]
    pairs = (
        db.select(
            city_month(FollowUpItem.created_at, zone=zone).label("raised"),
            city_month(FollowUpItem.closed_at, zone=zone).label("closed"),
            sa.func.count().label("number"),
        )
        .where(scope.items())
        .group_by(sa.literal_column("1"), sa.literal_column("2"))
        .cte("pairs")
    )
    by_month = sa.union_all(
        db.select(
            pairs.c.raised.label("month"),
            pairs.c.number.label("raised"),
            sa.literal(0).label("closed"),
        ),
        db.select(pairs.c.closed, sa.literal(0), pairs.c.number).where(pairs.c.closed.is_not(None)),
    ).subquery()
    statement = (
        db.select(by_month.c.month, sa.func.sum(by_month.c.raised), sa.func.sum(by_month.c.closed))
        .group_by(by_month.c.month)
        .order_by(by_month.c.month)
    )
    return [
        Month(month, int(raised), int(closed))
        for month, raised, closed in db.session.execute(statement)
    ]


@dataclass
class Dashboard:
    scope: Scope
    headline: d.Counts
    units: list[UnitRow] = field(default_factory=list)
    categories: list[Breakdown] = field(default_factory=list)
    events: list[Breakdown] = field(default_factory=list)
    trend: list[Month] = field(default_factory=list)
    # When the figures were counted (UTC): they may come from the figures cache.
    counted_at: datetime | None = None


def dashboard(scope: Scope, today: date) -> Dashboard:
    """Every figure of the dashboard for a scope, from the figures cache when they were
    counted in the last minute and nothing changed since (dashboard.cache). Shared between
    requests: read it, never change it in place."""

    def compute() -> Dashboard:
        return Dashboard(
            scope=scope,
            headline=headline(scope, today),
            units=units(scope, today),
            categories=by_category(scope, today),
            events=by_event(scope, today),
            trend=trend(scope),
        )

    figures, counted_at = cached(("dashboard", scope, today), compute)
    return replace(figures, counted_at=counted_at)
