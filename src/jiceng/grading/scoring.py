"""Proposing grades from the record: each unit's figures read from the indicator registry (one
definition of compliance, participation and education coverage, computed for every unit at once),
a weighted score, the scheme's levels, the weak signs and the bottom quota.

A unit's figures cover its whole subtree (a village's general branch includes its branches and
groups). A criterion with nothing to count has no value — no meeting was due (compliance), the unit
has no members (participation, education), it is not a village (party committee seats) — and its
weight is spread over the criteria that have one; a unit with no criterion to score is not gradable
and is listed on the round instead of being ranked (docs/organisational-life.md, "Grading").
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Length, Substr

from jiceng.core import indicators
from jiceng.core.models import AreaKind, Org, OrgKind
from jiceng.core.periods import Period
from jiceng.core.rulepacks import rule
from jiceng.orglife import queries as orglife
from jiceng.people import queries as people

VILLAGE_KINDS = (AreaKind.VILLAGE, AreaKind.COMMUNITY)
# criterion -> the registry's indicator behind it
RATES = {
    "compliance": "orglife.compliance_rate",
    "participation": "orglife.participation_rate",
    "education": "orglife.education_coverage",
}
# the weak sign "silent" is the dashboard's figure: a branch of the unit without party life for the
# rule's months (orglife.silent_branches > 0), one definition for both
SILENT = "orglife.silent_branches"


def units_in(root: Org, unit: str) -> QuerySet[Org]:
    """Graded units: every branch, or the top party organisation of each village/community."""
    if unit == "branch":
        return Org.objects.filter(path__startswith=root.path, kind=OrgKind.BRANCH, dissolved_on__isnull=True)
    parent_same_area = Org.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Org.steplen), area=OuterRef("area")
    )
    return Org.objects.filter(
        path__startswith=root.path,
        area__kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY],
        dissolved_on__isnull=True,
        kind__in=[OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH],
    ).exclude(Exists(parent_same_area))


def bottom_quota(share: float, n: int) -> int:
    """⌈share × n⌉ in exact arithmetic: 10% of 204 is 21, 10% of 210 is 21 (not 22 from float noise)."""
    return math.ceil(Fraction(str(share)) * n)


@dataclass
class Proposal:
    org: Org
    score: float
    factors: dict
    level: str
    weak_signs: list[str]
    lagging: bool = False


def _is_village(u: Org) -> bool:
    return bool(u.area_id) and u.area.kind in VILLAGE_KINDS


def score(rates: dict[str, float | None], weights: dict[str, int]) -> float | None:
    """Σ weight × rate over the criteria that have a value, scaled back to the full weight (the
    weights of criteria with nothing to count are spread over the others); None: nothing to score."""
    available = {k: r for k, r in rates.items() if r is not None}
    total = sum(weights[k] for k in available)
    if not total:
        return None
    return round(sum(weights[k] * r for k, r in available.items()) * sum(weights.values()) / total, 1)


def propose(root: Org, year: int, today: dt.date) -> tuple[list[Proposal], dict]:
    """Score every unit for ``year``; returns the proposals and the scheme used (with the units that
    could not be graded, under ``not_gradable``)."""
    period = Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
    on = period.as_of  # the rules as they stood for the year graded (a re-run of 2025 uses 2025's)
    unit_kind = rule("grading.unit", root, on)
    scheme_key = rule("grading.scheme", root, on)
    levels = rule("grading.schemes", root, on)[scheme_key]
    weights = rule("grading.weights", root, on)
    weak_if = set(rule("grading.weak_signs", root, on))
    share = rule("grading.bottom_share", root, on)
    seats_target = rule("grading.party_seats_target", root, on)
    units = list(units_in(root, unit_kind).select_related("area").order_by("path"))
    figures = indicators.compute_units([*RATES.values(), SILENT], units, period)
    last = orglife.last_party_life(units, period.as_of)
    villages = [u.area_id for u in units if _is_village(u)]
    seats = people.party_seats(villages, period.as_of)
    secretaries = people.villages_with_party_secretary(villages, period.as_of)
    out, not_gradable = [], []
    for u in units:
        compliance = figures[RATES["compliance"]][u.pk]
        participation = figures[RATES["participation"]][u.pk]
        rates = {k: figures[name][u.pk].value for k, name in RATES.items()}
        rates["committee"] = min(seats.get(u.area_id, 0) / seats_target, 1.0) if _is_village(u) else None
        total = score(rates, weights)
        if total is None:
            not_gradable.append(
                {
                    "org_id": u.pk,
                    "name": u.name,
                    "reason": "没有可计数的指标：无党员、无应开会议、非村（社区）",
                }
            )
            continue
        signs = []
        if "silent" in weak_if and (figures[SILENT][u.pk].value or 0) > 0:
            signs.append("silent")
        if "main_leader_vacant" in weak_if and _is_village(u) and u.area_id not in secretaries:
            signs.append("main_leader_vacant")
        level = levels[-1]["key"] if signs else next(lv["key"] for lv in levels if total >= lv["min_score"])
        factors = {k: (round(v, 4) if v is not None else None) for k, v in rates.items()} | {
            "members": participation.denominator,
            "required": compliance.denominator,
            "satisfied": compliance.numerator,
            "last_meeting": last[u.pk].isoformat() if last[u.pk] else None,
            "party_seats": seats.get(u.area_id, 0) if _is_village(u) else None,
            "weak_signs": signs,
        }
        out.append(Proposal(u, total, factors, level, signs))
    quota = bottom_quota(share, len(out))
    for p in sorted(out, key=lambda p: (p.score, p.org.path))[:quota]:
        p.lagging = True
    for p in out:  # 应纳入尽纳入: a weak sign or the lowest level makes a unit lagging beyond the quota (001)
        if p.weak_signs or p.level == levels[-1]["key"]:
            p.lagging = True
    return out, {
        "scheme": scheme_key,
        "levels": levels,
        "bottom_share": share,
        "quota": quota,
        "not_gradable": not_gradable,
    }
