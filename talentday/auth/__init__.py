from flask import Flask
from flask_babel import lazy_gettext as _l

from talentday.extensions import db, login_manager


def init_app(app: Flask) -> None:
    from talentday.auth.models import User
    from talentday.auth.views import bp

    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _sep, token = session_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_token != token:
            return None
        return user

    app.register_blueprint(bp)
