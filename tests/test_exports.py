"""Every export is a table sent by one sender per format: typed Excel cells, a heading
naming the filter and the time, widths that fit Chinese, formula-safe CSV; and exports
survive whatever text is already stored: control characters, formulas, Chinese."""

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from flask import Response
from openpyxl import load_workbook
from werkzeug.exceptions import NotFound

from talentday import exports
from talentday.auth.models import Role
from talentday.exports import Cell, Column, Kind, Table, send
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
    """The header and data rows of the first sheet (row 1 is the heading)."""
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


EXPORTED_AT = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai

COLUMNS = [
    Column("Name"),
    Column("Count", Kind.INTEGER),
    Column("Average", Kind.DECIMAL),
    Column("Share", Kind.PERCENT),
    Column("Due", Kind.DATE),
    Column("Decided", Kind.DATETIME),
]


def sample(rows=None, **overrides) -> Table:
    values = {
        "title": "Sample",
        "columns": COLUMNS,
        "rows": rows
        if rows is not None
        else [["=SUM(A1)", 3, 2.5, 0.4, date(2026, 2, 1), datetime(2026, 2, 1, 16, 5, tzinfo=UTC)]],
        "description": "Overdue; lead unit: Unit A",
        "stem": "sample",
        "exported_at": EXPORTED_AT,
    }
    values.update(overrides)
    return Table(**values)


