"""The tracker through the browser's eyes: who may do what, conflicts, ledger, import."""

import io
import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup import services, working_days
from talentday.followup.models import (
    FollowUpItem,
    ItemState,
    ResultClass,
    TimelineEntry,
    TimelineKind,
)
from talentday.i18n import city_today
from talentday.outbox.models import OutboxMessage
from talentday.registrations import services as registration_services
from tests import factories
from tests.conftest import csrf_token, open_private_link, sign_in


def a_month_ahead() -> str:
    return (datetime.now(UTC).date() + timedelta(days=30)).isoformat()


ACTION_STATE = {
    "assign": ItemState.NEW,
    "accept": ItemState.ASSIGNED,
    "return": ItemState.ASSIGNED,
    "progress": ItemState.ACCEPTED,
    "result": ItemState.ACCEPTED,
    "close": ItemState.RESOLVED,
    "reopen": ItemState.RESOLVED,
    "urge": ItemState.ACCEPTED,
}


@pytest.fixture
def world(app, make_user, make_unit):
    """Units, one person of each kind, and a signed-in client for each."""
    lead, co, other = make_unit(name="Lead Bureau"), make_unit(name="Co Bureau"), make_unit()
    users = {
        "organizer": make_user(Role.ORGANIZER),
        "lead": make_user(Role.DEPARTMENT_STAFF, unit_id=lead.id),
        "co": make_user(Role.DEPARTMENT_STAFF, unit_id=co.id),
        "other": make_user(Role.DEPARTMENT_STAFF, unit_id=other.id),
        "leader": make_user(Role.LEADER),
        "admin": make_user(Role.ADMIN),
    }
    clients = {"anonymous": app.test_client()}
    for name, user in users.items():
        clients[name] = app.test_client()
        sign_in(clients[name], user.email)
    return {"users": users, "clients": clients, "units": (lead.id, co.id, other.id)}


def make_item(app, world, state: ItemState) -> int:
    """An item of the lead unit (with the co unit) brought to `state`."""
    with app.app_context():
        item = factories.item(event=factories.event(follow_up_days=30))
        users = {k: db.session.get(User, u.id) for k, u in world["users"].items()}
        _lead_id, _co_id, _ = world["units"]
        today = city_today()
        if state is not ItemState.NEW:
            services.assign(
                item, lead_unit=users["lead"].unit, co_units=[users["co"].unit],
                due_on=today + timedelta(days=20), instructions="", by=users["organizer"],
                today=today,
            )  # fmt: skip
        if state in (ItemState.ACCEPTED, ItemState.RESOLVED):
            services.accept(item, by=users["lead"])
            # Countersigned: the lead unit's result waits for nothing.
            services.give_opinion(item, opinion="Agreed.", by=users["co"])
        if state is ItemState.RESOLVED:
            services.submit_result(
                item, result_class=ResultClass.SOLVED, result="Done.", by=users["lead"]
            )
        db.session.commit()
        return item.id


def post(world, who: str, item_id: int, action: str, data: dict | None = None, version=None):
    client = world["clients"][who]
    token = csrf_token(client, "/")
    form = {"csrf_token": token}
    if version is not None:
        form[f"{action}-version"] = str(version)
    for key, value in (data or {}).items():
        form[f"{action}-{key}"] = value
    # Past the page that asks first (closing): test_closing_asks_first reads that page.
    form["confirmed"] = "yes"
    return client.post(f"/followup/items/{item_id}/{action}", data=form)


def form_for(world, action: str) -> dict:
    lead_id, _, _ = world["units"]
    return {
        "assign": {"lead_unit_id": str(lead_id), "due_on": a_month_ahead()},
        "accept": {},
        "return": {"reason": "Not ours."},
        "progress": {"note": "Halfway.", "percent": "50"},
        "result": {"result": "Answered.", "result_class": "solved"},
        "close": {},
        "reopen": {"reason": "Incomplete."},
        "urge": {"note": "Please hurry."},
    }[action]  # fmt: skip


# Who may make each move: 302 done, 403 refused, 404 may not know the item exists,
# "signin" sent to sign in.
EXPECTED = {
    "organizer": {"assign": 302, "close": 302, "reopen": 302, "urge": 302},
    "lead": {"accept": 302, "return": 302, "progress": 302, "result": 302},
    "co": {"progress": 302},
    "leader": {},
    "other": "404",
    "admin": "404",
    "anonymous": "signin",
}


