"""People's rules of the default pack, with the validators their overrides must pass."""

from __future__ import annotations

from typing import Any

from jiceng.core.kit import Rule, RuleField, RuleValueError, record, rows, scalar
from jiceng.core.models import OrgKind
from jiceng.core.rulepacks import is_int, keyed_parts, mapping, non_negative_int, org_kinds

from .models import Education


def age_bands(value: Any) -> None:
    """Sorted, contiguous and non-overlapping, open at both ends: every age has one band."""
    if not isinstance(value, list) or len(value) < 2:
        raise RuleValueError("应至少有两个年龄段。")
    keyed_parts(value)
    if not all(b.get(end) is None or is_int(b[end]) for b in value for end in ("min", "max")):
        raise RuleValueError("年龄段的上下限应为整数（周岁）。")
    if value[0].get("min") is not None or value[-1].get("max") is not None:
        raise RuleValueError("第一段应无下限、最后一段应无上限，保证每个年龄都有归属。")
    for prev, nxt in zip(value, value[1:], strict=False):
        if prev.get("max") is None or nxt.get("min") is None or nxt["min"] != prev["max"] + 1:
            raise RuleValueError("年龄段必须首尾相接且互不重叠（如 ≤35、36-59、≥60）。")
        if nxt.get("max") is not None and nxt["max"] < nxt["min"]:
            raise RuleValueError("年龄段上限不能小于下限。")


def education_bands(value: Any) -> None:
    """Every level in exactly one band, so no member falls through as unknown."""
    if not isinstance(value, list) or not value:
        raise RuleValueError("应为分组列表。")
    keyed_parts(value)
    seen: list[str] = [lv for band in value for lv in band.get("levels", [])]
    if len(seen) != len(set(seen)):
        raise RuleValueError("同一学历不能同时属于两个分组。")
    if set(seen) != set(Education.values):
        missing = set(Education.values) - set(seen)
        unknown = set(seen) - set(Education.values)
        raise RuleValueError(
            f"学历分组应恰好覆盖全部学历；缺少：{', '.join(sorted(missing)) or '无'}；"
            f"未知：{', '.join(sorted(unknown)) or '无'}。"
        )


RULES = (
    Rule(
        "people.age_bands",
        [
            {"key": "le35", "label": "35岁及以下", "min": None, "max": 35},
            {"key": "36_59", "label": "36-59岁", "min": 36, "max": 59},
            {"key": "ge60", "label": "60岁及以上", "min": 60, "max": None},
        ],
        "党员年龄段（互不重叠、首尾相接）",
        "004-P9（35岁以下20%、60岁以上35%）；报告须用不重叠分段（种子目录B节）",
        local=True,
        validate=age_bands,
        shape=rows(
            RuleField("key", "代码", type="code"),
            RuleField("label", "名称", type="text"),
            RuleField("min", "年龄下限", unit="岁", optional=True),
            RuleField("max", "年龄上限", unit="岁", optional=True),
        ),
    ),
    Rule(
        "people.education_bands",
        [
            {
                "key": "college_above",
                "label": "大专及以上",
                "levels": ["postgraduate", "bachelor", "college"],
            },
            {"key": "high_school", "label": "高中、中专", "levels": ["secondary_vocational", "high_school"]},
            {"key": "junior_or_below", "label": "初中及以下", "levels": ["junior_high", "primary_or_below"]},
        ],
        "学历结构分组",
        "004-P3 人员学历结构；分组为常用口径",
        local=True,
        validate=education_bands,
        shape=rows(
            RuleField("key", "代码", type="code"),
            RuleField("label", "名称", type="text"),
            RuleField("levels", "包含的学历", type="choices", choices=tuple(Education.choices)),
            words="{label}：{levels}",
        ),
    ),
    Rule(
        "people.member_org_kinds",
        ["general_branch", "branch", "group"],
        "党员可编入的组织类型",
        "中国共产党支部工作条例（试行）第三条：党员编入党支部、党小组",
        validate=org_kinds,
        shape=scalar("choices", choices=tuple(OrgKind.choices)),
    ),
    Rule(
        "people.probation_years",
        1,
        "预备期（年）",
        "中国共产党章程 第七条",
        validate=non_negative_int,
        shape=scalar("int", unit="年"),
    ),
    Rule(
        "people.min_member_age",
        18,
        "入党最低年龄",
        "中国共产党章程 第一条",
        validate=non_negative_int,
        shape=scalar("int", unit="岁"),
    ),
    Rule(
        "village.committee_size",
        {"min": 3, "max": 7},
        "村民委员会成员人数",
        "村民委员会组织法 第六条",
        validate=mapping,
        shape=record(RuleField("min", "最少", unit="人"), RuleField("max", "最多", unit="人")),
    ),
    Rule(
        "village.term_years",
        5,
        "村民委员会每届任期（年）",
        "村民委员会组织法 第十三条",
        validate=non_negative_int,
        shape=scalar("int", unit="年"),
    ),
)
