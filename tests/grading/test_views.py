"""Grading pages: open a round, the 000-R2 distribution, confirm/override, plans, measures, closure,
the two ledgers, and scoping (a village sees nothing of its sibling)."""

from __future__ import annotations

import datetime as dt
import math

import openpyxl
import pytest
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from jiceng.core.models import AuditEntry
from jiceng.grading import selectors, services
from jiceng.grading.models import Grade, GradingRound, PlanStatus, RectificationMeasure, RectificationPlan
from tests.helpers import get_ledger, ledger_url, sheet_rows, workbook

DEMO_PASSWORD = "demo12345"


def _year() -> int:
    return timezone.localdate().year


def _xlsx(response) -> openpyxl.Workbook:
    return workbook(response)


def _rows(ws) -> list[tuple]:
    return sheet_rows(ws)


def _grading_ledger(client, rnd):
    return get_ledger(client, "grading.grades", round=rnd.pk, period=rnd.year)


@pytest.fixture
def county_client(client, demo_county):
    assert client.login(request=HttpRequest(), username="county", password=DEMO_PASSWORD)
    return client


@pytest.fixture
def demo_round(demo_county) -> GradingRound:
    return services.round_open(actor=demo_county["county"], org=demo_county["root"], year=_year())


@pytest.fixture
def world_round(world) -> GradingRound:
    return services.round_open(actor=world.users["county"], org=world.county_org, year=_year())


def _grade(rnd: GradingRound, org) -> Grade:
    return Grade.objects.get(round=rnd, org=org)


def _lagging_plan(world, rnd: GradingRound, org, n_measures: int = 2) -> RectificationPlan:
    grade = _grade(rnd, org)
    services.grade_confirm(
        actor=world.users["county"],
        grade=grade,
        final=grade.proposed,
        lagging=True,
        reason="" if grade.lagging_proposed else "列为后进",
    )
    deadline = timezone.localdate() + dt.timedelta(days=30)
    return services.plan_create(
        actor=world.users["county"],
        grade=Grade.objects.get(pk=grade.pk),
        problems="组织生活不经常",
        measures=[(f"措施{i}", "张书记", deadline) for i in range(1, n_measures + 1)],
    )


# --- opening a round --------------------------------------------------------------------------------


def test_county_opens_a_round_on_the_demo_county(county_client, demo_county):
    page = county_client.get(reverse("grading_rounds"))
    assert page.status_code == 200 and 'id="round-open"' in page.text
    assert demo_county["root"].name in page.text  # offered as the grading committee
    r = county_client.post(reverse("grading_rounds"), {"org": demo_county["root"].pk, "year": _year()})
    rnd = GradingRound.objects.get(org=demo_county["root"], year=_year())
    assert r.status_code == 302 and r["Location"] == reverse("grading_round", kwargs={"round_id": rnd.pk})
    # 12 villages; the demo has no meetings yet, so every unit is silent: lowest grade and lagging
    assert rnd.grades.count() == 12
    assert AuditEntry.objects.filter(
        action="create", target_type="grading.gradinground", target_id=str(rnd.pk)
    ).exists()

    page = county_client.get(r["Location"])
    assert page.status_code == 200
    rows, total = page.context["rows"], page.context["total"]
    assert total == 12 and sum(row["count"] for row in rows) == total
    assert [row["label"] for row in rows] == ["好", "较好", "一般", "软弱涣散"]
    assert page.context["quota"] == math.ceil(0.1 * 12) == 2
    assert page.context["summary"]["proposed_lagging"] >= 2
    assert 'id="distribution-total">12<' in page.text and 'id="quota">2<' in page.text
    assert page.text.count('data-grade="') == 12
    assert "messages" in page.text  # the success message after the redirect


def test_opening_twice_or_a_bad_year_shows_the_error_and_stores_nothing(
    county_client, demo_county, demo_round
):
    before = (GradingRound.objects.count(), Grade.objects.count(), AuditEntry.objects.count())
    url = reverse("grading_rounds")
    r = county_client.post(url, {"org": demo_county["root"].pk, "year": _year()})
    assert r.status_code == 200 and 'data-field="year"' in r.text and "不能重复" in r.text
    r = county_client.post(url, {"org": demo_county["root"].pk, "year": 1999})
    assert r.status_code == 200 and 'data-field="year"' in r.text and "2000" in r.text
    r = county_client.post(url, {"org": demo_county["root"].pk, "year": _year() + 1})
    assert r.status_code == 200 and 'data-field="year"' in r.text
    assert (GradingRound.objects.count(), Grade.objects.count(), AuditEntry.objects.count()) == before


