"""What a dashboard shows, read from the indicator registry (never computed here)."""

from __future__ import annotations

from dataclasses import dataclass

from jiceng.core import indicators
from jiceng.core.indicators import Computed, IndicatorValue
from jiceng.core.models import Org
from jiceng.core.periods import Period

# (indicator name, chart type) in display order; charts only for breakdowns.
DASHBOARD = [
    ("people.org_count", "bar"),
    ("people.member_count", "pie"),
    ("people.age_bands", "bar"),
    ("people.education_bands", "pie"),
    ("people.village_count", "pie"),
    ("grading.grade_distribution", "pie"),
]
HEADLINES = [
    "people.dual_role_count", "people.dual_role_rate", "people.cadre_count",
    "people.cross_appointment_count", "people.cross_appointment_rate",
    "orglife.participation_rate", "orglife.education_coverage", "orglife.compliance_rate",
    "orglife.silent_branches", "orglife.often_absent",
]


@dataclass
class Panel:
    name: str
    label: str
    unit: str
    chart: str
    result: IndicatorValue


def dashboard_panels(*, actor, org: Org, period: Period) -> tuple[list[Panel], list[Panel], Computed]:
    """(breakdown panels with charts, headline figures, where the values came from). Access is
    checked by indicators.compute_many."""
    got = indicators.compute_many(actor=actor, names=[n for n, _c in DASHBOARD] + HEADLINES, org=org, period=period)

    def panel(name: str, chart: str) -> Panel:
        ind = indicators.get(name)
        return Panel(name, ind.label, ind.unit, chart, got.values[name])

    return [panel(n, c) for n, c in DASHBOARD], [panel(n, "") for n in HEADLINES], got


def chart_data(panels: list[Panel]) -> list[dict]:
    return [
        {"id": f"chart-{i}", "type": p.chart, "title": p.label,
         "data": [{"name": part.label, "value": part.value} for part in p.result.parts]}
        for i, p in enumerate(panels)
    ]
