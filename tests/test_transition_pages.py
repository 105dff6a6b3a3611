"""The tables of moves through the pages (issue 9): the event's moves, the counts and the
labels the pages take from the objects rather than from spelled-out state names."""

from datetime import UTC, datetime, timedelta

import pytest

from talentday.auth.models import Role, User
from talentday.events.models import Event, EventState
from talentday.extensions import db
from talentday.followup import services as followup_services
from talentday.followup.models import ItemState, ResultClass
from talentday.i18n import city_today
from talentday.registrations.models import RegistrationState
from tests import factories
from tests.conftest import sign_in, submit


@pytest.fixture
def people(app, make_user):
    clients = {}
    users = {}
    for role in (Role.ORGANIZER, Role.ADMIN, Role.LEADER, Role.DEPARTMENT_STAFF):
        users[role] = make_user(role)
        clients[role] = app.test_client()
        sign_in(clients[role], users[role].email)
    return users, clients


def test_only_those_who_manage_events_move_them_through_the_page(app, people):
    _, clients = people
    with app.app_context():
        event_id = factories.event(state=EventState.DRAFT).id
        db.session.commit()
    url = f"/manage/events/{event_id}/state"
    for role in (Role.ADMIN, Role.LEADER, Role.DEPARTMENT_STAFF):
        response = submit(clients[role], url, {"state": "published"}, form_url="/")
        assert response.status_code == 403, role
    response = submit(
        clients[Role.ORGANIZER], url, {"state": "published"}, form_url=f"/manage/events/{event_id}"
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Event, event_id).state is EventState.PUBLISHED


def test_the_event_pages_count_registrations_by_what_they_wait_for(app, people):
    _, clients = people
    with app.app_context():
        event = factories.event(speaking_slots=5)
        for state, number in (
            (RegistrationState.APPROVED, 2),
            (RegistrationState.WAITLISTED, 1),
            (RegistrationState.SUBMITTED, 3),
            (RegistrationState.REJECTED, 4),
        ):
            for _ in range(number):
                factories.registration(event=event, state=state)
        db.session.commit()
        event_id = event.id
    page = clients[Role.ORGANIZER].get(f"/manage/events/{event_id}").get_data(as_text=True)
    assert "2 of 5 speaking slots taken; 1 waiting; 3 to review." in page
    listing = clients[Role.ORGANIZER].get("/manage/events").get_data(as_text=True)
    assert "2 / 5" in listing


def _resolved_item(app, people) -> int:
    users, _ = people
    with app.app_context():
        organizer = db.session.get(User, users[Role.ORGANIZER].id)
        staff = db.session.get(User, users[Role.DEPARTMENT_STAFF].id)
        item = factories.item()
        today = city_today()
        followup_services.assign(
            item, lead_unit=staff.unit, co_units=[], due_on=today + timedelta(days=9),
            instructions="", by=organizer, today=today,
        )  # fmt: skip
        followup_services.accept(item, by=staff)
        followup_services.submit_result(
            item, result_class=ResultClass.SOLVED, result="Done.", by=staff
        )
        db.session.commit()
        return item.id


def test_a_resolved_item_is_sent_back_and_a_closed_one_reopened(app, people):
    users, clients = people
    item_id = _resolved_item(app, people)
    page = clients[Role.ORGANIZER].get(f"/followup/items/{item_id}").get_data(as_text=True)
    assert "Send back to the unit" in page and "Reopen item" not in page
    with app.app_context():
        item = db.session.get(followup_services.FollowUpItem, item_id)
        followup_services.close(item, by=db.session.get(User, users[Role.ORGANIZER].id))
        assert item.state is ItemState.CLOSED
        db.session.commit()
    page = clients[Role.ORGANIZER].get(f"/followup/items/{item_id}").get_data(as_text=True)
    assert "Reopen item" in page and "Send back to the unit" not in page


def test_the_closed_registration_page_says_when_it_opens_only_when_it_will(app, client):
    now = datetime.now(UTC)
    with app.app_context():
        later = factories.event(
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=3),
            registration_opens_at=now + timedelta(days=2),
        ).id
        over = factories.event(
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=3),
            registration_opens_at=now - timedelta(days=9),
            registration_closes_at=now - timedelta(days=1),
        ).id
        db.session.commit()
    assert "It opens" in client.get(f"/events/{later}/register").get_data(as_text=True)
    page = client.get(f"/events/{over}/register").get_data(as_text=True)
    assert "Registration is not open" in page and "It opens" not in page


@pytest.mark.parametrize(
    ("state", "target", "starts_in_days", "said"),
    [
        (
            EventState.PUBLISHED, "held", 3,
            ["The event has not started yet", "Marking it held cannot be undone"],
        ),
        (EventState.PUBLISHED, "held", -1, ["Marking it held cannot be undone"]),
        (EventState.HELD, "archived", -10, ["Archiving cannot be undone"]),
    ],
)  # fmt: skip
def test_a_move_that_cannot_be_undone_asks_first_and_says_what_it_will_do(
    app, people, state, target, starts_in_days, said
):
    """Issue 10: "Mark as held" and "Archive" were one click, before the event had even
    started; now a page says what the move does and a second button makes it."""
    _, clients = people
    organizer = clients[Role.ORGANIZER]
    with app.app_context():
        starts = datetime.now(UTC) + timedelta(days=starts_in_days)
        event_id = factories.event(
            state=state, starts_at=starts, ends_at=starts + timedelta(hours=3)
        ).id
        db.session.commit()
    url = f"/manage/events/{event_id}/state"
    first = submit(organizer, url, {"state": target}, form_url=f"/manage/events/{event_id}")
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    for sentence in said:
        assert sentence in page
    if starts_in_days > 0:
        assert "has not started yet" in page
    else:
        assert "has not started yet" not in page
    with app.app_context():
        assert db.session.get(Event, event_id).state is state, "nothing changed yet"
    confirmed = submit(
        organizer, url, {"state": target, "confirmed": "yes"}, form_url=f"/manage/events/{event_id}"
    )
    assert confirmed.status_code == 302
    with app.app_context():
        assert db.session.get(Event, event_id).state is EventState(target)


def test_a_move_that_can_be_undone_is_made_at_once(app, people):
    _, clients = people
    with app.app_context():
        event_id = factories.event(state=EventState.PUBLISHED).id
        db.session.commit()
    response = submit(
        clients[Role.ORGANIZER],
        f"/manage/events/{event_id}/state",
        {"state": "registration_closed"},
        form_url=f"/manage/events/{event_id}",
    )
    assert response.status_code == 302
