"""Loading the demo salon. Loading it again changes nothing."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from talentday.auth.models import User
from talentday.auth.services import create_user, find_user_by_email
from talentday.demo import data
from talentday.demo.data import DEMO_PASSWORD
from talentday.errors_domain import DomainError
from talentday.events.models import Event, EventState
from talentday.extensions import db
from talentday.followup import timeline as timeline_values
from talentday.followup.models import (
    Category,
    ContactMethod,
    FollowUpItem,
    ItemState,
    ResultClass,
    Satisfaction,
    TimelineEntry,
    TimelineKind,
)
from talentday.i18n import city_today
from talentday.registrations.consent import CONSENT_VERSION
from talentday.registrations.models import (
    Publication,
    Registration,
    RegistrationState,
    Speaker,
)
from talentday.units.models import ResponsibleUnit

__all__ = ["DEMO_PASSWORD", "DemoRefused", "DemoSummary", "load_demo", "real_data_found"]

CITY = ZoneInfo("Asia/Shanghai")


class DemoRefused(DomainError):
    """The database holds real data: the demo's published password must never reach it."""


def _demo_speaker_emails() -> set[str]:
    return {f"speaker{index + 1:02d}@example.com" for index in range(len(data.SPEAKERS))} | {
        f"next{index + 1:02d}@example.com" for index in range(len(data.NEXT_SALON_SPEAKERS))
    }


def real_data_found() -> list[str]:
    """What the database holds that the demo did not create: accounts, events, speakers.

    Units and categories are left out: an admin may add them, but they hold no one's data
    and no way in, and the demo only adds those it lacks."""
    found = []
    accounts = db.session.scalar(
        db.select(db.func.count())
        .select_from(User)
        .where(User.email.not_in([email for email, *_rest in data.ACCOUNTS]))
    )
    if accounts:
        found.append(f"{accounts} account(s)")
    events = db.session.scalar(
        db.select(db.func.count())
        .select_from(Event)
        .where(
            db.or_(
                Event.series != data.SERIES,
                Event.edition.is_(None),
                Event.edition.not_in([data.SALON_24["edition"], data.SALON_25["edition"]]),
            )
        )
    )
    if events:
        found.append(f"{events} event(s)")
    speakers = db.session.scalar(
        db.select(db.func.count())
        .select_from(Speaker)
        .where(Speaker.email.not_in(sorted(_demo_speaker_emails())))
    )
    if speakers:
        found.append(f"{speakers} speaker(s)")
    return found


@dataclass
class DemoSummary:
    created: bool = False
    accounts: list[tuple[str, str]] = field(default_factory=list)


def _city_time(parts: tuple[int, ...]) -> datetime:
    return datetime(*parts, tzinfo=CITY)


def _get_or_create_units() -> dict[str, ResponsibleUnit]:
    units = {}
    for name, name_zh, kind in data.UNITS:
        unit = db.session.scalar(db.select(ResponsibleUnit).where(ResponsibleUnit.name == name))
        if unit is None:
            unit = ResponsibleUnit(name=name, name_zh=name_zh, kind=kind)
            db.session.add(unit)
        units[name] = unit
    db.session.flush()
    return units


def _get_or_create_categories() -> dict[str, Category]:
    categories = {}
    for position, (code, name, name_zh) in enumerate(data.CATEGORIES):
        category = db.session.scalar(db.select(Category).where(Category.code == code))
        if category is None:
            category = Category(code=code, name=name, name_zh=name_zh, position=position)
            db.session.add(category)
        categories[code] = category
    db.session.flush()
    return categories


def _get_or_create_accounts(units: dict[str, ResponsibleUnit]) -> dict[str, User]:
    users = {}
    for email, name, role, unit_name, locale in data.ACCOUNTS:
        user = find_user_by_email(email)
        if user is None:
            user = create_user(
                email=email,
                name=name,
                password=DEMO_PASSWORD,
                role=role,
                unit=units[unit_name] if unit_name else None,
                locale=locale,
            )
        users[email] = user
    return users


def _event(values: dict, state: EventState) -> Event:
    fields = dict(values)
    for key in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        fields[key] = _city_time(fields[key])
    event = Event(state=state, **fields)
    db.session.add(event)
    return event


