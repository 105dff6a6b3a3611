"""The follow-up tracker: the ledger, the item page and its moves, entry, import, merge."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_number, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from talentday import exports
from talentday.audit.downloads import audited_download
from talentday.auth.permissions import organizer_required
from talentday.database import utcnow
from talentday.events.models import Event
from talentday.extensions import db
from talentday.followup import (
    attachments,
    countersigning,
    imports,
    ledger,
    making,
    services,
    timeline,
    working_days,
)
from talentday.followup.definitions import FIGURES
from talentday.followup.forms import (
    BulkAssignForm,
    ConfirmImportForm,
    ImportForm,
    QuickEntryForm,
)
from talentday.followup.imports import ImportFileError, parse
from talentday.followup.models import (
    ITEM_DISPLAY_LOADS,
    Attachment,
    Category,
    FollowUpItem,
    ItemState,
    TimelineEntry,
)
from talentday.followup.moves import ITEM_PAGE_MOVES, MOVES, Move, actor_standing, allowed_moves
from talentday.followup.permissions import (
    can_see_contact_details,
    require_visible,
)
from talentday.forms import confirmed, posted_again, show_domain_error, to_int
from talentday.i18n import city_today, supported
from talentday.navigation import requested_page, safe_next_url
from talentday.registrations.models import Registration, Speaker
from talentday.registrations.queries import registration_of
from talentday.templating import day_text
from talentday.units.models import ResponsibleUnit
from talentday.units.services import active_units

bp = Blueprint("followup", __name__, url_prefix="/followup")


def _unit_choices(empty: str | None = None, units=None) -> list[SelectChoice]:
    choices = [SelectChoice("", empty)] if empty else []
    units = active_units() if units is None else units
    return choices + [SelectChoice(unit.id, unit.display_name) for unit in units]


def _load_item(item_id: int) -> FollowUpItem:
    return db.session.scalar(
        db.select(FollowUpItem).where(FollowUpItem.id == item_id).options(*ITEM_DISPLAY_LOADS)
    )


# --- the ledger --------------------------------------------------------------------------


@bp.get("/")
@login_required
def ledger_page():
    if current_user.is_admin:
        abort(403)
    return _render_ledger(_bulk_form() if current_user.is_organizer else None)


def _bulk_form() -> BulkAssignForm:
    # Its unit lists are filled when the page is drawn (_render_ledger): the submitted
    # values are checked against the units themselves, not against the choices.
    return BulkAssignForm()


def _render_ledger(bulk_form: BulkAssignForm | None, ticked: frozenset[int] = frozenset()):
    """The ledger for this request's filters (its query string), with the bulk assignment
    form: empty, or as the organizer sent it back with its errors and ticked items."""
    today = city_today()
    filters = ledger.Filters.from_args(request.args)
    units = active_units()
    if bulk_form is not None:
        bulk_form.lead_unit_id.choices = _unit_choices(_("Choose the lead unit"), units)
        bulk_form.co_unit_ids.choices = _unit_choices(units=units)
    return render_template(
        "followup/ledger.html",
        page=(page := ledger.page(current_user, filters, today, requested_page())),
        filters=filters,
        filter_tags=(tags := ledger.filter_tags(filters)),
        hidden_filters=ledger.HIDDEN_FILTERS,
        figure=FIGURES.get(filters.figure),
        latest=ledger.latest_notes([item.id for item in page.items]),
        today=today,
        events=ledger.event_choices(filters.event),
        recent_events=ledger.RECENT_EVENTS,
        count_cap=format_number(ledger.COUNT_CAP),
        categories=services.active_categories(),
        units=units,
        states=list(ItemState),
        sort_keys=ledger.SORT_KEYS,
        bulk_form=bulk_form,
        ticked=ticked,
        back=request.form.get("back") or request.full_path,
        # What a printed ledger says instead of its filter form: the filters in words, and
        # when it was printed (the page's time; printing it again later is a new request).
        filters_in_words=ledger.describe_tags(tags),
        printed_at=utcnow(),
    )


@bp.get(f"/ledger.<{exports.url_formats()}:fmt>")
@login_required
def export(fmt: str):
    if current_user.is_admin:
        abort(403)
    today = city_today()
    filters = ledger.Filters.from_args(request.args)
    table = ledger.table(current_user, filters, today)
    return audited_download(exports.send(table, fmt), "ledger", rows=table.row_count, fmt=fmt)


@bp.post("/assign")
@organizer_required
def assign_many():
    """Assign the ticked items. The form posts to this address with the ledger's own query
    string, so that a mistake is shown at its field on the same ledger page, ticks kept."""
    form = _bulk_form()
    back = redirect(safe_next_url(request.form.get("back"), "followup.ledger_page"))
    ids = {to_int(value) for value in request.form.getlist("item")} - {None}
    if not ids:
        flash(_("Tick at least one item, then choose the units and the due date."), "warning")
        return back
    if not form.validate_on_submit():
        return _render_ledger(form, frozenset(ids))
    lead = db.session.get(ResponsibleUnit, form.lead_unit_id.data)
    co_units = [db.session.get(ResponsibleUnit, i) for i in form.co_unit_ids.data or []]
    done, refused, today = 0, [], city_today()
    for item in db.session.scalars(db.select(FollowUpItem).where(FollowUpItem.id.in_(ids))):
        try:
            services.assign(
                item,
                lead_unit=lead,
                co_units=[unit for unit in co_units if unit],
                # Left empty: each item's own period, as its page proposes.
                due_on=_deadline(item, form, today).due_on,
                instructions=form.instructions.data or "",
                by=current_user,
                today=today,
            )
            done += 1
        except services.FollowUpError as error:
            refused.append(f"#{item.id}: {error.message}")
    db.session.commit()
    if done:
        flash(ngettext("%(num)d item assigned.", "%(num)d items assigned.", done), "success")
    for message in refused:
        flash(message, "danger")
    return back


# --- one item ----------------------------------------------------------------------------


def _forms(item: FollowUpItem, submitted: str | None = None, submitted_form=None) -> dict:
    today = city_today()
    forms = {name: MOVES[move].form(prefix=name) for name, move in ITEM_PAGE_MOVES.items()}
    if submitted and submitted_form is not None:
        forms[submitted] = submitted_form
    for name, form in forms.items():
        # Every form carries the version this page shows, even one sent back after a conflict.
        form.version.data = str(item.version)
        if name == "assign":
            form.lead_unit_id.choices = _unit_choices(_("Choose the lead unit"))
            form.co_unit_ids.choices = _unit_choices()
            if submitted != "assign":
                form.lead_unit_id.data = item.lead_unit_id
                form.co_unit_ids.data = [unit.id for unit in item.co_units]
                form.due_on.data = item.due_on or services.default_due_date(item, today)
                form.instructions.data = item.instructions
            form.due_on.description = _period_hint(item, today)
        if name == "publish" and submitted != "publish":
            form.content.data = item.published_content or item.content
            form.result.data = item.published_result or item.result
        if name == "contact" and submitted != "contact":
            form.contacted_on.data = today
        if name == "check_promise" and submitted != "check_promise":
            form.due_on.data = services.default_due_date(item, today)
        if name in ("progress", "result"):
            form.files.description = _files_hint()
            form.files.render_kw = {"accept": attachments.ACCEPT}
    return forms


def _files_hint() -> str:
    config = current_app.config
    return _(
        "Optional: PDF, images, Word, Excel or PowerPoint documents, at most %(count)d files "
        "of %(size)s MB each. Everyone who may see this item may download them.",
        count=config["ATTACHMENT_MAX_FILES"],
        size=f"{config['ATTACHMENT_MAX_BYTES'] / 1024 / 1024:g}",
    )


def _uploads(form) -> list[attachments.Upload]:
    if not hasattr(form, "files"):
        return []  # only the progress and result forms carry files
    return [
        attachments.Upload(file.filename, file.stream)
        for file in form.files.data or []
        if file and file.filename
    ]


def _available_actions(item: FollowUpItem) -> set[str]:
    """The moves the table lets the current user make on the item now, by name."""
    return {move.value for move in allowed_moves(current_user, item)}


def _timeline_lines(entries) -> dict[int, list[str]]:
    units = timeline.units_named(entries)
    return {entry.id: timeline.wording(entry, units) for entry in entries}


def _render_item(item, relation, forms, status=200):
    entries = db.session.scalars(
        db.select(TimelineEntry)
        .where(TimelineEntry.item_id == item.id)
        .options(
            joinedload(TimelineEntry.actor_user),
            joinedload(TimelineEntry.actor_speaker),
            joinedload(TimelineEntry.unit),
        )
        .order_by(TimelineEntry.at, TimelineEntry.id)
    ).all()
    return (
        render_template(
            "followup/item.html",
            item=item,
            relation=relation,
            actions=_available_actions(item),
            forms=forms,
            timeline=entries,
            timeline_lines=_timeline_lines(entries),
            attachments=attachments.of_item(item.id),
            opinions=countersigning.opinions(item) if item.co_units else {},
            opinions_missing=countersigning.opinions_missing(item),
            contacts=services.contacts([item.id]).get(item.id, []),
            today=city_today(),
            show_contacts=can_see_contact_details(current_user, item),
            merged_speakers=services.merged_speakers(item),
            merged_items=db.session.scalars(
                db.select(FollowUpItem).where(FollowUpItem.merged_into_id == item.id)
            ).all(),
            form=next((f for f in forms.values() if f.errors), None),
        ),
        status,
    )


@bp.get("/items/<int:item_id>")
@login_required
def item_page(item_id: int):
    item = _load_item(item_id)
    relation = require_visible(current_user, item)
    return _render_item(item, relation, _forms(item))


def _deadline(item: FollowUpItem, form, today):
    deadline = services.chosen_deadline(
        item, today, on=form.due_on.data, working_days=form.due_in_working_days.data
    )
    if deadline.estimated:
        _warn_estimated()
    return deadline


def _warn_estimated() -> None:
    if not g.get("told_estimated"):
        g.told_estimated = True  # once per request, however many items were assigned
        flash(_estimated_warning(), "warning")


def _period_hint(item: FollowUpItem, today) -> str:
    """What the event's follow-up period is, and where it ends counted from today."""
    event, deadline = item.event, services.default_deadline(item, today)
    if event.follow_up_in_working_days:
        hint = ngettext(
            "The event's follow-up period: %(num)d working day, to %(day)s.",
            "The event's follow-up period: %(num)d working days, to %(day)s.",
            event.follow_up_days,
            day=day_text(deadline.due_on),
        )
    else:
        hint = ngettext(
            "The event's follow-up period: %(num)d day, to %(day)s.",
            "The event's follow-up period: %(num)d days, to %(day)s.",
            event.follow_up_days,
            day=day_text(deadline.due_on),
        )
    return f"{hint} {_estimated_warning()}" if deadline.estimated else hint


