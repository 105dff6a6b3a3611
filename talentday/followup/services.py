"""Follow-up items: raising, assigning, handling, closing, rating — the rules of docs/domain.md.

Every change goes through `_record`, which writes a timeline entry with who, when and what;
entries are never edited or deleted. Each changing function takes the version of the item
the person was looking at and refuses to act on a newer one (ConflictError), and the item's
version column makes a truly simultaneous second save fail at commit (StaleDataError).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from talentday.audit.services import record
from talentday.auth.models import Role, User
from talentday.database import utcnow
from talentday.events.models import Event
from talentday.extensions import db
from talentday.followup import attachments, timeline
from talentday.followup.countersigning import opinions_missing
from talentday.followup.models import (
    ITEM_DISPLAY_LOADS,
    ITEM_TRANSITIONS,
    Category,
    ContactMethod,
    FollowUpItem,
    ItemState,
    ResultClass,
    Satisfaction,
    TimelineEntry,
    TimelineKind,
)
from talentday.followup.moves import FollowUpError, Move, require_move
from talentday.followup.permissions import Standing, standing
from talentday.followup.working_days import Deadline, add_working_days
from talentday.forms import strip_whitespace
from talentday.i18n import city_today, city_zone, listed
from talentday.outbox import message_templates
from talentday.outbox.services import queue_message
from talentday.registrations.models import Registration, Speaker
from talentday.templating import day_text
from talentday.units.models import ResponsibleUnit
from talentday.webhooks import services as webhooks


class ConflictError(FollowUpError):
    """The item changed after the person opened it."""

    def __init__(self):
        super().__init__(
            _l(
                "Someone else changed this item while you were working on it. Below is its "
                "latest state; your text is still in the form. Check it, then save again."
            )
        )


def check_version(item: FollowUpItem, expected_version: int | None) -> None:
    if expected_version is not None and item.version != expected_version:
        raise ConflictError()


def _record(
    item: FollowUpItem,
    kind: TimelineKind,
    *,
    by: User | None = None,
    speaker: Speaker | None = None,
    unit: ResponsibleUnit | None = None,
    to_state: ItemState | None = None,
    note: str = "",
    details: dict | None = None,
    percent: int | None = None,
) -> TimelineEntry:
    if to_state is not None and to_state not in ITEM_TRANSITIONS[item.state]:
        raise FollowUpError(
            _l(
                "An item that is %(current)s cannot become %(target)s.",
                current=item.state.label,
                target=to_state.label,
            )
        )
    entry = TimelineEntry(
        item=item,
        kind=kind,
        actor_user=by,
        actor_speaker=speaker,
        unit=unit,
        from_state=item.state if to_state is not None else None,
        to_state=to_state,
        note=note,
        details=details,
        progress_percent=percent,
    )
    db.session.add(entry)
    if to_state is not None:
        item.state = to_state
        # Office systems hear of the change from the same transaction (talentday.webhooks).
        webhooks.queue_state_change(item, entry)
    # Touching the item raises its version even when only the timeline grew, so that a
    # person looking at an older page learns that something happened.
    item.updated_at = utcnow()
    return entry


# --- raising -------------------------------------------------------------------------------


def raise_suggestion(
    *,
    event: Event,
    category: Category,
    content: str,
    speaker: Speaker | None = None,
    registration: Registration | None = None,
    raised_by_name: str = "",
    by_user: User | None = None,
) -> FollowUpItem:
    """A new suggestion becomes a follow-up item in state new, its raising on the timeline."""
    content = content.strip()
    if not content:
        raise FollowUpError(_l("Enter the suggestion"), field="content")
    if speaker is None and not raised_by_name.strip():
        raise FollowUpError(_l("Choose a speaker or enter who raised it"), field="raised_by_name")
    item = FollowUpItem(
        event=event,
        category=category,
        content=content,
        speaker=speaker,
        registration=registration,
        raised_by_name=raised_by_name.strip(),
        created_by=by_user,
        state=ItemState.NEW,
    )
    db.session.add(item)
    db.session.add(
        TimelineEntry(
            item=item,
            kind=TimelineKind.CREATED,
            actor_user=by_user,
            actor_speaker=speaker if by_user is None else None,
            to_state=ItemState.NEW,
        )
    )
    return item


def save_category(
    category: Category | None,
    *,
    code: str,
    name: str,
    name_zh: str | None,
    position: int,
    active: bool,
    by: User,
) -> Category:
    """Create or change a category, in the audit log under `by`. Codes are unique: imports
    may name a category by it."""
    other = db.session.scalar(db.select(Category).where(Category.code == code))
    if other is not None and (category is None or other.id != category.id):
        raise FollowUpError(_l("Another category already has this code"), field="code")
    if category is None:
        category = Category()
        db.session.add(category)
    category.code, category.name, category.name_zh = code, name.strip(), name_zh
    category.position, category.active = position, active
    db.session.flush()
    record("category_saved", actor=by, target=category, active=category.active)
    return category


def active_categories() -> list[Category]:
    return list(
        db.session.scalars(
            db.select(Category).where(Category.active.is_(True)).order_by(Category.position)
        )
    )


# --- notifications -------------------------------------------------------------------------


def unit_staff(unit_ids: list[int]) -> list[User]:
    if not unit_ids:
        return []
    return list(
        db.session.scalars(
            db.select(User).where(
                User.unit_id.in_(unit_ids),
                User.role == Role.DEPARTMENT_STAFF,
                User.active.is_(True),
            )
        )
    )


def organizers() -> list[User]:
    return list(
        db.session.scalars(
            db.select(User).where(User.role == Role.ORGANIZER, User.active.is_(True))
        )
    )


def _notify_users(users: list[User], kind: str, item: FollowUpItem, **context) -> None:
    for user in users:
        queue_message(
            kind=kind,
            to_email=user.email,
            to_name=user.name,
            locale=user.locale,
            # A co-handling unit's staff are asked for something else than the lead unit's.
            template="item_assigned_co"
            if kind == "item_assigned" and user.unit_id != item.lead_unit_id
            else kind,
            event=item.event,
            item=item,
            recipient=user,
            **context,
        )


# --- the organizer's moves ---------------------------------------------------------------


def default_deadline(item: FollowUpItem, today: date) -> Deadline:
    """The end of the event's follow-up period, counted from today."""
    return item.event.follow_up_ends(today)


