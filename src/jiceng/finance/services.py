"""Village-finance writes. Each checks the actor's scope first (NotFound), then every rule into one
ErrorCollector (a Chinese message naming the field and the rule), writes in one transaction and
records the audit entry. Money is integer fen (分).

- Books are kept by the village or by the township agency for it (村账乡代管): when the township
  keeps them, only grants above the village may post.
- A voucher balances (debits = credits > 0), posts to known leaf accounts, is numbered per village
  per year without gaps, and may not be dated in a closed month; it is never edited or deleted —
  a correction is a reversing voucher with the lines negated (红字冲销).
- An expense above ``finance.large_expense_fen`` cites a decided matter of the same village
  (decisions app) whose amount, if it names one, the citing vouchers do not exceed.
- The democratic finance panel (民主理财小组, 村民委员会组织法 第三十二条) seats nobody on the 两委
  that day nor a close relative of one (declared, or of the same household); a month closes when
  more than ``finance.close_share`` of the seated members signed in agreement, and its summary is
  published to the finance disclosure.
- A hand-over report (财务交接, 000-R2) is frozen when generated and confirmed by both sides.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from jiceng.core import audit, photos
from jiceng.core.errors import DomainError, ErrorCollector, NotFound
from jiceng.core.models import Org
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_org, org_paths
from jiceng.people import queries as people_queries

from . import queries
from .chart import CASH_CODES, RECEIVABLE_PAYABLE_CODES
from .models import (
    Account,
    Asset,
    AssetKind,
    Books,
    Contract,
    ContractDue,
    ContractKind,
    Handover,
    Keeper,
    Kinship,
    Line,
    MonthClose,
    PanelSeat,
    Relation,
    Signature,
    Voucher,
    VoucherPhoto,
)
from .plugin import KEEP_BOOKS, OVERSEE_FINANCE, SIGN_FINANCE

MAX_PHOTOS = 9
MAX_LINES = 20
MAX_FEN = 10**14  # a trillion 元: beyond it a typo, not a village's money
PHOTO_KIND = "finance"
_DIGITS = re.compile(r"\d{1,4}", re.ASCII)


# --- money -----------------------------------------------------------------------------------------


def parse_yuan(
    text: Any, *, field: str, label: str, errors: ErrorCollector, required: bool = False
) -> int | None:
    """元 as typed (at most two decimals, never rounded) → fen; None when blank and allowed."""
    raw = str(text if text is not None else "").strip().replace(",", "")
    if not raw:
        if required:
            errors.add(field, f"{label}：必填。")
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.add(field, f"{label}：应为金额（元），如 1234.50。")
        return None
    if not value.is_finite():
        errors.add(field, f"{label}：应为金额（元），如 1234.50。")
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        errors.add(field, f"{label}：最多两位小数（到分），系统不会四舍五入。")
        return None
    fen = int(value * 100)
    if abs(fen) >= MAX_FEN:
        errors.add(field, f"{label}：金额过大。")
        return None
    return fen


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


def uscc_problem(value: str, label: str = "统一社会信用代码") -> str | None:
    from stdnum.cn import uscc

    if not value:
        return None
    if not uscc.is_valid(value):
        return f"{label}：{value[:20]} 不是有效的统一社会信用代码（GB 32100，18位，含校验位）。"
    return None


# --- who may write ---------------------------------------------------------------------------------


def _village(actor, perm: str, org: Org) -> None:
    if not can_access_org(actor, perm, org) or not queries.is_village_org(org):
        raise NotFound()


def may_post(actor, org: Org, books: Books | None) -> bool:
    """Books kept by the township: only a grant above the village posts (the village reads, signs)."""
    if not can_access_org(actor, KEEP_BOOKS, org):
        return False
    if books is not None and books.keeper == Keeper.TOWNSHIP:
        return any(org.path.startswith(p) and len(p) < len(org.path) for p in org_paths(actor, KEEP_BOOKS))
    return True


def _books(actor, org: Org) -> Books:
    """The village's books, opened with the rule's default keeper on the first write."""
    books = Books.objects.select_for_update().filter(org=org).first()
    if books is None:
        books = Books.objects.create(
            org=org, keeper=rule("finance.default_keeper", org), opened_on=timezone.localdate()
        )
        audit.record(
            actor=actor,
            action="finance_books_open",
            target=books,
            org_path=org.path,
            changes={"keeper": [None, books.get_keeper_display()]},
        )
    return books


def books_set_keeper(*, actor, org: Org, keeper: str) -> Books:
    """Who keeps the books (村自主记账 or 村账乡代管): the township's or county's setting, audited."""
    _village(actor, OVERSEE_FINANCE, org)
    errors = ErrorCollector()
    if keeper not in Keeper.values:
        errors.add("keeper", "记账方式：应为村自主记账或村账乡代管。")
    errors.raise_if_any()
    with transaction.atomic():
        books = _books(actor, org)
        before = books.get_keeper_display()
        if books.keeper != keeper:
            books.keeper = keeper
            books.save(update_fields=["keeper"])
            audit.record(
                actor=actor,
                action="finance_books_keeper",
                target=books,
                org_path=org.path,
                changes={"keeper": [before, books.get_keeper_display()]},
            )
    return books


def account_add(*, actor, county: Org, parent_id: Any, code: str, name: str) -> Account:
    """A county's sub-account: its code is the parent's code and two to four more digits; it
    inherits the parent's category, normal balance and subsidy flag."""
    if (
        not can_access_org(actor, OVERSEE_FINANCE, county)
        or county.area is None
        or county.area.kind != "county"
    ):
        raise NotFound()
    queries.ensure_chart()
    errors = ErrorCollector()
    parent = queries.accounts_for(county).filter(pk=parent_id).first() if parent_id else None
    code = (code or "").strip()
    name = (name or "").strip()
    if parent is None:
        errors.add("parent", "上级科目：请选择一个科目。")
    elif not code.startswith(parent.code) or not _DIGITS.fullmatch(code[len(parent.code) :]):
        errors.add("code", f"科目编号：应为上级科目编号{parent.code}后加1至4位数字。")
    elif Account.objects.filter(Q(county__isnull=True) | Q(county=county), code=code).exists():
        errors.add("code", f"科目编号：{code}已存在。")
    if not name:
        errors.add("name", "科目名称：必填。")
    elif len(name) > 50:
        errors.add("name", "科目名称：最多50个字符。")
    errors.raise_if_any()
    assert parent is not None
    with transaction.atomic():
        acc = Account.objects.create(
            county=county,
            code=code,
            name=name,
            category=parent.category,
            normal=parent.normal,
            subsidy=parent.subsidy,
            parent=parent,
        )
        audit.record(actor=actor, action="finance_account_add", target=acc, org_path=county.path, changes={})
    return acc


