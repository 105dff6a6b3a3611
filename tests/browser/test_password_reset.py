"""Issue 10: "Forgot your password?" and "Send me my link again" on a phone, in both languages:
from the page to the message in the outbox, through its link, to the account or the
registration, with GOV.UK errors and no page scrolling sideways."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from talentday.auth.models import Role
from talentday.extensions import db
from talentday.outbox.models import OutboxMessage
from talentday.outbox.services import text_to_send
from talentday.registrations import services as registrations
from talentday.registrations.models import RegistrationState
from tests import factories
from tests.browser.accessibility import assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "lantern orchard river tides"
WORDS = {
    "en-GB": {
        "error": "Error: ",
        "forgot": "Forgot your password?",
        "check": "Check your email",
        "choose": "Choose a new password",
        "changed": "Your password has been changed",
        "mismatch": "Enter the same new password twice",
        "subject": "Reset your TalentDay password",
        "landing": "Overview",
        "send link": "Send me my link again",
        "private": "Your registration",
    },
    "zh-CN": {
        "error": "错误：",
        "forgot": "忘记密码？",
        "check": "请查收邮件",
        "choose": "设置新密码",
        "changed": "您的密码已修改",
        "mismatch": "两次输入的新密码须一致",
        "subject": "重设您的 TalentDay 密码",
        "landing": "总览",
        "send link": "重新发送我的链接",
        "private": "我的报名",
    },
}


def newest_message(app, live_server, kind: str) -> tuple[OutboxMessage, str]:
    """The newest message of this kind, with its body as the server under test sends it."""
    app.config["PUBLIC_BASE_URL"] = live_server
    with app.app_context():
        message = db.session.scalar(
            sa.select(OutboxMessage)
            .where(OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id.desc())
        )
        return message, text_to_send(message)


def fits_a_phone(page) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def sent_back_with(page, words, field: str) -> None:
    """GOV.UK: "Error:" in the title, the focus on the summary, whose link leads to the field."""
    page.wait_for_load_state()
    assert page.title().startswith(words["error"]), page.title()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.locator(f"#{field}")).to_be_focused()
    fits_a_phone(page)
    assert_accessible(page)


def submit_form(page) -> None:
    page.locator("main form[method=post] button[type=submit]").last.click()


@pytest.mark.parametrize("locale", list(WORDS))
def test_forgot_password_from_the_sign_in_page_to_signing_in_again(
    browser, app, live_server, make_user, locale
):
    words = WORDS[locale]
    user = make_user(Role.LEADER)
    page = browser.new_context(viewport=PHONE, locale=locale).new_page()

    page.goto(f"{live_server}/sign-in")
    page.get_by_role("link", name=words["forgot"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["forgot"])
    fits_a_phone(page)
    assert_accessible(page)

    submit_form(page)
    sent_back_with(page, words, "email")

    page.fill("#email", user.email)
    submit_form(page)
    status = page.get_by_role("status")
    expect(status.get_by_role("heading", level=1)).to_have_text(words["check"])
    expect(status).to_contain_text(user.email)
    fits_a_phone(page)
    assert_accessible(page)

    # The message in the outbox, in the language of the page the account holder asked on
    # (a new account has no language of its own yet), and its link made when it is sent.
    message, body = newest_message(app, live_server, "password_reset")
    assert message.to_email == user.email and message.subject == words["subject"]
    assert "/reset-password/" not in message.body
    link = re.search(r"https?://\S+/reset-password/\S+", body).group(0)

    page.goto(link)
    assert page.url == f"{live_server}/reset-password/", "the token leaves the address bar"
    expect(page.get_by_role("heading", level=1)).to_have_text(words["choose"])
    expect(page.locator("main")).to_contain_text(user.email)
    fits_a_phone(page)
    assert_accessible(page)

    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#confirm_password", "not the same at all")
    submit_form(page)
    sent_back_with(page, words, "confirm_password")
    expect(page.locator("#confirm_password-error")).to_contain_text(words["mismatch"])

    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#confirm_password", NEW_PASSWORD)
    submit_form(page)
    expect(page).to_have_url(f"{live_server}/sign-in")
    expect(page.get_by_role("status")).to_contain_text(words["changed"])
    fits_a_phone(page)
    assert_accessible(page)

    page.fill("#email", user.email)
    page.fill("#password", NEW_PASSWORD)
    submit_form(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(words["landing"])

    # The link is spent.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).not_to_have_text(words["choose"])
    assert_accessible(page)
    page.context.close()


@pytest.mark.parametrize("locale", list(WORDS))
def test_a_speaker_gets_their_link_again_from_the_event_page(
    browser, app, live_server, event_id, locale
):
    words = WORDS[locale]
    with app.app_context():
        speaker = factories.speaker(email="gao.lizhi@example.com", locale=None)
        registration = factories.registration(
            event=db.session.get(factories.Event, event_id),
            speaker=speaker,
            state=RegistrationState.APPROVED,
        )
        registrations.issue_token(registration)
        db.session.commit()
    page = browser.new_context(viewport=PHONE, locale=locale).new_page()

    page.goto(f"{live_server}/events/{event_id}")
    page.get_by_role("link", name=words["send link"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["send link"])
    fits_a_phone(page)
    assert_accessible(page)

    page.fill("#email", "not an address")
    submit_form(page)
    sent_back_with(page, words, "email")

    page.fill("#email", "Gao.Lizhi@example.com")
    submit_form(page)
    expect(page.get_by_role("status").get_by_role("heading", level=1)).to_have_text(words["check"])
    fits_a_phone(page)
    assert_accessible(page)

    message, body = newest_message(app, live_server, "link_resent")
    assert message.to_email == "gao.lizhi@example.com"
    page.goto(re.search(r"https?://\S+/r/\S+", body).group(0))
    assert page.url == f"{live_server}/r/"
    expect(page.locator("main")).to_contain_text(words["private"])
    fits_a_phone(page)
    page.context.close()
