"""A province's worth of made-up data for measuring the pages (`flask bench-data`).

Scale 1 is ten years of a province: about 2,000 events, 25,000 speakers, their registrations,
200,000 follow-up items over 300 units and a million timeline entries. Everything is drawn
from one seeded random generator, so a seed gives the same data every time.

The rows are written with SQLAlchemy Core inserts, a few thousand per statement, never as ORM
objects one by one: scale 1 takes minutes, not hours. The rules the services enforce still
hold, because each item's life is played through the table of moves: every state change is a
timeline entry from the state before to the state after, timestamps increase, the item's
state is its last entry's, and assigned_at, due_on, resolved_at and closed_at say what the
timeline says (a result sent back or reopened clears resolved_at and closed_at, as
`followup.services._withdraw_result` does).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from talentday.auth.models import Role, User
from talentday.database import utcnow
from talentday.events.models import Event, EventState
from talentday.extensions import db
from talentday.followup import timeline
from talentday.followup.models import (
    Category,
    FollowUpItem,
    ItemState,
    Satisfaction,
    TimelineEntry,
    TimelineKind,
    followup_item_co_unit,
)
from talentday.registrations.consent import CONSENT_VERSION
from talentday.registrations.models import Registration, RegistrationState, Speaker, TalentTeam
from talentday.units.models import ResponsibleUnit, UnitKind

# Made-up data: the password is printed on purpose.
BENCH_PASSWORD = "bench-salon-password-2026"  # nosec B105
BATCH = 5000

# The counts at scale 1 (docs/performance.md).
EVENTS, SPEAKERS, ITEMS, UNITS = 2000, 25_000, 200_000, 300
# The busiest unit leads this share of all items (3,000 at scale 1).
BUSY_SHARE = 0.015

CITIES = [
    ("Huai'an", "淮安"), ("Nanjing", "南京"), ("Suzhou", "苏州"), ("Wuxi", "无锡"),
    ("Changzhou", "常州"), ("Nantong", "南通"), ("Yangzhou", "扬州"), ("Zhenjiang", "镇江"),
    ("Taizhou", "泰州"), ("Yancheng", "盐城"), ("Lianyungang", "连云港"), ("Xuzhou", "徐州"),
    ("Suqian", "宿迁"),
]  # fmt: skip
DEPARTMENTS = [
    ("Bureau of Human Resources and Social Security", "人力资源和社会保障局"),
    ("Bureau of Science and Technology", "科学技术局"),
    ("Bureau of Housing and Urban-Rural Development", "住房和城乡建设局"),
    ("Bureau of Industry and Information Technology", "工业和信息化局"),
    ("Bureau of Education", "教育局"),
    ("Health Commission", "卫生健康委员会"),
    ("Bureau of Commerce", "商务局"),
    ("Bureau of Finance", "财政局"),
    ("Development and Reform Commission", "发展和改革委员会"),
    ("Bureau of Natural Resources", "自然资源和规划局"),
    ("Public Security Bureau", "公安局"),
    ("Market Regulation Administration", "市场监督管理局"),
    ("Bureau of Transport", "交通运输局"),
    ("Bureau of Agriculture and Rural Affairs", "农业农村局"),
    ("Bureau of Culture and Tourism", "文化广电和旅游局"),
    ("Administrative Approval Bureau", "行政审批局"),
    ("High-tech Zone Administration", "高新区管委会"),
    ("Economic Development Zone Administration", "经济开发区管委会"),
    ("Talent Office", "人才办"),
    ("Federation of Industry and Commerce", "工商业联合会"),
    ("Central District", "中心城区"),
    ("Eastern County", "东部县"),
]
UNIVERSITIES = [
    ("Institute of Technology", "工学院"), ("Normal University", "师范学院"),
    ("Vocational College", "职业技术学院"), ("Medical College", "卫生职业技术学院"),
]  # fmt: skip
CATEGORIES = [
    ("talent-cultivation", "Talent cultivation", "人才培养", 12),
    ("talent-ecosystem", "Talent ecosystem building", "人才生态建设", 10),
    ("talent-introduction", "Talent introduction policy", "人才引进政策", 14),
    ("talent-apartments", "Talent apartments", "人才公寓", 12),
    (
        "digital-transformation",
        "Enterprise intelligent and digital transformation",
        "企业智能化改造和数字化转型",
        9,
    ),
    ("other", "Other", "其他", 4),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力斌宇浩凯鹏晨欣怡子涵雨"
ORGANIZATIONS = [
    "Jiangsu Micro-Motor Co.", "Huaihe Biomedical Ltd.", "Grand Canal Logistics",
    "Salt Lake Chemicals",
    "Lotus Software", "Zhou Enlai Memorial Hospital", "Huaiyin Institute of Technology",
    "Xinghuo Robotics", "Qinghe Food Group", "Hongze Lake Aquaculture", "Jinhu New Energy",
    "Lianshui Textile Works",
]  # fmt: skip
SUGGESTIONS = [
    "Talent apartments near the {place} are full; {n} engineers wait {m} months for a flat.",
    "The subsidy for a master's degree holder takes {m} months to arrive; pay it within 30 days.",
    "Add {n} places at the {place} kindergarten for the children of recruited experts.",
    "Open a night bus line between the {place} and the high-speed railway station.",
    "Let enterprises apply for the talent card online instead of at {n} different counters.",
    "Fund {n} joint laboratories between the {place} and local manufacturers.",
    "The residence permit for foreign experts needs {n} documents; cut it to three.",
    "Give interns at the {place} a housing allowance for the first {m} months.",
    "Publish the list of projects eligible for the innovation fund before the {place} fair.",
    "Set up a one-stop service window for returning graduates at the {place}.",
    "Extend the digital-transformation vouchers to firms with fewer than {n} employees.",
    "Train {n} technicians a year at the {place} with the vocational colleges.",
]
PLACES = [
    "high-tech zone", "economic development zone", "university town", "science park",
    "industrial park", "software park", "city centre", "biomedical park",
]  # fmt: skip


@dataclass
class Summary:
    """What a run wrote, and the sign-ins it made."""

    counts: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str]] = field(default_factory=list)
    busiest_unit: str = ""
    big_event_id: int | None = None
    seconds: float = 0.0


class BenchDataRefused(Exception):
    """The database already holds events: bench data is added only when forced."""


def sizes(scale: float) -> dict[str, int]:
    """The counts of a scale; small scales keep enough of each to exercise every page."""
    return {
        "events": max(4, round(EVENTS * scale)),
        "speakers": max(150, round(SPEAKERS * scale)),
        "items": max(60, round(ITEMS * scale)),
        # Units grow slower than items: a province has 300, a county a dozen.
        "units": max(6, min(UNITS, round(UNITS * scale**0.5))),
    }


# --- writing -------------------------------------------------------------------------------


class Writer:
    """Buffers rows per table and inserts them a few thousand at a time, parents first."""

    def __init__(self, connection, order: list[sa.Table]):
        self.connection = connection
        self.order = order
        self.rows: dict[str, list[dict]] = {table.name: [] for table in order}
        self.counts: dict[str, int] = {table.name: 0 for table in order}

    def add(self, table: sa.Table, row: dict) -> None:
        rows = self.rows[table.name]
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for table in self.order:  # parents before children: foreign keys are checked at once
            rows = self.rows[table.name]
            if rows:
                self.connection.execute(table.insert(), rows)
                self.counts[table.name] += len(rows)
                rows.clear()


def next_id(connection, table: sa.Table) -> int:
    return (connection.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def reset_sequences(connection, tables: list[sa.Table]) -> None:
    """Ids were given explicitly: PostgreSQL's sequences must carry on after them."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(
            sa.text(
                # The table names are the models' own, never input.
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # nosec B608
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"
            )
        )


