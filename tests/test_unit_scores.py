"""Unit scores for the year-end assessment: the weighted mean of a unit's shares as lead unit,
with the admins' weights; a part without a base is left out; a unit with too few items is
scored but not ranked; each unit's card explains its score line by line."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentday.audit.models import AuditEntry
from talentday.auth.models import Role
from talentday.dashboard import metrics, scores
from talentday.extensions import db
from talentday.followup.models import ItemState, ResultClass, Satisfaction
from talentday.i18n import city_today
from tests import factories
from tests.conftest import sign_in, submit


def figures(**values):
    row = metrics.UnitRow(metrics.Named(1, "Housing Bureau"))
    row.update(values)
    return row


def test_the_score_is_the_weighted_mean_of_the_parts_that_have_a_base(app_ctx):
    row = figures(
        as_lead=10, returned=0, judged=8, on_time=6, classed=4, solved=2, rated=0,
        satisfied=0, extended=1, with_result=8, without_contact=2,
    )  # fmt: skip
    chosen = scores.ScoreWeights(**scores.DEFAULT_WEIGHTS)
    score = scores.score(row, chosen)
    lines = {line.part.key: line for line in score.lines}
    assert lines["satisfied"].share is None  # nothing rated: left out, its weight too
    assert lines["on_time"].share == 0.75 and lines["kept"].share == 1.0
    # (30 * .75 + 25 * .5 + 10 * 1 + 5 * .9 + 5 * .75) / (30 + 25 + 10 + 5 + 5) * 100
    assert score.value == pytest.approx(100 * (22.5 + 12.5 + 10 + 4.5 + 3.75) / 75)
    assert sum(score.points(line) or 0 for line in score.lines) == pytest.approx(score.value)
    assert score.ranked and lines["on_time"].explained == "6 on time of 8 answered or overdue"
    assert not scores.score(figures(as_lead=4, judged=4, on_time=4), chosen).ranked
    assert scores.score(figures(as_lead=3), chosen).value is None  # no base at all


def test_the_admin_sets_the_weights_and_the_change_is_audited(app, make_user):
    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN).email)
    form = dict.fromkeys(scores.DEFAULT_WEIGHTS, "0")
    form["minimum_items"] = "3"
    refused = submit(admin, "/admin/scores", form)
    assert "Give at least one part a weight above 0" in refused.get_data(as_text=True)
    form["solved"] = "101"
    assert "Enter a whole number from 0 to 100" in submit(admin, "/admin/scores", form).text
    form.update(solved="100", on_time="50")
    assert submit(admin, "/admin/scores", form).status_code == 302
    with app.app_context():
        chosen = scores.weights()
        assert (chosen.solved, chosen.on_time, chosen.satisfied, chosen.minimum_items) == (
            100, 50, 0, 3,
        )  # fmt: skip
        audit = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "score_weights_saved")
        ).one()
        assert audit.details["solved"] == 100
    organizer = app.test_client()
    sign_in(organizer, make_user(Role.ORGANIZER).email)
    assert organizer.get("/admin/scores").status_code in (403, 404)


def test_the_unit_card_explains_the_score_and_the_table_and_workbook_carry_it(app, make_user):
    with app.app_context():
        housing = factories.unit(name="Housing Bureau")
        db.session.commit()
        now = datetime.now(UTC)
        for number in range(6):
            factories.item(
                state=ItemState.CLOSED, lead_unit=housing, due_on=city_today(),
                result="Done.", resolved_at=now, closed_at=now,
                result_class=ResultClass.SOLVED if number < 3 else ResultClass.PLANNED,
                satisfaction=Satisfaction.SATISFIED, contacted_on=city_today(),
                assigned_at=now - timedelta(days=9),
            )  # fmt: skip
        db.session.commit()
        unit_id = housing.id
    leader = app.test_client()
    sign_in(leader, make_user(Role.LEADER).email)
    card = leader.get(f"/dashboard/units/{unit_id}").get_data(as_text=True)
    section = card.split('id="score"', 1)[1].split("</section>", 1)[0]
    # On time 1, solved .5, satisfied 1, kept 1, not extended 1, contacted 1:
    # (30 + 12.5 + 25 + 10 + 5 + 5) / 100 * 100 = 87.5
    assert "87.5" in section and "3 classed A of 6 classed answers" in section
    assert 'data-part="solved"' in section and "12.5" in section
    table = leader.get("/dashboard/units").get_data(as_text=True)
    assert f'data-score="{unit_id}">87.5' in table
    chinese = leader.get(f"/dashboard/units/{unit_id}", headers={"Accept-Language": "zh-CN"})
    assert "年终考评得分" in chinese.get_data(as_text=True)
