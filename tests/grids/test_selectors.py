"""Grid reads start from the actor's scope: a grid worker sees their own grid only; a record of
another grid answers NotFound like a missing one. The grid list's counts are the rows'."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.core.errors import NotFound
from jiceng.core.public import plain
from jiceng.grids import public, queries, selectors, services
from jiceng.people import queries as people_queries
from tests.grids.conftest import gps_jpeg

TODAY = timezone.localdate()


def _visit(gw, grid, household, actor=None, days=1, **kw):
    return services.visit_record(
        actor=actor or gw.w.users["sec_a"],
        grid=grid,
        kind="visit",
        visited_on=TODAY - dt.timedelta(days=days),
        household=household,
        notes="入户走访",
        **kw,
    )


def test_a_grid_worker_sees_only_their_grid(gw):
    worker = gw.w.users["grid_a"]
    mine = _visit(gw, gw.grid_a, gw.h1, actor=worker, photos_in=[gps_jpeg()])
    other = _visit(gw, gw.grid_a2, gw.h3, photos_in=[gps_jpeg()])
    assert list(selectors.grids_for(actor=worker)) == [gw.grid_a]
    assert set(selectors.visits_for(actor=worker)) == {mine}
    assert selectors.visit_get(actor=worker, visit_id=mine.pk) == mine
    for fn, kw in (
        (selectors.visit_get, {"visit_id": other.pk}),
        (selectors.photo_get, {"photo_id": other.photos.get().pk}),
        (selectors.grid_get, {"grid_id": gw.grid_a2.pk}),
        (selectors.unit_get, {"unit_id": gw.u_out.pk}),
    ):
        with pytest.raises(NotFound):
            fn(actor=worker, **kw)
    assert selectors.photo_get(actor=worker, photo_id=mine.photos.get().pk).visit == mine
    # the village secretary sees both grids, B's secretary neither
    assert set(selectors.grids_for(actor=gw.w.users["sec_a"])) == {gw.grid_a, gw.grid_a2}
    assert not selectors.grids_for(actor=gw.w.users["sec_b"]).filter(pk__in=[gw.grid_a.pk, gw.grid_a2.pk])
    with pytest.raises(NotFound):
        selectors.visit_get(actor=gw.w.users["sec_b"], visit_id=mine.pk)


def test_grid_rows_count_what_is_there(gw):
    _visit(gw, gw.grid_a, gw.h1, days=3)
    _visit(gw, gw.grid_a, gw.h2, days=40)  # not in the last 30 days
    rows = {
        r.grid: r
        for r in selectors.grid_rows(
            actor=gw.w.users["sec_a"], grids=list(selectors.grids_for(actor=gw.w.users["sec_a"]))
        )
    }
    a, a2 = rows[gw.grid_a], rows[gw.grid_a2]
    assert (a.households, a.units, a.visits_recent, a.has_worker, a.has_group) == (2, 1, 1, True, True)
    assert (a2.households, a2.units, a2.visits_recent, a2.has_worker, a2.has_group) == (1, 0, 0, False, False)
    residents = people_queries.persons().filter(area__path__startswith=gw.grid_a.path)
    assert (
        a.residents == residents.count() and a.members == residents.filter(party_member__isnull=False).count()
    )
    assert a.village == "一村" and a.workers == ("一村网格员",)
    assert list(selectors.grids_for(actor=gw.w.users["sec_a"], no_worker=True)) == [gw.grid_a2]


def test_households_not_visited_for_90_days(gw):
    _visit(gw, gw.grid_a, gw.h1, days=10)
    _visit(gw, gw.grid_a, gw.h2, days=100)
    worker = gw.w.users["grid_a"]
    not_visited = list(selectors.households_not_visited(actor=worker, grid=gw.grid_a, today=TODAY))
    assert not_visited == [gw.h2]
    month = selectors.worker_month(actor=worker, grid=gw.grid_a, today=TODAY)
    assert month["not_visited_count"] == 1


def test_where_answers_places_only_and_in_scope(gw):
    # an address of a household, a unit's address, a grid's name
    for q, village, grid in (
        ("一村1组2号", "一村", "一村第1网格"),
        ("一村1组5号", "一村", "一村第1网格"),
        ("一村第2网格", "一村", "一村第2网格"),
    ):
        places = selectors.where(actor=gw.w.users["sec_a"], q=q)
        assert any(p.village == village and p.grid == grid for p in places), (q, places)
        answer = public.where(q)
        assert plain(answer) is answer
        assert any(p.village == village and p.grid == grid and p.township == "甲镇" for p in answer.places)
    # the household at the village: its village, no grid
    assert [(p.village, p.grid) for p in public.where("一村3组9号").places] == [("一村", "")]
    # B's secretary finds nothing of A; the public look-up finds B's own
    assert selectors.where(actor=gw.w.users["sec_b"], q="一村") == []
    assert any(p.grid == "三社区第1网格" for p in public.where("三社区1栋").places)


def test_where_refuses_too_long_and_too_short(gw):
    assert "最多50个字" in public.where("长" * 51).problem
    assert "至少输入两个字" in public.where("一").problem
    assert public.where("一" * 51).places == ()


def test_visits_of_persons_for_the_contact_duties(gw):
    by_person = _visit(gw, gw.grid_a, gw.h1, person=gw.resident)
    at_home = _visit(gw, gw.grid_a, gw.h2, days=2)
    old = _visit(gw, gw.grid_a, gw.h2, days=200)
    since = TODAY - dt.timedelta(days=30)
    assert set(queries.visits_of([gw.resident.pk], since)) == {by_person}
    # 李四 lives in h2: the visits to h2 are visits to him
    assert set(queries.visits_of([gw.w.member_a_grid.person_id], since)) == {at_home}
    assert set(queries.visits_of([gw.w.member_a_grid.person_id], since, households=False)) == set()
    assert old in queries.visits_of([gw.w.member_a_grid.person_id], TODAY - dt.timedelta(days=365))
    assert queries.last_visits([gw.h2.pk]) == {gw.h2.pk: at_home.visited_on}


def test_in_grid_q_counts_a_building_of_a_grid(gw):
    from jiceng.core import services as core

    building = core.area_create(actor=gw.w.users["county"], parent=gw.grid_a, name="1-1院落", kind="building")
    from jiceng.people import services as people

    h = people.household_create(
        actor=gw.w.users["county"], area=building, address="一村1组8号", head_name="郑九"
    )
    assert people_queries.households().filter(queries.in_grid_q("area"), pk=h.pk).exists()
    assert not people_queries.households().filter(queries.in_grid_q("area"), pk=gw.h_out.pk).exists()
    assert queries.grid_of(building) == gw.grid_a
