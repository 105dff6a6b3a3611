from flask import Flask


def init_app(app: Flask) -> None:
    from talentday.followup.views import bp

    app.register_blueprint(bp)
