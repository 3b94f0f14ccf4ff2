"""Dues writes: a member's declared base (核定), a payment (one receipt, one or more months) and the
voiding of a mistaken payment. Each checks the actor's scope first (``manage_dues`` at the member's
organisation, else NotFound), then every rule into one ErrorCollector (a Chinese message naming the
field and the rule), stores nothing when anything is wrong, and writes in one transaction with its
audit entry. Rules and sources: docs/dues.md."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.core import audit
from jiceng.core.boundary import identifier, text_problem
from jiceng.core.errors import DomainError, ErrorCollector, NotFound
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_org

from . import calc, queries
from .models import DuesBase, Group, Method, Payment, PaymentMonth
from .plugin import MANAGE_DUES

MAX_MONTHS = 120  # one receipt covers at most ten years (a technical bound on one form)
BASE_MAX = Decimal("100000000")  # 1亿元: a typing error, not a salary
REFERENCE = re.compile(r"[A-Z0-9\-_]{4,64}", re.ASCII)
METHOD_NAMES = {"cash": "现金", "transfer": "转账"}


def _month(errors: ErrorCollector, field: str, label: str, value: dt.date | None) -> int | None:
    if value is None:
        errors.add(field, f"{label}：必填（年月）。")
        return None
    return calc.month_no(value)


def _money(
    errors: ErrorCollector, field: str, label: str, value: Any, *, required: bool = True
) -> Decimal | None:
    d = calc.parse_money(value)
    if d is None:
        if required or (value not in (None, "")):
            errors.add(
                field, f"{label}：{'必填，' if value in (None, '') else ''}应为金额（元，最多两位小数）。"
            )
        return None
    if d.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.add(field, f"{label}：最多两位小数（到分），现为 {d}。")
        return None
    if d <= 0:
        errors.add(field, f"{label}：应大于0元。")
        return None
    return d


def _check_scope(actor, member) -> None:
    if member is None or not can_access_org(actor, MANAGE_DUES, member.org):
        raise NotFound()


# --- declarations (核定交纳基数) --------------------------------------------------------------------


def base_declare(
    *,
    actor,
    member,
    group: str,
    from_month: dt.date | None,
    base: Any = None,
    amount: Any = None,
    note: str = "",
) -> DuesBase:
    """Declare a member's dues from a month on: the group and the base (after-tax regular monthly
    pay, or the pension: 中组发〔2008〕3号 第三条、第四条), or for a farmer the monthly amount within
    the table's range (第五条), the fixed amount for students, the unemployed and 低保 recipients.
    The bracket's rate applies to the whole base; the amount is rounded to the fen, half up. The
    history is kept: a declaration starts after the latest one (which it closes) and never in a
    month already paid, nor before the month the member was admitted (预备党员从支部大会通过之月起交纳)."""
    _check_scope(actor, member)
    errors = ErrorCollector()
    today = timezone.localdate()
    if group not in Group.values:
        errors.add("group", f"党员类别：应为{'、'.join(calc.GROUP_NAMES.values())}之一。")
    no = _month(errors, "from_month", "起始月份", from_month)
    note = (note or "").strip()
    if problem := text_problem(note, label="备注", max_length=200):
        errors.add("note", problem)
    base_d: Decimal | None = None
    rate: Decimal | None = None
    monthly: Decimal | None = None
    if no is not None:
        joined = calc.month_no(member.joined_on)
        latest = DuesBase.objects.filter(member=member).order_by("-from_no").first()
        last_paid = PaymentMonth.objects.filter(member=member).order_by("-month_no").first()
        if no < joined:
            errors.add(
                "from_month",
                f"起始月份：不能早于入党当月（{calc.month_label(joined)}；预备党员从支部大会通过之月起交纳党费）。",
            )
        elif no > calc.month_no(today) + 1:
            errors.add(
                "from_month", f"起始月份：最晚为下月（{calc.month_label(calc.month_no(today) + 1)}）。"
            )
        elif latest is not None and no <= latest.from_no:
            errors.add(
                "from_month",
                f"起始月份：已有{calc.month_label(latest.from_no)}起的核定，新的核定应从其后的月份开始"
                "（已有的核定不修改，按月份接续）。",
            )
        elif last_paid is not None and no <= last_paid.month_no:
            errors.add(
                "from_month",
                f"起始月份：{calc.month_label(last_paid.month_no)}的党费已交，新的核定最早从"
                f"{calc.month_label(last_paid.month_no + 1)}开始（已交月份不重新核定）。",
            )
    if group in Group.values and from_month is not None:
        rates = rule("dues.rates", member.org, from_month)
        if group in calc.PERCENT_GROUPS:
            label = "月工资性收入（税后）" if group == Group.EMPLOYED else "月离退休费"
            base_d = _money(errors, "base", label, base)
            if base_d is not None and base_d >= BASE_MAX:
                errors.add("base", f"{label}：{calc.yuan(base_d)}元过大，请核对。")
                base_d = None
            if base_d is not None:
                rate, monthly = calc.monthly_amount(rates, group, base_d)
        else:
            least, most = calc.fixed_range(rates, group)
            if amount in (None, "") and least == most:
                monthly = least
            else:
                chosen = _money(errors, "amount", "每月交纳金额", amount)
                if chosen is not None and not least <= chosen <= most:
                    errors.add(
                        "amount",
                        f"每月交纳金额：{calc.GROUP_NAMES[group]}每月交纳{calc.yuan(least)}元至{calc.yuan(most)}元"
                        f"（现为{calc.yuan(chosen)}元）。",
                    )
                elif chosen is not None:
                    monthly = chosen
    errors.raise_if_any()
    assert no is not None and monthly is not None and from_month is not None
    start = calc.month_start(no)
    try:
        with transaction.atomic():
            DuesBase.objects.filter(member=member, until_no__isnull=True).update(until_no=no - 1)
            made = DuesBase.objects.create(
                member=member,
                category=group,
                base=base_d,
                rate=rate,
                amount=monthly,
                from_month=start,
                from_no=no,
                note=note,
                recorded_by=actor if getattr(actor, "pk", None) else None,
            )
            audit.record(
                actor=actor,
                action="dues_declare",
                target=made,
                target_repr=f"{member.person.name} {calc.month_label(no)}起",
                org_path=member.org.path,
                changes=audit.diff(
                    {},
                    {
                        "dues_group": calc.GROUP_NAMES[group],
                        "dues_base": base_d,
                        "dues_rate": f"{rate * 100:g}%" if rate is not None else None,
                        "dues_amount": monthly,
                        "from_month": f"{start:%Y-%m}",
                        "note": note or None,
                    },
                ),
            )
    except IntegrityError:  # another declaration of the same member at the same moment
        raise DomainError(
            field="from_month", message="起始月份：该党员的核定刚刚被修改，请刷新后重试。"
        ) from None
    return made


# --- payments (交纳) ---------------------------------------------------------------------------------


def payment_record(
    *,
    actor,
    member,
    from_month: dt.date | None,
    to_month: dt.date | None,
    amount: Any,
    method: str,
    paid_on: dt.date | None,
    reference: str = "",
) -> Payment:
    """Record a payment of one or more months (one receipt). Each month: not before the month of
    admission, with a declaration in force, not yet paid, at most ``dues.prepay_months`` after this
    month (预交, 中组发〔2008〕3号). The amount is exactly the months' dues: more or less is refused
    with the amount due. A transfer names its reference (转账单号); paid on a day not in the future
    and not before admission."""
    _check_scope(actor, member)
    errors = ErrorCollector()
    today = timezone.localdate()
    lo = _month(errors, "from_month", "起始月份", from_month)
    hi = _month(errors, "to_month", "截止月份", to_month) if to_month is not None else lo
    paid_amount = _money(errors, "amount", "金额", amount)
    if method not in Method.values:
        errors.add("method", "交纳方式：应为现金或转账。")
    ref = identifier(reference)
    if method == Method.TRANSFER and not ref:
        errors.add("reference", "转账单号：转账交纳须填写转账单号（微信、支付宝或银行的交易单号）。")
    elif method == Method.TRANSFER and not REFERENCE.fullmatch(ref):
        errors.add("reference", "转账单号：应为4至64位字母、数字或“-”“_”。")
    elif method == Method.CASH and ref:
        errors.add("reference", "转账单号：现金交纳不填转账单号。")
    if paid_on is None:
        errors.add("paid_on", "交纳日期：必填。")
    elif paid_on > today:
        errors.add("paid_on", f"交纳日期：不能晚于今天（{today:%Y-%m-%d}）。")
    elif paid_on < member.joined_on:
        errors.add("paid_on", f"交纳日期：不能早于入党日期（{member.joined_on:%Y-%m-%d}）。")
    lines: list[tuple[int, DuesBase]] = []
    expected = Decimal(0)
    if lo is not None and hi is not None:
        joined = calc.month_no(member.joined_on)
        ahead = int(rule("dues.prepay_months", member.org, today))
        if hi < lo:
            errors.add("to_month", "截止月份：不能早于起始月份。")
        elif hi - lo + 1 > MAX_MONTHS:
            errors.add("to_month", f"截止月份：一次最多交纳{MAX_MONTHS}个月。")
        elif lo < joined:
            errors.add(
                "from_month",
                f"起始月份：{calc.month_label(lo)}早于该党员入党的月份（{calc.month_label(joined)}），"
                "入党前的月份不交党费。",
            )
        elif hi > calc.month_no(today) + ahead:
            errors.add(
                "to_month",
                f"截止月份：最多预交到{calc.month_label(calc.month_no(today) + ahead)}（本月之后{ahead}个月）。",
            )
        else:
            missing, taken = [], []
            for no, base, paid in queries.due_months(member.pk, lo, hi):
                if paid is not None:
                    taken.append(f"{calc.month_label(no)}（收据{paid.payment.receipt_no}）")
                elif base is None:
                    missing.append(calc.month_label(no))
                else:
                    lines.append((no, base))
                    expected += base.amount
            if missing:
                errors.add(
                    "from_month",
                    f"缴费月份：{'、'.join(missing[:3])}{'等' if len(missing) > 3 else ''}尚未核定交纳基数，请先核定。",
                )
            if taken:
                errors.add(
                    "from_month",
                    f"缴费月份：{'、'.join(taken[:3])}{'等' if len(taken) > 3 else ''}已交，同一月份不能重复交纳。",
                )
            if not missing and not taken and paid_amount is not None and paid_amount != expected:
                diff = paid_amount - expected
                what = f"多{calc.yuan(diff)}元" if diff > 0 else f"少{calc.yuan(-diff)}元"
                span = calc.month_label(lo) + (f"至{calc.month_label(hi)}" if hi > lo else "")
                errors.add(
                    "amount",
                    f"金额：{span}共{hi - lo + 1}个月应交{calc.yuan(expected)}元，填写的是"
                    f"{calc.yuan(paid_amount)}元（{what}）。党费按核定金额交纳，请按应交金额填写。",
                )
    errors.raise_if_any()
    assert lo is not None and hi is not None and paid_on is not None and paid_amount is not None
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                member=member,
                org=member.org,
                from_month=calc.month_start(lo),
                to_month=calc.month_start(hi),
                months=hi - lo + 1,
                amount=paid_amount,
                method=method,
                reference=ref,
                paid_on=paid_on,
                recorded_by=actor if getattr(actor, "pk", None) else None,
            )
            payment.receipt_no = receipt_number(payment)
            payment.save(update_fields=["receipt_no"])
            PaymentMonth.objects.bulk_create(
                PaymentMonth(
                    payment=payment,
                    member=member,
                    base=base,
                    month=calc.month_start(no),
                    month_no=no,
                    amount=base.amount,
                )
                for no, base in lines
            )
            audit.record(
                actor=actor,
                action="dues_pay",
                target=payment,
                target_repr=f"{payment.receipt_no} {member.person.name}",
                org_path=member.org.path,
                changes=audit.diff(
                    {},
                    {
                        "receipt_no": payment.receipt_no,
                        "from_month": f"{payment.from_month:%Y-%m}",
                        "to_month": f"{payment.to_month:%Y-%m}",
                        "dues_amount": paid_amount,
                        "dues_method": METHOD_NAMES[method],
                        "reference": ref or None,
                        "paid_on": paid_on,
                    },
                ),
            )
    except IntegrityError:  # the same month recorded by someone else at the same moment
        raise DomainError(
            field="from_month", message="缴费月份：该月份刚刚已由他人登记交纳，请刷新后核对。"
        ) from None
    return payment


def receipt_number(payment: Payment) -> str:
    """DF + the year paid + the payment's key (8 digits): unique without a look-up or a counter."""
    return f"DF{payment.paid_on:%Y}{payment.pk:08d}"


def payment_void(*, actor, payment: Payment, reason: str) -> Payment:
    """Void a payment recorded by mistake (冲销), with the reason: the receipt stays, marked void,
    and its months become unpaid again (to be recorded correctly)."""
    _check_scope(actor, payment.member)
    errors = ErrorCollector()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", "作废原因：必填。")
    elif problem := text_problem(reason, label="作废原因", max_length=200):
        errors.add("reason", problem)
    if payment.voided_at is not None:
        errors.add(
            "reason",
            f"作废：收据{payment.receipt_no}已于{timezone.localtime(payment.voided_at):%Y-%m-%d}作废。",
        )
    errors.raise_if_any()
    with transaction.atomic():
        PaymentMonth.objects.filter(payment=payment).delete()
        payment.voided_at = timezone.now()
        payment.voided_by = actor if getattr(actor, "pk", None) else None
        payment.void_reason = reason
        payment.save(update_fields=["voided_at", "voided_by", "void_reason"])
        audit.record(
            actor=actor,
            action="dues_void",
            target=payment,
            target_repr=f"{payment.receipt_no} {payment.member.person.name}",
            org_path=payment.member.org.path,
            changes={"void_reason": [None, reason]},
        )
    return payment
