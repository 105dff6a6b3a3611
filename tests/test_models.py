"""What the database itself guarantees, whatever code writes to it."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup.models import (
    ITEM_TRANSITIONS,
    FollowUpItem,
    ItemState,
    TimelineEntry,
    TimelineKind,
)
from talentday.registrations.models import Registration
from tests import factories


def test_one_registration_per_speaker_per_event(app_ctx):
    registration = factories.registration()
    db.session.commit()
    db.session.add(Registration(event=registration.event, speaker=registration.speaker))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_the_same_speaker_may_register_for_another_event(app_ctx):
    registration = factories.registration()
    factories.registration(speaker=registration.speaker)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 2


def test_speaker_emails_are_unique(app_ctx):
    factories.speaker(email="gao@example.com")
    with pytest.raises(IntegrityError):
        factories.speaker(email="gao@example.com")
    db.session.rollback()


def test_foreign_keys_are_enforced(app_ctx):
    db.session.add(Registration(event_id=999_999, speaker_id=999_999))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_department_staff_must_belong_to_a_unit_and_others_must_not(app_ctx):
    db.session.add(
        User(email="a@example.com", name="A", password_hash="x", role=Role.DEPARTMENT_STAFF)
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    unit = factories.unit()
    db.session.add(
        User(email="b@example.com", name="B", password_hash="x", role=Role.LEADER, unit=unit)
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_event_must_end_after_it_starts_and_have_a_slot(app_ctx):
    start = datetime(2026, 9, 20, 6, 30, tzinfo=UTC)
    with pytest.raises(IntegrityError):
        factories.event(starts_at=start, ends_at=start - timedelta(hours=1))
    db.session.rollback()
    with pytest.raises(IntegrityError):
        factories.event(speaking_slots=0)
    db.session.rollback()


def test_registration_must_close_before_the_event_starts(app_ctx):
    start = datetime(2026, 9, 20, 6, 30, tzinfo=UTC)
    with pytest.raises(IntegrityError):
        factories.event(starts_at=start, registration_closes_at=start + timedelta(days=1))
    db.session.rollback()


def test_an_assigned_item_needs_a_lead_unit_and_a_due_date(app_ctx):
    with pytest.raises(IntegrityError):
        factories.item(state=ItemState.ASSIGNED, lead_unit=None, due_on=None)
    db.session.rollback()


def test_an_item_needs_someone_who_raised_it(app_ctx):
    with pytest.raises(IntegrityError):
        factories.item(speaker=None, raised_by_name="")
    db.session.rollback()
    item = factories.item(speaker=None, raised_by_name="A visiting professor")
    assert item.raised_by == "A visiting professor"


def test_states_outside_the_enum_are_refused_by_the_database(app_ctx):
    item = factories.item()
    db.session.commit()
    with pytest.raises((IntegrityError, StatementError)):
        db.session.execute(
            sa.text("UPDATE followup_item SET state = 'lost' WHERE id = :id"), {"id": item.id}
        )
        db.session.flush()
    db.session.rollback()


def test_timestamps_come_back_aware_and_in_utc(app_ctx):
    beijing = timezone(timedelta(hours=8))
    event = factories.event(
        starts_at=datetime(2026, 9, 20, 14, 30, tzinfo=beijing),
        ends_at=datetime(2026, 9, 20, 17, 30, tzinfo=beijing),
    )
    db.session.commit()
    db.session.expire_all()
    assert event.starts_at == datetime(2026, 9, 20, 6, 30, tzinfo=UTC)
    assert event.starts_at.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(app_ctx):
    with pytest.raises(StatementError, match="naive datetime"):
        factories.event(starts_at=datetime(2026, 9, 20, 14, 30))  # noqa: DTZ001
    db.session.rollback()


def test_saving_a_stale_copy_of_an_item_fails_instead_of_overwriting(app_ctx):
    item = factories.item()
    db.session.commit()
    # Two people open the same item: one in this session, one in another.
    with Session(db.engine) as other_session:
        stale_copy = other_session.get(FollowUpItem, item.id)
        item.instructions = "First editor's instructions."
        db.session.commit()
        stale_copy.instructions = "Second editor's instructions."
        with pytest.raises(StaleDataError):
            other_session.commit()
    db.session.expire_all()
    assert item.instructions == "First editor's instructions."
    assert item.version == 2


def test_overdue_means_past_due_and_not_resolved_or_closed(app_ctx):
    today = date(2026, 11, 27)
    item = factories.item(state=ItemState.IN_PROGRESS, due_on=date(2026, 11, 26))
    assert item.is_overdue(today)
    item.due_on = today
    assert not item.is_overdue(today), "due today is not late yet"
    item.due_on = date(2026, 11, 1)
    for state in (ItemState.RESOLVED, ItemState.CLOSED):
        item.state = state
        assert not item.is_overdue(today)


def test_every_state_has_its_moves_and_none_lead_back_to_new():
    assert set(ITEM_TRANSITIONS) == set(ItemState)
    assert all(ItemState.NEW not in targets for targets in ITEM_TRANSITIONS.values())
    assert ITEM_TRANSITIONS[ItemState.ASSIGNED] == {ItemState.ACCEPTED, ItemState.RETURNED}
    assert ItemState.REOPENED in ITEM_TRANSITIONS[ItemState.RESOLVED]


def test_timeline_entries_keep_who_when_and_what(app_ctx):
    item = factories.item()
    unit = factories.unit()
    entry = TimelineEntry(
        item=item,
        kind=TimelineKind.PROGRESS,
        unit=unit,
        from_state=ItemState.ACCEPTED,
        to_state=ItemState.IN_PROGRESS,
        note="Draft policy sent for comment.",
        progress_percent=40,
    )
    db.session.add(entry)
    db.session.commit()
    assert entry.at.tzinfo is not None
    with pytest.raises(IntegrityError):
        db.session.add(TimelineEntry(item=item, kind=TimelineKind.PROGRESS, progress_percent=140))
        db.session.commit()
    db.session.rollback()
