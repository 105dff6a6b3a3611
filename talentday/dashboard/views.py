"""The leaders' dashboard, a unit's own card, and the printable report with its workbook."""

import math
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from talentday.auth.models import Role
from talentday.auth.permissions import oversight_required
from talentday.dashboard import charts, metrics, report
from talentday.events.models import Event
from talentday.exports import send
from talentday.extensions import db
from talentday.followup import definitions
from talentday.followup.definitions import FIGURES
from talentday.followup.ledger import LedgerLinks
from talentday.followup.models import ITEM_DISPLAY_LOADS, FollowUpItem
from talentday.forms import to_date, to_int
from talentday.i18n import city_today
from talentday.navigation import PageNumbers
from talentday.units.models import ResponsibleUnit

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


def _unit_sort(key: str):
    """Units by one of their figures: most first, but the fewest average days first; a unit
    without the figure (no average, no rate) last."""
    if key == "name":
        return lambda row: row.unit.name
    if key not in metrics.UNIT_COLUMNS:
        key = "overdue"
    if key == "average_days":
        return lambda row: (row[key] is None, row[key] or 0, row.unit.name)
    return lambda row: (row[key] is None, -(row[key] or 0), row.unit.name)


def scope_from_request() -> metrics.Scope:
    return metrics.Scope(
        start=to_date(request.args.get("from")),
        end=to_date(request.args.get("to")),
        event_id=request.args.get("event", type=to_int),
    )


def _ledger_link(scope: metrics.Scope) -> LedgerLinks:
    return LedgerLinks(**scope.ledger_args())


def _charts(dashboard: metrics.Dashboard, units: list | None = None) -> dict:
    return {
        "units": charts.horizontal_bars(
            "chart-units",
            _("Overdue and closed items by lead unit"),
            _(
                "Bar chart of the units with overdue or closed items; the figures of every "
                "unit are in the table of responsible units."
            ),
            [
                (row.unit.display_name, [row.overdue, row.closed])
                for row in (dashboard.units if units is None else units)
                if row.overdue or row.closed
            ],
            [str(FIGURES["overdue"].label), str(FIGURES["closed"].label)],
        ),
        "categories": charts.horizontal_bars(
            "chart-categories",
            _("Open items by category"),
            _("Bar chart; the same figures are in the table of categories."),
            [(row.key.display_name, [row.open]) for row in dashboard.categories],
            [str(FIGURES["open"].label)],
        ),
        "trend": charts.horizontal_bars(
            "chart-trend",
            _("Items raised and closed, month by month"),
            _("Bar chart; the same figures are in the month-by-month table."),
            [(month.month, [month.raised, month.closed]) for month in dashboard.trend],
            [str(FIGURES["suggestions"].label), str(FIGURES["closed"].label)],
        ),
    }


# The dashboard shows the units that matter and the latest events; the rest are a page away.
TOP_UNITS = 20
TOP_EVENTS = 20
EVENTS_TO_CHOOSE = 100
PER_PAGE = 50


@dataclass
class ListPage(PageNumbers):
    """One page of a list already counted (for the `pagination` macro)."""

    rows: list
    page: int
    per_page: int
    total: int

    @classmethod
    def of(cls, rows: list, page: int | None, per_page: int | None = None) -> "ListPage":
        per_page = per_page or PER_PAGE
        pages = max(1, math.ceil(len(rows) / per_page))
        page = min(max(page or 1, 1), pages)
        start = (page - 1) * per_page
        return cls(rows[start : start + per_page], page, per_page, len(rows))

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _events_to_choose(selected: int | None) -> list:
    """The latest events for the event filter, and the chosen one wherever it is."""
    columns = db.select(Event.id, Event.title, Event.title_zh)
    events = db.session.execute(
        columns.order_by(Event.starts_at.desc(), Event.id.desc()).limit(EVENTS_TO_CHOOSE)
    ).all()
    if selected and all(event.id != selected for event in events):
        events += db.session.execute(columns.where(Event.id == selected)).all()
    return [metrics.Named(event.id, event.title, event.title_zh) for event in events]


