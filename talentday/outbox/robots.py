"""Group robots: a unit's WeCom (企业微信群机器人) or DingTalk (钉钉自定义机器人) webhook.

A robot message is an outbox row like an email (channel wecom or dingtalk, unit_id set); the
webhook address and the DingTalk secret stay on the unit and are read when the message goes.

Formats, from the platforms' documents:
- WeCom, "群机器人配置说明" (https://developer.work.weixin.qq.com/document/path/91770):
  POST JSON {"msgtype": "markdown", "markdown": {"content": ...}}, content at most 4096 bytes
  of UTF-8; the answer is {"errcode": 0, "errmsg": "ok"} on success.
- DingTalk, "自定义机器人接入" (https://open.dingtalk.com/document/group/custom-robot-access):
  POST JSON {"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}; with 加签 the
  address gets &timestamp=<ms>&sign=<urlencode(base64(HmacSHA256(key=secret,
  msg=f"{timestamp}\\n{secret}")))>, the timestamp within an hour of DingTalk's clock;
  the answer is {"errcode": 0, "errmsg": "ok"} on success (310000: signature or keyword refused).
Sent with the standard library's urllib.request: two JSON posts need no HTTP client package.
"""

import base64
import hashlib
import hmac
import ipaddress
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from flask import current_app, g, has_request_context
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from talentday.errors_domain import DomainError
from talentday.extensions import db
from talentday.navigation import public_url
from talentday.outbox.models import MessageChannel, OutboxMessage

WECOM_CONTENT_LIMIT = 4096  # bytes of UTF-8
DINGTALK_TEXT_LIMIT = 20000  # DingTalk's own limit is larger; a digest never comes near it


class RobotError(DomainError):
    """A robot setting the rules refuse (an address that is not a known robot host)."""


class RobotDeliveryFailed(Exception):
    """The platform did not take the message: kept as the message's error and retried."""


def masked_url(url: str | None) -> str:
    """A robot's address as an admin may see it once saved: its host, and only its last
    characters (the key in it, wherever it is, lets anyone post into the group)."""
    if not url:
        return ""
    parts = urllib.parse.urlsplit(url)
    rest = url[len(f"{parts.scheme}://{parts.netloc}") :]
    return f"{parts.scheme}://{parts.netloc}/…{rest[-4:]}" if len(rest) > 8 else url


def _without_address(reason: str, url: str) -> str:
    """A delivery error as it may be kept and shown: without the address (and its key)
    that some errors quote."""
    parts = urllib.parse.urlsplit(url)
    for secret in (url, url.partition("?")[2], parts.path, *parts.query.split("&")):
        if len(secret) > 1:
            reason = reason.replace(secret, "…")
    return reason


def check_webhook_url(url: str) -> str:
    """A robot's address must be https on one of ROBOT_WEBHOOK_HOSTS: the server posts to
    it, so an address typed in a form must never reach an internal machine (SSRF)."""
    url = (url or "").strip()
    if any(character.isspace() or not character.isprintable() for character in url):
        raise RobotError(
            _l("Enter the robot's address without spaces or line breaks"), field="robot_url"
        )
    parts = urllib.parse.urlsplit(url)
    allowed_schemes = {"https"}
    if current_app.config.get("ROBOT_WEBHOOK_ALLOW_HTTP"):
        allowed_schemes.add("http")
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise RobotError(_l("Enter the robot's address starting with https://"), field="robot_url")
    if parts.username or parts.password:
        raise RobotError(_l("Enter the robot's address without a user name"), field="robot_url")
    host = parts.hostname.lower()
    allowed_hosts = {h.lower() for h in current_app.config["ROBOT_WEBHOOK_HOSTS"]}
    if host not in allowed_hosts:
        raise RobotError(
            _l(
                "Enter an address on %(hosts)s",
                hosts=", ".join(current_app.config["ROBOT_WEBHOOK_HOSTS"]),
            ),
            field="robot_url",
        )
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and not current_app.config.get("ROBOT_WEBHOOK_ALLOW_HTTP"):
        # Only a test's receiver listens on a bare address; a real robot has a host name.
        raise RobotError(_l("Enter the robot's address with its host name"), field="robot_url")
    return url


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: HmacSHA256 of "timestamp\\nsecret" keyed by the secret, in base64,
    URL-encoded, added to the address with the timestamp in milliseconds."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"


