"""Grading writes: open a year's round (proposals from the record), confirm or override a grade
(an override needs a reason), rectification plans and their closure (挂账销号). All audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jiceng.core import audit, workflows
from jiceng.core.errors import DomainError, ErrorCollector, NotFound
from jiceng.core.models import Org, OrgKind
from jiceng.core.rulepacks import ancestor_paths
from jiceng.core.scoping import can_access_org

from .models import Grade, GradingRound, PlanStatus, RectificationMeasure, RectificationPlan
from .plugin import GRADE
from .queries import locking_grades
from .scoring import propose
from .workflows import KEY as GRADE_FLOW


def round_open(*, actor, org: Org, year: int) -> GradingRound:
    """Grade every unit under ``org`` for ``year`` by the rule pack's scheme; the bottom share
    (rounded up) and every unit with a weak sign are proposed as lagging (001, 004-P9)."""
    if not can_access_org(actor, GRADE, org):
        raise NotFound()
    today = timezone.localdate()
    errors = ErrorCollector()
    if org.kind != OrgKind.COMMITTEE:
        errors.add("org", "评定单位：由县（乡镇）党委组织评定。")
    if not isinstance(year, int) or not 2000 <= year <= today.year:
        errors.add("year", f"年度：应在 2000 至 {today.year} 之间。")
    elif GradingRound.objects.filter(org=org, year=year).exists():
        errors.add("year", f"年度：{year} 年的评定已经开始，不能重复。")
    elif (
        clash := GradingRound.objects.filter(year=year)
        .filter(Q(org__path__in=ancestor_paths(org.path)) | Q(org__path__startswith=org.path))
        .select_related("org")
        .first()
    ):
        errors.add("year", f"年度：{clash.org.name}已开展 {year} 年评定，同一党组织一年只评定一次。")
    errors.raise_if_any()
    proposals, scheme = propose(org, year, today)
    if not proposals:
        raise DomainError(field="org", message="评定单位：下属没有可评定的党组织。")
    try:
        return _round_create(actor, org, year, proposals, scheme)
    except IntegrityError:  # a second click of the same form
        raise DomainError(field="year", message=f"年度：{year} 年的评定已经开始，不能重复。") from None


def _round_create(actor, org, year, proposals, scheme) -> GradingRound:
    with transaction.atomic():
        rnd = GradingRound.objects.create(
            org=org,
            year=year,
            scheme=scheme["scheme"],
            levels=scheme["levels"],
            bottom_share=scheme["bottom_share"],
            not_gradable=scheme["not_gradable"],
            created_by=actor,
        )
        grades = Grade.objects.bulk_create(
            [
                Grade(
                    round=rnd,
                    org=p.org,
                    score=p.score,
                    factors=p.factors,
                    proposed=p.level,
                    lagging_proposed=p.lagging,
                    lagging=p.lagging,
                )
                for p in proposals
            ]
        )
        grades = (
            list(Grade.objects.filter(round=rnd).select_related("org").order_by("pk"))
            if any(g.pk is None for g in grades)
            else grades
        )
        # every grade is a matter of the grading workflow, decided by the round's committee
        instances = workflows.start_many(
            key=GRADE_FLOW, org_of=lambda g: g.org, targets=grades, authority=org
        )
        for g, inst in zip(grades, instances, strict=True):
            g.workflow = inst
        Grade.objects.bulk_update(grades, ["workflow"], batch_size=2000)
        audit.record(
            actor=actor,
            action="create",
            target=rnd,
            org_path=org.path,
            changes={
                "units": [None, len(proposals)],
                "scheme": [None, scheme["scheme"]],
                "quota": [None, scheme["quota"]],
                "not_gradable": [None, len(scheme["not_gradable"])],
            },
        )
    return rnd


def grade_confirm(
    *, actor, grade: Grade, final: str | None = None, lagging: bool | None = None, reason: str = ""
) -> Grade:
    """Confirm the proposal, or override the level or the lagging mark. An override needs a reason
    and is audited with the proposal beside it."""
    # the committee that runs the round decides, not a township inside it
    if not can_access_org(actor, GRADE, grade.round.org):
        raise NotFound()
    final = final or grade.proposed
    lagging = grade.lagging_proposed if lagging is None else lagging
    keys = [lv["key"] for lv in grade.round.levels]
    errors = ErrorCollector()
    if final not in keys:
        errors.add("final", f"评定等次：应为 {'、'.join(grade.round.level_label(k) for k in keys)} 之一。")
    overridden = final != grade.proposed or lagging != grade.lagging_proposed
    reason = (reason or "").strip()
    if overridden and not reason:
        errors.add("reason", "调整理由：评定等次或后进认定与系统建议不同，必须说明理由。")
    if RectificationPlan.objects.filter(grade=grade).exists() and not lagging:
        errors.add("lagging", "后进认定：已制定整改方案，不能取消后进认定。")
    if final == keys[-1] and not lagging:
        errors.add(
            "lagging", f"后进认定：评为“{grade.round.level_label(final)}”的党组织必须列为后进，制定整改方案。"
        )
    if len(reason) > 300:
        errors.add("reason", "调整理由：不能超过300字。")
    errors.raise_if_any()
    # one transaction: a refused step leaves the grade — in the database and in this object — and
    # its workflow as they were (a grade from before workflows gets its instance only if it passes)
    try:
        with transaction.atomic():
            instance = grade_workflow(grade)
            action = {"proposed": "confirm", "confirmed": "revise", "planned": "revise_planned"}.get(
                instance.state, "confirm"
            )
            before = {"final": grade.final, "lagging": grade.lagging, "reason": grade.reason}
            kept_reason = reason if overridden else ""
            changes = audit.diff(before, {"final": final, "lagging": lagging, "reason": kept_reason})
            if overridden:  # the suggestion stays on record beside the decision that departs from it
                changes["proposed"] = [grade.proposed, grade.proposed]
            workflows.transition(
                actor=actor,
                instance=instance,
                action=action,
                target=grade,
                audit_action="override" if overridden else "confirm",
                org_path=grade.org.path,
                changes={k: v for k, v in changes.items() if v},
            )
            grade.final, grade.lagging, grade.reason = final, lagging, kept_reason
            grade.confirmed_by, grade.confirmed_at = actor, timezone.now()
            grade.save(update_fields=["final", "lagging", "reason", "confirmed_by", "confirmed_at"])
            if lagging and (not before["lagging"] or not before["final"]):  # it becomes lagging now
                _tell_lagging(grade)
    except DomainError:
        grade.refresh_from_db()  # whatever this object was given before the refusal
        raise
    return grade


def round_reopen(*, actor, rnd: GradingRound, reason: str) -> GradingRound:
    """重新开放: a committee reopens its round so that the year's organisational life can be
    corrected. A confirmed grade locks the year's records of its organisation's subtree
    (queries.period_lock) so that it never changes silently; reopening lifts the lock of every
    grade confirmed so far, which then awaits re-confirmation (the workflow's 重新确认 step, as any
    revision); each grade re-confirmed locks its records again. A closed grade (已销号, final in the
    workflow) cannot be re-confirmed and stays unlocked. Who may: whoever confirms the round's
    grades (``grade`` at the round's committee). A reason is required; audited."""
    if not can_access_org(actor, GRADE, rnd.org):
        raise NotFound()
    errors = ErrorCollector()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", "重新开放原因：必填，请说明要更正哪些记录、为什么。")
    elif len(reason) > 300:
        errors.add("reason", "重新开放原因：不能超过300字。")
    locking = locking_grades().filter(round=rnd).count()
    if not locking:
        errors.add(
            "__all__",
            f"重新开放：{rnd.year}年度评定没有已确认并锁定记录的等次，组织生活记录未被锁定，无需重新开放。",
        )
    errors.raise_if_any()
    with transaction.atomic():
        before = rnd.reopen_reason or None
        rnd.reopened_at, rnd.reopened_by, rnd.reopen_reason = timezone.now(), actor, reason
        rnd.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
        audit.record(
            actor=actor,
            action="reopen",
            target=rnd,
            org_path=rnd.org.path,
            changes={"reopen_reason": [before, reason], "reopened_grades": [None, locking]},
        )
    return rnd


def _tell_lagging(grade: Grade) -> None:
    """The graded organisation's secretaries learn at once that it is lagging and needs a plan."""
    from django.urls import reverse

    from jiceng.core.notify import notify
    from jiceng.core.selectors import users_granted_within

    label = grade.round.level_label(grade.final or grade.proposed)
    notify(
        recipients=users_granted_within(org=grade.org, roles=("branch_secretary",)),
        kind="grading.lagging",
        subject=f"{grade.round.year}年评定：{grade.org.name}被确定为后进（{label}）",
        body=f"{grade.round.org.name}确认{grade.org.name}{grade.round.year}年度评定为“{label}”，列为后进党组织，"
        "将制定一支一策整改方案并挂账销号。",
        link=reverse("grade_detail", kwargs={"grade_id": grade.pk}),
        org=grade.org,
        channels=("inbox", "sms", "wechat"),
    )


def grade_workflow(grade: Grade):
    """The grade's workflow instance; a grade from before workflows gets one in the state its record
    shows (confirmed, a plan open or closed)."""
    if grade.workflow_id:
        return grade.workflow
    plan = RectificationPlan.objects.filter(grade=grade).first()
    state = (
        ("closed" if plan.status == PlanStatus.CLOSED else "planned")
        if plan
        else ("confirmed" if grade.confirmed_at else "proposed")
    )
    with transaction.atomic():
        instance = workflows.start(key=GRADE_FLOW, org=grade.org, target=grade, authority=grade.round.org)
        if instance.state != state:
            instance.state = state
            instance.save(update_fields=["state"])
        grade.workflow = instance
        grade.save(update_fields=["workflow"])
    return instance


def plan_create(
    *, actor, grade: Grade, problems: str, measures: Sequence[tuple[str, str, dt.date | None]]
) -> RectificationPlan:
    """一支一策: a lagging organisation's plan — problems, and measures with owners and deadlines."""
    if not can_access_org(actor, GRADE, grade.round.org):
        raise NotFound()
    # validated and written in one transaction: a grade from before workflows gets its instance
    # only if the plan is made
    with transaction.atomic():
        errors = ErrorCollector()
        if RectificationPlan.objects.filter(grade=grade).exists():
            errors.add("grade", "整改方案：该党组织本年度已有整改方案。")
        elif grade_workflow(grade).state == "proposed":
            errors.add("grade", "整改方案：只为已确认的后进（软弱涣散）党组织制定。")
        else:  # a confirmed lagging organisation, past any stage a county put before: the workflow says
            option = workflows.evaluate(actor=actor, instance=grade_workflow(grade), action="plan")
            for field_name, msgs in option.fields.items():
                for m in msgs:
                    errors.add(field_name, m)
        if not (problems or "").strip():
            errors.add("problems", "存在问题：必填。")
        clean = []
        for i, (desc, owner, deadline) in enumerate(measures, start=1):
            if not (desc or "").strip() and not (owner or "").strip() and deadline is None:
                continue
            if not (desc or "").strip():
                errors.add("measures", f"第{i}条措施：内容必填。")
            elif len(desc.strip()) > 300:
                errors.add("measures", f"第{i}条措施：内容不能超过300字。")
            if len((owner or "").strip()) > 100:
                errors.add("measures", f"第{i}条措施：责任人不能超过100字。")
            if not (owner or "").strip():
                errors.add("measures", f"第{i}条措施：责任人必填。")
            if deadline is None:
                errors.add("measures", f"第{i}条措施：完成时限必填。")
            elif deadline < dt.date(grade.round.year, 1, 1):
                errors.add("measures", f"第{i}条措施：完成时限不能早于评定年度。")
            clean.append(((desc or "").strip(), (owner or "").strip(), deadline))
        if not clean:
            errors.add("measures", "整改措施：至少一条。")
        errors.raise_if_any()
        plan = RectificationPlan.objects.create(grade=grade, problems=problems.strip(), created_by=actor)
        RectificationMeasure.objects.bulk_create(
            [
                RectificationMeasure(plan=plan, description=d, owner=o, deadline=dl)
                for d, o, dl in clean
                if dl is not None  # every row has one once the checks passed
            ]
        )
        workflows.transition(
            actor=actor,
            instance=grade_workflow(grade),
            action="plan",
            target=plan,
            audit_action="create",
            org_path=grade.org.path,
            changes={"measures": [None, len(clean)]},
        )
    return plan


def measure_complete(
    *, actor, measure: RectificationMeasure, done_on: dt.date | None, evidence: str
) -> RectificationMeasure:
    plan = measure.plan
    if not can_access_org(actor, GRADE, plan.grade.org):
        raise NotFound()
    errors = ErrorCollector()
    if plan.status == PlanStatus.CLOSED:
        errors.add("__all__", "整改方案已销号，不能再修改。")
    if done_on is None:
        errors.add("done_on", "完成日期：必填。")
    elif done_on > timezone.localdate():
        errors.add("done_on", "完成日期：不能晚于今天。")
    if not (evidence or "").strip():
        errors.add("evidence", "完成情况（佐证）：必填。")
    elif len(evidence.strip()) > 300:
        errors.add("evidence", "完成情况（佐证）：不能超过300字。")
    errors.raise_if_any()
    with transaction.atomic():
        before = {"done_on": measure.done_on, "evidence": measure.evidence}
        measure.done_on, measure.evidence = done_on, evidence.strip()
        measure.save(update_fields=["done_on", "evidence"])
        audit.record(
            actor=actor,
            action="update",
            target=measure,
            org_path=plan.grade.org.path,
            changes=audit.diff(before, {"done_on": done_on, "evidence": measure.evidence}),
        )
    return measure


def plan_close(*, actor, plan: RectificationPlan, closure_note: str) -> RectificationPlan:
    """挂账销号: only when every measure is done, with a note of how it was verified by the committee
    that ran the round."""
    if not can_access_org(actor, GRADE, plan.grade.round.org):
        raise NotFound()
    errors = ErrorCollector()
    instance = grade_workflow(plan.grade)
    if plan.status == PlanStatus.CLOSED:
        errors.add("__all__", "整改方案已销号。")
    else:  # every measure done, and any stage a county put before closure passed: the workflow says
        option = workflows.evaluate(actor=actor, instance=instance, action="close")
        for field_name, msgs in option.fields.items():
            for m in msgs:
                errors.add(field_name, m)
    if not (closure_note or "").strip():
        errors.add("closure_note", "销号说明：必填（如何验收）。")
    errors.raise_if_any()
    with transaction.atomic():
        plan.status, plan.closure_note, plan.closed_at = (
            PlanStatus.CLOSED,
            closure_note.strip(),
            timezone.now(),
        )
        plan.save(update_fields=["status", "closure_note", "closed_at"])
        workflows.transition(
            actor=actor,
            instance=instance,
            action="close",
            target=plan,
            audit_action="close",
            org_path=plan.grade.org.path,
            changes={"status": [PlanStatus.OPEN, PlanStatus.CLOSED]},
        )
    return plan
