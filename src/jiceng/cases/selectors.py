"""Every read of cases for a user. Who sees which case:

* staff with ``view_case`` (county, township, village, grid, hotline, 代办员): the cases placed in
  their area subtree;
* a department's staff: the cases their department (or one under it) was whistled to;
* a member who was whistled: those cases;
* a mediator: the disputes routed to them;
* a court liaison: the enforcement cases in their area.

Anything else is NotFound. The resident reads their own case only through
``services.find_for_resident`` (number + phone tail), never through these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiceng.core.models import Area
from jiceng.core.scoping import area_paths, area_q, get_scoped_or_404, roles_held

from . import queries
from .models import (
    OPEN_STATES,
    Case,
    CaseNote,
    CasePhoto,
    Category,
    Department,
    DepartmentStaff,
    EnforcementRequest,
    Kind,
    Mediator,
    State,
    WageClaim,
    Whistle,
)
from .plugin import ENTER_CASE, HANDLE_CASE, PUSH_ENFORCEMENT, VIEW_CASE

Q_MAX = 50


def _department_paths(actor) -> list[str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    return list(
        Department.objects.filter(staff__user_id=actor.pk, active=True).values_list("path", flat=True)
    )


def cases_for(actor) -> QuerySet[Case]:
    """Every case the actor may see (the union of the ways above), unordered. Only the ways the
    actor can match are in the query: an OR with a branch that matches nothing still keeps the
    planner from starting at the actor's areas (a county's search scanned 1.7 M rows at province
    scale with all five)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Case.objects.none()
    branches = []
    if area_paths(actor, VIEW_CASE):
        branches.append(area_q(actor, VIEW_CASE))
    seen = area_paths(actor, VIEW_CASE)
    if any(not any(p.startswith(v) for v in seen) for p in area_paths(actor, PUSH_ENFORCEMENT)):
        # a court liaison's pushes outside what the actor sees anyway (a county officer holds both)
        branches.append(Q(kind=Kind.ENFORCEMENT) & area_q(actor, PUSH_ENFORCEMENT))
    held = roles_held(actor)  # the grants are loaded once per actor: no query here
    whistled = Q(member_user_id=actor.pk)
    # department staff and mediators hold their role (cases.setup grants it with the post)
    for path in _department_paths(actor) if "department_handler" in held else ():
        whistled |= Q(department__path__startswith=path)
    if Whistle.objects.filter(whistled).exists():
        branches.append(Q(pk__in=Whistle.objects.filter(whistled).values("case_id")))
    if "mediator" in held:
        branches.append(Q(kind=Kind.DISPUTE, mediator__user_id=actor.pk))
    if not branches:
        return Case.objects.none()
    q = branches[0]
    for more in branches[1:]:
        q |= more
    return Case.objects.filter(q)


def case(actor, case_id: Any) -> Case:
    return get_scoped_or_404(
        cases_for(actor).select_related("category", "area", "handling_area", "owner", "mediator__user"),
        pk=case_id,
    )


def _filtered(qs: QuerySet[Case], f: dict) -> QuerySet[Case]:
    if f.get("state") in State.values:
        qs = qs.filter(state=f["state"])
    elif f.get("state") == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    if f.get("kind") in Kind.values:
        qs = qs.filter(kind=f["kind"])
    if f.get("category"):
        qs = qs.filter(category_id=f["category"])
    if f.get("channel"):
        qs = qs.filter(channel=f["channel"])
    if f.get("area") is not None:
        qs = qs.filter(area__path__startswith=f["area"].path)
    if f.get("overdue"):
        now = timezone.now()
        qs = qs.filter(
            Q(state=State.RECEIVED, respond_due_at__lt=now) | Q(state__in=OPEN_STATES, due_at__lt=now)
        )
    if f.get("since") or f.get("until"):
        # ranges on local midnights (an index range), not received_at__date (a function per row)
        qs = queries.in_period(
            qs, f.get("since") or dt.date(1900, 1, 1), f.get("until") or dt.date(9999, 12, 30)
        )
    q = (f.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number=q.upper()) | Q(title__contains=q) | Q(address__contains=q))
    return qs