# The moves an item made to reach each final state, replayed onto its timeline.
_PATHS = {
    ItemState.NEW: [],
    ItemState.ASSIGNED: [ItemState.ASSIGNED],
    ItemState.RETURNED: [ItemState.ASSIGNED, ItemState.RETURNED],
    ItemState.ACCEPTED: [ItemState.ASSIGNED, ItemState.ACCEPTED],
    ItemState.IN_PROGRESS: [ItemState.ASSIGNED, ItemState.ACCEPTED, ItemState.IN_PROGRESS],
    ItemState.RESOLVED: [
        ItemState.ASSIGNED,
        ItemState.ACCEPTED,
        ItemState.IN_PROGRESS,
        ItemState.RESOLVED,
    ],
    ItemState.CLOSED: [
        ItemState.ASSIGNED,
        ItemState.ACCEPTED,
        ItemState.IN_PROGRESS,
        ItemState.RESOLVED,
        ItemState.CLOSED,
    ],
}
# Reopened by the speaker's unsatisfied rating, after the same path as a resolved item.
_PATHS[ItemState.REOPENED] = _PATHS[ItemState.RESOLVED]
_DAYS_AFTER_EVENT = {
    ItemState.ASSIGNED: 2,
    ItemState.ACCEPTED: 4,
    ItemState.RETURNED: 4,
    ItemState.IN_PROGRESS: 12,
    ItemState.RESOLVED: 30,
    ItemState.CLOSED: 33,
}
_KIND = {
    ItemState.ASSIGNED: TimelineKind.ASSIGNED,
    ItemState.ACCEPTED: TimelineKind.ACCEPTED,
    ItemState.RETURNED: TimelineKind.RETURNED,
    ItemState.IN_PROGRESS: TimelineKind.PROGRESS,
    ItemState.RESOLVED: TimelineKind.RESULT,
    ItemState.CLOSED: TimelineKind.CLOSED,
}


def _staff_of(users: dict[str, User], unit: ResponsibleUnit | None) -> User | None:
    return next((u for u in users.values() if unit is not None and u.unit_id == unit.id), None)


