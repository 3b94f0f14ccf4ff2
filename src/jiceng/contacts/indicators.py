"""Contact-duty figures for any subtree (core.indicators), on the period's last day: the duties in
force, and of them those whose member has not visited since the duty began."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import IndicatorValue, Scope, grouped, register
from jiceng.core.models import Org
from jiceng.core.periods import Period

from .models import ContactDuty
from .selectors import active_q, visited_area_q, visited_household_q, visited_q


def _duties(period: Period) -> QuerySet:
    return ContactDuty.objects.filter(active_q(period.as_of))


def _never(period: Period) -> QuerySet:
    return _duties(period).filter(~visited_q(period.as_of))


def _rows(make):
    def rows(org: Org, period: Period, which: str) -> QuerySet:
        return make(period).filter(org__path__startswith=org.path).order_by("org__path", "pk")

    return rows


@register(
    "contacts.duties",
    label=_("contact duties in force"),
    unit="count",
    counts="contact duties",
    additive=True,
    rows=_rows(_duties),
    description=_(
        "Households, estates and buildings assigned to a member or cadre on the period's last day."
    ),
)
def duties(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    got = grouped(scopes, _duties(period), "org__path", {"n": Count("pk")})
    return {s.key: IndicatorValue(value=got[s.key]["n"] or 0) for s in scopes}


@register(
    "contacts.never_visited",
    label=_("contact duties never visited"),
    unit="count",
    counts="contact duties",
    additive=True,
    rows=_rows(_never),
    description=_(
        "Of the duties in force on the period's last day, those whose member recorded no visit to the "
        "household (or a household of the estate or building) since the duty began."
    ),
)
def never_visited(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    # household duties and estate/building duties apart: each one semi-join, not an OR of two
    day = period.as_of
    homes = _duties(period).filter(household__isnull=False).exclude(visited_household_q(day))
    blocks = _duties(period).filter(area__isnull=False).exclude(visited_area_q(day))
    a = grouped(scopes, homes, "org__path", {"n": Count("pk")})
    b = grouped(scopes, blocks, "org__path", {"n": Count("pk")})
    return {s.key: IndicatorValue(value=(a[s.key]["n"] or 0) + (b[s.key]["n"] or 0)) for s in scopes}
