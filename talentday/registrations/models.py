import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talentday.actors import Who
from talentday.auth.models import User
from talentday.database import UTCDateTime, enum_column, utcnow
from talentday.events.models import Event
from talentday.extensions import db


class Publication(enum.Enum):
    """What the speaker agreed to have published on the event's public results page (办理
    结果公开): their suggestion and its answer with their name, without it, or nothing."""

    NAMED = "named"
    ANONYMOUS = "anonymous"
    NONE = "none"

    @property
    def label(self):
        return PUBLICATION_LABELS[self]


PUBLICATION_LABELS = {
    Publication.NAMED: _l("Yes, with my name and organization"),
    Publication.ANONYMOUS: _l("Yes, without my name"),
    Publication.NONE: _l("No, do not publish them"),
}


class TalentTeam(enum.Enum):
    SCI_TECH_TOWN_LEADER_GROUP = "sci_tech_town_leader_group"
    INDUSTRY_PROFESSOR = "industry_professor"
    SCI_TECH_VICE_PRESIDENT = "sci_tech_vice_president"
    UNIVERSITY = "university"
    ENTERPRISE = "enterprise"
    OTHER = "other"

    @property
    def label(self):
        return TALENT_TEAM_LABELS[self]


TALENT_TEAM_LABELS = {
    TalentTeam.SCI_TECH_TOWN_LEADER_GROUP: _l("S&T Town Leader Group"),
    TalentTeam.INDUSTRY_PROFESSOR: _l("Industry Professor"),
    TalentTeam.SCI_TECH_VICE_PRESIDENT: _l("S&T Vice President"),
    TalentTeam.UNIVERSITY: _l("University representative"),
    TalentTeam.ENTERPRISE: _l("Enterprise representative"),
    TalentTeam.OTHER: _l("Other"),
}


class RegistrationState(enum.Enum):
    # Registered with an email address already on file: held until the address's owner
    # confirms from the link sent there (whoever typed the address may not own it).
    UNCONFIRMED = "unconfirmed"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return REGISTRATION_STATE_LABELS[self]


REGISTRATION_STATE_LABELS = {
    RegistrationState.UNCONFIRMED: _l("Awaiting the speaker's confirmation"),
    RegistrationState.SUBMITTED: _l("Submitted"),
    RegistrationState.APPROVED: _l("Approved"),
    RegistrationState.WAITLISTED: _l("Waitlisted"),
    RegistrationState.REJECTED: _l("Rejected"),
    RegistrationState.WITHDRAWN: _l("Withdrawn"),
    RegistrationState.CANCELLED: _l("Cancelled"),
}


# The allowed moves of a registration (docs/domain.md, "Life of a registration"), and who
# may make each (talentday.actors.Who): from a state, {target: who}. The organizers are
# those who may manage the registration's event. Checked by
# registrations.services.require_transition, which every service that moves one calls.
_ORGANIZERS = frozenset({Who.ORGANIZER})
_SPEAKER = frozenset({Who.SPEAKER})
REGISTRATION_TRANSITIONS: dict[RegistrationState, dict[RegistrationState, frozenset[Who]]] = {
    # Only the speaker moves it on, by confirming (to submitted or waitlisted) or not.
    RegistrationState.UNCONFIRMED: {
        RegistrationState.SUBMITTED: _SPEAKER,
        RegistrationState.WAITLISTED: _SPEAKER,
        RegistrationState.WITHDRAWN: _SPEAKER,
    },
    RegistrationState.SUBMITTED: {
        RegistrationState.APPROVED: _ORGANIZERS,
        RegistrationState.WAITLISTED: _ORGANIZERS,
        RegistrationState.REJECTED: _ORGANIZERS,
        RegistrationState.WITHDRAWN: _SPEAKER,
    },
    RegistrationState.WAITLISTED: {
        # The system moves the first waiting speaker up when an approved one leaves.
        RegistrationState.APPROVED: _ORGANIZERS | {Who.SYSTEM},
        RegistrationState.REJECTED: _ORGANIZERS,
        RegistrationState.WITHDRAWN: _SPEAKER,
        RegistrationState.CANCELLED: _ORGANIZERS,
    },
    RegistrationState.APPROVED: {
        RegistrationState.WAITLISTED: _ORGANIZERS,
        RegistrationState.WITHDRAWN: _SPEAKER,
        RegistrationState.CANCELLED: _ORGANIZERS,
    },
    RegistrationState.REJECTED: {
        RegistrationState.APPROVED: _ORGANIZERS,
        RegistrationState.WAITLISTED: _ORGANIZERS,
    },
    RegistrationState.WITHDRAWN: {},
    RegistrationState.CANCELLED: {},
}


class Attendance(enum.Enum):
    """What an approved speaker answered to "will you come?"."""

    CONFIRMED = "confirmed"
    NOT_YET = "not_yet"
    DECLINED = "declined"

    @property
    def label(self):
        return ATTENDANCE_LABELS[self]


ATTENDANCE_LABELS = {
    Attendance.CONFIRMED: _l("Will come"),
    Attendance.NOT_YET: _l("Not confirmed yet"),
    Attendance.DECLINED: _l("Cannot come"),
}


# A speaker in these states still holds, or waits for, a place.
ACTIVE_STATES = frozenset(
    {RegistrationState.SUBMITTED, RegistrationState.APPROVED, RegistrationState.WAITLISTED}
)


