"""The dashboard's figures by key, from the registry of figures (`followup.definitions`):
the same counts, labels and definitions as the dashboard, the unit cards and the report."""

from datetime import date

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema

from talentday.api import pagination, schemas
from talentday.api.auth import account_required
from talentday.api.bodies import Blueprint
from talentday.auth.models import Role
from talentday.dashboard import metrics
from talentday.extensions import db
from talentday.followup.definitions import FIGURES
from talentday.i18n import city_today
from talentday.units.models import ResponsibleUnit

blp = Blueprint(
    "api_figures",
    __name__,
    description="The dashboard's figures: the city's, an event's, a unit's. A personal token.",
)

TOKEN = {"security": [{"personalToken": []}]}


class FigureQuery(Schema):
    event = pagination.id_parameter("Only the items raised at this event.")
    raised_from = pagination.date_parameter("Only the items raised from this day.")
    raised_to = pagination.date_parameter("Only the items raised up to this day.")
    unit = pagination.id_parameter(
        "One unit's figures as its card shows them. A unit's staff always read their own unit's."
    )


def _scope(args: dict) -> metrics.Scope:
    return metrics.Scope(
        start=args.get("raised_from"), end=args.get("raised_to"), event_id=args.get("event")
    )


def _unit_of_request(args: dict) -> int | None:
    unit = args.get("unit")
    if current_user.role is Role.DEPARTMENT_STAFF:
        if unit is not None and unit != current_user.unit_id:
            abort(404)
        return current_user.unit_id
    if current_user.role not in (Role.ORGANIZER, Role.LEADER):
        abort(403, detail=_("The figures are for organizers, leaders and units' staff."))
    if unit is not None and db.session.get(ResponsibleUnit, unit) is None:
        abort(404)
    return unit


def counted(args: dict, today: date) -> tuple[dict, list[dict]]:
    scope = _scope(args)
    unit = _unit_of_request(args)
    if unit is None:
        counts = metrics.headline(scope, today)
    else:
        rows = metrics.units(scope, today, unit_id=unit)
        counts = rows[0] if rows else metrics.UnitRow(None)
    figures = []
    for key in FIGURES:
        try:
            value = counts[key]
        except KeyError:
            continue  # not a figure of this scope (a unit has no "events held")
        figure = FIGURES[key]
        figures.append(
            {
                "key": key,
                "label": str(figure.label),
                "definition": str(figure.definition or ""),
                "value": value,
            }
        )
    return {"event": scope.event_id, "raised_from": scope.start, "raised_to": scope.end,
            "unit": unit}, figures  # fmt: skip


@blp.route("/figures", methods=["GET"])
@blp.doc(tags=["Figures"], summary="Every figure of a scope", **TOKEN)
@account_required()
@blp.arguments(FigureQuery, location="query", as_kwargs=True)
@blp.response(200, schemas.FiguresSchema)
def list_figures(**args):
    """Organizers and leaders read the city's figures, an event's or a unit's; a unit's staff
    their own unit's. A rate is a share from 0 to 1, null when nothing is there to divide."""
    scope, figures = counted(args, city_today())
    return {"scope": _plain(scope), "figures": figures}


@blp.route("/figures/<key>", methods=["GET"])
@blp.doc(tags=["Figures"], summary="One figure by key", **TOKEN)
@account_required()
@blp.arguments(FigureQuery, location="query", as_kwargs=True)
@blp.response(200, schemas.FigureSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_figure(key: str, **args):
    """One figure, by the key GET /figures lists."""
    if key not in FIGURES:
        abort(404)
    _, figures = counted(args, city_today())
    for figure in figures:
        if figure["key"] == key:
            return figure
    abort(404, detail=_("This figure is not counted for this scope."))


def _plain(scope: dict) -> dict:
    return {
        key: value.isoformat() if isinstance(value, date) else value for key, value in scope.items()
    }
