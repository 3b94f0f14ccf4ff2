"""Pages of the county's setup (MANAGE_CASES: departments and their staff, mediators, legal
advisers, categories, Open311 client systems) and of the township's and village's routine work
(MANAGE_DUTY: the duty roster, the monthly dispute routine, the three lists). Thin: parse with a
form, read through a selector, write through a service (setup.py, routine.py), render. Writes on a
list page name their record in the form (``department``, ``mediator`` …), read back through the
scoped selector: a record out of reach is a 404 like a missing one."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import Area
from jiceng.core.scoping import has_perm_anywhere
from jiceng.core.web import form_errors, needs

from . import routine, routine_selectors, selectors, setup
from .models import PRIVATE_KINDS, Level, ListItemKind, MediatorTier
from .plugin import MANAGE_CASES, MANAGE_DUTY
from .setup_forms import (
    AdviserFilterForm,
    AdviserForm,
    AreaFilterForm,
    CategoryFilterForm,
    CategoryForm,
    ClientForm,
    CloseForm,
    DepartmentForm,
    ListFilterForm,
    MediatorFilterForm,
    MediatorForm,
    MeetingForm,
    MilestoneDoneForm,
    MilestoneForm,
    NeedForm,
    ProjectForm,
    RenameForm,
    ResourceForm,
    ScreeningForm,
    ShiftForm,
    StaffForm,
    UserSearchForm,
    category_initial,
    parse_month,
)

PER_PAGE = 50
CANDIDATES_SHOWN = 50
WEEKDAYS = "一二三四五六日"


# --- helpers -----------------------------------------------------------------------------------------


def _page(request: HttpRequest, rows, per: int = PER_PAGE):
    return Paginator(rows, per).get_page(request.GET.get("page"))


def _query_without(request: HttpRequest, *keys: str) -> str:
    query = request.GET.copy()
    for k in keys:
        query.pop(k, None)
    return query.urlencode()


def _url(name: str, *args: Any, **query: Any) -> str:
    base = reverse(name, args=args)
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{base}?{urlencode(query)}" if query else base


def _attempt(request: HttpRequest, form, call: Callable[[], Any], done: str, to: str):
    """Run ``call`` (a service) when ``form`` is valid: a redirect to ``to`` with ``done`` said, or
    None with the service's errors on the form."""
    if not form.is_valid():
        return None
    try:
        call()
    except DomainError as exc:
        form_errors(form, exc)
        return None
    messages.success(request, done)
    return redirect(to)


def _refused(request: HttpRequest, exc: DomainError, to: str):
    for m in exc.as_list():
        messages.error(request, m["message"])
    return redirect(to)


def _labelled(areas: list[Area]) -> list[tuple[int, str]]:
    """Areas as select options, a village with its township ("甲镇 · 一村")."""
    above = routine_selectors.parents(areas)
    out = []
    for a in areas:
        parent = above.get(a.path[: -Area.steplen])
        out.append(
            (a.pk, f"{parent.name} · {a.name}" if parent and a.kind in ("village", "community") else a.name)
        )
    return out


def _month(request: HttpRequest) -> dt.date:
    """``?month=2026-05`` (or posted), else this month; a month not yet begun is this month."""
    this = timezone.localdate().replace(day=1)
    month = parse_month(request.POST.get("month") or request.GET.get("month"))
    return month if month is not None and month <= this else this


def _months_around(month: dt.date) -> dict[str, dt.date | None]:
    prev = (month - dt.timedelta(days=1)).replace(day=1)
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return {"prev": prev, "next": nxt if nxt <= timezone.localdate().replace(day=1) else None}


def _county(request: HttpRequest) -> Area:
    return selectors.county_for(request.user, request.POST.get("county") or request.GET.get("county"))


def _setup_ctx(request: HttpRequest, county: Area, **ctx) -> dict:
    return {"county": county, "counties": selectors.counties_for(request.user), **ctx}


# --- the setup index -----------------------------------------------------------------------------------


