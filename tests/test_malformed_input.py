"""Malformed input answers 400, 404 or a form error, never a 500, on both databases:
numbers beyond the integer columns, NUL bytes, year-1 dates, unexpected query keys."""

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from talentday.auth.models import Role
from talentday.extensions import db
from talentday.forms import to_int
from tests import factories
from tests.conftest import csrf_token, sign_in

# Beyond PostgreSQL's integer (32-bit), beyond SQLite's and PostgreSQL's bigint (64-bit),
# and far beyond both.
HUGE = ["2147483648", "9223372036854775808", "9" * 40, "-2147483649"]
QUERY_KEYS = [
    "category", "event", "unit", "returned_by", "page", "team", "status", "state", "sort",
]  # fmt: skip
DATE_KEYS = ["due_from", "due_to", "raised_from", "raised_to", "from", "to"]


@pytest.fixture
def clients(app, make_user, make_unit):
    unit = make_unit()
    result = {"anonymous": app.test_client()}
    for role in Role:
        client = app.test_client()
        sign_in(
            client,
            make_user(role, unit_id=unit.id if role is Role.DEPARTMENT_STAFF else None).email,
        )
        result[role.value] = client
    return result


def get_urls(app, number: str) -> list[str]:
    """Every GET route, its ids replaced by `number`, its other parts by something valid."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static"):
            continue
        path = rule.rule
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                value = number
            elif isinstance(converter, AnyConverter):
                value = sorted(converter.items)[0]
            else:
                value = "x"
            path = _substitute(path, name, value)
        urls.append(path)
    return urls


def _substitute(path: str, name: str, value: str) -> str:
    start = path.index("<")
    while start != -1:
        end = path.index(">", start)
        if path[start + 1 : end].split(":")[-1] == name:
            return path[:start] + value + path[end + 1 :]
        start = path.find("<", end)
    raise AssertionError(f"{name} not in {path}")


def test_to_int_refuses_numbers_no_id_column_can_hold():
    assert to_int("2147483647") == 2147483647 and to_int(" 12 ") == 12
    for value in HUGE:
        assert to_int(value) is None, value


@pytest.mark.parametrize("number", HUGE)
def test_huge_ids_in_urls_and_query_values_never_give_500(app, clients, number):
    query = "&".join(f"{key}={number}" for key in QUERY_KEYS)
    for path in get_urls(app, number):
        for who, client in clients.items():
            response = client.get(f"{path}?{query}")
            assert response.status_code < 500, (who, path)
            response.close()


def test_huge_ids_in_form_posts_give_400_or_a_form_error(app, clients):
    organizer = clients["organizer"]
    token = csrf_token(organizer, "/followup/")
    for number in HUGE:
        for url, data in (
            ("/followup/assign", {"item": number, "lead_unit_id": number, "due_on": "2030-01-01"}),
            ("/followup/new", {"event_id": number, "category_id": number, "content": "x"}),
            ("/followup/import/confirm", {"batch": "a" * 32 + ".csv", "event_id": number}),
            ("/manage/events/new", {"title": "x", "series": "x", "edition": number}),
            ("/admin/users/new", {}),
        ):
            response = organizer.post(url, data={"csrf_token": token, **data})
            assert response.status_code < 500, (url, number)


@pytest.fixture
def event_id(app):
    with app.app_context():
        event = factories.event()
        db.session.commit()
        return event.id


def test_nul_bytes_in_query_strings_and_forms_are_refused(app, clients, event_id):
    for who in ("organizer", "leader", "department_staff", "anonymous"):
        assert clients[who].get("/followup/?q=a%00b").status_code == 400, who
    assert clients["organizer"].get("/manage/events?q=%00").status_code == 400
    assert clients["anonymous"].get(f"/events/{event_id}?x=%00").status_code == 400
    anonymous = clients["anonymous"]
    response = anonymous.post(
        "/sign-in",
        data={
            "csrf_token": csrf_token(anonymous, "/sign-in"),
            "email": "a\x00@example.com",
            "password": "x",
        },
    )
    assert response.status_code == 400
    organizer = clients["organizer"]
    response = organizer.post(
        "/manage/events/new",
        data={"csrf_token": csrf_token(organizer, "/manage/events/new"), "title": "Salon\x00"},
    )
    assert response.status_code == 400
    # A NUL in a path segment is refused the same way.
    assert anonymous.get("/r/abc%00def").status_code in (400, 404)


def test_dates_in_year_one_are_form_errors(app, clients, event_id):
    organizer = clients["organizer"]
    url = "/manage/events/new"
    response = organizer.post(
        url,
        data={
            "csrf_token": csrf_token(organizer, url),
            "title": "Salon",
            "series": "Talent Salon",
            "edition": "30",
            "starts_at": "0001-01-01T00:00",
            "ends_at": "0001-01-01T03:00",
            "speaking_slots": "10",
            "follow_up_days": "30",
        },
    )
    assert response.status_code in (200, 400)
    assert "Enter a date" in response.get_data(as_text=True)
    with app.app_context():
        item = factories.item()
        db.session.commit()
        item_id = item.id
    response = organizer.post(
        "/followup/assign",
        data={
            "csrf_token": csrf_token(organizer, "/followup/"),
            "item": str(item_id),
            "lead_unit_id": str(factories_unit_id(app)),
            "due_on": "0001-01-01",
        },
    )
    assert response.status_code < 500
    for key in DATE_KEYS:
        for who in ("organizer", "leader"):
            for path in ("/followup/", "/dashboard/", "/dashboard/report", "/followup/ledger.csv"):
                assert clients[who].get(f"{path}?{key}=0001-01-01").status_code < 500, path


def factories_unit_id(app) -> int:
    with app.app_context():
        unit = factories.unit()
        db.session.commit()
        return unit.id


def test_unexpected_query_keys_never_break_links(app, clients, event_id):
    unit_id = factories_unit_id(app)
    leader, organizer = clients["leader"], clients["organizer"]
    hostile = "_external=1&_scheme=javascript&_anchor=x&endpoint=x&unit_id=1&event_id=2&fmt=x"
    for path in ("/dashboard/", "/dashboard/report", f"/dashboard/units/{unit_id}"):
        response = leader.get(f"{path}?{hostile}")
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert "javascript:" not in page and "http://localhost/dashboard" not in page
    for path in ("/followup/", "/admin/users", "/manage/outbox/", "/manage/events"):
        who = clients["admin"] if path.startswith("/admin") else organizer
        assert who.get(f"{path}?{hostile}").status_code == 200, path
    url = f"/manage/events/{event_id}/registrations"
    response = organizer.post(
        f"{url}?{hostile}", data={"csrf_token": csrf_token(organizer, url), "action": "approved"}
    )
    assert response.status_code in (200, 302, 400)
    if response.status_code == 302:
        assert response.headers["Location"].startswith(url)
