"""Organizers change the wording of the messages the system sends, per language."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from talentday.auth.permissions import organizer_required
from talentday.extensions import db
from talentday.i18n import sentences
from talentday.outbox import message_templates
from talentday.outbox.forms import MessageTemplateForm, OutboxActionForm
from talentday.outbox.template_previews import preview

bp = Blueprint("messages", __name__, url_prefix="/manage/messages")


def _kind_and_language(key: str, language: str):
    kind = message_templates.KINDS.get(key)
    if kind is None or language not in current_app.config["LANGUAGES"]:
        abort(404)
    return kind, language


@bp.get("/")
@organizer_required
def index():
    return render_template(
        "outbox/templates.html",
        kinds=list(message_templates.KINDS.values()),
        languages=current_app.config["LANGUAGES"],
        saved=message_templates.saved_wordings(),
        language_labels=message_templates.LANGUAGE_LABELS,
    )


@bp.route("/<key>/<language>", methods=["GET", "POST"])
@organizer_required
def edit(key: str, language: str):
    """The wording in force, a preview of it with real data, and Save. "Preview" shows what
    was typed without keeping it."""
    kind, language = _kind_and_language(key, language)
    saved = message_templates.saved_wording(kind.key, language)
    form = MessageTemplateForm(kind=kind, language=language)
    if not form.is_submitted():
        form.subject.data, form.body.data = message_templates.wording(kind, language)
    by = current_user._get_current_object()
    if form.validate_on_submit() and request.form.get("step") == "save":
        own = message_templates.save(kind, language, form.subject.data, form.body.data, by=by)
        db.session.commit()
        flash(
            _("The message is saved: it is sent with this wording from now on.")
            if own
            else _("The wording is the default one: the default is used."),
            "success",
        )
        return redirect(url_for("messages.edit", key=kind.key, language=language))
    shown = None
    if not form.errors:
        shown = preview(kind, language, form.subject.data or "", form.body.data or "", by=by)
    return (
        render_template(
            "outbox/template_form.html",
            kind=kind,
            language=language,
            form=form,
            saved=saved,
            shown=shown,
            placeholders=[
                (name, message_templates.PLACEHOLDERS[name]) for name in kind.placeholders
            ],
            reset_form=OutboxActionForm(),
            hint=_hint(kind),
            language_labels=message_templates.LANGUAGE_LABELS,
        ),
        400 if form.errors else 200,
    )


def _hint(kind) -> Markup:
    """What the placeholders are, and which the text must keep (named as code)."""
    said = _(
        "Each is replaced by its value when the message is made. The ones in bold are "
        "paragraphs and cannot be in the subject."
    )
    if not kind.required:
        return escape(said)
    # Without variables, gettext leaves %(names)s for the escaped sentence to fill.
    keep = escape(_("The text must keep %(names)s.")) % {
        "names": message_templates.required_text(kind)
    }
    return Markup(sentences(escape(said), keep))  # nosec B704


@bp.post("/<key>/<language>/reset")
@organizer_required
def reset(key: str, language: str):
    kind, language = _kind_and_language(key, language)
    if OutboxActionForm().validate_on_submit():
        message_templates.reset(kind, language, by=current_user._get_current_object())
        db.session.commit()
        flash(_("The message is back to its default wording."), "success")
    return redirect(url_for("messages.edit", key=kind.key, language=language))
