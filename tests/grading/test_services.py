"""Grading scenarios: quota arithmetic, proposals from the record, overrides, rectification."""

import datetime as dt
import math

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.grading import selectors, services
from jiceng.grading.models import Grade
from jiceng.grading.scoring import bottom_quota, units_in

YEAR = timezone.localdate().year


def test_bottom_quota_on_204_villages_is_21():
    assert bottom_quota(0.10, 204) == 21
    assert bottom_quota(0.10, 210) == 21  # not 22 from 0.1 * 210 = 21.000000000000004
    assert bottom_quota(0.10, 183) == 19


@given(st.integers(min_value=0, max_value=100_000), st.sampled_from([0.05, 0.1, 0.15, 0.2, 0.3, 1 / 3]))
def test_bottom_quota_is_the_smallest_count_reaching_the_share(n, share):
    q = bottom_quota(share, n)
    assert q >= share * n - 1e-9 and (q == 0 or q - 1 < share * n) and q <= n


def test_units_are_the_top_organisation_of_each_village(demo_county):
    units = list(units_in(demo_county["root"], "village"))
    assert len(units) == 12  # the session demo has 12 villages/communities
    assert all(u.area.kind in ("village", "community") for u in units)


def test_round_proposals_quota_and_distribution(demo_county):
    county, root = demo_county["county"], demo_county["root"]
    rnd = services.round_open(actor=county, org=root, year=YEAR)
    grades = list(rnd.grades.all())
    assert len(grades) == 12
    lagging = [g for g in grades if g.lagging_proposed]
    assert len(lagging) >= math.ceil(0.1 * 12)
    # the bottom scores are among the lagging
    lowest = sorted(grades, key=lambda g: (g.score, g.org.path))[:2]
    assert all(g.lagging_proposed for g in lowest)
    rows = selectors.distribution(actor=county, rnd=rnd)
    assert sum(r["count"] for r in rows) == 12
    assert abs(sum(r["share"] for r in rows) - 1) < 0.01
    assert AuditEntry.objects.filter(target_type="grading.gradinground", target_id=str(rnd.pk)).exists()
    with pytest.raises(DomainError) as exc:
        services.round_open(actor=county, org=root, year=YEAR)
    assert "year" in exc.value.errors


def test_override_needs_reason_and_is_audited(demo_county):
    county, root = demo_county["county"], demo_county["root"]
    rnd = services.round_open(actor=county, org=root, year=YEAR)
    grade = rnd.grades.order_by("-score").first()
    other = next(lv["key"] for lv in rnd.levels if lv["key"] != grade.proposed)
    with pytest.raises(DomainError) as exc:
        services.grade_confirm(actor=county, grade=grade, final=other)
    assert "reason" in exc.value.errors
    grade.refresh_from_db()
    assert grade.final == "" and grade.confirmed_at is None
    services.grade_confirm(actor=county, grade=grade, final=other, reason="群众反映强烈，经核实降等")
    grade.refresh_from_db()
    assert grade.final == other and grade.reason
    entry = AuditEntry.objects.get(target_type="grading.grade", target_id=str(grade.pk), action="override")
    assert entry.changes["final"] == ["", other]
    with pytest.raises(DomainError):
        services.grade_confirm(actor=county, grade=grade, final="Z", reason="x")


def test_rectification_plan_to_closure(demo_county):
    county, root = demo_county["county"], demo_county["root"]
    rnd = services.round_open(actor=county, org=root, year=YEAR)
    grade = rnd.grades.filter(lagging_proposed=True).first()
    with pytest.raises(DomainError):  # not confirmed yet
        services.plan_create(
            actor=county, grade=grade, problems="x", measures=[("a", "b", dt.date(YEAR, 12, 1))]
        )
    services.grade_confirm(actor=county, grade=grade)
    with pytest.raises(DomainError) as exc:
        services.plan_create(
            actor=county,
            grade=grade,
            problems="组织生活不正常",
            measures=[("", "张三", dt.date(YEAR, 12, 1))],
        )
    assert "measures" in exc.value.errors
    plan = services.plan_create(
        actor=county,
        grade=grade,
        problems="组织生活不正常",
        measures=[
            ("调整支部书记", "乡镇党委", dt.date(YEAR, 12, 31)),
            ("恢复三会一课", "支部书记", dt.date(YEAR, 12, 31)),
        ],
    )
    m1, m2 = plan.measures.all()
    services.measure_complete(actor=county, measure=m1, done_on=timezone.localdate(), evidence="已调整")
    with pytest.raises(DomainError) as exc:
        services.plan_close(actor=county, plan=plan, closure_note="验收合格")
    assert "未完成" in exc.value.errors["__all__"][0]
    services.measure_complete(actor=county, measure=m2, done_on=timezone.localdate(), evidence="已恢复")
    services.plan_close(actor=county, plan=plan, closure_note="乡镇党委验收合格")
    plan.refresh_from_db()
    assert plan.status == "closed"
    with pytest.raises(DomainError):  # cannot un-lag a grade that has a plan
        services.grade_confirm(actor=county, grade=Grade.objects.get(pk=grade.pk), lagging=False, reason="x")


def test_grading_is_scoped(world):
    with pytest.raises(NotFound):
        services.round_open(actor=world.users["sec_a"], org=world.county_org, year=YEAR)
    rnd = services.round_open(actor=world.users["county"], org=world.county_org, year=YEAR)
    grade_b = rnd.grades.get(org=world.branch_b)
    with pytest.raises(NotFound):
        services.grade_confirm(actor=world.users["township"], grade=grade_b)
    assert (
        list(selectors.grades_for(actor=world.users["township"], rnd=rnd).values_list("org", flat=True)) != []
    )
    assert grade_b.pk not in selectors.grades_for(actor=world.users["township"], rnd=rnd).values_list(
        "pk", flat=True
    )


def test_township_cannot_decide_the_countys_round(world):
    rnd = services.round_open(actor=world.users["county"], org=world.county_org, year=YEAR)
    grade_a = rnd.grades.get(org=world.branch_a)
    with pytest.raises(NotFound):  # in the township's subtree, but the county's round
        services.grade_confirm(actor=world.users["township"], grade=grade_a)
    with pytest.raises(DomainError) as exc:  # and it cannot open a round of its own beside it
        services.round_open(actor=world.users["township"], org=world.town_a_org, year=YEAR)
    assert "一年只评定一次" in exc.value.errors["year"][0]


def test_lowest_level_is_always_lagging(world):
    rnd = services.round_open(actor=world.users["county"], org=world.county_org, year=YEAR)
    lowest = rnd.levels[-1]["key"]
    assert all(g.lagging_proposed for g in rnd.grades.all() if g.proposed == lowest)
    grade = rnd.grades.first()
    with pytest.raises(DomainError) as exc:
        services.grade_confirm(
            actor=world.users["county"], grade=grade, final=lowest, lagging=False, reason="x"
        )
    assert "必须列为后进" in exc.value.errors["lagging"][0]
