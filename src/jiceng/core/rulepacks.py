"""Rule look-up: the nearest override on the org's path to the root, else the default pack.

The default pack is what the installed apps declare (``kit.Rule`` in each app's ``plugin.py``), each
rule with its source and a validator for overrides; the generic validators live here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone

from . import kit
from .errors import DomainError
from .kit import RuleValueError
from .models import Org, OrgKind, RuleOverride

VERSION = "2026.1"


def ancestor_paths(path: str, steplen: int = Org.steplen) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def default_rules() -> dict[str, kit.Rule]:
    """Every rule of the default pack, from the installed apps."""
    return kit.rules()


def rule(key: str, org: Org | None = None, on: dt.date | None = None) -> Any:
    return resolve(key, org, on)[0]


def resolve(key: str, org: Org | None = None, on: dt.date | None = None) -> tuple[Any, str]:
    """(value, where it comes from): 'default' or the overriding org's name."""
    default = kit.rules()[key]
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


def resolve_many(key: str, orgs: Iterable[Org], on: dt.date | None = None) -> dict[int, Any]:
    """``rule(key, org, on)`` for many organisations, from one query: {org pk: value}."""
    orgs = list(orgs)
    default = kit.rules()[key].value
    if not orgs:
        return {}
    on = on or timezone.localdate()
    paths = {p for o in orgs for p in ancestor_paths(o.path)}
    overrides = list(
        RuleOverride.objects.filter(key=key, org__path__in=paths, valid_from__lte=on)
        .order_by("org__depth", "valid_from")
        .values_list("org__path", "value")
    )
    nearest: dict[str, Any] = {}
    for path, value in overrides:  # deeper and later ones last: they win
        nearest[path] = value
    out = {}
    for o in orgs:
        value = default
        for p in ancestor_paths(o.path):
            if p in nearest:
                value = nearest[p]
        out[o.pk] = value
    return out


def overridden_inside(keys: Iterable[str], org: Org) -> bool:
    """Whether any of these rules is overridden strictly below ``org`` (its subtree's organisations
    then count by different values than ``org`` itself)."""
    keys = list(keys)
    return (
        bool(keys)
        and RuleOverride.objects.filter(key__in=keys, org__path__startswith=org.path)
        .exclude(org__path=org.path)
        .exists()
    )


def validate_value(rule_def: kit.Rule, value: Any) -> None:
    """Refuse an override whose shape does not fit the rule; the message names the rule."""
    if rule_def.validate is None:
        return
    try:
        rule_def.validate(value)
    except RuleValueError as exc:
        raise DomainError(field="value", message=f"规则“{rule_def.label}”（{rule_def.key}）：{exc}") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):  # a shape the check did not foresee
        raise DomainError(
            field="value",
            message=f"规则“{rule_def.label}”（{rule_def.key}）：取值的格式不对，请按默认值的格式填写。",
        ) from None


# --- validators an app can give its rules ----------------------------------------------------------


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def non_negative_int(value: Any) -> None:
    if not is_int(value) or not 0 <= value <= 1_000_000:
        raise RuleValueError("应为非负整数。")


def positive_int(value: Any) -> None:
    if not is_int(value) or not 1 <= value <= 1_000_000:
        raise RuleValueError("应为正整数（至少为1）。")


def fraction(value: Any) -> None:
    """A share, as 0.10 for 10%."""
    if not is_number(value) or not 0 <= value <= 1:
        raise RuleValueError("应为0到1之间的比例（如 0.10 表示10%）。")


def non_negative_number(value: Any) -> None:
    if not is_number(value) or not 0 <= value <= 1e9:
        raise RuleValueError("应为非负数。")


def mapping(value: Any) -> None:
    if not isinstance(value, dict):
        raise RuleValueError("应为键值表。")


def org_kinds(value: Any) -> None:
    if not (isinstance(value, list) and set(value) <= set(OrgKind.values) and value):
        raise RuleValueError(f"应为组织类型列表，可选：{', '.join(OrgKind.values)}。")


def one_of(options: Iterable[str], message: str) -> Callable[[Any], None]:
    allowed = frozenset(options)

    def check(value: Any) -> None:
        if value not in allowed:
            raise RuleValueError(message)

    return check


def subset_of(options: Iterable[str], message: str, *, non_empty: bool = False) -> Callable[[Any], None]:
    allowed = frozenset(options)

    def check(value: Any) -> None:
        if not (isinstance(value, list) and set(value) <= allowed) or (non_empty and not value):
            raise RuleValueError(message)

    return check


def keyed_parts(value: Any) -> None:
    """A list of parts that each carry a unique ``key`` and a ``label`` (bands of a breakdown)."""
    if not isinstance(value, list) or not value:
        raise RuleValueError("应为分段列表。")
    if not all(isinstance(b, dict) and b.get("key") and b.get("label") for b in value):
        raise RuleValueError("每一段都要有 key 和 label。")
    if len({b["key"] for b in value}) != len(value):
        raise RuleValueError("分段的 key 不能重复。")
