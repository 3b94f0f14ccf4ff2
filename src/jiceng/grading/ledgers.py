"""Grading's ledgers (core.ledgers): the grading ledger (评定台账: the 000-R2 distribution, then one
row per graded organisation) and the rectification ledger (整改台账: one row per measure)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.errors import DomainError
from jiceng.core.ledgers import Ledger, LedgerRequest, Sheet, register

from . import selectors
from .forms import PlanFilterForm
from .models import GradingRound, PlanStatus

# The ledgers are Chinese documents whatever the interface language (as the member roster is).
WEAK_SIGNS_ZH = {"silent": "有支部超过规定月数未正常开展组织生活", "main_leader_vacant": "主要负责人缺位"}
PLAN_STATUS_ZH = {PlanStatus.OPEN: "整改中", PlanStatus.CLOSED: "已销号"}
GRADE_HEADERS = (
    "党组织",
    "得分",
    "系统建议等次",
    "确认等次",
    "建议列为后进",
    "确认后进",
    "软弱涣散情形",
    "调整理由",
    "确认日期",
    "整改方案",
)
PLAN_HEADERS = (
    "党组织",
    "评定年度",
    "存在问题",
    "整改措施",
    "责任人",
    "完成时限",
    "完成日期",
    "完成情况（佐证）",
    "逾期未完成",
    "方案状态",
    "销号日期",
    "销号说明",
)


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


class RoundFilter(BoundaryForm):
    round = forms.IntegerField(label=_("Grading round"), required=False, min_value=1)


def round_filter(actor, data) -> tuple[RoundFilter, GradingRound | None]:
    """``round``: a round in scope; without it, the round that grades the chosen subtree in the
    period's year (core.ledgers gives the subtree and the period)."""
    form = RoundFilter(data or None)
    rnd = None
    if form.is_bound and form.is_valid() and form.cleaned_data["round"]:
        rnd = selectors.round_get(actor=actor, round_id=form.cleaned_data["round"])
    return form, rnd


def _round(req: LedgerRequest) -> GradingRound:
    rnd = req.filters or selectors.round_covering(actor=req.actor, org=req.org, year=req.period.end.year)
    if rnd is None:
        raise DomainError(field="period", message="统计期间：所选组织在该年度没有开展评定。")
    return rnd


def _distribution(req: LedgerRequest):
    rnd = _round(req)
    dist = selectors.distribution(actor=req.actor, rnd=rnd)
    total = sum(r["count"] for r in dist)
    yield from ((r["label"], r["count"], _percent(r["share"])) for r in dist)
    yield "合计", total, 100.0 if total else None


def _grades(req: LedgerRequest):
    rnd = _round(req)
    for g in selectors.grades_for(actor=req.actor, rnd=rnd).iterator(chunk_size=2000):
        plan = selectors.plan_of(g)
        yield (
            g.org.name,
            g.score,
            rnd.level_label(g.proposed),
            rnd.level_label(g.final) if g.final else "",
            _yes(g.lagging_proposed),
            _yes(g.lagging) if g.confirmed_at else "",
            "、".join(WEAK_SIGNS_ZH.get(s, s) for s in g.factors.get("weak_signs", [])),
            g.reason,
            timezone.localtime(g.confirmed_at).date() if g.confirmed_at else None,
            PLAN_STATUS_ZH.get(plan.status, plan.status) if plan else "",
        )


def plan_filters(actor, data) -> tuple[PlanFilterForm, dict]:
    form = PlanFilterForm(data or None)
    filters = {"status": "", "overdue": False}
    if form.is_bound and form.is_valid():
        filters = {"status": form.cleaned_data["status"], "overdue": form.cleaned_data["overdue"]}
    return form, filters


def _measures(req: LedgerRequest):
    today = timezone.localdate()
    plans = selectors.plans_for(actor=req.actor, within=req.org, **(req.filters or {})).prefetch_related(
        "measures"
    )
    for p in plans.iterator(chunk_size=500):
        for m in p.measures.all():
            yield (
                p.grade.org.name,
                p.grade.round.year,
                p.problems,
                m.description,
                m.owner,
                m.deadline,
                m.done_on,
                m.evidence,
                _yes(m.done_on is None and m.deadline < today),
                PLAN_STATUS_ZH.get(p.status, p.status),
                timezone.localtime(p.closed_at).date() if p.closed_at else None,
                p.closure_note,
            )


register(
    Ledger(
        key="grading.grades",
        title="评定台账",
        description="某一年度评定的等次分布（好…个，占总数的…%）和每个党组织的评定结果。",
        sheets=(
            Sheet(lambda req: f"{_round(req).year}年等次分布", ("等次", "个数", "占总数%"), _distribution),
            Sheet(lambda req: f"{_round(req).year}年评定结果", GRADE_HEADERS, _grades),
        ),
        parse=round_filter,
        check=_round,
        target_type="grading.grade",
        order=40,
    )
)
register(
    Ledger(
        key="grading.rectification",
        title="整改台账",
        description="后进党组织一支一策整改措施，一条措施一行（挂账销号）。",
        sheets=(Sheet("整改台账", PLAN_HEADERS, _measures),),
        period=False,
        parse=plan_filters,
        target_type="grading.rectificationplan",
        order=50,
    )
)
