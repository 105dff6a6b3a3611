"""Scenarios from outside: a fault in the middle of a request, and mixed load from a few dozen
clients against two gunicorn servers of two worker processes each, on one database, on each
database (issue 8, "proofs")."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.followup.models import FollowUpItem, TimelineEntry
from talentday.outbox.models import OutboxMessage
from talentday.registrations.models import Registration, RegistrationState, Speaker
from tests import factories
from tests.conftest import PASSWORD, submit
from tests.test_registration_pages import GOOD, register_url


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Speaker, Registration, FollowUpItem, TimelineEntry, OutboxMessage)
        }


@pytest.fixture
def failing_outbox():
    """Every write of an outbox message fails, as a full disk or a lost connection would."""

    def fail(mapper, connection, target):
        raise RuntimeError("injected fault: the outbox write failed")

    sa.event.listen(OutboxMessage, "before_insert", fail)
    yield
    sa.event.remove(OutboxMessage, "before_insert", fail)


def test_a_fault_mid_registration_leaves_no_half_written_rows(
    app, client, event_id, failing_outbox
):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # the error page, as in production
    with app.app_context():
        category_id = db.session.scalar(sa.select(sa.func.min(factories.Category.id)))
    before = _counts(app)
    response = submit(
        client,
        register_url(event_id),
        {
            **GOOD,
            "suggestions-0-category": str(category_id),
            "suggestions-0-content": "Open talent apartments near the zone.",
        },
    )
    assert response.status_code == 500
    assert _counts(app) == before, "neither speaker, registration, item nor timeline stayed"


def test_a_fault_mid_assignment_leaves_the_item_as_it_was(app, make_user, failing_outbox):
    from talentday.followup.models import ItemState
    from tests.conftest import sign_in

    app.config["PROPAGATE_EXCEPTIONS"] = False
    organizer = app.test_client()
    sign_in(organizer, make_user(Role.ORGANIZER).email)
    staff = make_user(Role.DEPARTMENT_STAFF)
    with app.app_context():
        item = factories.item()
        db.session.commit()
        item_id, version = item.id, item.version
    before = _counts(app)
    response = submit(
        organizer,
        f"/followup/items/{item_id}/assign",
        {
            "assign-version": str(version),
            "assign-lead_unit_id": str(staff.unit_id),
            "assign-due_on": (datetime.now(UTC) + timedelta(days=20)).date().isoformat(),
            "assign-instructions": "Please answer within the month.",
        },
        form_url=f"/followup/items/{item_id}",
    )
    assert response.status_code == 500
    assert _counts(app) == before
    with app.app_context():
        item = db.session.get(FollowUpItem, item_id)
        assert item.state is ItemState.NEW and item.lead_unit_id is None


# --- load through gunicorn ---------------------------------------------------------------

# A minute on PostgreSQL, the production database; a shorter run on SQLite, for a single
# office's server. TALENTDAY_LOAD_SECONDS sets both.
LOAD_SECONDS = {"postgresql": 60.0, "sqlite": 15.0}


def load_seconds(backend: str) -> float:
    return float(os.environ.get("TALENTDAY_LOAD_SECONDS") or LOAD_SECONDS[backend])


CLIENTS = 24
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(database_url: str, folder: Path):
    """The application under its own gunicorn (two worker processes) on the test database;
    the address it serves on."""
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TALENTDAY_")},
        "TALENTDAY_INSTANCE_PATH": str(folder),
        "TALENTDAY_SECRET_KEY": "load-test-" + "x" * 32,
        "TALENTDAY_DATABASE_URL": database_url,
        "TALENTDAY_PUBLIC_BASE_URL": base,
        "TALENTDAY_REGISTRATION_LIMITS": "100000 per hour",
        "TALENTDAY_PRIVATE_LINK_LIMITS": "100000 per hour",
    }
    log = (folder / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning", "--access-logfile", str(folder / "access.log"),
            "talentday:create_app()",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        # A patient wait for start-up (not a measure of speed): on a shared, busy machine
        # importing the app in two workers took more than the 10 s this once allowed.
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    log.flush()
                    pytest.fail("gunicorn did not start: " + (folder / "gunicorn.log").read_text())
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def gunicorn(app, database_url, tmp_path):
    """One gunicorn with two worker processes; its access log is tmp_path/access.log."""
    with serving(database_url, tmp_path) as base:
        yield base


@pytest.fixture
def two_gunicorns(app, database_url, tmp_path):
    """Two gunicorn masters, each with two workers, on one database: two app servers behind
    a load balancer, as docs/deploy.md runs a province."""
    with (
        serving(database_url, tmp_path / "app1") as first,
        serving(database_url, tmp_path / "app2") as second,
    ):
        yield [first, second]


def test_mixed_load_gives_no_server_error_and_a_row_per_success(app, two_gunicorns, backend):
    seconds = load_seconds(backend)
    with app.app_context():
        now = datetime.now(UTC)
        event = factories.event(
            state=EventState.PUBLISHED,
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=3),
            speaking_slots=500,
        )
        category_id = factories.category().id
        db.session.commit()
        event_id = event.id
    statuses: Counter = Counter()
    registered: list[str] = []
    registered_on: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def visitor(number: int):
        # Half the clients on each server: a session begun on one stays there, as with
        # nginx's ip_hash; both servers write to the same database at once.
        server = two_gunicorns[number % 2]
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())

        def request(path, data=None):
            body = urllib.parse.urlencode(data).encode() if data is not None else None
            try:
                with opener.open(server + path, body, timeout=30) as response:
                    status, text = response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                status, text = error.code, ""
            with lock:
                statuses[status] += 1
            return status, text

        serial = 0
        while time.monotonic() < deadline:
            serial += 1
            request("/")
            request(f"/events/{event_id}")
            if number % 3 == 0:
                request(f"/events/{event_id}/programme")
                request(f"/events/{event_id}/calendar.ics")
                continue
            status, page = request(register_url(event_id))
            match = CSRF.search(page)
            if status != 200 or not match:
                continue
            email = f"load-{number}-{serial}@example.com"
            status, _ = request(
                register_url(event_id),
                {
                    **GOOD,
                    "email": email,
                    "csrf_token": match.group(1),
                    "suggestions-0-category": str(category_id),
                    "suggestions-0-content": f"Suggestion from {email}",
                },
            )
            if status == 302:
                with lock:
                    registered.append(email)
                    registered_on[server] += 1

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    assert not any(thread.is_alive() for thread in threads)

    server_errors = {status: n for status, n in statuses.items() if status >= 500}
    assert server_errors == {}, statuses
    assert registered, statuses
    assert set(registered_on) == set(two_gunicorns), "both servers took registrations"
    with app.app_context():
        emails = set(db.session.scalars(sa.select(Speaker.email)))
        assert emails == set(registered), "a row for every success, none for anything else"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == len(
            registered
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpItem)) == len(
            registered
        )
        states = set(db.session.scalars(sa.select(Registration.state)))
        assert states == {RegistrationState.SUBMITTED}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == len(
            registered
        )
    print(
        f"\nload: {sum(statuses.values())} requests, {dict(statuses)}, "
        f"{len(registered)} registrations ({' + '.join(map(str, registered_on.values()))} "
        f"on the two servers) in {seconds:.0f} s"
    )


def test_twenty_organizers_approving_at_once_never_pass_the_last_place(app, gunicorn, make_user):
    organizer = make_user(Role.ORGANIZER)
    with app.app_context():
        now = datetime.now(UTC)
        event = factories.event(
            state=EventState.PUBLISHED,
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=3),
            speaking_slots=3,
        )
        factories.registration(event=event, state=RegistrationState.APPROVED)
        factories.registration(event=event, state=RegistrationState.APPROVED)
        ids = [
            factories.registration(event=event, state=RegistrationState.SUBMITTED).id
            for _ in range(20)
        ]
        db.session.commit()
        event_id = event.id

    def signed_in_opener():
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        page = opener.open(f"{gunicorn}/sign-in", timeout=30).read().decode()
        data = {"csrf_token": CSRF.search(page).group(1), "email": organizer.email}
        data["password"] = PASSWORD
        try:
            opener.open(f"{gunicorn}/sign-in", urllib.parse.urlencode(data).encode(), timeout=30)
        except urllib.error.HTTPError as error:
            assert error.code == 302, error.code
        return opener

    review = f"{gunicorn}/manage/events/{event_id}/registrations"
    # Twenty organizers, each signed in on their own device, each approving one speaker.
    openers = [signed_in_opener() for _ in ids]
    tokens = [CSRF.search(o.open(review, timeout=30).read().decode()).group(1) for o in openers]
    barrier = threading.Barrier(len(ids))
    statuses: list[int] = []

    def approve(opener, token, registration_id):
        body = urllib.parse.urlencode(
            {"csrf_token": token, "action": "approved", "registration": registration_id}
        ).encode()
        barrier.wait(timeout=60)
        try:
            opener.open(review, body, timeout=60)
            statuses.append(200)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [
        threading.Thread(target=approve, args=job) for job in zip(openers, tokens, ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [302] * len(ids), statuses
    with app.app_context():
        states = db.session.scalars(
            sa.select(Registration.state).where(Registration.event_id == event_id)
        ).all()
        assert states.count(RegistrationState.APPROVED) == 3, "the last place went once"


def test_the_access_log_keeps_no_private_link(app, gunicorn, event_id, tmp_path):
    with app.app_context():
        from talentday.registrations import services

        token = services.issue_token(
            factories.registration(event=db.session.get(factories.Event, event_id))
        )
        db.session.commit()
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        opener.open(f"{gunicorn}/r/{token}", timeout=30)
    except urllib.error.HTTPError as error:
        assert error.code == 302
    log = tmp_path / "access.log"
    for _ in range(50):  # gunicorn writes the line after the response
        if log.exists() and "/r/" in log.read_text():
            break
        time.sleep(0.1)
    text = log.read_text()
    assert "GET /r/[private-link]" in text and token not in text


def test_the_access_log_keeps_no_password_reset_link(app, gunicorn, make_user, tmp_path):
    from talentday.auth import reset
    from talentday.auth.models import User

    user_id = make_user().id
    with app.app_context():
        token = reset.make_token(db.session.get(User, user_id))
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        opener.open(f"{gunicorn}/reset-password/{token}", timeout=30)
    except urllib.error.HTTPError as error:
        assert error.code == 302
    log = tmp_path / "access.log"
    for _ in range(50):  # gunicorn writes the line after the response
        if log.exists() and "/reset-password/" in log.read_text():
            break
        time.sleep(0.1)
    text = log.read_text()
    assert "GET /reset-password/[reset-link]" in text and token not in text