def _estimated_warning() -> str:
    return _(
        "The State Council has not published the holidays after %(year)d yet: weekdays were "
        "counted as working days, so check the due date once it has.",
        year=working_days.KNOWN_YEARS[-1],
    )


@bp.post("/items/<int:item_id>/<action>")
@login_required
def act(item_id: int, action: str):
    move = ITEM_PAGE_MOVES.get(action) or abort(404)
    item = _load_item(item_id)
    relation = require_visible(current_user, item)
    if actor_standing(current_user, item) not in MOVES[move].who:
        abort(403)
    form = MOVES[move].form(prefix=action)
    if action == "assign":
        form.lead_unit_id.choices = _unit_choices(_("Choose the lead unit"))
        form.co_unit_ids.choices = _unit_choices()
    if not form.validate_on_submit():
        return _render_item(item, relation, _forms(item, action, form), status=400)
    if MOVES[move].confirm and not confirmed():
        return render_template(
            "followup/confirm_move.html",
            item=item,
            move=MOVES[move],
            action=action,
            sent=posted_again(),
        )
    try:
        with attachments.removed_unless_committed():
            making.make_move(
                move, item, form, by=current_user, today=city_today(), files=_uploads(form),
                on_estimated=_warn_estimated,
            )  # fmt: skip
            db.session.commit()
    except services.ConflictError as error:
        db.session.rollback()
        return _conflict(item_id, action, form, error)
    except StaleDataError:
        db.session.rollback()
        return _conflict(item_id, action, form, services.ConflictError())
    except services.FollowUpError as error:
        db.session.rollback()
        item = _load_item(item_id)
        if not show_domain_error(form, error):
            flash(str(error.message), "danger")
        return _render_item(item, relation, _forms(item, action, form), status=400)
    flash(str(MOVES[move].done), "success")
    return redirect(url_for("followup.item_page", item_id=item_id))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """An attached file, to whoever may see its item (404 to anyone else), audited."""
    found = db.session.get(Attachment, attachment_id) or abort(404)
    item = _load_item(found.item_id)
    require_visible(current_user, item)
    return audited_download(
        attachments.send(found), "attachment", rows=1, fmt=attachments.extension(found),
        target=item,
    )  # fmt: skip


