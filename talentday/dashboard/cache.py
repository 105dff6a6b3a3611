"""The figures of a period, kept a minute in this process (talentday.caching).

Leaders reload the dashboard far more often than the items change. Each entry lives
`FIGURES_CACHE_SECONDS` (60 by default) and is dropped at once when this process commits a
change to a table the figures read; the page says when its figures were counted.
"""

from collections.abc import Callable

from flask import current_app

from talentday.caching import ShortCache, short_cache

# The tables whose rows the figures count or name.
WATCHED_TABLES = frozenset(
    {
        "followup_item",
        "followup_item_co_unit",
        "timeline_entry",
        "event",
        "registration",
        "responsible_unit",
        "category",
        "score_weights",
    }
)
DEFAULT_SECONDS = 60


def figures_cache() -> ShortCache:
    return short_cache("figures", WATCHED_TABLES)


def cached(key, compute: Callable):
    """`compute()`'s value, at most `FIGURES_CACHE_SECONDS` old and never older than this
    process's last change to the figures' tables; returns (value, computed at, UTC)."""
    seconds = current_app.config.get("FIGURES_CACHE_SECONDS", DEFAULT_SECONDS)
    return figures_cache().get(key, compute, seconds)
