"""Charts drawn on the server as SVG: no script, no CDN, they print, and each carries a text
alternative (its figures are also shown as a table beside it).

A chart is as wide as its column and its type is never scaled: the SVG has no viewBox, its
bars are drawn in percentages of its width and its text in pixels, each label on its own line
above its bars. A chart drawn in a fixed viewBox shrank with the screen, and its 12 px labels
were 7 px on a phone (issue 10); this one shows the same 13 px labels and 12 px figures on a
phone as on a desktop."""

from markupsafe import Markup, escape

LABEL_SIZE = 13  # px, the row's label
VALUE_SIZE = 12  # px, the figure beside each bar and the legend
BAR_HEIGHT = 10
BAR_GAP = 2
LABEL_LINE = 18  # from a row's top to the top of its first bar
ROW_GAP = 10
LEGEND_LINE = 22
# The longest bar takes this share of the width; the rest holds its figure.
BAR_SHARE = 85
# Labels are cut to fit a phone's column (about 340 px) at LABEL_SIZE: a Chinese character
# takes about one em, a Latin letter or digit about 0.6.
LABEL_EMS = 24
# A legend wraps before this width, the narrowest column a phone gives a chart.
LEGEND_WIDTH = 320
BAR_COLOURS = ("#1d4f91", "#b35c00")  # dark blue and dark orange: 4.5:1 on white with text


def _number(value: float) -> str:
    return f"{value:g}"


def _ems(character: str) -> float:
    return 1.0 if ord(character) >= 0x2E80 else 0.6


def _width(text: str, size: int) -> float:
    return sum(_ems(character) for character in text) * size


def _shorten(label: str, ems: float = LABEL_EMS) -> str:
    """The label, cut with an ellipsis where it would pass `ems` ems."""
    if sum(_ems(character) for character in label) <= ems:
        return label
    taken = 1.0  # the ellipsis
    for index, character in enumerate(label):
        taken += _ems(character)
        if taken > ems:
            return label[:index].rstrip() + "…"
    return label


def _legend(series: list[str]) -> tuple[list[str], int]:
    """The legend's parts and its height: one swatch and name per series, wrapping."""
    parts, x, line = [], 0.0, 0
    for index, name in enumerate(series):
        width = 16 + _width(name, VALUE_SIZE) + 20
        if x and x + width > LEGEND_WIDTH:
            x, line = 0.0, line + 1
        y = line * LEGEND_LINE
        parts.append(
            f'<rect x="{x:g}" y="{y + 3}" width="12" height="12" '
            f'fill="{BAR_COLOURS[index % 2]}"/>'
            f'<text x="{x + 16:g}" y="{y + 14}" font-size="{VALUE_SIZE}">{escape(name)}</text>'
        )
        x += width
    return parts, (line + 1) * LEGEND_LINE


def horizontal_bars(
    chart_id: str,
    title: str,
    description: str,
    rows: list[tuple[str, list[float]]],
    series: list[str],
) -> Markup:
    """One group of bars per row (for example a unit's overdue and closed items)."""
    largest = max([value for _label, values in rows for value in values] + [1])
    legend, legend_height = _legend(series) if len(series) > 1 else ([], 0)
    row_height = LABEL_LINE + len(series) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    height = legend_height + row_height * len(rows)
    chart_id = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" '
        f'height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        *legend,
    ]
    for row_index, (label, values) in enumerate(rows):
        top = legend_height + row_index * row_height
        parts.append(
            f'<text x="1" y="{top + LABEL_SIZE}" font-size="{LABEL_SIZE}">'
            f"{escape(_shorten(label))}</text>"
        )
        for index, value in enumerate(values):
            share = BAR_SHARE * value / largest
            y = top + LABEL_LINE + index * (BAR_HEIGHT + BAR_GAP)
            parts.append(
                f'<rect x="0" y="{y}" width="{share:.2f}%" height="{BAR_HEIGHT}" '
                f'fill="{BAR_COLOURS[index % 2]}"/>'
                f'<text x="{share:.2f}%" dx="4" y="{y + BAR_HEIGHT - 1}" '
                f'font-size="{VALUE_SIZE}">{_number(value)}</text>'
            )
    parts.append("</svg>")
    svg = "".join(parts)
    # Every text and id above went through escape(); the rest are numbers and constants.
    return Markup(svg)  # nosec B704
