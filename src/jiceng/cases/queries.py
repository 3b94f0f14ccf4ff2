"""Unscoped building blocks (no actor, no scope): the level a case is handled at, who handles
there, open whistles, and the one aggregate every case figure is computed from."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from jiceng.core.models import Area, Org, RoleAssignment, User
from jiceng.core.rulepacks import ancestor_paths as core_ancestor_paths

from .models import LEVEL_KINDS, Case, DepartmentStaff, Level, Rating, State, Whistle


def ancestor_paths(area: Area) -> list[str]:
    """The area's own path and its ancestors' (core's rule-pack walk, in the area tree)."""
    return core_ancestor_paths(area.path, Area.steplen)


def area_at_level(area: Area, level: int) -> tuple[int, Area]:
    """The area that handles a case placed at ``area`` at ``level``: the nearest enclosing area of
    that level's kind. A place outside any grid starts at its village instead; a place above the
    level (a case filed at a township) starts at the place itself."""
    chain = list(Area.objects.filter(path__in=ancestor_paths(area)).order_by("depth"))
    for lv in range(level, Level.COUNTY + 1):
        found = [a for a in chain if a.kind in LEVEL_KINDS[lv]]
        if found:
            return lv, found[-1]
    return Level.COUNTY, chain[0]


def level_of(area: Area) -> int | None:
    return next((lv for lv, kinds in LEVEL_KINDS.items() if area.kind in kinds), None)


def org_for_area(area: Area) -> Org | None:
    """The top party organisation anchored at the area or its nearest ancestor that has one (the
    audit log and the workflow definitions hang in the org tree)."""
    paths = ancestor_paths(area)
    return Org.objects.filter(area__path__in=paths).order_by("-area__depth", "depth").first()


def county_org(area: Area) -> Org | None:
    """The county's committee: where the county's local case workflow is kept."""
    chain = Area.objects.filter(path__in=ancestor_paths(area), kind="county")
    county = chain.first()
    if county is None:
        return org_for_area(area)
    return Org.objects.filter(area=county).order_by("depth").first()


def county_area(area: Area) -> Area | None:
    return Area.objects.filter(path__in=ancestor_paths(area), kind="county").first()


def handlers_at(area: Area) -> QuerySet[User]:
    """Users who handle cases at ``area`` (their role's org is anchored there)."""
    from jiceng.core.kit import role_perms

    from .plugin import HANDLE_CASE

    roles = [r for r, perms in role_perms().items() if HANDLE_CASE in perms]
    user_ids = RoleAssignment.objects.filter(role__in=roles, org__area=area).values("user_id")
    return User.objects.filter(pk__in=user_ids, is_active=True)


def members_near(case: Case) -> QuerySet[User]:
    """Users who are party members living in the case's village (社区吹哨、党员报到)."""
    village = area_at_level(case.area, Level.VILLAGE)[1]
    return User.objects.filter(
        person__party_member__isnull=False, person__area__path__startswith=village.path, is_active=True
    )


def open_whistle_for(case: Case, actor) -> Whistle | None:
    """The whistle on ``case`` that ``actor`` may report in for: to their department, or to them."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    departments = DepartmentStaff.objects.filter(user_id=actor.pk).values("department_id")
    return (
        Whistle.objects.filter(case=case, reported_at__isnull=True)
        .filter(Q(department_id__in=departments) | Q(member_user_id=actor.pk))
        .order_by("at")
        .first()
    )


def reported_whistle_for(case: Case, actor) -> Whistle | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    departments = DepartmentStaff.objects.filter(user_id=actor.pk).values("department_id")
    return (
        Whistle.objects.filter(case=case, reported_at__isnull=False)
        .filter(Q(department_id__in=departments) | Q(member_user_id=actor.pk))
        .first()
    )


def _aggregates() -> dict:
    closed = Q(state=State.CLOSED)
    rated = closed & ~Q(rating=Rating.UNRATED) & ~Q(rating="")
    resolved = Q(resolved_at__isnull=False)
    return {
        "received": Count("pk"),
        "closed": Count("pk", filter=closed),
        "resolved": Count("pk", filter=resolved),
        "on_time": Count("pk", filter=resolved & Q(resolved_at__lte=F("due_at"))),
        "responded": Count("pk", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("respond_due_at"))),
        "in_village": Count("pk", filter=closed & Q(top_level__lte=Level.VILLAGE)),
        "in_township": Count("pk", filter=closed & Q(top_level__lte=Level.TOWNSHIP)),
        "rated": Count("pk", filter=rated),
        "resolved_by_resident": Count("pk", filter=rated & Q(resolved_for_resident=True)),
        "satisfied": Count("pk", filter=rated & Q(rating__in=[Rating.SATISFIED, Rating.BASIC])),
        "workdays": Sum("workdays_to_resolve", filter=resolved),
    }


FIGURES = tuple(_aggregates())


def figures(qs: QuerySet[Case]) -> dict:
    """The one aggregate behind every case figure (docs/indicators.md, "Cases"), for any set of
    cases — an area subtree's, a department subtree's, a period's; ``grouped`` in indicators.py
    runs the same aggregates per unit. Definitions:

    * received: cases received in the period; closed: of them, closed (rated or 未评价);
      resolved: given a reply (办结);
    * on_time: resolved by the promise (due_at); responded: accepted by respond_due_at;
    * in_village: closed having never gone above the village (小事不出村); in_township: ≤ township;
    * rated: closed with a resident's rating; resolved_by_resident: rated and said resolved;
      satisfied: rated 满意 or 基本满意 (未评价 closures are left out of satisfaction);
    * workdays: the sum of working days from receipt to reply (÷ resolved: the average).
    """
    out = qs.aggregate(**_aggregates())
    out["workdays"] = out["workdays"] or 0
    return out


def in_period(qs: QuerySet[Case], start: dt.date, end: dt.date) -> QuerySet[Case]:
    """Cases received in [start, end] (local dates), as index ranges on received_at."""
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return qs.filter(received_at__gte=lo, received_at__lt=hi)
