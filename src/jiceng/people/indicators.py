"""People indicators: each one SQL aggregate over one org subtree (or its area subtree) on the
period's snapshot date. Registered on import (PeopleConfig.ready)."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import IndicatorValue, Part, ratio, register
from jiceng.core.models import Area, AreaKind, Org, OrgKind
from jiceng.core.periods import Period
from jiceng.core.rulepacks import rule

from .models import CadrePost, Committee, MemberStatus, PartyMember, Post
from .queries import active_on_q, age_band_q

VILLAGE_KINDS = (AreaKind.VILLAGE, AreaKind.COMMUNITY)


def _members(org: Org, period: Period):
    return PartyMember.objects.filter(org__path__startswith=org.path, joined_on__lte=period.as_of)


def _counted(qs, parts: list[tuple[str, str, Q]]) -> IndicatorValue:
    """The total and every part in one scan, each part counted by its own condition: parts that
    overlap fail the consistency check instead of printing a wrong table; rows in no part are shown
    as "not filled in"."""
    anywhere = reduce(or_, (q for _k, _label, q in parts))
    agg = qs.aggregate(total=Count("pk"), none=Count("pk", filter=~anywhere),
                       **{f"p{i}": Count("pk", filter=q) for i, (_k, _label, q) in enumerate(parts)})
    out = [Part(k, label, agg[f"p{i}"]) for i, (k, label, _q) in enumerate(parts)]
    if agg["none"]:
        out.append(Part("unknown", str(_("not filled in")), agg["none"]))
    return IndicatorValue(value=agg["total"], parts=out)


@register("people.member_count", label=_("party members by status"), unit="breakdown",
          description=_("Members of the subtree on the period's last day, full and probationary."))
def member_count(org: Org, period: Period) -> IndicatorValue:
    return _counted(_members(org, period), [
        # the status on a past date: full from the day of conversion
        (MemberStatus.FULL.value, str(MemberStatus.FULL.label), Q(full_on__lte=period.as_of)),
        (MemberStatus.PROBATIONARY.value, str(MemberStatus.PROBATIONARY.label),
         Q(full_on__gt=period.as_of) | Q(full_on__isnull=True)),
    ])


@register("people.org_count", label=_("organisations by kind"), unit="breakdown",
          description=_("Party organisations in the subtree (the node included) existing on the period's last day."))
def org_count(org: Org, period: Period) -> IndicatorValue:
    d = period.as_of
    qs = Org.objects.filter(path__startswith=org.path).filter(
        Q(established_on__isnull=True) | Q(established_on__lte=d)
    ).filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=d))
    return _counted(qs, [(k.value, str(k.label), Q(kind=k.value)) for k in OrgKind])


@register("people.age_bands", label=_("members by age band"), unit="breakdown",
          description=_("Age on the period's last day, in the rule pack's non-overlapping bands."))
def age_bands(org: Org, period: Period) -> IndicatorValue:
    bands = rule("people.age_bands", org, period.as_of)
    return _counted(_members(org, period), [
        (b["key"], b["label"], age_band_q(b, period.as_of, "person__birth_date")) for b in bands])


@register("people.education_bands", label=_("members by education"), unit="breakdown",
          description=_("Highest education, grouped by the rule pack's bands."))
def education_bands(org: Org, period: Period) -> IndicatorValue:
    bands = rule("people.education_bands", org, period.as_of)
    return _counted(_members(org, period), [
        (b["key"], b["label"], Q(person__education__in=b["levels"])) for b in bands])


def _villages(org: Org):
    if org.area_id is None:
        return Area.objects.none()
    return Area.objects.filter(path__startswith=org.area.path, kind__in=VILLAGE_KINDS)


@register("people.village_count", label=_("villages and communities"), unit="breakdown",
          description=_("Villages and communities in the organisation's area."))
def village_count(org: Org, period: Period) -> IndicatorValue:
    return _counted(_villages(org), [(k.value, str(k.label), Q(kind=k.value)) for k in VILLAGE_KINDS])


@register("people.dual_role_count", label=_("villages with one person as secretary and chair (一肩挑)"),
          unit="count", description=_("Derived from 两委 posts held on the period's last day."))
def dual_role_count(org: Org, period: Period) -> IndicatorValue:
    return IndicatorValue(value=_dual_role_villages(org, period))


@register("people.dual_role_rate", label=_("一肩挑 rate"), unit="rate",
          description=_("Villages and communities with 一肩挑 ÷ all villages and communities (001: 183/204 = 89.7%)."))
def dual_role_rate(org: Org, period: Period) -> IndicatorValue:
    return ratio(_dual_role_villages(org, period), _villages(org).count())


def _dual_role_villages(org: Org, period: Period) -> int:
    """Villages whose party secretary also holds the committee chair (selectors.dual_role_exists,
    the village list's definition), counted from the secretaries' seats: one semi-join, where
    asking each village in turn took three times as long at a city's 4,000 villages."""
    if org.area_id is None:
        return 0
    d = period.as_of
    chair = CadrePost.objects.filter(
        active_on_q(d), area_id=OuterRef("area_id"), person_id=OuterRef("person_id"),
        committee__in=[Committee.VILLAGERS, Committee.RESIDENTS], post=Post.CHAIR,
    )
    return (CadrePost.objects.filter(active_on_q(d), committee=Committee.PARTY, post=Post.SECRETARY,
                                     area__path__startswith=org.area.path, area__kind__in=VILLAGE_KINDS)
            .filter(Exists(chair)).aggregate(n=Count("area_id", distinct=True))["n"])


def _posts(org: Org, period: Period):
    if org.area_id is None:
        return CadrePost.objects.none()
    return CadrePost.objects.filter(active_on_q(period.as_of), area__path__startswith=org.area.path)


@register("people.cadre_count", label=_("两委 members"), unit="count",
          description=_("Distinct persons holding a 两委 seat on the period's last day."))
def cadre_count(org: Org, period: Period) -> IndicatorValue:
    return IndicatorValue(value=_posts(org, period).aggregate(n=Count("person_id", distinct=True))["n"])


def _cross_count(org: Org, period: Period) -> int:
    d = period.as_of
    posts = _posts(org, period)
    same_village_party_seat = CadrePost.objects.filter(
        active_on_q(d), committee=Committee.PARTY
    ).filter(person_id=OuterRef("person_id"), area_id=OuterRef("area_id"))
    return (
        posts.exclude(committee=Committee.PARTY)
        .filter(Exists(same_village_party_seat))
        .aggregate(n=Count("person_id", distinct=True))["n"]
    )


@register("people.cross_appointment_count", label=_("cross-appointed 两委 members (交叉任职)"), unit="count",
          description=_("Persons holding seats on both committees of the same village on the period's last day."))
def cross_appointment_count(org: Org, period: Period) -> IndicatorValue:
    return IndicatorValue(value=_cross_count(org, period))


@register("people.cross_appointment_rate", label=_("cross-appointment rate"), unit="rate",
          description=_("Cross-appointed persons ÷ all 两委 members (001: 499/1406 = 35.5%)."))
def cross_appointment_rate(org: Org, period: Period) -> IndicatorValue:
    return ratio(_cross_count(org, period), _posts(org, period).aggregate(n=Count("person_id", distinct=True))["n"])
