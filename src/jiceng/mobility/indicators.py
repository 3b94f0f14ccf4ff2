"""Mobility figures: grouped SQL over org subtrees for many scopes at once (core.indicators), on the
period's snapshot date. Out-flow records and transfers are placed by the member's (sending)
organisation, in-flow records by the host branch (they are nobody's members there)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import IndicatorValue, Scope, by_rule, grouped, register
from jiceng.core.models import Org
from jiceng.core.periods import Period
from jiceng.core.rulepacks import rule

from . import queries


def _counts(scopes: Sequence[Scope], qs: QuerySet, field: str) -> dict[int, IndicatorValue]:
    return {
        pk: IndicatorValue(value=agg["n"])
        for pk, agg in grouped(scopes, qs, field, {"n": Count("pk")}).items()
    }


def _outflow_rows(org: Org, period: Period, which: str) -> QuerySet:
    return queries.outflows_on(period.as_of).filter(member__org__path__startswith=org.path)


@register(
    "mobility.outflow_members",
    label=_("members working away (out-flow)"),
    unit="count",
    counts="out-flow records",
    additive=True,
    rows=_outflow_rows,
    description=_("Members on the rolls away from home on the period's last day (an open out-flow record)."),
)
def outflow_members(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _counts(scopes, queries.outflows_on(period.as_of), "member__org__path")


@register(
    "mobility.inflow_members",
    label=_("members hosted here (in-flow)"),
    unit="count",
    counts="in-flow records",
    additive=True,
    rows=lambda org, period, which: queries.inflows_on(period.as_of).filter(host__path__startswith=org.path),
    description=_(
        "Members from elsewhere hosted by the subtree's branches on the period's last day; not members here."
    ),
)
def inflow_members(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _counts(scopes, queries.inflows_on(period.as_of), "host__path")


def _lost_rows(org: Org, period: Period, which: str) -> QuerySet:
    months = rule("mobility.lost_contact_months", org, period.as_of)
    return _outflow_rows(org, period, which).filter(queries.lost_q(period.as_of, months))


@register(
    "mobility.lost_contact",
    label=_("members out of contact (失联)"),
    unit="count",
    counts="out-flow records",
    additive=True,
    rules=("mobility.lost_contact_months",),
    rows=_lost_rows,
    description=_("Members away whose last contact is the rule's months old or older."),
)
def lost_contact(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    out: dict[int, IndicatorValue] = {}
    d = period.as_of
    for months, group in by_rule(scopes, "mobility.lost_contact_months", d):
        out.update(
            _counts(group, queries.outflows_on(d).filter(queries.lost_q(d, months)), "member__org__path")
        )
    return out


def _overdue_rows(org: Org, period: Period, which: str) -> QuerySet:
    d = period.as_of
    interval = rule("mobility.checkin_interval_months", org, d)
    lost = rule("mobility.lost_contact_months", org, d)
    return _outflow_rows(org, period, which).filter(queries.overdue_q(d, interval, lost))


@register(
    "mobility.overdue_checkins",
    label=_("mobile members overdue for a check-in"),
    unit="count",
    counts="out-flow records",
    additive=True,
    rules=("mobility.checkin_interval_months", "mobility.lost_contact_months"),
    rows=_overdue_rows,
    description=_("Members away with no check-in within the rule's interval, not yet out of contact."),
)
def overdue_checkins(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    out: dict[int, IndicatorValue] = {}
    d = period.as_of
    for interval, group in by_rule(scopes, "mobility.checkin_interval_months", d):
        for lost, sub in by_rule(group, "mobility.lost_contact_months", d):
            qs = queries.outflows_on(d).filter(queries.overdue_q(d, interval, lost))
            out.update(_counts(sub, qs, "member__org__path"))
    return out


def _pocket_rows(org: Org, period: Period, which: str) -> QuerySet:
    days = rule("mobility.pocket_after_days", org, period.as_of)
    return queries.pocket_transfers(period.as_of, days).filter(from_org__path__startswith=org.path)


@register(
    "mobility.pocket_members",
    label=_("pocket members (口袋党员)"),
    unit="count",
    counts="transfer letters",
    additive=True,
    rules=("mobility.pocket_after_days",),
    rows=_pocket_rows,
    description=_("Transfer letters issued longer ago than the rule's days and not confirmed received."),
)
def pocket_members(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    out: dict[int, IndicatorValue] = {}
    d = period.as_of
    for days, group in by_rule(scopes, "mobility.pocket_after_days", d):
        out.update(_counts(group, queries.pocket_transfers(d, days), "from_org__path"))
    return out
