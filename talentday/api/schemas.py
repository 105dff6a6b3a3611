"""What the API answers with: the documented shape of each object, filled by `present`."""

from marshmallow import Schema, fields

from talentday.events.models import EventState
from talentday.followup.models import ItemState, ResultClass, Satisfaction, TimelineKind
from talentday.registrations.models import TalentTeam


def _enum(enum_class, description: str, **options):
    return fields.String(
        metadata={"enum": [member.value for member in enum_class], "description": description},
        **options,
    )


class Named(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "In the client's language."})


class EventSummary(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True, metadata={"description": "In the client's language."})
    series = fields.String(required=True)
    edition = fields.Integer(required=True, allow_none=True)
    state = _enum(EventState, "Where the event is in its life.", required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    venue = fields.String(required=True)
    registration_open = fields.Boolean(
        required=True, metadata={"description": "Whether the registration form takes entries now."}
    )
    registration_closes_at = fields.AwareDateTime(required=True, allow_none=True)
    full = fields.Boolean(
        required=True,
        metadata={"description": "Every speaking slot is taken: a registration may join the "
        "waiting list."},
    )  # fmt: skip


class ProgrammeEntry(Schema):
    order = fields.Integer(required=True, allow_none=True)
    starts_at = fields.AwareDateTime(required=True, allow_none=True)
    ends_at = fields.AwareDateTime(required=True, allow_none=True)
    speaker = fields.String(required=True, allow_none=True)
    position = fields.String(required=True, allow_none=True)
    organization = fields.String(required=True, allow_none=True)
    talent_team = _enum(TalentTeam, "The talent team the speaker speaks for.", allow_none=True)
    topic = fields.String(required=True, allow_none=True)
    minutes = fields.Integer(required=True, allow_none=True)
    pause = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "A break's label; null for a talk."},
    )


class EventDetail(EventSummary):
    theme = fields.String(required=True)
    description = fields.String(required=True)
    host = fields.String(required=True)
    presiding_official = fields.String(required=True)
    attending_leaders = fields.List(fields.String(), required=True)
    speaking_slots = fields.Integer(required=True)
    registration_opens_at = fields.AwareDateTime(required=True, allow_none=True)
    results_public = fields.Boolean(required=True)
    programme = fields.List(fields.Nested(ProgrammeEntry), required=True)
    links = fields.Dict(
        keys=fields.String(), values=fields.String(), required=True,
        metadata={"description": "The event's pages: `page`, `register`, `calendar`."},
    )  # fmt: skip


class RegistrationReceipt(Schema):
    """What the form's "registered" page says: the same whether the address was new, known or
    already registered, so that nobody learns whose address is on file."""

    event_id = fields.Integer(required=True)
    email = fields.String(required=True)
    message = fields.String(required=True)


class TimelineEntrySchema(Schema):
    id = fields.Integer(required=True)
    at = fields.AwareDateTime(required=True)
    kind = _enum(TimelineKind, "What happened.", required=True)
    actor = fields.String(required=True, allow_none=True)
    unit = fields.Nested(Named, required=True, allow_none=True)
    from_state = _enum(ItemState, "The state before.", required=True, allow_none=True)
    to_state = _enum(ItemState, "The state after.", required=True, allow_none=True)
    note = fields.String(required=True)
    progress_percent = fields.Integer(required=True, allow_none=True)
    wording = fields.List(
        fields.String(), required=True,
        metadata={"description": "The entry as the item's page words it, line by line."},
    )  # fmt: skip


class ItemSchema(Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(
        required=True, metadata={"description": "Also the ETag; send it in If-Match to change."}
    )
    event = fields.Nested(Named, required=True)
    category = fields.Nested(Named, required=True)
    content = fields.String(required=True)
    raised_by = fields.String(required=True)
    state = _enum(ItemState, "Where the item is in its life.", required=True)
    lead_unit = fields.Nested(Named, required=True, allow_none=True)
    co_units = fields.List(fields.Nested(Named), required=True)
    due_on = fields.Date(required=True, allow_none=True)
    overdue = fields.Boolean(required=True)
    extension_asked_to = fields.Date(required=True, allow_none=True)
    instructions = fields.String(required=True)
    result = fields.String(required=True)
    result_class = _enum(ResultClass, "A to D.", required=True, allow_none=True)
    commitment_on = fields.Date(required=True, allow_none=True)
    satisfaction = _enum(Satisfaction, "The speaker's rating.", required=True, allow_none=True)
    key = fields.Boolean(required=True, metadata={"description": "A key item (重点督办)."})
    key_instruction = fields.String(required=True)
    contacted_on = fields.Date(required=True, allow_none=True)
    published = fields.Boolean(required=True)
    merged_into = fields.Integer(required=True, allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class ItemDetail(ItemSchema):
    moves = fields.List(
        fields.String(), required=True,
        metadata={"description": "The moves this token's account may make on the item now: "
        "POST /items/{id}/{move}."},
    )  # fmt: skip
    speaker_phone = fields.String(
        required=True, allow_none=True,
        metadata={"description": "Organizers and the lead unit only; null for others."},
    )  # fmt: skip
    speaker_email = fields.String(required=True, allow_none=True)
    timeline = fields.List(fields.Nested(TimelineEntrySchema), required=True)


class FigureSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    definition = fields.String(required=True)
    value = fields.Raw(
        required=True,
        metadata={"description": "A count, a share from 0 to 1, or null when there is no base.",
        "type": ["number", "null"]},
    )  # fmt: skip


class FiguresSchema(Schema):
    scope = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)
    figures = fields.List(fields.Nested(FigureSchema), required=True)
