"""Who may see and do what with a follow-up item. One place, used by every view."""

import enum

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased

from talentday.auth.models import Role, User
from talentday.followup.models import FollowUpItem, ItemState, followup_item_co_unit


class Standing(enum.Enum):
    """A user's relation to one item."""

    ORGANIZER = "organizer"
    LEADER = "leader"
    LEAD_UNIT = "lead_unit"
    CO_UNIT = "co_unit"
    NONE = "none"


def standing(user: User, item: FollowUpItem) -> Standing:
    if not user.is_authenticated:
        return Standing.NONE
    if user.role is Role.ORGANIZER:
        return Standing.ORGANIZER
    if user.role is Role.LEADER:
        return Standing.LEADER
    if user.role is Role.DEPARTMENT_STAFF and user.unit_id is not None:
        # A unit sees an item from its assignment on: a returned item was theirs once.
        if item.state is ItemState.NEW:
            return Standing.NONE
        if item.lead_unit_id == user.unit_id:
            return Standing.LEAD_UNIT
        if any(unit.id == user.unit_id for unit in item.co_units):
            return Standing.CO_UNIT
    return Standing.NONE


def require_visible(user: User, item: FollowUpItem | None) -> Standing:
    """404 for anyone who may not see the item: they must not learn that it exists."""
    if item is None:
        abort(404)
    relation = standing(user, item)
    if relation is Standing.NONE:
        abort(404)
    return relation


def co_handled_by(unit_id: int):
    """A WHERE clause: the items this unit co-handles."""
    return FollowUpItem.id.in_(
        sa.select(followup_item_co_unit.c.item_id).where(followup_item_co_unit.c.unit_id == unit_id)
    )


def handled_by(unit_id: int):
    """A WHERE clause: the items this unit leads or co-handles.

    Written as one `id IN (... UNION ALL ...)` rather than `lead_unit_id = X OR id IN (...)`:
    each half then reads its own index (a unit's led items, its co-units), where the OR made
    PostgreSQL read every item."""
    led = aliased(FollowUpItem)
    return FollowUpItem.id.in_(
        sa.union_all(
            sa.select(led.id).where(led.lead_unit_id == unit_id),
            sa.select(followup_item_co_unit.c.item_id).where(
                followup_item_co_unit.c.unit_id == unit_id
            ),
        )
    )


def visible_items(user: User):
    """A WHERE clause selecting the items this user may see, for lists and counts."""
    if user.role in (Role.ORGANIZER, Role.LEADER):
        return sa.true()
    if user.role is Role.DEPARTMENT_STAFF and user.unit_id is not None:
        return sa.and_(
            FollowUpItem.state != ItemState.NEW,
            handled_by(user.unit_id),
        )
    return sa.false()


def can_see_contact_details(user: User, item: FollowUpItem) -> bool:
    """Speakers' phones and emails: organizers, and the lead unit of that speaker's item."""
    return standing(user, item) in (Standing.ORGANIZER, Standing.LEAD_UNIT)
