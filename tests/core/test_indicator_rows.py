"""Every figure can be opened to the rows behind it: for each indicator that declares ``rows``, the
number of rows listed equals the figure (its value, numerator, denominator and each part), for the
county, a township and a village branch of the demo county."""

from __future__ import annotations

import pytest

from jiceng.core import indicators
from jiceng.core.models import Org, OrgKind
from jiceng.core.periods import parse_period

WITH_ROWS = sorted(name for name, ind in indicators.registry().items() if ind.rows is not None)


def units(root: Org) -> list[Org]:
    township = Org.objects.filter(path__startswith=root.path, depth=root.depth + 1, kind=OrgKind.COMMITTEE)
    branch = Org.objects.filter(path__startswith=root.path, kind=OrgKind.BRANCH, area__kind="village")
    return [root, township.order_by("path").first(), branch.order_by("path").first()]


def test_most_indicators_name_their_rows():
    assert len(WITH_ROWS) >= 12, WITH_ROWS


@pytest.mark.parametrize("name", WITH_ROWS)
def test_rows_behind_a_figure_count_to_the_figure(demo_county, name):
    ind = indicators.registry()[name]
    period = parse_period("")
    failures = []
    for org in units(demo_county["root"]):
        v = ind.fn(org, period)
        expected = {"value": v.value} if ind.unit == "count" else {}
        if ind.unit == "rate":
            expected = {"numerator": v.numerator, "denominator": v.denominator}
        expected.update({p.key: p.value for p in v.parts})
        for which, figure in expected.items():
            listed = ind.rows(org, period, which).count()
            if listed != figure:
                failures.append(f"{org.name} {which}: figure {figure}, rows {listed}")
    assert not failures, f"{name}: " + "; ".join(failures)
