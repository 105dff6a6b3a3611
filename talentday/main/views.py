from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from talentday.auth.models import Role, User
from talentday.events.services import registration_is_open
from talentday.extensions import db
from talentday.followup.ledger import LedgerLinks
from talentday.forms import to_int
from talentday.i18n import city_today
from talentday.main import services
from talentday.units.models import ResponsibleUnit

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    events = services.public_events()
    open_ids = {event.id for event in events if registration_is_open(event)}
    return render_template("main/index.html", events=events, open_ids=open_ids)


@bp.get("/home")
@login_required
def home():
    """Each role lands on what it works with."""
    today = city_today()
    role = current_user.role
    if role is Role.ORGANIZER:
        return render_template(
            "main/home_organizer.html",
            rows=services.organizer_overview(today),
            waiting=services.items_awaiting_organizers(today),
            ledger=LedgerLinks(),
        )
    if role is Role.DEPARTMENT_STAFF:
        return render_template(
            "main/home_staff.html",
            unit=current_user.unit,
            desk=services.unit_desk(
                current_user.unit_id,
                today,
                pages={
                    key: request.args.get(f"{key}_page", type=to_int)
                    for key in services.DESK_GROUPS
                },
            ),
            today=today,
        )
    if role is Role.LEADER:
        dashboard, late_units, late_count = services.leader_overview(today)
        return render_template(
            "main/home_leader.html",
            dashboard=dashboard,
            headline=dashboard.headline,
            late_units=late_units,
            late_count=late_count,
            ledger=LedgerLinks(),
        )
    users = db.session.scalar(db.select(db.func.count()).select_from(User))
    units = db.session.scalar(db.select(db.func.count()).select_from(ResponsibleUnit))
    return render_template("main/home_admin.html", users=users, units=units)


@bp.get("/healthz")
def healthz():
    # A connection from the pool, without the ORM session a page needs: a load balancer
    # polls this every few seconds on every server.
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    return {"status": "ok"}
