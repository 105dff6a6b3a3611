"""The life of a registration: submitting, reviewing, the waiting list and the private link.

Capacity is guarded by locking the event's row before counting approved speakers, so that
two organizers approving at the same moment cannot both take the last slot. The lock is an
UPDATE of the event row: PostgreSQL holds a row lock until commit, and SQLite takes its
database write lock, with the same code on both.
"""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from talentday.actors import SYSTEM, Who
from talentday.audit.services import record
from talentday.auth.models import User
from talentday.auth.services import normalize_email
from talentday.database import utcnow
from talentday.errors_domain import DomainError
from talentday.events.models import Event
from talentday.events.permissions import may_manage
from talentday.events.services import registration_is_open
from talentday.extensions import db
from talentday.followup.models import Category, FollowUpItem
from talentday.followup.services import raise_suggestion
from talentday.i18n import city_today, to_city_time
from talentday.navigation import public_url
from talentday.outbox.models import MessageStatus, OutboxMessage
from talentday.outbox.services import queue_message
from talentday.registrations import queries
from talentday.registrations.consent import CONSENT_VERSION
from talentday.registrations.models import (
    ACTIVE_STATES,
    REGISTRATION_TRANSITIONS,
    ProgrammeBreak,
    Publication,
    Registration,
    RegistrationState,
    Speaker,
    TalentTeam,
    TeamQuota,
)

TOKEN_BYTES = 32


class RegistrationError(DomainError):
    pass


class RegistrationRefused(RegistrationError):
    """The actor may not make this move on this registration."""


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
    # Chosen for approval when no place was left: on the waiting list instead, in order.
    waitlisted: list[Registration] = field(default_factory=list)
    refused: list[tuple[Registration, str]] = field(default_factory=list)
    # Moved up from the waiting list into the places the decisions freed, in order.
    moved_up: list[Registration] = field(default_factory=list)


# --- the private link ------------------------------------------------------------------
#
# The link's secret is an HMAC of the registration's id and a random nonce under a key
# derived from SECRET_KEY. The database keeps the nonce and a SHA-256 of the secret, so
# neither a database reader nor an organizer reading the outbox can form a link; the
# sender makes it again at sending time. A new nonce is a new link, and the old one dies.


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _derive_token(registration: Registration) -> str:
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode("utf-8")
    key = hmac.new(secret, b"talentday private link", hashlib.sha256).digest()
    message = f"{registration.id}:{registration.link_nonce}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue_token(registration: Registration) -> str:
    """A new private link; the old one stops working. Only its hash is stored."""
    if registration.id is None:
        db.session.flush()  # the link is made from the registration's id
    registration.link_nonce = secrets.token_hex(16)
    token = _derive_token(registration)
    registration.token_hash = hash_token(token)
    return token


def current_token(registration: Registration) -> str:
    """The link in force, made again for a message being sent."""
    if registration.link_nonce is not None:
        token = _derive_token(registration)
        if hmac.compare_digest(hash_token(token), registration.token_hash or ""):
            return token
    # Issued before links were derived, or SECRET_KEY has changed since: a new link.
    return issue_token(registration)


def find_by_token(token: str) -> Registration | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        db.select(Registration).where(Registration.token_hash == hash_token(token))
    )


def private_link(token: str) -> str:
    return public_url("registrations.open_link", token=token)


# --- messages ----------------------------------------------------------------------------


def _told_recently(registration: Registration) -> bool:
    """A message about this registration went out minutes ago: a double click, five
    identical posts at once or a script re-posting the form add no message to it. One an
    organizer discarded does not count: it never went."""
    since = utcnow() - timedelta(minutes=current_app.config["LINK_RESEND_MINUTES"])
    return (
        db.session.scalar(
            db.select(OutboxMessage.id)
            .where(
                OutboxMessage.registration_id == registration.id,
                OutboxMessage.created_at >= since,
                OutboxMessage.status != MessageStatus.DISCARDED,
            )
            .limit(1)
        )
        is not None
    )


