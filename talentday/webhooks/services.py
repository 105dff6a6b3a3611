"""Webhooks: registered by organizers, told of every change of an item's state, signed, and
delivered from their own outbox (`webhook_delivery`) with retries further and further apart.

The receiver checks a delivery with its secret:
    X-TalentDay-Signature: sha256=HEX(HMAC-SHA256(secret, "<X-TalentDay-Timestamp>.<body>"))
The timestamp in the signed text lets it refuse a replay; the delivery id lets it ignore a
repeat (a delivery whose answer was lost is sent again)."""

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from talentday.audit import services as audit
from talentday.auth.models import User
from talentday.database import claim, utcnow
from talentday.errors_domain import DomainError
from talentday.extensions import db
from talentday.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery

STATE_CHANGED = "item.state_changed"
MAX_ATTEMPTS = 10
# After the n-th failure, wait FIRST_RETRY * 2^(n-1), at most LONGEST_WAIT: a receiver down
# for an afternoon gets its deliveries when it is back, without being hammered meanwhile.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
CLAIM_LEASE = timedelta(minutes=10)
SECRET_MIN_LENGTH = 16


class WebhookRefused(DomainError):
    pass


class DeliveryFailed(Exception):
    pass


def enabled() -> bool:
    return bool(current_app.config["WEBHOOKS_ENABLED"])


def check_url(url: str) -> str:
    """https (http only where a test allows it), a host name, no user name, nothing hidden."""
    url = (url or "").strip()
    if any(character.isspace() or not character.isprintable() for character in url):
        raise WebhookRefused(_l("Enter the address without spaces or line breaks"), field="url")
    try:
        parts = _split(url)
    except (ValueError, UnicodeError):
        raise WebhookRefused(
            _l("Enter a valid host name, and the port only as a number"), field="url"
        ) from None
    schemes = {"https", "http"} if current_app.config["WEBHOOK_ALLOW_HTTP"] else {"https"}
    if parts.scheme not in schemes or not parts.hostname:
        raise WebhookRefused(
            _l("Enter an address starting with %(scheme)s", scheme="https://"), field="url"
        )
    if parts.username or parts.password:
        raise WebhookRefused(_l("Enter the address without a user name"), field="url")
    return url


def _split(url: str) -> urllib.parse.SplitResult:
    """The address's parts, read as urllib will read them when it connects; ValueError (or
    UnicodeError) for a host or port it would read otherwise or not at all."""
    parts = urllib.parse.urlsplit(url)  # "https://[::1/": an unclosed bracket
    parts.port  # noqa: B018 - reading it is the check: urllib refuses "host:abc" here
    if parts.hostname:
        parts.hostname.encode("idna")  # a label over 63 characters can never resolve
        # urllib reads %-escapes in the host when it connects, not when it is checked here;
        # brackets hold an IPv6 address only.
        if "%" in parts.netloc or ("[" in parts.netloc and ":" not in parts.hostname):
            raise ValueError(parts.netloc)
    return parts


# IPv6 forms that carry an IPv4 address inside: the outer address counts as global, the one
# inside may be 127.0.0.1 (NAT64 prefixes, RFC 6052 and RFC 8215; IPv4-translated, RFC 2765).
IPV4_INSIDE = (
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("::ffff:0:0:0/96"),
)
# Deprecated site-local addresses, which Python still counts as global.
SITE_LOCAL = ipaddress.ip_network("fec0::/10")


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global address, and so is any IPv4 address carried inside an IPv6 one."""
    if not ip.is_global:
        return False
    if ip.version == 6:
        if ip in SITE_LOCAL:
            return False
        inside = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
        if int(ip) < 2**32 or any(ip in network for network in IPV4_INSIDE):
            inside.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        return all(v4.is_global for v4 in inside if v4 is not None)
    return True


def _addresses(host: str) -> set:
    return {
        ipaddress.ip_address(info[4][0].split("%")[0]) for info in socket.getaddrinfo(host, None)
    }


def _check_address(host: str) -> None:
    """Refuse to post to this server's own network (SSRF): every address the host name has
    must be a public one, unless a test's receiver listens on this machine. Checked again
    before each delivery: a name can point elsewhere later."""
    if current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"]:
        return
    try:
        found = _addresses(host)
    except (OSError, ValueError) as error:  # ValueError: a name IDNA cannot encode
        raise DeliveryFailed(f"the host name does not resolve: {error}") from None
    if not all(is_public(ip) for ip in found):
        raise DeliveryFailed("the address is not a public one")


def _check_address_when_registered(host: str) -> None:
    """The same check, told at the field: an address or a name that leads inside this
    network is refused. A name that does not resolve yet is let through (the office system
    may not be online yet); the delivery checks it again."""
    if current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"]:
        return
    try:
        found = _addresses(host)
    except (OSError, ValueError):
        return
    if not all(is_public(ip) for ip in found):
        raise WebhookRefused(
            _l("Enter an address on the internet, not one inside this network"), field="url"
        )


def register(*, url: str, secret: str, description: str, by: User) -> Webhook:
    if len(secret) < SECRET_MIN_LENGTH:
        raise WebhookRefused(
            _l("Enter a secret of at least %(count)d characters", count=SECRET_MIN_LENGTH),
            field="secret",
        )
    url = check_url(url)
    _check_address_when_registered(urllib.parse.urlsplit(url).hostname)
    webhook = Webhook(url=url, secret=secret, description=description, created_by=by)
    db.session.add(webhook)
    audit.record("webhook_registered", actor=by, target=webhook, address=masked(webhook.url))
    return webhook


def set_active(webhook: Webhook, active: bool, *, by: User) -> None:
    webhook.active = active
    audit.record(
        "webhook_resumed" if active else "webhook_paused", actor=by, target=webhook,
        address=masked(webhook.url),
    )  # fmt: skip


def remove(webhook: Webhook, *, by: User) -> None:
    audit.record("webhook_removed", actor=by, target=webhook, address=masked(webhook.url))
    db.session.delete(webhook)


def masked(url: str) -> str:
    """The address without its path and query, where a receiver may keep a key."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…" if parts.path.strip("/") else url