@login_required
def setup_index(request: HttpRequest) -> HttpResponse:
    actor = request.user
    admin, duty = has_perm_anywhere(actor, MANAGE_CASES), has_perm_anywhere(actor, MANAGE_DUTY)
    if not (admin or duty):
        raise NotFound()
    ctx: dict[str, Any] = {"admin": admin, "duty": duty}
    if admin:
        county = _county(request)
        ctx.update(_setup_ctx(request, county, summary=selectors.setup_summary(actor=actor, county=county)))
    if duty:
        today = timezone.localdate()
        last = routine_selectors.last_months(2, today)[1]
        ctx.update(
            today=today,
            last_month=last,
            uncovered=routine_selectors.uncovered(actor=actor, day=today).count(),
            gaps=routine_selectors.routine_gaps(actor=actor, months=[last]).count(),
            overdue=routine_selectors.overdue_projects(actor=actor).count(),
            unmatched=routine_selectors.unmatched_needs(actor=actor).count(),
        )
    return render(request, "cases/setup_index.html", ctx)


# --- departments --------------------------------------------------------------------------------------


@login_required
@needs(MANAGE_CASES)
def setup_departments(request: HttpRequest) -> HttpResponse:
    actor = request.user
    county = _county(request)
    departments = list(selectors.departments_of(actor=actor, county=county))
    by_id = {d.pk: d for d in departments}
    areas = list(selectors.county_areas(county=county, kinds=("county", "township", "subdistrict")))
    area_by_id = {a.pk: a for a in areas}
    choices = {
        "area": [(a.pk, a.name) for a in areas],
        "parent": [("", "—")] + [(d.pk, f"{'　' * (d.depth - 1)}{d.name}") for d in departments if d.active],
    }
    add_form = DepartmentForm(choices=choices)
    picked = request.POST.get("department") or request.GET.get("department")
    current = by_id.get(selectors.department_get(actor=actor, department_id=picked).pk) if picked else None
    if picked and current is None:
        raise NotFound()  # a department of another county the actor also sets up
    here = _url("cases_setup_departments", county=county.pk, department=current.pk if current else None)
    search = UserSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    rename_form = RenameForm(initial={"name": current.name}) if current else None
    staff_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            add_form = DepartmentForm(request.POST, choices=choices)
            d = add_form.cleaned_data if add_form.is_valid() else {}
            done = _attempt(
                request,
                add_form,
                lambda: setup.add_department(
                    actor=actor,
                    area=area_by_id[d["area"]],
                    name=d["name"],
                    code=d["code"],
                    parent=by_id.get(d["parent"]) if d.get("parent") else None,
                ),
                _("Department added."),
                _url("cases_setup_departments", county=county.pk),
            )
            if done:
                return done
        elif current is not None and action == "rename":
            rename_form = RenameForm(request.POST)
            done = _attempt(
                request,
                rename_form,
                lambda: setup.rename_department(
                    actor=actor, department=current, name=rename_form.cleaned_data["name"]
                ),
                _("Department renamed."),
                here,
            )
            if done:
                return done
        elif current is not None and action in ("deactivate", "activate"):
            setup.set_department_active(actor=actor, department=current, active=action == "activate")
            messages.success(
                request,
                _("Department deactivated.") if action == "deactivate" else _("Department reactivated."),
            )
            return redirect(here)
        elif current is not None and action == "add_staff":
            user = selectors.staff_candidate(
                actor=actor, county=county, user_id=request.POST.get("user"), department=current
            )
            staff_form = StaffForm(request.POST, choices={"user": [(user.pk, str(user))] if user else []})
            done = _attempt(
                request,
                staff_form,
                lambda: setup.add_department_staff(actor=actor, department=current, user=user),
                _("Staff added."),
                here,
            )
            if done:
                return done
        elif action == "remove_staff":
            staff = selectors.staff_get(actor=actor, staff_id=request.POST.get("staff"))
            setup.remove_department_staff(actor=actor, staff=staff)
            messages.success(request, _("Staff removed."))
            return redirect(_url("cases_setup_departments", county=county.pk, department=staff.department_id))
    staff = candidates = None
    if current is not None:
        staff = list(selectors.staff_of(department=current))
        found = list(
            selectors.staff_candidates(actor=actor, county=county, q=q, department=current)[:CANDIDATES_SHOWN]
        )
        candidates = len(found)
        if staff_form is None:
            staff_form = StaffForm(choices={"user": [(u.pk, f"{u.username}（{u}）") for u in found]})
    return render(
        request,
        "cases/setup_departments.html",
        _setup_ctx(
            request,
            county,
            page=_page(request, departments),
            query=_query_without(request, "page"),
            add_form=add_form,
            current=current,
            rename_form=rename_form,
            staff=staff,
            staff_form=staff_form,
            search=search,
            candidates=candidates,
        ),
    )


