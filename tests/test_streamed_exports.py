"""Exports at province scale: the ledger export binds a bounded number of parameters per
query whatever the number of items (PostgreSQL refuses more than 65,535 in one statement,
SQLite more than 32,766), the CSV streams, and the workbook is written in write-only mode."""

import contextlib
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from talentday import exports
from talentday.audit.models import AuditEntry
from talentday.auth.models import Role
from talentday.exports import Column, Kind, Table
from talentday.extensions import db
from talentday.followup import ledger
from talentday.followup.models import ItemState, TimelineEntry, TimelineKind
from tests import factories
from tests.conftest import sign_in


@contextlib.contextmanager
def bound_parameters(engine):
    """Each statement run inside the block, with the number of parameters it binds."""
    counts: list[tuple[str, int]] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not executemany:
            counts.append((statement, len(parameters or ())))

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield counts
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_latest_notes_of_more_items_than_a_statement_can_bind(app_ctx):
    item = factories.item(state=ItemState.IN_PROGRESS)
    db.session.add(TimelineEntry(item=item, kind=TimelineKind.PROGRESS, note="Site visit booked"))
    db.session.commit()
    # More ids than PostgreSQL (65,535) or SQLite (32,766) accept in one statement.
    ids = [item.id, *range(item.id + 1, item.id + 70_000)]
    with bound_parameters(db.engine) as counts:
        latest = ledger.latest_notes(ids)
    assert latest[item.id].note == "Site visit booked"
    assert max(number for _sql, number in counts) <= 2 * ledger.NOTES_BATCH


def ledger_items(count: int) -> list[int]:
    """Items with a progress note each, the last note of item n saying "note n"."""
    event, category, unit = factories.event(), factories.category(), factories.unit()
    ids = []
    for number in range(count):
        item = factories.item(
            event=event, category=category, lead_unit=unit, state=ItemState.IN_PROGRESS,
            raised_by_name=f"Speaker {number}",
        )  # fmt: skip
        for note in ("first", f"note {item.id}"):
            db.session.add(TimelineEntry(item=item, kind=TimelineKind.PROGRESS, note=note))
            db.session.flush()
        ids.append(item.id)
    db.session.commit()
    return ids


def test_the_ledger_export_reads_items_and_notes_in_batches(app, make_user, monkeypatch):
    monkeypatch.setattr(ledger, "EXPORT_BATCH", 2)
    monkeypatch.setattr(ledger, "NOTES_BATCH", 2)
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANIZER).email)
    with app.app_context():
        ids = ledger_items(5)
    with app.app_context(), bound_parameters(db.engine) as counts:
        text = client.get("/followup/ledger.csv").get_data(as_text=True)
    lines = text.splitlines()[1:]
    assert [int(line.split(",")[0]) for line in lines] == ids
    assert all(f"note {number}" in line for line, number in zip(lines, ids, strict=True))
    # Five items in batches of two: three queries of latest notes, none binding every id.
    notes = [number for sql, number in counts if "row_number" in sql.lower()]
    assert len(notes) == 3
    with app.app_context():
        audit = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "export_downloaded")
        ).one()
        assert audit.details["rows"] == 5


def test_the_ledger_csv_streams_as_rows_are_read(app, make_user, monkeypatch):
    monkeypatch.setattr(ledger, "EXPORT_BATCH", 2)
    monkeypatch.setattr(exports, "CSV_CHUNK", 1)
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANIZER).email)
    with app.app_context():
        ids = ledger_items(6)
    read = []
    real_row = ledger.row

    def counting_row(item, *rest):
        read.append(item.id)
        return real_row(item, *rest)

    monkeypatch.setattr(ledger, "row", counting_row)
    response = client.get("/followup/ledger.csv", buffered=False)
    try:
        assert response.is_streamed
        body = iter(response.response)
        assert next(body).startswith(b"\xef\xbb\xbfNumber,")
        next(body)
        # The first row is on its way while the rest of the items are still unread.
        assert 0 < len(read) < len(ids)
        assert len(list(body)) == len(ids) - 1
    finally:
        response.close()
    assert read == ids
    # The request was closed with the stream: the next one starts afresh.
    assert client.get("/followup/").status_code == 200


def test_a_csv_export_left_unread_does_not_break_the_next_request(app, make_user):
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANIZER).email)
    with app.app_context():
        ledger_items(1)
    assert client.get("/followup/ledger.csv").status_code == 200
    assert client.get("/followup/").status_code == 200
    assert client.get("/followup/ledger.xlsx").status_code == 200


def test_a_long_workbook_keeps_its_heading_header_filter_and_dates(app_ctx, monkeypatch):
    monkeypatch.setattr(exports, "WIDTH_SAMPLE_ROWS", 3)
    rows = ([f"Row {number}", number] for number in range(1, 11))
    table = Table(
        title="Long",
        columns=[Column("Name"), Column("Count", Kind.INTEGER)],
        rows=rows,
        description="all",
        stem="long",
    )
    response = exports.send(table, "xlsx")
    assert int(response.headers["Content-Length"]) == len(response.data)
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].font.b and sheet["A2"].font.b and sheet["A2"].value == "Name"
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:B12"
    assert [sheet["A12"].value, sheet["B12"].value] == ["Row 10", 10]
    assert sheet["B12"].number_format == "0"
    # Widths come from the header and the first rows (a write-only sheet sets them first).
    assert sheet.column_dimensions["A"].width == len("Row 1") + 2
