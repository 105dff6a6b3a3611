"""The JSON API through its HTTP interface: public operations, tokens, items and moves,
figures, errors, and the agreement of the routes with the OpenAPI document."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentday.api import tokens
from talentday.api.models import ApiToken, hash_token
from talentday.audit.models import AuditEntry
from talentday.auth.models import Role, User
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.followup import services as followup
from talentday.followup.models import FollowUpItem, ItemState
from talentday.followup.moves import ACCOUNT_MOVES, MOVES, actor_standing
from talentday.followup.permissions import Standing
from talentday.i18n import city_today
from talentday.outbox.models import OutboxMessage
from talentday.registrations.models import Registration, RegistrationState
from tests import factories
from tests.conftest import csrf_token, sign_in

PROBLEM = "application/problem+json"


def token_for(app, user_id: int, *, write: bool = True) -> str:
    with app.app_context():
        secret = tokens.create(db.session.get(User, user_id), name="Test", can_write=write)
        db.session.commit()
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def registration_body(**overrides) -> dict:
    body = {
        "name": "Li Hua",
        "email": "li.hua@example.com",
        "phone": "138 0000 0000",
        "organization": "Huaiyin Institute of Technology",
        "position": "Professor",
        "talent_team": "university",
        "topic": "Graduates who stay",
        "consent": True,
    }
    body.update(overrides)
    return body


# --- public ---------------------------------------------------------------------------------


def test_events_are_listed_page_by_page_with_a_cursor(app, client):
    with app.app_context():
        start = datetime(2030, 1, 1, tzinfo=UTC)
        for number in range(5):
            factories.event(
                state=EventState.PUBLISHED,
                title=f"Salon {number}",
                starts_at=start + timedelta(days=number),
                ends_at=start + timedelta(days=number, hours=2),
            )
        factories.event(state=EventState.DRAFT, title="Draft salon")
        db.session.commit()
    seen, cursor = [], None
    for _page in range(3):
        response = client.get(
            "/api/v1/events",
            query_string={"limit": 2, "cursor": cursor} if cursor else {"limit": 2},
        )
        assert response.status_code == 200
        body = response.get_json()
        seen += [event["title"] for event in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert 'rel="next"' in response.headers["Link"]
    assert seen == [f"Salon {n}" for n in (4, 3, 2, 1, 0)]  # latest first, no draft
    assert cursor is None


def test_a_limit_over_the_cap_and_a_made_up_cursor_are_refused_at_their_field(client):
    response = client.get("/api/v1/events?limit=101")
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    assert [error["field"] for error in response.get_json()["errors"]] == ["limit"]
    response = client.get("/api/v1/events?cursor=not-ours")
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "cursor"


def test_one_event_with_its_programme_and_a_draft_is_not_found(app, client, event_id):
    with app.app_context():
        registration = factories.registration(
            speaker=factories.speaker(phone="13912345678"),
            event=db.session.get(factories.Event, event_id),
            state=RegistrationState.APPROVED,
            speaking_order=1,
            speaking_minutes=10,
            topic="Graduates who stay",
        )
        draft = factories.event(state=EventState.DRAFT)
        db.session.commit()
        speaker_phone = registration.speaker.phone
        draft_id = draft.id
    body = client.get(f"/api/v1/events/{event_id}").get_json()
    assert body["title"] == "25th Talent Salon"
    assert body["registration_open"] is True
    assert [row["topic"] for row in body["programme"]] == ["Graduates who stay"]
    assert body["programme"][0]["starts_at"] is not None
    assert speaker_phone not in str(body)  # the public programme shows no contact details
    assert client.get(f"/api/v1/events/{draft_id}").status_code == 404


def test_registering_through_the_api_meets_the_forms_rules(app, client, event_id):
    with app.app_context():
        category = db.session.scalar(sa.select(factories.Category))
        category_id = category.id
    response = client.post(
        f"/api/v1/events/{event_id}/registrations",
        json=registration_body(
            suggestions=[{"category": str(category_id), "content": "More talent apartments"}]
        ),
    )
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["email"] == "li.hua@example.com"
    with app.app_context():
        registration = db.session.scalar(sa.select(Registration))
        assert registration.speaker.phone == "13800000000"  # the form's own normalizing
        assert registration.speaker.email == "li.hua@example.com"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpItem)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    # Again with the same address: the same answer, nothing new on file.
    again = client.post(
        f"/api/v1/events/{event_id}/registrations", json=registration_body(topic="Another")
    )
    assert again.status_code == 202
    assert again.get_json()["message"] == response.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_a_refused_registration_lists_each_field_with_the_forms_words(app, client, event_id):
    response = client.post(
        f"/api/v1/events/{event_id}/registrations",
        json=registration_body(name="Eve\u000bBcc", phone="12345", consent=None, extra=1),
    )
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    fields = {error["field"] for error in response.get_json()["errors"]}
    assert fields == {"consent", "extra"}  # the schema refuses first: no half checks
    response = client.post(
        f"/api/v1/events/{event_id}/registrations",
        json=registration_body(name="Eve\u000bBcc", phone="12345"),
    )
    assert response.status_code == 422
    errors = {error["field"]: error["message"] for error in response.get_json()["errors"]}
    assert set(errors) == {"name", "phone"}
    assert "invisible characters" in errors["name"]
    assert "mobile number" in errors["phone"]
    response = client.post(
        f"/api/v1/events/{event_id}/registrations",
        json=registration_body(name=""),
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.get_json()["errors"] == [{"field": "name", "message": "请输入您的姓名"}]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_a_lone_surrogate_is_a_field_error_and_tells_no_one_which_emails_are_known(
    app, client, event_id
):
    """Only JSON can carry a lone surrogate ("\\ud800"); no database can store one. It was a
    500 for a new address and a 202 for a known one (whose details are not written): a way to
    learn who is on file. Now the field is refused, whatever the address."""
    url = f"/api/v1/events/{event_id}/registrations"
    assert client.post(url, json=registration_body(email="known@example.com")).status_code == 202
    for email in ("known@example.com", "new@example.com"):
        response = client.post(url, json=registration_body(name="Li\ud800Hua", email=email))
        assert response.status_code == 422, (email, response.status_code)
        assert [error["field"] for error in response.get_json()["errors"]] == ["name"]


def test_a_full_event_offers_the_waiting_list(app, client, event_id):
    for number in range(2):
        response = client.post(
            f"/api/v1/events/{event_id}/registrations",
            json=registration_body(email=f"s{number}@example.com"),
        )
        assert response.status_code == 202
    with app.app_context():
        for registration in db.session.scalars(sa.select(Registration)):
            registration.state = RegistrationState.APPROVED
        db.session.commit()
    full = client.post(
        f"/api/v1/events/{event_id}/registrations", json=registration_body(email="late@example.com")
    )
    assert full.status_code == 409
    assert full.get_json()["errors"][0]["field"] == "join_waiting_list"
    waiting = client.post(
        f"/api/v1/events/{event_id}/registrations",
        json=registration_body(email="late@example.com", join_waiting_list="yes"),
    )
    assert waiting.status_code == 202
    with app.app_context():
        late = db.session.scalar(
            sa.select(Registration)
            .join(Registration.speaker)
            .where(factories.Speaker.email == "late@example.com")
        )
        assert late.state is RegistrationState.WAITLISTED


def test_registration_is_rate_limited_with_retry_after(app, client, event_id):
    app.config["REGISTRATION_LIMITS"] = "1 per minute"
    first = client.post(
        f"/api/v1/events/{event_id}/registrations", json=registration_body(email="a@example.com")
    )
    assert first.status_code == 202
    second = client.post(
        f"/api/v1/events/{event_id}/registrations", json=registration_body(email="b@example.com")
    )
    assert second.status_code == 429
    assert second.content_type == PROBLEM
    assert int(second.headers["Retry-After"]) > 0


# --- tokens ---------------------------------------------------------------------------------


def test_a_token_is_shown_once_stored_as_a_hash_and_used_with_its_accounts_rights(app, make_user):
    organizer = make_user(Role.ORGANIZER)
    page = app.test_client()
    sign_in(page, organizer.email)
    response = page.post(
        "/account/api-tokens",
        data={"csrf_token": csrf_token(page, "/account/api-tokens"), "name": "Office system"},
    )
    assert response.status_code == 201
    secret = response.get_data(as_text=True).split('id="new-token">')[1].split("<")[0]
    assert secret.startswith("tdk_")
    assert secret not in page.get("/account/api-tokens").get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(sa.select(ApiToken))
        assert stored.token_hash == hash_token(secret) and secret not in stored.shown
        assert stored.last_used_at is None
    api = app.test_client()
    assert api.get("/api/v1/items", headers=bearer(secret)).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(ApiToken)).last_used_at is not None
    assert "Last used" in page.get("/account/api-tokens").get_data(as_text=True)


def test_revoking_a_token_and_deactivating_its_account_take_effect_on_the_next_request(
    app, make_user
):
    organizer = make_user(Role.ORGANIZER)
    secret = token_for(app, organizer.id)
    api = app.test_client()
    assert api.get("/api/v1/items", headers=bearer(secret)).status_code == 200
    page = app.test_client()
    sign_in(page, organizer.email)
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    page.post(
        f"/account/api-tokens/{token_id}/revoke",
        data={"csrf_token": csrf_token(page, "/account/api-tokens")},
    )
    refused = api.get("/api/v1/items", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    other = token_for(app, organizer.id)
    with app.app_context():
        db.session.get(User, organizer.id).active = False
        db.session.commit()
    assert api.get("/api/v1/items", headers=bearer(other)).status_code == 401


def test_an_admin_revokes_anyones_token_and_nobody_else_can(app, make_user):
    owner = make_user(Role.LEADER)
    secret = token_for(app, owner.id)
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    stranger = app.test_client()
    sign_in(stranger, make_user(Role.ORGANIZER).email)
    refused = stranger.post(
        f"/account/api-tokens/{token_id}/revoke",
        data={"csrf_token": csrf_token(stranger, "/account/api-tokens")},
    )
    assert refused.status_code == 404
    assert app.test_client().get("/api/v1/items", headers=bearer(secret)).status_code == 200
    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN).email)
    edit = f"/admin/users/{owner.id}/edit"
    assert "tdk_" in admin.get(edit).get_data(as_text=True)
    admin.post(
        f"/admin/users/{owner.id}/api-tokens/{token_id}/revoke",
        data={"csrf_token": csrf_token(admin, edit)},
    )
    assert app.test_client().get("/api/v1/items", headers=bearer(secret)).status_code == 401


def test_a_read_token_reads_and_may_change_nothing(app, make_user, make_unit):
    organizer = make_user(Role.ORGANIZER)
    secret = token_for(app, organizer.id, write=False)
    with app.app_context():
        item_id = factories.item().id
        db.session.commit()
    api = app.test_client()
    assert api.get(f"/api/v1/items/{item_id}", headers=bearer(secret)).status_code == 200
    response = api.post(f"/api/v1/items/{item_id}/urge", json={}, headers=bearer(secret))
    assert response.status_code == 403
    assert response.get_json()["type"].endswith("#problem-insufficient-scope")


def test_a_signed_in_browser_is_anonymous_to_the_api(app, make_user):
    browser = app.test_client()
    sign_in(browser, make_user(Role.ORGANIZER).email)
    assert browser.get("/followup/").status_code == 200
    assert browser.get("/api/v1/items").status_code == 401


# --- items and moves ------------------------------------------------------------------------


@pytest.fixture
def tracker(app, make_user, make_unit):
    """An item led by unit A with unit C co-handling; tokens for everyone concerned."""
    unit_a, unit_b, unit_c = make_unit(), make_unit(), make_unit()
    people = {
        "organizer": make_user(Role.ORGANIZER),
        "leader": make_user(Role.LEADER),
        "staff_a": make_user(Role.DEPARTMENT_STAFF, unit_id=unit_a.id),
        "staff_b": make_user(Role.DEPARTMENT_STAFF, unit_id=unit_b.id),
        "staff_c": make_user(Role.DEPARTMENT_STAFF, unit_id=unit_c.id),
        "admin": make_user(Role.ADMIN),
    }
    with app.app_context():
        item = factories.item()
        db.session.commit()
        item_id = item.id
    secrets = {name: token_for(app, user.id) for name, user in people.items()}
    return {
        "item": item_id, "units": (unit_a.id, unit_b.id, unit_c.id), "tokens": secrets,
        "people": people,
    }  # fmt: skip


def _api(app, tracker, who):
    client = app.test_client()

    def call(method, url, **kwargs):
        headers = {**bearer(tracker["tokens"][who]), **kwargs.pop("headers", {})}
        return getattr(client, method)(url, headers=headers, **kwargs)

    return call


def test_a_suggestion_followed_to_its_result_through_the_api(app, tracker):
    organizer, staff = _api(app, tracker, "organizer"), _api(app, tracker, "staff_a")
    item, (unit_a, _b, unit_c) = tracker["item"], tracker["units"]
    new = organizer("get", "/api/v1/items?state=new").get_json()["data"]
    assert [found["id"] for found in new] == [item]
    read = organizer("get", f"/api/v1/items/{item}")
    assert "assign" in read.get_json()["moves"]
    assert read.headers["ETag"] == '"1"'
    assigned = organizer(
        "post",
        f"/api/v1/items/{item}/assign",
        json={"lead_unit_id": unit_a, "co_unit_ids": [unit_c], "due_in_working_days": 20},
        headers={"If-Match": read.headers["ETag"]},
    )
    assert assigned.status_code == 200, assigned.get_json()
    assert assigned.get_json()["state"] == "assigned"
    assert assigned.get_json()["lead_unit"]["id"] == unit_a
    # The stale version a slower client still holds is refused, not written over.
    stale = organizer(
        "post", f"/api/v1/items/{item}/urge", json={"note": "Hurry"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.get_json()["type"].endswith("#problem-stale-version")
    assert "accept" in staff("get", f"/api/v1/items/{item}").get_json()["moves"]
    assert staff("post", f"/api/v1/items/{item}/accept", json={}).status_code == 200
    progress = staff(
        "post", f"/api/v1/items/{item}/progress", json={"note": "Site visit", "percent": 50}
    )
    assert progress.status_code == 200
    opinion = _api(app, tracker, "staff_c")(
        "post", f"/api/v1/items/{item}/opinion", json={"opinion": "We agree; the land is ours."}
    )
    assert opinion.status_code == 200, opinion.get_json()
    refused = staff("post", f"/api/v1/items/{item}/result", json={"result": "Done"})
    assert refused.status_code == 422
    assert [error["field"] for error in refused.get_json()["errors"]] == ["result_class"]
    answered = staff(
        "post",
        f"/api/v1/items/{item}/result",
        json={"result": "Two hundred apartments open in March.", "result_class": "solved"},
    )
    assert answered.status_code == 200, answered.get_json()
    body = answered.get_json()
    assert body["state"] == "resolved" and body["result_class"] == "solved"
    assert [entry["kind"] for entry in body["timeline"]][-1] == "result"
    # A move the item's state no longer allows: 409 with the table's words.
    again = staff("post", f"/api/v1/items/{item}/accept", json={})
    assert again.status_code == 409
    assert again.get_json()["type"].endswith("#problem-refused")
    with app.app_context():
        assert db.session.get(FollowUpItem, item).state is ItemState.RESOLVED


def _assign_to_a_with_c(app, tracker) -> None:
    """The tracker's item assigned to unit A, unit C co-handling."""
    item, (unit_a, _b, unit_c) = tracker["item"], tracker["units"]
    with app.app_context():
        organizer = db.session.get(User, tracker["people"]["organizer"].id)
        followup.assign(
            db.session.get(FollowUpItem, item),
            lead_unit=db.session.get(factories.ResponsibleUnit, unit_a),
            co_units=[db.session.get(factories.ResponsibleUnit, unit_c)],
            due_on=city_today() + timedelta(days=9),
            instructions="",
            by=organizer,
            today=city_today(),
        )
        db.session.commit()