# --- mediators ------------------------------------------------------------------------------------------

MEDIATOR_AREA_KINDS = ("village", "community", "township", "subdistrict")


@login_required
@needs(MANAGE_CASES)
def setup_mediators(request: HttpRequest) -> HttpResponse:
    actor = request.user
    county = _county(request)
    areas = list(selectors.county_areas(county=county, kinds=MEDIATOR_AREA_KINDS))
    area_by_id = {a.pk: a for a in areas}
    area_choices = _labelled(areas)
    filters = MediatorFilterForm(request.GET or None, choices={"area": [("", "—"), *area_choices]})
    f = filters.cleaned_data if filters.is_valid() else {}
    search = UserSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    here = _url("cases_setup_mediators", county=county.pk)
    form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("retire", "reinstate"):
            mediator = selectors.mediator_get(actor=actor, mediator_id=request.POST.get("mediator"))
            setup.set_mediator_active(actor=actor, mediator=mediator, active=action == "reinstate")
            messages.success(
                request, _("Mediator retired.") if action == "retire" else _("Mediator reinstated.")
            )
            return redirect(request.get_full_path())
        if action == "add":
            user = selectors.staff_candidate(actor=actor, county=county, user_id=request.POST.get("user"))
            form = MediatorForm(
                request.POST, choices={"area": area_choices, "user": [(user.pk, str(user))] if user else []}
            )
            d = form.cleaned_data if form.is_valid() else {}
            done = _attempt(
                request,
                form,
                lambda: setup.add_mediator(
                    actor=actor, area=area_by_id[d["area"]], user=user, tier=d["tier"]
                ),
                _("Mediator added."),
                here,
            )
            if done:
                return done
    found = list(selectors.staff_candidates(actor=actor, county=county, q=q)[:CANDIDATES_SHOWN])
    if form is None:
        form = MediatorForm(
            choices={"area": area_choices, "user": [(u.pk, f"{u.username}（{u}）") for u in found]}
        )
    rows = selectors.mediators_of(
        actor=actor,
        county=county,
        tier=f.get("tier") or "",
        area=area_by_id.get(f.get("area")) if f.get("area") else None,
        active=None if f.get("retired") else True,
    )
    return render(
        request,
        "cases/setup_mediators.html",
        _setup_ctx(
            request,
            county,
            page=_page(request, rows),
            query=_query_without(request, "page"),
            filters=filters,
            search=search,
            form=form,
            tiers=MediatorTier.choices,
        ),
    )


# --- legal advisers ----------------------------------------------------------------------------------------


@login_required
@needs(MANAGE_CASES)
def setup_advisers(request: HttpRequest) -> HttpResponse:
    actor = request.user
    county = _county(request)
    areas = list(
        selectors.county_areas(county=county, kinds=("township", "subdistrict", "village", "community"))
    )
    villages = [a for a in areas if a.kind in ("village", "community")]
    area_by_id = {a.pk: a for a in areas}
    village_choices = _labelled(villages)
    filters = AdviserFilterForm(request.GET or None, choices={"area": [("", "—"), *_labelled(areas)]})
    f = filters.cleaned_data if filters.is_valid() else {}
    form = AdviserForm(choices={"area": village_choices})
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("retire", "reinstate"):
            adviser = selectors.adviser_get(actor=actor, adviser_id=request.POST.get("adviser"))
            try:
                setup.set_legal_adviser_active(actor=actor, adviser=adviser, active=action == "reinstate")
            except DomainError as exc:
                return _refused(request, exc, request.get_full_path())
            messages.success(request, _("Legal adviser updated."))
            return redirect(request.get_full_path())
        if action == "add":
            form = AdviserForm(request.POST, choices={"area": village_choices})
            d = form.cleaned_data if form.is_valid() else {}
            done = _attempt(
                request,
                form,
                lambda: setup.add_legal_adviser(
                    actor=actor, area=area_by_id[d["area"]], name=d["name"], firm=d["firm"], phone=d["phone"]
                ),
                _("Legal adviser added."),
                _url("cases_setup_advisers", county=county.pk),
            )
            if done:
                return done
    rows = selectors.advisers_of(
        actor=actor,
        county=county,
        area=area_by_id.get(f.get("area")) if f.get("area") else None,
        active=None if f.get("retired") else True,
    )
    without = selectors.villages_without_adviser(actor=actor, county=county)
    return render(
        request,
        "cases/setup_advisers.html",
        _setup_ctx(
            request,
            county,
            page=_page(request, rows),
            query=_query_without(request, "page"),
            filters=filters,
            form=form,
            without=_labelled(list(without[:PER_PAGE])),
            without_count=without.count(),
        ),
    )


