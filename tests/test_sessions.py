"""Finding 4: signing out, idling and age end a session, whatever cookie an attacker kept."""

from datetime import timedelta

import pytest

from talentday.auth.models import Role, User, UserSession
from talentday.auth.services import end_all_sessions
from talentday.database import utcnow
from talentday.extensions import db
from tests.conftest import PASSWORD, csrf_token, submit


def sign_in(client, email, remember=False):
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = submit(client, "/sign-in", data)
    assert response.status_code == 302
    return response


def sign_out(client):
    response = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/home")})
    assert response.status_code == 302


def copy_cookie(source, target, name):
    cookie = source.get_cookie(name)
    assert cookie is not None, f"no {name} cookie to copy"
    target.set_cookie(name, cookie.value)


def only_session(app, user_id) -> UserSession:
    with app.app_context():
        return db.session.scalars(
            db.select(UserSession).where(UserSession.user_id == user_id)
        ).one()


def age_session(app, user_id, *, idle=timedelta(0), age=timedelta(0)):
    with app.app_context():
        for record in db.session.scalars(
            db.select(UserSession).where(UserSession.user_id == user_id)
        ):
            record.last_seen_at = utcnow() - idle
            record.created_at = utcnow() - age
        db.session.commit()


def test_a_session_cookie_copied_before_sign_out_is_dead_after_it(app, make_user):
    user = make_user()
    victim, attacker = app.test_client(), app.test_client()
    sign_in(victim, user.email)
    copy_cookie(victim, attacker, "session")
    assert attacker.get("/home").status_code == 200, "the copy works while the session lives"
    sign_out(victim)
    assert attacker.get("/home").status_code == 302
    assert victim.get("/home").status_code == 302


def test_a_remember_me_cookie_copied_before_sign_out_is_dead_after_it(app, make_user):
    user = make_user()
    victim = app.test_client()
    sign_in(victim, user.email, remember=True)
    before = app.test_client()
    copy_cookie(victim, before, "remember_token")
    assert before.get("/home").status_code == 200, "the remember cookie alone signs in"
    after = app.test_client()
    copy_cookie(victim, after, "remember_token")
    sign_out(victim)
    assert after.get("/home").status_code == 302


def test_signing_out_one_device_keeps_the_others_signed_in(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user.email)
    sign_in(phone, user.email)
    sign_out(laptop)
    assert laptop.get("/home").status_code == 302
    assert phone.get("/home").status_code == 200


def test_an_idle_session_sends_to_sign_in_with_a_message_and_the_way_back(app, make_user):
    user = make_user(Role.ADMIN)
    client = app.test_client()
    sign_in(client, user.email)
    age_session(app, user.id, idle=timedelta(hours=1, minutes=50))
    assert client.get("/admin/users").status_code == 200, "under two hours idle is fine"
    age_session(app, user.id, idle=timedelta(hours=2, minutes=1))
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=%2Fadmin%2Fusers")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out after 2 hours without activity" in page
    assert 'value="/admin/users"' in page


def test_the_idle_timeout_is_configurable(app, make_user):
    app.config["SESSION_IDLE_MINUTES"] = 30
    user = make_user()
    client = app.test_client()
    sign_in(client, user.email)
    age_session(app, user.id, idle=timedelta(minutes=31))
    assert client.get("/home").status_code == 302


def test_an_old_session_ends_even_when_in_use(app, make_user):
    user = make_user()
    client = app.test_client()
    sign_in(client, user.email)
    age_session(app, user.id, age=timedelta(hours=11))
    assert client.get("/home").status_code == 200
    age_session(app, user.id, age=timedelta(hours=12, minutes=1))
    assert client.get("/home").status_code == 302


def test_a_remembered_session_outlives_idling_but_not_its_fourteen_days(app, make_user):
    user = make_user()
    client = app.test_client()
    sign_in(client, user.email, remember=True)
    age_session(app, user.id, idle=timedelta(days=3), age=timedelta(days=3))
    assert client.get("/home").status_code == 200
    age_session(app, user.id, age=timedelta(days=14, minutes=1))
    assert client.get("/home").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(app, make_user):
    user = make_user()
    client = app.test_client()
    sign_in(client, user.email)
    age_session(app, user.id, idle=timedelta(seconds=20))
    seen = only_session(app, user.id).last_seen_at
    client.get("/home")
    assert only_session(app, user.id).last_seen_at == seen
    age_session(app, user.id, idle=timedelta(minutes=5))
    client.get("/home")
    assert utcnow() - only_session(app, user.id).last_seen_at < timedelta(minutes=1)


def test_sign_out_ends_the_record_of_this_device_only(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user.email)
    sign_in(phone, user.email)
    sign_out(laptop)
    with app.app_context():
        records = db.session.scalars(db.select(UserSession).where(UserSession.user_id == user.id))
        assert sorted(record.ended_at is None for record in records) == [False, True]


@pytest.mark.parametrize("remember", [False, True])
def test_deactivating_an_account_ends_all_its_sessions(app, make_user, remember):
    user = make_user()
    client = app.test_client()
    sign_in(client, user.email, remember=remember)
    with app.app_context():
        account = db.session.get(User, user.id)
        account.active = False
        end_all_sessions(account)
        db.session.commit()
        assert all(
            record.ended_at is not None
            for record in db.session.scalars(
                db.select(UserSession).where(UserSession.user_id == user.id)
            )
        )
    assert client.get("/home").status_code == 302


def test_signing_in_clears_the_accounts_sessions_too_old_to_live(app, make_user):
    user, other = make_user(), make_user()
    with app.app_context():
        for account in (user, other):
            db.session.add(
                UserSession(
                    user_id=account.id,
                    remember=True,
                    created_at=utcnow() - timedelta(days=40),
                    last_seen_at=utcnow() - timedelta(days=40),
                )
            )
        db.session.commit()
    sign_in(app.test_client(), user.email)
    with app.app_context():
        left = db.session.scalars(db.select(UserSession.user_id)).all()
        assert sorted(left) == sorted([user.id, other.id])


def test_an_inactive_account_is_refused_even_if_its_sessions_were_not_ended(app, make_user):
    user = make_user()
    client = app.test_client()
    sign_in(client, user.email)
    with app.app_context():
        db.session.get(User, user.id).active = False  # e.g. changed straight in the database
        db.session.commit()
    assert client.get("/home").status_code == 302
