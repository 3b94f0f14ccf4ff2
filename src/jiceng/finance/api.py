"""The finance API: a village's vouchers (list, post) and its balances. Money in integer fen.
A refused voucher is 400 with every field's error and nothing stored, exactly as the pages."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from jiceng.core.boundary import In
from jiceng.core.errors import DomainError

from . import selectors, services

router = Router(tags=["三资 finance"])


class LineOut(Schema):
    account: str = Field(..., alias="account.code")
    account_name: str = Field(..., alias="account.name")
    debit: int
    credit: int


class VoucherOut(Schema):
    id: int
    org_id: int
    year: int
    number: int
    date: dt.date
    summary: str
    counterparty: str
    amount: int
    reverses_id: int | None = None
    matter_ref: int | None = None
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return obj.line_rows


class VoucherPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[VoucherOut]


class VoucherFilterIn(In):
    nullable = frozenset({"org"})
    org: int | None = Field(
        None, ge=1, le=2**31 - 1, description="组织编号；不填为本人可见的最高一级组织（其下各村）"
    )
    month: str = Field("", max_length=7, description="月份 YYYY-MM")
    q: str = Field("", max_length=50)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class LineIn(In):
    account: str = Field(..., max_length=20, description="科目编号，如 102")
    debit: int = Field(0, ge=0, le=10**14, description="借方金额（分）")
    credit: int = Field(0, ge=0, le=10**14, description="贷方金额（分）")


class VoucherIn(In):
    org: int = Field(..., ge=1, le=2**31 - 1, description="村（社区）党组织编号")
    date: dt.date
    summary: str = Field(..., max_length=200)
    counterparty: str = Field("", max_length=100)
    counterparty_uscc: str = Field("", max_length=18)
    matter: int | None = Field(None, ge=1, le=2**31 - 1, description="引用的已决议事项编号（大额支出）")
    due: int | None = Field(None, ge=1, le=2**31 - 1, description="收到的合同应收租金编号")
    lines: list[LineIn] = Field(..., max_length=20)
    nullable = frozenset({"matter", "due"})


class BalanceOut(Schema):
    code: str
    name: str
    category: str
    normal: str
    balance: int


class BalancesIn(In):
    org: int | None = Field(
        None, ge=1, le=2**31 - 1, description="组织编号；不填为本人可见的最高一级组织（其下各村合计）"
    )
    on: dt.date | None = None
    nullable = frozenset({"org", "on"})


@router.get("/finance/vouchers", response=VoucherPage, summary="一个村的记账凭证（按日期倒序），金额为分")
def voucher_list(request, f: Query[VoucherFilterIn]):
    from .public import parse_month

    actor = request.auth
    org = _org(actor, f.org)
    month = parse_month(f.month) if f.month else None
    if f.month and month is None:
        raise DomainError(field="month", message="月份：格式应为 YYYY-MM。")
    count, items = selectors.voucher_page(
        actor=actor, org=org, month=month, q=f.q, offset=f.offset, limit=f.limit
    )
    return {"count": count, "limit": f.limit, "offset": f.offset, "items": items}


@router.post(
    "/finance/vouchers",
    response={201: VoucherOut},
    summary="记一张凭证：借贷平衡、科目存在、所在月份未结账、大额支出引用已决议事项；不符合返回400并指明字段，不保存",
)
def voucher_post(request, payload: VoucherIn):
    actor = request.auth
    org = selectors.village_get(actor=actor, org_id=payload.org)
    codes = {a.code: a.pk for a in selectors.leaf_accounts(actor=actor, org=org)}
    lines = []
    for i, ln in enumerate(payload.lines):
        if ln.account not in codes:
            raise DomainError(
                field=f"lines.{i}.account",
                message=f"分录第{i + 1}行：科目{ln.account[:20]}不存在或设有明细科目。",
            )
        lines.append(services.LineIn(codes[ln.account], ln.debit, ln.credit))
    v = services.voucher_post(
        actor=actor,
        org=org,
        date=payload.date,
        summary=payload.summary,
        lines=lines,
        counterparty=payload.counterparty,
        counterparty_uscc=payload.counterparty_uscc,
        matter_id=payload.matter,
        due_id=payload.due,
    )
    return Status(201, selectors.voucher_with_lines(actor=actor, voucher_id=v.pk))


@router.get(
    "/finance/balances",
    response=list[BalanceOut],
    summary="一个村各科目在某日（默认今天）终了时的余额，金额为分",
)
def balances(request, f: Query[BalancesIn]):
    from django.utils import timezone

    actor = request.auth
    org = _org(actor, f.org)
    rows = selectors.accounts_with_balances(actor=actor, org=org, on=f.on or timezone.localdate())
    return [
        {
            "code": r.account.code,
            "name": r.account.name,
            "category": r.account.category,
            "normal": r.account.normal,
            "balance": r.balance,
        }
        for r in rows
    ]


def _org(actor, org_id):
    from jiceng.core.errors import NotFound

    org = selectors.org_get(actor=actor, org_id=org_id) if org_id else selectors.home_org(actor=actor)
    if org is None:
        raise NotFound()
    return org