def test_units_see_only_their_items_and_others_are_not_found(app, tracker):
    item = tracker["item"]
    _assign_to_a_with_c(app, tracker)
    for who, sees in (("staff_a", True), ("staff_c", True), ("staff_b", False), ("leader", True)):
        call = _api(app, tracker, who)
        listed = [found["id"] for found in call("get", "/api/v1/items").get_json()["data"]]
        assert listed == ([item] if sees else []), who
        assert call("get", f"/api/v1/items/{item}").status_code == (200 if sees else 404), who
    phone = _api(app, tracker, "staff_a")("get", f"/api/v1/items/{item}").get_json()
    assert phone["speaker_email"]  # the lead unit calls the speaker
    co_unit = _api(app, tracker, "staff_c")("get", f"/api/v1/items/{item}").get_json()
    assert co_unit["speaker_email"] is None and co_unit["speaker_phone"] is None
    assert _api(app, tracker, "admin")("get", "/api/v1/items").get_json()["data"] == []


@pytest.mark.parametrize("move", ACCOUNT_MOVES, ids=lambda move: move.value)
def test_the_api_lets_exactly_those_the_table_of_moves_names_make_each_move(app, tracker, move):
    item = tracker["item"]
    _assign_to_a_with_c(app, tracker)
    with app.app_context():
        standings = {
            who: actor_standing(db.session.get(User, user.id), db.session.get(FollowUpItem, item))
            for who, user in tracker["people"].items()
        }
    for who, relation in standings.items():
        response = _api(app, tracker, who)("post", f"/api/v1/items/{item}/{move.value}", json={})
        status = response.status_code
        if relation is Standing.NONE:
            assert status == 404, (who, status)
        elif relation not in MOVES[move].who:
            assert status == 403, (who, status)
        else:
            # Let in by the table: the body or the item's state may still refuse it.
            assert status in (200, 409, 422), (who, status, response.get_json())