@pytest.mark.parametrize("action", list(ACTION_STATE))
@pytest.mark.parametrize("who", list(EXPECTED))
def test_permission_matrix(app, world, who, action):
    item_id = make_item(app, world, ACTION_STATE[action])
    response = post(world, who, item_id, action, form_for(world, action))
    expected = EXPECTED[who]
    if ACTION_STATE[action] is ItemState.NEW and who in ("lead", "co"):
        expected = "404"  # a unit sees an item only once it is assigned to it
    if expected == "signin":
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    elif expected == "404":
        assert response.status_code == 404
    else:
        assert response.status_code == expected.get(action, 403), response.get_data(as_text=True)[
            :500
        ]
    with app.app_context():
        item = db.session.get(FollowUpItem, item_id)
        moved = (
            item.state is not ACTION_STATE[action]
            or (
                action == "urge"
                and any(
                    e.kind is TimelineKind.URGED
                    for e in db.session.scalars(
                        sa.select(TimelineEntry).where(TimelineEntry.item_id == item_id)
                    )
                )
            )
            or (action == "progress" and item.state is ItemState.ACCEPTED and who == "co")
        )
        if response.status_code != 302 or expected in ("signin", "404"):
            assert item.state is ACTION_STATE[action], "a refused move changes nothing"
        else:
            assert moved


@pytest.mark.parametrize(
    "who", ["organizer", "leader", "lead", "co", "other", "admin", "anonymous"]
)
def test_who_sees_an_item(app, world, who):
    item_id = make_item(app, world, ItemState.ACCEPTED)
    response = world["clients"][who].get(f"/followup/items/{item_id}")
    expected = {"organizer": 200, "leader": 200, "lead": 200, "co": 200, "other": 404, "admin": 404}
    if who == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == expected[who]


def test_guessing_an_id_answers_404_like_a_missing_item(app, world):
    item_id = make_item(app, world, ItemState.ACCEPTED)
    other = world["clients"]["other"]
    assert other.get(f"/followup/items/{item_id}").status_code == 404
    assert other.get("/followup/items/999999").status_code == 404


def test_contact_details_only_for_organizers_and_the_lead_unit(app, world):
    item_id = make_item(app, world, ItemState.ACCEPTED)
    with app.app_context():
        email = db.session.get(FollowUpItem, item_id).speaker.email
    for who, sees in (("organizer", True), ("lead", True), ("co", False), ("leader", False)):
        page = world["clients"][who].get(f"/followup/items/{item_id}").get_data(as_text=True)
        assert (email in page) is sees, who


def test_staff_ledger_shows_only_their_items(app, world):
    mine = make_item(app, world, ItemState.ACCEPTED)
    unassigned = make_item(app, world, ItemState.NEW)
    page = world["clients"]["lead"].get("/followup/").get_data(as_text=True)
    assert f"/followup/items/{mine}" in page and f"/followup/items/{unassigned}" not in page
    page = world["clients"]["other"].get("/followup/").get_data(as_text=True)
    assert f"/followup/items/{mine}" not in page
    assert world["clients"]["admin"].get("/followup/").status_code == 403


def test_the_second_of_two_simultaneous_edits_is_told_and_keeps_its_text(app, world):
    item_id = make_item(app, world, ItemState.ACCEPTED)
    with app.app_context():
        version = db.session.get(FollowUpItem, item_id).version
    first = post(world, "lead", item_id, "progress", {"note": "First note."}, version=version)
    assert first.status_code == 302
    second = post(
        world, "co", item_id, "progress", {"note": "My careful second note."}, version=version
    )
    page = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Someone else changed this item" in page
    assert "My careful second note." in page, "the typed text is still in the form"
    assert "First note." in page, "the page shows the latest state"
    with app.app_context():
        notes = db.session.scalars(
            sa.select(TimelineEntry.note).where(TimelineEntry.item_id == item_id)
        ).all()
        assert "First note." in notes and "My careful second note." not in notes


