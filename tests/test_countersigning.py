"""Countersigning (会签): co-handling units give their opinion; the lead unit sees them beside
its result form, and its result waits until every co-handling unit has given one or an
organizer waives the missing ones. A co-handling unit's desk lists what waits for it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup import countersigning, services
from talentday.followup.models import ItemState, ResultClass
from talentday.followup.moves import FollowUpError, Move, MoveRefused, allowed_moves
from talentday.i18n import city_today
from talentday.main.services import unit_desk
from talentday.outbox.models import OutboxMessage
from tests import factories
from tests.conftest import csrf_token, sign_in


@pytest.fixture
def setting(app_ctx, make_user):
    lead, housing, science = (
        factories.unit(name="Education Bureau"),
        factories.unit(name="Housing Bureau"),
        factories.unit(name="Science Bureau"),
    )
    db.session.commit()

    def user(role, unit=None):
        return db.session.get(User, make_user(role, unit_id=unit.id if unit else None).id)

    people = {
        "lead": user(Role.DEPARTMENT_STAFF, lead),
        "housing": user(Role.DEPARTMENT_STAFF, housing),
        "science": user(Role.DEPARTMENT_STAFF, science),
        "organizer": user(Role.ORGANIZER),
    }
    item = factories.item(
        state=ItemState.IN_PROGRESS, lead_unit=lead, co_units=[housing, science],
        due_on=city_today() + timedelta(10),
    )  # fmt: skip
    return {"item": item, "units": (lead, housing, science), **people}


def result(setting):
    services.submit_result(
        setting["item"], result="Done.", result_class=ResultClass.SOLVED, by=setting["lead"]
    )


def test_the_result_waits_for_every_co_handling_units_opinion(setting):
    item = setting["item"]
    with pytest.raises(FollowUpError) as waiting:
        result(setting)
    assert waiting.value.field == "result"
    assert "Housing Bureau" in str(waiting.value.message)
    assert "Science Bureau" in str(waiting.value.message)
    services.give_opinion(item, opinion="We offer the site.", by=setting["housing"])
    with pytest.raises(FollowUpError, match="Science Bureau"):
        result(setting)
    services.give_opinion(item, opinion="Agreed.", by=setting["science"])
    result(setting)
    assert item.state is ItemState.RESOLVED
    told = db.session.scalars(
        sa.select(OutboxMessage.to_email).where(OutboxMessage.kind == "co_opinion")
    ).all()
    assert told == [setting["lead"].email] * 2


def test_the_organizer_may_waive_the_missing_opinions(setting):
    item = setting["item"]
    services.give_opinion(item, opinion="We offer the site.", by=setting["housing"])
    with pytest.raises(MoveRefused):  # leaders, units: not theirs to waive
        services.waive_opinions(item, reason="x", by=setting["lead"])
    with pytest.raises(FollowUpError) as refused:
        services.waive_opinions(item, reason=" ", by=setting["organizer"])
    assert refused.value.field == "reason"
    services.waive_opinions(item, reason="Agreed by phone.", by=setting["organizer"])
    assert Move.WAIVE_OPINIONS not in allowed_moves(setting["organizer"], item)
    result(setting)
    assert item.state is ItemState.RESOLVED


def test_only_a_co_handling_unit_gives_an_opinion(setting):
    item = setting["item"]
    for who in ("lead", "organizer"):
        with pytest.raises(MoveRefused):
            services.give_opinion(item, opinion="x", by=setting[who])
    with pytest.raises(FollowUpError) as refused:
        services.give_opinion(item, opinion="  ", by=setting["housing"])
    assert refused.value.field == "opinion"


def test_a_reassignment_asks_the_new_co_handling_units_again(setting):
    item, (lead, housing, _science) = setting["item"], setting["units"]
    item.state = ItemState.ASSIGNED
    services.waive_opinions(item, reason="By phone.", by=setting["organizer"])
    services.assign(
        item, lead_unit=lead, co_units=[housing], due_on=city_today() + timedelta(5),
        instructions="", by=setting["organizer"], today=city_today(),
    )  # fmt: skip
    assert item.opinions_waived_at is None
    assert countersigning.opinions_missing(item) == [housing]


def test_the_co_handling_units_desk_lists_what_waits_for_its_opinion(setting):
    item, _lead, housing, science = setting["item"], *setting["units"]
    services.give_opinion(item, opinion="Agreed.", by=setting["science"])
    db.session.flush()
    waiting = unit_desk(housing.id, city_today()).groups["opinion_wanted"]
    assert [i.id for i in waiting.items] == [item.id]
    assert unit_desk(science.id, city_today()).groups["opinion_wanted"].total == 0
    assert unit_desk(setting["units"][0].id, city_today()).groups["opinion_wanted"].total == 0


def test_the_lead_unit_sees_the_opinions_beside_its_result_form(app, make_user):
    with app.app_context():
        lead, co = factories.unit(name="Education Bureau"), factories.unit(name="Housing Bureau")
        db.session.commit()
        item = factories.item(
            state=ItemState.IN_PROGRESS, lead_unit=lead, co_units=[co],
            due_on=city_today() + timedelta(10),
        )  # fmt: skip
        db.session.commit()
        item_id, lead_id, co_id = item.id, lead.id, co.id
    page = f"/followup/items/{item_id}"
    co_staff = app.test_client()
    sign_in(co_staff, make_user(Role.DEPARTMENT_STAFF, unit_id=co_id).email)
    assert "Waiting for our opinion" in co_staff.get("/home").get_data(as_text=True)
    form = {"csrf_token": csrf_token(co_staff, page), "opinion-opinion": ""}
    refused = co_staff.post(f"{page}/opinion", data=form)
    assert refused.status_code == 400 and "Write your unit" in refused.get_data(as_text=True)
    form["opinion-opinion"] = "We can offer <b>thirty</b> flats."
    assert co_staff.post(f"{page}/opinion", data=form).status_code == 302

    lead_staff = app.test_client()
    sign_in(lead_staff, make_user(Role.DEPARTMENT_STAFF, unit_id=lead_id).email)
    shown = lead_staff.get(page).get_data(as_text=True)
    opinions = shown.split('id="opinions"', 1)[1].split("</section>", 1)[0]
    assert "Housing Bureau" in opinions and "&lt;b&gt;thirty&lt;/b&gt;" in opinions
    assert "Submit the handling result" in shown
    assert "Waiting for our opinion" in co_staff.get("/home").get_data(as_text=True)
    desk = co_staff.get("/home").get_data(as_text=True)
    waiting = desk.split('data-group="opinion_wanted"', 1)[1].split("</section>", 1)[0]
    assert f"/followup/items/{item_id}" not in waiting  # given: no longer waited for


def test_nothing_left_to_waive_once_every_opinion_is_given(setting):
    """The rule lives in the table of moves: the page offers the waiver, and the service
    accepts it, only while an opinion is missing."""
    item = setting["item"]
    for unit in ("housing", "science"):
        services.give_opinion(item, opinion="Agreed.", by=setting[unit])
    assert Move.WAIVE_OPINIONS not in allowed_moves(setting["organizer"], item)
    with pytest.raises(MoveRefused, match="No co-handling unit's opinion is waited for"):
        services.waive_opinions(item, reason="By phone.", by=setting["organizer"])