def test_without_the_grade_permission_there_is_no_open_form(world, login):
    c = login(world.users["sec_a"])
    page = c.get(reverse("grading_rounds"))
    assert page.status_code == 200 and 'id="round-open"' not in page.text
    r = c.post(reverse("grading_rounds"), {"org": world.county_org.pk, "year": _year()})
    assert r.status_code == 404 and not GradingRound.objects.filter(org=world.county_org).exists()


def test_township_can_open_only_its_own_committee(world, login):
    c = login(world.users["township"])
    page = c.get(reverse("grading_rounds"))
    choices = [v for v, _label in page.context["form"].fields["org"].choices]
    assert choices == [world.town_a_org.pk]
    r = c.post(reverse("grading_rounds"), {"org": world.county_org.pk, "year": _year()})
    assert r.status_code == 200 and 'data-field="org"' in r.text
    assert not GradingRound.objects.filter(org=world.county_org).exists()
    r = c.post(reverse("grading_rounds"), {"org": world.town_a_org.pk, "year": _year()})
    assert r.status_code == 302
    assert set(GradingRound.objects.get(org=world.town_a_org).grades.values_list("org__name", flat=True)) == {
        world.branch_a.name,
        world.branch_a2.name,
    }


# --- the round page ---------------------------------------------------------------------------------


def test_round_page_query_count_is_flat(county_client, demo_round, django_assert_max_num_queries):
    url = reverse("grading_round", kwargs={"round_id": demo_round.pk})
    # session, user, grants, round, page count, page rows, distribution (2), summary: 9
    with django_assert_max_num_queries(10):
        r = county_client.get(url)
    assert r.status_code == 200 and r.text.count('data-grade="') == 12
    with django_assert_max_num_queries(10):
        county_client.get(url, {"lagging": "yes", "level": "weak"})


def test_round_filters_and_htmx_fragment(world, login, world_round):
    c = login(world.users["county"])
    url = reverse("grading_round", kwargs={"round_id": world_round.pk})
    r = c.get(url, {"q": "一村"})
    assert "一村党支部" in r.text and "二村党支部" not in r.text
    r = c.get(url, {"q": "三社"}, HTTP_HX_REQUEST="true")
    assert "<html" not in r.text and 'id="grade-table"' in r.text and "三社区党支部" in r.text
    assert "一村党支部" not in r.text
    grade = _grade(world_round, world.branch_a)
    services.grade_confirm(
        actor=world.users["county"], grade=grade, final="good", lagging=False, reason="材料齐全"
    )
    r = c.get(url, {"level": "good"})
    assert r.text.count('data-grade="') == 1 and "一村党支部" in r.text
    r = c.get(url, {"lagging": "no"})
    assert r.text.count('data-grade="') == 1
    r = c.get(url, {"level": "nonsense"})  # an invalid filter is ignored, not a crash
    assert r.status_code == 200 and r.text.count('data-grade="') == 3


# --- confirm / override -----------------------------------------------------------------------------


def test_override_without_reason_shows_the_error_and_changes_nothing(world, login, world_round):
    c = login(world.users["county"])
    grade = _grade(world_round, world.branch_a)
    url = reverse("grade_detail", kwargs={"grade_id": grade.pk})
    page = c.get(url)
    assert page.status_code == 200 and 'id="confirm-form"' in page.text
    other = next(lv["key"] for lv in world_round.levels if lv["key"] != grade.proposed)
    before = (Grade.objects.filter(pk=grade.pk).values().get(), AuditEntry.objects.count())
    r = c.post(url, {"action": "confirm", "final": other, "reason": ""})
    assert r.status_code == 200 and 'data-field="reason"' in r.text and "必须说明理由" in r.text
    assert (Grade.objects.filter(pk=grade.pk).values().get(), AuditEntry.objects.count()) == before


def test_override_with_reason_is_stored_and_audited(world, login, world_round):
    c = login(world.users["county"])
    grade = _grade(world_round, world.branch_a)
    url = reverse("grade_detail", kwargs={"grade_id": grade.pk})
    r = c.post(url, {"action": "confirm", "final": "average", "reason": "年内已补开支部党员大会"})
    assert r.status_code == 302 and r["Location"] == url
    grade.refresh_from_db()
    assert grade.final == "average" and not grade.lagging and grade.reason == "年内已补开支部党员大会"
    assert grade.confirmed_by == world.users["county"] and grade.confirmed_at
    entry = AuditEntry.objects.get(action="override", target_type="grading.grade", target_id=str(grade.pk))
    assert entry.changes["final"] == ["", "average"]
    page = c.get(url)
    assert "年内已补开支部党员大会" in page.text and "一般" in page.text