def default_due_date(item: FollowUpItem, today: date) -> date:
    return default_deadline(item, today).due_on


def chosen_deadline(
    item: FollowUpItem, today: date, *, on: date | None, working_days: int | None
) -> Deadline:
    """The due date an organizer chose: a number of working days from today, else a date,
    else the event's follow-up period."""
    if working_days:
        return add_working_days(today, working_days)
    if on is not None:
        return Deadline(on)
    return default_deadline(item, today)


def assign(
    item: FollowUpItem,
    *,
    lead_unit: ResponsibleUnit | None,
    co_units: list[ResponsibleUnit],
    due_on: date,
    instructions: str,
    by: User,
    today: date,
    expected_version: int | None = None,
) -> None:
    """One lead unit, any number of co-handling units, a due date; new, returned or not yet
    accepted items only. The units are told."""
    check_version(item, expected_version)
    require_move(by, item, Move.ASSIGN)
    if lead_unit is None or not lead_unit.active:
        raise FollowUpError(_l("Choose a lead unit that is active"), field="lead_unit_id")
    co_units = [unit for unit in co_units if unit.id != lead_unit.id]
    if due_on < today:
        raise FollowUpError(_l("Choose a due date that is not in the past"), field="due_on")
    reassignment = item.state is ItemState.ASSIGNED
    item.lead_unit = lead_unit
    item.co_units = co_units
    item.due_on = due_on
    item.opinions_waived_at = None  # the co-handling units may be others now
    item.instructions = instructions.strip()
    item.assigned_at = utcnow()
    details = timeline.assignment(lead_unit, co_units, due_on)
    if reassignment:
        _record(item, TimelineKind.ASSIGNED, by=by, details=details)
    else:
        _record(item, TimelineKind.ASSIGNED, by=by, to_state=ItemState.ASSIGNED, details=details)
    staff = unit_staff([lead_unit.id] + [u.id for u in co_units])
    _notify_users(staff, "item_assigned", item)
    if item.is_key:  # the units it goes to learn what the leader asked
        _notify_users(
            staff, "leader_instruction", item, instruction=item.key_instruction,
            leader=_instructing_leader(item),
        )  # fmt: skip


def close(
    item: FollowUpItem,
    *,
    by: User,
    note: str = "",
    result_class: ResultClass | None = None,
    expected_version=None,
) -> None:
    """The organizer closes a resolved item, correcting the class of its answer if the
    answer says otherwise (the timeline keeps the lead unit's class)."""
    check_version(item, expected_version)
    require_move(by, item, Move.CLOSE)
    details = None
    if result_class is not None and result_class is not item.result_class:
        if result_class.promises and not _promise_open(item):
            raise FollowUpError(
                _l(
                    "A B or C answer promises a date, and this one gives none: send the item "
                    "back for the lead unit to give it."
                ),
                field="result_class",
            )
        details = timeline.reclassed(item.result_class, result_class)
        _set_class(item, result_class)
    _record(
        item, TimelineKind.CLOSED, by=by, to_state=ItemState.CLOSED, note=note.strip(),
        details=details,
    )  # fmt: skip
    item.closed_at = utcnow()


def _promise_open(item: FollowUpItem) -> bool:
    """The answer promises a date that has not been checked yet (B and C keep it)."""
    return item.commitment_on is not None and item.commitment_settled_at is None


