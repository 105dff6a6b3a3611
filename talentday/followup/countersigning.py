"""Countersigning (会签): which co-handling units have given their opinion on an item, and
whose opinion its lead unit's result still waits for. Read by the table of moves (an organizer
may waive only what is missing) and by the services."""

from talentday.extensions import db
from talentday.followup.models import FollowUpItem, TimelineEntry, TimelineKind
from talentday.units.models import ResponsibleUnit


def opinions(item: FollowUpItem) -> dict[int, TimelineEntry]:
    """Each co-handling unit's latest opinion on the item, by unit: one query."""
    entries = db.session.scalars(
        db.select(TimelineEntry)
        .where(
            TimelineEntry.item_id == item.id,
            TimelineEntry.kind == TimelineKind.CO_OPINION,
            TimelineEntry.unit_id.is_not(None),
        )
        .order_by(TimelineEntry.at, TimelineEntry.id)
    )
    return {entry.unit_id: entry for entry in entries}


def opinions_missing(item: FollowUpItem) -> list[ResponsibleUnit]:
    """The co-handling units whose opinion the lead unit's result still waits for."""
    if not item.co_units or item.opinions_waived_at is not None:
        return []
    given = opinions(item)
    return [unit for unit in item.co_units if unit.id not in given]
