"""The Content-Security-Policy in a real browser: injected script is refused, ours works."""

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible

pytestmark = pytest.mark.browser

INJECTION = (
    '<script>document.title = "pwned by script";</script>'
    '<button id="injected" type="button" onclick="document.title = \'pwned by handler\'">'
    "Win a prize</button></main>"
)


def test_an_injected_inline_script_and_handler_do_not_run(page, live_server, csp_violations):
    # As if some text had escaped the templates' escaping: the server's own response, with
    # its headers, carrying a script tag and an inline handler.
    def inject(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace("</main>", INJECTION, 1))

    page.route(f"{live_server}/sign-in", inject)
    page.goto(f"{live_server}/sign-in")
    page.locator("#injected").click()
    expect(page).to_have_title("Sign in – TalentDay")
    assert len(csp_violations) == 2, csp_violations
    assert all("script-src" in violation for violation in csp_violations)
    csp_violations.clear()


def test_the_print_button_works_without_inline_script(page, live_server, event_id):
    page.add_init_script("window.print = () => { document.body.dataset.printed = 'yes'; };")
    page.goto(f"{live_server}/events/{event_id}/programme")
    # Checked before the click: axe can catch the pressed button mid-way through Bootstrap's
    # colour transition and report a contrast that no one sees.
    assert_accessible(page)
    page.get_by_role("button", name="Print").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