def _truncated(text: str, limit: int, tail: str) -> str:
    """At most `limit` bytes of UTF-8, cut at a line's end when possible, then `tail`."""
    if len(text.encode()) <= limit:
        return text
    room = limit - len(tail.encode()) - 1
    cut = text.encode()[:room].decode(errors="ignore")
    if "\n" in cut:
        cut = cut.rsplit("\n", 1)[0]
    return f"{cut}\n{tail}"


def payload(message: OutboxMessage) -> dict:
    if message.channel is MessageChannel.WECOM:
        with force_locale(message.locale):
            tail = _("[More in the ledger](%(url)s)", url=public_url("followup.ledger_page"))
        content = _truncated(f"**{message.subject}**\n{message.body}", WECOM_CONTENT_LIMIT, tail)
        return {"msgtype": "markdown", "markdown": {"content": content}}
    text = _truncated(f"#### {message.subject}\n{message.body}", DINGTALK_TEXT_LIMIT, "…")
    return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text}}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A robot's address that answers with a redirect fails: following it would send the
    message to a host the allow-list never saw."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def deliver(message: OutboxMessage) -> None:
    """POST the message to its unit's robot now; raise RobotDeliveryFailed with the reason
    when the platform does not answer errcode 0."""
    from talentday.units.models import ResponsibleUnit

    unit = db.session.get(ResponsibleUnit, message.unit_id) if message.unit_id else None
    if unit is None or unit.robot_channel is not message.channel or not unit.robot_webhook_url:
        raise RobotDeliveryFailed("the unit no longer has this robot")
    # Checked again when sending: the allowed hosts may have changed since it was saved.
    url = check_webhook_url(unit.robot_webhook_url)
    if message.channel is MessageChannel.DINGTALK and unit.robot_secret:
        url = signed_url(url, unit.robot_secret, int(time.time() * 1000))
    request = urllib.request.Request(
        url,
        data=json.dumps(payload(message), ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        # The scheme and host were checked by check_webhook_url just above.
        with _OPENER.open(request, timeout=current_app.config["ROBOT_TIMEOUT"]) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as error:
        raise RobotDeliveryFailed(f"HTTP {error.code}") from error
    except (OSError, ValueError) as error:
        reason = _without_address(f"{type(error).__name__}: {error}", url)
        raise RobotDeliveryFailed(reason) from None
    try:
        result = json.loads(answer)
    except ValueError as error:
        raise RobotDeliveryFailed("the answer is not JSON") from error
    errcode = result.get("errcode") if isinstance(result, dict) else None
    if errcode != 0:
        raise RobotDeliveryFailed(f"errcode {errcode}: {result.get('errmsg', '')}"[:500])


def queue_robot_message(*, kind: str, unit, subject, body: str, locale: str | None, event=None):
    """Keep a message for `unit`'s group robot in the outbox, if the unit has one."""
    if unit is None or not unit.has_robot:
        return None
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        subject_text = str(subject)
    message = OutboxMessage(
        kind=kind,
        channel=unit.robot_channel,
        unit_id=unit.id,
        to_email="",
        to_name=unit.name,
        locale=locale,
        subject=subject_text,
        body=body,
        event_id=getattr(event, "id", None),
    )
    db.session.add(message)
    if has_request_context():
        g.outbox_has_new_messages = True  # MAIL_SEND_AFTER_REQUEST sends it after the page
    return message


def _item_line(item) -> str:
    link = public_url("followup.item_page", item_id=item.id)
    content = " ".join(item.content.split())
    if len(content) > 80:
        content = content[:79] + "…"
    key = f" **{_('[Key item]')}**" if item.key_at else ""
    return f"-{key} [#{item.id}]({link}) {content}"


def digest_body(unit, late, due_soon, today, locale: str) -> str:
    """The unit digest as robot markdown: each item a line with its link."""
    with force_locale(locale):
        lines = []
        if late:
            lines.append("**" + _("Overdue:") + "**")
            for item in late:
                days = (today - item.due_on).days
                overdue = ngettext("%(num)d day overdue", "%(num)d days overdue", days)
                lines.append(f"{_item_line(item)} **{overdue}**")
        if due_soon:
            lines.append("**" + _("Due within seven days:") + "**")
            lines.extend(_item_line(item) for item in due_soon)
        return "\n".join(lines)


def urge_body(item, note: str, locale: str) -> str:
    with force_locale(locale):
        lines = [_item_line(item)]
        if note:
            lines.append("> " + " ".join(note.split()))
        return "\n".join(lines)


def test_body(unit, locale: str) -> str:
    with force_locale(locale):
        return _(
            "This group will receive the follow-up digests and reminders of %(unit)s.",
            unit=unit.display_name,
        )
