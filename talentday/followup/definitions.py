"""The registry of figures: what each figure counts, written once. The dashboard, the unit
card, the home pages, the report, the workbook and the ledger's drill-downs read figures by key
from `FIGURES`; the pages quote the definitions written here.

Adding a figure is one entry in `FIGURES` (and its translation): give it a key, a label, the
aggregate that counts it (or the clause of the items it counts), and the ledger arguments that
open exactly those items.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from talentday.dashboard.sql import city_date, days_between
from talentday.followup.models import (
    NOT_WAITING_ON_A_UNIT,
    FollowUpItem,
    ItemState,
    ResultClass,
    Satisfaction,
    TimelineEntry,
    TimelineKind,
)

# Staff desks and unit digests call an item "due soon" this many days before its due date.
DUE_SOON_DAYS = 7


def _zone() -> str:
    return current_app.config["TIMEZONE"]


def counted():
    """The items every figure counts: merged duplicates are counted in their main item."""
    return FollowUpItem.merged_into_id.is_(None)


def overdue(today: date):
    return sa.and_(FollowUpItem.due_on < today, FollowUpItem.state.not_in(NOT_WAITING_ON_A_UNIT))


def has_result():
    """A handling result stands: sending it back or reopening clears `resolved_at`."""
    return FollowUpItem.resolved_at.is_not(None)


def judged(today: date):
    """The items the on-time rate is taken over: answered, or late without an answer."""
    return sa.or_(has_result(), overdue(today))


def on_time():
    return sa.and_(
        has_result(), city_date(FollowUpItem.resolved_at, zone=_zone()) <= FollowUpItem.due_on
    )


def rated():
    return FollowUpItem.satisfaction.is_not(None)


def satisfied():
    return FollowUpItem.satisfaction.in_((Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED))


def closed():
    return FollowUpItem.state == ItemState.CLOSED


def raised_between(start: date | None, end: date | None):
    clauses = []
    day = city_date(FollowUpItem.created_at, zone=_zone())
    if start:
        clauses.append(day >= start)
    if end:
        clauses.append(day <= end)
    return sa.and_(sa.true(), *clauses)


def returned_by(unit_id: int):
    """Items this unit returned at least once (the timeline keeps every return)."""
    return FollowUpItem.id.in_(
        sa.select(TimelineEntry.item_id).where(
            TimelineEntry.kind == TimelineKind.RETURNED, TimelineEntry.unit_id == unit_id
        )
    )


def leading():
    """The items a unit is counted for as lead unit: a returned item waits on the organizers,
    and shows only under "returned" for the unit that returned it."""
    return sa.and_(FollowUpItem.lead_unit_id.is_not(None), FollowUpItem.state != ItemState.RETURNED)


def led_by(unit_id: int):
    return sa.and_(leading(), FollowUpItem.lead_unit_id == unit_id)


def extended():
    """Items given more time at least once (延期): the due date in force is a later one."""
    return FollowUpItem.extensions_granted > 0


def extension_asked():
    """Items whose lead unit asked for more time and the organizers have not decided yet."""
    return FollowUpItem.extension_asked_to.is_not(None)


def classed():
    """A result that stands, with its class (results given before classes were asked for
    have none, and are left out of the solved rate)."""
    return sa.and_(has_result(), FollowUpItem.result_class.is_not(None))


def solved():
    return sa.and_(has_result(), FollowUpItem.result_class == ResultClass.SOLVED)


def promise_to_check():
    """A B or C answer's promised date passed, and no organizer has checked it yet (the
    partial index of open promises finds them)."""
    return sa.and_(
        FollowUpItem.commitment_on.is_not(None),
        FollowUpItem.commitment_settled_at.is_(None),
        FollowUpItem.commitment_due_at.is_not(None),
    )


def key():
    """Key items (重点督办): a leader marked them, and the mark stands."""
    return FollowUpItem.key_at.is_not(None)


def desk_order() -> tuple:
    """How a desk and a daily list order a unit's items: key items first, then by due date."""
    return (FollowUpItem.key_at.is_(None), FollowUpItem.due_on, FollowUpItem.id)


