"""Every message is kept; SMTP sends it when configured; a failure is retried, never lost."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from talentday.extensions import db
from talentday.outbox.models import MessageStatus, OutboxMessage
from talentday.outbox.services import queue_message, send_pending
from tests import factories


def queue(to_email: str, locale: str = "en") -> OutboxMessage:
    event = factories.event(title="25th Talent Salon")
    registration = factories.registration(event=event)
    return queue_message(
        kind="received",
        to_email=to_email,
        to_name="Gao Lizhi",
        locale=locale,
        template="registration_received",
        subject=_l("We have received your registration"),
        event=event,
        registration=registration,
        link="http://localhost/r/abc",
    )


def test_messages_are_written_in_the_recipients_language(app_ctx):
    english = queue("a@example.com")
    chinese = queue("b@example.com", locale="zh_Hans")
    assert english.subject == "We have received your registration"
    assert "We have received your registration to speak at 25th Talent Salon" in english.body
    assert chinese.subject == "我们已收到您的报名"
    assert "25th Talent Salon" in chinese.body and "我们已收到" in chinese.body


def test_without_smtp_messages_stay_queued(app_ctx, runner):
    queue("a@example.com")
    db.session.commit()
    assert send_pending() == (0, 0)
    result = runner.invoke(args=["send-mail"])
    assert "SMTP is not configured" in result.output and "1 messages stay" in result.output
    assert db.session.scalar(sa.select(OutboxMessage.status)) is MessageStatus.QUEUED


def test_send_mail_sends_and_a_failure_is_retried(app_ctx, smtp, runner):
    ok = queue("ok@example.com")
    bad = queue("bad@example.com")
    db.session.commit()
    smtp.fail_for = {"bad@example.com>"}
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1 and "Sent 1 messages; 1 failed" in result.output
    db.session.expire_all()
    assert ok.status is MessageStatus.SENT and ok.sent_at is not None
    assert bad.status is MessageStatus.FAILED and "550" in bad.last_error and bad.attempts == 1
    assert [m["To"] for m in smtp.sent] == ["Gao Lizhi <ok@example.com>"]
    assert "http://localhost/r/abc" in smtp.sent[0].get_body(("plain",)).get_content()

    smtp.fail_for = set()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0 and "Sent 1 messages" in result.output
    db.session.expire_all()
    assert bad.status is MessageStatus.SENT and bad.attempts == 2 and bad.last_error == ""
    assert len(smtp.sent) == 2, "the message sent before is not sent again"


def test_an_unreachable_server_loses_nothing(app_ctx, smtp):
    message = queue("a@example.com")
    db.session.commit()
    smtp.refuse_connection = True
    assert send_pending() == (0, 1)
    db.session.expire_all()
    assert message.status is MessageStatus.FAILED and "refused" in message.last_error


def test_sending_right_after_the_request_when_configured(app, smtp, client):
    from datetime import UTC, datetime, timedelta

    from talentday.events.models import EventState
    from tests.conftest import submit

    app.config["MAIL_SEND_AFTER_REQUEST"] = True
    with app.app_context():
        now = datetime.now(UTC)
        event = factories.event(
            state=EventState.PUBLISHED,
            starts_at=now + timedelta(days=9),
            ends_at=now + timedelta(days=9, hours=2),
        )
        db.session.commit()
        event_id = event.id
    response = submit(
        client,
        f"/events/{event_id}/register",
        {
            "name": "Li Meisheng",
            "email": "li@example.com",
            "phone": "13800000000",
            "organization": "Huaiyin Normal University",
            "position": "Vice Dean",
            "talent_team": "sci_tech_vice_president",
            "topic": "Two posts, one career",
            "consent": "y",
        },
    )
    assert response.status_code == 302
    response.close()  # the delivery runs when the response is closed
    assert [m["To"] for m in smtp.sent] == ["Li Meisheng <li@example.com>"]


def test_two_senders_at_once_send_each_message_once(app, smtp, monkeypatch):
    """Two servers' `flask send-mail` running at the same moment, each with its own session
    and connection: every message goes out exactly once (SKIP LOCKED on PostgreSQL, the one
    writer's lock on SQLite)."""
    import threading
    import time

    from talentday.outbox import services

    with app.app_context():
        for number in range(30):
            queue(f"speaker{number}@example.com")
        db.session.commit()
    monkeypatch.setattr(services, "CLAIM_BATCH", 4)
    real_send = smtp.send_message

    def slow_send(self, message):
        time.sleep(0.002)  # an SMTP exchange takes a while: the other sender runs meanwhile
        real_send(self, message)

    monkeypatch.setattr(smtp, "send_message", slow_send)
    start = threading.Barrier(2)
    results, errors = [], []

    def sender():
        try:
            with app.app_context():
                start.wait()
                results.append(send_pending(limit=100))
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    addresses = [message["To"] for message in smtp.sent]
    assert len(addresses) == 30 and len(set(addresses)) == 30
    assert sum(sent for sent, _failed in results) == 30
    with app.app_context():
        statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
        assert set(statuses) == {MessageStatus.SENT}


def test_a_claim_left_by_a_dead_sender_is_taken_again_later(app_ctx, smtp, monkeypatch):
    from datetime import timedelta

    from talentday.outbox import services

    message = queue("a@example.com")
    db.session.commit()
    assert [m.id for m in services.claim_messages(10)] == [message.id]
    # The sender died before sending: the message is neither sent nor taken by the next run...
    assert send_pending() == (0, 0) and smtp.sent == []
    # ...until its claim is older than the lease.
    message.sent_at -= services.CLAIM_LEASE + timedelta(minutes=1)
    db.session.commit()
    assert send_pending() == (1, 0)
    assert [m["To"] for m in smtp.sent] == ["Gao Lizhi <a@example.com>"]


# --- an organizer sends a failed message again, or discards one (issue 10) --------------------


def _message(app, status: MessageStatus, attempts: int = 0, **values) -> int:
    with app.app_context():
        message = OutboxMessage(
            kind="approved",
            to_email="gao@example.com",
            to_name="Gao Lizhi",
            subject="Your registration is approved",
            body="Hello",
            status=status,
            attempts=attempts,
            last_error="550 mailbox unavailable" if status is MessageStatus.FAILED else "",
            **values,
        )
        db.session.add(message)
        db.session.commit()
        return message.id


def _audited(app, action: str) -> list:
    from talentday.audit.models import AuditEntry

    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_a_message_that_gave_up_is_sent_again_when_the_organizer_asks(app, smtp, make_user):
    from talentday.auth.models import Role
    from talentday.outbox.models import MAX_ATTEMPTS
    from tests.conftest import csrf_token, sign_in

    message_id = _message(app, MessageStatus.FAILED, attempts=MAX_ATTEMPTS)
    with app.app_context():
        assert send_pending() == (0, 0), "given up: no longer retried by itself"
    organizer = app.test_client()
    sign_in(organizer, make_user(Role.ORGANIZER).email)
    page = organizer.get(f"/manage/outbox/{message_id}").get_data(as_text=True)
    assert "Send again" in page and "Failed, not retried" in page
    token = csrf_token(organizer, f"/manage/outbox/{message_id}")
    response = organizer.post(
        f"/manage/outbox/{message_id}/resend", data={"csrf_token": token}, follow_redirects=True
    )
    assert "The message to gao@example.com is queued to be sent again." in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert send_pending() == (1, 0)
        assert db.session.get(OutboxMessage, message_id).status is MessageStatus.SENT
    [entry] = _audited(app, "outbox_message_resent")
    assert entry.target_id == message_id and "550" in entry.details["error"]


def test_discarding_asks_first_and_the_message_never_goes(app, smtp, make_user):
    from talentday.auth.models import Role
    from tests.conftest import csrf_token, sign_in

    message_id = _message(app, MessageStatus.QUEUED)
    organizer = app.test_client()
    sign_in(organizer, make_user(Role.ORGANIZER).email)
    confirm = organizer.get(f"/manage/outbox/{message_id}/discard").get_data(as_text=True)
    assert "Discard this message?" in confirm and "gao@example.com" in confirm
    assert "will not be sent, now or later" in confirm
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).status is MessageStatus.QUEUED
    token = csrf_token(organizer, f"/manage/outbox/{message_id}/discard")
    response = organizer.post(
        f"/manage/outbox/{message_id}/discard", data={"csrf_token": token}, follow_redirects=True
    )
    assert "The message to gao@example.com will not be sent." in response.get_data(as_text=True)
    with app.app_context():
        assert send_pending() == (0, 0)
        assert db.session.get(OutboxMessage, message_id).status is MessageStatus.DISCARDED
    assert len(_audited(app, "outbox_message_discarded")) == 1
    # Sent or discarded: neither button, and the addresses refuse.
    page = organizer.get(f"/manage/outbox/{message_id}").get_data(as_text=True)
    assert "Send again" not in page and "Discard this message" not in page
    again = organizer.post(
        f"/manage/outbox/{message_id}/resend", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Only a message that failed" in again.get_data(as_text=True)


def test_a_message_a_sender_holds_right_now_is_neither_discarded_nor_queued_twice(app_ctx):
    from talentday.auth.models import Role, User
    from talentday.database import utcnow
    from talentday.outbox.services import OutboxError, discard, resend

    organizer = User(email="o@example.com", name="O", role=Role.ORGANIZER, password_hash="x")
    db.session.add(organizer)
    held = OutboxMessage(
        kind="approved", to_email="a@example.com", subject="S", body="B",
        status=MessageStatus.FAILED, attempts=1, sent_at=utcnow(),  # claimed by a sender
    )  # fmt: skip
    db.session.add(held)
    db.session.commit()
    for change in (discard, resend):
        try:
            change(held, by=organizer)
        except OutboxError:
            db.session.rollback()
        else:
            raise AssertionError(f"{change.__name__} changed a message a sender holds")
    assert db.session.get(OutboxMessage, held.id).status is MessageStatus.FAILED


def test_only_organizers_resend_or_discard(app, make_user):
    from talentday.auth.models import Role
    from tests.conftest import sign_in

    message_id = _message(app, MessageStatus.QUEUED)
    leader = app.test_client()
    sign_in(leader, make_user(Role.LEADER).email)
    assert leader.get(f"/manage/outbox/{message_id}/discard").status_code == 403
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).status is MessageStatus.QUEUED
