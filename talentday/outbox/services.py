"""The outbox: every message is a row first, sent through SMTP when SMTP is configured."""

import contextlib
import re
import secrets
import smtplib
from collections.abc import Collection
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import sqlalchemy as sa
from flask import current_app, g, has_request_context, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from talentday.audit.services import record
from talentday.auth.models import User
from talentday.database import claim, utcnow
from talentday.errors_domain import DomainError
from talentday.extensions import db
from talentday.outbox.models import MAX_ATTEMPTS, MessageChannel, MessageStatus, OutboxMessage

# How the marker standing for a link made at sending time begins: which link it stands for.
PRIVATE_LINK_MARKER = "[private-link-"
RESET_LINK_MARKER = "[reset-link-"
# What organizers read where such a link goes: in the outbox, and in a preview.
PRIVATE_LINK_STAND_IN = _l("[the speaker's private link, added when sent]")
RESET_LINK_STAND_IN = _l("[the password reset link, added when sent]")


def queue_message(
    *,
    kind: str,
    to_email: str,
    to_name: str = "",
    locale: str | None,
    template: str,
    subject=None,
    event=None,
    registration=None,
    private_link_for=None,
    reset_link_for=None,
    **context,
) -> OutboxMessage:
    """Render a message in the recipient's language and keep it in the outbox.

    A `template` that is one of message_templates.KINDS is worded as the organizers chose
    (or by default) and needs no `subject`; any other is a file in templates/emails.

    With `private_link_for` (a registration), the body gets a marker where the speaker's
    private link goes; with `reset_link_for` (an account), one where its password reset link
    goes. The link replaces the marker only when the message is sent."""
    from talentday.outbox import message_templates

    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    marker = None
    if private_link_for is not None:
        registration = private_link_for
        # Unguessable, so that no text a speaker typed into the message can stand for it.
        marker = f"{PRIVATE_LINK_MARKER}{secrets.token_hex(8)}]"
        context["link"] = marker
    elif reset_link_for is not None:
        marker = f"{RESET_LINK_MARKER}{secrets.token_hex(8)}]"
        context["link"] = marker
    kind_of_template = message_templates.KINDS.get(template)
    if kind_of_template is not None:
        subject_text, body = message_templates.render(
            kind_of_template,
            locale,
            dict(context, event=event, registration=registration, to_name=to_name),
        )
    else:
        with force_locale(locale):
            body = render_template(
                f"emails/{template}.txt", event=event, registration=registration, **context
            )
            subject_text = str(subject)
    message = OutboxMessage(
        kind=kind,
        to_email=to_email,
        to_name=to_name,
        locale=locale,
        subject=subject_text,
        body=body,
        private_link_marker=marker,
        event_id=getattr(event, "id", None),
        registration_id=getattr(registration, "id", None),
    )
    db.session.add(message)
    if has_request_context():
        g.outbox_has_new_messages = True
    return message


class MessageCannotBeSent(Exception):
    pass


def text_to_send(message: OutboxMessage) -> str:
    """The body as the recipient receives it, with the private or reset link made now."""
    if not message.private_link_marker:
        return message.body
    if message.private_link_marker.startswith(RESET_LINK_MARKER):
        from talentday.auth.reset import link_for_message

        return message.body.replace(message.private_link_marker, link_for_message(message))
    from talentday.registrations.models import Registration
    from talentday.registrations.services import current_token, private_link

    registration = (
        db.session.get(Registration, message.registration_id) if message.registration_id else None
    )
    if registration is None:
        raise MessageCannotBeSent("the registration whose link it carries no longer exists")
    return message.body.replace(
        message.private_link_marker, private_link(current_token(registration))
    )


def text_to_show(message: OutboxMessage) -> str:
    """The body for organizers reading the outbox: never with the speaker's link, nor with
    an account's password reset link."""
    if not message.private_link_marker:
        return message.body
    if message.private_link_marker.startswith(RESET_LINK_MARKER):
        placeholder = RESET_LINK_STAND_IN
    else:
        placeholder = PRIVATE_LINK_STAND_IN
    return message.body.replace(message.private_link_marker, str(placeholder))


def read_message(message: OutboxMessage, *, by: User, remote_addr: str = "") -> str:
    """An organizer reads a message: it holds a speaker's address and what was written to
    them, so who read it goes into the audit log. Returns the text to show."""
    record("outbox_message_viewed", actor=by, target=message, remote_addr=remote_addr)
    return text_to_show(message)


class OutboxError(DomainError):
    """A resend or discard the message's state does not allow."""


def _not_being_sent(now: datetime):
    """No sender holds the message: never claimed, or its claim has lapsed (_sendable)."""
    return sa.or_(OutboxMessage.sent_at.is_(None), OutboxMessage.sent_at < now - CLAIM_LEASE)


