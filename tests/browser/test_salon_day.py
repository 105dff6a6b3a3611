"""Issue 13's salon day from a phone, in each language: speakers say whether they will come
(two yes, one no, and the first speaker waiting moves up), reminders are queued.

Every page on the way is measured at 390 px by axe-core and the page watch (no sideways
scroll, no Content-Security-Policy violation)."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from talentday.auth.models import Role
from talentday.database import utcnow
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.outbox.models import OutboxMessage
from talentday.registrations import services
from talentday.registrations.models import Registration, RegistrationState, TalentTeam
from talentday.registrations.reminders import remind_speakers
from tests import factories
from tests.browser.accessibility import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LANGUAGES = {"en": "en-GB", "zh": "zh-CN"}
SAY = {
    "en": {
        "yes": "Yes, I will come",
        "no": "I cannot come",
        "said_yes": "You have told the organizers that you will come",
        "will_come": "Will come",
        "cannot": "Cannot come",
    },
    "zh": {
        "yes": "是的，我会出席",
        "no": "我不能出席",
        "said_yes": "您已告知主办方将出席",
        "will_come": "确认出席",
        "cannot": "不能出席",
    },
}
SPEAKERS = [
    ("Gao Lizhi", "高立志", "Subei Research Institute", TalentTeam.SCI_TECH_TOWN_LEADER_GROUP),
    ("Wang Hongyang", "王洪洋", "Jiangsu FTR", TalentTeam.ENTERPRISE),
    ("Chen Jing", "陈静", "Yangzhou University", TalentTeam.UNIVERSITY),
    ("Li Ming", "李明", "Hengtong Group", TalentTeam.INDUSTRY_PROFESSOR),
]


@pytest.fixture
def salon(app, live_server, language):
    """A salon tomorrow with three approved speakers and one waiting; their private links."""
    with app.app_context():
        starts = datetime.now(UTC) + timedelta(days=1)
        event = factories.event(
            state=EventState.PUBLISHED,
            title="25th Talent Salon",
            title_zh="第二十五期人才沙龙",
            venue="Conference Hall 1",
            venue_zh="第一会议室",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            speaking_slots=3,
        )
        links, ids = [], []
        for order, (name, name_zh, organization, team) in enumerate(SPEAKERS, start=1):
            waiting = order == len(SPEAKERS)
            registration = factories.registration(
                event=event,
                speaker=factories.speaker(
                    name=name_zh if language == "zh" else name,
                    organization=organization,
                    talent_team=team,
                    locale="zh_Hans" if language == "zh" else "en",
                ),
                state=RegistrationState.WAITLISTED if waiting else RegistrationState.APPROVED,
                topic="Talent flats",
                speaking_order=None if waiting else order,
                speaking_minutes=None if waiting else 10,
            )
            registration.decided_at = utcnow() - timedelta(days=5)
            links.append(f"{live_server}/r/{services.issue_token(registration)}")
            ids.append(registration.id)
        db.session.commit()
        return {"event": event.id, "links": links, "registrations": ids}


def states(app, ids) -> list[RegistrationState]:
    with app.app_context():
        return [db.session.get(Registration, id_).state for id_ in ids]


def speaker_answers(browser, link, language, *, will_come: bool):
    phone = browser.new_context(viewport=PHONE, locale=LANGUAGES[language])
    page = phone.new_page()
    page.goto(link)
    expect(page.locator("#attendance-title")).to_be_visible()
    assert_accessible(page)
    if will_come:
        page.get_by_role("button", name=SAY[language]["yes"]).click()
        expect(page.locator("main")).to_contain_text(SAY[language]["said_yes"])
    else:
        page.get_by_role("button", name=SAY[language]["no"]).click()
        # Not without the tick: the error is next to the box, the page says so.
        expect(page.locator("#error-summary")).to_be_visible()
        assert_accessible(page)
        page.locator("#decline-confirm").check()
        page.get_by_role("button", name=SAY[language]["no"]).click()
        expect(page.locator("main")).to_contain_text(SAY[language]["cannot"])
    assert_accessible(page)
    phone.close()


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_salon_day_from_a_phone(browser, app, live_server, make_user, salon, language):
    first, second, _declined, waiting = salon["registrations"]
    speaker_answers(browser, salon["links"][0], language, will_come=True)
    speaker_answers(browser, salon["links"][1], language, will_come=True)
    speaker_answers(browser, salon["links"][2], language, will_come=False)
    assert states(app, salon["registrations"]) == [
        RegistrationState.APPROVED,
        RegistrationState.APPROVED,
        RegistrationState.WITHDRAWN,
        RegistrationState.APPROVED,  # moved up into the freed slot
    ]

    organizer = make_user(Role.ORGANIZER)
    desk = browser.new_context(viewport=PHONE, locale=LANGUAGES[language])
    page = desk.new_page()
    page.goto(f"{live_server}/sign-in")
    page.fill("#email", organizer.email)
    page.fill("#password", PASSWORD)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.goto(f"{live_server}/manage/events/{salon['event']}/registrations")
    assert_accessible(page)
    queue = page.locator("main")
    expect(queue.get_by_text(SAY[language]["will_come"], exact=True)).to_have_count(2)
    expect(queue.get_by_text(SAY[language]["cannot"], exact=True)).to_have_count(1)
    desk.close()

    # The day before: `flask remind` reminds the three speakers who hold a place.
    with app.app_context():
        assert remind_speakers(utcnow()).reminders == 3
        reminded = set(
            db.session.scalars(
                sa.select(OutboxMessage.registration_id).where(OutboxMessage.kind == "reminder")
            )
        )
        assert reminded == {first, second, waiting}
