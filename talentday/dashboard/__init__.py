from flask import Flask


def init_app(app: Flask) -> None:
    from talentday.dashboard.views import bp

    app.register_blueprint(bp)
