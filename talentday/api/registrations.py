"""Organizers through a personal token: an event's registrations, and decisions on them, as
on the review page (the same service, the same capacity and quota rules, the same messages)."""

from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from talentday.api import pagination, problems
from talentday.api.auth import account_required
from talentday.api.bodies import Blueprint
from talentday.api.events import abort_with_form_errors
from talentday.api.form_schemas import schema_for, validated_form
from talentday.audit.downloads import audited_api_read
from talentday.auth.models import Role
from talentday.events.models import Event
from talentday.extensions import db
from talentday.registrations import queries, services
from talentday.registrations.forms import ReviewForm
from talentday.registrations.models import (
    Attendance,
    Publication,
    Registration,
    RegistrationState,
    TalentTeam,
)

blp = Blueprint(
    "api_registrations",
    __name__,
    description="An event's registrations and the organizers' decisions. An organizer's token.",
)

TOKEN = {"security": [{"personalToken": []}]}


def _enum(enum_class, description, **options):
    return fields.String(
        metadata={"enum": [m.value for m in enum_class], "description": description}, **options
    )


class RegistrationRow(Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    state = _enum(RegistrationState, "Where the registration is.", required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(required=True)
    organization = fields.String(required=True)
    position = fields.String(required=True)
    talent_team = _enum(TalentTeam, "The team the speaker speaks for.", required=True)
    topic = fields.String(required=True)
    summary = fields.String(required=True)
    publication = _enum(Publication, "The speaker's consent to publish.", required=True)
    speaking_order = fields.Integer(required=True, allow_none=True)
    speaking_minutes = fields.Integer(required=True, allow_none=True)
    attendance = _enum(Attendance, "An approved speaker's answer.", required=True, allow_none=True)
    submitted_at = fields.AwareDateTime(required=True)
    decided_at = fields.AwareDateTime(required=True, allow_none=True)


class RegistrationQuery(pagination.PageQuery):
    state = fields.String(validate=validate.OneOf([s.value for s in RegistrationState]))
    team = fields.String(validate=validate.OneOf([t.value for t in TalentTeam]))
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Words of the speaker's name or organization."},
    )


class Decision(Schema):
    registration = fields.Nested(RegistrationRow, required=True)
    outcome = fields.String(
        required=True,
        metadata={
            "enum": ["changed", "waitlisted"],
            "description": "`waitlisted`: approved when no place was left, so on the waiting "
            "list instead (and told so).",
        },
    )
    moved_up = fields.List(
        fields.Integer(), required=True,
        metadata={"description": "Registrations moved up from the waiting list into a place "
        "this decision freed."},
    )  # fmt: skip


RegistrationPage = pagination.page_schema(RegistrationRow, "RegistrationPage")


def _row(registration: Registration) -> dict:
    speaker = registration.speaker
    attendance = registration.attendance
    return {
        "id": registration.id, "event_id": registration.event_id,
        "state": registration.state.value, "name": speaker.display_name,
        "email": speaker.email, "phone": speaker.phone, "organization": speaker.organization,
        "position": speaker.position, "talent_team": speaker.talent_team.value,
        "topic": registration.topic, "summary": registration.summary,
        "publication": registration.publication.value,
        "speaking_order": registration.speaking_order,
        "speaking_minutes": registration.speaking_minutes,
        "attendance": attendance.value if attendance else None,
        "submitted_at": registration.submitted_at, "decided_at": registration.decided_at,
    }  # fmt: skip


@blp.route("/events/<int:event_id>/registrations", methods=["GET"])
@blp.doc(tags=["Registrations"], summary="An event's registrations", **TOKEN)
@account_required(Role.ORGANIZER)
@blp.arguments(RegistrationQuery, location="query", as_kwargs=True)
@blp.response(200, RegistrationPage)
@blp.alt_response(404, response="NOT_FOUND")
def list_registrations(event_id: int, **args):
    """Organizers: every registration of the event (drafts and archives included), with the
    speakers' contact details, filtered as the review queue is, in the order they came."""
    event = db.session.get(Event, event_id) or abort(404)
    statement = queries.registrations_of(
        event, state=args.get("state", ""), team=args.get("team", ""), q=args.get("q", "")
    )
    page = pagination.keyset_page(
        statement, [Registration.id], descending=False, args=args,
        key_of=lambda registration: [registration.id],
    )  # fmt: skip
    body = {"data": [_row(r) for r in page["rows"]], "next_cursor": page["next_cursor"]}
    audited_api_read("api_registrations", rows=len(body["data"]), target=event)
    return body, pagination.next_link(page["next_cursor"])


@blp.route("/registrations/<int:registration_id>/decision", methods=["POST"])
@blp.doc(tags=["Registrations"], summary="Decide on a registration", **TOKEN)
@account_required(Role.ORGANIZER)
@blp.arguments(schema_for(ReviewForm))
@blp.response(200, Decision)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def decide(body, registration_id: int):
    """Approve, waitlist, reject or cancel, with an optional message to the speaker. An
    approval beyond the places left puts the speaker on the waiting list instead; cancelling
    an approved speaker gives the place to the first one waiting. The speaker is told, as
    from the review page."""
    registration = db.session.get(Registration, registration_id) or abort(404)
    form, valid = validated_form(ReviewForm, body)
    if not valid:
        abort_with_form_errors(form)
    outcome = services.decide_many(
        [registration], RegistrationState(form.action.data), by=current_user,
        message=form.message.data or "",
    )  # fmt: skip
    if outcome.refused:
        db.session.rollback()
        abort(409, kind=problems.REFUSED, detail=outcome.refused[0][1])
    db.session.commit()
    answer = {
        "registration": _row(registration),
        "outcome": "waitlisted" if outcome.waitlisted else "changed",
        "moved_up": [moved.id for moved in outcome.moved_up],
    }
    audited_api_read("api_registrations", rows=1, target=registration)
    return answer
