"""Finance ledgers (core.ledgers): the monthly finance report (科目余额表 per village and account —
opening, debits, credits, closing — and 收支明细, the period's income and expense lines), and the
hand-over reports as frozen when generated. Sums are grouped SQL (selectors.trial_rows_many)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from jiceng.core.errors import DomainError
from jiceng.core.ledgers import Ledger, LedgerRequest, Sheet, register
from jiceng.core.periods import parse_period

from . import queries, selectors
from .models import Category

CHUNK = 2000
CATEGORY_ZH = dict(Category.choices)


def _yuan(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def _period(req: LedgerRequest):
    return req.period or parse_period(None)


TRIAL_HEADERS = (
    "村（社区）",
    "科目编号",
    "科目名称",
    "科目类别",
    "期初余额（元）",
    "本期借方（元）",
    "本期贷方（元）",
    "期末余额（元）",
)
LINE_HEADERS = ("村（社区）", "日期", "凭证号", "摘要", "科目编号", "科目名称", "借方（元）", "贷方（元）")


def _trial(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    p = _period(req)
    for r in selectors.trial_rows_many(actor=req.actor, org=req.org, start=p.start, end=p.end).iterator(
        chunk_size=CHUNK
    ):
        normal = r["account__normal"]
        opening = queries.signed(normal, r["od"], r["oc"])
        yield (
            r["org__name"],
            r["account__code"],
            r["account__name"],
            str(CATEGORY_ZH.get(r["account__category"], "")),
            _yuan(opening),
            _yuan(r["d"]),
            _yuan(r["c"]),
            _yuan(opening + queries.signed(normal, r["d"], r["c"])),
        )


def _lines(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    p = _period(req)
    qs: QuerySet = selectors.pnl_lines_many(actor=req.actor, org=req.org, start=p.start, end=p.end)
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            return
        for ln in chunk:
            v = ln.voucher
            yield (
                ln.org.name,
                ln.date,
                f"{v.year}-{v.number:04d}",
                v.summary,
                ln.account.code,
                ln.account.name,
                _yuan(ln.debit),
                _yuan(ln.credit),
            )
        last = chunk[-1].pk


register(
    Ledger(
        key="finance.monthly",
        title="村级财务月报",
        description="科目余额表：每个村（社区）每个科目的期初余额、本期借方、本期贷方和期末余额；另一页为本期收支明细（损益类科目的每一笔）。统计期间通常为一个月（如 2026-05）。",
        sheets=(Sheet("科目余额表", TRIAL_HEADERS, _trial), Sheet("收支明细", LINE_HEADERS, _lines)),
        count=lambda req: selectors.trial_rows_many(
            actor=req.actor, org=req.org, start=_period(req).start, end=_period(req).end
        ).count(),
        target_type="finance.line",
        order=80,
    )
)


def handover_filter(actor, data) -> tuple[None, int | None]:
    raw = (data.get("handover") or "").strip() if data else ""
    if raw and not raw.isdigit():
        raise DomainError(field="handover", message="交接报告：应为编号。")
    return None, int(raw) if raw else None


def _handovers(req: LedgerRequest):
    if req.org is None:
        org = selectors.home_org(actor=req.actor)
        if org is None:
            return []
    else:
        org = req.org
    qs = selectors.handovers(actor=req.actor, org=org)
    if req.filters:
        qs = qs.filter(pk=req.filters)
    return qs


SUMMARY_HEADERS = (
    "村（社区）",
    "交接岗位",
    "移交人",
    "接收人",
    "交接基准日",
    "生成时间",
    "移交人确认",
    "接收人确认",
)
ITEM_HEADERS = ("村（社区）", "交接岗位", "交接基准日", "项目", "名称", "说明", "金额（元）")


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "未确认"


def _summary(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    for h in _handovers(req):
        yield (
            h.org.name,
            h.post,
            h.outgoing.name,
            h.incoming.name,
            h.as_of,
            _when(h.generated_at),
            _when(h.outgoing_confirmed_at),
            _when(h.incoming_confirmed_at),
        )


def _items(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    for h in _handovers(req):
        s = h.snapshot
        head = (h.org.name, h.post, h.as_of)
        for b in s.get("balances", []):
            yield (*head, "科目余额", f"{b['code']} {b['name']}", "", _yuan(b["balance"]))
        for b in s.get("debts", []):
            yield (*head, "债权债务", f"{b['code']} {b['name']}", "", _yuan(b["balance"]))
        for c in s.get("contracts", []):
            yield (
                *head,
                "未到期合同",
                c["counterparty"],
                f"{c['kind']} {c['starts_on']}至{c['ends_on']}，欠收租金",
                _yuan(c["unpaid"]),
            )
        for a in s.get("assets", []):
            yield (*head, "资产资源", a["name"], f"{a['kind']} {a['quantity']}{a['unit']}", _yuan(a["value"]))


register(
    Ledger(
        key="finance.handover",
        title="财务交接报告",
        description="村干部离任时的财务交接：每份交接报告一行（移交人、接收人、双方确认）；另一页为生成时冻结的交接内容——科目余额、债权债务、未到期合同、资产资源。可用 handover=编号 只导出一份。",
        sheets=(Sheet("交接报告", SUMMARY_HEADERS, _summary), Sheet("交接内容", ITEM_HEADERS, _items)),
        personal=True,
        period=False,
        parse=handover_filter,
        target_type="finance.handover",
        order=81,
    )
)
