"""The helpers every later view uses to decide who may see or change what."""

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from talentday.access import ROUTES, Audience
from talentday.auth.models import Role, User
from talentday.auth.permissions import is_staff_of, require_staff_of, role_required
from talentday.extensions import db
from tests.conftest import sign_in


def test_staff_of_a_unit_only(app_ctx, make_user, make_unit):
    unit, other = make_unit(), make_unit()
    staff = db.session.get(User, make_user(Role.DEPARTMENT_STAFF, unit_id=unit.id).id)
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    assert is_staff_of(staff, unit.id)
    assert not is_staff_of(staff, other.id)
    assert not is_staff_of(staff, None)
    assert not is_staff_of(organizer, unit.id)
    require_staff_of(staff, unit.id)
    with pytest.raises(NotFound):
        require_staff_of(staff, other.id)
    with pytest.raises(NotFound):
        require_staff_of(organizer, unit.id)


@pytest.fixture
def guarded_app(app: Flask, monkeypatch):
    monkeypatch.setitem(ROUTES, "organizers_only", Audience.ORGANIZERS)

    @app.get("/organizers-only")
    @role_required(Role.ORGANIZER)
    def organizers_only():
        return "for organizers"

    return app


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ORGANIZER, 200),
        (Role.LEADER, 403),
        (Role.DEPARTMENT_STAFF, 403),
        (Role.ADMIN, 403),
    ],
)
def test_role_required(guarded_app, make_user, role, status):
    client = guarded_app.test_client()
    assert client.get("/organizers-only").status_code == 302  # anonymous: off to sign in
    sign_in(client, make_user(role).email)
    assert client.get("/organizers-only").status_code == status