def _conflict(item_id, action, form, error):
    """Show the latest state with the person's typed text still in their form."""
    db.session.expire_all()
    item = _load_item(item_id)
    relation = require_visible(current_user, item)
    flash(str(error.message), "warning")
    return _render_item(item, relation, _forms(item, action, form), status=409)


# --- entry, merge and split ----------------------------------------------------------------


def _event_choices() -> list[SelectChoice]:
    events = db.session.scalars(db.select(Event).order_by(Event.starts_at.desc()))
    return [SelectChoice("", _("Choose the event"))] + [
        SelectChoice(event.id, event.display_title) for event in events
    ]


def _category_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("Choose a category"))] + [
        SelectChoice(category.id, category.display_name)
        for category in services.active_categories()
    ]


@bp.route("/new", methods=["GET", "POST"])
@organizer_required
def new_item():
    form = QuickEntryForm()
    form.event_id.choices = _event_choices()
    form.category_id.choices = _category_choices()
    event_id = form.event_id.data or request.args.get("event", type=to_int)
    speakers = (
        db.session.scalars(
            db.select(Speaker)
            .join(Registration)
            .where(Registration.event_id == event_id, Speaker.anonymised_at.is_(None))
            .order_by(Speaker.name)
        ).all()
        if event_id
        else []
    )
    form.speaker_id.choices = [SelectChoice("", _("Not a registered speaker"))] + [
        SelectChoice(speaker.id, f"{speaker.display_name} ({speaker.organization})")
        for speaker in speakers
    ]
    if request.method == "GET" and event_id:
        form.event_id.data = event_id
    if form.validate_on_submit():
        event = db.session.get(Event, form.event_id.data)
        category = db.session.get(Category, form.category_id.data)
        speaker = next((s for s in speakers if s.id == form.speaker_id.data), None)
        registration = registration_of(event.id, speaker.id) if speaker and event else None
        try:
            if event is None:
                raise services.FollowUpError(_("Choose the event"), field="event_id")
            if category is None:
                raise services.FollowUpError(_("Choose a category"), field="category_id")
            item = services.raise_suggestion(
                event=event,
                category=category,
                content=form.content.data,
                speaker=speaker,
                registration=registration,
                raised_by_name="" if speaker else (form.raised_by_name.data or ""),
                by_user=current_user,
            )
        except services.FollowUpError as error:
            db.session.rollback()
            if not show_domain_error(form, error):
                flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("Suggestion #%(id)d recorded. Enter the next one.", id=item.id), "success")
            return redirect(url_for("followup.new_item", event=event.id))
    return render_template("followup/new.html", form=form)


