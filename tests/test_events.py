"""Organizers create, clone and publish events; the rules refuse impossible ones."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.events import services
from talentday.events.models import EVENT_TRANSITIONS, Event, EventState
from talentday.extensions import db
from talentday.registrations.models import TalentTeam, TeamQuota
from tests import factories
from tests.conftest import sign_in, submit

START = datetime(2027, 3, 20, 6, 30, tzinfo=UTC)


def details(**overrides) -> services.EventDetails:
    values = {
        "series": "Talent Salon",
        "edition": 25,
        "title": "25th Talent Salon",
        "starts_at": START,
        "ends_at": START + timedelta(hours=3),
        "speaking_slots": 12,
    }
    values.update(overrides)
    return services.EventDetails(**values)


@pytest.fixture
def organizer(app_ctx, make_user):
    return db.session.get(User, make_user(Role.ORGANIZER).id)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": START}, "ends_at"),
        ({"ends_at": START - timedelta(hours=1)}, "ends_at"),
        ({"speaking_slots": 0}, "speaking_slots"),
        ({"registration_closes_at": START + timedelta(minutes=1)}, "registration_closes_at"),
        (
            {
                "registration_opens_at": START - timedelta(days=1),
                "registration_closes_at": START - timedelta(days=2),
            },
            "registration_opens_at",
        ),
        ({"quotas": {TalentTeam.INDUSTRY_PROFESSOR: 13}}, "quota_industry_professor"),
    ],
)
def test_impossible_events_are_refused_and_nothing_is_saved(organizer, overrides, field):
    with pytest.raises(services.EventError) as error:
        services.save_event(None, details(**overrides), by=organizer)
    assert error.value.field == field
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_an_edition_number_is_used_once_per_series(organizer):
    services.save_event(None, details(), by=organizer)
    with pytest.raises(services.EventError) as error:
        services.save_event(None, details(title="Another"), by=organizer)
    assert error.value.field == "edition"
    services.save_event(None, details(series="Another series"), by=organizer)


def test_new_events_are_drafts_with_their_quotas(organizer):
    event = services.save_event(
        None, details(quotas={TalentTeam.INDUSTRY_PROFESSOR: 4}), by=organizer
    )
    assert event.state is EventState.DRAFT
    assert services.quotas_of(event) == {TalentTeam.INDUSTRY_PROFESSOR: 4}
    services.save_event(event, details(quotas={}), by=organizer)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TeamQuota)) == 0


def test_the_next_edition_raises_the_number_and_clears_the_dates(organizer):
    salon = services.save_event(
        None,
        details(
            edition=24,
            title="24th Party-Government Pro-Business Meeting",
            quotas={TalentTeam.INDUSTRY_PROFESSOR: 4},
            presiding_official="Sun Hu",
        ),
        by=organizer,
    )
    next_one = services.details_for_next_edition(salon)
    assert next_one.edition == 25
    assert next_one.title == "25th Party-Government Pro-Business Meeting"
    assert next_one.starts_at is None and next_one.ends_at is None
    assert next_one.registration_opens_at is None
    assert next_one.presiding_official == "Sun Hu"
    assert next_one.quotas == {TalentTeam.INDUSTRY_PROFESSOR: 4}


@pytest.mark.parametrize("current", list(EventState))
@pytest.mark.parametrize("target", list(EventState))
def test_event_state_moves(organizer, current, target):
    event = factories.event(state=current)
    if target in EVENT_TRANSITIONS[current]:
        services.change_state(event, target, by=organizer)
        assert event.state is target
    else:
        with pytest.raises(services.EventError):
            services.change_state(event, target, by=organizer)
        assert event.state is current


def test_registration_window(app_ctx):
    now = datetime(2026, 11, 27, tzinfo=UTC)
    event = factories.event(
        state=EventState.PUBLISHED,
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=30, hours=3),
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=20),
    )
    assert services.registration_is_open(event, now)
    assert not services.registration_is_open(event, now - timedelta(days=2))
    assert not services.registration_is_open(event, now + timedelta(days=20))
    event.state = EventState.REGISTRATION_CLOSED
    assert not services.registration_is_open(event, now)
    event.state = EventState.DRAFT
    assert not services.registration_is_open(event, now)


def test_without_a_closing_time_registration_closes_when_the_event_starts(app_ctx):
    now = datetime(2026, 11, 27, tzinfo=UTC)
    event = factories.event(
        state=EventState.PUBLISHED,
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=30, hours=3),
    )
    assert services.registration_is_open(event, now + timedelta(days=29, hours=23))
    assert not services.registration_is_open(event, event.starts_at)
    assert not services.registration_is_open(event, now + timedelta(days=31))


# --- pages ---------------------------------------------------------------------------


@pytest.fixture
def organizer_client(client, make_user):
    sign_in(client, make_user(Role.ORGANIZER).email)
    return client


FORM = {
    "series": "“Shang Xian Hui” Talent Salon",
    "edition": "25",
    "title": "25th “Shang Xian Hui” Talent Salon",
    "theme": "Talent chains along the industrial chain",
    "starts_at": "2027-03-20T14:30",
    "ends_at": "2027-03-20T17:30",
    "venue": "Conference Hall 1",
    "speaking_slots": "12",
    "registration_opens_at": "2026-11-01T09:00",
    "registration_closes_at": "2027-03-10T18:00",
    "follow_up_days": "30",
    "quota_industry_professor": "4",
}


def test_organizer_creates_publishes_and_the_public_sees_it(app, organizer_client, client):
    response = submit(organizer_client, "/manage/events/new", FORM)
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(sa.select(Event))
        # Typed in the city's time (UTC+8), stored in UTC.
        assert event.starts_at == datetime(2027, 3, 20, 6, 30, tzinfo=UTC)
        event_id = event.id
    anonymous = app.test_client()
    assert anonymous.get(f"/events/{event_id}").status_code == 404, "drafts are not public"
    submit(
        organizer_client,
        f"/manage/events/{event_id}/state",
        {"state": "published"},
        form_url=f"/manage/events/{event_id}",
    )
    page = anonymous.get(f"/events/{event_id}").get_data(as_text=True)
    assert "25th “Shang Xian Hui” Talent Salon" in page
    assert "Saturday 2027-03-20 14:30–17:30" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_at": "2027-03-20T12:00"}, "ends_at", "Enter an end time after the start time"),
        ({"starts_at": "20/03/2027"}, "starts_at", "Enter a date and time like 2026-09-20 14:30"),
        ({"speaking_slots": "0"}, "speaking_slots", "Enter a whole number from 1 to 500"),
        ({"speaking_slots": "twelve"}, "speaking_slots", "Enter a whole number, like 12"),
        ({"title": ""}, "title", "Enter the event&#39;s title"),
        ({"title": "x" * 301}, "title", "Enter at most 300 characters"),
        ({"edition": "-1"}, "edition", "Enter a whole number from 1 to 10000"),
        (
            {"registration_closes_at": "2027-03-21T09:00"},
            "registration_closes_at",
            "Registration must close before the event starts",
        ),
    ],
)
def test_event_form_errors_keep_the_input(app, organizer_client, changes, field, message):
    page = submit(organizer_client, "/manage/events/new", {**FORM, **changes}).get_data(
        as_text=True
    )
    assert "There is a problem" in page
    assert re.search(rf'href="#{field}">{re.escape(message)}', page.replace("'", "&#39;")), page
    assert 'value="Conference Hall 1"' in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_cloning_prefills_the_next_edition(app, organizer_client):
    with app.app_context():
        salon = factories.event(edition=24, title="24th Talent Salon", venue="Hall 1")
        db.session.commit()
        salon_id = salon.id
    page = organizer_client.get(f"/manage/events/new?clone={salon_id}").get_data(as_text=True)
    assert 'value="25"' in page and 'value="25th Talent Salon"' in page
    assert 'value="Hall 1"' in page
    assert (
        re.search(r'id="starts_at"[^>]*value=""', page)
        or 'id="starts_at" name="starts_at" type="datetime-local" value=""' in page
    )


@pytest.mark.parametrize("role", [Role.DEPARTMENT_STAFF, Role.LEADER, Role.ADMIN])
def test_only_organizers_manage_events(app, client, make_user, role):
    with app.app_context():
        event = factories.event()
        db.session.commit()
        event_id = event.id
    sign_in(client, make_user(role).email)
    for url in ("/manage/events", "/manage/events/new", f"/manage/events/{event_id}"):
        assert client.get(url).status_code == 403


def test_html_in_event_fields_is_shown_escaped(app, organizer_client):
    submit(
        organizer_client,
        "/manage/events/new",
        {**FORM, "theme": "<script>alert('x')</script>", "venue": "<b>Hall</b>"},
    )
    with app.app_context():
        event = db.session.scalar(sa.select(Event))
        event.state = EventState.PUBLISHED
        db.session.commit()
        event_id = event.id
    page = app.test_client().get(f"/events/{event_id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;Hall&lt;/b&gt;" in page


def test_a_new_events_follow_up_period_is_in_working_days_unless_unticked(app, organizer_client):
    page = organizer_client.get("/manage/events/new").get_data(as_text=True)
    [box] = re.findall(r'<input[^>]*id="follow_up_in_working_days"[^>]*>', page)
    assert " checked" in box
    assert 'name="follow_up_days"' in page and 'value="20"' in page
    submit(organizer_client, "/manage/events/new", {**FORM, "follow_up_in_working_days": "y"})
    submit(organizer_client, "/manage/events/new", {**FORM, "edition": "26"})  # unticked
    with app.app_context():
        events = db.session.scalars(sa.select(Event).order_by(Event.id)).all()
        assert [event.follow_up_in_working_days for event in events] == [True, False]
