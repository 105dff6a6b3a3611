"""The follow-up tracker through a personal token: the items its account may see, with every
ledger filter; one item with its timeline; and every move the table of moves allows."""

import re
from functools import wraps

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from talentday.api import pagination, present, problems, schemas
from talentday.api.auth import account_required
from talentday.api.bodies import Blueprint
from talentday.api.events import abort_with_form_errors, refuse
from talentday.api.form_schemas import schema_for, validated_form
from talentday.audit.downloads import audited_api_read
from talentday.extensions import db
from talentday.followup import ledger, making, services
from talentday.followup.definitions import LEDGER_FIGURES
from talentday.followup.models import ITEM_DISPLAY_LOADS, FollowUpItem, ItemState, TimelineEntry
from talentday.followup.moves import ACCOUNT_MOVES, MOVES, Move, MoveRefused, actor_standing
from talentday.followup.permissions import Standing, standing
from talentday.i18n import city_today
from talentday.units.services import active_units

blp = Blueprint(
    "api_items",
    __name__,
    description="Follow-up items, their timelines and their moves. A personal token.",
)

TOKEN = {"security": [{"personalToken": []}]}


class UnitSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "In the client's language."})
    kind = fields.String(required=True)


class ItemQuery(pagination.PageQuery):
    """The ledger's filters, as its page takes them in its address."""

    event = pagination.id_parameter("An event's id.")
    category = pagination.id_parameter("A category's id.")
    unit = pagination.id_parameter("A unit's id: the items it leads or co-handles.")
    role = fields.String(
        validate=validate.OneOf(["lead", "co"]),
        metadata={"description": "With unit: only as lead unit, or only as co-handler."},
    )
    state = fields.String(
        validate=validate.OneOf([state.value for state in ItemState] + ["open"]),
        metadata={"description": "A state, or `open` for every state but closed."},
    )
    overdue = fields.Boolean(metadata={"description": "Only the items past their due date."})
    due_from = pagination.date_parameter("Due on or after this day.")
    due_to = pagination.date_parameter("Due on or before this day.")
    raised_from = pagination.date_parameter("Raised on or after this day.")
    raised_to = pagination.date_parameter("Raised on or before this day.")
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Words in the suggestion, the result or the speaker's name."},
    )
    figure = fields.String(
        validate=validate.OneOf(sorted(LEDGER_FIGURES)),
        metadata={"description": "Exactly the items a dashboard figure counts (GET /figures)."},
    )
    returned_by = pagination.id_parameter("The items this unit returned.")


ItemPage = pagination.page_schema(schemas.ItemSchema, "ItemPage")


@blp.route("/units", methods=["GET"])
@blp.doc(tags=["Items"], summary="The responsible units", **TOKEN)
@account_required()
@blp.response(200, UnitSchema(many=True))
def list_units():
    """The active responsible units: `lead_unit_id` and `co_unit_ids` take their ids."""
    return [
        {"id": unit.id, "name": unit.display_name, "kind": unit.kind.value}
        for unit in active_units()
    ]


@blp.route("/items", methods=["GET"])
@blp.doc(tags=["Items"], summary="List the items this token may see", **TOKEN)
@account_required()
@blp.arguments(ItemQuery, location="query", as_kwargs=True)
@blp.response(200, ItemPage)
def list_items(**args):
    """The ledger: the items the token's account may see (organizers and leaders every item,
    a unit's staff the items their unit leads or co-handles), with the ledger's filters, in
    order of number."""
    filters = ledger.Filters.from_args(_as_ledger_args(args))
    today = city_today()
    statement = db.select(FollowUpItem).where(*ledger.clauses(current_user, filters, today))
    page = pagination.keyset_page(
        statement.options(*ITEM_DISPLAY_LOADS),
        [FollowUpItem.id],
        descending=False,
        args=args,
        key_of=lambda item: [item.id],
    )
    body = {
        "data": [present.item(current_user, item, today) for item in page["rows"]],
        "next_cursor": page["next_cursor"],
    }
    return body, pagination.next_link(page["next_cursor"])