def _personal_data_reads(app) -> list[AuditEntry]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.action == "api_personal_data_read")
                .order_by(AuditEntry.id)
            )
        )


def test_reading_a_speakers_contact_details_through_the_api_is_audited(app, tracker):
    """Finding 15 through the API: a client may pull every item one by one; each answer that
    carries a phone number or email is in the audit log, with who, which token and from where."""
    item = tracker["item"]
    _assign_to_a_with_c(app, tracker)
    assert _api(app, tracker, "staff_c")("get", f"/api/v1/items/{item}").status_code == 200
    assert _api(app, tracker, "staff_b")("get", f"/api/v1/items/{item}").status_code == 404
    assert _personal_data_reads(app) == []  # no contact details were handed out
    read = _api(app, tracker, "staff_a")("get", f"/api/v1/items/{item}")
    assert read.get_json()["speaker_email"]
    accepted = _api(app, tracker, "staff_a")("post", f"/api/v1/items/{item}/accept", json={})
    assert accepted.status_code == 200 and accepted.get_json()["speaker_email"]
    entries = _personal_data_reads(app)
    assert len(entries) == 2
    for entry in entries:
        assert entry.actor_id == tracker["people"]["staff_a"].id
        assert (entry.target_type, entry.target_id) == ("FollowUpItem", item)
        assert entry.details["export"] == "api_item" and entry.details["rows"] == 1
        assert entry.details["token"] == "Test"
        assert entry.remote_addr == "127.0.0.1"
    admin = app.test_client()
    sign_in(admin, tracker["people"]["admin"].email)
    page = admin.get("/admin/audit?action=api_personal_data_read").get_data(as_text=True)
    assert "Personal data read through the API" in page
    assert "Follow-up item (API)" in page


