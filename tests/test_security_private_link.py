"""The speaker's private link: never stored readable, in one request only, and only for the
address's owner (issue 8, findings 3, 7 and 14)."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.followup.models import FollowUpItem
from talentday.outbox.models import OutboxMessage
from talentday.outbox.services import send_pending
from talentday.registrations import services
from talentday.registrations import views as registration_views
from talentday.registrations.models import Registration, RegistrationState, Speaker
from tests import factories
from tests.conftest import open_private_link, sign_in, submit
from tests.test_registration_pages import GOOD, count, register_url


def _category_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.min(factories.Category.id)))


def _register(client, event_id, app, **changes):
    data = {
        **GOOD,
        "suggestions-0-category": str(_category_id(app)),
        "suggestions-0-content": "Open talent apartments near the zone.",
        **changes,
    }
    response = submit(client, register_url(event_id), data)
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _sent_link(smtp) -> str:
    return re.search(
        r"http://localhost(/r/\S+)", smtp.sent[-1].get_body(("plain",)).get_content()
    ).group(1)


# --- finding 3: no readable link at rest --------------------------------------------------


def test_no_stored_message_and_no_outbox_page_holds_the_private_link(
    app, client, event_id, make_user, smtp
):
    _register(client, event_id, app)
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage))
        stored = message.body
        message_id = message.id
    assert "/r/" not in stored

    organizer = app.test_client()
    sign_in(organizer, make_user(Role.ORGANIZER).email)
    page = organizer.get(f"/manage/outbox/{message_id}").get_data(as_text=True)
    assert "/r/" not in page and "private link, added when sent" in page

    with app.app_context():
        assert send_pending() == (1, 0)
    link = _sent_link(smtp)
    token = link.removeprefix("/r/")
    assert token not in page and token not in stored
    with app.app_context():
        assert services.find_by_token(token) is not None, "the link sent is the one in force"


def test_the_secret_is_in_the_first_request_only(app, client, event_id, smtp):
    _register(client, event_id, app)
    with app.app_context():
        send_pending()
    link = _sent_link(smtp)
    token = link.removeprefix("/r/")
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"] == "/r/"
    page = client.get("/r/").get_data(as_text=True)
    assert "Your registration" in page and token not in page
    speaker_forms = set(re.findall(r'action="(/r/[^"]*)"', page))
    assert speaker_forms == {"/r/details", "/r/suggestions", "/r/withdraw"}, speaker_forms


def test_without_the_link_the_page_says_to_open_it(client):
    response = client.get("/r/")
    assert response.status_code == 403
    assert "Open your private link" in response.get_data(as_text=True)


def test_a_new_link_ends_every_session_opened_with_the_old_one(app, client, event_id, smtp):
    _register(client, event_id, app)
    with app.app_context():
        send_pending()
    open_private_link(client, _sent_link(smtp))
    assert client.get("/r/").status_code == 200
    with app.app_context():
        services.issue_token(db.session.scalar(sa.select(Registration)))
        db.session.commit()
    assert client.get("/r/").status_code == 403


def test_an_idle_speaker_opens_the_link_again(app, client, event_id, smtp, monkeypatch):
    _register(client, event_id, app)
    with app.app_context():
        send_pending()
    open_private_link(client, _sent_link(smtp))
    later = time.time() + app.config["PRIVATE_LINK_IDLE_MINUTES"] * 60 + 5
    monkeypatch.setattr(registration_views.time, "time", lambda: later)
    assert client.get("/r/").status_code == 403


def test_a_changed_secret_key_gives_a_new_link_when_the_next_message_is_sent(app_ctx):
    event = factories.event(
        state=EventState.PUBLISHED,
        starts_at=datetime.now(UTC) + timedelta(days=9),
        ends_at=datetime.now(UTC) + timedelta(days=9, hours=2),
    )
    registration = factories.registration(event=event)
    first = services.issue_token(registration)
    assert services.current_token(registration) == first
    app_ctx.config["SECRET_KEY"] = "another-secret"
    second = services.current_token(registration)
    assert second != first and services.find_by_token(second) == registration


# --- finding 7: a known address is held until its owner confirms ----------------------------


@pytest.fixture
def known_speaker(app, event_id):
    """Wang spoke at an earlier salon: his address is on file."""
    with app.app_context():
        earlier = factories.event(state=EventState.HELD, title="24th Talent Salon")
        speaker = factories.speaker(
            email=GOOD["email"], name="Wang Hongyang", phone="13912345678", organization="FTR"
        )
        factories.registration(event=earlier, speaker=speaker, state=RegistrationState.APPROVED)
        db.session.commit()
        return speaker.id


def test_a_known_address_gets_the_same_answer_and_nothing_in_its_name(app, event_id, known_speaker):
    known_page = _register(
        app.test_client(), event_id, app, name="Eve", phone="13700000000", topic="Eve's topic"
    )
    new_page = _register(
        app.test_client(), event_id, app, email="someone.new@example.com", name="New"
    )

    def answer(page, email):
        # The page as the visitor reads it: every CSRF token differs, whatever the address.
        return re.sub(r'value="[^"]+"', "", page.replace(email, "X"))

    assert answer(known_page, GOOD["email"]) == answer(new_page, "someone.new@example.com")
    with app.app_context():
        held = db.session.scalar(
            sa.select(Registration)
            .where(Registration.speaker_id == known_speaker)
            .where(Registration.event_id == event_id)
        )
        assert held.state is RegistrationState.UNCONFIRMED
        speaker = db.session.get(Speaker, known_speaker)
        assert speaker.name == "Wang Hongyang" and speaker.phone == "13912345678"
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(FollowUpItem)
                .where(FollowUpItem.speaker_id == known_speaker)
            )
            == 0
        ), "no suggestion is attributed to him before he confirms"
        message = db.session.scalar(
            sa.select(OutboxMessage).where(OutboxMessage.to_email == GOOD["email"])
        )
        assert message.kind == "confirm"


def test_the_owner_confirms_and_the_suggestions_are_raised(
    app, event_id, known_speaker, smtp, make_user
):
    _register(app.test_client(), event_id, app, name="Eve")
    with app.app_context():
        send_pending()
    owner = app.test_client()
    page_url = open_private_link(owner, _sent_link(smtp))
    page = owner.get(page_url).get_data(as_text=True)
    assert "Please confirm this registration" in page
    assert "Open talent apartments near the zone." in page

    organizer = make_user(Role.ORGANIZER)
    with app.app_context():
        held = db.session.scalar(sa.select(Registration).where(Registration.event_id == event_id))
        with pytest.raises(services.RegistrationError):
            services.decide(held, RegistrationState.APPROVED, by=db.session.get(User, organizer.id))
        db.session.rollback()

    assert submit(owner, "/r/confirm", {}, form_url=page_url).status_code == 302
    with app.app_context():
        confirmed = db.session.scalar(
            sa.select(Registration).where(Registration.event_id == event_id)
        )
        assert confirmed.state is RegistrationState.SUBMITTED
        assert confirmed.pending_submission is None
        item = db.session.scalar(sa.select(FollowUpItem))
        assert item.speaker_id == known_speaker and item.registration_id == confirmed.id
        kinds = db.session.scalars(sa.select(OutboxMessage.kind).order_by(OutboxMessage.id))
        assert list(kinds)[-1] == "received"


def test_the_owner_withdraws_a_registration_that_was_not_theirs(app, event_id, known_speaker, smtp):
    _register(app.test_client(), event_id, app, name="Eve")
    with app.app_context():
        send_pending()
    owner = app.test_client()
    page_url = open_private_link(owner, _sent_link(smtp))
    submit(owner, "/r/withdraw", {"withdraw-confirm": "y"}, form_url=page_url)
    with app.app_context():
        withdrawn = db.session.scalar(
            sa.select(Registration).where(Registration.event_id == event_id)
        )
        assert withdrawn.state is RegistrationState.WITHDRAWN
        assert withdrawn.pending_submission is None
    assert count(app, FollowUpItem) == 0


def test_an_address_already_registered_keeps_its_link(app, client, event_id, smtp):
    _register(client, event_id, app)
    with app.app_context():
        send_pending()
    first_link = _sent_link(smtp)
    with app.app_context():
        db.session.execute(
            sa.update(OutboxMessage).values(created_at=datetime.now(UTC) - timedelta(hours=1))
        )
        db.session.commit()
    _register(app.test_client(), event_id, app, name="Eve")
    with app.app_context():
        send_pending()
    assert (
        len(smtp.sent) == 2
        and "already registered" in smtp.sent[-1].get_body(("plain",)).get_content()
    )
    assert _sent_link(smtp) == first_link, "a stranger's form does not kill the link"
    assert client.get(first_link).status_code == 302


# --- finding 14: suggestions only from a live registration, within the follow-up period ----


@pytest.mark.parametrize(
    "state",
    [RegistrationState.WITHDRAWN, RegistrationState.REJECTED, RegistrationState.CANCELLED],
)
def test_an_ended_registration_adds_no_suggestion(app, client, event_id, smtp, state):
    _register(client, event_id, app)
    with app.app_context():
        send_pending()
        registration = db.session.scalar(sa.select(Registration))
        registration.state = state
        db.session.commit()
    page_url = open_private_link(client, _sent_link(smtp))
    assert "Add a suggestion" not in client.get(page_url).get_data(as_text=True)
    before = count(app, FollowUpItem)
    submit(
        client,
        "/r/suggestions",
        {
            "suggestion-category": str(_category_id(app)),
            "suggestion-content": "One more.",
        },
        form_url=page_url,
    )
    assert count(app, FollowUpItem) == before


def test_no_suggestion_after_the_follow_up_period(app_ctx):
    held = factories.event(
        state=EventState.HELD,
        starts_at=datetime(2026, 9, 20, 6, 30, tzinfo=UTC),
        ends_at=datetime(2026, 9, 20, 9, 30, tzinfo=UTC),
        follow_up_days=30,
    )
    registration = factories.registration(event=held, state=RegistrationState.APPROVED)
    category = factories.category()
    last_day = services.suggestions_close_on(held)
    assert str(last_day) == "2026-10-20"
    assert services.may_add_suggestions(registration, today=last_day)
    assert not services.may_add_suggestions(registration, today=last_day + timedelta(days=1))
    if not services.may_add_suggestions(registration):
        with pytest.raises(services.RegistrationError):
            services.add_suggestion(registration, category=category, content="Late.")
