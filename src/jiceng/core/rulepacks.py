"""Rule look-up: the nearest override on the org's path to the root, else the default pack.

The default pack is what the installed apps declare (``kit.Rule`` in each app's ``plugin.py``), each
rule with its source and a validator for overrides; the generic validators live here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
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


def resolve_all(org: Org, on: dt.date | None = None) -> dict[str, tuple[Any, str]]:
    """``resolve(key, org, on)`` for every rule of the pack, from one query (the rule page)."""
    on = on or timezone.localdate()
    found: dict[str, tuple[Any, str]] = {}
    overrides = (
        RuleOverride.objects.filter(org__path__in=ancestor_paths(org.path), valid_from__lte=on)
        .select_related("org")
        .order_by("key", "-org__depth", "-valid_from")
    )
    for o in overrides:
        found.setdefault(o.key, (o.value, o.org.name))  # the nearest organisation, the latest start
    return {key: found.get(key, (r.value, "default")) for key, r in kit.rules().items()}


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


# --- a value in words (the rule's declared shape, kit.Shape) ---------------------------------------


def number_text(value: Any) -> str:
    """12, 0.5, 1.25: no exponent, no trailing zeros."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(value)
    if isinstance(value, int):
        return str(value)
    d = Decimal(str(value)).normalize()
    return format(d, "f")


def percent_text(share: Any) -> str:
    """0.1 → "10" (the share as a percentage, without the sign)."""
    if isinstance(share, bool) or not isinstance(share, int | float):
        raise TypeError(share)
    return number_text(Decimal(str(share)) * 100)


def same_code(a: Any, b: Any) -> bool:
    """Equal, and of the same kind: the code 1 is not True, nor "1"."""
    return a == b and isinstance(a, str) == isinstance(b, str) and isinstance(a, bool) == isinstance(b, bool)


def choice_label(f: kit.RuleField, code: Any) -> str:
    for c, label in f.choices:
        if same_code(c, code):
            return str(label)
    return str(code)  # a code the declaration does not know (an old override): shown as stored


def field_words(f: kit.RuleField, value: Any) -> str:
    """One field's value in words: "35岁", "10%", "党支部、党小组"; a blank reads as ``f.blank``."""
    if value is None or value == "":
        return f.blank
    if f.type == "choice":
        return choice_label(f, value)
    if f.type == "choices":
        if not isinstance(value, list):
            raise TypeError(value)
        return "、".join(choice_label(f, c) for c in value) or "无"
    if f.type == "bool":
        if not isinstance(value, bool):
            raise TypeError(value)
        return "是" if value else "否"
    if f.type == "percent":
        return f"{percent_text(value)}%"
    if f.type in ("int", "number"):
        return f"{number_text(value)}{f.unit}"
    if not isinstance(value, str):
        raise TypeError(value)
    return f"{value}{f.unit}"


def _part_words(shape: kit.Shape, part: dict[str, Any], skip: str = "") -> str:
    if not isinstance(part, dict):
        raise TypeError(part)
    shown = [f for f in shape.fields if f.key != skip and f.type != "code"]
    said = {f.key: field_words(f, part.get(f.key)) for f in shown}
    if shape.words:
        return shape.words.format_map(said)
    title = next(
        (f for f in shown if f.key == shape.keyed_by or (not shape.keyed_by and f.type == "text")), None
    )
    parts = "，".join(f"{f.label} {said[f.key]}" for f in shown if f is not title and said[f.key])
    if title is None:
        return parts
    return f"{said[title.key]}：{parts}" if parts else said[title.key]


def words(rule_def: kit.Rule, value: Any) -> list[str] | None:
    """The value in Chinese, one line per row (a table) or one line; None when the rule declares no
    shape or the value does not fit it (the page then shows it as stored)."""
    shape = rule_def.shape
    if shape is None:
        return None
    try:
        if shape.kind == "scalar":
            return [field_words(shape.fields[0], value) or "无"]
        if shape.kind == "record":
            return [_part_words(shape, value)]
        if shape.keyed_by:
            return [_part_words(shape, {**row, shape.keyed_by: k}) for k, row in value.items()]
        if shape.grouped_by:
            group = next(f for f in shape.fields if f.key == shape.grouped_by)
            return [
                f"{choice_label(group, g) if group.choices else g}："
                + "，".join(_part_words(shape, row, skip=group.key) for row in rows)
                for g, rows in value.items()
            ]
        if not isinstance(value, list):
            raise TypeError(value)
        return [_part_words(shape, row) for row in value] or ["无"]
    except (TypeError, ValueError, AttributeError, KeyError, IndexError):
        return None


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
