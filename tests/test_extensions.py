"""Extensions (延期): the lead unit asks for more time before the due date, the organizer
grants (to the date asked or another) or refuses, within the settings' caps; on-time is
judged against the due date in force when the result came."""

import io
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
from talentday.followup.moves import FollowUpError, MoveRefused
from talentday.i18n import city_today
from talentday.outbox.models import OutboxMessage
from tests import factories


@pytest.fixture
def setting(app_ctx, make_user):
    lead = factories.unit(name="Housing Bureau")
    db.session.commit()
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    staff = db.session.get(User, make_user(Role.DEPARTMENT_STAFF, unit_id=lead.id).id)
    today = city_today()
    item = factories.item(state=ItemState.ACCEPTED, lead_unit=lead, due_on=today + timedelta(10))
    return {"item": item, "organizer": organizer, "staff": staff, "today": today}


def kinds(item) -> list[TimelineKind]:
    db.session.flush()
    return list(
        db.session.scalars(
            sa.select(TimelineEntry.kind)
            .where(TimelineEntry.item_id == item.id)
            .order_by(TimelineEntry.id)
        )
    )


def test_granted_to_the_date_asked(setting):
    item, staff, organizer = setting["item"], setting["staff"], setting["organizer"]
    due, asked = item.due_on, item.due_on + timedelta(days=14)
    services.ask_extension(item, due_on=asked, reason="Awaiting the budget.", by=staff)
    assert item.due_on == due and item.extension_asked_to == asked  # not moved until granted
    services.decide_extension(item, grant=True, due_on=None, reason="", by=organizer)
    assert item.due_on == asked and item.extension_asked_to is None
    assert (item.extensions_granted, item.days_extended) == (1, 14)
    assert kinds(item)[-2:] == [TimelineKind.EXTENSION_REQUESTED, TimelineKind.EXTENSION_GRANTED]
    told = db.session.scalars(sa.select(OutboxMessage.kind)).all()
    assert "extension_asked" in told and "extension_granted" in told


def test_granted_to_another_date_or_refused_with_a_reason(setting):
    item, staff, organizer = setting["item"], setting["staff"], setting["organizer"]
    due = item.due_on
    services.ask_extension(item, due_on=due + timedelta(days=30), reason="Budget.", by=staff)
    services.decide_extension(
        item, grant=True, due_on=due + timedelta(days=7), reason="A week.", by=organizer
    )
    assert item.due_on == due + timedelta(days=7) and item.days_extended == 7

    services.ask_extension(item, due_on=item.due_on + timedelta(days=5), reason="More.", by=staff)
    with pytest.raises(FollowUpError) as refused:
        services.decide_extension(item, grant=False, due_on=None, reason=" ", by=organizer)
    assert refused.value.field == "reason"
    services.decide_extension(item, grant=False, due_on=None, reason="Not again.", by=organizer)
    assert item.due_on == due + timedelta(days=7) and item.extension_asked_to is None
    assert kinds(item)[-1] is TimelineKind.EXTENSION_REFUSED


def test_asked_only_before_the_due_date_once_at_a_time_and_by_the_lead_unit(setting, make_user):
    item, staff, organizer = setting["item"], setting["staff"], setting["organizer"]
    later = item.due_on + timedelta(days=5)
    with pytest.raises(MoveRefused):
        services.ask_extension(item, due_on=later, reason="x", by=organizer)
    services.ask_extension(item, due_on=later, reason="x", by=staff)
    with pytest.raises(MoveRefused):  # one request at a time
        services.ask_extension(item, due_on=later, reason="x", by=staff)
    services.decide_extension(item, grant=False, due_on=None, reason="No.", by=organizer)
    item.due_on = setting["today"] - timedelta(days=1)  # the due date has passed
    with pytest.raises(MoveRefused):
        services.ask_extension(item, due_on=later, reason="x", by=staff)
    with pytest.raises(MoveRefused):  # nothing asked for, nothing to decide
        services.decide_extension(item, grant=True, due_on=None, reason="", by=organizer)


def test_the_caps_hold(setting, app_ctx):
    app_ctx.config.update(EXTENSION_MAX_COUNT=2, EXTENSION_MAX_DAYS=20)
    item, staff, organizer = setting["item"], setting["staff"], setting["organizer"]
    with pytest.raises(FollowUpError):  # more days than the rules allow
        services.ask_extension(item, due_on=item.due_on + timedelta(21), reason="x", by=staff)
    with pytest.raises(FollowUpError):  # not after the current date
        services.ask_extension(item, due_on=item.due_on, reason="x", by=staff)
    for days in (10, 10):
        services.ask_extension(item, due_on=item.due_on + timedelta(days), reason="x", by=staff)
        services.decide_extension(item, grant=True, due_on=None, reason="", by=organizer)
    assert services.extension_room(item) == (0, 0)
    with pytest.raises(FollowUpError):
        services.ask_extension(item, due_on=item.due_on + timedelta(1), reason="x", by=staff)


