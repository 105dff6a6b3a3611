"""Exports survive whatever text is already stored: control characters, formulas, Chinese."""

import csv
import io

import pytest
from openpyxl import load_workbook

from talentday.auth.models import Role
from talentday.extensions import db
from talentday.followup.models import ItemState
from tests import factories
from tests.conftest import sign_in

# Every character XML 1.0 forbids that a database can hold (PostgreSQL refuses NUL itself).
FORBIDDEN = "".join(chr(code) for code in range(1, 32) if chr(code) not in "\t\n\r")


@pytest.fixture
def organizer(app, make_user):
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANIZER).email)
    return client


@pytest.fixture
def stored(app):
    """A registration and a follow-up item whose texts hold every forbidden character,
    written straight into the database as an older version or a script might have."""
    with app.app_context():
        event = factories.event(title=f"Salon{FORBIDDEN}")
        speaker = factories.speaker(
            name=f"Eve{FORBIDDEN}Bcc", organization="\x0bOrg", phone="138\x0c0000"
        )
        factories.registration(event=event, speaker=speaker, topic="Topic\x1fone")
        factories.item(
            event=event,
            speaker=speaker,
            content="=cmd\x07 line one\nline two",
            state=ItemState.ASSIGNED,
            result="Done\x1b.",
        )
        db.session.commit()
        return event.id


def rows_of(response) -> list[list]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_registration_workbook_and_csv_drop_control_characters(app, organizer, stored):
    rows = rows_of(organizer.get(f"/manage/events/{stored}/registrations.xlsx"))
    assert rows[1][1] == "EveBcc" and rows[1][3] == "Org" and rows[1][7] == "Topicone"
    assert rows[1][5] == "1380000"
    text = organizer.get(f"/manage/events/{stored}/registrations.csv").get_data(as_text=True)
    row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1]
    assert row[1] == "EveBcc" and not any(char in text for char in FORBIDDEN)


def test_ledger_workbook_and_csv_drop_control_characters(app, organizer, stored):
    header, row = rows_of(organizer.get("/followup/ledger.xlsx"))[:2]
    values = dict(zip(header, row, strict=True))
    # Stripping never undoes the formula guard, and line breaks stay.
    assert values["Suggestion"] == "'=cmd line one\nline two"
    assert values["Event"] == "Salon" and values["Handling result"] == "Done."
    text = organizer.get("/followup/ledger.csv").get_data(as_text=True)
    assert "'=cmd line one\nline two" in text and not any(char in text for char in FORBIDDEN)


def test_dashboard_report_survives_control_characters(app, make_user, stored):
    client = app.test_client()
    sign_in(client, make_user(Role.LEADER).email)
    response = client.get("/dashboard/report.xlsx")
    assert response.status_code == 200
    load_workbook(io.BytesIO(response.data))
