"""The home page: one section per grant and per registered home section (core.kit.HomeSection),
so a secretary sees their month's work, a member "我的", a grid worker their grid and a committee
its board, from the same scoped selectors and indicators as every other page."""

from __future__ import annotations

import datetime as dt
import inspect
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils.module_loading import import_string

from jiceng.core import indicators, kit
from jiceng.core import selectors as core_selectors
from jiceng.core.models import Org, OrgKind
from jiceng.core.periods import Period
from jiceng.core.roles import Perm
from jiceng.core.scoping import can_access_org

from .panels import chart_data, dashboard_panels

TREND_MONTHS = 12
TREND_CACHE_SECONDS = 600  # a closed month changes only by a correction; the page says how old it is
TREND = ("orglife.participation_rate", "orglife.compliance_rate", "orglife.silent_branches")


@dataclass
class Section:
    key: str
    template: str
    grant_role: str
    org: Org
    context: dict[str, Any]


def sections(actor, today: dt.date, params: dict[str, str]) -> list[Section]:
    """Every home section the actor's grants call for, grant by grant (the order of the grants),
    then in the sections' order; a section with nothing to show is left out."""
    out = []
    registered = kit.home_sections()
    roles = kit.roles()
    for grant in core_selectors.grants_of(actor=actor):
        for sec in registered:
            if grant.role not in sec.roles:
                continue
            fn = import_string(sec.fn)
            ctx = fn(actor, grant.org, today, **_params_for(sec.key, fn, params))
            if ctx is not None:
                role = roles.get(grant.role)
                ctx.setdefault("role_label", role.label if role else grant.role)
                out.append(Section(sec.key, sec.template, grant.role, grant.org, ctx))
    return out


def _params_for(key: str, fn, params: dict[str, str]) -> dict[str, str]:
    # a section's own query parameters are prefixed with its key (?grid.q=王); only those its
    # function takes are passed (an unknown one is ignored, as any unknown query parameter is)
    prefix = f"{key}."
    accepted = set(inspect.signature(fn).parameters) - {"actor", "org", "today"}
    return {
        name: v for k, v in params.items() if k.startswith(prefix) and (name := k[len(prefix) :]) in accepted
    }


def _period(today: dt.date) -> Period:
    return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), str(today.year))


CHILD_KINDS = (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH)


def board(actor, org: Org, today: dt.date, sort: str = "", dir: str = "") -> dict | None:
    """A committee's statistics board (as the dashboard) and its child units side by side,
    sortable by any column; each row opens that unit's dashboard."""
    if org.kind != OrgKind.COMMITTEE:
        return None
    period = _period(today)
    panels, headlines, source = dashboard_panels(actor=actor, org=org, period=period)
    names = kit.compared()
    children = list(core_selectors.org_children(actor=actor, org=org, kinds=CHILD_KINDS))
    values = indicators.compute_for_units(actor=actor, names=names, units=children, period=period)
    columns = [_column(n) for n in names]
    rows = [{"org": c, "values": [values[c.pk][n] for n in names]} for c in children]
    if sort in names:
        i = names.index(sort)
        rows.sort(
            key=lambda r: (r["values"][i].value is None, r["values"][i].value or 0), reverse=dir == "desc"
        )
    elif sort == "name" and dir == "desc":
        rows.reverse()
    return {
        "period": period,
        "panels": panels,
        "headlines": headlines,
        "source": source,
        "charts": chart_data(panels, prefix=f"b{org.pk}-"),
        "chart_prefix": f"b{org.pk}-",
        "can_refresh": can_access_org(actor, Perm.MANAGE_RULES, org),
        "columns": columns,
        "rows": rows,
        "sort": sort,
        "dir": dir,
        "needs_charts": True,
    }


def _column(name: str) -> dict:
    ind = indicators.get(name)
    return {"name": name, "label": ind.label, "unit": ind.unit, "has_rows": ind.rows is not None}


def _months(today: dt.date, n: int) -> list[Period]:
    out = []
    y, m = today.year, today.month
    for _ in range(n):
        start = dt.date(y, m, 1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        out.append(Period(start, end, f"{y:04d}-{m:02d}"))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return list(reversed(out))


def trend(actor, org: Org, today: dt.date) -> dict:
    """Participation, compliance and silent branches month by month, the last TREND_MONTHS months;
    a closed month's values are kept for TREND_CACHE_SECONDS (the current one is always live)."""
    names = [n for n in TREND if n in indicators.registry()]
    months = _months(today, TREND_MONTHS)
    series: dict[str, list] = {n: [] for n in names}
    for period in months:
        key = f"jiceng:trend:{org.pk}:{period.label}:{','.join(names)}"
        got = cache.get(key) if period.end < today else None
        if got is None:
            got = indicators.compute_many(actor=actor, names=names, org=org, period=period).values
            if period.end < today:
                cache.set(key, got, TREND_CACHE_SECONDS)
        for n in names:
            series[n].append(got[n])
    return {
        "months": months,
        "series": [{**_column(n), "values": series[n]} for n in names],
        "chart": {
            "id": "trend-chart",
            "type": "line",
            "title": "",
            "months": [p.label for p in months],
            "series": [
                {
                    "name": indicators.get(n).label,
                    "data": [
                        (
                            round(v.value * 100, 1)
                            if indicators.get(n).unit == "rate" and v.value is not None
                            else v.value
                        )
                        for v in series[n]
                    ],
                    "rate": indicators.get(n).unit == "rate",
                }
                for n in names
            ],
        },
    }
