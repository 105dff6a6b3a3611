"""Speakers register and follow their private link; organizers review and set the programme."""

import secrets
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from talentday.audit.downloads import audited_download
from talentday.audit.models import AuditEntry
from talentday.audit.services import action_label
from talentday.auth.permissions import organizer_required
from talentday.auth.services import normalize_email
from talentday.events.models import Event
from talentday.events.permissions import visible_event_or_404
from talentday.events.services import registration_is_open
from talentday.exports import send, url_formats
from talentday.extensions import db, limiter
from talentday.followup import attachments, making, timeline
from talentday.followup.forms import CommitmentAnswerForm, RatingForm
from talentday.followup.models import DONE_STATES, Category, FollowUpItem
from talentday.followup.moves import MOVES, Move, may
from talentday.followup.services import (
    ConflictError,
    FollowUpError,
    active_categories,
    carried_over_for,
    contacts,
)
from talentday.forms import confirmed, posted_again, show_domain_error, to_int
from talentday.i18n import city_today, listed, sentences
from talentday.navigation import requested_page, url_with_query
from talentday.registrations import (
    check_in,
    exports,
    privacy,
    queries,
    services,
    speaker_messages,
    submitting,
)
from talentday.registrations.forms import (
    REVIEW_ACTIONS,
    AddSuggestionForm,
    AnonymiseSpeakerForm,
    AttendanceForm,
    BreakForm,
    ConfirmRegistrationForm,
    DeclineForm,
    ProgrammeForm,
    RegistrationForm,
    RemoveBreakForm,
    RequestLinkForm,
    ReviewForm,
    SpeakerDetailsForm,
    SpeakersMessageForm,
    WithdrawForm,
)
from talentday.registrations.models import (
    ProgrammeBreak,
    Registration,
    RegistrationState,
    Speaker,
    TalentTeam,
)
from talentday.templating import labelled

bp = Blueprint("registrations", __name__)


def _category_choices(categories: list | None = None) -> list[SelectChoice]:
    return [SelectChoice("", _("Choose a category"))] + [
        SelectChoice(str(category.id), category.display_name)
        for category in (active_categories() if categories is None else categories)
    ]


# --- the speaker ---------------------------------------------------------------------------


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["REGISTRATION_LIMITS"], methods=["POST"], scope="registration"
)
def register(event_id: int):
    event = visible_event_or_404(event_id)
    if not registration_is_open(event):
        return render_template("registrations/closed.html", event=event), 200
    form = RegistrationForm()
    categories = active_categories()  # once, not once per suggestion row
    choices = _category_choices(categories)
    for entry in form.suggestions.entries:
        entry.form.category.choices = choices
    refused_as_full = False
    if form.validate_on_submit():
        outcome = None
        try:
            outcome = submitting.submit(event, form, categories, locale=str(get_locale()))
        except services.EventFullError:
            refused_as_full = True
            flash(_("All speaking slots are taken. You can join the waiting list."), "warning")
        except services.RegistrationError as error:
            if not show_domain_error(form, error):
                flash(str(error.message), "danger")
        if outcome is not None:
            # The same answer whether the address was new, known or already registered.
            session["registered_email"] = outcome.registration.speaker.email
            return redirect(url_for("registrations.registered", event_id=event.id))
    return render_template(
        "registrations/register.html",
        event=event,
        form=form,
        is_full=refused_as_full or queries.is_full(event),
    )


@bp.get("/events/<int:event_id>/registered")
def registered(event_id: int):
    event = visible_event_or_404(event_id)
    email = session.get("registered_email")
    if not email:
        return redirect(url_for("events.public_page", event_id=event.id))
    return render_template(
        "registrations/registered.html",
        event=event,
        email=email,
    )


# The address just typed on "Send me my link again", for the page that follows the form.
LINK_ASKED_KEY = "link_asked_for"


