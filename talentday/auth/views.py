from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from talentday.auth import throttle
from talentday.auth.forms import ChangePasswordForm, LanguageForm, SignInForm
from talentday.auth.services import (
    AccountError,
    authenticate,
    change_password,
    choose_language,
    end_session,
    normalize_email,
    record_failed_sign_in,
    remember_language,
    sign_in_user,
    start_session,
)
from talentday.extensions import db, limiter
from talentday.forms import show_domain_error
from talentday.i18n import SESSION_KEY, supported
from talentday.navigation import safe_next_url

bp = Blueprint("auth", __name__)


def _sign_in_limits() -> str:
    return current_app.config["SIGN_IN_LIMITS"]


def _log_refused(_limit) -> None:
    account = normalize_email(request.form.get("email", ""))[:254]
    throttle.log_refused(account, request.remote_addr or "")


def _sign_in_failed(response) -> bool:
    # Only failed attempts count against the limits: a busy office behind one address
    # signing in correctly all morning is never throttled.
    return bool(g.get("sign_in_failed"))


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(
    _sign_in_limits,
    methods=["POST"],
    deduct_when=_sign_in_failed,
    scope="sign-in-address",
    on_breach=_log_refused,
)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        account = normalize_email(form.email.data)
        throttle.wait_for_account(account)
        user = authenticate(account, form.password.data)
        if user is not None:
            throttle.clear_failures(account)
            remember_language(
                user, chosen=supported(session.get(SESSION_KEY)), reading=str(get_locale())
            )
            sign_in_user(user, remember=form.remember.data, remote_addr=request.remote_addr or "")
            login_user(user, remember=form.remember.data)
            db.session.commit()
            flash(_("You are signed in."), "success")
            return redirect(safe_next_url(form.next.data))
        g.sign_in_failed = True
        throttle.count_failure(account)
        record_failed_sign_in(account, remote_addr=request.remote_addr or "")
        db.session.commit()
        # One message for a wrong email, a wrong password and a deactivated account alike.
        form.password.errors.append(_("Enter a correct email address and password"))
    elif request.method == "POST":
        g.sign_in_failed = True
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
@login_required
def sign_out():
    end_session(current_user.signed_in_session)
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("main.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        remember = current_user.signed_in_session.remember
        try:
            change_password(
                current_user,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
            )
        except AccountError as error:
            show_domain_error(form, error)
        else:
            user = current_user._get_current_object()
            # Every session ended with the password: sign in again on this device only.
            start_session(user, remember=remember)
            db.session.commit()
            login_user(user, remember=remember)
            flash(
                _("Your password has been changed. Other devices have been signed out."), "success"
            )
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)


@bp.post("/language")
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session[SESSION_KEY] = form.locale.data
        if current_user.is_authenticated:
            choose_language(current_user, form.locale.data)
            db.session.commit()
    return redirect(safe_next_url(form.next.data, "main.index"))
