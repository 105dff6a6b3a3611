"""Issue 10, "phone first": every role's pages at 390 px, in English and Chinese, with the
demo's data and the longest strings people type (an address, an unbroken word, a web link, a
long Chinese name): no page scrolls sideways, axe-core finds nothing, the wide tables that
stay tables show that they scroll, the tables people work in become stacked cards that keep
their table semantics, and the dashboard's chart labels stay at 12 px or more."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from talentday.auth.models import Role
from talentday.demo.data import DEMO_PASSWORD
from talentday.demo.services import load_demo
from talentday.events.models import Event
from talentday.extensions import db
from talentday.followup.models import FollowUpItem, ItemState
from talentday.i18n import city_today
from talentday.outbox.models import OutboxMessage
from talentday.registrations import services as registrations
from talentday.registrations.models import RegistrationState, TalentTeam
from tests import factories
from tests.browser.accessibility import assert_accessible, assert_fits_the_screen
from tests.browser.session import sign_in as signing_in
from tests.conftest import ON_SQLITE_ONLY, PASSWORD

pytestmark = [pytest.mark.browser, ON_SQLITE_ONLY]

LOCALES = ["en-GB", "zh-CN"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# What people type that does not wrap by itself.
LONG_EMAIL = (
    "zhang.dabing.chief.engineer.of.the.research.institute"
    "@jiangsu-hanbang-intelligent-manufacturing-technology.example.com"
)
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis-Research-Laboratory"
LONG_LINK = "https://www.huaian.gov.cn/col/col54321/art/2026/art_0123456789abcdef0123456789.html"
LONG_CHINESE = "江苏省淮安市经济技术开发区智能制造产业园人才公寓建设运营管理有限责任公司"


@pytest.fixture
def world(app, make_user):
    """The demo, plus a speaker, a unit, a category, an item and an account whose every
    text is as long and unbroken as people make them."""
    with app.app_context():
        load_demo()
        held = db.session.scalar(sa.select(Event).where(Event.edition == 24))
        upcoming = db.session.scalar(sa.select(Event).where(Event.edition == 25))
        unit = factories.unit(name=f"{LONG_WORD} Bureau", name_zh=LONG_CHINESE)
        category = factories.category(name=LONG_WORD, name_zh=LONG_CHINESE)
        speaker = factories.speaker(
            name="Ouyang Xiaoming",
            email=LONG_EMAIL,
            phone="13800000099",
            organization=f"{LONG_WORD} {LONG_CHINESE}",
            position=LONG_WORD,
        )
        long_registration = factories.registration(
            event=held,
            speaker=speaker,
            state=RegistrationState.APPROVED,
            topic=f"{LONG_LINK} {LONG_CHINESE}",
            speaking_order=13,
            speaking_minutes=8,
        )
        item = factories.item(
            event=held,
            speaker=speaker,
            category=category,
            content=f"{LONG_LINK} {LONG_WORD} {LONG_CHINESE}",
            state=ItemState.IN_PROGRESS,
            lead_unit=unit,
            due_on=city_today() - timedelta(days=3),
        )
        outcome = registrations.register(
            upcoming,
            registrations.SpeakerDetails(
                LONG_CHINESE[:20], f"second.{LONG_EMAIL}", "13800000098",
                LONG_WORD, LONG_CHINESE, TalentTeam.ENTERPRISE,
            ),
            topic=LONG_WORD,
            summary=LONG_LINK,
            suggestions=[registrations.SuggestionDraft(category, f"{LONG_WORD} {LONG_LINK}")],
            consent=True,
        )  # fmt: skip
        db.session.commit()
        ids = {
            "held": held.id,
            "upcoming": upcoming.id,
            "unit": unit.id,
            "category": category.id,
            "item": item.id,
            "link": f"/r/{outcome.token}",
            "registration": long_registration.id,
            "message": db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))),
            "organizer_item": db.session.scalar(sa.select(sa.func.min(FollowUpItem.id))),
        }
    staff = make_user(
        Role.DEPARTMENT_STAFF, unit_id=ids["unit"], email=f"desk.{LONG_EMAIL}", name=LONG_WORD
    )
    ids["staff"] = staff.id
    return ids


def sign_in(page, live_server, email, password=DEMO_PASSWORD):
    signing_in(page, live_server, email, password)


def who(role: str, world: dict) -> tuple[str | None, str]:
    """The account a role walks with and its password: the demo's, and for a unit's staff
    the account with the long address and name, whose unit has the long name."""
    return {
        "visitor": (None, ""),
        "organizer": ("organizer@example.com", DEMO_PASSWORD),
        "department_staff": (f"desk.{LONG_EMAIL}", PASSWORD),
        "leader": ("leader@example.com", DEMO_PASSWORD),
        "admin": ("admin@example.com", DEMO_PASSWORD),
    }[role]


def main_pages(role: str, world: dict) -> list[str]:
    held, upcoming, item = world["held"], world["upcoming"], world["item"]
    return {
        "visitor": [
            "/",
            f"/events/{held}",
            f"/events/{held}/programme",
            f"/events/{upcoming}",
            f"/events/{upcoming}/register",
            "/sign-in",
            "/send-my-link",
            "/forgot-password",
            world["link"],
        ],
        "organizer": [
            "/home",
            "/manage/events",
            "/manage/events/new",
            f"/manage/events/{held}",
            f"/manage/events/{held}/edit",
            f"/manage/events/{held}/registrations",
            f"/manage/events/{held}/registrations/{world['registration']}",
            f"/manage/events/{held}/programme",
            "/followup/",
            f"/followup/items/{item}",
            "/followup/new",
            "/followup/import",
            "/dashboard/",
            "/dashboard/units",
            "/dashboard/events",
            f"/dashboard/units/{world['unit']}",
            "/dashboard/report",
            "/manage/outbox/",
            f"/manage/outbox/{world['message']}",
            "/account/password",
        ],
        "department_staff": [
            "/home",
            "/followup/",
            f"/followup/items/{item}",
            f"/dashboard/units/{world['unit']}",
        ],
        "leader": ["/home", "/dashboard/", "/dashboard/units", "/followup/"],
        "admin": [
            "/home",
            "/admin/users",
            "/admin/users/new",
            f"/admin/users/{world['staff']}/edit",
            "/admin/units",
            "/admin/units/new",
            f"/admin/units/{world['unit']}/edit",
            "/admin/categories",
            "/admin/categories/new",
            f"/admin/categories/{world['category']}/edit",
            "/admin/audit",
        ],
    }[role]


ROLES = ["visitor", "organizer", "department_staff", "leader", "admin"]


def assert_scroll_boxes_named(page) -> None:
    """Each box a table scrolls in takes the keyboard and is a region with a name."""
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.table-responsive')].map(box => {
          const names = (box.getAttribute('aria-labelledby') || '').split(/\\s+/)
            .map(id => document.getElementById(id)).filter(Boolean)
            .map(element => element.textContent.trim()).join(' ');
          return {tabindex: box.getAttribute('tabindex'), role: box.getAttribute('role'),
                  name: names || box.getAttribute('aria-label') || ''};
        })"""
    )
    for box in boxes:
        assert box["tabindex"] == "0" and box["role"] == "region" and box["name"], (page.url, box)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("role", ROLES)
