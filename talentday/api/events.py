"""Public: the published events, one event with its programme, registering to speak, and the
categories a suggestion is raised under."""

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_smorest import abort
from marshmallow import Schema, fields

from talentday.api import pagination, present, problems, schemas
from talentday.api.bodies import Blueprint
from talentday.api.form_schemas import schema_for, validated_form
from talentday.events.models import PUBLIC_EVENT_STATES, Event
from talentday.events.services import registration_is_open
from talentday.extensions import db, limiter
from talentday.followup.services import active_categories
from talentday.registrations import queries, submitting
from talentday.registrations import services as registrations
from talentday.registrations.forms import RegistrationForm

blp = Blueprint(
    "api_events",
    __name__,
    description="Published events, their programmes, and registering to speak. No token needed.",
)

PUBLIC = {"security": [{}]}
EventPage = pagination.page_schema(schemas.EventSummary, "EventPage")
RegistrationBody = schema_for(RegistrationForm, name="RegistrationBody")


class CategorySchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "In the client's language."})


def public_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or event.state not in PUBLIC_EVENT_STATES:
        abort(404)
    return event


@blp.route("/events", methods=["GET"])
@blp.doc(tags=["Events"], summary="List the published events", **PUBLIC)
@blp.arguments(pagination.PageQuery, location="query", as_kwargs=True)
@blp.response(200, EventPage)
def list_events(**args):
    """The published events, the latest first (by start, then number)."""
    statement = db.select(Event).where(Event.state.in_(PUBLIC_EVENT_STATES))
    page = pagination.keyset_page(
        statement,
        [Event.starts_at, Event.id],
        descending=True,
        args=args,
        key_of=lambda event: [event.starts_at, event.id],
    )
    full = queries.full_events(page["rows"])
    body = {"data": [present.event_summary(e, full=e.id in full) for e in page["rows"]]}
    body["next_cursor"] = page["next_cursor"]
    return body, pagination.next_link(page["next_cursor"])


@blp.route("/events/<int:event_id>", methods=["GET"])
@blp.doc(tags=["Events"], summary="One published event, with its programme", **PUBLIC)
@blp.response(200, schemas.EventDetail)
@blp.alt_response(404, response="NOT_FOUND")
def get_event(event_id: int):
    """The event as its public page shows it; the programme in speaking order with each
    turn's clock time, breaks in their places."""
    return present.event_detail(public_event(event_id))


@blp.route("/categories", methods=["GET"])
@blp.doc(tags=["Events"], summary="The categories of suggestions", **PUBLIC)
@blp.response(200, CategorySchema(many=True))
def list_categories():
    """The categories a suggestion may be raised under: `suggestions[].category` takes an id."""
    return [
        {"id": category.id, "code": category.code, "name": category.display_name}
        for category in active_categories()
    ]


@blp.route("/events/<int:event_id>/registrations", methods=["POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_LIMITS"], scope="registration")
@blp.doc(tags=["Events"], summary="Register to speak", **PUBLIC)
@blp.arguments(RegistrationBody)
@blp.response(202, schemas.RegistrationReceipt)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def register(body, event_id: int):
    """The same fields, rules, duplicate handling and waiting list as the registration form.
    The answer is the same whether the address was new, known or already registered: the
    private link goes to that address, never into the answer. When every slot is taken the
    answer is 409; send `join_waiting_list: "yes"` to join the waiting list instead.
    `suggestions[].category` is a category id as a string (GET /api/v1/categories)."""
    event = public_event(event_id)
    if not registration_is_open(event):
        abort(
            409,
            kind=problems.REFUSED,
            detail=_("Registration is not open for this event."),
        )
    categories = active_categories()
    choices = [("", "")] + [(str(category.id), category.code) for category in categories]

    def prepare(form):
        for entry in form.suggestions.entries:
            entry.form.category.choices = choices

    form, valid = validated_form(RegistrationForm, body, prepare)
    if not valid:
        abort_with_form_errors(form)
    try:
        outcome = submitting.submit(event, form, categories, locale=str(get_locale()))
    except registrations.EventFullError as error:
        abort(
            409,
            kind=problems.REFUSED,
            detail=str(error.message),
            errors=[
                {"field": "join_waiting_list", "message": _('Send "yes" to join the waiting list.')}
            ],
        )
    except registrations.RegistrationError as error:
        refuse(error)
    return present.received(event, outcome.registration.speaker.email)


def abort_with_form_errors(form):
    abort(
        422,
        kind=problems.INVALID,
        title=_("The request has errors."),
        detail=_("Correct the fields listed under errors and send it again."),
        errors=problems.flatten(form.errors),
    )


def refuse(error):
    """A rule of the domain refused the request: 422 at its field, else 409 with its words."""
    if error.field:
        abort(
            422,
            kind=problems.INVALID,
            title=_("The request has errors."),
            detail=str(error.message),
            errors=[{"field": error.field, "message": str(error.message)}],
        )
    abort(409, kind=problems.REFUSED, detail=str(error.message))