# --- the life of one item ------------------------------------------------------------------


@dataclass
class Step:
    """One timeline entry before its time is fixed: `gap` is days after the previous one."""

    kind: TimelineKind
    gap: float
    to_state: ItemState | None = None
    actor_user_id: int | None = None
    actor_speaker_id: int | None = None
    unit_id: int | None = None
    note: str = ""
    details: dict | None = None
    percent: int | None = None
    # What the step does to the item's columns once its time is known.
    effect: Callable | None = None


# Final states by the age of the item's event: old items are mostly closed, new ones open.
OUTCOMES = {
    "old": {"closed": 70, "resolved": 6, "in_progress": 4, "accepted": 2, "assigned": 2,
            "returned": 1.5, "reopened": 1.5, "new": 0.5},
    "recent": {"closed": 30, "resolved": 20, "in_progress": 20, "accepted": 10, "assigned": 8,
               "returned": 4, "reopened": 4, "new": 4},
    "fresh": {"closed": 3, "resolved": 8, "in_progress": 20, "accepted": 15, "assigned": 25,
              "returned": 4, "reopened": 3, "new": 22},
}  # fmt: skip


class World:
    """The generator's state: ids of what exists, and the random generator."""

    def __init__(self, chance: random.Random, now: datetime, zone: ZoneInfo):
        self.chance = chance
        self.now = now
        self.zone = zone
        self.organizer_ids: list[int] = []
        self.unit_ids: list[int] = []
        self.unit_weights: list[float] = []
        self.staff_by_unit: dict[int, list[int]] = {}

    def city_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def organizer(self) -> int:
        return self.chance.choice(self.organizer_ids)

    def staff(self, unit_id: int) -> int:
        return self.chance.choice(self.staff_by_unit[unit_id])

    def pick_unit(self, other_than: set[int] = frozenset()) -> int:
        while True:
            (unit,) = self.chance.choices(self.unit_ids, weights=self.unit_weights)
            if unit not in other_than:
                return unit


