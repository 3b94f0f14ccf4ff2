"""The one access gate. Every selector starts here; there is no other way to read scoped data.

A user's scope for a permission is the set of org subtrees where one of their roles grants it.
Org-anchored rows are filtered by ``<org>__path__startswith``; area-anchored rows by the area
subtrees of those orgs. A missing object and a forbidden one both raise NotFound (→ 404), so a
guessed id tells nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr

from .errors import NotFound
from .models import Area, Org, RoleAssignment
from .roles import role_perms

M = TypeVar("M", bound=Model)
_CACHE_ATTR = "_jiceng_grants"


def _grants(actor) -> list[tuple[str, str, str | None]]:
    """(role, org path, area path) per grant, loaded once per actor object (one query)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return []
    cached = getattr(actor, _CACHE_ATTR, None)
    if cached is None:
        # A grant reaches the org's area only if the org is the top organisation anchored there: a
        # township's organ branch, or a branch inside a village's general branch, shares its
        # parent's area and must not inherit the whole township (or village) through it.
        parent_shares_area = Org.objects.filter(
            path=Substr(OuterRef("org__path"), 1, Length(OuterRef("org__path")) - Org.steplen),
            area_id=OuterRef("org__area_id"),
        )
        rows = (
            RoleAssignment.objects.filter(user_id=actor.pk)
            .annotate(shared=Exists(parent_shares_area))
            .values_list("role", "org__path", "org__area__path", "shared")
        )
        cached = [(role, path, None if shared else area) for role, path, area, shared in rows]
        setattr(actor, _CACHE_ATTR, cached)
    return cached


def forget_grants(actor) -> None:
    if hasattr(actor, _CACHE_ATTR):
        delattr(actor, _CACHE_ATTR)


def _minimal(paths: Iterable[str]) -> list[str]:
    """Drop paths covered by a shorter prefix: fewer OR terms in every scoped query."""
    out: list[str] = []
    for p in sorted(set(paths), key=len):
        if not any(p.startswith(q) for q in out):
            out.append(p)
    return sorted(out)


def org_paths(actor, perm: str) -> list[str]:
    table = role_perms()
    return _minimal(path for role, path, _ in _grants(actor) if perm in table.get(role, ()))


def area_paths(actor, perm: str) -> list[str]:
    table = role_perms()
    return _minimal(a for role, _, a in _grants(actor) if a and perm in table.get(role, ()))


def roles_held(actor) -> frozenset[str]:
    """The role codes the actor holds anywhere (no query after the first scoped read)."""
    return frozenset(role for role, _, _ in _grants(actor))


def has_perm_anywhere(actor, perm: str) -> bool:
    return bool(org_paths(actor, perm))


def _prefix_q(paths: list[str], lookup: str) -> Q:
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= Q(**{f"{lookup}__startswith": p})
    return q


def org_q(actor, perm: str, field: str = "org") -> Q:
    """Q limiting rows whose ``field`` (an Org FK path, or "" for Org itself) is in scope."""
    lookup = f"{field}__path" if field else "path"
    return _prefix_q(org_paths(actor, perm), lookup)


def area_q(actor, perm: str, field: str = "area") -> Q:
    lookup = f"{field}__path" if field else "path"
    return _prefix_q(area_paths(actor, perm), lookup)


def path_q(actor, perm: str, lookup: str) -> Q:
    """For denormalised path columns (e.g. AuditEntry.org_path)."""
    return _prefix_q(org_paths(actor, perm), lookup)


def orgs_for(actor, perm: str = "view_org") -> QuerySet[Org]:
    return Org.objects.filter(org_q(actor, perm, field=""))


def areas_for(actor, perm: str = "view_org") -> QuerySet[Area]:
    return Area.objects.filter(area_q(actor, perm, field=""))


def can_access_org(actor, perm: str, org: Org) -> bool:
    return any(org.path.startswith(p) for p in org_paths(actor, perm))


def can_access_area(actor, perm: str, area: Area) -> bool:
    return any(area.path.startswith(p) for p in area_paths(actor, perm))


def root_orgs(actor, perm: str = "view_org") -> list[Org]:
    """The top nodes of the actor's scope, e.g. the county committee for a county officer."""
    paths = org_paths(actor, perm)
    return list(Org.objects.filter(path__in=paths).order_by("path")) if paths else []


def get_scoped_or_404(qs: QuerySet[M], **lookup) -> M:
    """``qs`` must already be scoped (it comes from a selector)."""
    try:
        return qs.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound() from None
