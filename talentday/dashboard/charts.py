"""Charts drawn on the server as SVG: no script, no CDN, they print, and each carries a text
alternative (its figures are also shown as a table beside it)."""

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 250
ROW_HEIGHT = 26
BAR_COLOURS = ("#1d4f91", "#b35c00")  # dark blue and dark orange: 4.5:1 on white with text


def _number(value: float) -> str:
    return f"{value:g}"


def horizontal_bars(
    chart_id: str,
    title: str,
    description: str,
    rows: list[tuple[str, list[float]]],
    series: list[str],
) -> Markup:
    """One group of bars per row (for example a unit's overdue and closed items)."""
    largest = max([value for _label, values in rows for value in values] + [1])
    bar_area = WIDTH - LABEL_WIDTH - 50
    bar_height = (ROW_HEIGHT - 6) / max(len(series), 1)
    legend_height = 22 if len(series) > 1 else 0
    height = legend_height + ROW_HEIGHT * len(rows) + 4
    chart_id = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    if legend_height:
        x = LABEL_WIDTH
        for index, name in enumerate(series):
            parts.append(
                f'<rect x="{x}" y="4" width="12" height="12" fill="{BAR_COLOURS[index % 2]}"/>'
                f'<text x="{x + 16}" y="15" font-size="12">{escape(name)}</text>'
            )
            x += 20 + 8 * len(name) + 20
    for row_index, (label, values) in enumerate(rows):
        top = legend_height + row_index * ROW_HEIGHT
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{top + ROW_HEIGHT / 2 + 4}" font-size="12" '
            f'text-anchor="end">{escape(_shorten(label))}</text>'
        )
        for index, value in enumerate(values):
            length = bar_area * value / largest
            y = top + 3 + index * bar_height
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y:.1f}" width="{length:.1f}" '
                f'height="{bar_height - 1:.1f}" fill="{BAR_COLOURS[index % 2]}"/>'
                f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + bar_height - 3:.1f}" '
                f'font-size="11">{_number(value)}</text>'
            )
    parts.append("</svg>")
    svg = "".join(parts)
    # Every text and id above went through escape(); the rest are numbers and constants.
    return Markup(svg)  # nosec B704


def _shorten(label: str, limit: int = 32) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
