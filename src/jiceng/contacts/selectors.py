"""Contact-duty reads for a user: the duties of an organisation with their flags (never visited,
not visited lately), each member's count against the quota of their role, a member's own duties."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from jiceng.core.errors import NotFound
from jiceng.core.models import Area, Org
from jiceng.core.roles import Perm
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_org, get_scoped_or_404, org_q
from jiceng.grids import queries as grids_queries
from jiceng.people import queries as people_queries

from . import rules as quotas
from .models import ContactDuty, ContactRole
from .rules import KINDS
from .services import AREA_KINDS, KIND_ZH

VIEW = Perm.VIEW_MEMBER


def active_q(day: dt.date) -> Q:
    return Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gte=day))


def _visits(day: dt.date, since_field: str = "since"):
    return grids_queries.visits().filter(
        visitor_person_id=OuterRef("person_id"), visited_on__gte=OuterRef(since_field), visited_on__lte=day
    )


def visited_household_q(day: dt.date) -> Q:
    """A household duty whose member has visited the household since the duty began, up to ``day``."""
    return Q(household__isnull=False) & Q(Exists(_visits(day).filter(household_id=OuterRef("household_id"))))


def visited_area_q(day: dt.date) -> Q:
    """An estate or building duty whose member has visited a household in it since the duty began."""
    return Q(area__isnull=False) & Q(
        Exists(_visits(day).filter(household__area__path__startswith=OuterRef("area__path")))
    )


def visited_q(day: dt.date) -> Q:
    """Whether the duty's member has visited its household (or one in its estate or building)
    since the duty began, up to ``day``."""
    return visited_household_q(day) | visited_area_q(day)


def with_visits(qs: QuerySet, day: dt.date) -> QuerySet:
    v = grids_queries.visits().filter(visitor_person_id=OuterRef("person_id"), visited_on__lte=day)
    from django.db.models import Subquery

    last_h = v.filter(household_id=OuterRef("household_id")).order_by("-visited_on").values("visited_on")[:1]
    last_a = (
        v.filter(household__area__path__startswith=OuterRef("area__path"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    return qs.annotate(last_h=Subquery(last_h), last_a=Subquery(last_a))


def duties_for(*, actor) -> QuerySet[ContactDuty]:
    return ContactDuty.objects.filter(org_q(actor, VIEW)).select_related("person", "household", "area", "org")


def duty_get(*, actor, duty_id: Any) -> ContactDuty:
    return get_scoped_or_404(duties_for(actor=actor), pk=duty_id)


def org_get(*, actor, org_id: Any) -> Org:
    try:
        org = Org.objects.select_related("area").get(pk=int(org_id))
    except (Org.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise NotFound() from exc
    if not can_access_org(actor, VIEW, org):
        raise NotFound()
    return org


def home_org(*, actor) -> Org | None:
    from jiceng.core.scoping import org_paths

    paths = sorted(org_paths(actor, VIEW), key=len)
    return Org.objects.select_related("area").filter(path=paths[0]).first() if paths else None


@dataclass(frozen=True)
class DutyRow:
    duty: ContactDuty
    last_visit: dt.date | None
    never: bool
    stale: bool  # not visited for contacts.visit_days

    @property
    def target(self) -> str:
        d = self.duty
        if d.household is not None:
            return d.household.address
        return d.area.name if d.area is not None else ""


def rows(*, duties: list[ContactDuty], org: Org, today: dt.date | None = None) -> list[DutyRow]:
    today = today or timezone.localdate()
    days = int(rule("contacts.visit_days", org))
    out = []
    for d in duties:
        last = getattr(d, "last_h", None) or getattr(d, "last_a", None)
        if last is not None and last < d.since:
            last = None
        out.append(DutyRow(d, last, last is None, last is None or (today - last).days > days))
    return out


def org_duties(*, actor, org: Org, q: str = "", flag: str = "") -> QuerySet[ContactDuty]:
    today = timezone.localdate()
    qs = duties_for(actor=actor).filter(org__path__startswith=org.path).filter(active_q(today))
    if q:
        qs = qs.filter(person__name__contains=q)
    if flag == "never":
        qs = qs.filter(~visited_q(today))
    return with_visits(qs, today).order_by("person__name", "pk")


@dataclass(frozen=True)
class QuotaRow:
    person_id: int
    name: str
    role: str
    held: dict[str, int]
    quota: dict[str, list[int]]

    @property
    def under(self) -> list[str]:
        """What the member is short of, in words ("2 户")."""
        return [
            f"{lo - self.held.get(kind, 0)}{KIND_ZH[kind]}"
            for kind, (lo, _hi) in self.quota.items()
            if self.held.get(kind, 0) < lo
        ]

    @property
    def role_label(self) -> str:
        return str(ContactRole(self.role).label)


def quota_rows(*, actor, org: Org) -> list[QuotaRow]:
    """Each member with a duty below ``org``, by role: what they hold of each kind against the quota
    (one grouped query)."""
    today = timezone.localdate()
    qs = (
        duties_for(actor=actor)
        .filter(org__path__startswith=org.path)
        .filter(active_q(today))
        .values("person_id", "person__name", "role")
        .annotate(
            households=Count("pk", filter=Q(household__isnull=False)),
            estates=Count("pk", filter=Q(area__kind="estate")),
            buildings=Count("pk", filter=Q(area__kind="building")),
        )
        .order_by("person__name")
    )
    value = rule("contacts.quotas", org)
    out = []
    for r in qs:
        wanted = {k: q for k in KINDS if (q := quotas.quota(value, r["role"], k)) is not None}
        out.append(QuotaRow(r["person_id"], r["person__name"], r["role"], {k: r[k] for k in KINDS}, wanted))
    return out


def members_without_duty(*, actor, org: Org) -> QuerySet:
    """The organisation's members with no contact duty today (000-R3: every member contacts at least one household)."""
    today = timezone.localdate()
    has = ContactDuty.objects.filter(person_id=OuterRef("member__person_id")).filter(active_q(today))
    return (
        people_queries.memberships_on(today)
        .filter(org__path__startswith=org.path)
        .filter(~Exists(has))
        .select_related("member__person")
        .order_by("member__person__name")
    )


