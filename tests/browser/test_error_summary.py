"""Issue 10: a form sent back with mistakes, as GOV.UK does it, in both languages: the title
begins with "Error:" (in Chinese, with a full-width colon), the error summary at the top has
the focus, and its first link takes the keyboard to the field."""

import pytest
from playwright.sync_api import expect

from talentday.auth.models import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.session import sign_in

pytestmark = pytest.mark.browser

WORDS = {
    "en-GB": {"error": "Error: ", "problem": "There is a problem"},
    "zh-CN": {"error": "错误：", "problem": "存在问题"},
}


@pytest.mark.parametrize("locale", list(WORDS))
def test_three_forms_sent_back_put_the_focus_on_their_error_summary(
    browser, live_server, make_user, event_id, locale
):
    words = WORDS[locale]
    admin = make_user(Role.ADMIN)
    page = browser.new_context(locale=locale).new_page()

    def sent_back(first_field: str):
        page.wait_for_load_state()
        assert page.title().startswith(words["error"]), page.title()
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text(words["problem"])
        summary.get_by_role("link").first.click()
        expect(page.locator(f"#{first_field}")).to_be_focused()
        assert_accessible(page)

    # A wrong password.
    sign_in(page, live_server, admin.email, "not the password")
    sent_back("password")

    # The speaker's registration, sent empty.
    page.goto(f"{live_server}/events/{event_id}/register")
    page.locator("main form button[type=submit]").last.click()
    sent_back("name")

    # A new account with no role chosen.
    sign_in(page, live_server, admin.email)
    page.goto(f"{live_server}/admin/users/new")
    page.fill("#name", "Qian Lei")
    page.fill("#email", "qian.lei@example.com")
    page.locator("main form button[type=submit]").click()
    sent_back("role")
    expect(page.locator("#name")).to_have_value("Qian Lei")


def outline_of(locator) -> str:
    return locator.evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
    )


def test_focus_is_visible_on_every_kind_of_control_and_targets_are_big_enough(
    browser, live_server, event_id
):
    """Issue 10: Bootstrap's .form-control:focus and .nav-link:focus-visible took the outline
    away; radios and checkboxes were 16 px."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server}/events/{event_id}/register")
    for _ in range(15):  # the keyboard's way in: skip link, brand, nav links...
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('nav-link')"):
            break
    assert outline_of(page.locator(":focus")) == "solid 3px"
    for selector in ("#name", "#phone", "#topic"):
        page.locator(selector).focus()
        assert outline_of(page.locator(selector)) == "solid 3px", selector
    page.set_viewport_size({"width": 390, "height": 844})
    boxes = [box.bounding_box() for box in page.locator("main .form-check-input").all()]
    assert boxes, "the registration form has radios and a checkbox"
    assert all(b["width"] >= 24 and b["height"] >= 24 for b in boxes), boxes
