""" "Forgot your password?" (issue 10): one answer for every address, a message through the
outbox for active accounts only, and a reset link that works once, for a limited time, and
dies with the password, the account's active state or its address."""

import re
from datetime import timedelta

import itsdangerous
import pytest
import sqlalchemy as sa

from talentday.audit.models import AuditEntry
from talentday.auth import reset
from talentday.auth.models import Role, User
from talentday.auth.services import change_password, update_user
from talentday.database import utcnow
from talentday.extensions import db
from talentday.outbox.models import MAX_ATTEMPTS, MessageStatus, OutboxMessage
from talentday.outbox.services import send_pending, text_to_send, text_to_show
from tests.conftest import PASSWORD, csrf_token, sign_in, submit

NEW_PASSWORD = "lantern orchard river tides"
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')


def messages(kind=reset.MESSAGE_KIND) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def link_path(message: OutboxMessage) -> str:
    """The reset link the message carries when it is sent, as a path on the test server."""
    link = re.search(r"http://localhost(/reset-password/\S+)", text_to_send(message))
    assert link, text_to_send(message)
    return link.group(1)


def token_of(message: OutboxMessage) -> str:
    return link_path(message).removeprefix("/reset-password/")


def same_page(first: str, second: str) -> bool:
    """Equal but for the CSRF token, which is signed with the time of each request."""
    return CSRF_VALUE.sub(r"\1\2", first) == CSRF_VALUE.sub(r"\1\2", second)


# --- the request: services ------------------------------------------------------------------


def test_an_active_account_gets_one_message_and_an_unknown_address_none(app_ctx, make_user):
    user = make_user(Role.DEPARTMENT_STAFF, email="liu.na@example.com")
    reset.request_reset("nobody@example.com")
    assert messages() == []
    reset.request_reset("  Liu.Na@Example.COM ")
    db.session.commit()
    [message] = messages()
    assert message.to_email == user.email and message.to_name == user.name
    assert message.registration_id is None and message.event_id is None
    assert message.subject == "Reset your TalentDay password"
    assert "choose a new password" in message.body
    # No unknown address is written anywhere; the account's request is audited.
    [entry] = audit("password_reset_requested")
    assert entry.target_id == user.id and entry.details["outcome"] == "queued"
    assert "nobody@example.com" not in str(
        [e.details for e in db.session.scalars(sa.select(AuditEntry))]
    )


def test_a_disabled_account_gets_no_message(app_ctx, make_user):
    user = make_user(active=False)
    reset.request_reset(user.email)
    db.session.commit()
    assert messages() == []
    [entry] = audit("password_reset_requested")
    assert entry.details["outcome"] == "account disabled"


def test_asking_again_within_minutes_queues_nothing_more(app_ctx, make_user):
    user = make_user()
    for _ in range(5):
        reset.request_reset(user.email)
    db.session.commit()
    assert len(messages()) == 1
    assert [e.details["outcome"] for e in audit("password_reset_requested")] == [
        "queued",
        *["sent minutes ago"] * 4,
    ]
    # A discarded message does not count; an old one neither.
    messages()[0].created_at = utcnow() - timedelta(
        minutes=app_ctx.config["LINK_RESEND_MINUTES"] + 1
    )
    db.session.commit()
    reset.request_reset(user.email)
    db.session.commit()
    assert len(messages()) == 2
    messages()[1].status = MessageStatus.DISCARDED
    reset.request_reset(user.email)
    db.session.commit()
    assert len(messages()) == 3


@pytest.mark.parametrize(("stored", "page", "expected"), [
    ("zh_Hans", "en", "重设"),
    ("en", "zh_Hans", "Reset your TalentDay password"),
    (None, "zh_Hans", "重设"),
    (None, "en", "Reset your TalentDay password"),
])  # fmt: skip
def test_the_message_is_in_the_account_holders_language(app, make_user, stored, page, expected):
    """The account's language; for an account that has none yet, the page's."""
    user = make_user(locale=stored)
    with app.test_request_context(headers={"Accept-Language": page.replace("_Hans", "")}):
        reset.request_reset(user.email)
        db.session.commit()
        [message] = messages()
        assert expected in message.subject
        if expected == "重设":
            assert "设置新密码" in message.body and "1小时" in message.body
        else:
            assert "for 1 hour after this message was sent" in message.body