def test_an_organizers_list_of_registrations_through_the_api_is_audited(
    app, client, event_id, make_user
):
    for number in range(3):
        client.post(
            f"/api/v1/events/{event_id}/registrations",
            json=registration_body(email=f"s{number}@example.com", name=f"Speaker {number}"),
        )
    organizer = make_user(Role.ORGANIZER)
    headers = bearer(token_for(app, organizer.id))
    url = f"/api/v1/events/{event_id}/registrations"
    assert client.get(url + "?limit=2&state=submitted", headers=headers).status_code == 200
    assert client.get(url + "?q=nobody", headers=headers).get_json()["data"] == []
    (entry,) = _personal_data_reads(app)
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        organizer.id, "Event", event_id,
    )  # fmt: skip
    assert entry.details["export"] == "api_registrations"
    assert entry.details["rows"] == 2
    assert entry.details["query"] == "limit=2&state=submitted"


# --- figures, errors, the document ---------------------------------------------------------


def test_figures_by_key_for_oversight_and_a_units_own(app, tracker):
    organizer = _api(app, tracker, "organizer")
    figures = organizer("get", "/api/v1/figures").get_json()["figures"]
    keys = {figure["key"]: figure for figure in figures}
    assert keys["suggestions"]["value"] == 1
    assert keys["suggestions"]["definition"]
    one = organizer("get", "/api/v1/figures/suggestions").get_json()
    assert one["value"] == 1
    assert organizer("get", "/api/v1/figures/no_such_figure").status_code == 404
    unit_a, unit_b, _c = tracker["units"]
    staff = _api(app, tracker, "staff_a")
    assert staff("get", "/api/v1/figures").get_json()["scope"]["unit"] == unit_a
    assert staff("get", f"/api/v1/figures?unit={unit_b}").status_code == 404
    assert _api(app, tracker, "admin")("get", "/api/v1/figures").status_code == 403


