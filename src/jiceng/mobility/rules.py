"""The mobility app's rules of the default pack: contact intervals, the 失联 and 第九条 spans, the
transfer letter's validity and when an unreceived letter makes a pocket member."""

from __future__ import annotations

from jiceng.core.kit import Rule, scalar
from jiceng.core.rulepacks import positive_int

RULES = (
    Rule(
        "mobility.checkin_interval_months",
        3,
        "流动党员与党组织联系（报到、思想汇报）的间隔（月），超过即逾期",
        "流动党员定期向党组织汇报思想和工作情况；间隔为地方做法（003“联系交心”，常见每季度一次）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "mobility.lost_contact_months",
        6,
        "与党组织失去联系满多少个月记为失联党员",
        "docs/RULES.md：与党组织失去联系6个月以上的为失联党员（中组部 2014年 失联党员排查）",
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "mobility.letter_valid_months",
        3,
        "组织关系介绍信有效期（月）",
        "docs/RULES.md：介绍信通常有效期3个月，注明党费交至何月（地方做法）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "mobility.pocket_after_days",
        90,
        "介绍信开出后多少日未确认接收，记为“口袋党员”",
        "000-R1“口袋党员”；天数为地方做法（与介绍信有效期相当）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="日"),
    ),
    Rule(
        "mobility.transfer_prompt_months",
        6,
        "外出地点相对固定满多少个月，提示转移组织关系",
        "中组部《关于加强和改进流动党员管理工作的意见》（2006）：外出地点相对固定、时间在6个月以上的，应转移组织关系",
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "mobility.article9_months",
        6,
        "连续多少个月不参加组织生活、不交党费、不做分配的工作，提示支部关注（不自动处理）",
        "党章 第九条：连续六个月不参加党的组织生活、或不交纳党费、或不做党所分配的工作，又没有正当理由的，就被认为是自行脱党",
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
)
