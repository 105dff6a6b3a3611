"""What the system writes on an item's timeline: kept as values, worded when shown.

A timeline entry's `note` holds what a person wrote (a reason, a result, a comment). What the
system adds about a move (the units an item went to, the due date it missed, the items it
was merged with or split into) is kept in `details` as ids, dates and numbers, and worded
here in the reader's language: a unit renamed, or read in Chinese, reads right on every
entry, old and new.
"""

from collections.abc import Iterable, Mapping
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from talentday.extensions import db
from talentday.followup.models import ContactMethod, ResultClass, TimelineEntry
from talentday.i18n import listed
from talentday.templating import day_text
from talentday.units.models import ResponsibleUnit

# The keys of `details`; the migration that moved the old sentences into values uses them too.
LEAD_UNIT = "lead_unit"
CO_UNITS = "co_units"
DUE_ON = "due_on"
DAYS_LATE = "days_late"
MERGED_INTO = "merged_into"
MERGED_FROM = "merged_from"
SPLIT_INTO = "split_into"
SPLIT_FROM = "split_from"
ASKED_TO = "asked_to"
PREVIOUS_DUE_ON = "previous_due_on"
RESULT_CLASS = "result_class"
PREVIOUS_CLASS = "previous_class"
COMMITMENT_ON = "commitment_on"
KEPT = "kept"
CONTACT_METHOD = "contact_method"
CONTACTED_ON = "contacted_on"
SAYS_CONTACTED = "says_contacted"
# Why the system took an answer off the public results page.
TAKEN_OFF = "taken_off"
RESULT_WITHDRAWN = "result_withdrawn"
SPEAKER_ERASED = "speaker_erased"


def assignment(lead_unit: ResponsibleUnit, co_units: Iterable[ResponsibleUnit], due_on: date):
    return {
        LEAD_UNIT: lead_unit.id,
        CO_UNITS: [unit.id for unit in co_units],
        DUE_ON: due_on.isoformat(),
    }


def overdue(due_on: date, days_late: int) -> dict:
    return {DUE_ON: due_on.isoformat(), DAYS_LATE: days_late}


def extension_asked(due_on: date, asked_to: date) -> dict:
    return {DUE_ON: due_on.isoformat(), ASKED_TO: asked_to.isoformat()}


def extension_granted(previous: date, due_on: date) -> dict:
    return {PREVIOUS_DUE_ON: previous.isoformat(), DUE_ON: due_on.isoformat()}


def result_class(chosen: ResultClass, commitment_on: date | None) -> dict:
    details = {RESULT_CLASS: chosen.value}
    if commitment_on is not None:
        details[COMMITMENT_ON] = commitment_on.isoformat()
    return details


def reclassed(previous: ResultClass | None, chosen: ResultClass) -> dict:
    return {PREVIOUS_CLASS: previous.value if previous else None, RESULT_CLASS: chosen.value}


def commitment(commitment_on: date) -> dict:
    return {COMMITMENT_ON: commitment_on.isoformat()}


def kept(was_kept: bool) -> dict:
    return {KEPT: was_kept}


def contact(method: ContactMethod, contacted_on: date) -> dict:
    return {CONTACT_METHOD: method.value, CONTACTED_ON: contacted_on.isoformat()}


def says_contacted(contacted: bool) -> dict:
    return {SAYS_CONTACTED: contacted}


def units_named(entries: Iterable[TimelineEntry]) -> dict[int, ResponsibleUnit]:
    """The units the entries name, in one query however many entries there are."""
    ids = set()
    for entry in entries:
        details = entry.details or {}
        if LEAD_UNIT in details:
            ids.add(details[LEAD_UNIT])
        ids.update(details.get(CO_UNITS, ()))
    if not ids:
        return {}
    found = db.session.scalars(db.select(ResponsibleUnit).where(ResponsibleUnit.id.in_(ids)))
    return {unit.id: unit for unit in found}


