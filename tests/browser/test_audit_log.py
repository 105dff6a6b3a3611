"""The admin reads the audit log in a real browser: from the navigation, filtered, accessible."""

import pytest
from playwright.sync_api import expect

from talentday.auth.models import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.session import sign_in

pytestmark = pytest.mark.browser


def test_the_admin_finds_a_failed_sign_in_in_the_audit_log(page, live_server, make_user):
    admin = make_user(Role.ADMIN)
    sign_in(page, live_server, "someone@example.com", "a wrong guess")
    sign_in(page, live_server, admin.email)

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    page.get_by_label("Action").select_option(label="Failed sign-in")
    page.get_by_role("button", name="Filter").click()

    expect(page).to_have_url(
        f"{live_server}/admin/audit?action=sign_in_failed&actor=&target_type=&date_from=&date_to="
    )
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("someone@example.com")
    expect(rows.first).to_contain_text("No one signed in")
    assert_accessible(page)


def test_cookies_copied_before_sign_out_open_nothing_after_it(
    browser, page, live_server, make_user
):
    admin = make_user(Role.ADMIN)
    sign_in(page, live_server, admin.email)
    thief = browser.new_context()
    thief.add_cookies(page.context.cookies())
    stolen = thief.new_page()
    stolen.goto(f"{live_server}/admin/audit")
    expect(stolen.get_by_role("heading", level=1)).to_have_text("Audit log")

    page.get_by_role("button", name=admin.name).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")

    stolen.goto(f"{live_server}/admin/audit")
    expect(stolen.get_by_role("heading", level=1)).to_have_text("Sign in")
    thief.close()
