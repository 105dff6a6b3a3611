"""Query budgets: every list, desk, ledger, dashboard, unit card, programme, review queue,
outbox and audit log costs the same number of SQL statements with 5 rows as with 500.

A page whose count grows with its rows (one query per row: a lazy load in a loop) is the
first thing to fall over at a province's scale (issue 14). The pages are read as each kind of
user reads them, with a world of n rows of everything; then the world grows to 500 rows
(enough to span every paginated list's pages) and each page must cost the same again. The
budgets are not written down: the test compares the page with itself.
"""

import re
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
import sqlalchemy as sa

from talentday.api import tokens as api_tokens
from talentday.audit.models import AuditEntry
from talentday.auth import services as auth_services
from talentday.auth.models import Role, User
from talentday.events.models import Event, EventState
from talentday.extensions import db
from talentday.followup import ledger
from talentday.followup.models import ItemState, Satisfaction, TimelineEntry, TimelineKind
from talentday.i18n import city_today
from talentday.outbox.models import OutboxMessage
from talentday.registrations.models import RegistrationState
from tests import factories
from tests.conftest import sign_in
from tests.test_query_plans import FILTERS

# Eight rows: one item in each state, so that every filter has a row to show.
FEW, SPAN, MANY = 8, 120, 500
STATES = [
    ItemState.NEW,
    ItemState.ASSIGNED,
    ItemState.ACCEPTED,
    ItemState.IN_PROGRESS,
    ItemState.RETURNED,
    ItemState.RESOLVED,
    ItemState.CLOSED,
    ItemState.REOPENED,
]


def due_on(state: ItemState, number: int, today: date) -> date | None:
    """Items waiting on a unit are due from 20 days ago to 19 days ahead; answered ones came
    in on time (the on-time drill-down has rows)."""
    if state is ItemState.NEW:
        return None
    if state in (ItemState.RESOLVED, ItemState.CLOSED):
        return today + timedelta(days=10)
    return today + timedelta(days=number % 40 - 20)


