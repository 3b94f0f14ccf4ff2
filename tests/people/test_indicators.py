"""Indicators against an independent count: plain Python over the rows, no shared SQL."""

import datetime as dt
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core import indicators
from jiceng.core.errors import NotFound
from jiceng.core.models import Area, Org
from jiceng.core.periods import Period, parse_period
from jiceng.people import services
from jiceng.people.models import CadrePost, PartyMember

PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30), "2026-H1")


def _age(birth, day):
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def compute(actor, name, org, period=PERIOD):
    return indicators.compute(actor=actor, name=name, org=org, period=period)


def members_under(org, day):
    return [
        m
        for m in PartyMember.objects.select_related("person", "org")
        if m.org.path.startswith(org.path) and m.joined_on <= day
    ]


def test_member_count_and_status_on_date(demo_county):
    root, county = demo_county["root"], demo_county["county"]
    rows = members_under(root, PERIOD.end)
    v = compute(county, "people.member_count", root)
    status = Counter("full" if m.full_on and m.full_on <= PERIOD.end else "probationary" for m in rows)
    assert v.value == len(rows)
    assert {p.key: p.value for p in v.parts} == {
        "full": status["full"],
        "probationary": status["probationary"],
    }


def test_age_bands_independent_and_non_overlapping(demo_county):
    root, county = demo_county["root"], demo_county["county"]
    rows = members_under(root, PERIOD.end)
    expect = Counter()
    for m in rows:
        a = _age(m.person.birth_date, PERIOD.end)
        expect["le35" if a <= 35 else "36_59" if a <= 59 else "ge60"] += 1
    v = compute(county, "people.age_bands", root)
    assert {p.key: p.value for p in v.parts} == dict(expect)
    assert sum(p.value for p in v.parts) == v.value == len(rows)
    share = {p.key: p.value / v.value for p in v.parts}
    assert 0.12 < share["le35"] < 0.28 and 0.27 < share["ge60"] < 0.43  # the demo's shape (004-P9)


def test_age_band_boundary_birthday(world):
    """On the day 李四 (born 1995-02-03) turns 36 she leaves the ≤35 band, not a day earlier."""
    from jiceng.core.rulepacks import rule
    from jiceng.people.queries import age_band_q

    bands = {b["key"]: b for b in rule("people.age_bands")}
    qs = PartyMember.objects.filter(pk=world.member_a_grid.pk)
    assert qs.filter(age_band_q(bands["le35"], dt.date(2031, 2, 2), "person__birth_date")).exists()
    assert not qs.filter(age_band_q(bands["36_59"], dt.date(2031, 2, 2), "person__birth_date")).exists()
    assert qs.filter(age_band_q(bands["36_59"], dt.date(2031, 2, 3), "person__birth_date")).exists()
    assert not qs.filter(age_band_q(bands["le35"], dt.date(2031, 2, 3), "person__birth_date")).exists()


def test_education_bands(demo_county):
    root, county = demo_county["root"], demo_county["county"]
    groups = {
        "postgraduate": "college_above",
        "bachelor": "college_above",
        "college": "college_above",
        "secondary_vocational": "high_school",
        "high_school": "high_school",
        "junior_high": "junior_or_below",
        "primary_or_below": "junior_or_below",
    }
    expect = Counter(groups.get(m.person.education, "unknown") for m in members_under(root, PERIOD.end))
    v = compute(county, "people.education_bands", root)
    assert {p.key: p.value for p in v.parts if p.value} == {k: n for k, n in expect.items() if n}


def test_org_count_by_kind(demo_county):
    root, county = demo_county["root"], demo_county["county"]
    expect = Counter(o.kind for o in Org.objects.all() if o.path.startswith(root.path))
    v = compute(county, "people.org_count", root)
    assert {p.key: p.value for p in v.parts if p.value} == dict(expect)


def _posts_on(area_path, day):
    return [
        p
        for p in CadrePost.objects.select_related("area")
        if p.area.path.startswith(area_path)
        and p.term_from <= day
        and (p.term_to is None or p.term_to >= day)
    ]


