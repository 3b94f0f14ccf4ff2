"""Grading API: yearly rounds, grades (confirm or override with a reason), the distribution table,
rectification plans and their measures (一支一策, 挂账销号). Thin: parse, call, return."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from ninja import Field, Query, Router, Schema

from jiceng.core.boundary import In
from jiceng.core.selectors import org_get, page

from . import selectors, services
from .models import Grade, GradingRound, RectificationPlan

router = Router(tags=["支部评定 grading"])


# --- schemas -------------------------------------------------------------------------------------


class LevelOut(Schema):
    key: str
    label: str
    min_score: float | None = None


class RoundOut(Schema):
    id: int
    org_id: int
    org_name: str = Field(..., alias="org.name")
    year: int
    scheme: str
    levels: list[LevelOut]
    bottom_share: float
    created_at: dt.datetime
    reopened_at: dt.datetime | None = Field(
        None, description="重新开放的时间：此前确认的等次不再锁定该年度组织生活记录"
    )
    reopen_reason: str = ""


class DistributionRowOut(Schema):
    key: str
    label: str
    count: int
    share: float | None = None


class RoundDetailOut(RoundOut):
    total: int
    distribution: list[DistributionRowOut]


class RoundIn(In):
    org: int
    year: int


class RoundReopenIn(In):
    reason: str = Field("", max_length=300, title="重新开放原因")


class GradeOut(Schema):
    id: int
    round_id: int
    org_id: int
    org_name: str = Field(..., alias="org.name")
    score: float
    factors: dict[str, Any]
    proposed: str
    final: str
    level: str
    level_label: str
    lagging_proposed: bool
    lagging: bool
    reason: str
    confirmed_at: dt.datetime | None = None
    plan_id: int | None = None

    @staticmethod
    def resolve_level(obj: Grade) -> str:
        return obj.final or obj.proposed

    @staticmethod
    def resolve_level_label(obj: Grade) -> str:
        return obj.round.level_label(obj.final or obj.proposed)

    @staticmethod
    def resolve_plan_id(obj: Grade) -> int | None:
        try:
            return obj.plan.pk
        except ObjectDoesNotExist:
            return None


class GradePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[GradeOut]


class GradeFilterIn(In):
    nullable = frozenset({"lagging"})
    level: str = Field("", max_length=20)
    lagging: bool | None = None
    q: str = Field("", max_length=50)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class ConfirmIn(In):
    nullable = frozenset({"final", "lagging"})
    final: str | None = Field(None, max_length=20)
    lagging: bool | None = None
    reason: str = Field("", max_length=300)


class MeasureOut(Schema):
    id: int
    plan_id: int
    description: str
    owner: str
    deadline: dt.date
    done_on: dt.date | None = None
    evidence: str


class PlanOut(Schema):
    id: int
    grade_id: int
    org_id: int = Field(..., alias="grade.org_id")
    org_name: str = Field(..., alias="grade.org.name")
    year: int = Field(..., alias="grade.round.year")
    status: str
    problems: str
    closure_note: str
    created_at: dt.datetime
    closed_at: dt.datetime | None = None
    n_measures: int
    n_done: int
    n_overdue: int


class PlanPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PlanOut]


class PlanFilterIn(In):
    status: str = Field("", max_length=20)
    overdue: bool = False
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class PlanDetailOut(PlanOut):
    measures: list[MeasureOut]

    @staticmethod
    def resolve_measures(obj: RectificationPlan) -> list:
        return selectors.plan_measures(obj)


class MeasureIn(In):
    nullable = frozenset({"deadline"})  # null: not given (the service asks for it)
    description: str = Field("", max_length=300)
    owner: str = Field("", max_length=100)
    deadline: dt.date | None = None


class PlanIn(In):
    multiline = frozenset({"problems"})
    problems: str = Field("", max_length=5_000)
    measures: list[MeasureIn] = []


class MeasureCompleteIn(In):
    nullable = frozenset({"done_on"})
    done_on: dt.date | None = None
    evidence: str = Field("", max_length=300)


class PlanCloseIn(In):
    multiline = frozenset({"closure_note"})
    closure_note: str = Field("", max_length=2_000)


# --- rounds and grades ---------------------------------------------------------------------------


def _round_detail(actor, rnd: GradingRound) -> GradingRound:
    rnd.distribution = selectors.distribution(actor=actor, rnd=rnd)
    rnd.total = sum(r["count"] for r in rnd.distribution)
    return rnd


@router.get("/grading/rounds", response=list[RoundOut], summary="年度评定轮次（本级组织的或涉及本级的）")
def round_list(request):
    return list(selectors.rounds_for(actor=request.auth))


@router.post(
    "/grading/rounds",
    response=RoundDetailOut,
    summary="开启年度评定：按规则包方案为下属各单位提出建议等次，倒排后进（向上取整）",
)
def round_create(request, payload: RoundIn):
    org = org_get(actor=request.auth, org_id=payload.org)
    rnd = services.round_open(actor=request.auth, org=org, year=payload.year)
    return _round_detail(request.auth, selectors.round_get(actor=request.auth, round_id=rnd.pk))


@router.post(
    "/grading/rounds/{round_id}/reopen",
    response=RoundDetailOut,
    summary="重新开放年度评定（须写明原因，留痕）：已确认的等次不再锁定该年度的组织生活记录，"
    "可以更正、撤销、补记；之后重新确认的等次再次锁定",
)
def round_reopen(request, round_id: int, payload: RoundReopenIn):
    rnd = selectors.round_get(actor=request.auth, round_id=round_id)
    services.round_reopen(actor=request.auth, rnd=rnd, reason=payload.reason)
    return _round_detail(request.auth, selectors.round_get(actor=request.auth, round_id=round_id))


@router.get("/grading/rounds/{round_id}", response=RoundDetailOut, summary="评定轮次详情及各等次数量、占比")
def round_detail(request, round_id: int):
    return _round_detail(request.auth, selectors.round_get(actor=request.auth, round_id=round_id))


@router.get(
    "/grading/rounds/{round_id}/grades",
    response=GradePage,
    summary="评定结果列表（按得分升序；可按等次、是否后进、名称筛选）",
)
def grade_list(request, round_id: int, f: Query[GradeFilterIn]):
    rnd = selectors.round_get(actor=request.auth, round_id=round_id)
    lagging = "" if f.lagging is None else ("yes" if f.lagging else "no")
    qs = selectors.grades_for(actor=request.auth, rnd=rnd, level=f.level, lagging=lagging, q=f.q)
    out = page(qs, offset=f.offset, limit=f.limit)
    for g in out["items"]:
        g.round = rnd  # level labels come from the round; no query per row
    return out


@router.post(
    "/grading/grades/{grade_id}/confirm",
    response=GradeOut,
    summary="确认评定等次（与建议不同的等次或后进认定须说明理由，留痕）",
)
def grade_confirm(request, grade_id: int, payload: ConfirmIn):
    grade = selectors.grade_get(actor=request.auth, grade_id=grade_id)
    return services.grade_confirm(
        actor=request.auth, grade=grade, final=payload.final, lagging=payload.lagging, reason=payload.reason
    )


# --- rectification plans -------------------------------------------------------------------------


@router.get(
    "/grading/plans", response=PlanPage, summary="整改方案（一支一策）及进度；可筛选状态、有逾期措施的"
)
def plan_list(request, f: Query[PlanFilterIn]):
    qs = selectors.plans_for(actor=request.auth, status=f.status, overdue=f.overdue)
    return page(qs, offset=f.offset, limit=f.limit)


@router.get("/grading/plans/{plan_id}", response=PlanDetailOut, summary="整改方案详情及整改措施")
def plan_detail(request, plan_id: int):
    return selectors.plan_get(actor=request.auth, plan_id=plan_id)


@router.post(
    "/grading/grades/{grade_id}/plan",
    response=PlanDetailOut,
    summary="为已确认的后进党组织制定整改方案（问题、措施、责任人、时限）",
)
def plan_create(request, grade_id: int, payload: PlanIn):
    grade = selectors.grade_get(actor=request.auth, grade_id=grade_id)
    plan = services.plan_create(
        actor=request.auth,
        grade=grade,
        problems=payload.problems,
        measures=[(m.description, m.owner, m.deadline) for m in payload.measures],
    )
    return selectors.plan_get(actor=request.auth, plan_id=plan.pk)


@router.post(
    "/grading/measures/{measure_id}/complete",
    response=MeasureOut,
    summary="登记整改措施完成（完成日期、佐证）",
)
def measure_complete(request, measure_id: int, payload: MeasureCompleteIn):
    measure = selectors.measure_get(actor=request.auth, measure_id=measure_id)
    return services.measure_complete(
        actor=request.auth, measure=measure, done_on=payload.done_on, evidence=payload.evidence
    )


@router.post(
    "/grading/plans/{plan_id}/close",
    response=PlanDetailOut,
    summary="整改方案销号（全部措施完成后，写明验收情况）",
)
def plan_close(request, plan_id: int, payload: PlanCloseIn):
    plan = selectors.plan_get(actor=request.auth, plan_id=plan_id)
    services.plan_close(actor=request.auth, plan=plan, closure_note=payload.closure_note)
    return selectors.plan_get(actor=request.auth, plan_id=plan_id)
