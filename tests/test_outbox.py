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
    assert "http://localhost/r/abc" in smtp.sent[0].get_content()

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