def webhooks() -> list[Webhook]:
    return list(db.session.scalars(db.select(Webhook).order_by(Webhook.id)))


def recent_deliveries(limit: int = 50) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(
            db.select(WebhookDelivery)
            .options(sa.orm.joinedload(WebhookDelivery.webhook))
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


# --- queuing -------------------------------------------------------------------------------


def queue_state_change(item, entry) -> None:
    """In the transaction of the change: one delivery for each active webhook. What is sent
    names the item and what happened, never a speaker's personal data."""
    if not enabled():
        return
    active = db.session.scalars(db.select(Webhook.id).where(Webhook.active.is_(True))).all()
    if not active:
        return
    payload = json.dumps(
        {
            "event": STATE_CHANGED,
            "occurred_at": (entry.at or utcnow()).isoformat(),
            "item": {
                "id": item.id,
                "event_id": item.event_id,
                "state": entry.to_state.value,
                "previous_state": entry.from_state.value if entry.from_state else None,
                "change": entry.kind.value,
                "lead_unit_id": item.lead_unit_id,
                "due_on": item.due_on.isoformat() if item.due_on else None,
                "api": f"/api/v1/items/{item.id}",
            },
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    for webhook_id in active:
        db.session.add(
            WebhookDelivery(
                webhook_id=webhook_id, event=STATE_CHANGED, item_id=item.id, payload=payload
            )
        )


def retry(delivery: WebhookDelivery, *, by: User) -> None:
    """An organizer sends a failed delivery again, with a full set of attempts."""
    delivery.status = DeliveryStatus.QUEUED
    delivery.attempts = 0
    delivery.next_attempt_at = None
    delivery.claimed_at = None
    audit.record("webhook_delivery_retried", actor=by, target=delivery.webhook)


# --- delivering ----------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _due(now):
    return sa.and_(
        WebhookDelivery.status.in_((DeliveryStatus.QUEUED, DeliveryStatus.FAILED)),
        WebhookDelivery.attempts < MAX_ATTEMPTS,
        sa.or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now),
        sa.or_(
            WebhookDelivery.claimed_at.is_(None), WebhookDelivery.claimed_at < now - CLAIM_LEASE
        ),
    )


def _claim(limit: int) -> list[WebhookDelivery]:
    """Take due deliveries for this sender alone (see outbox.services.claim_messages)."""
    now = utcnow()
    ids = claim(
        WebhookDelivery, where=_due(now), order_by=(WebhookDelivery.id,),
        mark=WebhookDelivery.claimed_at, limit=limit, now=now,
    )  # fmt: skip
    if not ids:
        return []
    return list(
        db.session.scalars(
            db.select(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids))
            .options(sa.orm.joinedload(WebhookDelivery.webhook))
            .order_by(WebhookDelivery.id)
        )
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect could lead anywhere, inside the network too


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(delivery: WebhookDelivery) -> int:
    webhook = delivery.webhook
    if not webhook.active:
        raise DeliveryFailed("the webhook is paused")
    url = check_url(webhook.url)
    _check_address(urllib.parse.urlsplit(url).hostname)
    body = delivery.payload.encode()
    timestamp = int(time.time())
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "TalentDay-Webhooks/1",
            "X-TalentDay-Event": delivery.event,
            "X-TalentDay-Delivery": str(delivery.id),
            "X-TalentDay-Timestamp": str(timestamp),
            "X-TalentDay-Signature": signature(webhook.secret, timestamp, body),
        },
    )
    try:
        # The scheme was checked by check_url, and the host's addresses just above.
        with _OPENER.open(request, timeout=current_app.config["WEBHOOK_TIMEOUT"]) as answer:  # nosec B310
            return answer.status
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"HTTP {error.code}") from None
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise DeliveryFailed(f"{type(error).__name__}: {error}"[:500].replace(url, "…")) from None


def deliver_pending(limit: int = 100) -> tuple[int, int]:
    """Post the due deliveries; (delivered, failed). A failure waits longer each time."""
    delivered = failed = 0
    while delivered + failed < limit:
        batch = _claim(min(20, limit - delivered - failed))
        if not batch:
            break
        for delivery in batch:
            delivery.attempts += 1
            delivery.claimed_at = None
            try:
                delivery.response_status = post(delivery)
            except Exception as error:  # one broken delivery must not stop the rest
                delivery.status = DeliveryStatus.FAILED
                if isinstance(error, DeliveryFailed | WebhookRefused):
                    delivery.last_error = str(getattr(error, "message", error))[:2000]
                else:
                    current_app.logger.exception("Webhook delivery %s failed", delivery.id)
                    delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
                wait = min(FIRST_RETRY * 2 ** (delivery.attempts - 1), LONGEST_WAIT)
                delivery.next_attempt_at = utcnow() + wait
                failed += 1
            else:
                delivery.status = DeliveryStatus.SENT
                delivery.delivered_at = utcnow()
                delivery.last_error = ""
                delivery.next_attempt_at = None
                delivered += 1
            db.session.commit()
    return delivered, failed
