"""Each account's API tokens page: make a token (shown once), see when each was last used,
revoke it. Administrators revoke anyone's from the account's page in the admin area."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from talentday.api import tokens
from talentday.api.models import ApiToken
from talentday.auth.models import User
from talentday.auth.permissions import admin_required
from talentday.extensions import db
from talentday.forms import BaseForm, show_domain_error, strip_whitespace

bp = Blueprint("api_tokens", __name__)


class TokenForm(BaseForm):
    name = StringField(
        _l("Name"),
        description=_l("What the token is for, like “Office system of the Housing Bureau”."),
        validators=[
            DataRequired(_l("Name the token")),
            Length(max=100, message=_l("Enter at most %(max)d characters")),
        ],
        filters=[strip_whitespace],
    )
    can_write = BooleanField(
        _l("Also make changes"),
        description=_l(
            "Without it the token only reads. With it, it may make every move your account "
            "may make."
        ),
    )


class RevokeTokenForm(BaseForm):
    """Revoking is one button: no fields."""


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
def index():
    form = TokenForm()
    secret = None
    status = 200
    if form.validate_on_submit():
        try:
            secret = tokens.create(
                current_user,
                name=form.name.data,
                can_write=form.can_write.data,
                remote_addr=request.remote_addr or "",
            )
        except tokens.TokenRefused as error:
            show_domain_error(form, error)
            status = 400
        else:
            db.session.commit()
            # Shown on this answer only: it is stored as a hash, and a redirect would have to
            # carry it in the session cookie.
            form = TokenForm(formdata=None)
            status = 201
    elif form.errors:
        status = 400
    return render_template(
        "api/tokens.html",
        form=form,
        secret=secret,
        tokens=tokens.tokens_of(current_user),
        revoke_form=RevokeTokenForm(),
    ), status


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if RevokeTokenForm().validate_on_submit():
        tokens.revoke(token, by=current_user, remote_addr=request.remote_addr or "")
        db.session.commit()
        flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))


@bp.post("/admin/users/<int:user_id>/api-tokens/<int:token_id>/revoke")
@admin_required
def admin_revoke(user_id: int, token_id: int):
    owner = db.get_or_404(User, user_id)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != owner.id:
        abort(404)
    if RevokeTokenForm().validate_on_submit():
        tokens.revoke(token, by=current_user, remote_addr=request.remote_addr or "")
        db.session.commit()
        flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("admin.edit_user", user_id=owner.id))