def _as_ledger_args(args: dict) -> dict:
    """The validated query as the ledger page's own arguments (`Filters.from_args`): one
    reading of the filters for the page, the export and the API."""
    values = {}
    for key, value in args.items():
        if key in ("limit", "cursor") or value is None:
            continue
        if isinstance(value, bool):
            value = "1" if value else ""
        values[key] = value if isinstance(value, str) else str(value)
    return values


def _item_or_404(item_id: int) -> FollowUpItem:
    item = db.session.scalar(
        db.select(FollowUpItem).where(FollowUpItem.id == item_id).options(*ITEM_DISPLAY_LOADS)
    )
    if item is None or standing(current_user, item) is Standing.NONE:
        abort(404)
    return item


def _etag(item: FollowUpItem) -> dict:
    return {"ETag": f'"{item.version}"'}


def _timeline(item: FollowUpItem) -> list[TimelineEntry]:
    return list(
        db.session.scalars(
            db.select(TimelineEntry)
            .where(TimelineEntry.item_id == item.id)
            .options(
                joinedload(TimelineEntry.actor_user),
                joinedload(TimelineEntry.actor_speaker),
                joinedload(TimelineEntry.unit),
            )
            .order_by(TimelineEntry.at, TimelineEntry.id)
        )
    )


@blp.route("/items/<int:item_id>", methods=["GET"])
@blp.doc(tags=["Items"], summary="One item with its timeline", **TOKEN)
@account_required()
@blp.response(200, schemas.ItemDetail, headers={"ETag": {"$ref": "#/components/headers/ETAG"}})
@blp.alt_response(404, response="NOT_FOUND")
def get_item(item_id: int):
    """The item as its page shows it to the token's account, with `moves`, what that account
    may do with it now. The ETag is the item's version: send it back in If-Match with a move."""
    return _detail(_item_or_404(item_id))


def _detail(item: FollowUpItem):
    """The item's answer and ETag; handing out the speaker's contact details is audited."""
    body = present.item_detail(current_user, item, _timeline(item), city_today())
    if body["speaker_phone"] is not None or body["speaker_email"] is not None:
        audited_api_read("api_item", rows=1, target=item)
    return body, _etag(item)


# --- moves ----------------------------------------------------------------------------------

IF_MATCH = re.compile(r'^\s*(?:W/)?"(\d{1,9})"\s*$')


