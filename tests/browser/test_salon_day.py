"""Issue 13's salon day from a phone, in each language: the organizer rewords the message
for a speaker moving up and writes to the approved speakers; speakers say whether they will
come (two yes, one no, and the first speaker waiting moves up and gets the new wording);
reminders are queued; at the door three speakers are checked in, by their code and by name,
a second scan says so; the table cards and badges are ready to print (printed to PDF and
read back in test_name_cards.py).

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
from talentday.registrations import check_in, services
from talentday.registrations.models import CheckIn, Registration, RegistrationState, TalentTeam
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
        "count": "It goes to 3 speakers.",
        "queued": "The message is in the outbox for 3 speakers.",
        "checked_in": "is checked in",
        "already": "Checked in already, at",
        "present": "3 of 3 speakers present",
        "moved_up_text": (
            "Good news, {name}: a place at {event} is yours.\n\n{will_you_come}\n\n"
            "{private_link}\n\n{organizer_message}\n"
        ),
        "moved_up_sent": "Good news, Li Ming: a place at 25th Talent Salon is yours.",
        "saved": "The message is saved",
    },
    "zh": {
        "yes": "是的，我会出席",
        "no": "我不能出席",
        "said_yes": "您已告知主办方将出席",
        "will_come": "确认出席",
        "cannot": "不能出席",
        "count": "将发给3\u00a0位发言人。",
        "queued": "消息已放入发件箱，发给3\u00a0位发言人。",
        "checked_in": "已签到",
        "already": "由Li Na签到",
        "present": "3\u00a0位发言人中已到3\u00a0位",
        "moved_up_text": (
            "{name}您好：{event}空出一个发言名额，归您了。\n\n{will_you_come}\n\n"
            "{private_link}\n\n{organizer_message}\n"
        ),
        "moved_up_sent": "李明您好：第二十五期人才沙龙空出一个发言名额，归您了。",
        "saved": "消息已保存",
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


def signed_in_organizer(browser, live_server, make_user, language):
    desk = browser.new_context(viewport=PHONE, locale=LANGUAGES[language])
    page = desk.new_page()
    page.goto(f"{live_server}/sign-in")
    page.fill("#email", make_user(Role.ORGANIZER, name="Li Na").email)
    page.fill("#password", PASSWORD)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    return page


def write_to_the_approved_speakers(page, live_server, salon, language):
    page.goto(f"{live_server}/manage/events/{salon['event']}/message")
    assert_accessible(page)
    page.select_option("#audience", "approved")
    suffix = "zh" if language == "zh" else "en"
    page.fill(f"#subject_{suffix}", "{event}")
    page.fill(f"#body_{suffix}", "{name}: {venue}, {when}. {link}")
    page.locator("button[name=step][value=preview]").click()
    expect(page.locator("#message-count")).to_have_text(SAY[language]["count"])
    assert_accessible(page)
    page.locator("button[name=step][value=send]").click()
    expect(page.locator(".alert-success")).to_contain_text(SAY[language]["queued"])


def edit_the_moved_up_message(page, live_server, language):
    """The organizer rewords the message a speaker gets on moving up from the waiting list,
    in the speakers' language: a wrong placeholder is refused, a preview shows it filled."""
    page.goto(f"{live_server}/manage/messages/")
    assert_accessible(page)
    wording = "zh_Hans" if language == "zh" else "en"
    page.locator(f"a[href='/manage/messages/registration_moved_up/{wording}']").click()
    assert_accessible(page)
    page.fill("#body", "{nom}: " + SAY[language]["moved_up_text"])
    page.locator("button[name=step][value=save]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#body")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.fill("#body", SAY[language]["moved_up_text"])
    page.locator("button[name=step][value=preview]").click()
    # Shown with the latest registration: the speaker waiting.
    expect(page.locator("#template-preview pre")).to_contain_text(
        SAY[language]["moved_up_sent"]
        .replace("Li Ming", SPEAKERS[3][0])
        .replace("李明", SPEAKERS[3][1])
    )
    assert_accessible(page)
    page.locator("button[name=step][value=save]").click()
    expect(page.locator(".alert-success")).to_contain_text(SAY[language]["saved"])


def check_in_at_the_door(app, page, live_server, salon, language):
    first, second, _declined, _waiting = salon["registrations"]
    with app.app_context():
        codes = {
            id_: check_in.code_for(db.session.get(Registration, id_)) for id_ in (first, second)
        }
    door = f"{live_server}/manage/events/{salon['event']}/check-in"
    for id_ in (first, second):  # as the phone's camera app opens a scanned code
        page.goto(f"{door}/{codes[id_]}")
        assert_accessible(page)
        page.locator("main form button[type=submit]").click()
        expect(page.locator(".alert-success")).to_contain_text(SAY[language]["checked_in"])
    assert_accessible(page)
    name, _name_zh, organization, _team = SPEAKERS[3]
    typed = SPEAKERS[3][1] if language == "zh" else name
    page.fill("#name", f"{typed} ({organization})")  # the suggestion the list offers
    page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page.locator(".alert-success")).to_contain_text(SAY[language]["checked_in"])
    expect(page.locator("#present-count")).to_have_text(SAY[language]["present"])
    page.goto(f"{door}/{codes[first]}")  # scanned a second time
    expect(page.locator("main [role=status]")).to_contain_text(SAY[language]["already"])
    assert_accessible(page)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 3


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_salon_day_from_a_phone(browser, app, live_server, make_user, salon, language):
    first, second, _declined, waiting = salon["registrations"]
    page = signed_in_organizer(browser, live_server, make_user, language)
    edit_the_moved_up_message(page, live_server, language)
    write_to_the_approved_speakers(page, live_server, salon, language)
    with app.app_context():
        assert (
            len(
                db.session.scalars(
                    sa.select(OutboxMessage).where(OutboxMessage.kind == "speaker_message")
                ).all()
            )
            == 3
        )

    speaker_answers(browser, salon["links"][0], language, will_come=True)
    speaker_answers(browser, salon["links"][1], language, will_come=True)
    speaker_answers(browser, salon["links"][2], language, will_come=False)
    assert states(app, salon["registrations"]) == [
        RegistrationState.APPROVED,
        RegistrationState.APPROVED,
        RegistrationState.WITHDRAWN,
        RegistrationState.APPROVED,  # moved up into the freed slot
    ]
    with app.app_context():
        moved_up = db.session.scalar(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "moved_up")
        )
        assert moved_up.registration_id == waiting
        assert moved_up.body.startswith(SAY[language]["moved_up_sent"])

    page.goto(f"{live_server}/manage/events/{salon['event']}/registrations")
    assert_accessible(page)
    queue = page.locator("main")
    expect(queue.get_by_text(SAY[language]["will_come"], exact=True)).to_have_count(2)
    expect(queue.get_by_text(SAY[language]["cannot"], exact=True)).to_have_count(1)

    # The day before: `flask remind` reminds the three speakers who hold a place.
    with app.app_context():
        assert remind_speakers(utcnow()).reminders == 3
        reminded = set(
            db.session.scalars(
                sa.select(OutboxMessage.registration_id).where(OutboxMessage.kind == "reminder")
            )
        )
        assert reminded == {first, second, waiting}

    check_in_at_the_door(app, page, live_server, salon, language)
    for sheet in ("table-cards", "badges"):
        page.goto(f"{live_server}/manage/events/{salon['event']}/print/{sheet}")
        assert_accessible(page)
        expect(page.locator("main section[aria-label]")).to_have_count(3)
    page.context.close()
