"""Grading indicators."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import IndicatorValue, Part, register
from jiceng.core.models import Org
from jiceng.core.periods import Period
from jiceng.core.rulepacks import ancestor_paths

from .models import Grade, GradingRound


@register("grading.grade_distribution", label=_("grade distribution"), unit="breakdown",
          description=_("Organisations in the subtree by their grade in the period's year (confirmed, else "
                        "proposed), from the highest committee's round covering them."))
def grade_distribution(org: Org, period: Period) -> IndicatorValue:
    rnd = (GradingRound.objects.filter(year=period.end.year, org__path__in=ancestor_paths(org.path))
           .order_by("org__depth").first())
    if rnd is None:
        rnd = (GradingRound.objects.filter(year=period.end.year, org__path__startswith=org.path)
               .order_by("org__depth").first())
    if rnd is None:
        return IndicatorValue(value=0)
    rows: dict[str, int] = {}
    for final, proposed, n in (Grade.objects.filter(round=rnd, org__path__startswith=org.path).order_by()
                               .values_list("final", "proposed").annotate(n=Count("pk"))):
        rows[final or proposed] = rows.get(final or proposed, 0) + n
    return IndicatorValue(value=sum(rows.values()),
                          parts=[Part(lv["key"], lv["label"], rows.get(lv["key"], 0)) for lv in rnd.levels])


@register("grading.lagging_count", label=_("lagging organisations"), unit="count",
          description=_("Organisations marked lagging (后进/软弱涣散) in the period's year."))
def lagging_count(org: Org, period: Period) -> IndicatorValue:
    return IndicatorValue(value=Grade.objects.filter(round__year=period.end.year, org__path__startswith=org.path,
                                                     lagging=True).values("org_id").distinct().count())
