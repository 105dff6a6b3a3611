"""Many people at once: the last speaking slots and double submissions, on each database."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.outbox.models import OutboxMessage
from talentday.registrations import services
from talentday.registrations.models import Registration, RegistrationState, Speaker, TalentTeam
from tests import factories
from tests.conftest import csrf_token

WORKERS = 8


def run_together(app, jobs):
    """Start every job at the same moment, each in its own thread and database session."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index, job):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[index] = job()
            except Exception as error:  # reported to the test, which decides
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results


@pytest.fixture
def open_event_id(app):
    with app.app_context():
        now = datetime.now(UTC)
        event = factories.event(
            state=EventState.PUBLISHED,
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=3),
            speaking_slots=3,
        )
        db.session.commit()
        return event.id


def test_simultaneous_approvals_never_pass_the_slots(app, make_user, open_event_id):
    organizer_id = make_user(Role.ORGANIZER).id
    with app.app_context():
        event = db.session.get(factories.Event, open_event_id)
        ids = [
            factories.registration(event=event, state=RegistrationState.SUBMITTED).id
            for _ in range(WORKERS)
        ]
        db.session.commit()

    def approve(registration_id):
        def job():
            registration = db.session.get(Registration, registration_id)
            organizer = db.session.get(User, organizer_id)
            try:
                services.decide(registration, RegistrationState.APPROVED, by=organizer)
            except services.CapacityError:
                db.session.rollback()
                return "full"
            db.session.commit()
            return "approved"

        return job

    results = run_together(app, [approve(i) for i in ids])
    assert all(result in ("approved", "full") for result in results), results
    assert results.count("approved") == 3
    with app.app_context():
        states = db.session.scalars(
            sa.select(Registration.state).where(Registration.event_id == open_event_id)
        ).all()
        assert states.count(RegistrationState.APPROVED) == 3
        assert states.count(RegistrationState.SUBMITTED) == WORKERS - 3


def _form(email: str, token: str) -> dict:
    return {
        "csrf_token": token,
        "name": "Zhang Dabing",
        "email": email,
        "phone": "13800000000",
        "organization": "Jiangsu Hanbang Technology Co., Ltd.",
        "position": "Chairman",
        "talent_team": TalentTeam.ENTERPRISE.value,
        "topic": "Keeping young engineers",
        "consent": "y",
    }


def test_simultaneous_identical_submissions_make_one_registration(app, open_event_id):
    url = f"/events/{open_event_id}/register"
    clients = [app.test_client() for _ in range(WORKERS)]
    tokens = [csrf_token(client, url) for client in clients]

    def post(client, token):
        return lambda: client.post(url, data=_form("zhang@example.com", token)).status_code

    results = run_together(app, [post(c, t) for c, t in zip(clients, tokens, strict=True)])
    assert results == [302] * WORKERS, results
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Speaker)) == 1
        kinds = db.session.scalars(sa.select(OutboxMessage.kind)).all()
        assert kinds == ["received"], "one message, not one per post"


def test_simultaneous_different_speakers_are_all_kept(app, open_event_id):
    url = f"/events/{open_event_id}/register"
    clients = [app.test_client() for _ in range(WORKERS)]
    tokens = [csrf_token(client, url) for client in clients]

    def post(number, client, token):
        return lambda: client.post(url, data=_form(f"s{number}@example.com", token)).status_code

    jobs = [post(n, c, t) for n, (c, t) in enumerate(zip(clients, tokens, strict=True))]
    assert run_together(app, jobs) == [302] * WORKERS
    with app.app_context():
        emails = db.session.scalars(sa.select(Speaker.email)).all()
        assert sorted(emails) == sorted(f"s{n}@example.com" for n in range(WORKERS))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == WORKERS


@pytest.mark.parametrize(
    ("url", "kind"),
    [("/send-my-link", "link_resent"), ("/forgot-password", "password_reset")],
)
def test_simultaneous_requests_for_a_link_queue_one_message(
    app, make_user, open_event_id, url, kind
):
    """Issue 10: "Send me my link again" and "Forgot your password?" posted at once for one
    address take turns on the speaker's or the account's row: one message, not one each."""
    app.config.update(
        LINK_REQUEST_LIMITS="1000 per minute", PASSWORD_RESET_LIMITS="1000 per minute"
    )
    make_user(email="zhang@example.com")
    with app.app_context():
        speaker = factories.speaker(email="zhang@example.com")
        registration = factories.registration(
            event=db.session.get(factories.Event, open_event_id),
            speaker=speaker,
            state=RegistrationState.APPROVED,
        )
        services.issue_token(registration)
        db.session.commit()
    clients = [app.test_client() for _ in range(WORKERS)]
    tokens = [csrf_token(client, url) for client in clients]

    def post(client, token):
        data = {"csrf_token": token, "email": "zhang@example.com"}
        return lambda: client.post(url, data=data).status_code

    results = run_together(app, [post(c, t) for c, t in zip(clients, tokens, strict=True)])
    assert results == [302] * WORKERS, results
    with app.app_context():
        kinds = db.session.scalars(sa.select(OutboxMessage.kind)).all()
        assert kinds == [kind], "one message, not one per post"