def test_errors_are_problem_details(app, client):
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.content_type == PROBLEM
    assert missing.get_json()["status"] == 404
    wrong_method = client.delete("/api/v1/events")
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]
    assert wrong_method.content_type == PROBLEM
    broken = client.post(
        "/api/v1/events/1/registrations", data="{not json", content_type="application/json"
    )
    assert broken.status_code == 400 and broken.content_type == PROBLEM
    bad_scheme = client.get("/api/v1/events", headers={"Authorization": "Basic abc"})
    assert bad_scheme.status_code == 401


def test_every_api_route_is_in_the_document_and_every_operation_is_served(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in (
            "api-docs.openapi_json",
            "api_docs.docs",
        ):
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        served |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented


def test_the_documentation_page_lists_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api/v1/docs").get_data(as_text=True)
    for path in spec["paths"]:
        assert f"<code>{path}</code>" in page
    assert "#problem-stale-version" in page and "curl" in page


# --- the speaker's own registration -----------------------------------------------------


@pytest.fixture
def speaker_link(app, event_id):
    """A registration with one suggestion, and its private link's secret."""
    from talentday.registrations import services as registrations

    with app.app_context():
        category = db.session.scalar(sa.select(factories.Category))
        outcome = registrations.register(
            db.session.get(factories.Event, event_id),
            registrations.SpeakerDetails(
                "Gao Lizhi", "gao@example.com", "13800000000", "Institute", "Dean",
                factories.TalentTeam.OTHER,
            ),
            topic="Talent apartments", summary="", consent=True,
            suggestions=[registrations.SuggestionDraft(category, "Build them near the parks.")],
        )  # fmt: skip
        db.session.commit()
        return {"secret": outcome.token, "registration": outcome.registration.id,
                "category": category.id}  # fmt: skip


def test_the_speaker_reads_and_changes_their_registration_with_the_links_secret(
    app, client, speaker_link
):
    headers = bearer(speaker_link["secret"])
    own = client.get("/api/v1/registration", headers=headers)
    assert own.status_code == 200
    body = own.get_json()
    assert body["topic"] == "Talent apartments" and body["speaker"]["name"] == "Gao Lizhi"
    assert [s["content"] for s in body["suggestions"]] == ["Build them near the parks."]
    changed = client.patch("/api/v1/registration", json={"topic": "Homes"}, headers=headers)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["topic"] == "Homes"
    assert changed.get_json()["speaker"]["phone"] == "13800000000"  # what was left out stays
    refused = client.patch("/api/v1/registration", json={"phone": "123"}, headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "phone"
    assert client.get("/api/v1/registration", headers=bearer("not-a-link")).status_code == 401
    assert client.get("/api/v1/registration").status_code == 401


def test_the_speaker_adds_a_suggestion_then_withdraws_and_may_add_no_more(
    app, client, speaker_link
):
    headers = bearer(speaker_link["secret"])
    added = client.post(
        "/api/v1/registration/suggestions",
        json={"category": str(speaker_link["category"]), "content": "And a school."},
        headers=headers,
    )
    assert added.status_code == 201, added.get_json()
    assert len(added.get_json()["suggestions"]) == 2
    unconfirmed = client.post("/api/v1/registration/withdraw", json={}, headers=headers)
    assert unconfirmed.status_code == 422
    withdrawn = client.post(
        "/api/v1/registration/withdraw", json={"confirm": True}, headers=headers
    )
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["state"] == "withdrawn"
    late = client.post(
        "/api/v1/registration/suggestions",
        json={"category": str(speaker_link["category"]), "content": "One more."},
        headers=headers,
    )
    assert late.status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpItem)) == 2


