"""Working-day calendar (公示 periods and time limits count statutory working days).

chinesecalendar knows the State Council's holiday notices up to its release year. For any other
year an administrator enters the notice into HolidayOverride; without an entry a date falls back
to Monday–Friday. Entries in the table always win, so a correction needs no library upgrade.
Nothing here raises for a date the library does not know.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import chinese_calendar.constants

from .models import HolidayOverride

# The years whose State Council notice the installed chinesecalendar carries.
_LIBRARY_YEARS = range(
    min(chinese_calendar.constants.holidays).year, max(chinese_calendar.constants.holidays).year + 1
)


def _library_says(day: dt.date) -> bool | None:
    return chinese_calendar.is_workday(day) if day.year in _LIBRARY_YEARS else None


def is_workday(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    if overrides is None:
        overrides = dict(HolidayOverride.objects.filter(date=day).values_list("date", "is_workday"))
    if day in overrides:
        return overrides[day]
    lib = _library_says(day)
    return lib if lib is not None else day.weekday() < 5


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The date n working days after ``start`` (start itself not counted). n ≥ 0."""
    # One query for the overrides of the window; 3n+30 days covers the longest holidays.
    window_end = start + dt.timedelta(days=3 * n + 30)
    overrides = dict(
        HolidayOverride.objects.filter(date__gt=start, date__lte=window_end).values_list("date", "is_workday")
    )
    day, left = start, n
    while left > 0:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            left -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]."""
    overrides = dict(
        HolidayOverride.objects.filter(date__gt=start, date__lte=end).values_list("date", "is_workday")
    )
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_workday(day, overrides)
    return count
