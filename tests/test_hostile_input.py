"""Hostile text through every form and the follow-up import (issue 8, "Proofs").

Script and attribute payloads, `javascript:` links, control characters, NUL, a right-to-left
override, 100 KB strings, emoji, astral characters and Chinese go into every text field of
every form, posted as the role that may use the form with the CSRF token of its page. The
answer is a form error, a redirect or a 4xx, never a 5xx; a refused post changes no row
count; what is stored is stored whole; and no page shows a payload unescaped.
"""

import csv
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from talentday.extensions import db
from talentday.followup.models import FollowUpItem
from talentday.registrations.forms import SUGGESTION_SLOTS
from tests.conftest import csrf_token
from tests.form_world import (
    ENDPOINTS,
    FORM_CASES,
    SHOWN_FIELDS,
    build_world,
    field_specs,
    row_counts,
)

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
PAYLOADS = {
    "script": SCRIPT,
    "attribute": ATTRIBUTE,
    "javascript link": "javascript:alert(1)",
    "control characters": "Eve\x07Adams\x1b[31m",
    "right-to-left override": "Eve\u202eAdams",
    "100 KB": "A" * 100_000,
    "emoji and astral": "Talent 🚀 salon 𠀋 𝔘𝔫𝔦",
    "chinese": "加快人才公寓建设，完善配套设施。",
}
# Markup that would run if a payload reached a page unescaped.
UNESCAPED = [
    re.compile(r"<script>alert\(1\)", re.IGNORECASE),
    re.compile(r"<img src=x onerror", re.IGNORECASE),
    re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE),
]
TEXT_KINDS = {"text", "multiline", "password"}


@pytest.fixture
def world(app, make_user, monkeypatch):
    return build_world(app, make_user, monkeypatch)


def viewer(world, path: str):
    """The client of someone who may see the page."""
    if path.startswith("/admin"):
        return world.clients["admin"]
    if path.startswith("/r/"):
        return world.clients["speaker"]
    if path.startswith("/account/api-tokens"):
        return world.clients["leader"]  # each account sees its own tokens; the case's are hers
    return world.clients["organizer"]


def assert_escaped(html: str, where: str) -> None:
    for pattern in UNESCAPED:
        assert not pattern.search(html), f"unescaped {pattern.pattern!r} in {where}"


