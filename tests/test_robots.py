"""Group robots (WeCom, DingTalk): a unit's digests and urges also go to its group chat,
through the outbox, tested against a local receiver that answers like the platforms."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from flask_babel import refresh

from talentday.audit.models import AuditEntry
from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup import services
from talentday.followup.reminders import remind
from talentday.i18n import city_today
from talentday.outbox.models import MAX_ATTEMPTS, MessageChannel, MessageStatus, OutboxMessage
from talentday.outbox.robots import (
    RobotError,
    _without_address,
    check_webhook_url,
    queue_robot_message,
    signed_url,
)
from talentday.outbox.services import send_pending
from talentday.units.models import ResponsibleUnit
from talentday.units.services import UnitError, set_robot
from tests import factories
from tests.conftest import csrf_token, sign_in, submit

SECRET = "SECtest0123456789abcdef"


class Receiver:
    """Records each POST; answers errcode 0, or fails as told: 'errcode' (310000),
    'http500', 'silent' (no answer until the sender gives up), 'redirect' (to /elsewhere)."""

    def __init__(self):
        self.posts: list[dict] = []
        self.mode = "ok"
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                receiver.posts.append({"path": parts.path, "query": query, "body": body})
                if receiver.mode == "silent":
                    receiver.release.wait(5)
                    return
                if receiver.mode == "http500":
                    self.send_response(500)
                    self.end_headers()
                    return
                if receiver.mode == "redirect" and not parts.path.startswith("/elsewhere"):
                    self.send_response(307)  # 307 keeps the method and body: a real bounce
                    self.send_header("Location", f"{receiver.base}/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                answer = {"errcode": 0, "errmsg": "ok"}
                if receiver.mode == "errcode" or (
                    parts.path.startswith("/robot/send") and not receiver.signature_ok(query)
                ):
                    answer = {"errcode": 310000, "errmsg": "sign not match"}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def signature_ok(query: dict) -> bool:
        """DingTalk's check: HmacSHA256(secret, "timestamp\\nsecret"), base64."""
        if "sign" not in query:
            return True  # a robot without 加签
        expected = base64.b64encode(
            hmac.new(
                SECRET.encode(), f"{query['timestamp']}\n{SECRET}".encode(), hashlib.sha256
            ).digest()
        ).decode()
        return hmac.compare_digest(expected, query["sign"])

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(app):
    receiver = Receiver()
    app.config.update(
        ROBOT_WEBHOOK_HOSTS=["qyapi.weixin.qq.com", "oapi.dingtalk.com", "127.0.0.1"],
        ROBOT_WEBHOOK_ALLOW_HTTP=True,
        ROBOT_TIMEOUT=0.5,
    )
    yield receiver
    receiver.close()


@pytest.fixture
def setting(app_ctx, receiver, make_user, make_unit):
    wecom = make_unit(name="Housing Bureau")
    dingtalk = make_unit(name="Science Bureau")
    plain = make_unit(name="Quiet Bureau")
    admin = db.session.get(User, make_user(Role.ADMIN).id)
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    staff = {
        unit.id: make_user(Role.DEPARTMENT_STAFF, unit_id=unit.id)
        for unit in (wecom, dingtalk, plain)
    }
    wecom, dingtalk, plain = (
        db.session.get(ResponsibleUnit, u.id) for u in (wecom, dingtalk, plain)
    )
    set_robot(
        wecom, channel=MessageChannel.WECOM,
        url=f"{receiver.base}/cgi-bin/webhook/send?key=abc", by=admin,
    )  # fmt: skip
    set_robot(
        dingtalk, channel=MessageChannel.DINGTALK,
        url=f"{receiver.base}/robot/send?access_token=xyz", secret=SECRET, by=admin,
    )  # fmt: skip
    today = city_today()
    items = []
    for unit in (wecom, dingtalk, plain):
        item = factories.item(content=f"A late suggestion for {unit.name}")
        services.assign(
            item, lead_unit=unit, co_units=[], due_on=today + timedelta(days=1),
            instructions="", by=organizer, today=today,
        )  # fmt: skip
        item.due_on = today - timedelta(days=2)
        items.append(item)
    db.session.commit()
    return {
        "wecom": wecom, "dingtalk": dingtalk, "plain": plain, "admin": admin,
        "organizer": organizer, "staff": staff, "items": items, "today": today,
    }  # fmt: skip