@bp.post("/items/<int:item_id>/merge")
@organizer_required
def merge(item_id: int):
    item = _load_item(item_id) or abort(404)
    form = MOVES[Move.MERGE].form()
    if form.validate_on_submit():
        try:
            target = making.make_move(Move.MERGE, item, form, by=current_user, today=city_today())
        except services.FollowUpError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("Merged into item #%(id)d.", id=target.id), "success")
            return redirect(url_for("followup.item_page", item_id=target.id))
    else:
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "danger")
    return redirect(url_for("followup.item_page", item_id=item_id))


@bp.route("/items/<int:item_id>/split", methods=["GET", "POST"])
@organizer_required
def split(item_id: int):
    item = _load_item(item_id) or abort(404)
    form = MOVES[Move.SPLIT].form()
    if request.method == "GET":
        form.parts[0].data = item.content
    if form.validate_on_submit():
        try:
            created = services.split(
                item, parts=[entry.data or "" for entry in form.parts], by=current_user
            )
        except services.FollowUpError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(
                ngettext("Split into %(num)d item.", "Split into %(num)d items.", len(created) + 1),
                "success",
            )
            return redirect(url_for("followup.item_page", item_id=item.id))
    return render_template("followup/split.html", item=item, form=form)


# --- import --------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@organizer_required
def import_items():
    imports.remove_stale_uploads(imports.upload_folder())
    form = ImportForm()
    form.event_id.choices = _event_choices()
    checked, batch = None, None
    if form.validate_on_submit():
        upload = form.file.data
        extension = upload.filename.rsplit(".", 1)[-1].lower()
        data = upload.read()
        event = db.session.get(Event, form.event_id.data)
        try:
            if event is None:
                raise ImportFileError(_("Choose the event"))
            checked = imports.check(data, upload.filename, event)
        except ImportFileError as error:
            form.file.errors = [str(error)]
        else:
            batch = imports.store_upload(imports.upload_folder(), data, extension)
    return render_template(
        "followup/import.html",
        form=form,
        checked=checked,
        rows=checked.rows if checked else None,
        batch=batch,
        confirm_form=ConfirmImportForm(batch=batch),
        good=checked.good if checked else [],
        fields=imports.FIELDS,
        template_languages=TEMPLATE_LANGUAGES,
    )