# --- categories ------------------------------------------------------------------------------------------

LEVEL_SHORT = {Level.GRID: "网格", Level.VILLAGE: "村", Level.TOWNSHIP: "镇", Level.COUNTY: "县"}


@login_required
@needs(MANAGE_CASES)
def setup_categories(request: HttpRequest) -> HttpResponse:
    actor = request.user
    county = _county(request)
    filters = CategoryFilterForm(request.GET or None)
    f = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.categories_admin(
        actor=actor, county=county, kind=f.get("kind") or "", q=f.get("q") or "", own=bool(f.get("own"))
    )
    page = _page(request, rows)
    items = [
        {
            "cat": c,
            "own": c.county_id == county.pk,
            "routing": " / ".join(
                LEVEL_SHORT.get(int(c.routing.get(s, 1)), "?")
                for s in ("minor", "normal", "serious", "major")
            ),
        }
        for c in page
    ]
    return render(
        request,
        "cases/setup_categories.html",
        _setup_ctx(
            request, county, page=page, items=items, filters=filters, query=_query_without(request, "page")
        ),
    )


def _category_page(request: HttpRequest, county: Area, form: CategoryForm, base=None) -> HttpResponse:
    return render(request, "cases/setup_category.html", _setup_ctx(request, county, form=form, base=base))


@login_required
@needs(MANAGE_CASES)
def setup_category(request: HttpRequest, category_code: str) -> HttpResponse:
    """A category as the county has it; saving writes the county's own copy (setup.save_category),
    the default stays as it is for the other counties."""
    actor = request.user
    county = _county(request)
    base = selectors.category_for_edit(actor=actor, county=county, code=category_code)
    private = base.kind in PRIVATE_KINDS
    if request.method == "POST":
        form = CategoryForm(request.POST, new=False, private=private, initial=category_initial(base))
        done = _attempt(
            request,
            form,
            lambda: setup.save_category(
                actor=actor, county=county, code=base.code, data=form.data_for_service()
            ),
            _("Category saved for the county."),
            _url("cases_setup_categories", county=county.pk),
        )
        if done:
            return done
    else:
        form = CategoryForm(new=False, private=private, initial=category_initial(base))
    return _category_page(request, county, form, base)


@login_required
@needs(MANAGE_CASES)
def setup_category_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    county = _county(request)
    initial = {
        "route_minor": "1",
        "route_normal": "1",
        "route_serious": "2",
        "route_major": "2",
        "respond_hours": 24,
        "promise_workdays": 5,
        "active": True,
    }
    if request.method == "POST":
        form = CategoryForm(request.POST, new=True, initial=initial)
        if form.is_valid() and selectors.category_code_taken(
            actor=actor, county=county, code=form.cleaned_data["code"]
        ):
            form.add_error("code", "代码：本县已有该代码的类别（或同代码的默认类别），请在列表中修改它。")
        done = _attempt(
            request,
            form,
            lambda: setup.save_category(
                actor=actor, county=county, code=form.cleaned_data["code"], data=form.data_for_service()
            ),
            _("Category added."),
            _url("cases_setup_categories", county=county.pk),
        )
        if done:
            return done
    else:
        form = CategoryForm(new=True, initial=initial)
    return _category_page(request, county, form)


# --- Open311 client systems --------------------------------------------------------------------------------


