"""Key items and leaders' instructions (重点督办, 领导批示): a leader marks an item and
instructs; the units are told and find it first on their desks and in their daily lists;
the daily run tells the leaders and organizers once when a key item misses its due date; the
report lists the key items. Leaders make no other move."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup import services
from talentday.followup.models import ItemState, TimelineEntry, TimelineKind
from talentday.followup.moves import FollowUpError, Move, MoveRefused, allowed_moves
from talentday.followup.reminders import remind
from talentday.i18n import city_today
from talentday.main.services import unit_desk
from talentday.outbox.models import OutboxMessage
from tests import factories
from tests.conftest import csrf_token, sign_in

INSTRUCTION = "Agree a site with the Development Zone and report to me weekly."


@pytest.fixture
def setting(app_ctx, make_user):
    housing, zone = factories.unit(name="Housing Bureau"), factories.unit(name="Development Zone")
    db.session.commit()

    def user(role, unit=None, **extra):
        return db.session.get(User, make_user(role, unit_id=unit.id if unit else None, **extra).id)

    people = {
        "leader": user(Role.LEADER, name="Sun Hu"),
        "organizer": user(Role.ORGANIZER),
        "housing": user(Role.DEPARTMENT_STAFF, housing),
        "zone": user(Role.DEPARTMENT_STAFF, zone, locale="zh_Hans"),
    }
    today = city_today()
    item = factories.item(
        content="Talent apartments near the Development Zone.",
        state=ItemState.ACCEPTED, lead_unit=housing, co_units=[zone],
        due_on=today + timedelta(days=20),
    )  # fmt: skip
    return {"item": item, "units": (housing, zone), "today": today, **people}


def told(kind: str) -> list[OutboxMessage]:
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    ).all()


def test_a_leader_marks_a_key_item_and_its_units_are_told_in_their_language(setting):
    item = setting["item"]
    services.mark_key(item, instruction=f"  {INSTRUCTION} ", by=setting["leader"])
    db.session.flush()
    assert item.is_key and item.key_instruction == INSTRUCTION
    entry = db.session.scalars(
        sa.select(TimelineEntry).where(
            TimelineEntry.item_id == item.id, TimelineEntry.kind == TimelineKind.KEY_MARKED
        )
    ).one()
    assert entry.actor_user_id == setting["leader"].id and entry.note == INSTRUCTION
    messages = {message.to_email: message for message in told("leader_instruction")}
    assert set(messages) == {setting["housing"].email, setting["zone"].email}
    english = messages[setting["housing"].email]
    assert "Sun Hu has given an instruction" in english.body and INSTRUCTION in english.body
    chinese = messages[setting["zone"].email]
    assert (
        "重点督办" in chinese.subject
        and "Sun Hu对这条列为重点督办的意见建议作出批示" in chinese.body
    )


def test_only_leaders_mark_instruct_and_lift_and_nothing_else_is_theirs(setting):
    item = setting["item"]
    for who in ("organizer", "housing", "zone"):
        with pytest.raises(MoveRefused):
            services.mark_key(item, instruction=INSTRUCTION, by=setting[who])
    with pytest.raises(FollowUpError) as empty:
        services.mark_key(item, instruction="   ", by=setting["leader"])
    assert empty.value.field == "instruction" and not item.is_key
    with pytest.raises(MoveRefused, match="mark it first"):
        services.instruct(item, instruction="Faster.", by=setting["leader"])
    assert allowed_moves(setting["leader"], item) == {Move.MARK_KEY}
    services.mark_key(item, instruction=INSTRUCTION, by=setting["leader"])
    assert allowed_moves(setting["leader"], item) == {Move.INSTRUCT, Move.LIFT_KEY}
    with pytest.raises(MoveRefused, match="key item already"):
        services.mark_key(item, instruction=INSTRUCTION, by=setting["leader"])


def test_a_later_instruction_takes_the_place_of_the_first_and_the_mark_can_be_lifted(setting):
    item = setting["item"]
    services.mark_key(item, instruction=INSTRUCTION, by=setting["leader"])
    services.instruct(item, instruction="Report daily from now on.", by=setting["leader"])
    assert item.key_instruction == "Report daily from now on."
    assert len(told("leader_instruction")) == 4  # two units' staff, twice
    with pytest.raises(FollowUpError) as empty:
        services.lift_key(item, reason="", by=setting["leader"])
    assert empty.value.field == "reason"
    services.lift_key(item, reason="The site is agreed.", by=setting["leader"])
    db.session.flush()
    assert not item.is_key and item.key_instruction == ""
    kinds = db.session.scalars(
        sa.select(TimelineEntry.kind)
        .where(TimelineEntry.item_id == item.id)
        .order_by(TimelineEntry.id)
    ).all()
    assert kinds[-3:] == [
        TimelineKind.KEY_MARKED, TimelineKind.LEADER_INSTRUCTION, TimelineKind.KEY_LIFTED
    ]  # fmt: skip


def test_a_key_item_not_assigned_yet_is_told_to_the_organizers_and_a_closed_one_keeps_its_mark(
    setting,
):
    new = factories.item(state=ItemState.NEW)
    services.mark_key(new, instruction=INSTRUCTION, by=setting["leader"])
    assert [m.to_email for m in told("leader_instruction")] == [setting["organizer"].email]
    closed = factories.item(state=ItemState.CLOSED, lead_unit=setting["units"][0])
    with pytest.raises(MoveRefused):
        services.mark_key(closed, instruction=INSTRUCTION, by=setting["leader"])
    closed.key_at, closed.key_instruction = new.key_at, INSTRUCTION
    with pytest.raises(MoveRefused):
        services.lift_key(closed, reason="Done.", by=setting["leader"])


def test_key_items_come_first_on_the_desk_and_in_the_daily_list(setting):
    housing = setting["units"][0]
    today = setting["today"]
    sooner = factories.item(
        content="Sooner, not key.", state=ItemState.IN_PROGRESS, lead_unit=housing,
        due_on=today + timedelta(days=3),
    )  # fmt: skip
    later = factories.item(
        content="Later, key.", state=ItemState.IN_PROGRESS, lead_unit=housing,
        due_on=today + timedelta(days=5),
    )  # fmt: skip
    services.mark_key(later, instruction=INSTRUCTION, by=setting["leader"])
    db.session.flush()
    desk = unit_desk(housing.id, today)
    assert [item.id for item in desk.groups["due_soon"].items] == [later.id, sooner.id]

    remind(today)
    (digest,) = [m for m in told("unit_digest") if m.to_email == setting["housing"].email]
    body = digest.body
    assert body.index(f"#{later.id}") < body.index(f"#{sooner.id}")
    assert f"[Key item] #{later.id}" in body
    assert f"Leader's instruction: {INSTRUCTION}" in body


def test_a_key_item_gone_overdue_is_told_to_leaders_and_organizers_once_per_due_date(setting):
    item, today = setting["item"], setting["today"]
    item.state, item.due_on = ItemState.IN_PROGRESS, today - timedelta(days=2)
    factories.item(  # overdue too, but not key: the units' digests carry it, not this
        state=ItemState.IN_PROGRESS, lead_unit=setting["units"][0], due_on=item.due_on
    )
    services.mark_key(item, instruction=INSTRUCTION, by=setting["leader"])
    db.session.flush()

    run = remind(today)
    assert run.escalated == [item.id] and run.escalations == 2
    messages = told("key_overdue")
    assert {m.to_email for m in messages} == {setting["leader"].email, setting["organizer"].email}
    body = messages[0].body
    assert f"#{item.id} Talent apartments" in body and "Housing Bureau" in body
    assert "2 days overdue" in body and INSTRUCTION in body
    assert "Key items overdue: 1" in messages[0].subject

    again = remind(today)  # the same day, or the next: told once for this due date
    assert again.escalated == [] and len(told("key_overdue")) == 2
    assert remind(today + timedelta(days=1)).escalated == []

    # Given more time, and late again: told again.
    item.due_on = today + timedelta(days=3)
    assert remind(today).escalated == []
    assert remind(today + timedelta(days=5)).escalated == [item.id]
    assert len(told("key_overdue")) == 4


def test_the_leader_marks_it_from_the_item_page_and_the_unit_sees_it_first(app, make_user):
    with app.app_context():
        housing = factories.unit(name="Housing Bureau")
        db.session.commit()
        item = factories.item(
            content="Talent apartments.", state=ItemState.ACCEPTED, lead_unit=housing,
            due_on=city_today() + timedelta(days=20),
        )  # fmt: skip
        db.session.commit()
        item_id, housing_id = item.id, housing.id
    page = f"/followup/items/{item_id}"
    staff = app.test_client()
    sign_in(staff, make_user(Role.DEPARTMENT_STAFF, unit_id=housing_id).email)
    assert "Make it a key item" not in staff.get(page).get_data(as_text=True)
    assert (
        staff.post(f"{page}/key", data={"csrf_token": csrf_token(staff, page)}).status_code == 403
    )

    leader = app.test_client()
    sign_in(leader, make_user(Role.LEADER, name="Sun Hu").email)
    shown = leader.get(page).get_data(as_text=True)
    assert "Make it a key item" in shown and "Accept item" not in shown
    form = {"csrf_token": csrf_token(leader, page), "key-instruction": ""}
    refused = leader.post(f"{page}/key", data=form)
    assert refused.status_code == 400 and "Write your instruction" in refused.get_data(as_text=True)
    form["key-instruction"] = "Report <b>weekly</b>."
    assert leader.post(f"{page}/key", data=form).status_code == 302
    shown = leader.get(page).get_data(as_text=True)
    banner = shown.split('id="key-item"', 1)[1].split("</div>", 1)[0]
    assert "Report &lt;b&gt;weekly&lt;/b&gt;." in banner and "Sun Hu" in banner
    assert "Give a new instruction" in shown and "Make it a key item" not in shown

    desk = staff.get("/home").get_data(as_text=True)
    assert "Key item" in desk and "Report &lt;b&gt;weekly&lt;/b&gt;." in desk
    home = leader.get("/home").get_data(as_text=True)
    assert "figure=key" in home


def test_the_report_and_its_workbook_list_the_key_items(app, make_user):
    with app.app_context():
        housing = factories.unit(name="Housing Bureau")
        db.session.commit()
        factories.item(
            content="Talent apartments.", state=ItemState.IN_PROGRESS, lead_unit=housing,
            due_on=city_today() - timedelta(days=4), key_instruction=INSTRUCTION,
            key_at=datetime.now(UTC),
        )  # fmt: skip
        factories.item(content="Not key.", state=ItemState.NEW)
        db.session.commit()
    client = app.test_client()
    sign_in(client, make_user(Role.LEADER).email)
    report = client.get("/dashboard/report").get_data(as_text=True)
    section = report.split('id="key-items"', 1)[1].split("</section>", 1)[0]
    assert "Talent apartments." in section and INSTRUCTION in section
    assert "4 days overdue" in section and "Not key." not in section
    book = load_workbook(io.BytesIO(client.get("/dashboard/report.xlsx").data))
    rows = [[cell.value for cell in row] for row in book["Key items"].iter_rows()]
    (row,) = [row for row in rows if row[1] == "Talent apartments."]
    assert row[2] == "Housing Bureau" and row[3] == INSTRUCTION and row[6] == 4
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["Key items"] == 1 and summary["Key items overdue"] == 1

    chinese = client.get("/dashboard/report", headers={"Accept-Language": "zh-CN"})
    chinese = chinese.get_data(as_text=True)
    assert "重点督办事项与领导批示" in chinese and "已逾期 4\u00a0天" in chinese


def test_a_key_item_merged_into_another_hands_its_mark_to_the_item_that_carries_on(setting):
    """Found by the attack: the duplicate kept the mark, counted nowhere, and could no
    longer be lifted; the item that carries on was not key."""
    leader, organizer = setting["leader"], setting["organizer"]
    duplicate = factories.item(state=ItemState.NEW, event=setting["item"].event)
    into = factories.item(state=ItemState.NEW, event=duplicate.event)
    services.mark_key(duplicate, instruction=INSTRUCTION, by=leader)
    services.merge(duplicate, into=into, by=organizer)
    db.session.flush()
    assert into.is_key and into.key_instruction == INSTRUCTION and not duplicate.is_key
    assert allowed_moves(leader, into) == {Move.INSTRUCT, Move.LIFT_KEY}
    marked = db.session.scalars(
        sa.select(TimelineEntry).where(
            TimelineEntry.item_id == into.id, TimelineEntry.kind == TimelineKind.KEY_MARKED
        )
    ).one()
    assert marked.actor_user_id == leader.id  # the leader's instruction, not the organizer's


def test_the_units_given_a_key_item_learn_the_instruction_and_hear_when_it_is_lifted(setting):
    """Found by the attack: a unit assigned an item marked before assignment was never told
    of the instruction, nor anyone of the mark being lifted."""
    new = factories.item(state=ItemState.NEW)
    services.mark_key(new, instruction=INSTRUCTION, by=setting["leader"])
    services.assign(
        new, lead_unit=setting["units"][0], co_units=[], due_on=setting["today"],
        instructions="", by=setting["organizer"], today=setting["today"],
    )  # fmt: skip
    to_units = [m for m in told("leader_instruction") if m.to_email == setting["housing"].email]
    assert len(to_units) == 1 and "Sun Hu has given an instruction" in to_units[0].body
    services.lift_key(new, reason="The site is agreed.", by=setting["leader"])
    (lifted,) = told("key_lifted")
    assert lifted.to_email == setting["housing"].email and "The site is agreed." in lifted.body


@pytest.mark.parametrize("blank", ["\u200b\u200b", "\ufeff \u200d", "\u3000", "\u00a0\n"])
def test_an_instruction_of_invisible_characters_only_is_refused(setting, blank):
    with pytest.raises(FollowUpError) as empty:
        services.mark_key(setting["item"], instruction=blank, by=setting["leader"])
    assert empty.value.field == "instruction" and not setting["item"].is_key
