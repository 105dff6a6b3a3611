from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from talentday.auth.permissions import organizer_required
from talentday.events import services
from talentday.events.forms import EventForm
from talentday.events.models import CHINESE_TEXTS, Event, EventState, action_label
from talentday.events.permissions import visible_event_or_404
from talentday.extensions import db
from talentday.followup.services import carried_over, published_results
from talentday.forms import confirmed, posted_again, show_domain_error, to_int
from talentday.i18n import city_today, from_city_time, to_city_time
from talentday.navigation import requested_page
from talentday.registrations import check_in
from talentday.registrations import queries as registration_queries
from talentday.registrations.models import TalentTeam
from talentday.visitor_pages import cached_for_visitors

bp = Blueprint("events", __name__)


@bp.get("/events/<int:event_id>")
@cached_for_visitors
def public_page(event_id: int):
    event = visible_event_or_404(event_id)
    return render_template(
        "events/public.html",
        event=event,
        programme=registration_queries.programme(event),
        registration_open=services.registration_is_open(event),
        is_full=registration_queries.is_full(event),
    )


@bp.get("/events/<int:event_id>/results")
def public_results(event_id: int):
    """The results the organizers published (办理结果公开), if the event keeps the page.
    Not cached for visitors: a result taken off the page goes at once."""
    event = visible_event_or_404(event_id)
    if not event.results_public:
        abort(404)
    page = db.paginate(
        published_results(event), page=requested_page(), per_page=20, error_out=False
    )
    return render_template("events/results.html", event=event, page=page)


@bp.get("/manage/events")
@organizer_required
def manage_list():
    statement = db.select(Event).order_by(Event.starts_at.desc())
    page = db.paginate(statement, page=requested_page(), per_page=20, error_out=False)
    counts = registration_queries.counts_by_event([event.id for event in page.items])
    return render_template("events/manage_list.html", page=page, counts=counts)


def _details(form: EventForm) -> services.EventDetails:
    quotas = {
        team: getattr(form, f"quota_{team.value}").data
        for team in TalentTeam
        if getattr(form, f"quota_{team.value}").data is not None
    }
    return services.EventDetails(
        series=form.series.data,
        edition=form.edition.data,
        title=form.title.data,
        theme=form.theme.data or "",
        description=form.description.data or "",
        starts_at=from_city_time(form.starts_at.data),
        ends_at=from_city_time(form.ends_at.data),
        venue=form.venue.data or "",
        host=form.host.data or "",
        presiding_official=form.presiding_official.data or "",
        attending_leaders=form.attending_leaders.data or "",
        **{name: form[name].data for name in CHINESE_TEXTS},
        speaking_slots=form.speaking_slots.data,
        registration_opens_at=from_city_time(form.registration_opens_at.data),
        registration_closes_at=from_city_time(form.registration_closes_at.data),
        follow_up_days=form.follow_up_days.data,
        follow_up_in_working_days=form.follow_up_in_working_days.data,
        results_public=form.results_public.data,
        quotas=quotas,
    )


def _fill(form: EventForm, details, quotas: dict[TalentTeam, int]) -> None:
    """Put an event's (or a draft's) values in the form, times in the city's zone."""
    for name in services.DETAILS:
        getattr(form, name).data = getattr(details, name)
    for name in services.TIMES:
        getattr(form, name).data = to_city_time(getattr(details, name))
    for team, maximum in quotas.items():
        getattr(form, f"quota_{team.value}").data = maximum


@bp.route("/manage/events/new", methods=["GET", "POST"])
@organizer_required
def new_event():
    form = EventForm()
    clone_of = request.args.get("clone", type=to_int)
    if request.method == "GET" and clone_of:
        source = db.get_or_404(Event, clone_of)
        details = services.details_for_next_edition(source)
        _fill(form, details, details.quotas)
    if form.validate_on_submit():
        try:
            event = services.save_event(None, _details(form), by=current_user)
        except services.EventError as error:
            db.session.rollback()
            if not show_domain_error(form, error):
                flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(
                _("The event has been created as a draft. Publish it when it is ready."), "success"
            )
            return redirect(url_for("events.manage", event_id=event.id))
    return render_template("events/form.html", form=form, event=None)


@bp.route("/manage/events/<int:event_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit_event(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = EventForm()
    if request.method == "GET":
        _fill(form, event, services.quotas_of(event))
    if form.validate_on_submit():
        try:
            services.save_event(event, _details(form), by=current_user)
        except services.EventError as error:
            db.session.rollback()
            if not show_domain_error(form, error):
                flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("The event has been saved."), "success")
            return redirect(url_for("events.manage", event_id=event.id))
    return render_template("events/form.html", form=form, event=event)


@bp.get("/manage/events/<int:event_id>")
@organizer_required
def manage(event_id: int):
    event = db.get_or_404(Event, event_id)
    return render_template(
        "events/manage.html",
        event=event,
        moves=[
            (target, action_label(event.state, target))
            for target in EventState
            if services.may_transition(current_user, event, target)
        ],
        counts=registration_queries.counts_by_event([event.id])[event.id],
        quotas=services.quotas_of(event),
        registration_open=services.registration_is_open(event),
        carried_over=carried_over(event),
        today=city_today(),
        attendance=check_in.attendance(event),
    )


@bp.post("/manage/events/<int:event_id>/state")
@organizer_required
def change_state(event_id: int):
    """Move the event; a move that cannot be undone first shows a page saying what it will
    do, whose button sends the same move again with `confirmed` (no script needed)."""
    event = db.get_or_404(Event, event_id)
    try:
        target = EventState(request.form.get("state", ""))
        said = services.consequences(event, target)
        if said and not confirmed():
            return render_template(
                "events/confirm_state.html",
                event=event,
                action=action_label(event.state, target),
                said=said,
                sent=posted_again(),
            )
        services.change_state(event, target, by=current_user)
    except ValueError as error:
        db.session.rollback()
        flash(str(getattr(error, "message", _("Choose a valid state."))), "danger")
    else:
        db.session.commit()
        flash(_("The event is now %(state)s.", state=target.label), "success")
    return redirect(url_for("events.manage", event_id=event.id))
