"""Every read of the routine work (routine.py) for a user: service points and their duty roster,
the monthly dispute routine and its report, the three lists. Each starts from the actor's scope
for MANAGE_DUTY (the ledgers' rows from VIEW_CASE); anything else is NotFound."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from jiceng.core.models import Area, Org, User
from jiceng.core.scoping import area_q, get_scoped_or_404

from . import queries, selectors
from .models import (
    Case,
    DisputeRoutine,
    DutyShift,
    Kind,
    ListItem,
    ListItemKind,
    Milestone,
    ScreeningItem,
    Severity,
)
from .plugin import MANAGE_DUTY, VIEW_CASE

SERVICE_POINT_KINDS = ("village", "community", "township", "subdistrict")
VILLAGE_KINDS = ("village", "community")
TOWNSHIP_KINDS = ("township", "subdistrict")
NOTHING_FOUND = "本月排查未发现矛盾纠纷"  # routine.NOTHING_FOUND (not counted as a dispute found)
HIGH_RISK = (Severity.SERIOUS, Severity.MAJOR)


def month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def last_months(n: int, today: dt.date | None = None) -> list[dt.date]:
    """The first days of the last ``n`` months, this one first."""
    month = (today or timezone.localdate()).replace(day=1)
    out = []
    for _ in range(n):
        out.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return out


# --- areas -----------------------------------------------------------------------------------------


def _areas(actor, kinds: Sequence[str], within: Area | None = None, q: str = "") -> QuerySet[Area]:
    qs = Area.objects.filter(area_q(actor, MANAGE_DUTY, field=""), kind__in=kinds)
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    if q:
        qs = qs.filter(name__contains=q)
    return qs.order_by("path")


def service_points(*, actor, within: Area | None = None, q: str = "") -> QuerySet[Area]:
    """The service points (a village's or community's, a township's) whose roster the actor keeps."""
    return _areas(actor, SERVICE_POINT_KINDS, within, q)


def service_point(*, actor, area_id: Any) -> Area:
    return get_scoped_or_404(service_points(actor=actor), pk=area_id)


def villages(*, actor, within: Area | None = None, q: str = "") -> QuerySet[Area]:
    return _areas(actor, VILLAGE_KINDS, within, q)


def village(*, actor, area_id: Any) -> Area:
    return get_scoped_or_404(villages(actor=actor), pk=area_id)


def townships(*, actor) -> QuerySet[Area]:
    """Townships (subdistricts) in the actor's scope, for the filters (a village secretary's has none)."""
    return _areas(actor, TOWNSHIP_KINDS)


def township(*, actor, area_id: Any) -> Area:
    return get_scoped_or_404(townships(actor=actor), pk=area_id)


def parents(areas: Sequence[Area]) -> dict[str, Area]:
    """The area above each of ``areas`` (a village's township), by path: one query."""
    paths = {a.path[: -Area.steplen] for a in areas if a.depth > 1}
    return {a.path: a for a in Area.objects.filter(path__in=paths)} if paths else {}


# --- the duty roster -------------------------------------------------------------------------------


def duty_candidates(*, actor, area: Area) -> QuerySet[User]:
    """Who may be put on duty at ``area``: active users holding a role on an organisation anchored
    at it or at the area above it. Empty unless the actor keeps that area's roster."""
    if not service_points(actor=actor).filter(pk=area.pk).exists():
        return User.objects.none()
    paths = [area.path] + ([area.path[: -Area.steplen]] if area.depth > 1 else [])
    return (
        User.objects.filter(is_active=True, role_assignments__org__area__path__in=paths)
        .distinct()
        .order_by("display_name", "username")
    )


def roster(*, actor, area: Area, month: dt.date) -> QuerySet[DutyShift]:
    """The month's shifts at a service point in scope, by day."""
    area = service_point(actor=actor, area_id=area.pk)
    return (
        DutyShift.objects.filter(area=area, on__gte=month, on__lte=month_end(month))
        .select_related("user")
        .order_by("on", "user__display_name", "pk")
    )


def shift(*, actor, shift_id: Any) -> DutyShift:
    qs = DutyShift.objects.filter(area_q(actor, MANAGE_DUTY), area__kind__in=SERVICE_POINT_KINDS)
    return get_scoped_or_404(qs.select_related("area", "user"), pk=shift_id)


def on_duty(*, areas: Sequence[Area], day: dt.date) -> dict[int, list[User]]:
    """Who is on duty on ``day`` at each of ``areas`` (already read through a selector): one query."""
    out: dict[int, list[User]] = defaultdict(list)
    if not areas:
        return out
    for s in (
        DutyShift.objects.filter(area__in=[a.pk for a in areas], on=day).select_related("user").order_by("pk")
    ):
        out[s.area_id].append(s.user)
    return out


def uncovered(*, actor, day: dt.date, within: Area | None = None, q: str = "") -> QuerySet[Area]:
    """每天都有专人值班: the service points in scope with nobody on duty on ``day``."""
    nobody = ~Exists(DutyShift.objects.filter(area=OuterRef("pk"), on=day))
    return service_points(actor=actor, within=within, q=q).filter(nobody)


# --- cases the routine links to ----------------------------------------------------------------------


def case_by_number(*, actor, area: Area, number: str) -> Case | None:
    """A request placed in ``area``'s subtree that the actor may see, by its number."""
    return (
        selectors.cases_for(actor)
        .filter(number=number, area__path__startswith=area.path)
        .only("pk", "number", "title")
        .first()
    )


# --- the monthly dispute routine ---------------------------------------------------------------------


def routine(*, actor, area: Area, month: dt.date) -> DisputeRoutine | None:
    area = village(actor=actor, area_id=area.pk)
    return DisputeRoutine.objects.filter(area=area, month=month).select_related("created_by").first()


def screening(*, routine: DisputeRoutine | None) -> list[ScreeningItem]:
    if routine is None:
        return []
    return list(routine.items.select_related("case").order_by("resolved", "pk"))


def screening_item(*, actor, item_id: Any) -> ScreeningItem:
    qs = ScreeningItem.objects.filter(area_q(actor, MANAGE_DUTY, field="routine__area"))
    return get_scoped_or_404(qs.select_related("routine__area"), pk=item_id)


def _disputes(actor, area: Area, month: dt.date) -> QuerySet[Case]:
    qs = selectors.cases_for(actor).filter(kind=Kind.DISPUTE, area__path__startswith=area.path)
    return queries.in_period(qs, month, month_end(month))


DISPUTE_EXTRA = {
    "mediated": Count("pk", filter=Q(agreement_on__isnull=False)),
    "applied": Count("pk", filter=Q(confirmation_applied_on__isnull=False)),
}


def month_figures(*, actor, area: Area, month: dt.date) -> dict[str, int]:
    """The month's dispute figures for a village: received, closed (queries.figures), mediated
    (a mediation agreement recorded) and applied for 司法确认, of the disputes received that month."""
    qs = _disputes(actor, area, month)
    out = queries.figures(qs)
    out.update(qs.aggregate(**DISPUTE_EXTRA))
    return out


@dataclass
class MonthStatus:
    screened: bool = False
    met: bool = False
    findings: int = 0  # disputes found (a "nothing found" record is not one)
    open_findings: int = 0

    @property
    def reported(self) -> bool:
        """The month's report is complete: screened and met (月排查、月例会 → 月报告)."""
        return self.screened and self.met


def routine_status(
    *, areas: Sequence[Area], months: Sequence[dt.date]
) -> dict[tuple[int, dt.date], MonthStatus]:
    """(area id, month) → what the month has, for every village and month asked: one query."""
    out: dict[tuple[int, dt.date], MonthStatus] = {(a.pk, m): MonthStatus() for a in areas for m in months}
    if not areas or not months:
        return out
    found = ~Q(items__description=NOTHING_FOUND)
    rows = (
        DisputeRoutine.objects.filter(area__in=[a.pk for a in areas], month__in=list(months))
        .annotate(
            n=Count("items"),
            f=Count("items", filter=found),
            o=Count("items", filter=found & Q(items__resolved=False)),
        )
        .values("area_id", "month", "meeting_on", "n", "f", "o")
    )
    for r in rows:
        out[(r["area_id"], r["month"])] = MonthStatus(
            screened=r["n"] > 0, met=r["meeting_on"] is not None, findings=r["f"], open_findings=r["o"]
        )
    return out


def routine_gaps(
    *, actor, months: Sequence[dt.date], within: Area | None = None, q: str = ""
) -> QuerySet[Area]:
    """Villages in scope with a month of ``months`` not screened or without its meeting."""
    qs = villages(actor=actor, within=within, q=q)
    gap: Any = Q()
    for m in months:
        done = DisputeRoutine.objects.filter(
            area=OuterRef("pk"), month=m, meeting_on__isnull=False, items__isnull=False
        )
        gap |= ~Exists(done)
    return qs.filter(gap)


@dataclass
class MonthlyReport:
    area: Area
    month: dt.date
    figures: dict[str, int]
    routine: DisputeRoutine | None
    items: list[ScreeningItem] = field(default_factory=list)
    status: MonthStatus = field(default_factory=MonthStatus)

    @property
    def high_risk(self) -> int:
        return sum(1 for i in self.items if i.risk in HIGH_RISK and i.description != NOTHING_FOUND)


def monthly_report(*, actor, area: Area, month: dt.date) -> MonthlyReport:
    """月报告: the month's dispute figures, the screening's findings and the meeting, for a village."""
    found = routine(actor=actor, area=area, month=month)
    items = screening(routine=found)
    status = routine_status(areas=[area], months=[month])[(area.pk, month)]
    return MonthlyReport(
        area, month, month_figures(actor=actor, area=area, month=month), found, items, status
    )


def report_org(*, actor, area: Area) -> Org | None:
    """The village's own organisation, when the actor may export its dispute ledger (the monthly
    report's Excel is that ledger for the organisation and the month); else None."""
    from jiceng.core.roles import Perm
    from jiceng.core.scoping import can_access_org

    org = queries.org_for_area(area)
    if org is None or org.area_id != area.pk or not can_access_org(actor, Perm.EXPORT_PERSONAL, org):
        return None
    return org


# --- the monthly report over many villages (the dispute ledger's second and third sheets) -----------


def _ledger_villages(actor, org: Org | None) -> QuerySet[Area]:
    qs = Area.objects.filter(area_q(actor, VIEW_CASE, field=""), kind__in=VILLAGE_KINDS)
    if org is not None:
        qs = qs.filter(path__startswith=org.area.path) if org.area is not None else qs.none()
    return qs.order_by("path")


def month_rows(*, actor, org: Org | None, month: dt.date) -> Iterator[dict[str, Any]]:
    """One row per village (of the subtree, in the actor's case scope): the month's dispute figures,
    screening and meeting, in a query per village depth plus one for the routines."""
    areas = list(_ledger_villages(actor, org).only("pk", "path", "name", "depth"))
    qs = selectors.cases_for(actor).filter(kind=Kind.DISPUTE)
    qs = queries.in_period(qs, month, month_end(month))
    aggregates = {
        "received": Count("pk"),
        "closed": Count("pk", filter=Q(state="closed")),
        **DISPUTE_EXTRA,
    }
    figures: dict[str, dict[str, int]] = {}
    for length in sorted({len(a.path) for a in areas}):
        rows = qs.annotate(_v=Substr("area__path", 1, length)).order_by().values("_v").annotate(**aggregates)
        figures.update({r["_v"]: r for r in rows})
    routines = {
        r.area_id: r
        for r in DisputeRoutine.objects.filter(area__in=[a.pk for a in areas], month=month).annotate(
            n=Count("items"),
            f=Count("items", filter=~Q(items__description=NOTHING_FOUND)),
            ok=Count("items", filter=~Q(items__description=NOTHING_FOUND) & Q(items__resolved=True)),
            high=Count("items", filter=~Q(items__description=NOTHING_FOUND) & Q(items__risk__in=HIGH_RISK)),
        )
    }
    zero = {k: 0 for k in aggregates}
    for a in areas:
        r = routines.get(a.pk)
        yield {
            "area": a,
            **{k: figures.get(a.path, zero)[k] for k in aggregates},
            "screened": bool(r and r.n),
            "findings": r.f if r else 0,
            "resolved": r.ok if r else 0,
            "high_risk": r.high if r else 0,
            "meeting_on": r.meeting_on if r else None,
            "attendees": r.attendees if r else "",
        }


def month_items(*, actor, org: Org | None, month: dt.date) -> QuerySet[ScreeningItem]:
    villages_qs = _ledger_villages(actor, org)
    return (
        ScreeningItem.objects.filter(routine__month=month, routine__area__in=villages_qs)
        .select_related("routine__area", "case")
        .order_by("routine__area__path", "pk")
    )


# --- the three lists ---------------------------------------------------------------------------------


def list_item(*, actor, item_id: Any) -> ListItem:
    qs = ListItem.objects.filter(area_q(actor, MANAGE_DUTY), area__kind__in=VILLAGE_KINDS)
    return get_scoped_or_404(qs.select_related("area", "case", "created_by"), pk=item_id)


def milestone(*, actor, milestone_id: Any) -> Milestone:
    qs = Milestone.objects.filter(
        area_q(actor, MANAGE_DUTY, field="project__area"), project__kind=ListItemKind.PROJECT
    )
    return get_scoped_or_404(qs.select_related("project__area"), pk=milestone_id)


def open_sources(*, actor, area: Area) -> QuerySet[ListItem]:
    """The village's open needs and resources, which a project may be made from."""
    area = village(actor=actor, area_id=area.pk)
    return ListItem.objects.filter(
        area=area, kind__in=(ListItemKind.NEED, ListItemKind.RESOURCE), closed_on__isnull=True
    ).order_by("kind", "pk")


def _overdue_q(today: dt.date) -> Q:
    return Q(milestones__done_on__isnull=True, milestones__due_on__lt=today)


def list_items(*, actor, area: Area, kind: str, state: str = "open", q: str = "") -> QuerySet[ListItem]:
    """One of a village's three lists; ``state``: open, closed or "" (both). Projects come with
    their milestone counts (n_milestones, n_left, n_overdue); needs with how many projects."""
    area = village(actor=actor, area_id=area.pk)
    qs = ListItem.objects.filter(area=area, kind=kind)
    if state == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif state == "closed":
        qs = qs.filter(closed_on__isnull=False)
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(detail__contains=q) | Q(offered_by__contains=q))
    today = timezone.localdate()
    if kind == ListItemKind.PROJECT:
        qs = qs.annotate(
            n_milestones=Count("milestones", distinct=True),
            n_left=Count("milestones", filter=Q(milestones__done_on__isnull=True), distinct=True),
            n_overdue=Count("milestones", filter=_overdue_q(today), distinct=True),
        )
    elif kind == ListItemKind.NEED:
        qs = qs.annotate(n_projects=Count("projects", distinct=True))
    return qs.select_related("case").order_by(F("closed_on").asc(nulls_first=True), "-pk")