def workbook_of(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


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


# --- the senders, without HTTP -------------------------------------------------------------


def test_excel_cells_are_typed_and_formatted(app_ctx):
    sheet = workbook_of(send(sample(), "xlsx")).active
    name, count, average, share, due, decided = sheet[3]
    assert name.value == "'=SUM(A1)" and name.data_type == "s"
    assert count.value == 3 and count.number_format == "0"
    assert average.value == 2.5 and average.number_format == "0.0"
    # A rate is the fraction, shown as a percentage.
    assert share.value == 0.4 and share.number_format == "0.0%"
    assert due.is_date and due.value.date() == date(2026, 2, 1)
    assert due.number_format == "yyyy-mm-dd"
    # The city's wall-clock time (Shanghai, UTC+8): Excel has no time zones.
    assert decided.is_date and decided.value == datetime(2026, 2, 2, 0, 5, tzinfo=UTC).replace(
        tzinfo=None
    )
    assert decided.number_format == "yyyy-mm-dd hh:mm"


def test_excel_sheet_has_a_heading_a_frozen_bold_header_and_a_filter(app_ctx):
    table = sample(rows=[["a", 1, None, None, None, None], ["b", 2, None, None, None, None]])
    sheet = workbook_of(send(table, "xlsx")).active
    assert sheet.title == "Sample"
    heading = sheet["A1"].value
    assert "Sample" in heading and "Overdue; lead unit: Unit A" in heading
    assert "2026-03-01 10:30" in heading
    assert [cell.value for cell in sheet[2]] == [column.label for column in COLUMNS]
    assert all(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:F4"
    # An empty cell stays empty, not the text "None".
    assert sheet["C3"].value is None


def test_an_empty_table_still_has_its_header_and_filter(app_ctx):
    sheet = workbook_of(send(sample(rows=[]), "xlsx")).active
    assert sheet["A2"].value == "Name"
    assert sheet.auto_filter.ref == "A2:F2"


def test_chinese_columns_are_wider_than_ascii_ones_of_the_same_length(app_ctx):
    table = sample(
        columns=[Column("Chinese"), Column("ASCII"), Column("Long")],
        rows=[["人才公寓建设方案", "abcdefgh", "x" * 500]],
    )
    sheet = workbook_of(send(table, "xlsx")).active
    chinese, ascii_, long = (sheet.column_dimensions[letter].width for letter in "ABC")
    assert chinese > ascii_ >= len("abcdefgh")
    assert chinese >= 2 * len("人才公寓建设方案")
    assert long <= exports.MAX_COLUMN_WIDTH + 2


def test_sheet_names_are_ones_excel_accepts(app_ctx):
    tables = [
        sample(title="Units/Depts: [a]*?\\ and a title far longer than thirty-one"),
        sample(title="Summary"),
        sample(title="summary"),
    ]
    names = workbook_of(send(tables, "xlsx")).sheetnames
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in names)
    assert len({name.lower() for name in names}) == 3


def test_csv_has_a_bom_iso_dates_city_times_and_percent_numbers(app_ctx):
    rows = csv_rows(send(sample(), "csv"))
    assert rows[0] == [column.label for column in COLUMNS]
    assert rows[1] == ["'=SUM(A1)", "3", "2.5", "40.0", "2026-02-01", "2026-02-02 00:05"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\x07=1+1", "\x1b\x0b@cmd"])
def test_csv_and_excel_never_start_text_with_a_formula(app_ctx, text):
    table = sample(columns=[Column("Text")], rows=[[text]])
    (value,) = csv_rows(send(table, "csv"))[1]
    assert value.startswith("'") and value.lstrip("'")[0] in "=+-@"
    cell = workbook_of(send(table, "xlsx")).active["A3"]
    assert cell.value == value and cell.data_type == "s"


def test_a_generator_of_rows_can_be_sent(app_ctx):
    def rows():
        yield ["a", 1, None, None, None, None]
        yield ["b", 2, None, None, None, None]

    assert [row[0] for row in csv_rows(send(sample(rows=rows()), "csv"))] == ["Name", "a", "b"]
    sheet = workbook_of(send(sample(rows=rows()), "xlsx")).active
    assert [sheet["A3"].value, sheet["A4"].value] == ["a", "b"]
    # The CSV comes line by line, so that a long export can be streamed.
    lines = exports.csv_lines(sample(rows=rows()))
    assert next(lines).startswith("\ufeffName,Count") and next(lines).startswith("a,1,")
    with pytest.raises(TypeError):
        _ = sample(rows=rows()).row_count
    assert sample(rows=rows(), count=2).row_count == 2


def test_a_value_can_carry_its_own_kind(app_ctx):
    table = sample(
        columns=[Column("Figure"), Column("Value", Kind.INTEGER)],
        rows=[["Closed", 4], ["Rate", Cell(0.25, Kind.PERCENT)]],
    )
    sheet = workbook_of(send(table, "xlsx")).active
    assert (sheet["B3"].number_format, sheet["B4"].number_format) == ("0", "0.0%")
    assert csv_rows(send(table, "csv"))[2] == ["Rate", "25.0"]


def test_a_workbook_is_not_cut_down_to_one_csv_table(app_ctx):
    with pytest.raises(NotFound):
        send([sample(), sample(title="Other")], "csv")
    with pytest.raises(NotFound):
        send(sample(), "ods")


def test_a_format_is_one_function_and_one_entry(app_ctx, monkeypatch):
    def send_json(tables):
        return Response(
            json.dumps(
                [
                    {
                        "title": table.title,
                        "rows": [
                            dict(zip([c.label for c in table.columns], r, strict=True))
                            for r in table.rows
                        ],
                    }
                    for table in tables
                ],
                default=str,
            ),
            mimetype="application/json",
        )

    monkeypatch.setitem(exports.SENDERS, "json", send_json)
    response = send([sample(), sample(title="Other")], "json")
    assert response.mimetype == "application/json"
    assert [table["title"] for table in response.get_json()] == ["Sample", "Other"]
    assert response.get_json()[0]["rows"][0]["Count"] == 3
    assert "json" in exports.url_formats()


# --- the exports, through the pages --------------------------------------------------------


def test_ledger_workbook_names_its_filter_and_types_its_cells(app, organizer):
    with app.app_context():
        lead = factories.unit(name="Housing Bureau")
        factories.item(
            state=ItemState.ASSIGNED,
            lead_unit=lead,
            due_on=date(2026, 3, 10),
            created_at=datetime(2026, 2, 1, 4, 0, tzinfo=UTC),
        )
        db.session.commit()
        query = f"overdue=1&unit={lead.id}&role=lead&raised_from=2026-01-01&raised_to=2026-03-31"
    response = organizer.get(f"/followup/ledger.xlsx?{query}")
    sheet = workbook_of(response).active
    assert "Overdue; lead unit: Housing Bureau; raised 2026-01-01–2026-03-31" in sheet["A1"].value
    assert 'filename="followup-ledger.xlsx"' in response.headers["Content-Disposition"]
    row = dict(zip([c.value for c in sheet[2]], sheet[3], strict=True))
    assert isinstance(row["Number"].value, int)
    assert row["Due"].is_date and row["Due"].value.date() == date(2026, 3, 10)
    assert isinstance(row["Days overdue"].value, int) and row["Days overdue"].value > 0
    csv_row = dict(zip(*csv_rows(organizer.get(f"/followup/ledger.csv?{query}")), strict=True))
    assert csv_row["Due"] == "2026-03-10"


def test_ledger_without_filters_says_so_in_chinese_too(app, organizer):
    with app.app_context():
        factories.item()
        db.session.commit()
    assert (
        "All items you may see"
        in load_workbook(io.BytesIO(organizer.get("/followup/ledger.xlsx").data)).active["A1"].value
    )
    organizer.get("/followup/")  # the language follows the browser
    response = organizer.get("/followup/ledger.xlsx", headers={"Accept-Language": "zh-CN"})
    sheet = workbook_of(response).active
    assert "导出" in sheet["A1"].value and sheet["A2"].value == "编号"


@pytest.fixture
def filed(app):
    """A registration with a topic, a summary and two suggestions."""
    with app.app_context():
        event = factories.event(title="Spring salon")
        registration = factories.registration(
            event=event, topic="Talent flats", summary="Why young engineers leave."
        )
        for content in ("Open flats near the zone.", "Rent subsidies for two years."):
            factories.item(
                event=event,
                speaker=registration.speaker,
                registration=registration,
                content=content,
            )
        db.session.commit()
        return event.id


def test_registrations_workbook_has_topic_summary_suggestions_and_names_its_filter(
    app, organizer, filed
):
    response = organizer.get(f"/manage/events/{filed}/registrations.xlsx?state=submitted")
    sheet = workbook_of(response).active
    assert "event: Spring salon; state: Submitted" in sheet["A1"].value
    row = {header.value: cell for header, cell in zip(sheet[2], sheet[3], strict=True)}
    assert row["Topic of your talk"].value == "Talent flats"
    assert row["Summary"].value == "Why young engineers leave."
    assert row["Suggestions"].value == "Open flats near the zone.\nRent subsidies for two years."
    assert row["Submitted"].is_date and row["Submitted"].number_format == "yyyy-mm-dd hh:mm"


def test_report_workbook_names_its_scope_on_every_sheet(app, make_user, stored):
    client = app.test_client()
    sign_in(client, make_user(Role.LEADER).email)
    response = client.get(f"/dashboard/report.xlsx?event={stored}&from=2026-01-01&to=2026-12-31")
    workbook = workbook_of(response)
    assert workbook.sheetnames[0] == "Summary"
    for sheet in workbook:
        assert "event: Salon; raised 2026-01-01–2026-12-31" in sheet["A1"].value
        assert sheet.freeze_panes == "A3"
    summary = {row[0].value: row[1] for row in workbook["Summary"].iter_rows(min_row=3)}
    assert summary["Suggestions raised"].value == 1
    assert summary["Suggestions raised"].number_format == "0"
    # Nothing rated: no rate, and an empty cell rather than 0%.
    assert summary["Satisfied share"].value is None
    assert (
        f'filename="followup-report-event-{stored}.xlsx"' in response.headers["Content-Disposition"]
    )


def test_a_csv_says_its_charset_once(app, organizer, stored):
    """Found by a review: the type read "text/csv; charset=utf-8; charset=utf-8"."""
    response = organizer.get("/followup/ledger.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
