"""The cases app's rules of the default pack: time limits, windows and throttles."""

from __future__ import annotations

from jiceng.core.kit import Rule, scalar
from jiceng.core.rulepacks import positive_int

RULES = (
    Rule(
        "cases.report_in_minutes",
        30,
        "吹哨后部门（党员）报到时限（分钟）",
        "北京“街乡吹哨、部门报到”常见做法为30分钟内报到（地方做法）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="分钟"),
    ),
    Rule(
        "cases.auto_close_workdays",
        5,
        "办结后群众未评价自动关闭（未评价）的工作日数",
        "接诉即办通行做法：答复后一定期限内未评价的按未评价结案（地方做法）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="个工作日"),
    ),
    Rule(
        "cases.reopen_workdays",
        10,
        "关闭后可重新办理（重启）的工作日数",
        "接诉即办通行做法：群众对办理结果不满意可在一定期限内申请重办（地方做法）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="个工作日"),
    ),
    Rule(
        "cases.confirmation_days",
        30,
        "调解协议申请司法确认的期限（日）",
        "人民调解法 第三十三条：自调解协议生效之日起三十日内共同向人民法院申请司法确认",
        validate=positive_int,
        shape=scalar("int", unit="日"),
    ),
    Rule(
        "cases.lookups_per_hour",
        20,
        "同一来源每小时查询办理进度的次数上限",
        "防止以猜测编号方式查询他人诉求（本平台安全要求）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="次"),
    ),
)
