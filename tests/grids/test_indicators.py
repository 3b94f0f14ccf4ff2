"""The coverage figures on a small world equal a direct count of the rows, for the county, a
township, a village and a grid party group, computed one at a time and all at once; the rows behind
each figure count to it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.core import indicators
from jiceng.core.models import Area, Org
from jiceng.core.periods import parse_period
from jiceng.grids import services
from jiceng.grids.models import GridDuty, Unit, Visit
from jiceng.people import queries as people_queries

NAMES = [
    "grids.households_outside_grids",
    "grids.units_outside_grids",
    "grids.grids_without_worker",
    "grids.grids_without_party_group",
    "grids.visits",
]


def direct(org: Org, period) -> dict[str, int]:
    """The figures counted the plain way, one query each, no shared code with the indicators."""
    area = org.area.path
    today = period.as_of
    grids = Area.objects.filter(kind="grid", path__startswith=area)
    in_grid = {a.pk for a in Area.objects.filter(kind="grid")} | {
        b.pk
        for b in Area.objects.filter(kind="building")
        if Area.objects.filter(kind="grid", path=b.path[:-4]).exists()
    }
    active = GridDuty.objects.filter(duty="grid_worker", from_date__lte=today).exclude(to_date__lt=today)
    return {
        "grids.households_outside_grids": people_queries.households()
        .filter(area__path__startswith=area)
        .exclude(area_id__in=in_grid)
        .count(),
        "grids.units_outside_grids": Unit.objects.filter(area__path__startswith=area)
        .exclude(area_id__in=in_grid)
        .count(),
        "grids.grids_without_worker": grids.exclude(pk__in=active.values("grid_id")).count(),
        "grids.grids_without_party_group": grids.exclude(
            pk__in=Org.objects.filter(kind="group").values("area_id")
        ).count(),
        "grids.visits": Visit.objects.filter(
            grid__path__startswith=area, visited_on__gte=period.start, visited_on__lte=period.as_of
        ).count(),
    }


@pytest.fixture
def visited(gw):
    today = timezone.localdate()
    for days, grid, household in ((1, gw.grid_a, gw.h1), (5, gw.grid_a2, gw.h3), (2, gw.grid_b, gw.hb)):
        services.visit_record(
            actor=gw.w.users["county"],
            grid=grid,
            kind="visit",
            visited_on=today - dt.timedelta(days=days),
            household=household,
            notes="走访",
        )
    return gw


def test_coverage_figures_match_a_direct_count(visited):
    w = visited.w
    today = timezone.localdate()
    period = parse_period(f"{today - dt.timedelta(days=30):%Y-%m-%d}..{today:%Y-%m-%d}")
    units = [w.county_org, w.town_a_org, w.branch_a, w.branch_b, w.group_a]
    expected = {org.pk: direct(org, period) for org in units}
    # the world as built: h_out and u_out outside, grid_a2 and grid_b without a worker, grid_a2
    # without a party group
    assert expected[w.county_org.pk] == {
        "grids.households_outside_grids": 1,
        "grids.units_outside_grids": 1,
        "grids.grids_without_worker": 2,
        "grids.grids_without_party_group": 1,
        "grids.visits": 3,
    }
    together = indicators.compute_units(NAMES, units, period)
    for org in units:
        for name in NAMES:
            one = indicators.get(name).fn(org, period).value
            assert one == together[name][org.pk].value == expected[org.pk][name], (org.name, name)
            listed = indicators.get(name).rows(org, period, "value").count()
            assert listed == one, (org.name, name)


def test_the_gate_and_a_grid_workers_own_figures(visited):
    w = visited.w
    period = parse_period(None)
    worker = w.users["grid_a"]
    values = indicators.compute_many(actor=worker, names=NAMES, org=w.group_a, period=period).values
    assert values["grids.grids_without_worker"].value == 0
    assert values["grids.households_outside_grids"].value == 0
    from jiceng.core.errors import NotFound

    with pytest.raises(NotFound):
        indicators.compute_many(actor=worker, names=NAMES, org=w.branch_a, period=period)


def test_ending_the_worker_duty_shows_the_grid_without_worker(visited):
    w = visited.w
    today = timezone.localdate()
    period = parse_period(None)
    before = indicators.get("grids.grids_without_worker").fn(w.branch_a, period).value
    services.duty_end(actor=w.users["sec_a"], duty=visited.worker_duty, to_date=today - dt.timedelta(days=1))
    assert indicators.get("grids.grids_without_worker").fn(w.branch_a, period).value == before + 1