@bp.get("/")
@oversight_required
def index():
    today = city_today()
    scope = scope_from_request()
    dashboard = metrics.dashboard(scope, today)
    sort = request.args.get("sort", "overdue")
    units = sorted(dashboard.units, key=_unit_sort(sort))
    return render_template(
        "dashboard/index.html",
        dashboard=dashboard,
        top_units=units[:TOP_UNITS],
        latest_events=dashboard.events[:TOP_EVENTS],
        charts=_charts(dashboard, units[:TOP_UNITS]),
        ledger=_ledger_link(scope),
        events=_events_to_choose(scope.event_id),
        sort=sort,
        today=today,
    )


@bp.get("/units")
@oversight_required
def all_units():
    """Every responsible unit's figures, a page at a time, sorted as the dashboard sorts."""
    scope = scope_from_request()
    dashboard = metrics.dashboard(scope, city_today())
    sort = request.args.get("sort", "overdue")
    units = sorted(dashboard.units, key=_unit_sort(sort))
    return render_template(
        "dashboard/units.html",
        dashboard=dashboard,
        page=ListPage.of(units, request.args.get("page", type=to_int)),
        ledger=_ledger_link(scope),
        sort=sort,
    )


@bp.get("/events")
@oversight_required
def all_events():
    """Every event's figures, the latest first, a page at a time."""
    scope = scope_from_request()
    dashboard = metrics.dashboard(scope, city_today())
    return render_template(
        "dashboard/events.html",
        dashboard=dashboard,
        page=ListPage.of(dashboard.events, request.args.get("page", type=to_int)),
        ledger=_ledger_link(scope),
    )


@bp.get("/units/<int:unit_id>")
@login_required
def unit_card(unit_id: int):
    """A unit's own figures: its staff see only their own unit; others are told nothing."""
    unit = db.get_or_404(ResponsibleUnit, unit_id)
    if current_user.role is Role.DEPARTMENT_STAFF:
        if current_user.unit_id != unit.id:
            abort(404)
    elif current_user.role not in (Role.ORGANIZER, Role.LEADER):
        abort(404)
    today = city_today()
    scope = scope_from_request()
    rows = metrics.units(scope, today, unit_id=unit.id)
    return render_template(
        "dashboard/unit.html",
        unit=unit,
        row=rows[0] if rows else metrics.UnitRow(unit),
        ledger=_ledger_link(scope),
        scope=scope,
    )


def _report_data(scope: metrics.Scope, today: date) -> dict:
    dashboard = metrics.dashboard(scope, today)
    items = db.select(FollowUpItem).options(*ITEM_DISPLAY_LOADS)
    overdue = db.session.scalars(
        items.where(scope.items(), definitions.overdue(today)).order_by(FollowUpItem.due_on)
    ).all()
    closed = db.session.scalars(
        items.where(scope.items(), definitions.closed()).order_by(FollowUpItem.closed_at)
    ).all()
    key_items = db.session.scalars(
        items.where(scope.items(), definitions.key()).order_by(FollowUpItem.key_at, FollowUpItem.id)
    ).all()
    event = db.session.get(Event, scope.event_id) if scope.event_id else None
    return {
        "dashboard": dashboard,
        "overdue": overdue,
        "closed": closed,
        "key_items": key_items,
        "event": event,
        "today": today,
    }


@bp.get("/report")
@oversight_required
def printable_report():
    scope = scope_from_request()
    data = _report_data(scope, city_today())
    return render_template(
        "dashboard/report.html",
        charts=_charts(data["dashboard"]),
        ledger=_ledger_link(scope),
        **data,
    )


@bp.get("/report.xlsx")
@oversight_required
def workbook():
    scope = scope_from_request()
    # A workbook of several sheets: only formats that hold several tables (not CSV).
    return send(report.tables(**_report_data(scope, city_today())), "xlsx")
