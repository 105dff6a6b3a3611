"""The ledger (台账): every item the user may see, filtered, sorted, and exported."""

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, load_only, selectinload

from talentday import exports
from talentday.auth.models import User
from talentday.events.models import Event
from talentday.exports import Column, Kind, Table, describe_period
from talentday.extensions import db
from talentday.followup import definitions
from talentday.followup.definitions import FIGURES, LEDGER_FIGURES
from talentday.followup.models import (
    ITEM_DISPLAY_LOADS,
    Attachment,
    Category,
    FollowUpItem,
    ItemState,
    TimelineEntry,
    TimelineKind,
)
from talentday.followup.permissions import co_handled_by, handled_by, visible_items
from talentday.forms import to_date, to_int
from talentday.i18n import to_city_time
from talentday.navigation import PageNumbers
from talentday.registrations.models import Speaker
from talentday.units.models import ResponsibleUnit

# Items without a due date (not yet assigned) come last either way, on every database.
SORT_KEYS = {
    "due": (FollowUpItem.due_on.is_(None), FollowUpItem.due_on, FollowUpItem.id),
    "-due": (FollowUpItem.due_on.is_(None), FollowUpItem.due_on.desc(), FollowUpItem.id.desc()),
    "raised": (FollowUpItem.created_at, FollowUpItem.id),
    "-raised": (FollowUpItem.created_at.desc(), FollowUpItem.id.desc()),
    "number": (FollowUpItem.id,),
    "state": (FollowUpItem.state, FollowUpItem.id),
}


@dataclass
class Filters:
    event: int | None = None
    category: int | None = None
    unit: int | None = None
    role: str = ""  # "lead" or "co" with a unit: as lead unit only, or as co-handler only
    state: str = ""
    overdue: bool = False
    due_from: date | None = None
    due_to: date | None = None
    q: str = ""
    sort: str = "due"
    # The dashboard's drill-downs: each figure links to exactly the items it counts.
    figure: str = ""
    returned_by: int | None = None
    raised_from: date | None = None
    raised_to: date | None = None

    @classmethod
    def from_args(cls, args) -> "Filters":
        state = args.get("state", "")
        sort = args.get("sort", "due")
        return cls(
            event=to_int(args.get("event")),
            category=to_int(args.get("category")),
            unit=to_int(args.get("unit")),
            role=args.get("role", "") if args.get("role") in ("lead", "co") else "",
            state=state if state in {s.value for s in ItemState} | {"open"} else "",
            overdue=args.get("overdue") in ("1", "on", "yes", "true"),
            due_from=to_date(args.get("due_from")),
            due_to=to_date(args.get("due_to")),
            q=args.get("q", "").strip()[:200],
            sort=sort if sort in SORT_KEYS else "due",
            figure=args.get("figure", "") if args.get("figure") in LEDGER_FIGURES else "",
            returned_by=to_int(args.get("returned_by")),
            raised_from=to_date(args.get("raised_from")),
            raised_to=to_date(args.get("raised_to")),
        )

    def as_args(self) -> dict:
        """The filters as URL arguments: a filtered ledger can be bookmarked and linked."""
        values = {
            "event": self.event,
            "category": self.category,
            "unit": self.unit,
            "role": self.role,
            "state": self.state,
            "overdue": "1" if self.overdue else None,
            "due_from": self.due_from.isoformat() if self.due_from else None,
            "due_to": self.due_to.isoformat() if self.due_to else None,
            "q": self.q,
            "sort": self.sort if self.sort != "due" else None,
            "figure": self.figure,
            "returned_by": self.returned_by,
            "raised_from": self.raised_from.isoformat() if self.raised_from else None,
            "raised_to": self.raised_to.isoformat() if self.raised_to else None,
        }
        return {key: value for key, value in values.items() if value}


# The characters Werkzeug leaves unescaped in a query string (the URL standard's list).
QUERY_SAFE = "!$'()*,/:;?@"


