"""Finding 12: throttling that an attacker cannot turn against the account's owner, counts
shared between workers, and every failed sign-in on record."""

import logging
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from talentday.audit.models import AuditEntry
from talentday.auth import throttle
from talentday.extensions import db
from talentday.gunicorn_conf import post_worker_init
from tests.conftest import sign_in

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def pauses(monkeypatch):
    """The delays the sign-in asked for, recorded instead of slept."""
    asked = []
    monkeypatch.setattr(throttle, "pause", asked.append)
    return asked


def test_hammering_one_account_slows_it_but_never_keeps_its_owner_out(app, make_user, pauses):
    user = make_user()
    for attempt in range(20):
        attacker = app.test_client()
        env = {"REMOTE_ADDR": f"10.0.{attempt}.1"}
        assert sign_in(attacker, user.email, "guess", environ_base=env).status_code == 200
    owner = app.test_client()
    response = sign_in(owner, user.email, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 302, "the owner signs in despite the attack"
    assert owner.get("/home").status_code == 200
    assert pauses[:5] == [0, 0, 0, 0, 0], "the first few failures cost nothing"
    assert pauses[5] > 0 and pauses == sorted(pauses), "then each attempt waits longer"
    assert max(pauses) == app.config["SIGN_IN_MAX_DELAY_SECONDS"], "but never beyond the cap"


def test_a_successful_sign_in_clears_the_accounts_delay(app, make_user, pauses):
    user = make_user()
    for attempt in range(8):
        env = {"REMOTE_ADDR": f"10.1.{attempt}.1"}
        sign_in(app.test_client(), user.email, "guess", environ_base=env)
    sign_in(app.test_client(), user.email, environ_base={"REMOTE_ADDR": "192.0.2.8"})
    pauses.clear()
    sign_in(app.test_client(), user.email, environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert pauses == [0]


def test_the_delay_grows_and_is_capped():
    delays = [throttle.sign_in_delay(failures, free=5, cap=3.0) for failures in range(12)]
    assert delays[:6] == [0, 0, 0, 0, 0, 0.5]
    assert delays[6:9] == [1.0, 2.0, 3.0]
    assert set(delays[9:]) == {3.0}


def test_the_per_address_limit_stays_a_hard_limit(client, make_user, pauses):
    user = make_user()
    for _attempt in range(5):
        assert sign_in(client, user.email, "guess").status_code == 200
    assert sign_in(client, user.email).status_code == 429


def test_failed_sign_ins_are_logged_and_audited_without_the_password(
    app, client, make_user, caplog, pauses
):
    user = make_user()
    secret_guess = "Guess-Hunter2-Secret"
    with caplog.at_level(logging.WARNING, logger="talentday.auth"):
        sign_in(client, user.email.upper(), secret_guess, environ_base={"REMOTE_ADDR": "10.9.8.7"})
        sign_in(
            client, "nobody@example.com", secret_guess, environ_base={"REMOTE_ADDR": "10.9.8.7"}
        )
    logged = [record.getMessage() for record in caplog.records]
    assert any(user.email in line and "10.9.8.7" in line for line in logged), logged
    assert any("nobody@example.com" in line for line in logged), logged
    assert all(secret_guess not in line for line in logged)
    with app.app_context():
        entries = db.session.scalars(
            db.select(AuditEntry)
            .where(AuditEntry.action == "sign_in_failed")
            .order_by(AuditEntry.id)
        ).all()
        assert [entry.details["account"] for entry in entries] == [
            user.email,
            "nobody@example.com",
        ]
        assert {entry.remote_addr for entry in entries} == {"10.9.8.7"}
        assert entries[0].target_id == user.id and entries[0].actor_id is None
        assert all(entry.at is not None for entry in entries)
        assert secret_guess not in repr([entry.details for entry in entries])


def _worker(app, workers, age=1):
    return SimpleNamespace(age=age, cfg=SimpleNamespace(workers=workers), wsgi=app)


def test_gunicorn_warns_once_when_several_workers_count_in_memory(app, caplog):
    with caplog.at_level(logging.WARNING):
        for age in (1, 2, 3, 4):
            post_worker_init(_worker(app, workers=4, age=age))
    warnings = [r for r in caplog.records if "RATELIMIT_STORAGE_URI" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING


def test_the_warning_goes_to_gunicorns_own_log(app):
    said = []
    worker = _worker(app, workers=2)
    worker.log = SimpleNamespace(warning=said.append)
    post_worker_init(worker)
    assert len(said) == 1 and "redis://" in said[0]
    # Every limit counts in the same storage: the API's 300 a minute became 600 with two.
    for limit in ("API", "registration", "password reset", "link"):
        assert limit in said[0], limit


@pytest.mark.parametrize(
    ("workers", "storage"), [(1, "memory://"), (4, "redis://redis.internal:6379/0")]
)
def test_gunicorn_is_quiet_with_one_worker_or_shared_storage(app, caplog, workers, storage):
    app.config["RATELIMIT_STORAGE_URI"] = storage
    with caplog.at_level(logging.WARNING):
        post_worker_init(_worker(app, workers=workers))
    assert not [r for r in caplog.records if "RATELIMIT_STORAGE_URI" in r.getMessage()]


def test_refused_sign_ins_are_logged_too(client, make_user, caplog, pauses):
    user = make_user()
    for _attempt in range(5):
        sign_in(client, user.email, "guess", environ_base={"REMOTE_ADDR": "10.7.7.7"})
    with caplog.at_level(logging.WARNING, logger="talentday.auth"):
        response = sign_in(client, user.email, "guess", environ_base={"REMOTE_ADDR": "10.7.7.7"})
    assert response.status_code == 429
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 1 and "10.7.7.7" in refused[0] and user.email in refused[0]


def test_with_rate_limiting_turned_off_people_still_sign_in(tmp_path):
    """Found taking the README's screenshots: an app made with RATELIMIT_ENABLED = False
    (behind a gateway that limits, say) answered every sign-in with a 500, since the account
    throttle asked Flask-Limiter for a storage it never set up. Turned off, it waits for
    nothing and counts nothing. In a process of its own: an app made earlier in this one
    leaves its storage on the shared limiter and hides the fault."""
    script = f"""
from flask_migrate import upgrade
from talentday import create_app
from talentday.auth.models import Role
from talentday.auth.services import create_user
from talentday.extensions import db
from tests.conftest import PASSWORD, app_config, csrf_token

app = create_app(app_config("sqlite:///{tmp_path}/off.sqlite3", RATELIMIT_ENABLED=False))
with app.app_context():
    upgrade()
    create_user(email="off@example.com", name="Off", password=PASSWORD, role=Role.ORGANIZER)
    db.session.commit()
client = app.test_client()
for password in ("wrong password", PASSWORD):
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in", data={{"csrf_token": token, "email": "off@example.com", "password": password}}
    )
    print(response.status_code)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.stdout.split() == ["200", "302"], result.stderr[-2000:]
