"""What the figures mean, written once: the ledger, the dashboard, the unit card, the report
and the exports all use these clauses, and the pages quote these sentences."""

from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from talentday.dashboard.sql import city_date
from talentday.followup.models import (
    NOT_WAITING_ON_A_UNIT,
    FollowUpItem,
    ItemState,
    Satisfaction,
    TimelineEntry,
    TimelineKind,
)

# Staff desks and unit digests call an item "due soon" this many days before its due date.
DUE_SOON_DAYS = 7

DEFINITIONS = {
    "suggestions": _l(
        "Suggestions raised: follow-up items raised in the period; suggestions merged into "
        "another item count once."
    ),
    "closed": _l("Closed: items the organizers have closed."),
    "overdue": _l(
        "Overdue now: the due date has passed and the item is neither resolved nor closed; an "
        "item a unit returned waits on the organizers and is nobody's overdue item."
    ),
    "on_time": _l(
        "On time: the handling result that stands came on or before the due date (a result "
        "sent back or reopened no longer counts). The on-time rate is the share of on-time "
        "items among those with a result or overdue now: an open overdue item counts as late."
    ),
    "satisfied": _l(
        "Satisfied: the speaker rated the answer satisfied or basically satisfied; the share "
        "is taken over the rated items."
    ),
    "days": _l(
        "Average days to result: from assignment to the handling result, over the items "
        "with a result."
    ),
    "returned": _l("Returned: items the unit returned to the organizers at least once."),
}


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
