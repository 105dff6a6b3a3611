import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.demo.data import DEMO_PASSWORD
from talentday.events.models import Event, EventState
from talentday.extensions import db
from talentday.followup.models import Category, FollowUpItem, ItemState, TimelineEntry
from talentday.models import AuditEntry
from talentday.registrations.models import Registration, RegistrationState, Speaker
from talentday.units.models import ResponsibleUnit
from tests.conftest import sign_in

COUNTED = [
    User,
    ResponsibleUnit,
    Category,
    Event,
    Speaker,
    Registration,
    FollowUpItem,
    TimelineEntry,
]


def row_counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in [*COUNTED, AuditEntry]
    }


def test_demo_loads_the_24th_salon_from_the_article(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Loaded the demo" in result.output
    assert f"password for all: {DEMO_PASSWORD}" in result.output
    with app.app_context():
        salon = db.session.scalar(sa.select(Event).where(Event.edition == 24))
        assert salon.title.startswith("24th Party-Government Pro-Business Meeting")
        assert "integration of industry and talent" in salon.theme
        assert salon.state is EventState.HELD
        assert salon.presiding_official.startswith("Sun Hu")
        assert "Chen Zhichang" in salon.attending_leaders
        assert {"Xu Lihua", "Wang Xianghong", "Xiao Tianfeng", "Zhang Huiyang"} <= set(
            salon.attending_leaders_list
        )
        approved = db.session.scalars(
            sa.select(Registration).where(
                Registration.event_id == salon.id,
                Registration.state == RegistrationState.APPROVED,
            )
        ).all()
        assert len(approved) == 12 == salon.speaking_slots
        names = {registration.speaker.name for registration in approved}
        assert {"Wang Hongyang", "Gao Lizhi", "Zhang Dabing", "Li Meisheng"} <= names
        assert sorted(r.speaking_order for r in approved) == list(range(1, 13))

        assert db.session.scalar(sa.select(sa.func.count()).select_from(ResponsibleUnit)) >= 10
        categories = {c.name for c in db.session.scalars(sa.select(Category))}
        assert {
            "Talent cultivation",
            "Talent ecosystem building",
            "Talent introduction policy",
            "Talent apartments",
            "Enterprise intelligent and digital transformation",
            "Other",
        } == categories
        roles = {user.role for user in db.session.scalars(sa.select(User))}
        assert roles == set(Role)

        items = db.session.scalars(sa.select(FollowUpItem)).all()
        states = {item.state for item in items}
        assert states == set(ItemState), "the demo shows an item in every state"
        for item in items:
            timeline = db.session.scalars(
                sa.select(TimelineEntry)
                .where(TimelineEntry.item_id == item.id, TimelineEntry.to_state.is_not(None))
                .order_by(TimelineEntry.at)
            ).all()
            assert timeline[-1].to_state is item.state, "the timeline ends in the item's state"


def test_demo_twice_changes_nothing(app, runner):
    runner.invoke(args=["demo"])
    with app.app_context():
        before = row_counts()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0
    assert "already loaded" in result.output
    with app.app_context():
        assert row_counts() == before


def test_demo_accounts_sign_in(app, runner):
    runner.invoke(args=["demo"])
    for email in (
        "organizer@example.com",
        "hrss@example.com",
        "leader@example.com",
        "admin@example.com",
    ):
        assert sign_in(app.test_client(), email, DEMO_PASSWORD).status_code == 302


# --- Finding 16: the demo never lands on a database that holds real data ----------------


def _add_real_account(app):
    with app.app_context():
        from talentday.auth.services import create_user

        create_user(
            email="chief@city.example",
            name="Real Admin",
            password="a real long passphrase",
            role=Role.ADMIN,
        )
        db.session.commit()


def _add_real_event(app):
    from tests import factories

    with app.app_context():
        factories.event(title="The city's real salon")
        db.session.commit()


def _add_real_speaker(app):
    from tests import factories

    with app.app_context():
        factories.speaker(name="A real talent", email="talent@city.example")
        db.session.commit()


REAL_DATA = {"account": _add_real_account, "event": _add_real_event, "speaker": _add_real_speaker}


def demo_accounts(app) -> set[str]:
    with app.app_context():
        return set(
            db.session.scalars(sa.select(User.email).where(User.email.like("%@example.com")))
        )


@pytest.mark.parametrize("kind", REAL_DATA)
def test_demo_refuses_a_database_with_real_data(app, runner, kind):
    REAL_DATA[kind](app)
    with app.app_context():
        before = row_counts()

    result = runner.invoke(args=["demo"])

    assert result.exit_code != 0
    assert "real data" in result.output
    assert DEMO_PASSWORD not in result.output
    with app.app_context():
        assert row_counts() == before, "nothing of the demo was written"


def test_demo_refuses_once_real_data_joins_a_demo_database(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    _add_real_account(app)

    result = runner.invoke(args=["demo"])

    assert result.exit_code != 0
    assert "real data" in result.output


@pytest.mark.parametrize("kind", REAL_DATA)
def test_demo_skip_option_leaves_real_data_alone_and_succeeds(app, runner, kind):
    """`make run` passes --skip-if-real-data so that it still starts on a real database."""
    REAL_DATA[kind](app)
    with app.app_context():
        before = row_counts()

    result = runner.invoke(args=["demo", "--skip-if-real-data"])

    assert result.exit_code == 0, result.output
    assert "not loaded" in result.output
    assert DEMO_PASSWORD not in result.output
    with app.app_context():
        assert row_counts() == before


def test_demo_skip_option_loads_a_fresh_database_and_a_second_time_changes_nothing(app, runner):
    first = runner.invoke(args=["demo", "--skip-if-real-data"])
    assert first.exit_code == 0, first.output
    assert "Loaded the demo" in first.output
    with app.app_context():
        before = row_counts()
    second = runner.invoke(args=["demo", "--skip-if-real-data"])
    assert second.exit_code == 0, second.output
    assert "already loaded" in second.output
    with app.app_context():
        assert row_counts() == before


def test_demo_shows_an_extension_granted_and_one_refused(app, runner):
    from talentday.followup.models import TimelineKind

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        kinds = db.session.scalars(
            sa.select(TimelineEntry.kind).where(
                TimelineEntry.kind.in_(
                    (TimelineKind.EXTENSION_GRANTED, TimelineKind.EXTENSION_REFUSED)
                )
            )
        ).all()
        assert sorted(kinds, key=str) == [
            TimelineKind.EXTENSION_GRANTED,
            TimelineKind.EXTENSION_REFUSED,
        ]
        extended = db.session.scalars(
            sa.select(FollowUpItem).where(FollowUpItem.extensions_granted > 0)
        ).one()
        assert extended.days_extended == 20 and extended.due_on.isoformat() == "2026-12-20"
    client = app.test_client()
    sign_in(client, "leader@example.com", DEMO_PASSWORD)
    page = client.get(f"/followup/items/{extended.id}").get_data(as_text=True)
    assert "2026-11-30" in page and "2026-12-20" in page  # the due date before, on the timeline


def test_demo_shows_a_countersign_waiting(app, runner):
    from talentday.followup import countersigning

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        waiting = [
            (item.id, [unit.name for unit in countersigning.opinions_missing(item)])
            for item in db.session.scalars(sa.select(FollowUpItem))
            if item.state is ItemState.IN_PROGRESS and item.co_units
        ]
        given = dict(waiting)
        assert any(names == ["Huaiyin Institute of Technology"] for names in given.values())


def test_demo_shows_a_key_item_gone_overdue_and_the_contact_record(app, runner):
    from talentday.followup.reminders import remind
    from talentday.i18n import city_today

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        key = db.session.scalars(sa.select(FollowUpItem).where(FollowUpItem.key_at.is_not(None)))
        (key,) = key.all()
        assert "Talent apartments" in key.category.name or "apartments" in key.content
        assert key.is_overdue(city_today()) and "report to me weekly" in key.key_instruction
        contacted = db.session.scalars(
            sa.select(FollowUpItem).where(FollowUpItem.contacted_on.is_not(None))
        ).all()
        assert len(contacted) == 2
        assert all(item.resolved_at or item.closed_at for item in contacted)
        run = remind(city_today())  # the first daily run tells the leader and the organizer
        key_id = key.id
        assert run.escalated == [key_id] and run.escalations >= 2
        db.session.rollback()
    client = app.test_client()
    sign_in(client, "leader@example.com", DEMO_PASSWORD)
    page = client.get(f"/followup/items/{key_id}").get_data(as_text=True)
    assert "report to me weekly" in page and "Give a new instruction" in page
