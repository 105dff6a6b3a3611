"""The report's figures as tables for a workbook: the same numbers as the page, sheet by sheet."""

from flask_babel import gettext as _

from talentday import exports
from talentday.dashboard.metrics import REPORT_SUMMARY, UNIT_COLUMNS
from talentday.exports import Cell, Column, Kind, Table
from talentday.followup.definitions import FIGURES


def _kind(key: str) -> Kind:
    figure = FIGURES[key]
    if figure.rate_of:
        return Kind.PERCENT
    return Kind.DECIMAL if figure.aggregate is not None else Kind.INTEGER


def _score(row):
    """A ranked unit's score; a unit with too few items is left blank, as on the page."""
    score = row.score
    if score is None or score.value is None or not score.ranked:
        return None
    return round(score.value, 1)


def describe(scope, event) -> str:
    """What the report covers, for the line above each sheet's header."""
    parts = [
        _("event: %(title)s", title=event.display_title) if event else _("All events"),
    ]
    if scope.start or scope.end:
        period = exports.describe_period(scope.start, scope.end)
        parts.append(_("raised %(period)s", period=period))
    return exports.describe(parts, "")


def tables(dashboard, overdue, closed, key_items, event, today) -> list[Table]:
    head = dashboard.headline
    # Figures by key from the registry: a count, a rate (the cell shows it as a percentage)
    # or an average, each with its own cell type in the one column of values.
    summary = [(str(FIGURES[key].label), Cell(head[key], _kind(key))) for key in REPORT_SUMMARY]
    units = [
        [row.unit.display_name, _score(row), *(row[key] for key in UNIT_COLUMNS)]
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
            [Column(_("Responsible unit")), Column(_("Score"), Kind.DECIMAL)]
            + [Column(str(FIGURES[key].label), _kind(key)) for key in UNIT_COLUMNS],
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
                Column(str(FIGURES["solved_rate"].label), Kind.PERCENT),
            ],
            [
                [
                    row.key.display_name,
                    row.suggestions,
                    row.open,
                    row.closed,
                    row.overdue,
                    row.solved_rate,
                ]
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
                Column(str(FIGURES["solved_rate"].label), Kind.PERCENT),
            ],
            [
                [
                    row.key.display_title,
                    row.suggestions,
                    row.open,
                    row.closed,
                    row.overdue,
                    row.solved_rate,
                ]
                for row in dashboard.events
            ],
        ),
        table(
            _("Months"),
            [Column(_("Month")), count(_("Raised")), count(_("Closed"))],
            [[month.month, month.raised, month.closed] for month in dashboard.trend],
        ),
        table(
            _("Key items"),
            [
                count(_("Number")),
                Column(_("Suggestion")),
                Column(_("Lead unit")),
                Column(_("Leader's instruction")),
                Column(_("State")),
                Column(_("Due"), Kind.DATE),
                count(_("Days overdue")),
            ],
            [
                [
                    item.id,
                    item.content,
                    item.lead_unit.display_name if item.lead_unit else "",
                    item.key_instruction,
                    str(item.state.label),
                    item.due_on,
                    (today - item.due_on).days if item.is_overdue(today) else None,
                ]
                for item in key_items
            ],
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
                Column(_("What the answer promises")),
                Column(_("Satisfaction")),
            ],
            [
                [
                    item.id,
                    item.content,
                    item.lead_unit.display_name if item.lead_unit else "",
                    item.result,
                    str(item.result_class.label) if item.result_class else "",
                    str(item.satisfaction.label) if item.satisfaction else "",
                ]
                for item in closed
            ],
        ),
    ]
