"""Organisational life's rules of the default pack, with the validators their overrides must pass."""

from __future__ import annotations

from typing import Any

from jiceng.core.kit import Rule, RuleField, RuleValueError, rows, scalar
from jiceng.core.rulepacks import positive_int, subset_of

from .models import PARTY_LIFE_KINDS, AttendanceStatus, MeetingKind

_HOLDERS = {"branch", "branch_with_committee", "group"}


def requirements(value: Any) -> None:
    """{kind: {every_months: 1|2|3|4|6|12, count: ≥1, holder: branch|branch_with_committee|group}}.
    Blocks are calendar-aligned, so the period must divide the year."""
    if not isinstance(value, dict) or not value:
        raise RuleValueError("应为“会议类型 → 频次”的键值表。")
    for kind, req in value.items():
        if kind not in PARTY_LIFE_KINDS:
            raise RuleValueError(f"未知会议类型“{kind}”。")
        if not isinstance(req, dict) or req.get("every_months") not in (1, 2, 3, 4, 6, 12):
            raise RuleValueError(f"{kind}：every_months 应为 1、2、3、4、6 或 12（按自然月对齐）。")
        if not isinstance(req.get("count"), int) or req["count"] < 1:
            raise RuleValueError(f"{kind}：count 应为正整数。")
        if req.get("holder") not in _HOLDERS:
            raise RuleValueError(f"{kind}：holder 应为 {', '.join(sorted(_HOLDERS))} 之一。")


meeting_kinds = subset_of(
    PARTY_LIFE_KINDS, f"应为会议类型列表，可选：{', '.join(sorted(PARTY_LIFE_KINDS))}。"
)
statuses = subset_of(AttendanceStatus.values, "应为出勤状态列表（present/online/leave/absent）。")

# how the rule page names the codes (kit.Shape)
_KIND_CHOICES = tuple((value, label) for value, label in MeetingKind.choices if value in PARTY_LIFE_KINDS)
_PERIOD_CHOICES = ((1, "每月"), (2, "每两个月"), (3, "每季度"), (4, "每四个月"), (6, "每半年"), (12, "每年"))
_HOLDER_CHOICES = (
    ("branch", "各党支部"),
    ("branch_with_committee", "设支部委员会的党支部"),
    ("group", "各党小组"),
)

RULES = (
    # holder: who must hold it — every branch, branches that have a committee (≥ the committee
    # threshold of full members), or every party group.
    Rule(
        "orglife.required_per_period",
        {
            "branch_assembly": {"every_months": 3, "count": 1, "holder": "branch"},
            "committee_meeting": {"every_months": 1, "count": 1, "holder": "branch_with_committee"},
            "group_meeting": {"every_months": 1, "count": 1, "holder": "group"},
            "party_lecture": {"every_months": 3, "count": 1, "holder": "branch"},
            "theme_day": {"every_months": 1, "count": 1, "holder": "branch"},
            "life_meeting": {"every_months": 12, "count": 1, "holder": "branch"},
            "member_appraisal": {"every_months": 12, "count": 1, "holder": "branch"},
        },
        "三会一课等组织生活频次",
        "中国共产党支部工作条例（试行）第九、十条；党课每季度一次为地方做法",
        local=True,
        validate=requirements,
        shape=rows(
            RuleField("kind", "会议类型", type="choice", choices=_KIND_CHOICES),
            RuleField("every_months", "周期", type="choice", choices=_PERIOD_CHOICES),
            RuleField("count", "次数", unit="次"),
            RuleField("holder", "召开单位", type="choice", choices=_HOLDER_CHOICES),
            keyed_by="kind",
            words="{kind}：{every_months}{count}（{holder}）",
        ),
    ),
    Rule(
        "orglife.education_kinds",
        ["party_lecture", "theme_day"],
        "计入党员教育覆盖率的活动类型",
        "种子报告 000-R3（党员教育覆盖率）；口径为地方做法",
        local=True,
        validate=meeting_kinds,
        shape=scalar("choices", choices=_KIND_CHOICES),
    ),
    Rule(
        "orglife.often_absent_consecutive",
        3,
        "连续无故缺席几次即列为经常不参加组织生活",
        "种子报告 000-R3（经常不参加组织活动）；次数为地方做法",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="次"),
    ),
    Rule(
        "orglife.reason_required_for",
        ["leave", "absent"],
        "须登记原因的出勤状态",
        "地方做法：请假、缺席均登记原因",
        local=True,
        validate=statuses,
        shape=scalar("choices", choices=tuple(AttendanceStatus.choices)),
    ),
    Rule(
        "orglife.silent_months_weak",
        6,
        "连续几个月未开展组织生活即列为软弱涣散信号（默认6个月，即半年以上）",
        "种子报告 000-R2",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
)
