"""A speaker registers from a phone; the organizer approves and sets the programme."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from talentday.auth.models import Role
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.outbox.models import OutboxMessage
from talentday.outbox.services import text_to_send
from tests import factories
from tests.browser.accessibility import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
LANGUAGES = {"en": "en-GB", "zh": "zh-CN"}


@pytest.fixture
def salon_id(app):
    with app.app_context():
        now = datetime.now(UTC)
        event = factories.event(
            state=EventState.PUBLISHED,
            title="25th Talent Salon",
            venue="Conference Hall 1",
            presiding_official="Sun Hu",
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=3),
            registration_closes_at=now + timedelta(days=20),
            speaking_slots=12,
        )
        factories.category(name="Talent apartments", name_zh="人才公寓")
        db.session.commit()
        return event.id


def private_link(app, live_server) -> str:
    """The link of the newest message as it would be sent from the server under test."""
    app.config["PUBLIC_BASE_URL"] = live_server
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()))
        body = text_to_send(message)
    return re.search(r"https?://\S+/r/\S+", body).group(0)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_from_registration_to_the_public_programme(
    browser, app, live_server, make_user, salon_id, language
):
    phone = browser.new_context(viewport=PHONE, locale=LANGUAGES[language])
    page = phone.new_page()
    page.goto(f"{live_server}/events/{salon_id}")
    assert_accessible(page)
    page.locator(f"a[href='/events/{salon_id}/register']").click()
    page.wait_for_url(f"{live_server}/events/{salon_id}/register")
    assert_accessible(page)

    # Nothing filled in: every error is listed and shown by its field.
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)

    page.fill("#name", "Gao Lizhi")
    page.fill("#email", "gao.lizhi@example.com")
    page.fill("#phone", "138 0000 0001")
    page.fill("#organization", "Subei Research Institute of Shanghai Jiao Tong University")
    page.fill("#position", "Vice Dean")
    page.check("#talent_team-0")
    page.fill("#topic", "Research in the district's enterprises")
    page.select_option("#suggestions-0-category", index=1)
    page.fill("#suggestions-0-content", "Open talent apartments near the development zone.")
    page.check("#consent")
    # The page never scrolls sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("status")).to_contain_text("gao.lizhi@example.com")
    assert_accessible(page)

    page.goto(private_link(app, live_server))
    expect(page.locator("main")).to_contain_text(
        "Open talent apartments near the development zone."
    )
    assert_accessible(page)
    phone.close()

    desk = browser.new_context(locale=LANGUAGES[language])
    page = desk.new_page()
    organizer = make_user(Role.ORGANIZER)
    page.goto(f"{live_server}/sign-in")
    page.fill("#email", organizer.email)
    page.fill("#password", PASSWORD)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.goto(f"{live_server}/manage/events/{salon_id}/registrations")
    assert_accessible(page)
    page.locator("input[name=registration]").first.check()
    page.select_option("#action", "approved")
    page.fill("#message", "See you at the salon.")
    page.locator("main form[method=post] button[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto(f"{live_server}/manage/events/{salon_id}/programme")
    assert_accessible(page)
    page.fill("#placements-0-order", "1")
    page.fill("#placements-0-minutes", "8")
    page.locator("#programme-form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    desk.close()

    public = browser.new_context(locale=LANGUAGES[language])
    page = public.new_page()
    page.goto(f"{live_server}/events/{salon_id}")
    programme = page.locator("table")
    expect(programme).to_contain_text("Gao Lizhi")
    expect(programme).to_contain_text("Research in the district's enterprises")
    assert_accessible(page)
    page.goto(f"{live_server}/events/{salon_id}/programme")
    assert_accessible(page)
    public.close()