def search(actor, filters: dict | None = None) -> QuerySet[Case]:
    """The case list: every case in scope, filtered, newest first."""
    return (
        _filtered(cases_for(actor), filters or {})
        .select_related("category", "area", "handling_area")
        .order_by("-received_at", "-pk")
    )


def queue(actor, filters: dict | None = None) -> QuerySet[Case]:
    """The handler's queue: open cases handled at a level where the actor handles (their grant's
    own area: a village secretary's village, a grid worker's grid, a township's township), oldest
    first, overdue ones first."""
    paths = area_paths(actor, HANDLE_CASE)
    qs = Case.objects.filter(state__in=OPEN_STATES, handling_area__path__in=paths)
    return (
        _filtered(qs, filters or {})
        .select_related("category", "area", "handling_area")
        .order_by("due_at", "pk")
    )


def overdue(actor, now: dt.datetime | None = None) -> QuerySet[Case]:
    """The supervisor's list: open cases in scope past their response or resolution time."""
    now = now or timezone.now()
    return (
        cases_for(actor)
        .filter(Q(state=State.RECEIVED, respond_due_at__lt=now) | Q(state__in=OPEN_STATES, due_at__lt=now))
        .select_related("category", "area", "handling_area")
        .order_by("due_at", "pk")
    )


def department_cases(actor, *, open_only: bool = True) -> QuerySet[Case]:
    """The cases the actor's departments were whistled to (the department's page)."""
    dep = Q()
    for path in _department_paths(actor):
        dep |= Q(department__path__startswith=path)
    if not dep:
        return Case.objects.none()
    qs = Case.objects.filter(pk__in=Whistle.objects.filter(dep).values("case_id"))
    if open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    return qs.select_related("category", "area", "handling_area").order_by("due_at", "pk")


def whistles_waiting(actor) -> QuerySet[Whistle]:
    """Whistles the actor (their department, or they themselves) must still report in for."""
    dep = Q(member_user_id=actor.pk)
    for path in _department_paths(actor):
        dep |= Q(department__path__startswith=path)
    return (
        Whistle.objects.filter(dep, reported_at__isnull=True, case__state__in=OPEN_STATES)
        .select_related("case", "department")
        .order_by("report_due_at")
    )


def mediator_cases(actor, *, open_only: bool = False) -> QuerySet[Case]:
    qs = Case.objects.filter(kind=Kind.DISPUTE, mediator__user_id=actor.pk)
    if open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    return qs.select_related("category", "area", "mediator").order_by("-received_at", "-pk")


def court_cases(actor) -> QuerySet[Case]:
    return (
        Case.objects.filter(Q(kind=Kind.ENFORCEMENT) & area_q(actor, PUSH_ENFORCEMENT))
        .select_related("category", "area", "enforcement")
        .order_by("-received_at")
    )


def open_cases_for_area(*, actor, area: Area) -> QuerySet[Case]:
    """Open cases placed in ``area``'s subtree that the actor may see (the grid page)."""
    return (
        cases_for(actor)
        .filter(area__path__startswith=area.path, state__in=OPEN_STATES)
        .select_related("category")
        .order_by("due_at")
    )


def notes(actor, case: Case, *, public_only: bool = False) -> QuerySet[CaseNote]:
    qs = CaseNote.objects.filter(case=case)
    return qs.filter(public=True) if public_only else qs.select_related("author")


def whistles(case: Case) -> QuerySet[Whistle]:
    return (
        Whistle.objects.filter(case=case)
        .select_related("department", "member_user", "reported_by")
        .order_by("at")
    )


def departments_for(actor, area: Area) -> QuerySet[Department]:
    """The departments a whistle on a case placed at ``area`` may call: the county's departments and
    the stations of the case's own township (not another township's 派出所)."""
    chain = list(
        Area.objects.filter(
            path__in=queries.ancestor_paths(area), kind__in=("county", "township", "subdistrict")
        )
    )
    county = next((a for a in chain if a.kind == "county"), None)
    if county is None:
        return Department.objects.none()
    township = next((a for a in chain if a.kind != "county"), None)
    here = Q(area=county) | (Q(area=township) if township is not None else Q(pk__in=[]))
    return Department.objects.filter(here, active=True).order_by("path")


