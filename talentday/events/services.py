"""Events: creating, cloning and moving them through their states."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from talentday.actors import SYSTEM, Who
from talentday.audit.services import record
from talentday.auth.models import User
from talentday.database import utcnow
from talentday.errors_domain import DomainError
from talentday.events.models import (
    CHINESE_TEXTS,
    DEFAULT_FOLLOW_UP_DAYS,
    EVENT_TRANSITIONS,
    TEXTS,
    Event,
    EventState,
)
from talentday.events.permissions import may_manage
from talentday.extensions import db
from talentday.registrations.models import TalentTeam, TeamQuota


class EventError(DomainError):
    pass


class EventRefused(EventError):
    """The actor may not manage this event."""


@dataclass
class EventDetails:
    """What an organizer fills in for an event."""

    series: str
    title: str
    starts_at: datetime
    ends_at: datetime
    speaking_slots: int
    edition: int | None = None
    theme: str = ""
    description: str = ""
    venue: str = ""
    host: str = ""
    presiding_official: str = ""
    attending_leaders: str = ""
    title_zh: str | None = None
    theme_zh: str | None = None
    description_zh: str | None = None
    venue_zh: str | None = None
    host_zh: str | None = None
    presiding_official_zh: str | None = None
    attending_leaders_zh: str | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS
    follow_up_in_working_days: bool = False
    results_public: bool = False
    quotas: dict[TalentTeam, int] = field(default_factory=dict)


# Every detail kept on the event itself, in the form's order (times and quotas apart).
DETAILS = (
    "series",
    "edition",
    *TEXTS,
    *CHINESE_TEXTS,
    "speaking_slots",
    "follow_up_days",
    "follow_up_in_working_days",
    "results_public",
)
TIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


def check_details(details: EventDetails) -> None:
    """End after start, registration closing before the event, at least one slot."""
    if details.ends_at <= details.starts_at:
        raise EventError(_l("Enter an end time after the start time"), "ends_at")
    if details.speaking_slots < 1:
        raise EventError(_l("Enter at least one speaking slot"), "speaking_slots")
    opens, closes = details.registration_opens_at, details.registration_closes_at
    if closes is not None and closes > details.starts_at:
        raise EventError(
            _l("Registration must close before the event starts"), "registration_closes_at"
        )
    if opens is not None and closes is not None and opens >= closes:
        raise EventError(_l("Registration must open before it closes"), "registration_opens_at")
    for team, maximum in details.quotas.items():
        if maximum > details.speaking_slots:
            raise EventError(
                _l("A team's quota cannot exceed the speaking slots"), f"quota_{team.value}"
            )


def _check_edition_free(details: EventDetails, event: Event | None) -> None:
    if details.edition is None:
        return
    other = db.session.scalar(
        db.select(Event.id).where(Event.series == details.series, Event.edition == details.edition)
    )
    if other is not None and (event is None or other != event.id):
        raise EventError(_l("This series already has an event with this number"), "edition")


def save_event(event: Event | None, details: EventDetails, *, by: User) -> Event:
    """Create an event (as a draft) or change one, with its team quotas: for those who may
    manage events."""
    if not may_manage(by, event):
        raise EventRefused(_l("You may not manage this event."))
    check_details(details)
    _check_edition_free(details, event)
    creating = event is None
    if creating:
        event = Event(state=EventState.DRAFT)
        db.session.add(event)
    for name in (*DETAILS, *TIMES):
        setattr(event, name, getattr(details, name))
    db.session.flush()
    _replace_quotas(event, details.quotas)
    record("event_created" if creating else "event_updated", actor=by, target=event)
    return event


def _replace_quotas(event: Event, quotas: dict[TalentTeam, int]) -> None:
    db.session.execute(db.delete(TeamQuota).where(TeamQuota.event_id == event.id))
    for team, maximum in quotas.items():
        db.session.add(TeamQuota(event_id=event.id, talent_team=team, max_speakers=maximum))
    db.session.flush()


def quotas_of(event: Event) -> dict[TalentTeam, int]:
    rows = db.session.scalars(db.select(TeamQuota).where(TeamQuota.event_id == event.id))
    return {row.talent_team: row.max_speakers for row in rows}


def details_for_next_edition(source: Event) -> EventDetails:
    """The form of the next salon in a series: the same details, the number raised, and the
    dates left for the organizer to fill in."""
    return EventDetails(
        series=source.series,
        edition=(source.edition + 1) if source.edition is not None else None,
        title=_next_title(source.title, source.edition),
        title_zh=source.title_zh and _next_title(source.title_zh, source.edition),
        # A new salon has a theme of its own.
        theme="",
        theme_zh=None,
        **{
            name: getattr(source, name)
            for name in DETAILS
            if name not in ("series", "edition", "title", "title_zh", "theme", "theme_zh")
        },
        starts_at=None,  # type: ignore[arg-type]
        ends_at=None,  # type: ignore[arg-type]
        quotas=quotas_of(source),
    )


def _next_title(title: str, edition: int | None) -> str:
    """The title with its number raised: "24th …" becomes "25th …", "第二十四期" becomes
    "第二十五期" and "第24期" becomes "第25期"; a title without its number stays as it is."""
    if edition is None:
        return title
    for old, new in (
        (_ordinal(edition), _ordinal(edition + 1)),
        (f"第{edition}", f"第{edition + 1}"),
        (f"第{_chinese_number(edition)}", f"第{_chinese_number(edition + 1)}"),
    ):
        if old in title:
            return title.replace(old, new, 1)
    return title


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


_DIGITS = "零一二三四五六七八九"


def _chinese_number(number: int) -> str:
    """A salon's number in Chinese numerals, as titles write it (1 to 999): 二十四, 一百零五."""
    if not 0 < number < 1000:
        return str(number)
    hundreds, tens, ones = number // 100, number // 10 % 10, number % 10
    text = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    if ones:
        text += _DIGITS[ones]
    return text


