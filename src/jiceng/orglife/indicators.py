"""Organisational-life indicators (000-R3's 90% and 80% figures, computed instead of typed), for many
scopes at once (core.indicators)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import IndicatorValue, Part, Scope, by_rule, once, ratio, register, scopes_key
from jiceng.core.models import Org
from jiceng.core.periods import Period
from jiceng.core.rulepacks import rule
from jiceng.people import queries as people

from . import compliance
from .models import PARTY_LIFE_KINDS, MeetingKind


def _members(scopes: Sequence[Scope], period: Period) -> dict[int, int]:
    return once(
        ("orglife.members", scopes_key(scopes), period.as_of),
        lambda: compliance.member_counts(scopes, period.as_of),
    )


def _attended(scopes: Sequence[Scope], period: Period) -> dict[int, dict[str, int]]:
    """Party-life and study attendees from one scan per rule value, shared by the two rates."""

    def compute() -> dict[int, dict[str, int]]:
        out: dict[int, dict[str, int]] = {}
        for kinds, group in by_rule(scopes, "orglife.education_kinds", period.as_of):
            out.update(
                compliance.attended_scopes(
                    group, period, {"party_life": PARTY_LIFE_KINDS, "education": kinds}
                )
            )
        return out

    return once(("orglife.attended", scopes_key(scopes), period.start, period.as_of), compute)


def _attendee_rows(kinds_of):
    def rows(org: Org, period: Period, which: str) -> QuerySet:
        if which == "denominator":
            return people.members_of(org, period.as_of)
        return compliance.attendees(org, period, kinds_of(org, period))

    return rows


@register(
    "orglife.participation_rate",
    label=_("participation rate"),
    unit="rate",
    counts="members",
    additive=True,
    rows=_attendee_rows(lambda org, period: PARTY_LIFE_KINDS),
    description=_(
        "Members who attended (in person or online) at least one party-life meeting in the period "
        "÷ members (000-R3: under 80%)."
    ),
)
def participation_rate(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    attended, members = _attended(scopes, period), _members(scopes, period)
    return {s.key: ratio(attended[s.key]["party_life"], members[s.key]) for s in scopes}


@register(
    "orglife.education_coverage",
    label=_("education coverage"),
    unit="rate",
    counts="members",
    additive=True,
    rules=("orglife.education_kinds",),
    rows=_attendee_rows(lambda org, period: rule("orglife.education_kinds", org, period.as_of)),
    description=_(
        "Members who attended at least one study activity (rule orglife.education_kinds) ÷ members "
        "(000-R3: 90%)."
    ),
)
def education_coverage(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    attended, members = _attended(scopes, period), _members(scopes, period)
    return {s.key: ratio(attended[s.key]["education"], members[s.key]) for s in scopes}


def _tally(scopes: Sequence[Scope], period: Period) -> dict[int, compliance.Tally]:
    return once(
        ("orglife.tally", scopes_key(scopes), period.start, period.as_of),
        lambda: compliance.tally_scopes(scopes, period),
    )


_TALLY_RULES = ("orglife.required_per_period", "org.branch_committee_threshold")


@register(
    "orglife.compliance_rate",
    label=_("meetings held as required"),
    unit="rate",
    counts="meeting slots",
    additive=True,
    rules=_TALLY_RULES,
    description=_(
        "Required meeting slots that were held ÷ required slots due in the period (三会一课 by the "
        "rule pack; administrative meetings never count)."
    ),
)
def compliance_rate(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return {pk: ratio(t.satisfied, t.required) for pk, t in _tally(scopes, period).items()}


@register(
    "orglife.compliance_by_kind",
    label=_("meetings held by kind"),
    unit="breakdown",
    counts="meeting slots",
    additive=True,
    rules=_TALLY_RULES,
    description=_("Held required slots per meeting kind (the total is the held slots)."),
)
def compliance_by_kind(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return {
        pk: IndicatorValue(
            value=t.satisfied,
            numerator=t.satisfied,
            denominator=t.required,
            parts=[Part(k, str(MeetingKind(k).label), held) for k, (held, _req) in t.by_kind.items()],
        )
        for pk, t in _tally(scopes, period).items()
    }


@register(
    "orglife.silent_branches",
    label=_("silent branches (no organisational life for the rule's months)"),
    unit="count",
    counts="branches",
    additive=True,
    rules=("orglife.silent_months_weak",),
    rows=lambda org, period, which: compliance.silent_branches(org, period.as_of),
    description=_(
        "Branches with no party-life meeting in the rule's number of months up to the snapshot "
        "date (000-R2's weak-branch sign)."
    ),
)
def silent_branches(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return {pk: IndicatorValue(value=n) for pk, n in compliance.silent_counts(scopes, period.as_of).items()}


@register(
    "orglife.often_absent",
    label=_("members often absent"),
    unit="count",
    counts="members",
    additive=True,
    rules=("orglife.often_absent_consecutive",),
    rows=lambda org, period, which: people.members().filter(
        pk__in=compliance.often_absent_member_ids(org, period)
    ),
    description=_(
        "Members with at least the rule's number of consecutive absences without leave in the period."
    ),
)
def often_absent(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return {pk: IndicatorValue(value=n) for pk, n in compliance.often_absent_counts(scopes, period).items()}
