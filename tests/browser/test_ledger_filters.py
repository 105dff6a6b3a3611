"""Issue 10: on a phone the ledger's filters fold into one "Filter" disclosure, above the
tags of the filters in force; on a wider screen they are simply shown."""

import pytest
from playwright.sync_api import expect

from talentday.auth.models import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.session import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_on_a_phone_the_filters_fold_and_the_tags_stay_in_view(
    browser, live_server, make_user, locale
):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale=locale, reduced_motion="reduce"
    )
    page = context.new_page()
    sign_in(page, live_server, make_user(Role.ORGANIZER).email)
    page.goto(f"{live_server}/followup/?state=open&figure=on_time")
    disclosure = page.locator("details.filter-disclosure")
    expect(disclosure.locator("summary")).to_be_visible()
    expect(disclosure.locator("summary")).to_contain_text("（2）" if locale == "zh-CN" else "(2)")
    expect(page.locator("#q")).to_be_hidden()
    expect(page.locator(".filter-tag")).to_have_count(2)
    assert_accessible(page)
    disclosure.locator("summary").click()
    expect(page.locator("#q")).to_be_visible()
    page.fill("#q", "apartments")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator(".filter-tag")).to_have_count(3)
    assert "figure=on_time" in page.url, "the drill-down survived pressing Filter"
    context.close()


def test_on_a_wide_screen_the_filters_are_shown_without_a_disclosure_button(
    browser, live_server, make_user
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, make_user(Role.ORGANIZER).email)
    page.goto(f"{live_server}/followup/")
    expect(page.locator("#q")).to_be_visible()
    expect(page.locator("details.filter-disclosure summary")).to_be_hidden()
    context.close()
