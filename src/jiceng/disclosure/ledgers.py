"""Disclosure ledgers (core.ledgers): the disclosure register (公开台账: every item of the
exporting user's subtree published in the period, withdrawn ones marked) and the list of villages
and affairs not published on time (逾期未公开), as of today. No personal data: the register gives
how many persons an item names, not who."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.ledgers import Ledger, LedgerRequest, Sheet, register
from jiceng.core.rulepacks import rule

from . import selectors
from .models import Affair

REGISTER_HEADERS = (
    "村（社区）",
    "公开类别",
    "标题",
    "公开日期",
    "所属期间起",
    "所属期间止",
    "重大事项",
    "重大事项是否及时",
    "点名人数",
    "点名显示至",
    "来源",
    "链接",
    "发布人",
    "撤回时间",
    "撤回理由",
)
OVERDUE_HEADERS = ("村（社区）", "公开类别", "最近公开日期", "应公开日期", "逾期起始日", "逾期天数")


class AffairFilter(BoundaryForm):
    affair = forms.ChoiceField(label=_("Affair"), required=False, choices=[("", "—"), *Affair.choices])


def affair_filter(actor, data) -> tuple[AffairFilter, dict]:
    form = AffairFilter(data or None)
    filters = {"affair": ""}
    if form.is_bound and form.is_valid():
        filters = {"affair": form.cleaned_data["affair"]}
    return form, filters


def _items(req: LedgerRequest):
    assert req.period is not None
    qs = selectors.items(
        actor=req.actor, start=req.period.start, end=req.period.end, **(req.filters or {})
    ).select_related("created_by")
    if req.org is not None:
        qs = qs.filter(org__path__startswith=req.org.path)
    return qs.order_by("village__path", "affair", "published_on", "pk")


def _timely(item, days: int) -> str:
    if not item.major:
        return ""
    if item.period_end is None:
        return "—"
    return "是" if item.published_on <= item.period_end + dt.timedelta(days=days) else "否"


def _register(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    days = rule("disclosure.major_days", req.org)
    for it in _items(req).iterator(chunk_size=2000):
        yield (
            it.village.name,
            str(Affair(it.affair).label),
            it.title,
            it.published_on,
            it.period_start,
            it.period_end,
            "是" if it.major else "",
            _timely(it, days),
            len(it.names or []),
            it.display_until,
            it.source,
            it.link,
            str(it.created_by or ""),
            timezone.localtime(it.withdrawn_at).strftime("%Y-%m-%d %H:%M") if it.withdrawn_at else "",
            it.withdrawn_reason,
        )


def _overdue(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    qs, ctx = selectors.overdue(actor=req.actor, org=req.org, **(req.filters or {}))
    today = ctx[2]
    for r in selectors.overdue_rows(qs, ctx):
        yield (
            r.village,
            r.affair_label,
            r.last,
            r.due_by,
            r.since,
            (today - r.since).days + 1 if r.since else 0,
        )


register(
    Ledger(
        key="disclosure.register",
        title="公开台账",
        description="各村（社区）党务、村务、财务、服务公开事项，一事一行，含撤回的事项。",
        sheets=(Sheet("公开台账", REGISTER_HEADERS, _register),),
        parse=affair_filter,
        count=lambda req: _items(req).count(),
        target_type="disclosure.item",
        order=70,
    )
)
register(
    Ledger(
        key="disclosure.overdue",
        title="逾期未公开清单",
        description="截至今天，各村（社区）逾期未公开的类别及逾期起始日，逾期最久的在前。",
        sheets=(Sheet("逾期未公开", OVERDUE_HEADERS, _overdue),),
        period=False,
        parse=affair_filter,
        count=lambda req: selectors.overdue(actor=req.actor, org=req.org, **(req.filters or {}))[0].count(),
        target_type="disclosure.item",
        order=71,
    )
)