def life(world: World, item: dict, outcome: str, speaker_id: int | None, follow_up_days: int):
    """The steps of an item's life that ends in `outcome`, and the co-units it ends with."""
    chance = world.chance
    steps: list[Step] = []
    state = {"lead": None, "co": []}

    def assign(gap, *, change_state=True):
        lead = world.pick_unit()
        co = []
        roll = chance.random()
        if roll < 0.3:
            co = [world.pick_unit({lead})]
            if roll < 0.08:
                co.append(world.pick_unit({lead, co[0]}))
        state["lead"], state["co"] = lead, co

        def effect(row, at, lead=lead):
            row["lead_unit_id"] = lead
            row["assigned_at"] = at
            row["due_on"] = world.city_date(at) + timedelta(days=follow_up_days)

        steps.append(
            Step(
                TimelineKind.ASSIGNED, gap,
                to_state=ItemState.ASSIGNED if change_state else None,
                actor_user_id=world.organizer(),
                details={timeline.LEAD_UNIT: lead, timeline.CO_UNITS: co}, effect=effect,
            )
        )  # fmt: skip

    def by_lead(kind, gap, to_state=None, note="", percent=None, effect=None):
        lead = state["lead"]
        steps.append(
            Step(kind, gap, to_state=to_state, actor_user_id=world.staff(lead), unit_id=lead,
                 note=note, percent=percent, effect=effect)
        )  # fmt: skip

    def work():
        """Progress until the lead unit's first note, then maybe more notes and co-units'."""
        by_lead(TimelineKind.PROGRESS, chance.uniform(1, 8), ItemState.IN_PROGRESS,
                "Met the enterprise; drafting the answer.", chance.choice([20, 30, 50]),
        )  # fmt: skip
        for _ in range(chance.choice([0, 0, 0, 1, 2])):
            by_lead(TimelineKind.PROGRESS, chance.uniform(1, 6), None,
                    "Waiting for the budget office.", chance.choice([60, 70, 80]))  # fmt: skip
        for co in state["co"]:
            if chance.random() < 0.5:
                steps.append(
                    Step(TimelineKind.PROGRESS, chance.uniform(0.5, 5),
                         actor_user_id=world.staff(co), unit_id=co,
                         note="Our part is done: the quota is reserved.")
                )  # fmt: skip
        if chance.random() < 0.1:
            steps.append(Step(TimelineKind.URGED, chance.uniform(1, 5),
                              actor_user_id=world.organizer(), note="Please answer this week.",
            ))  # fmt: skip

    def resolve():
        def effect(row, at):
            row["resolved_at"] = at
            row["result"] = "Done: the measure takes effect next month."

        by_lead(TimelineKind.RESULT, chance.uniform(2, follow_up_days * 0.9), ItemState.RESOLVED,
                "Done: the measure takes effect next month.", 100, effect)  # fmt: skip

    def withdraw(row, at):
        row["resolved_at"] = row["closed_at"] = None
        row["result"] = ""

    def reopen():
        """A result that does not stand: sent back, reopened after closing, or rated
        unsatisfied by the speaker."""
        if speaker_id is not None and chance.random() < 0.4:

            def rated(row, at):
                row["satisfaction"] = Satisfaction.UNSATISFIED
                row["satisfaction_comment"] = "The answer does not say when."

            steps.append(Step(TimelineKind.RATED, chance.uniform(1, 10),
                              actor_speaker_id=speaker_id, note="The answer does not say when.",
                              effect=rated))  # fmt: skip
            steps.append(Step(TimelineKind.REOPENED, 0.001, to_state=ItemState.REOPENED,
                              actor_speaker_id=speaker_id, note="The answer does not say when.",
                              effect=withdraw))  # fmt: skip
            return
        if chance.random() < 0.3:
            close()
        steps.append(Step(TimelineKind.REOPENED, chance.uniform(1, 10), to_state=ItemState.REOPENED,
                          actor_user_id=world.organizer(), note="Say which month.",
                          effect=withdraw))  # fmt: skip

    def close():
        def effect(row, at):
            row["closed_at"] = at

        steps.append(Step(TimelineKind.CLOSED, chance.uniform(1, 10), to_state=ItemState.CLOSED,
                          actor_user_id=world.organizer(), effect=effect))  # fmt: skip

    def rate(gap):
        satisfaction = chance.choices(
            [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED], weights=[7, 3]
        )[0]

        def effect(row, at):
            row["satisfaction"] = satisfaction
            row["satisfaction_comment"] = ""

        steps.append(Step(TimelineKind.RATED, gap, actor_speaker_id=speaker_id, effect=effect))

    if outcome == "new":
        return steps, state
    assign(chance.uniform(0.5, 5))
    if outcome == "returned" or chance.random() < 0.04:
        by_lead(TimelineKind.RETURNED, chance.uniform(0.5, 3), ItemState.RETURNED,
                "Not within our remit.")  # fmt: skip
        if outcome == "returned":
            return steps, state
        assign(chance.uniform(0.5, 4))
    elif chance.random() < 0.03:
        assign(chance.uniform(0.2, 2), change_state=False)  # the organizer changes the units
    if outcome == "assigned":
        return steps, state
    by_lead(TimelineKind.ACCEPTED, chance.uniform(0.2, 4), ItemState.ACCEPTED)
    if outcome == "accepted":
        return steps, state
    work()
    if outcome == "in_progress":
        return steps, state
    resolve()
    if outcome == "reopened" or chance.random() < 0.06:
        reopen()
        if outcome == "reopened":
            return steps, state
        work()
        resolve()
    if outcome == "resolved":
        if speaker_id is not None and chance.random() < 0.3:
            rate(chance.uniform(1, 10))
        return steps, state
    close()
    if speaker_id is not None and chance.random() < 0.6:
        rate(chance.uniform(0.5, 20))
    return steps, state


