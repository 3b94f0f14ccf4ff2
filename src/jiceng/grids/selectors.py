"""Grid reads. Every function takes the actor first and starts from its area scope for the app's
permissions (a grid worker's scope is their grid: the area of the party group they are granted on)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypedDict

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_stubs_ext import WithAnnotations

from jiceng.core.boundary import text_problem
from jiceng.core.exports import EXPORT_CHUNK_SIZE, choice_labels
from jiceng.core.models import Area, AreaKind, Org, RoleAssignment, User
from jiceng.core.roles import Perm
from jiceng.core.scoping import area_q, can_access_area, get_scoped_or_404, org_q
from jiceng.people import queries as people
from jiceng.people import selectors as people_selectors

from . import queries
from .models import Duty, GridDuty, Unit, Visit, VisitPhoto
from .plugin import MANAGE_GRID, RECORD_VISIT, VIEW_GRID

RECENT_DAYS = 30  # "visits lately" on the grid list
NOT_VISITED_DAYS = 90  # households a grid worker has not been to for this long
WHERE_MAX = 50  # characters of an address look-up
WHERE_LIMIT = 10  # places an address look-up answers with


# --- grids -----------------------------------------------------------------------------------------


def grids_for(
    *,
    actor,
    perm: str = VIEW_GRID,
    village: Area | None = None,
    no_worker: bool = False,
    q: str = "",
    today: dt.date | None = None,
) -> QuerySet[Area]:
    """Grids in scope, each annotated with whether it has a grid worker (``has_worker``:
    queries.has_worker, the coverage figure's definition) and a party group (``has_group``) today.
    ``village``: within that village, community or estate; ``no_worker``: only those without one;
    ``q``: name contains."""
    today = today or timezone.localdate()
    qs = Area.objects.filter(area_q(actor, perm, field=""), kind=AreaKind.GRID)
    if village is not None:
        qs = qs.filter(path__startswith=village.path)
    if q:
        qs = qs.filter(name__contains=q)
    qs = qs.annotate(has_worker=queries.has_worker(today), has_group=queries.has_party_group(today))
    if no_worker:
        qs = qs.filter(has_worker=False)
    return qs.order_by("path")


@dataclass(frozen=True)
class GridRow:
    grid: Area
    households: int
    residents: int
    members: int
    units: int
    visits_recent: int
    has_worker: bool
    has_group: bool
    village: str
    workers: tuple[str, ...]


def grid_rows(*, actor, grids: list[Area], today: dt.date | None = None) -> list[GridRow]:
    """The grid list's figures for one page of ``grids`` (from ``grids_for``): households,
    residents, members living there, units and visits of the last RECENT_DAYS days, each from one
    grouped query per path length for the whole page, and the village and grid workers' names."""
    today = today or timezone.localdate()
    if not grids:
        return []
    hh = queries.count_by_grid(people.households(), "area__path", grids, {"n": Count("pk")})
    residents = queries.count_by_grid(
        people.persons(),
        "area__path",
        grids,
        {"n": Count("pk"), "m": Count("pk", filter=Q(party_member__isnull=False))},
    )
    units = queries.count_by_grid(queries.units(), "area__path", grids, {"n": Count("pk")})
    recent = queries.count_by_grid(
        queries.visits().filter(visited_on__gt=today - dt.timedelta(days=RECENT_DAYS), visited_on__lte=today),
        "grid__path",
        grids,
        {"n": Count("pk")},
    )
    prefixes = {g.path[:i] for g in grids for i in range(Area.steplen, len(g.path), Area.steplen)}
    villages = {
        a.path: a.name
        for a in Area.objects.filter(path__in=prefixes, kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY])
    }
    workers: dict[int, list[str]] = {}
    for grid_id, name in (
        queries.duties_on(today, Duty.GRID_WORKER)
        .filter(grid_id__in=[g.pk for g in grids])
        .order_by("grid_id", "from_date", "pk")
        .values_list("grid_id", "name")
    ):
        workers.setdefault(grid_id, []).append(name)
    out = []
    for g in grids:
        village = next(
            (villages[p] for p in sorted(villages, key=len, reverse=True) if g.path.startswith(p)), ""
        )
        out.append(
            GridRow(
                grid=g,
                households=hh[g.pk]["n"],
                residents=residents[g.pk]["n"],
                members=residents[g.pk]["m"],
                units=units[g.pk]["n"],
                visits_recent=recent[g.pk]["n"],
                has_worker=bool(getattr(g, "has_worker", False)),
                has_group=bool(getattr(g, "has_group", False)),
                village=village,
                workers=tuple(workers.get(g.pk, ())),
            )
        )
    return out