def test_the_speaker_rates_the_answer_as_the_page_does(
    app, client, speaker_link, make_user, make_unit
):
    staff = make_user(Role.DEPARTMENT_STAFF, unit_id=make_unit().id)
    organizer = make_user(Role.ORGANIZER)
    with app.app_context():
        item = db.session.scalar(sa.select(FollowUpItem))
        followup.assign(
            item, lead_unit=db.session.get(User, staff.id).unit, co_units=[],
            due_on=city_today() + timedelta(days=5), instructions="",
            by=db.session.get(User, organizer.id), today=city_today(),
        )  # fmt: skip
        unit_staff = db.session.get(User, staff.id)
        followup.accept(item, by=unit_staff)
        # The unit called the speaker first: the contact is on the speaker's answer.
        followup.record_contact(
            item, method=followup.ContactMethod.PHONE, contacted_on=city_today(),
            summary="Talked it through.", by=unit_staff,
        )  # fmt: skip
        followup.submit_result(
            item, result="Built.", result_class=followup.ResultClass.SOLVED, by=unit_staff
        )
        db.session.commit()
        item_id, version, today = item.id, item.version, city_today()
    headers = bearer(speaker_link["secret"])
    read = client.get("/api/v1/registration", headers=headers)
    assert read.status_code == 200, read.get_data(as_text=True)
    own = read.get_json()
    assert own["suggestions"][0]["moves"] == ["rate"]
    (contact,) = own["suggestions"][0]["contacts"]
    assert contact["on"] == today.isoformat()
    url = f"/api/v1/registration/suggestions/{item_id}/rate"
    stale = client.post(
        url, json={"satisfaction": "satisfied", "contacted": "yes"},
        headers={**headers, "If-Match": f'"{version - 1}"'},
    )  # fmt: skip
    assert stale.status_code == 412
    unsatisfied = client.post(
        url, json={"satisfaction": "unsatisfied", "contacted": "no"}, headers=headers
    )
    assert unsatisfied.status_code == 422
    assert unsatisfied.get_json()["errors"][0]["field"] == "comment"
    rated = client.post(
        url, json={"satisfaction": "satisfied", "contacted": "yes"},
        headers={**headers, "If-Match": f'"{version}"'},
    )  # fmt: skip
    assert rated.status_code == 200, rated.get_json()
    assert rated.get_json()["suggestions"][0]["satisfaction"] == "satisfied"
    assert client.post(
        f"/api/v1/registration/suggestions/{item_id + 99}/rate",
        json={"satisfaction": "satisfied", "contacted": "yes"}, headers=headers,
    ).status_code == 404  # fmt: skip
    organizer_token = token_for(app, organizer.id)
    assert client.get("/api/v1/registration", headers=bearer(organizer_token)).status_code == 401


