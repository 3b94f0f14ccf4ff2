"""The development pipeline on the kit's workflow engine: one state after each step of the 25
(steps.py), the five stages' entry states locked (a county may rename, set limits and insert local
stages between them, never drop or reorder them), and a running record keeps its version.

Every transition has one guard, the check ``development.step``: who may record the step and every
rule of it (services.step_problems), so the pages, the API and the services refuse alike."""

from __future__ import annotations

from jiceng.core import workflows as wf
from jiceng.core.workflows import Guard, Spec, State, Transition

from .plugin import EXCEPTION as EXCEPTION_PERM
from .steps import BY_CODE

KEY = "development.pipeline"

STATES = (
    State("applied", "入党申请人", locked=True),
    State("talked", "已谈话"),
    State("activist", "入党积极分子", locked=True),
    State("activist_filed", "积极分子已备案"),
    State("guided", "培养考察中"),
    State("candidate", "发展对象", locked=True),
    State("candidate_filed", "发展对象已备案"),
    State("introduced", "政治审查与集中培训"),
    State("branch_checked", "支部委员会已审查"),
    State("prechecked", "上级党委已预审"),
    State("volunteer_form", "已填写入党志愿书"),
    State("admitted", "支部大会已通过"),
    State("interviewed", "上级党委已谈话"),
    State("probationary", "预备党员", locked=True),
    State("approval_filed", "已备案"),
    State("placed", "已编入支部和党小组"),
    State("sworn", "预备期教育考察"),
    State("conversion_applied", "已提出转正申请"),
    State("conversion_voted", "支部大会已讨论转正"),
    State("full", "正式党员", locked=True),
    State("archived", "材料已归档", final=True),
    State("ended", "已终止", final=True),
)

# step code → (sources, target)
MOVES = {
    "s02_talk": (("applied",), "talked"),
    "s03_activist": (("talked",), "activist"),
    "s04_activist_filed": (("activist",), "activist_filed"),
    "s05_guides": (("activist_filed",), "guided"),
    "s06_review": (("guided",), "guided"),
    "s07_candidate": (("guided",), "candidate"),
    "s08_candidate_filed": (("candidate",), "candidate_filed"),
    "s09_introducers": (("candidate_filed",), "introduced"),
    "s10_political_review": (("introduced",), "introduced"),
    "s11_training": (("introduced",), "introduced"),
    "s12_branch_check": (("introduced",), "branch_checked"),
    "s13_precheck": (("branch_checked",), "prechecked"),
    "s14_volunteer_form": (("prechecked",), "volunteer_form"),
    "s15_branch_vote": (("volunteer_form",), "admitted"),
    "s16_interview": (("admitted",), "interviewed"),
    "s17_approval": (("interviewed",), "probationary"),
    "s18_approval_filed": (("probationary",), "approval_filed"),
    "s19_placed": (("approval_filed",), "placed"),
    "s20_oath": (("placed",), "sworn"),
    "s21_review": (("sworn",), "sworn"),
    "s22_conversion_application": (("sworn",), "conversion_applied"),
    "s23_conversion_vote": (("conversion_applied",), "conversion_voted"),
    "s24_conversion_approval": (("conversion_voted",), "full"),
    "s25_archive": (("full",), "archived"),
}
# the other outcomes of steps 15 and 24, and ending a record
OTHER = (
    ("s15_vote_failed", "支部大会未通过", ("volunteer_form",), "ended"),
    ("s24_extension_approval", "上级党委批准延长预备期", ("conversion_voted",), "sworn"),
    ("s24_cancellation_approval", "上级党委批准取消预备党员资格", ("conversion_voted",), "ended"),
    (
        "end",
        "终止培养",
        (
            "applied",
            "talked",
            "activist",
            "activist_filed",
            "guided",
            "candidate",
            "candidate_filed",
            "introduced",
            "branch_checked",
            "prechecked",
            "volunteer_form",
            "admitted",
            "interviewed",
        ),
        "ended",
    ),
    (
        "cancel",
        "取消预备党员资格",
        ("probationary", "approval_filed", "placed", "sworn", "conversion_applied"),
        "ended",
    ),
)
# the steps whose time rules an officer may waive with a reason (services.step_problems says which)
WAIVABLE = {
    "s02_talk",
    "s07_candidate",
    "s11_training",
    "s13_precheck",
    "s17_approval",
    "s22_conversion_application",
    "s24_conversion_approval",
    "s24_extension_approval",
    "s24_cancellation_approval",
}
GUARD = (Guard("check", check="development.step"),)
OTHER_CODES = {code for code, _l, _s, _t in OTHER}


def _transitions() -> tuple[Transition, ...]:
    out = [
        Transition(
            code,
            BY_CODE[code].label,
            sources,
            target,
            guards=GUARD,
            exception_perm=EXCEPTION_PERM if code in WAIVABLE else "",
        )
        for code, (sources, target) in MOVES.items()
    ]
    out += [
        Transition(
            code,
            label,
            sources,
            target,
            guards=GUARD,
            exception_perm=EXCEPTION_PERM if code in WAIVABLE else "",
        )
        for code, label, sources, target in OTHER
    ]
    return tuple(out)


SPEC = wf.register(
    Spec(key=KEY, title="发展党员", states=STATES, transitions=_transitions(), initial="applied"),
    owner=__name__,
)


@wf.check("development.step", "由有权限的组织按发展党员工作细则办理本步骤")
def _step(instance, actor, data):
    from .services import step_problems

    problems = step_problems(instance, actor, data)
    return problems[0] if problems else None