class LedgerLinks:
    """Links into the ledger within a scope (a period, an event): `figure(key)` opens exactly
    the items that figure counts, for a unit if one is named.

    A dashboard holds thousands of these links: the ledger's address is built by `url_for`
    once, and each link only adds its query string, encoded as `url_for` encodes it."""

    def __init__(self, _base: str | None = None, **scope):
        self.scope = {key: value for key, value in scope.items() if value is not None}
        self._base = _base

    @property
    def base(self) -> str:
        if self._base is None:
            self._base = url_for("followup.ledger_page")
        return self._base

    def __call__(self, **extra) -> str:
        values = {**self.scope, **extra}
        # What Werkzeug's url_for writes: None left out, the same characters kept as they are.
        query = urlencode(
            [(key, value) for key, value in values.items() if value is not None],
            safe=QUERY_SAFE,
        )
        return f"{self.base}?{query}" if query else self.base

    def figure(self, key: str, unit: int | None = None) -> str | None:
        args = FIGURES[key].ledger_args(unit)
        return None if args is None else self(**args)

    def scoped(self, **more) -> "LedgerLinks":
        """Narrower links; a key given again (the dashboard of one event, its event rows)
        replaces the scope's own."""
        return LedgerLinks(_base=self.base, **{**self.scope, **more})


def clauses(user: User, filters: Filters, today: date) -> list:
    """The WHERE clauses of the items these filters select, of those the user may see."""
    where = [visible_items(user), definitions.counted()]
    if filters.event:
        where.append(FollowUpItem.event_id == filters.event)
    if filters.category:
        where.append(FollowUpItem.category_id == filters.category)
    if filters.unit:
        if filters.role == "lead":
            where.append(definitions.led_by(filters.unit))
        elif filters.role == "co":
            where.append(co_handled_by(filters.unit))
        else:
            where.append(handled_by(filters.unit))
    if filters.state == "open":
        where.append(FollowUpItem.state != ItemState.CLOSED)
    elif filters.state:
        where.append(FollowUpItem.state == ItemState(filters.state))
    if filters.overdue:
        where.append(definitions.overdue(today))
    if filters.figure:
        where.append(FIGURES[filters.figure].where(today))
    if filters.returned_by:
        where.append(definitions.returned_by(filters.returned_by))
    if filters.raised_from or filters.raised_to:
        where.append(definitions.raised_between(filters.raised_from, filters.raised_to))
    if filters.due_from:
        where.append(FollowUpItem.due_on >= filters.due_from)
    if filters.due_to:
        where.append(FollowUpItem.due_on <= filters.due_to)
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        by_speaker = sa.select(Speaker.id).where(sa.func.lower(Speaker.name).like(pattern))
        where.append(
            sa.or_(
                sa.func.lower(FollowUpItem.content).like(pattern),
                sa.func.lower(FollowUpItem.result).like(pattern),
                sa.func.lower(FollowUpItem.raised_by_name).like(pattern),
                FollowUpItem.speaker_id.in_(by_speaker),
            )
        )
    return where


def statement(user: User, filters: Filters, today: date, loads=None):
    """The items the user may see with these filters, in the sort order; loaded for a page
    (ITEM_DISPLAY_LOADS) unless `loads` says otherwise (EXPORT_LOADS)."""
    return (
        db.select(FollowUpItem)
        .where(*clauses(user, filters, today))
        .options(*(ITEM_DISPLAY_LOADS if loads is None else loads))
        .order_by(*SORT_KEYS[filters.sort])
    )


