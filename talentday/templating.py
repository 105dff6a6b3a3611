"""Filters and globals the templates use to show prepared values."""

import enum
from datetime import date, datetime, timedelta

from babel.units import format_unit
from flask import Flask
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_number,
    format_percent,
    format_time,
    format_timedelta,
    get_locale,
    gettext,
)
from markupsafe import Markup, escape

from talentday.dashboard import metrics
from talentday.followup.definitions import DEFINITIONS, FIGURES
from talentday.i18n import city_zone_name, html_lang

# Bootstrap classes for the coloured tag of each state; the state's name is always written
# inside the tag too, so that nothing is conveyed by colour alone.
TAG_CLASSES = {
    "new": "text-bg-secondary",
    "assigned": "text-bg-info",
    "accepted": "text-bg-primary",
    "in_progress": "text-bg-primary",
    "returned": "text-bg-warning",
    "resolved": "text-bg-success",
    "closed": "text-bg-dark",
    "reopened": "text-bg-warning",
    "draft": "text-bg-secondary",
    "published": "text-bg-success",
    "registration_closed": "text-bg-info",
    "held": "text-bg-dark",
    "archived": "text-bg-light",
    "unconfirmed": "text-bg-light",
    "submitted": "text-bg-info",
    "approved": "text-bg-success",
    "waitlisted": "text-bg-warning",
    "rejected": "text-bg-danger",
    "withdrawn": "text-bg-secondary",
    "cancelled": "text-bg-secondary",
    # An approved speaker's answer (registrations.models.Attendance).
    "confirmed": "text-bg-success",
    "not_yet": "text-bg-light",
    "declined": "text-bg-secondary",
}


def tag_class(state: enum.Enum) -> str:
    return TAG_CLASSES.get(state.value, "text-bg-secondary")


def _chinese_pattern():
    """The reader's locale when it is Chinese, for Babel's own date patterns; None in English,
    whose pages keep ISO dates (2026-12-20) that read the same in every English country."""
    locale = get_locale()
    return locale if locale is not None and locale.language == "zh" else None


def _datetime_filter(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    locale = _chinese_pattern()
    if locale is not None:
        # 2026年12月20日 14:30, with the weekday (星期日) for an event: Babel's long or full
        # date and short time, joined by the locale's own date-time pattern.
        day = format_date(value, "full" if fmt == "event" else "long")
        return locale.datetime_formats["medium"].format(format_time(value, "short"), day)
    if fmt == "event":
        # Event dates carry the weekday; times are 24-hour in both languages.
        return format_datetime(value, "EEEE yyyy-MM-dd HH:mm")
    return format_datetime(value, "yyyy-MM-dd HH:mm")


def _time_filter(value: datetime | None) -> str:
    return format_datetime(value, "HH:mm") if value is not None else ""


def day_text(value: date | None) -> str:
    """A day as the reader reads it: 2026年12月20日 in Chinese, 2026-12-20 in English."""
    if value is None:
        return ""
    if _chinese_pattern() is not None:
        return format_date(value, "long")
    return format_date(value, "yyyy-MM-dd")


def _duration_filter(minutes: int) -> str:
    """A number of minutes in words in the reader's language, exactly: "1 hour" and "1小时",
    "90 minutes" and "90分钟" (Babel alone rounds 90 minutes up to 2 hours)."""
    delta = timedelta(minutes=minutes)
    if minutes % 60 == 0:
        return format_timedelta(delta, threshold=1)
    return format_timedelta(delta, granularity="minute", threshold=10**9)


def _percent_filter(value: float | None) -> str:
    """A share as a percentage in the reader's language; a dash when there is nothing to
    divide by, so that no share is shown as 0% when it is not known."""
    return format_percent(value) if value is not None else "—"


def _filesize_filter(size: int) -> str:
    """A file's size as the reader's language writes it: "340 kB", "1.2 MB"."""
    locale = get_locale()
    if size >= 1024 * 1024:
        return format_unit(round(size / 1024 / 1024, 1), "digital-megabyte", "short", locale=locale)
    return format_unit(max(1, round(size / 1024)), "digital-kilobyte", "short", locale=locale)


def _figure_filter(figures, key: str) -> str:
    """One figure of a Counts, shown as its kind asks: a share, an average, a count."""
    figure = FIGURES[key]
    value = figures[key]
    if figure.rate_of:
        return _percent_filter(value)
    if value is None:
        return "—"
    if figure.aggregate is not None:
        return format_decimal(value, "0.0")
    if isinstance(value, int) and 0 <= value < 1000:
        # No grouping to add: both languages write these digits as they are, and a dashboard
        # shows hundreds of them (Babel's formatting was a tenth of its time).
        return str(value)
    return format_number(value)


# Punctuation between pieces of text follows the reader's language: "Programme: 24th Salon"
# in English, with a full-width colon and no space in Chinese. A template joins pieces with
# these, never with a colon or comma of its own.
#
# The pattern is the catalogue's (trusted, as every template is); Markup's % escapes each
# piece put into it, unless it is markup already (a label in <strong>).
def labelled(label, value) -> Markup:
    pattern = Markup(gettext("%(label)s: %(value)s"))  # nosec B704
    return pattern % {"label": label, "value": value}


def one_after_another(*parts) -> Markup:
    """Parts of one description, such as a name and an organization, joined by the
    reader's comma (full-width in Chinese)."""
    present = [escape(part) for part in parts if part]
    if not present:
        return Markup("")
    pattern = Markup(gettext("%(first)s, %(second)s"))  # nosec B704
    text = present[0]
    for part in present[1:]:
        text = pattern % {"first": text, "second": part}
    return text


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["datetime"] = _datetime_filter
    app.jinja_env.filters["date"] = day_text
    app.jinja_env.filters["time"] = _time_filter
    app.jinja_env.filters["duration"] = _duration_filter
    app.jinja_env.filters["tag_class"] = tag_class
    app.jinja_env.filters["percent"] = _percent_filter
    app.jinja_env.filters["figure"] = _figure_filter
    app.jinja_env.filters["filesize"] = _filesize_filter
    app.jinja_env.globals["FIGURES"] = FIGURES
    app.jinja_env.globals["DEFINITIONS"] = DEFINITIONS
    for name in (
        "HEADLINE_CARDS",
        "LEADER_HOME_CARDS",
        "UNIT_COLUMNS",
        "UNIT_CARDS",
        "BREAKDOWN",
        "ORGANIZER_DESK",
        "EVENT_ROW",
    ):
        app.jinja_env.globals[name] = getattr(metrics, name)
    app.jinja_env.globals["html_lang"] = html_lang
    app.jinja_env.globals["city_zone_name"] = city_zone_name
    app.jinja_env.globals["labelled"] = labelled
    app.jinja_env.globals["one_after_another"] = one_after_another