def robot_messages(kind=None):
    statement = sa.select(OutboxMessage).where(OutboxMessage.channel != MessageChannel.EMAIL)
    if kind:
        statement = statement.where(OutboxMessage.kind == kind)
    return db.session.scalars(statement.order_by(OutboxMessage.id)).all()


def emails(kind):
    return db.session.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.kind == kind, OutboxMessage.channel == MessageChannel.EMAIL
        )
    ).all()


def test_digest_goes_to_each_units_robot_and_email_still_goes(setting, receiver):
    remind(setting["today"])
    db.session.commit()
    assert len(emails("unit_digest")) == 3  # every unit's staff, robot or not
    robots = robot_messages("unit_digest")
    assert {m.unit_id for m in robots} == {setting["wecom"].id, setting["dingtalk"].id}
    assert all(m.to_email == "" and "127.0.0.1" not in m.body for m in robots)

    assert send_pending() == (2, 0)  # no SMTP: the robots' messages go all the same
    wecom_post, dingtalk_post = sorted(receiver.posts, key=lambda p: p["path"])
    assert wecom_post["query"] == {"key": "abc"}
    content = wecom_post["body"]["markdown"]["content"]
    assert wecom_post["body"]["msgtype"] == "markdown"
    item = setting["items"][0]
    assert f"[#{item.id}](http://localhost/followup/items/{item.id})" in content
    assert "A late suggestion for Housing Bureau" in content
    assert dingtalk_post["query"]["access_token"] == "xyz" and "sign" in dingtalk_post["query"]
    assert Receiver.signature_ok(dingtalk_post["query"])
    assert set(dingtalk_post["body"]["markdown"]) == {"title", "text"}
    assert all(m.status is MessageStatus.SENT for m in robot_messages())
    assert all(m.status is MessageStatus.QUEUED for m in emails("unit_digest"))


def test_remind_twice_the_same_day_queues_no_second_robot_digest(setting):
    first = remind(setting["today"])
    db.session.commit()
    second = remind(setting["today"])
    db.session.commit()
    assert first.robot_digests == 2 and second.robot_digests == 0
    assert len(robot_messages("unit_digest")) == 2


def test_an_urge_goes_to_the_robot_of_a_unit_that_has_one(setting, receiver):
    wecom_item, _dingtalk_item, plain_item = setting["items"]
    services.urge(wecom_item, note="Please answer by Friday", by=setting["organizer"])
    services.urge(plain_item, note="", by=setting["organizer"])
    db.session.commit()
    (robot,) = robot_messages("item_urged")
    assert robot.unit_id == setting["wecom"].id
    assert len(emails("item_urged")) == 2
    send_pending()
    (post,) = receiver.posts
    assert "Please answer by Friday" in post["body"]["markdown"]["content"]


@pytest.mark.parametrize("mode", ["errcode", "http500", "silent", "redirect"])
def test_a_refused_robot_message_is_kept_and_retried(setting, receiver, mode):
    services.urge(setting["items"][0], note="", by=setting["organizer"])
    services.urge(setting["items"][1], note="", by=setting["organizer"])
    db.session.commit()
    receiver.mode = mode
    assert send_pending() == (0, 2)  # one failure does not stop the other
    for message in robot_messages():
        assert message.status is MessageStatus.FAILED and message.attempts == 1
        assert message.last_error
    reasons = {m.last_error for m in robot_messages()}
    if mode == "errcode":
        assert any("310000" in reason for reason in reasons)
    if mode == "http500":
        assert any("500" in reason for reason in reasons)
    if mode == "redirect":
        # Followed, it would post the message to a host nobody allowed.
        assert any("307" in reason for reason in reasons)
        assert not [post for post in receiver.posts if post["path"].startswith("/elsewhere")]
    receiver.mode = "ok"
    receiver.release.set()
    assert send_pending() == (2, 0)
    assert all(m.status is MessageStatus.SENT for m in robot_messages())


