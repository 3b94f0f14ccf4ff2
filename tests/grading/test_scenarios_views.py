"""Grading journeys through the pages, beyond the service scenarios in test_services.py: another
scheme from the rule pack, refusals that must store nothing, a closed plan, the ledger writer."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from jiceng.core import services as core_services
from jiceng.core.ledgers import Ledger, LedgerRequest, Sheet
from jiceng.core.ledgers import write_xlsx as write_ledger
from jiceng.core.models import AuditEntry
from jiceng.grading import services
from jiceng.grading.models import Grade, GradingRound, RectificationPlan
from tests.helpers import get_ledger, sheet_rows, workbook

YEAR = timezone.localdate().year


def _load(response_or_file) -> openpyxl.Workbook:
    if hasattr(response_or_file, "streaming_content"):
        raw = b"".join(response_or_file.streaming_content)
    else:
        raw = response_or_file.read()
    return openpyxl.load_workbook(io.BytesIO(raw), read_only=True)


@pytest.fixture
def world_round(world) -> GradingRound:
    return services.round_open(actor=world.users["county"], org=world.county_org, year=YEAR)


def _confirmed_lagging(world, rnd, org) -> Grade:
    grade = Grade.objects.get(round=rnd, org=org)
    services.grade_confirm(
        actor=world.users["county"],
        grade=grade,
        final=grade.proposed,
        lagging=True,
        reason="" if grade.lagging_proposed else "列为后进",
    )
    return Grade.objects.get(pk=grade.pk)


def test_a_county_on_the_abc_scheme_sees_abc_everywhere(world, login):
    core_services.rule_override_set(
        actor=world.users["county"],
        org=world.county_org,
        key="grading.scheme",
        value="abc",
        valid_from=dt.date(YEAR, 1, 1),
        reason="县委文件：村党组织ABC分级",
    )
    c = login(world.users["county"])
    r = c.post(reverse("grading_rounds"), {"org": world.county_org.pk, "year": YEAR})
    assert r.status_code == 302
    page = c.get(r["Location"])
    assert [row["label"] for row in page.context["rows"]] == ["A类", "B类", "C类"]
    assert page.context["quota"] == 1  # ⌈10% × 3⌉
    rnd = GradingRound.objects.get(org=world.county_org, year=YEAR)
    grade = rnd.grades.first()
    detail = c.get(reverse("grade_detail", kwargs={"grade_id": grade.pk}))
    assert [k for k, _label in detail.context["confirm_form"].fields["final"].choices] == ["A", "B", "C"]
    # a level of another scheme is refused by the form, nothing stored
    r = c.post(
        reverse("grade_detail", kwargs={"grade_id": grade.pk}),
        {"action": "confirm", "final": "good", "reason": "x"},
    )
    assert r.status_code == 200 and 'data-field="final"' in r.text
    assert Grade.objects.get(pk=grade.pk).confirmed_at is None
    wb = workbook(get_ledger(c, "grading.grades", round=rnd.pk, period=rnd.year))
    labels = [row[0] for row in sheet_rows(wb.worksheets[0])[1:]]
    assert labels == ["A类", "B类", "C类", "合计"]


def test_a_grade_with_a_plan_cannot_be_unmarked_lagging(world, login, world_round):
    grade = _confirmed_lagging(world, world_round, world.branch_a)
    services.plan_create(
        actor=world.users["county"],
        grade=grade,
        problems="问题",
        measures=[("措施", "书记", timezone.localdate())],
    )
    c = login(world.users["county"])
    before = (Grade.objects.filter(pk=grade.pk).values().get(), AuditEntry.objects.count())
    r = c.post(
        reverse("grade_detail", kwargs={"grade_id": grade.pk}),
        {"action": "confirm", "final": "average", "reason": "已整改"},
    )  # lagging unticked
    assert r.status_code == 200 and 'data-field="lagging"' in r.text and "不能取消后进认定" in r.text
    assert (Grade.objects.filter(pk=grade.pk).values().get(), AuditEntry.objects.count()) == before


def test_a_plan_for_an_unconfirmed_grade_is_refused_with_a_message(world, login, world_round):
    grade = Grade.objects.get(round=world_round, org=world.branch_a)
    c = login(world.users["county"])
    soon = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    r = c.post(
        reverse("grade_detail", kwargs={"grade_id": grade.pk}),
        {
            "action": "plan",
            "m-TOTAL_FORMS": "1",
            "m-INITIAL_FORMS": "0",
            "problems": "问题",
            "m-0-description": "措施",
            "m-0-owner": "书记",
            "m-0-deadline": soon,
        },
    )
    assert r.status_code == 200 and 'data-field="grade"' in r.text and "已确认的后进" in r.text
    assert not RectificationPlan.objects.filter(grade__round__year=YEAR).exists()


def test_a_deadline_before_the_graded_year_is_refused(world, login, world_round):
    grade = _confirmed_lagging(world, world_round, world.branch_a)
    c = login(world.users["county"])
    r = c.post(
        reverse("grade_detail", kwargs={"grade_id": grade.pk}),
        {
            "action": "plan",
            "m-TOTAL_FORMS": "2",
            "m-INITIAL_FORMS": "0",
            "problems": "问题",
            "m-0-description": "措施",
            "m-0-owner": "书记",
            "m-0-deadline": f"{YEAR - 1}-12-31",
            "m-1-deadline": "not-a-date",
        },
    )
    assert r.status_code == 200
    assert 'data-field="m-1-deadline"' in r.text  # the form's parse error on the row
    assert not RectificationPlan.objects.filter(grade__round__year=YEAR).exists()
    r = c.post(
        reverse("grade_detail", kwargs={"grade_id": grade.pk}),
        {
            "action": "plan",
            "m-TOTAL_FORMS": "1",
            "m-INITIAL_FORMS": "0",
            "problems": "问题",
            "m-0-description": "措施",
            "m-0-owner": "书记",
            "m-0-deadline": f"{YEAR - 1}-12-31",
        },
    )
    assert 'data-field="measures"' in r.text and "不能早于评定年度" in r.text
    assert not RectificationPlan.objects.filter(grade__round__year=YEAR).exists()


def test_an_unknown_action_changes_nothing(world, login, world_round):
    grade = Grade.objects.get(round=world_round, org=world.branch_a)
    c = login(world.users["county"])
    before = AuditEntry.objects.count()
    r = c.post(reverse("grade_detail", kwargs={"grade_id": grade.pk}), {"action": "drop", "final": "good"})
    assert r.status_code == 302 and AuditEntry.objects.count() == before


def test_htmx_measure_error_returns_the_plan_body_with_the_error(world, login, world_round):
    grade = _confirmed_lagging(world, world_round, world.branch_a)
    plan = services.plan_create(
        actor=world.users["county"],
        grade=grade,
        problems="问题",
        measures=[("措施", "书记", timezone.localdate())],
    )
    m = plan.measures.get()
    c = login(world.users["county"])
    r = c.post(
        reverse("measure_complete", kwargs={"measure_id": m.pk}),
        {"done_on": "", "evidence": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and 'id="plan-body"' in r.text and 'data-field="done_on"' in r.text
    m.refresh_from_db()
    assert m.done_on is None


def test_plans_list_query_count_is_flat(demo_county, client, django_assert_max_num_queries):
    county, root = demo_county["county"], demo_county["root"]
    rnd = services.round_open(actor=county, org=root, year=YEAR)
    deadline = timezone.localdate() + dt.timedelta(days=5)
    for grade in rnd.grades.order_by("score", "org__path")[:4]:
        services.grade_confirm(
            actor=county, grade=grade, lagging=True, reason="" if grade.lagging_proposed else "列为后进"
        )
        services.plan_create(
            actor=county,
            grade=Grade.objects.get(pk=grade.pk),
            problems="问题",
            measures=[("措施一", "书记", deadline), ("措施二", "主任", deadline)],
        )
    assert client.login(request=HttpRequest(), username="county", password="demo12345")
    with django_assert_max_num_queries(8):
        r = client.get(reverse("rectification_plans"))
    demo_plans = RectificationPlan.objects.exclude(grade__round=rnd).count()  # the demo's, of last year
    assert r.status_code == 200 and r.text.count('data-plan="') == 4 + demo_plans and r.text.count("0/2") == 4
    with django_assert_max_num_queries(8):
        r = client.get(reverse("grading_rounds"))
    assert r.status_code == 200


def test_ledger_sheets_are_formula_safe(world):
    ledger = Ledger(
        key="t.two",
        title="两表",
        description="",
        sheets=(
            Sheet("一", ["a", "b"], lambda req: iter([("=1+1", 2), ("@x", "ok")])),
            Sheet("二", ["c"], lambda req: [("-3",), (-3,)]),
        ),
    )
    out = write_ledger(ledger, LedgerRequest(actor=world.users["county"]))
    assert out.rows == 4 and out.rows_per_sheet == [2, 2]
    wb = _load(out.file)
    assert [ws.title for ws in wb.worksheets] == ["一", "二"]
    assert sheet_rows(wb.worksheets[0]) == [("a", "b"), ("'=1+1", 2), ("'@x", "ok")]
    assert sheet_rows(wb.worksheets[1]) == [("c",), ("'-3",), (-3,)]


def test_a_tampered_measure_formset_is_an_error_not_a_crash(world, login, world_round):
    grade = _confirmed_lagging(world, world_round, world.branch_a)
    c = login(world.users["county"])
    url = reverse("grade_detail", kwargs={"grade_id": grade.pk})
    r = c.post(url, {"action": "add_row", "m-TOTAL_FORMS": "x", "m-INITIAL_FORMS": "0"})
    assert r.status_code == 200 and len(r.context["formset"].forms) == 4
    r = c.post(url, {"action": "plan", "problems": "问题"})  # no management form at all
    assert r.status_code == 200 and 'data-field="measures"' in r.text
    r = c.post(url, {"action": "plan", "problems": "问题", "m-TOTAL_FORMS": "5000", "m-INITIAL_FORMS": "0"})
    assert r.status_code == 200
    assert not RectificationPlan.objects.filter(grade__round__year=YEAR).exists()
