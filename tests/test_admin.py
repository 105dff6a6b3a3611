import re

import pytest
import sqlalchemy as sa

from talentday.audit.models import AuditEntry
from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.units.models import ResponsibleUnit, UnitKind
from tests.conftest import PASSWORD, sign_in, submit

ADMIN_PAGES = [
    "/admin/users",
    "/admin/users/new",
    "/admin/units",
    "/admin/units/new",
    "/admin/categories",
]


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(Role.ADMIN, email="admin@example.com")
    sign_in(client, admin.email)
    client.admin = admin
    return client


@pytest.mark.parametrize("role", [Role.DEPARTMENT_STAFF, Role.ORGANIZER, Role.LEADER])
def test_only_admins_open_the_admin_pages(client, make_user, role):
    user = make_user(role)
    sign_in(client, user.email)
    for url in [*ADMIN_PAGES, f"/admin/users/{user.id}/edit"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You cannot open this page" in response.get_data(as_text=True)
    assert "Accounts" not in client.get("/home").get_data(as_text=True).split("<main")[0]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in")


def test_forbidden_posts_change_nothing(app, client, make_user):
    staff = make_user(Role.DEPARTMENT_STAFF)
    sign_in(client, staff.email)
    response = submit(
        client,
        "/admin/users/new",
        {"name": "Intruder", "email": "x@example.com", "role": "admin", "password": PASSWORD},
        form_url="/account/password",
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "x@example.com")) is None


def test_admin_creates_a_staff_account_that_can_sign_in(app, admin_client, make_unit):
    unit = make_unit(name="Housing and Urban-Rural Development Bureau")
    response = submit(
        admin_client,
        "/admin/users/new",
        {
            "name": "Zhou Min",
            "email": "Zhou.Min@example.com",
            "role": "department_staff",
            "unit_id": str(unit.id),
            "password": "housing-bureau-2026",
            "active": "y",
        },
    )
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The account for Zhou Min has been created." in page
    assert "zhou.min@example.com" in page
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "zhou.min@example.com"))
        assert user.role is Role.DEPARTMENT_STAFF and user.unit_id == unit.id
        assert db.session.scalar(
            sa.select(AuditEntry).where(
                AuditEntry.action == "user_created", AuditEntry.target_id == user.id
            )
        )
    staff = app.test_client()
    assert sign_in(staff, "zhou.min@example.com", "housing-bureau-2026").status_code == 302
    assert "Housing and Urban-Rural Development Bureau" in staff.get("/home").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"email": "admin@example.com"},
            "email",
            "An account with this email address already exists",
        ),
        ({"email": "not-an-email"}, "email", "Enter an email address like name@example.com"),
        ({"name": ""}, "name", "Enter the person's full name"),
        ({"password": "short"}, "password", "Enter a password of at least 10 characters"),
        ({"role": "department_staff"}, "unit_id", "Choose the unit this staff member works for"),
        ({"role": ""}, "role", "Choose a role"),
    ],
)
def test_account_form_errors_are_shown_by_the_field_and_keep_the_input(
    app, admin_client, data, field, message
):
    values = {
        "name": "Qian Lei",
        "email": "qian.lei@example.com",
        "role": "organizer",
        "password": "organizer-2026!",
        "active": "y",
    }
    values.update(data)
    response = submit(admin_client, "/admin/users/new", values)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="#{field}">{message}' in page
    if values["name"]:
        assert f'value="{values["name"]}"' in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_a_new_account_starts_with_no_role_chosen(admin_client):
    """Issue 10: the form once preselected the first role, so an admin who skipped the list
    made an organizer without choosing to."""
    page = admin_client.get("/admin/users/new").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="role".*?</select>', page, re.S).group(0)
    # The browser shows the first option when none is selected: the empty one.
    assert re.search(r'<select[^>]*><option value="">Choose a role</option>', select)
    assert "selected" not in select


def test_deactivating_an_account_signs_it_out_at_once(app, admin_client, make_user):
    leader = make_user(Role.LEADER, name="Xu Lihua")
    leader_client = app.test_client()
    sign_in(leader_client, leader.email)
    assert leader_client.get("/home").status_code == 200
    response = submit(
        admin_client,
        f"/admin/users/{leader.id}/edit",
        {"name": "Xu Lihua", "email": leader.email, "role": "leader", "password": ""},
    )
    assert response.status_code == 302
    assert leader_client.get("/home").status_code == 302
    assert sign_in(app.test_client(), leader.email).status_code == 200  # refused, form again


def test_editing_keeps_the_password_unless_a_new_one_is_given(app, admin_client, make_user):
    organizer = make_user(Role.ORGANIZER, name="Liu Na")
    submit(
        admin_client,
        f"/admin/users/{organizer.id}/edit",
        {
            "name": "Liu Na (Talent Office)",
            "email": organizer.email,
            "role": "organizer",
            "active": "y",
        },
    )
    assert sign_in(app.test_client(), organizer.email, PASSWORD).status_code == 302
    with app.app_context():
        assert db.session.get(User, organizer.id).name == "Liu Na (Talent Office)"


def test_an_admin_cannot_lock_themselves_out(admin_client):
    admin = admin_client.admin
    page = submit(
        admin_client,
        f"/admin/users/{admin.id}/edit",
        {"name": admin.name, "email": admin.email, "role": "admin", "password": ""},
    ).get_data(as_text=True)
    assert "You cannot deactivate your own account" in page
    page = submit(
        admin_client,
        f"/admin/users/{admin.id}/edit",
        {"name": admin.name, "email": admin.email, "role": "leader", "active": "y"},
    ).get_data(as_text=True)
    assert "You cannot change your own role" in page
    assert admin_client.get("/admin/users").status_code == 200