def lay_out(world: World, created: datetime, steps: list[Step]) -> list[datetime]:
    """The steps' times: their gaps one after another, squeezed to end before now."""
    times, at = [], created
    for step in steps:
        at = at + timedelta(days=step.gap)
        times.append(at)
    room = world.now - timedelta(minutes=5) - created
    if times and times[-1] - created > room:
        factor = room / (times[-1] - created)
        times = [created + (moment - created) * factor for moment in times]
    # Strictly increasing, however tight the squeeze.
    for index in range(1, len(times)):
        if times[index] <= times[index - 1]:
            times[index] = times[index - 1] + timedelta(microseconds=1000)
    return times or [created + timedelta(seconds=1)]


# --- the run -------------------------------------------------------------------------------


def generate(scale: float = 1.0, seed: int = 2026, *, force: bool = False, echo=print) -> Summary:
    """Write the data of `scale` into the app's database, in one transaction."""
    started = datetime.now(UTC)
    # Made-up data, not secrets: a seeded generator is the point.
    chance = random.Random(seed)  # nosec B311
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    now = utcnow()
    world = World(chance, now, zone)
    size = sizes(scale)
    summary = Summary()
    tables = [
        ResponsibleUnit.__table__, Category.__table__, User.__table__, Event.__table__,
        Speaker.__table__, Registration.__table__, FollowUpItem.__table__,
        followup_item_co_unit, TimelineEntry.__table__,
    ]  # fmt: skip
    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        events_there = connection.scalar(sa.select(sa.func.count()).select_from(Event.__table__))
        if events_there and not force:
            raise BenchDataRefused(
                f"The database already holds {events_there} events: bench data goes into an "
                "empty database (flask db upgrade on a new one), or add --force to add it anyway."
            )
        writer = Writer(connection, tables)
        units = _units(connection, writer, world, size["units"])
        categories = _categories(connection, writer)
        summary.accounts, summary.busiest_unit = _accounts(connection, writer, world, units)
        writer.flush()
        echo(f"  {len(world.unit_ids)} units, {len(summary.accounts)} accounts")
        events = _events(connection, writer, world, size["events"])
        speaker_ids = _speakers(connection, writer, world, size["speakers"])
        writer.flush()
        echo(f"  {len(events)} events, {len(speaker_ids)} speakers")
        approved, summary.big_event_id = _registrations(
            connection, writer, world, events, speaker_ids
        )
        writer.flush()
        echo(f"  {writer.counts['registration']} registrations")
        _items(connection, writer, world, events, approved, categories, size["items"], echo)
        writer.flush()
        reset_sequences(connection, [t for t in tables if "id" in t.c])
        if connection.dialect.name == "postgresql":
            # The planner's statistics, as autovacuum would gather them within the hour: a
            # benchmark right after the load must not measure plans made for empty tables.
            connection.exec_driver_sql("ANALYZE")
        summary.counts = {name: count for name, count in writer.counts.items() if count}
    summary.seconds = (datetime.now(UTC) - started).total_seconds()
    return summary