# --- vouchers --------------------------------------------------------------------------------------


@dataclass
class LineIn:
    account_id: Any
    debit: int = 0  # fen
    credit: int = 0


def _month_locked(org: Org, day: dt.date) -> bool:
    return queries.is_closed(org, day)


def _check_date(errors: ErrorCollector, org: Org, field: str, label: str, day: dt.date | None) -> None:
    today = timezone.localdate()
    if day is None:
        errors.add(field, f"{label}：必填。")
    elif day > today:
        errors.add(field, f"{label}：不能晚于今天。")
    elif _month_locked(org, day):
        errors.add(
            field,
            f"{label}：{day:%Y年%m月}已月结，已结账月份的凭证不能增加、修改或删除；更正请在未结账月份做红字冲销凭证。",
        )


def _expense_amount(lines: Sequence[tuple[Account, int, int]]) -> int:
    """What a voucher pays out: cash and bank credited (less cash and bank debited: a transfer
    between them is no expense) when some other account is debited."""

    def is_cash(a: Account) -> bool:
        return a.code in CASH_CODES or (a.parent is not None and a.parent.code in CASH_CODES)

    out = sum(c for a, _d, c in lines if is_cash(a)) - sum(d for a, d, _c in lines if is_cash(a))
    other_debit = any(d > 0 and not is_cash(a) for a, d, _c in lines)
    return out if out > 0 and other_debit else 0


def _matter_spent(org: Org, matter_ref: int) -> int:
    """What earlier vouchers citing the matter paid out (reversals net it back)."""
    got = (
        Line.objects.filter(voucher__org=org, voucher__matter_ref=matter_ref)
        .filter(queries.cash_q())
        .aggregate(c=Sum("credit", default=0), d=Sum("debit", default=0))
    )
    return got["c"] - got["d"]


