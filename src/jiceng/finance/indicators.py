"""Collective-economy figures for any subtree (core.indicators), in grouped SQL over the voucher
lines: operating income (subsidies excluded), the villages under the 004-P6 minimum and under the
004-P9 award threshold for the period, and the 三无村 (no resources, no assets, no funds) on the
period's last day."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import IndicatorValue, Scope, by_rule, grouped, register
from jiceng.core.models import Org
from jiceng.core.periods import Period

from . import queries
from .models import Asset, Contract, Line


def _income_lines(period: Period) -> QuerySet[Line]:
    return Line.objects.filter(queries.operating_income_q(), date__gte=period.start, date__lte=period.as_of)


@register(
    "finance.operating_income",
    label=_("collective operating income (fen)"),
    unit="count",
    counts="fen (分) of operating income",
    additive=True,
    description=_(
        "Credits less debits on income accounts in the period, subsidy income (补助收入) excluded, "
        "summed over the villages' books; in fen."
    ),
)
def operating_income(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    got = grouped(scopes, _income_lines(period), "org__path", {"c": Sum("credit"), "d": Sum("debit")})
    return {s.key: IndicatorValue(value=(got[s.key]["c"] or 0) - (got[s.key]["d"] or 0)) for s in scopes}


def _with_income(period: Period) -> QuerySet[Org]:
    income = (
        _income_lines(period)
        .filter(org_id=OuterRef("pk"))
        .order_by()
        .values("org_id")
        .annotate(s=Sum(F("credit") - F("debit")))
        .values("s")
    )
    return queries.village_orgs().annotate(income=Coalesce(Subquery(income), Value(0)))


def _below(key: str):
    def rows(org: Org, period: Period, which: str) -> QuerySet[Org]:
        from jiceng.core.rulepacks import rule

        limit = rule(key, org, period.as_of)
        return _with_income(period).filter(path__startswith=org.path, income__lt=limit).order_by("path")

    def compute(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
        out: dict[int, IndicatorValue] = {}
        for limit, group in by_rule(scopes, key, period.as_of):
            got = grouped(group, _with_income(period).filter(income__lt=limit), "path", {"n": Count("pk")})
            out.update({s.key: IndicatorValue(value=got[s.key]["n"] or 0) for s in group})
        return out

    return rows, compute


_min_rows, _min_compute = _below("finance.min_income_fen")
_award_rows, _award_compute = _below("finance.award_min_income_fen")

register(
    "finance.below_minimum_income",
    label=_("villages under the collective-income minimum"),
    unit="count",
    counts="villages and communities",
    additive=True,
    rules=("finance.min_income_fen",),
    rows=_min_rows,
    description=_(
        "Villages whose operating income in the period is under the minimum (004-P6: 3万元 a year); read it for a year."
    ),
)(_min_compute)
register(
    "finance.below_award_threshold",
    label=_("villages not eligible for awards (collective income)"),
    unit="count",
    counts="villages and communities",
    additive=True,
    rules=("finance.award_min_income_fen",),
    rows=_award_rows,
    description=_(
        "Villages whose operating income in the period is under the award threshold (004-P9: 5万元 a year)."
    ),
)(_award_compute)


def _three_none(period: Period) -> QuerySet[Org]:
    funds = (
        Line.objects.filter(queries.funds_q(period.as_of), org_id=OuterRef("pk"))
        .order_by()
        .values("org_id")
        .annotate(s=Sum(F("debit") - F("credit")))
        .values("s")
    )
    return (
        queries.village_orgs()
        .exclude(Exists(Asset.objects.filter(org_id=OuterRef("pk"))))
        .exclude(Exists(Contract.objects.filter(org_id=OuterRef("pk"))))
        .annotate(funds=Coalesce(Subquery(funds), Value(0)))
        .filter(funds=0)
    )


def _three_none_rows(org: Org, period: Period, which: str) -> QuerySet[Org]:
    return _three_none(period).filter(path__startswith=org.path).order_by("path")


@register(
    "finance.three_none_villages",
    label=_("villages with no resources, assets or funds (三无村)"),
    unit="count",
    counts="villages and communities",
    additive=True,
    rows=_three_none_rows,
    description=_(
        "Villages with no entry in the asset and resource register, no contract, and a zero balance "
        "of cash, bank deposits and short-term investments on the period's last day."
    ),
)
def three_none_villages(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    got = grouped(scopes, _three_none(period), "path", {"n": Count("pk")})
    return {s.key: IndicatorValue(value=got[s.key]["n"] or 0) for s in scopes}