def stored_values(app, fragment: str) -> list[str]:
    """Every text value in the database that holds the fragment."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, sa.String) or isinstance(column.type, sa.Enum):
                    continue
                found += db.session.scalars(
                    sa.select(column).where(column.contains(fragment, autoescape=True))
                ).all()
    return found


def assert_whole(app, payload: str) -> None:
    """A payload that was stored at all was stored whole, never cut short."""
    for value in stored_values(app, payload[:40]):
        assert payload in value, f"a cut-short copy of {payload[:40]!r} was stored"


def post_as(world, form_case, data: dict):
    # A new visitor each time: a successful sign-in must not turn the next post into a
    # signed-in one, and a registration's session must not carry over.
    client = (
        world.app.test_client() if form_case.role == "anonymous" else world.clients[form_case.role]
    )
    token = csrf_token(client, form_case.page(world))
    return client.post(form_case.url(world), data={"csrf_token": token, **data})


def check_answer(app, world, form_case, response, before, payload, name, label, before_stored):
    assert response.status_code < 500, label
    assert response.status_code in (200, 201, 302, 303) or 400 <= response.status_code < 500, label
    assert_escaped(response.get_data(as_text=True), label)
    # 201: made, and this page says so (the API token page, which shows the secret once).
    if response.status_code in (201, 302, 303):
        assert_whole(app, payload)
        # Refused at input by forms.BaseForm, so no export or message header ever meets one.
        assert not stored_values(app, "\x07"), f"{label}: a control character was stored"
        location = response.headers.get("Location", form_case.page(world))
        # A payload in `next` or `back` never sends the browser off the site.
        assert location.startswith("/") and not location.startswith("//"), (label, location)
        pages = [location, *form_case.shows(world)]
        shown = ""
        for page in dict.fromkeys(pages):
            answer = viewer(world, page).get(page)
            assert answer.status_code < 500, (label, page)
            text = answer.get_data(as_text=True)
            assert_escaped(text, f"{page} after {label}")
            shown += text
        if (
            before_stored is not None
            and name in SHOWN_FIELDS.get(form_case.name, ())
            and len(stored_values(app, payload)) > before_stored
        ):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown, (
                f"{label}: stored, but shown on none of {form_case.shows(world)}"
            )
            return True
    else:
        assert row_counts(app) == before, f"{label} was refused but changed rows"
    return False


def test_every_post_route_has_a_form_case(app):
    # The API's operations take JSON, not forms: schemathesis posts hostile bodies to every
    # one of them (tests/test_api_schemathesis.py).
    posts = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.rule.startswith("/api/")
    }
    assert posts == set(ENDPOINTS), "add the new form to tests/form_world.py"
    assert {name for names in ENDPOINTS.values() for name in names} == {c.name for c in FORM_CASES}


@pytest.mark.parametrize("form_case", FORM_CASES, ids=lambda c: c.name)
def test_hostile_text_in_every_field_is_refused_or_stored_whole_and_shown_escaped(
    app, world, form_case
):
    specs = [spec for spec in field_specs(app, form_case, world) if spec.kind in TEXT_KINDS]
    # Fields a view reads from request.form directly are text too.
    names = [spec.name for spec in specs] + list(form_case.extra(world))
    # Shown fields first: a move accepted once (an item returned) refuses every later post.
    shown_fields = SHOWN_FIELDS.get(form_case.name, set())
    names.sort(key=lambda name: name not in shown_fields)
    shown_escaped = 0
    for name in names:
        for label, payload in PAYLOADS.items():
            before = row_counts(app)
            stored = len(stored_values(app, payload)) if payload == SCRIPT else None
            response = post_as(world, form_case, {**form_case.valid(world), name: payload})
            shown_escaped += check_answer(
                app,
                world,
                form_case,
                response,
                before,
                payload,
                name,
                f"{label} in {name}",
                before_stored=stored,
            )
    # Each field said to be shown was accepted with the script payload and seen escaped.
    assert shown_escaped == len(SHOWN_FIELDS.get(form_case.name, ())), shown_escaped


@pytest.mark.parametrize("form_case", FORM_CASES, ids=lambda c: c.name)
def test_a_nul_in_any_form_is_refused_before_the_form(app, world, form_case):
    specs = field_specs(app, form_case, world)
    names = [spec.name for spec in specs if spec.kind in TEXT_KINDS] or ["anything"]
    before = row_counts(app)
    response = post_as(world, form_case, {**form_case.valid(world), names[0]: "Eve\x00Adams"})
    assert response.status_code == 400
    assert row_counts(app) == before


# --- the follow-up import ------------------------------------------------------------------


def as_csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def as_xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_rows(fmt: str) -> list[list[str]]:
    payloads = dict(PAYLOADS)
    if fmt == "xlsx":
        # openpyxl cannot write them (IllegalCharacterError): no workbook holds them.
        del payloads["control characters"]
    rows = [["Name", "Category", "Suggestion"]]
    for label, payload in payloads.items():
        rows.append([payload[:300], "Talent apartments", f"{label}: {payload}"])
        rows.append([f"{label} speaker", "Talent apartments", payload])
    return rows


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_hostile_cells_in_an_import_are_previewed_escaped_and_imported_whole(app, world, fmt):
    organizer = world.clients["organizer"]
    data = (as_csv if fmt == "csv" else as_xlsx)(import_rows(fmt))
    before = row_counts(app)
    preview = organizer.post(
        "/followup/import",
        data={
            "csrf_token": csrf_token(organizer, "/followup/import"),
            "event_id": str(world.event),
            "file": (io.BytesIO(data), f"hostile.{fmt}"),
        },
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert_escaped(page, "the import preview")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert row_counts(app) == before, "a preview writes nothing"

    batch = re.search(r'name="batch" value="([^"]+)"', page).group(1)
    confirmed = organizer.post(
        "/followup/import/confirm",
        data={
            "csrf_token": csrf_token(organizer, "/followup/import"),
            "batch": batch,
            "event_id": str(world.event),
        },
    )
    assert confirmed.status_code == 302
    with app.app_context():
        contents = db.session.scalars(
            sa.select(FollowUpItem.content).where(FollowUpItem.id > world.resolved_item)
        ).all()
    # The huge cells are errors of their own rows; every other row is imported whole.
    assert SCRIPT in contents and ATTRIBUTE in contents
    assert "加快人才公寓建设，完善配套设施。" in contents
    assert "Talent 🚀 salon 𠀋 𝔘𝔫𝔦" in contents
    for content in contents:
        assert "\x07" not in content and "\x1b" not in content
        assert "A" * 100 not in content or "A" * 100_000 in content
    ledger = organizer.get(f"/followup/?event={world.event}&state=new")
    assert_escaped(ledger.get_data(as_text=True), "the ledger after the import")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ledger.get_data(as_text=True)
    item = organizer.get(
        f"/followup/items/{max(i for i in _item_ids(app) if i > world.resolved_item)}"
    )
    assert item.status_code == 200
    assert_escaped(item.get_data(as_text=True), "an imported item's page")


def _item_ids(app) -> list[int]:
    with app.app_context():
        return db.session.scalars(sa.select(FollowUpItem.id)).all()


def test_a_registration_raises_no_more_suggestions_than_the_form_offers(app, world):
    # The page offers three suggestion slots; a hand-made post numbered its entries up to
    # 199 and one anonymous request raised 200 follow-up items.
    form_case = next(c for c in FORM_CASES if c.name == "register")
    extra = {}
    for number in range(200):
        extra[f"suggestions-{number}-category"] = str(world.category)
        extra[f"suggestions-{number}-content"] = f"Suggestion {number}"
    before = row_counts(app)["followup_item"]
    response = post_as(world, form_case, {**form_case.valid(world), **extra})
    assert response.status_code == 302
    assert row_counts(app)["followup_item"] - before == SUGGESTION_SLOTS