def without_contact():
    """A result stands, and the lead unit recorded no contact with the speaker."""
    return sa.and_(has_result(), FollowUpItem.contacted_on.is_(None))


def contact_denied():
    """The speaker said, when rating, that the unit did not contact them."""
    return FollowUpItem.speaker_says_contacted.is_(False)


def _in_state(state: ItemState):
    return lambda today: FollowUpItem.state == state


@dataclass(frozen=True)
class Figure:
    """One figure. An item figure counts the counted items its `where` clause selects (or
    aggregates them with `aggregate`); a rate divides two other figures; the rest are counted
    apart (events held, speakers, co-handling, returns) and only named here."""

    key: str
    label: Any
    where: Callable[[date], Any] | None = None
    aggregate: Callable[[date], Any] | None = None
    # A whole number added up over the counted items (days of extension): 0 when none,
    # shown and exported as a count, unlike an average.
    total: Callable[[date], Any] | None = None
    # The ledger arguments that open exactly the items counted; a unit's figure adds its own
    # scope (as lead unit, unless `unit_drill` says otherwise). None: nothing to open.
    drill: Mapping[str, str] | None = None
    unit_drill: Callable[[int], dict] | None = None
    rate_of: tuple[str, str] | None = None  # (part, whole)
    note: Any = None  # says what a rate is taken over: "%(part)d of %(whole)d rated"
    definition: Any = None
    # Offered as `?figure=<key>` in the ledger (a drill-down with no filter of its own).
    ledger_filter: bool = False

    @property
    def counts_items(self) -> bool:
        return any(part is not None for part in (self.where, self.aggregate, self.total))

    def column(self, today: date):
        if self.total is not None:
            return sa.func.coalesce(sa.func.sum(self.total(today)), 0).label(self.key)
        if self.aggregate is not None:
            return self.aggregate(today).label(self.key)
        return sa.func.count().filter(self.where(today)).label(self.key)

    def empty(self):
        """The value when nothing is counted: no items is 0 items, but no average."""
        return None if self.aggregate is not None or self.rate_of else 0

    def ledger_args(self, unit_id: int | None = None) -> dict | None:
        if self.rate_of:
            return FIGURES[self.rate_of[0]].ledger_args(unit_id)
        if unit_id is not None and self.unit_drill is not None:
            return self.unit_drill(unit_id)
        if self.drill is None:
            return None
        scope = {"unit": unit_id, "role": "lead"} if unit_id is not None else {}
        return {**scope, **self.drill}


def _all(today: date):
    return sa.true()


def _average_days(today: date):
    return sa.func.avg(days_between(FollowUpItem.assigned_at, FollowUpItem.resolved_at)).filter(
        has_result(), FollowUpItem.assigned_at.is_not(None)
    )


