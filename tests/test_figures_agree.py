"""Every page that shows a figure shows the same number (issue 9): the dashboard, the unit
cards, the leader's and the organizer's home pages, the printable report and its workbook
agree with each other, with a count made in Python from the items themselves, and with the
ledger that each figure's link opens. Checked on the demo and on a generated set of items
moved through the services at random."""

import io
import random
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import current_app
from openpyxl import load_workbook

from talentday.auth.models import Role
from talentday.auth.services import create_user
from talentday.dashboard import metrics
from talentday.events.models import Event
from talentday.extensions import db
from talentday.followup import countersigning, services
from talentday.followup.definitions import FIGURES
from talentday.followup.models import (
    ContactMethod,
    FollowUpItem,
    ItemState,
    ResultClass,
    Satisfaction,
    TimelineEntry,
    TimelineKind,
)
from talentday.followup.moves import Move, allowed_moves
from talentday.i18n import city_today
from tests import factories
from tests.conftest import sign_in


class _Figures(HTMLParser):
    """Every element marked `data-figure`, by the table row (`data-row`) it stands in."""

    def __init__(self):
        super().__init__()
        self.row = None
        self.open = None
        self.found: dict[tuple[str | None, str], tuple[str, str | None]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.row = attrs.get("data-row")
        if "data-figure" in attrs:
            self.open = [attrs["data-figure"], "", attrs.get("href")]

    def handle_data(self, data):
        if self.open:
            self.open[1] += data

    def handle_endtag(self, tag):
        if self.open and tag in ("a", "span"):
            key, text, href = self.open
            self.found[(self.row, key)] = (text.strip(), href)
            self.open = None
        if tag == "tr":
            self.row = None


def figures_on(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Figures()
    parser.feed(response.get_data(as_text=True))
    assert parser.found, f"no figures on {url}"
    return parser.found


def shown(text: str):
    """A figure as the page writes it: '1,234', '40%', '11.0' or '—'."""
    if text == "—":
        return None
    if text.endswith("%"):
        return int(text[:-1])
    return float(text) if "." in text else int(text.replace(",", ""))


def as_shown(key: str, value):
    if value is None:
        return None
    if FIGURES[key].rate_of:
        return round(value * 100)
    if isinstance(value, float):
        return round(value, 1)
    return value


# --- the count made in Python, the oracle ------------------------------------------------


def python_figures(items, today: date, zone: str) -> dict:
    """The registry's item figures counted one item at a time from the loaded items."""

    def result_day(item):
        return item.resolved_at.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date()

    counted = [item for item in items if item.merged_into_id is None]
    with_result = [item for item in counted if item.resolved_at is not None]
    overdue = [item for item in counted if item.is_overdue(today)]
    on_time = [item for item in with_result if item.due_on and result_day(item) <= item.due_on]
    assert not set(on_time) & set(overdue), "an item counted on time and overdue at once"
    rated = [item for item in counted if item.satisfaction is not None]
    days = [
        (item.resolved_at - item.assigned_at).total_seconds() / 86400
        for item in with_result
        if item.assigned_at is not None
    ]
    satisfied = {Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED}
    return {
        "suggestions": len(counted),
        "as_lead": len(counted),
        "open": sum(item.state is not ItemState.CLOSED for item in counted),
        "closed": sum(item.state is ItemState.CLOSED for item in counted),
        "overdue": len(overdue),
        "with_result": len(with_result),
        "judged": len(set(with_result) | set(overdue)),
        "on_time": len(on_time),
        "rated": len(rated),
        "satisfied": sum(item.satisfaction in satisfied for item in rated),
        "to_assign": sum(item.state is ItemState.NEW for item in counted),
        "to_reassign": sum(item.state is ItemState.RETURNED for item in counted),
        "to_close": sum(item.state is ItemState.RESOLVED for item in counted),
        "average_days": sum(days) / len(days) if days else None,
        "extended": sum(item.extensions_granted > 0 for item in counted),
        "days_extended": sum(item.days_extended for item in counted),
        "extension_asked": sum(item.extension_asked_to is not None for item in counted),
        "classed": sum(item.result_class is not None for item in with_result),
        "solved": sum(item.result_class is ResultClass.SOLVED for item in with_result),
        "without_contact": sum(item.contacted_on is None for item in with_result),
        "contact_denied": sum(item.speaker_says_contacted is False for item in counted),
        "key": sum(item.key_at is not None for item in counted),
        "key_overdue": sum(item.key_at is not None for item in overdue),
        "promise_to_check": sum(
            item.commitment_due_at is not None and item.commitment_settled_at is None
            for item in counted
        ),
    }


def with_rates(values: dict) -> dict:
    for key, figure in FIGURES.items():
        if figure.rate_of:
            part, whole = (values.get(name) for name in figure.rate_of)
            if part is not None:
                values[key] = part / whole if whole else None
    return values


def oracle(today: date) -> dict:
    """Expected figures by page row: None for the whole city, 'unit-N', 'event-N', ..."""
    zone = current_app.config["TIMEZONE"]
    items = db.session.scalars(sa.select(FollowUpItem)).unique().all()
    counted = [item for item in items if item.merged_into_id is None]
    returns = set(
        db.session.execute(
            sa.select(TimelineEntry.unit_id, TimelineEntry.item_id).where(
                TimelineEntry.kind == TimelineKind.RETURNED
            )
        )
    )
    expected = {None: with_rates(python_figures(items, today, zone))}
    units = {item.lead_unit_id for item in items} | {
        unit.id for item in items for unit in item.co_units
    }
    units |= {unit for unit, _ in returns}
    for unit in units - {None}:
        led = [
            item
            for item in items
            if item.lead_unit_id == unit and item.state is not ItemState.RETURNED
        ]
        values = python_figures(led, today, zone)
        values["as_co"] = sum(unit in {u.id for u in item.co_units} for item in counted)
        values["returned"] = len(
            {item for u, item in returns if u == unit} & {item.id for item in counted}
        )
        expected[f"unit-{unit}"] = with_rates(values)
    for event in db.session.scalars(sa.select(Event.id)):
        expected[f"event-{event}"] = with_rates(
            python_figures([i for i in items if i.event_id == event], today, zone)
        )
    for category in {item.category_id for item in items}:
        expected[f"category-{category}"] = with_rates(
            python_figures([i for i in items if i.category_id == category], today, zone)
        )
    return expected


# --- the data ------------------------------------------------------------------------------


# Items mostly move forward, as they do in a city's offices; now and then one goes back.
WEIGHTS = {
    Move.ASSIGN: 6, Move.ACCEPT: 6, Move.PROGRESS: 2, Move.RESULT: 5, Move.CLOSE: 4,
    Move.RATE: 4, Move.RETURN: 1, Move.REOPEN: 1, Move.URGE: 1, Move.MERGE: 1,
    Move.ASK_EXTENSION: 2, Move.DECIDE_EXTENSION: 2,
}  # fmt: skip


def generated_salon(count: int = 70, seed: int = 20261127) -> None:
    """Items moved through the services at random, then their dates scattered around today
    as if weeks had passed between the moves."""
    chance = random.Random(seed)
    today = city_today()
    password = "generated-password-1"
    organizer = create_user(
        email="generator@example.com", name="Generator", password=password, role=Role.ORGANIZER
    )
    units = [factories.unit(name=f"Generated Bureau {n}") for n in range(5)]
    staff = {
        unit.id: create_user(
            email=f"staff{unit.id}@example.com",
            name=f"Staff {unit.id}",
            password=password,
            role=Role.DEPARTMENT_STAFF,
            unit=unit,
        )
        for unit in units
    }
    events = [factories.event(title=f"Generated salon {n}") for n in range(2)]
    categories = [factories.category(name=f"Generated topic {n}") for n in range(3)]
    items = []
    for number in range(count):
        speaker = factories.speaker(name=f"Speaker {number}", email=f"s{number}@example.com")
        items.append(
            factories.item(
                content=f"generated suggestion {number}",
                event=chance.choice(events),
                category=chance.choice(categories),
                speaker=speaker,
            )
        )
    db.session.flush()
    for item in items:
        for _ in range(chance.randint(0, 10)):
            lead = staff.get(item.lead_unit_id)
            moves = allowed_moves(organizer, item) | (allowed_moves(lead, item) if lead else set())
            moves |= allowed_moves(item.speaker, item)
            if not moves:
                break
            moves = sorted(moves & WEIGHTS.keys(), key=lambda m: m.value)
            if not moves:
                break
            (move,) = chance.choices(moves, weights=[WEIGHTS[m] for m in moves])
            if move is Move.ASSIGN:
                lead_unit = chance.choice(units)
                co = [u for u in chance.sample(units, 2) if u is not lead_unit][:1]
                services.assign(
                    item, lead_unit=lead_unit, co_units=co, due_on=today,
                    instructions="", by=organizer, today=today,
                )  # fmt: skip
            elif move is Move.ACCEPT:
                services.accept(item, by=lead)
            elif move is Move.RETURN:
                services.return_to_organizer(item, reason="Not ours.", by=lead)
            elif move is Move.PROGRESS:
                services.post_progress(item, note="Working on it.", percent=50, by=lead)
            elif move is Move.RESULT:
                for unit in countersigning.opinions_missing(item):  # countersigned first
                    services.give_opinion(item, opinion="Agreed.", by=staff[unit.id])
                if chance.random() < 0.6:  # most units call the speaker first
                    services.record_contact(
                        item, method=chance.choice(list(ContactMethod)), contacted_on=today,
                        summary="Talked it through.", by=lead,
                    )  # fmt: skip
                result_class = chance.choice(list(ResultClass))
                services.submit_result(
                    item, result_class=result_class, result="Done as asked.", by=lead,
                    commitment_on=today + timedelta(days=chance.randint(1, 60))
                    if result_class.promises else None,
                )  # fmt: skip
            elif move is Move.CLOSE:
                services.close(item, by=organizer)
            elif move is Move.REOPEN:
                services.reopen(item, reason="Not done yet.", by=organizer)
            elif move is Move.ASK_EXTENSION:
                if services.extension_room(item)[0] == 0:
                    continue  # the caps are the service's, not the table of moves'
                services.ask_extension(
                    item, due_on=item.due_on + timedelta(days=chance.randint(1, 20)),
                    reason="The budget comes next month.", by=lead,
                )  # fmt: skip
            elif move is Move.DECIDE_EXTENSION:
                grant = chance.random() < 0.7
                services.decide_extension(
                    item, grant=grant, due_on=None, reason="" if grant else "No.", by=organizer
                )
            elif move is Move.URGE:
                services.urge(item, note="Please hurry.", by=organizer)
            elif move is Move.RATE:
                services.rate(
                    item, satisfaction=chance.choice(list(Satisfaction)),
                    comment="Said so.", speaker=item.speaker,
                    contacted=chance.random() < 0.7,
                )  # fmt: skip
            elif move is Move.MERGE:
                targets = [
                    other
                    for other in items
                    if other is not item
                    and other.state is ItemState.NEW
                    and other.event_id == item.event_id
                    and other.merged_into_id is None
                ]
                if targets:
                    services.merge(item, into=chance.choice(targets), by=organizer)
            db.session.flush()
    # However the dice fell, one item was given more time and one request waits.
    may_ask = [
        item
        for item in items
        if item.lead_unit_id
        and Move.ASK_EXTENSION in allowed_moves(staff[item.lead_unit_id], item)
        and services.extension_room(item)[0]
    ]
    for item, grant in zip(may_ask, (True, False), strict=False):
        lead = staff[item.lead_unit_id]
        services.ask_extension(item, due_on=item.due_on + timedelta(5), reason="Budget.", by=lead)
        if grant:
            services.decide_extension(item, grant=True, due_on=None, reason="", by=organizer)
    # A leader marks every sixth item not yet closed as a key item.
    leader = create_user(
        email="leader@example.com", name="Leader", password=password, role=Role.LEADER
    )
    for item in items[::6]:
        if Move.MARK_KEY in allowed_moves(leader, item):
            services.mark_key(item, instruction="Report weekly.", by=leader)
    # Weeks pass: due dates and results land before, on and after today.
    now = datetime.now(UTC)
    for item in items:
        if item.due_on is not None:
            item.due_on = today + timedelta(days=chance.randint(-25, 25))
            item.assigned_at = now - timedelta(days=chance.randint(30, 60))
        if item.resolved_at is not None:
            item.resolved_at = now - timedelta(
                days=chance.randint(0, 29), hours=chance.randint(0, 23)
            )
        if item.commitment_on is not None:  # some promised dates have passed
            item.commitment_on = today + timedelta(days=chance.randint(-20, 20))
    services.promises_come_due(today)
    db.session.commit()


@pytest.fixture(params=["demo", "generated"])
def figures_world(request, app, runner):
    if request.param == "demo":
        assert runner.invoke(args=["demo"]).exit_code == 0
    else:
        with app.app_context():
            generated_salon()
    return request.param


# --- the test -------------------------------------------------------------------------------


def check(found: dict, row: str | None, expected: dict, keys, where: str) -> int:
    checked = 0
    for key in keys:
        assert (row, key) in found, f"{where}: {key} of {row or 'the city'} is not shown"
        text, _href = found[(row, key)]
        wanted = as_shown(key, expected[key])
        if isinstance(wanted, float):  # shown to one decimal
            wanted = pytest.approx(expected[key], abs=0.051)
        assert shown(text) == wanted, (
            f"{where}: {key} of {row or 'the city'} shows {text}, counted {expected[key]}"
        )
        checked += 1
    return checked


def ledger_total(client, href: str) -> int:
    page = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
    match = re.search(r"(\d[\d,]*) items?\b", page)
    assert match, f"no item count on {href}"
    return int(match.group(1).replace(",", ""))


def test_every_page_shows_the_same_figures(app, figures_world, make_user):
    with app.app_context():
        today = city_today()
        expected = oracle(today)
        head = metrics.headline(metrics.Scope(), today)
        unit_rows = {f"unit-{row.unit.id}": row for row in metrics.units(metrics.Scope(), today)}
    # The aggregate queries agree with the count made item by item.
    for key in metrics.HEADLINE:
        assert head[key] == expected[None][key], key
    for row_key, row in unit_rows.items():
        for key in ("as_lead", "as_co", "returned", "closed", "overdue", "on_time", "judged",
                    "rated", "satisfied", "extended", "days_extended", "classed",
                    "solved", "without_contact"):  # fmt: skip
            assert row[key] == expected[row_key][key], (row_key, key)
    expected[None].update(events_held=head.events_held, speakers=head.speakers)
    if figures_world == "generated":  # the data hold every kind of figure worth comparing
        assert expected[None]["extended"] and expected[None]["extension_asked"]
        assert expected[None]["solved"] and expected[None]["promise_to_check"]
        assert expected[None]["key"] and expected[None]["key_overdue"]
        assert expected[None]["without_contact"] and expected[None]["contact_denied"]

    leader = app.test_client()
    sign_in(leader, make_user(Role.LEADER).email)
    organizer = app.test_client()
    sign_in(organizer, make_user(Role.ORGANIZER).email)
    checked = 0

    for url in ("/dashboard/", "/dashboard/report"):
        found = figures_on(leader, url)
        checked += check(found, None, expected[None], metrics.HEADLINE_CARDS, url)
        for row_key in unit_rows:
            checked += check(found, row_key, expected[row_key], metrics.UNIT_COLUMNS, url)
        for (row_key, _key), _value in found.items():
            if row_key and row_key.startswith(("category-", "event-")):
                checked += check(found, row_key, expected[row_key], metrics.BREAKDOWN, url)
    # The lists of all units and of every event, one page of each (the data fit on one).
    found = figures_on(leader, "/dashboard/units")
    for row_key in unit_rows:
        checked += check(found, row_key, expected[row_key], metrics.UNIT_COLUMNS, "all units")
    found = figures_on(leader, "/dashboard/events")
    events_shown = [row for row, _key in found if row and row.startswith("event-")]
    assert events_shown, "no event on the list of every event"
    for row_key in set(events_shown):
        checked += check(found, row_key, expected[row_key], metrics.BREAKDOWN, "all events")
    for row_key in unit_rows:
        unit_id = row_key.removeprefix("unit-")
        found = figures_on(leader, f"/dashboard/units/{unit_id}")
        checked += check(found, None, expected[row_key], metrics.UNIT_CARDS, f"unit card {unit_id}")

    found = figures_on(leader, "/home")
    checked += check(found, None, expected[None], metrics.LEADER_HOME_CARDS, "leader home")
    for row_key, row in unit_rows.items():
        if row.overdue:
            checked += check(found, row_key, expected[row_key], ["overdue"], "leader home")

    found = figures_on(organizer, "/home")
    checked += check(found, None, expected[None], metrics.ORGANIZER_DESK, "organizer home")
    for row_key, _key in list(found):
        if row_key and row_key.startswith("event-"):
            checked += check(found, row_key, expected[row_key], metrics.EVENT_ROW, "organizer home")

    # The workbook's summary sheet, label by label.
    response = leader.get("/dashboard/report.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    summary = {str(row[0]): row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    with app.test_request_context():
        for key in metrics.REPORT_SUMMARY:
            label = str(FIGURES[key].label)
            assert label in summary, f"the workbook's summary has no {label!r}"
            value = summary[label]
            wanted = expected[None][key]
            if FIGURES[key].rate_of and wanted is not None:
                assert value == pytest.approx(wanted), key
            else:
                assert value in (wanted, "" if wanted is None else wanted), key
            checked += 1
    assert checked > 60

    # Every count's link opens a ledger of exactly that many items.
    links = {}
    for url in ("/dashboard/", "/home"):
        for (_row, key), (text, href) in figures_on(leader, url).items():
            if href and not FIGURES[key].rate_of:
                links[href] = shown(text)
    for _figure, (text, href) in figures_on(organizer, "/home").items():
        if href:
            links[href] = shown(text)
    assert len(links) > 20
    for href, value in links.items():
        assert ledger_total(leader if "state=new" not in href else organizer, href) == value, href