def _set_class(item: FollowUpItem, result_class: ResultClass) -> None:
    item.result_class = result_class
    if not result_class.promises:  # nothing promised, nothing to follow up
        item.commitment_on = None
        item.commitment_due_at = None
        item.commitment_kept = None


def reopen(item: FollowUpItem, *, reason: str, by: User, expected_version=None) -> None:
    """The organizer sends a resolved item back, or reopens a closed one; a reason is needed."""
    check_version(item, expected_version)
    require_move(by, item, Move.REOPEN)
    if not reason.strip():
        raise FollowUpError(_l("Say why the item is reopened"), field="reason")
    _record(item, TimelineKind.REOPENED, by=by, to_state=ItemState.REOPENED, note=reason.strip())
    _withdraw_result(item)
    _notify_users(unit_staff([item.lead_unit_id]), "item_reopened", item, reason=reason.strip())


def _withdraw_result(item: FollowUpItem) -> None:
    """A result sent back or found unsatisfying no longer stands: the item is judged on the
    next one (on time or not, days to result). The timeline keeps the earlier result."""
    item.closed_at = None
    item.resolved_at = None
    item.result = ""
    item.result_class = None
    item.commitment_on = None
    item.commitment_due_at = None
    item.commitment_kept = None
    item.commitment_settled_at = None
    if item.published_at is not None:  # the public page shows only answers that stand
        take_off_public_page(item, because=timeline.RESULT_WITHDRAWN)


# --- extensions (延期) ---------------------------------------------------------------------


def extension_room(item: FollowUpItem) -> tuple[int, int]:
    """(extensions, days) the item may still be granted under EXTENSION_MAX_COUNT and
    EXTENSION_MAX_DAYS."""
    config = current_app.config
    return (
        max(0, config["EXTENSION_MAX_COUNT"] - item.extensions_granted),
        max(0, config["EXTENSION_MAX_DAYS"] - item.days_extended),
    )


def _check_extension(item: FollowUpItem, due_on: date, field: str) -> None:
    count_left, days_left = extension_room(item)
    if count_left == 0:
        raise FollowUpError(_l("This item has had every extension the rules allow."), field=field)
    if due_on <= item.due_on:
        raise FollowUpError(
            _l("Choose a date after the current due date, %(date)s.", date=day_text(item.due_on)),
            field=field,
        )
    if (due_on - item.due_on).days > days_left:
        raise FollowUpError(
            _l(
                "The rules allow at most %(days)s more days for this item: choose %(date)s or "
                "earlier.",
                days=days_left,
                date=day_text(item.due_on + timedelta(days=days_left)),
            ),
            field=field,
        )


def ask_extension(
    item: FollowUpItem, *, due_on: date, reason: str, by: User, expected_version=None
) -> None:
    """The lead unit asks, before the due date, for a later one, saying why. The organizers
    are told; the item stays due on its date until they grant it."""
    check_version(item, expected_version)
    require_move(by, item, Move.ASK_EXTENSION)
    if not reason.strip():
        raise FollowUpError(_l("Say why your unit needs more time"), field="reason")
    _check_extension(item, due_on, "due_on")
    item.extension_asked_to = due_on
    _record(
        item, TimelineKind.EXTENSION_REQUESTED, by=by, unit=by.unit, note=reason.strip(),
        details=timeline.extension_asked(item.due_on, due_on),
    )  # fmt: skip
    _notify_users(
        organizers(), "extension_asked", item, reason=reason.strip(), unit=by.unit, new_due=due_on
    )


def decide_extension(
    item: FollowUpItem,
    *,
    grant: bool,
    due_on: date | None,
    reason: str,
    by: User,
    expected_version=None,
) -> None:
    """The organizer grants the extension (to the date asked, or another within the caps)
    or refuses it, saying why. On-time is judged against the due date in force: a granted
    extension moves it, and the timeline keeps the one before."""
    check_version(item, expected_version)
    require_move(by, item, Move.DECIDE_EXTENSION)
    asked = item.extension_asked_to
    if not grant:
        if not reason.strip():
            raise FollowUpError(_l("Say why the extension is refused"), field="reason")
        item.extension_asked_to = None
        _record(
            item, TimelineKind.EXTENSION_REFUSED, by=by, note=reason.strip(),
            details=timeline.extension_asked(item.due_on, asked),
        )  # fmt: skip
        _notify_users(
            unit_staff([item.lead_unit_id]), "extension_refused", item, reason=reason.strip()
        )
        return
    granted = due_on or asked
    _check_extension(item, granted, "due_on")
    previous = item.due_on
    item.due_on = granted
    item.extension_asked_to = None
    item.extensions_granted += 1
    item.days_extended += (granted - previous).days
    _record(
        item, TimelineKind.EXTENSION_GRANTED, by=by, note=reason.strip(),
        details=timeline.extension_granted(previous, granted),
    )  # fmt: skip
    _notify_users(
        unit_staff([item.lead_unit_id]), "extension_granted", item, reason=reason.strip(),
        new_due=granted,
    )  # fmt: skip


