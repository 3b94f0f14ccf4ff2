"""Proposing grades from the record: per-unit indicators in grouped SQL, a weighted score, the
scheme's levels, the weak signs and the bottom quota.

A unit's figures cover its whole subtree (a village's general branch includes its branches and
groups). Units can sit at different depths, so each query groups by the path prefix of one depth.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, Exists, Max, OuterRef, QuerySet
from django.db.models.functions import ExtractYear, Length, Substr

from jiceng.core.models import AreaKind, Org, OrgKind
from jiceng.core.periods import Period
from jiceng.core.rulepacks import rule
from jiceng.orglife import compliance
from jiceng.orglife.models import ATTENDED, PARTY_LIFE_KINDS, Attendance, Meeting
from jiceng.people.models import CadrePost, Committee, PartyMember, Post
from jiceng.people.queries import active_on_q

VILLAGE_KINDS = (AreaKind.VILLAGE, AreaKind.COMMUNITY)


def units_in(root: Org, unit: str) -> QuerySet[Org]:
    """Graded units: every branch, or the top party organisation of each village/community."""
    if unit == "branch":
        return Org.objects.filter(path__startswith=root.path, kind=OrgKind.BRANCH, dissolved_on__isnull=True)
    parent_same_area = Org.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Org.steplen), area=OuterRef("area")
    )
    return Org.objects.filter(
        path__startswith=root.path, area__kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY], dissolved_on__isnull=True,
        kind__in=[OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH],
    ).exclude(Exists(parent_same_area))


def bottom_quota(share: float, n: int) -> int:
    """⌈share × n⌉ in exact arithmetic: 10% of 204 is 21, 10% of 210 is 21 (not 22 from float noise)."""
    return math.ceil(Fraction(str(share)) * n)


@dataclass
class UnitFigures:
    members: int = 0
    attended: int = 0
    educated: int = 0
    required: int = 0
    satisfied: int = 0
    last_meeting: dt.date | None = None
    main_leader_vacant: bool = False
    party_seats: int = 0


def _prefix(field: str, depth: int):
    return Substr(field, 1, depth * Org.steplen)


def unit_figures(units: list[Org], root: Org, period: Period) -> dict[int, UnitFigures]:
    figures = {u.pk: UnitFigures() for u in units}
    by_depth: dict[int, dict[str, int]] = defaultdict(dict)
    for u in units:
        by_depth[u.depth][u.path] = u.pk
    as_of = period.as_of
    edu_kinds = rule("orglife.education_kinds", root)
    reqs = rule("orglife.required_per_period", root)
    for depth, pk_of in by_depth.items():
        paths = list(pk_of)
        # members and attendance, grouped by unit prefix
        for prefix, n in (
            PartyMember.objects.filter(org__path__startswith=root.path, joined_on__lte=as_of)
            .annotate(u=_prefix("org__path", depth)).filter(u__in=paths)
            .order_by().values_list("u").annotate(n=Count("pk"))
        ):
            figures[pk_of[prefix]].members = n
        att = Attendance.objects.filter(
            member__org__path__startswith=root.path, member__joined_on__lte=as_of, status__in=ATTENDED,
            meeting__held_on__gte=period.start, meeting__held_on__lte=as_of,
        ).annotate(u=_prefix("member__org__path", depth)).filter(u__in=paths).order_by()
        for prefix, n in att.filter(meeting__kind__in=PARTY_LIFE_KINDS).values_list("u").annotate(
                n=Count("member_id", distinct=True)):
            figures[pk_of[prefix]].attended = n
        for prefix, n in att.filter(meeting__kind__in=edu_kinds).values_list("u").annotate(
                n=Count("member_id", distinct=True)):
            figures[pk_of[prefix]].educated = n
        for prefix, last in (
            Meeting.objects.filter(org__path__startswith=root.path, kind__in=PARTY_LIFE_KINDS, held_on__lte=as_of)
            .annotate(u=_prefix("org__path", depth)).filter(u__in=paths)
            .order_by().values_list("u").annotate(d=Max("held_on"))
        ):
            figures[pk_of[prefix]].last_meeting = last
        # required and held meeting slots, grouped by unit prefix
        for kind, req in reqs.items():
            blocks = compliance.blocks_in(req["every_months"], period.start, as_of)
            if not blocks:
                continue
            holders = compliance.holder_units(root, req["holder"], as_of).annotate(
                u=_prefix("path", depth)).filter(u__in=paths)
            for prefix, est, dis, n in holders.order_by().values_list("u", "established_on", "dissolved_on").annotate(
                    n=Count("pk")):
                figures[pk_of[prefix]].required += n * sum(
                    1 for b in blocks if (est is None or est <= b.end) and (dis is None or dis > b.start))
            held = (
                Meeting.objects.filter(org__in=holders.values("pk"), kind=kind, held_on__gte=blocks[0].start,
                                       held_on__lte=blocks[-1].end)
                .annotate(u=_prefix("org__path", depth), y=ExtractYear("held_on"),
                          b=compliance._block_index(req["every_months"]))
                .order_by().values("u", "org_id", "y", "b").annotate(n=Count("pk")).filter(n__gte=req["count"])
                .values_list("u", flat=True)
            )
            for prefix in held:
                figures[pk_of[prefix]].satisfied += 1
    # 两委 of the unit's village: is the party secretary seat filled, how many party committee seats
    village_units = {u.pk: u.area_id for u in units if u.area_id and u.area.kind in (AreaKind.VILLAGE,
                                                                                         AreaKind.COMMUNITY)}
    party_posts = CadrePost.objects.filter(active_on_q(as_of), committee=Committee.PARTY,
                                           area_id__in=set(village_units.values()))
    seats = dict(party_posts.order_by().values_list("area_id").annotate(n=Count("pk")))
    secretaries = set(party_posts.filter(post=Post.SECRETARY).values_list("area_id", flat=True))
    for pk, area_id in village_units.items():
        figures[pk].party_seats = seats.get(area_id, 0)
        figures[pk].main_leader_vacant = area_id not in secretaries
    return figures


@dataclass
class Proposal:
    org: Org
    score: float
    factors: dict
    level: str
    weak_signs: list[str]
    lagging: bool = False


def propose(root: Org, year: int, today: dt.date) -> tuple[list[Proposal], dict]:
    """Score every unit for ``year``; returns the proposals and the scheme used."""
    unit_kind = rule("grading.unit", root)
    scheme_key = rule("grading.scheme", root)
    levels = rule("grading.schemes", root)[scheme_key]
    weights = rule("grading.weights", root)
    weak_if = set(rule("grading.weak_signs", root))
    share = rule("grading.bottom_share", root)
    period = Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
    units = list(units_in(root, unit_kind).select_related("area").order_by("path"))
    figures = unit_figures(units, root, period)
    silent_since = compliance.silent_since(period.as_of, root)
    out = []
    for u in units:
        f = figures[u.pk]
        rates = {
            "compliance": f.satisfied / f.required if f.required else 1.0,
            "participation": f.attended / f.members if f.members else 0.0,
            "education": f.educated / f.members if f.members else 0.0,
            "committee": min(f.party_seats / 3, 1.0) if u.area and u.area.kind in VILLAGE_KINDS else 1.0,
        }
        score = round(sum(weights[k] * rates[k] for k in weights), 1)
        established_early = u.established_on is None or u.established_on < silent_since
        signs = []
        if "silent" in weak_if and established_early and (f.last_meeting is None or f.last_meeting < silent_since):
            signs.append("silent")
        if "main_leader_vacant" in weak_if and f.main_leader_vacant:
            signs.append("main_leader_vacant")
        level = levels[-1]["key"] if signs else next(lv["key"] for lv in levels if score >= lv["min_score"])
        factors = {k: round(v, 4) for k, v in rates.items()} | {
            "members": f.members, "required": f.required, "satisfied": f.satisfied,
            "last_meeting": f.last_meeting.isoformat() if f.last_meeting else None,
            "party_seats": f.party_seats, "weak_signs": signs,
        }
        out.append(Proposal(u, score, factors, level, signs))
    quota = bottom_quota(share, len(out))
    for p in sorted(out, key=lambda p: (p.score, p.org.path))[:quota]:
        p.lagging = True
    for p in out:  # 应纳入尽纳入: a weak sign or the lowest level makes a unit lagging beyond the quota (001)
        if p.weak_signs or p.level == levels[-1]["key"]:
            p.lagging = True
    return out, {"scheme": scheme_key, "levels": levels, "bottom_share": share, "quota": quota}
