"""Finding 15: downloads of personal data and outbox reads leave an audit entry, and admins
read the audit log on a filterable page."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from talentday.audit.models import AuditEntry
from talentday.audit.services import record
from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.outbox.models import OutboxMessage
from tests import factories
from tests.conftest import sign_in


def entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()
        db.session.expunge_all()
        return rows


@pytest.fixture
def organizer(app, client, make_user):
    user = make_user(Role.ORGANIZER)
    sign_in(client, user.email)
    client.user = user
    return client


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloading_the_registrations_is_audited(app, organizer, fmt):
    with app.app_context():
        registration = factories.registration(
            speaker=factories.speaker(phone="13800000001", email="gao@example.com")
        )
        event_id = registration.event_id
        db.session.commit()
    response = organizer.get(
        f"/manage/events/{event_id}/registrations.{fmt}",
        environ_base={"REMOTE_ADDR": "10.2.3.4"},
    )
    assert response.status_code == 200
    [entry] = entries(app, "export_downloaded")
    assert entry.actor_id == organizer.user.id
    assert (entry.target_type, entry.target_id) == ("Event", event_id)
    assert entry.details["export"] == "registrations"
    assert entry.details["format"] == fmt and entry.details["rows"] == 1
    assert entry.remote_addr == "10.2.3.4"


def test_downloading_the_ledger_is_audited(app, organizer):
    with app.app_context():
        factories.item()
        factories.item()
        db.session.commit()
    assert organizer.get("/followup/ledger.xlsx?state=new").status_code == 200
    [entry] = entries(app, "export_downloaded")
    assert entry.details["export"] == "ledger" and entry.details["rows"] == 2
    assert entry.details["query"] == "state=new"


def test_reading_an_outbox_message_is_audited(app, organizer):
    with app.app_context():
        message = OutboxMessage(
            kind="registration_received", to_email="gao@example.com", subject="Hi", body="Hello"
        )
        db.session.add(message)
        db.session.commit()
        message_id = message.id
    assert organizer.get(f"/manage/outbox/{message_id}").status_code == 200
    [entry] = entries(app, "outbox_message_viewed")
    assert entry.actor_id == organizer.user.id
    assert (entry.target_type, entry.target_id) == ("OutboxMessage", message_id)


# --- the audit page ----------------------------------------------------------------


@pytest.fixture
def admin(app, make_user):
    user = make_user(Role.ADMIN, name="Keeper Admin", email="keeper@example.com")
    client = app.test_client()
    sign_in(client, user.email)
    client.user = user
    return client


def add_entry(app, action, *, actor_email=None, at=None, target=None, **details):
    with app.app_context():
        actor = (
            db.session.scalar(db.select(User).where(User.email == actor_email))
            if actor_email
            else None
        )
        entry = record(action, actor=actor, target=target, **details)
        if at is not None:
            entry.at = at
        db.session.commit()


def rows_of(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_the_audit_page_filters_by_action_actor_target_and_date(app, admin, make_user):
    make_user(Role.ORGANIZER, name="Liu Na", email="liu.na@example.com")
    add_entry(
        app, "sign_in", actor_email="liu.na@example.com", at=datetime(2026, 9, 30, 8, tzinfo=UTC)
    )
    add_entry(
        app,
        "export_downloaded",
        actor_email="liu.na@example.com",
        at=datetime(2026, 10, 1, 16, 30, tzinfo=UTC),  # 2 October 00:30 in the city
        export="registrations",
    )
    add_entry(app, "sign_in_failed", at=datetime(2026, 10, 3, 2, tzinfo=UTC), account="x@e.com")
    with app.app_context():
        target = db.session.scalar(db.select(User).where(User.email == "liu.na@example.com"))
        add_entry(app, "user_updated", actor_email="keeper@example.com", target=target,
                  at=datetime(2026, 10, 4, 2, tzinfo=UTC))  # fmt: skip

    def page(query=""):
        response = admin.get(f"/admin/audit{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    everything = page()
    assert len(rows_of(everything)) >= 4
    only_downloads = page("?action=export_downloaded")
    assert len(rows_of(only_downloads)) == 1
    assert "2026-10-02 00:30" in only_downloads, "times are the city's"
    assert "Liu Na" in rows_of(only_downloads)[0]
    by_actor = rows_of(page("?actor=liu.na"))
    assert len(by_actor) == 2 and all("Liu Na" in row for row in by_actor)
    by_target = rows_of(page("?target_type=User&action=user_updated"))
    assert len(by_target) == 1 and "Keeper Admin" in by_target[0]
    # The range is in the city's days: 2 October starts at 1 October 16:00 UTC.
    in_range = rows_of(page("?date_from=2026-10-02&date_to=2026-10-03"))
    assert len(in_range) == 2
    assert any("x@e.com" in row for row in in_range)
    filtered = page("?action=sign_in_failed&date_from=2026-10-02")
    assert 'value="2026-10-02"' in filtered, "the filter keeps its values"
    assert re.search(r'<option value="sign_in_failed"\s+selected', filtered)


def test_a_bad_filter_value_is_ignored_not_an_error(app, admin):
    response = admin.get("/admin/audit?date_from=not-a-date&date_to=2026-13-45&page=x")
    assert response.status_code == 200


def test_the_audit_page_is_paginated(app, admin):
    with app.app_context():
        for number in range(60):
            record("sign_in_failed", actor=None, account=f"guess{number}@example.com")
        db.session.commit()
    first = admin.get("/admin/audit?action=sign_in_failed").get_data(as_text=True)
    second = admin.get("/admin/audit?action=sign_in_failed&page=2").get_data(as_text=True)
    assert len(rows_of(first)) == 50 and len(rows_of(second)) == 10
    assert "guess59@example.com" in first, "newest first"


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.LEADER, Role.DEPARTMENT_STAFF])
def test_only_admins_read_the_audit_log(app, make_user, role):
    client = app.test_client()
    sign_in(client, make_user(role).email)
    assert client.get("/admin/audit").status_code == 403
    assert "/admin/audit" not in client.get("/home").get_data(as_text=True)
    anonymous = app.test_client().get("/admin/audit")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in")


def test_the_admin_navigation_links_to_the_audit_log_in_both_languages(app, admin):
    english = admin.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/audit">Audit log</a>' in english
    with app.app_context():
        db.session.get(User, admin.user.id).locale = "zh_Hans"
        db.session.commit()
    chinese = admin.get("/admin/audit").get_data(as_text=True)
    assert "<h1>审计日志</h1>" in chinese


def test_the_audit_page_costs_the_same_queries_for_any_number_of_rows(app, admin, make_user):
    def queries_for_page() -> int:
        statements = []

        def count(*_args):
            statements.append(1)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert admin.get("/admin/audit").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    add_entry(app, "sign_in", actor_email="keeper@example.com")
    few = queries_for_page()
    for number in range(12):
        user = make_user(Role.ORGANIZER)
        add_entry(app, "sign_in", actor_email=user.email, number=number)
    assert queries_for_page() == few


def test_every_action_the_code_records_has_a_name_on_the_audit_page():
    import re
    from pathlib import Path

    import talentday
    from talentday.audit.services import ACTION_LABELS

    source = "\n".join(p.read_text() for p in Path(talentday.__file__).parent.rglob("*.py"))
    recorded = set(re.findall(r'\brecord\(\s*"([a-z_]+)"', source))
    assert len(recorded) > 10
    assert recorded - set(ACTION_LABELS) == set()
