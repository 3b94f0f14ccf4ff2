"""Unscoped building blocks of disclosure: the last item each village or community published in
each affair, and who is overdue on a day. No actor, no scope: selectors scope, indicators group by
path. The deadline arithmetic is rules.due_by / rules.overdue_cutoff, the SQL filter its
equivalent (an affair is overdue iff its last item is older than the cutoff)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Exists,
    ExpressionWrapper,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields import CharField
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear, Length, Substr

from jiceng.core.models import Area, AreaKind, Org

from .models import Item
from .rules import AFFAIRS, due_by, overdue_cutoff

VILLAGE_KINDS = (AreaKind.VILLAGE, AreaKind.COMMUNITY)


def live_items() -> QuerySet[Item]:
    """Items not withdrawn (what the public page shows and the deadlines count)."""
    return Item.objects.filter(withdrawn_at__isnull=True)


def villages() -> QuerySet[Area]:
    return Area.objects.filter(kind__in=VILLAGE_KINDS)


def _last(affair: str, on: dt.date | None = None) -> Subquery:
    qs = live_items().filter(village_id=OuterRef("pk"), affair=affair)
    if on is not None:
        qs = qs.filter(published_on__lte=on)
    return Subquery(qs.order_by().values("village_id").annotate(m=Max("published_on")).values("m")[:1])


def with_last(areas: QuerySet[Area], on: dt.date | None = None) -> QuerySet[Area]:
    """The villages annotated ``last_<affair>`` (the day of the last live item published in it,
    up to ``on``), one query for any number of villages."""
    return areas.annotate(
        **{f"last_{a}": _last(a, on) for a in AFFAIRS},
    )


def _paths(org_paths_or_orgs: Iterable[Any]) -> list[str]:
    out = []
    for x in org_paths_or_orgs:
        out.append(x if isinstance(x, str) else x.path)
    return out


def last_published(
    org_paths_or_orgs: Iterable[Any], affair: str, on: dt.date | None = None
) -> dict[str, dt.date]:
    """{org path: the day of the last live item of ``affair`` published by that organisation or
    below it} for the given organisations (paths or Org objects), from one query; an organisation
    that never published is absent."""
    paths = _paths(org_paths_or_orgs)
    if not paths:
        return {}
    out: dict[str, dt.date] = {}
    qs = live_items().filter(affair=affair)
    if on is not None:
        qs = qs.filter(published_on__lte=on)
    q = Q()
    for p in paths:
        q |= Q(org__path__startswith=p)
    rows = qs.filter(q).values_list("org__path").annotate(m=Max("published_on"))
    for path, day in rows:
        for p in paths:
            if path.startswith(p) and (p not in out or day > out[p]):
                out[p] = day
    return out


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _next_period_key(cadence: str, cutoff: dt.date):
    """The month index (year × 12 + month − 1) of the period after the last item's, as SQL: the
    day the affair became overdue is the first of that month + ``deadline_day`` days, so this key
    sorts rows as that day does (never published: the cutoff's month, as rules.due_by)."""
    # integers (PostgreSQL's EXTRACT gives numeric): the quarter's first month by integer division
    year, month = Cast(ExtractYear("last"), IntegerField()), Cast(ExtractMonth("last"), IntegerField())
    key = year * 12 + (month - 1) / 3 * 3 + 3 if cadence == "quarter" else year * 12 + month
    return Coalesce(ExpressionWrapper(key, output_field=IntegerField()), Value(_month_index(cutoff)))


def overdue_rows(
    areas: QuerySet[Area], today: dt.date, cadence: dict[str, str], day: int, affairs: Iterable[str] = AFFAIRS
) -> QuerySet:
    """Village × affair rows overdue on ``today``: values (id, name, path, affair, last, key), as
    one UNION query sorted by the day each became overdue (``key``: its month, see
    _next_period_key), oldest first, ready to slice for a page."""
    parts = []
    for a in affairs:
        cutoff = overdue_cutoff(today, cadence[a], day)
        qs = (
            areas.annotate(last=_last(a, today), affair=Value(a, output_field=CharField()))
            .filter(Q(last__isnull=True) | Q(last__lt=cutoff))
            .annotate(key=_next_period_key(cadence[a], cutoff))
            .values("id", "name", "path", "affair", "last", "key")
            .order_by()
        )
        parts.append(qs)
    if not parts:
        return Area.objects.none().values("id", "name", "path")
    first, *rest = parts
    union = first.union(*rest, all=True) if rest else first
    return union.order_by("key", "last", "path", "affair")


def overdue_since(last: dt.date | None, today: dt.date, cadence: str, day: int) -> dt.date:
    """The first day an affair whose last item is ``last`` is overdue."""
    return due_by(last, today, cadence, day) + dt.timedelta(days=1)


def overdue_villages(
    areas: QuerySet[Area], today: dt.date, cadence: dict[str, str], day: int
) -> QuerySet[Area]:
    """The villages with at least one affair overdue on ``today`` (one query)."""
    q = Q()
    annotated = with_last(areas, today)
    for a in AFFAIRS:
        cutoff = overdue_cutoff(today, cadence[a], day)
        q |= Q(**{f"last_{a}__isnull": True}) | Q(**{f"last_{a}__lt": cutoff})
    return annotated.filter(q)


def village_orgs(areas: QuerySet[Area]) -> QuerySet[Org]:
    """The top party organisation anchored at each village (its branch or general branch, not a
    branch inside the general branch)."""
    parent_same_area = Org.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Org.steplen),
        area_id=OuterRef("area_id"),
    )
    return Org.objects.filter(area__in=areas).exclude(Exists(parent_same_area))
