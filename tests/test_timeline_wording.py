"""What the system writes on a timeline is kept as values and read in the reader's language."""

from datetime import date, timedelta

import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup import reminders, services
from talentday.followup.models import ResultClass, TimelineEntry, TimelineKind
from talentday.outbox.models import OutboxMessage
from tests import factories
from tests.conftest import sign_in, statements

CHINESE = {"Accept-Language": "zh-CN"}
ENGLISH = {"Accept-Language": "en"}
TODAY = date(2026, 9, 25)


def assigned_item(app, make_user) -> tuple[int, str]:
    """An item assigned to a lead and a co-handling unit that both have Chinese names."""
    with app.app_context():
        lead = factories.unit(name="Human Resources Bureau", name_zh="市人社局")
        co = factories.unit(name="Housing Bureau", name_zh="市住建局")
        db.session.commit()
        organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
        item = factories.item()
        services.assign(
            item, lead_unit=lead, co_units=[co], due_on=date(2026, 10, 20), instructions="",
            by=organizer, today=TODAY,
        )  # fmt: skip
        db.session.commit()
        return item.id, organizer.email


def timeline_text(page: str) -> str:
    return page.split('class="list-unstyled timeline"', 1)[1].split("</ol>", 1)[0]


def test_an_assignment_reads_in_the_readers_language(app, client, make_user):
    item_id, organizer = assigned_item(app, make_user)
    sign_in(client, organizer)
    chinese = timeline_text(
        client.get(f"/followup/items/{item_id}", headers=CHINESE).get_data(as_text=True)
    )
    assert "牵头单位：市人社局" in chinese and "协办单位：市住建局" in chinese
    assert "办理期限：2026年10月20日" in chinese
    assert "Bureau" not in chinese, "no English unit name in the Chinese timeline"
    english = timeline_text(
        client.get(f"/followup/items/{item_id}", headers=ENGLISH).get_data(as_text=True)
    )
    assert "Lead unit: Human Resources Bureau" in english
    assert "Co-handling units: Housing Bureau" in english and "Due on 2026-10-20" in english


def test_a_renamed_unit_reads_with_its_new_name_on_old_entries(app, client, make_user):
    item_id, organizer = assigned_item(app, make_user)
    with app.app_context():
        unit = db.session.scalar(
            sa.select(factories.ResponsibleUnit).where(
                factories.ResponsibleUnit.name == "Human Resources Bureau"
            )
        )
        unit.name = "Human Resources and Social Security Bureau"
        db.session.commit()
    sign_in(client, organizer)
    page = client.get(f"/followup/items/{item_id}", headers=ENGLISH).get_data(as_text=True)
    assert "Lead unit: Human Resources and Social Security Bureau" in timeline_text(page)


def test_the_entry_keeps_values_not_a_sentence(app, make_user):
    item_id, _ = assigned_item(app, make_user)
    with app.app_context():
        entry = db.session.scalar(
            sa.select(TimelineEntry).where(
                TimelineEntry.item_id == item_id, TimelineEntry.kind == TimelineKind.ASSIGNED
            )
        )
        assert entry.note == ""
        assert set(entry.details) == {"lead_unit", "co_units", "due_on"}
        assert entry.details["due_on"] == "2026-10-20"


def test_overdue_merge_and_split_read_in_chinese(app, client, make_user):
    item_id, organizer = assigned_item(app, make_user)
    another_organizer = make_user(Role.ORGANIZER)
    with app.app_context():
        reminders.remind(date(2026, 10, 23))
        user = db.session.get(User, another_organizer.id)
        item = db.session.get(factories.FollowUpItem, item_id)
        duplicate = factories.item(event=item.event)
        services.merge(duplicate, into=item, by=user)
        mixed = factories.item(event=item.event)
        parts = services.split(mixed, parts=["Apartments.", "A bus.", "A canteen."], by=user)
        db.session.commit()
        duplicate_id, mixed_id, part_ids = duplicate.id, mixed.id, [part.id for part in parts]
    sign_in(client, organizer)
    page = timeline_text(
        client.get(f"/followup/items/{item_id}", headers=CHINESE).get_data(as_text=True)
    )
    assert "办理期限2026年10月20日已过，3\u00a0天后仍无办理结果" in page
    assert f"事项 #{duplicate_id} 已并入本项" in page
    split = timeline_text(
        client.get(f"/followup/items/{mixed_id}", headers=CHINESE).get_data(as_text=True)
    )
    assert f"其余要点已拆分为事项 #{part_ids[0]}和#{part_ids[1]}" in split
    assert "Open talent apartments" in split, "what it said before stays, as written"
    english = client.get(f"/followup/items/{part_ids[0]}", headers=ENGLISH).get_data(as_text=True)
    assert f"Split from item #{mixed_id}" in timeline_text(english)
    merged = client.get(f"/followup/items/{duplicate_id}", headers=ENGLISH).get_data(as_text=True)
    assert f"Merged into item #{item_id}" in timeline_text(merged)


def test_the_timeline_loads_its_units_in_one_query(app, client, make_user):
    """However many assignments, the page reads the units they name at once."""
    item_id, organizer = assigned_item(app, make_user)
    with app.app_context():
        organizer_user = db.session.scalar(sa.select(User).where(User.email == organizer))
        item = db.session.get(factories.FollowUpItem, item_id)
        for number in range(5):
            unit = factories.unit(name=f"Bureau of reassignment {number}")
            services.assign(
                item, lead_unit=unit, co_units=[], due_on=date(2026, 10, 20) + timedelta(number),
                instructions="", by=organizer_user, today=TODAY,
            )  # fmt: skip
        db.session.commit()
    sign_in(client, organizer)
    with statements(app) as seen:
        page = client.get(f"/followup/items/{item_id}", headers=ENGLISH).get_data(as_text=True)
    for number in range(5):
        assert f"Lead unit: Bureau of reassignment {number}" in page
    unit_reads = [
        sql
        for sql in seen
        if sql.lstrip().upper().startswith("SELECT")
        and "FROM responsible_unit" in sql
        and " IN (" in sql.upper()
    ]
    assert len(unit_reads) == 1, unit_reads


def test_a_chinese_speaker_is_told_the_unit_by_its_chinese_name(app, make_user):
    item_id, _ = assigned_item(app, make_user)
    with app.app_context():
        item = db.session.get(factories.FollowUpItem, item_id)
        co_staff = db.session.get(
            User, make_user(Role.DEPARTMENT_STAFF, unit_id=item.co_units[0].id).id
        )
        item.speaker.locale = "zh_Hans"
        staff = db.session.get(User, make_user(Role.DEPARTMENT_STAFF, unit_id=item.lead_unit_id).id)
        services.accept(item, by=staff)
        services.give_opinion(item, opinion="同意。", by=co_staff)
        services.submit_result(
            item, result_class=ResultClass.SOLVED, result="已新增人才公寓三十套。", by=staff
        )
        db.session.commit()
        body = db.session.scalar(
            sa.select(OutboxMessage.body).where(OutboxMessage.kind == "item_resolved")
        )
    assert "市人社局已答复您的意见建议" in body
    assert "Bureau" not in body
