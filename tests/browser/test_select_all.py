"""Issue 10: "Choose all on this page" in the review queue and the ledger, a small static
script; without it the header box stays hidden and rows are ticked one by one."""

import pytest
from playwright.sync_api import expect

from talentday.auth.models import Role
from talentday.extensions import db
from talentday.registrations.models import Registration, RegistrationState
from tests import factories
from tests.browser.session import sign_in

pytestmark = pytest.mark.browser


def three_registrations(app, event_id) -> None:
    with app.app_context():
        event = db.session.get(factories.Event, event_id)
        for n in range(3):
            factories.registration(
                event=event, speaker=factories.speaker(name=f"Speaker {n}"), topic=f"Topic {n}"
            )
        db.session.commit()


def test_the_organizer_chooses_every_registration_on_the_page_at_once(
    app, page, live_server, make_user, event_id
):
    three_registrations(app, event_id)
    organizer = make_user(Role.ORGANIZER)
    sign_in(page, live_server, organizer.email)
    page.goto(f"{live_server}/manage/events/{event_id}/registrations")
    every = page.get_by_label("Choose all on this page")
    every.check()
    rows = page.locator('input[name="registration"]')
    expect(rows).to_have_count(3)
    for index in range(3):
        expect(rows.nth(index)).to_be_checked()
    rows.nth(0).uncheck()
    assert every.evaluate("box => box.indeterminate") is True
    rows.nth(0).check()
    expect(every).to_be_checked()
    page.select_option("#action", "waitlisted")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.get_by_role("status").first).to_contain_text("3 registrations are now")
    with app.app_context():
        states = set(db.session.scalars(db.select(Registration.state)))
    assert states == {RegistrationState.WAITLISTED}


def test_without_scripts_the_header_box_stays_hidden(
    app, browser, live_server, make_user, event_id
):
    three_registrations(app, event_id)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, make_user(Role.ORGANIZER).email)
    page.goto(f"{live_server}/manage/events/{event_id}/registrations")
    assert page.locator("input[data-select-all]").count() == 1
    expect(page.locator("input[data-select-all]")).to_be_hidden()
