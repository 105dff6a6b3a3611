"""The report's figures as an Excel workbook: the same numbers as the page, sheet by sheet."""

from flask import Response
from flask_babel import gettext as _

from talentday.exports import xlsx_workbook_response


def _percent(value: float | None):
    return round(value * 100, 1) if value is not None else ""


def workbook(dashboard, overdue, closed, event, today) -> Response:
    head = dashboard.headline
    summary = [
        (_("Events held"), head.events_held),
        (_("Speakers"), head.speakers),
        (_("Suggestions raised"), head.suggestions),
        (_("Items closed"), head.closed),
        (_("Items overdue now"), head.overdue),
        (_("Items with a handling result"), head.with_result),
        (_("Items answered or overdue (the on-time rate's base)"), head.judged),
        (_("Resolved on time"), head.on_time),
        (_("On-time rate (%)"), _percent(head.on_time_rate)),
        (_("Rated by speakers"), head.rated),
        (_("Satisfied share (%)"), _percent(head.satisfied_share)),
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
                [row.key.display_name, row.raised, row.open, row.closed, row.overdue]
                for row in dashboard.categories
            ],
        ),
        (
            _("Events"),
            [_("Event"), _("Raised"), _("Not closed"), _("Closed"), _("Overdue now")],
            [
                [row.key.title, row.raised, row.open, row.closed, row.overdue]
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
