"""The life of a registration: submitting, reviewing, the waiting list and the private link.

Capacity is guarded by locking the event's row before counting approved speakers, so that
two organizers approving at the same moment cannot both take the last slot. The lock is an
UPDATE of the event row: PostgreSQL holds a row lock until commit, and SQLite takes its
database write lock, with the same code on both.
"""

import hashlib
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l

from talentday.audit.services import record
from talentday.auth.models import User
from talentday.auth.services import normalize_email
from talentday.database import utcnow
from talentday.errors_domain import DomainError
from talentday.events.models import Event
from talentday.events.services import registration_is_open
from talentday.extensions import db
from talentday.followup.models import Category
from talentday.followup.services import raise_suggestion
from talentday.outbox.services import queue_message
from talentday.registrations import queries
from talentday.registrations.consent import CONSENT_VERSION
from talentday.registrations.models import (
    REGISTRATION_TRANSITIONS,
    Registration,
    RegistrationState,
    Speaker,
    TalentTeam,
    TeamQuota,
)

TOKEN_BYTES = 32


class RegistrationError(DomainError):
    pass


class CapacityError(RegistrationError):
    """No speaking slot (or no place in the team's quota) is left."""


class EventFullError(RegistrationError):
    """The event is full: the speaker may still join the waiting list."""


@dataclass
class SpeakerDetails:
    name: str
    email: str
    phone: str
    organization: str
    position: str
    talent_team: TalentTeam


@dataclass
class SuggestionDraft:
    category: Category
    content: str


@dataclass
class RegistrationOutcome:
    registration: Registration
    token: str
    created: bool


@dataclass
class ReviewOutcome:
    changed: list[Registration] = field(default_factory=list)
    refused: list[tuple[Registration, str]] = field(default_factory=list)


# --- the private link ------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(registration: Registration) -> str:
    """A new private link; the old one stops working. Only its hash is stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    registration.token_hash = hash_token(token)
    return token


def find_by_token(token: str) -> Registration | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        db.select(Registration).where(Registration.token_hash == hash_token(token))
    )


def private_link(token: str) -> str:
    """The full address of a private link: PUBLIC_BASE_URL when set, else the request's."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if has_request_context() and not base:
        return url_for("registrations.private", token=token, _external=True)
    with current_app.test_request_context(base_url=base or "http://localhost"):
        return url_for("registrations.private", token=token, _external=True)


# --- messages ----------------------------------------------------------------------------

SUBJECTS = {
    "received": _l("We have received your registration"),
    "waitlisted": _l("You are on the waiting list"),
    "approved": _l("Your registration is approved"),
    "rejected": _l("About your registration"),
    "cancelled": _l("Your registration has been cancelled"),
    "moved_up": _l("A speaking slot is yours"),
    "withdrawn": _l("You have withdrawn your registration"),
    "link_resent": _l("Your private link"),
}


def _tell_speaker(registration: Registration, kind: str, *, token: str | None = None) -> None:
    speaker = registration.speaker
    if speaker.anonymised_at is not None:
        return  # an erased speaker has no address left to write to
    queue_message(
        kind=kind,
        to_email=speaker.email,
        to_name=speaker.name,
        locale=speaker.locale,
        template=f"registration_{kind}",
        subject=SUBJECTS[kind],
        event=registration.event,
        registration=registration,
        link=private_link(token) if token else None,
    )


# --- submitting ----------------------------------------------------------------------------