def _tell_speaker(registration: Registration, kind: str, **context) -> None:
    """Every message to a speaker carries their private link, made when it is sent."""
    speaker = registration.speaker
    if speaker.anonymised_at is not None:
        return  # an erased speaker has no address left to write to
    if kind in ("approved", "moved_up", "reminder", "chase"):
        # The speaker's clock time, where the programme gives one, goes in the approval.
        event = registration.event
        context["slot"] = speaking_times(
            event.starts_at, queries.programme(event), queries.breaks(event.id)
        ).get(registration.id)
    template = f"registration_{kind}"
    if context.pop("asked_for_link", False):
        template = "registration_link_asked"
    queue_message(
        kind=kind,
        to_email=speaker.email,
        to_name=speaker.name,
        locale=speaker.locale,
        template=template,
        event=registration.event,
        registration=registration,
        private_link_for=registration,
        **context,
    )


# --- "Send me my link again" ---------------------------------------------------------------

# Registrations whose link is sent again on request: those that hold, wait for or await
# confirmation of a place. An ended one (rejected, withdrawn, cancelled) goes too when
# suggestions were raised with it, since its page is where the speaker follows and rates them.
LINK_SENT_AGAIN_STATES = ACTIVE_STATES | {RegistrationState.UNCONFIRMED}


def _links_sent_recently(email: str) -> bool:
    """The address was sent a link again minutes ago (LINK_RESEND_MINUTES), by this page or
    by the registration form posted again: one batch per speaker in that time."""
    since = utcnow() - timedelta(minutes=current_app.config["LINK_RESEND_MINUTES"])
    return (
        db.session.scalar(
            db.select(OutboxMessage.id)
            .where(
                OutboxMessage.kind == "link_resent",
                OutboxMessage.to_email == email,
                OutboxMessage.created_at >= since,
                OutboxMessage.status != MessageStatus.DISCARDED,
            )
            .limit(1)
        )
        is not None
    )


def registrations_with_a_link(speaker: Speaker) -> list[Registration]:
    """The speaker's registrations worth a link, newest event first (see the states above)."""
    raised = (
        sa.select(FollowUpItem.id).where(FollowUpItem.registration_id == Registration.id).exists()
    )
    return list(
        db.session.scalars(
            db.select(Registration)
            .join(Registration.event)
            .where(
                Registration.speaker_id == speaker.id,
                sa.or_(Registration.state.in_(LINK_SENT_AGAIN_STATES), raised),
            )
            .options(contains_eager(Registration.event))
            .order_by(Event.starts_at.desc(), Registration.id.desc())
        )
    )


def send_links_again(email: str) -> int:
    """A visitor typed an address on "Send me my link again". If it is a speaker's, each of
    their registrations worth a link (registrations_with_a_link) gets the "link_resent"
    message, with its private link made when it is sent: one message per registration,
    since each link is made from its own registration. Nothing is queued when the address
    was sent links minutes ago, nor for a registration that had any message minutes ago.

    Returns how many messages were queued, for tests: the caller must answer the same
    whatever it is, and the page never tells whether the address is known."""
    speaker = db.session.scalar(db.select(Speaker).where(Speaker.email == normalize_email(email)))
    if speaker is None or speaker.anonymised_at is not None:
        return 0
    # Requests for one speaker take turns (as resubmissions do), so that posts at the same
    # moment cannot each find no recent message and all send.
    table = Speaker.__table__
    db.session.execute(
        table.update()
        .where(table.c.id == speaker.id)
        .values(updated_at=table.c.updated_at)  # a lock, not a change
    )
    if _links_sent_recently(speaker.email):
        return 0
    queued = 0
    for registration in registrations_with_a_link(speaker):
        if not _told_recently(registration):
            _tell_speaker(registration, "link_resent", asked_for_link=True)
            queued += 1
    return queued


# --- submitting ----------------------------------------------------------------------------