def _units(connection, writer, world, count) -> list[tuple[int, str]]:
    """Municipal departments of each city, then universities; get-or-create by name."""
    names = []
    for department, department_zh in DEPARTMENTS:
        for city, city_zh in CITIES:
            kind = UnitKind.MUNICIPAL_DEPARTMENT
            if "District" in department or "County" in department:
                kind = UnitKind.COUNTY_OR_DISTRICT
            names.append((f"{city} {department}", f"{city_zh}市{department_zh}", kind))
    for university, university_zh in UNIVERSITIES:
        for city, city_zh in CITIES:
            names.append((f"{city} {university}", f"{city_zh}{university_zh}", UnitKind.UNIVERSITY))
    names = names[:count]
    table = ResponsibleUnit.__table__
    existing = dict(
        connection.execute(
            sa.select(table.c.name, table.c.id).where(table.c.name.in_([n for n, *_ in names]))
        ).all()
    )
    unit_id = next_id(connection, table)
    units = []
    for name, name_zh, kind in names:
        if name not in existing:
            writer.add(table, {"id": unit_id, "name": name, "name_zh": name_zh, "kind": kind,
                               "contact_name": "Office", "contact_phone": "0517-8000 0000",
                               "active": True, "created_at": world.now})  # fmt: skip
            existing[name] = unit_id
            unit_id += 1
        units.append((existing[name], name))
    world.unit_ids = [unit for unit, _ in units]
    # Some units carry more work than others; the first carries BUSY_SHARE of all items.
    rest = [world.chance.uniform(0.3, 1.0) ** 2 for _ in range(len(units) - 1)]
    share = max(BUSY_SHARE, 3 / len(units))
    busy = share * sum(rest) / (1 - share)
    world.unit_weights = [busy, *rest]
    return units


def _categories(connection, writer) -> list[tuple[int, int]]:
    table = Category.__table__
    existing = dict(connection.execute(sa.select(table.c.code, table.c.id)).all())
    category_id = next_id(connection, table)
    result = []
    for position, (code, name, name_zh, weight) in enumerate(CATEGORIES):
        if code not in existing:
            writer.add(table, {"id": category_id, "code": code, "name": name, "name_zh": name_zh,
                               "position": position, "active": True})  # fmt: skip
            existing[code] = category_id
            category_id += 1
        result.append((existing[code], weight))
    return result


def _accounts(connection, writer, world, units) -> tuple[list[tuple[str, str]], str]:
    """One admin, a leader, five organizers and staff for every unit (two for the busiest),
    all with the same password, hashed once."""
    table = User.__table__
    password_hash = generate_password_hash(
        BENCH_PASSWORD, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    )
    wanted = [("admin@bench.example", "Bench Admin", Role.ADMIN, None),
              ("leader@bench.example", "Bench Leader", Role.LEADER, None)]  # fmt: skip
    wanted += [
        (f"organizer{n or ''}@bench.example", f"Bench Organizer {n + 1}", Role.ORGANIZER, None)
        for n in range(5)
    ]
    busiest_id, busiest_name = units[0]
    wanted.append(("staff-busiest@bench.example", "Busiest Unit Staff", Role.DEPARTMENT_STAFF,
                   busiest_id))  # fmt: skip
    wanted += [
        (f"staff{n + 1}@bench.example", f"Staff of unit {n + 1}", Role.DEPARTMENT_STAFF, unit)
        for n, (unit, _name) in enumerate(units)
    ]
    existing = dict(connection.execute(sa.select(table.c.email, table.c.id)).all())
    user_id = next_id(connection, table)
    for email, name, role, unit in wanted:
        if email not in existing:
            writer.add(table, {"id": user_id, "email": email, "name": name,
                               "password_hash": password_hash, "role": role, "unit_id": unit,
                               "locale": None, "active": True,
                               "session_token": f"bench-{user_id}-{world.chance.getrandbits(64):x}",
                               "created_at": world.now})  # fmt: skip
            existing[email] = user_id
            user_id += 1
        if role is Role.ORGANIZER:
            world.organizer_ids.append(existing[email])
        if unit is not None:
            world.staff_by_unit.setdefault(unit, []).append(existing[email])
    accounts = [(role.value, email) for email, _n, role, _u in wanted[:8]]
    accounts.append(("department_staff", f"staff1@ … staff{len(units)}@bench.example (unit 1 …)"))
    return accounts, busiest_name


