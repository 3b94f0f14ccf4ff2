"""Rollups: stored indicator values that are the registry's own numbers, read only while valid."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.core import indicators, rollups
from jiceng.core.errors import NotFound
from jiceng.core.models import AuditEntry, IndicatorSnapshot, Org, RollupDirty
from jiceng.core.periods import parse_period
from jiceng.people import services as people
from tests.world import make_id


def _add_member(world, org, seq: int):
    return people.member_create(
        actor=world.users["county"],
        name=f"新党员{seq}",
        gender="male",
        ethnicity="汉族",
        id_number=make_id(dt.date(1990, 1, 1), True, seq),
        phone=f"1390000{seq:04d}",
        education="college",
        org=org,
        status="full",
        joined_on=dt.date(2015, 7, 1),
        full_on=dt.date(2016, 7, 1),
    )


def test_stored_values_are_the_registrys_own_for_every_indicator(demo_county):
    """The rollup of the demo county equals a live computation, indicator by indicator."""
    root, period = demo_county["root"], parse_period(None)
    rollups.refresh(root, period)
    RollupDirty.objects.all().delete()  # the demo's own writes
    got = indicators.compute_many(
        actor=demo_county["county"], names=sorted(indicators.registry()), org=root, period=period
    )
    assert got.stored_at is not None and not got.pending
    for name, ind in indicators.registry().items():
        assert got.values[name] == ind.fn(root, period), name
    assert IndicatorSnapshot.objects.filter(org=root, period=period.label).count() == len(
        indicators.registry()
    )


def test_a_write_marks_its_ancestors_dirty_and_the_worker_takes_only_those(world):
    RollupDirty.objects.all().delete()
    _add_member(world, world.branch_a, 11)
    assert set(RollupDirty.objects.values_list("org_path", flat=True)) == {world.branch_a.path}
    taken, covered = rollups.take_dirty()
    # committees above the branch, deepest first; 乙镇 (a sibling subtree) is untouched
    assert taken == [world.town_a_org, world.county_org]
    # the rows stay until the refresh is stored: readers see "pending", a crashed worker retakes them
    assert RollupDirty.objects.filter(pk__in=covered).count() == 1
    assert rollups.cycle(parse_period(None)) == [world.town_a_org, world.county_org]
    assert not RollupDirty.objects.exists() and rollups.take_dirty() == ([], [])


def test_a_write_during_a_cycle_stays_for_the_next(world):
    RollupDirty.objects.all().delete()
    _add_member(world, world.branch_a, 14)
    taken, covered = rollups.take_dirty()
    _add_member(world, world.branch_b, 15)  # committed while the cycle computes
    rollups._done(covered)
    assert list(RollupDirty.objects.values_list("org_path", flat=True)) == [world.branch_b.path]


def test_a_rule_change_marks_every_committee_under_it(world):
    from jiceng.core import services as core_services

    rollups.refresh(world.town_b_org, parse_period(None), names=["people.member_count"])
    RollupDirty.objects.all().delete()
    core_services.rule_override_set(
        actor=world.users["county"],
        org=world.county_org,
        key="orglife.often_absent_consecutive",
        value=2,
        valid_from=dt.date(2026, 1, 1),
        reason="县里从严",
    )
    assert {world.county_org.path, world.town_a_org.path, world.town_b_org.path} <= set(
        RollupDirty.objects.values_list("org_path", flat=True)
    )
    # 乙镇's stored figures now say they are behind
    assert rollups.read(world.town_b_org, parse_period(None), ["people.member_count"]).pending


def test_a_subtree_that_cannot_be_computed_loses_its_stored_values(world):
    """A band table written around the validator makes the breakdown refuse; the worker withdraws
    the stored values (readers then compute live and see the error) and goes on with the rest."""
    from jiceng.core.models import RuleOverride

    period = parse_period(None)
    rollups.refresh(world.town_a_org, period)
    rollups.refresh(world.town_b_org, period)
    RollupDirty.objects.all().delete()
    RuleOverride.objects.create(
        org=world.town_a_org,
        key="people.age_bands",
        valid_from=dt.date(2000, 1, 1),
        reason="x",
        value=[{"key": "a", "label": "a"}, {"key": "a", "label": "b"}],
    )
    RollupDirty.objects.create(org_path=world.town_a_org.path)
    RollupDirty.objects.create(org_path=world.town_b_org.path)
    rollups.cycle(period)
    assert not IndicatorSnapshot.objects.filter(org=world.town_a_org).exists()
    assert IndicatorSnapshot.objects.filter(org=world.town_b_org).count() == len(indicators.registry())


def test_a_past_periods_stored_values_are_not_used(world):
    """After the year turns the worker keeps only the new year: last year's stored values, computed
    before yesterday, would miss late entries, so the past period is computed live."""
    period = parse_period(str(timezone.localdate().year - 1))
    rollups.refresh(world.county_org, period, names=["people.member_count"])
    RollupDirty.objects.all().delete()
    assert rollups.read(world.county_org, period, ["people.member_count"]) is not None
    IndicatorSnapshot.objects.filter(org=world.county_org).update(
        computed_at=timezone.now() - dt.timedelta(days=2)
    )
    assert rollups.read(world.county_org, period, ["people.member_count"]) is None


def test_a_read_is_not_a_write(world):
    """Viewing full personal data is audited but changes no figure."""
    RollupDirty.objects.all().delete()
    people.person_reveal(actor=world.users["sec_a"], member=world.member_a, field="id_number")
    assert AuditEntry.objects.filter(action="reveal", org_path=world.branch_a.path).exists()
    assert not RollupDirty.objects.exists()


def test_pending_writes_are_shown_and_then_expire_the_stored_value(world, settings):
    period = parse_period(None)
    actor = world.users["county"]
    rollups.refresh(world.town_a_org, period)
    RollupDirty.objects.all().delete()
    before = indicators.compute_many(
        actor=actor, names=["people.member_count"], org=world.town_a_org, period=period
    )
    assert before.stored_at is not None and not before.pending
    _add_member(world, world.branch_a2, 12)

    within = indicators.compute_many(
        actor=actor, names=["people.member_count"], org=world.town_a_org, period=period
    )
    assert (
        within.pending
        and within.values["people.member_count"].value == before.values["people.member_count"].value
    )

    settings.JICENG_ROLLUP_MAX_AGE = 0  # too old to stand in for the changed subtree: computed live
    live = indicators.compute_many(
        actor=actor, names=["people.member_count"], org=world.town_a_org, period=period
    )
    assert live.stored_at is None
    assert live.values["people.member_count"].value == before.values["people.member_count"].value + 1

    # the other township was not written to: its rollup stays valid however old
    rollups.refresh(world.town_b_org, period)
    IndicatorSnapshot.objects.filter(org=world.town_b_org).update(
        computed_at=timezone.now() - dt.timedelta(hours=5)
    )
    assert (
        indicators.compute_many(
            actor=actor, names=["people.member_count"], org=world.town_b_org, period=period
        ).stored_at
        is not None
    )


def test_a_value_older_than_yesterday_or_a_missing_indicator_is_not_used(world):
    period = parse_period(None)
    actor = world.users["county"]
    rollups.refresh(world.county_org, period, names=["people.member_count"])
    RollupDirty.objects.all().delete()
    assert (
        indicators.compute_many(
            actor=actor,
            names=["people.member_count", "people.org_count"],
            org=world.county_org,
            period=period,
        ).stored_at
        is None
    )
    IndicatorSnapshot.objects.filter(org=world.county_org).update(as_of=period.as_of - dt.timedelta(days=1))
    assert (
        indicators.compute_many(
            actor=actor, names=["people.member_count"], org=world.county_org, period=period
        ).stored_at
        is not None
    )  # yesterday's, while the worker catches up
    IndicatorSnapshot.objects.filter(org=world.county_org).update(as_of=period.as_of - dt.timedelta(days=2))
    assert (
        indicators.compute_many(
            actor=actor, names=["people.member_count"], org=world.county_org, period=period
        ).stored_at
        is None
    )


def test_branches_are_never_rolled_up(world):
    period = parse_period(None)
    rollups.refresh(world.branch_a, period, names=["people.member_count"])
    assert rollups.read(world.branch_a, period, ["people.member_count"]) is None


def test_a_stored_value_does_not_widen_scope(world):
    """Rollups sit behind the same gate: a secretary of 乙镇's community cannot read 甲镇's."""
    period = parse_period(None)
    rollups.refresh(world.town_a_org, period)
    with pytest.raises(NotFound):
        indicators.compute_many(
            actor=world.users["sec_b"], names=["people.member_count"], org=world.town_a_org, period=period
        )


def test_dashboard_reads_the_rollup_in_few_queries(world, login, django_assert_max_num_queries):
    period = parse_period(None)
    rollups.refresh(world.county_org, period)
    RollupDirty.objects.all().delete()
    c = login(world.users["county"])
    with django_assert_max_num_queries(14):
        r = c.get(f"/dashboard/?org={world.county_org.pk}")
    assert r.status_code == 200
    assert "汇总" in r.content.decode() and 'id="figures-source"' in r.content.decode()
    # a township dashboard without a rollup is computed live and says nothing about rollups
    r = c.get(f"/dashboard/?org={world.town_b_org.pk}")
    assert 'id="figures-source"' not in r.content.decode()


def test_api_says_where_a_value_came_from(world, login):
    period = parse_period(None)
    rollups.refresh(world.county_org, period, names=["people.member_count"])
    RollupDirty.objects.all().delete()
    c = login(world.users["county"])
    body = c.get(f"/api/v1/indicators/people.member_count?org={world.county_org.pk}").json()
    assert body["stored_at"] is not None and body["pending"] is False and body["value"] == 3
    body = c.get(f"/api/v1/indicators/people.org_count?org={world.county_org.pk}").json()
    assert body["stored_at"] is None


def test_worker_full_refresh_then_only_dirty_organisations(world):
    committees = Org.objects.filter(kind="committee").count()
    rollups.run(once=True, quiet=True)
    assert IndicatorSnapshot.objects.values("org").distinct().count() == committees
    stamp = IndicatorSnapshot.objects.get(org=world.town_b_org, name="people.member_count").computed_at
    _add_member(world, world.branch_a, 13)
    assert rollups.cycle(parse_period(None)) == [world.town_a_org, world.county_org]
    assert not RollupDirty.objects.exists()
    assert IndicatorSnapshot.objects.get(org=world.town_a_org, name="people.member_count").value["value"] == 3
    assert IndicatorSnapshot.objects.get(org=world.county_org, name="people.member_count").value["value"] == 4
    # 乙镇 was not written under: not recomputed
    assert (
        IndicatorSnapshot.objects.get(org=world.town_b_org, name="people.member_count").computed_at == stamp
    )


def test_a_worker_starting_over_todays_figures_does_not_recompute_them(world):
    """`jiceng demo` stores the figures; `jiceng serve` then starts the worker, which must not spend
    its first minute recomputing them while the first pages are served — unless one is missing,
    a write is waiting, or they are not today's."""
    period = parse_period(None)
    assert not rollups.current(period)  # nothing stored yet
    rollups.refresh_all(period)
    assert rollups.current(period)
    stamp = IndicatorSnapshot.objects.get(org=world.county_org, name="people.member_count").computed_at
    rollups.run(once=True, quiet=True)
    assert (
        IndicatorSnapshot.objects.get(org=world.county_org, name="people.member_count").computed_at == stamp
    )

    IndicatorSnapshot.objects.filter(org=world.town_b_org, name="people.member_count").delete()
    assert not rollups.current(period)  # one value missing
    rollups.refresh_all(period)
    _add_member(world, world.branch_a, 14)
    assert not rollups.current(period)  # a write waiting
    rollups.cycle(period)
    assert rollups.current(period)
    yesterday = timezone.now() - dt.timedelta(days=1)
    IndicatorSnapshot.objects.filter(org=world.county_org).update(computed_at=yesterday)
    assert not rollups.current(period)  # computed before today
    rollups.run(once=True, quiet=True)
    assert IndicatorSnapshot.objects.get(org=world.county_org, name="people.member_count").computed_at > stamp