# --- organizers' registrations -------------------------------------------------------------


def test_organizers_list_an_events_registrations_and_decide_as_on_the_review_page(
    app, client, event_id, make_user, make_unit
):
    for number in range(3):
        response = client.post(
            f"/api/v1/events/{event_id}/registrations",
            json=registration_body(email=f"s{number}@example.com", name=f"Speaker {number}"),
        )
        assert response.status_code == 202
    organizer = bearer(token_for(app, make_user(Role.ORGANIZER).id))
    staff = bearer(token_for(app, make_user(Role.DEPARTMENT_STAFF, unit_id=make_unit().id).id))
    url = f"/api/v1/events/{event_id}/registrations"
    assert client.get(url, headers=staff).status_code == 403
    listed = client.get(url + "?limit=2", headers=organizer).get_json()
    assert [row["name"] for row in listed["data"]] == ["Speaker 0", "Speaker 1"]
    assert listed["data"][0]["phone"] == "13800000000"
    rest = client.get(
        url, query_string={"limit": 2, "cursor": listed["next_cursor"]}, headers=organizer
    )
    assert [row["name"] for row in rest.get_json()["data"]] == ["Speaker 2"]
    ids = [row["id"] for row in listed["data"]] + [rest.get_json()["data"][0]["id"]]
    with app.app_context():
        messages = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    decisions = [
        client.post(
            f"/api/v1/registrations/{i}/decision", json={"action": "approved"}, headers=organizer
        )
        for i in ids
    ]
    assert [d.status_code for d in decisions] == [200, 200, 200]
    # Two speaking slots: the third approval goes on the waiting list, as on the page.
    assert [d.get_json()["outcome"] for d in decisions] == ["changed", "changed", "waitlisted"]
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == messages + 3
        )
    cancelled = client.post(
        f"/api/v1/registrations/{ids[0]}/decision",
        json={"action": "cancelled", "message": "Sorry."}, headers=organizer,
    )  # fmt: skip
    assert cancelled.get_json()["moved_up"] == [ids[2]]
    bad = client.post(
        f"/api/v1/registrations/{ids[1]}/decision", json={"action": "maybe"}, headers=organizer
    )
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "action"
    assert (
        client.post(
            "/api/v1/registrations/999999/decision", json={"action": "approved"}, headers=organizer
        ).status_code
        == 404
    )


def test_the_reference_lists_categories_and_units(app, client, event_id, make_user):
    categories = client.get("/api/v1/categories").get_json()
    assert [category["code"] for category in categories] == ["talent-apartments"]
    assert client.get("/api/v1/units").status_code == 401
    with app.app_context():
        factories.unit(name="Housing Bureau", name_zh="住房和城乡建设局")
        db.session.commit()
    organizer = bearer(token_for(app, make_user(Role.ORGANIZER).id))
    units = client.get("/api/v1/units", headers={**organizer, "Accept-Language": "zh-CN"})
    assert [unit["name"] for unit in units.get_json()] == ["住房和城乡建设局"]


