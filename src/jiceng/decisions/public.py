"""Village decisions in public, without an account (core/public.py): each village's disclosed
matters — only those that reached 决议公开 — with the whole trail (stage, date, entitled and
attending counts, votes, the rule's result) and later the implementation result. No attendee's
or voter's name ever; the names a disclosure must name (contract or subsidy holders) only within
the display period (rule ``decisions.display_days``). The selectors return frozen dataclasses."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from jiceng.core.models import Area
from jiceng.core.public import found, plain, public
from jiceng.core.rulepacks import rule

from .models import Matter, Meeting
from .workflows import TITLES

PAGE_SIZE = 30
TOWNSHIP_KINDS = ("township", "subdistrict")
VILLAGE_KINDS = ("village", "community")


@dataclass(frozen=True)
class Place:
    id: int
    name: str


@dataclass(frozen=True)
class Row:
    id: int
    title: str
    kind: str
    village: str
    decided_on: dt.date | None
    disclosed_on: dt.date
    result: bool


@dataclass(frozen=True)
class Listing:
    townships: tuple[Place, ...]
    villages: tuple[Place, ...]
    rows: tuple[Row, ...]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class Stage:
    label: str
    held_on: dt.date
    meeting: str
    entitled: int
    attended: int
    base: str
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    rule: str
    passed: bool
    result: str  # the implementation result (实施结果公开)
    names: str  # those a disclosure must name, within the display period


@dataclass(frozen=True)
class Trail:
    id: int
    title: str
    kind: str
    village: str
    township: str
    procedure: str
    amount_yuan: str
    description: str
    stages: tuple[Stage, ...]
    decided_on: dt.date | None
    disclosed_on: dt.date
    result_on: dt.date | None


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _disclosed():
    return Matter.objects.filter(disclosed_on__isnull=False)


def listing(*, township: int | None, village: int | None, q: str, page: int) -> Listing:
    towns = tuple(
        Place(pk, name)
        for pk, name in Area.objects.filter(kind__in=TOWNSHIP_KINDS)
        .order_by("path")
        .values_list("pk", "name")[:500]
    )
    villages: tuple[Place, ...] = ()
    qs = _disclosed()
    town = Area.objects.filter(pk=township, kind__in=TOWNSHIP_KINDS).first() if township else None
    if town is not None:
        villages = tuple(
            Place(pk, name)
            for pk, name in Area.objects.filter(path__startswith=town.path, kind__in=VILLAGE_KINDS)
            .order_by("path")
            .values_list("pk", "name")[:1000]
        )
        qs = qs.filter(village__path__startswith=town.path)
    if village:
        qs = qs.filter(village_id=village)
    if q:  # the title, or the village's name (beyond the first townships, the way to find one)
        qs = qs.filter(Q(title__contains=q[:50]) | Q(village__name__contains=q[:50]))
    if town is None and not village and not q:
        qs = qs.none()  # pick a township, a village or search: no province-wide list
    total = qs.count()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = tuple(
        Row(pk, title, kind, vname, decided, disclosed, result is not None)
        for pk, title, kind, vname, decided, disclosed, result in qs.order_by(
            "-disclosed_on", "-pk"
        ).values_list("pk", "title", "kind_name", "village__name", "decided_on", "disclosed_on", "result_on")[
            (page - 1) * PAGE_SIZE : page * PAGE_SIZE
        ]
    )
    return plain(Listing(towns, villages, rows, page, pages, total))


def trail(matter_id: int, today: dt.date | None = None) -> Trail | None:
    m = _disclosed().select_related("village", "org").filter(pk=matter_id).first()
    if m is None:
        return None
    today = today or timezone.localdate()
    days = rule("decisions.display_days", m.org)
    town = (
        Area.objects.filter(path=m.village.path[: -Area.steplen]).values_list("name", flat=True).first() or ""
    )
    stages = []
    meetings = Meeting.objects.filter(matter=m).order_by("held_on", "pk")
    for x in meetings:
        shown_names = x.names if x.names and (today - x.held_on).days <= days else ""
        stages.append(
            Stage(
                x.label,
                x.held_on,
                x.get_kind_display(),
                x.entitled,
                x.attended,
                x.get_base_display() if x.base != "persons" else "",
                x.votes_for,
                x.votes_against,
                x.votes_abstain,
                x.rule_text,
                x.passed,
                x.minutes if x.action == "implement" else "",
                shown_names,
            )
        )
    amount = "" if m.amount_fen is None else f"{m.amount_fen // 100:,}.{m.amount_fen % 100:02d}"
    return found(
        Trail(
            m.pk,
            m.title,
            m.kind_name,
            m.village.name,
            town,
            TITLES.get(m.procedure, m.procedure),
            amount,
            m.description,
            tuple(stages),
            m.decided_on,
            m.disclosed_on,  # type: ignore[arg-type]
            m.result_on,
        )
    )


@public
def matter_list(request: HttpRequest) -> HttpResponse:
    township = _int(request.GET.get("township"))
    village = _int(request.GET.get("village"))
    q = (request.GET.get("q") or "").strip()[:50]
    got = listing(township=township, village=village, q=q, page=_int(request.GET.get("page")) or 1)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "decisions/public_list.html",
        {"l": got, "township": township, "village": village, "q": q, "query": query.urlencode()},
    )


@public
def matter_page(request: HttpRequest, matter_id: int) -> HttpResponse:
    return render(request, "decisions/public_matter.html", {"t": found(trail(matter_id))})


urlpatterns = [
    path("decisions/", matter_list, name="public_decisions"),
    path("decisions/<int:matter_id>/", matter_page, name="public_decision"),
]
