"""Development figures for any subtree and period, computed for many units in one grouped query
each (core.indicators): the pipeline on the period's last day, the members developed in the period
(the branch assembly's date, once approved), and of them migrant workers, young and educated ones
(000-R1 改善结构; 003: at least one migrant worker per village every two years)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jiceng.core.dates import years_before
from jiceng.core.indicators import IndicatorValue, Scope, by_rule, grouped, ratio, register
from jiceng.core.models import Area, AreaKind, Org
from jiceng.core.periods import Period

from . import queries

EDUCATED = Q(person__education__in=queries.educated_levels())


def _under(org: Org, qs: QuerySet, field: str = "org__path") -> QuerySet:
    return qs.filter(**{f"{field}__startswith": org.path}).order_by(field, "pk")


def _count(name: str, label, description, make: Callable[[Period], QuerySet]):
    @register(
        name,
        label=label,
        unit="count",
        counts="persons",
        additive=True,
        description=description,
        rows=lambda org, period, which: _under(org, make(period)),
    )
    def compute(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
        got = grouped(scopes, make(period), "org__path", {"n": Count("pk")})
        return {s.key: IndicatorValue(value=got[s.key]["n"] or 0) for s in scopes}

    return compute


applicants = _count(
    "development.applicants",
    _("applicants for membership"),
    _("入党申请人 on the period's last day: applied, not yet an activist, record not ended."),
    lambda p: queries.applicants_on(p.as_of),
)
activists = _count(
    "development.activists",
    _("activists"),
    _("入党积极分子 on the period's last day: not yet a development candidate, record not ended."),
    lambda p: queries.activists_on(p.as_of),
)
candidates = _count(
    "development.candidates",
    _("development candidates"),
    _("发展对象 on the period's last day: not yet approved as probationary members, record not ended."),
    lambda p: queries.candidates_on(p.as_of),
)
developed = _count(
    "development.developed",
    _("members developed"),
    _(
        "Members admitted in the period: the branch assembly's date (入党日期) in the period and the "
        "higher committee's approval by its last day."
    ),
    lambda p: queries.developed_between(p.start, p.as_of),
)
developed_migrant = _count(
    "development.developed_migrant",
    _("migrant workers developed"),
    _("Of the members developed in the period, migrant workers (农民工, 003)."),
    lambda p: queries.developed_between(p.start, p.as_of).filter(migrant_worker=True),
)


def _young(age: int) -> Q:
    return Q(admitted_age__lte=age)


@register(
    "development.young_share",
    label=_("young share of new members"),
    unit="rate",
    counts="persons",
    additive=True,
    rules=("development.young_age",),
    description=_(
        "Of the members developed in the period, the share aged development.young_age or younger on "
        "their 入党日期 (000-R1: 改善结构)."
    ),
    rows=lambda org, period, which: _under(
        org,
        queries.developed_between(period.start, period.as_of).filter(
            _young(_rule_at(org)) if which in ("value", "numerator") else Q()
        ),
    ),
)
def young_share(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    out: dict[int, IndicatorValue] = {}
    qs = queries.developed_between(period.start, period.as_of)
    for age, group in by_rule(scopes, "development.young_age", period.as_of):
        got = grouped(group, qs, "org__path", {"n": Count("pk"), "young": Count("pk", filter=_young(age))})
        out.update({s.key: ratio(got[s.key]["young"] or 0, got[s.key]["n"] or 0) for s in group})
    return out


def _rule_at(org: Org) -> int:
    from jiceng.core.rulepacks import rule

    return int(rule("development.young_age", org))


@register(
    "development.educated_share",
    label=_("educated share of new members"),
    unit="rate",
    counts="persons",
    additive=True,
    description=_(
        "Of the members developed in the period, the share with a college diploma (大专) or above."
    ),
    rows=lambda org, period, which: _under(
        org,
        queries.developed_between(period.start, period.as_of).filter(
            EDUCATED if which in ("value", "numerator") else Q()
        ),
    ),
)
def educated_share(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    qs = queries.developed_between(period.start, period.as_of)
    got = grouped(scopes, qs, "org__path", {"n": Count("pk"), "educated": Count("pk", filter=EDUCATED)})
    return {s.key: ratio(got[s.key]["educated"] or 0, got[s.key]["n"] or 0) for s in scopes}


def _without_migrant(years: int, as_of) -> QuerySet:
    """Villages (the area, whatever branches it has) where no branch anchored in it developed a
    migrant worker in the ``years`` up to ``as_of``."""
    since = years_before(as_of, years)
    developed = queries.developed_between(since, as_of).filter(
        migrant_worker=True, org__area__path__startswith=OuterRef("path")
    )
    return Area.objects.filter(kind=AreaKind.VILLAGE).filter(~Exists(developed))


@register(
    "development.villages_without_migrant",
    label=_("villages without a migrant worker developed"),
    unit="count",
    counts="villages",
    additive=True,
    basis="area",
    rules=("development.migrant_years",),
    description=_(
        "Villages where no branch developed a migrant worker in the development.migrant_years years up "
        "to the period's last day (003: at least one per village every two years)."
    ),
    rows=lambda org, period, which: (
        _without_migrant(_years_at(org), period.as_of).filter(path__startswith=org.area.path).order_by("path")
        if org.area_id
        else Area.objects.none()
    ),
)
def villages_without_migrant(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    out: dict[int, IndicatorValue] = {}
    for years, group in by_rule(scopes, "development.migrant_years", period.as_of):
        got = grouped(group, _without_migrant(years, period.as_of), "path", {"n": Count("pk")}, basis="area")
        out.update({s.key: IndicatorValue(value=got[s.key]["n"] or 0) for s in group})
    return out


def _years_at(org: Org) -> int:
    from jiceng.core.rulepacks import rule

    return int(rule("development.migrant_years", org))