def test_every_api_request_counts_against_its_tokens_limit(app, client, make_user):
    app.config["API_LIMITS"] = "2 per minute"
    mine = bearer(token_for(app, make_user(Role.ORGANIZER).id))
    other = bearer(token_for(app, make_user(Role.ORGANIZER).id))
    assert [client.get("/api/v1/items", headers=mine).status_code for _ in range(3)] == [
        200, 200, 429,
    ]  # fmt: skip
    refused = client.get("/api/v1/figures", headers=mine)
    assert refused.status_code == 429 and refused.content_type == PROBLEM
    assert int(refused.headers["Retry-After"]) > 0
    # Counted per token: another office system is not slowed down.
    assert client.get("/api/v1/items", headers=other).status_code == 200


# --- from the outside attack on the API ----------------------------------------------------


def test_guessing_secrets_is_slowed_down_as_guessing_private_links_is(app, client):
    """An unknown bearer secret was a 401 before any limit counted it: a script could guess
    without end (the private links' pages slow it down after PRIVATE_LINK_LIMITS)."""
    app.config["PRIVATE_LINK_LIMITS"] = "3 per minute"
    guesses = [f"guess-{n}" for n in range(3)] + ["tdk_not-a-token", "guess-again"]
    answers = [client.get("/api/v1/registration", headers=bearer(g)).status_code for g in guesses]
    assert answers == [401, 401, 401, 429, 429]
    assert client.get("/api/v1/categories").status_code == 200  # the public API still is


def test_a_body_nested_a_thousand_deep_is_a_bad_request_not_a_crash(client, event_id):
    response = client.post(
        f"/api/v1/events/{event_id}/registrations",
        data="[" * 1000 + "]" * 1000,
        content_type="application/json",
    )
    assert response.status_code == 400 and response.content_type == PROBLEM


def test_a_body_that_is_not_json_is_refused_not_ignored(app, tracker):
    """A move posted as text or as a form was made with an empty body (an urge with no note):
    the body the client meant was silently dropped. It is a 415 now; no body at all is {}."""
    organizer, item = _api(app, tracker, "organizer"), tracker["item"]
    for content_type, data in (
        ("text/plain", '{"note": "hi"}'),
        ("application/x-www-form-urlencoded", "note=hi"),
    ):
        response = organizer(
            "post", f"/api/v1/items/{item}/urge", data=data, content_type=content_type
        )
        assert response.status_code == 415, (content_type, response.status_code)
        assert response.content_type == PROBLEM
    _assign_to_a_with_c(app, tracker)
    staff = _api(app, tracker, "staff_a")
    assert staff("post", f"/api/v1/items/{item}/accept").status_code == 200


def test_a_cursor_with_a_time_but_no_zone_is_refused(client):
    import base64
    import json

    for values in (["2026-01-01", 1], ["0001-01-01T00:00:00+14:00", 1]):
        cursor = base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")
        response = client.get("/api/v1/events", query_string={"cursor": cursor})
        assert response.status_code == 400, values
        assert response.get_json()["errors"][0]["field"] == "cursor"


def test_a_decisions_answer_with_contact_details_is_audited(app, client, event_id, make_user):
    client.post(f"/api/v1/events/{event_id}/registrations", json=registration_body())
    organizer = make_user(Role.ORGANIZER)
    headers = bearer(token_for(app, organizer.id))
    with app.app_context():
        registration_id = db.session.scalar(sa.select(Registration.id))
    decided = client.post(
        f"/api/v1/registrations/{registration_id}/decision",
        json={"action": "approved"}, headers=headers,
    )  # fmt: skip
    assert decided.get_json()["registration"]["phone"]
    (entry,) = _personal_data_reads(app)
    assert (entry.target_type, entry.target_id) == ("Registration", registration_id)
    assert entry.details["rows"] == 1


def test_a_surrogate_in_a_key_and_a_number_too_long_to_read_are_client_errors(client, event_id):
    """Found by the second look at the attack's fixes: an unknown key "\\ud800" was named
    in the answer, which could then not be written (a 500); a number of 5,000 digits is past
    what Python converts (a ValueError that was no JSONDecodeError: a 500)."""
    url = f"/api/v1/events/{event_id}/registrations"
    key = client.post(url, data='{"name": "Li", "\\ud800": 1}', content_type="application/json")
    assert key.status_code == 422 and key.content_type == PROBLEM
    assert key.get_json()["errors"]
    digits = client.post(url, data='{"x": ' + "7" * 5000 + "}", content_type="application/json")
    assert digits.status_code == 400 and digits.content_type == PROBLEM


def test_a_suggestion_under_an_unknown_category_is_refused_at_its_field(client, event_id):
    body = registration_body(suggestions=[{"category": "99999", "content": "Build flats."}])
    response = client.post(f"/api/v1/events/{event_id}/registrations", json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["suggestions.0.category"]