def wording(entry: TimelineEntry, units: Mapping[int, ResponsibleUnit]) -> list[str]:
    """The system's lines about this entry, in the reader's language (none for most)."""
    details = entry.details or {}
    lines = []

    def unit_name(unit_id: int) -> str:
        unit = units.get(unit_id)
        return unit.display_name if unit is not None else f"#{unit_id}"

    if LEAD_UNIT in details:
        lines.append(_("Lead unit: %(unit)s", unit=unit_name(details[LEAD_UNIT])))
    if details.get(CO_UNITS):
        names = [unit_name(unit_id) for unit_id in details[CO_UNITS]]
        lines.append(_("Co-handling units: %(units)s", units=listed(names)))
    if ASKED_TO in details:
        lines.append(
            _(
                "Due on %(date)s; asked to move it to %(asked)s",
                date=_date(details[DUE_ON]),
                asked=_date(details[ASKED_TO]),
            )
        )
    elif PREVIOUS_DUE_ON in details:
        lines.append(
            _(
                "Due date moved from %(previous)s to %(date)s",
                previous=_date(details[PREVIOUS_DUE_ON]),
                date=_date(details[DUE_ON]),
            )
        )
    elif DUE_ON in details and DAYS_LATE not in details:
        lines.append(_("Due on %(date)s", date=_date(details[DUE_ON])))
    if DAYS_LATE in details:
        days = details[DAYS_LATE]
        lines.append(
            ngettext(
                "Due on %(date)s, no result %(num)d day later",
                "Due on %(date)s, no result %(num)d days later",
                days,
                date=_date(details[DUE_ON]),
            )
        )
    if details.get(PREVIOUS_CLASS):
        lines.append(
            _(
                "Class corrected from %(previous)s to %(class)s",
                previous=ResultClass(details[PREVIOUS_CLASS]).label,
                **{"class": ResultClass(details[RESULT_CLASS]).label},
            )
        )
    elif RESULT_CLASS in details:
        lines.append(_("Classed %(class)s", **{"class": ResultClass(details[RESULT_CLASS]).label}))
    if COMMITMENT_ON in details:
        lines.append(_("Promised to be done by %(date)s", date=_date(details[COMMITMENT_ON])))
    if KEPT in details:
        lines.append(_("Done as promised") if details[KEPT] else _("Not done as promised"))
    if CONTACT_METHOD in details:
        lines.append(
            _(
                "%(method)s, on %(date)s",
                method=ContactMethod(details[CONTACT_METHOD]).label,
                date=_date(details[CONTACTED_ON]),
            )
        )
    if SAYS_CONTACTED in details:
        lines.append(
            _("Says the unit contacted them before answering")
            if details[SAYS_CONTACTED]
            else _("Says the unit did not contact them before answering")
        )
    if details.get(TAKEN_OFF) == RESULT_WITHDRAWN:
        lines.append(_("The result no longer stands."))
    elif details.get(TAKEN_OFF) == SPEAKER_ERASED:
        lines.append(_("The speaker's personal data were erased."))
    if MERGED_INTO in details:
        lines.append(_("Merged into item #%(number)d", number=details[MERGED_INTO]))
    if MERGED_FROM in details:
        lines.append(_("Item #%(number)d was merged into this one", number=details[MERGED_FROM]))
    if details.get(SPLIT_INTO):
        numbers = [f"#{number}" for number in details[SPLIT_INTO]]
        lines.append(_("Its other points became items %(numbers)s", numbers=listed(numbers)))
    if SPLIT_FROM in details:
        lines.append(_("Split from item #%(number)d", number=details[SPLIT_FROM]))
    return lines


def contacted_on(entry) -> date | None:
    """The day a contact entry says the unit reached the speaker (kept as ISO text)."""
    text = (entry.details or {}).get(CONTACTED_ON)
    return date.fromisoformat(text) if text else None


def _date(text: str) -> str:
    return day_text(date.fromisoformat(text))
