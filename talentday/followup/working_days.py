"""Working days as the State Council sets them: its public holidays are days off, and its
make-up days (调休), often a Saturday or Sunday, are working days (the `chinese-calendar`
package, updated each year once the State Council publishes the next year's dates).

Beyond the years the package knows, a working day is a weekday: the count is an estimate,
and every result says so (`Deadline.estimated`), so that a page can tell the reader."""

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar.constants import holidays as _HOLIDAYS

KNOWN_YEARS = range(min(_HOLIDAYS).year, max(_HOLIDAYS).year + 1)


@dataclass(frozen=True)
class Deadline:
    due_on: date
    # Some day counted lies in a year the official calendar does not know yet: weekdays
    # were counted instead, and the date may move once the holidays are published.
    estimated: bool = False


def is_working_day(day: date) -> tuple[bool, bool]:
    """(whether `day` is a working day, whether the official calendar knows its year)."""
    if day.year in KNOWN_YEARS:
        return chinese_calendar.is_workday(day), True
    return day.weekday() < 5, False


def add_working_days(start: date, count: int) -> Deadline:
    """The day `count` working days after `start` (the day itself is not counted: an item
    assigned on Friday with 1 working day is due on the next working day)."""
    if count < 1:
        raise ValueError("count at least one working day")
    day, counted, estimated = start, 0, False
    while counted < count:
        day += timedelta(days=1)
        working, known = is_working_day(day)
        estimated = estimated or not known
        counted += working
    return Deadline(day, estimated)


def working_days_between(start: date, end: date) -> int:
    """How many working days after `start`, up to and including `end` (0 when end <= start)."""
    counted, day = 0, start
    while day < end:
        day += timedelta(days=1)
        counted += is_working_day(day)[0]
    return counted