# An export reads every item: only the columns its row shows (`row`). A unit or category is
# on thousands of rows: all of them are read once (`_preload_names`) and each row's finds
# its own in the session's identity map, without a join or a query.
EXPORT_LOADS = (
    load_only(
        FollowUpItem.id,
        FollowUpItem.content,
        FollowUpItem.raised_by_name,
        FollowUpItem.due_on,
        FollowUpItem.state,
        FollowUpItem.result,
        FollowUpItem.satisfaction,
        FollowUpItem.event_id,
        FollowUpItem.category_id,
        FollowUpItem.lead_unit_id,
        FollowUpItem.speaker_id,
    ),
    joinedload(FollowUpItem.event).load_only(Event.id, Event.title, Event.title_zh),
    joinedload(FollowUpItem.speaker).load_only(Speaker.id, Speaker.name, Speaker.anonymised_at),
    selectinload(FollowUpItem.co_units),
)


def _preload_names() -> list:
    """Every unit and category, held while the export runs (a few hundred rows)."""
    return [
        *db.session.scalars(db.select(ResponsibleUnit)),
        *db.session.scalars(db.select(Category)),
    ]


# Beyond this many items the ledger says "more than 10,000" instead of counting them all: a
# count reads every matching index entry, the page itself only 25.
COUNT_CAP = 10_000


@dataclass
class Page(PageNumbers):
    """One page of the ledger, shaped like Flask-SQLAlchemy's pagination for the macro; with
    `capped`, there are more than COUNT_CAP items and `total` and `pages` are not known."""

    items: list
    page: int
    per_page: int
    total: int | None
    has_next: bool

    @property
    def capped(self) -> bool:
        return self.total is None

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.per_page))


def page(user: User, filters: Filters, today: date, number: int, per_page: int = 25) -> Page:
    """A page of the ledger and the number of items, counted up to COUNT_CAP."""
    where = clauses(user, filters, today)
    found = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            sa.select(FollowUpItem.id).where(*where).limit(COUNT_CAP + 1).subquery()
        )
    )
    total = found if found <= COUNT_CAP else None
    start = (number - 1) * per_page
    if total is not None and start >= total:
        items = []
    else:
        items = list(
            db.session.scalars(
                statement(user, filters, today).limit(per_page + 1).offset(start)
            ).unique()
        )
    return Page(
        items=items[:per_page],
        page=number,
        per_page=per_page,
        total=total,
        has_next=len(items) > per_page,
    )


# The ledger's event filter offers the most recent events (and the one chosen): a province
# holds thousands of events over the years, and one select box of them all weighed more than
# the ledger's page of items.
RECENT_EVENTS = 50


def event_choices(chosen: int | None) -> list[Event]:
    """The events the ledger's filter offers, newest first: the recent ones and the chosen."""
    newest = (Event.starts_at.desc(), Event.id.desc())
    recent = sa.select(Event.id).order_by(*newest).limit(RECENT_EVENTS)
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(sa.or_(Event.id.in_(recent), Event.id == chosen))
            .order_by(*newest)
        )
    )


# Ids bound in one query of latest notes: far under the 65,535 parameters PostgreSQL accepts
# in a statement (and SQLite's 32,766), however many items an export holds.
NOTES_BATCH = 1000
# Items an export reads from the database at a time (a server-side cursor on PostgreSQL):
# the worker holds one batch of objects, never the whole ledger.
EXPORT_BATCH = 1000


def files_attached(item_ids: list[int]) -> dict[int, int]:
    """How many files each item's notes and results carry: one query per NOTES_BATCH items."""
    counted: dict[int, int] = {}
    for start in range(0, len(item_ids), NOTES_BATCH):
        batch = item_ids[start : start + NOTES_BATCH]
        counted.update(
            db.session.execute(
                sa.select(Attachment.item_id, sa.func.count())
                .where(Attachment.item_id.in_(batch))
                .group_by(Attachment.item_id)
            ).all()
        )
    return counted


def latest_notes(item_ids: list[int]) -> dict[int, TimelineEntry]:
    """Each item's latest progress note or result: one query per NOTES_BATCH items."""
    latest: dict[int, TimelineEntry] = {}
    for start in range(0, len(item_ids), NOTES_BATCH):
        latest.update(_latest_notes(item_ids[start : start + NOTES_BATCH]))
    return latest