def _change_unless_being_sent(message: OutboxMessage, allowed, **values) -> bool:
    """Change the message only if its state allows it and no sender holds it, in one
    conditional UPDATE: a sender's claim is an UPDATE too, so one of the two waits for the
    other and sees its change, and a message is never both sent and discarded."""
    table = OutboxMessage.__table__
    changed = db.session.execute(
        table.update()
        .where(
            table.c.id == message.id,
            table.c.status.in_([status.value for status in allowed]),
            _not_being_sent(utcnow()),
        )
        .values(**values)
    ).rowcount
    db.session.refresh(message)
    return bool(changed)


def resend(message: OutboxMessage, *, by: User) -> None:
    """An organizer queues a failed message afresh, with a full set of attempts: the address
    was corrected, or the mail server is back. Audited."""
    if not message.may_be_resent or not _change_unless_being_sent(
        message, (MessageStatus.FAILED,), status=MessageStatus.QUEUED.value, attempts=0
    ):
        raise OutboxError(
            _l("Only a message that failed, and is not being sent right now, can be sent again.")
        )
    record("outbox_message_resent", actor=by, target=message, error=message.last_error)


def discard(message: OutboxMessage, *, by: User) -> None:
    """An organizer stops a message that has not gone: it is kept, marked discarded, and no
    sender takes it again. Audited."""
    if not message.may_be_discarded or not _change_unless_being_sent(
        message,
        (MessageStatus.QUEUED, MessageStatus.FAILED),
        status=MessageStatus.DISCARDED.value,
    ):
        raise OutboxError(_l("This message has been sent, discarded or is being sent right now."))
    record("outbox_message_discarded", actor=by, target=message)


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _as_email(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = formataddr((message.to_name, message.to_email))
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].rpartition("@")[2] or None)
    text = text_to_send(message)
    email.set_content(text)
    email.add_alternative(html_version(text, message), subtype="html")
    for filename, (maintype, subtype), data in attachments_for(message):
        email.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return email


# Messages that carry an approved speaker's check-in code, as a picture made when sent.
CHECK_IN_CODE_KINDS = frozenset({"approved", "moved_up", "reminder"})
CHECK_IN_CODE_FILE = "check-in-code.png"


def attachments_for(message: OutboxMessage) -> list[tuple[str, tuple[str, str], bytes]]:
    """(file name, content type, data) of the files that go with the message: the check-in
    code of a speaker still approved (made now, so the outbox holds no picture of it)."""
    if message.kind not in CHECK_IN_CODE_KINDS or not message.registration_id:
        return []
    from talentday.registrations.check_in import qr_png
    from talentday.registrations.models import Registration, RegistrationState

    registration = db.session.get(Registration, message.registration_id)
    if registration is None or registration.state is not RegistrationState.APPROVED:
        return []
    return [(CHECK_IN_CODE_FILE, ("image", "png"), qr_png(registration))]


# An address is printable ASCII: Chinese text written straight after it ("见https://…的通知")
# is not part of it. Quotes and angle brackets end it too.
_ADDRESS = re.compile(r"https?://[!#-&(-;=?-~]+")


def html_version(text: str, message: OutboxMessage) -> str:
    """The HTML part of a message, made from its text as it is sent: the same words, each
    paragraph a paragraph and each address a link, so that a phone's mail app shows a link
    to tap however it treats plain text. Nothing in it comes from elsewhere than the text."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = [_linked(line) for line in paragraph.splitlines()]
        paragraphs.append(Markup("<p>{}</p>").format(Markup("<br>\n").join(lines)))
    return render_template(
        "emails/message.html",
        lang="zh-Hans" if (message.locale or "").startswith("zh") else "en",
        subject=message.subject,
        paragraphs=paragraphs,
    )


def _linked(line: str) -> Markup:
    parts, start = [], 0
    for match in _ADDRESS.finditer(line):
        parts.append(escape(line[start : match.start()]))
        address = match.group(0).rstrip(".,;:)")
        parts.append(Markup('<a href="{0}">{0}</a>').format(address))
        start = match.start() + len(address)
    parts.append(escape(line[start:]))
    return Markup("").join(parts)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    timeout = config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        connection = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
    else:
        connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        if config["MAIL_USE_TLS"]:
            connection.starttls()
    if config.get("MAIL_USERNAME"):
        connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return connection


# A sender claims this many messages at a time (marks them taken and commits), then sends them.
CLAIM_BATCH = 20
# A claim this old belongs to a sender that died before marking what it sent: those messages
# may go again. Far longer than a batch takes even with every send timing out.
CLAIM_LEASE = timedelta(minutes=30)


def _sendable(now: datetime):
    """Queued or failed, tries left, and not claimed by a sender (or claimed so long ago that
    the sender must have died): while a message waits, `sent_at` holds its claim's time."""
    return sa.and_(
        OutboxMessage.status.in_((MessageStatus.QUEUED, MessageStatus.FAILED)),
        OutboxMessage.attempts < MAX_ATTEMPTS,
        _not_being_sent(now),
    )