def _add_item(
    index: int,
    row: tuple,
    *,
    event: Event,
    registrations: list[Registration],
    categories: dict[str, Category],
    units: dict[str, ResponsibleUnit],
    users: dict[str, User],
) -> None:
    (speaker_index, code, content, lead, co_units, due, final_state, result, satisfaction) = row
    extension = data.EXTENSIONS.get(index)
    result_class, promised = data.RESULT_CLASSES.get(index, (None, None))
    organizer = users["organizer@example.com"]
    registration = registrations[speaker_index]
    raised_at = event.starts_at + timedelta(hours=1)
    lead_unit = units[lead] if lead else None
    item = FollowUpItem(
        event=event,
        speaker=registration.speaker,
        registration=registration,
        category=categories[code],
        content=content,
        state=final_state,
        lead_unit=lead_unit,
        co_units=[units[name] for name in co_units],
        due_on=date(*due) if due else None,
        instructions="Report progress every two weeks." if lead else "",
        result=result,
        result_class=ResultClass(result_class) if result_class else None,
        commitment_on=date(*promised) if promised else None,
        satisfaction=satisfaction,
        created_by=organizer,
        created_at=raised_at,
    )
    db.session.add(item)
    timeline = [
        TimelineEntry(
            item=item,
            at=raised_at,
            kind=TimelineKind.CREATED,
            actor_user=organizer,
            to_state=ItemState.NEW,
        )
    ]
    previous = ItemState.NEW
    staff = _staff_of(users, lead_unit)
    # A granted extension moved the due date: the item was assigned with the date before.
    first_due = date(*extension[1]) if extension and extension[3] else None
    for state in _PATHS[final_state]:
        at = event.starts_at + timedelta(days=_DAYS_AFTER_EVENT[state])
        by_unit = state not in (ItemState.ASSIGNED, ItemState.CLOSED)
        note = {
            ItemState.RETURNED: data.RETURN_REASON,
            ItemState.IN_PROGRESS: "Policy draft under consultation with the units concerned.",
            ItemState.RESOLVED: result,
            ItemState.CLOSED: "Result confirmed with the speaker.",
        }.get(state, "")
        timeline.append(
            TimelineEntry(
                item=item,
                at=at,
                kind=_KIND[state],
                actor_user=staff if by_unit else organizer,
                unit=lead_unit if by_unit else None,
                from_state=previous,
                to_state=state,
                note=note,
                details=_details(state, item, first_due),
                progress_percent=40 if state is ItemState.IN_PROGRESS else None,
            )
        )
        if state is ItemState.ASSIGNED:
            item.assigned_at = at
        elif state is ItemState.RESOLVED:
            item.resolved_at = at
        elif state is ItemState.CLOSED:
            item.closed_at = at
        previous = state
    if extension:
        timeline.extend(_extension_entries(item, extension, event, staff, organizer))
    if index in data.CONTACTS:
        days, method, summary = data.CONTACTS[index]
        at = event.starts_at + timedelta(days=days)
        item.contacted_on = at.astimezone(CITY).date()
        timeline.append(
            TimelineEntry(
                item=item, at=at, kind=TimelineKind.CONTACTED, actor_user=staff, unit=lead_unit,
                note=summary,
                details=timeline_values.contact(ContactMethod(method), item.contacted_on),
            )
        )  # fmt: skip
    if index in data.PUBLISHED:
        consent, days = data.PUBLISHED[index]
        registration.publication = Publication(consent)
        item.published_at = event.starts_at + timedelta(days=days)
        item.published_content, item.published_result = content, result
        timeline.append(
            TimelineEntry(
                item=item, at=item.published_at, kind=TimelineKind.PUBLISHED, actor_user=organizer
            )
        )  # fmt: skip
    if index in data.KEY_ITEMS:
        days, instruction = data.KEY_ITEMS[index]
        item.key_at = event.starts_at + timedelta(days=days)
        item.key_instruction = instruction
        timeline.append(
            TimelineEntry(
                item=item, at=item.key_at, kind=TimelineKind.KEY_MARKED,
                actor_user=users["leader@example.com"], note=instruction,
            )
        )  # fmt: skip
    for unit_name, days, opinion in data.OPINIONS.get(index, []):
        timeline.append(
            TimelineEntry(
                item=item, at=event.starts_at + timedelta(days=days),
                kind=TimelineKind.CO_OPINION, actor_user=_staff_of(users, units[unit_name]),
                unit=units[unit_name], note=opinion,
            )
        )  # fmt: skip
    if item.commitment_on is not None and item.commitment_on < city_today():
        # The daily run brought the passed promise back, and asked the speaker.
        item.commitment_due_at = datetime.combine(
            item.commitment_on + timedelta(days=1), time(8), tzinfo=CITY
        )
        timeline.append(
            TimelineEntry(
                item=item,
                at=item.commitment_due_at,
                kind=TimelineKind.COMMITMENT_DUE,
                details=timeline_values.commitment(item.commitment_on),
            )
        )
    if satisfaction is not None:
        unsatisfied = satisfaction is Satisfaction.UNSATISFIED
        item.satisfaction_comment = data.UNSATISFIED_COMMENT if unsatisfied else ""
        rated_at = event.starts_at + timedelta(days=34)
        # The speaker says whether the unit contacted them: as the record has it.
        item.speaker_says_contacted = item.contacted_on is not None
        timeline.append(
            TimelineEntry(
                item=item,
                at=rated_at,
                kind=TimelineKind.RATED,
                actor_speaker=registration.speaker,
                note=item.satisfaction_comment,
                details=timeline_values.says_contacted(item.speaker_says_contacted),
            )
        )
        if unsatisfied:
            # As services.rate does: the unsatisfying result no longer stands.
            item.resolved_at = item.closed_at = None
            item.result = ""
            timeline.append(
                TimelineEntry(
                    item=item,
                    at=rated_at,
                    kind=TimelineKind.REOPENED,
                    actor_speaker=registration.speaker,
                    from_state=previous,
                    to_state=ItemState.REOPENED,
                    note=data.UNSATISFIED_COMMENT,
                )
            )
    db.session.add_all(timeline)


def _details(state: ItemState, item: FollowUpItem, first_due: date | None) -> dict | None:
    """What the services write on the entry of each move: the assignment, the class."""
    if state is ItemState.ASSIGNED and item.due_on:
        return timeline_values.assignment(item.lead_unit, [], first_due or item.due_on)
    if state is ItemState.RESOLVED and item.result_class:
        return timeline_values.result_class(item.result_class, item.commitment_on)
    return None