def grid_get(*, actor, grid_id, perm: str = VIEW_GRID) -> Area:
    return get_scoped_or_404(grids_for(actor=actor, perm=perm), pk=grid_id)


def grid_villages(*, actor) -> QuerySet[Area]:
    """Villages and communities in scope that hold grids (the grid list's filter)."""
    return Area.objects.filter(
        area_q(actor, VIEW_GRID, field=""), kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY]
    ).order_by("path")


def village_get(*, actor, area_id) -> Area:
    return get_scoped_or_404(
        Area.objects.filter(
            area_q(actor, VIEW_GRID, field=""),
            kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY, AreaKind.ESTATE],
        ),
        pk=area_id,
    )


def area_lookup(
    *,
    actor,
    q: str = "",
    perm: str = VIEW_GRID,
    kinds=(AreaKind.GRID,),
    within: Area | None = None,
    limit: int = 51,
) -> QuerySet[Area]:
    """Areas of ``kinds`` in the actor's scope for ``perm`` whose name contains ``q`` (the searchable
    selects of grids and villages)."""
    qs = Area.objects.filter(area_q(actor, perm, field=""), kind__in=list(kinds))
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    if q:
        qs = qs.filter(name__contains=q)
    return qs.order_by("path")[:limit]


def area_in_scope(*, actor, area_id, perm: str = VIEW_GRID) -> Area:
    return get_scoped_or_404(Area.objects.filter(area_q(actor, perm, field="")), pk=area_id)


def grid_village(*, actor, grid: Area) -> Area | None:
    """The village or community a grid lies in (the actor sees it through the grid)."""
    return queries.village_of(grid)


def village_of(*, actor, area: Area) -> Area | None:
    """The village or community ``area`` lies in, if the actor may see it."""
    home = queries.village_of(area)
    return home if home is not None and can_access_area(actor, VIEW_GRID, home) else None


def duty_person_choices(*, actor, grid: Area) -> QuerySet:
    """Who a duty may name: the people of the grid's village (members and residents), as people's
    seat form offers them."""
    home = queries.village_of(grid)
    if home is None:
        return people.persons().none()
    return people_selectors.village_people(actor=actor, village=home)


def party_groups(*, actor, grid: Area) -> QuerySet[Org]:
    return queries.party_groups_on(timezone.localdate()).filter(area=grid).order_by("path")


def duties_for(*, actor, grid: Area, current: bool = True) -> QuerySet[GridDuty]:
    """A grid's duties (入网定责): those held today, or all of them."""
    qs = GridDuty.objects.filter(area_q(actor, VIEW_GRID, field="grid"), grid=grid)
    if current:
        qs = qs.filter(queries.active_on_q(timezone.localdate()))
    return qs.select_related("person", "user").order_by("duty", "from_date", "pk")


def duty_get(*, actor, duty_id, perm: str = MANAGE_GRID) -> GridDuty:
    return get_scoped_or_404(
        GridDuty.objects.filter(area_q(actor, perm, field="grid")).select_related("grid"), pk=duty_id
    )


def duty_user_choices(*, actor, grid: Area) -> QuerySet[User]:
    """Log-ins a duty may name: those granted a role on an organisation anchored in the grid's
    village or community (or the grid), in the actor's scope."""
    home = queries.village_of(grid) or grid
    granted = RoleAssignment.objects.filter(
        org_q(actor, Perm.VIEW_ORG, field="org"), org__area__path__startswith=home.path
    ).values("user_id")
    return User.objects.filter(pk__in=granted, is_active=True).order_by("display_name", "username")


