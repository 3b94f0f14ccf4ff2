"""Grading indicators, for many scopes at once (core.indicators)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import IndicatorValue, Part, Scope, grouped, register
from jiceng.core.models import Org
from jiceng.core.periods import Period
from jiceng.core.rulepacks import ancestor_paths

from .models import Grade, GradingRound


def _round_for(org: Org, rounds: list[GradingRound]) -> GradingRound | None:
    """The round that grades the subtree: the highest committee's above it, else the highest
    committee's inside it."""
    above = set(ancestor_paths(org.path))
    inside = [r for r in rounds if r.org.path in above] or [
        r for r in rounds if r.org.path.startswith(org.path)
    ]
    return min(inside, key=lambda r: (r.org.depth, r.org.path), default=None)


def _grade_rows(org: Org, period: Period, which: str) -> QuerySet:
    rounds = list(GradingRound.objects.filter(year=period.end.year).select_related("org"))
    rnd = _round_for(org, rounds)
    if rnd is None:
        return Grade.objects.none()
    qs = Grade.objects.filter(round=rnd, org__path__startswith=org.path)
    return qs if which == "value" else qs.filter(Q(final=which) | Q(final="", proposed=which))


# Which round grades a subtree depends on where the subtree sits: the values do not add up.
@register(
    "grading.grade_distribution",
    label=_("grade distribution"),
    unit="breakdown",
    counts="organisations",
    rows=_grade_rows,
    description=_(
        "Organisations in the subtree by their grade in the period's year (confirmed, else "
        "proposed), from the highest committee's round covering them."
    ),
)
def grade_distribution(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    rounds = list(GradingRound.objects.filter(year=period.end.year).select_related("org"))
    out = {s.key: IndicatorValue(value=0) for s in scopes}
    by_round: dict[int, tuple[GradingRound, list[Scope]]] = {}
    for s in scopes:
        rnd = _round_for(s.org, rounds)
        if rnd is not None:
            by_round.setdefault(rnd.pk, (rnd, []))[1].append(s)
    for rnd, group in by_round.values():
        aggregates = {
            "total": Count("pk"),
            **{
                f"l{i}": Count("pk", filter=Q(final=lv["key"]) | Q(final="", proposed=lv["key"]))
                for i, lv in enumerate(rnd.levels)
            },
        }
        for pk, agg in grouped(group, Grade.objects.filter(round=rnd), "org__path", aggregates).items():
            parts = [Part(lv["key"], lv["label"], agg[f"l{i}"]) for i, lv in enumerate(rnd.levels)]
            out[pk] = IndicatorValue(value=agg["total"], parts=parts)
    return out


def _lagging(period: Period) -> QuerySet:
    return Grade.objects.filter(round__year=period.end.year, lagging=True)


@register(
    "grading.lagging_count",
    label=_("lagging organisations"),
    unit="count",
    counts="organisations",
    additive=True,
    rows=lambda org, period, which: Org.objects.filter(
        pk__in=_lagging(period).filter(org__path__startswith=org.path).values("org_id")
    ),
    description=_("Organisations marked lagging (后进/软弱涣散) in the period's year."),
)
def lagging_count(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return {
        pk: IndicatorValue(value=agg["n"])
        for pk, agg in grouped(
            scopes, _lagging(period), "org__path", {"n": Count("org_id", distinct=True)}
        ).items()
    }