def expected_version() -> int | None:
    """If-Match: "3" (the ETag of GET /items/{id}); none or * changes whatever the version."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = IF_MATCH.match(header)
    if match is None:
        abort(
            400,
            kind=problems.INVALID,
            detail=_('If-Match takes the ETag of the item, like "3".'),
            errors=[{"field": "If-Match", "message": _("Not an ETag of this API")}],
        )
    return int(match.group(1))


def stale(item_id: int):
    abort(
        412,
        kind=problems.STALE,
        detail=_(
            "Someone else changed this item since you read it: read it again "
            "(GET /api/v1/items/%(id)d) and decide on its latest state.",
            id=item_id,
        ),
    )


def _move_view(move: Move):
    rule = MOVES[move]

    def make(body, item_id: int):
        item = _item_or_404(item_id)
        expected = expected_version()
        if expected is not None and expected != item.version:
            stale(item_id)

        def prepare(form):
            if move is Move.ASSIGN:
                form.lead_unit_id.choices = form.co_unit_ids.choices = []

        form, valid = validated_form(rule.form, body, prepare)
        if not valid:
            abort_with_form_errors(form)
        # The version travels in If-Match, not in the body: the service checks it again
        # inside the change, against the row it locks.
        if hasattr(form, "version"):
            form.version.data = None if expected is None else str(expected)
        try:
            shown = making.make_move(move, item, form, by=current_user, today=city_today())
            db.session.commit()
        except services.ConflictError:
            db.session.rollback()
            stale(item_id)
        except StaleDataError:
            db.session.rollback()
            stale(item_id)
        except MoveRefused as error:
            db.session.rollback()
            abort(409, kind=problems.REFUSED, detail=str(error.message))
        except services.FollowUpError as error:
            db.session.rollback()
            refuse(error)
        return _detail(_item_or_404(shown.id))

    make.__name__ = f"move_{move.value}"
    make.__doc__ = _MOVE_DOCS.get(move, "")
    return make


_MOVE_DOCS = {
    Move.ASSIGN: "Organizers: assign to a lead unit (and co-handling units) with a due date.",
    Move.ACCEPT: "The lead unit accepts the item.",
    Move.RETURN: "The lead unit returns the item to the organizers, with a reason.",
    Move.PROGRESS: "The lead or a co-handling unit notes progress (files: on the page only).",
    Move.RESULT: "The lead unit answers with its handling result, classed A to D.",
    Move.CLOSE: "Organizers close a resolved item.",
    Move.REOPEN: "Organizers send a resolved item back, or reopen a closed one.",
    Move.URGE: "Organizers urge the units at work.",
    Move.MERGE: "Organizers merge a duplicate into another item; the answer is that item.",
    Move.SPLIT: "Organizers split a suggestion that mixes several points.",
    Move.ASK_EXTENSION: "The lead unit asks for a later due date (延期).",
    Move.DECIDE_EXTENSION: "Organizers grant or refuse an extension.",
    Move.CHECK_PROMISE: "Organizers check a B or C answer's promise once its date passed.",
    Move.GIVE_OPINION: "A co-handling unit gives its opinion (会签).",
    Move.WAIVE_OPINIONS: "Organizers waive the opinions still missing.",
    Move.MARK_KEY: "Leaders mark a key item with an instruction (重点督办, 领导批示).",
    Move.INSTRUCT: "Leaders give a later instruction on a key item.",
    Move.LIFT_KEY: "Leaders lift the key mark, with a reason.",
    Move.CONTACT: "The lead unit records a contact with the speaker (联系记录).",
    Move.PUBLISH: "Organizers publish a standing answer on the public results page.",
    Move.UNPUBLISH: "Organizers take an answer off the public results page.",
}


IF_MATCH_PARAMETER = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": 'The ETag of the item as you last read it, like "3": a change made since '
    "is answered 412 instead of being overwritten. Left out, the move is made on whatever the "
    "latest version is.",
}


def _may_make(move: Move):
    """Before the body is read: who may make the move on this item is the table's answer
    (404 to whoever may not see the item, 403 to whoever may see it but not make the move)."""

    def decorate(view):
        @wraps(view)
        def checked(*args, item_id: int, **kwargs):
            item = _item_or_404(item_id)
            if actor_standing(current_user, item) not in MOVES[move].who:
                abort(403, detail=_("Your account may not make this move on this item."))
            return view(*args, item_id=item_id, **kwargs)

        return checked

    return decorate


def _register_move(move: Move) -> None:
    view = _move_view(move)
    for decorate in (
        blp.alt_response(412, response="PRECONDITION_FAILED"),
        blp.alt_response(422, response="UNPROCESSABLE_ENTITY"),
        blp.alt_response(409, response="CONFLICT"),
        blp.alt_response(404, response="NOT_FOUND"),
        blp.alt_response(403, response="FORBIDDEN"),
        blp.response(
            200, schemas.ItemDetail, headers={"ETag": {"$ref": "#/components/headers/ETAG"}}
        ),
        blp.arguments(schema_for(MOVES[move].form)),
        _may_make(move),
        account_required(),
        blp.doc(
            tags=["Moves"],
            summary=f"{move.value}: {_MOVE_DOCS[move].split(':')[0]}",
            parameters=[IF_MATCH_PARAMETER],
            **TOKEN,
        ),
        blp.route(
            f"/items/<int:item_id>/{move.value}", methods=["POST"], endpoint=f"move_{move.value}"
        ),
    ):
        view = decorate(view)


for _move in ACCOUNT_MOVES:
    _register_move(_move)