def test_every_main_page_of_every_role_fits_a_phone(browser, live_server, world, role, locale):
    page = browser.new_context(viewport=PHONE, locale=locale).new_page()
    email, password = who(role, world)
    if email:
        sign_in(page, live_server, email, password)
    for path in main_pages(role, world):
        response = page.goto(live_server + path)
        assert response.status == 200, path
        assert_accessible(page)  # which checks that the page does not scroll sideways
        assert_scroll_boxes_named(page)
    page.context.close()


def test_the_check_catches_a_page_that_scrolls_sideways(browser, live_server):
    """The watch that every browser test carries reports a page wider than the window."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()

    def widen(route):
        response = route.fetch()
        wide = "<input id='too-wide' size='300' aria-label='Too wide'></main>"
        route.fulfill(response=response, body=response.text().replace("</main>", wide, 1))

    page.route(f"{live_server}/sign-in", widen)
    page.goto(f"{live_server}/sign-in")
    watch = browser.watches[id(context)]
    page.wait_for_load_state("load")
    for _ in range(100):  # the watch measures two frames after the page has loaded
        if watch.sideways:
            break
        page.wait_for_timeout(50)
    assert any("input#too-wide" in text for text in watch.sideways), watch.sideways
    with pytest.raises(AssertionError, match="scrolls sideways"):
        assert_fits_the_screen(page)
    watch.sideways.clear()
    context.close()


# --- stacked tables ----------------------------------------------------------------------


def stacked_pages(world: dict) -> dict[str | None, list[str]]:
    """The pages with stacked tables, by the account that sees them."""
    return {
        None: [f"/events/{world['held']}"],
        "organizer@example.com": [
            f"/manage/events/{world['held']}/registrations",
            "/followup/",
            "/dashboard/",
            "/dashboard/units",
            "/dashboard/events",
            "/dashboard/report",
        ],
        f"desk.{LONG_EMAIL}": ["/home"],
    }


def visit_stacked_pages(browser, live_server, world, viewport, locale):
    """Each page with stacked tables, opened by the account that sees it."""
    for email, paths in stacked_pages(world).items():
        context = browser.new_context(viewport=viewport, locale=locale)
        page = context.new_page()
        if email:
            sign_in(
                page, live_server, email, PASSWORD if email.startswith("desk.") else DEMO_PASSWORD
            )
        for path in paths:
            page.goto(live_server + path)
            yield page, path
        context.close()


STACK_LAYOUT = """table => {
  const visible = element => { const box = element.getBoundingClientRect();
    return box.width > 1 && box.height > 1; };
  const headers = [...table.tHead.rows[0].cells];
  const cells = [...table.tBodies[0].rows].flatMap(row => [...row.cells].map((cell, index) => {
    const before = getComputedStyle(cell, '::before');
    return {
      label: cell.dataset.label || '',
      header: headers[index].textContent.replace(/\\s+/g, ' ').trim(),
      content: before.content, labelShown: before.display,
      display: getComputedStyle(cell).display, role: cell.getAttribute('role'),
      fits: cell.getBoundingClientRect().right <= window.innerWidth,
    };
  }));
  return {
    display: getComputedStyle(table).display,
    rowDisplay: getComputedStyle(table.tBodies[0].rows[0]).display,
    role: table.getAttribute('role'),
    groups: [table.tHead, ...table.tBodies].map(group => group.getAttribute('role')),
    rows: [...table.rows].map(row => row.getAttribute('role')),
    headerRoles: headers.map(header => header.getAttribute('role')),
    headers: headers.filter(header => !header.classList.contains('table-stack-keep')).length,
    headersShown: headers.filter(header => !header.classList.contains('table-stack-keep'))
      .filter(visible).length,
    cells,
  };
}"""


# Every target measured in one call: a round trip per link took seconds on a long table.
TARGET_SIZES = """table => [...table.querySelectorAll('input, button, a')].flatMap(target => {
  const box = target.getBoundingClientRect();
  if (box.width === 0 && box.height === 0) return [];  // not shown
  return [{what: target.outerHTML.slice(0, 120), link: target.tagName === 'A',
           width: box.width, height: box.height}];
})"""


def assert_targets_big_enough(table) -> None:
    """Boxes to tick and buttons at least 24 by 24 px, links at least 24 px tall."""
    for target in table.evaluate(TARGET_SIZES):
        if target["link"]:
            assert target["height"] >= 24, target
        else:
            assert target["width"] >= 24 and target["height"] >= 24, target


@pytest.mark.parametrize("locale", LOCALES)
def test_stacked_tables_are_cards_with_a_label_on_each_line_on_a_phone(
    browser, live_server, world, locale
):
    seen = 0
    for page, path in visit_stacked_pages(browser, live_server, world, PHONE, locale):
        tables = page.locator("table.table-stack")
        assert tables.count(), f"{path} has a stacked table"
        for table in tables.all():
            layout = table.evaluate(STACK_LAYOUT)
            assert layout["display"] == "block" and layout["rowDisplay"] == "block", path
            assert layout["headersShown"] == 0, f"{path}: the header row is hidden"
            assert layout["role"] == "table", path
            assert set(layout["groups"]) == {"rowgroup"}, path
            assert set(layout["rows"]) == {"row"}, path
            assert set(layout["headerRoles"]) == {"columnheader"}, path
            for cell in layout["cells"]:
                assert cell["role"] in ("cell", "rowheader"), (path, cell)
                assert cell["label"] and cell["header"].startswith(cell["label"]), (path, cell)
                assert cell["content"] not in ("none", "normal", ""), (path, cell)
                assert cell["labelShown"] == "table-cell", (path, cell)
                assert cell["display"] == "table", (path, cell)
                assert cell["fits"], (path, cell)
                seen += 1
            assert_targets_big_enough(table)
        assert_accessible(page)
    assert seen > 100


def test_a_stacked_table_keeps_its_table_semantics(browser, live_server, world):
    """What a screen reader is given (roles, rows, headers, cells) is the same as a card
    on a phone and as a table on a desktop; the labels shown on the cards are not read."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, "organizer@example.com")
    for path in [f"/manage/events/{world['held']}/registrations", "/followup/", "/dashboard/"]:
        page.set_viewport_size(PHONE)
        page.goto(live_server + path)
        tables = page.locator("table.table-stack")
        on_a_phone = [table.aria_snapshot() for table in tables.all()]
        page.set_viewport_size(DESKTOP)
        page.wait_for_function("window.innerWidth === 1280")
        on_a_desktop = [table.aria_snapshot() for table in tables.all()]
        assert on_a_phone == on_a_desktop, path
        first = on_a_phone[0]
        assert first.startswith(("- table", "- 'table")), first
        for role in ("- rowgroup", "- row ", "- columnheader ", "- cell "):
            assert role in first, (role, first)
    context.close()


