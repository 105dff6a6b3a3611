import enum
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from talentday.actors import Who
from talentday.database import UTCDateTime, enum_column, utcnow
from talentday.extensions import db
from talentday.units.models import localized


class EventState(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    REGISTRATION_CLOSED = "registration_closed"
    HELD = "held"
    ARCHIVED = "archived"

    @property
    def label(self):
        return EVENT_STATE_LABELS[self]


EVENT_STATE_LABELS = {
    EventState.DRAFT: _l("Draft"),
    EventState.PUBLISHED: _l("Published"),
    EventState.REGISTRATION_CLOSED: _l("Registration closed"),
    EventState.HELD: _l("Held"),
    EventState.ARCHIVED: _l("Archived"),
}

# The allowed moves of an event, and who may make each (talentday.actors.Who): from a
# state, {target: who}. Unpublishing takes it back to a draft; closing registration may be
# undone while the event has not been held. Checked by events.services.require_transition.
_MANAGERS = frozenset({Who.ORGANIZER})
EVENT_TRANSITIONS: dict[EventState, dict[EventState, frozenset[Who]]] = {
    EventState.DRAFT: {EventState.PUBLISHED: _MANAGERS, EventState.ARCHIVED: _MANAGERS},
    EventState.PUBLISHED: {
        EventState.DRAFT: _MANAGERS,
        EventState.REGISTRATION_CLOSED: _MANAGERS,
        EventState.HELD: _MANAGERS,
    },
    EventState.REGISTRATION_CLOSED: {
        EventState.PUBLISHED: _MANAGERS,
        EventState.HELD: _MANAGERS,
    },
    EventState.HELD: {EventState.ARCHIVED: _MANAGERS},
    EventState.ARCHIVED: {},
}


def action_label(current: EventState, target: EventState):
    """What the button that makes this move says."""
    if target is EventState.PUBLISHED:
        return (
            _l("Reopen registration")
            if current is EventState.REGISTRATION_CLOSED
            else _l("Publish")
        )
    return {
        EventState.DRAFT: _l("Unpublish"),
        EventState.REGISTRATION_CLOSED: _l("Close registration"),
        EventState.HELD: _l("Mark as held"),
        EventState.ARCHIVED: _l("Archive"),
    }[target]


# States in which the public may see the event page.
PUBLIC_EVENT_STATES = (EventState.PUBLISHED, EventState.REGISTRATION_CLOSED, EventState.HELD)

DEFAULT_FOLLOW_UP_DAYS = 30

# The texts an organizer types, each with its optional Chinese version (title_zh, …).
TEXTS = (
    "title", "theme", "description", "venue", "host", "presiding_official", "attending_leaders",
)  # fmt: skip
CHINESE_TEXTS = tuple(f"{name}_zh" for name in TEXTS)


class Event(db.Model):
    """One talent event, such as a numbered edition of a talent salon series."""

    __tablename__ = "event"
    __table_args__ = (
        sa.UniqueConstraint("series", "edition", name="uq_event_series_edition"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("speaking_slots >= 1", name="at_least_one_slot"),
        sa.CheckConstraint(
            "registration_closes_at IS NULL OR registration_closes_at <= starts_at",
            name="registration_closes_before_start",
        ),
        sa.CheckConstraint(
            "registration_opens_at IS NULL OR registration_closes_at IS NULL"
            " OR registration_opens_at < registration_closes_at",
            name="registration_opens_before_close",
        ),
        sa.CheckConstraint("follow_up_days >= 1", name="follow_up_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(sa.String(200))
    edition: Mapped[int | None] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(300))
    theme: Mapped[str] = mapped_column(sa.String(500), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[str] = mapped_column(sa.String(300), default="")
    host: Mapped[str] = mapped_column(sa.String(300), default="")
    presiding_official: Mapped[str] = mapped_column(sa.String(300), default="")
    attending_leaders: Mapped[str] = mapped_column(sa.Text, default="")
    # The Chinese version of each text an organizer types, shown in the Chinese interface
    # (and in Chinese messages) when there is one; empty means "use the text above".
    title_zh: Mapped[str | None] = mapped_column(sa.String(300))
    theme_zh: Mapped[str | None] = mapped_column(sa.String(500))
    description_zh: Mapped[str | None] = mapped_column(sa.Text)
    venue_zh: Mapped[str | None] = mapped_column(sa.String(300))
    host_zh: Mapped[str | None] = mapped_column(sa.String(300))
    presiding_official_zh: Mapped[str | None] = mapped_column(sa.String(300))
    attending_leaders_zh: Mapped[str | None] = mapped_column(sa.Text)
    speaking_slots: Mapped[int] = mapped_column(default=12)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Days a responsible unit has by default to deliver a result on this event's items:
    # working days (the State Council's calendar) or calendar days.
    follow_up_days: Mapped[int] = mapped_column(
        default=DEFAULT_FOLLOW_UP_DAYS, server_default=str(DEFAULT_FOLLOW_UP_DAYS)
    )
    follow_up_in_working_days: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    # The public page of the results the organizers published (办理结果公开): off unless an
    # organizer turns it on.
    results_public: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    state: Mapped[EventState] = mapped_column(
        enum_column(EventState, "event_state"), default=EventState.DRAFT, index=True
    )

    def follow_up_ends(self, start: date):
        """The end of the follow-up period counted from `start`: a followup.working_days
        Deadline, `estimated` when working days were counted beyond the known years."""
        from talentday.followup.working_days import Deadline, add_working_days

        if self.follow_up_in_working_days:
            return add_working_days(start, self.follow_up_days)
        return Deadline(start + timedelta(days=self.follow_up_days))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_EVENT_STATES

    @property
    def registration_opens_later(self) -> bool:
        """Published, with registration set to open at a time still to come."""
        return (
            self.state is EventState.PUBLISHED
            and self.registration_opens_at is not None
            and utcnow() < self.registration_opens_at
        )

    # What the reader sees: the Chinese version in the Chinese interface when there is one.
    @property
    def display_title(self) -> str:
        return localized(self.title, self.title_zh)

    @property
    def display_theme(self) -> str:
        return localized(self.theme, self.theme_zh)

    @property
    def display_description(self) -> str:
        return localized(self.description, self.description_zh)

    @property
    def display_venue(self) -> str:
        return localized(self.venue, self.venue_zh)

    @property
    def display_host(self) -> str:
        return localized(self.host, self.host_zh)

    @property
    def display_presiding_official(self) -> str:
        return localized(self.presiding_official, self.presiding_official_zh)

    @property
    def attending_leaders_list(self) -> list[str]:
        leaders = localized(self.attending_leaders, self.attending_leaders_zh)
        return [line.strip() for line in leaders.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"
