"""Every audited change is logged by the service that makes it (issue 9): a command, an
import or the future API leaves the same entry as the page, with no HTTP involved."""

import pytest

from talentday.audit.models import AuditEntry
from talentday.auth import services as auth_services
from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup.services import save_category
from talentday.outbox.services import queue_message, read_message
from talentday.units.models import UnitKind
from talentday.units.services import save_unit
from tests import factories
from tests.conftest import PASSWORD


@pytest.fixture
def admin(app_ctx, make_user):
    return db.session.get(User, make_user(Role.ADMIN).id)


def last_entry() -> AuditEntry:
    db.session.flush()
    return db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()


def test_creating_and_changing_an_account_is_logged_by_the_services(admin):
    user = auth_services.create_user(
        email="new@example.com",
        name="New Organizer",
        password="a long enough passphrase",
        role=Role.ORGANIZER,
        by=admin,
    )
    entry = last_entry()
    assert (entry.action, entry.actor_id, entry.target_id) == ("user_created", admin.id, user.id)
    assert entry.details == {"role": "organizer"}

    auth_services.update_user(
        user, by=admin, email=user.email, name=user.name, role=Role.LEADER, unit=None,
        active=False,
    )  # fmt: skip
    entry = last_entry()
    assert (entry.action, entry.actor_id, entry.target_id) == ("user_updated", admin.id, user.id)
    assert entry.details == {"role": "leader", "active": False}


def test_an_account_made_on_the_command_line_is_logged_without_an_actor(app, runner):
    result = runner.invoke(
        args=["create-user", "--email", "first@example.com", "--name", "First Admin",
              "--role", "admin", "--password", "a long enough passphrase"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with app.app_context():
        entry = last_entry()
        assert (entry.action, entry.actor_id) == ("user_created", None)
        assert db.session.get(User, entry.target_id).email == "first@example.com"


def test_signing_in_and_changing_ones_password_are_logged_by_the_services(app_ctx, make_user):
    user = db.session.get(User, make_user(Role.LEADER).id)
    auth_services.sign_in_user(user, remote_addr="192.0.2.7")
    entry = last_entry()
    assert (entry.action, entry.actor_id, entry.remote_addr) == ("sign_in", user.id, "192.0.2.7")

    auth_services.change_password(
        user, current_password=PASSWORD, new_password="another long passphrase"
    )
    entry = last_entry()
    assert (entry.action, entry.actor_id, entry.target_id) == ("password_changed", user.id, user.id)


def test_units_and_categories_saved_through_the_services_are_logged(admin):
    unit = save_unit(None, name="Talent Bureau", kind=UnitKind.MUNICIPAL_DEPARTMENT, by=admin)
    entry = last_entry()
    assert (entry.action, entry.actor_id, entry.target_type, entry.target_id) == (
        "unit_saved", admin.id, "ResponsibleUnit", unit.id,
    )  # fmt: skip
    category = save_category(
        None, code="housing", name="Housing", name_zh=None, position=1, active=False, by=admin
    )
    entry = last_entry()
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "category_saved", admin.id, category.id,
    )  # fmt: skip
    assert entry.details == {"active": False}


def test_reading_an_outbox_message_is_logged_by_the_service(app_ctx, make_user):
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    registration = factories.registration()
    message = queue_message(
        kind="received", to_email="someone@example.com", to_name="Someone", locale="en",
        template="registration_received", subject="Hello", event=registration.event,
        registration=registration, link="http://localhost/r/abc",
    )  # fmt: skip
    read_message(message, by=organizer, remote_addr="192.0.2.8")
    entry = last_entry()
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "outbox_message_viewed", organizer.id, message.id,
    )  # fmt: skip