def urge(item: FollowUpItem, *, note: str, by: User) -> None:
    """Press the units of an open item (催办): on the timeline, and in their inbox."""
    require_move(by, item, Move.URGE)
    _record(item, TimelineKind.URGED, by=by, note=note.strip())
    unit_ids = [item.lead_unit_id] + [unit.id for unit in item.co_units]
    _notify_users(unit_staff(unit_ids), "item_urged", item, note=note.strip())
    _notify_robots([item.lead_unit, *list(item.co_units)], item, note=note.strip())


def _notify_robots(units: list[ResponsibleUnit], item: FollowUpItem, *, note: str) -> None:
    """Units with a group robot get the urge there too, in the site's language."""
    from talentday.outbox import robots

    locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    for unit in units:
        robots.queue_robot_message(
            kind="item_urged",
            unit=unit,
            subject=message_templates.KINDS["item_urged"].subject,
            body=robots.urge_body(item, note, locale),
            locale=locale,
            event=item.event,
        )


# --- the responsible unit's moves ---------------------------------------------------------


def accept(item: FollowUpItem, *, by: User, expected_version=None) -> None:
    check_version(item, expected_version)
    require_move(by, item, Move.ACCEPT)
    _record(item, TimelineKind.ACCEPTED, by=by, unit=by.unit, to_state=ItemState.ACCEPTED)


def return_to_organizer(item: FollowUpItem, *, reason: str, by: User, expected_version=None):
    """The lead unit returns an item that is not theirs, saying why; organizers reassign it."""
    check_version(item, expected_version)
    require_move(by, item, Move.RETURN)
    if not reason.strip():
        raise FollowUpError(_l("Say why your unit returns this item"), field="reason")
    _record(
        item, TimelineKind.RETURNED, by=by, unit=by.unit, to_state=ItemState.RETURNED,
        note=reason.strip(),
    )  # fmt: skip
    _notify_users(organizers(), "item_returned", item, reason=reason.strip(), unit=by.unit)


def post_progress(
    item: FollowUpItem,
    *,
    note: str,
    percent: int | None,
    by: User,
    files: Iterable[attachments.Upload] = (),
    document_number: str = "",
    expected_version=None,
) -> None:
    """A progress note, with any files (attachments.check). The lead unit's first note puts
    the item in progress; co-handling units add their contributions to the same timeline."""
    check_version(item, expected_version)
    require_move(by, item, Move.PROGRESS)
    unit = by.unit
    if not note.strip():
        raise FollowUpError(_l("Describe the progress"), field="note")
    checked = attachments.check(files, document_number=document_number)
    moves = by.unit_id == item.lead_unit_id and item.state is not ItemState.IN_PROGRESS
    entry = _record(
        item,
        TimelineKind.PROGRESS,
        by=by,
        unit=unit,
        to_state=ItemState.IN_PROGRESS if moves else None,
        note=note.strip(),
        percent=percent,
    )
    attachments.attach(item, entry, checked, by=by, document_number=document_number)


def submit_result(
    item: FollowUpItem,
    *,
    result: str,
    result_class: ResultClass,
    by: User,
    commitment_on: date | None = None,
    files: Iterable[attachments.Upload] = (),
    document_number: str = "",
    expected_version=None,
) -> None:
    """The lead unit's handling result (办理结果), classed by what it promises, resolves the
    item; the speaker is told. A B or C answer promises the date the work is done by."""
    check_version(item, expected_version)
    require_move(by, item, Move.RESULT)
    if not result.strip():
        raise FollowUpError(_l("Write the handling result"), field="result")
    if result_class.promises:
        if commitment_on is None:
            raise FollowUpError(
                _l("Enter the date by which the work is to be done"), field="commitment_on"
            )
        if commitment_on <= city_today():
            raise FollowUpError(_l("Choose a date after today"), field="commitment_on")
    else:
        # A date left from choosing B or C first: an A or D answer promises none.
        commitment_on = None
    checked = attachments.check(files, document_number=document_number)
    if current_app.config["CONTACT_BEFORE_RESULT"] and item.contacted_on is None:
        raise FollowUpError(
            _l(
                "Record how your unit reached the speaker (meeting, phone or in writing) "
                "before the result."
            ),
            field="result",
        )
    missing = opinions_missing(item)
    if missing:
        raise FollowUpError(
            _l(
                "The result waits for the opinion of %(units)s (co-handling); the organizers "
                "may waive it.",
                units=listed([unit.display_name for unit in missing]),
            ),
            field="result",
        )
    if item.state in (ItemState.ACCEPTED, ItemState.REOPENED):
        _record(item, TimelineKind.PROGRESS, by=by, unit=by.unit, to_state=ItemState.IN_PROGRESS)
    entry = _record(
        item, TimelineKind.RESULT, by=by, unit=by.unit, to_state=ItemState.RESOLVED,
        note=result.strip(), percent=100,
        details=timeline.result_class(result_class, commitment_on),
    )  # fmt: skip
    attachments.attach(item, entry, checked, by=by, document_number=document_number)
    item.result = result.strip()
    item.result_class = result_class
    item.commitment_on = commitment_on
    item.resolved_at = utcnow()
    item.extension_asked_to = None  # the answer came: a request for more time is moot
    # The speaker rates the answer on their registration's page.
    _tell_speaker(item, "item_resolved")


