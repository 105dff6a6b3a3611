"""Accounts and responsible units, kept by the admin."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from talentday.admin.forms import (
    CategoryForm,
    RobotTestForm,
    ScoreWeightsForm,
    UnitForm,
    UserForm,
)
from talentday.api import tokens as api_tokens
from talentday.audit.services import (
    AuditFilters,
    action_label,
    audit_statement,
    detail_lines,
    filter_choices,
    target_label,
)
from talentday.auth.models import Role, User
from talentday.auth.permissions import admin_required
from talentday.auth.services import AccountError, create_user, update_user
from talentday.dashboard import scores
from talentday.errors_domain import DomainError
from talentday.extensions import db
from talentday.followup.models import Category
from talentday.followup.services import FollowUpError, save_category
from talentday.forms import show_domain_error, to_date
from talentday.i18n import city_zone
from talentday.navigation import requested_page
from talentday.outbox.models import MessageChannel
from talentday.outbox.robots import masked_url
from talentday.units.models import ResponsibleUnit, UnitKind
from talentday.units.services import UnitError, queue_robot_test, save_unit, set_robot

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def _only_admins():
    """Every page here is the admin's alone."""


def _unit_choices(current: ResponsibleUnit | None = None) -> list[tuple[str, str]]:
    units = db.session.scalars(
        db.select(ResponsibleUnit)
        .where(
            (ResponsibleUnit.active.is_(True))
            | (ResponsibleUnit.id == (current.id if current else None))
        )
        .order_by(ResponsibleUnit.name)
    )
    return [SelectChoice("", _("No unit"))] + [
        SelectChoice(str(unit.id), unit.display_name) for unit in units
    ]


def _field_error(form, error: DomainError) -> None:
    if not show_domain_error(form, error):
        flash(str(error.message), "danger")


@bp.get("/")
def index():
    return redirect(url_for("admin.users"))


@bp.get("/users")
def users():
    query = request.args.get("q", "").strip()
    role_filter = request.args.get("role", "")
    statement = db.select(User).order_by(User.role, User.name)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            db.or_(db.func.lower(User.name).like(pattern), User.email.like(pattern))
        )
    if role_filter in {role.value for role in Role}:
        statement = statement.where(User.role == Role(role_filter))
    page = db.paginate(
        statement,
        page=requested_page(),
        per_page=current_app.config["USERS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "admin/users.html", page=page, query=query, role_filter=role_filter, roles=list(Role)
    )


def _user_from_form(form: UserForm) -> dict:
    unit = db.session.get(ResponsibleUnit, form.unit_id.data) if form.unit_id.data else None
    return {
        "email": form.email.data,
        "name": form.name.data,
        "role": Role(form.role.data),
        "unit": unit,
    }


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        try:
            user = create_user(
                password=form.password.data or "",
                active=form.active.data,
                by=current_user,
                **_user_from_form(form),
            )
        except AccountError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The account for %(name)s has been created.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
    form.unit_id.choices = _unit_choices(user.unit)
    if form.validate_on_submit():
        try:
            update_user(
                user,
                by=current_user,
                active=form.active.data,
                new_password=form.password.data or "",
                **_user_from_form(form),
            )
        except AccountError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The account for %(name)s has been saved.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        api_tokens=api_tokens.tokens_of(user) if user is not None else [],
    )