@never_cache
@login_required
@needs(MANAGE_CASES)
def setup_clients(request: HttpRequest) -> HttpResponse:
    actor = request.user
    county = _county(request)
    form = ClientForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            client = selectors.client_get(actor=actor, client_id=request.POST.get("client"))
            setup.revoke_client(actor=actor, client=client)
            messages.success(request, _("Key revoked: the system can no longer post requests."))
            return redirect(_url("cases_setup_clients", county=county.pk))
        if action == "issue":
            form = ClientForm(request.POST)
            if form.is_valid():
                try:
                    client, key = setup.issue_client(
                        actor=actor,
                        county=county,
                        name=form.cleaned_data["name"],
                        channel=form.cleaned_data["channel"],
                    )
                except DomainError as exc:
                    form_errors(form, exc)
                else:
                    # the key is shown on this answer only: it is stored as a digest
                    return render(
                        request,
                        "cases/setup_client_key.html",
                        _setup_ctx(request, county, client=client, key=key),
                    )
    rows = selectors.clients_of(actor=actor, county=county)
    return render(
        request,
        "cases/setup_clients.html",
        _setup_ctx(
            request, county, page=_page(request, rows), form=form, query=_query_without(request, "page")
        ),
    )


# --- the duty roster -----------------------------------------------------------------------------------------


def _area_filters(request: HttpRequest) -> tuple[AreaFilterForm, Area | None, str, bool]:
    towns = routine_selectors.townships(actor=request.user)
    form = AreaFilterForm(
        request.GET or None, choices={"township": [("", "—"), *((t.pk, t.name) for t in towns)]}
    )
    if not form.is_valid():
        return form, None, "", False
    d = form.cleaned_data
    within = (
        routine_selectors.township(actor=request.user, area_id=d["township"]) if d.get("township") else None
    )
    return form, within, d.get("q") or "", bool(d.get("flagged"))


@login_required
@needs(MANAGE_DUTY)
def duty_overview(request: HttpRequest) -> HttpResponse:
    """Every service point in scope with who is on duty today, and those with nobody (每天都有专人值班)."""
    actor = request.user
    today = timezone.localdate()
    filters, within, q, flagged = _area_filters(request)
    points = (
        routine_selectors.uncovered(actor=actor, day=today, within=within, q=q)
        if flagged
        else routine_selectors.service_points(actor=actor, within=within, q=q)
    )
    page = _page(request, points)
    areas = list(page)
    duty = routine_selectors.on_duty(areas=areas, day=today)
    labels = dict(_labelled(areas))
    rows = [{"area": a, "label": labels[a.pk], "people": duty.get(a.pk, [])} for a in areas]
    uncovered = routine_selectors.uncovered(actor=actor, day=today, within=within)
    return render(
        request,
        "cases/routine_duty.html",
        {
            "today": today,
            "filters": filters,
            "page": page,
            "rows": rows,
            "uncovered": _labelled(list(uncovered[:PER_PAGE])),
            "uncovered_count": uncovered.count(),
            "query": _query_without(request, "page"),
        },
    )


@login_required
@needs(MANAGE_DUTY)
def duty_roster(request: HttpRequest, point_id: int) -> HttpResponse:
    actor = request.user
    area = routine_selectors.service_point(actor=actor, area_id=point_id)
    month = _month(request)
    people = list(routine_selectors.duty_candidates(actor=actor, area=area))
    choices = {"user": [(u.pk, str(u)) for u in people]}
    here = _url("cases_duty_roster", area.pk, month=f"{month:%Y-%m}")
    today = timezone.localdate()
    form = ShiftForm(choices=choices, initial={"on": today if month == today.replace(day=1) else month})
    if request.method == "POST":
        form = ShiftForm(request.POST, choices=choices)
        done = _attempt(
            request,
            form,
            lambda: routine.add_shift(
                actor=actor, area=area, on=form.cleaned_data["on"], user_id=form.cleaned_data["user"]
            ),
            _("Put on the roster."),
            _url("cases_duty_roster", area.pk, month=f"{form.cleaned_data.get('on') or month:%Y-%m}")
            if form.is_valid()
            else here,
        )
        if done:
            return done
    shifts = list(routine_selectors.roster(actor=actor, area=area, month=month))
    by_day: dict[dt.date, list] = {}
    for s in shifts:
        by_day.setdefault(s.on, []).append(s)
    days = [
        {
            "on": d,
            "weekday": WEEKDAYS[d.weekday()],
            "shifts": by_day.get(d, []),
            "today": d == today,
            "past": d < today,
        }
        for d in (month.replace(day=n) for n in range(1, calendar.monthrange(month.year, month.month)[1] + 1))
    ]
    return render(
        request,
        "cases/routine_roster.html",
        {
            "area": area,
            "month": month,
            "around": _months_around(month),
            "days": days,
            "form": form,
            "nobody": not people,
            "empty_days": sum(1 for d in days if not d["shifts"] and not d["past"]),
        },
    )


