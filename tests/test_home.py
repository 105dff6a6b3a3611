"""Each role lands on a page that fits its work, with the demo's figures."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from talentday.demo.data import DEMO_PASSWORD
from talentday.extensions import db
from talentday.followup.models import FollowUpItem, ItemState, TimelineEntry, TimelineKind
from talentday.main import services
from tests import factories
from tests.conftest import sign_in


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0


def page_for(app, email: str) -> str:
    client = app.test_client()
    sign_in(client, email, DEMO_PASSWORD)
    return client.get("/home").get_data(as_text=True)


def test_the_public_home_shows_the_salon(client, demo):
    page = client.get("/").get_data(as_text=True)
    assert "24th Party-Government Pro-Business Meeting" in page
    assert "Sun Hu" in page and "Xiao Tianfeng" in page


def test_organizer_sees_each_event_with_its_counts(app, demo):
    page = page_for(app, "organizer@example.com")
    assert "24th Party-Government" in page and "25th Party-Government" in page
    assert "12 / 12" in page


def test_staff_see_only_their_units_items(app, demo):
    page = page_for(app, "hrss@example.com")
    assert "Items for Human Resources and Social Security Bureau" in page
    assert "one-stop service window" in page  # assigned to HRSS, awaiting acceptance
    assert "talent apartments near the Development Zone" not in page  # the Housing Bureau's
    housing = page_for(app, "housing@example.com")
    assert "talent apartments near the Development Zone" in housing
    assert "one-stop service window" not in housing


def test_staff_desk_groups_items(app_ctx):
    today = date(2026, 11, 27)
    unit, other = factories.unit(), factories.unit()
    to_accept = factories.item(state=ItemState.ASSIGNED, lead_unit=unit, due_on=date(2026, 12, 30))
    late = factories.item(state=ItemState.IN_PROGRESS, lead_unit=unit, due_on=date(2026, 11, 1))
    soon = factories.item(state=ItemState.ACCEPTED, lead_unit=unit, due_on=date(2026, 12, 2))
    co_handled = factories.item(
        state=ItemState.IN_PROGRESS, lead_unit=other, co_units=[unit], due_on=date(2027, 1, 9)
    )
    countersigned = factories.item(
        state=ItemState.IN_PROGRESS, lead_unit=other, co_units=[unit], due_on=date(2027, 1, 9)
    )
    db.session.add(
        TimelineEntry(item=countersigned, kind=TimelineKind.CO_OPINION, unit=unit, note="Yes.")
    )
    resolved = factories.item(state=ItemState.RESOLVED, lead_unit=unit, due_on=date(2026, 11, 1))
    factories.item(state=ItemState.CLOSED, lead_unit=unit)
    factories.item(state=ItemState.IN_PROGRESS, lead_unit=other)
    db.session.flush()
    desk = services.unit_desk(unit.id, today)
    assert desk.to_accept == [to_accept]
    assert desk.opinion_wanted == [co_handled]  # 会签: its lead unit waits for our opinion
    assert desk.overdue == [late]
    assert desk.due_soon == [soon]
    assert desk.in_progress == [countersigned]
    assert desk.awaiting_closure == [resolved]


def test_leader_sees_the_headline_and_the_late_units(app, demo):
    page = page_for(app, "leader@example.com")
    assert "Overdue now" in page
    with app.app_context():
        dashboard, late_units, late_count = services.leader_overview(date(2026, 11, 27))
        headline = dashboard.headline
        items = db.session.scalars(sa.select(FollowUpItem)).all()
    assert headline.suggestions == len(items) == 14
    assert headline.closed == sum(item.state is ItemState.CLOSED for item in items)
    assert headline.overdue == sum(item.is_overdue(date(2026, 11, 27)) for item in items)
    assert headline.speakers == 12 and headline.events_held == 1
    assert sum(row.overdue for row in late_units) == headline.overdue
    assert late_count == len(late_units)


def test_admin_home_links_to_accounts_and_units(app, demo):
    page = page_for(app, "admin@example.com")
    assert "/admin/users" in page and "/admin/units" in page


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_organizer_desk_shows_what_waits_on_them(app, demo):
    page = page_for(app, "organizer@example.com")
    # The demo has two new items, one returned and two resolved ones.
    assert re.search(r'state=new" data-figure="to_assign">2</a>', page)
    assert re.search(r'state=returned" data-figure="to_reassign">1</a>', page)
    assert re.search(r'state=resolved" data-figure="to_close">2</a>', page)
