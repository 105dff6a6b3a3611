import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from talentday.database import UTCDateTime, enum_column, utcnow
from talentday.extensions import db

# Attempts after which a message stops being retried automatically (it stays visible).
MAX_ATTEMPTS = 8


class MessageStatus(enum.Enum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # the last attempt failed; it stays queued for another
    DISCARDED = "discarded"  # an organizer decided it must not go (outbox.services.discard)

    @property
    def label(self):
        return MESSAGE_STATUS_LABELS[self]


MESSAGE_STATUS_LABELS = {
    MessageStatus.QUEUED: _l("Queued"),
    MessageStatus.SENT: _l("Sent"),
    MessageStatus.FAILED: _l("Failed, will retry"),
    MessageStatus.DISCARDED: _l("Discarded"),
}


class MessageChannel(enum.Enum):
    """Where a message goes: an email, or a unit's group robot (in addition to its email)."""

    EMAIL = "email"
    WECOM = "wecom"  # 企业微信群机器人
    DINGTALK = "dingtalk"  # 钉钉自定义机器人

    @property
    def label(self):
        return MESSAGE_CHANNEL_LABELS[self]

    @property
    def is_robot(self) -> bool:
        return self is not MessageChannel.EMAIL


MESSAGE_CHANNEL_LABELS = {
    MessageChannel.EMAIL: _l("Email"),
    MessageChannel.WECOM: _l("WeCom group robot"),
    MessageChannel.DINGTALK: _l("DingTalk group robot"),
}


class OutboxMessage(db.Model):
    """An email the system sends. Kept whether or not SMTP is configured: nothing is lost."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    to_email: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[str] = mapped_column(sa.String(100), default="")
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    # Stands in the body where the registration's private link (or, for a password reset,
    # the account's reset link) goes; the link itself is made only when the message is
    # sent, so that no one reading the outbox sees it.
    private_link_marker: Mapped[str | None] = mapped_column(sa.String(40))
    event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event.id", ondelete="SET NULL"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    # A robot message goes to the group robot of `unit_id`; its address and secret are read
    # from the unit when it is sent, never copied here (to_email stays empty).
    channel: Mapped[MessageChannel] = mapped_column(
        enum_column(MessageChannel, "message_channel"),
        default=MessageChannel.EMAIL,
        server_default=MessageChannel.EMAIL.value,
    )
    unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("responsible_unit.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[MessageStatus] = mapped_column(
        enum_column(MessageStatus, "message_status"), default=MessageStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    # When it was sent; while it waits, when a sender claimed it (outbox.services.claim_messages).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def may_be_resent(self) -> bool:
        """A message that failed, whether or not it is still retried, may be queued afresh."""
        return self.status is MessageStatus.FAILED

    @property
    def may_be_discarded(self) -> bool:
        """A message not yet sent may be stopped for good."""
        return self.status in (MessageStatus.QUEUED, MessageStatus.FAILED)

    @property
    def status_label(self):
        if self.status is MessageStatus.FAILED and self.attempts >= MAX_ATTEMPTS:
            return _l("Failed, not retried")
        return self.status.label


class MessageTemplate(db.Model):
    """An organizer's wording of one kind of message in one language, used instead of the
    default (outbox.message_templates). Without a row, the default is used."""

    __tablename__ = "message_template"
    __table_args__ = (sa.UniqueConstraint("kind", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    locale: Mapped[str] = mapped_column(sa.String(16))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_by = db.relationship("User")
