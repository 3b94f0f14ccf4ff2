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
    if shape == "bands":
        validate_bands(value, bad)
    if shape == "levels":
        if not isinstance(value, list) or not value:
            raise bad("应为分组列表。")
        seen: set[str] = set()
        for band in value:
            levels = set(band.get("levels", []))
            if seen & levels:
                raise bad("同一学历不能同时属于两个分组。")
            seen |= levels


def validate_bands(value: Any, bad) -> None:
    """Age bands must be sorted, contiguous and non-overlapping, open at both ends."""
    if not isinstance(value, list) or len(value) < 2:
        raise bad("应至少有两个年龄段。")
    if value[0].get("min") is not None or value[-1].get("max") is not None:
        raise bad("第一段应无下限、最后一段应无上限，保证每个年龄都有归属。")
    for prev, nxt in zip(value, value[1:], strict=False):
        if prev.get("max") is None or nxt.get("min") is None or nxt["min"] != prev["max"] + 1:
            raise bad("年龄段必须首尾相接且互不重叠（如 ≤35、36-59、≥60）。")
        if nxt.get("max") is not None and nxt["max"] < nxt["min"]:
            raise bad("年龄段上限不能小于下限。")
