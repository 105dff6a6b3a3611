"""Webhooks for office systems (issue 12): see services."""

from flask import Flask


def init_app(app: Flask) -> None:
    from talentday.webhooks.views import bp

    app.register_blueprint(bp)
