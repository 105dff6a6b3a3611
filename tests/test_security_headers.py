"""Security headers on every response: pages, private links, errors, downloads, static files."""

import pytest

from talentday import create_app
from talentday.access import ROUTES, Audience
from talentday.auth.models import Role
from talentday.extensions import db
from talentday.registrations.services import issue_token
from tests import factories
from tests.conftest import app_config, sign_in


def directives(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    parts = (part.strip().split(None, 1) for part in policy.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_protected(response) -> None:
    """The headers every response carries, whatever it is."""
    policy = directives(response)
    assert "'unsafe-inline'" not in policy.get("script-src", "'unsafe-inline'")
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["default-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.fixture
def other_app(database_url):
    """An application with other settings, its connections closed afterwards."""
    apps = []

    def build(**overrides):
        apps.append(create_app(app_config(database_url, **overrides)))
        return apps[-1]

    yield build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def private_link(app):
    with app.app_context():
        registration = factories.registration()
        token = issue_token(registration)
        db.session.commit()
        return f"/r/{token}", registration.event_id


def test_public_pages_carry_the_policy_and_a_cross_origin_referrer_only(client, private_link):
    _link, event_id = private_link
    for url in ("/", f"/events/{event_id}", "/sign-in", f"/events/{event_id}/calendar.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_protected(response)
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in response.headers, "plain HTTP"


def test_private_link_pages_send_no_referrer_and_are_never_stored(client, private_link):
    link, _event_id = private_link
    for url in (link, "/r/not-a-real-token"):
        response = client.get(url)
        assert_protected(response)
        # The token would otherwise leave in the Referer of every link and asset request.
        assert response.headers["Referrer-Policy"] == "no-referrer", url
        assert "no-store" in response.headers["Cache-Control"], url


def test_everything_but_static_files_is_never_stored(app, client, make_user, private_link):
    _link, event_id = private_link
    organizer = app.test_client()
    sign_in(organizer, make_user(Role.ORGANIZER).email)
    for who, url in (
        (organizer, "/home"),
        (organizer, f"/manage/events/{event_id}/registrations.xlsx"),
        (organizer, f"/manage/events/{event_id}/registrations.csv"),
        (organizer, "/followup/ledger.xlsx"),
        (client, f"/events/{event_id}"),
    ):
        response = who.get(url)
        assert response.status_code == 200, url
        assert_protected(response)
        assert "no-store" in response.headers["Cache-Control"], url
    for url in ("/static/css/talentday.css", "/bootstrap/static/js/bootstrap.min.js"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" not in response.headers.get("Cache-Control", ""), url
        response.close()


def test_error_pages_carry_the_headers(client, other_app, monkeypatch):
    monkeypatch.setitem(ROUTES, "boom", Audience.EVERYONE)
    assert_protected(client.get("/no-such-page"))
    assert "no-store" in client.get("/no-such-page").headers["Cache-Control"]
    app = other_app(TESTING=False, SECRET_KEY="a-real-secret")

    @app.get("/boom")
    def boom():
        raise RuntimeError("broken")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert_protected(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_hsts_over_https_and_when_configured(app, other_app):
    response = app.test_client().get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers
    # Behind a proxy that ends TLS, the application sees plain HTTP: a setting says so.
    behind_proxy = other_app(HSTS_ALWAYS=True)
    assert "Strict-Transport-Security" in behind_proxy.test_client().get("/").headers


def test_no_page_carries_an_inline_script_or_handler(app, make_user, private_link):
    """The policy forbids them: a print button wired by onclick would simply not work."""
    link, event_id = private_link
    organizer = app.test_client()
    sign_in(organizer, make_user(Role.ORGANIZER).email)
    leader = app.test_client()
    sign_in(leader, make_user(Role.LEADER).email)
    for who, url in (
        (app.test_client(), f"/events/{event_id}/programme"),
        (app.test_client(), link),
        (leader, "/dashboard/report"),
        (organizer, f"/manage/events/{event_id}/programme"),
    ):
        page = who.get(url).get_data(as_text=True)
        assert " onclick=" not in page and " style=" not in page, url
        assert "<script>" not in page, url
    printable = app.test_client().get(f"/events/{event_id}/programme").get_data(as_text=True)
    assert "data-print" in printable and "/static/js/talentday.js" in printable


def test_a_file_answered_not_modified_is_closed_at_once(app):
    """A browser revalidating talentday.js got a 304, and the file Flask had opened stayed
    open until the garbage collector warned about it, failing whichever test it interrupted.
    Asked as a server asks (the suite's own client reads and closes every response)."""
    import gc
    import warnings

    from flask.testing import FlaskClient

    client = FlaskClient(app)
    first = client.get("/static/js/talentday.js")
    etag = first.headers["ETag"]
    first.close()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        response = client.get("/static/js/talentday.js", headers={"If-None-Match": etag})
        assert response.status_code == 304
        del response
        gc.collect()
    assert not [w for w in seen if issubclass(w.category, ResourceWarning)]