def voucher_post(
    *,
    actor,
    org: Org,
    date: dt.date | None,
    summary: str,
    lines: Sequence[LineIn],
    counterparty: str = "",
    counterparty_uscc: str = "",
    matter_id: Any = None,
    due_id: Any = None,
    uploads: Iterable[Any] = (),
) -> Voucher:
    """Post a 记账凭证. Rules: the books are the actor's to keep (村账乡代管: the township posts);
    the date is not in the future nor in a closed month; a summary; 2–20 lines on known leaf
    accounts, each a positive debit or a positive credit, debits = credits > 0; the counterparty's
    USCC valid when given (GB 32100); an expense above the large-expense threshold cites a decided
    matter of this village not yet spent past its amount; a rent due cited is this village's and
    unpaid; at most nine attachments, each a photo (stored stripped of its metadata)."""
    if not can_access_org(actor, KEEP_BOOKS, org) or not queries.is_village_org(org):
        raise NotFound()
    queries.ensure_chart()
    books = queries.books_of(org)
    errors = ErrorCollector()
    if not may_post(actor, org, books):
        errors.add("__all__", f"记账：{org.name}的账由乡镇代理记账（村账乡代管），村里只能查看和签字。")
    _check_date(errors, org, "date", "凭证日期", date)
    summary = (summary or "").strip()
    if not summary:
        errors.add("summary", "摘要：必填。")
    elif len(summary) > 200:
        errors.add("summary", "摘要：最多200个字符。")
    counterparty = (counterparty or "").strip()
    if len(counterparty) > 100:
        errors.add("counterparty", "往来单位或个人：最多100个字符。")
    uscc = (counterparty_uscc or "").strip().upper()
    if problem := uscc_problem(uscc):
        errors.add("counterparty_uscc", problem)
    given = [ln for ln in lines if ln.account_id not in (None, "") or ln.debit or ln.credit]
    chart = {a.pk: a for a in queries.accounts_for(org).filter(queries.leaf_q()).select_related("parent")}
    parents = set(queries.accounts_for(org).exclude(queries.leaf_q()).values_list("pk", flat=True))
    resolved: list[tuple[Account, int, int]] = []
    if len(given) < 2:
        errors.add("lines", "分录：至少两行（有借有贷）。")
    elif len(given) > MAX_LINES:
        errors.add("lines", f"分录：最多{MAX_LINES}行。")
    for i, ln in enumerate(given, start=1):
        try:
            acc_id = int(ln.account_id)
        except (TypeError, ValueError):
            acc_id = 0
        account = chart.get(acc_id)
        if account is None:
            if acc_id in parents:
                errors.add("lines", f"分录第{i}行：该科目设有明细科目，请记入明细科目。")
            else:
                errors.add("lines", f"分录第{i}行：科目不存在或不属于本村的科目表。")
        if not isinstance(ln.debit, int) or not isinstance(ln.credit, int) or ln.debit < 0 or ln.credit < 0:
            errors.add("lines", f"分录第{i}行：借方和贷方金额应为非负的整数分。")
        elif (ln.debit > 0) == (ln.credit > 0):
            errors.add("lines", f"分录第{i}行：借方或贷方只填一个，且大于零。")
        elif max(ln.debit, ln.credit) >= MAX_FEN:
            errors.add("lines", f"分录第{i}行：金额过大。")
        elif account is not None:
            resolved.append((account, ln.debit, ln.credit))
    if errors:
        errors.raise_if_any()
    debit, credit = sum(d for _a, d, _c in resolved), sum(c for _a, _d, c in resolved)
    if debit != credit:
        errors.add("lines", f"分录：借贷不平衡（借方合计{yuan(debit)}元，贷方合计{yuan(credit)}元）。")
    if debit <= 0:
        errors.add("lines", "分录：金额合计应大于零。")
    assert date is not None
    spend = _expense_amount(resolved)
    threshold = rule("finance.large_expense_fen", org, date)
    matter = None
    if matter_id not in (None, ""):
        matter = next((m for m in queries.decided_matters(org) if str(m.id) == str(matter_id)), None)
        if matter is None:
            errors.add("matter", "决议事项：不是本村已决议的事项（规则 finance.large_expense_fen）。")
    if spend > threshold and matter is None and "matter" not in errors.errors:
        errors.add(
            "matter",
            f"决议事项：支出{yuan(spend)}元超过大额支出标准{yuan(threshold)}元，须引用本村经民主决策程序通过的事项"
            "（规则 finance.large_expense_fen）。",
        )
    if matter is not None and getattr(matter, "amount_fen", None):
        spent = _matter_spent(org, int(matter.id))
        if spent + spend > matter.amount_fen:
            errors.add(
                "matter",
                f"决议事项：“{matter.title}”决议金额{yuan(matter.amount_fen)}元，已支出{yuan(spent)}元，"
                f"本次{yuan(spend)}元将超出决议金额。",
            )
    due = None
    if due_id not in (None, ""):
        due = (
            ContractDue.objects.filter(pk=due_id, org=org).select_related("contract").first()
            if str(due_id).isdigit()
            else None
        )
        if due is None:
            errors.add("due", "应收租金：不是本村合同的应收款。")
        elif queries.paid_due_ids([due.pk]):
            errors.add("due", f"应收租金：{due.due_on:%Y-%m-%d}的租金已入账。")
    cleaned = _photos(errors, uploads)
    errors.raise_if_any()
    with transaction.atomic():
        books = _books(actor, org)  # locks the books: numbers are taken one at a time
        voucher = _create(
            actor=actor,
            org=org,
            date=date,
            summary=summary,
            resolved=resolved,
            counterparty=counterparty,
            uscc=uscc,
            matter=matter,
            due=due,
        )
        for img in cleaned:
            VoucherPhoto.objects.create(
                voucher=voucher, name=photos.save(img, kind=PHOTO_KIND), content_type=img.content_type
            )
        audit.record(
            actor=actor,
            action="finance_voucher_post",
            target=voucher,
            target_repr=f"{org.name} {voucher}",
            org_path=org.path,
            changes={
                "voucher_number": [None, f"{voucher.year}-{voucher.number}"],
                "amount": [None, voucher.amount],
                **({"matter": [None, voucher.matter_title]} if matter is not None else {}),
            },
        )
    return voucher


