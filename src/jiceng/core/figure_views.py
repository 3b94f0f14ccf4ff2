"""The rows behind a figure: every number on a dashboard, a home page or a child-unit table opens
to the list it counts, as the indicator declares it (core.indicators ``rows``), scoped and
exportable. Thin: parse, call the selector, render."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from . import indicators, selectors, services
from .dbrouter import reporting
from .errors import DomainError, NotFound
from .ledgers import clean_cell
from .models import Area, Org
from .periods import parse_period
from .roles import Perm
from .scoping import can_access_org

PAGE_SIZE = 50
_PART_KEY = re.compile(r"[a-z0-9_]{1,40}")


def _link(row) -> str:
    if isinstance(row, Org):
        name, arg = "org_node", "org_id"
    elif isinstance(row, Area):
        name, arg = "area_node", "area_id"
    else:
        get = getattr(row, "get_absolute_url", None)
        return get() if get else ""
    try:
        return reverse(name, kwargs={arg: row.pk})
    except NoReverseMatch:
        return ""


def _place(row) -> str:
    org = getattr(row, "org", None)
    return org.name if isinstance(org, Org) and not isinstance(row, Org) else ""


def _params(request: HttpRequest, name: str):
    ind = indicators.get(name)
    org = selectors.org_or_top(actor=request.user, org_id=request.GET.get("org"))
    try:
        period = parse_period(request.GET.get("period"))
    except DomainError as exc:
        raise NotFound() from exc
    which = request.GET.get("which") or "value"
    if not _PART_KEY.fullmatch(which):  # value, numerator, denominator or a part's key
        raise NotFound()
    return ind, org, period, which


@login_required
@reporting
def figure_rows(request: HttpRequest, name: str) -> HttpResponse:
    ind, org, period, which = _params(request, name)
    qs, personal = selectors.figure_rows(actor=request.user, name=name, org=org, period=period, which=which)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"text": str(r), "url": _link(r), "place": _place(r)} for r in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/figure_rows.html",
        {
            "indicator": ind,
            "org": org,
            "period": period,
            "which": which,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_export": not personal or can_access_org(request.user, Perm.EXPORT_PERSONAL, org),
        },
    )


@login_required
@reporting
def figure_rows_csv(request: HttpRequest, name: str) -> StreamingHttpResponse:
    ind, org, period, which = _params(request, name)
    qs, personal = selectors.figure_rows(actor=request.user, name=name, org=org, period=period, which=which)
    if personal and not can_access_org(request.user, Perm.EXPORT_PERSONAL, org):
        raise NotFound()
    if personal:
        services.figure_export_record(actor=request.user, org=org, name=name, label=ind.label, rows=qs)

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"  # Excel opens UTF-8 CSV with Chinese text correctly only with a BOM
        yield writer.writerow(["名称", "所在党组织", "统计期", "指标"])
        for r in selectors.each(qs):
            yield writer.writerow([clean_cell(str(r)), clean_cell(_place(r)), period.label, ind.label])

    resp = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}-{period.label}.csv"
    return resp


class _Echo:
    def write(self, value: str) -> str:
        return value
