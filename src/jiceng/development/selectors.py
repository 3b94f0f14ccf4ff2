"""Development reads for a user, scoped to the organisations in which they see members: the board
of a branch (who is at which step, what is due next and by when, what is overdue), one record with
its steps, the members who may guide or introduce, the stage counts per child unit and the plans."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from jiceng.core import workflows
from jiceng.core.dates import months_after, years_after
from jiceng.core.errors import NotFound
from jiceng.core.indicators import Scope, grouped
from jiceng.core.models import Org, OrgKind, WorkflowInstance
from jiceng.core.roles import Perm
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_org, get_scoped_or_404, org_q
from jiceng.people import queries as people_queries

from . import queries
from .models import Applicant, Plan, Stage, Step, StepPhoto
from .plugin import APPROVE, DEVELOP
from .steps import BY_CODE, STAGES
from .workflows import MOVES

VIEW = Perm.VIEW_MEMBER
OPEN_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY)
# the day a record entered each open stage
STAGE_DATE = {
    Stage.APPLICANT: "applied_on",
    Stage.ACTIVIST: "activist_on",
    Stage.CANDIDATE: "candidate_on",
    Stage.PROBATIONARY: "approved_on",
}


def applicants_for(*, actor) -> QuerySet[Applicant]:
    return Applicant.objects.filter(org_q(actor, VIEW)).select_related("person", "org", "host_org")


def applicant_get(*, actor, applicant_id: Any) -> Applicant:
    return get_scoped_or_404(applicants_for(actor=actor), pk=applicant_id)


def org_get(*, actor, org_id: Any) -> Org:
    try:
        org = Org.objects.select_related("area").get(pk=int(org_id))
    except (Org.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise NotFound() from exc
    if not can_access_org(actor, VIEW, org):
        raise NotFound()
    return org


def home_org(*, actor) -> Org | None:
    """The highest organisation in which the actor sees members (the board opens there)."""
    from jiceng.core.scoping import org_paths

    paths = sorted(org_paths(actor, VIEW), key=len)
    return Org.objects.filter(path=paths[0]).first() if paths else None


def branches(*, actor, within: Org) -> QuerySet[Org]:
    """The branches below ``within`` that receive applications (for the application form)."""
    return (
        Org.objects.filter(org_q(actor, DEVELOP, ""))
        .filter(path__startswith=within.path, kind__in=(OrgKind.BRANCH, OrgKind.GENERAL_BRANCH))
        .order_by("path")
    )


@dataclass(frozen=True)
class Due:
    label: str  # what is due next
    by: dt.date | None  # by when (None: no time limit)
    earliest: dt.date | None = None  # not before (a time rule)

    def overdue(self, today: dt.date) -> bool:
        return self.by is not None and self.by < today


def _due(a: Applicant, state: str, last_review: dt.date | None) -> Due:
    """What the record waits for in its state, from its dates and the rules at its branch."""
    r = lambda key: rule(f"development.{key}", a.org)  # noqa: E731
    if state == "applied":
        return Due("党组织派人谈话", months_after(a.applied_on, r("talk_within_months")))
    if state in ("activist", "activist_filed", "guided") and a.activist_on:
        review_by = months_after(last_review or a.activist_on, r("review_months"))
        ready = years_after(a.activist_on, r("activist_min_years"))
        if state == "guided":
            return Due(f"培养考察（{ready:%Y-%m-%d}起可列为发展对象）", review_by, ready)
        return Due(BY_CODE["s04_activist_filed" if state == "activist" else "s05_guides"].label, review_by)
    if state in ("admitted", "interviewed") and a.admitted_on:
        return Due("上级党委谈话与审批", months_after(a.admitted_on, r("approval_months")))
    if state in ("sworn", "conversion_applied") and a.probation_ends_on:
        label = "提出转正申请" if state == "sworn" else "支部大会讨论转正"
        return Due(label, a.probation_ends_on)
    if state == "conversion_voted":
        return Due("上级党委审批转正", None)
    nxt = MOVES_FROM.get(state)
    return Due(BY_CODE[nxt].label if nxt else "", None)


# the shipped workflow's usual next step from each state (a self-loop is not "next")
MOVES_FROM: dict[str, str] = {}
for _code, (_sources, _target) in MOVES.items():
    for _s in _sources:
        if _target != _s:
            MOVES_FROM.setdefault(_s, _code)


@dataclass(frozen=True)
class BoardRow:
    applicant: Applicant
    state: str
    state_label: str
    due: Due
    overdue: bool


def _states(ids: list[int]) -> dict[int, WorkflowInstance]:
    rows = WorkflowInstance.objects.filter(
        target_type="development.applicant", target_id__in=[str(i) for i in ids]
    ).select_related("definition")
    return {int(w.target_id): w for w in rows}


def _last_reviews(ids: list[int]) -> dict[int, dt.date]:
    rows = (
        Step.objects.filter(applicant_id__in=ids, code="s06_review")
        .values("applicant_id")
        .annotate(last=Max("done_on"))
        .order_by()
    )
    return {r["applicant_id"]: r["last"] for r in rows}


def board(
    *, actor, org: Org, stage: str = "", q: str = "", overdue_only: bool = False
) -> QuerySet[Applicant]:
    """The open records below ``org`` (ended and archived ones are not on the board), oldest stage first."""
    qs = applicants_for(actor=actor).filter(org__path__startswith=org.path)
    if stage == "ended":
        qs = qs.filter(stage=Stage.ENDED)
    elif stage in Stage.values:
        qs = qs.filter(stage=stage)
    else:
        qs = qs.filter(stage__in=OPEN_STAGES)
    if q:
        qs = qs.filter(person__name__contains=q)
    return qs.order_by("org__path", "applied_on", "pk")


def board_rows(*, actor, applicants: list[Applicant]) -> list[BoardRow]:
    """The rows of one page of the board: three queries whatever the page's length."""
    ids = [a.pk for a in applicants]
    states, reviews = _states(ids), _last_reviews(ids)
    today = timezone.localdate()
    out = []
    for a in applicants:
        w = states.get(a.pk)
        state = w.state if w else ""
        spec = workflows.spec_of(w.definition) if w else None
        label = spec.state(state).label if spec else ""
        due = _due(a, state, reviews.get(a.pk))
        out.append(BoardRow(a, state, label, due, due.overdue(today)))
    return out