@dataclass
class EventRow:
    id: int
    starts_at: datetime
    state: EventState
    follow_up_days: int
    weight: float


def _events(connection, writer, world, count) -> list[EventRow]:
    """Ten years of salons in the province's cities; the last few still to come."""
    chance, table = world.chance, Event.__table__
    series_names = [f"{city} Talent Salon" for city, _ in CITIES]
    editions = dict(
        connection.execute(
            sa.select(table.c.series, sa.func.max(table.c.edition)).group_by(table.c.series)
        ).all()
    )
    future = max(3, round(count * 0.01))
    first = world.now - timedelta(days=3650)
    span = (world.now - timedelta(days=3)) - first
    starts = sorted(first + span * chance.random() for _ in range(count - future))
    starts += [world.now + timedelta(days=7 + 10 * n) for n in range(future)]
    event_id = next_id(connection, table)
    events = []
    for index, starts_at in enumerate(starts):
        starts_at = starts_at.replace(minute=0, second=0, microsecond=0)
        starts_at = starts_at.replace(hour=chance.choice([1, 2, 6, 7]))  # 9:00 to 15:00 in the city
        series = chance.choice(series_names)
        editions[series] = (editions.get(series) or 0) + 1
        if starts_at > world.now:
            upcoming = index - (count - future)
            state = (
                [EventState.PUBLISHED, EventState.REGISTRATION_CLOSED, EventState.DRAFT][
                    min(upcoming, 2)
                ]
                if upcoming < 3
                else EventState.PUBLISHED
            )
        elif world.now - starts_at > timedelta(days=730) and chance.random() < 0.5:
            state = EventState.ARCHIVED
        else:
            state = EventState.HELD
        follow_up_days = chance.choice([30, 30, 30, 15, 45, 60])
        opens = starts_at - timedelta(days=30)
        closes = starts_at - timedelta(days=2)
        writer.add(table, {
            "id": event_id, "series": series, "edition": editions[series],
            "title": f"{series}, edition {editions[series]}",
            "theme": chance.choice(["Talent and industry", "Young talent in the city",
                                    "Digital transformation", "Talent apartments and services"]),
            "description": "Speakers tell the city's leaders what would keep talent here.",
            "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=3),
            "venue": "Talent Service Centre, hall 2", "host": "Municipal Talent Office",
            "presiding_official": "Deputy Mayor", "attending_leaders": "Mayor\nParty Secretary",
            "speaking_slots": 12, "registration_opens_at": opens,
            "registration_closes_at": closes, "follow_up_days": follow_up_days, "state": state,
            "created_at": opens - timedelta(days=5), "updated_at": min(world.now, starts_at),
        })  # fmt: skip
        events.append(
            EventRow(event_id, starts_at, state, follow_up_days, chance.uniform(0.5, 1.5))
        )
        event_id += 1
    return events


def _speakers(connection, writer, world, count) -> list[int]:
    chance, table = world.chance, Speaker.__table__
    speaker_id = next_id(connection, table)
    teams = list(TalentTeam)
    ids = []
    for _ in range(count):
        name = chance.choice(SURNAMES) + "".join(chance.choices(GIVEN, k=chance.choice([1, 2])))
        created = world.now - timedelta(days=chance.uniform(5, 3700))
        writer.add(table, {
            "id": speaker_id, "name": name, "email": f"speaker{speaker_id}@bench.example",
            "phone": f"138{speaker_id:08d}"[-11:], "organization": chance.choice(ORGANIZATIONS),
            "position": chance.choice(["Engineer", "Director", "Professor", "Researcher"]),
            "talent_team": chance.choice(teams), "locale": chance.choice([None, "zh_Hans", "en"]),
            "anonymised_at": None, "created_at": created, "updated_at": created,
        })  # fmt: skip
        ids.append(speaker_id)
        speaker_id += 1
    return ids