def test_confirming_the_proposal_needs_no_reason(world, login, world_round):
    c = login(world.users["county"])
    grade = _grade(world_round, world.branch_a2)
    r = c.post(
        reverse("grade_detail", kwargs={"grade_id": grade.pk}),
        {"action": "confirm", "final": grade.proposed, "lagging": "on" if grade.lagging_proposed else ""},
    )
    assert r.status_code == 302
    grade.refresh_from_db()
    assert grade.final == grade.proposed and grade.reason == ""
    assert AuditEntry.objects.filter(action="confirm", target_id=str(grade.pk)).exists()


# --- rectification plans ----------------------------------------------------------------------------


def test_plan_lifecycle_create_complete_close(world, login, world_round):
    c = login(world.users["county"])
    grade = _grade(world_round, world.branch_a)
    url = reverse("grade_detail", kwargs={"grade_id": grade.pk})
    assert 'id="plan-form"' not in c.get(url).text  # not confirmed yet
    c.post(
        url,
        {
            "action": "confirm",
            "final": grade.proposed,
            "lagging": "on",
            "reason": "" if grade.lagging_proposed else "列为后进",
        },
    )
    page = c.get(url)
    assert 'id="plan-form"' in page.text and page.text.count('name="m-') >= 3 * 3

    mgmt = {"m-TOTAL_FORMS": "3", "m-INITIAL_FORMS": "3", "m-MIN_NUM_FORMS": "0", "m-MAX_NUM_FORMS": "30"}
    r = c.post(url, {**mgmt, "action": "add_row", "problems": "半年未开会"})
    assert r.status_code == 200 and len(r.context["formset"].forms) == 4 and "半年未开会" in r.text

    soon = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    bad = {
        **mgmt,
        "action": "plan",
        "problems": "半年未开会",
        "m-0-description": "每月开展主题党日",
        "m-0-owner": "",
        "m-0-deadline": soon,
    }
    before = AuditEntry.objects.count()
    r = c.post(url, bad)
    assert r.status_code == 200 and 'data-field="measures"' in r.text and "责任人必填" in r.text
    r = c.post(url, {**mgmt, "action": "plan", "problems": ""})
    assert 'data-field="problems"' in r.text and 'data-field="measures"' in r.text
    assert not RectificationPlan.objects.filter(grade__round__year=_year()).exists()
    assert AuditEntry.objects.count() == before

    good = {
        **bad,
        "m-0-owner": "张书记",
        "m-1-description": "补齐支委",
        "m-1-owner": "镇组织委员",
        "m-1-deadline": soon,
    }
    r = c.post(url, good)
    plan = RectificationPlan.objects.get(grade=grade)
    assert r.status_code == 302 and r["Location"] == reverse("plan_detail", kwargs={"plan_id": plan.pk})
    assert plan.measures.count() == 2 and plan.status == PlanStatus.OPEN
    assert 'id="plan-form"' not in c.get(url).text  # one plan per organisation

    plan_url = r["Location"]
    page = c.get(plan_url)
    assert page.status_code == 200 and page.text.count('class="measure-complete"') == 2
    assert 'type="date"' in page.text and f'value="{timezone.localdate().isoformat()}"' in page.text
    assert page.context["plan"].n_done == 0 and page.context["plan"].n_measures == 2

    # closing with open measures fails, nothing stored
    r = c.post(plan_url, {"closure_note": "已验收"})
    assert r.status_code == 200 and 'data-field="__all__"' in r.text and "未完成" in r.text
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN and plan.closure_note == ""

    m1, m2 = plan.measures.order_by("pk")
    done_url = reverse("measure_complete", kwargs={"measure_id": m1.pk})
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    r = c.post(done_url, {"done_on": future, "evidence": ""})
    assert r.status_code == 200 and 'data-field="done_on"' in r.text and 'data-field="evidence"' in r.text
    m1.refresh_from_db()
    assert m1.done_on is None
    today = timezone.localdate()
    r = c.post(done_url, {"done_on": today.isoformat(), "evidence": "2026年会议记录"})
    assert r.status_code == 302 and r["Location"] == plan_url
    m1.refresh_from_db()
    assert m1.done_on == today and m1.evidence == "2026年会议记录"
    # the htmx path: same view, the client swaps #plan-body from the redirected page
    r = c.post(
        reverse("measure_complete", kwargs={"measure_id": m2.pk}),
        {"done_on": today.isoformat(), "evidence": "支委补选结果"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 302
    assert RectificationMeasure.objects.filter(plan=plan, done_on__isnull=True).count() == 0
    page = c.get(plan_url)
    assert page.context["plan"].n_done == 2 and 'class="measure-complete"' not in page.text

    r = c.post(plan_url, {"closure_note": " "})
    assert r.status_code == 200 and 'data-field="closure_note"' in r.text
    r = c.post(plan_url, {"closure_note": "镇党委实地验收"})
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED and plan.closure_note == "镇党委实地验收" and plan.closed_at
    assert AuditEntry.objects.filter(
        action="close", target_type="grading.rectificationplan", target_id=str(plan.pk)
    ).exists()
    page = c.get(plan_url)
    assert 'id="close-form"' not in page.text and "镇党委实地验收" in page.text
    # a closed plan takes no more changes
    r = c.post(done_url, {"done_on": today.isoformat(), "evidence": "改"})
    assert r.status_code == 200
    m1.refresh_from_db()
    assert m1.evidence == "2026年会议记录"


def test_measure_page_get_shows_the_plan(world, login, world_round):
    plan = _lagging_plan(world, world_round, world.branch_b)
    m = plan.measures.first()
    c = login(world.users["sec_b"])  # may read its own plan, may not change it (no grading permission)
    r = c.get(reverse("measure_complete", kwargs={"measure_id": m.pk}))
    assert r.status_code == 200 and "措施1" in r.text and 'class="measure-complete"' not in r.text
    r = c.post(
        reverse("measure_complete", kwargs={"measure_id": m.pk}),
        {"done_on": timezone.localdate().isoformat(), "evidence": "x"},
    )
    assert r.status_code == 404
    m.refresh_from_db()
    assert m.done_on is None


def test_plan_list_filters_and_progress(world, login, world_round):
    plan_a = _lagging_plan(world, world_round, world.branch_a, n_measures=2)
    plan_b = _lagging_plan(world, world_round, world.branch_b, n_measures=1)
    RectificationMeasure.objects.filter(plan=plan_b).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    c = login(world.users["county"])
    r = c.get(reverse("rectification_plans"))
    assert r.status_code == 200 and 'data-plan="' in r.text
    assert "一村党支部" in r.text and "三社区党支部" in r.text and "0/2" in r.text and "0/1" in r.text
    r = c.get(reverse("rectification_plans"), {"overdue": "on"})
    assert "三社区党支部" in r.text and "一村党支部" not in r.text
    for m in plan_a.measures.all():
        services.measure_complete(
            actor=world.users["county"], measure=m, done_on=timezone.localdate(), evidence="ok"
        )
    services.plan_close(actor=world.users["county"], plan=plan_a, closure_note="验收")
    r = c.get(reverse("rectification_plans"), {"status": "closed"}, HTTP_HX_REQUEST="true")
    assert "<html" not in r.text and "一村党支部" in r.text and "三社区党支部" not in r.text
    assert "status=closed" in r.text  # the ledger link keeps the filter


# --- ledgers ----------------------------------------------------------------------------------------


def test_grading_ledger_has_the_distribution_and_one_row_per_unit(county_client, demo_county, demo_round):
    grade = demo_round.grades.exclude(proposed="good").order_by("pk").first()
    services.grade_confirm(
        actor=demo_county["county"], grade=grade, final="good", lagging=False, reason='=HYPERLINK("x")'
    )
    expected = [
        (r["label"], r["count"]) for r in selectors.distribution(actor=demo_county["county"], rnd=demo_round)
    ]
    wb = _xlsx(_grading_ledger(county_client, demo_round))
    dist, units = wb.worksheets
    rows = _rows(dist)
    assert rows[0] == ("等次", "个数", "占总数%")
    body, total = rows[1:-1], rows[-1]
    assert [r[0] for r in body] == ["好", "较好", "一般", "软弱涣散"]
    assert [r[:2] for r in body] == expected and body[0][1] >= 1
    assert total[:2] == ("合计", 12) and sum(r[1] for r in body) == 12
    assert all(r[2] == pytest.approx(round(r[1] * 100 / 12, 1)) for r in body)
    assert sum(r[2] for r in body) == pytest.approx(100, abs=0.2)
    unit_rows = _rows(units)
    assert unit_rows[0][:6] == ("党组织", "得分", "系统建议等次", "确认等次", "建议列为后进", "确认后进")
    assert len(unit_rows) == 1 + 12
    row = next(r for r in unit_rows if r[0] == grade.org.name)
    assert row[3] == "好" and row[7] == '\'=HYPERLINK("x")'  # formula-safe


def test_rectification_ledger_one_row_per_measure(world, login, world_round):
    plan_a = _lagging_plan(world, world_round, world.branch_a, n_measures=2)
    _lagging_plan(world, world_round, world.branch_b, n_measures=1)
    m = plan_a.measures.order_by("pk").first()
    services.measure_complete(
        actor=world.users["county"], measure=m, done_on=timezone.localdate(), evidence="记录本"
    )
    c = login(world.users["county"])
    rows = _rows(_xlsx(get_ledger(c, "grading.rectification")).worksheets[0])
    assert rows[0][:9] == (
        "党组织",
        "评定年度",
        "存在问题",
        "整改措施",
        "责任人",
        "完成时限",
        "完成日期",
        "完成情况（佐证）",
        "逾期未完成",
    )
    assert len(rows) == 1 + 3
    done = next(r for r in rows if r[3] == "措施1" and r[0] == "一村党支部")
    assert done[1] == _year() and done[7] == "记录本" and done[9] == "整改中"
    assert done[6].date() == timezone.localdate()
    rows = _rows(_xlsx(get_ledger(c, "grading.rectification", status="closed")).worksheets[0])
    assert len(rows) == 1


# --- scoping ----------------------------------------------------------------------------------------


def test_village_a_gets_404_on_village_b(world, login, world_round):
    plan_b = _lagging_plan(world, world_round, world.branch_b)
    grade_b, measure_b = plan_b.grade, plan_b.measures.first()
    before = (AuditEntry.objects.count(), Grade.objects.filter(pk=grade_b.pk).values().get())
    for username in ("sec_a", "township"):
        c = login(world.users[username])
        for url in (
            reverse("grade_detail", kwargs={"grade_id": grade_b.pk}),
            reverse("plan_detail", kwargs={"plan_id": plan_b.pk}),
            reverse("measure_complete", kwargs={"measure_id": measure_b.pk}),
        ):
            assert c.get(url).status_code == 404, (username, url)
            r = c.post(
                url,
                {
                    "action": "confirm",
                    "final": "good",
                    "reason": "越权",
                    "closure_note": "越权",
                    "done_on": timezone.localdate().isoformat(),
                    "evidence": "越权",
                },
            )
            assert r.status_code == 404, (username, url)
    assert (AuditEntry.objects.count(), Grade.objects.filter(pk=grade_b.pk).values().get()) == before
    plan_b.refresh_from_db()
    assert plan_b.status == PlanStatus.OPEN

    # sec_a sees the county's round, but only its own village in it, in the page and in the ledgers
    c = login(world.users["sec_a"])
    r = c.get(reverse("grading_round", kwargs={"round_id": world_round.pk}))
    assert r.status_code == 200 and "一村党支部" in r.text and "三社区" not in r.text and "二村" not in r.text
    assert r.context["total"] == 1 and r.context["quota"] is None
    wb = _xlsx(_grading_ledger(c, world_round))
    text = " ".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )
    assert "一村党支部" in text and "三社区" not in text
    r = c.get(reverse("rectification_plans"))
    assert "三社区" not in r.text
    wb = _xlsx(get_ledger(c, "grading.rectification"))
    assert len(_rows(wb.worksheets[0])) == 1


def test_a_round_of_township_b_is_404_for_village_a(world, login):
    rnd = services.round_open(actor=world.users["county"], org=world.town_b_org, year=_year())
    c = login(world.users["sec_a"])
    assert c.get(reverse("grading_round", kwargs={"round_id": rnd.pk})).status_code == 404
    assert _grading_ledger(c, rnd).status_code == 404
    assert "乙镇" not in c.get(reverse("grading_rounds")).text


def test_anonymous_is_sent_to_login(client, world, world_round):
    grade = _grade(world_round, world.branch_a)
    for url in (
        reverse("grading_rounds"),
        reverse("grading_round", kwargs={"round_id": world_round.pk}),
        reverse("grade_detail", kwargs={"grade_id": grade.pk}),
        reverse("rectification_plans"),
        ledger_url("grading.rectification"),
    ):
        for method in ("get", "post"):
            r = getattr(client, method)(url)
            assert r.status_code == 302 and r["Location"].startswith(reverse("login")), url
