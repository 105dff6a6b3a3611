from flask import Flask, flash, g, redirect, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_url, logout_user

from talentday.extensions import db, login_manager
from talentday.fixed_cost import is_bare_request


def init_app(app: Flask) -> None:
    from talentday.auth.models import User
    from talentday.auth.services import SessionLimits, load_session
    from talentday.auth.views import bp

    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(cookie_id: str) -> User | None:
        limits = SessionLimits.from_config(app.config)
        row, expiry = load_session(cookie_id, limits)
        if expiry is not None:
            g.session_expiry = (expiry, limits)
        return row.user if row is not None else None

    @login_manager.unauthorized_handler
    def sign_in_first():
        # The expiry message, when there is one, has already said why; say nothing twice.
        if not g.get("session_expiry"):
            flash(str(login_manager.login_message), login_manager.login_message_category)
        return redirect(login_url(login_manager.login_view, next_url=request.url))

    @app.before_request
    def load_signed_in_user():
        # Load the account before the view changes anything, so that refreshing the
        # session's last-seen time (once a minute) commits nothing of the view's own work.
        if is_bare_request():
            return
        current_user._get_current_object()
        # A visitor without a session cookie loaded nothing: no database session to look at.
        if db.session.registry.has() and db.session.dirty:
            db.session.commit()
        expiry = g.get("session_expiry")
        if expiry is not None:
            logout_user()  # drop the dead session's cookies, so the message shows once
            if expiry[0] != "ended":
                flash(_expiry_message(*expiry), "info")

    app.register_blueprint(bp)


def _expiry_message(reason: str, limits) -> str:
    if reason == "idle":
        return _(
            "You were signed out after %(duration)s without activity. Sign in again to carry on.",
            duration=format_timedelta(limits.idle, threshold=1.1),
        )
    return _(
        "You were signed out %(duration)s after signing in. Sign in again to carry on.",
        duration=format_timedelta(limits.lifetime, threshold=1.1),
    )