@login_required
@require_POST
@needs(MANAGE_DUTY)
def duty_remove(request: HttpRequest, shift_id: int) -> HttpResponse:
    shift = routine_selectors.shift(actor=request.user, shift_id=shift_id)
    to = _url("cases_duty_roster", shift.area_id, month=f"{shift.on:%Y-%m}")
    try:
        routine.remove_shift(actor=request.user, shift=shift)
    except DomainError as exc:
        return _refused(request, exc, to)
    messages.success(request, _("Taken off the roster."))
    return redirect(to)


# --- the monthly dispute routine --------------------------------------------------------------------------------


@login_required
@needs(MANAGE_DUTY)
def routine_overview(request: HttpRequest) -> HttpResponse:
    """Villages × the last three months: screened? met? report complete? (月排查、月例会、月报告)"""
    actor = request.user
    months = routine_selectors.last_months(3)
    filters, within, q, flagged = _area_filters(request)
    villages = (
        routine_selectors.routine_gaps(actor=actor, months=months[1:], within=within, q=q)
        if flagged
        else routine_selectors.villages(actor=actor, within=within, q=q)
    )
    page = _page(request, villages)
    areas = list(page)
    status = routine_selectors.routine_status(areas=areas, months=months)
    labels = dict(_labelled(areas))
    rows = [
        {"area": a, "label": labels[a.pk], "months": [{"month": m, "s": status[(a.pk, m)]} for m in months]}
        for a in areas
    ]
    return render(
        request,
        "cases/routine_overview.html",
        {
            "months": months,
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": _query_without(request, "page"),
        },
    )


@login_required
@needs(MANAGE_DUTY)
def routine_month(request: HttpRequest, village_id: int) -> HttpResponse:
    actor = request.user
    area = routine_selectors.village(actor=actor, area_id=village_id)
    month = _month(request)
    here = _url("cases_routine_month", area.pk, month=f"{month:%Y-%m}")
    found = routine_selectors.routine(actor=actor, area=area, month=month)
    meeting_initial = (
        {
            "meeting_on": found.meeting_on,
            "attendees": [p for p in found.attendees.split("、") if p in routine.ATTENDEE_ROLES],
            "others": "、".join(
                p for p in found.attendees.split("、") if p and p not in routine.ATTENDEE_ROLES
            ),
            "minutes": found.minutes,
        }
        if found and found.meeting_on
        else {}
    )
    screening_form, meeting_form = ScreeningForm(), MeetingForm(initial=meeting_initial)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "screening":
            screening_form = ScreeningForm(request.POST)
            d = screening_form.cleaned_data if screening_form.is_valid() else {}
            done = _attempt(
                request,
                screening_form,
                lambda: routine.add_screening(actor=actor, area=area, month=month, **d),
                _("Finding recorded."),
                here,
            )
            if done:
                return done
        elif action == "nothing":
            try:
                routine.screened_nothing(actor=actor, area=area, month=month)
            except DomainError as exc:
                return _refused(request, exc, here)
            messages.success(request, _("Recorded: screened, nothing found."))
            return redirect(here)
        elif action == "meeting":
            meeting_form = MeetingForm(request.POST)
            d = meeting_form.cleaned_data if meeting_form.is_valid() else {}
            done = _attempt(
                request,
                meeting_form,
                lambda: routine.record_meeting(actor=actor, area=area, month=month, **d),
                _("Meeting recorded."),
                here,
            )
            if done:
                return done
    return render(
        request,
        "cases/routine_month.html",
        {
            "area": area,
            "month": month,
            "around": _months_around(month),
            "routine": found,
            "items": routine_selectors.screening(routine=found),
            "nothing_found": routine.NOTHING_FOUND,
            "screening_form": screening_form,
            "meeting_form": meeting_form,
        },
    )


