"""Issue 13: table cards and name badges, printed to PDF by Chromium and read back: one
folded card to a landscape sheet (A4 or A5), eight badges to an A4 sheet, every name whole
and within its card, the leaders and the approved speakers and nobody else.

With TALENTDAY_PRINTS=folder the PDFs and a picture of each page are kept there to look at."""

import io
import os
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from talentday.auth.models import Role
from talentday.extensions import db
from talentday.registrations.models import RegistrationState
from talentday.registrations.privacy import anonymise_speaker
from tests import factories
from tests.browser.accessibility import assert_accessible
from tests.browser.session import sign_in

pytestmark = pytest.mark.browser

LONG_NAME = "Maximilian Alexander von Hohenberg-Schwarzenfeld"
MM = 72 / 25.4  # PDF points in a millimetre


@pytest.fixture
def salon(app):
    with app.app_context():
        event = factories.event(
            title="25th Talent Salon",
            title_zh="第二十五期人才沙龙",
            attending_leaders="Sun Hu; Li Na",
            attending_leaders_zh="孙虎、李娜",
        )
        for order, (name, organization) in enumerate(
            [
                ("高立志", "上海交通大学苏北研究院"),
                (LONG_NAME, "Hohenberg Precision Instruments GmbH"),
                ("Wang Hongyang", "Jiangsu FTR Communication Co., Ltd."),
            ],
            start=1,
        ):
            factories.registration(
                event=event,
                speaker=factories.speaker(name=name, organization=organization),
                state=RegistrationState.APPROVED,
                speaking_order=order,
            )
        factories.registration(
            event=event,
            speaker=factories.speaker(name="Waiting Speaker"),
            state=RegistrationState.WAITLISTED,
        )
        erased = factories.registration(
            event=event,
            speaker=factories.speaker(name="Erased Speaker"),
            state=RegistrationState.APPROVED,
        )
        anonymise_speaker(erased.speaker, by=None)
        db.session.commit()
        return event.id


def printed(page, name: str) -> PdfReader:
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    if folder := os.environ.get("TALENTDAY_PRINTS"):
        (Path(folder) / f"{name}.pdf").write_bytes(pdf)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
    return PdfReader(io.BytesIO(pdf))


def text_of(reader: PdfReader) -> list[str]:
    # NFKC: the CJK font's map gives some characters as their Kangxi radicals (⾼ for 高).
    return [
        re.sub(r"\s+", " ", unicodedata.normalize("NFKC", sheet.extract_text()))
        for sheet in reader.pages
    ]


def names_fit(page, selector: str) -> list[str]:
    """The names wider than their card, or cut off by it."""
    return page.eval_on_selector_all(
        selector,
        """(names) => names.filter((name) => {
            const card = name.closest('.table-card-half, .name-badge').getBoundingClientRect();
            const box = name.getBoundingClientRect();
            return name.scrollWidth > name.clientWidth + 1 || box.left < card.left - 1 ||
                box.right > card.right + 1;
        }).map((name) => name.textContent)""",
    )


@pytest.mark.parametrize(("size", "width", "height"), [("a4", 297, 210), ("a5", 210, 148)])
def test_table_cards_one_folded_card_to_a_landscape_sheet(
    app, browser, live_server, make_user, salon, size, width, height
):
    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, live_server, make_user(Role.ORGANIZER).email)
    page.goto(f"{live_server}/manage/events/{salon}/print/table-cards?size={size}")
    assert_accessible(page)
    page.emulate_media(media="print")
    assert names_fit(page, ".card-name") == []
    # A message shown above the cards (as after signing in) takes no sheet of card stock.
    page.eval_on_selector(
        "main",
        "(main) => main.insertAdjacentHTML('afterbegin', "
        '\'<div class="alert alert-success" role="status">You are signed in.</div>\')',
    )
    reader = printed(page, f"table-cards-{size}")
    sheets = text_of(reader)
    assert len(sheets) == 5, sheets  # two leaders, three speakers
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (width, height)
    for sheet, name in zip(
        sheets, ["Sun Hu", "Li Na", "高立志", LONG_NAME, "Wang Hongyang"], strict=True
    ):
        assert name in sheet, sheet
    text = " ".join(sheets)
    assert "Waiting Speaker" not in text and "Erased" not in text
    assert "Print" not in text and "A5 instead" not in text and "signed in" not in text


def test_badges_eight_to_a_sheet_in_the_events_language(
    app, browser, live_server, make_user, salon
):
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, live_server, make_user(Role.ORGANIZER).email)
    page.goto(f"{live_server}/manage/events/{salon}/print/badges")
    assert_accessible(page)
    assert names_fit(page, ".card-name") == []  # the preview on the phone
    reader = printed(page, "badges-zh")
    (sheet,) = text_of(reader)  # five badges: one sheet
    # (龙 comes back as the radical ⻰, which NFKC leaves alone.)
    for name in ("孙虎", "李娜", "高立志", "Wang Hongyang", "第二十五期人才沙", "发言人", "领导"):
        assert name in sheet, sheet
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)

    page.goto(f"{live_server}/manage/events/{salon}/print/badges?lang=en")
    english = " ".join(text_of(printed(page, "badges-en")))
    assert "Sun Hu" in english and "25th Talent Salon" in english and "Speaker" in english


@pytest.mark.parametrize("role", [Role.DEPARTMENT_STAFF, Role.LEADER])
def test_only_organizers_print_them(app, client, make_user, make_unit, salon, role):
    from tests.conftest import sign_in as sign_in_client

    unit_id = make_unit().id if role is Role.DEPARTMENT_STAFF else None
    sign_in_client(client, make_user(role, unit_id=unit_id).email)
    for path in ("table-cards", "badges"):
        assert client.get(f"/manage/events/{salon}/print/{path}").status_code in (403, 404)
