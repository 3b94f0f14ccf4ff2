"""Disclosure figures for any subtree (core.indicators): the live items published in the period,
and the villages and communities with at least one affair overdue on the period's last day."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import IndicatorValue, Scope, by_rule, grouped, register
from jiceng.core.models import Area, Org
from jiceng.core.periods import Period
from jiceng.core.rulepacks import rule

from . import queries

RULES = ("disclosure.cadence", "disclosure.deadline_day")


def _items(period: Period) -> QuerySet:
    return queries.live_items().filter(published_on__gte=period.start, published_on__lte=period.as_of)


@register(
    "disclosure.items",
    label=_("disclosure items published"),
    unit="count",
    counts="disclosure items",
    additive=True,
    rows=lambda org, period, which: (
        _items(period).filter(org__path__startswith=org.path).order_by("org__path", "pk")
    ),
    description=_(
        "Items villages and communities published in the period (四务公开), withdrawn ones not counted."
    ),
)
def items(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    got = grouped(scopes, _items(period), "org__path", {"n": Count("pk")})
    return {s.key: IndicatorValue(value=got[s.key]["n"] or 0) for s in scopes}


def _overdue(org: Org | None, period: Period) -> QuerySet:
    day = period.as_of
    cadence, deadline = rule("disclosure.cadence", org, day), rule("disclosure.deadline_day", org, day)
    return queries.overdue_villages(queries.villages(), day, cadence, deadline)


@register(
    "disclosure.overdue_villages",
    label=_("villages overdue with disclosure"),
    unit="count",
    counts="villages",
    additive=True,
    basis="area",
    rules=RULES,
    rows=lambda org, period, which: (
        _overdue(org, period).filter(path__startswith=org.area.path).order_by("path")
        if org.area_id
        else Area.objects.none()
    ),
    description=_(
        "Villages and communities with at least one of the four affairs whose next item is past its "
        "deadline on the period's last day (disclosure.cadence, disclosure.deadline_day)."
    ),
)
def overdue_villages(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    day = period.as_of
    out: dict[int, IndicatorValue] = {}
    for cadence, group in by_rule(scopes, "disclosure.cadence", day):
        for deadline, part in by_rule(group, "disclosure.deadline_day", day):
            qs = queries.overdue_villages(queries.villages(), day, cadence, deadline)
            got = grouped(part, qs, "path", {"n": Count("pk")}, basis="area")
            out.update({s.key: IndicatorValue(value=got[s.key]["n"] or 0) for s in part})
    return out
