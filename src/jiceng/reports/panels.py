"""What a dashboard shows, read from the indicator registry (never computed here)."""

from __future__ import annotations

from dataclasses import dataclass

from jiceng.core import indicators, kit
from jiceng.core.indicators import Computed, IndicatorValue
from jiceng.core.models import Org
from jiceng.core.periods import Period


@dataclass
class Panel:
    name: str
    label: str
    unit: str
    chart: str
    result: IndicatorValue
    has_rows: bool = False  # the figure opens to the records it counts (core.figure_views)


def dashboard_panels(*, actor, org: Org, period: Period) -> tuple[list[Panel], list[Panel], Computed]:
    """(breakdown panels with charts, headline figures, where the values came from). Access is
    checked by indicators.compute_many."""
    charts = [(p.indicator, p.chart) for p in kit.panels()]  # charts only for breakdowns
    figures = [h.indicator for h in kit.headlines()]
    got = indicators.compute_many(
        actor=actor, names=[n for n, _c in charts] + figures, org=org, period=period
    )

    def panel(name: str, chart: str) -> Panel:
        ind = indicators.get(name)
        return Panel(name, ind.label, ind.unit, chart, got.values[name], ind.rows is not None)

    return [panel(n, c) for n, c in charts], [panel(n, "") for n in figures], got


def chart_data(panels: list[Panel], prefix: str = "") -> list[dict]:
    return [
        {
            "id": f"{prefix}chart-{i}",
            "type": p.chart,
            "title": p.label,
            "data": [{"name": part.label, "value": part.value} for part in p.result.parts],
        }
        for i, p in enumerate(panels)
    ]
