"""Signing in with a real browser, for every role, in both languages."""

import pytest
from playwright.sync_api import expect

from talentday.auth.models import Role
from tests.browser.accessibility import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

LANDING_HEADINGS = {
    Role.ADMIN: "Administration",
    Role.ORGANIZER: "Organizer’s desk",
    Role.LEADER: "Overview",
    Role.DEPARTMENT_STAFF: "Items for Education Bureau",
}


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_signs_in_and_lands_on_its_page(page, live_server, make_user, make_unit, role):
    unit_id = make_unit(name="Education Bureau").id if role is Role.DEPARTMENT_STAFF else None
    user = make_user(role, unit_id=unit_id)
    page.goto(f"{live_server}/sign-in")
    expect(page).to_have_title("Sign in – TalentDay")
    assert_accessible(page)

    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(LANDING_HEADINGS[role])
    expect(page.get_by_role("status")).to_have_text("You are signed in.")
    assert_accessible(page)


def test_a_wrong_password_is_explained_and_the_email_kept(page, live_server, make_user):
    user = make_user()
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_title("Error: Sign in – TalentDay")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(page.get_by_label("Email address")).to_have_value(user.email)
    summary.get_by_role("link", name="Enter a correct email address and password").click()
    expect(page.get_by_label("Password")).to_be_focused()
    assert_accessible(page)


def test_chinese_interface_signs_in_too(page, live_server, make_user):
    user = make_user(Role.LEADER)
    page.goto(f"{live_server}/sign-in")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    assert_accessible(page)

    page.get_by_label("电子邮箱").fill(user.email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("总览")
    assert_accessible(page)


def test_keyboard_users_can_skip_to_the_content(page, live_server):
    page.goto(f"{live_server}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    assert_accessible(page)


def test_staff_cannot_open_the_admin_pages(page, live_server, make_user):
    user = make_user(Role.DEPARTMENT_STAFF)
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    response = page.goto(f"{live_server}/admin/users")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
    assert_accessible(page)