def test_the_timeline_keeps_the_due_date_before(setting, client):
    item, staff, organizer = setting["item"], setting["staff"], setting["organizer"]
    before = item.due_on
    services.ask_extension(item, due_on=before + timedelta(3), reason="Budget.", by=staff)
    services.decide_extension(item, grant=True, due_on=None, reason="", by=organizer)
    db.session.commit()
    from talentday.followup import timeline

    entry = db.session.scalars(
        sa.select(TimelineEntry).where(TimelineEntry.kind == TimelineKind.EXTENSION_GRANTED)
    ).one()
    [line] = timeline.wording(entry, {})
    assert before.isoformat() in line and (before + timedelta(3)).isoformat() in line


def test_asked_and_granted_through_the_item_page(app, make_user):
    from tests.conftest import csrf_token, sign_in

    with app.app_context():
        lead = factories.unit(name="Housing Bureau")
        db.session.commit()
        lead_id = lead.id
        due = city_today() + timedelta(days=10)
        item_id = factories.item(state=ItemState.ACCEPTED, lead_unit=lead, due_on=due).id
        db.session.commit()
    staff = make_user(Role.DEPARTMENT_STAFF, unit_id=lead_id)
    organizer = make_user(Role.ORGANIZER)
    page = f"/followup/items/{item_id}"

    unit = app.test_client()
    sign_in(unit, staff.email)
    assert "Ask for more time" in unit.get(page).get_data(as_text=True)
    asked = (due + timedelta(days=7)).isoformat()
    form = {"csrf_token": csrf_token(unit, page), "extend-due_on": asked, "extend-reason": ""}
    refused = unit.post(f"{page}/extend", data=form)
    assert refused.status_code == 400
    assert "Say why your unit needs more time" in refused.get_data(as_text=True)
    form["extend-reason"] = "Awaiting the budget."
    assert unit.post(f"{page}/extend", data=form).status_code == 302
    assert "Ask for more time" not in unit.get(page).get_data(as_text=True)  # asked already

    desk = app.test_client()
    sign_in(desk, organizer.email)
    shown = desk.get(page).get_data(as_text=True)
    assert "Decide on the extension" in shown and "Awaiting the budget." in shown
    form = {
        "csrf_token": csrf_token(desk, page),
        "extension-decision": "grant",
        "extension-due_on": "",
        "extension-reason": "",
    }
    assert desk.post(f"{page}/extension", data=form).status_code == 302
    with app.app_context():
        item = db.session.get(FollowUpItem, item_id)
        assert item.due_on == due + timedelta(days=7) and item.extensions_granted == 1


def test_a_result_makes_a_request_for_more_time_moot(setting):
    """The organizers' desk lists requests to decide; one made moot by the answer would
    wait there for ever with nothing left to decide."""
    item, staff = setting["item"], setting["staff"]
    services.ask_extension(item, due_on=item.due_on + timedelta(5), reason="x", by=staff)
    services.submit_result(
        item, result_class=ResultClass.SOLVED, result="Done after all.", by=staff
    )
    assert item.extension_asked_to is None


def test_the_desk_the_dashboard_and_the_ledger_count_extensions(app, make_user):
    from openpyxl import load_workbook

    from tests.conftest import sign_in

    with app.app_context():
        lead = factories.unit(name="Housing Bureau")
        db.session.commit()
        organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
        staff = db.session.get(User, make_user(Role.DEPARTMENT_STAFF, unit_id=lead.id).id)
        due = city_today() + timedelta(days=10)
        granted, asking = (
            factories.item(state=ItemState.ACCEPTED, lead_unit=lead, due_on=due) for _ in range(2)
        )
        factories.item(state=ItemState.ACCEPTED, lead_unit=lead, due_on=due)  # never extended
        services.ask_extension(granted, due_on=due + timedelta(14), reason="x", by=staff)
        services.decide_extension(granted, grant=True, due_on=None, reason="", by=organizer)
        services.ask_extension(asking, due_on=due + timedelta(3), reason="y", by=staff)
        db.session.commit()
        granted_id, asking_id, lead_id = granted.id, asking.id, lead.id
        organizer_email = organizer.email

    desk = app.test_client()
    sign_in(desk, organizer_email)
    home = desk.get("/home").get_data(as_text=True)
    assert "Asking for more time, to decide" in home
    assert 'href="/followup/?figure=extension_asked" data-figure="extension_asked">1<' in home
    listed = desk.get("/followup/?figure=extension_asked").get_data(as_text=True)
    assert f"/followup/items/{asking_id}" in listed
    assert f"/followup/items/{granted_id}" not in listed

    card = desk.get(f"/dashboard/units/{lead_id}").get_data(as_text=True)
    assert 'data-figure="extended">1<' in card
    assert 'data-figure="days_extended">14<' in card
    extended = desk.get(f"/followup/?unit={lead_id}&role=lead&figure=extended")
    extended = extended.get_data(as_text=True)
    assert f"/followup/items/{granted_id}" in extended
    assert f"/followup/items/{asking_id}" not in extended

    response = desk.get("/followup/ledger.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    header, *values = sheet.iter_rows(min_row=2, values_only=True)
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in values}
    assert rows[granted_id]["Extensions granted"] == 1
    assert rows[granted_id]["Days of extension"] == 14
    assert rows[asking_id]["More time asked to"].date() == due + timedelta(3)
