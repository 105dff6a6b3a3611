"""An organizer erases a speaker's personal data at the speaker's request, from the review."""

import pytest
from playwright.sync_api import expect

from talentday.auth.models import Role
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.registrations.models import RegistrationState
from tests import factories
from tests.browser.accessibility import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def event_id(app):
    with app.app_context():
        event = factories.event(state=EventState.PUBLISHED, title="25th Talent Salon")
        speaker = factories.speaker(
            name="Qiao Wanrong", email="qiao@example.com", phone="13912345678"
        )
        registration = factories.registration(
            event=event, speaker=speaker, state=RegistrationState.SUBMITTED, topic="Optics"
        )
        factories.item(event=event, speaker=speaker, registration=registration)
        db.session.commit()
        return event.id


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_erasing_a_speaker_with_the_keyboard(browser, live_server, make_user, event_id, locale):
    organizer = make_user(Role.ORGANIZER)
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(f"{live_server}/sign-in")
    page.fill("#email", organizer.email)
    page.fill("#password", PASSWORD)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.goto(f"{live_server}/manage/events/{event_id}/registrations")
    page.locator("a[href*='/anonymise']").click()
    expect(page.locator("main")).to_contain_text("qiao@example.com")
    assert_accessible(page)

    # Submitting without the tick: the problem is named at the top and beside the box.
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert page.title().startswith("Error:" if locale == "en-GB" else "错误")
    assert_accessible(page)

    page.locator("#confirm").focus()
    page.keyboard.press("Space")
    page.locator("main form button[type=submit]").press("Enter")
    expect(page.locator("body")).to_contain_text(
        "has been erased" if locale == "en-GB" else "个人信息已删除"
    )
    expect(page.locator("main")).not_to_contain_text("qiao@example.com")
    expect(page.locator("main")).not_to_contain_text("Qiao Wanrong")
    assert_accessible(page)
    context.close()