def test_combined_rollups_equal_the_rows_for_every_committee(demo_county):
    """Deepest first, each committee's additive figures are combined from its townships' stored values
    plus its own rows; every stored value equals the computation from the rows."""
    period = parse_period("2026-01-01..2026-10-31")
    rollups.refresh_all(period)
    registry = indicators.registry()
    committees = list(Org.objects.filter(kind="committee").select_related("area"))
    assert len(committees) > 2
    for org in committees:
        for snap in IndicatorSnapshot.objects.filter(org=org, period=period.label):
            assert rollups._from_json(snap.value) == registry[snap.name].fn(org, period), (
                org.name,
                snap.name,
            )
    root = demo_county["root"]
    combined = set(IndicatorSnapshot.objects.filter(org=root, combined=True).values_list("name", flat=True))
    assert combined == {n for n, ind in registry.items() if ind.additive}
    # a township has no committee below it: all its figures come from its rows
    assert not IndicatorSnapshot.objects.filter(org__depth=2, combined=True).exists()


def test_a_rule_overridden_inside_the_subtree_is_not_combined(demo_county):
    """A township that counts ages by its own bands: the county's age structure cannot be the sum of
    its townships' (their parts differ), so it is computed from the rows."""
    from jiceng.core import services

    root, county = demo_county["root"], demo_county["county"]
    town = Org.objects.filter(kind="committee", depth=2).order_by("path").first()
    services.rule_override_set(
        actor=county,
        org=town,
        key="people.age_bands",
        value=[
            {"key": "le40", "label": "40岁及以下", "min": None, "max": 40},
            {"key": "ge41", "label": "41岁及以上", "min": 41, "max": None},
        ],
        valid_from=dt.date(2020, 1, 1),
        reason="试点",
    )
    period = parse_period("2026-Q3")
    rollups.refresh_all(period)
    snap = IndicatorSnapshot.objects.get(org=root, name="people.age_bands", period=period.label)
    assert not snap.combined
    assert rollups._from_json(snap.value) == indicators.registry()["people.age_bands"].fn(root, period)
    assert IndicatorSnapshot.objects.get(org=root, name="people.member_count", period=period.label).combined