class World:
    """n rows of everything a page lists, grown in place: `grow(500)` adds what is missing.
    One event, one unit and one speaker collect rows so that their own pages grow too."""

    def __init__(self, app, make_user):
        self.app = app
        self.sequence = count(1)
        self.n = 0
        with app.app_context():
            self.unit = factories.unit(name="Busy bureau")
            self.partner = factories.unit(name="Partner bureau")
            now = datetime.now(UTC)
            self.event = factories.event(
                title="The big salon",
                state=EventState.PUBLISHED,
                starts_at=now + timedelta(days=30),
                ends_at=now + timedelta(days=30, hours=3),
                speaking_slots=1000,
            )
            self.category = factories.category()
            db.session.commit()
            self.unit_id, self.event_id = self.unit.id, self.event.id
            self.partner_id, self.category_id = self.partner.id, self.category.id
        self.clients = {}
        self.api_tokens = {}
        for role in (Role.ORGANIZER, Role.LEADER, Role.DEPARTMENT_STAFF, Role.ADMIN):
            client = app.test_client()
            extra = {"unit_id": self.unit_id} if role is Role.DEPARTMENT_STAFF else {}
            user = make_user(role, **extra)
            sign_in(client, user.email)
            self.clients[role] = client
            with app.app_context():
                self.api_tokens[role] = api_tokens.create(
                    db.session.get(User, user.id), name="budget", can_write=False
                )
                db.session.commit()
            # A token's first use notes its last-used time (then once a minute): not a cost
            # of the rows.
            headers = {"Authorization": f"Bearer {self.api_tokens[role]}"}
            assert app.test_client().get("/api/v1/items", headers=headers).status_code == 200
        self.first_item = None

    def grow(self, n: int) -> None:
        with self.app.app_context():
            unit = db.session.get(factories.ResponsibleUnit, self.unit_id)
            partner = db.session.get(factories.ResponsibleUnit, self.partner_id)
            event = db.session.get(Event, self.event_id)
            category = db.session.get(factories.Category, self.category_id)
            today = city_today()
            now = datetime.now(UTC)
            for _ in range(n - self.n):
                number = next(self.sequence)
                other_unit = factories.unit(name=f"Bureau {number}")
                # Past salons: the big one stays the newest, in every list of recent events
                # (a page that fetches a chosen older event apart costs one statement more).
                other_event = factories.event(
                    title=f"Salon {number}",
                    starts_at=datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=number),
                    ends_at=datetime(2020, 1, 1, 3, tzinfo=UTC) + timedelta(days=number),
                )
                speaker = factories.speaker(name=f"Speaker {number}")
                registration = factories.registration(
                    event=event,
                    speaker=speaker,
                    state=RegistrationState.APPROVED if number % 2 else RegistrationState.SUBMITTED,
                    speaking_order=number if number % 2 else None,
                )
                state = STATES[number % len(STATES)]
                new = state is ItemState.NEW
                answered = state in (ItemState.RESOLVED, ItemState.CLOSED)
                item = factories.item(
                    event=event if number % 3 else other_event,
                    category=category,
                    speaker=speaker,
                    registration=registration,
                    state=state,
                    lead_unit=None if new else (unit if number % 2 else other_unit),
                    due_on=due_on(state, number, today),
                    satisfaction=Satisfaction.SATISFIED if state is ItemState.CLOSED else None,
                    resolved_at=now if answered else None,
                    assigned_at=None if new else now - timedelta(days=30),
                )  # fmt: skip
                if state is not ItemState.NEW:
                    item.co_units.append(partner if number % 2 else unit)
                if state is ItemState.RETURNED:
                    db.session.add(
                        TimelineEntry(item=item, kind=TimelineKind.RETURNED, unit=unit, note="no")
                    )
                db.session.add(
                    TimelineEntry(item=item, kind=TimelineKind.PROGRESS, unit=unit, note="Going")
                )
                db.session.add(
                    User(
                        email=f"staff{number}@example.com",
                        name=f"Staff {number}",
                        password_hash="x",
                        role=Role.DEPARTMENT_STAFF,
                        unit=other_unit,
                    )
                )
                db.session.add(
                    OutboxMessage(
                        kind="approved",
                        to_email=f"speaker{number}@example.com",
                        subject=f"Message {number}",
                        body="Hello",
                        event_id=event.id,
                        registration_id=registration.id,
                    )
                )
                db.session.add(AuditEntry(action="sign_in", details={"number": number}))
                self.first_item = self.first_item or item.id
                db.session.flush()
            db.session.commit()
        self.n = n

    def pages(self) -> dict[str, tuple[Role, str]]:
        """Each page to budget: its name, and who reads it at which address. A second page
        ("page 2") is compared between SPAN and MANY rows: with FEW it is empty."""
        e, u = self.event_id, self.unit_id
        organizer, leader, staff, admin = (
            Role.ORGANIZER,
            Role.LEADER,
            Role.DEPARTMENT_STAFF,
            Role.ADMIN,
        )
        pages = {
            "events list": (None, "/"),
            "public event page": (None, f"/events/{e}"),
            "public programme": (None, f"/events/{e}/programme"),
            "organizer's home": (organizer, "/home"),
            "leader's home": (leader, "/home"),
            "unit desk": (staff, "/home"),
            "dashboard": (leader, "/dashboard/"),
            "dashboard of an event": (leader, f"/dashboard/?event={e}"),
            "unit card": (leader, f"/dashboard/units/{u}"),
            "own unit card": (staff, f"/dashboard/units/{u}"),
            "report": (leader, "/dashboard/report"),
            "manage events": (organizer, "/manage/events"),
            "manage events, page 2": (organizer, "/manage/events?page=2"),
            "one event": (organizer, f"/manage/events/{e}"),
            "review queue": (organizer, f"/manage/events/{e}/registrations"),
            "review queue, page 2": (organizer, f"/manage/events/{e}/registrations?page=2"),
            "programme": (organizer, f"/manage/events/{e}/programme"),
            "item page": (organizer, f"/followup/items/{self.first_item}"),
            "outbox": (organizer, "/manage/outbox/"),
            "outbox, page 2": (organizer, "/manage/outbox/?page=2"),
            "audit log": (admin, "/admin/audit"),
            "audit log, page 2": (admin, "/admin/audit?page=2"),
            "users": (admin, "/admin/users"),
            "users, page 2": (admin, "/admin/users?page=2"),
            "units": (admin, "/admin/units"),
            "units, page 2": (admin, "/admin/units?page=2"),
            "categories": (admin, "/admin/categories"),
            # The API: its lists, with a token (an API request reads no session).
            "API events": (None, "/api/v1/events?limit=100"),
            "API event": (None, f"/api/v1/events/{e}"),
            "API items": (organizer, "/api/v1/items?limit=100"),
            "API unit's items": (staff, "/api/v1/items?limit=100"),
            "API one item": (staff, f"/api/v1/items/{self.first_item}"),
            "API registrations": (organizer, f"/api/v1/events/{e}/registrations?limit=100"),
            "API figures": (leader, "/api/v1/figures"),
            "API unit's figures": (staff, "/api/v1/figures"),
        }
        filters = {name: dict(args) for name, args in FILTERS.items()}
        for args in filters.values():
            if "unit" in args:
                args["unit"] = str(u)
            if "event" in args:
                args["event"] = str(e)
            if "returned_by" in args:
                args["returned_by"] = str(u)
        for who, reader in (("organizer", organizer), ("staff", staff)):
            for sort in ledger.SORT_KEYS:
                for name, args in filters.items():
                    query = "&".join(f"{k}={v}" for k, v in {**args, "sort": sort}.items())
                    pages[f"{who}'s ledger, {name}, by {sort}"] = (reader, f"/followup/?{query}")
            pages[f"{who}'s ledger, page 2"] = (reader, "/followup/?page=2")
        return pages

    def statements(self, role: Role | None, url: str) -> int:
        client = self.clients[role] if role else self.app.test_client()
        with self.app.app_context():
            engine = db.engine
        executed = []

        def count_statement(*_args):
            executed.append(1)

        sa.event.listen(engine, "before_cursor_execute", count_statement)
        headers = {}
        if url.startswith("/api/") and role is not None:
            headers = {"Authorization": f"Bearer {self.api_tokens[role]}"}
            client = self.app.test_client()
        try:
            response = client.get(url, headers=headers)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count_statement)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        return len(executed)


