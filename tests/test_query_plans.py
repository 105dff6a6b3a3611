"""Every filter and sort of the ledger is served by an index: SQLite's plan for each never
reads the whole items table (`SCAN followup_item` without an index).

At a province's 200,000 items a full scan is the difference between a page in a millisecond
and one in a second (issue 14); the plans do not depend on how many rows the test has.
"""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup import ledger
from talentday.followup.definitions import LEDGER_FIGURES
from talentday.followup.models import ItemState
from tests import factories

TODAY = date(2026, 11, 27)

# Each filter the ledger offers (and each drill-down of the dashboard), as URL arguments.
FILTERS = {
    "none": {},
    "event": {"event": "1"},
    "category": {"category": "1"},
    "unit": {"unit": "1"},
    "unit as lead": {"unit": "1", "role": "lead"},
    "unit as co-handler": {"unit": "1", "role": "co"},
    "not closed": {"state": "open"},
    **{f"state {state.value}": {"state": state.value} for state in ItemState},
    "overdue": {"overdue": "1"},
    **{f"figure {key}": {"figure": key} for key in sorted(LEDGER_FIGURES)},
    "returned by": {"returned_by": "1"},
    "raised in a period": {"raised_from": "2026-01-01", "raised_to": "2026-06-30"},
    "due in a period": {"due_from": "2026-01-01", "due_to": "2026-06-30"},
    "lead unit, overdue": {"unit": "1", "role": "lead", "overdue": "1"},
    "event, not closed": {"event": "1", "state": "open"},
}
# Text search looks for a substring of the suggestion, the result and the speaker's name:
# no B-tree index serves `LIKE '%...%'`; its page reads the sort order's index, and its count
# stops at ledger.COUNT_CAP matches.
SEARCH = {"q": "apartment"}

FULL_SCAN = re.compile(r"\bSCAN (followup_item\w*)(?! USING)")
SORTED_APART = "USE TEMP B-TREE FOR ORDER BY"


pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def users(app_ctx):
    unit = factories.unit()
    item = factories.item(state=ItemState.ASSIGNED, lead_unit=unit)
    item.co_units.append(factories.unit())
    db.session.flush()
    organizer = User(email="o@example.com", name="O", role=Role.ORGANIZER, password_hash="x")
    staff = User(
        email="s@example.com", name="S", role=Role.DEPARTMENT_STAFF, unit=unit, password_hash="x"
    )
    db.session.add_all([organizer, staff])
    db.session.flush()
    return {"organizer": organizer, "staff": staff}


def plans_of(call) -> list[tuple[str, list[str]]]:
    """The SQL statements `call` runs, each with SQLite's plan for it."""
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    connection = db.session.connection()
    return [
        (
            statement,
            [
                row[3]
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ],
        )
        for statement, parameters in statements
    ]


def full_scans(call) -> list[str]:
    return [
        f"{' / '.join(plan)}\n    in: {statement}"
        for statement, plan in plans_of(call)
        if any(FULL_SCAN.search(line) for line in plan)
    ]


@pytest.mark.parametrize("who", ["organizer", "staff"])
@pytest.mark.parametrize("sort", list(ledger.SORT_KEYS))
def test_every_ledger_filter_and_sort_is_served_by_an_index(users, who, sort):
    scans = {}
    for name, args in FILTERS.items():
        filters = ledger.Filters.from_args({**args, "sort": sort})
        assert filters.sort == sort
        for number in (1, 3):
            found = full_scans(lambda: ledger.page(users[who], filters, TODAY, number))  # noqa: B023
            if found:
                scans[f"{name}, page {number}"] = found
    assert not scans, "\n".join(f"{name}:\n  " + "\n  ".join(s) for name, s in scans.items())


# Broad filters and the orders their pages are read in: every order for the whole ledger and
# the drill-downs; for one state (half the items may be closed), the default order and those
# of its own index. A filter on one event, unit or category sorts the few items it selects.
IN_ORDER = [
    *[(name, sort) for name in ("none", "not closed", "figure rated") for sort in ledger.SORT_KEYS],
    *[("state closed", sort) for sort in ("due", "state", "number")],
]


@pytest.mark.parametrize(("name", "sort"), IN_ORDER)
def test_a_page_of_many_items_is_read_in_order_not_sorted(users, name, sort):
    """The organizer's ledger, whole or broadly filtered: its sort order's index gives the
    page's 25 items in order; nothing sorts every matching item to show 25."""
    filters = ledger.Filters.from_args({**FILTERS[name], "sort": sort})
    page_query = ledger.statement(users["organizer"], filters, TODAY).limit(25)
    plan = plans_of(lambda: db.session.scalars(page_query).all())[0][1]  # the items, not co-units
    assert SORTED_APART not in plan, plan


@pytest.mark.parametrize("sort", list(ledger.SORT_KEYS))
def test_a_text_search_reads_the_items_in_the_sort_orders_index(users, sort):
    filters = ledger.Filters.from_args({**SEARCH, "sort": sort})
    page_query = ledger.statement(users["organizer"], filters, TODAY).limit(25)
    plan = plans_of(lambda: db.session.scalars(page_query).all())[0][1]  # the items, not co-units
    assert not any(FULL_SCAN.search(line) for line in plan), plan


def test_the_plan_test_notices_a_full_scan(users):
    """The check above can fail: an unindexed filter is reported."""
    unindexed = sa.select(factories.FollowUpItem).where(factories.FollowUpItem.instructions == "x")
    assert full_scans(lambda: db.session.scalars(unindexed).all())


def test_the_indexes_on_expressions_exist(users):
    """SQLAlchemy cannot reflect SQLite's indexes on expressions, so the migrations check
    leaves them out: a later migration that rebuilt the items table would drop them unseen."""
    names = set(
        db.session.scalars(
            sa.text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :table"),
            {"table": "followup_item"},
        )
    )
    declared = {index.name for index in db.metadata.tables["followup_item"].indexes}
    assert declared <= names, declared - names
