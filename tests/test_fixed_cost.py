"""What every request pays for is paid only where needed: the health check and static
files load no account and no session, and a visitor without a cookie costs no lookup."""

from talentday.auth.models import Role
from talentday.extensions import db
from tests.conftest import sign_in, statements


def test_the_health_check_of_a_signed_in_browser_loads_no_account(app, make_user):
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANIZER).email)
    with statements(app) as seen:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert [sql.strip().upper() for sql in seen] == ["SELECT 1"]
    assert "Set-Cookie" not in response.headers
    # The same browser's next page still finds it signed in.
    assert client.get("/home").status_code == 200


def test_static_files_load_no_account(app, make_user):
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANIZER).email)
    with statements(app) as seen:
        response = client.get("/static/css/talentday.css")
    assert response.status_code == 200 and seen == []


def test_a_visitor_without_a_cookie_costs_no_session_lookup(app, client):
    with statements(app) as seen:
        response = client.get("/sign-in")
    assert response.status_code == 200
    assert not [sql for sql in seen if "user_session" in sql or "user_account" in sql]


def test_a_tampered_session_cookie_is_an_empty_session(app, client):
    client.set_cookie("session", "not-a-signed-value")
    response = client.get("/home")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_app_starts_and_answers_with_rate_limiting_switched_off(database_url):
    # Flask-Limiter registers no hooks when disabled; skipping them must not stop the start.
    from talentday import create_app
    from tests.conftest import app_config

    app = create_app(app_config(database_url, RATELIMIT_ENABLED=False))
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    with app.app_context():
        db.engine.dispose()
