from flask import Flask


def init_app(app: Flask) -> None:
    from talentday.registrations import salon_day_views  # noqa: F401 (its routes, on bp)
    from talentday.registrations.views import bp

    app.register_blueprint(bp)