def test_truly_simultaneous_saves_never_lose_an_edit(app, world):
    """Both read the same version at the same moment; the database lets only one through."""
    item_id = make_item(app, world, ItemState.ACCEPTED)
    with app.app_context():
        version = db.session.get(FollowUpItem, item_id).version
    barrier = threading.Barrier(2)
    results = {}

    def save(who, text):
        with app.app_context():
            user = db.session.get(User, world["users"][who].id)
            item = db.session.get(FollowUpItem, item_id)
            _ = item.co_units, item.version
            barrier.wait(timeout=30)
            try:
                services.post_progress(
                    item, note=text, percent=None, by=user, expected_version=version
                )
                db.session.commit()
                results[who] = "saved"
            except Exception as error:
                db.session.rollback()
                results[who] = type(error).__name__
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=save, args=("lead", "Lead's note")),
        threading.Thread(target=save, args=("co", "Co-unit's note")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values())[-1] == "saved"
    assert list(results.values()).count("saved") == 1, results
    assert set(results.values()) - {"saved"} <= {
        "StaleDataError",
        "ConflictError",
        "OperationalError",
    }
    with app.app_context():
        notes = db.session.scalars(
            sa.select(TimelineEntry.note).where(
                TimelineEntry.item_id == item_id, TimelineEntry.kind == TimelineKind.PROGRESS
            )
        ).all()
        assert len(notes) == 1