@bp.route("/send-my-link", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LINK_REQUEST_LIMITS"], methods=["POST"], scope="link-request"
)
def request_link():
    """A speaker who lost their private link asks for it by email. The page answers the same
    whether the address is a speaker's or not; the messages go to that address only."""
    form = RequestLinkForm()
    if form.validate_on_submit():
        services.send_links_again(form.email.data)
        db.session.commit()
        session[LINK_ASKED_KEY] = normalize_email(form.email.data)
        return redirect(url_for("registrations.request_link"))
    asked = session.pop(LINK_ASKED_KEY, None) if request.method == "GET" else None
    return render_template(
        "registrations/request_link.html",
        form=form,
        asked=asked,
        every=current_app.config["LINK_RESEND_MINUTES"],
    )


# The private link's secret appears in one request only: opening it puts the registration
# on the visitor's session and sends them on to /r/, so that the pages they then use, their
# forms, the access log and any Referer carry no secret.
SPEAKER_SESSION_KEY = "speaker_registration"


@bp.get("/r/<token>")
@limiter.limit(lambda: current_app.config["PRIVATE_LINK_LIMITS"], scope="private-link")
def open_link(token: str):
    registration = services.find_by_token(token)
    if registration is None:
        abort(404)
    session[SPEAKER_SESSION_KEY] = {
        "id": registration.id,
        "link": registration.token_hash,
        "seen": int(time.time()),
    }
    return redirect(url_for("registrations.private"))


def _speaker_registration() -> Registration | None:
    """The registration whose link this visitor opened, while that link is in force and
    the visitor has not been idle for longer than PRIVATE_LINK_IDLE_MINUTES."""
    opened = session.get(SPEAKER_SESSION_KEY)
    if not isinstance(opened, dict):
        return None
    now = int(time.time())
    idle_limit = current_app.config["PRIVATE_LINK_IDLE_MINUTES"] * 60
    registration = db.session.get(Registration, to_int(opened.get("id")) or 0)
    if (
        registration is None
        or registration.token_hash != opened.get("link")
        or now - (to_int(opened.get("seen")) or 0) > idle_limit
    ):
        session.pop(SPEAKER_SESSION_KEY, None)
        return None
    if now - opened["seen"] > 60:  # not a new cookie on every click
        session[SPEAKER_SESSION_KEY] = {**opened, "seen": now}
    return registration


def _speaker_or_page():
    """The registration of the visitor's opened link, or the page saying to open it."""
    registration = _speaker_registration()
    if registration is None:
        abort(make_response(render_template("registrations/link_needed.html"), 403))
    return registration


def _rating_forms(suggestions: list[FollowUpItem]) -> dict[int, RatingForm]:
    forms = {}
    for item in suggestions:
        if item.state in DONE_STATES and item.merged_into_id is None:
            form = RatingForm(prefix=f"rate{item.id}", formdata=None)
            form.version.data = str(item.version)
            forms[item.id] = form
    return forms


def _promise_forms(suggestions: list[FollowUpItem], speaker) -> dict[int, CommitmentAnswerForm]:
    """ "Was it done?" for each answer whose promised date passed, until the speaker says."""
    forms = {}
    for item in suggestions:
        if may(speaker, item, Move.ANSWER_PROMISE):
            form = CommitmentAnswerForm(prefix=f"promise{item.id}", formdata=None)
            form.version.data = str(item.version)
            forms[item.id] = form
    return forms