def register(
    event: Event,
    details: SpeakerDetails,
    *,
    topic: str,
    summary: str,
    suggestions: list[SuggestionDraft],
    consent: bool,
    publication: Publication = Publication.NONE,
    join_waiting_list: bool = False,
    locale: str | None = None,
) -> RegistrationOutcome:
    """One registration per person (email) per event, and one answer for every address.

    Whoever fills in the form may not own the address they type. A new address gets its
    registration at once. An address already on file gets a registration held unconfirmed,
    with nothing attributed to the speaker (suggestions wait with it) until the address's
    owner confirms it from the link sent there; an address already registered for this
    event gets its current link again, which stays valid. The speaker's stored details are
    never overwritten from the form. The caller learns nothing about the address either way.
    """
    if not registration_is_open(event):
        raise RegistrationError(_l("Registration for this event is closed."))
    if not consent:
        raise RegistrationError(
            _l("Agree to the use of your personal data to register"), field="consent"
        )
    full = queries.is_full(event)
    if full and not join_waiting_list:
        raise EventFullError(
            _l("All speaking slots are taken. You can join the waiting list instead.")
        )
    email = normalize_email(details.email)
    speaker = db.session.scalar(db.select(Speaker).where(Speaker.email == email))
    now = utcnow()
    if speaker is not None:
        # Locked before anything else in this transaction: simultaneous resubmissions then
        # take turns instead of deadlocking over the row (PostgreSQL; SQLite takes turns anyway).
        existing = queries.registration_of(event.id, speaker.id, lock=True)
        if existing is not None:
            if not _told_recently(existing):
                _tell_speaker(existing, "link_resent")
            return RegistrationOutcome(existing, current_token(existing), created=False)
        registration = Registration(
            event=event,
            speaker=speaker,
            state=RegistrationState.UNCONFIRMED,
            topic=topic,
            summary=summary,
            consent_at=now,
            consent_version=CONSENT_VERSION,
            # Whoever typed a known address may not be its owner: nothing is published on
            # their word (the owner confirms the registration, not this choice).
            publication=Publication.NONE,
            submitted_at=now,
            pending_submission={
                "suggestions": [
                    {"category_id": draft.category.id, "content": draft.content}
                    for draft in suggestions
                ],
                "join_waiting_list": join_waiting_list,
            },
        )
        db.session.add(registration)
        db.session.flush()
        token = issue_token(registration)
        _tell_speaker(registration, "confirm")
        return RegistrationOutcome(registration, token, created=False)

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
    registration = Registration(
        event=event,
        speaker=speaker,
        state=RegistrationState.WAITLISTED if full else RegistrationState.SUBMITTED,
        topic=topic,
        summary=summary,
        consent_at=now,
        consent_version=CONSENT_VERSION,
        publication=publication,
        submitted_at=now,
    )
    db.session.add(registration)
    # The unique constraints on speaker email and (event, speaker) decide a race between
    # two submissions: the loser's flush fails and the view tries again, finding the winner.
    db.session.flush()
    token = issue_token(registration)
    for draft in suggestions:
        raise_suggestion(
            event=event,
            category=draft.category,
            content=draft.content,
            speaker=speaker,
            registration=registration,
        )
    _tell_speaker(registration, "waitlisted" if full else "received")
    return RegistrationOutcome(registration, token, created=True)


def confirm(registration: Registration, *, by: Speaker) -> None:
    """The address's owner confirms a registration made with their address: it joins the
    review (or the waiting list, when the slots have gone meanwhile) and its suggestions
    are raised in their name."""
    _lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.state is not RegistrationState.UNCONFIRMED:
        raise RegistrationError(_l("This registration is already confirmed."))
    event = registration.event
    if not registration_is_open(event):
        raise RegistrationError(_l("Registration for this event is closed."))
    full = queries.is_full(event)
    _move(by, registration, RegistrationState.WAITLISTED if full else RegistrationState.SUBMITTED)
    registration.decided_at = None
    registration.submitted_at = utcnow()  # the waiting list goes by confirmation time
    pending = registration.pending_submission or {}
    categories = {
        category.id: category
        for category in db.session.scalars(
            db.select(Category).where(
                Category.id.in_([s["category_id"] for s in pending.get("suggestions", [])])
            )
        )
    }
    for suggestion in pending.get("suggestions", []):
        category = categories.get(suggestion["category_id"])
        if category is not None:
            raise_suggestion(
                event=event,
                category=category,
                content=suggestion["content"],
                speaker=registration.speaker,
                registration=registration,
            )
    registration.pending_submission = None
    db.session.flush()
    record("registration_confirmed", actor=None, target=registration)
    _tell_speaker(registration, "waitlisted" if full else "received")


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


