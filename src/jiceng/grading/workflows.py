"""Grading's workflow (core.workflows): each graded organisation's grade goes from the proposal to
its confirmation and, when lagging, through its rectification plan to closure (挂账销号). A county
may insert stages of its own (评定结果公示 before confirmation takes effect, say)."""

from __future__ import annotations

from jiceng.core import workflows as wf
from jiceng.core.workflows import Guard, Spec, State, Transition

from .plugin import GRADE

KEY = "grading.grade"
_BY_THE_ROUND = Guard("perm", perm=GRADE)  # checked at the instance's authority: the round's committee


def _grade(instance):
    from .models import Grade

    return Grade.objects.select_related("round").get(pk=instance.target_id)


@wf.check("grading.lagging_confirmed", "只为已确认的后进（软弱涣散）党组织制定整改方案")
def _lagging_confirmed(instance, actor, data):
    g = _grade(instance)
    if not g.lagging or not g.confirmed_at:
        return "grade", "整改方案：只为已确认的后进（软弱涣散）党组织制定。"
    return None


@wf.check("grading.measures_done", "每条整改措施都已完成")
def _measures_done(instance, actor, data):
    from .models import RectificationMeasure

    left = RectificationMeasure.objects.filter(
        plan__grade_id=instance.target_id, done_on__isnull=True
    ).count()
    return ("__all__", f"销号：还有 {left} 条整改措施未完成。") if left else None


SPEC = wf.register(
    Spec(
        key=KEY,
        title="党组织评定",
        initial="proposed",
        states=(
            State("proposed", "系统建议", locked=True),
            State("confirmed", "已确认", locked=True),
            State("planned", "整改中", locked=True),
            State("closed", "已销号", locked=True, final=True),
        ),
        transitions=(
            Transition("confirm", "确认或调整等次", ("proposed",), "confirmed", (_BY_THE_ROUND,)),
            Transition("revise", "重新确认", ("confirmed",), "confirmed", (_BY_THE_ROUND,)),
            Transition("revise_planned", "重新确认", ("planned",), "planned", (_BY_THE_ROUND,)),
            Transition(
                "plan",
                "制定整改方案",
                ("confirmed",),
                "planned",
                (_BY_THE_ROUND, Guard("check", check="grading.lagging_confirmed")),
            ),
            Transition(
                "close",
                "挂账销号",
                ("planned",),
                "closed",
                (_BY_THE_ROUND, Guard("check", check="grading.measures_done")),
            ),
        ),
    ),
    owner=__name__,
)