_FIGURES = [
    Figure("events_held", _l("Events held")),
    Figure("speakers", _l("Speakers")),
    Figure(
        "suggestions",
        _l("Suggestions raised"),
        where=_all,
        drill={},
        definition=_l(
            "Suggestions raised: follow-up items raised in the period; suggestions merged "
            "into another item count once."
        ),
    ),
    Figure(
        "as_lead",
        _l("As lead unit"),
        where=_all,
        drill={},
    ),
    Figure(
        "as_co",
        _l("As co-handling unit"),
        unit_drill=lambda unit: {"unit": unit, "role": "co"},
    ),
    Figure("open", _l("Not closed"), where=lambda today: ~closed(), drill={"state": "open"}),
    Figure(
        "closed",
        _l("Closed"),
        where=lambda today: closed(),
        drill={"state": "closed"},
        definition=_l("Closed: items the organizers have closed."),
    ),
    Figure(
        "overdue",
        _l("Overdue now"),
        where=overdue,
        drill={"overdue": "1"},
        definition=_l(
            "Overdue now: the due date has passed and the item is neither resolved nor "
            "closed; an item a unit returned waits on the organizers and is nobody's overdue "
            "item."
        ),
    ),
    Figure(
        "with_result",
        _l("With a handling result"),
        where=lambda today: has_result(),
        drill={"figure": "with_result"},
        ledger_filter=True,
    ),
    Figure(
        "judged",
        _l("Answered or overdue"),
        where=judged,
        drill={"figure": "judged"},
        ledger_filter=True,
    ),
    Figure(
        "on_time",
        _l("On time"),
        where=lambda today: on_time(),
        drill={"figure": "on_time"},
        ledger_filter=True,
        definition=_l(
            "On time: the handling result that stands came on or before the due date (a "
            "result sent back or reopened no longer counts). The on-time rate is the share of "
            "on-time items among those with a result or overdue now: an open overdue item "
            "counts as late."
        ),
    ),
    Figure(
        "on_time_rate",
        _l("On-time rate"),
        rate_of=("on_time", "judged"),
        note=_l("%(part)d of %(whole)d answered or overdue"),
    ),
    Figure(
        "rated",
        _l("Rated by speakers"),
        where=lambda today: rated(),
        drill={"figure": "rated"},
        ledger_filter=True,
    ),
    Figure(
        "satisfied",
        _l("Satisfied"),
        where=lambda today: satisfied(),
        drill={"figure": "satisfied"},
        ledger_filter=True,
        definition=_l(
            "Satisfied: the speaker rated the answer satisfied or basically satisfied; the "
            "share is taken over the rated items."
        ),
    ),
    Figure(
        "satisfied_share",
        _l("Satisfied share"),
        rate_of=("satisfied", "rated"),
        note=_l("%(part)d of %(whole)d rated"),
    ),
    Figure(
        "classed",
        _l("Answers classed"),
        where=lambda today: classed(),
        drill={"figure": "classed"},
        ledger_filter=True,
    ),
    Figure(
        "solved",
        _l("Solved (A)"),
        where=lambda today: solved(),
        drill={"figure": "solved"},
        ledger_filter=True,
        definition=_l(
            "Solved (A): the answer that stands is classed A, solved or adopted; B (being "
            "solved), C (planned) and D (cannot be solved now) are not. The solved rate is "
            "the share of A among the classed answers, beside the satisfied share: a speaker "
            "may be satisfied with an answer that solves nothing yet."
        ),
    ),
    Figure(
        "solved_rate",
        _l("Solved rate"),
        rate_of=("solved", "classed"),
        note=_l("%(part)d of %(whole)d classed answers"),
    ),
    Figure(
        "average_days",
        _l("Average days to result"),
        aggregate=_average_days,
        definition=_l(
            "Average days to result: from assignment to the handling result, over the items "
            "with a result."
        ),
    ),
    Figure(
        "extended",
        _l("Given more time"),
        where=lambda today: extended(),
        drill={"figure": "extended"},
        ledger_filter=True,
        definition=_l(
            "Given more time: items whose due date the organizers extended at least once, at "
            "their lead unit's request; on time is judged against the due date in force when "
            "the result came."
        ),
    ),
    Figure(
        "days_extended",
        _l("Days of extension"),
        total=lambda today: FollowUpItem.days_extended,
        definition=_l(
            "Days of extension: the calendar days the extensions granted added to the due "
            "dates, in all."
        ),
    ),
    Figure(
        "returned",
        _l("Returned"),
        unit_drill=lambda unit: {"returned_by": unit},
        definition=_l("Returned: items the unit returned to the organizers at least once."),
    ),
    Figure(
        "without_contact",
        _l("Answered without contact"),
        where=lambda today: without_contact(),
        drill={"figure": "without_contact"},
        ledger_filter=True,
        definition=_l(
            "Answered without contact: a handling result stands and the lead unit recorded "
            "no contact with the speaker (a meeting, a phone call or a letter) on the item."
        ),
    ),
    Figure(
        "contact_denied",
        _l("Speaker says not contacted"),
        where=lambda today: contact_denied(),
        drill={"figure": "contact_denied"},
        ledger_filter=True,
        definition=_l(
            "Speaker says not contacted: when rating the answer, the speaker said the unit "
            "did not contact them before answering."
        ),
    ),
    Figure(
        "key",
        _l("Key items"),
        where=lambda today: key(),
        drill={"figure": "key"},
        ledger_filter=True,
        definition=_l(
            "Key items: items a leader marked for supervision with an instruction, "
            "and has not lifted the mark from; they come first on their units' desks."
        ),
    ),
    Figure(
        "key_overdue",
        _l("Key items overdue"),
        where=lambda today: sa.and_(key(), overdue(today)),
        drill={"figure": "key_overdue"},
        ledger_filter=True,
        definition=_l(
            "Key items overdue: key items that are overdue now; the daily run tells the "
            "leaders and organizers of each one once for every due date it misses."
        ),
    ),
    # Not counted here: made from the unit's figures above (dashboard.scores), and defined
    # here with them.
    Figure(
        "score",
        _l("Score"),
        definition=_l(
            "Score: for the year-end assessment, the weighted mean, out of 100, of a unit's "
            "shares as lead unit: on time, solved (A), satisfied, not returned, without "
            "extension and answered with a contact made; a part without a base (nothing "
            "answered, rated or classed) is left out. The admins set the weights and how "
            "many items a unit needs as lead unit to be ranked; each unit's card explains "
            "its score."
        ),
    ),
    # What waits on the organizers: their desk's groups.
    Figure(
        "to_assign",
        _l("New suggestions to assign"),
        where=_in_state(ItemState.NEW),
        drill={"state": ItemState.NEW.value},
    ),
    Figure(
        "to_reassign",
        _l("Returned by a unit, to assign again"),
        where=_in_state(ItemState.RETURNED),
        drill={"state": ItemState.RETURNED.value},
        definition=_l(
            "Returned, to assign again: a unit returned the item; it waits on the organizers, "
            "and its due date starts again when it is reassigned."
        ),
    ),
    Figure(
        "extension_asked",
        _l("Asking for more time, to decide"),
        where=lambda today: extension_asked(),
        drill={"figure": "extension_asked"},
        ledger_filter=True,
    ),
    Figure(
        "promise_to_check",
        _l("Promised date passed, to check"),
        where=lambda today: promise_to_check(),
        drill={"figure": "promise_to_check"},
        ledger_filter=True,
        definition=_l(
            "Promised date passed, to check: a B or C answer promised the work by a date "
            "that has passed; the speaker is asked whether it was done, and an organizer "
            "checks it (kept: the answer becomes A; not kept: the item goes back to the "
            "lead unit)."
        ),
    ),
    Figure(
        "to_close",
        _l("Resolved, waiting for the organizers to close"),
        where=_in_state(ItemState.RESOLVED),
        drill={"state": ItemState.RESOLVED.value},
    ),
]