@login_required
@require_POST
@needs(MANAGE_DUTY)
def routine_finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    """A screening finding marked resolved (or not), or removed."""
    item = routine_selectors.screening_item(actor=request.user, item_id=finding_id)
    to = _url("cases_routine_month", item.routine.area_id, month=f"{item.routine.month:%Y-%m}")
    action = request.POST.get("action")
    try:
        if action == "remove":
            routine.remove_screening(actor=request.user, item=item)
            messages.success(request, _("Finding removed."))
        elif action in ("resolved", "unresolved"):
            routine.set_screening_resolved(actor=request.user, item=item, resolved=action == "resolved")
            messages.success(request, _("Finding updated."))
    except DomainError as exc:
        return _refused(request, exc, to)
    return redirect(to)


@login_required
@needs(MANAGE_DUTY)
def routine_report(request: HttpRequest, village_id: int) -> HttpResponse:
    """月报告: the month's dispute figures, findings and meeting, with its Excel (the dispute ledger
    for the village's organisation and that month)."""
    actor = request.user
    area = routine_selectors.village(actor=actor, area_id=village_id)
    month = _month(request)
    report = routine_selectors.monthly_report(actor=actor, area=area, month=month)
    org = routine_selectors.report_org(actor=actor, area=area)
    ledger = None
    if org is not None:
        ledger = f"{reverse('ledger_detail', args=['cases.disputes'])}?" + urlencode(
            {"org": org.pk, "period": f"{month:%Y-%m}", "format": "xlsx"}
        )
    return render(
        request,
        "cases/routine_report.html",
        {
            "area": area,
            "month": month,
            "around": _months_around(month),
            "report": report,
            "findings": [i for i in report.items if i.description != routine.NOTHING_FOUND],
            "ledger": ledger,
        },
    )


# --- the three lists ---------------------------------------------------------------------------------------------


@login_required
@needs(MANAGE_DUTY)
def lists_overview(request: HttpRequest) -> HttpResponse:
    actor = request.user
    filters, within, q, flagged = _area_filters(request)
    villages = routine_selectors.list_overview(actor=actor, within=within, flagged=flagged, q=q)
    page = _page(request, villages)
    areas = list(page)
    counts = routine_selectors.list_counts(areas=areas)
    labels = dict(_labelled(areas))
    rows = [{"area": a, "label": labels[a.pk], **counts[a.pk]} for a in areas]
    overdue = routine_selectors.overdue_projects(actor=actor, within=within)
    unmatched = routine_selectors.unmatched_needs(actor=actor, within=within)
    return render(
        request,
        "cases/lists_overview.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": _query_without(request, "page"),
            "overdue": list(overdue[:20]),
            "overdue_count": overdue.count(),
            "unmatched": list(unmatched[:20]),
            "unmatched_count": unmatched.count(),
        },
    )


def _source_choices(actor, area: Area) -> list[tuple[int, str]]:
    labels = {ListItemKind.NEED: _("need"), ListItemKind.RESOURCE: _("resource")}
    return [
        (s.pk, f"{labels[s.kind]}：{s.title}") for s in routine_selectors.open_sources(actor=actor, area=area)
    ]


