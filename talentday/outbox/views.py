from flask import Blueprint, render_template, request
from flask_login import current_user

from talentday.auth.permissions import organizer_required
from talentday.extensions import db
from talentday.navigation import requested_page
from talentday.outbox.models import MessageStatus, OutboxMessage
from talentday.outbox.services import read_message, smtp_configured

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
    return render_template("outbox/show.html", message=message, body=body)
