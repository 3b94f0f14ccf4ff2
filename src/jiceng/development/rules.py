"""The development rules of the default pack (发展党员工作细则, 2014; local practice marked).

The age at application (people.min_member_age) and the probation (people.probation_years) are
people's rules, read from there."""

from __future__ import annotations

from jiceng.core.kit import Rule, scalar
from jiceng.core.rulepacks import positive_int

RULES = (
    Rule(
        "development.talk_within_months",
        1,
        "收到入党申请书后谈话的期限（月）",
        "发展党员工作细则 第八条：党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话",
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "development.activist_min_years",
        1,
        "入党积极分子培养考察至少多少年才能列为发展对象",
        "发展党员工作细则 第十三条：经过一年以上培养教育和考察",
        validate=positive_int,
        shape=scalar("int", unit="年"),
    ),
    Rule(
        "development.review_months",
        6,
        "对入党积极分子（预备党员）考察的间隔（月）",
        "发展党员工作细则 第十二条：党支部每半年对入党积极分子进行一次考察",
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "development.guides_max",
        2,
        "培养联系人最多几名（至少一名）",
        "发展党员工作细则 第十一条：指定一至二名正式党员作培养联系人",
        validate=positive_int,
        shape=scalar("int", unit="名"),
    ),
    Rule(
        "development.introducers",
        2,
        "入党介绍人人数",
        "党章 第五条；发展党员工作细则 第十四条：由两名正式党员作入党介绍人",
        validate=positive_int,
        shape=scalar("int", unit="名"),
    ),
    Rule(
        "development.training_min_days",
        3,
        "发展对象集中培训至少天数（或学时）",
        "发展党员工作细则 第十七条：集中培训时间一般不少于3天（或不少于24个学时）",
        validate=positive_int,
        shape=scalar("int", unit="天"),
    ),
    Rule(
        "development.training_min_hours",
        24,
        "发展对象集中培训至少学时（或天数）",
        "发展党员工作细则 第十七条：集中培训时间一般不少于3天（或不少于24个学时）",
        validate=positive_int,
        shape=scalar("int", unit="学时"),
    ),
    Rule(
        "development.notice_workdays",
        5,
        "发展对象公示至少工作日数",
        "各地常见为5个工作日（地方做法；细则第十九条只要求公示）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="个工作日"),
    ),
    Rule(
        "development.approval_months",
        3,
        "支部大会通过后上级党委审批期限（月）",
        "发展党员工作细则 第二十五条：应当在三个月内审批",
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "development.approval_max_months",
        6,
        "特殊情况下审批最长期限（月）",
        "发展党员工作细则 第二十五条：因特殊情况可适当延长审批时间，但不得超过六个月",
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "development.extension_min_months",
        6,
        "延长预备期至少（月）",
        "党章 第七条；发展党员工作细则 第三十二条：延长预备期最少半年，最长不超过一年",
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "development.extension_max_months",
        12,
        "延长预备期至多（月）",
        "党章 第七条；发展党员工作细则 第三十二条：延长预备期最少半年，最长不超过一年",
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "development.conversion_apply_days",
        30,
        "预备期满前多少日内可提出转正申请",
        "未能核实原文：通行做法为预备期满前一个月内提出书面转正申请（待核实的规则值）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="日"),
    ),
    Rule(
        "development.conversion_approval_months",
        3,
        "转正讨论后上级党委审批期限（月）",
        "发展党员工作细则 第三十三条：上级党委应当在三个月内审批",
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "development.young_age",
        35,
        "新发展党员“青年”的年龄上限（含）",
        "000-R1“改善结构”及各地统计口径：35周岁以下（地方做法）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="周岁"),
    ),
    Rule(
        "development.migrant_years",
        2,
        "每村至少发展一名农民工党员的周期（年）",
        "003：每村两年至少发展1名优秀农民工党员（地方做法）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="年"),
    ),
)
