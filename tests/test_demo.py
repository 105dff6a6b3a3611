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
