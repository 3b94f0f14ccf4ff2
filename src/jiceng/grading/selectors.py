"""Grading reads, scoped to the actor."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jiceng.core.indicators import ConsistencyError
from jiceng.core.roles import Perm
from jiceng.core.scoping import get_scoped_or_404, org_q

from .models import Grade, GradingRound, RectificationMeasure, RectificationPlan


def grading_committees(*, actor) -> QuerySet:
    """The committees whose grading the actor may run (one round a year each)."""
    from jiceng.core.models import OrgKind
    from jiceng.core.scoping import orgs_for

    from .plugin import GRADE

    return orgs_for(actor, GRADE).filter(kind=OrgKind.COMMITTEE).order_by("path")


def rounds_for(*, actor) -> QuerySet[GradingRound]:
    """Rounds run by an organisation in scope, or whose grades reach into the scope."""
    graded = Grade.objects.filter(org_q(actor, Perm.VIEW_ORG)).values("round_id")
    return (
        GradingRound.objects.filter(Q(org_q(actor, Perm.VIEW_ORG)) | Q(pk__in=graded))
        .select_related("org")
        .order_by("-year", "org__path")
    )


def round_get(*, actor, round_id) -> GradingRound:
    return get_scoped_or_404(rounds_for(actor=actor), pk=round_id)


def grades_for(
    *, actor, rnd: GradingRound, level: str = "", lagging: str = "", q: str = ""
) -> QuerySet[Grade]:
    qs = Grade.objects.filter(org_q(actor, Perm.VIEW_ORG), round=rnd).select_related(
        "org", "org__area", "plan"
    )
    if level:
        qs = qs.filter(Q(final=level) | Q(final="", proposed=level))
    if lagging in ("yes", "no"):
        qs = qs.filter(lagging=lagging == "yes")
    if q:
        qs = qs.filter(org__name__contains=q)
    return qs.order_by("score", "org__path")


def grade_get(*, actor, grade_id) -> Grade:
    return get_scoped_or_404(
        Grade.objects.filter(org_q(actor, Perm.VIEW_ORG)).select_related("round", "org"), pk=grade_id
    )


def distribution(*, actor, rnd: GradingRound) -> list[dict]:
    """The 000-R2 table: per level, how many and what share (confirmed grade, else proposed).
    Refuses to return rows that do not add up to the total."""
    qs = Grade.objects.filter(org_q(actor, Perm.VIEW_ORG), round=rnd)
    total = qs.count()
    counts: dict[str, int] = {}
    for final, proposed, n in qs.order_by().values_list("final", "proposed").annotate(n=Count("pk")):
        key = final or proposed
        counts[key] = counts.get(key, 0) + n
    rows = [
        {
            "key": lv["key"],
            "label": lv["label"],
            "count": counts.get(lv["key"], 0),
            "share": round(counts.get(lv["key"], 0) / total, 4) if total else None,
        }
        for lv in rnd.levels
    ]
    if sum(r["count"] for r in rows) != total:
        raise ConsistencyError("grade counts do not add up to the number of graded organisations")
    return rows


def round_covering(*, actor, org, year: int) -> GradingRound | None:
    """The round in scope that grades ``org``'s subtree in ``year`` (run by it or above it, else the
    highest inside it); ``org`` None: the actor's top round of the year."""
    from jiceng.core.rulepacks import ancestor_paths

    rounds = rounds_for(actor=actor).filter(year=year)
    if org is None:
        return rounds.order_by("org__depth", "org__path").first()
    return (
        rounds.filter(org__path__in=ancestor_paths(org.path)).order_by("org__depth").first()
        or rounds.filter(org__path__startswith=org.path).order_by("org__depth", "org__path").first()
    )


def plan_of(grade: Grade) -> RectificationPlan | None:
    """The grade's plan, or None (the reverse one-to-one raises when there is none)."""
    try:
        return grade.plan
    except RectificationPlan.DoesNotExist:
        return None


def round_summary(*, actor, rnd: GradingRound) -> dict[str, int]:
    """Counts for the round page: proposed and marked lagging, confirmed, plans (within scope), and
    since the round was reopened, the grades confirmed before that and not since (awaiting)."""
    counts = {
        "proposed_lagging": Count("pk", filter=Q(lagging_proposed=True)),
        "lagging": Count("pk", filter=Q(lagging=True)),
        "confirmed": Count("pk", filter=Q(confirmed_at__isnull=False)),
        "plans": Count("plan"),
    }
    if rnd.reopened_at is not None:
        counts["awaiting"] = Count("pk", filter=Q(confirmed_at__lte=rnd.reopened_at))
    return {"awaiting": 0, **grades_for(actor=actor, rnd=rnd).aggregate(**counts)}


def plans_for(*, actor, status: str = "", overdue: bool = False, within=None) -> QuerySet[RectificationPlan]:
    today = timezone.localdate()
    qs = (
        RectificationPlan.objects.filter(org_q(actor, Perm.VIEW_ORG, field="grade__org"))
        .select_related("grade__org", "grade__round")
        .annotate(
            n_measures=Count("measures"),
            n_done=Count("measures", filter=Q(measures__done_on__isnull=False)),
            n_overdue=Count(
                "measures", filter=Q(measures__done_on__isnull=True, measures__deadline__lt=today)
            ),
        )
    )
    if within is not None:
        qs = qs.filter(grade__org__path__startswith=within.path)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(n_overdue__gt=0)
    return qs.order_by("status", "grade__org__path")


def plan_measures(plan: RectificationPlan) -> list:
    """The measures of a plan the caller already holds (scoped by plan_get / plans_for)."""
    return list(plan.measures.all())


def plan_get(*, actor, plan_id) -> RectificationPlan:
    return get_scoped_or_404(plans_for(actor=actor), pk=plan_id)


def measure_get(*, actor, measure_id) -> RectificationMeasure:
    return get_scoped_or_404(
        RectificationMeasure.objects.filter(
            org_q(actor, Perm.VIEW_ORG, field="plan__grade__org")
        ).select_related("plan__grade__org"),
        pk=measure_id,
    )


def grade_flow(*, actor, grade: Grade) -> dict | None:
    """Where the grade stands in its workflow: the stage, the steps taken, what can be done next
    (and what not yet, and why)."""
    from jiceng.core import workflows

    instance = grade.workflow
    if instance is None:
        return None
    spec = workflows.spec_of(instance.definition)
    return {
        "instance": instance,
        "state": spec.state(instance.state).label,
        "version": instance.definition.version,
        "history": workflows.history(instance),
        "options": workflows.options(actor=actor, instance=instance),
    }
