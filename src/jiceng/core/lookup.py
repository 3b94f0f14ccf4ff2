"""Lookup endpoints of the searchable selects (core.widgets.SearchSelect): an HTML fragment of
``<option>``s matching ``?q=``, at most LIMIT, each read scoped like every other. Thin: parse, call a
selector, render. Other apps' lookups (people's members) use the helpers below.

A page names the right its form needs (``?perm=``, one of the declared permissions) so that the list
matches the form's; the selector only ever narrows by it, to the actor's scope for that right within
what the actor may see at all, so a forged ``perm`` shows nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import kit, selectors
from .boundary import text_problem
from .errors import DomainError, ErrorCollector
from .models import OrgKind
from .roles import Perm
from .web import needs
from .widgets import SEARCH_MAX_LENGTH

LIMIT = 50  # options in one answer; one more is read to know whether there are more
TEMPLATE = "core/widgets/options.html"


def search_term(request: HttpRequest, errors: ErrorCollector | None = None) -> str:
    """``?q=``, stripped: at most SEARCH_MAX_LENGTH characters, no control characters."""
    q = request.GET.get("q", "").strip()
    if len(q) > SEARCH_MAX_LENGTH:
        problem: str | None = (
            f"搜索词：最多{SEARCH_MAX_LENGTH}个字（现为{len(q)}个），请只输入名称或姓名的一部分。"
        )
    else:
        problem = text_problem(q, label="搜索词", max_length=None)
    if problem:
        if errors is None:
            raise DomainError(field="q", message=problem)
        errors.add("q", problem)
    return q


def refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """400, as one disabled option naming the problem (site.js lets htmx put it into the select)."""
    problem = "".join(m["message"] for m in exc.as_list())
    return render(request, TEMPLATE, {"problem": problem}, status=400)


def options(request: HttpRequest, rows: Sequence[tuple[Any, str]], *, q: str) -> HttpResponse:
    """The options (the selector read LIMIT + 1 rows: the last one only says there are more); the
    first match is selected, so that a search followed by Enter or submit takes it."""
    return render(
        request,
        TEMPLATE,
        {
            "options": rows[:LIMIT],
            "more": len(rows) > LIMIT,
            "q": q,
            "blank": request.GET.get("blank") == "1",
        },
    )


def _perm(request: HttpRequest, errors: ErrorCollector) -> str:
    perm = request.GET.get("perm") or Perm.VIEW_ORG
    if perm not in kit.permissions():
        errors.add("perm", "权限：不是系统声明的权限，不能按它查找组织。")
    return perm


def _kinds(request: HttpRequest, errors: ErrorCollector) -> tuple[str, ...]:
    kinds = tuple(k for k in request.GET.get("kind", "").split(",") if k)
    if any(k not in OrgKind.values for k in kinds):
        errors.add("kind", f"组织类型：只能是 {'、'.join(OrgKind.values)}，多个用逗号分隔。")
    return kinds


@never_cache
@login_required
@require_GET
@needs(Perm.VIEW_ORG)
def org_lookup(request: HttpRequest) -> HttpResponse:
    """?q= (any part of the name), perm=, kind= (comma-separated), org= (within this node, which must
    be in scope: else 404), blank=1 (a first empty option, for a filter)."""
    errors = ErrorCollector()
    q = search_term(request, errors)
    perm = _perm(request, errors)
    kinds = _kinds(request, errors)
    if errors:
        return refused(request, DomainError(errors.errors))
    org_id = request.GET.get("org")
    within = selectors.org_get(actor=request.user, org_id=org_id) if org_id else None
    rows = selectors.org_search(
        actor=request.user, q=q, perm=perm, kinds=kinds, within=within, limit=LIMIT + 1
    )
    return options(request, [(o.pk, o.name) for o in rows], q=q)