def test_dual_role_and_cross_appointment_independent(demo_county):
    root, county = demo_county["root"], demo_county["county"]
    day = PERIOD.end
    posts = _posts_on(root.area.path, day)
    villages = [
        a for a in Area.objects.filter(kind__in=["village", "community"]) if a.path.startswith(root.area.path)
    ]
    by_area = {}
    for p in posts:
        by_area.setdefault(p.area_id, []).append(p)
    dual = sum(
        1
        for a in villages
        if any(
            p.committee == "party"
            and p.post == "secretary"
            and any(
                q.person_id == p.person_id and q.committee != "party" and q.post == "chair"
                for q in by_area.get(a.pk, [])
            )
            for p in by_area.get(a.pk, [])
        )
    )
    persons = {p.person_id for p in posts}
    cross = {
        p.person_id
        for p in posts
        if p.committee != "party"
        and any(
            q.person_id == p.person_id and q.area_id == p.area_id and q.committee == "party" for q in posts
        )
    }
    assert compute(county, "people.dual_role_count", root).value == dual
    rate = compute(county, "people.dual_role_rate", root)
    assert (rate.numerator, rate.denominator) == (dual, len(villages))
    assert compute(county, "people.cadre_count", root).value == len(persons)
    x = compute(county, "people.cross_appointment_rate", root)
    assert (x.numerator, x.denominator) == (len(cross), len(persons))
    assert compute(county, "people.cross_appointment_count", root).value == len(cross)
    # the demo is shaped like 001: ≈89.7% 一肩挑, ≈35.5% cross-appointed
    assert 0.8 < rate.value <= 1.0 and 0.25 < x.value < 0.45


def test_dual_role_follows_the_posts(world):
    c = world.users["county"]
    sec = world.member_a.person
    period = parse_period("2026")
    services.cadre_post_create(
        actor=c,
        area=world.village_a,
        committee="party",
        post="secretary",
        person=sec,
        term_from=dt.date(2021, 6, 1),
    )
    assert compute(c, "people.dual_role_count", world.county_org, period).value == 0
    chair = services.cadre_post_create(
        actor=c,
        area=world.village_a,
        committee="villagers",
        post="chair",
        person=sec,
        term_from=dt.date(2021, 6, 1),
    )
    assert compute(c, "people.dual_role_count", world.county_org, period).value == 1
    assert compute(c, "people.cross_appointment_count", world.county_org, period).value == 1
    r = compute(c, "people.dual_role_rate", world.county_org, period)
    assert (r.numerator, r.denominator) == (1, 3)
    services.cadre_post_end(actor=c, post=chair, term_to=dt.date(2025, 12, 31))
    assert compute(c, "people.dual_role_count", world.county_org, period).value == 0
    # but for 2025 it was still true
    assert compute(c, "people.dual_role_count", world.county_org, parse_period("2025")).value == 1


def test_indicator_outside_scope_is_not_found(world):
    with pytest.raises(NotFound):
        compute(world.users["sec_a"], "people.member_count", world.branch_b)
    with pytest.raises(NotFound):
        compute(world.users["county"], "people.no_such_indicator", world.branch_a)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2026, 11, 1)))
def test_breakdowns_sum_to_totals_and_rates_in_range(demo_county, day):
    root, county = demo_county["root"], demo_county["county"]
    period = Period(dt.date(day.year, 1, 1), day, str(day))
    for name, ind in indicators.registry().items():
        v = indicators.compute(actor=county, name=name, org=root, period=period)
        if ind.unit == "breakdown":
            assert sum(p.value for p in v.parts) == v.value, name
        if ind.unit == "rate" and v.value is not None:
            assert 0 <= v.value <= 1, name


def test_breakdown_parts_by_own_condition_show_gaps_and_refuse_overlaps(world):
    """Each part is counted by its own condition: a member in no band is shown as not filled in;
    bands that overlap (written around the rule validator) refuse to print a table."""
    from jiceng.core.indicators import ConsistencyError
    from jiceng.core.models import RuleOverride
    from jiceng.people.models import Person

    county, root = world.users["county"], world.county_org
    Person.objects.filter(pk=world.member_b.person_id).update(birth_date=None)
    v = compute(county, "people.age_bands", root)
    assert v.value == 3 and {p.key: p.value for p in v.parts}["unknown"] == 1

    RuleOverride.objects.create(
        org=root,
        key="people.age_bands",
        valid_from=dt.date(2000, 1, 1),
        reason="test",
        value=[
            {"key": "all", "label": "全部", "min": None, "max": None},
            {"key": "le35", "label": "35岁及以下", "min": None, "max": 35},
        ],
    )
    with pytest.raises(ConsistencyError):
        compute(county, "people.age_bands", root)