def test_the_outbox_never_holds_or_shows_the_link(app_ctx, make_user):
    user = make_user()
    reset.request_reset(user.email)
    db.session.commit()
    [message] = messages()
    assert "/reset-password/" not in message.body
    shown = text_to_show(message)
    assert "/reset-password/" not in shown and "[the password reset link, added when sent]" in shown
    sent = text_to_send(message)
    assert "http://localhost/reset-password/" in sent
    assert reset.user_for_token(token_of(message)).id == user.id


def test_the_sender_makes_the_link_and_refuses_a_stale_or_disabled_one(app, make_user, smtp):
    fresh, stale, disabled = make_user(), make_user(), make_user()
    with app.app_context():
        for user in (fresh, stale, disabled):
            reset.request_reset(user.email)
        db.session.commit()
        by_address = {m.to_email: m for m in messages()}
        by_address[stale.email].created_at = utcnow() - timedelta(minutes=61)
        db.session.get(User, disabled.id).active = False
        db.session.commit()
        assert send_pending() == (1, 2)
        [sent] = smtp.sent
        assert sent["To"].endswith(f"<{fresh.email}>")
        token = re.search(r"/reset-password/(\S+)", sent.get_body(("plain",)).get_content()).group(
            1
        )
        assert reset.user_for_token(token).id == fresh.id
        for address, reason in ((stale.email, "longer ago"), (disabled.email, "active account")):
            message = db.session.scalar(
                sa.select(OutboxMessage).where(OutboxMessage.to_email == address)
            )
            assert message.status is MessageStatus.FAILED and message.attempts == MAX_ATTEMPTS
            assert reason in message.last_error


# --- the token ----------------------------------------------------------------------------


def test_a_token_opens_its_account_and_nothing_else_does(app_ctx, make_user):
    user = make_user()
    token = reset.make_token(db.session.get(User, user.id))
    assert reset.user_for_token(token).id == user.id
    for forged in (None, "", "x", token[:-2] + "AA", token + "x", "a" * 1000, token.upper()):
        assert reset.user_for_token(forged) is None, forged
    # Signed for something else with the same key: another salt, another purpose.
    other = itsdangerous.URLSafeTimedSerializer(app_ctx.config["SECRET_KEY"], salt="other")
    assert reset.user_for_token(other.dumps({"user": user.id, "state": "x"})) is None
    # A signed value of the right salt but the wrong shape.
    own = itsdangerous.URLSafeTimedSerializer(app_ctx.config["SECRET_KEY"], salt=reset.SALT)
    for payload in (
        [user.id],
        {"user": str(user.id)},
        {"user": 2**40, "state": "x"},
        {"user": user.id, "state": "x"},
    ):
        assert reset.user_for_token(own.dumps(payload)) is None, payload


def test_a_token_expires(app_ctx, make_user, monkeypatch):
    user = db.session.get(User, make_user().id)
    minutes = app_ctx.config["PASSWORD_RESET_MINUTES"]
    signer = itsdangerous.timed.TimestampSigner
    real = signer.get_timestamp

    def issued(seconds_ago):
        monkeypatch.setattr(signer, "get_timestamp", lambda self: real(self) - seconds_ago)
        token = reset.make_token(user)
        monkeypatch.setattr(signer, "get_timestamp", real)
        return token

    assert reset.user_for_token(issued(minutes * 60 - 30)) is not None
    assert reset.user_for_token(issued(minutes * 60 + 30)) is None
    app_ctx.config["PASSWORD_RESET_MINUTES"] = 5
    assert reset.user_for_token(issued(6 * 60)) is None


def test_a_token_works_once(app_ctx, make_user):
    user = db.session.get(User, make_user().id)
    first, second = reset.make_token(user), reset.make_token(user)
    reset.reset_password(user, new_password=NEW_PASSWORD)
    db.session.commit()
    assert reset.user_for_token(first) is None
    assert reset.user_for_token(second) is None, "every link of the old password dies with it"
    # Even set to the same password again: a new hash, a dead link.
    third = reset.make_token(user)
    reset.reset_password(user, new_password=NEW_PASSWORD)
    assert reset.user_for_token(third) is None


def test_a_token_dies_when_the_password_changes_the_account_is_disabled_or_moves(
    app_ctx, make_user
):
    admin = db.session.get(User, make_user(Role.ADMIN).id)
    user = db.session.get(User, make_user().id)

    token = reset.make_token(user)
    change_password(user, current_password=PASSWORD, new_password=NEW_PASSWORD)
    assert reset.user_for_token(token) is None

    def edit(**changes):
        values = {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "unit": None,
            "active": True,
        }
        update_user(user, by=admin, **{**values, **changes})

    token = reset.make_token(user)
    edit(active=False)
    assert reset.user_for_token(token) is None
    edit(active=True)
    assert reset.user_for_token(token) is None, "re-enabling does not revive the old link"

    token = reset.make_token(user)
    edit(email="moved@example.com")
    assert reset.user_for_token(token) is None, "the link went to the old address"