def grid_households(
    *, actor, grid: Area, q: str = "", tag: str = "", today: dt.date | None = None
) -> QuerySet:
    """A grid's households, each annotated with the day it was last visited (``last_visit``) and
    its people (``n_people``): correlated per row, evaluated only for the page shown."""
    last = Visit.objects.filter(household=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1]
    n_people = (
        people.persons()
        .filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    qs = people_selectors.households_for(actor=actor, within=grid, tag=tag).annotate(
        last_visit=Subquery(last), n_people=Coalesce(Subquery(n_people), 0)
    )
    if q:
        qs = qs.filter(Q(address__contains=q) | Q(head_name__contains=q))
    return qs.order_by("address", "pk")


def households_not_visited(*, actor, grid: Area, today: dt.date, days: int = NOT_VISITED_DAYS) -> QuerySet:
    """The grid's households nobody has visited in the last ``days`` days (never visited first)."""
    since = today - dt.timedelta(days=days)
    seen = Visit.objects.filter(grid=grid, visited_on__gt=since, household__isnull=False).values(
        "household_id"
    )
    return (
        grid_households(actor=actor, grid=grid)
        .exclude(pk__in=seen)
        .order_by(F("last_visit").asc(nulls_first=True), "address", "pk")
    )


def grid_members(*, actor, grid: Area) -> QuerySet:
    """Party members living in the grid (residents of it who are members)."""
    return people_selectors.grid_people(actor=actor, grid=grid).filter(party_member__isnull=False)


def grid_residents(*, actor, grid: Area, q: str = "") -> QuerySet:
    return people_selectors.grid_people(actor=actor, grid=grid, q=q)


def grid_summary(*, actor, grid: Area) -> dict:
    """Households, residents, members and flagged households (people's own summary), with the units."""
    out = people_selectors.grid_summary(actor=actor, grid=grid)
    out["units"] = units_for(actor=actor, grid=grid).count()
    return out


def open_cases(*, actor, grid: Area, limit: int = 20) -> list:
    """The grid's open residents' requests, from the cases app (none when it is not installed:
    the grid page stands without it)."""
    from django.apps import apps

    if not apps.is_installed("jiceng.cases"):
        return []
    from jiceng.cases.selectors import open_cases_for_area

    return list(open_cases_for_area(actor=actor, area=grid)[:limit])


# --- units -----------------------------------------------------------------------------------------


def units_for(
    *,
    actor,
    perm: str = VIEW_GRID,
    grid: Area | None = None,
    within: Area | None = None,
    kind: str = "",
    q: str = "",
    outside: bool = False,
) -> QuerySet[Unit]:
    """Units in scope. ``grid`` / ``within``: in that grid / area subtree; ``q``: name, code or
    address contains; ``outside``: only those not in any grid (the coverage figure's rows)."""
    qs = Unit.objects.filter(area_q(actor, perm)).select_related("area")
    if grid is not None:
        qs = qs.filter(area__path__startswith=grid.path)
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(uscc__contains=q.upper()) | Q(address__contains=q))
    if outside:
        qs = qs.exclude(queries.in_grid_q("area"))
    return qs.order_by("area__path", "name", "pk")


def unit_get(*, actor, unit_id, perm: str = VIEW_GRID) -> Unit:
    return get_scoped_or_404(units_for(actor=actor, perm=perm), pk=unit_id)


def unit_places(*, actor) -> QuerySet[Area]:
    """Where a unit can be registered by the actor: grids, or villages, communities and estates."""
    return Area.objects.filter(area_q(actor, MANAGE_GRID, field=""), kind__in=queries.PLACE_KINDS).order_by(
        "path"
    )


def unit_place(*, actor, area_id) -> Area | None:
    """The area a unit form names, if the actor may register units there (else None: the service
    says why)."""
    if area_id is None:
        return None
    return unit_places(actor=actor).filter(pk=area_id).first()


def unit_visits(*, actor, unit: Unit) -> QuerySet[Visit]:
    return visits_for(actor=actor).filter(unit=unit)


def household_get(*, actor, household_id, perm: str = MANAGE_GRID):
    return get_scoped_or_404(
        people_selectors.households_for(actor=actor).filter(area_q(actor, perm)), pk=household_id
    )


