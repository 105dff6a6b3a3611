"""Finding 11: common and context-specific passwords are refused wherever one is set."""

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.auth.services import AccountError, check_new_password
from talentday.extensions import db
from tests.conftest import PASSWORD, sign_in, submit

COMMON = ["password12", "1234567890", "qwertyuiop", "Password123!", "P@ssw0rd2024", "iloveyou12"]


@pytest.mark.parametrize("password", COMMON)
def test_common_passwords_are_refused(app_ctx, password):
    with pytest.raises(AccountError) as error:
        check_new_password(password)
    assert "too easy to guess" in str(error.value.message)
    assert error.value.field == "password"


@pytest.mark.parametrize(
    "password",
    [
        "talentday2026",
        "TalentDay!123",
        "Huaian2026!",
        "huaian-talent",
        "liu.na2026",
        "zhanglihua88",
    ],
)
def test_passwords_made_of_the_person_the_service_or_the_city_are_refused(app_ctx, password):
    with pytest.raises(AccountError) as error:
        check_new_password(password, email="liu.na@example.com", name="Zhang Lihua")
    assert "your name, your email address" in str(error.value.message)


def test_the_context_words_are_configurable(app_ctx):
    check_new_password("qingjiangpu88")
    app_ctx.config["PASSWORD_CONTEXT_WORDS"] = ["qingjiangpu"]
    with pytest.raises(AccountError):
        check_new_password("qingjiangpu88")


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        "salon-demo-2026",
        "我们在淮安的人才沙龙上讨论了人才公寓",
        "the talentday salon in spring was worth the long drive",  # a context word in a phrase
        "x7 Ω ☃ 🙂 tab\there and \"quotes\" and 'more' !@#$%^&*()_+",
        " ".join(["correct", "horse", "battery", "staple"] * 5)[:128],
    ],
)
def test_long_passphrases_with_any_characters_are_accepted(app_ctx, password):
    check_new_password(password, email="liu.na@example.com", name="Zhang Lihua")


def test_the_length_limits(app_ctx):
    with pytest.raises(AccountError, match="at least 10"):
        check_new_password("Zq8#vL2!p")
    check_new_password("a b c d e f g h i j k l m n o p q r s t u v w x y z " * 2)  # 104
    with pytest.raises(AccountError, match="at most 128"):
        check_new_password("x7 Ω unrelated words " * 10)


def test_the_admin_form_shows_the_refusal_by_the_field(app, client, make_user):
    admin = make_user(Role.ADMIN)
    sign_in(client, admin.email)
    values = {"name": "Qian Lei", "email": "qian.lei@example.com", "role": "organizer"}
    page = submit(client, "/admin/users/new", {**values, "password": "password12"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="#password">This password is too easy to guess' in html
    assert 'value="Qian Lei"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_changing_ones_own_password_refuses_a_common_one(app, client, make_user):
    user = make_user()
    sign_in(client, user.email)
    weak = "1234567890"
    page = submit(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": weak, "confirm_password": weak},
    )
    assert page.status_code == 200
    assert 'href="#new_password">This password is too easy to guess' in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).check_password(PASSWORD)


def test_create_user_refuses_a_common_password(app, runner):
    result = runner.invoke(
        args=["create-user", "--email", "a@example.com", "--name", "A", "--password", "password12"]
    )
    assert result.exit_code != 0
    assert "too easy to guess" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
