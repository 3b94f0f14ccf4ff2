"""Disclosure reads for a user: the items in the actor's subtree (filters: village, affair, period,
text), one item, the villages the actor may publish for, what each of a village's affairs is due by,
and the township's list of who has not published on time (village × affair, oldest first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiceng.core.models import Area, Org
from jiceng.core.roles import Perm
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import area_q, get_scoped_or_404, org_q, root_orgs

from . import queries
from .models import Affair, Item
from .plugin import PUBLISH_DISCLOSURE
from .rules import AFFAIRS

VIEW = Perm.VIEW_ORG


def items(
    *,
    actor,
    village_id: Any = None,
    affair: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
    q: str = "",
    withdrawn: bool | None = None,
) -> QuerySet[Item]:
    """Items of organisations in the actor's subtree, newest first. ``start``/``end`` bound the
    day published; ``q`` searches the title and the content."""
    qs = Item.objects.filter(org_q(actor, VIEW)).select_related("village", "org")
    if village_id:
        qs = qs.filter(village_id=village_id)
    if affair:
        qs = qs.filter(affair=affair)
    if start:
        qs = qs.filter(published_on__gte=start)
    if end:
        qs = qs.filter(published_on__lte=end)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if withdrawn is not None:
        qs = qs.filter(withdrawn_at__isnull=not withdrawn)
    return qs.order_by("-published_on", "-id")


def items_page(*, actor, offset: int, limit: int, **filters: Any) -> tuple[int, list[Item]]:
    """How many items match, and the ``limit`` from ``offset`` (the API's page)."""
    qs = items(actor=actor, **filters)
    return qs.count(), list(qs[offset : offset + limit])


def item_get(*, actor, item_id: Any) -> Item:
    return get_scoped_or_404(items(actor=actor).select_related("withdrawn_by", "created_by"), pk=item_id)


def publish_orgs(*, actor) -> QuerySet[Org]:
    """The village and community organisations the actor may publish for (the top organisation
    anchored at each village in their scope)."""
    areas = queries.villages().filter(area_q(actor, PUBLISH_DISCLOSURE, field=""))
    return (
        queries.village_orgs(areas)
        .filter(org_q(actor, PUBLISH_DISCLOSURE, field=""))
        .select_related("area")
        .order_by("path")
    )


def publish_org_get(*, actor, org_id: Any) -> Org:
    return get_scoped_or_404(publish_orgs(actor=actor), pk=org_id)


def village_choices(*, actor) -> QuerySet[Area]:
    """The villages and communities of the actor's subtree, by name (the list filter)."""
    return queries.villages().filter(area_q(actor, VIEW, field="")).order_by("path")


def _rule_org(actor, org: Org | None) -> Org | None:
    if org is not None:
        return org
    roots = root_orgs(actor, VIEW)
    return roots[0] if roots else None


@dataclass(frozen=True)
class Due:
    village_id: int
    village: str
    affair: str
    affair_label: str
    last: dt.date | None
    due_by: dt.date
    overdue: bool
    since: dt.date | None  # the first day it was overdue


def _due(village_id: int, name: str, affair: str, last, today, cadence, day) -> Due:
    by = queries.due_by(last, today, cadence[affair], day)
    late = by < today
    return Due(
        village_id,
        name,
        affair,
        str(Affair(affair).label),
        last,
        by,
        late,
        by + dt.timedelta(days=1) if late else None,
    )


def village_due(*, actor, org: Org, today: dt.date | None = None) -> list[Due]:
    """For the village of ``org``: per affair, the last item and the day the next is due by
    (one query). Empty when the organisation is no village in the actor's scope."""
    today = today or timezone.localdate()
    if org.area_id is None:
        return []
    areas = queries.villages().filter(area_q(actor, VIEW, field=""), pk=org.area_id)
    row = queries.with_last(areas).values("id", "name", *(f"last_{a}" for a in AFFAIRS)).first()
    if row is None:
        return []
    cadence, day = rule("disclosure.cadence", org, today), rule("disclosure.deadline_day", org, today)
    return [_due(row["id"], row["name"], a, row[f"last_{a}"], today, cadence, day) for a in AFFAIRS]


def _scope_areas(actor, org: Org | None) -> QuerySet[Area]:
    areas = queries.villages().filter(area_q(actor, VIEW, field=""))
    if org is None:
        return areas
    return areas.filter(path__startswith=org.area.path) if org.area is not None else areas.none()


def overdue(*, actor, affair: str = "", org: Org | None = None, today: dt.date | None = None):
    """Village × affair rows overdue on ``today`` in the actor's scope (under ``org`` when given),
    oldest first, as one UNION query (slice it for a page; ``overdue_rows`` turns a slice into
    Due rows). The deadlines are the rules at ``org`` (or the actor's top organisation)."""
    today = today or timezone.localdate()
    at = _rule_org(actor, org)
    areas = _scope_areas(actor, org)
    cadence, day = rule("disclosure.cadence", at, today), rule("disclosure.deadline_day", at, today)
    affairs = [affair] if affair in AFFAIRS else list(AFFAIRS)
    return queries.overdue_rows(areas, today, cadence, day, affairs), (cadence, day, today)


def overdue_rows(rows, ctx) -> list[Due]:
    """Due rows for a slice of ``overdue`` (no query beyond the slice's own)."""
    cadence, day, today = ctx
    return [_due(r["id"], r["name"], r["affair"], r["last"], today, cadence, day) for r in rows]


def overdue_village_count(*, actor, org: Org | None = None, today: dt.date | None = None) -> int:
    """How many villages of the actor's scope (under ``org``) have an affair overdue (one query)."""
    today = today or timezone.localdate()
    at = _rule_org(actor, org)
    areas = _scope_areas(actor, org)
    cadence, day = rule("disclosure.cadence", at, today), rule("disclosure.deadline_day", at, today)
    return queries.overdue_villages(areas, today, cadence, day).count()


def can_publish(*, actor) -> bool:
    from jiceng.core.scoping import has_perm_anywhere

    return has_perm_anywhere(actor, PUBLISH_DISCLOSURE)