def households_outside(*, actor, within: Area | None = None) -> QuerySet:
    """Households in scope that are in no grid (the coverage figure's rows, to be put in one)."""
    return people_selectors.households_for(actor=actor, within=within).exclude(queries.in_grid_q("area"))


# --- visits ----------------------------------------------------------------------------------------


class VisitCounts(TypedDict):
    n_photos: int


def visits_for(
    *,
    actor,
    perm: str = VIEW_GRID,
    grid: Area | None = None,
    within: Area | None = None,
    kind: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    household=None,
) -> QuerySet[WithAnnotations[Visit, VisitCounts]]:
    """Visits in scope, newest first, with their grid, household, unit, person and visitor joined
    and their photos counted (``n_photos``, correlated: only for the rows shown)."""
    photos = (
        VisitPhoto.objects.filter(visit=OuterRef("pk"))
        .order_by()
        .values("visit")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    qs = (
        Visit.objects.filter(area_q(actor, perm, field="grid"))
        .select_related("grid", "household", "unit", "person", "visitor")
        .annotate(n_photos=Coalesce(Subquery(photos), 0))
    )
    if grid is not None:
        qs = qs.filter(grid=grid)
    if within is not None:
        qs = qs.filter(grid__path__startswith=within.path)
    if kind:
        qs = qs.filter(kind=kind)
    if since:
        qs = qs.filter(visited_on__gte=since)
    if until:
        qs = qs.filter(visited_on__lte=until)
    if household is not None:
        qs = qs.filter(household=household)
    return qs.order_by("-visited_on", "-pk")


def visit_get(*, actor, visit_id) -> Visit:
    return get_scoped_or_404(visits_for(actor=actor), pk=visit_id)


def visit_photos(*, actor, visit: Visit) -> list[VisitPhoto]:
    return list(
        VisitPhoto.objects.filter(area_q(actor, VIEW_GRID, field="visit__grid"), visit=visit).order_by("pk")
    )


def photo_get(*, actor, photo_id) -> VisitPhoto:
    """A visit's photo, for those who may see the visit (a photo shows people and homes)."""
    return get_scoped_or_404(
        VisitPhoto.objects.filter(area_q(actor, VIEW_GRID, field="visit__grid")), pk=photo_id
    )


def recordable_grids(*, actor) -> QuerySet[Area]:
    return grids_for(actor=actor, perm=RECORD_VISIT)


def visit_household_choices(*, actor, grid: Area, q: str = "") -> QuerySet:
    """A grid's households for the visit form's searchable select: address or head contains ``q``."""
    qs = people_selectors.households_for(actor=actor, within=grid).only(
        "pk", "address", "head_name", "area_id"
    )
    if q:
        qs = qs.filter(Q(address__contains=q) | Q(head_name__contains=q))
    return qs.order_by("address", "pk")


def visit_person_choices(*, actor, grid: Area, q: str = "", household=None) -> QuerySet:
    """The grid's residents for the visit form (those of ``household`` when one is chosen)."""
    qs = people_selectors.grid_people(actor=actor, grid=grid, q=q)
    if household is not None:
        qs = qs.filter(household=household)
    return qs


def visit_units(*, actor, grid: Area) -> QuerySet[Unit]:
    return units_for(actor=actor, grid=grid)


# --- the worker's month (home page) --------------------------------------------------------------


def worker_month(*, actor, grid: Area, today: dt.date) -> dict[str, Any]:
    """This month's visits in the grid, by kind, and the households not visited for 90 days."""
    start = today.replace(day=1)
    month = visits_for(actor=actor, grid=grid, since=start, until=today)
    by_kind = dict(month.order_by().values_list("kind").annotate(n=Count("pk")))
    not_visited = households_not_visited(actor=actor, grid=grid, today=today)
    return {
        "visits": sum(by_kind.values()),
        "by_kind": by_kind,
        "mine": month.filter(visitor_id=actor.pk).count(),
        "not_visited_count": not_visited.count(),
        "not_visited": list(not_visited[:10]),
    }


# --- where does an address belong -----------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where an address lies: plain names, no person."""

    township: str
    village: str
    grid: str
    grid_id: int | None = None  # the internal look-up links to the grid page


def where_problem(q: str) -> str | None:
    """Why an address look-up cannot be run (the page shows it instead of searching)."""
    if len(q) > WHERE_MAX:
        return f"地址：最多{WHERE_MAX}个字（现为{len(q)}个），请只输入小区、楼栋或门牌。"
    if len(q) < 2:
        return "地址：请至少输入两个字（小区、楼栋、组或门牌）。"
    return text_problem(q, label="地址", max_length=WHERE_MAX)


def where_paths(
    q: str, area_filter: Q | None = None, household_filter: Q | None = None, unit_filter: Q | None = None
) -> list[str]:
    """Area paths matching ``q``: areas (estates, buildings, grids, villages) by name, households
    and units by address, at most a few of each. No scope: the public look-up and the scoped one
    (which passes its filters) share it."""
    areas = Area.objects.filter(
        name__contains=q,
        kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY, AreaKind.ESTATE, AreaKind.GRID, AreaKind.BUILDING],
    )
    households = people.households().filter(address__contains=q)
    unit_rows = queries.units().filter(address__contains=q)
    if area_filter is not None:
        areas = areas.filter(area_filter)
    if household_filter is not None:
        households = households.filter(household_filter)
    if unit_filter is not None:
        unit_rows = unit_rows.filter(unit_filter)
    paths = list(areas.order_by("path").values_list("path", flat=True)[: WHERE_LIMIT * 2])
    paths += (
        households.order_by("area__path").values_list("area__path", flat=True).distinct()[: WHERE_LIMIT * 2]
    )
    paths += (
        unit_rows.order_by("area__path").values_list("area__path", flat=True).distinct()[: WHERE_LIMIT * 2]
    )
    return list(dict.fromkeys(paths))


