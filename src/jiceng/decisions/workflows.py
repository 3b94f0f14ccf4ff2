"""The village decision procedures on the kit's workflow engine, shipped as templates a county may
customise (labels, time limits, local stages between the stages): the nationally fixed stages are
locked (never dropped nor reordered), and a running matter keeps the version it started with.

* ``decisions.four_two`` 四议两公开: 村党组织提议 → 两委会议商议 → 党员大会审议 → 村民代表会议或村民会议
  决议 → 决议公开 → 实施结果公开;
* ``decisions.five_step`` 五步决策法 (002): the township (sub-district) committee's review between
  the members' meeting and the assembly; a veto ends the matter — it never reaches the assembly;
* ``decisions.one_three_two`` 一征三议两公开: a consultation (征求意见) first;
* ``decisions.community``: a community's 四议两公开 under the 城市居民委员会组织法 (居民会议, 居民代表会议).

Every transition but a local stage's has one guard, the check ``decisions.stage``: who may record
the stage and every rule of it, computed from the recorded attendance and votes
(services.stage_problems), so the pages, the API and the services refuse alike. Rejection and veto
are final, with their reasons."""

from __future__ import annotations

from jiceng.core import workflows as wf
from jiceng.core.workflows import Guard, Spec, State, Transition

FOUR_TWO = "decisions.four_two"
FIVE_STEP = "decisions.five_step"
ONE_THREE_TWO = "decisions.one_three_two"
COMMUNITY = "decisions.community"
KEYS = (FOUR_TWO, FIVE_STEP, ONE_THREE_TWO, COMMUNITY)
TITLES = {
    FOUR_TWO: "四议两公开",
    FIVE_STEP: "五步决策法",
    ONE_THREE_TWO: "一征三议两公开",
    COMMUNITY: "四议两公开（社区）",
}
GUARD = (Guard("check", check="decisions.stage"),)

# action → the meeting it records (models.MeetingKind); "reject" and "township_veto" end the matter
MEETING_OF = {
    "consult": "consultation",
    "propose": "party_committee",
    "discuss": "joint",
    "review": "members",
    "township_approve": "township",
    "township_veto": "township",
    "resolve": "assembly",  # villagers' or representatives' assembly (居民会议, 居民代表会议)
    "disclose": "disclosure",
    "implement": "disclosure",
}
ENDING = {"reject", "township_veto"}
BEFORE_ASSEMBLY = ("registered", "consulted", "proposed", "discussed", "reviewed", "approved")


def _spec(key: str, *, consult: bool = False, township: bool = False, community: bool = False) -> Spec:
    assembly = "居民代表会议或居民会议" if community else "村民代表会议或村民会议"
    states = [State("registered", "待提议" if not consult else "待征求意见", locked=True)]
    transitions = []
    first = "registered"
    if consult:
        states.append(State("consulted", "已征求意见", locked=True))
        transitions.append(Transition("consult", "征求意见", ("registered",), "consulted", GUARD))
        first = "consulted"
    states += [
        State("proposed", "村党组织已提议" if not community else "社区党组织已提议", locked=True),
        State("discussed", "两委会议已商议", locked=True),
        State("reviewed", "党员大会已审议", locked=True),
    ]
    transitions += [
        Transition(
            "propose", "村党组织提议" if not community else "社区党组织提议", (first,), "proposed", GUARD
        ),
        Transition("discuss", "两委会议商议", ("proposed",), "discussed", GUARD),
        Transition("review", "党员大会审议", ("discussed",), "reviewed", GUARD),
    ]
    before_resolve = "reviewed"
    if township:
        states.append(State("approved", "乡镇（街道）党（工）委已审核同意", locked=True))
        transitions += [
            Transition(
                "township_approve", "乡镇（街道）党（工）委审核同意", ("reviewed",), "approved", GUARD
            ),
            Transition("township_veto", "乡镇（街道）党（工）委否决", ("reviewed",), "vetoed", GUARD),
        ]
        before_resolve = "approved"
    states += [
        State("resolved", f"{assembly}已决议", locked=True),
        State("disclosed", "决议已公开", locked=True),
        State("implemented", "实施结果已公开", locked=True, final=True),
        State("rejected", "未通过（终止）", locked=True, final=True),
    ]
    if township:
        states.append(State("vetoed", "乡镇（街道）否决（终止）", locked=True, final=True))
    pre = tuple(
        s.key
        for s in states
        if s.key in ("registered", "consulted", "proposed", "discussed", "reviewed", "approved")
    )
    transitions += [
        Transition("resolve", f"{assembly}决议", (before_resolve,), "resolved", GUARD),
        Transition("disclose", "决议公开", ("resolved",), "disclosed", GUARD),
        Transition("implement", "实施结果公开", ("disclosed",), "implemented", GUARD),
        Transition("reject", "未通过，终止", pre, "rejected", GUARD),
    ]
    return Spec(
        key=key, title=TITLES[key], states=tuple(states), transitions=tuple(transitions), initial="registered"
    )


SPECS = {
    FOUR_TWO: wf.register(_spec(FOUR_TWO), owner=__name__),
    FIVE_STEP: wf.register(_spec(FIVE_STEP, township=True), owner=__name__),
    ONE_THREE_TWO: wf.register(_spec(ONE_THREE_TWO, consult=True), owner=__name__),
    COMMUNITY: wf.register(_spec(COMMUNITY, community=True), owner=__name__),
}


@wf.check("decisions.stage", "由有权限的组织按村级重大事项决策程序办理本环节，出席与表决符合规则")
def _stage(instance, actor, data):
    from .services import stage_problems

    problems = stage_problems(instance, actor, data)
    return problems[0] if problems else None
