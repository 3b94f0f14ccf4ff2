"""Grading reads organisational life's figures through the indicator registry: a unit's factors are
exactly the registry's values for the unit's subtree, and a criterion with nothing to count has no
value and gives its weight to the others."""

import datetime as dt

from django.utils import timezone

from jiceng.core import indicators
from jiceng.core import services as core
from jiceng.core.models import Org
from jiceng.core.periods import Period
from jiceng.grading import services
from jiceng.grading.scoring import RATES, score

YEAR = timezone.localdate().year
PERIOD = Period(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), str(YEAR))


def _rounded(value):
    return None if value is None else round(value, 4)


def test_every_demo_village_is_graded_by_the_registrys_own_figures(demo_county):
    county, root = demo_county["county"], demo_county["root"]
    rnd = services.round_open(actor=county, org=root, year=YEAR)
    registry = indicators.registry()
    grades = list(rnd.grades.select_related("org__area"))
    assert len(grades) == 12 and not rnd.not_gradable
    for g in grades:
        for criterion, name in RATES.items():
            value = registry[name].fn(g.org, PERIOD)
            assert g.factors[criterion] == _rounded(value.value), (g.org.name, criterion)
        assert g.factors["members"] == registry["orglife.participation_rate"].fn(g.org, PERIOD).denominator
        compliance = registry["orglife.compliance_rate"].fn(g.org, PERIOD)
        assert (g.factors["satisfied"], g.factors["required"]) == (
            compliance.numerator,
            compliance.denominator,
        )


def test_a_unit_with_nothing_to_count_spreads_the_weight_or_is_not_graded(world):
    """A village whose party branch was set up this month and has no members yet: no meeting was due
    and nobody could attend, so only its party committee seats (none) score it. In a round over every
    branch (grading.unit = branch), a new branch outside any village has nothing at all to count: it
    is listed as not graded instead of being ranked last."""
    county = world.users["county"]
    today = timezone.localdate()
    village = core.area_create(actor=county, parent=world.town_a, name="新村", kind="village")
    new = core.org_create(
        actor=county,
        parent=world.town_a_org,
        name="新村党支部",
        kind="branch",
        area=village,
        established_on=today.replace(day=1),
    )
    rnd = services.round_open(actor=county, org=world.town_a_org, year=YEAR)
    grade = rnd.grades.get(org=new)
    for criterion, name in RATES.items():
        assert indicators.registry()[name].fn(new, PERIOD).value is None
        assert grade.factors[criterion] is None, criterion
    assert grade.factors["committee"] == 0.0
    assert (
        grade.score
        == 0.0
        == score(
            {"compliance": None, "participation": None, "education": None, "committee": 0.0},
            {"compliance": 40, "participation": 30, "education": 20, "committee": 10},
        )
    )

    core.rule_override_set(
        actor=county,
        org=world.town_b_org,
        key="grading.unit",
        value="branch",
        valid_from=dt.date(2000, 1, 1),
        reason="按支部评定",
    )
    loose = core.org_create(
        actor=county,
        parent=world.town_b_org,
        name="乙镇新建党支部",
        kind="branch",
        established_on=today.replace(day=1),
    )
    rnd_b = services.round_open(actor=county, org=world.town_b_org, year=YEAR)
    assert [u["org_id"] for u in rnd_b.not_gradable] == [loose.pk]
    assert not rnd_b.grades.filter(org=loose).exists()
    assert rnd_b.grades.filter(org=world.branch_b).exists()
    assert Org.objects.filter(pk=loose.pk).exists()


def test_weights_of_criteria_without_a_value_go_to_the_others():
    weights = {"compliance": 40, "participation": 30, "education": 20, "committee": 10}
    full = {"compliance": 0.5, "participation": 1.0, "education": 0.5, "committee": 1.0}
    assert score(full, weights) == 20 + 30 + 10 + 10
    assert score({**full, "committee": None}, weights) == round((20 + 30 + 10) * 100 / 90, 1)
    assert score(dict.fromkeys(full), weights) is None


def test_without_a_county_round_the_county_counts_every_township_round(world):
    """The grade breakdown of a subtree no round covers adds up the top rounds inside it (each
    township's), instead of showing one township's as if it were the county's."""
    county = world.users["county"]
    for town in (world.town_a_org, world.town_b_org):
        services.round_open(actor=county, org=town, year=YEAR)
    ind = indicators.registry()["grading.grade_distribution"]
    county_value = ind.fn(world.county_org, PERIOD)
    towns = [ind.fn(t, PERIOD).value for t in (world.town_a_org, world.town_b_org)]
    assert all(towns) and county_value.value == sum(towns)
    assert ind.rows(world.county_org, PERIOD, "value").count() == county_value.value
