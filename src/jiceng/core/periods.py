"""Reporting periods: '2026', '2026-H1', '2026-Q3', '2026-11', '2026-03-01..2026-05-31'."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from .errors import DomainError


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    @property
    def as_of(self) -> dt.date:
        """Snapshot date for stock figures (members, posts): the period end, never in the future."""
        return min(self.end, timezone.localdate())


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


EARLIEST_YEAR = 1900  # the boundary's earliest date (core.boundary): no record, no age band before it


def parse_period(text: str | None) -> Period:
    """Parse a period; empty means the current year up to today. A period that has not begun is
    refused: its figures would be today's under a future label."""
    period = _parse(text)
    if period.start.year < EARLIEST_YEAR:
        raise DomainError(
            field="period", message=f"统计期间：不能早于{EARLIEST_YEAR}年（现为{period.start.year}年）。"
        )
    if period.start > timezone.localdate():
        raise DomainError(field="period", message="统计期间：尚未开始，不能统计将来的期间。")
    return period


def _parse(text: str | None) -> Period:
    if not text:
        today = timezone.localdate()
        return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), str(today.year))
    text = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})", text):
            y = int(m[1])
            return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), text)
        if m := re.fullmatch(r"(\d{4})-H([12])", text):
            y, h = int(m[1]), int(m[2])
            return Period(dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h), text)
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
            y, q = int(m[1]), int(m[2])
            return Period(dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q), text)
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            y, mo = int(m[1]), int(m[2])
            return Period(dt.date(y, mo, 1), _month_end(y, mo), text)
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            if start > end:
                raise DomainError(field="period", message="统计期间：开始日期不能晚于结束日期。")
            return Period(start, end, text)
    except ValueError:
        pass
    raise DomainError(
        field="period",
        message="统计期间格式不正确：应为 2026、2026-H1、2026-Q3、2026-11 或 2026-01-01..2026-06-30。",
    )