def places_of(paths: list[str]) -> list[Place]:
    """The township, village and grid of each path (an estate's grids each, a village's none), in
    two queries, each place once, at most WHERE_LIMIT."""
    if not paths:
        return []
    prefixes = {p[:i] for p in paths for i in range(Area.steplen, len(p) + 1, Area.steplen)}
    nodes = {a.path: a for a in Area.objects.filter(path__in=prefixes)}
    estates = [p for p in paths if p in nodes and nodes[p].kind == AreaKind.ESTATE]
    below: dict[str, list[Area]] = {}
    if estates:
        near = Q()
        for p in estates:
            near |= Q(path__startswith=p)
        for g in Area.objects.filter(near, kind=AreaKind.GRID).order_by("path"):
            below.setdefault(g.path[: -Area.steplen], []).append(g)
            nodes[g.path] = g
    out: list[Place] = []
    for p in paths:
        grids_here: list[Area | None] = list(below.get(p, [])) or [None]
        for extra in grids_here:
            chain = [nodes[p[:i]] for i in range(Area.steplen, len(p) + 1, Area.steplen) if p[:i] in nodes]
            if extra is not None:
                chain.append(extra)
            town = next((a.name for a in chain if a.kind in (AreaKind.TOWNSHIP, AreaKind.SUBDISTRICT)), "")
            village = next((a.name for a in chain if a.kind in (AreaKind.VILLAGE, AreaKind.COMMUNITY)), "")
            grid = next((a for a in chain if a.kind == AreaKind.GRID), None)
            place = Place(town, village, grid.name if grid else "", grid.pk if grid else None)
            if village and place not in out:
                out.append(place)
    return out[:WHERE_LIMIT]


def where(*, actor, q: str) -> list[Place]:
    """The internal look-up (a grid worker on a resident's behalf): the same answer as the public
    one, within the actor's scope, each place linked to its grid page."""
    q = q.strip()
    if where_problem(q):
        return []
    paths = where_paths(
        q,
        area_filter=area_q(actor, VIEW_GRID, field=""),
        household_filter=area_q(actor, VIEW_GRID),
        unit_filter=area_q(actor, VIEW_GRID),
    )
    return places_of(paths)


# --- coverage ---------------------------------------------------------------------------------------

COVERAGE = (
    "grids.households_outside_grids",
    "grids.units_outside_grids",
    "grids.grids_without_worker",
    "grids.grids_without_party_group",
)


# --- ledgers ---------------------------------------------------------------------------------------

