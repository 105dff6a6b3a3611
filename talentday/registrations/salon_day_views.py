"""The salon day. The organizers' check-in at the door, made for a phone: scan a speaker's
code (the phone's camera app, or the page's own scanner where the browser has
BarcodeDetector) or type their name; the attendance list on the event's page and as a file.
Table cards and name badges to print."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from talentday.audit.downloads import audited_download
from talentday.auth.permissions import organizer_required
from talentday.events.models import Event
from talentday.exports import Column, Kind, Table, send, url_formats
from talentday.extensions import db
from talentday.i18n import to_city_time
from talentday.registrations import check_in as door
from talentday.registrations import name_cards
from talentday.registrations.forms import CheckInByNameForm, CheckInForm
from talentday.registrations.models import Registration
from talentday.registrations.views import bp


def _say(outcome: door.CheckInOutcome) -> None:
    row = outcome.check_in
    name = row.registration.speaker.display_name
    at = to_city_time(row.checked_in_at).strftime("%H:%M")
    if outcome.first:
        flash(_("%(name)s is checked in (%(time)s).", name=name, time=at), "success")
    else:
        by = row.checked_in_by.name if row.checked_in_by else _("someone")
        flash(
            _(
                "%(name)s was checked in already, at %(time)s by %(by)s.",
                name=name,
                time=at,
                by=by,
            ),
            "warning",
        )


def _door_page(event: Event, form: CheckInByNameForm, status: int = 200):
    rows = door.attendance(event)
    return (
        render_template(
            "registrations/check_in.html",
            event=event,
            form=form,
            rows=rows,
            present=sum(1 for _registration, row in rows if row is not None),
            choices=[door.name_choice(registration) for registration, _row in rows],
            undo_form=CheckInForm(formdata=None),
        ),
        status,
    )


@bp.route("/manage/events/<int:event_id>/check-in", methods=["GET", "POST"])
@organizer_required
def check_in_page(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = CheckInByNameForm()
    if form.validate_on_submit():
        found = door.find_by_name(event, form.name.data)
        if len(found) == 1:
            try:
                outcome = door.check_in(found[0], by=current_user)
            except door.CheckInRefused as error:
                form.name.errors.append(str(error.message))
            else:
                db.session.commit()
                _say(outcome)
                return redirect(url_for("registrations.check_in_page", event_id=event.id))
        elif found:
            form.name.errors.append(
                _(
                    "Several speakers have this name: choose one from the list, "
                    "with their organization."
                )
            )
        else:
            form.name.errors.append(
                _(
                    "No approved speaker of this event has this name. Check the spelling, "
                    "or choose from the list."
                )
            )
    return _door_page(event, form, 400 if form.errors else 200)


@bp.route("/manage/events/<int:event_id>/check-in/<code>", methods=["GET", "POST"])
@organizer_required
def check_in_code(event_id: int, code: str):
    """Where a scanned code leads: who it is, and a button (a GET never checks anyone in)."""
    event = db.get_or_404(Event, event_id)
    registration = door.registration_for_code(event, code)
    if registration is None:
        flash(
            _("This is not a check-in code of this event. Type the speaker’s name instead."),
            "danger",
        )
        return redirect(url_for("registrations.check_in_page", event_id=event.id))
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            outcome = door.check_in(registration, by=current_user)
        except door.CheckInRefused as error:
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            _say(outcome)
        return redirect(url_for("registrations.check_in_page", event_id=event.id))
    return render_template(
        "registrations/check_in_code.html",
        event=event,
        registration=registration,
        already=door.check_in_of(registration),
        form=form,
    )


@bp.post("/manage/events/<int:event_id>/check-in/<int:registration_id>/undo")
@organizer_required
def undo_check_in(event_id: int, registration_id: int):
    event = db.get_or_404(Event, event_id)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    if CheckInForm().validate_on_submit() and door.undo_check_in(registration, by=current_user):
        db.session.commit()
        flash(
            _("%(name)s is no longer checked in.", name=registration.speaker.display_name),
            "success",
        )
    return redirect(url_for("registrations.check_in_page", event_id=event.id))


@bp.get(f"/manage/events/<int:event_id>/attendance.<{url_formats()}:fmt>")
@organizer_required
def export_attendance(event_id: int, fmt: str):
    event = db.get_or_404(Event, event_id)
    rows = door.attendance(event)
    table = Table(
        title=_("Attendance"),
        columns=[
            Column(_("Order"), Kind.INTEGER),
            Column(_("Full name")),
            Column(_("Organization")),
            Column(_("Talent team")),
            Column(_("Present")),
            Column(_("Checked in"), Kind.DATETIME),
            Column(_("By")),
        ],
        rows=[
            [
                registration.speaking_order,
                registration.speaker.display_name,
                registration.speaker.organization,
                str(registration.speaker.talent_team.label),
                _("Yes") if row else _("No"),
                row.checked_in_at if row else None,
                row.checked_in_by.name if row and row.checked_in_by else "",
            ]
            for registration, row in rows
        ],
        description=event.display_title,
        stem=f"attendance-event-{event.id}",
    )
    return audited_download(
        send(table, fmt), "attendance", rows=table.row_count, fmt=fmt, target=event
    )


# --- table cards and name badges -------------------------------------------------------------

CARD_SIZES = ("a4", "a5")


def _print_language() -> str:
    """The language the cards are printed in: ?lang=zh or en, else the reader's."""
    chosen = request.args.get("lang", "")
    if chosen in ("zh", "en"):
        return chosen
    locale = get_locale()
    return "zh" if locale is not None and locale.language == "zh" else "en"


def _print_page(event_id: int, template: str, **values):
    event = db.get_or_404(Event, event_id)
    language = _print_language()
    # The whole sheet in the language chosen, the event's texts included (units.localized).
    with force_locale("zh_Hans" if language == "zh" else "en"):
        return render_template(
            template,
            event=event,
            cards=name_cards.cards_for(event, chinese=language == "zh"),
            language=language,
            fit_class=name_cards.fit_class,
            **values,
        )


@bp.get("/manage/events/<int:event_id>/print/table-cards")
@organizer_required
def table_cards(event_id: int):
    size = request.args.get("size", "a4")
    return _print_page(
        event_id, "registrations/table_cards.html", size=size if size in CARD_SIZES else "a4"
    )


@bp.get("/manage/events/<int:event_id>/print/badges")
@organizer_required
def badges(event_id: int):
    return _print_page(event_id, "registrations/badges.html")