def test_a_wrong_dingtalk_secret_fails_with_the_platforms_reason(setting, receiver):
    setting["dingtalk"].robot_secret = "SECwrong"
    services.urge(setting["items"][1], note="", by=setting["organizer"])
    db.session.commit()
    assert send_pending() == (0, 1)
    (message,) = robot_messages()
    assert "310000" in message.last_error


def test_retries_stop_after_max_attempts(setting, receiver):
    services.urge(setting["items"][0], note="", by=setting["organizer"])
    db.session.commit()
    receiver.mode = "errcode"
    for _ in range(MAX_ATTEMPTS + 2):
        send_pending()
    (message,) = robot_messages()
    assert message.attempts == MAX_ATTEMPTS and message.status_label == "Failed, not retried"


def test_signing_follows_dingtalk():
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=x", "SECabc", 1700000000000)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    expected = base64.b64encode(
        hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    ).decode()
    assert query["timestamp"] == "1700000000000" and query["sign"] == expected


def test_a_long_wecom_digest_is_cut_within_4096_bytes_with_a_link(setting):
    from talentday.outbox.robots import payload

    message = OutboxMessage(
        channel=MessageChannel.WECOM, subject="Digest", body="- 长的建议内容\n" * 800,
        locale="zh_Hans", kind="unit_digest", to_email="",
    )  # fmt: skip
    content = payload(message)["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert content.endswith("(http://localhost/followup/)")


@pytest.mark.parametrize(
    "url",
    [
        "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a",  # not https
        "https://example.com/cgi-bin/webhook/send?key=a",  # another host
        "https://169.254.169.254/latest/meta-data",  # an internal address
        "https://10.0.0.1/robot/send",
        "https://user@oapi.dingtalk.com/robot/send",
        "ftp://oapi.dingtalk.com/robot/send",
    ],
)
def test_only_https_addresses_on_the_robot_hosts_are_taken(app_ctx, url):
    with pytest.raises(RobotError):
        check_webhook_url(url)


def test_the_platforms_own_addresses_are_taken(app_ctx):
    for url in (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a",
        "https://oapi.dingtalk.com/robot/send?access_token=b",
    ):
        assert check_webhook_url(url) == url


def test_a_robot_needs_an_address(setting):
    with pytest.raises(UnitError):
        set_robot(setting["plain"], channel=MessageChannel.WECOM, url="", by=setting["admin"])


def _unit_form(unit, **changes):
    data = {
        "name": unit.name, "kind": unit.kind.value, "active": "y",
        "robot_channel": unit.robot_channel.value if unit.robot_channel else "",
        "robot_url": unit.robot_webhook_url or "",
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_the_admin_configures_a_robot_and_never_sees_the_secret(setting, client, receiver, locale):
    unit = setting["dingtalk"]
    sign_in(client, setting["admin"].email)
    client.post(
        "/language",
        data={
            "csrf_token": csrf_token(client, "/account/password"),
            "locale": locale.replace("zh-CN", "zh_Hans"),
        },
    )
    url = f"/admin/units/{unit.id}/edit"
    # The requests run inside this test's application context: forget the language that
    # Flask-Babel kept there for the fixture's work.
    refresh()
    page = client.get(url, headers={"Accept-Language": locale}).get_data(as_text=True)
    assert SECRET not in page
    assert (
        ("DingTalk signing secret: set" in page)
        if locale == "en"
        else ("钉钉加签密钥：已设置" in page)
    )

    # Left empty, the secret is kept.
    response = submit(client, url, _unit_form(unit, robot_new_secret=""))
    assert response.status_code == 302
    db.session.rollback()  # a fresh look at what the request wrote
    assert unit.robot_secret == SECRET

    # Another host is refused, next to the field.
    page = submit(
        client, url, _unit_form(unit, robot_url="https://10.0.0.1/robot/send"),
        headers={"Accept-Language": locale},
    )  # fmt: skip
    assert page.status_code == 200
    refusal = "Enter an address on" if locale == "en" else "请输入以下域名的地址"
    assert refusal in page.get_data(as_text=True)
    db.session.rollback()  # a fresh look at what the request wrote
    assert unit.robot_webhook_url.startswith(receiver.base)

    # Cleared on request.
    response = submit(client, url, _unit_form(unit, robot_secret_clear="y"))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()  # a fresh look at what the request wrote
    assert unit.robot_secret is None
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "unit_robot_changed" in actions
    assert all(
        SECRET not in json.dumps(e.details) for e in db.session.scalars(sa.select(AuditEntry))
    )


def test_the_test_button_queues_a_message_that_reaches_the_group(setting, client, receiver):
    unit = setting["wecom"]
    sign_in(client, setting["admin"].email)
    response = submit(
        client, f"/admin/units/{unit.id}/robot-test", {}, form_url=f"/admin/units/{unit.id}/edit"
    )
    assert response.status_code == 302
    (message,) = robot_messages("robot_test")
    assert message.unit_id == unit.id
    send_pending()
    assert "Housing Bureau" in receiver.posts[0]["body"]["markdown"]["content"]
    assert "unit_robot_tested" in db.session.scalars(sa.select(AuditEntry.action)).all()


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.DEPARTMENT_STAFF, Role.LEADER])
def test_only_admins_configure_robots(setting, client, make_user, role):
    user = make_user(role)
    sign_in(client, user.email)
    unit = setting["wecom"]
    response = client.post(f"/admin/units/{unit.id}/robot-test")
    assert response.status_code in (403, 404, 400)
    assert robot_messages("robot_test") == []


def test_the_outbox_shows_the_channel_and_the_delivery_status(setting, client, receiver, make_user):
    services.urge(setting["items"][0], note="", by=setting["organizer"])
    db.session.commit()
    receiver.mode = "errcode"
    send_pending()
    sign_in(client, make_user(Role.ORGANIZER).email)
    page = client.get("/manage/outbox/").get_data(as_text=True)
    assert "WeCom group robot" in page and "310000" in page
    (message,) = robot_messages()
    page = client.get(f"/manage/outbox/{message.id}").get_data(as_text=True)
    assert "WeCom group robot" in page and "Failed, will retry" in page
    assert receiver.base not in page  # the webhook's key is never shown


def test_the_robots_address_is_write_only(setting, client, receiver):
    """The address holds the platform's key, which lets anyone post into the group: once
    saved, the unit's page shows only its host, path and last characters; left empty, the
    address that is set is kept."""
    unit = setting["wecom"]
    key = "a1b2c3d4e5f6g7h8"
    set_robot(
        unit, channel=MessageChannel.WECOM, url=f"{receiver.base}/cgi-bin/webhook/send?key={key}",
        by=setting["admin"],
    )  # fmt: skip
    db.session.commit()
    sign_in(client, setting["admin"].email)
    url = f"/admin/units/{unit.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert key not in page
    assert f"{receiver.base}/…g7h8" in page

    response = submit(client, url, _unit_form(unit, robot_url=""))
    assert response.status_code == 302
    db.session.rollback()  # a fresh look at what the request wrote
    assert unit.robot_webhook_url.endswith(f"key={key}")
    assert unit.robot_channel is MessageChannel.WECOM


def test_an_address_with_a_space_is_refused_and_no_error_quotes_the_key(setting, receiver):
    """An address with a space once reached the outbox's error column whole: urllib quotes
    the address it refuses."""
    with pytest.raises(RobotError):
        set_robot(
            setting["plain"], channel=MessageChannel.WECOM,
            url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc 123SECRETKEY",
            by=setting["admin"],
        )  # fmt: skip
    unit = setting["wecom"]
    unit.robot_webhook_url = f"{receiver.base}/cgi-bin/webhook/send?key=SECRETKEY\x7f"
    message = queue_robot_message(
        kind="robot_test", unit=unit, subject="Test", body="Hello", locale="en"
    )
    db.session.commit()
    send_pending()
    db.session.refresh(message)
    assert message.last_error and "SECRETKEY" not in message.last_error
    # What urllib says of an address it refuses, kept without the address.
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRETKEY"
    said = f"InvalidURL: URL can't contain control characters. {url[27:]!r} (found ' ')"
    assert "SECRETKEY" not in _without_address(said, url)


def test_a_new_channel_needs_its_own_address(setting):
    with pytest.raises(UnitError):
        set_robot(setting["wecom"], channel=MessageChannel.DINGTALK, url="", by=setting["admin"])