def test_form_errors_are_shown_by_the_field(app, world):
    item_id = make_item(app, world, ItemState.ASSIGNED)
    response = post(world, "lead", item_id, "return", {"reason": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter the reason" in page
    assert 'href="#return-reason"' in page


def test_ledger_filters_sort_and_link(app, world):
    late = make_item(app, world, ItemState.ACCEPTED)
    fresh = make_item(app, world, ItemState.NEW)
    with app.app_context():
        item = db.session.get(FollowUpItem, late)
        item.due_on = city_today() - timedelta(days=3)
        item.content = "Kindergarten places for the children of talents"
        db.session.commit()
    client = world["clients"]["organizer"]
    page = client.get("/followup/?overdue=1").get_data(as_text=True)
    assert f"/followup/items/{late}" in page and f"/followup/items/{fresh}" not in page
    assert "3 days overdue" in page
    page = client.get("/followup/?q=KINDERGARTEN").get_data(as_text=True)
    assert f"/followup/items/{late}" in page and f"/followup/items/{fresh}" not in page
    page = client.get("/followup/?state=new").get_data(as_text=True)
    assert f"/followup/items/{fresh}" in page and f"/followup/items/{late}" not in page
    _lead_id, co_id, _ = world["units"]
    as_co = client.get(f"/followup/?unit={co_id}&role=co").get_data(as_text=True)
    assert f"/followup/items/{late}" in as_co
    as_lead = client.get(f"/followup/?unit={co_id}&role=lead").get_data(as_text=True)
    assert f"/followup/items/{late}" not in as_lead
    # The export link keeps the filters.
    assert "/followup/ledger.xlsx?overdue=1" in client.get("/followup/?overdue=1").get_data(
        as_text=True
    )


def test_ledger_export_has_the_latest_progress_and_is_formula_safe(app, world):
    item_id = make_item(app, world, ItemState.ACCEPTED)
    post(world, "lead", item_id, "progress", {"note": "=1+1 progress"})
    response = world["clients"]["organizer"].get("/followup/ledger.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    # Row 1 names the table, its filter and the time; the header is row 2.
    header = [cell.value for cell in sheet[2]]
    row = dict(zip(header, [cell.value for cell in sheet[3]], strict=True))
    assert row["Latest progress"] == "'=1+1 progress"
    assert row["Lead unit"] == "Lead Bureau" and row["Co-handling units"] == "Co Bureau"
    csv_text = world["clients"]["organizer"].get("/followup/ledger.csv").get_data(as_text=True)
    assert "'=1+1 progress" in csv_text


def test_bulk_assignment(app, world):
    ids = [make_item(app, world, ItemState.NEW) for _ in range(3)]
    client = world["clients"]["organizer"]
    lead_id, co_id, _ = world["units"]
    response = client.post(
        "/followup/assign",
        data={
            "csrf_token": csrf_token(client, "/followup/"),
            "item": [str(i) for i in ids[:2]],
            "lead_unit_id": str(lead_id),
            "co_unit_ids": [str(co_id)],
            "due_on": a_month_ahead(),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        states = [db.session.get(FollowUpItem, i).state for i in ids]
        assert states == [ItemState.ASSIGNED, ItemState.ASSIGNED, ItemState.NEW]


def test_bulk_assignment_starts_with_no_lead_unit_chosen(app, world):
    """Issue 10: the list once preselected the first unit, so an organizer who only set the
    date assigned every ticked item to a unit nobody chose."""
    make_item(app, world, ItemState.NEW)
    page = world["clients"]["organizer"].get("/followup/").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="lead_unit_id".*?</select>', page, re.S).group(0)
    options = re.findall(r"<option( selected)? value=\"([^\"]*)\">([^<]*)</option>", select)
    chosen = [option for option in options if option[0]] or options[:1]
    assert [(value, label) for _, value, label in chosen] == [("", "Choose the lead unit")]


def test_bulk_assignment_without_a_unit_is_an_error_at_the_field_on_the_same_ledger(app, world):
    ids = [make_item(app, world, ItemState.NEW) for _ in range(2)]
    client = world["clients"]["organizer"]
    response = client.post(
        "/followup/assign?state=new&sort=number",
        data={
            "csrf_token": csrf_token(client, "/followup/?state=new&sort=number"),
            "back": "/followup/?state=new&sort=number",
            "item": [str(ids[0])],
            "due_on": a_month_ahead(),
            "instructions": "Answer within the month",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Follow-up ledger" in page
    assert 'href="#lead_unit_id">Choose the lead unit</a>' in page
    assert 'id="lead_unit_id-error"' in page
    # What the organizer typed and ticked is kept, and the ledger keeps its filters.
    assert f'value="{ids[0]}" id="item-{ids[0]}" aria-label="Choose item {ids[0]}" checked' in page
    assert f'id="item-{ids[1]}" aria-label="Choose item {ids[1]}">' in page
    assert "Answer within the month" in page and f'value="{a_month_ahead()}"' in page
    assert '<option selected value="new">' in page or '<option value="new" selected' in page
    with app.app_context():
        assert {db.session.get(FollowUpItem, i).state for i in ids} == {ItemState.NEW}


def test_bulk_assignment_without_a_date_gives_each_item_its_events_period(app, world):
    client = world["clients"]["organizer"]
    lead_id, _, _ = world["units"]
    with app.app_context():
        short = factories.item(event=factories.event(follow_up_days=7)).id
        long = factories.item(event=factories.event(follow_up_days=45)).id
        db.session.commit()
    response = client.post(
        "/followup/assign",
        data={
            "csrf_token": csrf_token(client, "/followup/"),
            "item": [str(short), str(long)],
            "lead_unit_id": str(lead_id),
            "due_on": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        today = city_today()
        assert db.session.get(FollowUpItem, short).due_on == today + timedelta(days=7)
        assert db.session.get(FollowUpItem, long).due_on == today + timedelta(days=45)


def test_bulk_assignment_to_a_unit_that_does_not_exist_is_refused_not_a_crash(app, world):
    """Found by the form fuzz: a lead unit id that names no unit made the service fail."""
    item_id = make_item(app, world, ItemState.NEW)
    client = world["clients"]["organizer"]
    response = client.post(
        "/followup/assign",
        data={
            "csrf_token": csrf_token(client, "/followup/"),
            "item": [str(item_id)],
            "lead_unit_id": "-1",
            "due_on": a_month_ahead(),
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Choose a lead unit that is active" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(FollowUpItem, item_id).state is ItemState.NEW


def test_quick_entry(app, world):
    with app.app_context():
        event = factories.event()
        category = factories.category(name="Talent cultivation")
        db.session.commit()
        event_id, category_id = event.id, category.id
    client = world["clients"]["organizer"]
    url = f"/followup/new?event={event_id}"
    bad = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "event_id": event_id,
            "category_id": category_id,
            "content": "Joint training bases.",
        },
    )
    assert "Choose a speaker or enter who raised it" in bad.get_data(as_text=True)
    ok = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "event_id": event_id,
            "category_id": category_id,
            "raised_by_name": "Visiting professor",
            "content": "Joint training bases.",
        },
    )
    assert ok.status_code == 302
    with app.app_context():
        item = db.session.scalar(sa.select(FollowUpItem))
        assert item.raised_by == "Visiting professor" and item.state is ItemState.NEW


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def import_event(app):
    with app.app_context():
        event = factories.event()
        factories.category(name="Talent apartments", name_zh="人才公寓", code="talent-apartments")
        speaker = factories.speaker(email="gao@example.com", name="Gao Lizhi")
        factories.registration(event=event, speaker=speaker)
        db.session.commit()
        return event.id


def test_import_previews_every_row_and_saves_only_on_confirmation(app, world, import_event):
    data = _xlsx(
        [
            ["Speaker email", "Name", "Category", "Suggestion"],
            ["gao@example.com", "", "Talent apartments", "Open apartments near the zone."],
            ["", "Visiting professor", "人才公寓", '<script>alert(1)</script> =HYPERLINK("x")'],
            ["nobody@example.com", "", "Talent apartments", "Unknown speaker"],
            ["", "Someone", "Space travel", "Unknown category"],
            ["", "", "Talent apartments", "Nobody raised it"],
            ["", "Someone", "Talent apartments", ""],
        ]
    )
    client = world["clients"]["organizer"]
    preview = client.post(
        "/followup/import",
        data={
            "csrf_token": csrf_token(client, "/followup/import"),
            "event_id": str(import_event),
            "file": (io.BytesIO(data), "suggestions.xlsx"),
        },
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert "2 of 6 rows are ready to import" in page
    assert "No speaker of this event has the email nobody@example.com" in page
    assert "Unknown category “Space travel”" in page
    assert (
        "Give the speaker&#39;s email or the name of who raised it" in page
        or "Give the speaker's email" in page
    )
    assert "The suggestion is empty" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpItem)) == 0
    batch = re.search(r'name="batch" value="([^"]+)"', page).group(1)
    confirm = client.post(
        "/followup/import/confirm",
        data={
            "csrf_token": csrf_token(client, "/followup/import"),
            "batch": batch,
            "event_id": str(import_event),
        },
    )
    assert confirm.status_code == 302
    with app.app_context():
        items = db.session.scalars(sa.select(FollowUpItem).order_by(FollowUpItem.id)).all()
        assert [item.raised_by for item in items] == ["Gao Lizhi", "Visiting professor"]
        assert items[0].registration is not None
        assert items[1].content.startswith("<script>"), "kept as text, shown escaped"


def test_import_refuses_files_it_cannot_read(app, world, import_event):
    client = world["clients"]["organizer"]
    for name, data, message in (
        ("notes.txt", b"hello", "Choose an .xlsx or .csv file"),
        ("broken.xlsx", b"not a zip", "could not be read as an Excel workbook"),
        ("empty.csv", b"", "The file is empty"),
        ("headers.csv", b"a,b\n1,2\n", "must name the columns"),
    ):
        page = client.post(
            "/followup/import",
            data={
                "csrf_token": csrf_token(client, "/followup/import"),
                "event_id": str(import_event),
                "file": (io.BytesIO(data), name),
            },
            content_type="multipart/form-data",
        ).get_data(as_text=True)
        assert message in page, name


def test_import_reads_chinese_csv_from_excel(app, world, import_event):
    text = "邮箱,类别,意见建议\ngao@example.com,人才公寓,建设人才公寓\n"
    client = world["clients"]["organizer"]
    page = client.post(
        "/followup/import",
        data={
            "csrf_token": csrf_token(client, "/followup/import"),
            "event_id": str(import_event),
            "file": (io.BytesIO(text.encode("gb18030")), "台账.csv"),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "1 of 1 rows are ready to import" in page


def test_the_speaker_rates_through_the_private_link(app, world):
    with app.app_context():
        from datetime import UTC, datetime

        from talentday.events.models import EventState

        now = datetime.now(UTC)
        event = factories.event(
            state=EventState.PUBLISHED,
            starts_at=now + timedelta(days=9),
            ends_at=now + timedelta(days=9, hours=2),
        )
        category = factories.category()
        outcome = registration_services.register(
            event,
            registration_services.SpeakerDetails(
                "Gao Lizhi",
                "gao@example.com",
                "13800000000",
                "Institute",
                "Dean",
                factories.TalentTeam.OTHER,
            ),
            topic="t",
            summary="",
            suggestions=[registration_services.SuggestionDraft(category, "Apartments.")],
            consent=True,
        )
        db.session.commit()
        token = outcome.token
        item = db.session.scalar(sa.select(FollowUpItem))
        users = {k: db.session.get(User, u.id) for k, u in world["users"].items()}
        services.assign(
            item,
            lead_unit=users["lead"].unit,
            co_units=[],
            due_on=city_today(),
            instructions="",
            by=users["organizer"],
            today=city_today(),
        )
        services.accept(item, by=users["lead"])
        services.submit_result(
            item,
            result_class=ResultClass.SOLVED,
            result="Apartments open in March.",
            by=users["lead"],
        )
        db.session.commit()
        item_id, version = item.id, item.version
    speaker = app.test_client()
    link = open_private_link(speaker, f"/r/{token}")
    page = speaker.get(link).get_data(as_text=True)
    assert "Apartments open in March." in page and "How satisfied are you" in page
    missing = speaker.post(
        f"/r/items/{item_id}/rating",
        data={
            "csrf_token": csrf_token(speaker, link),
            f"rate{item_id}-version": str(version),
            f"rate{item_id}-satisfaction": "unsatisfied",
            f"rate{item_id}-contacted": "yes",
            f"rate{item_id}-comment": "",
        },
    )
    assert "Say what is missing from the answer" in missing.get_data(as_text=True)
    done = speaker.post(
        f"/r/items/{item_id}/rating",
        data={
            "csrf_token": csrf_token(speaker, link),
            f"rate{item_id}-version": str(version),
            f"rate{item_id}-satisfaction": "unsatisfied",
            f"rate{item_id}-contacted": "no",
            f"rate{item_id}-comment": "No date for my district.",
        },
    )
    assert done.status_code == 302
    with app.app_context():
        item = db.session.get(FollowUpItem, item_id)
        assert item.state is ItemState.REOPENED and item.speaker_says_contacted is False
        assert (
            db.session.scalar(
                sa.select(OutboxMessage.to_email).where(OutboxMessage.kind == "item_reopened")
            )
            == world["users"]["lead"].email
        )
    other = app.test_client()
    assert other.get(f"/r/{token}".replace(token[:5], "xxxxx")).status_code == 404
    assert other.post(f"/r/items/{item_id}/rating", data={}).status_code in (400, 403)


def test_a_speaker_link_reaches_only_that_speakers_own_items(app, world):
    with app.app_context():
        from talentday.events.models import EventState

        now = datetime.now(UTC)
        event = factories.event(
            state=EventState.PUBLISHED,
            starts_at=now + timedelta(days=9),
            ends_at=now + timedelta(days=9, hours=2),
        )
        category = factories.category()
        tokens = []
        for email in ("a@example.com", "b@example.com"):
            outcome = registration_services.register(
                event,
                registration_services.SpeakerDetails(
                    "Speaker", email, "13800000000", "Org", "Post", factories.TalentTeam.OTHER
                ),
                topic="t",
                summary="",
                suggestions=[registration_services.SuggestionDraft(category, f"From {email}")],
                consent=True,
            )
            tokens.append(outcome.token)
        db.session.commit()
        others_item = db.session.scalar(
            sa.select(FollowUpItem.id).where(FollowUpItem.content == "From b@example.com")
        )
    speaker = app.test_client()
    link = open_private_link(speaker, f"/r/{tokens[0]}")
    page = speaker.get(link).get_data(as_text=True)
    assert "From a@example.com" in page and "From b@example.com" not in page
    response = speaker.post(
        f"/r/items/{others_item}/rating",
        data={
            "csrf_token": csrf_token(speaker, link),
            f"rate{others_item}-satisfaction": "satisfied",
        },
    )
    assert response.status_code == 404
    assert speaker.get(f"/followup/items/{others_item}").status_code == 302  # to sign in


@pytest.mark.parametrize(
    "hostile", ["https://evil.example/ledger", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_bulk_assignment_goes_back_only_to_this_site(app, world, hostile):
    """Finding 13: the hidden `back` field must not send an organizer to another site."""
    item_id = make_item(app, world, ItemState.NEW)
    client = world["clients"]["organizer"]
    lead_id, _, _ = world["units"]
    token = csrf_token(client, "/followup/")
    for data in (
        {"item": [str(item_id)], "lead_unit_id": str(lead_id), "due_on": a_month_ahead()},
        {},  # nothing ticked: the early way out redirects too
    ):
        response = client.post(
            "/followup/assign", data={"csrf_token": token, "back": hostile, **data}
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/followup/", hostile
    kept = client.post(
        "/followup/assign", data={"csrf_token": token, "back": "/followup/?state=new"}
    )
    assert kept.headers["Location"] == "/followup/?state=new"


def test_the_bulk_forms_address_keeps_only_the_ledgers_filters(app, world):
    """Found reading the change: the form's action was url_for(**request.args), so an address
    with `_external` and `_scheme` in its query made the form post to another scheme and host."""
    make_item(app, world, ItemState.NEW)
    client = world["clients"]["organizer"]
    page = client.get("/followup/?state=new&_external=1&_scheme=javascript&_anchor=x").get_data(
        as_text=True
    )
    action = re.search(r'<form method="post" action="([^"]*assign[^"]*)"', page).group(1)
    assert action == "/followup/assign?state=new"


def test_closing_asks_first_and_keeps_the_note_typed(app, world):
    """Issue 10: closing an item was one click; now a page says what closing ends, and its
    button closes with what was typed."""
    item_id = make_item(app, world, ItemState.RESOLVED)
    client = world["clients"]["organizer"]
    token = csrf_token(client, f"/followup/items/{item_id}")
    data = {"csrf_token": token, "close-version": "", "close-note": "Confirmed with the speaker"}
    with app.app_context():
        data["close-version"] = str(db.session.get(FollowUpItem, item_id).version)
    asked = client.post(f"/followup/items/{item_id}/close", data=data)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Closing ends the follow-up of this suggestion" in page
    assert 'name="close-note" value="Confirmed with the speaker"' in page
    with app.app_context():
        assert db.session.get(FollowUpItem, item_id).state is ItemState.RESOLVED
    done = client.post(f"/followup/items/{item_id}/close", data={**data, "confirmed": "yes"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(FollowUpItem, item_id).state is ItemState.CLOSED


def test_assigning_in_working_days_sets_the_date_the_calendar_gives(app, world):
    client = world["clients"]["organizer"]
    item_id = make_item(app, world, ItemState.NEW)
    lead_id, _, _ = world["units"]
    response = post(
        world, "organizer", item_id, "assign",
        {"lead_unit_id": str(lead_id), "due_on": a_month_ahead(), "due_in_working_days": "10"},
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        expected = working_days.add_working_days(city_today(), 10)
        assert db.session.get(FollowUpItem, item_id).due_on == expected.due_on
    page = client.get(f"/followup/items/{item_id}").get_data(as_text=True)
    assert ("has not published the holidays" in page) is expected.estimated


def test_working_days_beyond_the_known_years_are_assigned_with_a_warning(app, world, monkeypatch):
    """Past the years the official calendar knows, weekdays are counted, and the page says
    so (the known years are cut short here, so that the test holds whatever the package
    knows)."""
    with app.app_context():
        this_year = city_today().year
    monkeypatch.setattr(working_days, "KNOWN_YEARS", range(2004, this_year))
    item_id = make_item(app, world, ItemState.NEW)
    lead_id, _, _ = world["units"]
    post(world, "organizer", item_id, "assign",
         {"lead_unit_id": str(lead_id), "due_on": "", "due_in_working_days": "5"})  # fmt: skip
    page = world["clients"]["organizer"].get(f"/followup/items/{item_id}").get_data(as_text=True)
    assert "has not published the holidays after" in page
    with app.app_context():
        due_on = db.session.get(FollowUpItem, item_id).due_on
        assert due_on.weekday() < 5


def test_an_assignment_needs_a_date_or_working_days(app, world):
    item_id = make_item(app, world, ItemState.NEW)
    lead_id, _, _ = world["units"]
    empty = {"lead_unit_id": str(lead_id), "due_on": "", "due_in_working_days": ""}
    response = post(world, "organizer", item_id, "assign", empty)
    assert response.status_code in (200, 400)
    assert "Enter the due date" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(FollowUpItem, item_id).lead_unit_id is None


def test_an_events_period_in_working_days_skips_the_national_day_holiday(app_ctx):
    event = factories.event(follow_up_days=5, follow_up_in_working_days=True)
    item = factories.item(event=event)
    assert services.default_due_date(item, date(2026, 9, 30)) == date(2026, 10, 13)
    calendar = factories.item(event=factories.event(follow_up_days=5))
    assert services.default_due_date(calendar, date(2026, 9, 30)) == date(2026, 10, 5)