def board_page(
    *, actor, org: Org, stage: str = "", q: str = "", offset: int = 0, limit: int = 50
) -> tuple[int, list[BoardRow]]:
    """One page of the board for the API: the count and the rows."""
    qs = board(actor=actor, org=org, stage=stage, q=q)
    return qs.count(), board_rows(actor=actor, applicants=list(qs[offset : offset + limit]))


def links_of(*, actor, applicant: Applicant) -> list:
    return list(applicant.links.select_related("member__person").order_by("role", "pk"))


def steps_of(*, actor, applicant: Applicant) -> list[Step]:
    return list(applicant.steps.select_related("recorded_by").prefetch_related("photos"))


def photo_get(*, actor, photo_id: Any) -> StepPhoto:
    try:
        photo = StepPhoto.objects.select_related("step__applicant__org").get(pk=int(photo_id))
    except (StepPhoto.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise NotFound() from exc
    if not can_access_org(actor, VIEW, photo.step.applicant.org):
        raise NotFound()
    return photo


def instance_of(applicant: Applicant) -> WorkflowInstance:
    return WorkflowInstance.objects.select_related("definition").get(
        target_type="development.applicant", target_id=str(applicant.pk)
    )


@dataclass(frozen=True)
class NextStep:
    code: str
    label: str
    number: int | None
    rule: str
    by_committee: bool
    may: bool  # this actor holds the right to record it


def next_steps(*, actor, applicant: Applicant) -> list[NextStep]:
    """The ways on from the record's state in its workflow version, each with whether this actor may
    take it; the rules themselves are checked when the step is recorded."""
    w = instance_of(applicant)
    spec = workflows.spec_of(w.definition)
    out = []
    hidden = {
        "s15_vote_failed",
        "s24_extension_approval",
        "s24_cancellation_approval",
    }  # outcomes, not choices
    for t in spec.outgoing(w.state):
        if t.key in hidden:
            continue
        d = BY_CODE.get(t.key)
        committee = (d.by == "committee") if d else t.key == "cancel"
        perm = APPROVE if committee else DEVELOP
        may = can_access_org(actor, perm, applicant.org) or (
            t.key in ("s06_review", "s21_review")
            and applicant.host_org is not None
            and can_access_org(actor, DEVELOP, applicant.host_org)
        )
        out.append(NextStep(t.key, t.label, d.number if d else None, d.rule if d else "", committee, may))
    return out


def member_choices(*, actor, applicant: Applicant, on: dt.date | None = None) -> QuerySet:
    """The branch's full members on the day (today): who may guide an activist or introduce a candidate."""
    day = on or timezone.localdate()
    return (
        people_queries.full_memberships_on(day)
        .filter(org__path__startswith=applicant.org.path)
        .exclude(member__person_id=applicant.person_id)
        .select_related("member__person")
        .order_by("member__person__name")
    )


@dataclass(frozen=True)
class StageRow:
    org: Org
    counts: dict[str, int]
    overdue_talks: int
    oldest_applied: dt.date | None
    # per stage, the earliest day a record now in it entered it: how old the pipeline is
    since: dict[str, dt.date | None] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[tuple[str, int, dt.date | None]]:
        return [(st, n, self.since.get(st)) for st, n in self.counts.items()]


def stage_counts(*, actor, org: Org) -> list[StageRow]:
    """Per child unit of ``org``: the open records by stage, the applicants not talked to in time and
    the oldest application still open — one grouped query per path length."""
    children = list(Org.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path"))
    if not children:
        children = [org]
    base = applicants_for(actor=actor).filter(stage__in=OPEN_STAGES)
    today = timezone.localdate()
    talk_months = int(rule("development.talk_within_months", org))
    talked = Exists(Step.objects.filter(applicant=OuterRef("pk"), code="s02_talk"))
    late_talk = Q(stage=Stage.APPLICANT, applied_on__lt=months_after(today, -talk_months)) & ~Q(talked)
    got = grouped(
        [Scope(c) for c in children],
        base,
        "org__path",
        {
            **{str(st): Count("pk", filter=Q(stage=st)) for st in OPEN_STAGES},
            "late": Count("pk", filter=late_talk),
            "oldest": Min("applied_on"),
            **{f"since_{st}": Min(STAGE_DATE[st], filter=Q(stage=st)) for st in OPEN_STAGES},
        },
    )
    out = [
        StageRow(
            c,
            {str(st): got[c.pk][str(st)] or 0 for st in OPEN_STAGES},
            got[c.pk]["late"] or 0,
            got[c.pk]["oldest"],
            {str(st): got[c.pk][f"since_{st}"] for st in OPEN_STAGES},
        )
        for c in children
    ]
    return out


@dataclass(frozen=True)
class PlanRow:
    org: Org
    year: int
    plan: Plan | None
    developed: int
    activists: int
    migrant: int


def plans(*, actor, org: Org, year: int) -> list[PlanRow]:
    """The committees at and below ``org`` with a plan for the year, or ``org`` itself: planned
    against achieved (members developed in the year, activists named in it, migrant workers)."""
    committees = list(
        Org.objects.filter(
            org_q(actor, VIEW, ""), path__startswith=org.path, kind=OrgKind.COMMITTEE
        ).order_by("path")[:200]
    )
    found = {p.org_id: p for p in Plan.objects.filter(org__in=committees, year=year)}
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), timezone.localdate())
    out = []
    for c in committees:
        developed = queries.developed_between(start, end).filter(org__path__startswith=c.path)
        got = developed.aggregate(n=Count("pk"), migrant=Count("pk", filter=Q(migrant_worker=True)))
        activists = Applicant.objects.filter(
            org__path__startswith=c.path, activist_on__gte=start, activist_on__lte=end
        ).count()
        out.append(PlanRow(c, year, found.get(c.pk), got["n"], activists, got["migrant"]))
    return out


def stage_labels() -> dict[str, str]:
    return dict(STAGES)
