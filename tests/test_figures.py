"""The definitions that figures are built on (issue 9): a returned item is nobody's overdue
item, a result that was sent back no longer counts, and no item is on time and overdue at once."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.dashboard import metrics
from talentday.extensions import db
from talentday.followup import definitions, services
from talentday.followup.models import FollowUpItem, ItemState, TimelineEntry, TimelineKind
from talentday.i18n import city_today
from tests import factories


def _count(*clauses) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpItem).where(*clauses))


def test_a_returned_item_past_its_due_date_is_nobodys_overdue_item(app_ctx):
    today = city_today()
    unit = factories.unit(name="Housing Bureau")
    item = factories.item(
        state=ItemState.RETURNED, lead_unit=unit, due_on=today - timedelta(days=3)
    )
    db.session.add(TimelineEntry(item=item, kind=TimelineKind.RETURNED, unit=unit, note="Not ours"))
    db.session.flush()
    assert not item.is_overdue(today)
    assert _count(definitions.overdue(today)) == 0
    (row,) = metrics.units(metrics.Scope(), today)
    assert (row.returned, row.overdue, row.as_lead) == (1, 0, 0)


def test_a_result_sent_back_no_longer_counts_on_time(app_ctx, make_user):
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    today = city_today()
    item = factories.item(
        state=ItemState.RESOLVED,
        lead_unit=factories.unit(),
        due_on=today - timedelta(days=2),
        resolved_at=datetime.now(UTC) - timedelta(days=5),
        result="Flats open in March.",
    )
    assert _count(definitions.on_time()) == 1
    services.reopen(item, reason="March has passed and nothing opened.", by=organizer)
    db.session.flush()
    assert item.resolved_at is None
    assert _count(definitions.on_time()) == 0 and _count(definitions.has_result()) == 0
    assert _count(definitions.overdue(today)) == 1, "open again, and past its due date"
    results = db.session.scalars(
        sa.select(TimelineEntry.note).where(TimelineEntry.kind == TimelineKind.REOPENED)
    ).all()
    assert results == ["March has passed and nothing opened."]


def _generated_items(today: date, count: int = 120) -> None:
    """Items in every state with due dates and results scattered around today."""
    chance = random.Random(20261127)
    units = [factories.unit() for _ in range(4)]
    for number in range(count):
        state = chance.choice(list(ItemState))
        values = {"state": state, "content": f"generated {number}"}
        if state is not ItemState.NEW:
            values["lead_unit"] = chance.choice(units)
            values["due_on"] = today + timedelta(days=chance.randint(-20, 20))
        if state in (ItemState.RESOLVED, ItemState.CLOSED):
            values["resolved_at"] = datetime.now(UTC) + timedelta(days=chance.randint(-30, 0))
        factories.item(**values)
    db.session.flush()


def test_no_item_is_counted_on_time_and_overdue_at_once(app_ctx):
    from talentday.demo.services import load_demo

    load_demo()
    today = city_today()
    _generated_items(today)
    for day in (today, today + timedelta(days=60), date(2026, 9, 1)):
        assert _count(definitions.on_time(), definitions.overdue(day)) == 0, day
        items = db.session.scalars(sa.select(FollowUpItem)).all()
        overdue_ids = set(
            db.session.scalars(sa.select(FollowUpItem.id).where(definitions.overdue(day)))
        )
        assert {i.id for i in items if i.is_overdue(day)} == overdue_ids, "SQL and Python agree"


def test_the_organizers_desk_counts_a_merged_pair_once_as_the_dashboard_does(app_ctx, make_user):
    from talentday.main.services import organizer_overview

    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    event = factories.event()
    first, second = factories.item(event=event), factories.item(event=event)
    services.merge(second, into=first, by=organizer)
    db.session.flush()
    (row,) = organizer_overview(city_today())
    headline = metrics.headline(metrics.Scope(event_id=event.id), city_today())
    assert (row.figures.suggestions, row.figures.open) == (1, 1) == (headline.suggestions, 1)


def test_only_items_a_unit_owes_show_a_countdown_to_their_due_date(app_ctx):
    owed = {state: factories.item(state=state).waits_on_a_unit for state in ItemState}
    assert {state for state, waits in owed.items() if waits} == {
        ItemState.ASSIGNED,
        ItemState.ACCEPTED,
        ItemState.IN_PROGRESS,
        ItemState.REOPENED,
    }


def test_a_figure_not_counted_is_an_error_not_a_zero(app_ctx):
    figures = definitions.Counts({"overdue": 2, "judged": 4, "on_time": 1})
    assert (figures.overdue, figures["on_time_rate"]) == (2, 0.25)
    with pytest.raises(KeyError):
        figures["closed"]  # the query did not count it
    with pytest.raises(KeyError):
        figures["overdue_ratio"]  # the registry does not know it
    with pytest.raises(KeyError):
        definitions.Counts().update({"late": 1})


def test_the_ledger_says_which_figure_it_shows_and_keeps_it_when_filtered(client, make_user):
    from tests.conftest import sign_in

    sign_in(client, make_user(Role.LEADER).email)
    page = client.get("/followup/?figure=on_time").get_data(as_text=True)
    assert "Showing the items counted as “On time”" in page
    assert '<input type="hidden" name="figure" value="on_time">' in page
    assert 'href="/followup/"' in page.split("Showing the items counted as")[1][:400]
    page = client.get("/followup/?figure=nonsense").get_data(as_text=True)
    assert "Showing the items counted as" not in page
