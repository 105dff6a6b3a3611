"""The organizers' webhooks page: register an address and its secret, pause, resume or remove
it, and see each delivery with its status, attempts and last error."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from talentday.auth.permissions import organizer_required
from talentday.extensions import db
from talentday.forms import BaseForm, show_domain_error, strip_whitespace
from talentday.webhooks import services
from talentday.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery

bp = Blueprint("webhooks", __name__, url_prefix="/manage/webhooks")


class WebhookForm(BaseForm):
    url = StringField(
        _l("Address"),
        description=_l(
            "Where your office system listens, starting with %(scheme)s", scheme="https://"
        ),
        validators=[
            DataRequired(_l("Enter the address")),
            Length(max=500, message=_l("Enter at most %(max)d characters")),
        ],
        filters=[strip_whitespace],
        render_kw={"inputmode": "url", "spellcheck": "false"},
    )
    secret = PasswordField(
        _l("Secret"),
        description=_l(
            "At least 16 characters, agreed with the receiver. Each delivery is signed with "
            "it; it is not shown again."
        ),
        validators=[
            DataRequired(_l("Enter the secret")),
            Length(max=200, message=_l("Enter at most %(max)d characters")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    description = StringField(
        _l("What it is"),
        validators=[Optional(), Length(max=200, message=_l("Enter at most %(max)d characters"))],
        filters=[strip_whitespace],
    )


class WebhookActionForm(BaseForm):
    """Pausing, resuming, removing and retrying are one button each: no fields."""


def _enabled_or_404():
    if not services.enabled():
        abort(404)


@bp.route("/", methods=["GET", "POST"])
@organizer_required
def index():
    _enabled_or_404()
    form = WebhookForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.register(
                url=form.url.data, secret=form.secret.data,
                description=form.description.data or "", by=current_user,
            )  # fmt: skip
        except services.WebhookRefused as error:
            db.session.rollback()
            show_domain_error(form, error)
            status = 400
        else:
            db.session.commit()
            flash(
                _("The webhook is registered: it hears of every change of an item's state."),
                "success",
            )
            return redirect(url_for("webhooks.index"))
    elif form.errors:
        status = 400
    return render_template(
        "webhooks/index.html",
        form=form,
        action_form=WebhookActionForm(),
        webhooks=services.webhooks(),
        deliveries=services.recent_deliveries(),
        statuses=DeliveryStatus,
        max_attempts=services.MAX_ATTEMPTS,
        masked=services.masked,
    ), status


@bp.post("/<int:webhook_id>/<any(pause, resume, remove):action>")
@organizer_required
def change(webhook_id: int, action: str):
    _enabled_or_404()
    webhook = db.get_or_404(Webhook, webhook_id)
    if WebhookActionForm().validate_on_submit():
        if action == "remove":
            services.remove(webhook, by=current_user)
            flash(_("The webhook is removed, with its deliveries."), "success")
        else:
            services.set_active(webhook, action == "resume", by=current_user)
            flash(
                _("The webhook is active again.") if action == "resume"
                else _("The webhook is paused: nothing is sent to it until it is resumed."),
                "success",
            )  # fmt: skip
        db.session.commit()
    return redirect(url_for("webhooks.index"))


@bp.post("/deliveries/<int:delivery_id>/retry")
@organizer_required
def retry(delivery_id: int):
    _enabled_or_404()
    delivery = db.get_or_404(WebhookDelivery, delivery_id)
    if WebhookActionForm().validate_on_submit() and delivery.status is DeliveryStatus.FAILED:
        services.retry(delivery, by=current_user)
        db.session.commit()
        flash(_("The delivery will be sent again."), "success")
    return redirect(url_for("webhooks.index"))
