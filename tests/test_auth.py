import re

import pytest

from talentday.audit.models import AuditEntry
from talentday.auth.models import Role, User
from talentday.auth.services import AccountError, authenticate, change_password
from talentday.extensions import db
from tests.conftest import PASSWORD, sign_in, submit

HOME_HEADINGS = {
    Role.ORGANIZER: "Organizer’s desk",
    Role.LEADER: "Overview",
    Role.ADMIN: "Administration",
    Role.DEPARTMENT_STAFF: "Items for",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_lands_on_its_home(client, make_user, role):
    user = make_user(role)
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    page = client.get("/home").get_data(as_text=True)
    assert HOME_HEADINGS[role] in page
    assert "You are signed in." in page


def test_email_is_matched_whatever_its_capitals(client, make_user):
    user = make_user(email="liu.na@example.com")
    assert sign_in(client, "  Liu.Na@Example.COM ").status_code == 302
    assert user.email == "liu.na@example.com"


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    user = make_user()
    wrong_password = sign_in(client, user.email, "not the password")
    unknown_email = sign_in(client, "nobody@example.com", "not the password")
    for response in (wrong_password, unknown_email):
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Enter a correct email address and password" in page
        assert "<title>Error:" in page
    # What was typed in the email field is still there.
    assert f'value="{user.email}"' in wrong_password.get_data(as_text=True)
    assert 'value="nobody@example.com"' in unknown_email.get_data(as_text=True)


def test_empty_form_says_what_to_enter_next_to_each_field(client):
    page = submit(client, "/sign-in", {"email": "", "password": ""}).get_data(as_text=True)
    assert "There is a problem" in page
    assert 'href="#email">Enter your email address' in page
    assert 'href="#password">Enter your password' in page
    assert re.search(r'id="email-error"[^>]*>.*Enter your email address', page, re.S)


def test_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user(active=False)
    page = sign_in(client, user.email).get_data(as_text=True)
    assert "Enter a correct email address and password" in page
    assert client.get("/home").status_code == 302


def test_repeated_failures_are_throttled_even_with_the_right_password(client, make_user):
    user = make_user()
    for _attempt in range(5):
        assert sign_in(client, user.email, "guess").status_code == 200
    blocked = sign_in(client, user.email)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert client.get("/home").status_code == 302, "the throttled attempt must not sign in"


def test_successful_sign_ins_are_not_throttled(app, make_user):
    user = make_user()
    for _attempt in range(8):
        client = app.test_client()
        assert sign_in(client, user.email).status_code == 302


def test_next_is_followed_only_to_this_site(client, make_user):
    user = make_user(Role.ADMIN)
    response = submit(
        client,
        "/sign-in",
        {"email": user.email, "password": PASSWORD, "next": "/admin/units"},
    )
    assert response.headers["Location"] == "/admin/units"
    client.post("/sign-out", data={"csrf_token": _token(client)})
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = submit(
            client, "/sign-in", {"email": user.email, "password": PASSWORD, "next": hostile}
        )
        assert response.headers["Location"] == "/home", hostile
        client.post("/sign-out", data={"csrf_token": _token(client)})


def _token(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/")


def test_a_protected_page_sends_to_sign_in_and_back(client, make_user):
    user = make_user(Role.ADMIN)
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="/admin/users"' in page
    back = submit(
        client, "/sign-in", {"email": user.email, "password": PASSWORD, "next": "/admin/users"}
    )
    assert back.headers["Location"] == "/admin/users"


def test_forms_without_csrf_token_are_refused(client, make_user):
    user = make_user()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/home").status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session(client, make_user):
    user = make_user()
    sign_in(client, user.email)
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out", data={"csrf_token": _token(client)}).status_code == 302
    assert client.get("/home").status_code == 302


def test_remember_me_sets_a_lasting_cookie(client, make_user):
    user = make_user()
    submit(client, "/sign-in", {"email": user.email, "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None


def test_password_change_signs_out_other_devices(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user.email)
    sign_in(phone, user.email)
    new_password = "a much longer passphrase"
    response = submit(
        laptop,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": new_password,
            "confirm_password": new_password,
        },
    )
    assert response.status_code == 302
    assert laptop.get("/home").status_code == 200, "this device stays signed in"
    assert phone.get("/home").status_code == 302, "the other device is signed out"
    assert sign_in(app.test_client(), user.email, new_password).status_code == 302


def test_password_change_errors_keep_the_form(client, make_user):
    user = make_user()
    sign_in(client, user.email)
    page = submit(
        client,
        "/account/password",
        {"current_password": "wrong", "new_password": "short", "confirm_password": "other"},
    ).get_data(as_text=True)
    assert "Enter the same new password twice" in page
    page = submit(
        client,
        "/account/password",
        {
            "current_password": "wrong",
            "new_password": "long enough pw",
            "confirm_password": "long enough pw",
        },
    ).get_data(as_text=True)
    assert "Enter your current password correctly" in page


def test_authenticate_records_the_sign_in_time(app_ctx, make_user):
    user = make_user()
    signed_in = authenticate(user.email, PASSWORD)
    assert signed_in is not None and signed_in.last_sign_in_at is not None
    assert authenticate(user.email, "wrong") is None
    assert authenticate("nobody@example.com", PASSWORD) is None


def test_change_password_rules(app_ctx, make_user):
    user = db.session.get(User, make_user().id)
    with pytest.raises(AccountError) as error:
        change_password(user, current_password=PASSWORD, new_password="short")
    assert error.value.field == "new_password"
    with pytest.raises(AccountError):
        change_password(user, current_password=PASSWORD, new_password=user.email.upper())
    old_token = user.session_token
    change_password(user, current_password=PASSWORD, new_password="long enough password")
    assert user.session_token != old_token


def test_sign_in_is_audited(client, app, make_user):
    user = make_user()
    sign_in(client, user.email)
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "sign_in"))
        assert entry.actor_id == user.id