VISIT_LEDGER_HEADERS = (
    "走访日期",
    "方式",
    "乡镇（街道）",
    "村（社区）",
    "网格",
    "走访户（地址）",
    "户主",
    "单位",
    "走访对象",
    "问需求",
    "问困难",
    "问建议",
    "送温暖",
    "送政策",
    "送服务",
    "情况记录",
    "后续跟进",
    "走访人",
    "照片",
)


def _names_above(paths: set[str]) -> dict[str, tuple[str, str, str]]:
    """(township, village, grid) of each area path (the area itself included), from one query."""
    prefixes = {p[:i] for p in paths for i in range(Area.steplen, len(p) + 1, Area.steplen)}
    nodes = {a.path: (a.kind, a.name) for a in Area.objects.filter(path__in=prefixes)}
    out = {}
    for p in paths:
        chain = [nodes[p[:i]] for i in range(Area.steplen, len(p) + 1, Area.steplen) if p[:i] in nodes]
        town = next((n for k, n in chain if k in (AreaKind.TOWNSHIP, AreaKind.SUBDISTRICT)), "")
        village = next((n for k, n in chain if k in (AreaKind.VILLAGE, AreaKind.COMMUNITY)), "")
        grid = next((n for k, n in chain if k == AreaKind.GRID), "")
        out[p] = (town, village, grid)
    return out


def visit_ledger_rows(
    *, actor, org: Org | None, since: dt.date, until: dt.date, kind: str = ""
) -> Iterator[tuple]:
    """走访台账 rows (VISIT_LEDGER_HEADERS) under the export permission (households and persons are
    named): one flat query, names joined in SQL, the township and village from one more."""
    kinds = choice_labels(Visit, "kind")
    within = None
    if org is not None:
        if org.area_id is None:
            return
        within = org.area
    qs = visits_for(
        actor=actor, perm=Perm.EXPORT_PERSONAL, within=within, kind=kind, since=since, until=until
    )
    grid_paths = set(qs.order_by().values_list("grid__path", flat=True).distinct())
    above = _names_above(grid_paths)
    rows = qs.values_list(
        "visited_on",
        "kind",
        "grid__path",
        "grid__name",
        "household__address",
        "household__head_name",
        "unit__name",
        "person__name",
        "asked_needs",
        "asked_difficulties",
        "asked_suggestions",
        "sent_warmth",
        "sent_policy",
        "sent_service",
        "notes",
        "follow_up",
        "visitor__display_name",
        "n_photos",
    )
    yes = {True: "是", False: ""}
    for (
        visited_on,
        k,
        grid_path,
        grid_name,
        address,
        head,
        unit,
        person,
        needs,
        difficulties,
        suggestions,
        warmth,
        policy,
        service,
        notes,
        follow_up,
        visitor,
        n_photos,
    ) in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        town, village, _grid = above.get(grid_path, ("", "", ""))
        yield (
            visited_on,
            kinds.get(k, k),
            town,
            village,
            grid_name,
            address or "",
            head or "",
            unit or "",
            person or "",
            needs,
            difficulties,
            suggestions,
            yes[warmth],
            yes[policy],
            yes[service],
            notes,
            follow_up,
            visitor or "",
            n_photos,
        )


UNIT_LEDGER_HEADERS = ("单位名称", "类型", "统一社会信用代码", "乡镇（街道）", "村（社区）", "网格", "地址")


def unit_ledger_rows(*, actor, org: Org | None) -> Iterator[tuple]:
    """单位台账 rows (UNIT_LEDGER_HEADERS): a unit is not a person; read under VIEW_ORG."""
    kinds = choice_labels(Unit, "kind")
    within = None
    if org is not None:
        if org.area_id is None:
            return
        within = org.area
    qs = units_for(actor=actor, perm=Perm.VIEW_ORG, within=within)
    area_paths = set(qs.order_by().values_list("area__path", flat=True).distinct())
    above = _names_above(area_paths)
    for name, k, code, path, address in qs.values_list(
        "name", "kind", "uscc", "area__path", "address"
    ).iterator(chunk_size=EXPORT_CHUNK_SIZE):
        town, village, grid = above.get(path, ("", "", ""))
        yield (name, kinds.get(k, k), code, town, village, grid or "（未划入网格）", address)
