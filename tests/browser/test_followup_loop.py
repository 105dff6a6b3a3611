"""The whole follow-up loop in a browser: assign, accept, report, resolve, close, rate,
reopen — with axe-core on every page, in both languages."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from talentday.auth.models import Role
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.followup.models import FollowUpItem, ItemState
from talentday.registrations import services as registrations
from tests import factories
from tests.browser.accessibility import assert_accessible
from tests.browser.session import sign_in

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-GB", "zh": "zh-CN"}


@pytest.fixture
def loop(app, make_user, make_unit):
    unit = make_unit(
        name="Housing and Urban-Rural Development Bureau", name_zh="市住房和城乡建设局"
    )
    organizer = make_user(Role.ORGANIZER)
    staff = make_user(Role.DEPARTMENT_STAFF, unit_id=unit.id)
    with app.app_context():
        now = datetime.now(UTC)
        event = factories.event(
            state=EventState.PUBLISHED,
            starts_at=now + timedelta(days=10),
            ends_at=now + timedelta(days=10, hours=3),
        )
        category = factories.category(name="Talent apartments", name_zh="人才公寓")
        outcome = registrations.register(
            event,
            registrations.SpeakerDetails(
                "Zhang Dabing", "zhang@example.com", "13800000003",
                "Jiangsu Hanbang Technology Co., Ltd.", "Chairman", factories.TalentTeam.ENTERPRISE,
            ),
            topic="Keeping young engineers",
            summary="",
            suggestions=[
                registrations.SuggestionDraft(category, "Open talent apartments near the zone.")
            ],
            consent=True,
        )  # fmt: skip
        db.session.commit()
        item_id = db.session.scalar(sa.select(FollowUpItem.id))
    return {
        "organizer": organizer,
        "staff": staff,
        "unit_id": unit.id,
        "item_id": item_id,
        "link": f"/r/{outcome.token}",
    }


def submit(page, action):
    page.locator(f"form[action$='/{action}'] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()


@pytest.mark.parametrize("language", list(LOCALES))
def test_the_follow_up_loop(browser, app, live_server, loop, language):
    item_url = f"{live_server}/followup/items/{loop['item_id']}"

    organizer = browser.new_context(locale=LOCALES[language]).new_page()
    sign_in(organizer, live_server, loop["organizer"].email)
    organizer.goto(f"{live_server}/followup/")
    assert_accessible(organizer)
    organizer.goto(item_url)
    assert_accessible(organizer)
    organizer.select_option("#assign-lead_unit_id", str(loop["unit_id"]))
    organizer.fill("#assign-instructions", "Report every two weeks.")
    submit(organizer, "assign")

    staff = browser.new_context(locale=LOCALES[language]).new_page()
    sign_in(staff, live_server, loop["staff"].email)
    expect(staff.locator(f"a[href='/followup/items/{loop['item_id']}']")).to_be_visible()
    assert_accessible(staff)
    staff.goto(item_url)
    assert_accessible(staff)
    submit(staff, "accept")
    staff.fill("#progress-note", "A site next to the zone has been found.")
    staff.fill("#progress-percent", "50")
    submit(staff, "progress")
    staff.fill("#result-result", "120 apartments open in March, rent-free in the first year.")
    staff.check("#result-result_class-0")  # A, solved
    submit(staff, "result")
    assert_accessible(staff)

    organizer.goto(item_url)
    organizer.locator("form[action$='/close'] button[type=submit]").click()
    expect(organizer.locator("input[name=confirmed]")).to_have_count(1)
    assert_accessible(organizer)  # the page that asks before closing
    submit(organizer, "close")
    assert_accessible(organizer)

    speaker = browser.new_context(
        locale=LOCALES[language], viewport={"width": 375, "height": 740}
    ).new_page()
    speaker.goto(live_server + loop["link"])
    expect(speaker.locator("main")).to_contain_text("120 apartments open in March")
    assert_accessible(speaker)
    item_id = loop["item_id"]
    speaker.check(f"#rate{item_id}-satisfaction-2")
    speaker.check(f"#rate{item_id}-contacted-0")
    speaker.fill(f"#rate{item_id}-comment", "Only for engineers under 35?")
    speaker.locator(f"form[action='/r/items/{item_id}/rating'] button[type=submit]").click()
    expect(speaker.locator(".alert-success")).to_be_visible()
    assert_accessible(speaker)

    with app.app_context():
        assert db.session.get(FollowUpItem, item_id).state is ItemState.REOPENED
    staff.goto(item_url)
    expect(staff.locator("main")).to_contain_text("Only for engineers under 35?")
    assert_accessible(staff)
    for page in (organizer, staff, speaker):
        page.context.close()