def _tell_speaker(item: FollowUpItem, kind: str) -> None:
    """A message to the speaker who raised the item, with their private link (none when
    their data was erased)."""
    if item.speaker is not None and item.speaker.anonymised_at is None:
        queue_message(
            kind=kind,
            to_email=item.speaker.email,
            to_name=item.speaker.name,
            locale=item.speaker.locale,
            template=kind,
            event=item.event,
            item=item,
            private_link_for=item.registration,
        )


# --- the speaker's rating ------------------------------------------------------------------


def rate(
    item: FollowUpItem,
    *,
    satisfaction: Satisfaction,
    comment: str,
    speaker: Speaker,
    contacted: bool | None = None,
    expected_version=None,
) -> None:
    """The speaker rates the answer to their own suggestion, and says whether the unit
    contacted them before answering. Unsatisfied needs a comment, reopens the item and tells
    the lead unit."""
    check_version(item, expected_version)
    require_move(speaker, item, Move.RATE)
    if satisfaction is Satisfaction.UNSATISFIED and not comment.strip():
        raise FollowUpError(_l("Say what is missing from the answer"), field="comment")
    item.satisfaction = satisfaction
    item.satisfaction_comment = comment.strip()
    if contacted is not None:
        item.speaker_says_contacted = contacted
    _record(
        item, TimelineKind.RATED, speaker=speaker, note=comment.strip(),
        details=timeline.says_contacted(contacted) if contacted is not None else None,
    )  # fmt: skip
    if satisfaction is Satisfaction.UNSATISFIED:
        _record(
            item, TimelineKind.REOPENED, speaker=speaker, to_state=ItemState.REOPENED,
            note=comment.strip(),
        )  # fmt: skip
        _withdraw_result(item)
        _notify_users(unit_staff([item.lead_unit_id]), "item_reopened", item, reason=comment)


# --- countersigning (会签) ------------------------------------------------------------------


def give_opinion(item: FollowUpItem, *, opinion: str, by: User, expected_version=None) -> None:
    """A co-handling unit's opinion (会签意见); a later one takes its place. The lead unit's
    staff are told."""
    check_version(item, expected_version)
    require_move(by, item, Move.GIVE_OPINION)
    if not opinion.strip():
        raise FollowUpError(_l("Write your unit's opinion"), field="opinion")
    _record(item, TimelineKind.CO_OPINION, by=by, unit=by.unit, note=opinion.strip())
    _notify_users(
        unit_staff([item.lead_unit_id]), "co_opinion", item, opinion=opinion.strip(), unit=by.unit
    )


def waive_opinions(item: FollowUpItem, *, reason: str, by: User, expected_version=None) -> None:
    """The organizer lets the lead unit answer without the opinions still missing."""
    check_version(item, expected_version)
    require_move(by, item, Move.WAIVE_OPINIONS)
    if not reason.strip():
        raise FollowUpError(_l("Enter the reason"), field="reason")
    missing = opinions_missing(item)  # some: the table of moves offers the waiver only then
    item.opinions_waived_at = utcnow()
    _record(
        item, TimelineKind.OPINIONS_WAIVED, by=by, note=reason.strip(),
        details={timeline.CO_UNITS: [unit.id for unit in missing]},
    )  # fmt: skip


# --- the contact record (联系记录) ------------------------------------------------------------


def record_contact(
    item: FollowUpItem,
    *,
    method: ContactMethod,
    contacted_on: date,
    summary: str,
    by: User,
    expected_version=None,
) -> None:
    """The lead unit notes how it reached the speaker, when, and what was said. The speaker
    reads it on their page; the report counts results given without one."""
    check_version(item, expected_version)
    require_move(by, item, Move.CONTACT)
    if contacted_on > city_today():
        raise FollowUpError(
            _l("The date of the contact cannot be in the future."), field="contacted_on"
        )
    # A suggestion typed in after the salon was heard there first: the earlier of the two.
    days = [
        moment.astimezone(city_zone()).date()
        for moment in (item.created_at, item.event.starts_at)
        if moment
    ]
    if days and contacted_on < min(days):
        raise FollowUpError(
            _l(
                "The suggestion was raised on %(date)s: the contact cannot be before it.",
                date=day_text(min(days)),
            ),
            field="contacted_on",
        )
    if not summary.strip():
        raise FollowUpError(_l("Say what was said"), field="summary")
    if item.contacted_on is None or contacted_on > item.contacted_on:
        item.contacted_on = contacted_on
    _record(
        item, TimelineKind.CONTACTED, by=by, unit=by.unit, note=summary.strip(),
        details=timeline.contact(method, contacted_on),
    )  # fmt: skip