def _photos(errors: ErrorCollector, uploads: Iterable[Any]) -> list[photos.CleanImage]:
    files = [u for u in uploads if u]
    out: list[photos.CleanImage] = []
    if len(files) > MAX_PHOTOS:
        errors.add("photos", f"附件：最多{MAX_PHOTOS}张（现为{len(files)}张）。")
        return out
    for f in files:
        try:
            out.append(photos.clean_image(f, field="photos", label="附件"))
        except DomainError as exc:
            for msg in exc.errors.get("photos", []):
                errors.add("photos", msg)
    return out


def _create(
    *, actor, org, date, summary, resolved, counterparty, uscc, matter, due, reverses=None
) -> Voucher:
    last = (
        Voucher.objects.filter(org=org, year=date.year)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    voucher = Voucher.objects.create(
        org=org,
        year=date.year,
        number=(last or 0) + 1,
        date=date,
        summary=summary,
        counterparty=counterparty,
        counterparty_uscc=uscc,
        reverses=reverses,
        matter_ref=int(matter.id) if matter is not None else (reverses.matter_ref if reverses else None),
        matter_title=str(matter.title)[:200]
        if matter is not None
        else (reverses.matter_title if reverses else ""),
        due=due,
        amount=sum(d for _a, d, _c in resolved),
        entered_by=actor,
    )
    Line.objects.bulk_create(
        [Line(voucher=voucher, org=org, date=date, account=a, debit=d, credit=c) for a, d, c in resolved]
    )
    return voucher


def voucher_reverse(*, actor, voucher: Voucher, date: dt.date | None, reason: str) -> Voucher:
    """红字冲销: a new voucher, dated in an open month on or after the original, with every line
    of the original negated; a voucher is reversed at most once and a reversal is not reversed."""
    org = voucher.org
    if not can_access_org(actor, KEEP_BOOKS, org):
        raise NotFound()
    errors = ErrorCollector()
    if not may_post(actor, org, queries.books_of(org)):
        errors.add("__all__", f"记账：{org.name}的账由乡镇代理记账（村账乡代管），村里只能查看和签字。")
    _check_date(errors, org, "date", "冲销日期", date)
    if date is not None and date < voucher.date:
        errors.add("date", f"冲销日期：不能早于原凭证日期{voucher.date:%Y-%m-%d}。")
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", "冲销原因：必填。")
    elif len(reason) > 150:
        errors.add("reason", "冲销原因：最多150个字符。")
    if voucher.reverses_id is not None:
        errors.add("__all__", "冲销：这是一张冲销凭证，不能再冲销。")
    elif Voucher.objects.filter(reverses=voucher).exists():
        errors.add("__all__", "冲销：该凭证已被冲销。")
    errors.raise_if_any()
    assert date is not None
    with transaction.atomic():
        _books(actor, org)
        resolved = [(ln.account, -ln.debit, -ln.credit) for ln in voucher.lines.select_related("account")]
        rev = _create(
            actor=actor,
            org=org,
            date=date,
            summary=f"冲销{voucher.year}年第{voucher.number}号凭证：{reason}"[:200],
            resolved=resolved,
            counterparty=voucher.counterparty,
            uscc=voucher.counterparty_uscc,
            matter=None,
            due=None,
            reverses=voucher,
        )
        audit.record(
            actor=actor,
            action="finance_voucher_reverse",
            target=rev,
            target_repr=f"{org.name} {rev}",
            org_path=org.path,
            changes={
                "voucher_number": [f"{voucher.year}-{voucher.number}", f"{rev.year}-{rev.number}"],
                "amount": [voucher.amount, rev.amount],
            },
        )
    return rev


# --- assets and contracts -------------------------------------------------------------------------


def asset_add(
    *,
    actor,
    org: Org,
    kind: str,
    name: str,
    quantity: Any,
    unit: str,
    value: int | None,
    acquired_on: dt.date | None = None,
) -> Asset:
    """An asset or resource in the register: kind, name, quantity or area with its unit, value."""
    _village(actor, KEEP_BOOKS, org)
    errors = ErrorCollector()
    if kind not in AssetKind.values:
        errors.add("kind", "类别：请选择。")
    name, unit = (name or "").strip(), (unit or "").strip()
    if not name:
        errors.add("name", "名称：必填。")
    elif len(name) > 100:
        errors.add("name", "名称：最多100个字符。")
    if not unit:
        errors.add("unit", "计量单位：必填（亩、平方米、台……）。")
    elif len(unit) > 10:
        errors.add("unit", "计量单位：最多10个字符。")
    try:
        qty = Decimal(str(quantity))
        if not qty.is_finite() or qty < 0 or qty >= Decimal("1e12"):
            raise InvalidOperation
        exp = qty.as_tuple().exponent
        if isinstance(exp, int) and exp < -2:
            errors.add("quantity", "数量或面积：最多两位小数。")
    except (InvalidOperation, ValueError, TypeError):
        errors.add("quantity", "数量或面积：应为不小于零的数。")
        qty = Decimal(0)
    if value is None or value < 0 or value >= MAX_FEN:
        errors.add("value", "价值：应为不小于零的金额。")
    if acquired_on is not None and acquired_on > timezone.localdate():
        errors.add("acquired_on", "取得日期：不能晚于今天。")
    errors.raise_if_any()
    with transaction.atomic():
        asset = Asset.objects.create(
            org=org,
            kind=kind,
            name=name,
            quantity=qty,
            unit=unit,
            value=value or 0,
            acquired_on=acquired_on,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="finance_asset_add",
            target=asset,
            org_path=org.path,
            changes={"amount": [None, asset.value]},
        )
    return asset


def add_months(day: dt.date, months: int) -> dt.date:
    from jiceng.core.dates import months_after

    return months_after(day, months)


def contract_add(
    *,
    actor,
    org: Org,
    kind: str,
    counterparty: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    rent: int | None,
    period_months: Any,
    asset_id: Any = None,
    counterparty_uscc: str = "",
) -> Contract:
    """A 承包/租赁 contract: the term, the rent per period and the months per period; the rent
    dues are generated from them, one at the start of each period within the term."""
    _village(actor, KEEP_BOOKS, org)
    errors = ErrorCollector()
    if kind not in ContractKind.values:
        errors.add("kind", "合同类别：请选择承包或租赁。")
    counterparty = (counterparty or "").strip()
    if not counterparty:
        errors.add("counterparty", "承包方或承租方：必填。")
    elif len(counterparty) > 100:
        errors.add("counterparty", "承包方或承租方：最多100个字符。")
    uscc = (counterparty_uscc or "").strip().upper()
    if problem := uscc_problem(uscc):
        errors.add("counterparty_uscc", problem)
    if starts_on is None:
        errors.add("starts_on", "合同起始日期：必填。")
    if ends_on is None:
        errors.add("ends_on", "合同终止日期：必填。")
    if starts_on and ends_on and ends_on <= starts_on:
        errors.add("ends_on", "合同终止日期：应晚于起始日期。")
    if starts_on and ends_on and ends_on > add_months(starts_on, 12 * 30):
        errors.add("ends_on", "合同终止日期：期限不超过30年（农村土地承包法 第二十一条）。")
    if rent is None or rent <= 0 or rent >= MAX_FEN:
        errors.add("rent", "每期租金：应为大于零的金额。")
    try:
        months = int(period_months)
    except (TypeError, ValueError):
        months = 0
    if months not in (1, 3, 6, 12):
        errors.add("period_months", "收租周期：应为每1、3、6或12个月。")
    asset = None
    if asset_id not in (None, ""):
        asset = Asset.objects.filter(pk=asset_id, org=org).first() if str(asset_id).isdigit() else None
        if asset is None:
            errors.add("asset", "资产资源：不是本村登记的资产或资源。")
    errors.raise_if_any()
    assert starts_on and ends_on and rent
    with transaction.atomic():
        contract = Contract.objects.create(
            org=org,
            asset=asset,
            kind=kind,
            counterparty=counterparty,
            counterparty_uscc=uscc,
            starts_on=starts_on,
            ends_on=ends_on,
            rent=rent,
            period_months=months,
            created_by=actor,
        )
        ContractDue.objects.bulk_create(
            [
                ContractDue(contract=contract, org=org, due_on=d, amount=rent)
                for d in due_dates(starts_on, ends_on, months)
            ]
        )
        audit.record(
            actor=actor,
            action="finance_contract_add",
            target=contract,
            org_path=org.path,
            changes={"counterparty": [None, counterparty], "amount": [None, rent]},
        )
    return contract


def due_dates(starts_on: dt.date, ends_on: dt.date, months: int) -> list[dt.date]:
    out, k = [], 0
    while (d := add_months(starts_on, k * months)) <= ends_on:
        out.append(d)
        k += 1
    return out


# --- the panel --------------------------------------------------------------------------------------


def kinship_declare(*, actor, org: Org, person_id: Any, relative_id: Any, relation: str) -> Kinship:
    """A declared close relation (近亲属) between two persons, read when panel seats are filled."""
    _village(actor, OVERSEE_FINANCE, org)
    errors = ErrorCollector()
    persons = {
        p.pk: p
        for p in people_queries.persons().filter(
            pk__in=[x for x in (person_id, relative_id) if str(x).isdigit()]
        )
    }
    person = persons.get(int(person_id)) if str(person_id).isdigit() else None
    relative = persons.get(int(relative_id)) if str(relative_id).isdigit() else None
    if person is None:
        errors.add("person", "人员：请选择。")
    if relative is None:
        errors.add("relative", "近亲属：请选择。")
    if person is not None and person == relative:
        errors.add("relative", "近亲属：不能是本人。")
    if relation not in Relation.values:
        errors.add("relation", "关系：请选择。")
    errors.raise_if_any()
    assert person is not None and relative is not None
    with transaction.atomic():
        k = Kinship.objects.create(
            org=org, person=person, relative=relative, relation=relation, declared_by=actor
        )
        audit.record(
            actor=actor,
            action="finance_kinship_declare",
            target=k,
            org_path=org.path,
            changes={"relation": [None, f"{person}—{relative}：{k.get_relation_display()}"]},
        )
    return k


def panel_conflict(org: Org, person_id: int, on: dt.date) -> str | None:
    """Why the person may not sit on the panel that day (村民委员会组织法 第三十二条: no committee
    member nor close relative of one), or None."""
    committee = queries.committee_persons(org, on)
    if person_id in committee:
        return "是村“两委”成员"
    if not committee:
        return None
    kin = Kinship.objects.filter(
        Q(person_id=person_id, relative_id__in=committee) | Q(relative_id=person_id, person_id__in=committee)
    ).exists()
    if kin:
        return "是村“两委”成员的近亲属（已申报）"
    household = people_queries.persons().filter(pk=person_id).values_list("household_id", flat=True).first()
    if household and people_queries.persons().filter(pk__in=committee, household_id=household).exists():
        return "与村“两委”成员同户"
    return None


def panel_seat(*, actor, org: Org, person_id: Any, since: dt.date | None) -> PanelSeat:
    """Seat a member of the democratic finance panel (民主理财小组): a resident of the village, not
    on the 两委 that day, no close relative of a 两委 member (declared or of the same household)."""
    _village(actor, OVERSEE_FINANCE, org)
    errors = ErrorCollector()
    person = None
    if str(person_id).isdigit():
        qs = people_queries.persons().filter(pk=int(person_id))
        if org.area is not None:
            qs = qs.filter(area__path__startswith=org.area.path)
        person = qs.first()
    if person is None:
        errors.add("person", f"成员：应为{org.name}的村民。")
    if since is None:
        errors.add("since", "任职日期：必填。")
    elif since > timezone.localdate():
        errors.add("since", "任职日期：不能晚于今天。")
    if person is not None and since is not None:
        if queries.seats_on(org, since).filter(person=person).exists():
            errors.add("person", f"成员：{person.name}已是理财小组成员。")
        if why := panel_conflict(org, person.pk, since):
            errors.add(
                "person",
                f"成员：{person.name}{why}，不能担任民主理财小组成员（村民委员会组织法 第三十二条）。",
            )
    errors.raise_if_any()
    assert person is not None and since is not None
    with transaction.atomic():
        seat = PanelSeat.objects.create(org=org, person=person, since=since, created_by=actor)
        audit.record(
            actor=actor,
            action="finance_panel_seat",
            target=seat,
            target_repr=str(person),
            org_path=org.path,
            changes={},
        )
    return seat


def panel_end(*, actor, seat: PanelSeat, until: dt.date | None) -> PanelSeat:
    _village(actor, OVERSEE_FINANCE, seat.org)
    errors = ErrorCollector()
    if until is None:
        errors.add("until", "卸任日期：必填。")
    elif until < seat.since:
        errors.add("until", f"卸任日期：不能早于任职日期{seat.since:%Y-%m-%d}。")
    elif until > timezone.localdate():
        errors.add("until", "卸任日期：不能晚于今天。")
    if seat.until is not None:
        errors.add("until", f"卸任日期：已于{seat.until:%Y-%m-%d}卸任。")
    errors.raise_if_any()
    with transaction.atomic():
        seat.until = until
        seat.save(update_fields=["until"])
        audit.record(actor=actor, action="finance_panel_end", target=seat, org_path=seat.org.path, changes={})
    return seat


# --- signatures and the close ---------------------------------------------------------------------


def _month_ok(errors: ErrorCollector, org: Org, month: dt.date | None) -> dt.date | None:
    if month is None:
        errors.add("month", "月份：必填。")
        return None
    month = queries.month_start(month)
    if queries.month_end(month) >= timezone.localdate():
        errors.add("month", f"月份：{month:%Y年%m月}尚未结束。")
    return month


def month_sign(
    *, actor, org: Org, month: dt.date | None, person_id: Any, opinion: str, agrees: bool = True
) -> Signature:
    """A panel member's signature on a month's accounts, with their opinion. The member signs with
    their own log-in; township staff (oversee_finance) may record a signature given on paper,
    naming the member (marked so). The member holds a seat on the month's last day; once a month."""
    if not can_access_org(actor, SIGN_FINANCE, org) or not queries.is_village_org(org):
        raise NotFound()
    errors = ErrorCollector()
    m = _month_ok(errors, org, month)
    opinion = (opinion or "").strip()
    if not opinion:
        errors.add("opinion", "审核意见：必填。")
    elif len(opinion) > 300:
        errors.add("opinion", "审核意见：最多300个字符。")
    own = getattr(getattr(actor, "person", None), "pk", None)
    pid = int(person_id) if str(person_id).isdigit() else None
    on_paper = pid is not None and pid != own
    if on_paper and not can_access_org(actor, OVERSEE_FINANCE, org):
        errors.add("person", "签字人：只能本人签字；纸质签字由乡镇代为登记。")
    seat = None
    if m is not None and pid is not None:
        seat = (
            queries.seats_on(org, queries.month_end(m)).filter(person_id=pid).select_related("person").first()
        )
    if seat is None:
        errors.add("person", "签字人：不是该月在任的民主理财小组成员。")
    if m is not None and queries.is_closed(org, m):
        errors.add("month", f"月份：{m:%Y年%m月}已月结。")
    if (
        m is not None
        and pid is not None
        and Signature.objects.filter(org=org, month=m, person_id=pid).exists()
    ):
        errors.add("person", "签字人：已对该月签字。")
    errors.raise_if_any()
    assert m is not None and seat is not None
    with transaction.atomic():
        sig = Signature.objects.create(
            org=org,
            month=m,
            person=seat.person,
            opinion=opinion,
            agrees=bool(agrees),
            on_paper=on_paper,
            recorded_by=actor,
            signed_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="finance_sign",
            target=sig,
            target_repr=f"{seat.person.name} {m:%Y-%m}",
            org_path=org.path,
            changes={"month": [None, f"{m:%Y-%m}"], "opinion": [None, opinion]},
        )
    return sig


def close_problems(org: Org, month: dt.date) -> list[str]:
    """What stands between a month and its close (an empty list: it may close)."""
    out = []
    if queries.month_end(month) >= timezone.localdate():
        out.append(f"{month:%Y年%m月}尚未结束")
        return out
    if queries.is_closed(org, month):
        out.append(f"{month:%Y年%m月}已月结")
        return out
    books = queries.books_of(org)
    if books is not None:
        first = queries.month_start(min(books.opened_on, _first_voucher(org) or books.opened_on))
        closed = queries.closed_months(org)
        open_before = [m for m in queries.months_between(first, month) if m < month and m not in closed]
        if open_before:
            out.append(f"之前的{open_before[0]:%Y年%m月}尚未月结，应逐月结账")
    end = queries.month_end(month)
    seated = queries.seats_on(org, end).count()
    least = rule("finance.panel_min", org, end)
    if seated < least:
        out.append(f"民主理财小组在任{seated}人，少于{least}人（规则 finance.panel_min）")
    share = rule("finance.close_share", org, end)
    agreed = Signature.objects.filter(org=org, month=month, agrees=True).count()
    if seated and agreed <= share * seated:
        out.append(
            f"同意签字{agreed}人，须超过在任成员{seated}人的{round(share * 100)}%（规则 finance.close_share）"
        )
    return out


def _first_voucher(org: Org) -> dt.date | None:
    return Voucher.objects.filter(org=org).order_by("date").values_list("date", flat=True).first()


def month_summary_text(org: Org, month: dt.date, t: dict[str, int]) -> str:
    names = {"asset": "资产", "liability": "负债", "equity": "所有者权益", "cost": "成本", "pnl": "损益"}
    parts = [
        f"{org.name}{month:%Y年%m月}财务收支情况：",
        f"本月收入{yuan(t['income'])}元，本月支出{yuan(t['expense'])}元，收支相抵{yuan(t['income'] - t['expense'])}元。",
        "月末余额：" + "；".join(f"{names[c]}类{yuan(t[f'closing_{c}'])}元" for c in names) + "。",
        f"本月凭证借方发生额合计{yuan(t['debit'])}元，贷方发生额合计{yuan(t['credit'])}元。",
    ]
    return "\n".join(parts)


def month_close(*, actor, org: Org, month: dt.date | None) -> MonthClose:
    """月结: after the month ended, the earlier months closed, and more than the rule's share of
    the seated panel signed in agreement. The month's summary (income, expense, balances by
    category) is stored and published to the village's finance disclosure; from now on no
    voucher dated in the month is added, changed or deleted."""
    _village(actor, KEEP_BOOKS, org)
    errors = ErrorCollector()
    m = _month_ok(errors, org, month)
    if m is not None:
        for p in close_problems(org, m):
            if not (p.endswith("尚未结束") and "month" in errors.errors):
                errors.add("month", f"月结：{p}。")
    errors.raise_if_any()
    assert m is not None
    end = queries.month_end(m)
    t = queries.totals(org, m, end)
    body = month_summary_text(org, m, t)
    with transaction.atomic():
        close = MonthClose.objects.create(
            org=org, month=m, closed_by=actor, closed_at=timezone.now(), summary=t
        )
        publish_month(actor=actor, org=org, month=m, body=body)
        audit.record(
            actor=actor,
            action="finance_month_close",
            target=close,
            org_path=org.path,
            changes={"month": [None, f"{m:%Y-%m}"]},
        )
    return close


def publish_month(*, actor, org: Org, month: dt.date, body: str) -> Any:
    """The month's summary to the finance disclosure (disclosure app; one call)."""
    from django.urls import reverse

    from jiceng.disclosure import services as disclosure_services

    return disclosure_services.publish(
        actor=actor,
        org=org,
        affair="finance",
        title=f"{month:%Y年%m月}财务收支公开",
        body=body,
        published_on=timezone.localdate(),
        period_start=month,
        period_end=queries.month_end(month),
        source=f"finance.close:{org.pk}:{month:%Y-%m}",
        link=reverse("finance_public_month", args=[org.pk, f"{month:%Y-%m}"]),
    )


# --- hand-over ---------------------------------------------------------------------------------------


def handover_snapshot(org: Org, as_of: dt.date) -> dict[str, Any]:
    """What the 离任经济责任审计 covers, as of a day: balances by account, receivables and payables,
    open contracts with their unpaid dues, the asset register."""
    rows = queries.trial_balance(org, None, as_of)
    balances: list[dict[str, Any]] = [
        {"code": r.code, "name": r.name, "category": r.category, "normal": r.normal, "balance": r.closing}
        for r in rows
        if r.closing
    ]
    debts = [b for b in balances if b["code"][:3] in RECEIVABLE_PAYABLE_CODES]
    contracts = []
    open_qs = queries.open_contracts(as_of).filter(org=org).order_by("ends_on", "pk")
    unpaid = queries.unpaid_dues().filter(org=org, due_on__lte=as_of)
    owed = dict(
        unpaid.order_by().values("contract_id").annotate(s=Sum("amount")).values_list("contract_id", "s")
    )
    for c in open_qs:
        contracts.append(
            {
                "id": c.pk,
                "kind": c.get_kind_display(),
                "counterparty": c.counterparty,
                "starts_on": c.starts_on.isoformat(),
                "ends_on": c.ends_on.isoformat(),
                "rent": c.rent,
                "period_months": c.period_months,
                "unpaid": owed.get(c.pk, 0),
            }
        )
    assets = [
        {
            "id": a.pk,
            "kind": a.get_kind_display(),
            "name": a.name,
            "quantity": str(a.quantity),
            "unit": a.unit,
            "value": a.value,
        }
        for a in queries.assets()
        .filter(org=org)
        .filter(Q(acquired_on__isnull=True) | Q(acquired_on__lte=as_of))
        .order_by("pk")
    ]
    return {
        "as_of": as_of.isoformat(),
        "balances": balances,
        "debts": debts,
        "contracts": contracts,
        "assets": assets,
    }


def handover_generate(
    *, actor, org: Org, post: str, outgoing_id: Any, incoming_id: Any, as_of: dt.date | None
) -> Handover:
    """A hand-over report (财务交接, 000-R2) when a cadre leaves: generated as of a day and frozen
    (later vouchers do not change it); the outgoing and the incoming person are people of record."""
    _village(actor, OVERSEE_FINANCE, org)
    errors = ErrorCollector()
    post = (post or "").strip()
    if not post:
        errors.add("post", "交接岗位：必填（如 村报账员、村党组织书记）。")
    elif len(post) > 50:
        errors.add("post", "交接岗位：最多50个字符。")
    ids = [int(x) for x in (outgoing_id, incoming_id) if str(x).isdigit()]
    persons = {p.pk: p for p in people_queries.persons().filter(pk__in=ids)}
    out_p = persons.get(int(outgoing_id)) if str(outgoing_id).isdigit() else None
    in_p = persons.get(int(incoming_id)) if str(incoming_id).isdigit() else None
    if out_p is None:
        errors.add("outgoing", "移交人：请选择。")
    if in_p is None:
        errors.add("incoming", "接收人：请选择。")
    if out_p is not None and out_p == in_p:
        errors.add("incoming", "接收人：不能与移交人相同。")
    if as_of is None:
        errors.add("as_of", "交接基准日：必填。")
    elif as_of > timezone.localdate():
        errors.add("as_of", "交接基准日：不能晚于今天。")
    errors.raise_if_any()
    assert as_of is not None and out_p is not None and in_p is not None
    with transaction.atomic():
        h = Handover.objects.create(
            org=org,
            post=post,
            outgoing=out_p,
            incoming=in_p,
            as_of=as_of,
            snapshot=handover_snapshot(org, as_of),
            generated_by=actor,
            generated_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="finance_handover_generate",
            target=h,
            target_repr=f"{post} {out_p}→{in_p}",
            org_path=org.path,
            changes={},
        )
    return h


def handover_confirm(*, actor, handover: Handover, side: str) -> Handover:
    """One side's confirmation: by the person's own log-in, or recorded by township staff."""
    org = handover.org
    person = handover.outgoing if side == "outgoing" else handover.incoming if side == "incoming" else None
    own = person is not None and person.user_id is not None and person.user_id == actor.pk
    if not own and not can_access_org(actor, OVERSEE_FINANCE, org):
        raise NotFound()
    errors = ErrorCollector()
    if person is None:
        errors.add("side", "确认方：应为移交人或接收人。")
    elif getattr(handover, f"{side}_confirmed_at") is not None:
        errors.add("side", f"确认方：{person.name}已确认。")
    errors.raise_if_any()
    with transaction.atomic():
        setattr(handover, f"{side}_confirmed_at", timezone.now())
        setattr(handover, f"{side}_confirmed_by", actor)
        handover.save(update_fields=[f"{side}_confirmed_at", f"{side}_confirmed_by"])
        audit.record(
            actor=actor,
            action="finance_handover_confirm",
            target=handover,
            target_repr=f"{handover.post} {person}",
            org_path=org.path,
            changes={"side": [None, "移交人" if side == "outgoing" else "接收人"]},
        )
    return handover
