"""The speaker's own registration, with their private link's secret as the bearer token:
what the private link's page shows and does, for a mini-program."""

from flask import current_app, g
from flask_babel import gettext as _
from flask_smorest import abort
from marshmallow import Schema, fields
from sqlalchemy.orm.exc import StaleDataError

from talentday.api import present, problems, schemas
from talentday.api.auth import speaker_required
from talentday.api.bodies import Blueprint
from talentday.api.events import abort_with_form_errors, refuse
from talentday.api.form_schemas import schema_for, validated_form
from talentday.api.items import IF_MATCH_PARAMETER, expected_version, stale
from talentday.events.services import registration_is_open
from talentday.extensions import db, limiter
from talentday.followup import making, timeline
from talentday.followup import services as followup
from talentday.followup.forms import CommitmentAnswerForm, RatingForm
from talentday.followup.models import Category, FollowUpItem, ItemState, ResultClass, Satisfaction
from talentday.followup.moves import Move, MoveRefused, may
from talentday.followup.services import active_categories
from talentday.forms import to_int
from talentday.registrations import queries, services, submitting
from talentday.registrations.forms import AddSuggestionForm, SpeakerDetailsForm, WithdrawForm
from talentday.registrations.models import RegistrationState, TalentTeam

blp = Blueprint(
    "api_speaker",
    __name__,
    description="A speaker's own registration: the secret of their private link as the token.",
)

SPEAKER = {"security": [{"speakerLink": []}]}
PRIVATE_LIMIT = limiter.limit(
    lambda: current_app.config["PRIVATE_LINK_LIMITS"], scope="private-link"
)


def _enum(enum_class, description, **options):
    return fields.String(
        metadata={"enum": [m.value for m in enum_class], "description": description}, **options
    )


class Contact(Schema):
    on = fields.Date(required=True, allow_none=True)
    wording = fields.String(required=True)


class Suggestion(Schema):
    id = fields.Integer(required=True)
    category = fields.Nested(schemas.Named, required=True)
    content = fields.String(required=True)
    state = _enum(ItemState, "Where the item is in its life.", required=True)
    lead_unit = fields.Nested(schemas.Named, required=True, allow_none=True)
    due_on = fields.Date(required=True, allow_none=True)
    result = fields.String(required=True)
    result_class = _enum(ResultClass, "A to D.", required=True, allow_none=True)
    commitment_on = fields.Date(required=True, allow_none=True)
    satisfaction = _enum(Satisfaction, "Your rating.", required=True, allow_none=True)
    merged_into = fields.Integer(required=True, allow_none=True)
    version = fields.Integer(required=True, metadata={"description": "Send it in If-Match."})
    moves = fields.List(
        fields.String(), required=True,
        metadata={"description": "`rate` or `promise` when you may make them now."},
    )  # fmt: skip
    contacts = fields.List(fields.Nested(Contact), required=True)


class SpeakerDetails(Schema):
    name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(required=True)
    organization = fields.String(required=True)
    position = fields.String(required=True)
    talent_team = _enum(TalentTeam, "The team you speak for.", required=True)


class OwnRegistration(Schema):
    id = fields.Integer(required=True)
    event = fields.Nested(schemas.EventSummary, required=True)
    state = _enum(RegistrationState, "Where the registration is.", required=True)
    speaker = fields.Nested(SpeakerDetails, required=True)
    topic = fields.String(required=True)
    summary = fields.String(required=True)
    publication = fields.String(required=True)
    speaking_order = fields.Integer(required=True, allow_none=True)
    speaking_minutes = fields.Integer(required=True, allow_none=True)
    organizer_message = fields.String(required=True)
    may_edit = fields.Boolean(required=True)
    may_withdraw = fields.Boolean(required=True)
    may_add_suggestions = fields.Boolean(required=True)
    suggestions_close_on = fields.Date(required=True)
    suggestions = fields.List(fields.Nested(Suggestion), required=True)


def _registration():
    return g.api_registration