def member_choices(*, actor, org: Org) -> QuerySet:
    today = timezone.localdate()
    return (
        people_queries.memberships_on(today)
        .filter(org__path__startswith=org.path)
        .select_related("member__person")
        .order_by("member__person__name")[:500]
    )


def household_choices(*, actor, org: Org) -> QuerySet:
    if org.area is None:
        return people_queries.households().none()
    return people_queries.households().filter(area__path__startswith=org.area.path).order_by("address")[:500]


def area_choices(*, actor, org: Org) -> QuerySet[Area]:
    if org.area is None:
        return Area.objects.none()
    return Area.objects.filter(path__startswith=org.area.path, kind__in=AREA_KINDS).order_by("path")[:500]


def mine(*, actor) -> QuerySet[ContactDuty]:
    """The duties of the logged-in member (their person's), current ones."""
    today = timezone.localdate()
    qs = (
        ContactDuty.objects.filter(person__user=actor)
        .filter(active_q(today))
        .select_related("household", "area", "org")
    )
    return with_visits(qs, today).order_by("pk")


def duty_households(*, duty: ContactDuty) -> QuerySet:
    """Where a visit on an estate or building duty may go: the households in it."""
    if duty.household_id or duty.area is None:
        return people_queries.households().filter(pk=duty.household_id)
    return people_queries.households().filter(area__path__startswith=duty.area.path).order_by("address")[:300]


def last_visit(*, duty: ContactDuty) -> dt.date | None:
    return (
        grids_queries.visits()
        .filter(visitor_person_id=duty.person_id, visited_on__gte=duty.since)
        .filter(
            Q(household_id=duty.household_id)
            if duty.household_id or duty.area is None
            else Q(household__area__path__startswith=duty.area.path)
        )
        .aggregate(m=Max("visited_on"))["m"]
    )
