"""The rules of a follow-up item, without HTTP."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup import services
from talentday.followup.models import (
    ITEM_TRANSITIONS,
    FollowUpItem,
    ItemState,
    ResultClass,
    Satisfaction,
    TimelineEntry,
    TimelineKind,
)
from talentday.outbox.models import OutboxMessage
from tests import factories

TODAY = date(2026, 11, 27)


@pytest.fixture
def people(app_ctx, make_user, make_unit):
    lead, co, other = make_unit(name="Housing Bureau"), make_unit(name="Dev Zone"), make_unit()

    def user(role, unit=None):
        return db.session.get(User, make_user(role, unit_id=unit.id if unit else None).id)

    return {
        "organizer": user(Role.ORGANIZER),
        "lead": user(Role.DEPARTMENT_STAFF, lead),
        "co": user(Role.DEPARTMENT_STAFF, co),
        "other": user(Role.DEPARTMENT_STAFF, other),
        "units": (db.session.merge(lead), db.session.merge(co), db.session.merge(other)),
    }


def timeline(item) -> list[TimelineEntry]:
    return list(
        db.session.scalars(
            sa.select(TimelineEntry)
            .where(TimelineEntry.item_id == item.id)
            .order_by(TimelineEntry.at, TimelineEntry.id)
        )
    )


def assigned_item(people, **overrides) -> FollowUpItem:
    item = factories.item(**overrides)
    lead, co, _other = people["units"]
    services.assign(
        item,
        lead_unit=lead,
        co_units=[co],
        due_on=TODAY + timedelta(days=30),
        instructions="Report every two weeks.",
        by=people["organizer"],
        today=TODAY,
    )
    return item


def test_the_whole_path_is_kept_on_the_timeline(people):
    item = assigned_item(people)
    services.accept(item, by=people["lead"])
    services.post_progress(item, note="Draft policy ready.", percent=40, by=people["lead"])
    services.post_progress(item, note="Site offered.", percent=None, by=people["co"])
    services.give_opinion(item, opinion="Agreed.", by=people["co"])
    services.submit_result(
        item, result_class=ResultClass.SOLVED, result="Apartments open in March.", by=people["lead"]
    )
    services.close(item, by=people["organizer"])
    db.session.commit()
    entries = timeline(item)
    assert [e.kind for e in entries] == [
        TimelineKind.CREATED,
        TimelineKind.ASSIGNED,
        TimelineKind.ACCEPTED,
        TimelineKind.PROGRESS,
        TimelineKind.PROGRESS,
        TimelineKind.CO_OPINION,
        TimelineKind.RESULT,
        TimelineKind.CLOSED,
    ]
    assert [e.to_state for e in entries if e.to_state] == [
        ItemState.NEW,
        ItemState.ASSIGNED,
        ItemState.ACCEPTED,
        ItemState.IN_PROGRESS,
        ItemState.RESOLVED,
        ItemState.CLOSED,
    ]
    co_note = entries[4]
    assert co_note.unit.name == "Dev Zone" and co_note.to_state is None, "a contribution"
    assert item.result == "Apartments open in March." and item.closed_at is not None
    assert all(entry.actor_user is not None for entry in entries[1:])


def test_assignment_tells_the_units_and_defaults_to_the_events_period(people):
    item = factories.item(event=factories.event(follow_up_days=45))
    assert services.default_due_date(item, TODAY) == TODAY + timedelta(days=45)
    assigned_item(people, event=item.event)
    recipients = db.session.scalars(
        sa.select(OutboxMessage.to_email).where(OutboxMessage.kind == "item_assigned")
    ).all()
    assert sorted(recipients) == sorted([people["lead"].email, people["co"].email])


def test_assignment_refuses_a_past_due_date_and_an_inactive_unit(people):
    lead, _co, other = people["units"]
    item = factories.item()
    with pytest.raises(services.FollowUpError) as error:
        services.assign(
            item, lead_unit=lead, co_units=[], due_on=TODAY - timedelta(days=1),
            instructions="", by=people["organizer"], today=TODAY,
        )  # fmt: skip
    assert error.value.field == "due_on"
    other.active = False
    with pytest.raises(services.FollowUpError):
        services.assign(
            item, lead_unit=other, co_units=[], due_on=TODAY, instructions="",
            by=people["organizer"], today=TODAY,
        )  # fmt: skip
    assert item.state is ItemState.NEW


def test_a_returned_item_needs_a_reason_and_is_assigned_again(people):
    item = assigned_item(people)
    with pytest.raises(services.FollowUpError) as error:
        services.return_to_organizer(item, reason="  ", by=people["lead"])
    assert error.value.field == "reason"
    services.return_to_organizer(item, reason="Not ours: the HRSS Bureau's.", by=people["lead"])
    assert item.state is ItemState.RETURNED
    assert (
        db.session.scalar(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "item_returned")
        ).to_email
        == people["organizer"].email
    )
    _lead, _co, other = people["units"]
    services.assign(
        item, lead_unit=other, co_units=[], due_on=TODAY + timedelta(days=10),
        instructions="", by=people["organizer"], today=TODAY,
    )  # fmt: skip
    assert item.state is ItemState.ASSIGNED and item.lead_unit == other


def test_only_the_lead_unit_accepts_returns_and_resolves(people):
    item = assigned_item(people)
    for who in ("co", "other", "organizer"):
        with pytest.raises(services.FollowUpError):
            services.accept(item, by=people[who])
    services.accept(item, by=people["lead"])
    with pytest.raises(services.FollowUpError):
        services.post_progress(item, note="x", percent=None, by=people["other"])
    with pytest.raises(services.FollowUpError):
        services.submit_result(
            item, result_class=ResultClass.SOLVED, result="Done", by=people["co"]
        )


def test_result_straight_after_acceptance_passes_through_in_progress(people):
    item = assigned_item(people)
    services.accept(item, by=people["lead"])
    services.give_opinion(item, opinion="Agreed.", by=people["co"])
    services.submit_result(
        item, result_class=ResultClass.SOLVED, result="Done at once.", by=people["lead"]
    )
    states = [e.to_state for e in timeline(item) if e.to_state]
    assert states[-2:] == [ItemState.IN_PROGRESS, ItemState.RESOLVED]
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "item_resolved")
    )
    assert message.to_email == item.speaker.email and "Done at once." in message.body


def _at_state(people, state: ItemState) -> FollowUpItem:
    """An item brought to `state` along the allowed path."""
    item = factories.item()
    if state is ItemState.NEW:
        return item
    path = {
        ItemState.ASSIGNED: [],
        ItemState.RETURNED: ["return"],
        ItemState.ACCEPTED: ["accept"],
        ItemState.IN_PROGRESS: ["accept", "progress"],
        ItemState.RESOLVED: ["accept", "progress", "result"],
        ItemState.CLOSED: ["accept", "progress", "result", "close"],
        ItemState.REOPENED: ["accept", "progress", "result", "reopen"],
    }[state]
    lead, _co, _other = people["units"]
    services.assign(
        item, lead_unit=lead, co_units=[], due_on=TODAY, instructions="",
        by=people["organizer"], today=TODAY,
    )  # fmt: skip
    for step in path:
        MOVES[step](item, people)
    assert item.state is state
    return item


MOVES = {
    "assign": lambda item, p: services.assign(
        item, lead_unit=p["units"][2], co_units=[], due_on=TODAY, instructions="",
        by=p["organizer"], today=TODAY,
    ),
    "accept": lambda item, p: services.accept(item, by=p["lead"]),
    "return": lambda item, p: services.return_to_organizer(item, reason="Not ours", by=p["lead"]),
    "progress": lambda item, p: services.post_progress(
        item, note="Working", percent=10, by=p["lead"]
    ),
    "result": lambda item, p: services.submit_result(
        item, result_class=ResultClass.SOLVED, result="Done", by=p["lead"]
    ),
    "close": lambda item, p: services.close(item, by=p["organizer"]),
    "reopen": lambda item, p: services.reopen(item, reason="Not enough", by=p["organizer"]),
}  # fmt: skip

# Which moves each state allows (docs/domain.md), as the services offer them.
ALLOWED = {
    ItemState.NEW: {"assign"},
    ItemState.ASSIGNED: {"assign", "accept", "return"},
    ItemState.RETURNED: {"assign"},
    ItemState.ACCEPTED: {"progress", "result"},
    ItemState.IN_PROGRESS: {"progress", "result"},
    ItemState.RESOLVED: {"close", "reopen"},
    ItemState.CLOSED: {"reopen"},
    ItemState.REOPENED: {"progress", "result"},
}


@pytest.mark.parametrize("state", list(ItemState))
@pytest.mark.parametrize("move", list(MOVES))
def test_every_move_from_every_state(people, state, move):
    item = _at_state(people, state)
    entries_before = len(timeline(item))
    if move in ALLOWED[state]:
        MOVES[move](item, people)
        assert len(timeline(item)) > entries_before
    else:
        with pytest.raises(services.FollowUpError):
            MOVES[move](item, people)
        assert item.state is state, "a refused move changes nothing"


def test_the_transition_table_matches_the_domain():
    assert ITEM_TRANSITIONS[ItemState.RESOLVED] == {ItemState.CLOSED, ItemState.REOPENED}
    assert ITEM_TRANSITIONS[ItemState.REOPENED] == {ItemState.IN_PROGRESS}
    assert ITEM_TRANSITIONS[ItemState.RETURNED] == {ItemState.ASSIGNED}


def test_the_speaker_rates_and_unsatisfied_reopens(people):
    item = _at_state(people, ItemState.RESOLVED)
    stranger = factories.speaker()
    with pytest.raises(services.FollowUpError):
        services.rate(item, satisfaction=Satisfaction.SATISFIED, comment="", speaker=stranger)
    with pytest.raises(services.FollowUpError) as error:
        services.rate(item, satisfaction=Satisfaction.UNSATISFIED, comment="", speaker=item.speaker)
    assert error.value.field == "comment"
    services.rate(
        item, satisfaction=Satisfaction.UNSATISFIED, comment="No date given.", speaker=item.speaker
    )
    assert item.state is ItemState.REOPENED and item.satisfaction is Satisfaction.UNSATISFIED
    kinds = [entry.kind for entry in timeline(item)][-2:]
    assert kinds == [TimelineKind.RATED, TimelineKind.REOPENED]
    reopened = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "item_reopened")
    )
    assert reopened.to_email == people["lead"].email and "No date given." in reopened.body


def test_rating_waits_for_the_answer(people):
    item = _at_state(people, ItemState.IN_PROGRESS)
    with pytest.raises(services.FollowUpError):
        services.rate(item, satisfaction=Satisfaction.SATISFIED, comment="", speaker=item.speaker)


def test_a_stale_version_is_refused(people):
    item = _at_state(people, ItemState.ASSIGNED)
    seen = item.version
    db.session.commit()
    services.accept(item, by=people["lead"], expected_version=seen)
    db.session.commit()
    with pytest.raises(services.ConflictError):
        services.return_to_organizer(item, reason="late", by=people["lead"], expected_version=seen)


def test_urging_goes_on_the_timeline_and_to_the_units(people):
    item = _at_state(people, ItemState.ACCEPTED)
    services.urge(item, note="The leaders ask for a date.", by=people["organizer"])
    assert timeline(item)[-1].kind is TimelineKind.URGED
    assert (
        db.session.scalar(
            sa.select(OutboxMessage.to_email).where(OutboxMessage.kind == "item_urged")
        )
        == people["lead"].email
    )
    closed = _at_state(people, ItemState.CLOSED)
    with pytest.raises(services.FollowUpError):
        services.urge(closed, note="", by=people["organizer"])


def test_merge_links_both_speakers_and_split_makes_new_items(people):
    event = factories.event()
    first = factories.item(event=event, content="Talent apartments near the zone.")
    second = factories.item(event=event, content="Housing for young engineers near the zone.")
    services.merge(second, into=first, by=people["organizer"])
    assert second.merged_into == first
    assert services.merged_speakers(first) == [second.speaker]
    with pytest.raises(services.FollowUpError):
        services.merge(first, into=first, by=people["organizer"])
    with pytest.raises(services.FollowUpError):
        services.merge(factories.item(), into=first, by=people["organizer"])  # another event

    mixed = factories.item(content="Subsidies and schools and housing.")
    created = services.split(
        mixed, parts=["Subsidies.", "Schools.", "", "Housing."], by=people["organizer"]
    )
    assert mixed.content == "Subsidies." and [i.content for i in created] == [
        "Schools.",
        "Housing.",
    ]
    assert all(i.speaker == mixed.speaker and i.state is ItemState.NEW for i in created)
    assert timeline(mixed)[-1].kind is TimelineKind.SPLIT
    with pytest.raises(services.FollowUpError):
        services.split(mixed, parts=["Only one"], by=people["organizer"])


def test_timeline_entries_are_never_changed_by_later_moves(people):
    item = assigned_item(people)
    first = [(e.id, e.kind, e.note, e.at) for e in timeline(item)]
    services.accept(item, by=people["lead"])
    services.post_progress(item, note="More", percent=50, by=people["lead"])
    db.session.commit()
    assert [(e.id, e.kind, e.note, e.at) for e in timeline(item)][: len(first)] == first
