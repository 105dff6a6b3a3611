"""Results classed by what they promise (A/B/C/D): a B or C answer promises a date; when it
passes the item comes back to the organizers' desk and the speaker is asked whether it was
done; the organizer checks it. The solved rate (A over classed answers) stands beside the
satisfied share on every page that shows figures."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.dashboard import metrics
from talentday.extensions import db
from talentday.followup import services, timeline
from talentday.followup.models import (
    FollowUpItem,
    ItemState,
    ResultClass,
    Satisfaction,
    TimelineEntry,
    TimelineKind,
)
from talentday.followup.moves import FollowUpError
from talentday.i18n import city_today
from talentday.outbox.models import OutboxMessage
from talentday.registrations import services as registrations
from tests import factories
from tests.conftest import csrf_token, open_private_link, sign_in


@pytest.fixture
def setting(app_ctx, make_user):
    lead = factories.unit(name="Housing Bureau")
    db.session.commit()
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    staff = db.session.get(User, make_user(Role.DEPARTMENT_STAFF, unit_id=lead.id).id)
    registration = factories.registration()
    item = factories.item(
        state=ItemState.IN_PROGRESS,
        lead_unit=lead,
        due_on=city_today() + timedelta(10),
        speaker=registration.speaker,
        registration=registration,
        event=registration.event,
    )
    return {"item": item, "organizer": organizer, "staff": staff, "lead": lead}


def entries(item, kind) -> list[TimelineEntry]:
    db.session.flush()
    return db.session.scalars(
        sa.select(TimelineEntry).where(TimelineEntry.item_id == item.id, TimelineEntry.kind == kind)
    ).all()


def test_a_b_or_c_answer_promises_a_date_after_today(setting):
    item, staff = setting["item"], setting["staff"]
    today = city_today()
    for promised, field in ((None, "commitment_on"), (today, "commitment_on")):
        with pytest.raises(FollowUpError) as refused:
            services.submit_result(
                item, result="Being built.", result_class=ResultClass.BEING_SOLVED,
                commitment_on=promised, by=staff,
            )  # fmt: skip
        assert refused.value.field == field
    services.submit_result(
        item, result="In the 2027 plan.", result_class=ResultClass.PLANNED,
        commitment_on=today + timedelta(90), by=staff,
    )  # fmt: skip
    assert item.result_class is ResultClass.PLANNED
    [entry] = entries(item, TimelineKind.RESULT)
    lines = timeline.wording(entry, {})
    assert any("C (planned" in line for line in lines)
    assert any((today + timedelta(90)).isoformat() in line for line in lines)


def test_a_passed_promise_comes_back_once_and_the_speaker_is_asked(setting):
    item, staff, organizer = setting["item"], setting["staff"], setting["organizer"]
    today = city_today()
    services.submit_result(
        item, result="Being built.", result_class=ResultClass.BEING_SOLVED,
        commitment_on=today + timedelta(3), by=staff,
    )  # fmt: skip
    services.close(item, by=organizer)
    assert services.promises_come_due(today) == []  # not yet
    later = today + timedelta(4)
    assert services.promises_come_due(later) == [item]
    assert services.promises_come_due(later) == []  # safe to run twice
    assert len(entries(item, TimelineKind.COMMITMENT_DUE)) == 1
    [message] = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "commitment_due")
    ).all()
    assert message.to_email == item.speaker.email
    assert "Being built." in message.body
    (waiting,) = metrics.count(("promise_to_check",), sa.true(), today)
    assert waiting.promise_to_check == 1


def _promised(setting) -> FollowUpItem:
    """A B answer whose promised date passed."""
    item = factories.item(
        state=ItemState.IN_PROGRESS, lead_unit=setting["lead"], due_on=city_today() + timedelta(9)
    )
    services.submit_result(
        item, result="Being built.", result_class=ResultClass.BEING_SOLVED,
        commitment_on=city_today() + timedelta(3), by=setting["staff"],
    )  # fmt: skip
    item.commitment_due_at = datetime.now(UTC)
    return item


def test_the_organizer_checks_a_promise_kept_or_sends_the_item_back(setting):
    organizer = setting["organizer"]
    kept = _promised(setting)
    services.check_commitment(kept, kept=True, reason="", by=organizer)
    assert kept.result_class is ResultClass.SOLVED and kept.state is ItemState.RESOLVED
    [entry] = entries(kept, TimelineKind.COMMITMENT_SETTLED)
    assert any("B (being solved)" in line for line in timeline.wording(entry, {}))

    broken = _promised(setting)
    with pytest.raises(FollowUpError) as refused:
        services.check_commitment(broken, kept=False, reason=" ", by=organizer)
    assert refused.value.field == "reason"
    services.check_commitment(
        broken, kept=False, reason="Not built yet.", due_on=city_today() + timedelta(9),
        by=organizer,
    )  # fmt: skip
    assert broken.state is ItemState.REOPENED
    assert broken.result_class is None and broken.commitment_on is None
    told = db.session.scalars(sa.select(OutboxMessage.kind)).all()
    assert "item_reopened" in told


def test_the_organizer_corrects_the_class_when_closing(setting):
    item, staff, organizer = setting["item"], setting["staff"], setting["organizer"]
    services.submit_result(
        item, result="Adopted in full.", result_class=ResultClass.NOT_NOW, by=staff
    )
    with pytest.raises(FollowUpError) as refused:  # a B answer needs the date it promises
        services.close(item, by=organizer, result_class=ResultClass.BEING_SOLVED)
    assert refused.value.field == "result_class"
    services.close(item, by=organizer, result_class=ResultClass.SOLVED)
    assert item.result_class is ResultClass.SOLVED
    [entry] = entries(item, TimelineKind.CLOSED)
    [line] = timeline.wording(entry, {})
    assert "D (cannot be solved now" in line and "A (solved or adopted)" in line


def test_the_solved_rate_is_taken_over_classed_answers(app, make_user):
    """Two A, one D and one answer given before classes existed: 2 of 3 classed, 67%."""
    with app.app_context():
        unit = factories.unit(name="Housing Bureau")
        category = factories.category(name="Talent apartments")
        event = factories.event(title="Salon")
        for result_class in (ResultClass.SOLVED, ResultClass.SOLVED, ResultClass.NOT_NOW, None):
            factories.item(
                state=ItemState.CLOSED, lead_unit=unit, category=category, event=event,
                result="Answered.", result_class=result_class,
                resolved_at=datetime.now(UTC), closed_at=datetime.now(UTC),
            )  # fmt: skip
        factories.item(state=ItemState.IN_PROGRESS, lead_unit=unit, category=category, event=event)
        db.session.commit()
        unit_id, category_id, event_id = unit.id, category.id, event.id
    leader = app.test_client()
    sign_in(leader, make_user(Role.LEADER).email)
    page = leader.get("/dashboard/").get_data(as_text=True)
    assert 'data-figure="solved_rate">67%<' in page
    assert "2 of 3 classed answers" in page
    for row in (f"unit-{unit_id}", f"category-{category_id}", f"event-{event_id}"):
        row_html = page.split(f'data-row="{row}"', 1)[1].split("</tr>", 1)[0]
        assert 'data-figure="solved_rate">67%<' in row_html, row
    drill = leader.get("/followup/?figure=solved").get_data(as_text=True)
    assert "2 items" in drill
    report = leader.get("/dashboard/report").get_data(as_text=True)
    assert 'data-figure="solved_rate">67%<' in report


def test_the_speaker_says_whether_it_was_done_on_their_page(app, make_user):
    with app.app_context():
        registration = factories.registration()
        item = factories.item(
            state=ItemState.RESOLVED, speaker=registration.speaker, registration=registration,
            event=registration.event, result="Being built.",
            result_class=ResultClass.BEING_SOLVED,
            commitment_on=city_today() - timedelta(1), commitment_due_at=datetime.now(UTC),
        )  # fmt: skip
        db.session.commit()
        token = registrations.issue_token(registration)
        db.session.commit()
        item_id, version = item.id, item.version
    speaker = app.test_client()
    page_url = open_private_link(speaker, f"/r/{token}")
    page = speaker.get(page_url).get_data(as_text=True)
    assert "Was it?" in page
    form = {
        "csrf_token": csrf_token(speaker, page_url),
        f"promise{item_id}-version": str(version),
        f"promise{item_id}-kept": "no",
        f"promise{item_id}-comment": "",
    }
    refused = speaker.post(f"/r/items/{item_id}/promise", data=form)
    assert refused.status_code == 400
    assert "Say what is still missing" in refused.get_data(as_text=True)
    form[f"promise{item_id}-comment"] = "Nothing built yet."
    assert speaker.post(f"/r/items/{item_id}/promise", data=form).status_code == 302
    after = speaker.get(page_url).get_data(as_text=True)
    assert "Was it?" not in after  # said once
    assert "You said it was not done yet" in after  # and the speaker sees what they said

    organizer = app.test_client()
    sign_in(organizer, make_user(Role.ORGANIZER).email)
    shown = organizer.get(f"/followup/items/{item_id}").get_data(as_text=True)
    assert "Check the promise" in shown and "Nothing built yet." in shown
    assert "The speaker says it was not done yet" in shown
    home = organizer.get("/home").get_data(as_text=True)
    assert 'data-figure="promise_to_check">1<' in home
    with app.app_context():
        assert db.session.get(FollowUpItem, item_id).commitment_kept is False


def test_a_kept_promise_cannot_be_turned_back_into_one_when_closing(setting):
    """Found by the attack: kept (A), then closed as B with the old, passed date."""
    item = _promised(setting)
    services.check_commitment(item, kept=True, reason="", by=setting["organizer"])
    with pytest.raises(FollowUpError) as refused:
        services.close(item, by=setting["organizer"], result_class=ResultClass.BEING_SOLVED)
    assert refused.value.field == "result_class"
    assert item.commitment_on is None


def test_a_broken_promise_goes_back_with_a_new_due_date_and_without_its_rating(setting):
    """Found by the attack: the item came back already overdue, the old rating standing."""
    item = _promised(setting)
    item.satisfaction = Satisfaction.SATISFIED
    new_due = city_today() + timedelta(15)
    with pytest.raises(FollowUpError) as refused:
        services.check_commitment(
            item, kept=False, reason="Not built.", due_on=None, by=setting["organizer"]
        )
    assert refused.value.field == "due_on"
    services.check_commitment(
        item, kept=False, reason="Not built.", due_on=new_due, by=setting["organizer"]
    )
    assert item.state is ItemState.REOPENED and item.due_on == new_due
    assert not item.is_overdue(city_today())
    assert item.satisfaction is None


def test_an_a_or_d_answer_drops_a_date_left_from_another_choice(setting):
    """Found by the walk: a unit picks B, types a date, then settles on A."""
    item = setting["item"]
    services.submit_result(
        item, result="Done.", result_class=ResultClass.SOLVED,
        commitment_on=city_today() + timedelta(5), by=setting["staff"],
    )  # fmt: skip
    assert item.result_class is ResultClass.SOLVED and item.commitment_on is None


def test_the_promised_date_field_is_not_the_audit_logs_done_by(app, make_user):
    """Found by the walk: "Done by" was translated as the audit log's 操作人 (operator)."""
    with app.app_context():
        lead = factories.unit()
        db.session.commit()
        item = factories.item(state=ItemState.IN_PROGRESS, lead_unit=lead)
        db.session.commit()
        item_id, lead_id = item.id, lead.id
    client = app.test_client()
    sign_in(client, make_user(Role.DEPARTMENT_STAFF, unit_id=lead_id).email)
    client.post("/language", data={"csrf_token": csrf_token(client, "/"), "locale": "zh_Hans"})
    page = client.get(f"/followup/items/{item_id}").get_data(as_text=True)
    label = page.split('for="result-commitment_on"', 1)[1].split("</label>", 1)[0]
    assert "承诺办成日期" in label and "操作人" not in label