def mediators_for(area: Area) -> QuerySet[Mediator]:
    paths = queries.ancestor_paths(area)
    return (
        Mediator.objects.filter(active=True, area__path__in=paths)
        .select_related("user")
        .order_by("tier", "pk")
    )


def is_department_staff(actor) -> bool:
    pk = getattr(actor, "pk", None)
    return pk is not None and DepartmentStaff.objects.filter(user_id=pk).exists()


# --- what the pages need besides the lists ----------------------------------------------------------

PLACE_KINDS = ("village", "community", "grid")


def places_for(actor, perm: str = ENTER_CASE) -> QuerySet[Area]:
    """Where the actor may file a case (``perm``: entering it, or a court's push): the villages,
    communities and grids of their scope, in tree order."""
    return Area.objects.filter(area_q(actor, perm, field=""), kind__in=PLACE_KINDS).order_by("path")


def place_search(actor, *, perm: str = ENTER_CASE, q: str = "", limit: int = 51) -> list[Area]:
    qs = places_for(actor, perm)
    if q:
        qs = qs.filter(name__contains=q)
    return list(qs[:limit])


def categories_for_actor(actor, perm: str = ENTER_CASE) -> QuerySet[Category]:
    """The categories in force where the actor enters cases: their county's (its own rows, then
    the defaults it has not replaced); above a county (or with none), the defaults. The service
    checks the category against the chosen place's county again."""
    from .services import categories_for

    paths = area_paths(actor, perm)
    if not paths:
        return Category.objects.none()
    step = Area.steplen
    ancestors = [paths[0][:i] for i in range(step, len(paths[0]) + 1, step)]
    county = Area.objects.filter(path__in=ancestors, kind="county").first()
    if county is None:
        return Category.objects.filter(county__isnull=True, active=True).order_by("order", "code")
    return categories_for(county)


def handlers_for(actor, case: Case):
    """Whom a case may be handed on to: the handlers at the level it is handled at."""
    from .queries import handlers_at

    return handlers_at(case.handling_area).order_by("display_name", "username")


def members_near(actor, case: Case):
    """The party members with an account living in the case's village: whom a whistle may call."""
    from .queries import members_near as near

    return near(case).order_by("display_name", "username")


def workflow_instance(case: Case):
    """The case's workflow instance (its steps, what can be done next)."""
    from jiceng.core.models import WorkflowInstance

    return WorkflowInstance.objects.select_related("definition", "org", "authority").get(
        target_type=case._meta.label_lower, target_id=str(case.pk)
    )


def photos(case: Case) -> QuerySet[CasePhoto]:
    return CasePhoto.objects.filter(case=case).order_by("pk")


def photo(actor, photo_id: Any) -> CasePhoto:
    """A photo of a case the actor may see, else NotFound."""
    return get_scoped_or_404(CasePhoto.objects.filter(case__in=cases_for(actor)), pk=photo_id)


def wage_claim(case: Case) -> WageClaim | None:
    return WageClaim.objects.filter(case=case).first()


def enforcement(case: Case) -> EnforcementRequest | None:
    return EnforcementRequest.objects.filter(case=case).first()


def department_closed(actor) -> QuerySet[Case]:
    """The department's cases that are no longer open, latest first."""
    return (
        department_cases(actor, open_only=False)
        .exclude(state__in=OPEN_STATES)
        .order_by("-closed_at", "-resolved_at", "-pk")
    )


def department_figures(actor, *, start: dt.date, end: dt.date) -> dict:
    """The department's figures for cases received in [start, end]: the one aggregate
    (queries.figures) over the cases it was whistled to."""
    from .queries import figures, in_period

    return figures(in_period(department_cases(actor, open_only=False).order_by(), start, end))


# --- setup and routine ------------------------------------------------------------------------------
# The county's setup pages (setup_views.py: departments, staff, mediators, legal advisers,
# categories, Open311 clients; MANAGE_CASES) and the case ledgers (ledgers.py). The duty roster,
# the dispute routine and the three lists read through routine_selectors.py.

