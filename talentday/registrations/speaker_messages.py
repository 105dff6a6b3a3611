"""An organizer writes to an event's speakers: all of them, or those in one state or team.

The organizer's text is never a template: named placeholders such as {name} are replaced by
plain substitution (outbox.placeholders). Each copy is an outbox row in the speaker's
language, carrying their private link, made when sent."""

import enum
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from talentday.audit.models import AuditEntry
from talentday.audit.services import record
from talentday.auth.models import User
from talentday.database import utcnow
from talentday.events.models import Event
from talentday.extensions import db
from talentday.i18n import to_city_time
from talentday.outbox import placeholders
from talentday.outbox.message_templates import fitted_subject
from talentday.outbox.services import queue_message
from talentday.registrations.models import (
    ACTIVE_STATES,
    Registration,
    RegistrationState,
    Speaker,
    TalentTeam,
)
from talentday.units.models import localized

# What a message may name, and what each stands for (shown beside the form).
PLACEHOLDERS = {
    "name": _l("the speaker's name"),
    "event": _l("the event's title"),
    "when": _l("the event's date and time"),
    "venue": _l("the event's venue"),
    "topic": _l("the topic of the speaker's talk"),
    "link": _l("the speaker's private link"),
}
MESSAGE_KIND = "speaker_message"


class Audience(enum.Enum):
    """Whom a message goes to: every speaker who holds, waits for or asked for a place, or
    those in one state, or the approved speakers who have not said whether they will come."""

    ALL = "all"
    APPROVED = "approved"
    NOT_CONFIRMED = "not_confirmed"
    WAITLISTED = "waitlisted"
    SUBMITTED = "submitted"
    UNCONFIRMED = "unconfirmed"

    @property
    def label(self):
        return AUDIENCE_LABELS[self]


AUDIENCE_LABELS = {
    Audience.ALL: _l("All speakers (submitted, approved, waitlisted)"),
    Audience.APPROVED: _l("Approved speakers"),
    Audience.NOT_CONFIRMED: _l("Approved speakers who have not said whether they will come"),
    Audience.WAITLISTED: _l("Speakers on the waiting list"),
    Audience.SUBMITTED: _l("Speakers awaiting a decision"),
    Audience.UNCONFIRMED: _l("Registrations awaiting the speaker's confirmation"),
}


def unknown_placeholders(text: str) -> list[str]:
    """The {names} in `text` that are not placeholders, in order of appearance, once each."""
    return placeholders.unknown_placeholders(text, PLACEHOLDERS)


fill = placeholders.fill


def recipients(event: Event, audience: Audience, team: TalentTeam | None = None):
    """The registrations a message to `audience` goes to, speaker loaded, in the order they
    were submitted. An erased speaker has no address left and is never among them."""
    statement = (
        db.select(Registration)
        .join(Registration.speaker)
        .where(Registration.event_id == event.id, Speaker.anonymised_at.is_(None))
    )
    if audience is Audience.ALL:
        statement = statement.where(Registration.state.in_(ACTIVE_STATES))
    elif audience is Audience.NOT_CONFIRMED:
        statement = statement.where(
            Registration.state == RegistrationState.APPROVED,
            Registration.attendance_confirmed_at.is_(None),
        )
    else:
        statement = statement.where(Registration.state == RegistrationState(audience.value))
    if team is not None:
        statement = statement.where(Speaker.talent_team == team)
    return list(
        db.session.scalars(
            statement.options(db.contains_eager(Registration.speaker)).order_by(
                Registration.submitted_at, Registration.id
            )
        )
    )


@dataclass(frozen=True)
class Wording:
    """What the organizer wrote, in English and in Chinese; either may be empty."""

    subject_en: str = ""
    body_en: str = ""
    subject_zh: str = ""
    body_zh: str = ""

    def for_language(self, locale: str | None) -> tuple[str, str]:
        """(subject, body) for a reader of `locale`, in the other language when theirs is
        empty."""
        english, chinese = (self.subject_en, self.body_en), (self.subject_zh, self.body_zh)
        if (locale or "").startswith("zh"):
            return chinese if chinese[1] else english
        return english if english[1] else chinese


def values_for(registration: Registration, *, link: str) -> dict[str, str]:
    """The placeholders' values for one speaker, in the language being rendered."""
    from talentday.templating import _datetime_filter

    event = registration.event
    return {
        "name": registration.speaker.name,
        "event": event.display_title,
        "when": _datetime_filter(to_city_time(event.starts_at), "event"),
        "venue": localized(event.venue, event.venue_zh),
        "topic": registration.topic,
        "link": link,
    }


def _sent_already(event: Event, batch: str) -> bool:
    """This very message (its form's batch number) was sent minutes ago: a second click or a
    page posted again sends nothing more."""
    since = utcnow() - timedelta(hours=1)
    entries = db.session.scalars(
        db.select(AuditEntry).where(
            AuditEntry.action == "speakers_messaged",
            AuditEntry.target_type == "Event",
            AuditEntry.target_id == event.id,
            AuditEntry.at >= since,
        )
    )
    return any((entry.details or {}).get("batch") == batch for entry in entries)


def send(
    event: Event,
    audience: Audience,
    wording: Wording,
    *,
    by: User,
    batch: str,
    team: TalentTeam | None = None,
) -> int:
    """Queue one copy for each recipient, in their language; returns how many were queued
    (0 when this batch went already). Audited with the count."""
    # Posts of one batch take turns on the event's row, so that both cannot find it unsent.
    db.session.execute(db.update(Event).where(Event.id == event.id).values(id=Event.id))
    if _sent_already(event, batch):
        return 0
    chosen = recipients(event, audience, team)
    for registration in chosen:
        speaker = registration.speaker
        subject, body = wording.for_language(speaker.locale)
        with force_locale(speaker.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            # The link has no place in a subject line (the form refuses it there).
            subject = fitted_subject(fill(subject, values_for(registration, link="")))
        queue_message(
            kind=MESSAGE_KIND,
            to_email=speaker.email,
            to_name=speaker.name,
            locale=speaker.locale,
            template="speaker_message",
            subject=subject,
            event=event,
            private_link_for=registration,
            text=body,
            fill=fill,
            values_for=values_for,
        )
    record(
        "speakers_messaged",
        actor=by,
        target=event,
        audience=audience.value,
        team=team.value if team else "",
        speakers=len(chosen),
        batch=batch,
    )
    return len(chosen)
