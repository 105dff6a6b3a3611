"""Reminders (for cron): each unit's digest of items due soon and late, the organizers'
summary, and the escalation of key items gone overdue to the leaders and organizers. Running
it again the same day flags nothing twice and sends nothing twice."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup import timeline
from talentday.followup.definitions import DUE_SOON_DAYS, desk_order
from talentday.followup.models import (
    DONE_STATES,
    FollowUpItem,
    ItemState,
    TimelineEntry,
    TimelineKind,
)
from talentday.followup.services import _record, organizers, promises_come_due, unit_staff
from talentday.i18n import city_zone
from talentday.outbox import robots
from talentday.outbox.models import OutboxMessage
from talentday.outbox.robots import queue_robot_message
from talentday.outbox.services import ROBOT_CHANNELS, queue_message
from talentday.units.models import ResponsibleUnit


@dataclass
class ReminderRun:
    flagged: list[int] = field(default_factory=list)
    digests: int = 0
    robot_digests: int = 0
    summaries: int = 0
    # Answers whose promised date passed: back on the organizers' desk, speakers asked.
    promises_due: list[int] = field(default_factory=list)
    # Key items gone overdue, told to the leaders and organizers (one message each).
    escalated: list[int] = field(default_factory=list)
    escalations: int = 0


def open_assigned_items() -> list[FollowUpItem]:
    return list(
        db.session.scalars(
            db.select(FollowUpItem)
            .where(
                FollowUpItem.lead_unit_id.is_not(None),
                FollowUpItem.state.not_in(DONE_STATES),
                FollowUpItem.state != ItemState.RETURNED,
                FollowUpItem.merged_into_id.is_(None),
            )
            .options(
                joinedload(FollowUpItem.lead_unit),
                joinedload(FollowUpItem.event),
                selectinload(FollowUpItem.co_units),
            )
            .order_by(*desk_order())
        )
    )


def _flag_newly_overdue(items: list[FollowUpItem], today: date) -> list[int]:
    """An item that became overdue since it was (last) assigned gets one timeline entry."""
    overdue = [item for item in items if item.is_overdue(today)]
    if not overdue:
        return []
    flagged_since = dict(
        db.session.execute(
            db.select(TimelineEntry.item_id, sa.func.max(TimelineEntry.at))
            .where(
                TimelineEntry.item_id.in_([item.id for item in overdue]),
                TimelineEntry.kind == TimelineKind.BECAME_OVERDUE,
            )
            .group_by(TimelineEntry.item_id)
        ).all()
    )
    flagged = []
    for item in overdue:
        last_flag = flagged_since.get(item.id)
        if last_flag is not None and (item.assigned_at is None or last_flag >= item.assigned_at):
            continue
        days = (today - item.due_on).days
        _record(item, TimelineKind.BECAME_OVERDUE, details=timeline.overdue(item.due_on, days))
        flagged.append(item.id)
    return flagged


def _already_sent_today(kind: str, today: date, *, email: str = "", robot_of: int = 0) -> bool:
    """A message of `kind` went today (in the city's day) to `email`, or to the group robot
    of unit `robot_of`: a second run of `flask remind` on one day sends nothing twice."""
    start = datetime.combine(today, time.min, tzinfo=city_zone())
    if robot_of:
        to = sa.and_(OutboxMessage.channel.in_(ROBOT_CHANNELS), OutboxMessage.unit_id == robot_of)
    else:
        to = OutboxMessage.to_email == email
    statement = db.select(OutboxMessage.id).where(
        OutboxMessage.kind == kind, to, OutboxMessage.created_at >= start
    )
    return db.session.scalar(statement.limit(1)) is not None


def _queue_robot_digest(unit: ResponsibleUnit, late, due_soon, today: date) -> bool:
    """The unit's group robot gets the digest too (once a day), in the site's language."""
    if not unit.has_robot or _already_sent_today("unit_digest", today, robot_of=unit.id):
        return False
    locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    queue_robot_message(
        kind="unit_digest",
        unit=unit,
        subject=_l("Follow-up items of %(unit)s: %(late)d overdue", unit=unit.name, late=len(late)),
        body=robots.digest_body(unit, late, due_soon, today, locale),
        locale=locale,
    )
    return True


def items_by_unit(items: list[FollowUpItem], today: date) -> dict[int, tuple[list, list]]:
    """The units' digests: for each unit leading or helping with an item among `items` (the
    open assigned ones) that is overdue or due within DUE_SOON_DAYS, (overdue, due soon)."""
    soon = today + timedelta(days=DUE_SOON_DAYS)

    by_unit: dict[int, list[FollowUpItem]] = {}
    for item in items:
        if item.due_on is None or item.due_on > soon:
            continue
        for unit_id in [item.lead_unit_id] + [unit.id for unit in item.co_units]:
            by_unit.setdefault(unit_id, []).append(item)
    return {
        unit_id: (
            [item for item in unit_items if item.is_overdue(today)],
            [item for item in unit_items if not item.is_overdue(today)],
        )
        for unit_id, unit_items in by_unit.items()
    }


def summary_figures(items: list[FollowUpItem], today: date) -> dict:
    """What the organizers' daily summary tells: items waiting to be assigned, items waiting
    to be closed, and the overdue ones among `items` (the open assigned ones) by lead unit."""
    waiting = db.session.scalar(
        db.select(sa.func.count())
        .select_from(FollowUpItem)
        .where(
            FollowUpItem.state.in_((ItemState.NEW, ItemState.RETURNED)),
            FollowUpItem.merged_into_id.is_(None),
        )
    )
    resolved = db.session.scalar(
        db.select(sa.func.count())
        .select_from(FollowUpItem)
        .where(FollowUpItem.state == ItemState.RESOLVED)
    )
    # By unit, not by name: each organizer's message names the units in their language.
    late_by_unit: dict[ResponsibleUnit, int] = {}
    for item in items:
        if item.is_overdue(today):
            late_by_unit[item.lead_unit] = late_by_unit.get(item.lead_unit, 0) + 1
    return {
        "waiting": waiting,
        "resolved": resolved,
        "late_by_unit": sorted(late_by_unit.items(), key=lambda pair: (-pair[1], pair[0].name)),
    }


def key_items_to_escalate(items: list[FollowUpItem], today: date) -> list[FollowUpItem]:
    """Among `items` (the open assigned ones), the key items overdue for a due date that was
    not escalated yet: an extension or a new assignment gives a new due date, and missing
    that one is told again."""
    return [
        item
        for item in items
        if item.is_key and item.is_overdue(today) and item.key_escalated_due_on != item.due_on
    ]


def oversight() -> list[User]:
    """The leaders and organizers, who hear of key items gone overdue."""
    return list(
        db.session.scalars(
            db.select(User)
            .where(User.role.in_((Role.LEADER, Role.ORGANIZER)), User.active.is_(True))
            .order_by(User.id)
        )
    )


def _escalate(items: list[FollowUpItem], today: date) -> tuple[list[int], int]:
    """One message to each leader and organizer listing the key items newly overdue; each
    item is marked with the due date told, so that a second run tells nothing again."""
    escalated = key_items_to_escalate(items, today)
    if not escalated:
        return [], 0
    for item in escalated:
        item.key_escalated_due_on = item.due_on
    recipients = oversight()
    for user in recipients:
        queue_message(
            kind="key_overdue",
            to_email=user.email,
            to_name=user.name,
            locale=user.locale,
            template="key_overdue",
            late=escalated,
            today=today,
            recipient=user,
        )
    return [item.id for item in escalated], len(recipients)


def remind(today: date) -> ReminderRun:
    run = ReminderRun()
    items = open_assigned_items()
    run.flagged = _flag_newly_overdue(items, today)
    run.promises_due = [item.id for item in promises_come_due(today)]
    run.escalated, run.escalations = _escalate(items, today)
    by_unit = items_by_unit(items, today)
    units = {
        unit.id: unit
        for unit in db.session.scalars(
            db.select(ResponsibleUnit).where(ResponsibleUnit.id.in_(list(by_unit)))
        )
    }
    staff_by_unit: dict[int, list[User]] = {}
    for user in unit_staff(list(by_unit)):
        staff_by_unit.setdefault(user.unit_id, []).append(user)
    for unit_id, (late, due_soon) in by_unit.items():
        for user in staff_by_unit.get(unit_id, []):
            if _already_sent_today("unit_digest", today, email=user.email):
                continue
            queue_message(
                kind="unit_digest",
                to_email=user.email,
                to_name=user.name,
                locale=user.locale,
                template="unit_digest",
                unit=units[unit_id],
                late=late,
                due_soon=due_soon,
                today=today,
                recipient=user,
            )
            run.digests += 1
        if _queue_robot_digest(units[unit_id], late, due_soon, today):
            run.robot_digests += 1

    summary = summary_figures(items, today)
    for user in organizers():
        if _already_sent_today("organizer_summary", today, email=user.email):
            continue
        queue_message(
            kind="organizer_summary",
            to_email=user.email,
            to_name=user.name,
            locale=user.locale,
            template="organizer_summary",
            **summary,
            today=today,
            recipient=user,
        )
        run.summaries += 1
    return run
