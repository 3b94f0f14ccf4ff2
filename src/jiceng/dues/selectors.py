"""Dues reads for a user: every function takes the actor and starts from its ``view_dues`` scope
(a member's own statement starts from the member the actor is)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from jiceng.core import indicators
from jiceng.core.models import Org, OrgKind
from jiceng.core.periods import Period
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import get_scoped_or_404, org_q, orgs_for, root_orgs
from jiceng.people import queries as people
from jiceng.people import selectors as people_selectors

from . import calc, queries
from .models import DuesBase, Payment, PaymentMonth
from .plugin import VIEW_DUES

FIGURES = (
    "dues.collection_rate",
    "dues.collected",
    "dues.members_in_arrears",
    "dues.members_unpaid_six_months",
)
STATEMENT_MONTHS = 24  # a statement shows the last two years (and any month paid ahead)


def dues_roots(*, actor) -> list[Org]:
    return root_orgs(actor, VIEW_DUES)


def org_get(*, actor, org_id) -> Org:
    return get_scoped_or_404(orgs_for(actor, VIEW_DUES), pk=org_id)


def member_get(*, actor, member_id) -> object:
    return get_scoped_or_404(people_selectors.members_for(actor=actor, perm=VIEW_DUES), pk=member_id)


def payment_get(*, actor, payment_id) -> Payment:
    return get_scoped_or_404(
        Payment.objects.filter(org_q(actor, VIEW_DUES, "member__org")).select_related(
            "member__person", "member__org", "org", "recorded_by", "voided_by"
        ),
        pk=payment_id,
    )


def _in_force_now(no: int, field: str):
    return Subquery(DuesBase.objects.filter(queries.in_force(no), member=OuterRef("pk")).values(field)[:1])


def branch_members(*, actor, org: Org, today: dt.date | None = None) -> QuerySet:
    """The members on the rolls of ``org``'s subtree, with their declaration in force this month
    (``cur_group``, ``cur_base``, ``cur_amount``), whether this month is paid (``paid_now``) and
    their arrears up to last month (queries.with_arrears: ``unpaid_months``, ``unpaid_streak``,
    ``dues_start``)."""
    today = today or timezone.localdate()
    no = calc.month_no(today)
    qs = people.members_on(today).filter(org_q(actor, VIEW_DUES), org__path__startswith=org.path)
    qs = queries.with_arrears(qs, today).annotate(
        cur_group=_in_force_now(no, "category"),
        cur_base=_in_force_now(no, "base"),
        cur_amount=_in_force_now(no, "amount"),
        paid_now=Exists(PaymentMonth.objects.filter(member=OuterRef("pk"), month_no=no)),
    )
    return qs.select_related("person", "org").order_by("org__path", "person__name", "pk")


@dataclass
class MemberRow:
    member: object
    group: str
    base: Decimal | None
    amount: Decimal | None
    paid_now: bool
    paid_up_to: dt.date | None
    unpaid_months: int
    unpaid_streak: int
    flag_arrears: bool
    flag_lapse: bool


def member_rows(*, actor, org: Org, members: list, today: dt.date | None = None) -> list[MemberRow]:
    """A page of ``branch_members`` with paid-up-to months and the flags (one query more)."""
    today = today or timezone.localdate()
    arrears = int(rule("dues.arrears_months", org, today))
    lapse = int(rule("dues.lapse_months", org, today))
    up_to = queries.paid_up_to([m.pk for m in members])
    return [
        MemberRow(
            member=m,
            group=calc.GROUP_NAMES.get(m.cur_group or "", ""),
            base=m.cur_base,
            amount=m.cur_amount,
            paid_now=m.paid_now,
            paid_up_to=up_to.get(m.pk),
            unpaid_months=m.unpaid_months,
            unpaid_streak=m.unpaid_streak,
            flag_arrears=m.unpaid_months >= arrears,
            flag_lapse=m.unpaid_streak >= lapse,
        )
        for m in members
    ]


def member_bases(*, actor, member) -> QuerySet[DuesBase]:
    member_get(actor=actor, member_id=member.pk)
    return DuesBase.objects.filter(member=member).select_related("recorded_by").order_by("-from_no")


def member_payments(*, actor, member) -> QuerySet[Payment]:
    member_get(actor=actor, member_id=member.pk)
    return Payment.objects.filter(member=member).select_related("recorded_by").order_by("-paid_on", "-pk")


@dataclass
class MonthRow:
    no: int
    label: str
    due: Decimal | None  # None: no declaration in force (before the dues record starts)
    paid: Decimal | None
    receipt_no: str
    payment_id: int | None
    paid_on: dt.date | None
    state: str  # paid | unpaid | current | ahead | none


def _statement(member, today: dt.date) -> list[MonthRow]:
    current = calc.month_no(today)
    lo = max(current - STATEMENT_MONTHS + 1, calc.month_no(member.joined_on))
    last_paid = (
        PaymentMonth.objects.filter(member=member)
        .order_by("-month_no")
        .values_list("month_no", flat=True)
        .first()
    )
    hi = max(current, last_paid or current)
    out = []
    for no, base, paid in reversed(queries.due_months(member.pk, lo, hi)):
        if paid is not None:
            state = "paid"
        elif base is None:
            state = "none"
        elif no > current:
            continue  # an unpaid month ahead is not owed yet
        elif no == current:
            state = "current"
        else:
            state = "unpaid"
        out.append(
            MonthRow(
                no=no,
                label=calc.month_label(no),
                due=base.amount if base is not None else None,
                paid=paid.amount if paid is not None else None,
                receipt_no=paid.payment.receipt_no or "" if paid is not None else "",
                payment_id=paid.payment_id if paid is not None else None,
                paid_on=paid.payment.paid_on if paid is not None else None,
                state=state,
            )
        )
    return out


def member_statement(*, actor, member, today: dt.date | None = None) -> list[MonthRow]:
    member_get(actor=actor, member_id=member.pk)
    return _statement(member, today or timezone.localdate())


def own_member(*, actor):
    return people_selectors.member_of_user(actor=actor)


def own_statement(*, actor, today: dt.date | None = None) -> dict | None:
    """The logged-in member's own months (due, paid, receipt), declaration and arrears: nobody
    else's, whatever the actor's grants."""
    me = people_selectors.member_of_user(actor=actor)
    if me is None:
        return None
    today = today or timezone.localdate()
    row = (
        queries.with_arrears(people.members().filter(pk=me.pk), today)
        .values("unpaid_months", "unpaid_streak")
        .first()
    )
    base = DuesBase.objects.filter(queries.in_force(calc.month_no(today)), member=me).first()
    return {
        "me": me,
        "months": _statement(me, today),
        "base": base,
        "group": calc.GROUP_NAMES.get(base.category, "") if base else "",
        "unpaid_months": (row or {}).get("unpaid_months", 0),
        "paid_up_to": queries.paid_up_to([me.pk]).get(me.pk),
        "payments": list(Payment.objects.filter(member=me).order_by("-paid_on", "-pk")[:24]),
    }


def receipt_get(*, actor, payment_id) -> Payment:
    """A receipt the actor may read: one in their dues scope, or one of their own payments."""
    own = Q(member__person__user_id=actor.pk) if getattr(actor, "is_authenticated", False) else Q(pk__in=[])
    return get_scoped_or_404(
        Payment.objects.filter(org_q(actor, VIEW_DUES, "member__org") | own).select_related(
            "member__person", "member__org", "org", "recorded_by", "voided_by"
        ),
        pk=payment_id,
    )


# --- summaries and ledgers ----------------------------------------------------------------------


def child_units(*, actor, org: Org) -> list[Org]:
    """The units a summary sets side by side: the child committees (a county's townships), else
    the branches and general branches below (a township's villages)."""
    org_get(actor=actor, org_id=org.pk)
    children = list(Org.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path"))
    if not children or all(c.kind == OrgKind.GROUP for c in children):
        return []
    return [c for c in children if c.kind != OrgKind.GROUP]


def unit_figures(*, actor, units: list[Org], period: Period) -> dict[int, dict]:
    """{unit pk: {figure name: value}} for units in the actor's dues scope (one grouped query per
    figure and depth)."""
    for u in units:
        org_get(actor=actor, org_id=u.pk)
    got = indicators.compute_for_units(actor=actor, names=list(FIGURES), units=units, period=period)
    return {pk: _plain_figures(values) for pk, values in got.items()}


def org_figures(*, actor, org: Org, period: Period) -> dict:
    org_get(actor=actor, org_id=org.pk)
    return _plain_figures(
        indicators.compute_many(actor=actor, names=list(FIGURES), org=org, period=period).values
    )


def _plain_figures(values: dict) -> dict:
    rate = values["dues.collection_rate"]
    return {
        "rate": rate.value,
        "paid": (rate.numerator or 0) / 100,  # the rate's parts are in fen
        "due": (rate.denominator or 0) / 100,
        "collected": values["dues.collected"].value or 0,
        "arrears": values["dues.members_in_arrears"].value or 0,
        "lapsed": values["dues.members_unpaid_six_months"].value or 0,
    }


def ledger_orgs(*, actor, org: Org | None) -> list[Org]:
    roots = [org_get(actor=actor, org_id=org.pk)] if org is not None else dues_roots(actor=actor)
    return roots


MEMBER_LEDGER_HEADERS = (
    "党组织",
    "姓名",
    "党员类别",
    "交纳基数（元）",
    "月交纳额（元）",
    "期间应交月数",
    "期间应交（元）",
    "期间已交（元）",
    "交至",
    "欠交月数（至上月）",
    "欠交金额（元）",
    "连续未交月数",
    "提示",
)


def _money_sum(qs: QuerySet, field: str) -> Subquery:
    return Subquery(
        qs.order_by().values("member").annotate(s=Sum(field)).values("s")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def member_ledger_rows(*, actor, org: Org | None, period: Period) -> Iterator[tuple]:
    """One row per member on the rolls of the scope on the period's last day: the declaration in
    force then, what the period's months owed and what was paid for them, paid up to, arrears up
    to the last full month (months and amount) and months in a row unpaid, with the flags."""
    as_of = period.as_of
    day = as_of + dt.timedelta(days=1)
    lo, hi = queries.period_months(period.start, as_of)
    last = calc.last_full_month_no(day)
    for root in ledger_orgs(actor=actor, org=org):
        arrears = int(rule("dues.arrears_months", root, as_of))
        lapse = int(rule("dues.lapse_months", root, as_of))
        qs = people.members_on(as_of).filter(org_q(actor, VIEW_DUES), org__path__startswith=root.path)
        qs = queries.with_arrears(qs, day).annotate(
            cur_group=_in_force_now(last, "category"),
            cur_base=_in_force_now(last, "base"),
            cur_amount=_in_force_now(last, "amount"),
            p_months=Coalesce(
                Subquery(
                    queries.due_rows(lo, hi)
                    .filter(member=OuterRef("pk"))
                    .order_by()
                    .values("member")
                    .annotate(n=Sum("n_months"))
                    .values("n")[:1]
                ),
                0,
            ),
            p_due=_money_sum(queries.due_rows(lo, hi).filter(member=OuterRef("pk")), "due"),
            p_paid=_money_sum(queries.paid_rows(lo, hi, as_of).filter(member=OuterRef("pk")), "amount"),
            a_due=_money_sum(queries.due_rows(0, last).filter(member=OuterRef("pk")), "due"),
            a_paid=_money_sum(queries.paid_rows(0, last, as_of).filter(member=OuterRef("pk")), "amount"),
        )
        rows = qs.order_by("org__path", "person__name", "pk").values_list(
            "pk",
            "org__name",
            "person__name",
            "cur_group",
            "cur_base",
            "cur_amount",
            "p_months",
            "p_due",
            "p_paid",
            "unpaid_months",
            "a_due",
            "a_paid",
            "unpaid_streak",
            "dues_start",
        )
        chunk: list[tuple] = []
        for r in rows.iterator(chunk_size=2000):
            chunk.append(r)
            if len(chunk) == 2000:
                yield from _member_ledger_chunk(chunk, arrears, lapse, as_of)
                chunk = []
        if chunk:
            yield from _member_ledger_chunk(chunk, arrears, lapse, as_of)


def _f(value) -> float:
    return round(float(value or 0), 2)


def _member_ledger_chunk(chunk: list[tuple], arrears: int, lapse: int, as_of: dt.date) -> Iterator[tuple]:
    up_to = queries.paid_up_to([r[0] for r in chunk], as_of)
    for pk, org_name, name, group, base, amount, n, due, paid, unpaid, a_due, a_paid, streak, start in chunk:
        flags = []
        if start is None:
            flags.append("未核定基数")
        if streak >= lapse:
            flags.append(f"连续{streak}个月未交，提请支部注意（党章第九条）")
        elif unpaid >= arrears:
            flags.append(f"欠交{unpaid}个月")
        paid_to = up_to.get(pk)
        yield (
            org_name,
            name,
            calc.GROUP_NAMES.get(group or "", ""),
            _f(base) if base is not None else None,
            _f(amount) if amount is not None else None,
            int(n or 0),
            _f(due),
            _f(paid),
            f"{paid_to:%Y-%m}" if paid_to else "",
            int(unpaid or 0),
            round(_f(a_due) - _f(a_paid), 2),
            int(streak or 0),
            "；".join(flags),
        )


def member_ledger_count(*, actor, org: Org | None, period: Period) -> int:
    return sum(
        people.members_on(period.as_of)
        .filter(org_q(actor, VIEW_DUES), org__path__startswith=root.path)
        .count()
        for root in ledger_orgs(actor=actor, org=org)
    )


BRANCH_LEDGER_HEADERS = (
    "上级党组织",
    "党组织",
    "党员数",
    "已核定人数",
    "期间应交（元）",
    "期间已交（元）",
    "收缴率",
    "期间收缴（元，按交纳日期）",
    "欠交党员数",
    "连续未交达提示月数党员数",
)


def branches_in(*, actor, org: Org | None) -> list[Org]:
    out: list[Org] = []
    for root in ledger_orgs(actor=actor, org=org):
        out += list(
            Org.objects.filter(path__startswith=root.path, kind__in=(OrgKind.BRANCH, OrgKind.GENERAL_BRANCH))
            .filter(org_q_self(actor))
            .exclude(kind=OrgKind.GENERAL_BRANCH, numchild__gt=0)
            .order_by("path")
        )
    return out


def org_q_self(actor) -> Q:
    from jiceng.core.scoping import path_q

    return path_q(actor, VIEW_DUES, "path")


def branch_ledger_rows(*, actor, org: Org | None, period: Period) -> Iterator[tuple]:
    """One row per branch (and general branch without branches) of the scope: its members on the
    period's last day, those with a declaration, due and paid for the period's months, the rate,
    collected in the period and the members in arrears and unpaid for the lapse months in a row
    — the registry's figures, one grouped query per figure for all branches."""
    branches = branches_in(actor=actor, org=org)
    if not branches:
        return
    from django.db.models import Count

    from jiceng.core.indicators import Scope, grouped

    scopes = [Scope(b) for b in branches]
    members = grouped(scopes, people.members_on(period.as_of), "org__path", {"n": Count("pk")})
    declared = grouped(
        scopes,
        people.members_on(period.as_of).filter(Exists(DuesBase.objects.filter(member=OuterRef("pk")))),
        "org__path",
        {"n": Count("pk")},
    )
    figures = indicators.compute_units(list(FIGURES), branches, period)
    parents = dict(
        Org.objects.filter(path__in={b.path[: -Org.steplen] for b in branches}).values_list("path", "name")
    )
    for b in branches:
        rate = figures["dues.collection_rate"][b.pk]
        yield (
            parents.get(b.path[: -Org.steplen], ""),
            b.name,
            members[b.pk]["n"] or 0,
            declared[b.pk]["n"] or 0,
            (rate.denominator or 0) / 100,  # the rate's parts are in fen
            (rate.numerator or 0) / 100,
            f"{rate.value * 100:.1f}%" if rate.value is not None else "—",
            figures["dues.collected"][b.pk].value,
            figures["dues.members_in_arrears"][b.pk].value,
            figures["dues.members_unpaid_six_months"][b.pk].value,
        )


PAYMENT_LEDGER_HEADERS = (
    "收据号",
    "党组织",
    "姓名",
    "起始月份",
    "截止月份",
    "月数",
    "金额（元）",
    "方式",
    "转账单号",
    "交纳日期",
    "登记人",
    "状态",
)


def payments_in(*, actor, org: Org | None, period: Period) -> QuerySet[Payment]:
    qs = Payment.objects.filter(
        org_q(actor, VIEW_DUES, "member__org"), paid_on__gte=period.start, paid_on__lte=period.end
    )
    if org is not None:
        org_get(actor=actor, org_id=org.pk)
        qs = qs.filter(member__org__path__startswith=org.path)
    return qs


def payment_ledger_rows(*, actor, org: Org | None, period: Period) -> Iterator[tuple]:
    methods = {"cash": "现金", "transfer": "转账"}
    rows = (
        payments_in(actor=actor, org=org, period=period)
        .order_by("paid_on", "pk")
        .values_list(
            "receipt_no",
            "org__name",
            "member__person__name",
            "from_month",
            "to_month",
            "months",
            "amount",
            "method",
            "reference",
            "paid_on",
            "recorded_by__display_name",
            "voided_at",
        )
    )
    for r in rows.iterator(chunk_size=2000):
        yield (
            r[0],
            r[1],
            r[2],
            f"{r[3]:%Y-%m}",
            f"{r[4]:%Y-%m}",
            r[5],
            _f(r[6]),
            methods.get(r[7], r[7]),
            r[8],
            r[9],
            r[10] or "",
            "已作废" if r[11] else "有效",
        )


def arrears_members(*, actor, org: Org, today: dt.date | None = None, limit: int = 10) -> dict:
    """For a branch's home: members in arrears (≥ dues.arrears_months) and those unpaid for the
    lapse months in a row, the first few of each and the counts."""
    today = today or timezone.localdate()
    arrears = int(rule("dues.arrears_months", org, today))
    lapse = int(rule("dues.lapse_months", org, today))
    qs = queries.with_arrears(
        people.members_on(today).filter(org_q(actor, VIEW_DUES), org__path__startswith=org.path), today
    ).select_related("person")
    in_arrears = qs.filter(unpaid_months__gte=arrears).order_by("-unpaid_months", "person__name", "pk")
    lapsed = qs.filter(unpaid_streak__gte=lapse).order_by("-unpaid_streak", "person__name", "pk")
    undeclared = (
        people.members_on(today)
        .filter(org_q(actor, VIEW_DUES), org__path__startswith=org.path)
        .exclude(Exists(DuesBase.objects.filter(member=OuterRef("pk"))))
    )
    return {
        "arrears_months": arrears,
        "lapse_months": lapse,
        "in_arrears": list(in_arrears[:limit]),
        "n_arrears": in_arrears.count(),
        "lapsed": list(lapsed[:limit]),
        "n_lapsed": lapsed.count(),
        "n_undeclared": undeclared.count(),
    }


def pay_suggestion(*, actor, member, today: dt.date | None = None) -> dict:
    """What the payment form offers: the first unpaid month of the dues record (within the
    statement's two years) up to this month, its months and their dues."""
    member_get(actor=actor, member_id=member.pk)
    today = today or timezone.localdate()
    months: list[MonthRow] = []
    for m in reversed(_statement(member, today)):  # oldest first: the first unbroken run of unpaid months
        if m.state in ("unpaid", "current"):
            months.append(m)
        elif months:
            break
    if not months:
        return {"from_month": None, "to_month": None, "amount": None, "months": []}
    return {
        "from_month": calc.month_start(months[0].no),
        "to_month": calc.month_start(months[-1].no),
        "amount": sum((m.due or Decimal(0) for m in months), Decimal(0)),
        "months": months,
    }