def test_unknown_account_is_404(admin_client):
    assert admin_client.get("/admin/users/99999/edit").status_code == 404


def test_admin_adds_and_edits_a_unit(app, admin_client):
    response = submit(
        admin_client,
        "/admin/units/new",
        {
            "name": "Qingjiangpu District Government",
            "name_zh": "清江浦区人民政府",
            "kind": "county_or_district",
            "active": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        unit = db.session.scalar(sa.select(ResponsibleUnit))
        assert unit.kind is UnitKind.COUNTY_OR_DISTRICT and unit.name_zh == "清江浦区人民政府"
        unit_id = unit.id
    page = admin_client.get("/admin/units").get_data(as_text=True)
    assert "Qingjiangpu District Government" in page and "County or district" in page

    duplicate = submit(
        admin_client,
        "/admin/units/new",
        {"name": "qingjiangpu district government", "kind": "other"},
    ).get_data(as_text=True)
    assert "A unit with this name already exists" in duplicate
    assert 'value="qingjiangpu district government"' in duplicate

    submit(
        admin_client,
        f"/admin/units/{unit_id}/edit",
        {
            "name": "Qingjiangpu District Government",
            "kind": "county_or_district",
            "contact_name": "Wang Fang",
        },
    )
    with app.app_context():
        unit = db.session.get(ResponsibleUnit, unit_id)
        assert unit.contact_name == "Wang Fang" and unit.active is False


def test_the_account_list_is_paginated_and_filtered(admin_client, make_user):
    for number in range(30):
        make_user(Role.LEADER, name=f"Leader {number:02d}")
    first = admin_client.get("/admin/users?role=leader").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "Test admin" not in first.split('id="main-content"')[1]
    second = admin_client.get("/admin/users?role=leader&page=2").get_data(as_text=True)
    assert first.count("<tr>") + second.count("<tr>") == 30 + 2  # two header rows
    found = admin_client.get("/admin/users?q=leader+07").get_data(as_text=True)
    assert "Leader 07" in found and "Leader 08" not in found


def test_the_account_list_costs_the_same_queries_for_any_number_of_rows(
    app, admin_client, make_user, make_unit
):
    def queries_for_page() -> int:
        statements = []

        def count(*_args):
            statements.append(1)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert admin_client.get("/admin/users").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    make_user(Role.DEPARTMENT_STAFF)
    few = queries_for_page()
    for _ in range(12):
        make_user(Role.DEPARTMENT_STAFF, unit_id=make_unit().id)
    assert queries_for_page() == few


def test_admin_keeps_the_categories(app, admin_client):
    response = submit(
        admin_client,
        "/admin/categories/new",
        {"name": "Talent apartments", "name_zh": "人才公寓", "code": "talent-apartments",
         "position": "4", "active": "y"},
    )  # fmt: skip
    assert response.status_code == 302
    page = admin_client.get("/admin/categories").get_data(as_text=True)
    assert "Talent apartments" in page and "人才公寓" in page
    duplicate = submit(
        admin_client,
        "/admin/categories/new",
        {"name": "Housing", "code": "talent-apartments", "position": "5"},
    ).get_data(as_text=True)
    assert "Another category already has this code" in duplicate
    assert 'value="Housing"' in duplicate
    bad_code = submit(
        admin_client, "/admin/categories/new", {"name": "X", "code": "Not A Code", "position": "1"}
    ).get_data(as_text=True)
    assert "Use lower-case letters, digits and hyphens" in bad_code
    with app.app_context():
        from talentday.followup.models import Category

        category = db.session.scalar(sa.select(Category))
        category_id = category.id
    submit(
        admin_client,
        f"/admin/categories/{category_id}/edit",
        {"name": "Talent apartments", "code": "talent-apartments", "position": "4"},
    )
    with app.app_context():
        assert db.session.get(Category, category_id).active is False


def test_only_admins_keep_the_categories(client, make_user):
    sign_in(client, make_user(Role.ORGANIZER).email)
    assert client.get("/admin/categories").status_code == 403
    assert client.get("/admin/categories/new").status_code == 403


def test_a_unit_form_sent_without_its_fields_is_refused_not_filled_from_the_unit(app, admin_client):
    """Found by the form fuzzer: a post naming only the kind of a unit with a WeCom robot
    took the missing fields from the unit, the robot's channel as "MessageChannel.WECOM",
    and failed with a 500."""
    from talentday.outbox.models import MessageChannel

    with app.app_context():
        unit = ResponsibleUnit(
            name="Housing Bureau", kind=UnitKind.MUNICIPAL_DEPARTMENT,
            robot_channel=MessageChannel.WECOM,
            robot_webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        )  # fmt: skip
        db.session.add(unit)
        db.session.commit()
        unit_id = unit.id
    response = submit(admin_client, f"/admin/units/{unit_id}/edit", {"kind": "other"})
    assert response.status_code == 200  # the form again, with its errors
    assert "Enter the unit's name" in response.get_data(as_text=True)
    with app.app_context():
        unit = db.session.get(ResponsibleUnit, unit_id)
        assert unit.kind is UnitKind.MUNICIPAL_DEPARTMENT
        assert unit.robot_channel is MessageChannel.WECOM
