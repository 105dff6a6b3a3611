"""A move's form, as the services take it: one place where what a person (or a program)
filled in becomes a service call. The item page, the merge and split pages and the API call
`make_move`; the table of moves (`followup.moves`) says who may make each move, and every
service checks it again."""

from collections.abc import Callable
from datetime import date

from flask_babel import lazy_gettext as _l

from talentday.auth.models import User
from talentday.extensions import db
from talentday.followup import attachments, services
from talentday.followup.models import ContactMethod, FollowUpItem, ResultClass, Satisfaction
from talentday.followup.moves import Move
from talentday.registrations.models import Speaker
from talentday.units.models import ResponsibleUnit


def _units(ids) -> list[ResponsibleUnit]:
    return [unit for unit in (db.session.get(ResponsibleUnit, i) for i in ids or ()) if unit]


def make_move(
    move: Move,
    item: FollowUpItem,
    form,
    *,
    by: User,
    today: date,
    files: list[attachments.Upload] = (),
    on_estimated: Callable[[], None] | None = None,
) -> FollowUpItem:
    """Make the move with the form's data; returns the item to show next (the item merged
    into, for a merge; the item itself otherwise)."""
    version = getattr(form, "expected_version", None)
    if move is Move.ASSIGN:
        lead_unit = db.session.get(ResponsibleUnit, form.lead_unit_id.data or 0)
        if lead_unit is None:
            raise services.FollowUpError(_l("Choose the lead unit"), field="lead_unit_id")
        deadline = services.chosen_deadline(
            item, today, on=form.due_on.data, working_days=form.due_in_working_days.data
        )
        if deadline.estimated and on_estimated is not None:
            on_estimated()
        services.assign(
            item, lead_unit=lead_unit, co_units=_units(form.co_unit_ids.data),
            due_on=deadline.due_on, instructions=form.instructions.data or "", by=by,
            today=today, expected_version=version,
        )  # fmt: skip
    elif move is Move.ACCEPT:
        services.accept(item, by=by, expected_version=version)
    elif move is Move.ASK_EXTENSION:
        services.ask_extension(
            item, due_on=form.due_on.data, reason=form.reason.data or "", by=by,
            expected_version=version,
        )  # fmt: skip
    elif move is Move.DECIDE_EXTENSION:
        services.decide_extension(
            item, grant=form.decision.data == "grant", due_on=form.due_on.data,
            reason=form.reason.data or "", by=by, expected_version=version,
        )  # fmt: skip
    elif move is Move.RETURN:
        services.return_to_organizer(item, reason=form.reason.data, by=by, expected_version=version)
    elif move is Move.PROGRESS:
        services.post_progress(
            item, note=form.note.data, percent=form.percent.data, by=by, files=files,
            document_number=form.document_number.data or "", expected_version=version,
        )  # fmt: skip
    elif move is Move.RESULT:
        services.submit_result(
            item, result=form.result.data, result_class=ResultClass(form.result_class.data),
            commitment_on=form.commitment_on.data, by=by, files=files,
            document_number=form.document_number.data or "", expected_version=version,
        )  # fmt: skip
    elif move is Move.CLOSE:
        services.close(
            item, by=by, note=form.note.data or "",
            result_class=ResultClass(form.result_class.data) if form.result_class.data else None,
            expected_version=version,
        )  # fmt: skip
    elif move is Move.GIVE_OPINION:
        services.give_opinion(item, opinion=form.opinion.data, by=by, expected_version=version)
    elif move is Move.WAIVE_OPINIONS:
        services.waive_opinions(item, reason=form.reason.data, by=by, expected_version=version)
    elif move is Move.CONTACT:
        services.record_contact(
            item, method=ContactMethod(form.method.data), contacted_on=form.contacted_on.data,
            summary=form.summary.data or "", by=by, expected_version=version,
        )  # fmt: skip
    elif move is Move.PUBLISH:
        services.publish(
            item, content=form.content.data, result=form.result.data, by=by,
            expected_version=version,
        )  # fmt: skip
    elif move is Move.UNPUBLISH:
        services.unpublish(item, reason=form.reason.data, by=by, expected_version=version)
    elif move is Move.MARK_KEY:
        services.mark_key(item, instruction=form.instruction.data, by=by, expected_version=version)
    elif move is Move.INSTRUCT:
        services.instruct(item, instruction=form.instruction.data, by=by, expected_version=version)
    elif move is Move.LIFT_KEY:
        services.lift_key(item, reason=form.reason.data, by=by, expected_version=version)
    elif move is Move.CHECK_PROMISE:
        services.check_commitment(
            item, kept=form.outcome.data == "kept", reason=form.reason.data or "",
            due_on=form.due_on.data, by=by, expected_version=version,
        )  # fmt: skip
    elif move is Move.REOPEN:
        services.reopen(item, reason=form.reason.data, by=by, expected_version=version)
    elif move is Move.URGE:
        services.urge(item, note=form.note.data or "", by=by)
    elif move is Move.MERGE:
        target = db.session.get(FollowUpItem, form.into.data or 0)
        if target is None:
            raise services.FollowUpError(_l("There is no item with that number."), field="into")
        services.merge(item, into=target, by=by)
        return target
    elif move is Move.SPLIT:
        services.split(item, parts=[entry.data or "" for entry in form.parts], by=by)
    else:
        # Rating and the speaker's answer to a promise are the speaker's, made from their
        # private link (registrations.views) with their own forms.
        raise ValueError(f"{move} is not made by an account")
    return item


def make_speaker_move(move: Move, item: FollowUpItem, form, *, speaker: Speaker) -> None:
    """A move the speaker makes on their own suggestion: from their private link's page, or
    through the API with the link's secret."""
    version = getattr(form, "expected_version", None)
    if move is Move.RATE:
        services.rate(
            item, satisfaction=Satisfaction(form.satisfaction.data),
            comment=form.comment.data or "", speaker=speaker,
            contacted=form.contacted.data == "yes", expected_version=version,
        )  # fmt: skip
    elif move is Move.ANSWER_PROMISE:
        services.answer_commitment(
            item, kept=form.kept.data == "yes", comment=form.comment.data or "",
            speaker=speaker, expected_version=version,
        )  # fmt: skip
    else:
        raise ValueError(f"{move} is not the speaker's")
