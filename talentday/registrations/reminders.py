"""Speakers reminded before their event, and approved speakers who have not said whether
they will come asked once (run by `flask remind`, from cron). Running it again sends
nothing twice: what was queued for a registration, sent or not, is looked up first."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.orm import contains_eager

from talentday.events.models import Event
from talentday.extensions import db
from talentday.i18n import to_city_time
from talentday.outbox.models import OutboxMessage
from talentday.registrations.models import Registration, RegistrationState, Speaker
from talentday.registrations.services import _tell_speaker

REMINDER = "reminder"
CHASE = "chase"


@dataclass
class SpeakerReminderRun:
    reminders: int = 0
    chases: int = 0


def _approved_for_coming_events(now: datetime):
    return (
        db.select(Registration)
        .join(Registration.event)
        .join(Registration.speaker)
        .where(
            Registration.state == RegistrationState.APPROVED,
            Event.starts_at > now,
            Speaker.anonymised_at.is_(None),
        )
    )


def _already_queued(approved) -> set[tuple[int, str]]:
    """(registration id, kind) of the reminders and chases queued before, for the
    registrations `approved` selects; one an organizer discarded counts too (they chose)."""
    ids = approved.with_only_columns(Registration.id).scalar_subquery()
    return {
        (registration_id, kind)
        for registration_id, kind in db.session.execute(
            db.select(OutboxMessage.registration_id, OutboxMessage.kind).where(
                OutboxMessage.kind.in_((REMINDER, CHASE)),
                OutboxMessage.registration_id.in_(ids),
            )
        )
    }


def remind_speakers(now: datetime) -> SpeakerReminderRun:
    config = current_app.config
    today = to_city_time(now).date()
    remind_within = timedelta(days=config["SPEAKER_REMINDER_DAYS"])
    chase_after = timedelta(days=config["ATTENDANCE_CHASE_AFTER_DAYS"])
    approved = _approved_for_coming_events(now)
    queued = _already_queued(approved)
    run = SpeakerReminderRun()
    registrations = db.session.scalars(
        approved.options(
            contains_eager(Registration.event), contains_eager(Registration.speaker)
        ).order_by(Event.starts_at, Registration.id)
    )
    for registration in registrations:
        if to_city_time(registration.event.starts_at).date() - today <= remind_within:
            # The reminder asks an unconfirmed speaker too: one message, not two.
            if (registration.id, REMINDER) not in queued:
                _tell_speaker(registration, REMINDER)
                run.reminders += 1
        elif (
            registration.attendance_confirmed_at is None
            and registration.decided_at is not None
            and registration.decided_at <= now - chase_after
            and (registration.id, CHASE) not in queued
        ):
            _tell_speaker(registration, CHASE)
            run.chases += 1
    return run
