"""`flask bench-data`: the made-up province that `make bench` measures with. At a small scale
its counts are what the scale says, every item's life follows the table of moves with its
columns agreeing with its timeline, and the figures counted in SQL agree with a count made
in Python item by item (the oracle of test_figures_agree)."""

from collections import Counter, defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.benchdata import BENCH_PASSWORD, sizes
from talentday.dashboard import metrics
from talentday.events.models import Event
from talentday.extensions import db
from talentday.followup.definitions import FIGURES
from talentday.followup.models import (
    ITEM_TRANSITIONS,
    FollowUpItem,
    ItemState,
    TimelineEntry,
    TimelineKind,
    followup_item_co_unit,
)
from talentday.i18n import city_today
from talentday.registrations.models import Registration, Speaker
from talentday.units.models import ResponsibleUnit
from tests.conftest import sign_in
from tests.test_figures_agree import oracle

SCALE = "0.001"


@pytest.fixture
def bench_world(app, runner):
    result = runner.invoke(args=["bench-data", "--scale", SCALE, "--seed", "7"])
    assert result.exit_code == 0, result.output
    return result.output


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_counts_are_those_of_the_scale(app, bench_world):
    wanted = sizes(float(SCALE))
    assert BENCH_PASSWORD in bench_world
    with app.app_context():
        assert count(FollowUpItem) == wanted["items"]
        assert count(Event) == wanted["events"]
        assert count(Speaker) == wanted["speakers"]
        assert count(ResponsibleUnit) == wanted["units"]
        assert count(Registration) > wanted["events"] * 8
        assert count(TimelineEntry) > 4 * wanted["items"]
        assert count(followup_item_co_unit) > 0
        states = dict(
            db.session.execute(
                sa.select(FollowUpItem.state, sa.func.count()).group_by(FollowUpItem.state)
            ).all()
        )
        assert set(states) == set(ItemState), "an item in every state"
        roles = {user.role for user in db.session.scalars(sa.select(User))}
        assert roles == set(Role)
        assert db.session.scalar(
            sa.select(sa.func.count()).where(FollowUpItem.merged_into_id.is_not(None))
        )
        assert db.session.scalar(
            sa.select(sa.func.count()).where(FollowUpItem.satisfaction.is_not(None))
        )
        # The busiest unit leads more items than any other, and its staff can sign in.
        (busiest,) = db.session.execute(
            sa.select(FollowUpItem.lead_unit_id, sa.func.count())
            .group_by(FollowUpItem.lead_unit_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        ).one()[:1]
        staff = db.session.scalar(
            sa.select(User).where(User.email == "staff-busiest@bench.example")
        )
        assert staff.unit_id == busiest
    client = app.test_client()
    response = sign_in(client, "staff-busiest@bench.example", BENCH_PASSWORD)
    assert response.status_code == 302
    assert client.get("/home").status_code == 200


def test_every_timeline_is_a_life_the_rules_allow(app, bench_world):
    with app.app_context():
        zone = ZoneInfo(app.config["TIMEZONE"])
        today = city_today()
        items = {item.id: item for item in db.session.scalars(sa.select(FollowUpItem))}
        follow_up = dict(db.session.execute(sa.select(Event.id, Event.follow_up_days)).all())
        co_units = defaultdict(set)
        for item_id, unit_id in db.session.execute(sa.select(followup_item_co_unit)):
            co_units[item_id].add(unit_id)
        timelines = defaultdict(list)
        for entry in db.session.scalars(sa.select(TimelineEntry).order_by(TimelineEntry.id)):
            timelines[entry.item_id].append(entry)
        overdue = 0
        for item in items.values():
            entries = timelines[item.id]
            assert entries[0].kind is TimelineKind.CREATED
            assert entries[0].to_state is ItemState.NEW
            assert [e.at for e in entries] == sorted(e.at for e in entries), item.id
            assert entries[0].at >= item.created_at
            assert item.updated_at == entries[-1].at
            state = None
            for entry in entries:
                if entry.to_state is None:
                    assert entry.from_state is None
                    continue
                if state is not None:
                    assert entry.from_state is state, (item.id, entry.kind)
                    assert entry.to_state in ITEM_TRANSITIONS[state], (item.id, entry.kind)
                state = entry.to_state
            assert item.state is state, item.id
            last = {entry.kind: entry for entry in entries}
            if item.state is ItemState.NEW:
                assert item.lead_unit_id is None and item.due_on is None
            else:
                assigned = last[TimelineKind.ASSIGNED]
                assert item.assigned_at == assigned.at
                days = follow_up[item.event_id]
                assert item.due_on == assigned.at.astimezone(zone).date() + timedelta(days=days)
                assert item.lead_unit_id not in co_units[item.id]
            if item.state in (ItemState.RESOLVED, ItemState.CLOSED):
                assert item.resolved_at == last[TimelineKind.RESULT].at
                assert last[TimelineKind.RESULT].unit_id == item.lead_unit_id
                assert item.result
            else:
                assert item.resolved_at is None and not item.result
            if item.state is ItemState.CLOSED:
                assert item.closed_at == last[TimelineKind.CLOSED].at
            else:
                assert item.closed_at is None
            if item.satisfaction is not None:
                assert TimelineKind.RATED in last and item.speaker_id is not None
            if item.merged_into_id is not None:
                target = items[item.merged_into_id]
                assert item.state is ItemState.NEW
                assert target.merged_into_id is None and target.event_id == item.event_id
                merged_from = [(e.details or {}).get("merged_from") for e in timelines[target.id]]
                assert item.id in merged_from
            overdue += item.is_overdue(today)
        assert overdue, "some items are overdue"


def test_the_figures_in_sql_agree_with_a_count_of_the_items(app, bench_world):
    with app.app_context():
        today = city_today()
        expected = oracle(today)
        # Every item figure of the registry, over all the counted items.
        keys = [key for key, figure in FIGURES.items() if figure.counts_items]
        (every,) = metrics.count(keys, metrics.Scope().items(), today)
        for key in keys:
            assert every[key] == pytest.approx(expected[None][key]), key
        head = metrics.headline(metrics.Scope(), today)
        for key in metrics.HEADLINE:
            assert head[key] == expected[None][key], key
        breakdowns = [
            (f"event-{row.key.id}", row) for row in metrics.by_event(metrics.Scope(), today)
        ]
        breakdowns += [
            (f"category-{row.key.id}", row) for row in metrics.by_category(metrics.Scope(), today)
        ]
        assert len(breakdowns) > 5
        for name, row in breakdowns:
            for key in metrics.BREAKDOWN:
                assert row[key] == expected[name][key], (name, key)
        rows = metrics.units(metrics.Scope(), today)
        checked = Counter()
        for row in rows:
            for key in ("as_lead", "as_co", "returned", "closed", "overdue", "on_time",
                        "judged", "rated", "satisfied"):  # fmt: skip
                assert row[key] == expected[f"unit-{row.unit.id}"][key], (row.unit.id, key)
                checked[key] += row[key]
        # Every figure counts something at this scale: none is checked only as zero.
        assert all(checked[key] for key in ("as_lead", "as_co", "closed", "overdue", "rated"))
        assert head["to_reassign"] and head["on_time"] < head["judged"]


def test_it_refuses_a_database_with_events_unless_forced(app, runner, bench_world):
    again = runner.invoke(args=["bench-data", "--scale", SCALE])
    assert again.exit_code != 0
    assert "already holds" in again.output
    with app.app_context():
        before = count(FollowUpItem)
    forced = runner.invoke(args=["bench-data", "--scale", SCALE, "--seed", "8", "--force"])
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        assert count(FollowUpItem) == 2 * before
        # The accounts are the same ones, not a second set.
        assert count(User) == sizes(float(SCALE))["units"] + 8
