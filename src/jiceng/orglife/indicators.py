"""Organisational-life indicators (000-R3's 90% and 80% figures, computed instead of typed)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import IndicatorValue, Part, once, ratio, register
from jiceng.core.models import Org
from jiceng.core.periods import Period
from jiceng.core.rulepacks import rule

from . import compliance
from .models import PARTY_LIFE_KINDS, MeetingKind


@register("orglife.participation_rate", label=_("participation rate"), unit="rate",
          description=_("Members who attended (in person or online) at least one party-life meeting in the period "
                        "÷ members (000-R3: under 80%)."))
def participation_rate(org: Org, period: Period) -> IndicatorValue:
    return ratio(_attended(org, period)["party_life"], _members(org, period))


@register("orglife.education_coverage", label=_("education coverage"), unit="rate",
          description=_("Members who attended at least one study activity (rule orglife.education_kinds) ÷ members "
                        "(000-R3: 90%)."))
def education_coverage(org: Org, period: Period) -> IndicatorValue:
    return ratio(_attended(org, period)["education"], _members(org, period))


def _members(org: Org, period: Period) -> int:
    return once(("orglife.members", org.pk, period.as_of),
                lambda: compliance.members_of(org, period.as_of).count())


def _attended(org: Org, period: Period) -> dict[str, int]:
    """Party-life and study attendees from one scan, shared by the two rates on one dashboard."""
    kinds = rule("orglife.education_kinds", org)
    return once(("orglife.attended", org.pk, period.start, period.as_of, tuple(kinds)),
                lambda: compliance.attended_counts(org, period, {"party_life": PARTY_LIFE_KINDS, "education": kinds}))


def _tally(org: Org, period: Period) -> compliance.Tally:
    return once(("orglife.tally", org.pk, period.start, period.as_of), lambda: compliance.tally(org, period))


@register("orglife.compliance_rate", label=_("meetings held as required"), unit="rate",
          description=_("Required meeting slots that were held ÷ required slots due in the period (三会一课 by the "
                        "rule pack; administrative meetings never count)."))
def compliance_rate(org: Org, period: Period) -> IndicatorValue:
    t = _tally(org, period)
    return ratio(t.satisfied, t.required)


@register("orglife.compliance_by_kind", label=_("meetings held by kind"), unit="breakdown",
          description=_("Held required slots per meeting kind (the total is the held slots)."))
def compliance_by_kind(org: Org, period: Period) -> IndicatorValue:
    t = _tally(org, period)
    parts = [Part(k, str(MeetingKind(k).label), held) for k, (held, _req) in t.by_kind.items()]
    return IndicatorValue(value=t.satisfied, numerator=t.satisfied, denominator=t.required, parts=parts)


@register("orglife.silent_branches", label=_("branches without organisational life for six months"), unit="count",
          description=_("Branches with no party-life meeting in the rule's number of months up to the snapshot "
                        "date (000-R2's weak-branch sign)."))
def silent_branches(org: Org, period: Period) -> IndicatorValue:
    return IndicatorValue(value=compliance.silent_branches(org, period.as_of).count())


@register("orglife.often_absent", label=_("members often absent"), unit="count",
          description=_("Members with at least the rule's number of consecutive absences without leave in the period."))
def often_absent(org: Org, period: Period) -> IndicatorValue:
    return IndicatorValue(value=len(compliance.often_absent_member_ids(org, period)))