def _who(actor, registration: Registration) -> Who | None:
    """Which kind of actor, in REGISTRATION_TRANSITIONS, `actor` is for this registration."""
    if actor is SYSTEM:
        return Who.SYSTEM
    if isinstance(actor, Speaker):
        return Who.SPEAKER if actor.id == registration.speaker_id else None
    return Who.ORGANIZER if may_manage(actor, registration.event) else None


def may_transition(actor, registration: Registration, target: RegistrationState) -> bool:
    """Whether REGISTRATION_TRANSITIONS lets this actor move the registration to `target`."""
    who = REGISTRATION_TRANSITIONS[registration.state].get(target, frozenset())
    return _who(actor, registration) in who


def require_transition(actor, registration: Registration, target: RegistrationState) -> None:
    """Refuse a move REGISTRATION_TRANSITIONS does not give this actor from this state:
    an organizer (one who may manage the event), the registration's own speaker, or the
    system. Every service that moves a registration calls this, directly or through
    `_move`, before it changes anything."""
    if may_transition(actor, registration, target):
        return
    who = _who(actor, registration)
    if registration.awaits_confirmation and who is not Who.SPEAKER:
        raise RegistrationRefused(_l("The speaker has not confirmed this registration yet."))
    if target in REGISTRATION_TRANSITIONS[registration.state] or who is None:
        raise RegistrationRefused(_l("You may not make this change to this registration."))
    raise RegistrationError(
        _l(
            "A registration that is %(current)s cannot become %(target)s.",
            current=registration.state.label,
            target=target.label,
        )
    )


def _move(actor, registration: Registration, target: RegistrationState) -> None:
    require_transition(actor, registration, target)
    registration.state = target
    registration.decided_at = utcnow()
    if target is RegistrationState.APPROVED:
        # Approved afresh (moved up, or approved again after a change): the speaker answers
        # "will you come?" afresh too.
        registration.attendance_confirmed_at = None


def decide(
    registration: Registration,
    target: RegistrationState,
    *,
    by: User,
    message: str = "",
) -> Registration | None:
    """An organizer approves, waitlists, rejects or cancels a registration.

    Approval never takes the speaker count past the event's slots or a team's quota. A
    cancelled approved speaker's slot goes to the first on the waiting list: that speaker's
    registration is returned.
    """
    _lock_event(registration.event_id)
    db.session.refresh(registration)  # another organizer may have decided meanwhile
    require_transition(by, registration, target)
    was_approved = registration.state is RegistrationState.APPROVED
    if target is RegistrationState.APPROVED and registration.state is not target:
        reason = _room_for(registration)
        if reason:
            raise CapacityError(reason)
    _move(by, registration, target)
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
        return promote_from_waiting_list(registration.event)
    return None


def decide_many(
    registrations: list[Registration],
    target: RegistrationState,
    *,
    by: User,
    message: str = "",
) -> ReviewOutcome:
    """Decide each in turn, in the order given. Those approved beyond the places left go on
    the waiting list in that order (and are told so); those the rules refuse are reported
    and left unchanged."""
    outcome = ReviewOutcome()
    for registration in registrations:
        try:
            moved_up = decide(registration, target, by=by, message=message)
        except CapacityError as error:
            if not may_transition(by, registration, RegistrationState.WAITLISTED):
                outcome.refused.append((registration, str(error.message)))
                continue
            decide(registration, RegistrationState.WAITLISTED, by=by, message=message)
            outcome.waitlisted.append(registration)
        except RegistrationError as error:
            outcome.refused.append((registration, str(error.message)))
        else:
            outcome.changed.append(registration)
            if moved_up is not None:
                outcome.moved_up.append(moved_up)
    return outcome


