"""A village's closed month read without an account: the figures its close published to the
finance disclosure (income, expense, balances by category) and the trial balance by account —
account codes and sums only, no counterparty and no person (core/public.py)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.shortcuts import render
from django.urls import path

from jiceng.core.public import found, public

from . import queries
from .models import MonthClose

_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


@dataclass(frozen=True)
class PublicRow:
    code: str
    name: str
    opening: int
    debit: int
    credit: int
    closing: int


@dataclass(frozen=True)
class PublicMonth:
    village: str
    month: dt.date
    income: int
    expense: int
    closings: tuple[tuple[str, int], ...]
    rows: tuple[PublicRow, ...]


CATEGORY_ZH = (
    ("asset", "资产"),
    ("liability", "负债"),
    ("equity", "所有者权益"),
    ("cost", "成本"),
    ("pnl", "损益"),
)


def parse_month(text: str) -> dt.date | None:
    m = _MONTH.fullmatch(text or "")
    if not m or not 1 <= int(m[2]) <= 12 or not 1900 <= int(m[1]) <= 2999:
        return None
    return dt.date(int(m[1]), int(m[2]), 1)


def closed_month(org_id: int, month: dt.date | None) -> PublicMonth | None:
    if month is None:
        return None
    close = MonthClose.objects.filter(org_id=org_id, month=month).select_related("org").first()
    if close is None:
        return None
    s = close.summary
    rows = queries.trial_balance(close.org, month, queries.month_end(month))
    return PublicMonth(
        village=close.org.name,
        month=month,
        income=int(s.get("income", 0)),
        expense=int(s.get("expense", 0)),
        closings=tuple((zh, int(s.get(f"closing_{c}", 0))) for c, zh in CATEGORY_ZH),
        rows=tuple(PublicRow(r.code, r.name, r.opening, r.debit, r.credit, r.closing) for r in rows),
    )


@public
def month_page(request, org_id: int, month: str):
    data = found(closed_month(org_id, parse_month(month)))
    return render(request, "finance/public_month.html", {"m": data})


urlpatterns = [path("<int:org_id>/<str:month>/", month_page, name="finance_public_month")]
