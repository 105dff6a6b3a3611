"""Read-only questions about registrations, answered with aggregate queries."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from talentday.events.models import Event
from talentday.extensions import db
from talentday.registrations.models import (
    ProgrammeBreak,
    Registration,
    RegistrationState,
    Speaker,
    TalentTeam,
)


def approved_count(event_id: int, team: TalentTeam | None = None) -> int:
    statement = (
        db.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.event_id == event_id, Registration.state == RegistrationState.APPROVED)
    )
    if team is not None:
        statement = statement.join(Speaker).where(Speaker.talent_team == team)
    return db.session.scalar(statement) or 0


def is_full(event: Event) -> bool:
    return _full(event, approved_count(event.id))


def _full(event: Event, approved: int) -> bool:
    return approved >= event.speaking_slots


def full_events(events: list[Event]) -> set[int]:
    """The ids of those events whose every speaking slot is taken, in one query."""
    counts = counts_by_event([event.id for event in events])
    return {event.id for event in events if _full(event, counts[event.id].approved)}


@dataclass
class RegistrationCounts:
    """An event's registrations as its organizers count them."""

    approved: int = 0
    waiting: int = 0
    to_review: int = 0


_COUNTED = {
    RegistrationState.APPROVED: "approved",
    RegistrationState.WAITLISTED: "waiting",
    RegistrationState.SUBMITTED: "to_review",
}


def counts_by_event(event_ids: list[int]) -> dict[int, RegistrationCounts]:
    """For each event, how many registrations are approved, waiting and to review (one query)."""
    counts = {event_id: RegistrationCounts() for event_id in event_ids}
    if not event_ids:
        return counts
    rows = db.session.execute(
        db.select(Registration.event_id, Registration.state, sa.func.count())
        .where(Registration.event_id.in_(event_ids), Registration.state.in_(_COUNTED))
        .group_by(Registration.event_id, Registration.state)
    )
    for event_id, state, number in rows:
        setattr(counts[event_id], _COUNTED[state], number)
    return counts


def programme(event: Event) -> list[Registration]:
    """The approved speakers in speaking order; those not yet placed come last."""
    return list(
        db.session.scalars(
            db.select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.state == RegistrationState.APPROVED,
            )
            .options(joinedload(Registration.speaker))
            .order_by(
                Registration.speaking_order.is_(None),
                Registration.speaking_order,
                Registration.submitted_at,
                Registration.id,
            )
        )
    )


def waiting_list(event_id: int) -> list[Registration]:
    """Waitlisted registrations, first come first served."""
    return list(
        db.session.scalars(
            db.select(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.state == RegistrationState.WAITLISTED,
            )
            .options(joinedload(Registration.speaker))
            .order_by(Registration.submitted_at, Registration.id)
        )
    )


def registration_of(event_id: int, speaker_id: int, *, lock: bool = False) -> Registration | None:
    """A speaker's registration for an event (at most one); `lock` holds its row until the
    transaction ends."""
    statement = db.select(Registration).where(
        Registration.event_id == event_id, Registration.speaker_id == speaker_id
    )
    return db.session.scalar(statement.with_for_update() if lock else statement)


def breaks(event_id: int) -> list[ProgrammeBreak]:
    """The event's breaks, in the order they come."""
    return list(
        db.session.scalars(
            db.select(ProgrammeBreak)
            .where(ProgrammeBreak.event_id == event_id)
            .order_by(ProgrammeBreak.after_order, ProgrammeBreak.id)
        )
    )


def own_suggestions(registration: Registration) -> list:
    """The follow-up items raised with this registration, in the order they were raised."""
    from talentday.followup.models import FollowUpItem

    return list(
        db.session.scalars(
            db.select(FollowUpItem)
            .where(FollowUpItem.registration_id == registration.id)
            .options(
                joinedload(FollowUpItem.category),
                joinedload(FollowUpItem.lead_unit),
                joinedload(FollowUpItem.merged_into),
            )
            .order_by(FollowUpItem.created_at, FollowUpItem.id)
        )
    )


def registrations_of(event: Event, *, state: str = "", team: str = "", q: str = ""):
    """An event's registrations for its organizers, filtered as the review queue filters them
    (a state, a talent team, words of the name or organization), in the order they came."""
    statement = (
        db.select(Registration)
        .join(Registration.speaker)
        .where(Registration.event_id == event.id)
        .options(joinedload(Registration.speaker))
    )
    if state in {s.value for s in RegistrationState}:
        statement = statement.where(Registration.state == RegistrationState(state))
    if team in {t.value for t in TalentTeam}:
        statement = statement.where(Speaker.talent_team == TalentTeam(team))
    words = q.strip()
    if words:
        pattern = f"%{words.lower()}%"
        statement = statement.where(
            db.or_(
                db.func.lower(Speaker.name).like(pattern),
                db.func.lower(Speaker.organization).like(pattern),
            )
        )
    return statement
