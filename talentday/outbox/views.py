from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from talentday.auth.permissions import organizer_required
from talentday.extensions import db
from talentday.navigation import requested_page
from talentday.outbox import services
from talentday.outbox.forms import OutboxActionForm
from talentday.outbox.models import MessageStatus, OutboxMessage
from talentday.outbox.services import OutboxError, read_message, smtp_configured

bp = Blueprint("outbox", __name__, url_prefix="/manage/outbox")


@bp.get("/")
@organizer_required
def index():
    status = request.args.get("status", "")
    statement = db.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in {s.value for s in MessageStatus}:
        statement = statement.where(OutboxMessage.status == MessageStatus(status))
    page = db.paginate(statement, page=requested_page(), per_page=25, error_out=False)
    return render_template(
        "outbox/index.html",
        page=page,
        status=status,
        statuses=list(MessageStatus),
        smtp_configured=smtp_configured(),
    )


@bp.get("/<int:message_id>")
@organizer_required
def show(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    body = read_message(
        message, by=current_user._get_current_object(), remote_addr=request.remote_addr or ""
    )
    db.session.commit()
    return render_template("outbox/show.html", message=message, body=body, form=OutboxActionForm())


@bp.post("/<int:message_id>/resend")
@organizer_required
def resend(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if OutboxActionForm().validate_on_submit():
        try:
            services.resend(message, by=current_user._get_current_object())
        except OutboxError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(
                _("The message to %(email)s is queued to be sent again.", email=message.to_email),
                "success",
            )
    return redirect(url_for("outbox.show", message_id=message.id))


@bp.route("/<int:message_id>/discard", methods=["GET", "POST"])
@organizer_required
def discard(message_id: int):
    """Discarding cannot be undone: a page says what will happen, and a button does it."""
    message = db.get_or_404(OutboxMessage, message_id)
    form = OutboxActionForm()
    if form.validate_on_submit():
        try:
            services.discard(message, by=current_user._get_current_object())
        except OutboxError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
            return redirect(url_for("outbox.show", message_id=message.id))
        db.session.commit()
        flash(_("The message to %(email)s will not be sent.", email=message.to_email), "success")
        return redirect(url_for("outbox.index"))
    if not message.may_be_discarded:
        flash(_("This message has been sent or discarded already."), "info")
        return redirect(url_for("outbox.show", message_id=message.id))
    return render_template("outbox/discard.html", message=message, form=form)
