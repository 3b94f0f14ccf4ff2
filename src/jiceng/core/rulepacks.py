"""Rule look-up: the nearest override on the org's path to the root, else the default pack."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from .errors import DomainError
from .models import Org, OrgKind, RuleOverride
from .rulepack_default import DEFAULT_RULES, Rule


def ancestor_paths(path: str, steplen: int = Org.steplen) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def rule(key: str, org: Org | None = None, on: dt.date | None = None) -> Any:
    return resolve(key, org, on)[0]


def resolve(key: str, org: Org | None = None, on: dt.date | None = None) -> tuple[Any, str]:
    """(value, where it comes from): 'default 2026.1' or the overriding org's name."""
    default = DEFAULT_RULES[key]
    if org is None:
        return default.value, "default"
    on = on or timezone.localdate()
    override = (
        RuleOverride.objects.filter(key=key, org__path__in=ancestor_paths(org.path), valid_from__lte=on)
        .select_related("org")
        .order_by("-org__depth", "-valid_from")
        .first()
    )
    if override is None:
        return default.value, "default"
    return override.value, override.org.name


def validate_value(rule_def: Rule, value: Any) -> None:
    """Refuse an override whose shape does not fit the rule; the message names the rule."""

    def bad(msg: str) -> DomainError:
        return DomainError(field="value", message=f"规则“{rule_def.label}”（{rule_def.key}）：{msg}")

    shape = rule_def.shape
    if shape == "int" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise bad("应为非负整数。")
    if shape == "number" and (not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1e9):
        raise bad("应为非负数。")
    if shape == "mapping" and not isinstance(value, dict):
        raise bad("应为键值表。")
    if shape == "kinds" and not (isinstance(value, list) and set(value) <= set(OrgKind.values) and value):
        raise bad(f"应为组织类型列表，可选：{', '.join(OrgKind.values)}。")
    if shape == "requirements":
        validate_requirements(value, bad)
    if shape == "meeting_kinds" and not (isinstance(value, list) and set(value) <= _MEETING_KINDS):
        raise bad(f"应为会议类型列表，可选：{', '.join(sorted(_MEETING_KINDS))}。")
    if shape == "statuses" and not (isinstance(value, list) and set(value) <= {"present", "online", "leave", "absent"}):
        raise bad("应为出勤状态列表（present/online/leave/absent）。")
    if shape == "bands":
        validate_bands(value, bad)
    if shape == "scheme_key" and value not in ("abc", "four_level", "five_star"):
        raise bad("应为 abc、four_level 或 five_star。")
    if shape == "unit" and value not in ("village", "branch"):
        raise bad("应为 village 或 branch。")
    if shape == "weak_signs" and not (isinstance(value, list) and set(value) <= {"silent", "main_leader_vacant"}):
        raise bad("应为 silent、main_leader_vacant 的组合。")
    if shape == "weights":
        keys = {"compliance", "participation", "education", "committee"}
        if not isinstance(value, dict) or set(value) != keys or sum(value.values()) != 100 or min(value.values()) < 0:
            raise bad("应为 compliance、participation、education、committee 四项非负权重，合计100。")
    if shape == "schemes":
        if not isinstance(value, dict) or not value:
            raise bad("应为方案表。")
        for levels in value.values():
            scores = [lv.get("min_score") for lv in levels] if isinstance(levels, list) else []
            if len(scores) < 2 or scores != sorted(scores, reverse=True) or scores[-1] != 0:
                raise bad("每个方案的等次应从高到低排列，分数线递减，最后一等分数线为0。")
    if shape == "levels":
        validate_levels(value, bad)


_MEETING_KINDS = {
    "branch_assembly", "committee_meeting", "group_meeting", "party_lecture", "theme_day", "life_meeting",
    "member_appraisal",
}
_HOLDERS = {"branch", "branch_with_committee", "group"}


def validate_requirements(value: Any, bad) -> None:
    """{kind: {every_months: 1|2|3|4|6|12, count: ≥1, holder: branch|branch_with_committee|group}}.
    Blocks are calendar-aligned, so the period must divide the year."""
    if not isinstance(value, dict) or not value:
        raise bad("应为“会议类型 → 频次”的键值表。")
    for kind, req in value.items():
        if kind not in _MEETING_KINDS:
            raise bad(f"未知会议类型“{kind}”。")
        if not isinstance(req, dict) or req.get("every_months") not in (1, 2, 3, 4, 6, 12):
            raise bad(f"{kind}：every_months 应为 1、2、3、4、6 或 12（按自然月对齐）。")
        if not isinstance(req.get("count"), int) or req["count"] < 1:
            raise bad(f"{kind}：count 应为正整数。")
        if req.get("holder") not in _HOLDERS:
            raise bad(f"{kind}：holder 应为 {', '.join(sorted(_HOLDERS))} 之一。")


def _keyed(value: Any, bad) -> None:
    if not all(isinstance(b, dict) and b.get("key") and b.get("label") for b in value):
        raise bad("每一段都要有 key 和 label。")
    if len({b["key"] for b in value}) != len(value):
        raise bad("分段的 key 不能重复。")


def validate_levels(value: Any, bad) -> None:
    """Education bands: every level in exactly one band, so no member falls through as unknown."""
    from jiceng.people.models import Education

    if not isinstance(value, list) or not value:
        raise bad("应为分组列表。")
    _keyed(value, bad)
    seen: list[str] = [lv for band in value for lv in band.get("levels", [])]
    if len(seen) != len(set(seen)):
        raise bad("同一学历不能同时属于两个分组。")
    if set(seen) != set(Education.values):
        missing = set(Education.values) - set(seen)
        unknown = set(seen) - set(Education.values)
        raise bad(f"学历分组应恰好覆盖全部学历；缺少：{', '.join(sorted(missing)) or '无'}；未知：{', '.join(sorted(unknown)) or '无'}。")


def validate_bands(value: Any, bad) -> None:
    """Age bands must be sorted, contiguous and non-overlapping, open at both ends."""
    if not isinstance(value, list) or len(value) < 2:
        raise bad("应至少有两个年龄段。")
    _keyed(value, bad)
    if value[0].get("min") is not None or value[-1].get("max") is not None:
        raise bad("第一段应无下限、最后一段应无上限，保证每个年龄都有归属。")
    for prev, nxt in zip(value, value[1:], strict=False):
        if prev.get("max") is None or nxt.get("min") is None or nxt["min"] != prev["max"] + 1:
            raise bad("年龄段必须首尾相接且互不重叠（如 ≤35、36-59、≥60）。")
        if nxt.get("max") is not None and nxt["max"] < nxt["min"]:
            raise bad("年龄段上限不能小于下限。")
