"""Dashboards and tree browsing: the numbers a cadre is asked for, from the indicator registry."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiceng.core import selectors as core_selectors
from jiceng.core.dbrouter import reporting
from jiceng.core.errors import DomainError
from jiceng.core.periods import parse_period
from jiceng.core.roles import Perm
from jiceng.core.scoping import can_access_org, root_orgs
from jiceng.people import selectors as people_selectors

from . import home as homepage
from .panels import chart_data, dashboard_panels


def _period(request):
    try:
        return parse_period(request.GET.get("period")), None
    except DomainError as exc:
        return parse_period(None), exc.as_list()[0]["message"]


def _render_node(request: HttpRequest, org, template: str, extra: dict) -> HttpResponse:
    period, period_error = _period(request)
    panels, headlines, source = dashboard_panels(actor=request.user, org=org, period=period)
    ctx = {
        "org": org,
        "period": period,
        "period_error": period_error,
        "panels": panels,
        "headlines": headlines,
        "source": source,
        "can_refresh": can_access_org(request.user, Perm.MANAGE_RULES, org),
        "charts": chart_data(panels),
        "ancestors": core_selectors.org_ancestors_in_scope(actor=request.user, org=org),
        **extra,
    }
    return render(request, template, ctx)


@login_required
@reporting
def dashboard(request: HttpRequest) -> HttpResponse:
    roots = root_orgs(request.user, Perm.VIEW_ORG)
    if not roots:
        return render(request, "reports/no_scope.html", status=403)
    org = (
        core_selectors.org_get(actor=request.user, org_id=request.GET["org"])
        if request.GET.get("org")
        else roots[0]
    )
    return _render_node(request, org, "reports/dashboard.html", {"roots": roots})


@login_required
@reporting
def org_tree(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reports/org_tree.html",
        {
            "roots": root_orgs(request.user, Perm.VIEW_ORG),
            "q": request.GET.get("q", ""),
            "results": core_selectors.org_search(actor=request.user, q=request.GET["q"])
            if request.GET.get("q")
            else None,
        },
    )


@login_required
@reporting
def org_children(request: HttpRequest, org_id: int) -> HttpResponse:
    """htmx fragment: the children of one node, for lazy expansion of the tree."""
    org = core_selectors.org_get(actor=request.user, org_id=org_id)
    return render(
        request,
        "reports/org_tree.html#children",
        {"children": core_selectors.org_children(actor=request.user, org=org)},
    )


@login_required
@reporting
def org_node(request: HttpRequest, org_id: int) -> HttpResponse:
    org = core_selectors.org_get(actor=request.user, org_id=org_id)
    return _render_node(
        request,
        org,
        "reports/org_node.html",
        {"children": core_selectors.org_children(actor=request.user, org=org)},
    )


@login_required
@reporting
def area_tree(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/area_tree.html", {"roots": core_selectors.root_areas(actor=request.user)})


@login_required
@reporting
def area_children(request: HttpRequest, area_id: int) -> HttpResponse:
    area = core_selectors.area_get(actor=request.user, area_id=area_id)
    return render(
        request,
        "reports/area_tree.html#children",
        {"children": core_selectors.area_children(actor=request.user, area=area)},
    )


@login_required
@reporting
def area_node(request: HttpRequest, area_id: int) -> HttpResponse:
    area = core_selectors.area_get(actor=request.user, area_id=area_id)
    return render(
        request,
        "reports/area_node.html",
        {
            "area": area,
            "ancestors": core_selectors.area_ancestors_in_scope(actor=request.user, area=area),
            "children": core_selectors.area_children(actor=request.user, area=area),
            "stats": people_selectors.area_stats(actor=request.user, area=area),
            "orgs": core_selectors.orgs_for_area(actor=request.user, area=area),
        },
    )


@login_required
@reporting
def home(request: HttpRequest) -> HttpResponse:
    """Each grant's work: the sections the installed apps register for its role (core.kit)."""
    today = timezone.localdate()
    # a role without the org tree (a department's handler, a mediator) still has its work here
    sections = homepage.sections(request.user, today, request.GET.dict())
    if not sections and not root_orgs(request.user, Perm.VIEW_ORG):
        return render(request, "reports/no_scope.html", status=403)
    charts = [c for s in sections for c in s.context.get("charts", ())]
    return render(
        request,
        "reports/home.html",
        {
            "sections": sections,
            "charts": charts,
            "needs_charts": any(s.context.get("needs_charts") for s in sections),
            "today": today,
        },
    )


@login_required
@reporting
def home_trend(request: HttpRequest, org_id: int) -> HttpResponse:
    """htmx fragment: a committee's monthly trend (loaded after the page, it reads 12 periods)."""
    org = core_selectors.org_get(actor=request.user, org_id=org_id)
    ctx = homepage.trend(request.user, org, timezone.localdate())
    return render(request, "reports/_trend.html", {"org": org, "data_id": f"trend-data-{org.pk}", **ctx})