def milestones_of(*, project: ListItem) -> list[Milestone]:
    return list(project.milestones.order_by("due_on", "pk"))


def sources_of(*, project: ListItem) -> list[ListItem]:
    return list(project.sources.order_by("kind", "pk"))


def projects_of(*, item: ListItem) -> list[ListItem]:
    return list(item.projects.order_by("-pk"))


def _need_q() -> dict[str, Any]:
    return {"kind": ListItemKind.NEED, "closed_on__isnull": True}


def list_overview(*, actor, within: Area | None = None, flagged: bool = False, q: str = "") -> QuerySet[Area]:
    """Villages in scope (``flagged``: only those with a need no project answers yet or a project
    with an overdue milestone); their counts come from list_counts, for one page of them."""
    today = timezone.localdate()
    qs = villages(actor=actor, within=within, q=q)
    unmatched = ListItem.objects.filter(area=OuterRef("pk"), projects__isnull=True, **_need_q())
    overdue = ListItem.objects.filter(
        area=OuterRef("pk"), kind=ListItemKind.PROJECT, closed_on__isnull=True
    ).filter(_overdue_q(today))
    if flagged:
        qs = qs.filter(Exists(unmatched) | Exists(overdue))
    return qs


def list_counts(*, areas: Sequence[Area]) -> dict[int, dict[str, int]]:
    """Per village of ``areas`` (read through list_overview): the overview's counts, three queries."""
    today = timezone.localdate()
    ids = [a.pk for a in areas]
    out: dict[int, dict[str, int]] = {
        pk: {"needs": 0, "unmatched": 0, "projects": 0, "overdue": 0} for pk in ids
    }
    if not ids:
        return out
    base = ListItem.objects.filter(area__in=ids, closed_on__isnull=True).order_by()
    for r in base.filter(kind=ListItemKind.NEED).values("area_id").annotate(n=Count("pk", distinct=True)):
        out[r["area_id"]]["needs"] = r["n"]
    for r in (
        base.filter(kind=ListItemKind.NEED, projects__isnull=True)
        .values("area_id")
        .annotate(n=Count("pk", distinct=True))
    ):
        out[r["area_id"]]["unmatched"] = r["n"]
    for r in (
        base.filter(kind=ListItemKind.PROJECT)
        .values("area_id")
        .annotate(n=Count("pk", distinct=True), o=Count("pk", filter=_overdue_q(today), distinct=True))
    ):
        out[r["area_id"]]["projects"] = r["n"]
        out[r["area_id"]]["overdue"] = r["o"]
    return out


def overdue_projects(*, actor, within: Area | None = None) -> QuerySet[ListItem]:
    """Open projects in scope with a milestone past its due date, the most overdue first."""
    today = timezone.localdate()
    qs = ListItem.objects.filter(
        area_q(actor, MANAGE_DUTY),
        area__kind__in=VILLAGE_KINDS,
        kind=ListItemKind.PROJECT,
        closed_on__isnull=True,
    ).filter(pk__in=Milestone.objects.filter(done_on__isnull=True, due_on__lt=today).values("project_id"))
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    return qs.select_related("area").order_by("pk")


def unmatched_needs(*, actor, within: Area | None = None) -> QuerySet[ListItem]:
    """Open needs in scope that no project answers yet, oldest first."""
    qs = ListItem.objects.filter(
        area_q(actor, MANAGE_DUTY), area__kind__in=VILLAGE_KINDS, projects__isnull=True, **_need_q()
    )
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    return qs.select_related("area").order_by("created_at", "pk")