def _speaker_page(registration: Registration, submitted=None, *, name: str = "", status=200):
    """The speaker's page: every form filled from what is saved, except the one just sent
    back with its errors (`name` says which), whose typed text is kept."""
    event = registration.event
    suggestions = queries.own_suggestions(registration)
    forms = {
        "details": SpeakerDetailsForm(prefix="details", formdata=None),
        "suggestion": AddSuggestionForm(prefix="suggestion", formdata=None),
        "withdraw": WithdrawForm(prefix="withdraw", formdata=None),
        "confirm": ConfirmRegistrationForm(prefix="confirm", formdata=None),
        "attendance": AttendanceForm(prefix="attendance", formdata=None),
        "decline": DeclineForm(prefix="decline", formdata=None),
    }
    forms["details"].process(formdata=None, obj=registration.speaker)
    forms["details"].talent_team.data = registration.speaker.talent_team.value
    forms["details"].topic.data = registration.topic
    forms["details"].summary.data = registration.summary
    rating_forms = _rating_forms(suggestions)
    # A speaker reads the contacts with them only: a suggestion merged into another speaker's
    # item was answered to that speaker, whose calls are theirs.
    recorded = contacts([own.id for own in suggestions if own.merged_into_id is None])
    promise_forms = _promise_forms(suggestions, registration.speaker)
    if submitted is not None:
        if name.startswith("rate"):
            if to_int(name[4:]) in rating_forms:  # an item not open to rating shows no form
                rating_forms[to_int(name[4:])] = submitted
        elif name.startswith("promise"):
            if to_int(name[7:]) in promise_forms:
                promise_forms[to_int(name[7:])] = submitted
        else:
            forms[name] = submitted
    forms["suggestion"].category.choices = _category_choices()
    return (
        render_template(
            "registrations/private.html",
            registration=registration,
            event=event,
            details_form=forms["details"],
            suggestion_form=forms["suggestion"],
            withdraw_form=forms["withdraw"],
            confirm_form=forms["confirm"],
            attendance_form=forms["attendance"],
            decline_form=forms["decline"],
            may_answer_attendance=services.may_answer_attendance(registration),
            check_in_qr=(
                check_in.qr_svg(registration)
                if registration.state is RegistrationState.APPROVED
                else None
            ),
            check_in_code=check_in.code_for(registration),
            suggestions=suggestions,
            pending_suggestions=_pending_suggestions(registration),
            rating_forms=rating_forms,
            promise_forms=promise_forms,
            result_files=attachments.of_results(own.merged_into or own for own in suggestions),
            contacts=recorded,
            contact_lines={
                entry.id: " ".join(timeline.wording(entry, {}))
                for entries in recorded.values()
                for entry in entries
            },
            can_edit=registration_is_open(event) and registration.state in services.EDITABLE_STATES,
            can_withdraw=services.may_withdraw(registration),
            can_add_suggestions=services.may_add_suggestions(registration),
            suggestions_close_on=services.suggestions_close_on(event),
            form=submitted,
        ),
        status,
    )


def _refused(form, error) -> None:
    db.session.rollback()
    if not show_domain_error(form, error):
        flash(str(error.message), "danger")


# Each of the speaker's actions has its own address and form; a form with errors comes back
# on the page with the speaker's other details as saved.
PRIVATE_LIMIT = limiter.limit(
    lambda: current_app.config["PRIVATE_LINK_LIMITS"], scope="private-link"
)


@bp.get("/r/")
@PRIVATE_LIMIT
def private():
    return _speaker_page(_speaker_or_page())


@bp.post("/r/details")
@PRIVATE_LIMIT
def save_details():
    registration = _speaker_or_page()
    form = SpeakerDetailsForm(prefix="details")
    if form.validate_on_submit():
        try:
            services.update_own_details(
                registration,
                submitting.speaker_details(form, registration.speaker.email),
                topic=form.topic.data,
                summary=form.summary.data or "",
            )
        except services.RegistrationError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("Your details have been saved."), "success")
            return redirect(url_for("registrations.private"))
    return _speaker_page(registration, form, name="details", status=400)


@bp.post("/r/confirm")
@PRIVATE_LIMIT
def confirm_registration():
    registration = _speaker_or_page()
    form = ConfirmRegistrationForm(prefix="confirm")
    if form.validate_on_submit():
        try:
            services.confirm(registration, by=registration.speaker)
        except services.RegistrationError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("Thank you: your registration is confirmed."), "success")
            return redirect(url_for("registrations.private"))
    return _speaker_page(registration, form, name="confirm", status=400)