def _extension_entries(item, extension, event, staff, organizer) -> list[TimelineEntry]:
    """The request for more time and the organizer's answer, as the services record them."""
    days_after, before, asked, granted, reason, answer = extension
    before, asked = date(*before), date(*asked)
    asked_at = event.starts_at + timedelta(days=days_after)
    entries = [
        TimelineEntry(
            item=item, at=asked_at, kind=TimelineKind.EXTENSION_REQUESTED, actor_user=staff,
            unit=item.lead_unit, note=reason,
            details=timeline_values.extension_asked(before, asked),
        )
    ]  # fmt: skip
    decided_at = asked_at + timedelta(days=1)
    if granted is None:
        entries.append(
            TimelineEntry(
                item=item, at=decided_at, kind=TimelineKind.EXTENSION_REFUSED,
                actor_user=organizer, note=answer,
                details=timeline_values.extension_asked(before, asked),
            )
        )  # fmt: skip
    else:
        granted = date(*granted)
        item.due_on = granted
        item.extensions_granted = 1
        item.days_extended = (granted - before).days
        entries.append(
            TimelineEntry(
                item=item, at=decided_at, kind=TimelineKind.EXTENSION_GRANTED,
                actor_user=organizer, note=answer,
                details=timeline_values.extension_granted(before, granted),
            )
        )  # fmt: skip
    return entries


def _add_waiting_registrations(event: Event) -> None:
    opens = event.registration_opens_at
    for index, (name, position, organization, team, topic) in enumerate(data.NEXT_SALON_SPEAKERS):
        speaker = Speaker(
            name=name,
            email=f"next{index + 1:02d}@example.com",
            phone=f"1390000{index + 1:04d}",
            organization=organization,
            position=position,
            talent_team=team,
        )
        submitted = opens + timedelta(days=index + 1)
        db.session.add(
            Registration(
                event=event,
                speaker=speaker,
                state=RegistrationState.SUBMITTED,
                topic=topic,
                consent_at=submitted,
                consent_version=CONSENT_VERSION,
                submitted_at=submitted,
            )
        )


def load_demo() -> DemoSummary:
    """Add the demo's units, categories, accounts and salons where they are missing.

    Refuses (DemoRefused) when the database holds anything the demo did not create: the
    demo's accounts share a published password, so they must never appear beside real data."""
    found = real_data_found()
    if found:
        raise DemoRefused(
            "The database holds real data ({}); the demo, whose accounts share a published "
            "password, is not loaded into it.".format(", ".join(found))
        )
    units = _get_or_create_units()
    categories = _get_or_create_categories()
    users = _get_or_create_accounts(units)
    summary = DemoSummary(
        accounts=[(role.value, email) for email, _n, role, _u, _l in data.ACCOUNTS]
    )
    existing = db.session.scalar(
        db.select(Event).where(Event.series == data.SERIES, Event.edition == 24)
    )
    if existing is not None:
        return summary

    summary.created = True
    salon = _event(data.SALON_24, EventState.HELD)
    next_salon = _event(data.SALON_25, EventState.PUBLISHED)
    _add_waiting_registrations(next_salon)
    registrations = []
    opens = salon.registration_opens_at
    for index, (name, position, organization, team, topic) in enumerate(data.SPEAKERS):
        email = f"speaker{index + 1:02d}@example.com"
        speaker = db.session.scalar(db.select(Speaker).where(Speaker.email == email))
        if speaker is None:
            speaker = Speaker(
                name=name,
                email=email,
                phone=f"1380000{index + 1:04d}",
                organization=organization,
                position=position,
                talent_team=team,
            )
        submitted = opens + timedelta(hours=3 * index + 1)
        registration = Registration(
            event=salon,
            speaker=speaker,
            state=RegistrationState.APPROVED,
            topic=topic,
            summary=f"{name} speaks on: {topic.lower()}.",
            consent_at=submitted,
            consent_version=CONSENT_VERSION,
            submitted_at=submitted,
            decided_at=salon.registration_closes_at,
            # They all said they would come, the day after they were approved.
            attendance_confirmed_at=salon.registration_closes_at + timedelta(days=1),
            speaking_order=index + 1,
            speaking_minutes=8,
        )
        db.session.add(registration)
        registrations.append(registration)
    db.session.flush()
    for index, row in enumerate(data.SUGGESTIONS):
        _add_item(
            index,
            row,
            event=salon,
            registrations=registrations,
            categories=categories,
            units=units,
            users=users,
        )
    db.session.flush()
    return summary