from django.db.models import Count, Exists, F, OuterRef  # noqa: E402

from jiceng.core.errors import NotFound  # noqa: E402
from jiceng.core.models import Org, RoleAssignment, User  # noqa: E402

from .models import LegalAdviser, Open311Client  # noqa: E402  (Category: imported above)
from .plugin import MANAGE_CASES  # noqa: E402

SETUP_VILLAGE_KINDS = ("village", "community")


def counties_for(actor) -> QuerySet[Area]:
    """The counties whose case handling the actor sets up."""
    return Area.objects.filter(area_q(actor, MANAGE_CASES, field=""), kind="county").order_by("path")


def county_for(actor, county_id: Any = None) -> Area:
    """The county asked for (``?county=``), else the actor's first; NotFound outside their reach."""
    qs = counties_for(actor)
    if county_id not in (None, ""):
        return get_scoped_or_404(qs, pk=county_id)
    found = qs.first()
    if found is None:
        raise NotFound()
    return found


def county_areas(*, county: Area, kinds: tuple[str, ...]) -> QuerySet[Area]:
    """Areas of ``kinds`` in a county (read through county_for), for the setup forms' selects."""
    return Area.objects.filter(path__startswith=county.path, kind__in=kinds).order_by("path")


def departments_of(*, actor, county: Area, active: bool | None = None) -> QuerySet[Department]:
    """The county's department tree (county departments and township stations), in tree order,
    with how many staff each has."""
    county = county_for(actor, county.pk)
    qs = Department.objects.filter(area__path__startswith=county.path)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.select_related("area").annotate(n_staff=Count("staff")).order_by("path")


def department_get(*, actor, department_id: Any) -> Department:
    return get_scoped_or_404(
        Department.objects.filter(area_q(actor, MANAGE_CASES)).select_related("area"), pk=department_id
    )


def staff_of(*, department: Department) -> QuerySet[DepartmentStaff]:
    return (
        DepartmentStaff.objects.filter(department=department)
        .select_related("user")
        .order_by("user__username")
    )


def staff_get(*, actor, staff_id: Any) -> DepartmentStaff:
    qs = DepartmentStaff.objects.filter(area_q(actor, MANAGE_CASES, field="department__area"))
    return get_scoped_or_404(qs.select_related("department__area", "user"), pk=staff_id)


def staff_candidates(
    *, actor, county: Area, q: str = "", department: Department | None = None
) -> QuerySet[User]:
    """Who may be made department staff or a mediator: active users holding a role in the county's
    organisations, or no role anywhere yet (a new account) — never another county's people;
    ``department``: leaving out its staff."""
    county = county_for(actor, county.pk)
    org = Org.objects.filter(area=county).order_by("depth").first()
    here = (
        Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), org__path__startswith=org.path))
        if org is not None
        else Q(pk__in=[])
    )
    nowhere = ~Exists(RoleAssignment.objects.filter(user=OuterRef("pk")))
    qs = User.objects.filter(is_active=True).filter(here | nowhere)
    if department is not None:
        qs = qs.exclude(departments__department=department)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__contains=q))
    return qs.order_by("username")


def staff_candidate(
    *, actor, county: Area, user_id: Any, department: Department | None = None
) -> User | None:
    """One of staff_candidates by id (what a posted user select names), or None."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    return staff_candidates(actor=actor, county=county, department=department).filter(pk=pk).first()


def mediators_of(
    *, actor, county: Area, tier: str = "", area: Area | None = None, active: bool | None = None
) -> QuerySet[Mediator]:
    """1+1+N: the county's mediators, by the area they serve and their tier."""
    county = county_for(actor, county.pk)
    qs = Mediator.objects.filter(area__path__startswith=county.path)
    if tier:
        qs = qs.filter(tier=tier)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.select_related("user", "area").order_by("area__path", "tier", "pk")


def mediator_get(*, actor, mediator_id: Any) -> Mediator:
    return get_scoped_or_404(
        Mediator.objects.filter(area_q(actor, MANAGE_CASES)).select_related("user", "area"), pk=mediator_id
    )


