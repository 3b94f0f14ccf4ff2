"""Grid pages: the grids in scope, one grid (its households, residents, members, units, duties,
visits and open requests), the phone form of a visit, visits and units, coverage, and the address
look-up. Thin: parse with a form, call a selector or a service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jiceng.core import indicators, lookup, photos
from jiceng.core import selectors as core_selectors
from jiceng.core.errors import DomainError
from jiceng.core.models import AreaKind
from jiceng.core.periods import parse_period
from jiceng.core.roles import Perm
from jiceng.core.scoping import can_access_area, can_access_org, has_perm_anywhere
from jiceng.core.web import form_errors, needs

from . import selectors, services
from .forms import (
    DutyEndForm,
    DutyForm,
    GridFilterForm,
    MoveForm,
    UnitFilterForm,
    UnitForm,
    VisitFilterForm,
    VisitForm,
    WhereForm,
    household_label,
)
from .plugin import MANAGE_GRID, RECORD_VISIT, VIEW_GRID

PAGE = 50


def _query_without(request: HttpRequest, *keys: str) -> str:
    query = request.GET.copy()
    for k in keys:
        query.pop(k, None)
    return query.urlencode()


def _render(request: HttpRequest, template: str, ctx: dict) -> HttpResponse:
    ctx.setdefault("can_manage", has_perm_anywhere(request.user, MANAGE_GRID))
    ctx.setdefault("can_record", has_perm_anywhere(request.user, RECORD_VISIT))
    return render(request, template, ctx)


# --- grids -----------------------------------------------------------------------------------------


@login_required
@needs(VIEW_GRID)
def grid_list(request: HttpRequest) -> HttpResponse:
    form = GridFilterForm(request.GET or None, villages=selectors.grid_villages(actor=request.user))
    filters: dict = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {
            "village": selectors.village_get(actor=request.user, area_id=d["village"])
            if d["village"]
            else None,
            "no_worker": d["no_worker"],
            "q": d["q"].strip(),
        }
    page = Paginator(selectors.grids_for(actor=request.user, **filters), PAGE).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        "grids/grid_list.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.grid_rows(actor=request.user, grids=list(page.object_list)),
            "query": _query_without(request, "page"),
        },
    )


@login_required
@needs(VIEW_GRID)
def grid_detail(request: HttpRequest, grid_id: int) -> HttpResponse:
    actor = request.user
    grid = selectors.grid_get(actor=actor, grid_id=grid_id)
    q = request.GET.get("q", "").strip()
    q_error = (
        f"搜索词：最多{selectors.WHERE_MAX}个字（现为{len(q)}个），请缩短后再查。"
        if len(q) > selectors.WHERE_MAX
        else ""
    )
    households = Paginator(selectors.grid_households(actor=actor, grid=grid), PAGE).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        "grids/grid_detail.html",
        {
            "grid": grid,
            "summary": selectors.grid_summary(actor=actor, grid=grid),
            "page": households,
            "query": _query_without(request, "page"),
            "q": q,
            "q_error": q_error,
            "residents": []
            if q_error or not q
            else list(selectors.grid_residents(actor=actor, grid=grid, q=q)[:30]),
            "members": list(selectors.grid_members(actor=actor, grid=grid)[:100]),
            "units": list(selectors.units_for(actor=actor, grid=grid)[:100]),
            "duties": list(selectors.duties_for(actor=actor, grid=grid)),
            "groups": list(selectors.party_groups(actor=actor, grid=grid)),
            "visits": list(selectors.visits_for(actor=actor, grid=grid)[:20]),
            "cases": selectors.open_cases(actor=actor, grid=grid),
            "can_manage": can_access_area(actor, MANAGE_GRID, grid),
            "can_record": can_access_area(actor, RECORD_VISIT, grid),
        },
    )


# --- visits ----------------------------------------------------------------------------------------


def _visit_form(request: HttpRequest, grid, data=None, files=None, initial=None) -> VisitForm:
    actor = request.user
    return VisitForm(
        data,
        files,
        initial=initial,
        grid=grid,
        households=selectors.visit_household_choices(actor=actor, grid=grid),
        people=selectors.visit_person_choices(actor=actor, grid=grid),
        units=list(selectors.visit_units(actor=actor, grid=grid)),
    )


@login_required
@needs(RECORD_VISIT)
def visit_create(request: HttpRequest, grid_id: int) -> HttpResponse:
    grid = selectors.grid_get(actor=request.user, grid_id=grid_id, perm=RECORD_VISIT)
    if request.method == "POST":
        form = _visit_form(request, grid, request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                visit = services.visit_record(
                    actor=request.user,
                    grid=grid,
                    kind=d["kind"],
                    visited_on=d["visited_on"],
                    household=d["household"],
                    unit=d["unit"],
                    person=d["person"],
                    asked_needs=d["asked_needs"],
                    asked_difficulties=d["asked_difficulties"],
                    asked_suggestions=d["asked_suggestions"],
                    sent_warmth=d["sent_warmth"],
                    sent_policy=d["sent_policy"],
                    sent_service=d["sent_service"],
                    notes=d["notes"],
                    follow_up=d["follow_up"],
                    photos_in=d["photos"] or [],
                )
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Visit recorded."))
                return redirect("visit_detail", visit_id=visit.pk)
    else:
        initial = {"kind": "visit", "visited_on": timezone.localdate()}
        for key in ("household", "unit", "person", "kind"):
            if request.GET.get(key):
                initial[key] = request.GET[key]
        form = _visit_form(request, grid, initial=initial)
    return _render(
        request,
        "grids/visit_form.html",
        {"grid": grid, "form": form, "files_lost": request.method == "POST" and bool(request.FILES)},
    )


@login_required
@needs(VIEW_GRID)
def visit_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = VisitFilterForm(request.GET or None, grids=selectors.grids_for(actor=actor))
    filters: dict = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {
            "grid": selectors.grid_get(actor=actor, grid_id=d["grid"]) if d["grid"] else None,
            "kind": d["kind"],
            "since": d["since"],
            "until": d["until"],
        }
    page = Paginator(selectors.visits_for(actor=actor, **filters), PAGE).get_page(request.GET.get("page"))
    ledger = _ledger_query(filters)
    return _render(
        request,
        "grids/visit_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without(request, "page"),
            "ledger_query": ledger,
            "can_export": has_perm_anywhere(actor, Perm.EXPORT_PERSONAL),
        },
    )


def _ledger_query(filters: dict) -> str:
    q = QueryDict(mutable=True)
    today = timezone.localdate()
    since, until = filters.get("since"), filters.get("until")
    q["period"] = f"{since or today.replace(year=today.year - 1):%Y-%m-%d}..{until or today:%Y-%m-%d}"
    if filters.get("kind"):
        q["kind"] = filters["kind"]
    q["format"] = "xlsx"
    return q.urlencode()


@login_required
@needs(VIEW_GRID)
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = selectors.visit_get(actor=request.user, visit_id=visit_id)
    return _render(
        request,
        "grids/visit_detail.html",
        {
            "visit": visit,
            "photos": selectors.visit_photos(actor=request.user, visit=visit),
            "can_audit": can_access_area(request.user, Perm.VIEW_AUDIT, visit.grid),
        },
    )


@login_required
@require_GET
@needs(VIEW_GRID)
def visit_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    """Photos are served only through here, scoped; MEDIA_ROOT is not published."""
    photo = selectors.photo_get(actor=request.user, photo_id=photo_id)
    return photos.response(photo.name, photo.content_type)


# --- duties ----------------------------------------------------------------------------------------


@login_required
@needs(MANAGE_GRID)
def duty_create(request: HttpRequest, grid_id: int) -> HttpResponse:
    actor = request.user
    grid = selectors.grid_get(actor=actor, grid_id=grid_id, perm=MANAGE_GRID)
    village = selectors.grid_village(actor=actor, grid=grid)
    kwargs = {
        "village": village or grid,
        "people": selectors.duty_person_choices(actor=actor, grid=grid),
        "users": list(selectors.duty_user_choices(actor=actor, grid=grid)),
    }
    if request.method == "POST":
        form = DutyForm(request.POST, **kwargs)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.duty_assign(
                    actor=actor,
                    grid=grid,
                    duty=d["duty"],
                    person=d["person"],
                    user=d["user"],
                    name=d["name"],
                    from_date=d["from_date"],
                    to_date=d["to_date"],
                )
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Duty assigned."))
                return redirect("grid_detail", grid_id=grid.pk)
    else:
        form = DutyForm(
            initial={"duty": request.GET.get("duty") or "grid_worker", "from_date": timezone.localdate()},
            **kwargs,
        )
    return _render(request, "grids/duty_form.html", {"grid": grid, "form": form})


@login_required
@needs(MANAGE_GRID)
def duty_end(request: HttpRequest, duty_id: int) -> HttpResponse:
    duty = selectors.duty_get(actor=request.user, duty_id=duty_id)
    form = DutyEndForm(
        request.POST if request.method == "POST" else None, initial={"to_date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.duty_end(actor=request.user, duty=duty, to_date=form.cleaned_data["to_date"])
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Duty ended."))
            return redirect("grid_detail", grid_id=duty.grid_id)
    return _render(request, "grids/duty_end.html", {"duty": duty, "form": form})


# --- units -----------------------------------------------------------------------------------------


@login_required
@needs(VIEW_GRID)
def unit_list(request: HttpRequest) -> HttpResponse:
    form = UnitFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {"q": d["q"].strip(), "kind": d["kind"], "outside": d["outside"]}
    page = Paginator(selectors.units_for(actor=request.user, **filters), PAGE).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        "grids/unit_list.html",
        {"form": form, "page": page, "query": _query_without(request, "page")},
    )


def _unit_fields(d: dict, actor) -> dict:
    return {
        "area": selectors.unit_place(actor=actor, area_id=d["area"]),
        "name": d["name"],
        "kind": d["kind"],
        "uscc": d["uscc"],
        "address": d["address"],
    }


@login_required
@needs(MANAGE_GRID)
def unit_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    places = selectors.unit_places(actor=actor)
    if request.method == "POST":
        form = UnitForm(request.POST, places=places)
        if form.is_valid():
            try:
                unit = services.unit_create(actor=actor, **_unit_fields(form.cleaned_data, actor))
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Unit registered."))
                return redirect(f"{reverse('unit_list')}?{urlencode({'q': unit.name})}")
    else:
        form = UnitForm(initial={"area": request.GET.get("area") or None, "kind": "shop"}, places=places)
    return _render(request, "grids/unit_form.html", {"form": form, "unit": None})


@login_required
@needs(MANAGE_GRID)
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = request.user
    unit = selectors.unit_get(actor=actor, unit_id=unit_id, perm=MANAGE_GRID)
    places = selectors.unit_places(actor=actor)
    if request.method == "POST":
        form = UnitForm(request.POST, places=places)
        if form.is_valid():
            try:
                services.unit_update(actor=actor, unit=unit, **_unit_fields(form.cleaned_data, actor))
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Unit saved."))
                return redirect("unit_edit", unit_id=unit.pk)
    else:
        form = UnitForm(
            initial={
                "name": unit.name,
                "kind": unit.kind,
                "uscc": unit.uscc,
                "area": unit.area_id,
                "address": unit.address,
            },
            places=places,
        )
    return _render(
        request,
        "grids/unit_form.html",
        {
            "form": form,
            "unit": unit,
            "visits": list(selectors.unit_visits(actor=actor, unit=unit)[:20]),
            "can_audit": can_access_area(actor, Perm.VIEW_AUDIT, unit.area),
        },
    )


@login_required
@needs(MANAGE_GRID)
def household_move(request: HttpRequest, household_id: int) -> HttpResponse:
    actor = request.user
    household = selectors.household_get(actor=actor, household_id=household_id)
    village = selectors.village_of(actor=actor, area=household.area)
    grids = selectors.grids_for(actor=actor, perm=MANAGE_GRID, village=village)
    form = MoveForm(request.POST if request.method == "POST" else None, grids=grids, within=village)
    if request.method == "POST" and form.is_valid():
        grid = selectors.grid_get(actor=actor, grid_id=form.cleaned_data["grid"], perm=MANAGE_GRID)
        try:
            services.household_move(actor=actor, household=household, grid=grid)
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Household put into the grid."))
            return redirect("grid_detail", grid_id=grid.pk)
    return _render(request, "grids/household_move.html", {"household": household, "form": form})


# --- coverage and the address look-up ------------------------------------------------------------


@login_required
@needs(VIEW_GRID)
def grid_coverage(request: HttpRequest) -> HttpResponse:
    actor = request.user
    org = core_selectors.org_or_top(actor=actor, org_id=request.GET.get("org"))
    try:
        period = parse_period(request.GET.get("period"))
    except DomainError:
        period = parse_period(None)
    names = list(selectors.COVERAGE)
    source = indicators.compute_many(actor=actor, names=[*names, "grids.visits"], org=org, period=period)
    figures = []
    for name in names:
        rows, _personal = (
            core_selectors.figure_rows(actor=actor, name=name, org=org, period=period)
            if can_access_org(actor, Perm.VIEW_MEMBER, org)
            else (None, False)
        )
        figures.append(
            {
                "name": name,
                "label": indicators.get(name).label,
                "value": source.values[name].value,
                "rows": list(rows[:10]) if rows is not None else [],
            }
        )
    return _render(
        request,
        "grids/coverage.html",
        {
            "org": org,
            "period": period,
            "figures": figures,
            "visits": source.values["grids.visits"].value,
            "source": source,
            "children": core_selectors.org_children(actor=actor, org=org),
        },
    )


@login_required
@needs(VIEW_GRID)
def grid_where(request: HttpRequest) -> HttpResponse:
    form = WhereForm(request.GET or None)
    places: list = []
    problem = ""
    q = ""
    if form.is_bound and form.is_valid():
        q = form.cleaned_data["q"].strip()
        problem = (selectors.where_problem(q) or "") if q else ""
        if q and not problem:
            places = selectors.where(actor=request.user, q=q)
    return _render(request, "grids/where.html", {"form": form, "places": places, "problem": problem, "q": q})


# --- searchable selects ----------------------------------------------------------------------------


_LOOKUP_KINDS = {AreaKind.GRID, AreaKind.VILLAGE, AreaKind.COMMUNITY, AreaKind.ESTATE}


@never_cache
@login_required
@require_GET
@needs(VIEW_GRID)
def grid_area_lookup(request: HttpRequest) -> HttpResponse:
    """Options for the grid (or village) selects: ?q=, kind= (comma-separated: grid, village,
    community, estate), perm= (view_grid or manage_grid), within= (an area in scope, else 404)."""
    try:
        q = lookup.search_term(request)
    except DomainError as exc:
        return lookup.refused(request, exc)
    kinds = tuple(k for k in request.GET.get("kind", "grid").split(",") if k)
    perm = request.GET.get("perm") or VIEW_GRID
    if (
        not kinds
        or any(k not in _LOOKUP_KINDS for k in kinds)
        or perm not in (VIEW_GRID, MANAGE_GRID, RECORD_VISIT)
    ):
        return lookup.refused(
            request, DomainError(field="kind", message="类型：只能查网格、村、社区或小区。")
        )
    within = request.GET.get("within")
    area = selectors.area_in_scope(actor=request.user, area_id=within) if within else None
    rows = selectors.area_lookup(
        actor=request.user, q=q, perm=perm, kinds=kinds, within=area, limit=lookup.LIMIT + 1
    )
    return lookup.options(request, [(a.pk, a.name) for a in rows], q=q)


@never_cache
@login_required
@require_GET
@needs(VIEW_GRID)
def grid_household_lookup(request: HttpRequest, grid_id: int) -> HttpResponse:
    grid = selectors.grid_get(actor=request.user, grid_id=grid_id)
    try:
        q = lookup.search_term(request)
    except DomainError as exc:
        return lookup.refused(request, exc)
    rows = selectors.visit_household_choices(actor=request.user, grid=grid, q=q)[: lookup.LIMIT + 1]
    return lookup.options(request, [(h.pk, household_label(h)) for h in rows], q=q)


@never_cache
@login_required
@require_GET
@needs(VIEW_GRID)
def grid_person_lookup(request: HttpRequest, grid_id: int) -> HttpResponse:
    grid = selectors.grid_get(actor=request.user, grid_id=grid_id)
    try:
        q = lookup.search_term(request)
    except DomainError as exc:
        return lookup.refused(request, exc)
    rows = selectors.visit_person_choices(actor=request.user, grid=grid, q=q)[: lookup.LIMIT + 1]
    return lookup.options(request, [(p.pk, p.name) for p in rows], q=q)
