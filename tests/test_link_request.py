""" "Send me my link again" (issue 10): a speaker who lost their private link asks for it by
email. One answer for every address; the existing "link_resent" message, one per registration
worth a link, through the outbox with the link made when it is sent; no flood."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentday.events.models import EventState
from talentday.extensions import db
from talentday.outbox.models import MessageStatus, OutboxMessage
from talentday.outbox.services import text_to_send, text_to_show
from talentday.registrations import services
from talentday.registrations.models import Registration, RegistrationState
from talentday.registrations.privacy import anonymise_speaker
from tests import factories
from tests.conftest import open_private_link, submit
from tests.test_password_reset import same_page

ADDRESS = "gao.lizhi@example.com"


def link_messages() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.kind == "link_resent")
            .order_by(OutboxMessage.id)
        )
    )


def salon(days: int, **values):
    starts = datetime.now(UTC) + timedelta(days=days)
    return factories.event(
        state=EventState.PUBLISHED, starts_at=starts, ends_at=starts + timedelta(hours=3), **values
    )


def registered(speaker, state=RegistrationState.APPROVED, days=30, **event_values):
    registration = factories.registration(
        event=salon(days, **event_values), speaker=speaker, state=state
    )
    services.issue_token(registration)
    return registration


@pytest.fixture
def speaker(app):
    """A speaker with no registration yet, in the test's application context: service tests
    only (page tests need each request to get its own context, see `make_speaker`)."""
    with app.app_context():
        yield make_speaker()


def make_speaker(**values):
    speaker = factories.speaker(**{"name": "Gao Lizhi", "email": ADDRESS, "locale": "en", **values})
    db.session.commit()
    return speaker


# --- the service ---------------------------------------------------------------------------


def test_an_unknown_address_gets_nothing(app_ctx, speaker):
    registered(speaker)
    assert services.send_links_again("nobody@example.com") == 0
    assert link_messages() == []


def test_a_speaker_gets_the_link_resent_message_with_the_link_in_force(app_ctx, speaker):
    registration = registered(speaker, title="25th Talent Salon")
    token = services.current_token(registration)
    db.session.commit()
    assert services.send_links_again("  Gao.Lizhi@Example.COM ") == 1
    db.session.commit()
    [message] = link_messages()
    assert message.to_email == ADDRESS and message.registration_id == registration.id
    assert message.subject == "Your private link"
    assert "asked on our website for your private link" in message.body
    assert "25th Talent Salon" in message.body
    # The link is made when the message is sent, and it is the one already in force: links in
    # earlier emails keep working.
    assert "/r/" not in message.body and "/r/" not in text_to_show(message)
    assert f"http://localhost/r/{token}" in text_to_send(message)
    assert services.find_by_token(token).id == registration.id


def test_one_message_per_registration_worth_a_link(app_ctx, speaker):
    """Each link is made from its own registration when its message is sent, so each
    registration gets its own message: those that hold, wait for or await confirmation of a
    place, and ended ones with suggestions to follow."""
    wanted = [
        registered(speaker, RegistrationState.APPROVED, days=30),
        registered(speaker, RegistrationState.WAITLISTED, days=60),
        registered(speaker, RegistrationState.SUBMITTED, days=90),
        registered(speaker, RegistrationState.UNCONFIRMED, days=120),
    ]
    rejected_with_suggestion = registered(speaker, RegistrationState.REJECTED, days=-200)
    factories.item(
        event=rejected_with_suggestion.event,
        speaker=speaker,
        registration=rejected_with_suggestion,
    )
    wanted.append(rejected_with_suggestion)
    for state in (
        RegistrationState.WITHDRAWN,
        RegistrationState.CANCELLED,
        RegistrationState.REJECTED,
    ):
        registered(speaker, state, days=10)  # nothing left to do or follow with these
    registered(factories.speaker(), RegistrationState.APPROVED)  # someone else's
    db.session.commit()

    assert services.send_links_again(ADDRESS) == len(wanted)
    db.session.commit()
    sent = [message.registration_id for message in link_messages()]
    newest_first = sorted(wanted, key=lambda r: r.event.starts_at, reverse=True)
    assert sent == [registration.id for registration in newest_first]
    for message in link_messages():
        registration = db.session.get(Registration, message.registration_id)
        link = re.search(r"/r/(\S+)", text_to_send(message)).group(1)
        assert services.find_by_token(link).id == registration.id


def test_asking_again_within_minutes_sends_nothing_more(app_ctx, speaker):
    registered(speaker)
    registered(speaker, days=60)
    db.session.commit()
    assert services.send_links_again(ADDRESS) == 2
    for _ in range(4):
        assert services.send_links_again(ADDRESS) == 0
    db.session.commit()
    assert len(link_messages()) == 2
    # Once the minutes have passed, the links go again; a discarded message does not count.
    earlier = datetime.now(UTC) - timedelta(minutes=app_ctx.config["LINK_RESEND_MINUTES"] + 1)
    for message in link_messages():
        message.created_at = earlier
    db.session.commit()
    assert services.send_links_again(ADDRESS) == 2
    db.session.commit()
    for message in link_messages()[2:]:
        message.status = MessageStatus.DISCARDED
    db.session.commit()
    assert services.send_links_again(ADDRESS) == 2


def test_a_registration_told_something_minutes_ago_is_not_told_again(app_ctx, speaker):
    """Its last message (an approval, say) carries its link already."""
    told = registered(speaker)
    untold = registered(speaker, days=60)
    services._tell_speaker(told, "approved")
    db.session.commit()
    assert services.send_links_again(ADDRESS) == 1
    assert [message.registration_id for message in link_messages()] == [untold.id]


def test_the_registration_form_posted_again_counts_as_the_links_sent(app_ctx, speaker):
    registration = registered(speaker)
    services._tell_speaker(registration, "link_resent")  # what register() does then
    db.session.commit()
    assert services.send_links_again(ADDRESS) == 0


def test_an_erased_speaker_gets_nothing(app, make_user):
    from talentday.auth.models import Role, User

    organizer_id = make_user(Role.ORGANIZER).id
    with app.app_context():
        _erased_speaker_gets_nothing(db.session.get(User, organizer_id))


def _erased_speaker_gets_nothing(organizer):
    speaker = make_speaker()
    registered(speaker)
    anonymise_speaker(speaker, by=organizer)
    db.session.commit()
    assert services.send_links_again(ADDRESS) == 0
    assert link_messages() == []


def test_the_message_is_in_the_speakers_language(app_ctx):
    speaker = make_speaker(locale="zh_Hans")
    registered(speaker)
    db.session.commit()
    services.send_links_again(ADDRESS)
    [message] = link_messages()
    assert message.subject == "您的专属链接"
    assert "在本网站申请您报名" in message.body


# --- the page ------------------------------------------------------------------------------


def ask(client, email, **kwargs):
    return submit(client, "/send-my-link", {"email": email}, **kwargs)


def test_known_and_unknown_addresses_get_the_same_page(app):
    with app.app_context():
        registered(make_speaker())
        db.session.commit()
    pages = []
    for email in (ADDRESS, "nobody@example.com"):
        client = app.test_client()
        response = ask(client, email)
        assert response.status_code == 302 and response.headers["Location"] == "/send-my-link"
        page = client.get("/send-my-link").get_data(as_text=True)
        assert f"If {email} is the address of a speaker who registered with us" in page
        pages.append(page.replace(email, "ADDRESS"))
    assert same_page(*pages)
    # The same client asking for both gets the same body too.
    client = app.test_client()
    ask(client, ADDRESS)
    known = client.get("/send-my-link").get_data(as_text=True).replace(ADDRESS, "A")
    ask(client, "nobody@example.com")
    unknown = client.get("/send-my-link").get_data(as_text=True)
    assert same_page(known, unknown.replace("nobody@example.com", "A"))
    with app.app_context():
        assert [message.to_email for message in link_messages()] == [ADDRESS]


def test_the_link_sent_opens_the_registration(app):
    with app.app_context():
        registration_id = registered(make_speaker(), title="25th Talent Salon").id
        db.session.commit()
    client = app.test_client()
    ask(client, ADDRESS)
    with app.app_context():
        [message] = link_messages()
        link = re.search(r"http://localhost(/r/\S+)", text_to_send(message)).group(1)
    assert open_private_link(client, link) == "/r/"
    page = client.get("/r/").get_data(as_text=True)
    assert "25th Talent Salon" in page
    with app.app_context():
        assert db.session.get(Registration, registration_id).token_hash is not None


def test_a_mistyped_address_is_explained_at_the_field(client):
    response = ask(client, "gao.lizhi at example.com")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Send me my link again" in page
    assert 'href="#email">Enter an email address like name@example.com' in page
    assert 'value="gao.lizhi at example.com"' in page
    page = ask(client, "").get_data(as_text=True)
    assert 'href="#email">Enter the email address you registered with' in page


def test_the_page_speaks_chinese(client):
    headers = {"Accept-Language": "zh-CN"}
    page = client.get("/send-my-link", headers=headers).get_data(as_text=True)
    assert '<h1 class="mb-3">重新发送我的链接</h1>' in page
    page = ask(client, "", headers=headers).get_data(as_text=True)
    assert re.search("<title>错误：\\s*重新发送我的链接", page)
    assert "请输入您报名时填写的电子邮箱" in page


def test_requests_are_rate_limited_per_address(app):
    app.config["LINK_REQUEST_LIMITS"] = "3 per minute"
    client = app.test_client()
    answers = [ask(client, f"someone{n}@example.com").status_code for n in range(4)]
    assert answers == [302, 302, 302, 429]


def test_the_pages_a_speaker_may_be_on_lead_to_it(app, client, event_id):
    link = 'href="/send-my-link"'
    assert link in client.get(f"/events/{event_id}").get_data(as_text=True)
    assert link in client.get(f"/events/{event_id}/register").get_data(as_text=True)
    assert link in client.get("/r/").get_data(as_text=True)  # the "open your link" page
    assert link in client.get("/sign-in").get_data(as_text=True)
    assert link in client.get("/forgot-password").get_data(as_text=True)
    with app.app_context():
        event = db.session.get(factories.Event, event_id)
        event.state = EventState.REGISTRATION_CLOSED
        db.session.commit()
    assert link in client.get(f"/events/{event_id}/register").get_data(as_text=True)
