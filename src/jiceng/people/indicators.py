"""People indicators: SQL aggregates over org subtrees (or their area subtrees) on the period's
snapshot date, for many scopes at once (core.indicators). Registered when the plugin is loaded."""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import (
    IndicatorValue,
    Part,
    Scope,
    by_rule,
    grouped,
    once,
    ratio,
    register,
    scopes_key,
)
from jiceng.core.models import Area, AreaKind, Org, OrgKind
from jiceng.core.periods import Period
from jiceng.core.rulepacks import rule

from .models import CadrePost, Committee, MemberStatus, Person, Post
from .queries import active_on_q, age_band_q, members_of, memberships_on

VILLAGE_KINDS = (AreaKind.VILLAGE, AreaKind.COMMUNITY)
NOT_FILLED = "unknown"


def _counted(
    scopes: Sequence[Scope], qs: QuerySet, field: str, parts: list[tuple[str, str, Q]], *, basis: str = "org"
) -> dict[int, IndicatorValue]:
    """The total and every part in one scan, each part counted by its own condition: parts that
    overlap fail the consistency check instead of printing a wrong table; rows in no part are shown
    as "not filled in"."""
    anywhere = reduce(or_, (q for _k, _label, q in parts))
    aggregates = {
        "total": Count("pk"),
        "none": Count("pk", filter=~anywhere),
        **{f"p{i}": Count("pk", filter=q) for i, (_k, _label, q) in enumerate(parts)},
    }
    out = {}
    for pk, agg in grouped(scopes, qs, field, aggregates, basis=basis).items():
        found = [Part(k, label, agg[f"p{i}"]) for i, (k, label, _q) in enumerate(parts)]
        if agg["none"]:
            found.append(Part(NOT_FILLED, str(_("not filled in")), agg["none"]))
        out[pk] = IndicatorValue(value=agg["total"], parts=found)
    return out


def _part_rows(qs: QuerySet, parts: list[tuple[str, str, Q]], which: str) -> QuerySet:
    """The rows behind a breakdown's total (``value``) or one of its parts."""
    if which == "value":
        return qs
    if which == NOT_FILLED:
        return qs.exclude(reduce(or_, (q for _k, _label, q in parts)))
    for key, _label, q in parts:
        if key == which:
            return qs.filter(q)
    return qs.none()


# --- members ---------------------------------------------------------------------------------------


def _status_parts(period: Period, prefix: str = "") -> list[tuple[str, str, Q]]:
    # the status on a past date: full from the day of conversion. ``prefix``: "member__" when the
    # rows are membership periods (the figure), "" when they are the members (its rows)
    full_on = f"{prefix}full_on"
    return [
        (MemberStatus.FULL.value, str(MemberStatus.FULL.label), Q(**{f"{full_on}__lte": period.as_of})),
        (
            MemberStatus.PROBATIONARY.value,
            str(MemberStatus.PROBATIONARY.label),
            Q(**{f"{full_on}__gt": period.as_of}) | Q(**{f"{full_on}__isnull": True}),
        ),
    ]


def _member_rows(org: Org, period: Period, which: str) -> QuerySet:
    return _part_rows(members_of(org, period.as_of), _status_parts(period), which)


