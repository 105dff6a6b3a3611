"""A salon's public page is kept a few seconds for visitors who are not signed in (issue 14):
each still gets a working token of their own, their language, and the page as it is now
once this process has changed it."""

from talentday.auth.models import Role, User
from talentday.events.models import Event, EventState
from talentday.extensions import db
from talentday.registrations import services
from talentday.registrations.models import Registration, RegistrationState
from tests import factories
from tests.conftest import CSRF_PATTERN, sign_in, statements


def visit(app, path, language="en"):
    """A first visit: a new browser, no cookies."""
    client = app.test_client()
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200
    return client, response.get_data(as_text=True)


def test_the_second_visitor_is_served_without_a_query_and_with_a_token_of_their_own(app, event_id):
    path = f"/events/{event_id}"
    first_client, first = visit(app, path)
    with statements(app) as seen:
        second_client, second = visit(app, path)
    assert seen == []
    assert "25th Talent Salon" in second
    first_token = CSRF_PATTERN.search(first).group(1)
    second_token = CSRF_PATTERN.search(second).group(1)
    assert first_token != second_token
    assert "csrf-placeholder" not in second
    # The kept page's token works for its visitor, and only for them.
    response = second_client.post(
        "/language", data={"csrf_token": second_token, "locale": "zh_Hans", "next": path}
    )
    assert response.status_code == 302
    assert 'lang="zh-Hans"' in second_client.get(path).get_data(as_text=True)
    refused = first_client.post(
        "/language", data={"csrf_token": second_token, "locale": "zh_Hans", "next": path}
    )
    assert refused.status_code == 400


def test_each_language_gets_its_own_page(app, event_id):
    path = f"/events/{event_id}"
    _client, english = visit(app, path, "en")
    _client, chinese = visit(app, path, "zh-CN,zh;q=0.9")
    _client, english_again = visit(app, path, "en-GB")
    assert "Programme" in english and "Programme" in english_again
    assert "Programme" not in chinese and 'lang="zh-Hans"' in chinese


def test_an_approved_speaker_shows_on_the_next_visit(app, event_id, make_user):
    path = f"/events/{event_id}"
    with app.app_context():
        speaker = factories.speaker(name="Wen Qiaoyun")
        registration = factories.registration(
            event=db.session.get(Event, event_id), speaker=speaker
        )
        registration_id = registration.id
        db.session.commit()
    organizer = make_user(Role.ORGANIZER)
    _client, before = visit(app, path)
    assert "Wen Qiaoyun" not in before
    with app.app_context():
        services.decide(
            db.session.get(Registration, registration_id),
            RegistrationState.APPROVED,
            by=db.session.get(User, organizer.id),
        )
        db.session.commit()
    _client, after = visit(app, path)
    assert "Wen Qiaoyun" in after


def test_a_signed_in_organizer_gets_their_own_page_not_the_visitors(app, event_id, make_user):
    path = f"/events/{event_id}"
    visit(app, path)
    organizer = make_user(Role.ORGANIZER, name="Organizer Lin")
    client = app.test_client()
    sign_in(client, organizer.email)
    page = client.get(path).get_data(as_text=True)
    assert "Organizer Lin" in page
    # ...and the next visitor does not get the organizer's page.
    _client, visitor = visit(app, path)
    assert "Organizer Lin" not in visitor


def test_the_cache_can_be_switched_off(app, event_id):
    app.config["VISITOR_PAGE_CACHE_SECONDS"] = 0
    path = f"/events/{event_id}"
    visit(app, path)
    with statements(app) as seen:
        visit(app, path)
    assert seen


def test_an_unpublished_event_is_gone_for_the_next_visitor(app, event_id):
    path = f"/events/{event_id}"
    visit(app, path)
    with app.app_context():
        db.session.get(Event, event_id).state = EventState.DRAFT
        db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_a_forged_script_root_or_another_spelling_of_the_address_is_never_kept(app, event_id):
    """A review found that one request with SCRIPT_NAME=//evil.example could make the kept
    page's links point elsewhere for every later visitor, and that /events/01, /events/001...
    each made an entry of their own."""
    path = f"/events/{event_id}"
    forged = app.test_client().get(path, environ_overrides={"SCRIPT_NAME": "//evil.example"})
    assert forged.status_code == 200
    _client, page = visit(app, path)
    assert "evil.example" not in page
    with statements(app) as seen:
        assert app.test_client().get(f"/events/0{event_id}").status_code == 200
        assert app.test_client().get(f"/events/0{event_id}").status_code == 200
    assert seen, "a second spelling of the address is rendered, not kept"
