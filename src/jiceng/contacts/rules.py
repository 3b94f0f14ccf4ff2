"""The contact quotas of the default pack (local: the reports name them)."""

from __future__ import annotations

from typing import Any

from jiceng.core.kit import Rule, RuleField, RuleValueError, rows, scalar
from jiceng.core.rulepacks import positive_int

KINDS = ("households", "estates", "buildings")
ROLE_CHOICES = (
    ("rural_member", "农村党员"),
    ("leader", "党委班子成员或科级干部"),
    ("community_cadre", "社区干部"),
    ("member", "普通党员"),
)
PARTS = tuple(f"{kind}_{end}" for kind in KINDS for end in ("min", "max"))


def _quotas(value: Any) -> None:
    if not isinstance(value, dict) or not value:
        raise RuleValueError("应为按角色的分包数量表。")
    for role, row in value.items():
        if role not in dict(ROLE_CHOICES) or not isinstance(row, dict) or set(row) != set(PARTS):
            raise RuleValueError(f"{role}：应规定户、小区、楼栋各自的最少和最多数量。")
        for kind in KINDS:
            lo, hi = row[f"{kind}_min"], row[f"{kind}_max"]
            if (
                not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 100 for x in (lo, hi))
                or lo > hi
            ):
                raise RuleValueError(f"{role}：{kind}的数量应为0至100的整数，最少不大于最多。")


def quota(value: dict, role: str, kind: str) -> list[int] | None:
    """[min, max] of ``kind`` for ``role``, or None where the role takes none of it (max 0)."""
    row = value.get(role)
    if not row or not row[f"{kind}_max"]:
        return None
    return [row[f"{kind}_min"], row[f"{kind}_max"]]


def _row(h=(0, 0), e=(0, 0), b=(0, 0)) -> dict[str, int]:
    return dict(zip(PARTS, (*h, *e, *b), strict=True))


RULES = (
    Rule(
        "contacts.quotas",
        {
            "rural_member": _row(h=(4, 5)),
            "leader": _row(h=(2, 2), e=(1, 2)),
            "community_cadre": _row(h=(1, 1), b=(5, 5)),
            "member": _row(h=(1, 1)),
        },
        "各类人员分包联系的户数、小区数、楼栋数（最少、最多；最多为0即不分包）",
        "001：每名农村党员固定联系4-5户困难农户；000-R3：基层党委班子成员和科级干部每人分包1~2个居民小区、"
        "联系2户群众，社区干部每人分包5个楼栋、联系1户群众，普通党员每人联系1户群众（地方做法）",
        local=True,
        validate=_quotas,
        shape=rows(
            RuleField("role", "角色", type="choice", choices=ROLE_CHOICES),
            RuleField("households_min", "最少户数", unit="户"),
            RuleField("households_max", "最多户数", unit="户"),
            RuleField("estates_min", "最少小区", unit="个"),
            RuleField("estates_max", "最多小区", unit="个"),
            RuleField("buildings_min", "最少楼栋", unit="个"),
            RuleField("buildings_max", "最多楼栋", unit="个"),
            keyed_by="role",
        ),
    ),
    Rule(
        "contacts.visit_days",
        90,
        "联系户多少天未走访即提示",
        "各地联系群众通行做法：每季度至少走访一次（地方做法）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="天"),
    ),
)