@pytest.fixture
def world(app, make_user):
    return World(app, make_user)


@pytest.fixture(autouse=True)
def _no_session_refresh(monkeypatch):
    """A page view refreshes the session's last-seen time once every few minutes: a write
    that depends on the clock, not on the rows."""
    monkeypatch.setattr(auth_services, "LAST_SEEN_RESOLUTION", timedelta(days=365))


def test_every_page_costs_the_same_queries_with_few_rows_and_with_500(world):
    world.grow(FEW)
    pages = world.pages()
    first_pages = {name: where for name, where in pages.items() if "page 2" not in name}
    few = {name: world.statements(*where) for name, where in first_pages.items()}
    world.grow(SPAN)
    few.update({name: world.statements(*where) for name, where in pages.items() if name not in few})
    world.grow(MANY)
    many = {name: world.statements(*where) for name, where in world.pages().items()}
    grew = {name: (few[name], many[name]) for name in pages if few[name] != many[name]}
    assert not grew, "statements with few rows, with 500:\n" + "\n".join(
        f"  {name}: {before} -> {after}" for name, (before, after) in grew.items()
    )


def test_the_budget_test_notices_a_query_per_row(world, monkeypatch):
    """The comparison above can fail: a lazy load per row on a page is caught."""
    from talentday.followup import models

    world.grow(2)
    url = "/followup/?sort=number"
    before = world.statements(Role.ORGANIZER, url)
    monkeypatch.setattr(models, "ITEM_DISPLAY_LOADS", ())
    monkeypatch.setattr(ledger, "ITEM_DISPLAY_LOADS", ())
    world.grow(6)
    assert world.statements(Role.ORGANIZER, url) > before


# --- every paginated list links to its other pages ------------------------------------------

NEXT_LINK = re.compile(r'<a class="page-link" href="([^"]+)">Next</a>')
PREVIOUS_LINK = re.compile(r'<a class="page-link" href="([^"]+)">Previous</a>')


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.ORGANIZER, "/manage/events/{event}/registrations"),
        (Role.ORGANIZER, "/manage/events/{event}/registrations?state=submitted&q=speaker"),
        (Role.ORGANIZER, "/followup/"),
        (Role.ORGANIZER, "/followup/?event={event}&sort=-raised"),
        (Role.DEPARTMENT_STAFF, "/followup/?unit={unit}"),
        (Role.ORGANIZER, "/manage/events"),
        (Role.ORGANIZER, "/manage/outbox/"),
        (Role.ADMIN, "/admin/audit"),
        (Role.ADMIN, "/admin/users"),
        (Role.ADMIN, "/admin/units"),
    ],
)
def test_every_paginated_list_opens_its_next_and_previous_page(world, role, path):
    """The review queue once linked to its second page without the event, and answered 500
    for any event with more than 50 registrations (issue 14)."""
    world.grow(SPAN)
    url = path.format(event=world.event_id, unit=world.unit_id)
    client = world.clients[role]
    first = client.get(url)
    assert first.status_code == 200
    (next_url,) = NEXT_LINK.findall(first.get_data(as_text=True))
    next_url = next_url.replace("&amp;", "&")
    assert "page=2" in next_url
    second = client.get(next_url)
    assert second.status_code == 200, f"{next_url} answered {second.status_code}"
    page = second.get_data(as_text=True)
    assert "Page 2" in page
    (previous_url,) = PREVIOUS_LINK.findall(page)
    assert client.get(previous_url.replace("&amp;", "&")).status_code == 200
    # The filters stay on: the second page lists the same kind of rows.
    for key, value in (pair.split("=") for pair in url.partition("?")[2].split("&") if pair):
        assert f"{key}={value}" in next_url


def test_a_ledger_too_long_to_count_says_more_than(world, monkeypatch):
    monkeypatch.setattr(ledger, "COUNT_CAP", 30)
    world.grow(60)
    page = world.clients[Role.ORGANIZER].get("/followup/").get_data(as_text=True)
    assert "More than 30 items" in page
    assert "Page 1</span>" in page and "Page 1 of" not in page
    assert NEXT_LINK.search(page)
    page = world.clients[Role.ORGANIZER].get("/followup/?state=returned").get_data(as_text=True)
    returned = sum(1 for n in range(1, 61) if STATES[n % len(STATES)] is ItemState.RETURNED)
    assert re.search(rf"\b{returned} items\b", page)
