"""Village decision figures for any subtree and period, each one grouped query (core.indicators):
the matters decided in the period (the assembly stage passed), those disclosed, and the villages
whose 村民代表会议 has not met within the rule's months (村民委员会组织法 第二十六条: every quarter)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from jiceng.core.dates import months_after
from jiceng.core.indicators import IndicatorValue, Scope, grouped, register
from jiceng.core.models import Area, Org
from jiceng.core.periods import Period
from jiceng.core.rulepacks import rule

from . import queries


def _decided(period: Period) -> QuerySet:
    return queries.matters().filter(
        queries.decided_q(), decided_on__gte=period.start, decided_on__lte=period.as_of
    )


def _disclosed(period: Period) -> QuerySet:
    return queries.matters().filter(disclosed_on__gte=period.start, disclosed_on__lte=period.as_of)


def _overdue(period: Period) -> QuerySet:
    """Villages (not communities: the 居民代表会议 is local practice) with no 村民代表会议 in the
    months before the period's last day."""
    months = rule("decisions.representative_meeting_months", None)
    since = months_after(period.as_of, -months)
    met = queries.representative_meetings().filter(
        matter__village=OuterRef("pk"), held_on__gt=since, held_on__lte=period.as_of
    )
    return Area.objects.filter(kind="village").exclude(Exists(met))


def _org_rows(make: Callable[[Period], QuerySet]):
    def rows(org: Org, period: Period, which: str) -> QuerySet:
        return make(period).filter(org__path__startswith=org.path).order_by("org__path", "pk")

    return rows


def _area_rows(org: Org, period: Period, which: str) -> QuerySet:
    if org.area_id is None:
        return Area.objects.none()
    return _overdue(period).filter(path__startswith=org.area.path).order_by("path")


@register(
    "decisions.matters_decided",
    label=_("village matters decided"),
    unit="count",
    counts="matters",
    additive=True,
    rows=_org_rows(_decided),
    description=_(
        "Village and community matters whose villagers' (representatives') assembly stage passed in the "
        "period (四议两公开, 五步决策法, 一征三议两公开)."
    ),
)
def matters_decided(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    got = grouped(scopes, _decided(period), "org__path", {"n": Count("pk")})
    return {s.key: IndicatorValue(value=got[s.key]["n"] or 0) for s in scopes}


@register(
    "decisions.matters_disclosed",
    label=_("village decisions disclosed"),
    unit="count",
    counts="matters",
    additive=True,
    rows=_org_rows(_disclosed),
    description=_("Matters whose resolution was disclosed (决议公开) in the period."),
)
def matters_disclosed(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    got = grouped(scopes, _disclosed(period), "org__path", {"n": Count("pk")})
    return {s.key: IndicatorValue(value=got[s.key]["n"] or 0) for s in scopes}


@register(
    "decisions.representative_meeting_overdue",
    label=_("villages whose representatives' assembly is overdue"),
    unit="count",
    counts="villages",
    additive=True,
    basis="area",
    rules=("decisions.representative_meeting_months",),
    rows=_area_rows,
    description=_(
        "Villages with no villagers' representatives' assembly (村民代表会议) recorded in the rule's months "
        "before the period's last day (第二十六条: every quarter)."
    ),
)
def representative_meeting_overdue(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    got = grouped(scopes, _overdue(period), "path", {"n": Count("pk")}, basis="area")
    return {s.key: IndicatorValue(value=got[s.key]["n"] or 0) for s in scopes}