def test_the_new_password_meets_the_rules_of_every_new_password(app_ctx, make_user):
    from talentday.auth.services import AccountError

    user = db.session.get(User, make_user(name="Liu Na", email="liu.na@example.com").id)
    token = reset.make_token(user)
    for weak in ("short", "password12", "1234567890", "liu.na@example.com2026"):
        with pytest.raises(AccountError) as refused:
            reset.reset_password(user, new_password=weak)
        assert refused.value.field == "new_password"
    assert reset.user_for_token(token) is not None, "a refused password uses nothing up"


# --- the pages ----------------------------------------------------------------------------


def ask(client, email, **kwargs):
    return submit(client, "/forgot-password", {"email": email}, **kwargs)


def test_the_sign_in_page_leads_to_it(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/forgot-password">Forgot your password?</a>' in page


def test_known_unknown_and_disabled_addresses_get_the_same_page(app, make_user):
    active, disabled = make_user(), make_user(active=False)
    pages = []
    for email in (active.email, "nobody@example.com", disabled.email):
        client = app.test_client()
        response = ask(client, email)
        assert response.status_code == 302 and response.headers["Location"] == "/forgot-password"
        page = client.get("/forgot-password").get_data(as_text=True)
        assert f"If {email} is the address of an account" in page
        pages.append(page.replace(email, "ADDRESS"))
        # The answer shows once; the page is the form again afterwards.
        assert "Send me a reset link" in client.get("/forgot-password").get_data(as_text=True)
    assert same_page(pages[0], pages[1]) and same_page(pages[0], pages[2])
    with app.app_context():
        assert [m.to_email for m in messages()] == [active.email]


def test_the_same_client_gets_the_same_body_for_a_known_and_an_unknown_address(app, make_user):
    user = make_user()
    client = app.test_client()
    ask(client, user.email)
    known = client.get("/forgot-password").get_data(as_text=True).replace(user.email, "A")
    ask(client, "nobody@example.com")
    unknown = (
        client.get("/forgot-password").get_data(as_text=True).replace("nobody@example.com", "A")
    )
    assert same_page(known, unknown)


def test_a_mistyped_address_is_explained_at_the_field(client):
    response = ask(client, "not an address")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Forgot your password?" in page
    assert 'href="#email">Enter an email address like name@example.com' in page
    assert 'value="not an address"' in page
    page = ask(client, "").get_data(as_text=True)
    assert 'href="#email">Enter the email address of your account' in page


def test_the_page_speaks_chinese(client):
    headers = {"Accept-Language": "zh-CN"}
    page = client.get("/forgot-password", headers=headers).get_data(as_text=True)
    assert '<h1 class="mb-3">忘记密码？</h1>' in page
    page = ask(client, "", headers=headers).get_data(as_text=True)
    assert re.search("<title>错误：\\s*忘记密码？", page) and "请输入您账号的电子邮箱" in page


def test_requests_are_rate_limited_per_address(app, make_user):
    app.config["PASSWORD_RESET_LIMITS"] = "3 per minute"
    client = app.test_client()
    answers = [ask(client, f"someone{n}@example.com").status_code for n in range(4)]
    assert answers == [302, 302, 302, 429]


def test_forgot_password_from_message_to_new_password(app, make_user):
    user = make_user(Role.LEADER)
    elsewhere = app.test_client()
    sign_in(elsewhere, user.email)
    assert elsewhere.get("/home").status_code == 200

    client = app.test_client()
    ask(client, user.email)
    with app.app_context():
        [message] = messages()
        path = link_path(message)
    token = path.removeprefix("/reset-password/")

    # The token is in the first request only, which puts it on the session.
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"] == "/reset-password/"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    form = client.get("/reset-password/")
    page = form.get_data(as_text=True)
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert "Choose a new password" in page and user.email in page and token not in page
    assert re.findall(r'<form[^>]*action="([^"]*)"', page)[-1] == "/reset-password/"

    # The rules of the change-password page, with GOV.UK errors.
    page = submit(
        client, "/reset-password/", {"new_password": NEW_PASSWORD, "confirm_password": "other"}
    ).get_data(as_text=True)
    assert "<title>Error: Choose a new password" in page
    assert 'href="#confirm_password">Enter the same new password twice' in page
    page = submit(
        client, "/reset-password/", {"new_password": "password12", "confirm_password": "password12"}
    ).get_data(as_text=True)
    assert 'href="#new_password">This password is too easy to guess' in page

    response = submit(
        client, "/reset-password/", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Your password has been changed" in page

    assert elsewhere.get("/home").status_code == 302, "every session of the account ended"
    assert sign_in(app.test_client(), user.email).status_code == 200, "the old password is dead"
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    with app.app_context():
        [entry] = audit("password_reset")
        assert entry.actor_id == user.id and entry.target_id == user.id

    # The link, opened again, and the form, posted again, say the link is spent.
    client.get(path)
    dead = client.get("/reset-password/")
    assert dead.status_code == 200 and "This link no longer works" in dead.get_data(as_text=True)
    again = client.post(
        "/reset-password/",
        data={
            "csrf_token": csrf_token(client, "/forgot-password"),
            "new_password": "x" * 12,
            "confirm_password": "x" * 12,
        },
    )
    assert again.status_code == 400 and "This link no longer works" in again.get_data(as_text=True)


def test_a_password_changed_after_the_link_was_opened_kills_the_form(app, make_user):
    user = make_user()
    client = app.test_client()
    with app.app_context():
        token = reset.make_token(db.session.get(User, user.id))
    client.get(f"/reset-password/{token}")
    assert "Choose a new password" in client.get("/reset-password/").get_data(as_text=True)
    with app.app_context():
        change_password(
            db.session.get(User, user.id), current_password=PASSWORD, new_password=NEW_PASSWORD
        )
        db.session.commit()
    response = submit(
        client, "/reset-password/", {"new_password": "x" * 12, "confirm_password": "x" * 12},
        form_url="/forgot-password",
    )  # fmt: skip
    assert response.status_code == 400 and "This link no longer works" in response.get_data(
        as_text=True
    )


def test_a_forged_link_puts_nothing_on_the_session(client):
    response = client.get("/reset-password/not-a-token")
    assert response.status_code == 302 and response.headers["Location"] == "/reset-password/"
    page = client.get("/reset-password/").get_data(as_text=True)
    assert "This link no longer works" in page and 'href="/forgot-password"' in page


def test_resetting_while_signed_in_to_that_account_signs_this_browser_out(app, make_user):
    user = make_user()
    client = app.test_client()
    sign_in(client, user.email)
    with app.app_context():
        token = reset.make_token(db.session.get(User, user.id))
    client.get(f"/reset-password/{token}")
    response = submit(
        client, "/reset-password/", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert response.headers["Location"] == "/sign-in"
    page = client.get("/sign-in")
    assert page.status_code == 200 and "Your password has been changed" in page.get_data(
        as_text=True
    )
    assert client.get("/home").status_code == 302


def test_a_reset_clears_the_sign_in_delay_of_the_account(app, make_user, monkeypatch):
    from talentday.auth import throttle

    waits = []
    monkeypatch.setattr(throttle, "pause", waits.append)
    app.config["SIGN_IN_LIMITS"] = "1000 per minute"
    user = make_user()
    for _ in range(app.config["SIGN_IN_FREE_FAILURES"] + 1):
        sign_in(app.test_client(), user.email, "wrong password")
    client = app.test_client()
    with app.app_context():
        token = reset.make_token(db.session.get(User, user.id))
    client.get(f"/reset-password/{token}")
    submit(
        client, "/reset-password/", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    waits.clear()
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    assert waits == [0]


@pytest.mark.parametrize(
    ("address", "broken"),
    [
        ("/reset-password/{secret}", "talentday.auth.reset.user_for_token"),
        ("/r/{secret}", "talentday.registrations.services.find_by_token"),
    ],
)
def test_the_error_log_keeps_no_link_secret(app, monkeypatch, caplog, address, broken):
    """Found by review: gunicorn's access log hides a link's secret, but a request that fails
    (the database down) is logged by Flask as "Exception on <path>", secret and all, in the
    error log."""

    def fails(token):
        raise RuntimeError("the database is down")

    monkeypatch.setattr(broken, fails)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: logged, then a 500 page
    secret = "Zm9yZ2V0LW1lLW5vdA.aWQ.c2VjcmV0LXRva2Vu"
    with caplog.at_level("ERROR", logger=app.logger.name):
        response = app.test_client().get(address.format(secret=secret))
    assert response.status_code == 500
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Exception on" in logged, "the failure is logged"
    assert secret not in logged
