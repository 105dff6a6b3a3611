"""Erasing a speaker's personal data, on request or when the retention period has passed.

The follow-up record stays whole: the speaker's suggestions, the units' answers and the
timeline keep pointing at the same speaker row, which from then on is shown as "a speaker".
What identifies or reaches the person goes: name, email, phone, organization, position, the
private link, the messages addressed to them and their traces in the audit log.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from talentday.audit.models import AuditEntry
from talentday.audit.services import record
from talentday.auth.models import User
from talentday.database import utcnow
from talentday.events.models import Event
from talentday.extensions import db
from talentday.followup import timeline
from talentday.followup.models import FollowUpItem
from talentday.outbox.models import MessageStatus, OutboxMessage
from talentday.registrations.models import ANONYMISED, Publication, Registration, Speaker

# .invalid can never be delivered to (RFC 2606); the id keeps the unique constraint happy.
ANONYMISED_EMAIL_DOMAIN = "anonymised.invalid"


def _scrub(value: Any, personal_values: list[str]) -> Any:
    """The value with every personal value replaced by the marker, inside lists and dicts too."""
    if isinstance(value, str):
        for personal in personal_values:
            value = value.replace(personal, ANONYMISED)
        return value
    if isinstance(value, list):
        return [_scrub(element, personal_values) for element in value]
    if isinstance(value, dict):
        return {key: _scrub(element, personal_values) for key, element in value.items()}
    return value


def _erase_messages(speaker: Speaker, registration_ids: list[int]) -> None:
    """Unsent messages to the speaker are dropped (there is no one left to send them to);
    sent ones stay as a record that a message went out, without address or text."""
    addressed = db.or_(
        OutboxMessage.to_email == speaker.email,
        OutboxMessage.registration_id.in_(registration_ids) if registration_ids else sa.false(),
    )
    db.session.execute(
        sa.delete(OutboxMessage).where(addressed, OutboxMessage.status != MessageStatus.SENT),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        sa.update(OutboxMessage)
        .where(addressed)
        .values(
            to_email=f"{ANONYMISED}@{ANONYMISED_EMAIL_DOMAIN}",
            to_name="",
            body=ANONYMISED,
            last_error="",
        )
        .execution_options(synchronize_session=False)
    )


def _erase_audit_traces(
    personal_values: list[str], registration_ids: list[int], speaker_id: int, item_ids: list[int]
) -> None:
    """Audit entries about the speaker, their registrations and items keep who acted and
    what was done, but lose any copy of the speaker's details and the address the speaker
    (never an account holder) acted from."""
    about = [AuditEntry.target_type == "Speaker", AuditEntry.target_id == speaker_id]
    conditions = [db.and_(*about)]
    if registration_ids:
        conditions.append(
            db.and_(
                AuditEntry.target_type == "Registration",
                AuditEntry.target_id.in_(registration_ids),
            )
        )
    if item_ids:
        conditions.append(
            db.and_(AuditEntry.target_type == "FollowUpItem", AuditEntry.target_id.in_(item_ids))
        )
    for entry in db.session.scalars(db.select(AuditEntry).where(db.or_(*conditions))):
        details = _scrub(entry.details or {}, personal_values)
        if details != entry.details:
            entry.details = details
        if entry.actor_id is None and entry.remote_addr:
            entry.remote_addr = ""


def _take_off_public_page(item_ids: list[int]) -> None:
    from talentday.followup.services import take_off_public_page

    for item in db.session.scalars(
        db.select(FollowUpItem).where(
            FollowUpItem.id.in_(item_ids), FollowUpItem.published_at.is_not(None)
        )
    ):
        take_off_public_page(item, because=timeline.SPEAKER_ERASED)


def anonymise_speaker(
    speaker: Speaker,
    *,
    by: User | None,
    reason: str = "request",
    remote_addr: str = "",
) -> bool:
    """Erase one speaker's personal data and keep their follow-up record. Audited.

    Idempotent: a speaker already anonymised is left alone and False is returned, so that
    a retried request or a second run of the retention command records nothing twice.
    """
    # Two organizers erasing at once: the second waits here, then finds it done.
    db.session.refresh(speaker, with_for_update=True)
    if speaker.anonymised_at is not None:
        return False
    personal_values = sorted(
        {value for value in (speaker.name, speaker.email, speaker.phone) if len(value) >= 3},
        key=len,
        reverse=True,
    )
    registration_ids = list(
        db.session.scalars(db.select(Registration.id).where(Registration.speaker_id == speaker.id))
    )
    item_ids = list(
        db.session.scalars(db.select(FollowUpItem.id).where(FollowUpItem.speaker_id == speaker.id))
    )
    _erase_messages(speaker, registration_ids)
    _erase_audit_traces(personal_values, registration_ids, speaker.id, item_ids)
    if registration_ids:
        # The private link dies with the person it belonged to, and so does the consent to
        # publish: their answers leave the public results page (its words may name them).
        db.session.execute(
            sa.update(Registration)
            .where(Registration.id.in_(registration_ids))
            .values(
                token_hash=None, link_nonce=None, pending_submission=None,
                publication=Publication.NONE,
            )
            .execution_options(synchronize_session="fetch")
        )  # fmt: skip
    _take_off_public_page(item_ids)
    speaker.name = ANONYMISED
    speaker.email = f"anonymised-{speaker.id}@{ANONYMISED_EMAIL_DOMAIN}"
    speaker.phone = ""
    speaker.organization = ""
    speaker.position = ""
    speaker.locale = None
    speaker.anonymised_at = utcnow()
    db.session.flush()
    record(
        "speaker_anonymised",
        actor=by,
        target=speaker,
        remote_addr=remote_addr,
        reason=reason,
        registrations=len(registration_ids),
        items=len(item_ids),
    )
    return True


# --- retention --------------------------------------------------------------------------


def retention_cutoff(days: int, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=days)


def speakers_past_retention(cutoff: datetime) -> list[Speaker]:
    """Speakers not yet anonymised whose every event ended before the cutoff.

    A speaker who also spoke, or raised a suggestion, at a later event is kept until that
    event too is past the period: their data is still needed there."""
    events_of_speaker = sa.union(
        sa.select(
            Registration.speaker_id.label("speaker_id"), Registration.event_id.label("event_id")
        ),
        sa.select(
            FollowUpItem.speaker_id.label("speaker_id"), FollowUpItem.event_id.label("event_id")
        ).where(FollowUpItem.speaker_id.is_not(None)),
    ).subquery()
    latest_end = (
        sa.select(events_of_speaker.c.speaker_id, sa.func.max(Event.ends_at).label("last_ended"))
        .join(Event, Event.id == events_of_speaker.c.event_id)
        .group_by(events_of_speaker.c.speaker_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            db.select(Speaker)
            .join(latest_end, latest_end.c.speaker_id == Speaker.id)
            .where(Speaker.anonymised_at.is_(None), latest_end.c.last_ended < cutoff)
            .order_by(Speaker.id)
        )
    )


def forget_old_names(cutoff: datetime) -> int:
    """Names typed for people without a speaker record (an organizer entering a suggestion)
    go once the item's event is past the period, like a speaker's."""
    result = db.session.execute(
        sa.update(FollowUpItem)
        .where(
            FollowUpItem.speaker_id.is_(None),
            FollowUpItem.raised_by_name != ANONYMISED,
            FollowUpItem.event_id.in_(sa.select(Event.id).where(Event.ends_at < cutoff)),
        )
        .values(raised_by_name=ANONYMISED)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def forget_old_addresses(cutoff: datetime) -> int:
    """Network addresses in audit entries older than the cutoff are erased; who did what,
    and when, stays for accountability."""
    result = db.session.execute(
        sa.update(AuditEntry)
        .where(AuditEntry.at < cutoff, AuditEntry.remote_addr != "")
        .values(remote_addr="")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


@dataclass
class RetentionRun:
    speakers: list[Speaker] = field(default_factory=list)
    names: int = 0
    addresses: int = 0


def anonymise_old(days: int, now: datetime | None = None) -> RetentionRun:
    """Anonymise every speaker whose events all ended more than `days` days ago, and erase
    the audit log's network addresses older than that.

    Running it again finds nothing new to do. Each speaker gets an audit entry with the
    reason "retention" and no actor (the system acts)."""
    cutoff = retention_cutoff(days, now)
    run = RetentionRun()
    for speaker in speakers_past_retention(cutoff):
        if anonymise_speaker(speaker, by=None, reason="retention"):
            run.speakers.append(speaker)
    run.names = forget_old_names(cutoff)
    run.addresses = forget_old_addresses(cutoff)
    if run.speakers or run.names or run.addresses:
        record(
            "retention_applied",
            actor=None,
            days=days,
            speakers=len(run.speakers),
            names=run.names,
            addresses=run.addresses,
        )
    return run
