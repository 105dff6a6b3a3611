"""Every route as every kind of visitor: the answers match what talentday.access declares.

The visitors: anonymous, a speaker who opened their private link, staff of the unit that leads
the item (A), staff of an unrelated unit (B), a leader, an organizer and an administrator.
Each requests every rule of `app.url_map` with every method it takes (POSTs carry a valid CSRF
token, so that it is access that decides, not the token). A visitor the declaration leaves out
must be refused (sent to sign in, 403 or 404) and must change nothing; a visitor it lets in must
not be refused, and nobody may get a 5xx.
"""

import io

import pytest
import sqlalchemy as sa
from flask import url_for

from talentday.access import ROUTES, Audience, undeclared_endpoints
from talentday.api import tokens as api_tokens
from talentday.api.models import ApiToken
from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup import services as followup_services
from talentday.followup.attachments import Upload
from talentday.followup.models import Attachment, FollowUpItem, ResultClass
from talentday.i18n import city_today
from talentday.outbox.models import OutboxMessage
from talentday.registrations import check_in
from talentday.registrations import services as registration_services
from talentday.registrations.models import ProgrammeBreak
from talentday.webhooks.models import Webhook, WebhookDelivery
from tests import factories
from tests.conftest import csrf_token, open_private_link, sign_in

PERSONAS = ("anonymous", "speaker", "staff_a", "staff_b", "leader", "organizer", "admin")
ACCOUNTS = {"staff_a", "staff_b", "leader", "organizer", "admin"}

ALLOWED: dict[Audience, set[str]] = {
    Audience.EVERYONE: set(PERSONAS),
    Audience.SPEAKER_LINK: {"speaker"},
    Audience.SIGNED_IN: ACCOUNTS,
    Audience.ORGANIZERS: {"organizer"},
    Audience.OVERSIGHT: {"organizer", "leader"},
    Audience.ADMINS: {"admin"},
    Audience.TRACKER: {"organizer", "leader", "staff_a", "staff_b"},
    # The world's item is led by unit A; the unit card shown is unit A's.
    Audience.ONE_ITEM: {"organizer", "leader", "staff_a"},
    Audience.ONE_UNIT: {"organizer", "leader", "staff_a"},
    # The API reads no cookie: a signed-in browser, or one holding a speaker's link, is
    # anonymous there. Its public operations take everyone; the rest nobody without a bearer
    # token (tokens of every role are walked in tests/test_api.py, item by item and move by
    # move, and tests/test_api_schemathesis.py calls every operation with four callers).
    Audience.API_PUBLIC: set(PERSONAS),
    Audience.API_ACCOUNT: set(),
    Audience.API_SPEAKER: set(),
    # The world's API token is staff A's (the account `user_id` names).
    Audience.API_KEY_OWNER: {"staff_a"},
}

# `followup.act` takes the move in its address: the route lets in whoever has a standing on
# the item, and the table of moves then narrows it to those who may make that move.
MOVES_WALKED = {"progress": {"staff_a"}, "urge": {"organizer"}}

# Visited last: they end the visitor's session or start a speaker's one.
LAST = ("registrations.open_link", "auth.sign_out")


def test_every_route_is_declared():
    from talentday import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert undeclared_endpoints(app) == set()
    assert set(ROUTES) - set(app.view_functions) == set(), "declared routes that do not exist"


def test_an_undeclared_route_is_closed_to_everyone(app, client):
    @app.get("/forgotten")
    def forgotten():
        return "open"

    assert client.get("/forgotten").status_code == 404


