"""Due dates in working days: the State Council's holidays and make-up days, and weekdays
(said to be an estimate) beyond the years the official calendar knows."""

from datetime import date

import pytest

from talentday.followup.working_days import (
    KNOWN_YEARS,
    Deadline,
    add_working_days,
    is_working_day,
    working_days_between,
)


def test_the_national_day_holiday_is_skipped_and_the_make_up_saturday_counted():
    # 2026: 1 to 7 October off; Saturday 10 October is a working day (调休).
    assert is_working_day(date(2026, 10, 1)) == (False, True)
    assert is_working_day(date(2026, 10, 10)) == (True, True)
    # Assigned on Wednesday 30 September: the next working day is Thursday 8 October.
    assert add_working_days(date(2026, 9, 30), 1) == Deadline(date(2026, 10, 8))
    # 8, 9 (Fri), 10 (the make-up Saturday), 12, 13 October.
    assert add_working_days(date(2026, 9, 30), 5) == Deadline(date(2026, 10, 13))
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 13)) == 5


def test_a_weekend_is_not_counted():
    # Friday 13 November 2026 plus one working day is Monday the 16th.
    assert add_working_days(date(2026, 11, 13), 1) == Deadline(date(2026, 11, 16))


def test_beyond_the_known_years_weekdays_are_counted_and_the_date_is_an_estimate():
    last_known = date(KNOWN_YEARS[-1], 12, 31)
    deadline = add_working_days(last_known, 5)
    assert deadline.estimated
    assert deadline.due_on.weekday() < 5
    assert is_working_day(date(KNOWN_YEARS[-1] + 1, 1, 1))[1] is False
    assert not add_working_days(date(KNOWN_YEARS[-1], 3, 2), 5).estimated


def test_a_count_below_one_is_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 13), 0)