# What replaces erased personal data in the database (registrations/privacy.py); pages show
# "a speaker" in the reader's language instead.
ANONYMISED = "[anonymised]"


class Speaker(db.Model):
    """A talent representative, kept once and reused across events (matched by email)."""

    __tablename__ = "speaker"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # Stored lower-cased so that one person is one record whatever the capitals typed.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    organization: Mapped[str] = mapped_column(sa.String(200), default="")
    position: Mapped[str] = mapped_column(sa.String(200), default="")
    talent_team: Mapped[TalentTeam] = mapped_column(
        enum_column(TalentTeam, "talent_team"), index=True
    )
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    # Set when the speaker's personal data was erased (on request or after the retention
    # period); their suggestions stay, attributed to "a speaker".
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def display_name(self) -> str:
        """The name to show: "a speaker", in the reader's language, once anonymised."""
        return str(_l("A speaker")) if self.anonymised_at is not None else self.name

    def __repr__(self) -> str:
        return f"<Speaker {self.id} {self.name!r}>"


class Registration(db.Model):
    """A speaker's request to speak at one event, and where it stands."""

    __tablename__ = "registration"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "speaker_id", name="uq_registration_event_speaker"),
        sa.Index("ix_registration_event_state", "event_id", "state"),
        sa.CheckConstraint(
            "speaking_minutes IS NULL OR speaking_minutes > 0", name="speaking_minutes_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    speaker_id: Mapped[int] = mapped_column(
        sa.ForeignKey("speaker.id", ondelete="RESTRICT"), index=True
    )
    state: Mapped[RegistrationState] = mapped_column(
        enum_column(RegistrationState, "registration_state"), default=RegistrationState.SUBMITTED
    )
    topic: Mapped[str] = mapped_column(sa.String(300), default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    # Only a hash of the speaker's private link is kept: a database leak reveals no links.
    token_hash: Mapped[str | None] = mapped_column(sa.String(128), unique=True)
    # The link is made again from this and the secret key whenever a message is sent, so
    # that no stored message holds it (see registrations.services.current_token).
    link_nonce: Mapped[str | None] = mapped_column(sa.String(32))
    # An unconfirmed registration's suggestions and waiting-list choice, acted on when the
    # speaker confirms: nothing is attributed to a speaker before then.
    pending_submission: Mapped[dict | None] = mapped_column(sa.JSON)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Which wording of the consent text (registrations/consent.py) the speaker agreed to.
    consent_version: Mapped[str | None] = mapped_column(sa.String(32))
    publication: Mapped[Publication] = mapped_column(
        enum_column(Publication, "publication"),
        default=Publication.NONE,
        server_default=Publication.NONE.value,
    )
    speaking_order: Mapped[int | None] = mapped_column()
    speaking_minutes: Mapped[int | None] = mapped_column()
    organizer_message: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An approved speaker's answer to "will you come?" (registrations/attendance.py): when
    # they confirmed, or when they declined, which withdrew the registration.
    attendance_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    speaker: Mapped[Speaker] = relationship()

    @property
    def awaits_confirmation(self) -> bool:
        return self.state is RegistrationState.UNCONFIRMED

    @property
    def attendance(self) -> "Attendance | None":
        """An approved (or declined) speaker's answer to "will you come?"; None for others."""
        if self.declined_at is not None and self.state is RegistrationState.WITHDRAWN:
            return Attendance.DECLINED
        if self.state is not RegistrationState.APPROVED:
            return None
        if self.attendance_confirmed_at is not None:
            return Attendance.CONFIRMED
        return Attendance.NOT_YET

    def __repr__(self) -> str:
        return f"<Registration {self.id} event={self.event_id} {self.state.value}>"


class TeamQuota(db.Model):
    """At most this many approved speakers of one talent team at one event."""

    __tablename__ = "team_quota"
    __table_args__ = (sa.CheckConstraint("max_speakers >= 0", name="max_speakers_not_negative"),)

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    talent_team: Mapped[TalentTeam] = mapped_column(
        enum_column(TalentTeam, "quota_talent_team"), primary_key=True
    )
    max_speakers: Mapped[int] = mapped_column()


class CheckIn(db.Model):
    """An approved speaker marked present at the door on the salon day. One per registration:
    the unique key is what makes two organizers scanning the same code at once record it
    once (registrations/check_in.py)."""

    __tablename__ = "check_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    registration: Mapped[Registration] = relationship()
    checked_in_by: Mapped[User | None] = relationship()


class ProgrammeBreak(db.Model):
    """A pause in the programme (a tea break, 茶歇): it starts when the speaker at place
    `after_order` is done, and the clock moves on by its minutes (services.timetable)."""

    __tablename__ = "programme_break"
    __table_args__ = (
        sa.CheckConstraint("minutes > 0", name="minutes_positive"),
        sa.CheckConstraint("after_order >= 1", name="after_order_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    after_order: Mapped[int] = mapped_column()
    minutes: Mapped[int] = mapped_column()
    # As the organizer typed it; empty shows "Break" in the reader's language.
    label: Mapped[str] = mapped_column(sa.String(100), default="")

    @property
    def display_label(self) -> str:
        return self.label or str(_l("Break"))
