"""Every figure of the dashboard checked against a small data set worked out by hand, and
every drill-down link opening exactly the items it counts."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role
from talentday.dashboard import metrics
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.followup.models import (
    ItemState,
    Satisfaction,
    TimelineEntry,
    TimelineKind,
)
from talentday.i18n import city_today
from talentday.registrations.models import RegistrationState
from tests import factories
from tests.conftest import sign_in


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


ASSIGNED = utc(2026, 10, 15, 4, 0)
RAISED = utc(2026, 10, 15, 12, 0)


@pytest.fixture
def data(app):
    """Units A (lead), B (lead, returns), C (co-handler only); nine items, one merged."""
    with app.app_context():
        today = city_today()
        unit_a, unit_b, unit_c = (factories.unit(name=n) for n in ("Unit A", "Unit B", "Unit C"))
        held = factories.event(state=EventState.HELD, starts_at=utc(2026, 10, 15, 6, 0),
                               ends_at=utc(2026, 10, 15, 9, 0), title="Held salon")  # fmt: skip
        upcoming = factories.event(state=EventState.PUBLISHED, title="Next salon")
        for state in (RegistrationState.APPROVED, RegistrationState.APPROVED,
                      RegistrationState.REJECTED):  # fmt: skip
            factories.registration(event=held, state=state)
        x1, x2, x3 = (factories.category(name=n) for n in ("X1", "X2", "X3"))

        def item(name, **values):
            values.setdefault("event", held)
            values.setdefault("created_at", RAISED)
            values.setdefault("assigned_at", ASSIGNED if values.get("lead_unit") else None)
            made = factories.item(content=name, **values)
            return made

        items = {
            # on time (city date 10-25 <= 10-26), closed, satisfied; 10.0 days to result
            "i1": item("i1", category=x1, lead_unit=unit_a, state=ItemState.CLOSED,
                       due_on=date(2026, 10, 26), resolved_at=utc(2026, 10, 25, 4, 0),
                       closed_at=utc(2026, 10, 20, 8, 0), satisfaction=Satisfaction.SATISFIED),
            # late only in city time: 16:30 UTC on 11-01 is 00:30 on 11-02 in Huai'an
            "i2": item("i2", category=x1, lead_unit=unit_a, co_units=[unit_c],
                       state=ItemState.RESOLVED, due_on=date(2026, 11, 1),
                       resolved_at=utc(2026, 11, 1, 16, 30),
                       satisfaction=Satisfaction.BASICALLY_SATISFIED),
            "i3": item("i3", category=x1, lead_unit=unit_a, state=ItemState.IN_PROGRESS,
                       due_on=today - timedelta(days=1)),
            "i4": item("i4", category=x2, lead_unit=unit_b, co_units=[unit_c],
                       state=ItemState.ACCEPTED, due_on=today + timedelta(days=10)),
            "i5": item("i5", category=x2, lead_unit=unit_b, state=ItemState.RETURNED,
                       due_on=today + timedelta(days=10)),
            "i6": item("i6", category=x2, state=ItemState.NEW),
            # on time in city time: 15:30 UTC on 10-20 is 23:30 the same day in Huai'an
            "i8": item("i8", category=x3, lead_unit=unit_a, state=ItemState.CLOSED,
                       due_on=date(2026, 10, 20), resolved_at=utc(2026, 10, 20, 15, 30),
                       closed_at=utc(2026, 10, 21, 8, 0), satisfaction=Satisfaction.UNSATISFIED),
            "i9": item("i9", category=x3, event=upcoming, lead_unit=unit_b,
                       state=ItemState.IN_PROGRESS, due_on=today - timedelta(days=5),
                       created_at=utc(2025, 1, 15, 2, 0)),
        }  # fmt: skip
        items["i7"] = item("i7", category=x1, state=ItemState.NEW, merged_into=items["i1"])
        db.session.add(
            TimelineEntry(item=items["i5"], kind=TimelineKind.RETURNED, unit=unit_b, note="no")
        )
        db.session.commit()
        return {
            "today": today,
            "ids": {name: made.id for name, made in items.items()},
            "units": {"A": unit_a.id, "B": unit_b.id, "C": unit_c.id},
            "events": {"held": held.id, "upcoming": upcoming.id},
        }


def test_headline_figures(app, data):
    with app.app_context():
        head = metrics.headline(metrics.Scope(), data["today"])
    assert head.events_held == 1  # the published salon is not held
    assert head.speakers == 2  # approved speakers of held events
    assert head.suggestions == 8  # i7 was merged into i1 and counts once
    assert head.closed == 2  # i1, i8
    assert head.overdue == 2  # i3, i9
    assert (head.on_time, head.with_result) == (2, 3)  # i1 and i8 of i1, i2, i8
    # The rate's base: the three with a result and the two overdue without one (i3, i9).
    assert head.judged == 5 and head.on_time_rate == pytest.approx(2 / 5)
    assert (head.satisfied, head.rated) == (2, 3)  # satisfied + basically satisfied of 3


def test_unit_figures(app, data):
    with app.app_context():
        rows = {row.unit.name: row for row in metrics.units(metrics.Scope(), data["today"])}
    a, b, c = rows["Unit A"], rows["Unit B"], rows["Unit C"]
    assert (a.as_lead, a.as_co, a.closed, a.overdue) == (4, 0, 2, 1)
    assert (a.on_time, a.with_result, a.satisfied, a.rated, a.returned) == (2, 3, 2, 3, 0)
    assert a.judged == 4 and a.on_time_rate == pytest.approx(2 / 4)  # i1, i2, i8 and i3
    # (10.0 + 17.52 + 5.48) / 3 days from assignment to result
    assert a.average_days == pytest.approx(11.0, abs=0.001)
    # i5 was returned: it shows under "returned" only, not as one of B's items.
    assert (b.as_lead, b.as_co, b.closed, b.overdue, b.returned) == (2, 0, 0, 1, 1)
    # No result yet, and i9 overdue: B's on-time record is 0 of 1, not "nothing to judge".
    assert b.average_days is None and b.on_time_rate == 0
    assert (c.as_lead, c.as_co) == (0, 2)


def test_breakdowns_and_trend(app, data):
    with app.app_context():
        scope, today = metrics.Scope(), data["today"]
        categories = {row.key.name: row for row in metrics.by_category(scope, today)}
        events = {row.key.title: row for row in metrics.by_event(scope, today)}
        trend = metrics.trend(scope)
    figures = {name: (r.suggestions, r.open, r.closed, r.overdue) for name, r in categories.items()}
    assert figures == {"X1": (3, 2, 1, 1), "X2": (3, 3, 0, 0), "X3": (2, 1, 1, 1)}
    assert (events["Held salon"].suggestions, events["Next salon"].suggestions) == (7, 1)
    assert [(m.month, m.raised, m.closed) for m in trend] == [
        ("2025-01", 1, 0),
        ("2026-10", 7, 2),
    ]


def test_a_period_and_an_event_narrow_every_figure(app, data):
    with app.app_context():
        recent = metrics.Scope(start=date(2026, 10, 1))
        head = metrics.headline(recent, data["today"])
        rows = {r.unit.name: r for r in metrics.units(recent, data["today"])}
        only_next = metrics.headline(
            metrics.Scope(event_id=data["events"]["upcoming"]), data["today"]
        )
    assert (head.suggestions, head.overdue) == (7, 1)  # i9 was raised in January 2025
    assert rows["Unit B"].as_lead == 1  # i4; i5 was returned, i9 raised before the period
    assert (only_next.suggestions, only_next.events_held) == (1, 0)


def ledger_ids(client, url: str) -> set[int]:
    page = client.get(url).get_data(as_text=True)
    return {int(n) for n in re.findall(r'href="/followup/items/(\d+)"', page)}


def test_every_drill_down_opens_exactly_the_items_counted(app, data, make_user):
    client = app.test_client()
    sign_in(client, make_user(Role.LEADER).email)
    page = client.get("/dashboard/").get_data(as_text=True)
    ids = data["ids"]
    unit_a, unit_b, unit_c = data["units"]["A"], data["units"]["B"], data["units"]["C"]
    expected = {
        "/followup/?": {ids[n] for n in ("i1", "i2", "i3", "i4", "i5", "i6", "i8", "i9")},
        "/followup/?state=closed": {ids["i1"], ids["i8"]},
        "/followup/?overdue=1": {ids["i3"], ids["i9"]},
        "/followup/?figure=on_time": {ids["i1"], ids["i8"]},
        "/followup/?figure=satisfied": {ids["i1"], ids["i2"]},
        f"/followup/?unit={unit_a}&amp;role=lead": {ids[n] for n in ("i1", "i2", "i3", "i8")},
        f"/followup/?unit={unit_c}&amp;role=co": {ids["i2"], ids["i4"]},
        f"/followup/?unit={unit_a}&amp;role=lead&amp;figure=on_time": {ids["i1"], ids["i8"]},
        f"/followup/?unit={unit_a}&amp;role=lead&amp;figure=judged": {
            ids[n] for n in ("i1", "i2", "i3", "i8")
        },
        f"/followup/?unit={unit_b}&amp;role=lead": {ids["i4"], ids["i9"]},
        f"/followup/?unit={unit_b}&amp;role=lead&amp;overdue=1": {ids["i9"]},
        f"/followup/?returned_by={unit_b}": {ids["i5"]},
    }  # fmt: skip
    links = set(re.findall(r'href="(/followup/\?[^"]*)"', page)) | {"/followup/?"}
    for link, items in expected.items():
        matching = [found for found in links if _same_query(found, link)]
        assert matching, f"no drill-down link like {link}"
        assert ledger_ids(client, matching[0].replace("&amp;", "&")) == items, link


def _same_query(found: str, wanted: str) -> bool:
    def params(url):
        query = url.split("?", 1)[1].replace("&amp;", "&")
        return {tuple(p.split("=", 1)) for p in query.split("&") if p and "sort" not in p}

    return params(found) == params(wanted)


def test_the_dashboard_costs_the_same_queries_for_any_number_of_items(app, data, make_user):
    client = app.test_client()
    sign_in(client, make_user(Role.LEADER).email)

    def queries() -> int:
        with app.app_context():
            engine = db.engine
        count = []
        listener = lambda *args: count.append(1)  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/dashboard/").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len(count)

    before = queries()
    with app.app_context():
        unit = factories.unit(name="Unit D")
        for number in range(15):
            factories.item(
                content=f"more {number}", lead_unit=unit, state=ItemState.ASSIGNED,
                due_on=date(2026, 12, 1), category=factories.category(),
            )  # fmt: skip
        db.session.commit()
    assert queries() == before


@pytest.mark.parametrize(
    ("who", "own", "other"),
    [("lead", 200, 404), ("leader", 200, 200), ("organizer", 200, 200), ("admin", 404, 404)],
)
def test_unit_cards(app, data, make_user, who, own, other):
    role = {
        "lead": Role.DEPARTMENT_STAFF,
        "leader": Role.LEADER,
        "organizer": Role.ORGANIZER,
        "admin": Role.ADMIN,
    }[who]
    unit_a, unit_b = data["units"]["A"], data["units"]["B"]
    user = make_user(role, unit_id=unit_a if who == "lead" else None)
    client = app.test_client()
    sign_in(client, user.email)
    assert client.get(f"/dashboard/units/{unit_a}").status_code == own
    assert client.get(f"/dashboard/units/{unit_b}").status_code == other
    if who == "lead":
        page = client.get(f"/dashboard/units/{unit_a}").get_data(as_text=True)
        assert "Record of Unit A" in page and "50%" in page
        assert client.get("/dashboard/").status_code == 403


def test_report_and_workbook_carry_the_same_figures(app, data, make_user):
    from io import BytesIO

    from openpyxl import load_workbook

    client = app.test_client()
    sign_in(client, make_user(Role.ORGANIZER).email)
    page = client.get(f"/dashboard/report?event={data['events']['held']}").get_data(as_text=True)
    assert "Follow-up of Held salon" in page and "i3" in page and "@page" not in page
    workbook = load_workbook(BytesIO(client.get("/dashboard/report.xlsx").data))
    summary = {row[0].value: row[1].value for row in workbook["Summary"].iter_rows(min_row=3)}
    formats = {
        row[0].value: row[1].number_format for row in workbook["Summary"].iter_rows(min_row=3)
    }
    assert formats["On-time rate"] == "0.0%" and formats["Suggestions raised"] == "0"
    assert summary["Suggestions raised"] == 8 and summary["Overdue now"] == 2
    # A rate is the fraction, shown as a percentage by the cell's format.
    assert summary["On-time rate"] == pytest.approx(0.4)
    units = {row[0].value: row for row in workbook["Units"].iter_rows(min_row=3)}
    header = [cell.value for cell in next(workbook["Units"].iter_rows(min_row=2, max_row=2))]
    assert header[1] == "Score"
    lead = header.index("As lead unit")
    assert units["Unit A"][lead].value == 4 and units["Unit B"][lead].value == 2
    overdue = [row[0].value for row in workbook["Overdue"].iter_rows(min_row=3)]
    assert sorted(overdue) == sorted([data["ids"]["i3"], data["ids"]["i9"]])


def test_the_next_salon_lists_what_is_still_open_from_earlier_ones(app, data, make_user):
    with app.app_context():
        held = db.session.get(factories.Event, data["events"]["held"])
        upcoming = db.session.get(factories.Event, data["events"]["upcoming"])
        upcoming.series = held.series
        upcoming.starts_at, upcoming.ends_at = (
            held.starts_at + timedelta(days=90),
            held.ends_at + timedelta(days=90),
        )
        db.session.commit()
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANIZER).email)
    page = client.get(f"/manage/events/{data['events']['upcoming']}").get_data(as_text=True)
    listed = {int(n) for n in re.findall(r'href="/followup/items/(\d+)"', page)}
    ids = data["ids"]
    assert listed == {ids[n] for n in ("i2", "i3", "i4", "i5", "i6")}, "closed and merged left out"