def advisers_of(
    *, actor, county: Area, area: Area | None = None, active: bool | None = None
) -> QuerySet[LegalAdviser]:
    """一村一法律顾问: the county's legal advisers, by village."""
    county = county_for(actor, county.pk)
    qs = LegalAdviser.objects.filter(area__path__startswith=county.path)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.select_related("area").order_by("area__path", "pk")


def adviser_get(*, actor, adviser_id: Any) -> LegalAdviser:
    return get_scoped_or_404(
        LegalAdviser.objects.filter(area_q(actor, MANAGE_CASES)).select_related("area"), pk=adviser_id
    )


def villages_without_adviser(*, actor, county: Area) -> QuerySet[Area]:
    county = county_for(actor, county.pk)
    serving = LegalAdviser.objects.filter(area=OuterRef("pk"), active=True)
    return county_areas(county=county, kinds=SETUP_VILLAGE_KINDS).filter(~Exists(serving))


def categories_admin(
    *, actor, county: Area, kind: str = "", q: str = "", own: bool = False
) -> QuerySet[Category]:
    """The categories a county has: its own (copies of defaults and new ones, in force or not) and
    the defaults it has not replaced."""
    county = county_for(actor, county.pk)
    mine = Category.objects.filter(county=county)
    qs = (
        mine
        if own
        else Category.objects.filter(
            Q(county=county) | Q(county__isnull=True) & ~Q(code__in=mine.values("code"))
        )
    )
    if kind:
        qs = qs.filter(kind=kind)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__icontains=q) | Q(group__contains=q))
    return qs.order_by("order", "code")


def category_for_edit(*, actor, county: Area, code: str) -> Category:
    """The county's own row for ``code``, else the default it would copy; NotFound for neither."""
    county = county_for(actor, county.pk)
    found = (
        Category.objects.filter(county=county, code=code).first()
        or Category.objects.filter(county__isnull=True, code=code).first()
    )
    if found is None:
        raise NotFound()
    return found


def category_code_taken(*, actor, county: Area, code: str) -> bool:
    """Whether the county already has a category of ``code`` (its own, or a default in force)."""
    return categories_admin(actor=actor, county=county).filter(code=code).exists()


def clients_of(*, actor, county: Area) -> QuerySet[Open311Client]:
    """The county's Open311 client systems: in use first, then revoked; with when each was last used."""
    county = county_for(actor, county.pk)
    return (
        Open311Client.objects.filter(county=county)
        .select_related("created_by")
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-pk")
    )


def client_get(*, actor, client_id: Any) -> Open311Client:
    return get_scoped_or_404(
        Open311Client.objects.filter(area_q(actor, MANAGE_CASES, field="county")).select_related("county"),
        pk=client_id,
    )


def setup_summary(*, actor, county: Area) -> dict[str, int]:
    """What the setup index shows for a county, a handful of counts."""
    county = county_for(actor, county.pk)
    inside = {"area__path__startswith": county.path}
    return {
        "departments": Department.objects.filter(active=True, **inside).count(),
        "staff": DepartmentStaff.objects.filter(
            department__active=True, department__area__path__startswith=county.path
        ).count(),
        "mediators": Mediator.objects.filter(active=True, **inside).count(),
        "advisers": LegalAdviser.objects.filter(active=True, **inside).count(),
        "villages_without_adviser": villages_without_adviser(actor=actor, county=county).count(),
        "own_categories": Category.objects.filter(county=county).count(),
        "clients": Open311Client.objects.filter(county=county, revoked_at__isnull=True).count(),
    }


def ledger_cases(*, actor, org: Org | None, period, kinds: tuple[str, ...] = ()) -> QuerySet[Case]:
    """The cases a ledger lists: those the actor may see (cases_for), placed in ``org``'s area
    subtree (None: all of them), received in ``period`` (queries.in_period), of ``kinds``; in the
    order they came in."""
    from .queries import in_period

    qs = cases_for(actor)
    if org is not None:
        qs = qs.filter(area__path__startswith=org.area.path) if org.area is not None else qs.none()
    if period is not None:
        qs = in_period(qs, period.start, period.end)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("received_at", "pk")