def withdraw(registration: Registration, *, by: Speaker) -> None:
    """The speaker withdraws through the private link; a freed slot goes to the waiting list."""
    _lock_event(registration.event_id)
    db.session.refresh(registration)
    _leave(registration, by=by, action="registration_withdrawn")


def _leave(registration: Registration, *, by: Speaker, action: str) -> Registration | None:
    """Withdraw the registration; returns the waiting speaker who took its slot, if any."""
    was_approved = registration.state is RegistrationState.APPROVED
    _move(by, registration, RegistrationState.WITHDRAWN)
    registration.speaking_order = None
    registration.pending_submission = None  # an unconfirmed one's suggestions are dropped
    db.session.flush()
    record(action, actor=None, target=registration)
    _tell_speaker(registration, "withdrawn")
    return promote_from_waiting_list(registration.event) if was_approved else None


# --- "Will you come?" ----------------------------------------------------------------------


def may_answer_attendance(registration: Registration, now: datetime | None = None) -> bool:
    """An approved speaker says whether they will come, until the event starts."""
    now = now or utcnow()
    return registration.state is RegistrationState.APPROVED and now < registration.event.starts_at


def _require_attendance_answer(registration: Registration, by: Speaker) -> None:
    if by.id != registration.speaker_id:
        raise RegistrationRefused(_l("You may not make this change to this registration."))
    if not may_answer_attendance(registration):
        raise RegistrationError(
            _l("Only an approved speaker can say whether they will come, until the event starts.")
        )


def confirm_attendance(registration: Registration, *, by: Speaker) -> bool:
    """The speaker confirms they will come. Saying it twice changes nothing: returns whether
    this was the first time."""
    _lock_event(registration.event_id)
    db.session.refresh(registration)
    _require_attendance_answer(registration, by)
    if registration.attendance_confirmed_at is not None:
        return False
    registration.attendance_confirmed_at = utcnow()
    record("attendance_confirmed", actor=None, target=registration)
    return True


def decline_attendance(registration: Registration, *, by: Speaker) -> Registration | None:
    """The speaker cannot come: the registration is withdrawn, its slot goes to the first
    speaker on the waiting list, who is told. Returns that speaker's registration, if any."""
    _lock_event(registration.event_id)
    db.session.refresh(registration)
    _require_attendance_answer(registration, by)
    registration.declined_at = utcnow()
    return _leave(registration, by=by, action="attendance_declined")


def promote_from_waiting_list(event: Event) -> Registration | None:
    """The first waiting speaker whose team still has room moves up, and is told."""
    for candidate in queries.waiting_list(event.id):
        if _room_for(candidate) is None:
            _move(SYSTEM, candidate, RegistrationState.APPROVED)
            db.session.flush()
            record("registration_moved_up", actor=None, target=candidate)
            _tell_speaker(candidate, "moved_up")
            return candidate
    return None


# --- the speaker's own changes ------------------------------------------------------------

# The speaker may still change their details while registration is open.
EDITABLE_STATES = ACTIVE_STATES | {RegistrationState.UNCONFIRMED}


def may_withdraw(registration: Registration) -> bool:
    return may_transition(registration.speaker, registration, RegistrationState.WITHDRAWN)


def suggestions_close_on(event: Event) -> date:
    """The last day a speaker may add a suggestion: the end of the event's follow-up
    period, counted from the day of the event in the city."""
    return event.follow_up_ends(to_city_time(event.starts_at).date()).due_on


def may_add_suggestions(registration: Registration, today: date | None = None) -> bool:
    """A speaker who holds or waits for a place, until the follow-up period ends."""
    today = today or city_today()
    return registration.state in ACTIVE_STATES and today <= suggestions_close_on(registration.event)