@bp.post("/r/suggestions")
@PRIVATE_LIMIT
def add_suggestion():
    registration = _speaker_or_page()
    form = AddSuggestionForm(prefix="suggestion")
    form.category.choices = _category_choices()
    if form.validate_on_submit():
        category = db.session.get(Category, to_int(form.category.data) or 0)
        if category is None or not category.active:
            form.category.errors = [_("Choose a category for this suggestion")]
        else:
            try:
                services.add_suggestion(registration, category=category, content=form.content.data)
            except (services.RegistrationError, FollowUpError) as error:
                _refused(form, error)
            else:
                db.session.commit()
                flash(
                    _("Your suggestion has been added. You can follow it on this page."),
                    "success",
                )
                return redirect(url_for("registrations.private"))
    return _speaker_page(registration, form, name="suggestion", status=400)


def _speaker_move(item_id: int, move: Move, prefix: str):
    """A move the speaker makes from their page on one of their own suggestions: whether it
    can be made now is the table of moves' answer, given by `making.make_speaker_move`."""
    registration = _speaker_or_page()
    item = next((i for i in queries.own_suggestions(registration) if i.id == item_id), None)
    if item is None:
        abort(404)  # not this speaker's suggestion: nothing to say about it
    name = f"{prefix}{item.id}"
    form = MOVES[move].form(prefix=name)
    if form.validate_on_submit():
        try:
            making.make_speaker_move(move, item, form, speaker=registration.speaker)
            db.session.commit()
        except FollowUpError as error:
            _refused(form, error)
        except StaleDataError:
            db.session.rollback()
            flash(str(ConflictError().message), "warning")
        else:
            flash(str(MOVES[move].done), "success")
            return redirect(url_for("registrations.private"))
    return _speaker_page(registration, form, name=name, status=400)


@bp.post("/r/items/<int:item_id>/rating")
@PRIVATE_LIMIT
def rate_item(item_id: int):
    return _speaker_move(item_id, Move.RATE, "rate")


@bp.post("/r/items/<int:item_id>/promise")
@PRIVATE_LIMIT
def answer_promise(item_id: int):
    return _speaker_move(item_id, Move.ANSWER_PROMISE, "promise")


@bp.get("/r/attachments/<int:attachment_id>")
@PRIVATE_LIMIT
def result_file(attachment_id: int):
    """A file that came with the handling result of one of the speaker's suggestions."""
    registration = _speaker_or_page()
    answered = [own.merged_into or own for own in queries.own_suggestions(registration)]
    files = attachments.of_results(answered)
    found = next(
        (file for item_files in files.values() for file in item_files if file.id == attachment_id),
        None,
    )
    if found is None:
        abort(404)
    return attachments.send(found)


@bp.post("/r/withdraw")
@PRIVATE_LIMIT
def withdraw():
    registration = _speaker_or_page()
    form = WithdrawForm(prefix="withdraw")
    if form.validate_on_submit():
        try:
            services.withdraw(registration, by=registration.speaker)
        except services.RegistrationError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("Your registration has been withdrawn."), "success")
            return redirect(url_for("registrations.private"))
    return _speaker_page(registration, form, name="withdraw", status=400)


@bp.post("/r/attendance")
@PRIVATE_LIMIT
def confirm_attendance():
    registration = _speaker_or_page()
    form = AttendanceForm(prefix="attendance")
    if form.validate_on_submit():
        try:
            services.confirm_attendance(registration, by=registration.speaker)
        except services.RegistrationError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("Thank you: the organizers know that you will come."), "success")
            return redirect(url_for("registrations.private"))
    return _speaker_page(registration, form, name="attendance", status=400)


