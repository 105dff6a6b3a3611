"""TalentDay: a city's talent events, from speaker registration to follow-up of suggestions."""

import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, request

from talentday.config import DEVELOPMENT_BASE_URL, INSECURE_SECRET_KEY, DefaultConfig

PACKAGE_DIR = Path(__file__).resolve().parent


class ConfigurationError(RuntimeError):
    pass


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, CLI, errors, in that order."""
    app = Flask(
        __name__,
        # Installed elsewhere than a checkout, the instance folder can be named outright.
        instance_path=os.environ.get("TALENTDAY_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=_template_folder(),
    )
    _load_config(app, test_config)
    _init_proxy(app)
    _init_routing(app)
    _init_extensions(app)

    from talentday import (
        access,
        admin,
        api,
        auth,
        cli,
        dashboard,
        errors,
        events,
        followup,
        main,
        outbox,
        registrations,
        security,
        webhooks,
    )

    for feature in (
        auth, admin, main, events, registrations, followup, dashboard, outbox, webhooks,
    ):  # fmt: skip
        feature.init_app(app)
    cli.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    access.init_app(app)
    # Last: its hook that says who calls the API must run before every other.
    api.init_app(app)
    return app


def _template_folder() -> str:
    # The design card keeps templates/ at the top of the repository; an installed wheel
    # carries a copy inside the package instead (see pyproject's package data).
    top_level = PACKAGE_DIR.parent / "templates"
    if top_level.is_dir():
        return str(top_level)
    return str(PACKAGE_DIR / "templates")


def _load_config(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("TALENTDAY")
    else:
        app.config.from_mapping(test_config)

    os.makedirs(app.instance_path, exist_ok=True)
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "talentday.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        # SQLite refuses pool_pre_ping nowhere, but it gains nothing from it either.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]

    development = app.debug or app.testing
    secret = app.config.get("SECRET_KEY")
    if not development and (not secret or secret == INSECURE_SECRET_KEY):
        raise ConfigurationError(
            "TalentDay refuses to start without a secret key: set TALENTDAY_SECRET_KEY "
            "or SECRET_KEY in instance/config.py to a long random string."
        )
    _load_public_address(app, development)
    _load_default_locale(app)


def _load_default_locale(app: Flask) -> None:
    from talentday.i18n import supported

    wanted = app.config.get("DEFAULT_LOCALE")
    locale = supported(wanted)
    if locale is None:
        raise ConfigurationError(
            f"DEFAULT_LOCALE must be en or zh_Hans (the languages TalentDay speaks), not {wanted!r}"
        )
    app.config["BABEL_DEFAULT_LOCALE"] = locale


def _load_public_address(app: Flask, development: bool) -> None:
    """Links in emails and files come from PUBLIC_BASE_URL, never from a request's Host
    header (which anyone can set), and requests for any other host are refused."""
    base = app.config.get("PUBLIC_BASE_URL")
    configured = bool(base)
    if not configured:
        if not development:
            raise ConfigurationError(
                "TalentDay refuses to start without its public address, which the links in "
                "its emails use: set TALENTDAY_PUBLIC_BASE_URL or PUBLIC_BASE_URL in "
                "instance/config.py, for example https://talentday.example.gov.cn"
            )
        base = DEVELOPMENT_BASE_URL
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ConfigurationError(
            f"PUBLIC_BASE_URL must be an http or https address such as "
            f"https://talentday.example.gov.cn, not {base!r}"
        )
    app.config["PUBLIC_BASE_URL"] = base.rstrip("/")
    if configured and app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = [parts.hostname]
    if parts.scheme == "https":
        # Served over HTTPS, the cookies must never travel over plain HTTP.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def _init_proxy(app: Flask) -> None:
    """Behind nginx every request comes from the proxy's address: with PROXY_COUNT set, the
    client's own address (for the rate limits and the audit log) and scheme are read from
    the headers that many proxies add, and never from more."""
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def _init_routing(app: Flask) -> None:
    from talentday.navigation import IdConverter, public_url, url_with_query

    # Before any blueprint adds its routes, so that every <int:...> is bounded.
    app.url_map.converters["int"] = IdConverter
    app.jinja_env.globals["url_with_query"] = url_with_query
    app.jinja_env.globals["public_url"] = public_url
    app.after_request(_close_unsent_file)
    # Before CSRFProtect reads the form (registered in _init_extensions, after this).
    app.before_request(_allow_attachments)


def _allow_attachments() -> None:
    """The forms that carry attached files take their size, and no other form does."""
    if (request.endpoint, (request.view_args or {}).get("action")) in ATTACHMENT_FORMS:
        config = current_app.config
        files = config["ATTACHMENT_MAX_BYTES"] * config["ATTACHMENT_MAX_FILES"]
        request.max_content_length = max(config["MAX_CONTENT_LENGTH"] or 0, files + 1024 * 1024)


# The forms that may carry attachments: progress notes and results on the item page.
ATTACHMENT_FORMS = frozenset({("followup.act", "progress"), ("followup.act", "result")})


def _close_unsent_file(response):
    """A static file answered "not modified" (304) is opened and never sent, and Werkzeug
    closes it only when a body is read: closed here, not left open until the garbage
    collector finds it (a ResourceWarning that failed a browser test at random)."""
    if response.status_code == 304 and response.direct_passthrough:
        response.close()
    return response


def _init_extensions(app: Flask) -> None:
    from talentday import fixed_cost, i18n, storage, templating
    from talentday.extensions import bootstrap, csrf, db, limiter, login_manager, migrate

    fixed_cost.init_app(app)
    storage.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    fixed_cost.skip_limits_of_bare_requests(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)

    # Every model module must be imported for Alembic and relationships to see all tables.
    from talentday import models  # noqa: F401