@bp.get("/units")
def units():
    statement = db.select(ResponsibleUnit).order_by(ResponsibleUnit.kind, ResponsibleUnit.name)
    page = db.paginate(
        statement,
        page=requested_page(),
        per_page=current_app.config["UNITS_PER_PAGE"],
        error_out=False,
    )
    return render_template("admin/units.html", page=page)


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
def edit_unit(unit_id: int | None = None):
    unit = db.get_or_404(ResponsibleUnit, unit_id) if unit_id is not None else None
    # The saved unit fills the form shown, never a form sent back: a field missing from the
    # post is missing, not taken from the unit (where the robot's channel is an enum).
    form = UnitForm(obj=unit if request.method == "GET" else None)
    if request.method == "GET" and unit is not None:
        form.kind.data = unit.kind.value
        form.robot_channel.data = unit.robot_channel.value if unit.robot_channel else ""
    if form.validate_on_submit():
        try:
            saved = save_unit(
                unit,
                name=form.name.data,
                name_zh=form.name_zh.data,
                kind=UnitKind(form.kind.data),
                contact_name=form.contact_name.data,
                contact_phone=form.contact_phone.data,
                active=form.active.data,
                by=current_user,
            )
            set_robot(
                saved,
                channel=MessageChannel(form.robot_channel.data)
                if form.robot_channel.data
                else None,
                url=form.robot_url.data,
                secret=form.robot_new_secret.data,
                clear_secret=form.robot_secret_clear.data,
                by=current_user,
            )
        except DomainError as error:  # UnitError, or the robot's address refused (RobotError)
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The unit %(name)s has been saved.", name=saved.name), "success")
            return redirect(url_for("admin.units"))
    return render_template(
        "admin/unit_form.html",
        form=form,
        unit=unit,
        test_form=RobotTestForm(),
        robot_address=masked_url(unit.robot_webhook_url) if unit else "",
    )


@bp.post("/units/<int:unit_id>/robot-test")
def send_robot_test(unit_id: int):
    unit = db.get_or_404(ResponsibleUnit, unit_id)
    form = RobotTestForm()
    if form.validate_on_submit():
        try:
            queue_robot_test(unit, by=current_user, locale=str(get_locale() or "en"))
        except UnitError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(
                _(
                    "A test message for the group robot of %(name)s is in the outbox.",
                    name=unit.display_name,
                ),
                "success",
            )
    return redirect(url_for("admin.edit_unit", unit_id=unit.id))


@bp.get("/categories")
def categories():
    rows = db.session.scalars(db.select(Category).order_by(Category.position, Category.name))
    return render_template("admin/categories.html", categories=rows.all())


@bp.route("/categories/new", methods=["GET", "POST"])
@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
def edit_category(category_id: int | None = None):
    category = db.get_or_404(Category, category_id) if category_id is not None else None
    form = CategoryForm(obj=category)
    if request.method == "GET" and category is None:
        form.position.data = (db.session.scalar(db.select(db.func.max(Category.position))) or 0) + 1
    if form.validate_on_submit():
        try:
            saved = save_category(
                category,
                code=form.code.data,
                name=form.name.data,
                name_zh=form.name_zh.data,
                position=form.position.data,
                active=form.active.data,
                by=current_user,
            )
        except FollowUpError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The category %(name)s has been saved.", name=saved.name), "success")
            return redirect(url_for("admin.categories"))
    return render_template("admin/category_form.html", form=form, category=category)


@bp.route("/scores", methods=["GET", "POST"])
def score_weights():
    """The weights of the unit scores (the year-end assessment); each unit's card explains
    its score with them."""
    chosen = scores.weights()
    form = ScoreWeightsForm(obj=chosen if request.method == "GET" else None)
    if form.validate_on_submit():
        values = {key: form[key].data for key in scores.DEFAULT_WEIGHTS}
        if not any(values[part.key] for part in scores.PARTS):
            form.on_time.errors.append(_("Give at least one part a weight above 0"))
        else:
            scores.save_weights(values, by=current_user)
            db.session.commit()
            flash(_("The weights of the unit scores have been saved."), "success")
            return redirect(url_for("admin.score_weights"))
    return render_template("admin/score_weights.html", form=form, parts=scores.PARTS, chosen=chosen)


@bp.get("/audit")
def audit_log():
    args = request.args
    filters = AuditFilters(
        action=args.get("action", "").strip()[:64],
        actor=args.get("actor", "").strip()[:100],
        target_type=args.get("target_type", "").strip()[:40],
        date_from=to_date(args.get("date_from")),
        date_to=to_date(args.get("date_to")),
    )
    page = db.paginate(
        audit_statement(filters, city_zone()),
        page=requested_page(),
        per_page=current_app.config["AUDIT_PER_PAGE"],
        error_out=False,
    )
    actions, target_types = filter_choices()
    return render_template(
        "admin/audit.html",
        page=page,
        filters=filters,
        actions=actions,
        target_types=target_types,
        action_label=action_label,
        detail_lines=detail_lines,
        target_label=target_label,
    )