FIGURES: dict[str, Figure] = {figure.key: figure for figure in _FIGURES}

# The sentences under "How the figures are counted", in the registry's order.
DEFINITIONS = {figure.key: figure.definition for figure in _FIGURES if figure.definition}

# The figures a ledger drill-down may name as `?figure=<key>`.
LEDGER_FIGURES = frozenset(key for key, figure in FIGURES.items() if figure.ledger_filter)


def columns(keys, today: date) -> list:
    """The aggregate columns of these item figures, labelled by key."""
    return [FIGURES[key].column(today) for key in keys]


class Counts(Mapping):
    """Figures by key, as a query counted them; rates are worked out from their parts. A key
    the registry does not know, or one this query did not count, is an error, never a
    silent zero."""

    def __init__(self, values: Mapping[str, Any] | None = None):
        self._values = dict(values or {})

    def __getitem__(self, key: str):
        figure = FIGURES[key]
        if figure.rate_of:
            part, whole = (self[name] for name in figure.rate_of)
            return part / whole if whole else None
        if key not in self._values:
            raise KeyError(f"the figure {key!r} was not counted here")
        value = self._values[key]
        return figure.empty() if value is None else value

    def __getattr__(self, key: str):
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def update(self, values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            if key not in FIGURES:
                raise KeyError(f"no figure {key!r} in the registry")
            self._values[key] = value

    def note(self, key: str) -> str | None:
        """A rate's base in words: "3 of 4 rated"."""
        figure = FIGURES[key]
        if not figure.note:
            return None
        part, whole = figure.rate_of
        return str(figure.note) % {"part": self[part], "whole": self[whole]}