@login_required
@needs(MANAGE_DUTY)
def lists_village(request: HttpRequest, village_id: int) -> HttpResponse:
    """A village's three lists (需求清单、资源清单、项目清单), one shown at a time, with the forms that add to them."""
    actor = request.user
    area = routine_selectors.village(actor=actor, area_id=village_id)
    filters = ListFilterForm(request.GET or None)
    f = filters.cleaned_data if filters.is_valid() else {}
    kind = f.get("list") or ListItemKind.NEED
    state = f.get("state") or "open"
    sources = _source_choices(actor, area)
    need_form, resource_form = NeedForm(), ResourceForm()
    project_form = ProjectForm(choices={"sources": sources})
    if request.method == "POST":
        action = request.POST.get("action")

        def to(k: str) -> str:
            return _url("cases_lists_village", area.pk, list=k)

        if action == "need":
            need_form = NeedForm(request.POST)
            d = need_form.cleaned_data if need_form.is_valid() else {}
            done = _attempt(
                request,
                need_form,
                lambda: routine.add_need(actor=actor, area=area, **d),
                _("Need added."),
                to("need"),
            )
            kind = ListItemKind.NEED
        elif action == "resource":
            resource_form = ResourceForm(request.POST)
            d = resource_form.cleaned_data if resource_form.is_valid() else {}
            done = _attempt(
                request,
                resource_form,
                lambda: routine.add_resource(actor=actor, area=area, **d),
                _("Resource added."),
                to("resource"),
            )
            kind = ListItemKind.RESOURCE
        elif action == "project":
            project_form = ProjectForm(request.POST, choices={"sources": sources})
            d = project_form.cleaned_data if project_form.is_valid() else {}
            done = _attempt(
                request,
                project_form,
                lambda: routine.add_project(
                    actor=actor,
                    area=area,
                    title=d["title"],
                    detail=d["detail"],
                    source_ids=d["sources"],
                    milestones=project_form.milestone_rows(),
                ),
                _("Project added."),
                to("project"),
            )
            kind = ListItemKind.PROJECT
        else:
            done = None
        if done:
            return done
    rows = routine_selectors.list_items(
        actor=actor, area=area, kind=kind, state="" if state == "all" else state, q=f.get("q") or ""
    )
    return render(
        request,
        "cases/lists_village.html",
        {
            "area": area,
            "kind": kind,
            "kinds": ListItemKind.choices,
            "state": state,
            "filters": filters,
            "page": _page(request, rows),
            "query": _query_without(request, "page"),
            "need_form": need_form,
            "resource_form": resource_form,
            "project_form": project_form,
            "today": timezone.localdate(),
        },
    )


@login_required
@needs(MANAGE_DUTY)
def list_item(request: HttpRequest, list_item_id: int) -> HttpResponse:
    """One need, resource or project; a project's milestones, and closing (挂账销号)."""
    actor = request.user
    item = routine_selectors.list_item(actor=actor, item_id=list_item_id)
    here = reverse("cases_list_item", args=[item.pk])
    close_form, milestone_form = CloseForm(), MilestoneForm()
    if request.method == "POST":
        action = request.POST.get("action")
        done = None
        if action == "close":
            close_form = CloseForm(request.POST)

            def call():
                if item.kind == ListItemKind.PROJECT:
                    return routine.close_project(actor=actor, project=item)
                return routine.close_item(actor=actor, item=item, reason=close_form.cleaned_data["reason"])

            done = _attempt(request, close_form, call, _("Closed (挂账销号)."), here)
        elif action == "milestone":
            milestone_form = MilestoneForm(request.POST)
            d = milestone_form.cleaned_data if milestone_form.is_valid() else {}
            done = _attempt(
                request,
                milestone_form,
                lambda: routine.add_milestone(actor=actor, project=item, **d),
                _("Milestone added."),
                here,
            )
        if done:
            return done
    milestones = routine_selectors.milestones_of(project=item) if item.kind == ListItemKind.PROJECT else []
    today = timezone.localdate()
    return render(
        request,
        "cases/lists_item.html",
        {
            "item": item,
            "milestones": [{"m": m, "overdue": m.done_on is None and m.due_on < today} for m in milestones],
            "left": sum(1 for m in milestones if m.done_on is None),
            "sources": routine_selectors.sources_of(project=item)
            if item.kind == ListItemKind.PROJECT
            else [],
            "projects": routine_selectors.projects_of(item=item) if item.kind != ListItemKind.PROJECT else [],
            "close_form": close_form,
            "milestone_form": milestone_form,
            "done_form": MilestoneDoneForm(initial={"done_on": today}),
            "today": today,
        },
    )


@login_required
@require_POST
@needs(MANAGE_DUTY)
def milestone_done(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = routine_selectors.milestone(actor=request.user, milestone_id=milestone_id)
    to = reverse("cases_list_item", args=[milestone.project_id])
    form = MilestoneDoneForm(request.POST)
    done_on = form.cleaned_data["done_on"] if form.is_valid() else None
    if not form.is_valid():
        return _refused(request, DomainError({f: list(m) for f, m in form.errors.items()}), to)
    try:
        routine.complete_milestone(actor=request.user, milestone=milestone, done_on=done_on)
    except DomainError as exc:
        return _refused(request, exc, to)
    messages.success(request, _("Milestone done."))
    return redirect(to)
