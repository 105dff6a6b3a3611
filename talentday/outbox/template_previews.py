"""A wording previewed as one real recipient would get it: the latest registration, item or
unit it could be about, with the links that are made only when sending shown as stand-ins."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.outbox.message_templates import Family, TemplateKind, language_of, render
from talentday.outbox.services import PRIVATE_LINK_STAND_IN, RESET_LINK_STAND_IN


@dataclass(frozen=True)
class Preview:
    subject: str
    body: str
    about: str  # what real record it was made with


def _latest_registration():
    from talentday.registrations.models import Registration, Speaker

    return db.session.scalar(
        db.select(Registration)
        .join(Registration.speaker)
        .where(Speaker.anonymised_at.is_(None))
        .order_by(Registration.id.desc())
        .limit(1)
    )


def _registration_context(kind: TemplateKind, by: User):
    from talentday.registrations import queries
    from talentday.registrations.services import speaking_times

    registration = _latest_registration()
    if registration is None:
        return None, _l("There is no registration yet to show this message with.")
    event = registration.event
    slot = speaking_times(event.starts_at, queries.programme(event), queries.breaks(event.id)).get(
        registration.id
    )
    context = {
        "event": event,
        "registration": registration,
        "to_name": registration.speaker.name,
        "link": str(PRIVATE_LINK_STAND_IN),
        "slot": slot,
    }
    about = _l(
        "Shown with the latest registration: %(name)s, for %(event)s.",
        name=registration.speaker.name,
        event=event.display_title,
    )
    return context, about


def _latest_item():
    from talentday.followup.models import FollowUpItem

    return db.session.scalar(
        db.select(FollowUpItem)
        .where(FollowUpItem.lead_unit_id.is_not(None), FollowUpItem.merged_into_id.is_(None))
        .order_by(FollowUpItem.id.desc())
        .limit(1)
    )


def _staff_of(unit_id: int) -> User | None:
    return db.session.scalar(
        db.select(User)
        .where(User.unit_id == unit_id, User.role == Role.DEPARTMENT_STAFF, User.active)
        .order_by(User.id)
        .limit(1)
    )


def _item_context(kind: TemplateKind, by: User):
    item = _latest_item()
    if item is None:
        return None, _l("There is no assigned follow-up item yet to show this message with.")
    if kind.key == "item_resolved":
        name = item.speaker.name if item.speaker is not None else item.raised_by_name
    elif kind.key == "item_returned":
        name = by.name
    else:
        staff = _staff_of(item.lead_unit_id)
        name = staff.name if staff is not None else by.name
    context = {
        "event": item.event,
        "item": item,
        "unit": item.lead_unit,
        "to_name": name,
        "reason": str(_l("(the reason given)")),
        "note": str(_l("(the organizer's note, when there is one)")),
        "instruction": item.key_instruction or str(_l("(the leader's instruction)")),
        "leader": by.name,
        "link": str(PRIVATE_LINK_STAND_IN) if item.registration_id else "",
        "registration": item.registration,
    }
    return context, _l("Shown with the latest assigned item, #%(number)d.", number=item.id)


def _digest_context(kind: TemplateKind, by: User):
    from talentday.followup import reminders
    from talentday.i18n import city_today
    from talentday.units.models import ResponsibleUnit

    today = city_today()
    by_unit = reminders.items_by_unit(reminders.open_assigned_items(), today)
    if not by_unit:
        return None, _l("No unit has an overdue item or one due soon to show this message with.")
    unit_id = min(by_unit)
    unit = db.session.get(ResponsibleUnit, unit_id)
    staff = _staff_of(unit_id)
    late, due_soon = by_unit[unit_id]
    context = {
        "unit": unit,
        "late": late,
        "due_soon": due_soon,
        "today": today,
        "to_name": staff.name if staff is not None else by.name,
    }
    return context, _l("Shown with today's list of %(unit)s.", unit=unit.display_name)


def _summary_context(kind: TemplateKind, by: User):
    from talentday.followup import reminders
    from talentday.i18n import city_today

    today = city_today()
    context = reminders.summary_figures(reminders.open_assigned_items(), today)
    context.update(today=today, to_name=by.name)
    return context, _l("Shown with today's figures, as you would get them.")


def _escalation_context(kind: TemplateKind, by: User):
    from talentday.followup import reminders
    from talentday.i18n import city_today

    today = city_today()
    late = [
        item for item in reminders.open_assigned_items() if item.is_key and item.is_overdue(today)
    ]
    if not late:
        return None, _l("No key item is overdue to show this message with.")
    context = {"late": late, "today": today, "to_name": by.name}
    return context, _l("Shown with the key items overdue today.")


def _account_context(kind: TemplateKind, by: User):
    context = {
        "to_name": by.name,
        "link": str(RESET_LINK_STAND_IN),
        "minutes": current_app.config["PASSWORD_RESET_MINUTES"],
    }
    return context, _l("Shown as you would get it for your own account.")


CONTEXTS = {
    Family.REGISTRATION: _registration_context,
    Family.ITEM: _item_context,
    Family.DIGEST: _digest_context,
    Family.SUMMARY: _summary_context,
    Family.ESCALATION: _escalation_context,
    Family.ACCOUNT: _account_context,
}


def preview(kind: TemplateKind, language: str, subject: str, body: str, *, by: User) -> Preview:
    """The wording as its recipient would read it; with nothing to show it with, an empty
    subject and text, and `about` says why."""
    language = language_of(language)
    with force_locale(language):
        context, about = CONTEXTS[kind.family](kind, by)
    # Said in the page's language; the message itself is in the wording's.
    about = str(about)
    if context is None:
        return Preview("", "", about)
    shown_subject, shown_body = render(kind, language, context, subject=subject, body=body)
    return Preview(shown_subject, shown_body, about)