@bp.post("/r/decline")
@PRIVATE_LIMIT
def decline():
    registration = _speaker_or_page()
    form = DeclineForm(prefix="decline")
    if form.validate_on_submit():
        try:
            services.decline_attendance(registration, by=registration.speaker)
        except services.RegistrationError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(
                _("The organizers know that you cannot come: your place goes to the next speaker."),
                "success",
            )
            return redirect(url_for("registrations.private"))
    return _speaker_page(registration, form, name="decline", status=400)


def _pending_suggestions(registration: Registration) -> list[tuple[Category | None, str]]:
    """What an unconfirmed registration would raise once confirmed, to show its owner."""
    pending = (registration.pending_submission or {}).get("suggestions", [])
    if not pending:
        return []
    categories = {c.id: c for c in active_categories()}
    return [(categories.get(entry["category_id"]), entry["content"]) for entry in pending]


# --- the organizer -------------------------------------------------------------------------


def _filtered_registrations(event: Event):
    args = request.args
    return queries.registrations_of(
        event, state=args.get("state", ""), team=args.get("team", ""), q=args.get("q", "")
    ).order_by(Registration.submitted_at, Registration.id)


@bp.route("/manage/events/<int:event_id>/registrations", methods=["GET", "POST"])
@organizer_required
def review(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = ReviewForm()
    if form.validate_on_submit():
        ids = {to_int(value) for value in request.form.getlist("registration")} - {None}
        chosen = db.session.scalars(
            db.select(Registration)
            .where(Registration.event_id == event.id, Registration.id.in_(ids))
            .order_by(Registration.submitted_at, Registration.id)
        ).all()
        if not chosen:
            flash(_("Tick at least one registration, then choose a decision."), "warning")
        elif (asking := _decide(event, chosen, form)) is not None:
            return asking
        return redirect(url_with_query("registrations.review", event_id=event.id))
    page = db.paginate(
        _filtered_registrations(event), page=requested_page(), per_page=50, error_out=False
    )
    return render_template(
        "registrations/review.html",
        event=event,
        page=page,
        form=form,
        states=list(RegistrationState),
        teams=list(TalentTeam),
        actions=REVIEW_ACTIONS,
        approved=queries.approved_count(event.id),
        filters={key: request.args.get(key, "") for key in ("state", "team", "q")},
        # Sent back with a mistake: the registrations the organizer ticked stay ticked.
        ticked=set(request.form.getlist("registration")),
    )


@bp.route(
    "/manage/events/<int:event_id>/registrations/<int:registration_id>", methods=["GET", "POST"]
)
@organizer_required
def registration_page(event_id: int, registration_id: int):
    """One registration whole: the speaker, the topic, the suggestions, what happened to it,
    and the decision, for an organizer who wants more than the queue's row."""
    event = db.get_or_404(Event, event_id)
    registration = db.session.scalar(
        db.select(Registration)
        .where(Registration.id == registration_id, Registration.event_id == event.id)
        .options(joinedload(Registration.speaker))
    )
    if registration is None:
        abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        if (asking := _decide(event, [registration], form)) is not None:
            return asking
        return redirect(
            url_for(
                "registrations.registration_page",
                event_id=event.id,
                registration_id=registration.id,
            )
        )
    return render_template(
        "registrations/registration.html",
        event=event,
        registration=registration,
        form=form,
        suggestions=queries.own_suggestions(registration),
        pending_suggestions=_pending_suggestions(registration),
        history=_history(registration),
        may_decide=any(
            services.may_transition(current_user, registration, target) for target in REVIEW_ACTIONS
        ),
    )


def _history(registration: Registration) -> list[tuple]:
    """(when, who, what) for each thing that happened to the registration, oldest first:
    its submission, then what the audit log holds about it."""
    entries = db.session.scalars(
        db.select(AuditEntry)
        .where(AuditEntry.target_type == "Registration", AuditEntry.target_id == registration.id)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    lines = [(registration.submitted_at, registration.speaker.display_name, _("Registered"))]
    for entry in entries:
        what = action_label(entry.action)
        state = (entry.details or {}).get("state")
        if entry.action == "registration_decided" and state in {s.value for s in RegistrationState}:
            what = labelled(what, RegistrationState(state).label)
        who = entry.actor.name if entry.actor else registration.speaker.display_name
        if entry.action == "registration_moved_up":
            who = _("the system")
        lines.append((entry.at, who, what))
    return lines


def _decide(event: Event, chosen: list[Registration], form: ReviewForm):
    """Make the decision on the chosen registrations and say what came of it, or first the
    page that asks before approved speakers lose their places (returned, to be shown)."""
    target = RegistrationState(form.action.data)
    cancelled = [
        registration
        for registration in chosen
        if registration.state is RegistrationState.APPROVED
        and target is RegistrationState.CANCELLED
    ]
    if cancelled and not confirmed():
        # Cancelling approved speakers takes their places away and tells them: a page
        # names them first, and its button sends the same decision again.
        return render_template(
            "registrations/confirm_cancel.html",
            event=event,
            cancelled=cancelled,
            sent=posted_again(),
            # The page the decision was made on (the queue, or the registration's own page).
            back=url_for(request.endpoint, **request.view_args),
        )
    outcome = services.decide_many(chosen, target, by=current_user, message=form.message.data or "")
    db.session.commit()
    _say_outcome(outcome, target)
    return None


def _names(registrations) -> str:
    return listed(registration.speaker.display_name for registration in registrations)


def _say_outcome(outcome: services.ReviewOutcome, target: RegistrationState) -> None:
    """Who moved, who moved up from the waiting list, and who could not, with why and what
    to do next."""
    if outcome.changed:
        flash(
            ngettext(
                "%(num)d registration is now %(state)s.",
                "%(num)d registrations are now %(state)s.",
                len(outcome.changed),
                state=target.label,
            ),
            "success",
        )
    if outcome.moved_up:
        flash(
            ngettext(
                "A place became free: %(names)s moved up from the waiting list and has been told.",
                "Places became free: %(names)s moved up from the waiting list, in this order, "
                "and have been told.",
                len(outcome.moved_up),
                names=_names(outcome.moved_up),
            ),
            "info",
        )
    if outcome.waitlisted:
        flash(
            sentences(
                ngettext(
                    "No speaking place was left for %(num)d registration: it is now on the "
                    "waiting list (%(names)s).",
                    "No speaking place was left for %(num)d registrations: they are now on "
                    "the waiting list, in this order: %(names)s.",
                    len(outcome.waitlisted),
                    names=_names(outcome.waitlisted),
                ),
                _(
                    "To approve them, free a place first: cancel an approved speaker, or "
                    "raise the speaking slots or the team's quota on the event's page."
                ),
            ),
            "warning",
        )
    for registration, reason in outcome.refused:
        flash(
            _(
                "%(name)s could not be moved: %(reason)s",
                name=registration.speaker.display_name,
                reason=reason,
            ),
            "danger",
        )


@bp.route("/manage/speakers/<int:speaker_id>/anonymise", methods=["GET", "POST"])
@organizer_required
def anonymise_speaker(speaker_id: int):
    """Erasure on request: the organizer confirms, the speaker's personal data goes."""
    speaker = db.get_or_404(Speaker, speaker_id)
    registrations = db.session.scalars(
        db.select(Registration)
        .where(Registration.speaker_id == speaker.id)
        .options(joinedload(Registration.event))
        .order_by(Registration.submitted_at.desc(), Registration.id.desc())
    ).all()
    back = (
        url_for("registrations.review", event_id=registrations[0].event_id)
        if registrations
        else url_for("followup.ledger_page")
    )
    if speaker.anonymised_at is not None:
        flash(_("This speaker's personal data has already been erased."), "info")
        return redirect(back)
    form = AnonymiseSpeakerForm()
    if form.validate_on_submit():
        privacy.anonymise_speaker(speaker, by=current_user, remote_addr=request.remote_addr)
        db.session.commit()
        flash(
            _(
                "The speaker's personal data has been erased; "
                "their suggestions and the answers to them stay."
            ),
            "success",
        )
        return redirect(back)
    items = db.session.scalar(
        db.select(db.func.count())
        .select_from(FollowUpItem)
        .where(FollowUpItem.speaker_id == speaker.id)
    )
    return render_template(
        "registrations/anonymise.html",
        speaker=speaker,
        registrations=registrations,
        items=items,
        form=form,
        back=back,
    )


@bp.route("/manage/events/<int:event_id>/programme", methods=["GET", "POST"])
@organizer_required
def programme(event_id: int):
    event = db.get_or_404(Event, event_id)
    speakers = queries.programme(event)
    form = ProgrammeForm()
    if request.method == "GET":
        for registration in speakers:
            form.placements.append_entry(
                {
                    "registration_id": registration.id,
                    "order": registration.speaking_order,
                    "minutes": registration.speaking_minutes,
                }
            )
    if form.validate_on_submit():
        placements = {
            to_int(entry.form.registration_id.data): (
                entry.form.order.data,
                entry.form.minutes.data,
            )
            for entry in form.placements.entries
        }
        try:
            services.set_programme(event, placements)
        except services.RegistrationError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("The programme has been saved."), "success")
            return redirect(url_for("registrations.programme", event_id=event.id))
    return _programme_page(event, speakers, form)


def _programme_page(event: Event, speakers, form, break_form=None, status: int = 200):
    by_id = {registration.id: registration for registration in speakers}
    rows = [
        (entry, by_id.get(to_int(entry.form.registration_id.data)))
        for entry in form.placements.entries
    ]
    breaks = queries.breaks(event.id)
    return (
        render_template(
            "registrations/programme_form.html",
            event=event,
            form=form,
            rows=rows,
            times=services.speaking_times(event.starts_at, speakers, breaks),
            timetable=services.timetable(event.starts_at, speakers, breaks),
            breaks=breaks,
            break_form=break_form or BreakForm(formdata=None),
            remove_form=RemoveBreakForm(formdata=None),
        ),
        status,
    )


@bp.post("/manage/events/<int:event_id>/programme/breaks")
@organizer_required
def add_break(event_id: int):
    event = db.get_or_404(Event, event_id)
    break_form = BreakForm()
    if break_form.validate_on_submit():
        services.add_break(
            event,
            after_order=break_form.after_order.data,
            minutes=break_form.minutes.data,
            label=break_form.label.data or "",
            by=current_user,
        )
        db.session.commit()
        flash(_("The break is in the programme."), "success")
        return redirect(url_for("registrations.programme", event_id=event.id))
    speakers = queries.programme(event)
    form = ProgrammeForm(formdata=None)
    for registration in speakers:
        form.placements.append_entry(
            {
                "registration_id": registration.id,
                "order": registration.speaking_order,
                "minutes": registration.speaking_minutes,
            }
        )
    return _programme_page(event, speakers, form, break_form, status=400)


@bp.post("/manage/events/<int:event_id>/programme/breaks/<int:break_id>/remove")
@organizer_required
def remove_break(event_id: int, break_id: int):
    event = db.get_or_404(Event, event_id)
    pause = db.session.get(ProgrammeBreak, break_id)
    if pause is None or pause.event_id != event.id:
        abort(404)
    if RemoveBreakForm().validate_on_submit():
        services.remove_break(pause, by=current_user)
        db.session.commit()
        flash(_("The break is no longer in the programme."), "success")
    return redirect(url_for("registrations.programme", event_id=event.id))


@bp.get("/events/<int:event_id>/programme")
def printable_programme(event_id: int):
    event = visible_event_or_404(event_id)
    earlier = carried_over_for(current_user, event)
    return render_template(
        "registrations/programme_print.html",
        event=event,
        programme=(programme := queries.programme(event)),
        times=services.speaking_times(
            event.starts_at, programme, breaks := queries.breaks(event.id)
        ),
        timetable=services.timetable(event.starts_at, programme, breaks),
        carried_over=earlier.items,
        carried_over_topics=earlier.topics,
        today=city_today(),
    )


@bp.get(f"/manage/events/<int:event_id>/registrations.<{url_formats()}:fmt>")
@organizer_required
def export_registrations(event_id: int, fmt: str):
    event = db.get_or_404(Event, event_id)
    registrations = db.session.scalars(
        _filtered_registrations(event).options(joinedload(Registration.speaker))
    ).all()
    table = exports.registrations_table(event, registrations, request.args)
    return audited_download(
        send(table, fmt),
        "registrations",
        rows=table.row_count,
        fmt=fmt,
        target=event,
    )


@bp.get("/events/<int:event_id>/calendar.ics")
def calendar(event_id: int):
    event = visible_event_or_404(event_id)
    return exports.calendar_file(event)


# --- writing to the speakers ---------------------------------------------------------------


def _message_previews(event: Event, chosen: list[Registration], wording) -> list[dict]:
    """One copy for each language the recipients read, as the first of them gets it (with
    a stand-in for the link), and how many read it."""
    by_language: dict[str, list[Registration]] = {}
    for registration in chosen:
        locale = registration.speaker.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
        by_language.setdefault("zh" if locale.startswith("zh") else "en", []).append(registration)
    previews = []
    for language, readers in sorted(by_language.items()):
        first = readers[0]
        subject, body = wording.for_language(first.speaker.locale)
        with force_locale(first.speaker.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            text = render_template(
                "emails/speaker_message.txt",
                event=event,
                registration=first,
                link=_("[the speaker's private link, added when sent]"),
                text=body,
                fill=speaker_messages.fill,
                values_for=speaker_messages.values_for,
            )
            subject = speaker_messages.fitted_subject(
                speaker_messages.fill(subject, speaker_messages.values_for(first, link=""))
            )
        previews.append(
            {
                "language": language,
                "count": len(readers),
                "to": first.speaker.name,
                "subject": subject,
                "text": text,
            }
        )
    return previews


@bp.route("/manage/events/<int:event_id>/message", methods=["GET", "POST"])
@organizer_required
def message_speakers(event_id: int):
    """Write to the event's speakers: the form, then a preview with the count, then send."""
    event = db.get_or_404(Event, event_id)
    form = SpeakersMessageForm()
    if not form.is_submitted():
        form.batch.data = secrets.token_hex(8)
        if request.args.get("audience") in {a.value for a in speaker_messages.Audience}:
            form.audience.data = request.args["audience"]
    step = request.form.get("step", "")
    if form.validate_on_submit() and step in ("preview", "send"):
        audience = speaker_messages.Audience(form.audience.data)
        team = TalentTeam(form.team.data) if form.team.data else None
        wording = speaker_messages.Wording(
            form.subject_en.data or "",
            form.body_en.data or "",
            form.subject_zh.data or "",
            form.body_zh.data or "",
        )
        if step == "send":
            count = speaker_messages.send(
                event, audience, wording, by=current_user, batch=form.batch.data, team=team
            )
            db.session.commit()
            if count:
                flash(
                    ngettext(
                        "The message is in the outbox for %(num)d speaker.",
                        "The message is in the outbox for %(num)d speakers.",
                        count,
                    ),
                    "success",
                )
            else:
                flash(_("This message had been sent already: nothing more was queued."), "info")
            return redirect(url_for("events.manage", event_id=event.id))
        chosen = speaker_messages.recipients(event, audience, team)
        return render_template(
            "registrations/message_preview.html",
            event=event,
            form=form,
            count=len(chosen),
            previews=_message_previews(event, chosen, wording),
            audience=audience,
            team=team,
        )
    return (
        render_template(
            "registrations/message_form.html",
            event=event,
            form=form,
            placeholders=speaker_messages.PLACEHOLDERS,
        ),
        400 if form.errors else 200,
    )