def _latest_notes(item_ids: list[int]) -> dict[int, TimelineEntry]:
    if not item_ids:
        return {}
    ranked = (
        sa.select(
            TimelineEntry.id,
            sa.func.row_number()
            .over(
                partition_by=TimelineEntry.item_id,
                order_by=(TimelineEntry.at.desc(), TimelineEntry.id.desc()),
            )
            .label("rank"),
        )
        .where(
            TimelineEntry.item_id.in_(item_ids),
            TimelineEntry.kind.in_((TimelineKind.PROGRESS, TimelineKind.RESULT)),
            TimelineEntry.note != "",
        )
        .subquery()
    )
    entries = db.session.scalars(
        db.select(TimelineEntry)
        .join(ranked, ranked.c.id == TimelineEntry.id)
        .where(ranked.c.rank == 1)
        .options(joinedload(TimelineEntry.unit))
    )
    return {entry.item_id: entry for entry in entries}


@dataclass(frozen=True)
class FilterTag:
    """One filter in force, in words, and the URL arguments that removing it clears."""

    label: str
    keys: tuple[str, ...]

    @property
    def cleared(self) -> dict[str, None]:
        return dict.fromkeys(self.keys)


def filter_tags(filters: Filters) -> list[FilterTag]:
    """The filters in force in words: the tags above the ledger, each removable, and the line
    above an export's header. A dashboard's drill-down (a figure, a unit's role, the period
    raised) is a filter like the others: shown, and kept when another changes."""

    def name(model, key, attribute="display_name") -> str:
        found = db.session.get(model, key)
        return getattr(found, attribute) if found else f"#{key}"

    tags = []

    def add(label, *keys):
        tags.append(FilterTag(str(label), keys))

    if filters.overdue:
        add(_("Overdue"), "overdue")
    if filters.state == "open":
        add(_("Not closed"), "state")
    elif filters.state:
        add(_("state: %(state)s", state=ItemState(filters.state).label), "state")
    if filters.event:
        add(_("event: %(title)s", title=name(Event, filters.event, "display_title")), "event")
    if filters.category:
        add(_("category: %(name)s", name=name(Category, filters.category)), "category")
    if filters.unit:
        unit = name(ResponsibleUnit, filters.unit)
        if filters.role == "lead":
            add(_("lead unit: %(name)s", name=unit), "unit", "role")
        elif filters.role == "co":
            add(_("co-handling unit: %(name)s", name=unit), "unit", "role")
        else:
            add(_("unit: %(name)s", name=unit), "unit", "role")
    if filters.figure:
        add(_("counted as: %(figure)s", figure=FIGURES[filters.figure].label), "figure")
    if filters.returned_by:
        add(
            _("returned by: %(name)s", name=name(ResponsibleUnit, filters.returned_by)),
            "returned_by",
        )
    if filters.raised_from or filters.raised_to:
        period = describe_period(filters.raised_from, filters.raised_to)
        add(_("raised %(period)s", period=period), "raised_from", "raised_to")
    if filters.due_from or filters.due_to:
        period = describe_period(filters.due_from, filters.due_to)
        add(_("due %(period)s", period=period), "due_from", "due_to")
    if filters.q:
        add(_("search: %(text)s", text=filters.q), "q")
    return tags


# Filters a dashboard's link sets that the filter form has no control for: carried in
# hidden inputs, so that pressing Filter keeps them.
HIDDEN_FILTERS = ("role", "figure", "returned_by", "raised_from", "raised_to")


def describe(filters: Filters) -> str:
    """The ledger's filters in words, for the line above an export's header."""
    return describe_tags(filter_tags(filters))


def describe_tags(tags: list[FilterTag]) -> str:
    return exports.describe([tag.label for tag in tags], _("All items you may see"))


