"""Whole-year arithmetic with one convention for 29 February, used for ages and terms alike.

Someone born on 29 February reaches an age on 1 March in a common year (the usual civil reading);
counting back from 29 February in a common year lands on 28 February. The two are inverses:
``years_after(b, n) <= d`` exactly when ``b <= years_before(d, n)``.
"""

from __future__ import annotations

import datetime as dt


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return dt.date(day.year + years, 3, 1)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return dt.date(day.year - years, 2, 28)


def years_between(birth: dt.date, on: dt.date) -> int:
    """Whole years from ``birth`` to ``on`` (an age)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; a day the month lacks (31 January + 1) becomes the first of
    the month after it, as years_after does for 29 February."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    try:
        return dt.date(year, month + 1, day.day)
    except ValueError:
        first_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        return first_next
