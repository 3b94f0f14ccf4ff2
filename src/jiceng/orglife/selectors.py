"""Organisational-life reads, each starting from the actor's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TypedDict

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_stubs_ext import WithAnnotations

from jiceng.core import kit
from jiceng.core.exports import EXPORT_CHUNK_SIZE, choice_labels
from jiceng.core.models import Org, OrgKind
from jiceng.core.periods import Period
from jiceng.core.roles import Perm
from jiceng.core.rulepacks import ancestor_paths
from jiceng.core.scoping import get_scoped_or_404, org_q
from jiceng.people import selectors as people

from . import compliance
from .models import ATTENDED, PARTY_LIFE_KINDS, Attendance, Meeting, MeetingAttachment, TopicItem, TopicList
from .plugin import RECORD_MEETING


class MeetingCounts(TypedDict):
    n_attended: int
    n_total: int
    chair_name: str
    minute_taker_name: str


def _with_people(qs: QuerySet[Meeting], actor) -> QuerySet:
    """The chair's and the minute-taker's names, for those who may see members where they belong
    (as the attendance list is shown), else blank: joined in SQL, no query per row."""
    return qs.annotate(
        **{
            f"{field}_name": Case(
                When(org_q(actor, Perm.VIEW_MEMBER, field=f"{field}__org"), then=F(f"{field}__person__name")),
                default=Value(""),
                output_field=CharField(),
            )
            for field in ("chair", "minute_taker")
        }
    )


def meetings_for(
    *,
    actor,
    org: Org | None = None,
    kind: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    q: str = "",
    withdrawn: bool | None = False,
) -> QuerySet[WithAnnotations[Meeting, MeetingCounts]]:
    """Meetings in scope. ``withdrawn``: False (the default) the meetings that count, True only the
    withdrawn ones, None both (one meeting's own page)."""
    qs = Meeting.objects.filter(org_q(actor, Perm.VIEW_ORG)).select_related("org", "topic_item")
    if withdrawn is False:
        qs = qs.counted()
    elif withdrawn:
        qs = qs.withdrawn()
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    if kind:
        qs = qs.filter(kind=kind)
    if since:
        qs = qs.filter(held_on__gte=since)
    if until:
        qs = qs.filter(held_on__lte=until)
    if q:
        qs = qs.filter(Q(topic__contains=q) | Q(place__contains=q) | Q(first_agenda__contains=q))
    # correlated counts are evaluated only for the rows of the page, not aggregated over every meeting
    return _with_people(
        qs.annotate(n_attended=_attendance_count(status__in=ATTENDED), n_total=_attendance_count()), actor
    ).order_by("-held_on", "-id")


def _attendance_count(**filters) -> Coalesce:
    rows = (
        Attendance.objects.filter(meeting=OuterRef("pk"), **filters)
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows[:1]), 0)


def meeting_get(*, actor, meeting_id) -> Meeting:
    """One meeting in scope, withdrawn or not (its page says which)."""
    return get_scoped_or_404(
        _with_people(
            Meeting.objects.filter(org_q(actor, Perm.VIEW_ORG)).select_related(
                "org", "topic_item__topic_list", "recorded_by", "corrected_by", "withdrawn_by"
            ),
            actor,
        ),
        pk=meeting_id,
    )


def meeting_duplicates(
    *, actor, org: Org, kind: str, held_on: dt.date | None, exclude_id: int | None = None
) -> list[Meeting]:
    """Counted meetings in scope of the same organisation, kind and date (the form's warning lists
    them with links; the rule itself is the service's)."""
    if held_on is None or not kind:
        return []
    qs = Meeting.objects.counted().filter(org_q(actor, Perm.VIEW_ORG), org=org, kind=kind, held_on=held_on)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("pk")[:5])


def meeting_attendance(*, actor, meeting: Meeting) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(org_q(actor, Perm.VIEW_MEMBER, field="member__org"), meeting=meeting)
        .select_related("member__person", "member__org")
        .order_by("member__org__path", "member__person__name")
    )


def meeting_attendance_all(*, meeting: Meeting) -> QuerySet[Attendance]:
    """Every attendance row of a meeting the caller already holds and may record for (the
    correction form starts from what was recorded)."""
    return Attendance.objects.filter(meeting=meeting).order_by("member_id")


def meeting_lock(*, meeting: Meeting) -> str | None:
    """Why the meeting cannot be corrected or withdrawn now (its year's grades are confirmed, say:
    core.kit.period_lock), or None."""
    return kit.period_lock(meeting.org, meeting.held_on)


def attachment_get(*, actor, attachment_id) -> MeetingAttachment:
    return get_scoped_or_404(attachment_q(actor), pk=attachment_id)


