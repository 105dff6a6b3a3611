"""schemathesis against the running application: for every operation of the OpenAPI
document, bodies and queries made from the document (and deliberately broken ones), sent
anonymously, with the tokens of an organizer and of a unit's staff, and with a speaker's
private-link secret. No answer may be a
5xx, and every answer must be one the document declares: its status, content type, headers
and body schema.

Run alone: `.venv/bin/pytest tests/test_api_schemathesis.py`; more examples per operation
with TALENTDAY_API_EXAMPLES=200 (CI=true makes the run the same every time)."""

import os
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from talentday.api import tokens
from talentday.auth.models import Role, User
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.followup import services as followup
from talentday.followup.models import FollowUpItem
from talentday.i18n import city_today
from tests import factories

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("TALENTDAY_API_EXAMPLES", "12"))


@pytest.fixture
def api_world(app, live_server, make_user, make_unit):
    """What the live server's database holds while the operations are called: an event open
    for registration, an item assigned to unit A, tokens that may write."""
    unit = make_unit()
    organizer = make_user(Role.ORGANIZER)
    staff = make_user(Role.DEPARTMENT_STAFF, unit_id=unit.id)
    with app.app_context():
        now = datetime.now(UTC)
        event = factories.event(
            state=EventState.PUBLISHED,
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=3),
            registration_closes_at=now + timedelta(days=20),
        )
        factories.category()
        item = factories.item(event=event)
        db.session.flush()
        followup.assign(
            item,
            lead_unit=db.session.get(factories.ResponsibleUnit, unit.id),
            co_units=[],
            due_on=city_today() + timedelta(days=20),
            instructions="",
            by=db.session.get(User, organizer.id),
            today=city_today(),
        )
        db.session.commit()
        from talentday.registrations import services as registrations

        outcome = registrations.register(
            event,
            registrations.SpeakerDetails(
                "Gao Lizhi", "gao@example.com", "13800000000", "Institute", "Dean",
                factories.TalentTeam.OTHER,
            ),
            topic="Talent apartments", summary="", suggestions=[], consent=True,
        )  # fmt: skip
        db.session.commit()
        ids = {"event_id": event.id, "item_id": item.id, "registration_id": outcome.registration.id}
        secrets = {
            "organizer": tokens.create(
                db.session.get(User, organizer.id), name="s", can_write=True
            ),
            "staff": tokens.create(db.session.get(User, staff.id), name="s", can_write=True),
            "speaker": outcome.token,
        }
        db.session.commit()
    return {"ids": ids, "tokens": secrets}


def _document() -> dict:
    """The document as the application serves it: it depends on the code, not on the data."""
    from talentday import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_client() as client:
        return client.get("/api/v1/openapi.json").get_json()


schema = schemathesis.openapi.from_dict(_document())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, api_world, app, live_server):
    app.config["REGISTRATION_LIMITS"] = "100000 per minute"
    # Half of the generated ids name the world's own event and item, so that the operations
    # reach their views and not only their 404.
    for name, real in api_world["ids"].items():
        value = case.path_parameters.get(name) if case.path_parameters else None
        if isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = real
    for who in ("anonymous", "organizer", "staff", "speaker"):
        headers = (
            {} if who == "anonymous" else {"Authorization": f"Bearer {api_world['tokens'][who]}"}
        )
        case.call_and_validate(base_url=live_server, headers=headers, checks=CHECKS)
    with app.app_context():
        assert db.session.get(FollowUpItem, api_world["ids"]["item_id"]) is not None