# Members are placed in the organisation they belonged to on the period's last day (the membership
# history, people.queries.memberships_on), not where they are now, and not counted after leaving.
@register(
    "people.member_count",
    label=_("party members by status"),
    unit="breakdown",
    counts="members",
    additive=True,
    rows=_member_rows,
    description=_("Members of the subtree on the period's last day, full and probationary."),
)
def member_count(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _counted(scopes, memberships_on(period.as_of), "org__path", _status_parts(period, "member__"))


def _bands(scopes: Sequence[Scope], period: Period, key: str, part_q) -> dict[int, IndicatorValue]:
    """Members by a rule's bands, the rule as it applies at each scope's organisation."""
    out: dict[int, IndicatorValue] = {}
    for bands, members in by_rule(scopes, key, period.as_of):
        out.update(
            _counted(
                members,
                memberships_on(period.as_of),
                "org__path",
                [(b["key"], b["label"], part_q(b, period, "member__")) for b in bands],
            )
        )
    return out


def _age_q(band: dict, period: Period, prefix: str = "") -> Q:
    return age_band_q(band, period.as_of, f"{prefix}person__birth_date")


def _education_q(band: dict, period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}person__education__in": band["levels"]})


def _band_rows(key: str, part_q):
    def rows(org: Org, period: Period, which: str) -> QuerySet:
        bands = rule(key, org, period.as_of)
        return _part_rows(
            members_of(org, period.as_of),
            [(b["key"], b["label"], part_q(b, period)) for b in bands],
            which,
        )

    return rows


@register(
    "people.age_bands",
    label=_("members by age band"),
    unit="breakdown",
    counts="members",
    additive=True,
    rules=("people.age_bands",),
    rows=_band_rows("people.age_bands", _age_q),
    description=_("Age on the period's last day, in the rule pack's non-overlapping bands."),
)
def age_bands(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _bands(scopes, period, "people.age_bands", _age_q)


@register(
    "people.education_bands",
    label=_("members by education"),
    unit="breakdown",
    counts="members",
    additive=True,
    rules=("people.education_bands",),
    rows=_band_rows("people.education_bands", _education_q),
    description=_("Highest education, grouped by the rule pack's bands."),
)
def education_bands(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _bands(scopes, period, "people.education_bands", _education_q)


# --- organisations and villages ----------------------------------------------------------------------


def _orgs_on(period: Period) -> QuerySet:
    d = period.as_of
    return Org.objects.filter(Q(established_on__isnull=True) | Q(established_on__lte=d)).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=d)
    )


def _kind_parts() -> list[tuple[str, str, Q]]:
    return [(k.value, str(k.label), Q(kind=k.value)) for k in OrgKind]  # labels in the active language


def _org_rows(org: Org, period: Period, which: str) -> QuerySet:
    return _part_rows(_orgs_on(period).filter(path__startswith=org.path), _kind_parts(), which)


@register(
    "people.org_count",
    label=_("organisations by kind"),
    unit="breakdown",
    counts="organisations",
    additive=True,
    rows=_org_rows,
    description=_(
        "Party organisations in the subtree (the node included) existing on the period's last day."
    ),
)
def org_count(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _counted(scopes, _orgs_on(period), "path", _kind_parts())


def _village_parts() -> list[tuple[str, str, Q]]:
    return [(k.value, str(k.label), Q(kind=k.value)) for k in VILLAGE_KINDS]


def _villages_of(org: Org) -> QuerySet:
    if org.area_id is None:
        return Area.objects.none()
    return Area.objects.filter(path__startswith=org.area.path, kind__in=VILLAGE_KINDS)


def _village_rows(org: Org, period: Period, which: str) -> QuerySet:
    return _part_rows(_villages_of(org), _village_parts(), which)


@register(
    "people.village_count",
    label=_("villages and communities"),
    unit="breakdown",
    counts="villages",
    additive=True,
    basis="area",
    rows=_village_rows,
    description=_("Villages and communities in the organisation's area."),
)
def village_count(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _village_counts(scopes)


def _village_counts(scopes: Sequence[Scope]) -> dict[int, IndicatorValue]:
    return once(
        ("people.villages", scopes_key(scopes)),
        lambda: _counted(
            scopes, Area.objects.filter(kind__in=VILLAGE_KINDS), "path", _village_parts(), basis="area"
        ),
    )


# --- 两委 ---------------------------------------------------------------------------------------------


def _distinct_in_areas(
    key: str, scopes: Sequence[Scope], period: Period, posts: QuerySet, column: str
) -> dict[int, int]:
    """Distinct ``column`` of the 两委 posts per scope (cut in the area tree), once per shared work."""
    return once(
        (key, scopes_key(scopes), period.as_of),
        lambda: {
            pk: agg["n"]
            for pk, agg in grouped(
                scopes, posts, "area__path", {"n": Count(column, distinct=True)}, basis="area"
            ).items()
        },
    )


def _dual_role_secretaries(period: Period) -> QuerySet:
    """Secretaries' seats of villages whose party secretary also holds the committee chair
    (selectors.dual_role_exists, the village list's definition): one semi-join, where asking each
    village in turn took three times as long at a city's 4,000 villages."""
    d = period.as_of
    chair = CadrePost.objects.filter(
        active_on_q(d),
        area_id=OuterRef("area_id"),
        person_id=OuterRef("person_id"),
        committee__in=[Committee.VILLAGERS, Committee.RESIDENTS],
        post=Post.CHAIR,
    )
    return CadrePost.objects.filter(
        active_on_q(d), committee=Committee.PARTY, post=Post.SECRETARY, area__kind__in=VILLAGE_KINDS
    ).filter(Exists(chair))


def _dual_role(scopes: Sequence[Scope], period: Period) -> dict[int, int]:
    return _distinct_in_areas("people.dual_role", scopes, period, _dual_role_secretaries(period), "area_id")


def _dual_role_villages_of(org: Org, period: Period) -> QuerySet:
    if org.area_id is None:
        return Area.objects.none()
    return Area.objects.filter(
        pk__in=_dual_role_secretaries(period).filter(area__path__startswith=org.area.path).values("area_id")
    )


@register(
    "people.dual_role_count",
    label=_("villages with one person as secretary and chair (一肩挑)"),
    unit="count",
    counts="villages",
    additive=True,
    basis="area",
    rows=lambda org, period, which: _dual_role_villages_of(org, period),
    description=_("Derived from 两委 posts held on the period's last day."),
)
def dual_role_count(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return {pk: IndicatorValue(value=n) for pk, n in _dual_role(scopes, period).items()}


@register(
    "people.dual_role_rate",
    label=_("一肩挑 rate"),
    unit="rate",
    counts="villages",
    additive=True,
    basis="area",
    rows=lambda org, period, which: (
        _villages_of(org) if which == "denominator" else _dual_role_villages_of(org, period)
    ),
    description=_(
        "Villages and communities with 一肩挑 ÷ all villages and communities (001: 183/204 = 89.7%)."
    ),
)
def dual_role_rate(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    dual, villages = _dual_role(scopes, period), _village_counts(scopes)
    return {s.key: ratio(dual[s.key], villages[s.key].value) for s in scopes}


def _active_posts(period: Period) -> QuerySet:
    return CadrePost.objects.filter(active_on_q(period.as_of))


def _cadres(scopes: Sequence[Scope], period: Period) -> dict[int, int]:
    return _distinct_in_areas("people.cadres", scopes, period, _active_posts(period), "person_id")


def _posts_of(org: Org, period: Period) -> QuerySet:
    if org.area_id is None:
        return CadrePost.objects.none()
    return _active_posts(period).filter(area__path__startswith=org.area.path)


def _cadre_persons(org: Org, period: Period) -> QuerySet:
    return Person.objects.filter(pk__in=_posts_of(org, period).values("person_id"))


# A person may hold seats in two villages: distinct persons do not add up over a partition.
@register(
    "people.cadre_count",
    label=_("两委 members"),
    unit="count",
    counts="persons",
    basis="area",
    rows=lambda org, period, which: _cadre_persons(org, period),
    description=_("Distinct persons holding a 两委 seat on the period's last day."),
)
def cadre_count(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return {pk: IndicatorValue(value=n) for pk, n in _cadres(scopes, period).items()}


def _cross_posts(period: Period) -> QuerySet:
    """Seats on the villagers'/residents' committee held by someone who also sits on the same
    village's party committee."""
    same_village_party_seat = CadrePost.objects.filter(
        active_on_q(period.as_of), committee=Committee.PARTY
    ).filter(person_id=OuterRef("person_id"), area_id=OuterRef("area_id"))
    return _active_posts(period).exclude(committee=Committee.PARTY).filter(Exists(same_village_party_seat))


def _cross(scopes: Sequence[Scope], period: Period) -> dict[int, int]:
    return _distinct_in_areas("people.cross", scopes, period, _cross_posts(period), "person_id")


def _cross_persons(org: Org, period: Period) -> QuerySet:
    if org.area_id is None:
        return Person.objects.none()
    return Person.objects.filter(
        pk__in=_cross_posts(period).filter(area__path__startswith=org.area.path).values("person_id")
    )


@register(
    "people.cross_appointment_count",
    label=_("cross-appointed 两委 members (交叉任职)"),
    unit="count",
    counts="persons",
    basis="area",
    rows=lambda org, period, which: _cross_persons(org, period),
    description=_("Persons holding seats on both committees of the same village on the period's last day."),
)
def cross_appointment_count(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return {pk: IndicatorValue(value=n) for pk, n in _cross(scopes, period).items()}


@register(
    "people.cross_appointment_rate",
    label=_("cross-appointment rate"),
    unit="rate",
    counts="persons",
    basis="area",
    rows=lambda org, period, which: (
        _cadre_persons(org, period) if which == "denominator" else _cross_persons(org, period)
    ),
    description=_("Cross-appointed persons ÷ all 两委 members (001: 499/1406 = 35.5%)."),
)
def cross_appointment_rate(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    cross, cadres = _cross(scopes, period), _cadres(scopes, period)
    return {s.key: ratio(cross[s.key], cadres[s.key]) for s in scopes}
