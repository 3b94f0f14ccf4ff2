"""四务公开 read without an account: choose a township, then a village (or search villages by
name); a village's page shows its live items grouped by the four affairs, newest first, each with
its date, period, content and the link to the producing app's public page. The names an item must
name appear only within its display period; nothing else about a person is published
(core/public.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from jiceng.core.models import Area
from jiceng.core.public import found, plain, public

from . import queries
from .models import Affair
from .rules import AFFAIRS

TOWNSHIP_KINDS = ("township", "subdistrict")
TOWNSHIPS_MAX = 300  # beyond this the index asks for a search
SEARCH_MAX = 50
PER_AFFAIR = 5  # items per affair on the village page; "more" pages through one affair
PAGE = 20


@dataclass(frozen=True)
class Place:
    id: int
    name: str
    within: str  # the township (for a village) or the county (for a township)


@dataclass(frozen=True)
class Index:
    townships: tuple[Place, ...]
    too_many: bool  # more townships than listed: search instead
    township: str | None
    villages: tuple[Place, ...]
    q: str


@dataclass(frozen=True)
class PublicItem:
    id: int
    title: str
    body: str
    published_on: dt.date
    period_start: dt.date | None
    period_end: dt.date | None
    major: bool
    link: str
    names: tuple[str, ...]  # only while within the display period, else empty
    names_until: dt.date | None


@dataclass(frozen=True)
class AffairItems:
    affair: str
    label: str
    items: tuple[PublicItem, ...]
    total: int
    last: dt.date | None


@dataclass(frozen=True)
class VillagePage:
    id: int
    village: str
    township: str
    affairs: tuple[AffairItems, ...]
    affair: str  # one affair paged through, or ""
    page: int
    pages: int


def _parent(area: Area) -> str:
    return Area.objects.filter(path=area.path[: -Area.steplen]).values_list("name", flat=True).first() or ""


def _pk(value) -> int | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**63 else None


def index(*, township_id=None, q: str = "") -> Index:
    q = (q or "").strip()[:50]
    town = None
    pk = _pk(township_id)
    if pk is not None:
        town = Area.objects.filter(pk=pk, kind__in=TOWNSHIP_KINDS).first()
    towns = list(
        Area.objects.filter(kind__in=TOWNSHIP_KINDS)
        .order_by("path")
        .values_list("pk", "name")[: TOWNSHIPS_MAX + 1]
    )
    villages: list[Place] = []
    if q or town is not None:
        qs = queries.villages()
        if town is not None:
            qs = qs.filter(path__startswith=town.path)
        if q:
            qs = qs.filter(name__icontains=q)
        rows = list(qs.order_by("path").values_list("pk", "name", "path")[:SEARCH_MAX])
        parents = {p[: -Area.steplen] for _pk2, _n, p in rows}
        names = dict(Area.objects.filter(path__in=parents).values_list("path", "name"))
        villages = [Place(i, n, names.get(p[: -Area.steplen], "")) for i, n, p in rows]
    return plain(
        Index(
            townships=tuple(Place(i, n, "") for i, n in towns[:TOWNSHIPS_MAX]),
            too_many=len(towns) > TOWNSHIPS_MAX,
            township=town.name if town else None,
            villages=tuple(villages),
            q=q,
        )
    )


def _item(it, today: dt.date) -> PublicItem:
    shown = bool(it.names) and it.display_until is not None and today <= it.display_until
    return PublicItem(
        id=it.pk,
        title=it.title,
        body=it.body,
        published_on=it.published_on,
        period_start=it.period_start,
        period_end=it.period_end,
        major=it.major,
        link=it.link,
        names=tuple(it.names) if shown else (),
        names_until=it.display_until if shown else None,
    )


def village_page(village_id, *, affair: str = "", page=1) -> VillagePage | None:
    """A village's live items by affair (newest first): ``PER_AFFAIR`` of each, or, for one
    ``affair``, a page of ``PAGE``. None: no such village or community."""
    pk = _pk(village_id)
    area = queries.villages().filter(pk=pk).first() if pk else None
    if area is None:
        return None
    today = timezone.localdate()
    live = (
        queries.live_items()
        .filter(village=area)
        .only(
            "pk",
            "title",
            "body",
            "published_on",
            "period_start",
            "period_end",
            "major",
            "link",
            "names",
            "display_until",
            "affair",
        )
    )
    counts = dict(live.order_by().values_list("affair").annotate(n=Count("pk")))
    affair = affair if affair in AFFAIRS else ""
    pages = 1
    n = _pk(page) or 1
    groups = []
    for a in [affair] if affair else AFFAIRS:
        total = counts.get(a, 0)
        qs = live.filter(affair=a).order_by("-published_on", "-id")
        if affair:
            pages = max(1, -(-total // PAGE))
            n = min(n, pages)
            rows = list(qs[(n - 1) * PAGE : n * PAGE])
        else:
            rows = list(qs[:PER_AFFAIR])
        groups.append(
            AffairItems(
                a,
                str(Affair(a).label),
                tuple(_item(it, today) for it in rows),
                total,
                rows[0].published_on if rows and (not affair or n == 1) else None,
            )
        )
    return plain(
        VillagePage(
            id=area.pk,
            village=area.name,
            township=_parent(area),
            affairs=tuple(groups),
            affair=affair,
            page=n if affair else 1,
            pages=pages,
        )
    )


@public
def index_page(request):
    data = index(township_id=request.GET.get("township"), q=request.GET.get("q", ""))
    return render(request, "disclosure/public_index.html", {"index": data})


@public
def village(request, village_id: int):
    data = found(
        village_page(village_id, affair=request.GET.get("affair", ""), page=request.GET.get("page", 1))
    )
    return render(request, "disclosure/public_village.html", {"v": data})


urlpatterns = [
    path("", index_page, name="disclosure_public"),
    path("<int:village_id>/", village, name="disclosure_public_village"),
]