def register(
    event: Event,
    details: SpeakerDetails,
    *,
    topic: str,
    summary: str,
    suggestions: list[SuggestionDraft],
    consent: bool,
    join_waiting_list: bool = False,
    locale: str | None = None,
) -> RegistrationOutcome:
    """One registration per person (email) per event.

    A second submission with the same email, a double click included, creates nothing: the
    existing registration gets a new private link, sent to that address only, so that the
    answer reveals nothing to someone who merely knows the email. An existing speaker's
    details are not overwritten by an unverified form; they change through the private link.
    When the event is full, the speaker joins the waiting list if they chose to.
    """
    if not registration_is_open(event):
        raise RegistrationError(_l("Registration for this event is closed."))
    if not consent:
        raise RegistrationError(
            _l("Agree to the use of your personal data to register"), field="consent"
        )
    email = normalize_email(details.email)
    speaker = db.session.scalar(db.select(Speaker).where(Speaker.email == email))
    if speaker is not None:
        # Locked before anything else in this transaction: simultaneous resubmissions then
        # take turns instead of deadlocking over the row (PostgreSQL; SQLite takes turns anyway).
        existing = db.session.scalar(
            db.select(Registration)
            .where(Registration.event_id == event.id, Registration.speaker_id == speaker.id)
            .with_for_update()
        )
        if existing is not None:
            token = issue_token(existing)
            _tell_speaker(existing, "link_resent", token=token)
            return RegistrationOutcome(existing, token, created=False)
    else:
        speaker = Speaker(
            email=email,
            name=details.name,
            phone=details.phone,
            organization=details.organization,
            position=details.position,
            talent_team=details.talent_team,
            locale=locale,
        )
        db.session.add(speaker)

    full = queries.is_full(event)
    if full and not join_waiting_list:
        raise EventFullError(
            _l("All speaking slots are taken. You can join the waiting list instead.")
        )
    now = utcnow()
    registration = Registration(
        event=event,
        speaker=speaker,
        state=RegistrationState.WAITLISTED if full else RegistrationState.SUBMITTED,
        topic=topic,
        summary=summary,
        consent_at=now,
        consent_version=CONSENT_VERSION,
        submitted_at=now,
    )
    token = issue_token(registration)
    db.session.add(registration)
    # The unique constraints on speaker email and (event, speaker) decide a race between
    # two submissions: the loser's flush fails and the view tries again, finding the winner.
    db.session.flush()
    for draft in suggestions:
        raise_suggestion(
            event=event,
            category=draft.category,
            content=draft.content,
            speaker=speaker,
            registration=registration,
        )
    _tell_speaker(registration, "waitlisted" if full else "received", token=token)
    return RegistrationOutcome(registration, token, created=True)


# --- reviewing -------------------------------------------------------------------------


def _lock_event(event_id: int) -> None:
    """Serialize every capacity decision for one event until the transaction ends."""
    db.session.execute(sa.update(Event).where(Event.id == event_id).values(id=Event.id))


def _team_quota(event_id: int, team: TalentTeam) -> int | None:
    return db.session.scalar(
        db.select(TeamQuota.max_speakers).where(
            TeamQuota.event_id == event_id, TeamQuota.talent_team == team
        )
    )


def _room_for(registration: Registration) -> str | None:
    """Why this registration cannot be approved now, or None when it can."""
    event = registration.event
    if queries.approved_count(event.id) >= event.speaking_slots:
        return str(_l("No speaking slot is left."))
    team = registration.speaker.talent_team
    quota = _team_quota(event.id, team)
    if quota is not None and queries.approved_count(event.id, team) >= quota:
        return str(_l("The quota for %(team)s is reached.", team=team.label))
    return None


def _move(registration: Registration, target: RegistrationState) -> None:
    if target not in REGISTRATION_TRANSITIONS[registration.state]:
        raise RegistrationError(
            _l(
                "A registration that is %(current)s cannot become %(target)s.",
                current=registration.state.label,
                target=target.label,
            )
        )
    registration.state = target
    registration.decided_at = utcnow()


