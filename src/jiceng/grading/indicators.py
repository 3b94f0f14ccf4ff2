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


def _rounds_for(org: Org, rounds: list[GradingRound]) -> list[GradingRound]:
    """The rounds that grade the subtree: the highest committee's round above it (or its own),
    else every top round inside it — each township's, when the county ran none — but not a round
    nested under another of them."""
    above = set(ancestor_paths(org.path))
    covering = [r for r in rounds if r.org.path in above]
    if covering:
        return [min(covering, key=lambda r: r.org.depth)]
    inside = [r for r in rounds if r.org.path.startswith(org.path)]
    return [
        r
        for r in inside
        if not any(
            o is not r and r.org.path.startswith(o.org.path) and o.org.path != r.org.path for o in inside
        )
    ]


def _year_rounds(period: Period) -> list[GradingRound]:
    return list(GradingRound.objects.filter(year=period.end.year).select_related("org"))


def _grade_rows(org: Org, period: Period, which: str) -> QuerySet:
    rounds = _rounds_for(org, _year_rounds(period))
    qs = Grade.objects.filter(round__in=rounds, org__path__startswith=org.path)
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
        "proposed), from the highest committee's round covering them, or every top round inside."
    ),
)
def grade_distribution(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    rounds = _year_rounds(period)
    by_round: dict[int, tuple[GradingRound, list[Scope]]] = {}
    for s in scopes:
        for rnd in _rounds_for(s.org, rounds):
            by_round.setdefault(rnd.pk, (rnd, []))[1].append(s)
    totals = {s.key: 0 for s in scopes}
    parts: dict[int, dict[str, Part]] = {s.key: {} for s in scopes}  # a level key once, in order
    for rnd, group in by_round.values():
        aggregates = {
            "total": Count("pk"),
            **{
                f"l{i}": Count("pk", filter=Q(final=lv["key"]) | Q(final="", proposed=lv["key"]))
                for i, lv in enumerate(rnd.levels)
            },
        }
        for pk, agg in grouped(group, Grade.objects.filter(round=rnd), "org__path", aggregates).items():
            totals[pk] += agg["total"]
            for i, lv in enumerate(rnd.levels):
                seen = parts[pk].get(lv["key"])
                parts[pk][lv["key"]] = Part(
                    lv["key"], lv["label"], (seen.value if seen else 0) + agg[f"l{i}"]
                )
    return {pk: IndicatorValue(value=totals[pk], parts=list(parts[pk].values())) for pk in totals}


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
