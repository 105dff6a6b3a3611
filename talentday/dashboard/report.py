"""The report's figures as tables for a workbook: the same numbers as the page, sheet by sheet."""

from flask_babel import gettext as _

from talentday import exports
from talentday.exports import Cell, Column, Kind, Table


def _percent(value: float | None) -> Cell:
    """A rate in the list of figures, whose other values are counts."""
    return Cell(value, Kind.PERCENT)


def describe(scope, event) -> str:
    """What the report covers, for the line above each sheet's header."""
    parts = [
        _("event: %(title)s", title=event.title) if event else _("All events"),
    ]
    if scope.start or scope.end:
        period = exports.describe_period(scope.start, scope.end)
        parts.append(_("raised %(period)s", period=period))
    return exports.describe(parts, "")


def tables(dashboard, overdue, closed, event, today) -> list[Table]:
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
            round(row.average_days, 1) if row.average_days is not None else None,
            row.satisfied_share,
            row.returned,
        ]
        for row in dashboard.units
    ]
    description = describe(dashboard.scope, event)
    stem = f"followup-report-event-{event.id}" if event else "followup-report"

    def table(title: str, columns: list[Column], rows) -> Table:
        return Table(title=title, columns=columns, rows=rows, description=description, stem=stem)

    def count(label: str) -> Column:
        return Column(label, Kind.INTEGER)

    return [
        table(_("Summary"), [Column(_("Figure")), count(_("Value"))], summary),
        table(
            _("Units"),
            [
                Column(_("Responsible unit")),
                count(_("As lead unit")),
                count(_("As co-handling unit")),
                count(_("Closed")),
                count(_("On time")),
                count(_("Overdue now")),
                Column(_("Average days to result"), Kind.DECIMAL),
                Column(_("Satisfied share (%)"), Kind.PERCENT),
                count(_("Returned")),
            ],
            units,
        ),
        table(
            _("Categories"),
            [
                Column(_("Category")),
                count(_("Raised")),
                count(_("Not closed")),
                count(_("Closed")),
                count(_("Overdue now")),
            ],
            [
                [row.key.display_name, row.raised, row.open, row.closed, row.overdue]
                for row in dashboard.categories
            ],
        ),
        table(
            _("Events"),
            [
                Column(_("Event")),
                count(_("Raised")),
                count(_("Not closed")),
                count(_("Closed")),
                count(_("Overdue now")),
            ],
            [
                [row.key.title, row.raised, row.open, row.closed, row.overdue]
                for row in dashboard.events
            ],
        ),
        table(
            _("Months"),
            [Column(_("Month")), count(_("Raised")), count(_("Closed"))],
            [[month.month, month.raised, month.closed] for month in dashboard.trend],
        ),
        table(
            _("Overdue"),
            [
                count(_("Number")),
                Column(_("Suggestion")),
                Column(_("Lead unit")),
                Column(_("Due"), Kind.DATE),
                count(_("Days overdue")),
            ],
            [
                [
                    item.id,
                    item.content,
                    item.lead_unit.display_name if item.lead_unit else "",
                    item.due_on,
                    (today - item.due_on).days,
                ]
                for item in overdue
            ],
        ),
        table(
            _("Results"),
            [
                count(_("Number")),
                Column(_("Suggestion")),
                Column(_("Lead unit")),
                Column(_("Handling result")),
                Column(_("Satisfaction")),
            ],
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