def _own(registration) -> dict:
    speaker = registration.speaker
    own = queries.own_suggestions(registration)
    recorded = followup.contacts([item.id for item in own if item.merged_into_id is None])
    return {
        "id": registration.id,
        "event": present.event_summary(registration.event),
        "state": registration.state.value,
        "speaker": {
            "name": speaker.name, "email": speaker.email, "phone": speaker.phone,
            "organization": speaker.organization, "position": speaker.position,
            "talent_team": speaker.talent_team.value,
        },
        "topic": registration.topic,
        "summary": registration.summary,
        "publication": registration.publication.value,
        "speaking_order": registration.speaking_order,
        "speaking_minutes": registration.speaking_minutes,
        "organizer_message": registration.organizer_message,
        "may_edit": registration_is_open(registration.event)
        and registration.state in services.EDITABLE_STATES,
        "may_withdraw": services.may_withdraw(registration),
        "may_add_suggestions": services.may_add_suggestions(registration),
        "suggestions_close_on": services.suggestions_close_on(registration.event),
        "suggestions": [
            {
                "id": item.id,
                "category": {"id": item.category.id, "name": item.category.display_name},
                "content": item.content,
                "state": item.state.value,
                "lead_unit": (
                    {"id": item.lead_unit.id, "name": item.lead_unit.display_name}
                    if item.lead_unit else None
                ),
                "due_on": item.due_on,
                "result": item.result,
                "result_class": item.result_class.value if item.result_class else None,
                "commitment_on": item.commitment_on,
                "satisfaction": item.satisfaction.value if item.satisfaction else None,
                "merged_into": item.merged_into_id,
                "version": item.version,
                "moves": [
                    move.value for move in (Move.RATE, Move.ANSWER_PROMISE)
                    if may(speaker, item, move)
                ],
                "contacts": [
                    {"on": timeline.contacted_on(entry),
                     "wording": " ".join(str(line) for line in timeline.wording(entry, {}))}
                    for entry in recorded.get(item.id, [])
                ],
            }
            for item in own
        ],
    }  # fmt: skip


@blp.route("/registration", methods=["GET"])
@PRIVATE_LIMIT
@blp.doc(tags=["Speaker"], summary="Your registration and your suggestions", **SPEAKER)
@speaker_required
@blp.response(200, OwnRegistration)
def get_registration():
    """What your private link's page shows: the registration, your details, and each
    suggestion with what became of it (state, unit, result, contacts)."""
    return _own(_registration())


DetailsPatch = schema_for(SpeakerDetailsForm, name="SpeakerDetailsPatch", optional=True)


@blp.route("/registration", methods=["PATCH"])
@PRIVATE_LIMIT
@blp.doc(tags=["Speaker"], summary="Change your details", **SPEAKER)
@speaker_required
@blp.arguments(DetailsPatch)
@blp.response(200, OwnRegistration)
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def update_registration(body):
    """Send only what changes; the rest stays. While registration is open; the email stays."""
    registration = _registration()
    speaker = registration.speaker
    current = {
        "name": speaker.name, "phone": speaker.phone, "organization": speaker.organization,
        "position": speaker.position, "talent_team": speaker.talent_team.value,
        "topic": registration.topic, "summary": registration.summary,
    }  # fmt: skip
    form, valid = validated_form(SpeakerDetailsForm, {**current, **body})
    if not valid:
        abort_with_form_errors(form)
    try:
        services.update_own_details(
            registration,
            submitting.speaker_details(form, speaker.email),
            topic=form.topic.data,
            summary=form.summary.data or "",
        )
        db.session.commit()
    except services.RegistrationError as error:
        db.session.rollback()
        refuse(error)
    return _own(registration)


