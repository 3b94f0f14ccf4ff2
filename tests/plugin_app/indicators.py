from django.db.models import Count, Q

from jiceng.core.indicators import IndicatorValue, Part, grouped, register
from jiceng.core.models import Org


def _villages(scopes):
    from jiceng.core.models import Area

    return grouped(
        scopes,
        Area.objects.filter(kind__in=["village", "community"]),
        "path",
        {"n": Count("pk"), "v": Count("pk", filter=Q(kind="village"))},
        basis="area",
    )


@register(
    "plugin_app.well_count",
    label="水井数",
    unit="count",
    counts="villages",
    additive=True,
    basis="area",
    rows=lambda org, period, which: Org.objects.none(),
)
def well_count(scopes, period):
    return {pk: IndicatorValue(value=agg["n"] * 2) for pk, agg in _villages(scopes).items()}


@register(
    "plugin_app.wells", label="水井分布", unit="breakdown", counts="villages", additive=True, basis="area"
)
def wells(scopes, period):
    return {
        pk: IndicatorValue(
            value=agg["n"] * 2,
            parts=[Part("village", "村", agg["v"] * 2), Part("community", "社区", (agg["n"] - agg["v"]) * 2)],
        )
        for pk, agg in _villages(scopes).items()
    }
