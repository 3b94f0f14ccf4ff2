"""党务公开: a village's (community's) party-affairs disclosure, read without an account — its party
organisation, how many members it has, the organisational life it held this year and the monthly
key-content items it covered. Counts, titles and dates only: no person appears (core/public.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from jiceng.core import indicators
from jiceng.core.models import Area, AreaKind, Org, OrgKind
from jiceng.core.periods import Period
from jiceng.core.public import found, public

from .models import PARTY_LIFE_KINDS, Meeting, MeetingKind


@dataclass(frozen=True)
class PartyAffairs:
    village: str
    township: str
    organisation: str
    organisation_kind: str
    established: int | None
    members: int
    full_members: int
    probationary: int
    year: int
    meetings: tuple[tuple[str, int], ...]  # (kind, how many held this year)
    compliance: float | None  # meetings held as required, this year so far
    last_meeting: dt.date | None
    topics_covered: tuple[str, ...]  # key-content items a meeting covered this year


def party_affairs(area_id: int) -> PartyAffairs | None:
    """The disclosure of a village or community, or None (no such village, or no party organisation)."""
    area = Area.objects.filter(pk=area_id, kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY]).first()
    if area is None:
        return None
    org = (
        Org.objects.filter(
            area=area,
            kind__in=[OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH],
            dissolved_on__isnull=True,
        )
        .order_by("depth", "path")
        .first()
    )
    if org is None:
        return None
    today = timezone.localdate()
    year = Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), str(today.year))
    values = indicators.compute_live(["people.member_count", "orglife.compliance_rate"], org, year)
    parts = {p.key: p.value for p in values["people.member_count"].parts}
    held = Meeting.objects.counted().filter(
        org__path__startswith=org.path, kind__in=PARTY_LIFE_KINDS, held_on__gte=year.start, held_on__lte=today
    )
    by_kind = dict(held.order_by().values_list("kind").annotate(n=Count("pk")))
    topics = (
        held.filter(topic_item__isnull=False)
        .order_by("topic_item__topic_list__month", "topic_item__seq")
        .values_list("topic_item__title", flat=True)
        .distinct()
    )
    parent = Area.objects.filter(path=area.path[: -Area.steplen]).values_list("name", flat=True).first()
    return PartyAffairs(
        village=area.name,
        township=parent or "",
        organisation=org.name,
        organisation_kind=org.get_kind_display(),
        established=org.established_on.year if org.established_on else None,
        members=values["people.member_count"].value,
        full_members=parts.get("full", 0),
        probationary=parts.get("probationary", 0),
        year=today.year,
        meetings=tuple((str(MeetingKind(k).label), by_kind.get(k, 0)) for k in PARTY_LIFE_KINDS),
        compliance=values["orglife.compliance_rate"].value,
        last_meeting=held.aggregate(last=Max("held_on"))["last"],
        topics_covered=tuple(dict.fromkeys(topics)),
    )


@public
def party_affairs_page(request, area_id: int):
    return render(request, "orglife/public_party_affairs.html", {"affairs": found(party_affairs(area_id))})


urlpatterns = [path("villages/<int:area_id>/party-affairs/", party_affairs_page, name="public_party_affairs")]