@pytest.fixture
def world(app, make_user, make_unit):
    unit_a, unit_b = make_unit(), make_unit()
    users = {
        "staff_a": make_user(Role.DEPARTMENT_STAFF, unit_id=unit_a.id),
        "staff_b": make_user(Role.DEPARTMENT_STAFF, unit_id=unit_b.id),
        "leader": make_user(Role.LEADER),
        "organizer": make_user(Role.ORGANIZER),
        "admin": make_user(Role.ADMIN),
    }
    with app.app_context():
        from datetime import UTC, datetime, timedelta

        from talentday.events.models import EventState

        now = datetime.now(UTC)
        event = factories.event(
            state=EventState.PUBLISHED,
            starts_at=now + timedelta(days=20),
            ends_at=now + timedelta(days=20, hours=3),
            results_public=True,
        )
        category = factories.category()
        outcome = registration_services.register(
            event,
            registration_services.SpeakerDetails(
                "Gao Lizhi", "gao@example.com", "13800000000", "Institute", "Dean",
                factories.TalentTeam.OTHER,
            ),
            topic="Talent apartments",
            summary="",
            suggestions=[registration_services.SuggestionDraft(category, "Build them.")],
            consent=True,
        )  # fmt: skip
        item = db.session.scalar(sa.select(FollowUpItem))
        organizer = db.session.get(User, users["organizer"].id)
        followup_services.assign(
            item,
            lead_unit=db.session.get(type(unit_a), unit_a.id),
            co_units=[],
            due_on=city_today() + timedelta(days=30),
            instructions="",
            by=organizer,
            today=city_today(),
        )
        # A result with its reply letter: the attachment routes have a file to give.
        staff = db.session.get(User, users["staff_a"].id)
        followup_services.accept(item, by=staff)
        followup_services.submit_result(
            item, result="Built.", result_class=ResultClass.SOLVED, by=staff,
            files=[Upload("letter.pdf", io.BytesIO(b"%PDF-1.7\n%%EOF\n"))],
        )  # fmt: skip
        pause = ProgrammeBreak(event_id=event.id, after_order=1, minutes=15, label="Tea")
        db.session.add(pause)
        api_tokens.create(staff, name="Office system", can_write=False)
        hook = Webhook(url="https://office.example.gov.cn/hook", secret="s" * 20)
        db.session.add(hook)
        db.session.flush()
        db.session.add(
            WebhookDelivery(webhook_id=hook.id, event="item.state_changed", payload="{}")
        )
        db.session.commit()
        values = {
            "event_id": event.id,
            "category_id": category.id,
            "unit_id": unit_a.id,
            "user_id": users["staff_a"].id,
            "item_id": item.id,
            "message_id": db.session.scalar(sa.select(sa.func.min(OutboxMessage.id))),
            "speaker_id": outcome.registration.speaker_id,
            "registration_id": outcome.registration.id,
            "token": outcome.token,
            "code": check_in.code_for(outcome.registration),
            "break_id": pause.id,
            "attachment_id": db.session.scalar(sa.select(sa.func.min(Attachment.id))),
            "fmt": "csv",
            "token_id": db.session.scalar(sa.select(sa.func.min(ApiToken.id))),
            "webhook_id": hook.id,
            "delivery_id": db.session.scalar(sa.select(sa.func.min(WebhookDelivery.id))),
            "key": "registration_approved",
            "language": "zh_Hans",
        }
    return {"users": users, "values": values}


def _client(app, persona, world):
    client = app.test_client()
    if persona in ACCOUNTS:
        response = sign_in(client, world["users"][persona].email)
        assert response.status_code == 302, persona
    elif persona == "speaker":
        open_private_link(client, f"/r/{world['values']['token']}")
    return client


def _walk(app, world):
    """(endpoint, url, method, allowed personas) for every rule and method."""
    steps = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            values = {name: world["values"].get(name) for name in rule.arguments}
            if rule.endpoint == "static":
                values["filename"] = "css/talentday.css"
            elif rule.endpoint == "bootstrap.static":
                values["filename"] = "css/bootstrap.min.css"
            elif rule.endpoint == "webhooks.change":
                values["action"] = "pause"
            allowed = ALLOWED[ROUTES[rule.endpoint]]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if rule.endpoint == "followup.act":
                    for move, makers in MOVES_WALKED.items():
                        url = url_for(rule.endpoint, **{**values, "action": move})
                        steps.append((rule.endpoint, url, method, allowed & makers))
                    continue
                url = url_for(rule.endpoint, **values)
                steps.append((rule.endpoint, url, method, allowed))
    return sorted(
        steps, key=lambda step: (step[0] in LAST, LAST.index(step[0]) if step[0] in LAST else 0)
    )


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and "/sign-in" in response.headers.get("Location", "")


def _row_counts() -> dict[str, int]:
    # Sessions and the audit log record visits, refused ones included; nothing else may move.
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name not in ("user_session", "audit_entry")
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_visitor_reaches_exactly_the_routes_declared_for_them(app, world, persona):
    client = _client(app, persona, world)
    token = csrf_token(client, "/")
    wrong = []
    for endpoint, url, method, allowed in _walk(app, world):
        with app.app_context():
            before = _row_counts() if persona not in allowed and method != "GET" else None
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        status = response.status_code
        response.close()
        if status >= 500:
            wrong.append(f"{method} {url}: {status}")
        elif persona in allowed and _refused(response):
            wrong.append(f"{method} {url}: refused ({status}) though declared {ROUTES[endpoint]}")
        elif persona not in allowed and not _refused(response):
            wrong.append(f"{method} {url}: answered {status} beyond {ROUTES[endpoint]}")
        elif before is not None:
            with app.app_context():
                if _row_counts() != before:
                    wrong.append(f"{method} {url}: refused, but rows changed")
    assert wrong == [], "\n".join(wrong)
