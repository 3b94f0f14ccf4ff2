"""Every read of village decisions for a user: takes ``actor``, scoped to the actor's subtree (the
matters by their village organisation's path, the villages by their area's path)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jiceng.core import workflows
from jiceng.core.dates import months_after
from jiceng.core.models import Area, Org
from jiceng.core.rulepacks import resolve_many, rule
from jiceng.core.scoping import area_q, get_scoped_or_404, org_q
from jiceng.people import queries as people_queries

from . import queries
from .models import Body, Demand, Matter, MeetingPhoto, Outcome, PopulationFigure, Seat
from .plugin import RECORD, REVIEW
from .workflows import FIVE_STEP, MEETING_OF

VILLAGE_KINDS = ("village", "community")


def villages_for(*, actor, perm: str = RECORD, q: str = "") -> QuerySet[Area]:
    qs = Area.objects.filter(area_q(actor, perm, field=""), kind__in=VILLAGE_KINDS)
    if q:
        qs = qs.filter(name__contains=q)
    return qs.order_by("path")


def village_get(*, actor, area_id, perm: str = RECORD) -> Area:
    return get_scoped_or_404(villages_for(actor=actor, perm=perm), pk=area_id)


def matters_for(
    *,
    actor,
    village: Area | None = None,
    kind: str = "",
    stage: str = "",
    outcome: str = "",
    year: int | None = None,
    q: str = "",
    perm: str = RECORD,
) -> QuerySet[Matter]:
    qs = Matter.objects.filter(org_q(actor, perm)).select_related("village", "org")
    if village is not None:
        qs = qs.filter(village=village)
    if kind:
        qs = qs.filter(kind=kind)
    if stage:
        qs = qs.filter(stage=stage)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if year:
        qs = qs.filter(proposed_on__year=year)
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(kind_name__contains=q))
    return qs.order_by("-proposed_on", "-pk")


def page_of(qs: QuerySet[Matter], *, offset: int, limit: int) -> tuple[int, list[Matter]]:
    """The count and one page of a scoped list (the API's)."""
    return qs.count(), list(qs[offset : offset + limit])


def matter_get(*, actor, matter_id, perm: str = RECORD) -> Matter:
    """A matter in scope: for those who record the village's decisions, or review them."""
    qs = Matter.objects.filter(org_q(actor, perm) | org_q(actor, REVIEW)).select_related("village", "org")
    return get_scoped_or_404(qs, pk=matter_id)


@dataclass
class Trail:
    matter: Matter
    meetings: list[Any]  # Meeting rows, annotated with n_attendees
    options: list[tuple[workflows.Transition, bool]]  # and whether the actor may record it (data aside)
    history: list[dict[str, Any]]
    procedure: str


def matter_trail(*, actor, matter: Matter) -> Trail:
    from .services import instance_of

    instance = instance_of(matter)
    meetings = list(matter.meetings.annotate(n_attendees=Count("attendees")).prefetch_related("photos"))
    spec = workflows.spec_of(instance.definition)
    return Trail(
        matter,
        meetings,
        _options(actor, matter, instance, spec),
        workflows.history(instance),
        spec.title,
    )


def _options(actor, matter: Matter, instance, spec) -> list[tuple[workflows.Transition, bool]]:
    """Each way out of the matter's stage, and whether this actor may record it: refused, with no
    meeting data yet, only for want of the data — not for who is asking, nor for the stage."""
    from .services import evaluate

    out = []
    for t in spec.outgoing(instance.state):
        problems = evaluate(matter, instance, actor, {"action": t.key})
        offered = not any(m.startswith(("只有", "当前环节")) for _f, m in problems)
        out.append((t, offered))
    return out


def stage_transition(*, actor, matter: Matter, action: str) -> workflows.Transition | None:
    """The transition ``action`` of the matter's own version, if it has one."""
    from .services import instance_of

    matter_get(actor=actor, matter_id=matter.pk)
    return workflows.spec_of(instance_of(matter).definition).transition(action)


def attendee_choices(
    *, actor, matter: Matter, action: str, on: dt.date, assembly: str = ""
) -> list[tuple[int, str]]:
    """The persons who may be recorded as present at the stage's meeting on ``on``: the party
    committee, the 两委, the party members of the village organisation, or the 村民代表会议."""
    matter_get(actor=actor, matter_id=matter.pk)
    kind = MEETING_OF.get(action)
    village = matter.village
    if kind == "party_committee":
        ids = queries.party_committee_persons(village.pk, on)
    elif kind == "joint":
        ids = queries.committee_persons(village, on)
    elif kind == "members":
        rows = list(
            people_queries.memberships_on(on)
            .filter(org__path__startswith=matter.org.path)
            .values_list("member__person_id", "member__full_on")
        )
        probationary = {p for p, f in rows if f is None or f > on}
        names = (
            people_queries.persons()
            .filter(pk__in=[p for p, _f in rows])
            .order_by("name", "pk")
            .values_list("pk", "name")
        )
        return [(pk, f"{name}（预备党员，不表决）" if pk in probationary else name) for pk, name in names]
    elif kind == "assembly" and assembly == "representatives":
        ids = queries.representative_persons(village.pk, on) | queries.villagers_committee_persons(
            village.pk, on
        )
    else:
        return []
    return list(people_queries.persons().filter(pk__in=ids).order_by("name", "pk").values_list("pk", "name"))


def photo_get(*, actor, meeting_photo_id) -> MeetingPhoto:
    qs = MeetingPhoto.objects.filter(org_q(actor, RECORD, field="meeting__matter__org"))
    return get_scoped_or_404(qs, pk=meeting_photo_id)


# --- rosters and the quorum base ----------------------------------------------------------------


@dataclass
class Roster:
    village: Area
    day: dt.date
    committee: list[tuple[str, str]]  # (committee, person name) of the 两委
    seats: list[Seat]
    problems: list[str]
    last_meeting: dt.date | None
    overdue: bool
    body_size: int


def roster(*, actor, village: Area, day: dt.date | None = None) -> Roster:
    village_get(actor=actor, area_id=village.pk)
    day = day or timezone.localdate()
    org = queries.village_org(village)
    posts = (
        people_queries.cadre_posts_on(day)
        .filter(area=village)
        .select_related("person")
        .order_by("committee", "post")
    )
    committee = [(p.get_committee_display(), p.person.name) for p in posts]
    seats = list(
        queries.seats_on(day)
        .filter(village=village)
        .select_related("person")
        .order_by("body", "group_name", "pk")
    )
    last = queries.last_representative_meeting([village.pk]).get(village.pk)
    months = rule("decisions.representative_meeting_months", org)
    reps = {s.person_id for s in seats if s.body == Body.REPRESENTATIVE}
    body = reps | queries.villagers_committee_persons(village.pk, day)
    return Roster(
        village,
        day,
        committee,
        seats,
        queries.roster_problems(village, day, org),
        last,
        last is None or months_after(last, months) < day,
        len(body),
    )


def seat_get(*, actor, seat_id) -> Seat:
    return get_scoped_or_404(
        Seat.objects.filter(area_q(actor, RECORD, field="village")).select_related("village"), pk=seat_id
    )


def resident_choices(*, actor, village: Area, limit: int = 2000) -> list[tuple[int, str]]:
    village_get(actor=actor, area_id=village.pk)
    return list(
        people_queries.persons()
        .filter(area__path__startswith=village.path)
        .order_by("name", "pk")
        .values_list("pk", "name")[:limit]
    )


@dataclass
class BasePage:
    village: Area
    base: queries.QuorumBase
    figures: list[PopulationFigure]
    demands: list[tuple[Demand, str]]


def quorum_page(*, actor, village: Area, day: dt.date | None = None) -> BasePage:
    from .services import demand_words

    village_get(actor=actor, area_id=village.pk)
    day = day or timezone.localdate()
    figures = list(PopulationFigure.objects.filter(village=village).order_by("-as_of", "-pk")[:20])
    demands = list(
        Demand.objects.filter(village=village).select_related("org").order_by("-filed_on", "-pk")[:20]
    )
    return BasePage(
        village, queries.quorum_base(village, day), figures, [(d, demand_words(d)) for d in demands]
    )


# --- the township's lists, the home sections ------------------------------------------------------


def reviews_waiting(*, actor, org: Org | None = None) -> QuerySet[Matter]:
    """五步决策法 matters waiting on the township's review."""
    qs = Matter.objects.filter(org_q(actor, REVIEW), procedure=FIVE_STEP, stage="reviewed").select_related(
        "village"
    )
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    return qs.order_by("proposed_on", "pk")


def overdue_villages(
    *, actor, day: dt.date | None = None, org: Org | None = None, limit: int = 500
) -> list[tuple[Area, dt.date | None]]:
    """Villages whose 村民代表会议 has not met within the rule's months (第二十六条: every quarter),
    with their last meeting (None: never recorded)."""
    day = day or timezone.localdate()
    villages = villages_for(actor=actor, perm=RECORD).filter(kind="village")
    if org is not None and org.area is not None:
        villages = villages.filter(path__startswith=org.area.path)
    rows = list(villages[:limit])
    last = queries.last_representative_meeting([v.pk for v in rows])
    orgs: dict[int, Org] = {}
    for o in Org.objects.filter(area_id__in=[v.pk for v in rows]).order_by("-depth"):
        orgs[o.area_id] = o  # the shallowest last: the village's own organisation
    months = resolve_many("decisions.representative_meeting_months", list(orgs.values()))
    default = rule("decisions.representative_meeting_months", None)
    out = []
    for v in rows:
        o = orgs.get(v.pk)
        m = months.get(o.pk, default) if o is not None else default
        when = last.get(v.pk)
        if when is None or months_after(when, m) < day:
            out.append((v, when))
    return out


def waiting_on_secretary(*, actor, org: Org) -> QuerySet[Matter]:
    """Matters of ``org``'s villages still running (not waiting on the township)."""
    return (
        Matter.objects.filter(
            org_q(actor, RECORD),
            org__path__startswith=org.path,
            outcome__in=[Outcome.RUNNING, Outcome.DECIDED],
        )
        .exclude(stage="implemented")
        .exclude(procedure=FIVE_STEP, stage="reviewed")
        .select_related("village")
        .order_by("proposed_on", "pk")
    )


# --- the register -------------------------------------------------------------------------------------


REGISTER_HEADERS = (
    "乡镇（街道）",
    "村（社区）",
    "事项",
    "事项类型",
    "金额（元）",
    "决策程序",
    "当前环节",
    "结果",
    "环节",
    "日期",
    "应到",
    "实到",
    "赞成",
    "反对",
    "弃权",
    "规则核验",
)


def _register(actor, org: Org | None, start: dt.date | None, end: dt.date | None) -> QuerySet[Matter]:
    qs = matters_for(actor=actor)
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    if start is not None:
        qs = qs.filter(proposed_on__gte=start)
    if end is not None:
        qs = qs.filter(proposed_on__lte=end)
    return qs


def register_rows(
    *, actor, org: Org | None, start: dt.date | None = None, end: dt.date | None = None
) -> Iterator[tuple]:
    """The 决策台账: one row per stage of each matter registered in [start, end] (a matter
    without stages: one row)."""
    from .workflows import TITLES

    qs = _register(actor, org, start, end)
    steplen = Area.steplen
    town_paths = {p[:-steplen] for p in qs.order_by().values_list("village__path", flat=True).distinct()}
    towns = dict(Area.objects.filter(path__in=town_paths).values_list("path", "name"))
    outcomes = dict(Outcome.choices)
    for m in qs.prefetch_related("meetings").iterator(chunk_size=500):
        head = (
            towns.get(m.village.path[:-steplen], ""),
            m.village.name,
            m.title,
            m.kind_name,
            "" if m.amount_fen is None else f"{m.amount_fen / 100:.2f}",
            TITLES.get(m.procedure, m.procedure),
            m.stage_label,
            str(outcomes.get(m.outcome, m.outcome)),
        )
        meetings = list(m.meetings.all())
        if not meetings:
            yield (*head, "", "", "", "", "", "", "", "")
        for x in meetings:
            yield (
                *head,
                x.label,
                x.held_on.isoformat(),
                x.entitled or "",
                x.attended or "",
                "" if x.votes_for is None else x.votes_for,
                "" if x.votes_against is None else x.votes_against,
                "" if x.votes_abstain is None else x.votes_abstain,
                x.rule_text,
            )


def register_count(
    *, actor, org: Org | None, start: dt.date | None = None, end: dt.date | None = None
) -> int:
    return _register(actor, org, start, end).count()