def checklist(*, actor, org: Org, held_on: dt.date) -> list:
    """Members the attendance checklist must cover: the organisation's members on that day."""
    return list(
        people.members_for(actor=actor, perm=RECORD_MEETING)
        .filter(org__path__startswith=org.path, joined_on__lte=held_on)
        .order_by("org__path", "person__name")
    )


def recordable_orgs(*, actor) -> QuerySet[Org]:
    return Org.objects.filter(
        org_q(actor, RECORD_MEETING, field=""),
        kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.GROUP],
    ).order_by("path")


def topic_list_items(topic_list: TopicList) -> list:
    """The items of a list the caller already holds (prefetched by topic_lists_for)."""
    return list(topic_list.items.all())


def topic_lists_for(*, actor) -> QuerySet[TopicList]:
    """Lists published by the actor's scope or by any organisation above it (every branch sees the
    county's list)."""
    paths: set[str] = set()
    from jiceng.core.scoping import org_paths

    for p in org_paths(actor, Perm.VIEW_ORG):
        paths.update(ancestor_paths(p))
    return (
        TopicList.objects.filter(Q(org__path__in=paths) | org_q(actor, Perm.VIEW_ORG))
        .select_related("org")
        .prefetch_related("items")
        .order_by("-month")
    )


def topic_items_for(*, actor, org: Org) -> QuerySet[TopicItem]:
    return (
        TopicItem.objects.filter(topic_list__org__path__in=ancestor_paths(org.path))
        .select_related("topic_list")
        .order_by("-topic_list__month", "seq")
    )


def topic_item_visible(*, actor, item_id: int) -> TopicItem | None:
    """A key-content item of a list the actor sees (their own or sent down to them), else None."""
    return (
        TopicItem.objects.filter(topic_list__in=topic_lists_for(actor=actor))
        .select_related("topic_list__org")
        .filter(pk=item_id)
        .first()
    )


def meeting_counts(*, actor, meeting: Meeting) -> tuple[int, int]:
    """(attended, on the list) of one meeting, as the meeting list counts them."""
    row = (
        meetings_for(actor=actor, withdrawn=None).filter(pk=meeting.pk).values("n_attended", "n_total").get()
    )
    return row["n_attended"], row["n_total"]


def recent_topic_items(*, actor, org: Org) -> QuerySet[TopicItem]:
    """Items of the lists sent down to ``org`` in the last year (to pick the one a meeting covers)."""
    today = timezone.localdate()
    return topic_items_for(actor=actor, org=org).filter(
        topic_list__month__lte=today, topic_list__month__gt=today - dt.timedelta(days=400)
    )


def topic_publishers(*, actor) -> QuerySet[Org]:
    """The committees that may publish a monthly key-content list to their subtree."""
    from jiceng.core.scoping import orgs_for

    from .plugin import PUBLISH_TOPICS

    return orgs_for(actor, PUBLISH_TOPICS).filter(kind=OrgKind.COMMITTEE).order_by("path")


def meeting_attachments(*, actor, meeting: Meeting) -> list[MeetingAttachment]:
    """A meeting's photos and files, for those who may see its members (they show people)."""
    return list(attachment_q(actor).filter(meeting=meeting).order_by("pk"))


def attachment_q(actor) -> QuerySet[MeetingAttachment]:
    return MeetingAttachment.objects.filter(org_q(actor, Perm.VIEW_MEMBER, field="meeting__org"))


def topic_coverage(*, actor, topic_list: TopicList) -> list[dict]:
    """Which branches covered which item: per item, the number of branches in scope that held a
    party-life meeting on it, and the number of branches in scope."""
    branches = list(
        Org.objects.filter(
            org_q(actor, Perm.VIEW_ORG, field=""), kind=OrgKind.BRANCH, path__startswith=topic_list.org.path
        ).order_by("path")
    )
    branch_paths = {b.path for b in branches}
    # A branch covers an item when it or one of its party groups held a meeting on it: count
    # branches, not meeting organisers (a branch and its group would otherwise count twice).
    covered: dict[int, set[str]] = {}
    held = (
        Meeting.objects.counted()
        .filter(topic_item__topic_list=topic_list, kind__in=PARTY_LIFE_KINDS)
        .filter(org_q(actor, Perm.VIEW_ORG))
        .order_by()
        .values_list("topic_item_id", "org__path")
        .distinct()
    )
    for item_id, path in held:
        covered.setdefault(item_id, set()).update(p for p in ancestor_paths(path) if p in branch_paths)
    # "missing": the branches that did not cover the item, from the same two queries (no query per item)
    return [
        {
            "item": item,
            "covered": len(covered.get(item.pk, ())),
            "branches": len(branch_paths),
            "missing": [b for b in branches if b.path not in covered.get(item.pk, ())],
        }
        for item in topic_list.items.all()
    ]


