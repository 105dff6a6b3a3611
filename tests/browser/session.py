"""Signing in through the browser, one way for every browser test."""

from tests.conftest import PASSWORD


def sign_in(page, live_server, email, password=PASSWORD):
    """Send the sign-in form and wait for the page it leads to (the desk, or the form again
    with its error). Without the wait, the test's next `goto` can cancel the redirect, and the
    page it opens then shows the sign-in's flash message: on a printout, a sheet of its own."""
    page.goto(f"{live_server}/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
