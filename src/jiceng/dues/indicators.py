"""Dues figures for any subtree and period (core.indicators, basis "org": a member's dues count in
the member's organisation). Computed in grouped SQL for many scopes at once. Definitions:
docs/indicators.md, "Dues".

The period's months are the calendar months wholly inside [period start, as_of] (queries.
period_months): a month counts once it has ended. Amounts are yuan (floats rounded to the fen, as
cases' amounts are); a sum of yuan is not a count of records, so the amount figures list no rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import IndicatorValue, Scope, by_rule, grouped, once, ratio, register, scopes_key
from jiceng.core.models import Org
from jiceng.core.periods import Period
from jiceng.core.rulepacks import rule
from jiceng.people import queries as people

from . import queries


def _yuan(value) -> float:
    return round(float(value or 0), 2)


def _day_after(period: Period) -> dt.date:
    """Arrears are judged on the day after the period's as_of: its last full month then counts."""
    return period.as_of + dt.timedelta(days=1)


@register(
    "dues.collected",
    label=_("party dues collected (yuan)"),
    unit="count",
    counts="yuan",
    additive=True,
    description=_("Dues payments recorded as paid in the period (by the day paid), voided ones left out."),
)
def collected(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    qs = queries.payments().filter(paid_on__gte=period.start, paid_on__lte=period.as_of)
    got = grouped(scopes, qs, "member__org__path", {"s": Sum("amount")})
    return {s.key: IndicatorValue(value=_yuan(got[s.key]["s"])) for s in scopes}


def _due_and_paid(scopes: Sequence[Scope], period: Period) -> dict[int, tuple[float, float]]:
    def compute() -> dict[int, tuple[float, float]]:
        lo, hi = queries.period_months(period.start, period.as_of)
        if hi < lo:
            return {s.key: (0.0, 0.0) for s in scopes}
        due = grouped(scopes, queries.due_rows(lo, hi), "member__org__path", {"s": Sum("due")})
        paid = grouped(
            scopes, queries.paid_rows(lo, hi, period.as_of), "member__org__path", {"s": Sum("amount")}
        )
        return {s.key: (_yuan(due[s.key]["s"]), _yuan(paid[s.key]["s"])) for s in scopes}

    return once(("dues.due_paid", scopes_key(scopes), period.start, period.as_of), compute)


@register(
    "dues.collection_rate",
    label=_("dues collection rate"),
    unit="rate",
    counts="yuan",
    additive=True,
    description=_(
        "Dues paid for the period's months ÷ dues due for them (months that have ended; amounts of the "
        "declarations in force each month; payments made by the period's end)."
    ),
)
def collection_rate(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    got = _due_and_paid(scopes, period)
    out = {}
    for s in scopes:
        due, paid = got[s.key]
        # in fen, whole numbers: a rollup adds its children's numerators and denominators exactly
        out[s.key] = ratio(round(paid * 100), round(due * 100))
    return out


def _members(period: Period) -> QuerySet:
    day = _day_after(period)
    return queries.with_arrears(people.members_on(period.as_of), day)


def _count_members(
    scopes: Sequence[Scope], period: Period, key: str, field: str
) -> dict[int, IndicatorValue]:
    out: dict[int, IndicatorValue] = {}
    for value, group in by_rule(scopes, key, period.as_of):
        got = grouped(
            group, _members(period).filter(**{f"{field}__gte": int(value)}), "org__path", {"n": Count("pk")}
        )
        out.update({s.key: IndicatorValue(value=got[s.key]["n"] or 0) for s in group})
    return out


def _member_rows(key: str, field: str):
    def rows(org: Org, period: Period, which: str) -> QuerySet:
        n = int(rule(key, org, period.as_of))
        return (
            _members(period)
            .filter(org__path__startswith=org.path, **{f"{field}__gte": n})
            .order_by("org__path", "pk")
        )

    return rows


@register(
    "dues.members_in_arrears",
    label=_("members in dues arrears"),
    unit="count",
    counts="members",
    additive=True,
    rules=("dues.arrears_months",),
    rows=_member_rows("dues.arrears_months", "unpaid_months"),
    description=_(
        "Members on the rolls whose unpaid months, from the start of their dues record to the period's "
        "last full month, reach the configured number (dues.arrears_months)."
    ),
)
def members_in_arrears(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _count_members(scopes, period, "dues.arrears_months", "unpaid_months")


@register(
    "dues.members_unpaid_six_months",
    label=_("members with six months in a row unpaid"),
    unit="count",
    counts="members",
    additive=True,
    rules=("dues.lapse_months",),
    rows=_member_rows("dues.lapse_months", "unpaid_streak"),
    description=_(
        "Members on the rolls whose dues are unpaid for the configured months in a row (dues.lapse_months, "
        "6: 党章第九条) up to the period's last full month: for the branch's attention, never acted on."
    ),
)
def members_unpaid_six_months(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _count_members(scopes, period, "dues.lapse_months", "unpaid_streak")