def contacts(item_ids: list[int]) -> dict[int, list[TimelineEntry]]:
    """The recorded contacts with the speaker of each item, oldest first: one query."""
    if not item_ids:
        return {}
    entries = db.session.scalars(
        db.select(TimelineEntry)
        .where(TimelineEntry.item_id.in_(item_ids), TimelineEntry.kind == TimelineKind.CONTACTED)
        .order_by(TimelineEntry.at, TimelineEntry.id)
    )
    found: dict[int, list[TimelineEntry]] = {}
    for entry in entries:
        found.setdefault(entry.item_id, []).append(entry)
    return found


# --- public results (办理结果公开) -------------------------------------------------------------


def publish(
    item: FollowUpItem, *, content: str, result: str, by: User, expected_version=None
) -> None:
    """Put the item on its event's public results page in the words given (the suggestion and
    the result, redacted as need be); publishing again replaces them."""
    check_version(item, expected_version)
    require_move(by, item, Move.PUBLISH)
    if not content.strip():
        raise FollowUpError(_l("Enter the suggestion as it will be published"), field="content")
    if not result.strip():
        raise FollowUpError(_l("Enter the result as it will be published"), field="result")
    for field, text in (("content", content), ("result", result)):
        if _contact_details_in(text, item):
            raise FollowUpError(
                _l("Take out the phone numbers and email addresses: the page never shows any."),
                field=field,
            )
    item.published_at = utcnow()
    item.published_content = content.strip()
    item.published_result = result.strip()
    _record(item, TimelineKind.PUBLISHED, by=by)


_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
# A mainland mobile number (138 0000 1234), or a landline with its area code (0517-8391
# 2345), with the spaces and hyphens people write in them; not a sum or a year.
_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d(?:[\s-]?\d){8}|0\d{2,3}[\s-]?\d{3,4}[\s-]?\d{4})(?!\d)")


def _contact_details_in(text: str, item: FollowUpItem) -> bool:
    speaker = item.speaker
    known = [speaker.phone, speaker.email] if speaker is not None else []
    return bool(
        _EMAIL.search(text)
        or _PHONE.search(text)
        or any(value and value in text for value in known)
    )


def unpublish(item: FollowUpItem, *, reason: str, by: User, expected_version=None) -> None:
    check_version(item, expected_version)
    require_move(by, item, Move.UNPUBLISH)
    if not reason.strip():
        raise FollowUpError(_l("Enter the reason"), field="reason")
    item.published_at = None
    _record(item, TimelineKind.UNPUBLISHED, by=by, note=reason.strip())


def take_off_public_page(item: FollowUpItem, *, because: str) -> None:
    """The system takes an answer off the public page (its reason worded when shown)."""
    item.published_at = None
    _record(item, TimelineKind.UNPUBLISHED, details={timeline.TAKEN_OFF: because})


def published_results(event: Event):
    """The statement of an event's public results page: what the organizers published, the
    latest first; only an answer that stands is ever published (`_withdraw_result`)."""
    return (
        db.select(FollowUpItem)
        .where(
            FollowUpItem.event_id == event.id,
            FollowUpItem.published_at.is_not(None),
            FollowUpItem.merged_into_id.is_(None),
        )
        .options(*ITEM_DISPLAY_LOADS, joinedload(FollowUpItem.registration))
        .order_by(FollowUpItem.published_at.desc(), FollowUpItem.id.desc())
    )


# --- key items and leaders' instructions (重点督办, 领导批示) -----------------------------------


def _told_of_instructions(item: FollowUpItem) -> list[User]:
    """The units at work on the item; before it is assigned (or once returned), the
    organizers who will assign it (and pass the instruction on with it)."""
    if item.lead_unit_id is not None and item.state not in (ItemState.NEW, ItemState.RETURNED):
        return unit_staff([item.lead_unit_id] + [unit.id for unit in item.co_units])
    return organizers()


def _pass_on_instruction(item: FollowUpItem, instruction: str, by: User) -> None:
    _notify_users(
        _told_of_instructions(item), "leader_instruction", item, instruction=instruction,
        leader=by.name,
    )  # fmt: skip


def _instruction(instruction: str) -> str:
    instruction = strip_whitespace(instruction)
    if not instruction:
        raise FollowUpError(_l("Write your instruction"), field="instruction")
    return instruction


def mark_key(item: FollowUpItem, *, instruction: str, by: User, expected_version=None) -> None:
    """A leader makes the item a key item (重点督办) with an instruction: it comes first on
    the units' desks and digests, and the daily run escalates it when it goes overdue."""
    check_version(item, expected_version)
    require_move(by, item, Move.MARK_KEY)
    instruction = _instruction(instruction)
    item.key_at = utcnow()
    item.key_instruction = instruction
    item.key_escalated_due_on = None
    _record(item, TimelineKind.KEY_MARKED, by=by, note=item.key_instruction)
    _pass_on_instruction(item, item.key_instruction, by)


