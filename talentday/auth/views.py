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

from talentday.auth import reset, throttle
from talentday.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    ResetPasswordForm,
    SignInForm,
)
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


# --- "Forgot your password?" ---------------------------------------------------------------

# The address just typed, for the page that follows the form (the same page for every
# address), and the reset link's token once its address has been opened.
RESET_ASKED_KEY = "password_reset_asked"
RESET_LINK_KEY = "reset_link"


def _password_reset_limits() -> str:
    return current_app.config["PASSWORD_RESET_LIMITS"]


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_password_reset_limits, methods=["POST"], scope="password-reset")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = normalize_email(form.email.data)
        reset.request_reset(email, remote_addr=request.remote_addr or "")
        db.session.commit()
        # One answer for an account, a disabled account and an address that is none.
        session[RESET_ASKED_KEY] = email
        return redirect(url_for("auth.forgot_password"))
    asked = session.pop(RESET_ASKED_KEY, None) if request.method == "GET" else None
    return render_template(
        "auth/forgot_password.html",
        form=form,
        asked=asked,
        minutes=current_app.config["PASSWORD_RESET_MINUTES"],
        every=current_app.config["LINK_RESEND_MINUTES"],
    )


# The reset link's token is in one request only: opening it puts the token on the visitor's
# session and sends them on to /reset-password/, so that the page, its form, the access log
# and any Referer carry no token (as with a speaker's private link).
@bp.get("/reset-password/<token>")
def open_reset_link(token: str):
    if reset.user_for_token(token) is not None:
        session[RESET_LINK_KEY] = token
    else:
        session.pop(RESET_LINK_KEY, None)
    return redirect(url_for("auth.reset_password"))


@bp.route("/reset-password/", methods=["GET", "POST"])
@limiter.limit(_password_reset_limits, methods=["POST"], scope="password-reset-form")
def reset_password():
    user = reset.user_for_token(session.get(RESET_LINK_KEY))
    if user is None:
        # Too old, used already, the password changed since, or no link opened at all.
        session.pop(RESET_LINK_KEY, None)
        page = render_template(
            "auth/reset_link_dead.html", minutes=current_app.config["PASSWORD_RESET_MINUTES"]
        )
        return page, 400 if request.method == "POST" else 200
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset.reset_password(
                user, new_password=form.new_password.data, remote_addr=request.remote_addr or ""
            )
        except AccountError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            session.pop(RESET_LINK_KEY, None)
            # Guessing is over for this account: its owner signs in without waiting.
            throttle.clear_failures(user.email)
            if current_user.is_authenticated and current_user.id == user.id:
                logout_user()  # this browser's session ended with the others
            flash(
                _(
                    "Your password has been changed, and every device signed in to your "
                    "account has been signed out. Sign in with your new password."
                ),
                "success",
            )
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form, user=user)
