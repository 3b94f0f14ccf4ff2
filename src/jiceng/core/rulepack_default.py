"""The default rule pack: national rules (and common local practice, marked ``local``) as data.

Every number a rule uses lives here with its source; code asks ``rulepacks.rule(key, org)``.
A province, county or township overrides a value for its subtree with a RuleOverride.
See docs/rule-packs.md for the list and how to override.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VERSION = "2026.1"


@dataclass(frozen=True)
class Rule:
    key: str
    value: Any
    label: str
    source: str
    local: bool = False  # True: common practice, expected to be overridden by the province/county
    shape: str = "any"  # validator used for overrides: int, number, bands, kinds, mapping, any


_RULES = [
    # --- people ---------------------------------------------------------------------------
    Rule("people.age_bands", [
        {"key": "le35", "label": "35岁及以下", "min": None, "max": 35},
        {"key": "36_59", "label": "36-59岁", "min": 36, "max": 59},
        {"key": "ge60", "label": "60岁及以上", "min": 60, "max": None},
    ], "党员年龄段（互不重叠、首尾相接）", "004-P9（35岁以下20%、60岁以上35%）；报告须用不重叠分段（种子目录B节）",
        local=True, shape="bands"),
    Rule("people.education_bands", [
        {"key": "college_above", "label": "大专及以上", "levels": ["postgraduate", "bachelor", "college"]},
        {"key": "high_school", "label": "高中、中专", "levels": ["secondary_vocational", "high_school"]},
        {"key": "junior_or_below", "label": "初中及以下", "levels": ["junior_high", "primary_or_below"]},
    ], "学历结构分组", "004-P3 人员学历结构；分组为常用口径", local=True, shape="levels"),
    Rule("people.member_org_kinds", ["general_branch", "branch", "group"],
         "党员可编入的组织类型", "中国共产党支部工作条例（试行）第三条：党员编入党支部、党小组", shape="kinds"),
    Rule("people.probation_years", 1, "预备期（年）", "中国共产党章程 第七条", shape="int"),
    Rule("people.min_member_age", 18, "入党最低年龄", "中国共产党章程 第一条", shape="int"),
    # --- branches -------------------------------------------------------------------------
    Rule("org.branch_min_full_members", 3, "成立党支部的最少正式党员数", "中国共产党支部工作条例（试行）第五条",
         shape="int"),
    Rule("org.branch_max_members", 50, "党支部党员人数一般不超过", "中国共产党支部工作条例（试行）第五条", shape="int"),
    Rule("org.branch_committee_threshold", 7, "正式党员7人以上设支部委员会", "中国共产党支部工作条例（试行）第十九条",
         shape="int"),
    Rule("org.village_term_years", 5, "村党组织每届任期（年）", "中国共产党章程 第三十条（2017）", shape="int"),
    # --- village committees ---------------------------------------------------------------
    Rule("village.committee_size", {"min": 3, "max": 7}, "村民委员会成员人数", "村民委员会组织法 第六条",
         shape="mapping"),
    Rule("village.term_years", 5, "村民委员会每届任期（年）", "村民委员会组织法 第十三条", shape="int"),
    # --- organisational life (used by orglife) ---------------------------------------------
    # holder: who must hold it — every branch, branches that have a committee (≥ the committee
    # threshold of full members), or every party group.
    Rule("orglife.required_per_period", {
        "branch_assembly": {"every_months": 3, "count": 1, "holder": "branch"},
        "committee_meeting": {"every_months": 1, "count": 1, "holder": "branch_with_committee"},
        "group_meeting": {"every_months": 1, "count": 1, "holder": "group"},
        "party_lecture": {"every_months": 3, "count": 1, "holder": "branch"},
        "theme_day": {"every_months": 1, "count": 1, "holder": "branch"},
        "life_meeting": {"every_months": 12, "count": 1, "holder": "branch"},
        "member_appraisal": {"every_months": 12, "count": 1, "holder": "branch"},
    }, "三会一课等组织生活频次", "中国共产党支部工作条例（试行）第九、十条；党课每季度一次为地方做法",
        local=True, shape="requirements"),
    Rule("orglife.education_kinds", ["party_lecture", "theme_day"],
         "计入党员教育覆盖率的活动类型", "种子报告 000-R3（党员教育覆盖率）；口径为地方做法", local=True, shape="meeting_kinds"),
    Rule("orglife.often_absent_consecutive", 3, "连续无故缺席几次即列为经常不参加组织生活",
         "种子报告 000-R3（经常不参加组织活动）；次数为地方做法", local=True, shape="int"),
    Rule("orglife.reason_required_for", ["leave", "absent"], "须登记原因的出勤状态",
         "地方做法：请假、缺席均登记原因", local=True, shape="statuses"),
    Rule("orglife.silent_months_weak", 6, "半年以上未开展组织生活即列为软弱涣散信号",
         "种子报告 000-R2", local=True, shape="int"),
    Rule("grading.scheme", "four_level", "支部评定等次方案（abc / four_level / five_star）",
         "001（ABC分级）、000-R2（好/较好/一般/软弱涣散）、000-R3（五星支部）", local=True, shape="scheme_key"),
    Rule("grading.schemes", {
        "abc": [{"key": "A", "label": "A类", "min_score": 85}, {"key": "B", "label": "B类", "min_score": 60},
                {"key": "C", "label": "C类", "min_score": 0}],
        "four_level": [{"key": "good", "label": "好", "min_score": 85},
                       {"key": "fairly_good", "label": "较好", "min_score": 70},
                       {"key": "average", "label": "一般", "min_score": 55},
                       {"key": "weak", "label": "软弱涣散", "min_score": 0}],
        "five_star": [{"key": "5", "label": "五星", "min_score": 90}, {"key": "4", "label": "四星", "min_score": 80},
                      {"key": "3", "label": "三星", "min_score": 70}, {"key": "2", "label": "二星", "min_score": 60},
                      {"key": "1", "label": "一星", "min_score": 0}],
    }, "各等次方案的等次与分数线（从高到低，最后一等为后进/软弱涣散）", "001、000-R2、000-R3；分数线为地方做法",
        local=True, shape="schemes"),
    Rule("grading.weights", {"compliance": 40, "participation": 30, "education": 20, "committee": 10},
         "评定得分权重（合计100）", "地方做法；依据 000-R2、000-R3 所列指标", local=True, shape="weights"),
    Rule("grading.weak_signs", ["silent", "main_leader_vacant"],
         "直接列为最低等次的情形", "000-R2：半年以上未正常开展组织生活；主要负责人长期缺位", local=True,
         shape="weak_signs"),
    Rule("grading.unit", "village", "参与评定的单位：village（村/社区党组织）或 branch（全部党支部）",
         "001：村（社区）党组织ABC分级", local=True, shape="unit"),
    Rule("grading.bottom_share", 0.10, "后进/软弱涣散党组织倒排比例（不低于）", "种子报告 001、004-P9", local=True,
         shape="number"),
]

DEFAULT_RULES: dict[str, Rule] = {r.key: r for r in _RULES}