def instruct(item: FollowUpItem, *, instruction: str, by: User, expected_version=None) -> None:
    """A later instruction on a key item: it takes the place of the one in force."""
    check_version(item, expected_version)
    require_move(by, item, Move.INSTRUCT)
    item.key_instruction = _instruction(instruction)
    _record(item, TimelineKind.LEADER_INSTRUCTION, by=by, note=item.key_instruction)
    _pass_on_instruction(item, item.key_instruction, by)


def lift_key(item: FollowUpItem, *, reason: str, by: User, expected_version=None) -> None:
    """The item is no longer a key item; those told of the instruction are told why."""
    check_version(item, expected_version)
    require_move(by, item, Move.LIFT_KEY)
    if not reason.strip():
        raise FollowUpError(_l("Enter the reason"), field="reason")
    item.key_at = None
    item.key_instruction = ""
    item.key_escalated_due_on = None
    _record(item, TimelineKind.KEY_LIFTED, by=by, note=reason.strip())
    _notify_users(_told_of_instructions(item), "key_lifted", item, reason=reason.strip())


def _instructing(item: FollowUpItem) -> User | None:
    """The leader whose instruction is in force (the latest one given)."""
    entry = db.session.scalar(
        db.select(TimelineEntry)
        .where(
            TimelineEntry.item_id == item.id,
            TimelineEntry.kind.in_((TimelineKind.KEY_MARKED, TimelineKind.LEADER_INSTRUCTION)),
        )
        .order_by(TimelineEntry.at.desc(), TimelineEntry.id.desc())
        .limit(1)
    )
    return entry.actor_user if entry is not None else None


def _instructing_leader(item: FollowUpItem) -> str:
    leader = _instructing(item)
    return leader.name if leader is not None else ""


# --- the promise of a B or C answer ------------------------------------------------------


def promises_come_due(today: date) -> list[FollowUpItem]:
    """Answers whose promised date has passed come back to the organizers' desk, and their
    speakers are asked whether it was done: once per promise, however often it runs."""
    items = db.session.scalars(
        db.select(FollowUpItem)
        .where(
            FollowUpItem.commitment_on.is_not(None),
            FollowUpItem.commitment_settled_at.is_(None),
            FollowUpItem.commitment_on < today,
            FollowUpItem.commitment_due_at.is_(None),
            FollowUpItem.merged_into_id.is_(None),
        )
        .options(*ITEM_DISPLAY_LOADS)
        .order_by(FollowUpItem.id)
    ).all()
    for item in items:
        item.commitment_due_at = utcnow()
        _record(item, TimelineKind.COMMITMENT_DUE, details=timeline.commitment(item.commitment_on))
        _tell_speaker(item, "commitment_due")
    return items


def answer_commitment(
    item: FollowUpItem, *, kept: bool, comment: str, speaker: Speaker, expected_version=None
) -> None:
    """The speaker says whether what the answer promised was done; the organizers check."""
    check_version(item, expected_version)
    require_move(speaker, item, Move.ANSWER_PROMISE)
    if not kept and not comment.strip():
        raise FollowUpError(_l("Say what is still missing"), field="comment")
    item.commitment_kept = kept
    _record(
        item, TimelineKind.COMMITMENT_ANSWERED, speaker=speaker, note=comment.strip(),
        details=timeline.kept(kept),
    )  # fmt: skip


def check_commitment(
    item: FollowUpItem,
    *,
    kept: bool,
    reason: str,
    by: User,
    due_on: date | None = None,
    expected_version=None,
) -> None:
    """The organizer checks a promise whose date passed. Kept: the answer is now A, solved.
    Not kept: the item goes back to the lead unit with a new due date (the old one has long
    passed), and the answer's rating goes with the answer."""
    check_version(item, expected_version)
    require_move(by, item, Move.CHECK_PROMISE)
    if not kept:
        if not reason.strip():
            raise FollowUpError(_l("Say why the item goes back to the lead unit"), field="reason")
        if due_on is None:
            raise FollowUpError(_l("Enter the new due date"), field="due_on")
        if due_on < city_today():
            raise FollowUpError(_l("Choose a due date that is not in the past"), field="due_on")
    if kept:
        details = {
            **timeline.kept(True),
            **timeline.reclassed(item.result_class, ResultClass.SOLVED),
        }
    else:
        details = {**timeline.kept(False), timeline.DUE_ON: due_on.isoformat()}
    _record(item, TimelineKind.COMMITMENT_SETTLED, by=by, note=reason.strip(), details=details)
    item.commitment_settled_at = utcnow()
    if kept:
        _set_class(item, ResultClass.SOLVED)
    else:
        reopen(item, reason=reason, by=by)
        item.due_on = due_on
        item.satisfaction = None
        item.satisfaction_comment = ""