def pending_messages(limit: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            db.select(OutboxMessage)
            .where(_sendable(utcnow()))
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def claim_messages(
    limit: int, *, tried: Collection[int] = (), channels: Collection[MessageChannel] | None = None
) -> list[OutboxMessage]:
    """Take up to `limit` sendable messages (not those `tried` already in this run) for this
    sender alone and commit the claim, so that senders running at once never send one message
    twice (`database.claim`). `channels` limits the claim (robots only, without SMTP)."""
    now = utcnow()
    only_channels = OutboxMessage.channel.in_(list(channels)) if channels is not None else sa.true()
    ids = claim(
        OutboxMessage,
        where=sa.and_(_sendable(now), OutboxMessage.id.not_in(tried), only_channels),
        order_by=(OutboxMessage.created_at, OutboxMessage.id),
        mark=OutboxMessage.sent_at,
        limit=limit,
        now=now,
    )
    if not ids:
        return []
    return list(
        db.session.scalars(
            db.select(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )


def send_pending(limit: int = 100) -> tuple[int, int]:
    """Send queued and failed messages, claimed a batch at a time (see `claim_messages`); a
    failure keeps the message, with its error, for the next run. Commits after each message
    so that a crash never sends one twice. Group robot messages go over HTTP (outbox.robots)
    whether or not SMTP is configured; emails only when it is."""
    channels = None if smtp_configured() else ROBOT_CHANNELS
    sent = failed = 0
    connection = None
    smtp_down: Exception | None = None
    # A message that failed in this run waits for the next one rather than being retried now.
    tried: set[int] = set()
    try:
        while sent + failed < limit:
            messages = claim_messages(
                min(CLAIM_BATCH, limit - sent - failed), tried=tried, channels=channels
            )
            if not messages:
                break
            for message in messages:
                tried.add(message.id)
                if message.channel.is_robot:
                    ok = _send_robot(message)
                elif smtp_down is not None:
                    _mark_failed(message, smtp_down)
                    ok = False
                else:
                    if connection is None:
                        try:
                            connection = _connect()
                        except (OSError, smtplib.SMTPException) as error:
                            # The mail server is down: this run's emails wait for the next
                            # run; the robots' messages still go.
                            smtp_down = error
                            channels = ROBOT_CHANNELS  # later batches: robots only
                            _mark_failed(message, error)
                            db.session.commit()
                            failed += 1
                            continue
                    ok = _send_one(connection, message)
                if ok:
                    sent += 1
                else:
                    failed += 1
                db.session.commit()
    finally:
        if connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                connection.quit()
    return sent, failed


ROBOT_CHANNELS = tuple(channel for channel in MessageChannel if channel.is_robot)


def _send_robot(message: OutboxMessage) -> bool:
    """A group robot message: one POST; the platform's refusal is kept like an SMTP error."""
    from talentday.outbox.robots import RobotDeliveryFailed, RobotError, deliver

    try:
        deliver(message)
    except (RobotDeliveryFailed, RobotError) as error:
        _mark_failed(message, error)
        return False
    except Exception as error:
        _give_up(message, error)
        return False
    _mark_sent(message)
    return True


def _send_one(connection: smtplib.SMTP, message: OutboxMessage) -> bool:
    try:
        connection.send_message(_as_email(message))
    except (OSError, smtplib.SMTPException) as error:
        _mark_failed(message, error)
        return False
    except Exception as error:
        # The message itself cannot be written (a header the mail library refuses, say):
        # trying again would fail the same way, and it must not stop the messages behind it.
        _give_up(message, error)
        return False
    _mark_sent(message)
    return True


def _mark_sent(message: OutboxMessage) -> None:
    message.status = MessageStatus.SENT
    message.attempts += 1
    message.sent_at = utcnow()
    message.last_error = ""


def _mark_failed(message: OutboxMessage, error: Exception) -> None:
    message.status = MessageStatus.FAILED
    message.attempts += 1
    message.sent_at = None  # the claim ends: the next run tries again
    message.last_error = f"{type(error).__name__}: {error}"[:2000]


def _give_up(message: OutboxMessage, error: Exception) -> None:
    current_app.logger.warning("Outbox message %s cannot be sent: %r", message.id, error)
    _mark_failed(message, error)
    message.attempts = max(message.attempts, MAX_ATTEMPTS)
