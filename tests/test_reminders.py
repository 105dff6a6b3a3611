"""`flask remind`: digests for units, a summary for organizers, overdue flags — once a day."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup import services
from talentday.followup.models import (
    FollowUpItem,
    ItemState,
    ResultClass,
    TimelineEntry,
    TimelineKind,
)
from talentday.followup.reminders import remind
from talentday.i18n import city_today
from talentday.outbox.models import OutboxMessage
from tests import factories


@pytest.fixture
def setting(app_ctx, make_user, make_unit):
    lead, quiet = make_unit(name="Housing Bureau"), make_unit(name="Quiet Bureau")
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    staff = db.session.get(User, make_user(Role.DEPARTMENT_STAFF, unit_id=lead.id).id)
    make_user(Role.DEPARTMENT_STAFF, unit_id=quiet.id)
    today = city_today()
    items = {}
    for name, due in (("late", -3), ("soon", 5), ("later", 40)):
        item = factories.item(content=f"The {name} item")
        services.assign(
            item, lead_unit=staff.unit, co_units=[], due_on=today + timedelta(days=40),
            instructions="", by=organizer, today=today,
        )  # fmt: skip
        item.due_on = today + timedelta(days=due)
        items[name] = item
    factories.item(content="Waiting for assignment")
    db.session.commit()
    return {"items": items, "staff": staff, "organizer": organizer, "today": today}


def messages(kind):
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def test_remind_queues_digests_flags_and_a_summary(setting, runner):
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "Flagged 1 newly overdue items; queued 1 unit digests and 1 organizer summaries" in (
        result.output
    )
    (digest,) = messages("unit_digest")
    assert digest.to_email == setting["staff"].email
    assert "The late item" in digest.body and "3 days overdue" in digest.body
    assert "The soon item" in digest.body and "The later item" not in digest.body
    (summary,) = messages("organizer_summary")
    assert summary.to_email == setting["organizer"].email
    assert "Housing Bureau: 1" in summary.body and "(new or returned): 1" in summary.body
    flags = db.session.scalars(
        sa.select(TimelineEntry).where(TimelineEntry.kind == TimelineKind.BECAME_OVERDUE)
    ).all()
    assert [flag.item_id for flag in flags] == [setting["items"]["late"].id]


def test_running_twice_a_day_changes_nothing_more(setting):
    remind(setting["today"])
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    again = remind(setting["today"])
    db.session.commit()
    assert again.flagged == [] and again.digests == 0 and again.summaries == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == before


def test_the_next_day_flags_only_newly_late_items(setting):
    remind(setting["today"])
    db.session.commit()
    later = remind(setting["today"] + timedelta(days=6))
    assert later.flagged == [setting["items"]["soon"].id]
    assert later.digests == 1


def test_resolved_items_are_left_out(setting):
    late = db.session.get(FollowUpItem, setting["items"]["late"].id)
    services.accept(late, by=setting["staff"])
    services.submit_result(
        late, result_class=ResultClass.SOLVED, result="Done.", by=setting["staff"]
    )
    assert late.state is ItemState.RESOLVED
    run = remind(setting["today"])
    assert run.flagged == []
    assert "The late item" not in messages("unit_digest")[0].body