def decide(
    registration: Registration,
    target: RegistrationState,
    *,
    by: User,
    message: str = "",
) -> None:
    """An organizer approves, waitlists, rejects or cancels a registration.

    Approval never takes the speaker count past the event's slots or a team's quota. A
    cancelled approved speaker's slot goes to the first on the waiting list.
    """
    _lock_event(registration.event_id)
    db.session.refresh(registration)  # another organizer may have decided meanwhile
    was_approved = registration.state is RegistrationState.APPROVED
    if target is RegistrationState.APPROVED and registration.state is not target:
        reason = _room_for(registration)
        if reason:
            raise CapacityError(reason)
    _move(registration, target)
    registration.organizer_message = message.strip()
    db.session.flush()
    record(
        "registration_decided",
        actor=by,
        target=registration,
        state=target.value,
    )
    kind = {
        RegistrationState.APPROVED: "approved",
        RegistrationState.WAITLISTED: "waitlisted",
        RegistrationState.REJECTED: "rejected",
        RegistrationState.CANCELLED: "cancelled",
    }[target]
    _tell_speaker(registration, kind)
    if was_approved and target is RegistrationState.CANCELLED:
        promote_from_waiting_list(registration.event)


def decide_many(
    registrations: list[Registration],
    target: RegistrationState,
    *,
    by: User,
    message: str = "",
) -> ReviewOutcome:
    """Decide each in turn; those the rules refuse are reported and left unchanged."""
    outcome = ReviewOutcome()
    for registration in registrations:
        try:
            decide(registration, target, by=by, message=message)
        except RegistrationError as error:
            outcome.refused.append((registration, str(error.message)))
        else:
            outcome.changed.append(registration)
    return outcome


def withdraw(registration: Registration) -> None:
    """The speaker withdraws through the private link; a freed slot goes to the waiting list."""
    _lock_event(registration.event_id)
    db.session.refresh(registration)
    was_approved = registration.state is RegistrationState.APPROVED
    _move(registration, RegistrationState.WITHDRAWN)
    registration.speaking_order = None
    db.session.flush()
    record("registration_withdrawn", actor=None, target=registration)
    _tell_speaker(registration, "withdrawn")
    if was_approved:
        promote_from_waiting_list(registration.event)


def promote_from_waiting_list(event: Event) -> Registration | None:
    """The first waiting speaker whose team still has room moves up, and is told."""
    for candidate in queries.waiting_list(event.id):
        if _room_for(candidate) is None:
            _move(candidate, RegistrationState.APPROVED)
            db.session.flush()
            record("registration_moved_up", actor=None, target=candidate)
            _tell_speaker(candidate, "moved_up")
            return candidate
    return None


# --- the speaker's own changes ------------------------------------------------------------


def update_own_details(
    registration: Registration, details: SpeakerDetails, *, topic: str, summary: str
) -> None:
    """Through the private link, while registration is open: the email stays the same."""
    if not registration_is_open(registration.event):
        raise RegistrationError(_l("Registration has closed: details can no longer change."))
    if registration.state not in (
        RegistrationState.SUBMITTED,
        RegistrationState.APPROVED,
        RegistrationState.WAITLISTED,
    ):
        raise RegistrationError(_l("This registration can no longer change."))
    speaker = registration.speaker
    speaker.name = details.name
    speaker.phone = details.phone
    speaker.organization = details.organization
    speaker.position = details.position
    if details.talent_team is not speaker.talent_team:
        if registration.state is RegistrationState.APPROVED:
            raise RegistrationError(
                _l("Ask the organizers to change the team of an approved speaker."),
                field="talent_team",
            )
        speaker.talent_team = details.talent_team
    registration.topic = topic
    registration.summary = summary


def set_programme(event: Event, placements: dict[int, tuple[int | None, int | None]]) -> None:
    """Speaking order and minutes for the approved speakers: {registration id: (order, min)}."""
    orders = [order for order, _minutes in placements.values() if order is not None]
    if len(orders) != len(set(orders)):
        raise RegistrationError(_l("Give each speaker a different place in the order."))
    for registration in queries.programme(event):
        if registration.id in placements:
            registration.speaking_order, registration.speaking_minutes = placements[registration.id]
