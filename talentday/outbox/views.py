from flask import Blueprint, render_template, request
from flask_login import current_user

from talentday.audit.services import record
from talentday.auth.permissions import organizer_required
from talentday.extensions import db
from talentday.navigation import requested_page
from talentday.outbox.models import MessageStatus, OutboxMessage
from talentday.outbox.services import smtp_configured, text_to_show

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
    # A message holds a speaker's address and what was written to them: who read it is kept.
    record(
        "outbox_message_viewed",
        actor=current_user._get_current_object(),
        target=message,
        remote_addr=request.remote_addr or "",
    )
    db.session.commit()
    return render_template("outbox/show.html", message=message, body=text_to_show(message))