def _registrations(connection, writer, world, events, speaker_ids):
    """Twelve approved speakers at each past salon and a few others; a big upcoming salon
    with hundreds waiting for the organizers' review."""
    chance, table = world.chance, Registration.__table__
    registration_id = next_id(connection, table)
    approved: dict[int, list[tuple[int, int]]] = {}
    big_event = next(event for event in events if event.state is EventState.PUBLISHED)
    for event in events:
        held = event.starts_at < world.now
        if event is big_event:
            plan = [(RegistrationState.SUBMITTED, max(60, round(len(speaker_ids) * 0.024)))]
            plan += [(RegistrationState.APPROVED, 6), (RegistrationState.WAITLISTED, 3)]
        elif held:
            plan = [(RegistrationState.APPROVED, chance.randint(8, 12)),
                    (RegistrationState.WAITLISTED, chance.randint(0, 2)),
                    (RegistrationState.REJECTED, chance.randint(0, 3)),
                    (RegistrationState.WITHDRAWN, chance.randint(0, 1)),
                    (RegistrationState.CANCELLED, chance.randint(0, 1))]  # fmt: skip
        else:
            plan = [(RegistrationState.SUBMITTED, chance.randint(3, 15)),
                    (RegistrationState.APPROVED, chance.randint(0, 6))]  # fmt: skip
        wanted = sum(number for _state, number in plan)
        speakers = iter(chance.sample(speaker_ids, min(wanted, len(speaker_ids))))
        order = 0
        for state, number in plan:
            for _ in range(number):
                speaker = next(speakers, None)
                if speaker is None:
                    break
                submitted = event.starts_at - timedelta(days=chance.uniform(3, 28))
                submitted = min(submitted, world.now - timedelta(hours=1))
                decided = None
                if state is not RegistrationState.SUBMITTED:
                    decided = min(submitted + timedelta(days=chance.uniform(0.1, 2)), world.now)
                if state is RegistrationState.APPROVED:
                    order += 1
                    approved.setdefault(event.id, []).append((speaker, registration_id))
                writer.add(table, {
                    "id": registration_id, "event_id": event.id, "speaker_id": speaker,
                    "state": state, "topic": "Keeping young engineers in the city",
                    "summary": "What the enterprises of the park hear from their engineers.",
                                        "consent_at": submitted, "consent_version": CONSENT_VERSION,
                    "speaking_order": order if state is RegistrationState.APPROVED else None,
                    "speaking_minutes": 5 if state is RegistrationState.APPROVED else None,
                    "organizer_message": "", "submitted_at": submitted, "decided_at": decided,
                    "updated_at": decided or submitted,
                })  # fmt: skip
                registration_id += 1
    return approved, big_event.id