@blp.route("/registration/withdraw", methods=["POST"])
@PRIVATE_LIMIT
@blp.doc(tags=["Speaker"], summary="Withdraw your registration", **SPEAKER)
@speaker_required
@blp.arguments(schema_for(WithdrawForm))
@blp.response(200, OwnRegistration)
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def withdraw(body):
    """Send `{"confirm": true}`. A freed slot goes to the first speaker waiting."""
    registration = _registration()
    form, valid = validated_form(WithdrawForm, body)
    if not valid:
        abort_with_form_errors(form)
    try:
        services.withdraw(registration, by=registration.speaker)
        db.session.commit()
    except services.RegistrationError as error:
        db.session.rollback()
        refuse(error)
    return _own(registration)


@blp.route("/registration/suggestions", methods=["POST"])
@PRIVATE_LIMIT
@blp.doc(tags=["Speaker"], summary="Raise another suggestion", **SPEAKER)
@speaker_required
@blp.arguments(schema_for(AddSuggestionForm))
@blp.response(201, OwnRegistration)
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def add_suggestion(body):
    """`category` is a category id as a string (GET /api/v1/categories). Until the event's
    follow-up period ends, on a registration that is not withdrawn, rejected or cancelled."""
    registration = _registration()
    choices = [(str(category.id), category.code) for category in active_categories()]

    def prepare(form):
        form.category.choices = choices

    form, valid = validated_form(AddSuggestionForm, body, prepare)
    if not valid:
        abort_with_form_errors(form)
    category = db.session.get(Category, to_int(form.category.data) or 0)
    if category is None or not category.active:
        refuse(followup.FollowUpError(_("Choose a category for this suggestion"), field="category"))
    try:
        services.add_suggestion(registration, category=category, content=form.content.data)
        db.session.commit()
    except (services.RegistrationError, followup.FollowUpError) as error:
        db.session.rollback()
        refuse(error)
    return _own(registration)


def _own_item(item_id: int) -> FollowUpItem:
    item = next(
        (own for own in queries.own_suggestions(_registration()) if own.id == item_id), None
    )
    if item is None:
        abort(404)
    return item


def _speaker_move(move: Move, form_class, summary: str, doc: str):
    def make(body, item_id: int):
        item = _own_item(item_id)
        expected = expected_version()
        if expected is not None and expected != item.version:
            stale(item_id)
        form, valid = validated_form(form_class, body)
        if not valid:
            abort_with_form_errors(form)
        form.version.data = None if expected is None else str(expected)
        try:
            making.make_speaker_move(move, item, form, speaker=_registration().speaker)
            db.session.commit()
        except (followup.ConflictError, StaleDataError):
            db.session.rollback()
            stale(item_id)
        except MoveRefused as error:
            db.session.rollback()
            abort(409, kind=problems.REFUSED, detail=str(error.message))
        except followup.FollowUpError as error:
            db.session.rollback()
            refuse(error)
        return _own(_registration())

    make.__name__ = f"{move.value}_suggestion"
    make.__doc__ = doc
    view = make
    for decorate in (
        blp.alt_response(412, response="PRECONDITION_FAILED"),
        blp.alt_response(422, response="UNPROCESSABLE_ENTITY"),
        blp.alt_response(409, response="CONFLICT"),
        blp.alt_response(404, response="NOT_FOUND"),
        blp.response(200, OwnRegistration),
        blp.arguments(schema_for(form_class)),
        speaker_required,
        PRIVATE_LIMIT,
        blp.doc(tags=["Speaker"], summary=summary, parameters=[IF_MATCH_PARAMETER], **SPEAKER),
        blp.route(
            f"/registration/suggestions/<int:item_id>/{move.value}",
            methods=["POST"],
            endpoint=f"{move.value}_suggestion",
        ),
    ):
        view = decorate(view)


_speaker_move(
    Move.RATE, RatingForm, "Rate the answer to your suggestion",
    "How satisfied you are, and whether the unit contacted you. Unsatisfied needs a comment "
    "and sends the item back to the unit.",
)  # fmt: skip
_speaker_move(
    Move.ANSWER_PROMISE, CommitmentAnswerForm, "Say whether what was promised was done",
    "Once a B or C answer's promised date has passed.",
)  # fmt: skip