def test_the_choose_all_box_stays_above_the_cards(browser, live_server, world):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, "organizer@example.com")
    page.goto(f"{live_server}/manage/events/{world['held']}/registrations")
    every = page.get_by_label("Choose all on this page")
    expect(every).to_be_visible()
    page.locator("label[for=choose-all-registration]").click()
    expect(every).to_be_checked()
    boxes = page.locator("input[name=registration]")
    for index in range(boxes.count()):
        expect(boxes.nth(index)).to_be_checked()
    assert_accessible(page)
    context.close()


@pytest.mark.parametrize("locale", LOCALES)
def test_on_a_desktop_they_are_ordinary_tables(browser, live_server, world, locale):
    for page, path in visit_stacked_pages(browser, live_server, world, DESKTOP, locale):
        for table in page.locator("table.table-stack").all():
            layout = table.evaluate(STACK_LAYOUT)
            assert layout["display"] == "table" and layout["rowDisplay"] == "table-row", path
            assert layout["headersShown"] == layout["headers"], path
            for cell in layout["cells"]:
                assert cell["display"] == "table-cell", (path, cell)
                assert cell["content"] in ("none", "normal"), (path, cell)
        assert_accessible(page)


# --- wide tables and charts --------------------------------------------------------------


def test_a_wide_table_shows_that_it_scrolls(browser, live_server, world):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, "admin@example.com")
    page.goto(f"{live_server}/admin/users")
    box = page.get_by_role("region", name="Accounts")
    expect(box).to_have_attribute("tabindex", "0")
    assert box.evaluate("box => box.scrollWidth > box.clientWidth"), "the table is wider"
    expect(box).to_have_class("table-responsive scrolls-end")
    assert box.evaluate("box => getComputedStyle(box).boxShadow") != "none"
    assert_accessible(page)
    box.evaluate("box => box.scrollTo({left: box.scrollWidth})")
    expect(box).to_have_class("table-responsive scrolls-start")
    box.focus()  # the keyboard scrolls it too
    page.keyboard.press("ArrowLeft")
    expect(box).to_have_class("table-responsive scrolls-start scrolls-end")
    context.close()


@pytest.mark.parametrize("locale", LOCALES)
def test_chart_labels_are_at_least_12_px_on_a_phone(browser, live_server, world, locale):
    context = browser.new_context(viewport=PHONE, locale=locale)
    page = context.new_page()
    sign_in(page, live_server, "organizer@example.com")
    for path in ["/dashboard/", "/dashboard/report"]:
        page.goto(live_server + path)
        texts = page.evaluate(
            """() => [...document.querySelectorAll('svg.chart text')].map(text => {
              const box = text.getBoundingClientRect();
              const chart = text.ownerSVGElement.getBoundingClientRect();
              return {
                text: text.textContent,
                size: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
                height: box.height,
                inside: box.left >= chart.left - 1 && box.right <= chart.right + 1,
              };
            })"""
        )
        assert len(texts) > 5, path
        for text in texts:
            assert text["size"] >= 12 and text["height"] >= 12, (path, text)
            assert text["inside"], (path, text)
    context.close()
