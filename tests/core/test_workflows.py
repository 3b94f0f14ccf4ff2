"""The workflow engine (core.workflows): definitions as data, guards with Chinese messages, local
versions that keep the nationally fixed stages, running matters that keep their version; grading's
round as its first user."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.core import services as core
from jiceng.core import workdays, workflows
from jiceng.core.errors import DomainError
from jiceng.core.models import AuditEntry, WorkflowDefinition, WorkflowInstance
from jiceng.core.workflows import Guard, Spec, State, Transition
from jiceng.grading import services as grading
from jiceng.grading.workflows import KEY

YEAR = timezone.localdate().year


def test_every_installed_template_is_valid():
    assert KEY in workflows.templates()
    for key, spec in workflows.templates().items():
        assert workflows.validate(spec) == [], key
        assert workflows.Spec.from_json(spec.to_json()) == spec


def _round(world, org=None):
    return grading.round_open(actor=world.users["county"], org=org or world.county_org, year=YEAR)


def test_a_grade_goes_through_the_grading_workflow_with_one_audit_entry_per_step(world):
    rnd = _round(world)
    grade = rnd.grades.get(org=world.branch_a)
    assert grade.workflow.state == "proposed" and grade.workflow.authority == world.county_org
    before = AuditEntry.objects.count()
    other = next(lv["key"] for lv in rnd.levels if lv["key"] != grade.proposed)
    grading.grade_confirm(actor=world.users["county"], grade=grade, final=other, lagging=True, reason="调整")
    grade.refresh_from_db()
    assert grade.workflow.state == "confirmed"
    entries = list(AuditEntry.objects.order_by("-pk")[: AuditEntry.objects.count() - before])
    assert len(entries) == 1 and entries[0].action == "override"
    assert entries[0].changes["state"] == ["系统建议", "已确认"] and "final" in entries[0].changes
    plan = grading.plan_create(
        actor=world.users["county"],
        grade=grade,
        problems="组织生活不正常",
        measures=[("恢复三会一课", "书记", dt.date(YEAR, 12, 31))],
    )
    grade.workflow.refresh_from_db()
    assert grade.workflow.state == "planned"
    with pytest.raises(DomainError) as refused:  # a measure is still open: the workflow's check says so
        grading.plan_close(actor=world.users["county"], plan=plan, closure_note="验收")
    assert refused.value.errors == {"__all__": ["销号：还有 1 条整改措施未完成。"]}
    grading.measure_complete(
        actor=world.users["county"],
        measure=plan.measures.get(),
        done_on=timezone.localdate(),
        evidence="记录",
    )
    grading.plan_close(actor=world.users["county"], plan=plan, closure_note="验收")
    grade.workflow.refresh_from_db()
    assert grade.workflow.state == "closed"
    steps = workflows.history(grade.workflow)
    assert [(s["from"], s["to"]) for s in steps] == [
        ("系统建议", "已确认"),
        ("已确认", "整改中"),
        ("整改中", "已销号"),
    ]
    assert all(s["actor"] == world.users["county"] for s in steps)


def test_a_step_the_state_does_not_allow_is_refused_and_changes_nothing(world):
    grade = _round(world).grades.get(org=world.branch_a)
    option = workflows.evaluate(actor=world.users["county"], instance=grade.workflow, action="close")
    assert not option.allowed and option.reasons == ["当前环节“系统建议”不能“挂账销号”。"]
    with pytest.raises(DomainError):
        workflows.transition(actor=world.users["county"], instance=grade.workflow, action="close")
    grade.workflow.refresh_from_db()
    assert grade.workflow.state == "proposed" and not grade.workflow.steps.exists()


def test_a_county_adds_a_publicity_stage_with_a_working_day_wait(world, login):
    """评定结果公示: a stage of the county's own between the decision and what follows it, at least
    five working days long; rounds opened before keep the template."""
    county = world.users["county"]
    old_round = _round(world, world.town_b_org)
    c = login(county)
    url = reverse("workflow_detail", kwargs={"workflow": KEY})
    r = c.post(
        f"{url}?org={world.county_org.pk}",
        {
            "operation": "insert",
            "org": world.county_org.pk,
            "insert-after": "proposed",
            "insert-label": "评定结果公示",
            "insert-wait": "5",
            "insert-unit": "workdays",
            "insert-note": "县委组织部〔2026〕3号",
        },
    )
    assert r.status_code == 302
    local = WorkflowDefinition.objects.get(key=KEY, org=world.county_org)
    assert local.version == 1 and "评定结果公示" in c.get(r["Location"]).text
    assert AuditEntry.objects.filter(action="workflow_customise", org_path=world.county_org.path).exists()

    rnd = _round(world, world.town_a_org)
    grade = rnd.grades.get(org=world.branch_a)
    assert grade.workflow.definition == local
    grading.grade_confirm(actor=county, grade=grade)
    grade.workflow.refresh_from_db()
    assert grade.workflow.state == "local1"  # in publicity
    # an override refused while the grade is in publicity leaves it as it was, here and stored
    before = (grade.final, grade.lagging, grade.reason, grade.confirmed_at)
    other = next(lv["key"] for lv in rnd.levels if lv["key"] != grade.final)
    with pytest.raises(DomainError):
        grading.grade_confirm(actor=county, grade=grade, final=other, lagging=True, reason="改")
    assert (grade.final, grade.lagging, grade.reason, grade.confirmed_at) == before
    stored = type(grade).objects.get(pk=grade.pk)
    assert (stored.final, stored.lagging, stored.reason, stored.confirmed_at) == before
    option = workflows.evaluate(actor=county, instance=grade.workflow, action="local1_done")
    earliest = workdays.add_workdays(timezone.localdate(), 5)
    assert not option.allowed and f"最早 {earliest:%Y-%m-%d} 可以办理" in option.reasons[0]
    assert "5个工作日" in option.reasons[0]
    # nobody holds the right to waive it here: an exception is refused too
    with pytest.raises(DomainError) as refused:
        workflows.transition(
            actor=county, instance=grade.workflow, action="local1_done", exception_reason="急"
        )
    assert refused.value.errors["exception_reason"]
    # eight working days on, the publicity ends from the grade's page
    since = timezone.now() - dt.timedelta(days=14)
    WorkflowInstance.objects.filter(pk=grade.workflow_id).update(state_since=since)
    page = c.get(reverse("grade_detail", kwargs={"grade_id": grade.pk}))
    assert "完成评定结果公示" in page.text and 'action="/workflows/instances/' in page.text
    r = c.post(
        reverse("workflow_advance", kwargs={"instance_id": grade.workflow_id}),
        {"action": "local1_done", "next": reverse("grade_detail", kwargs={"grade_id": grade.pk})},
    )
    assert r.status_code == 302 and r["Location"] == reverse("grade_detail", kwargs={"grade_id": grade.pk})
    grade.workflow.refresh_from_db()
    assert grade.workflow.state == "confirmed"
    # a domain step cannot be taken from the generic form
    c.post(reverse("workflow_advance", kwargs={"instance_id": grade.workflow_id}), {"action": "plan"})
    grade.workflow.refresh_from_db()
    assert grade.workflow.state == "confirmed"
    # the round opened before keeps the template: confirmation goes straight to "confirmed"
    old = old_round.grades.get(org=world.branch_b)
    assert old.workflow.definition.org is None
    grading.grade_confirm(actor=county, grade=old)
    old.workflow.refresh_from_db()
    assert old.workflow.state == "confirmed"


def test_nationally_fixed_stages_stay_and_keep_their_order(world, login):
    template = workflows.templates()[KEY]
    dropped = Spec(
        template.key,
        template.title,
        tuple(s for s in template.states if s.key != "planned"),
        tuple(t for t in template.transitions if "planned" not in (*t.sources, t.target)),
        template.initial,
    )
    assert any("不能删除全国统一规定的环节：整改中" in p for p in workflows.validate(dropped, template))
    swapped = Spec(
        template.key,
        template.title,
        (template.states[1], template.states[0], *template.states[2:]),
        template.transitions,
        template.initial,
    )
    assert "不能改变全国统一规定环节的先后顺序。" in workflows.validate(swapped, template)
    with pytest.raises(DomainError, match="不能删除全国统一规定的环节"):
        workflows.remove_state(template, key="planned")
    # an unlocked final stage has no way out to lead its ways in to
    ending = Spec(
        "test.ending",
        "办结",
        (State("a", "甲", locked=True), State("b", "乙", final=True)),
        (Transition("go", "办理", ("a",), "b"),),
        "a",
    )
    with pytest.raises(DomainError, match="是办结环节，不能删除"):
        workflows.remove_state(ending, key="b")
    # a township may not change the rules: the editor answers 404
    c = login(world.users["township"])
    url = reverse("workflow_detail", kwargs={"workflow": KEY})
    assert c.get(f"{url}?org={world.town_a_org.pk}").status_code == 200
    r = c.post(
        f"{url}?org={world.town_a_org.pk}",
        {"operation": "insert", "insert-after": "proposed", "insert-label": "公示", "insert-note": "x"},
    )
    assert r.status_code == 404 and not WorkflowDefinition.objects.filter(org__isnull=False).exists()
    # the county: a blank name is refused on its field, a reason is required
    c = login(world.users["county"])
    r = c.post(
        url,
        {
            "operation": "insert",
            "org": world.county_org.pk,
            "insert-after": "proposed",
            "insert-label": "",
            "insert-unit": "workdays",
            "insert-note": "",
        },
    )
    assert r.status_code == 200 and not WorkflowDefinition.objects.filter(org__isnull=False).exists()
    assert 'data-field="label"' in r.text and 'data-field="note"' in r.text


def _instance(world, spec: Spec, minutes_ago: float) -> WorkflowInstance:
    row, _ = WorkflowDefinition.objects.get_or_create(
        key=spec.key, org=world.county_org, version=1, defaults={"spec": spec.to_json()}
    )
    return WorkflowInstance.objects.create(
        definition=row,
        org=world.branch_a,
        target_type="test",
        target_id="1",
        state=spec.initial,
        state_since=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


WHISTLE = Spec(
    key="test.whistle",
    title="吹哨报到",
    initial="whistled",
    states=(
        State("whistled", "已吹哨", locked=True, deadline=30, deadline_unit="minutes"),
        State("reported", "已报到", locked=True, final=True),
    ),
    transitions=(
        Transition(
            "report",
            "报到",
            ("whistled",),
            "reported",
            (Guard("within", amount=30, unit="minutes"), Guard("perm", perm="record_meeting")),
            exception_perm="manage_rules",
        ),
        Transition("early", "提前", ("whistled",), "reported", (Guard("wait", amount=10, unit="minutes"),)),
    ),
)


def test_time_limits_in_minutes_and_an_exception_with_a_reason(world):
    county, grid = world.users["county"], world.users["grid_a"]
    inst = _instance(world, WHISTLE, minutes_ago=5)
    assert inst.due_at is None  # set when a state is entered through the engine
    early = workflows.evaluate(actor=county, instance=inst, action="early")
    assert not early.allowed and "10分钟后办理" in early.reasons[0] and early.earliest is not None
    ok = workflows.evaluate(actor=county, instance=inst, action="report")
    assert ok.allowed
    no_right = workflows.evaluate(actor=grid, instance=inst, action="report")
    assert not no_right.allowed and "须有“记录组织生活和出勤”权限（一村党支部）" in no_right.reasons[0]
    late = _instance(world, WHISTLE, minutes_ago=45)
    refused = workflows.evaluate(actor=county, instance=late, action="report")
    assert not refused.allowed and "已超过时限" in refused.reasons[0] and "30分钟内" in refused.reasons[0]
    # the county may waive the time limit, with a reason on the record
    step = workflows.transition(
        actor=county, instance=late, action="report", exception_reason="道路中断，晚到"
    )
    assert step.exception_reason == "道路中断，晚到" and late.state == "reported"
    entry = AuditEntry.objects.filter(action="transition").latest("pk")
    assert entry.changes["exception_reason"] == [None, "道路中断，晚到"]


def test_a_state_with_a_deadline_records_when_it_is_due(world):
    back = WHISTLE.transitions + (Transition("reopen", "重新吹哨", ("reported",), "whistled"),)
    spec = Spec(
        WHISTLE.key,
        WHISTLE.title,
        (WHISTLE.states[0], State("reported", "已报到", locked=True)),
        back,
        WHISTLE.initial,
    )
    inst = _instance(world, spec, minutes_ago=1)
    workflows.transition(actor=world.users["county"], instance=inst, action="report")
    workflows.transition(actor=world.users["county"], instance=inst, action="reopen")
    inst.refresh_from_db()
    assert inst.state == "whistled" and inst.due_at is not None
    assert abs((inst.due_at - inst.state_since).total_seconds() - 1800) < 1


def test_a_rule_pack_value_sets_a_time_limit(world):
    spec = Spec(
        "test.rule",
        "规则时限",
        (State("a", "甲", locked=True), State("b", "乙", locked=True, final=True)),
        (Transition("go", "办理", ("a",), "b", (Guard("wait", amount_rule="orglife.silent_months_weak"),)),),
        "a",
    )
    assert workflows.validate(spec) == []
    inst = _instance(world, spec, minutes_ago=60 * 24 * 3)
    option = workflows.evaluate(actor=world.users["county"], instance=inst, action="go")
    assert not option.allowed and "6个工作日" in option.reasons[0]  # the rule's value, 6
    core.rule_override_set(
        actor=world.users["county"],
        org=world.county_org,
        key="orglife.silent_months_weak",
        value=1,
        valid_from=dt.date(2000, 1, 1),
        reason="试点",
    )
    assert workflows.evaluate(actor=world.users["county"], instance=inst, action="go").allowed


def test_a_stage_inserted_after_one_that_can_be_revised_delays_the_way_on_not_the_revision(world):
    county = world.users["county"]
    core.workflow_edit(
        actor=county,
        org=world.county_org,
        key=KEY,
        operation="insert",
        note="验收",
        after="planned",
        label="验收",
    )
    spec = workflows.spec_of(workflows.effective(KEY, world.county_org))
    ways = {t.key: (t.sources, t.target) for t in spec.transitions}
    assert ways["close"] == (("planned",), "local1")  # 销号 now waits for 验收
    assert ways["revise_planned"] == (("planned",), "planned")  # a revision stays where it was
    assert ways["local1_done"] == (("local1",), "closed")
    # a branching stage cannot take one: which of its ways would it delay?
    branching = Spec(
        "test.branch",
        "分支",
        (State("a", "甲", locked=True), State("b", "乙", final=True), State("c", "丙", final=True)),
        (Transition("to_b", "去乙", ("a",), "b"), Transition("to_c", "去丙", ("a",), "c")),
        "a",
    )
    with pytest.raises(DomainError, match="多个去向"):
        workflows.insert_state(branching, after="a", key="local1", label="审核")


def test_a_removed_local_stage_key_is_never_given_again(world):
    county, org = world.users["county"], world.county_org

    def edit(**kw):
        core.workflow_edit(actor=county, org=org, key=KEY, note="调整", **kw)
        return workflows.spec_of(workflows.effective(KEY, org))

    edit(operation="insert", after="proposed", label="公示")
    edit(operation="insert", after="local1", label="复核")
    edit(operation="remove", state="local1")
    spec = edit(operation="insert", after="proposed", label="再公示")
    assert [s.key for s in spec.states if s.key.startswith("local")] == ["local3", "local2"]


def test_a_not_after_limit_only_where_an_exception_can_be_made(world, login):
    county, org = world.users["county"], world.county_org
    with pytest.raises(DomainError, match="不能设置最迟时限"):  # it could never be confirmed once late
        core.workflow_edit(
            actor=county,
            org=org,
            key=KEY,
            operation="time",
            note="限期",
            transition="confirm",
            kind="within",
            amount=3,
        )
    core.workflow_edit(
        actor=county, org=org, key=KEY, operation="insert", note="公示", after="proposed", label="公示"
    )
    core.workflow_edit(
        actor=county,
        org=org,
        key=KEY,
        operation="time",
        note="限期",
        transition="local1_done",
        kind="within",
        amount=1,
    )
    rnd = _round(world)
    grade = rnd.grades.get(org=world.branch_a)
    grading.grade_confirm(actor=county, grade=grade)
    WorkflowInstance.objects.filter(pk=grade.workflow_id).update(
        state_since=timezone.now() - dt.timedelta(days=10)
    )
    grade.workflow.refresh_from_db()
    late = next(
        o
        for o in workflows.options(actor=county, instance=grade.workflow)
        if o.transition.key == "local1_done"
    )
    assert not late.allowed and late.waivable and "已超过时限" in late.reasons[0]
    page = login(county).get(reverse("grade_detail", kwargs={"grade_id": grade.pk})).text
    assert 'name="exception_reason"' in page
    # a township officer may not waive it (no right to set the rules)
    township = next(
        o
        for o in workflows.options(actor=world.users["township"], instance=grade.workflow)
        if o.transition.key == "local1_done"
    )
    assert not township.waivable
    with pytest.raises(DomainError):
        workflows.transition(
            actor=county, instance=grade.workflow, action="local1_done", exception_reason="x" * 301
        )
    step = workflows.transition(
        actor=county, instance=grade.workflow, action="local1_done", exception_reason="公示期满未办，补办"
    )
    assert step.exception_reason == "公示期满未办，补办" and grade.workflow.state == "confirmed"
