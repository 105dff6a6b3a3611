import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.extensions import db


def test_create_user_makes_the_first_admin(app, runner):
    result = runner.invoke(
        args=["create-user", "--email", "Keeper@Example.com", "--name", "System Keeper"],
        input="a long admin password\na long admin password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin account keeper@example.com" in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.role is Role.ADMIN and user.check_password("a long admin password")


def test_create_user_refuses_a_short_password_and_changes_nothing(app, runner):
    result = runner.invoke(
        args=["create-user", "--email", "a@example.com", "--name", "A", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_create_user_for_a_unit(app, runner, make_unit):
    unit = make_unit(name="Education Bureau")
    result = runner.invoke(
        args=[
            "create-user", "--email", "edu@example.com", "--name", "Edu Staff",
            "--role", "department_staff", "--unit", "Education Bureau",
            "--password", "education-2026",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User)).unit_id == unit.id
    missing = runner.invoke(
        args=[
            "create-user", "--email", "x@example.com", "--name", "X",
            "--role", "department_staff", "--unit", "No Such Bureau",
            "--password", "education-2026",
        ]
    )  # fmt: skip
    assert missing.exit_code != 0 and "No responsible unit is named" in missing.output
