"""Fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL.

Each backend's schema is built once per run by the Alembic migrations, so the tests run
against exactly what production gets; every test then starts from empty tables.
"""

import os
import re
import shutil
import smtplib
import tempfile
import threading
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.serving import make_server

from talentday import create_app
from talentday.auth.models import Role
from talentday.auth.services import create_user
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.units.models import ResponsibleUnit, UnitKind
from tests import factories

POSTGRES_URL = os.environ.get("TALENTDAY_TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
CHROMIUM = os.environ.get("TALENTDAY_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PASSWORD = "correct horse battery"


def pytest_report_header(config):
    lines = []
    if POSTGRES_URL:
        lines.append(f"databases: SQLite and PostgreSQL ({sa.make_url(POSTGRES_URL).host})")
    else:
        lines.append(
            "databases: SQLite only; PostgreSQL NOT tested (TALENTDAY_TEST_DATABASE_URL unset)"
        )
    lines.append(
        f"browser: {CHROMIUM}"
        if shutil.which(CHROMIUM)
        else f"browser: {CHROMIUM} missing, browser tests will be skipped"
    )
    return lines


def pytest_collection_modifyitems(config, items):
    sqlite_only = pytest.mark.skip(
        reason="reads SQLite's query plans; PostgreSQL plans by its statistics"
    )
    for item in items:
        params = getattr(item, "callspec", None) and item.callspec.params
        if "sqlite_only" in item.keywords and (params or {}).get("backend", "sqlite") != "sqlite":
            item.add_marker(sqlite_only)
    if shutil.which(CHROMIUM):
        return
    if IN_CI:
        raise pytest.UsageError(f"CI must run the browser tests, but {CHROMIUM} is missing")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: install Debian's chromium package")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


ATTACHMENT_FOLDER = tempfile.mkdtemp(prefix="talentday-attachments-")
IMPORT_FOLDERS = tempfile.mkdtemp(prefix="talentday-imports-")


def app_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Hashing strength is not what these tests measure; scrypt would triple their time.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # The test client asks for http://localhost/; links in messages use the same address.
        "PUBLIC_BASE_URL": "http://localhost",
        "TRUSTED_HOSTS": ["localhost", "127.0.0.1"],
        # Attached files go to a folder of this test run, never to the checkout's instance/.
        "ATTACHMENT_FOLDER": ATTACHMENT_FOLDER,
        # Uploads waiting for confirmation: a folder of each app's own, so that one test's
        # stale upload is not another's (tests count and delete them).
        "IMPORT_FOLDER": tempfile.mkdtemp(dir=IMPORT_FOLDERS),
        # schemathesis calls the API a few thousand times a minute; tests/test_api.py lowers it.
        "API_LIMITS": "100000 per minute",
    }
    config.update(overrides)
    return config


@contextmanager
def fresh_database(backend: str, directory: Path):
    """An empty database of the backend, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'{uuid.uuid4().hex}.sqlite3'}"
        return
    name = f"talentday_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin_engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin_engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def migrate_to_head(url: str) -> None:
    app = create_app(app_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


# For tests that read what pages say and how they lay out on a screen (the walks through
# every page in Chinese and on a phone): the database under a page changes nothing there,
# and each walk takes minutes, so they run on SQLite alone. Everything a database decides
# is tested on both.
ON_SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True, scope="session")


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    with fresh_database(backend, tmp_path_factory.mktemp("db")) as url:
        migrate_to_head(url)
        yield url


def empty_all_tables() -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        # An item merged into another refers to it with ON DELETE RESTRICT, which SQLite
        # checks row by row: undo the merges before emptying the table.
        followup_item = db.metadata.tables["followup_item"]
        db.session.execute(followup_item.update().values(merged_into_id=None))
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


class ReadingClient(FlaskClient):
    """A test client that reads every response whole and closes it, as a browser does.

    A streamed response (a CSV export) keeps its request context open until its body has
    been read: one a test never read would still hold it when the next request starts.
    `buffered=False` gets the stream itself, for a test that reads it (and closes it).

    werkzeug writes a multipart body over 500 KB to a temporary file it never closes; left to
    the garbage collector, its ResourceWarning fails whatever test is running then. Once a
    buffered response is read, the request's body is closed here."""

    def open(self, *args, buffered=True, **kwargs):
        response = super().open(*args, buffered=buffered, **kwargs)
        if buffered:
            body = response.request.environ.get("wsgi.input")
            if body is not None:
                body.close()
        return response


@pytest.fixture
def app(database_url):
    app = create_app(app_config(database_url))
    app.test_client_class = ReadingClient
    yield app
    with app.app_context():
        db.session.rollback()
        empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    """For service and model tests: an application context around the whole test."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories -----------------------------------------------------------------------


@pytest.fixture
def make_unit(app):
    counter = iter(range(1, 10_000))

    def make(**overrides) -> ResponsibleUnit:
        with app.app_context():
            values = {"name": f"Test Bureau {next(counter)}", "kind": UnitKind.MUNICIPAL_DEPARTMENT}
            values.update(overrides)
            unit = ResponsibleUnit(**values)
            db.session.add(unit)
            db.session.commit()
            db.session.refresh(unit)
            db.session.expunge(unit)
            return unit

    return make


@pytest.fixture
def make_user(app, make_unit):
    """Create an account and return a detached copy; the password is PASSWORD."""
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.ORGANIZER, **overrides):
        with app.app_context():
            unit_id = overrides.pop("unit_id", None)
            if role is Role.DEPARTMENT_STAFF and unit_id is None:
                unit_id = make_unit().id
            values = {
                "email": f"user{next(counter)}@example.com",
                "name": f"Test {role.value}",
                "password": PASSWORD,
                "role": role,
                "unit": db.session.get(ResponsibleUnit, unit_id) if unit_id else None,
            }
            active = overrides.pop("active", True)
            values.update(overrides)
            user = create_user(**values)
            user.active = active
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


# --- shared fixtures ------------------------------------------------------------------


class FakeSMTP:
    """Stands in for smtplib.SMTP: records what would have been sent."""

    sent: list = []
    fail_for: set = set()
    refuse_connection = False

    def __init__(self, host, port, timeout=None):
        if FakeSMTP.refuse_connection:
            raise ConnectionRefusedError("connection refused")
        self.host, self.port = host, port

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        if message["To"].endswith(tuple(FakeSMTP.fail_for)):
            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no such user")})
        FakeSMTP.sent.append(message)

    def quit(self):
        pass


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.fail_for, FakeSMTP.refuse_connection = [], set(), False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.com", MAIL_SENDER="TalentDay <td@example.com>")
    return FakeSMTP


@pytest.fixture
def event_id(app):
    """A published salon open for registration, two speaking slots, one category."""
    with app.app_context():
        now = datetime.now(UTC)
        event = factories.event(
            state=EventState.PUBLISHED,
            title="25th Talent Salon",
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=3),
            registration_closes_at=now + timedelta(days=20),
            speaking_slots=2,
        )
        factories.category(name="Talent apartments", code="talent-apartments")
        db.session.commit()
        return event.id


@contextmanager
def statements(app):
    """The SQL statements the application runs inside the block, as a list of their texts."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


# --- page helpers --------------------------------------------------------------------

CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    match = CSRF_PATTERN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token in the form at {url}"
    return match.group(1)


def submit(client, url: str, data: dict, *, form_url: str | None = None, **kwargs):
    """Post a form the way a browser does: read the page first to get its CSRF token."""
    payload = {"csrf_token": csrf_token(client, form_url or url), **data}
    return client.post(url, data=payload, **kwargs)


def open_private_link(client, link: str) -> str:
    """Open a speaker's private link as from their email: the link puts the registration on
    the client's session, and its pages are then at the address returned."""
    response = client.get(link)
    assert response.status_code == 302, f"{link} answered {response.status_code}"
    return response.headers["Location"]


def sign_in(client, email: str, password: str = PASSWORD, **kwargs):
    return submit(client, "/sign-in", {"email": email, "password": password}, **kwargs)


# --- browser -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a downloaded browser; without the networking flags it tries
    # to reach the internet and stalls on this closed network.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def live_server(database_url):
    """The application served over HTTP on a free local port, sharing the test database."""
    # No cached figures or pages: the tests change the database between pages from another
    # app, and emptying the tables between tests is not a change the caches hear of.
    app = create_app(
        app_config(database_url, FIGURES_CACHE_SECONDS=0, VISITOR_PAGE_CACHE_SECONDS=0)
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # The links in the messages it queues lead back to this server.
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()