def _items(connection, writer, world, events, approved, categories, count, echo) -> None:
    chance = world.chance
    items_table, entries_table = FollowUpItem.__table__, TimelineEntry.__table__
    item_id = next_id(connection, items_table)
    entry_id = next_id(connection, entries_table)
    held = [event for event in events if event.starts_at < world.now]
    per_event = chance.choices(held, weights=[e.weight for e in held], k=count)
    by_event: dict[int, int] = {}
    for event in per_event:
        by_event[event.id] = by_event.get(event.id, 0) + 1
    category_ids = [category for category, _ in categories]
    category_weights = [weight for _, weight in categories]
    written = 0
    for event in held:
        number = by_event.get(event.id, 0)
        if not number:
            continue
        age = (world.now - event.starts_at).days
        outcomes = OUTCOMES["old" if age > 120 else "recent" if age > 45 else "fresh"]
        names, weights = list(outcomes), list(outcomes.values())
        speakers = approved.get(event.id, [])
        lives = []  # (row, entries) of this event's items, written once merges are known
        for _ in range(number):
            speaker_id = registration_id = None
            created_by = None
            raised_by = ""
            created = event.starts_at + timedelta(minutes=chance.uniform(20, 170))
            if speakers and chance.random() < 0.92:
                speaker_id, registration_id = chance.choice(speakers)
            else:
                raised_by = chance.choice(SURNAMES) + chance.choice(GIVEN)
                created_by = world.organizer()
                created = event.starts_at + timedelta(hours=chance.uniform(4, 30))
            created = min(created, world.now - timedelta(hours=1))
            row = {
                "id": item_id, "event_id": event.id, "speaker_id": speaker_id,
                "registration_id": registration_id, "raised_by_name": raised_by,
                "category_id": chance.choices(category_ids, weights=category_weights)[0],
                "content": chance.choice(SUGGESTIONS).format(
                    place=chance.choice(PLACES), n=chance.randint(3, 400), m=chance.randint(2, 18)
                ),
                "state": ItemState.NEW, "lead_unit_id": None, "due_on": None,
                "instructions": "", "result": "", "assigned_at": None, "resolved_at": None,
                "closed_at": None, "satisfaction": None, "satisfaction_comment": "",
                "created_by_id": created_by, "merged_into_id": None, "version": 1,
                "created_at": created, "updated_at": created,
            }  # fmt: skip
            entries = [_entry(row, created, TimelineKind.CREATED, to_state=ItemState.NEW,
                              actor_user_id=created_by,
                              actor_speaker_id=speaker_id if created_by is None else None,
            )]  # fmt: skip
            lives.append((row, entries))
            item_id += 1
        # Merged duplicates: a later suggestion saying the same as an earlier one of the
        # event, merged while it was new; the rest live their lives.
        merged_into: dict[int, tuple[dict, list]] = {}
        for index in range(len(lives)):
            if index and chance.random() < 0.02:
                merged_into[index] = lives[chance.randrange(index)]
        for index, (row, entries) in enumerate(lives):
            if index in merged_into:
                target, target_entries = merged_into[index]
                if target["merged_into_id"] is None:
                    _merge(world, row, entries, target, target_entries)
                    continue
            outcome = chance.choices(names, weights=weights)[0]
            steps, state = life(world, row, outcome, row["speaker_id"], event.follow_up_days)
            times = lay_out(world, row["created_at"], steps)
            for step, at in zip(steps, times, strict=False):
                if step.to_state is not None:
                    from_state = row["state"]
                    row["state"] = step.to_state
                else:
                    from_state = None
                if step.effect is not None:
                    step.effect(row, at)
                entries.append(
                    _entry(row, at, step.kind, from_state=from_state, to_state=step.to_state,
                           actor_user_id=step.actor_user_id, actor_speaker_id=step.actor_speaker_id,
                           unit_id=step.unit_id, note=step.note, details=step.details,
                           percent=step.percent)
                )  # fmt: skip
            if row["lead_unit_id"] is not None:
                row["_co"] = state["co"]
            _flag_overdue(world, row, entries)
        for row, entries in lives:
            entries.sort(key=lambda entry: entry["at"])
            row["updated_at"] = entries[-1]["at"]
            row["version"] = len(entries)
            co_units = row.pop("_co", [])
            writer.add(items_table, row)
            for unit in co_units:
                writer.add(followup_item_co_unit, {"item_id": row["id"], "unit_id": unit})
            for entry in entries:
                entry["id"] = entry_id
                entry_id += 1
                writer.add(entries_table, entry)
        written += number
        if written // 20000 != (written - number) // 20000:
            echo(f"  {written} items, {writer.counts['timeline_entry']} timeline entries so far")


def _entry(row, at, kind, *, from_state=None, to_state=None, actor_user_id=None,
           actor_speaker_id=None, unit_id=None, note="", details=None,
           percent=None) -> dict:  # fmt: skip
    return {
        "item_id": row["id"], "at": at, "kind": kind, "actor_user_id": actor_user_id,
        "actor_speaker_id": actor_speaker_id, "unit_id": unit_id, "from_state": from_state,
        "to_state": to_state, "note": note, "details": details, "progress_percent": percent,
    }  # fmt: skip


def _merge(world, row, entries, target, target_entries) -> None:
    """The duplicate stays new and points at the item that carries on; both timelines say so."""
    at = max(row["created_at"], target["created_at"]) + timedelta(days=world.chance.uniform(0.5, 3))
    at = min(at, world.now - timedelta(minutes=2))
    if at <= row["created_at"]:
        at = row["created_at"] + timedelta(seconds=30)
    organizer = world.organizer()
    row["merged_into_id"] = target["id"]
    entries.append(_entry(row, at, TimelineKind.MERGED, actor_user_id=organizer,
                          details={timeline.MERGED_INTO: target["id"]}))  # fmt: skip
    target_entries.append(_entry(target, at, TimelineKind.MERGED, actor_user_id=organizer,
                                 details={timeline.MERGED_FROM: row["id"]}))  # fmt: skip


def _flag_overdue(world, row, entries) -> None:
    """What `flask remind` writes the morning after an item's due date passed unanswered."""
    if row["state"] in (ItemState.NEW, ItemState.RETURNED, ItemState.RESOLVED, ItemState.CLOSED):
        return
    due = row["due_on"]
    flagged = datetime.combine(due + timedelta(days=1), datetime.min.time(), world.zone)
    flagged = flagged.astimezone(UTC) + timedelta(hours=1)
    if entries[-1]["at"] < flagged < world.now:
        days = (world.city_date(world.now) - due).days
        entries.append(_entry(row, flagged, TimelineKind.BECAME_OVERDUE,
                              details=timeline.overdue(due, days)))  # fmt: skip
