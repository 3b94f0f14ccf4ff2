"""Grids' unscoped building blocks: which rows lie in a grid, who holds a duty on a day, the visits
of some persons or households, counts per grid for many grids at once. No actor, no scope: the
indicators use them as they are, selectors and other apps' services scope the result themselves
(the member contact duties of a later issue read ``visits_of``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr

from jiceng.core.models import Area, AreaKind, Org, OrgKind

from .models import Duty, GridDuty, Unit, Visit

# where a household or a unit may be placed while not (yet) in a grid: anywhere from a village down
PLACE_KINDS = (AreaKind.VILLAGE, AreaKind.COMMUNITY, AreaKind.ESTATE, AreaKind.GRID, AreaKind.BUILDING)


def in_grid_q(field: str = "area") -> Q:
    """Rows whose ``field`` (an Area foreign key) is a grid, or a building of a grid. Grids hold
    only buildings (core.models.AREA_CHILD_KINDS), so nothing deeper needs looking at."""
    parent_is_grid = Area.objects.filter(
        kind=AreaKind.GRID,
        path=Substr(OuterRef(f"{field}__path"), 1, Length(OuterRef(f"{field}__path")) - Area.steplen),
    )
    return Q(**{f"{field}__kind": AreaKind.GRID}) | (
        Q(**{f"{field}__kind": AreaKind.BUILDING}) & Q(Exists(parent_is_grid))
    )


def grids() -> QuerySet[Area]:
    return Area.objects.filter(kind=AreaKind.GRID)


def units() -> QuerySet[Unit]:
    return Unit.objects.all()


def visits() -> QuerySet[Visit]:
    return Visit.objects.all()


def duties() -> QuerySet[GridDuty]:
    return GridDuty.objects.all()


def active_on_q(day: dt.date, prefix: str = "") -> Q:
    """Duties held on ``day``: begun on or before it, not ended before it."""
    return Q(**{f"{prefix}from_date__lte": day}) & (
        Q(**{f"{prefix}to_date__isnull": True}) | Q(**{f"{prefix}to_date__gte": day})
    )


def duties_on(day: dt.date, duty: str | None = None) -> QuerySet[GridDuty]:
    qs = GridDuty.objects.filter(active_on_q(day))
    return qs.filter(duty=duty) if duty else qs


def has_worker(day: dt.date, field: str = "pk") -> Exists:
    """A grid (``field``: its key in the outer query) has a grid worker (网格员) on ``day``: an
    active GridDuty of duty grid_worker. This is the one definition of "a grid with a worker" (the
    indicator, the list's filter and the grid page all read it); a role grant alone does not make
    one: the duty is the record of who answers for the grid."""
    return Exists(duties_on(day, Duty.GRID_WORKER).filter(grid_id=OuterRef(field)))


def party_groups_on(day: dt.date) -> QuerySet[Org]:
    """Party groups existing on ``day`` (established by then, not dissolved)."""
    return Org.objects.filter(kind=OrgKind.GROUP).filter(
        (Q(established_on__isnull=True) | Q(established_on__lte=day))
        & (Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))
    )


def has_party_group(day: dt.date, field: str = "pk") -> Exists:
    """A grid has its grid party group (网格党小组) on ``day``: a party group anchored at it."""
    return Exists(party_groups_on(day).filter(area_id=OuterRef(field)))


def grids_without_worker(day: dt.date) -> QuerySet[Area]:
    return grids().filter(~has_worker(day))


def grids_without_party_group(day: dt.date) -> QuerySet[Area]:
    return grids().filter(~has_party_group(day))


def visits_between(since: dt.date, until: dt.date) -> QuerySet[Visit]:
    return Visit.objects.filter(visited_on__gte=since, visited_on__lte=until)


def visits_of(
    person_ids: Iterable[int], since: dt.date, until: dt.date | None = None, *, households: bool = True
) -> QuerySet[Visit]:
    """Visits to these persons from ``since`` (to ``until``): those naming one of them, and, with
    ``households``, those to a household one of them belongs to (a visit to the home is a visit
    to each of its people). For the member contact duties: "has this person been visited?"."""
    from jiceng.people import queries as people

    ids = list(person_ids)
    q = Q(person_id__in=ids)
    if households:
        q |= Q(household_id__in=people.persons().filter(pk__in=ids).values("household_id"))
    qs = Visit.objects.filter(q, visited_on__gte=since)
    return qs.filter(visited_on__lte=until) if until else qs


def last_visits(household_ids: Iterable[int]) -> dict[int, dt.date]:
    """The day each of these households was last visited (absent: never)."""
    return dict(
        Visit.objects.filter(household_id__in=list(household_ids))
        .order_by()
        .values_list("household_id")
        .annotate(last=Max("visited_on"))
    )


def count_by_grid(
    qs: QuerySet, field: str, grid_list: Sequence[Area], aggregates: dict[str, Any]
) -> dict[int, dict[str, Any]]:
    """``aggregates`` of ``qs`` for each grid of ``grid_list``, the rows placed by the area path
    ``field`` (a grid's rows are those at it or below it): one grouped query per path length (a
    grid under a village or under an estate), however many grids."""
    zero = qs.none().aggregate(**aggregates)
    out: dict[int, dict[str, Any]] = {g.pk: dict(zero) for g in grid_list}
    by_length: dict[int, dict[str, int]] = defaultdict(dict)
    for g in grid_list:
        by_length[len(g.path)][g.path] = g.pk
    for length, paths in by_length.items():
        near = Q()
        for p in paths:
            near |= Q(**{f"{field}__startswith": p})
        rows = (
            qs.filter(near)
            .annotate(_g=Substr(field, 1, length))
            .order_by()
            .values("_g")
            .annotate(**aggregates)
        )
        for row in rows:
            if row["_g"] in paths:
                out[paths[row["_g"]]] = {k: row[k] for k in aggregates}
    return out


def grid_of(area: Area) -> Area | None:
    """The grid ``area`` lies in (itself, or the grid above a building), or None."""
    if area.kind == AreaKind.GRID:
        return area
    if area.kind == AreaKind.BUILDING:
        return grids().filter(path=area.path[: -Area.steplen]).first()
    return None


def village_of(area: Area) -> Area | None:
    """The village or community ``area`` lies in (itself included), or None."""
    prefixes = [area.path[:i] for i in range(Area.steplen, len(area.path) + 1, Area.steplen)]
    return (
        Area.objects.filter(path__in=prefixes, kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY])
        .order_by("-depth")
        .first()
    )