def add_suggestion(registration: Registration, *, category: Category, content: str):
    """A suggestion raised through the private link."""
    if registration.state not in ACTIVE_STATES:
        raise RegistrationError(
            _l(
                "This registration is %(state)s: it can take no more suggestions.",
                state=registration.state.label,
            )
        )
    if not may_add_suggestions(registration):
        raise RegistrationError(
            _l("The follow-up period of this event has ended: it takes no more suggestions.")
        )
    return raise_suggestion(
        event=registration.event,
        category=category,
        content=content,
        speaker=registration.speaker,
        registration=registration,
    )


def update_own_details(
    registration: Registration, details: SpeakerDetails, *, topic: str, summary: str
) -> None:
    """Through the private link, while registration is open: the email stays the same."""
    if not registration_is_open(registration.event):
        raise RegistrationError(_l("Registration has closed: details can no longer change."))
    if registration.state not in EDITABLE_STATES:
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


@dataclass(frozen=True)
class Slot:
    """A speaker's time on the programme, from the start of their turn to its end."""

    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class TimetableRow:
    """One line of the programme: a speaker's turn or a break, with its clock time if known."""

    registration: Registration | None
    pause: ProgrammeBreak | None
    slot: Slot | None


def timetable(starts_at: datetime, programme: Iterable, breaks: Iterable = ()) -> list:
    """The programme in order, breaks in their places, each line with its clock time: the
    first placed speaker starts when the event starts, each next turn or break when the one
    before is done; a break set after place N comes once the speaker at N is done.

    A speaker without minutes gets no time, and nor does anything after them: their turn's
    length is not known, so any later time would be a guess a speaker might arrive by. A
    speaker not yet placed in the order comes last, with no time, and takes none.
    `programme` is any registrations (or anything with id, speaking_order and
    speaking_minutes) and `breaks` any breaks (after_order, minutes), in any order."""
    clock: datetime | None = starts_at
    rows = []
    placed = sorted(
        (r for r in programme if r.speaking_order is not None), key=lambda r: r.speaking_order
    )
    pending = sorted(breaks, key=lambda b: (b.after_order, b.id or 0))

    def turn(minutes):
        nonlocal clock
        if clock is None or not minutes:
            clock = None
            return None
        slot = Slot(clock, clock + timedelta(minutes=minutes))
        clock = slot.ends_at
        return slot

    for registration in placed:
        while pending and pending[0].after_order < registration.speaking_order:
            pause = pending.pop(0)
            rows.append(TimetableRow(None, pause, turn(pause.minutes)))
        rows.append(TimetableRow(registration, None, turn(registration.speaking_minutes)))
    for pause in pending:
        rows.append(TimetableRow(None, pause, turn(pause.minutes)))
    rows.extend(TimetableRow(r, None, None) for r in programme if r.speaking_order is None)
    return rows


def speaking_times(starts_at: datetime, programme: Iterable, breaks: Iterable = ()) -> dict:
    """Each placed speaker's clock time, by registration id (see `timetable`)."""
    return {
        row.registration.id: row.slot
        for row in timetable(starts_at, programme, breaks)
        if row.registration is not None and row.slot is not None
    }


def add_break(
    event: Event, *, after_order: int, minutes: int, label: str, by: User
) -> ProgrammeBreak:
    pause = ProgrammeBreak(event_id=event.id, after_order=after_order, minutes=minutes, label=label)
    db.session.add(pause)
    record("programme_break_added", actor=by, target=event, after=after_order, minutes=minutes)
    return pause


def remove_break(pause: ProgrammeBreak, *, by: User) -> None:
    db.session.delete(pause)
    record(
        "programme_break_removed",
        actor=by,
        target=db.session.get(Event, pause.event_id),
        after=pause.after_order,
        minutes=pause.minutes,
    )


def set_programme(event: Event, placements: dict[int, tuple[int | None, int | None]]) -> None:
    """Speaking order and minutes for the approved speakers: {registration id: (order, min)}."""
    orders = [order for order, _minutes in placements.values() if order is not None]
    if len(orders) != len(set(orders)):
        raise RegistrationError(_l("Give each speaker a different place in the order."))
    for registration in queries.programme(event):
        if registration.id in placements:
            registration.speaking_order, registration.speaking_minutes = placements[registration.id]
