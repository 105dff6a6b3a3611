"""Issue 10, print: what Chromium's print-to-PDF makes of the ledger, the programme and the
report, read back from the PDF (pypdf): no controls on paper, the ledger says its filters
and when it was printed, the programme gives clock times, the report numbers its pages and
leaves no half-empty ones behind forced breaks."""

import io
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from talentday.auth.models import Role
from talentday.extensions import db
from talentday.followup.models import ItemState
from talentday.i18n import city_today
from talentday.registrations.models import RegistrationState
from tests import factories
from tests.browser.session import sign_in

pytestmark = pytest.mark.browser

# The footer that print.css puts in the bottom margin of every sheet: "2 / 5".
PAGE_NUMBER = re.compile(r"\b(\d+) / (\d+)\b")


def printed(page) -> list[str]:
    """The text of each printed sheet, its runs of white space made single spaces. With
    TALENTDAY_PRINTS=folder, the PDFs are kept there to look at (pdftoppm -png)."""
    pdf = page.pdf(format="A4")
    if folder := os.environ.get("TALENTDAY_PRINTS"):
        name = re.sub(r"\W+", "-", page.url.split("/", 3)[-1]).strip("-")
        (Path(folder) / f"{name or 'page'}.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", sheet.extract_text()) for sheet in reader.pages]


def test_the_printed_ledger_has_no_controls_and_says_its_filters_and_when(
    app, browser, live_server, make_user
):
    with app.app_context():
        event = factories.event(title="24th Talent Salon")
        category = factories.category(name="Talent apartments")
        unit = factories.unit(name="Housing Bureau")
        for number in range(30):
            factories.item(
                event=event,
                category=category,
                lead_unit=unit,
                state=ItemState.ASSIGNED,
                due_on=city_today() + timedelta(days=10),
                content=f"Suggestion number {number}",
            )
        db.session.commit()
        query = f"event={event.id}&category={category.id}&unit={unit.id}&state=assigned"
    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, live_server, make_user(Role.ORGANIZER).email)
    page.goto(f"{live_server}/followup/?{query}")
    expect(page.locator("#ledger-print-line")).to_be_hidden()  # on screen, the form says it

    sheets = printed(page)
    text = " ".join(sheets)
    assert (
        "Showing: state: Assigned; event: 24th Talent Salon; category: Talent apartments; "
        "unit: Housing Bureau · 30 items · this print shows items 1–25 · Printed "
    ) in text
    assert re.search(r"Printed \d{4}-\d\d-\d\d \d\d:\d\d \(Beijing time\)", text)
    assert "Suggestion number" in text
    for control in (
        "Record a suggestion",
        "Import suggestions",
        "Filter",
        "Assign the ticked items",
        "Assign items",
        "Download as Excel",
        "Next",
        "Lead unit",  # the bulk form's fields
    ):
        assert control not in text, control
    assert PAGE_NUMBER.search(sheets[0]).groups() == ("1", str(len(sheets)))

    # The same seen through print media: the checkboxes and their column are gone.
    page.emulate_media(media="print")
    expect(page.locator("#ledger-print-line")).to_be_visible()
    expect(page.locator('input[name="item"]').first).to_be_hidden()
    expect(page.locator("td:has(> input[name='item'])").first).to_be_hidden()
    expect(page.locator("form[role=search]")).to_be_hidden()
    expect(page.locator(".pagination")).to_be_hidden()


def test_the_chinese_ledger_prints_its_line_in_chinese(app, browser, live_server, make_user):
    with app.app_context():
        factories.item(state=ItemState.NEW)
        db.session.commit()
    page = browser.new_context(locale="zh-CN").new_page()
    sign_in(page, live_server, make_user(Role.ORGANIZER).email)
    page.goto(f"{live_server}/followup/?overdue=1&state=open")
    page.emulate_media(media="print")
    line = page.locator("#ledger-print-line")
    expect(line).to_be_visible()
    expect(line).to_contain_text("显示范围：已逾期；未办结")
    expect(line).to_contain_text("（北京时间）")
    assert re.search(r"打印于 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", line.inner_text())


def test_the_printed_programme_gives_each_speaker_a_clock_time(app, browser, live_server):
    with app.app_context():
        start = datetime(2026, 12, 20, 6, 30, tzinfo=UTC)  # 14:30 in the city
        event = factories.event(
            title="26th Talent Salon", starts_at=start, ends_at=start + timedelta(hours=2)
        )
        for order, minutes, name in (
            (1, 10, "Gao Lizhi"),
            (2, 15, "Wang Wei"),
            (3, None, "Li Na"),
            (4, 5, "Zhao Liu"),
        ):
            factories.registration(
                event=event,
                speaker=factories.speaker(name=name),
                state=RegistrationState.APPROVED,
                speaking_order=order,
                speaking_minutes=minutes,
            )
        db.session.commit()
        event_id = event.id
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(f"{live_server}/events/{event_id}/programme")
    text = " ".join(printed(page))
    assert "Time" in text
    for times in ("14:30–14:40", "14:40–14:55"):
        assert times in text, times
    assert "14:55–15:00" not in text, "after a speaker without minutes a time is a guess"
    assert "from a speaker without minutes on" in text
    assert "Print" not in text.replace("Printable", "")


def test_the_printed_report_numbers_its_pages_and_forces_no_breaks(
    app, browser, live_server, make_user
):
    with app.app_context():
        unit = factories.unit(name="Housing Bureau")
        factories.item(
            lead_unit=unit,
            state=ItemState.IN_PROGRESS,
            due_on=city_today() - timedelta(days=3),
            content="A late item.",
        )
        factories.item(lead_unit=unit, state=ItemState.CLOSED, content="A closed item.")
        db.session.commit()
    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, live_server, make_user(Role.LEADER).email)
    page.goto(f"{live_server}/dashboard/report")
    sheets = printed(page)
    for number, sheet in enumerate(sheets, start=1):
        assert PAGE_NUMBER.search(sheet).groups() == (str(number), str(len(sheets))), sheet
    # Every section once began a sheet of its own: four sheets, three of them mostly empty.
    assert len(sheets) <= 3, [len(sheet) for sheet in sheets]
    text = " ".join(sheets)
    assert "Overdue items" in text and "A late item." in text
    assert "Report as Excel" not in text