def branch_overview(
    *, actor, root: Org, today: dt.date | None = None, only_silent: bool = False
) -> QuerySet[Org]:
    """Branches in scope under ``root`` with their last party-life meeting; ``silent`` marks those
    without organisational life for the rule's number of months (red flag)."""
    today = today or timezone.localdate()
    silent_ids = list(compliance.silent_branches(root, today).values_list("pk", flat=True))
    qs = compliance.branches_with_last_meeting(root).filter(org_q(actor, Perm.VIEW_ORG, field=""))
    qs = qs.annotate(silent=ExpressionWrapper(Q(pk__in=silent_ids), output_field=BooleanField())).order_by(
        "path"
    )
    return qs.filter(silent=True) if only_silent else qs


def branch_status(*, actor, branch: Org) -> Org | None:
    """One branch as the overview shows it (last meeting, silent)."""
    return branch_overview(actor=actor, root=branch).filter(pk=branch.pk).first()


def branch_calendar(*, actor, branch: Org, year: int) -> list[compliance.CalendarRow]:
    return compliance.unit_calendar(branch, year, timezone.localdate())


def often_absent_members(*, actor, root: Org, period: Period) -> QuerySet:
    ids = compliance.often_absent_member_ids(root, period)
    return people.members_for(actor=actor).filter(pk__in=ids).order_by("org__path", "person__name")


def attendance_for_export(*, actor, org: Org | None, period: Period) -> QuerySet[Attendance]:
    """Attendance rows for the ledger, scoped by the export permission (names leave the system)."""
    qs = Attendance.objects.counted().filter(
        org_q(actor, Perm.EXPORT_PERSONAL, field="member__org"),
        meeting__held_on__gte=period.start,
        meeting__held_on__lte=period.end,
    )
    if org is not None:
        qs = qs.filter(meeting__org__path__startswith=org.path)
    return qs.select_related("meeting__org", "member__person", "member__org").order_by(
        "meeting__held_on", "meeting_id", "member__org__path", "member__person__name"
    )


ATTENDANCE_LEDGER_HEADERS = (
    "会议日期",
    "党组织",
    "会议类型",
    "会议主题",
    "党员姓名",
    "所在党组织",
    "出勤情况",
    "原因",
)


def attendance_ledger_rows(*, actor, org: Org | None, period: Period) -> Iterator[tuple]:
    """出勤台账 rows (ATTENDANCE_LEDGER_HEADERS) from one flat query, names joined in SQL: a row costs a
    tuple, not five model instances, which tripled the export's rate (docs/scaling.md)."""
    kinds = choice_labels(Meeting, "kind")
    statuses = choice_labels(Attendance, "status")
    rows = attendance_for_export(actor=actor, org=org, period=period).values_list(
        "meeting__held_on",
        "meeting__org__name",
        "meeting__kind",
        "meeting__topic",
        "member__person__name",
        "member__org__name",
        "status",
        "reason",
    )
    for held_on, org_name, kind, topic, name, member_org, status, reason in rows.iterator(
        chunk_size=EXPORT_CHUNK_SIZE
    ):
        yield (
            held_on,
            org_name,
            kinds.get(kind, kind),
            topic,
            name,
            member_org,
            statuses.get(status, status),
            reason,
        )


MEETING_LEDGER_HEADERS = (
    "会议日期",
    "党组织",
    "会议类型",
    "会议主题",
    "第一议题",
    "重点内容条目",
    "实到人数",
    "应到人数",
    "会议地点",
    "主持人",
    "记录人",
)


def meeting_ledger_rows(*, actor, **filters) -> Iterator[tuple]:
    """会议台账 rows (MEETING_LEDGER_HEADERS) for the meeting list's filters, flat like the attendance
    ledger's."""
    kinds = choice_labels(Meeting, "kind")
    rows = meetings_for(actor=actor, **filters).values_list(
        "held_on",
        "org__name",
        "kind",
        "topic",
        "first_agenda",
        "topic_item__title",
        "n_attended",
        "n_total",
        "place",
        "chair_name",
        "minute_taker_name",
    )
    for (
        held_on,
        org_name,
        kind,
        topic,
        first_agenda,
        item,
        attended,
        total,
        place,
        chair,
        minute_taker,
    ) in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield (
            held_on,
            org_name,
            kinds.get(kind, kind),
            topic,
            first_agenda,
            item or "",
            attended,
            total,
            place,
            chair,
            minute_taker,
        )