# --- merging and splitting -----------------------------------------------------------------


def merge(duplicate: FollowUpItem, *, into: FollowUpItem, by: User) -> None:
    """Two suggestions that say the same thing become one item followed for both speakers.

    The duplicate stays (its speaker still sees it) but points at the item that carries on.
    """
    require_move(by, duplicate, Move.MERGE)
    if duplicate.id == into.id:
        raise FollowUpError(_l("Choose another item to merge with."), field="into")
    if into.merged_into_id is not None:
        raise FollowUpError(_l("That item was itself merged; choose the item it went into."))
    if into.event_id != duplicate.event_id:
        raise FollowUpError(_l("Merge only suggestions raised at the same event."), field="into")
    duplicate.merged_into = into
    _record(duplicate, TimelineKind.MERGED, by=by, details={timeline.MERGED_INTO: into.id})
    _record(into, TimelineKind.MERGED, by=by, details={timeline.MERGED_FROM: duplicate.id})
    if duplicate.is_key:
        # Only the item that carries on is followed: a leader's mark goes with it (when it
        # has none of its own), and the duplicate, counted nowhere, keeps none.
        if not into.is_key:
            into.key_at, into.key_instruction = duplicate.key_at, duplicate.key_instruction
            into.key_escalated_due_on = None
            _record(
                into, TimelineKind.KEY_MARKED, by=_instructing(duplicate) or by,
                note=into.key_instruction,
            )  # fmt: skip
        duplicate.key_at, duplicate.key_instruction = None, ""


def split(item: FollowUpItem, *, parts: list[str], by: User) -> list[FollowUpItem]:
    """A suggestion that mixes several points becomes one item per point; the first keeps
    the original, the others are new items from the same speaker."""
    require_move(by, item, Move.SPLIT)
    parts = [part.strip() for part in parts if part.strip()]
    if len(parts) < 2:
        raise FollowUpError(_l("Write at least two points to split into."), field="parts")
    original = item.content
    item.content = parts[0]
    created = []
    for part in parts[1:]:
        new_item = raise_suggestion(
            event=item.event,
            category=item.category,
            content=part,
            speaker=item.speaker,
            registration=item.registration,
            raised_by_name=item.raised_by_name,
            by_user=by,
        )
        created.append(new_item)
    db.session.flush()
    # The note keeps what the speaker said before the split, in their words.
    _record(
        item, TimelineKind.SPLIT, by=by, note=original,
        details={timeline.SPLIT_INTO: [new.id for new in created]},
    )  # fmt: skip
    for new_item in created:
        _record(new_item, TimelineKind.SPLIT, by=by, details={timeline.SPLIT_FROM: item.id})
    return created


def merged_speakers(item: FollowUpItem) -> list[Speaker]:
    """The speakers of the suggestions merged into this item, besides its own."""
    return list(
        db.session.scalars(
            db.select(Speaker)
            .join(FollowUpItem, FollowUpItem.speaker_id == Speaker.id)
            .where(FollowUpItem.merged_into_id == item.id)
            .order_by(Speaker.name)
        )
    )


def carried_over(event: Event) -> list[FollowUpItem]:
    """Items of the earlier events of the same series that are not closed yet, so that the
    next meeting hears what became of them."""
    return list(
        db.session.scalars(
            db.select(FollowUpItem)
            .join(Event, Event.id == FollowUpItem.event_id)
            .where(
                Event.series == event.series,
                Event.starts_at < event.starts_at,
                FollowUpItem.state != ItemState.CLOSED,
                FollowUpItem.merged_into_id.is_(None),
            )
            .options(*ITEM_DISPLAY_LOADS)
            .order_by(Event.starts_at, FollowUpItem.due_on, FollowUpItem.id)
        )
    )


@dataclass(frozen=True)
class TopicBeingHandled:
    event: Event
    category: Category
    count: int


@dataclass(frozen=True)
class CarriedOverView:
    items: list[FollowUpItem]
    topics: list[TopicBeingHandled]


def carried_over_for(user: User, event: Event) -> CarriedOverView:
    """The earlier open items as this person may see them. An item appears in full only to
    whoever may see it on the tracker (the same `standing` that guards the item page); to
    everyone else, the public included, it is only a topic of an earlier event that is being
    handled, counted: no text, unit, state, result or due date (docs/decisions.md)."""
    items, hidden = [], {}
    for item in carried_over(event):
        if standing(user, item) is not Standing.NONE:
            items.append(item)
        else:
            key = (item.event_id, item.category_id)
            event_of, category, count = hidden.get(key, (item.event, item.category, 0))
            hidden[key] = (event_of, category, count + 1)
    topics = [TopicBeingHandled(*values) for values in hidden.values()]
    return CarriedOverView(items=items, topics=topics)
