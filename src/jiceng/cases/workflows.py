"""The case's workflow (core.workflows): received → in progress → resolved → closed, with the
escalation (吹哨 to the next level), the hand-on (首问负责 until handed on), the whistle and the
report-in (吹哨报到) as steps of their own. A county may rename steps, set time limits and insert
stages of its own; the four stages below stay, in order. A running case keeps its version."""

from __future__ import annotations

from jiceng.core import workflows as wf
from jiceng.core.workflows import Guard, Spec, State, Transition

KEY = "cases.case"


def _case(instance):
    from .models import Case

    return Case.objects.select_related("handling_area").get(pk=instance.target_id)


def _handles(actor, case) -> bool:
    from jiceng.core.scoping import can_access_area

    from .plugin import HANDLE_CASE

    return can_access_area(actor, HANDLE_CASE, case.handling_area)


@wf.check("cases.handler", "由诉求当前所在层级的办理人员办理")
def _handler(instance, actor, data):
    case = _case(instance)
    if not _handles(actor, case):
        return "action", f"只有{case.handling_area.name}的办理人员可以办理此诉求。"
    return None


@wf.check("cases.next_level", "还有上一级可以吹哨上报")
def _next_level(instance, actor, data):
    from .models import Level

    if _case(instance).level >= Level.COUNTY:
        return "action", "已在县级办理，没有更高层级可以上报；可吹哨相关部门报到。"
    return None


@wf.check("cases.reply", "办结须有答复")
def _reply(instance, actor, data):
    if not str(data.get("reply") or "").strip():
        return "reply", "答复：办结须填写对群众的答复。"
    return None


@wf.check("cases.reason", "须说明理由")
def _reason(instance, actor, data):
    if not str(data.get("reason") or "").strip():
        return "reason", "理由：必填。"
    return None


@wf.check("cases.resolver", "由当前层级的办理人员或已报到的部门办结")
def _resolver(instance, actor, data):
    from .queries import reported_whistle_for

    case = _case(instance)
    if _handles(actor, case) or reported_whistle_for(case, actor) is not None:
        return None
    return "action", "只有当前层级的办理人员或已报到的部门（党员）可以办结此诉求。"


@wf.check("cases.whistled", "由被吹哨且尚未报到的部门或党员报到")
def _whistled(instance, actor, data):
    from .queries import open_whistle_for

    if open_whistle_for(_case(instance), actor) is None:
        return "action", "报到：只有被吹哨且尚未报到的部门人员或党员可以报到。"
    return None


@wf.check("cases.resident", "由提交诉求的群众本人评价（编号和手机号后四位）")
def _resident(instance, actor, data):
    if data.get("resident_verified") is not True:
        return "action", "评价：只有提交诉求的群众本人（凭编号和手机号后四位）可以评价。"
    return None


HANDLER = Guard("check", check="cases.handler")

SPEC = wf.register(
    Spec(
        key=KEY,
        title="群众诉求办理",
        initial="received",
        states=(
            State("received", "待受理", locked=True),
            State("handling", "办理中", locked=True),
            State("resolved", "已办结待评价", locked=True),
            State("closed", "已关闭", locked=True, final=True),
            State("dismissed", "不予受理", locked=True, final=True),
        ),
        transitions=(
            Transition("accept", "受理", ("received",), "handling", (HANDLER,)),
            Transition(
                "escalate",
                "吹哨上报上一级",
                ("received", "handling"),
                "received",
                (HANDLER, Guard("check", check="cases.next_level"), Guard("check", check="cases.reason")),
            ),
            Transition("hand_on", "转交", ("handling",), "handling", (HANDLER,)),
            Transition("whistle", "吹哨（部门、党员报到）", ("handling",), "handling", (HANDLER,)),
            Transition(
                "report_in", "报到", ("handling",), "handling", (Guard("check", check="cases.whistled"),)
            ),
            Transition(
                "resolve",
                "办结答复",
                ("handling",),
                "resolved",
                (Guard("check", check="cases.resolver"), Guard("check", check="cases.reply")),
            ),
            Transition(
                "rate", "群众评价", ("resolved",), "closed", (Guard("check", check="cases.resident"),)
            ),
            Transition(
                "auto_close",
                "逾期未评价自动关闭",
                ("resolved",),
                "closed",
                (Guard("wait", amount_rule="cases.auto_close_workdays"),),
            ),
            Transition(
                "reopen",
                "重新办理",
                ("closed",),
                "handling",
                (
                    HANDLER,
                    Guard("check", check="cases.reason"),
                    Guard("within", amount_rule="cases.reopen_workdays"),
                ),
                exception_perm="manage_cases",
            ),
            Transition(
                "dismiss",
                "不予受理",
                ("received",),
                "dismissed",
                (HANDLER, Guard("check", check="cases.reason")),
            ),
        ),
    ),
    owner=__name__,
)