# The template's languages, each named in itself for the link to the other one.
TEMPLATE_LANGUAGES = {"en": "English", "zh_Hans": "中文"}


@bp.get("/import/template.xlsx")
@organizer_required
def import_template():
    """An empty sheet to fill in: the header in the reader's language (or ?language=), an
    example row the import leaves out, and the active categories on a second sheet."""
    language = request.args.get("language") or supported(str(get_locale())) or "en"
    if language not in TEMPLATE_LANGUAGES:
        abort(404)
    data = imports.template_workbook(language, services.active_categories())
    stem = "suggestions-template" if language == "en" else "suggestions-template-zh"
    return Response(
        data,
        mimetype=imports.XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
    )


@bp.post("/import/confirm")
@organizer_required
def confirm_import():
    form = ConfirmImportForm()
    batch = request.form.get("batch", "")
    event = db.session.get(Event, to_int(request.form.get("event_id")) or 0)
    if not form.validate_on_submit() or not imports.BATCH_PATTERN.match(batch) or event is None:
        abort(400)
    data = imports.read_upload(imports.upload_folder(), batch)
    if data is None:
        flash(_("That upload has expired. Choose the file again."), "warning")
        return redirect(url_for("followup.import_items"))
    # Checked again: the speakers and categories may have changed since the preview.
    try:
        rows = parse(data, batch, event)
    except ImportFileError as error:
        imports.discard_upload(imports.upload_folder(), batch)
        flash(str(error), "danger")
        return redirect(url_for("followup.import_items"))
    categories = {c.id: c for c in db.session.scalars(db.select(Category))}
    imported = 0
    for row in rows:
        if not row.ok:
            continue
        speaker = db.session.get(Speaker, row.speaker_id) if row.speaker_id else None
        registration = registration_of(event.id, speaker.id) if speaker else None
        services.raise_suggestion(
            event=event,
            category=categories[row.category_id],
            content=row.content,
            speaker=speaker,
            registration=registration,
            raised_by_name="" if speaker else row.raised_by,
            by_user=current_user,
        )
        imported += 1
    db.session.commit()
    imports.discard_upload(imports.upload_folder(), batch)
    skipped = len(rows) - imported
    flash(
        _(
            "%(imported)d suggestions imported; %(skipped)d rows with errors were left out.",
            imported=imported,
            skipped=skipped,
        ),
        "success",
    )
    return redirect(url_for("followup.ledger_page", event=event.id, state="new"))
