"""The dashboard, the unit card, the home pages and the unit desk at a province's scale
(issue 14): a fixed number of queries whatever the number of items, lists bounded with a
link to the rest, and cached figures that never hide a change."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import url_for

from talentday.auth.models import Role
from talentday.dashboard import views as dashboard_views
from talentday.extensions import db
from talentday.followup import services as followup_services
from talentday.followup.ledger import LedgerLinks
from talentday.followup.models import FollowUpItem, ItemState, ResultClass
from talentday.i18n import city_today
from talentday.main import services
from tests import factories
from tests.conftest import sign_in


def count_queries(app, client, url: str) -> int:
    with app.app_context():
        engine = db.engine
    found = []
    listener = lambda *args: found.append(1)  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, url
    return len(found)


def add_items(count: int, units, events, category, today: date) -> None:
    """Items spread over the units and events, in every state a desk shows."""
    states = [ItemState.ASSIGNED, ItemState.ACCEPTED, ItemState.IN_PROGRESS,
              ItemState.RESOLVED, ItemState.CLOSED, ItemState.NEW]  # fmt: skip
    speaker = factories.speaker()
    for number in range(count):
        state = states[number % len(states)]
        factories.item(
            content=f"suggestion {number}",
            state=state,
            event=events[number % len(events)],
            category=category,
            speaker=speaker,
            lead_unit=None if state is ItemState.NEW else units[number % len(units)],
            co_units=[units[(number + 1) % len(units)]] if number % 3 == 0 else [],
            due_on=None if state is ItemState.NEW else today + timedelta(days=number % 40 - 20),
        )
    db.session.commit()


def test_pages_cost_the_same_queries_with_5_and_500_items(app, make_user):
    with app.app_context():
        today = city_today()
        units = [factories.unit(name=f"Bureau {n:02d}") for n in range(30)]
        events = [factories.event(title=f"Salon {n:02d}") for n in range(25)]
        category = factories.category()
        add_items(5, units[:1], events[:1], category, today)
        unit_id, category_id = units[0].id, category.id
    leader, organizer, staff = (app.test_client() for _ in range(3))
    sign_in(leader, make_user(Role.LEADER).email)
    sign_in(organizer, make_user(Role.ORGANIZER).email)
    sign_in(staff, make_user(Role.DEPARTMENT_STAFF, unit_id=unit_id).email)
    pages = [
        (leader, "/dashboard/"),
        (leader, "/dashboard/units"),
        (leader, "/dashboard/events"),
        (leader, f"/dashboard/units/{unit_id}"),
        (leader, "/home"),
        (organizer, "/home"),
        (staff, "/home"),
    ]

    def costs() -> list[int]:
        return [count_queries(app, client, url) for client, url in pages]

    few = costs()
    with app.app_context():
        units = db.session.scalars(sa.select(factories.ResponsibleUnit)).all()
        events = db.session.scalars(sa.select(factories.Event)).all()
        add_items(495, units, events, db.session.get(factories.Category, category_id), today)
        assert db.session.scalar(sa.select(sa.func.count(FollowUpItem.id))) == 500
    assert costs() == few
    # The lists are bounded: the dashboard shows 20 units and 20 events, and links to all.
    page = leader.get("/dashboard/").get_data(as_text=True)
    assert len(set(re.findall(r'data-row="unit-(\d+)"', page))) == 20
    # Five of the 30 units only ever get new items, never assigned: they are not listed.
    assert "All 25 units" in page
    assert "All 25 events" in page
    assert len(re.findall(r'data-row="event-(\d+)"', page)) == 20


def test_the_list_of_all_units_pages_through_every_unit(app, make_user, monkeypatch):
    monkeypatch.setattr(dashboard_views, "PER_PAGE", 4)
    with app.app_context():
        today = city_today()
        units = [factories.unit(name=f"Bureau {n:02d}") for n in range(10)]
        add_items(30, units, [factories.event()], factories.category(), today)
        expected = {str(unit.id) for unit in units}
    leader = app.test_client()
    sign_in(leader, make_user(Role.LEADER).email)
    seen = set()
    for number in (1, 2, 3):
        page = leader.get(f"/dashboard/units?page={number}&sort=name").get_data(as_text=True)
        rows = re.findall(r'data-row="unit-(\d+)"', page)
        assert len(rows) == (4 if number < 3 else 2)
        seen |= set(rows)
        assert f"Page {number} of 3" in page
    assert seen == expected


def test_the_dashboard_shows_a_change_at_once_and_says_when_it_counted(app, make_user):
    with app.app_context():
        today = city_today()
        unit = factories.unit(name="Bureau of Change")
        item = factories.item(state=ItemState.ACCEPTED, lead_unit=unit, due_on=today)
        db.session.commit()
        item_id = item.id
        organizer = make_user(Role.ORGANIZER)
        staff = make_user(Role.DEPARTMENT_STAFF, unit_id=unit.id)
    leader = app.test_client()
    sign_in(leader, make_user(Role.LEADER).email)

    def closed() -> str:
        page = leader.get("/dashboard/").get_data(as_text=True)
        assert re.search(r"Figures as of \d\d:\d\d", page)
        return re.search(r'data-figure="closed">([^<]*)<', page).group(1)

    assert closed() == "0"
    assert closed() == "0"  # from the cache
    with app.app_context():
        item = db.session.get(FollowUpItem, item_id)
        followup_services.submit_result(
            item,
            result_class=ResultClass.SOLVED,
            result="Done.",
            by=db.session.get(type(staff), staff.id),
        )
        db.session.commit()
        followup_services.close(item, by=db.session.get(type(organizer), organizer.id))
        db.session.commit()
    assert closed() == "1"
    # A change written without the services (a bulk statement) is seen as well.
    with app.app_context():
        db.session.execute(
            sa.update(FollowUpItem).values(state=ItemState.IN_PROGRESS, closed_at=None)
        )
        db.session.commit()
    assert closed() == "0"


def test_a_cached_entry_is_never_served_after_a_commit_elsewhere_in_the_process(app):
    from talentday.dashboard.cache import figures_cache

    with app.app_context():
        calls = []
        cache = figures_cache()
        assert cache.get("key", lambda: calls.append(1) or len(calls), 60)[0] == 1
        assert cache.get("key", lambda: calls.append(1) or len(calls), 60)[0] == 1
        factories.unit(name="Renamed")
        db.session.commit()
        assert cache.get("key", lambda: calls.append(1) or len(calls), 60)[0] == 2
        # A commit that wrote nothing the figures read keeps the entry.
        db.session.commit()
        assert cache.get("key", lambda: calls.append(1) or len(calls), 60)[0] == 2


def test_the_unit_desk_pages_each_group_and_counts_it_in_sql(app, make_user):
    with app.app_context():
        today = city_today()
        unit = factories.unit(name="Busy Bureau")
        event, category, speaker = factories.event(), factories.category(), factories.speaker()
        late = [
            factories.item(
                content=f"late {n}", state=ItemState.IN_PROGRESS, lead_unit=unit,
                due_on=today - timedelta(days=60 - n), event=event, category=category,
                speaker=speaker,
            )
            for n in range(services.DESK_PAGE + 5)
        ]  # fmt: skip
        factories.item(
            content="to accept", state=ItemState.ASSIGNED, lead_unit=unit,
            due_on=today - timedelta(days=3), event=event, category=category, speaker=speaker,
        )  # fmt: skip
        db.session.commit()
        desk = services.unit_desk(unit.id, today)
        assert desk.groups["overdue"].total == services.DESK_PAGE + 5
        assert desk.overdue == late[: services.DESK_PAGE]  # the longest overdue first
        assert [item.content for item in desk.to_accept] == ["to accept"]
        second = services.unit_desk(unit.id, today, pages={"overdue": 2})
        assert second.overdue == late[services.DESK_PAGE :]
        assert second.to_accept == desk.to_accept
        staff = make_user(Role.DEPARTMENT_STAFF, unit_id=unit.id)
        ids = [item.id for item in late]
    client = app.test_client()
    sign_in(client, staff.email)
    page = client.get("/home").get_data(as_text=True)
    shown = {int(n) for n in re.findall(r'href="/followup/items/(\d+)"', page)}
    assert set(ids[: services.DESK_PAGE]) <= shown and not set(ids[services.DESK_PAGE :]) & shown
    assert f"Items 1 to {services.DESK_PAGE} of {services.DESK_PAGE + 5}" in page
    assert "overdue_page=2" in page
    page = client.get("/home?overdue_page=2").get_data(as_text=True)
    shown = {int(n) for n in re.findall(r'href="/followup/items/(\d+)"', page)}
    assert set(ids[services.DESK_PAGE :]) <= shown


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"state": "closed"},
        {"unit": 3, "role": "lead", "figure": "on_time"},
        {"raised_from": "2026-01-01", "raised_to": "2026-12-31", "event": 7, "q": "a b/ç&?"},
        {"returned_by": 4, "overdue": "1", "category": None},
    ],
)
def test_ledger_links_are_the_addresses_url_for_makes(app, args):
    with app.test_request_context():
        links = LedgerLinks(due_to="2026-12-31")
        expected = url_for("followup.ledger_page", **{"due_to": "2026-12-31", **args})
        assert links(**args) == expected
        assert links.scoped(sort="-due")(**args) == url_for(
            "followup.ledger_page", **{"due_to": "2026-12-31", "sort": "-due", **args}
        )
