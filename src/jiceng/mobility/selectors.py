"""Mobility reads for a user: every function takes ``actor`` and starts from their scope (core's
``org_q`` / ``get_scoped_or_404``); the flags come from ``queries`` with the rules of the
organisation asked about."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from jiceng.core.dates import months_after
from jiceng.core.models import Org
from jiceng.core.periods import Period
from jiceng.core.roles import Perm
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_org, get_scoped_or_404, org_q
from jiceng.orglife import queries as orglife_queries
from jiceng.orglife import selectors as orglife_selectors
from jiceng.people import queries as people
from jiceng.people import selectors as people_selectors

from . import queries
from .models import (
    BranchProfile,
    HostedAttendance,
    HostEnterprise,
    Inflow,
    MigrantWorker,
    Outflow,
    Transfer,
    TransferState,
    WorkSign,
)
from .plugin import MANAGE_MOBILITY, TRANSFER_RELATION, VIEW_MOBILITY

LIST_CAP = 200  # a township's lists on one page; beyond, the counts and the ledgers


def _flag(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


@dataclass(frozen=True)
class Rules:
    interval: int
    lost: int
    pocket_days: int
    prompt: int
    article9: int

    @classmethod
    def at(cls, org: Org, day: dt.date) -> Rules:
        return cls(
            rule("mobility.checkin_interval_months", org, day),
            rule("mobility.lost_contact_months", org, day),
            rule("mobility.pocket_after_days", org, day),
            rule("mobility.transfer_prompt_months", org, day),
            rule("mobility.article9_months", org, day),
        )


def org_get(*, actor, org_id, perm: str = VIEW_MOBILITY) -> Org:
    return get_scoped_or_404(
        Org.objects.filter(org_q(actor, perm, field="")).select_related("area"), pk=org_id
    )


def outflows_for(*, actor, org: Org, day: dt.date, perm: str = VIEW_MOBILITY) -> QuerySet[Outflow]:
    """The open out-flow records of ``org``'s subtree on ``day``, with ``last_contact`` and the flags
    ``overdue``, ``lost``, ``prompt`` (away at a fixed place long enough to transfer), by the rules
    at ``org``."""
    r = Rules.at(org, day)
    return (
        queries.outflows_on(day)
        .filter(org_q(actor, perm, field="member__org"), member__org__path__startswith=org.path)
        .annotate(
            lost=_flag(queries.lost_q(day, r.lost)),
            overdue=_flag(queries.overdue_q(day, r.interval, r.lost)),
            prompt=_flag(queries.transfer_prompt_q(day, r.prompt)),
        )
        .select_related("member__person", "member__org")
        .order_by("member__org__path", "member__person__name", "pk")
    )


def inflows_for(*, actor, org: Org, day: dt.date, perm: str = VIEW_MOBILITY) -> QuerySet[Inflow]:
    r = Rules.at(org, day)
    return (
        queries.inflow_last_contact(day)
        .filter(org_q(actor, perm, field="host"), host__path__startswith=org.path)
        .annotate(
            lost=_flag(queries.lost_q(day, r.lost)), overdue=_flag(queries.overdue_q(day, r.interval, r.lost))
        )
        .select_related("host")
        .order_by("host__path", "name", "pk")
    )


def transfers_for(*, actor, org: Org, day: dt.date, open_only: bool = True) -> QuerySet[Transfer]:
    """Transfers sent from or to ``org``'s subtree that the actor may see on either side, with
    ``pocket`` (issued more than the rule's days ago and not received) and ``incoming``."""
    r = Rules.at(org, day)
    mine = org_q(actor, VIEW_MOBILITY, field="from_org") | org_q(actor, VIEW_MOBILITY, field="to_org")
    here = Q(from_org__path__startswith=org.path) | Q(to_org__path__startswith=org.path)
    qs = Transfer.objects.filter(mine).filter(here)
    if open_only:
        qs = qs.filter(state=TransferState.ISSUED)
    return (
        qs.annotate(
            pocket=_flag(Q(state=TransferState.ISSUED) & queries.pocket_q(day, r.pocket_days)),
            incoming=_flag(Q(to_org__path__startswith=org.path) & ~Q(from_org__path__startswith=org.path)),
        )
        .select_related("member__person", "from_org", "to_org")
        .order_by("issued_on", "pk")
    )


def outflow_get(*, actor, outflow_id, perm: str = VIEW_MOBILITY) -> Outflow:
    return get_scoped_or_404(
        Outflow.objects.filter(org_q(actor, perm, field="member__org")).select_related(
            "member__person", "member__org"
        ),
        pk=outflow_id,
    )


def inflow_get(*, actor, inflow_id, perm: str = VIEW_MOBILITY) -> Inflow:
    return get_scoped_or_404(
        Inflow.objects.filter(org_q(actor, perm, field="host")).select_related("host"), pk=inflow_id
    )


def transfer_get(*, actor, transfer_id) -> Transfer:
    mine = org_q(actor, VIEW_MOBILITY, field="from_org") | org_q(actor, VIEW_MOBILITY, field="to_org")
    return get_scoped_or_404(
        Transfer.objects.filter(mine).select_related(
            "member__person", "member__org", "from_org", "to_org", "issued_by"
        ),
        pk=transfer_id,
    )


def work_sign_get(*, actor, sign_id) -> WorkSign:
    return get_scoped_or_404(
        WorkSign.objects.filter(org_q(actor, MANAGE_MOBILITY, field="member__org")).select_related(
            "member__person"
        ),
        pk=sign_id,
    )


def checkins_of(*, actor, outflow: Outflow | None = None, inflow: Inflow | None = None) -> QuerySet:
    """A record's check-ins, newest first (the record came from a scoped selector)."""
    if outflow is not None:
        return outflow.checkins.order_by("-on", "-pk")
    assert inflow is not None
    return inflow.checkins.order_by("-on", "-pk")


def profile_of(*, actor, org: Org) -> BranchProfile | None:
    return BranchProfile.objects.filter(org_q(actor, VIEW_MOBILITY), org=org).first()


def profiles_for(*, actor, org: Org) -> QuerySet[BranchProfile]:
    return BranchProfile.objects.filter(
        org_q(actor, VIEW_MOBILITY), org__path__startswith=org.path
    ).select_related("org")


def member_choices(*, actor, org: Org, perm: str = MANAGE_MOBILITY) -> QuerySet:
    """Members on the rolls of ``org``'s subtree, for a form's select (scoped like people's list)."""
    return (
        people_selectors.members_for(actor=actor, perm=Perm.VIEW_MEMBER)
        .filter(org_q(actor, perm), org__path__startswith=org.path, left_on__isnull=True)
        .order_by("person__name", "pk")
    )


def transfer_targets(*, actor) -> QuerySet[Org]:
    """Organisations of the actor's whole system that can keep a member: the receiving side of a
    transfer is usually outside the actor's own scope, so it is named by its number (which the
    receiving side reads on its own page), never browsed."""
    roots = {
        p[: Org.steplen]
        for p in Org.objects.filter(org_q(actor, TRANSFER_RELATION, field="")).values_list("path", flat=True)[
            :50
        ]
    }
    qs = Org.objects.filter(kind__in=("branch", "general_branch", "group"))
    cond = Q(pk__in=[])
    for root in roots:
        cond |= Q(path__startswith=root)
    qs = qs.filter(cond).filter(Q(dissolved_on__isnull=True))
    return qs.order_by("path")


def meeting_for_hosting(*, actor, meeting_id):
    """A meeting of a branch (or its group) the actor may record for, with the in-flow members the
    branch hosted that day and who of them is recorded as attending."""
    meeting = orglife_selectors.meeting_get(actor=actor, meeting_id=meeting_id)
    hosted = list(
        queries.inflows_on(meeting.held_on)
        .filter(org_q(actor, MANAGE_MOBILITY, field="host"), host__path__in=_ancestor_paths(meeting.org))
        .order_by("name", "pk")
    )
    recorded = dict(HostedAttendance.objects.filter(meeting=meeting).values_list("inflow_id", "online"))
    return meeting, hosted, recorded


def _ancestor_paths(org: Org) -> list[str]:
    step = Org.steplen
    return [org.path[:i] for i in range(step, len(org.path) + 1, step)]


def hosted_meetings(*, actor, org: Org, day: dt.date, limit: int = 10) -> list:
    """The latest meetings of a host branch, for recording its in-flow members' attendance."""
    return list(orglife_selectors.meetings_for(actor=actor, org=org, until=day)[:limit])


# --- 党章第九条: the three signs ---------------------------------------------------------------------


@dataclass
class Article9:
    months: int
    since: dt.date
    no_life: list = field(default_factory=list)  # members
    no_dues: list = field(default_factory=list)  # (member, months unpaid)
    dues_note: str = ""
    life_note: str = ""
    no_work: list = field(default_factory=list)  # WorkSign rows


def article9(*, actor, org: Org, day: dt.date | None = None) -> Article9:
    """党章第九条's three signs among ``org``'s members on the rolls for the whole span: no party-life
    attendance (in person or online, at home or as a hosted in-flow member) in the last N months; N
    months of dues unpaid (the dues app's streaks, when it is installed); assigned work not done for N
    months as the secretary recorded it. For the branch's attention only: nothing follows
    automatically."""
    day = day or timezone.localdate()
    n = rule("mobility.article9_months", org, day)
    since = months_after(day, -n)
    out = Article9(months=n, since=since)
    members = (
        people.members_of(org, day)
        .filter(org_q(actor, VIEW_MOBILITY), joined_on__lte=since)
        .select_related("person", "org")
        .order_by("org__path", "person__name", "pk")
    )
    if not can_access_org(actor, Perm.EXPORT_PERSONAL, org):  # attendance is read under that right
        out.life_note = "无权查看出勤记录：不参加组织生活一项暂不提示。"
        out.no_dues, out.dues_note = _no_dues(members, day, n)
        return out
    window = Period(since + dt.timedelta(days=1), day, f"{since}..{day}")
    attended = (
        orglife_selectors.attendance_for_export(actor=actor, org=None, period=window)
        .filter(status__in=("present", "online"), meeting__kind__in=orglife_queries.PARTY_LIFE_KINDS)
        .values("member_id")
    )
    as_guest = HostedAttendance.objects.filter(
        meeting__held_on__gt=since,
        meeting__held_on__lte=day,
        meeting__withdrawn_at__isnull=True,
        inflow__member__isnull=False,
    ).values("inflow__member_id")
    out.no_life = list(members.exclude(pk__in=attended).exclude(pk__in=as_guest)[:LIST_CAP])
    out.no_dues, out.dues_note = _no_dues(members, day, n)
    out.no_work = list(
        WorkSign.objects.filter(
            org_q(actor, VIEW_MOBILITY, field="member__org"),
            member__org__path__startswith=org.path,
            member__left_on__isnull=True,
            cleared_on__isnull=True,
            since__lte=since,
        ).select_related("member__person")[:LIST_CAP]
    )
    return out


def _no_dues(members: QuerySet, day: dt.date, n: int) -> tuple[list, str]:
    if not apps.is_installed("jiceng.dues"):
        return [], "党费应用尚未启用：不交党费一项暂不提示。"
    try:
        from jiceng.dues import queries as dues_queries  # lazily: the dues app is optional

        unpaid_streaks: Any = dues_queries.unpaid_streaks
    except (ImportError, AttributeError):
        return [], "党费应用尚未提供欠缴月数：不交党费一项暂不提示。"
    by_id = {m.pk: m for m in members[: LIST_CAP * 10]}
    streaks = unpaid_streaks(list(by_id), day)
    return [(by_id[pk], months) for pk, months in sorted(streaks.items()) if months >= n and pk in by_id], ""


# --- the branch's board and the home section ----------------------------------------------------


def board(*, actor, org: Org, day: dt.date | None = None) -> dict:
    """Everything of ``org``'s subtree the branch should act on, with the flags."""
    day = day or timezone.localdate()
    # annotated rows (last_contact and the flags): typed Any, the annotations are not model fields
    outflows: list[Any] = list(outflows_for(actor=actor, org=org, day=day)[:LIST_CAP])
    inflows: list[Any] = list(inflows_for(actor=actor, org=org, day=day)[:LIST_CAP])
    transfers: list[Any] = list(transfers_for(actor=actor, org=org, day=day)[:LIST_CAP])
    pocket_ids = {t.member_id for t in transfers if t.pocket}
    return {
        "day": day,
        "rules": Rules.at(org, day),
        "outflows": outflows,
        "inflows": inflows,
        "transfers": transfers,
        "pocket_ids": pocket_ids,
        "counts": {
            "outflow": len(outflows),
            "inflow": len(inflows),
            "lost": sum(1 for o in outflows if o.lost),
            "overdue": sum(1 for o in outflows if o.overdue) + sum(1 for i in inflows if i.overdue),
            "pocket": len(pocket_ids),
            "prompt": sum(1 for o in outflows if o.prompt),
            "to_confirm": sum(1 for t in transfers if t.incoming),
        },
        "capped": LIST_CAP,
        "profile": profile_of(actor=actor, org=org),
    }


# --- the ledgers --------------------------------------------------------------------------------

WORKER_HEADERS = (
    "姓名",
    "性别",
    "出生年份",
    "户籍所在村",
    "务工地",
    "务工企业",
    "从事行业（技能）",
    "联系方式",
    "外出时间",
    "返乡时间",
    "是否党员",
    "登记单位",
)
ENTERPRISE_HEADERS = (
    "企业名称",
    "统一社会信用代码",
    "所在地",
    "党建联络员",
    "是否建立党组织",
    "在此务工人数",
    "登记单位",
)
ACTIVIST_HEADERS = ("姓名", "性别", "出生年份", "户籍所在村", "务工地", "务工企业", "外出时间", "登记单位")
MEMBER_HEADERS = (
    "姓名",
    "所在党组织",
    "外出去向",
    "务工单位",
    "联系方式类别",
    "流动党员证号",
    "外出时间",
    "最近联系",
    "逾期未联系",
    "失联",
    "应转接组织关系",
)


def workers_for(
    *, actor, org: Org | None, perm: str = VIEW_MOBILITY, activists: bool = False
) -> QuerySet[MigrantWorker]:
    qs = MigrantWorker.objects.filter(org_q(actor, perm))
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    if activists:
        qs = qs.filter(activist=True, member__isnull=True)
    return qs.select_related("home", "enterprise", "org").order_by("org__path", "name", "pk")


def enterprises_for(*, actor, org: Org | None, perm: str = VIEW_MOBILITY) -> QuerySet[HostEnterprise]:
    from django.db.models import Count

    qs = HostEnterprise.objects.filter(org_q(actor, perm))
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    return (
        qs.annotate(n_workers=Count("workers", filter=Q(workers__returned_on__isnull=True)))
        .select_related("org")
        .order_by("org__path", "name", "pk")
    )


def worker_get(*, actor, worker_id) -> MigrantWorker:
    return get_scoped_or_404(MigrantWorker.objects.filter(org_q(actor, MANAGE_MOBILITY)), pk=worker_id)


def enterprise_get(*, actor, enterprise_id) -> HostEnterprise:
    return get_scoped_or_404(HostEnterprise.objects.filter(org_q(actor, MANAGE_MOBILITY)), pk=enterprise_id)


def ledger_orgs(*, actor) -> QuerySet[Org]:
    """Where a ledger row may be registered: the committees and village organisations in scope."""
    return Org.objects.filter(
        org_q(actor, MANAGE_MOBILITY, field=""), kind__in=("committee", "general_branch", "branch")
    ).order_by("path")


def _yes(v: bool) -> str:
    return "是" if v else "否"


def worker_rows(*, actor, org: Org | None, activists: bool = False):
    genders = {"male": "男", "female": "女"}
    for w in workers_for(actor=actor, org=org, perm=Perm.EXPORT_PERSONAL, activists=activists).iterator(
        chunk_size=2000
    ):
        if activists:
            yield (
                w.name,
                genders.get(w.gender, ""),
                w.birth_year,
                w.home.name if w.home else "",
                w.destination,
                w.enterprise.name if w.enterprise else "",
                w.since,
                w.org.name,
            )
        else:
            yield (
                w.name,
                genders.get(w.gender, ""),
                w.birth_year,
                w.home.name if w.home else "",
                w.destination,
                w.enterprise.name if w.enterprise else "",
                w.trade,
                w.contact,
                w.since,
                w.returned_on,
                _yes(w.member_id is not None),
                w.org.name,
            )


def enterprise_rows(*, actor, org: Org | None):
    e: Any
    for e in enterprises_for(actor=actor, org=org):
        yield (e.name, e.uscc, e.place, e.liaison, _yes(e.has_party_org), e.n_workers, e.org.name)


def migrant_member_rows(*, actor, org: Org | None, day: dt.date | None = None):
    from .models import CONTACT_NAMES

    day = day or timezone.localdate()
    where = org or _top(actor)
    if where is None:
        return
    o: Any
    for o in outflows_for(actor=actor, org=where, day=day, perm=Perm.EXPORT_PERSONAL).iterator(
        chunk_size=2000
    ):
        yield (
            o.member.person.name,
            o.member.org.name,
            o.destination,
            o.employer,
            CONTACT_NAMES.get(o.keep_in_touch, ""),
            o.card_number,
            o.since,
            o.last_contact,
            _yes(o.overdue),
            _yes(o.lost),
            _yes(o.prompt),
        )


def _top(actor) -> Org | None:
    from jiceng.core.scoping import root_orgs

    roots = root_orgs(actor, VIEW_MOBILITY)
    return roots[0] if roots else None


def top_org(*, actor) -> Org | None:
    return _top(actor)


def member_in(*, actor, org: Org, member_id: int | None, perm: str = MANAGE_MOBILITY):
    """The member ``member_id`` of ``org``'s subtree on the rolls, or None (a form then says so)."""
    if not member_id:
        return None
    return member_choices(actor=actor, org=org, perm=perm).filter(pk=member_id).first()


def transfer_target(*, actor, org_id: int | None) -> Org | None:
    if not org_id:
        return None
    return transfer_targets(actor=actor).filter(pk=org_id).first()


def enterprise_in(*, actor, enterprise_id: int | None) -> HostEnterprise | None:
    if not enterprise_id:
        return None
    return HostEnterprise.objects.filter(org_q(actor, MANAGE_MOBILITY), pk=enterprise_id).first()


def ledger_org(*, actor, org_id: int | None) -> Org | None:
    if not org_id:
        return None
    return ledger_orgs(actor=actor).filter(pk=org_id).first()


def child_counts(*, actor, org: Org, day: dt.date) -> list[tuple[Org, dict]]:
    """The mobility figures of each child organisation side by side (a township's villages, a
    county's townships), one grouped query per figure for all of them."""
    from jiceng.core import indicators

    from .plugin import FIGURES

    children = list(
        Org.objects.filter(
            org_q(actor, VIEW_MOBILITY, field=""), path__startswith=org.path, depth=org.depth + 1
        ).order_by("path")
    )
    if not children:
        return []
    period = Period(dt.date(day.year, 1, 1), day, str(day))
    values = indicators.compute_for_units(actor=actor, names=list(FIGURES), units=children, period=period)
    return [(c, {name.split(".")[1]: values[c.pk][name].value for name in FIGURES}) for c in children]


def dues_paid_up_to(*, member) -> dt.date | None:
    """The month the member's dues are paid up to (交至), for a transfer letter, when the dues app
    is installed (read lazily); None otherwise or when nothing is recorded."""
    if member is None or not apps.is_installed("jiceng.dues"):
        return None
    try:
        from jiceng.dues import queries as dues_queries

        paid_up_to: Any = dues_queries.paid_up_to
    except (ImportError, AttributeError):
        return None
    return paid_up_to([member.pk]).get(member.pk)
