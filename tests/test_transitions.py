"""The tables of moves of registrations and events say who may make each move, and the
services refuse everyone else on their own (issue 9): every transition by every kind of
actor, without HTTP.

An event has no organizer of its own (events.permissions.may_manage): every organizer
manages every event, so "another organizer" is no separate kind here.
"""

from datetime import UTC, datetime, timedelta

import pytest

from talentday.actors import SYSTEM, Who
from talentday.auth.models import Role, User
from talentday.events import services as event_services
from talentday.events.models import EVENT_TRANSITIONS, EventState
from talentday.extensions import db
from talentday.registrations import services
from talentday.registrations.models import REGISTRATION_TRANSITIONS, RegistrationState
from tests import factories

ACTORS = ("admin", "organizer", "staff", "leader", "speaker", "other_speaker", "nobody", "system")
KIND = {"organizer": Who.ORGANIZER, "speaker": Who.SPEAKER, "system": Who.SYSTEM}


@pytest.fixture
def cast(app_ctx, make_user):
    def user(role):
        return db.session.get(User, make_user(role).id)

    return {
        "admin": user(Role.ADMIN),
        "organizer": user(Role.ORGANIZER),
        "staff": user(Role.DEPARTMENT_STAFF),
        "leader": user(Role.LEADER),
        "other_speaker": factories.speaker(),
        "nobody": None,
        "system": SYSTEM,
    }


def open_event(**overrides):
    now = datetime.now(UTC)
    values = {
        "starts_at": now + timedelta(days=30),
        "ends_at": now + timedelta(days=30, hours=3),
        "registration_opens_at": now - timedelta(days=1),
        "registration_closes_at": now + timedelta(days=20),
        "speaking_slots": 5,
    }
    values.update(overrides)
    return factories.event(**values)


def _attempt(name, actor, registration, target) -> None:
    """Ask the service that makes this kind of move to make it, as `actor`."""
    if registration.state is RegistrationState.UNCONFIRMED and target in (
        RegistrationState.SUBMITTED,
        RegistrationState.WAITLISTED,
    ):
        services.confirm(registration, by=actor)
    elif target is RegistrationState.WITHDRAWN:
        services.withdraw(registration, by=actor)
    elif name == "system" and target is RegistrationState.APPROVED:
        services.promote_from_waiting_list(registration.event)  # the system's only move
    else:
        services.decide(registration, target, by=actor)


TABLE = [(c, t) for c, targets in REGISTRATION_TRANSITIONS.items() for t in targets]


@pytest.mark.parametrize(("current", "target"), TABLE, ids=lambda s: s.value)
def test_each_registration_move_by_each_kind_of_actor(cast, current, target):
    wrong = []
    for name in ACTORS:
        # Confirming onto the waiting list happens when the slots have gone meanwhile.
        full = current is RegistrationState.UNCONFIRMED and target is RegistrationState.WAITLISTED
        event = open_event(speaking_slots=1)
        if full:
            factories.registration(event=event, state=RegistrationState.APPROVED)
        registration = factories.registration(event=event, state=current)
        actor = registration.speaker if name == "speaker" else cast[name]
        allowed = KIND.get(name) in REGISTRATION_TRANSITIONS[current][target]
        assert services.may_transition(actor, registration, target) == allowed, name
        try:
            _attempt(name, actor, registration, target)
        except services.RegistrationError:
            made = False
        else:
            made = registration.state is target
        if made != allowed:
            wrong.append(f"{name} {'made' if made else 'was refused'}")
    assert wrong == []


@pytest.mark.parametrize("current", list(RegistrationState), ids=lambda s: s.value)
def test_moves_outside_the_table_are_refused_to_everyone(cast, current):
    event = open_event()
    for target in RegistrationState:
        if target in REGISTRATION_TRANSITIONS[current] or target is current:
            continue
        for name in ACTORS:
            registration = factories.registration(event=event, state=current)
            actor = registration.speaker if name == "speaker" else cast[name]
            assert not services.may_transition(actor, registration, target)
            try:
                _attempt(name, actor, registration, target)
            except services.RegistrationError:
                pass
            else:
                # Only the waiting list's promotion says nothing: it finds nobody to move up.
                assert name == "system", (name, target)
            assert registration.state is current, (name, target)


def test_an_organizer_is_told_an_unconfirmed_registration_waits_on_the_speaker(cast):
    registration = factories.registration(event=open_event(), state=RegistrationState.UNCONFIRMED)
    with pytest.raises(services.RegistrationRefused) as refused:
        services.decide(registration, RegistrationState.APPROVED, by=cast["organizer"])
    assert "not confirmed" in str(refused.value.message)
    assert registration.state is RegistrationState.UNCONFIRMED


def test_another_speaker_cannot_withdraw_a_registration(cast):
    registration = factories.registration(event=open_event(), state=RegistrationState.APPROVED)
    with pytest.raises(services.RegistrationRefused):
        services.withdraw(registration, by=cast["other_speaker"])
    assert registration.state is RegistrationState.APPROVED
    services.withdraw(registration, by=registration.speaker)
    assert registration.state is RegistrationState.WITHDRAWN


EVENT_TABLE = [(c, t) for c, targets in EVENT_TRANSITIONS.items() for t in targets]


@pytest.mark.parametrize(("current", "target"), EVENT_TABLE, ids=lambda s: s.value)
def test_each_event_move_by_each_kind_of_actor(cast, current, target):
    cast["speaker"] = factories.speaker()
    for name in ACTORS:
        event = factories.event(state=current)
        allowed = KIND.get(name) in EVENT_TRANSITIONS[current][target]
        assert event_services.may_transition(cast[name], event, target) == allowed, name
        if allowed:
            event_services.change_state(event, target, by=cast[name])
            assert event.state is target
        else:
            with pytest.raises(event_services.EventRefused):
                event_services.change_state(event, target, by=cast[name])
            assert event.state is current, name


def test_only_those_who_manage_events_create_or_change_them(cast):
    starts = datetime(2027, 3, 20, 6, 30, tzinfo=UTC)
    details = event_services.EventDetails(
        series="Talent Salon",
        title="A salon",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        speaking_slots=8,
    )
    existing = factories.event(state=EventState.DRAFT, title="Before")
    for name in ("admin", "staff", "leader", "other_speaker", "nobody", "system"):
        with pytest.raises(event_services.EventRefused):
            event_services.save_event(None, details, by=cast[name])
        with pytest.raises(event_services.EventRefused):
            event_services.save_event(existing, details, by=cast[name])
    assert existing.title == "Before"
    assert event_services.save_event(existing, details, by=cast["organizer"]).title == "A salon"
