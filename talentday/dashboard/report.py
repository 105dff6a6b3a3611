"""The report's figures as an Excel workbook: the same numbers as the page, sheet by sheet."""

from flask import Response
from flask_babel import gettext as _

from talentday.dashboard.metrics import REPORT_SUMMARY
from talentday.exports import xlsx_workbook_response
from talentday.followup.definitions import FIGURES


def _percent(value: float | None):
    return round(value * 100, 1) if value is not None else ""


def workbook(dashboard, overdue, closed, event, today) -> Response:
    head = dashboard.headline
    summary = [
        (
            f"{FIGURES[key].label} (%)" if FIGURES[key].rate_of else str(FIGURES[key].label),
            _percent(head[key]) if FIGURES[key].rate_of else head[key],
        )
        for key in REPORT_SUMMARY
    ]
    units = [
        [
            row.unit.display_name,
            row.as_lead,
            row.as_co,
            row.closed,
            row.on_time,
            row.overdue,
            round(row.average_days, 1) if row.average_days is not None else "",
            _percent(row.satisfied_share),
            row.returned,
        ]
        for row in dashboard.units
    ]
    sheets = [
        (_("Summary"), [_("Figure"), _("Value")], summary),
        (
            _("Units"),
            [
                _("Responsible unit"),
                _("As lead unit"),
                _("As co-handling unit"),
                _("Closed"),
                _("On time"),
                _("Overdue now"),
                _("Average days to result"),
                _("Satisfied share (%)"),
                _("Returned"),
            ],
            units,
        ),
        (
            _("Categories"),
            [_("Category"), _("Raised"), _("Not closed"), _("Closed"), _("Overdue now")],
            [
                [row.key.display_name, row.suggestions, row.open, row.closed, row.overdue]
                for row in dashboard.categories
            ],
        ),
        (
            _("Events"),
            [_("Event"), _("Raised"), _("Not closed"), _("Closed"), _("Overdue now")],
            [
                [row.key.title, row.suggestions, row.open, row.closed, row.overdue]
                for row in dashboard.events
            ],
        ),
        (
            _("Months"),
            [_("Month"), _("Raised"), _("Closed")],
            [[month.month, month.raised, month.closed] for month in dashboard.trend],
        ),
        (
            _("Overdue"),
            [_("Number"), _("Suggestion"), _("Lead unit"), _("Due"), _("Days overdue")],
            [
                [
                    item.id,
                    item.content,
                    item.lead_unit.display_name if item.lead_unit else "",
                    item.due_on.isoformat(),
                    (today - item.due_on).days,
                ]
                for item in overdue
            ],
        ),
        (
            _("Results"),
            [_("Number"), _("Suggestion"), _("Lead unit"), _("Handling result"), _("Satisfaction")],
            [
                [
                    item.id,
                    item.content,
                    item.lead_unit.display_name if item.lead_unit else "",
                    item.result,
                    str(item.satisfaction.label) if item.satisfaction else "",
                ]
                for item in closed
            ],
        ),
    ]
    name = f"followup-report-event-{event.id}.xlsx" if event else "followup-report.xlsx"
    return xlsx_workbook_response(sheets, name)