COLUMNS = (
    (_l("Number"), Kind.INTEGER),
    (_l("Event"), Kind.TEXT),
    (_l("Category"), Kind.TEXT),
    (_l("Suggestion"), Kind.TEXT),
    (_l("Raised by"), Kind.TEXT),
    (_l("Lead unit"), Kind.TEXT),
    (_l("Co-handling units"), Kind.TEXT),
    (_l("Due"), Kind.DATE),
    (_l("Extensions granted"), Kind.INTEGER),
    (_l("Days of extension"), Kind.INTEGER),
    (_l("More time asked to"), Kind.DATE),
    (_l("State"), Kind.TEXT),
    (_l("Key item: the leader's instruction"), Kind.TEXT),
    (_l("Days overdue"), Kind.INTEGER),
    (_l("Latest progress"), Kind.TEXT),
    (_l("Handling result"), Kind.TEXT),
    (_l("What the answer promises"), Kind.TEXT),
    (_l("Promised to be done by"), Kind.DATE),
    (_l("Satisfaction"), Kind.TEXT),
    (_l("Files"), Kind.INTEGER),
    (_l("Last contact with the speaker"), Kind.DATE),
    (_l("Speaker says contacted"), Kind.TEXT),
    (_l("On the public results page since"), Kind.DATE),
)


class Names:
    """Names in the reader's language, each looked up once per export rather than once per
    row: a unit, a category, a state is on thousands of rows, and each lookup asks Babel."""

    def __init__(self):
        self.cache: dict = {}

    def __call__(self, thing) -> str:
        if thing is None:
            return ""
        key = (type(thing), thing if isinstance(thing, enum.Enum) else thing.id)
        if key not in self.cache:
            is_enum = isinstance(thing, enum.Enum)
            self.cache[key] = str(thing.label) if is_enum else thing.display_name
        return self.cache[key]


def row(
    item: FollowUpItem,
    latest: dict[int, TimelineEntry],
    today: date,
    names=None,
    files: dict[int, int] | None = None,
) -> list:
    names = names or Names()
    return [
        item.id,
        item.event.display_title,
        names(item.category),
        item.content,
        item.raised_by,
        names(item.lead_unit),
        "; ".join(names(unit) for unit in item.co_units),
        item.due_on,
        item.extensions_granted,
        item.days_extended,
        item.extension_asked_to,
        names(item.state),
        item.key_instruction if item.is_key else "",
        (today - item.due_on).days if item.is_overdue(today) else None,
        latest[item.id].note if item.id in latest else "",
        item.result,
        names(item.result_class),
        item.commitment_on,
        names(item.satisfaction),
        (files or {}).get(item.id, 0),
        item.contacted_on,
        _yes_no(item.speaker_says_contacted),
        to_city_time(item.published_at).date() if item.published_at else None,
    ]


def _yes_no(answer: bool | None) -> str:
    if answer is None:
        return ""
    return _("Yes") if answer else _("No")


def count(query) -> int:
    """How many rows a query gives, counted in SQL (for the download audit)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )


def rows(query, today: date) -> Iterator[list]:
    """The rows of an export, read EXPORT_BATCH items at a time (a server-side cursor on
    PostgreSQL) with each batch's latest notes: memory stays that of one batch however
    many items there are. Nothing is read before the first row is asked for."""
    names = Names()
    held = _preload_names()  # noqa: F841 (kept referenced: the identity map is weak)
    result = db.session.scalars(query.execution_options(yield_per=EXPORT_BATCH))
    for batch in result.partitions():
        ids = [item.id for item in batch]
        latest, files = latest_notes(ids), files_attached(ids)
        for item in batch:
            yield row(item, latest, today, names, files)


def table(user: User, filters: Filters, today: date) -> Table:
    """One row per item the user may see with these filters, with its latest progress and
    its result; the rows come as the file is written (see `rows`)."""
    query = statement(user, filters, today, loads=EXPORT_LOADS)
    return Table(
        title=_("Ledger"),
        columns=[Column(str(label), kind) for label, kind in COLUMNS],
        rows=rows(query, today),
        count=count(query),
        description=describe(filters),
        stem="followup-ledger",
    )
