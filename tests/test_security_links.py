"""Links in messages and files come from the configured public address (issue 8, finding 1).

The attack: `POST /events/<id>/register` with `Host: evil.example` and a known speaker's email
queued a message whose private link pointed at evil.example, and killed the speaker's old link.
"""

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from talentday.extensions import db
from talentday.outbox.models import OutboxMessage
from talentday.registrations.models import Registration
from tests.conftest import CSRF_PATTERN
from tests.test_registration_pages import GOOD as GOOD_REGISTRATION


def _register(client, event_id, **headers):
    form = client.get(f"/events/{event_id}/register", base_url="http://127.0.0.1")
    token = CSRF_PATTERN.search(form.get_data(as_text=True)).group(1)
    return client.post(
        f"/events/{event_id}/register",
        data={**GOOD_REGISTRATION, "csrf_token": token},
        headers=headers,
        base_url="http://127.0.0.1",
    )


def test_a_request_for_another_host_is_refused(app, client, event_id):
    response = _register(client, event_id, Host="evil.example")
    assert response.status_code == 400
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_links_use_the_public_address_whatever_host_the_request_named(app, client, event_id):
    app.config["PUBLIC_BASE_URL"] = "https://talentday.example.gov.cn"
    assert _register(client, event_id, Host="127.0.0.1").status_code == 302
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage))
        from talentday.outbox.services import text_to_send

        body = text_to_send(message)
    assert "https://talentday.example.gov.cn/r/" in body
    assert "127.0.0.1" not in body and "localhost" not in body


def test_the_calendar_file_links_to_the_public_address(app, client, event_id):
    app.config["PUBLIC_BASE_URL"] = "https://talentday.example.gov.cn"
    response = client.get(f"/events/{event_id}/calendar.ics", headers={"Host": "127.0.0.1"})
    entry = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(entry["url"]) == f"https://talentday.example.gov.cn/events/{event_id}"
    assert str(entry["uid"]).endswith("@talentday.example.gov.cn")


@pytest.mark.parametrize("target", ["/\n", "/home\r\nSet-Cookie: x=1", "/\tx"])
def test_a_next_address_with_a_control_character_goes_home_instead(app, target):
    from talentday.navigation import safe_next_url

    with app.test_request_context():
        assert safe_next_url(target, "main.home") == "/home"
