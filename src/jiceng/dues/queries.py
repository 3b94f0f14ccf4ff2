"""Dues' unscoped building blocks (docs/adding-an-app.md): what is due and paid for a run of months,
each member's unpaid months and their streak, computed in SQL. No actor, no scope: the indicators,
the selectors (which scope first) and other apps' services (mobility reads ``unpaid_streaks`` for
党章第九条's signs) call them.

Months are numbers (calc.month_no). A member's dues record starts at their first declaration
(``DuesBase``): the months before it have no amount in the platform and are not counted as unpaid;
every month from it on has one (declarations follow each other without gaps). A month is paid when
a ``PaymentMonth`` row covers it (a voided payment has none)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Greatest, Least

from jiceng.people import queries as people

from .calc import last_full_month_no, month_no
from .models import DuesBase, Payment, PaymentMonth

OPEN = 10**7  # an open declaration's last month, for the arithmetic (year 833,333)
MONEY: DecimalField = DecimalField(max_digits=14, decimal_places=2)


def period_months(start: dt.date, as_of: dt.date) -> tuple[int, int]:
    """The months (lo, hi) wholly inside [start, as_of]: from the month of ``start`` (the next one
    when ``start`` is not the 1st) to the last month that ended by ``as_of``. hi < lo: none."""
    lo = month_no(start) + (0 if start.day == 1 else 1)
    hi = month_no(as_of + dt.timedelta(days=1)) - 1
    return lo, hi


def bases() -> QuerySet:
    return DuesBase.objects.all()


def payments() -> QuerySet:
    """Payments not voided. Everywhere: filter by ``member__org__path``."""
    return Payment.objects.filter(voided_at__isnull=True)


def paid_months() -> QuerySet:
    return PaymentMonth.objects.all()


def in_force(no: int) -> Q:
    """Declarations in force in month ``no``."""
    return Q(from_no__lte=no) & (Q(until_no__isnull=True) | Q(until_no__gte=no))


def due_rows(lo: int, hi: int) -> QuerySet:
    """Declarations in force in some month of [lo, hi], each annotated with ``n_months`` (how many
    of those months) and ``due`` (amount × n_months): Sum("due") over a subtree is what its
    members owe for those months."""
    # a member who left (people's left_on) owes nothing from the month they left: the last month
    # due is the one before it
    left_no = _left_no("member__")
    last = Least(Coalesce(F("until_no"), Value(OPEN)), Coalesce(left_no - Value(1), Value(OPEN)), Value(hi))
    overlap = ExpressionWrapper(
        last - Greatest(F("from_no"), Value(lo)) + Value(1), output_field=IntegerField()
    )
    return (
        DuesBase.objects.filter(from_no__lte=hi)
        .filter(Q(until_no__isnull=True) | Q(until_no__gte=lo))
        .annotate(n_months=overlap)
        .filter(n_months__gt=0)
        .annotate(due=ExpressionWrapper(F("amount") * F("n_months"), output_field=MONEY))
    )


def _left_no(prefix: str) -> Any:
    """The month a member left (people's ``left_on``) as a month number, or null."""
    return ExtractYear(f"{prefix}left_on") * Value(12) + ExtractMonth(f"{prefix}left_on") - Value(1)


def paid_rows(lo: int, hi: int, as_of: dt.date) -> QuerySet:
    """Paid months of [lo, hi], paid by ``as_of`` — those due (before the month a member left)."""
    return (
        PaymentMonth.objects.filter(month_no__gte=lo, month_no__lte=hi, payment__paid_on__lte=as_of)
        .annotate(_left=_left_no("member__"))
        .filter(Q(member__left_on__isnull=True) | Q(month_no__lt=F("_left")))
    )


def _first_no() -> Subquery:
    return Subquery(
        DuesBase.objects.filter(member=OuterRef("pk"))
        .order_by()
        .values("member")
        .annotate(m=Min("from_no"))
        .values("m")[:1],
        output_field=IntegerField(),
    )


def _paid_count(last: int, as_of: dt.date) -> Subquery:
    return Subquery(
        PaymentMonth.objects.filter(member=OuterRef("pk"), month_no__lte=last, payment__paid_on__lte=as_of)
        .order_by()
        .values("member")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def _last_paid(last: int, as_of: dt.date) -> Subquery:
    return Subquery(
        PaymentMonth.objects.filter(member=OuterRef("pk"), month_no__lte=last, payment__paid_on__lte=as_of)
        .order_by()
        .values("member")
        .annotate(m=Max("month_no"))
        .values("m")[:1],
        output_field=IntegerField(),
    )


def with_arrears(qs: QuerySet, as_of: dt.date) -> QuerySet:
    """Party members (a people query) annotated, up to the last full month before ``as_of`` (L),
    with ``dues_start`` (their first declared month, None without a declaration), ``unpaid_months``
    (months from the start to L without a payment made by ``as_of``) and ``unpaid_streak`` (those
    months in a row ending with L). Both 0 for a member without a declaration."""
    last = last_full_month_no(as_of)
    start = Coalesce(F("dues_start"), Value(last + 1))
    return (
        qs.annotate(dues_start=_first_no())
        .annotate(_paid=Coalesce(_paid_count(last, as_of), Value(0)), _last=_last_paid(last, as_of))
        .annotate(
            unpaid_months=Greatest(
                Value(0), Value(last + 1) - start - F("_paid"), output_field=IntegerField()
            ),
            unpaid_streak=Greatest(
                Value(0),
                Value(last) - Greatest(Coalesce(F("_last"), Value(-1)), start - Value(1)),
                output_field=IntegerField(),
            ),
        )
    )


def unpaid_streaks(member_ids: Iterable[int], as_of: dt.date) -> dict[int, int]:
    """{member id: consecutive unpaid months ending with the last full month before ``as_of``},
    for every id asked that is a party member: 0 when that month is paid, or when the member has no
    declaration (no dues record in the platform yet). One query (党章第九条: six months in a row is
    a sign for the branch's attention, never acted on automatically)."""
    ids = list(member_ids)
    if not ids:
        return {}
    last = last_full_month_no(as_of)
    start = Coalesce(F("dues_start"), Value(last + 1))
    rows = (
        people.members()
        .filter(pk__in=ids)
        .annotate(dues_start=_first_no(), _last=_last_paid(last, as_of))
        .annotate(
            streak=Greatest(
                Value(0),
                Value(last) - Greatest(Coalesce(F("_last"), Value(-1)), start - Value(1)),
                output_field=IntegerField(),
            )
        )
        .values_list("pk", "streak")
    )
    return {pk: int(n or 0) for pk, n in rows}


def paid_up_to(member_ids: Iterable[int], as_of: dt.date | None = None) -> dict[int, dt.date | None]:
    """{member id: the last month of the unbroken run of paid months from the start of their dues
    record (交至), by payments made by ``as_of`` (all when None); None when the first month is
    unpaid or there is no declaration}. For a page of members and a transfer letter: reads their
    paid months (a member has a few dozen)."""
    from .calc import month_start

    ids = list(member_ids)
    out: dict[int, dt.date | None] = dict.fromkeys(ids)
    if not ids:
        return out
    start = dict(
        DuesBase.objects.filter(member_id__in=ids)
        .order_by()
        .values("member_id")
        .annotate(m=Min("from_no"))
        .values_list("member_id", "m")
    )
    months: dict[int, set[int]] = {}
    rows = PaymentMonth.objects.filter(member_id__in=ids)
    if as_of is not None:
        rows = rows.filter(payment__paid_on__lte=as_of)
    for member_id, no in rows.values_list("member_id", "month_no"):
        months.setdefault(member_id, set()).add(no)
    for pk in ids:
        first, paid = start.get(pk), months.get(pk, set())
        if first is None or first not in paid:
            continue
        no = first
        while no + 1 in paid:
            no += 1
        out[pk] = month_start(no)
    return out


def amount_in_force(member_ids: Iterable[int], no: int) -> dict[int, DuesBase]:
    """{member id: the declaration in force in month ``no``} (absent: none)."""
    return {b.member_id: b for b in DuesBase.objects.filter(in_force(no), member_id__in=list(member_ids))}


def collected(qs: QuerySet, since: dt.date, until: dt.date) -> Decimal:
    return qs.filter(paid_on__gte=since, paid_on__lte=until).aggregate(s=Sum("amount"))["s"] or Decimal(0)


def due_months(member_id: int, lo: int, hi: int) -> list[tuple[int, DuesBase | None, PaymentMonth | None]]:
    """(month, the declaration in force, the paid month with its payment, or None) for months lo..hi
    of one member: two queries."""
    in_range = list(
        DuesBase.objects.filter(member_id=member_id, from_no__lte=hi)
        .exclude(until_no__lt=lo)
        .order_by("from_no")
    )
    paid = {
        p.month_no: p
        for p in PaymentMonth.objects.filter(
            member_id=member_id, month_no__gte=lo, month_no__lte=hi
        ).select_related("payment")
    }
    out: list[tuple[int, DuesBase | None, PaymentMonth | None]] = []
    for no in range(lo, hi + 1):
        base = next(
            (b for b in in_range if b.from_no <= no and (b.until_no is None or b.until_no >= no)), None
        )
        out.append((no, base, paid.get(no)))
    return out
