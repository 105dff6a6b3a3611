"""A leader opens the dashboard and follows a figure to the items behind it."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from talentday.auth.models import Role
from talentday.extensions import db
from talentday.followup.models import ItemState
from talentday.i18n import city_today
from tests import factories
from tests.browser.accessibility import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_a_leader_follows_the_overdue_figure(browser, app, live_server, make_user, locale):
    leader = make_user(Role.LEADER)
    with app.app_context():
        unit = factories.unit(name="Science and Technology Bureau", name_zh="市科学技术局")
        late = factories.item(
            content="Fund pilot projects of the S&T Town Leader Group.",
            lead_unit=unit,
            state=ItemState.IN_PROGRESS,
            due_on=city_today() - timedelta(days=12),
        )
        factories.item(content="Not late at all.", lead_unit=unit, state=ItemState.ACCEPTED,
                       due_on=city_today() + timedelta(days=12))  # fmt: skip
        db.session.commit()
        late_id = late.id
    page = browser.new_context(locale=locale).new_page()
    page.goto(f"{live_server}/sign-in")
    page.fill("#email", leader.email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server}/dashboard/")
    expect(page.locator("svg.chart").first).to_be_visible()
    assert_accessible(page)

    page.locator("a.badge.text-bg-danger").first.click()
    expect(page.locator(f"a[href='/followup/items/{late_id}']")).to_be_visible()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("12")
    assert_accessible(page)

    page.goto(f"{live_server}/dashboard/report")
    assert_accessible(page)
    page.context.close()