def _who(actor, event: Event) -> Who | None:
    if actor is SYSTEM:
        return Who.SYSTEM
    return Who.ORGANIZER if may_manage(actor, event) else None


def may_transition(actor, event: Event, target: EventState) -> bool:
    """Whether EVENT_TRANSITIONS lets this actor move the event to `target` now."""
    who = EVENT_TRANSITIONS[event.state].get(target, frozenset())
    return _who(actor, event) in who


def require_transition(actor, event: Event, target: EventState) -> None:
    """Refuse a move EVENT_TRANSITIONS does not give this actor from the event's state."""
    if may_transition(actor, event, target):
        return
    if _who(actor, event) is None or target in EVENT_TRANSITIONS[event.state]:
        raise EventRefused(_l("You may not manage this event."))
    raise EventError(
        _l(
            "An event that is %(current)s cannot become %(target)s.",
            current=event.state.label,
            target=target.label,
        )
    )


def change_state(event: Event, target: EventState, *, by: User) -> None:
    """Move an event along EVENT_TRANSITIONS, by one who may; anything else is refused and
    changes nothing."""
    require_transition(by, event, target)
    previous = event.state
    event.state = target
    record(
        "event_state_changed", actor=by, target=event, previous=previous.value, state=target.value
    )


def consequences(event: Event, target: EventState, now: datetime | None = None) -> list:
    """What a move that cannot be undone will do, to say on a page before it is made; empty
    for a move that can be taken back (publishing, closing registration...)."""
    now = now or utcnow()
    said = []
    if target is EventState.HELD:
        if now < event.starts_at:
            said.append(_l("The event has not started yet (see when above)."))
        said.append(
            _l(
                "Marking it held cannot be undone: registration closes for good and the event "
                "counts as held in the leaders' figures."
            )
        )
    elif target is EventState.ARCHIVED:
        said.append(
            _l(
                "Archiving cannot be undone: the event leaves the public pages, its programme "
                "included, and its state can no longer be changed."
            )
        )
    return said


def registration_is_open(event: Event, now: datetime | None = None) -> bool:
    """Published, and inside the registration window: from its opening time (or publication)
    until its closing time (or the start of the event)."""
    now = now or utcnow()
    if event.state is not EventState.PUBLISHED:
        return False
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        return False
    # Without a closing time it closes when the event starts, as the form's hint promises.
    closes_at = event.registration_closes_at or event.starts_at
    return now < closes_at
