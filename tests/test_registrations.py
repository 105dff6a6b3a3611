"""The life of a registration, without HTTP: submitting, deciding, the waiting list."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.followup.models import FollowUpItem, ItemState, TimelineEntry
from talentday.outbox.models import OutboxMessage
from talentday.outbox.services import text_to_send
from talentday.registrations import queries, services
from talentday.registrations.models import (
    REGISTRATION_TRANSITIONS,
    Registration,
    RegistrationState,
    Speaker,
    TalentTeam,
    TeamQuota,
)
from tests import factories


def open_event(**overrides):
    now = datetime.now(UTC)
    values = {
        "state": EventState.PUBLISHED,
        "starts_at": now + timedelta(days=30),
        "ends_at": now + timedelta(days=30, hours=3),
        "registration_opens_at": now - timedelta(days=1),
        "registration_closes_at": now + timedelta(days=20),
        "speaking_slots": 3,
    }
    values.update(overrides)
    return factories.event(**values)


def details(email="gao@example.com", team=TalentTeam.SCI_TECH_TOWN_LEADER_GROUP, **overrides):
    values = {
        "name": "Gao Lizhi",
        "email": email,
        "phone": "13800000001",
        "organization": "Subei Research Institute",
        "position": "Vice Dean",
        "talent_team": team,
    }
    values.update(overrides)
    return services.SpeakerDetails(**values)


def register(event, email="gao@example.com", team=TalentTeam.SCI_TECH_TOWN_LEADER_GROUP, **kw):
    kw.setdefault("topic", "Research in the district's enterprises")
    kw.setdefault("summary", "")
    kw.setdefault("suggestions", [])
    kw.setdefault("consent", True)
    return services.register(event, details(email, team), **kw)


def messages(kind=None) -> list[OutboxMessage]:
    statement = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        statement = statement.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(statement))


@pytest.fixture
def organizer(app_ctx, make_user):
    return db.session.get(User, make_user(Role.ORGANIZER).id)


def test_registering_creates_the_speaker_registration_items_and_a_message(app_ctx):
    event = open_event()
    category = factories.category(name="Talent apartments")
    outcome = register(
        event,
        suggestions=[services.SuggestionDraft(category, "Open talent apartments near the zone.")],
    )
    db.session.commit()
    registration = outcome.registration
    assert outcome.created and registration.state is RegistrationState.SUBMITTED
    assert registration.speaker.email == "gao@example.com"
    assert registration.token_hash == services.hash_token(outcome.token)
    assert outcome.token not in (registration.token_hash or "")
    assert services.find_by_token(outcome.token) == registration
    item = db.session.scalar(sa.select(FollowUpItem))
    assert item.state is ItemState.NEW and item.speaker == registration.speaker
    assert item.registration == registration and item.category == category
    timeline = db.session.scalar(sa.select(TimelineEntry))
    assert timeline.actor_speaker == registration.speaker and timeline.to_state is ItemState.NEW
    (message,) = messages()
    assert message.kind == "received" and message.to_email == "gao@example.com"
    assert f"/r/{outcome.token}" not in message.body, "the stored message holds no link"
    assert f"/r/{outcome.token}" in text_to_send(message)


def test_a_second_registration_with_the_same_email_creates_nothing(app_ctx):
    event = open_event()
    first = register(event)
    db.session.commit()
    second = register(event, email=" GAO@example.com ", topic="Something else")
    db.session.commit()
    assert not second.created and second.registration == first.registration
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    assert first.registration.topic == "Research in the district's enterprises"
    assert second.token == first.token, "the link is sent again, not replaced"
    assert services.find_by_token(first.token) == first.registration
    assert messages("link_resent") == [], "minutes after the first message, no second one"

    for message in messages():
        message.created_at -= timedelta(minutes=11)
    register(event, email="gao@example.com")
    resent = messages("link_resent")
    assert len(resent) == 1 and resent[0].to_email == "gao@example.com"


def test_an_existing_speakers_details_are_not_overwritten_by_an_unverified_form(app_ctx):
    speaker = factories.speaker(email="li@example.com", name="Li Meisheng", phone="13900000000")
    event = open_event()
    outcome = services.register(
        event,
        details("li@example.com", name="Someone Else", phone="13711111111"),
        topic="t",
        summary="",
        suggestions=[],
        consent=True,
    )
    assert outcome.registration.speaker == speaker
    assert speaker.name == "Li Meisheng" and speaker.phone == "13900000000"


def test_registration_needs_consent_and_an_open_window(app_ctx):
    event = open_event()
    with pytest.raises(services.RegistrationError) as error:
        register(event, consent=False)
    assert error.value.field == "consent"
    for state in (EventState.DRAFT, EventState.REGISTRATION_CLOSED, EventState.HELD):
        closed = open_event(state=state)
        with pytest.raises(services.RegistrationError):
            register(closed)
    late = open_event(registration_closes_at=datetime.now(UTC) - timedelta(minutes=1))
    with pytest.raises(services.RegistrationError):
        register(late)


def test_a_full_event_offers_the_waiting_list(app_ctx, organizer):
    event = open_event(speaking_slots=1)
    first = register(event, "a@example.com").registration
    services.decide(first, RegistrationState.APPROVED, by=organizer)
    with pytest.raises(services.EventFullError):
        register(event, "b@example.com")
    waiting = register(event, "b@example.com", join_waiting_list=True).registration
    assert waiting.state is RegistrationState.WAITLISTED
    assert messages("waitlisted")[-1].to_email == "b@example.com"


DECISIONS = [
    RegistrationState.APPROVED,
    RegistrationState.WAITLISTED,
    RegistrationState.REJECTED,
    RegistrationState.CANCELLED,
]


@pytest.mark.parametrize(
    ("current", "target"),
    [(c, t) for c in RegistrationState for t in DECISIONS if c is not t],
)
def test_organizer_decisions_follow_the_allowed_moves(organizer, current, target):
    registration = factories.registration(event=open_event(speaking_slots=5), state=current)
    # Only the speaker moves an unconfirmed registration on.
    if target in REGISTRATION_TRANSITIONS[current] and current is not RegistrationState.UNCONFIRMED:
        services.decide(registration, target, by=organizer)
        assert registration.state is target
        assert messages()[-1].registration_id == registration.id
    else:
        with pytest.raises(services.RegistrationError):
            services.decide(registration, target, by=organizer)
        db.session.refresh(registration)
        assert registration.state is current
        assert messages() == []


def test_approval_beyond_the_slots_puts_the_rest_on_the_waiting_list_in_order(organizer):
    event = open_event(speaking_slots=2)
    registrations = [register(event, f"s{n}@example.com").registration for n in range(4)]
    outcome = services.decide_many(registrations, RegistrationState.APPROVED, by=organizer)
    assert [r.state for r in registrations] == [
        RegistrationState.APPROVED,
        RegistrationState.APPROVED,
        RegistrationState.WAITLISTED,
        RegistrationState.WAITLISTED,
    ]
    assert outcome.waitlisted == registrations[2:] and outcome.refused == []
    assert [m.to_email for m in messages("waitlisted")] == ["s2@example.com", "s3@example.com"]
    assert [r.id for r in queries.waiting_list(event.id)] == [r.id for r in registrations[2:]]


def test_approval_respects_a_team_quota(organizer):
    event = open_event(speaking_slots=5)
    db.session.add(
        TeamQuota(event_id=event.id, talent_team=TalentTeam.INDUSTRY_PROFESSOR, max_speakers=1)
    )
    professor_a = register(event, "pa@example.com", TalentTeam.INDUSTRY_PROFESSOR).registration
    professor_b = register(event, "pb@example.com", TalentTeam.INDUSTRY_PROFESSOR).registration
    enterprise = register(event, "e@example.com", TalentTeam.ENTERPRISE).registration
    services.decide(professor_a, RegistrationState.APPROVED, by=organizer)
    with pytest.raises(services.CapacityError, match="quota for Industry Professor"):
        services.decide(professor_b, RegistrationState.APPROVED, by=organizer)
    services.decide(enterprise, RegistrationState.APPROVED, by=organizer)


def test_a_freed_slot_goes_to_the_first_on_the_waiting_list_who_fits(organizer):
    event = open_event(speaking_slots=1)
    db.session.add(
        TeamQuota(event_id=event.id, talent_team=TalentTeam.INDUSTRY_PROFESSOR, max_speakers=0)
    )
    approved = register(event, "a@example.com").registration
    services.decide(approved, RegistrationState.APPROVED, by=organizer)
    professor = register(
        event, "p@example.com", TalentTeam.INDUSTRY_PROFESSOR, join_waiting_list=True
    ).registration
    second = register(event, "b@example.com", join_waiting_list=True).registration
    third = register(event, "c@example.com", join_waiting_list=True).registration

    services.withdraw(approved, by=approved.speaker)
    assert approved.state is RegistrationState.WITHDRAWN
    assert professor.state is RegistrationState.WAITLISTED, "their team's quota is full"
    assert second.state is RegistrationState.APPROVED
    assert third.state is RegistrationState.WAITLISTED
    assert messages("moved_up")[-1].to_email == "b@example.com"
    assert messages("withdrawn")[-1].to_email == "a@example.com"

    services.decide(second, RegistrationState.CANCELLED, by=organizer)
    assert third.state is RegistrationState.APPROVED


def test_withdrawing_a_waiting_registration_promotes_nobody(organizer):
    event = open_event(speaking_slots=1)
    services.decide(
        register(event, "a@example.com").registration, RegistrationState.APPROVED, by=organizer
    )
    waiting = register(event, "b@example.com", join_waiting_list=True).registration
    later = register(event, "c@example.com", join_waiting_list=True).registration
    services.withdraw(waiting, by=waiting.speaker)
    assert later.state is RegistrationState.WAITLISTED
    with pytest.raises(services.RegistrationError):
        services.withdraw(waiting, by=waiting.speaker)


def test_speakers_change_their_details_while_registration_is_open(app_ctx):
    event = open_event()
    registration = register(event).registration
    services.update_own_details(
        registration,
        details(name="Gao Lizhi", phone="13911112222", position="Dean"),
        topic="New topic",
        summary="Summary",
    )
    assert registration.speaker.phone == "13911112222" and registration.topic == "New topic"
    event.registration_closes_at = datetime.now(UTC) - timedelta(seconds=1)
    with pytest.raises(services.RegistrationError):
        services.update_own_details(registration, details(), topic="x", summary="")


def test_programme_orders_must_differ(organizer):
    event = open_event()
    a = register(event, "a@example.com").registration
    b = register(event, "b@example.com").registration
    for registration in (a, b):
        services.decide(registration, RegistrationState.APPROVED, by=organizer)
    with pytest.raises(services.RegistrationError):
        services.set_programme(event, {a.id: (1, 8), b.id: (1, 8)})
    services.set_programme(event, {a.id: (2, 10), b.id: (1, 8)})
    assert (a.speaking_order, a.speaking_minutes, b.speaking_order) == (2, 10, 1)


def test_unknown_tokens_find_nothing(app_ctx):
    assert services.find_by_token("not-a-token") is None
    assert services.find_by_token("") is None
    assert services.find_by_token("x" * 500) is None


def test_speaker_email_is_kept_lower_case(app_ctx):
    register(open_event(), "Wang.Hongyang@Example.COM")
    assert db.session.scalar(sa.select(Speaker.email)) == "wang.hongyang@example.com"
