"""Organisational-life API: meetings and attendance, the branch calendar, compliance, and the
monthly key-content lists. Thin: parse, call a selector or a service, return."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from jiceng.core.boundary import In
from jiceng.core.errors import ErrorCollector
from jiceng.core.indicators import ratio
from jiceng.core.models import Org, OrgKind
from jiceng.core.periods import parse_period
from jiceng.core.scoping import get_scoped_or_404
from jiceng.core.selectors import org_get, org_or_top, page

from . import compliance, selectors, services
from .models import Meeting

router = Router(tags=["组织生活 orglife"])

SILENT_CAP = 500


# --- schemas -------------------------------------------------------------------------------------


class MeetingOut(Schema):
    id: int
    org_id: int
    org_name: str = Field(..., alias="org.name")
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    held_on: dt.date
    place: str
    topic: str
    first_agenda: str
    topic_item_id: int | None = None
    n_attended: int
    n_total: int
    chair_id: int | None = None
    chair_name: str = Field("", description="主持人姓名（无党员查看权限时为空）")
    minute_taker_id: int | None = None
    minute_taker_name: str = Field("", description="记录人姓名（无党员查看权限时为空）")
    corrected_at: dt.datetime | None = None
    withdrawn: bool = Field(False, description="已撤销：不计入任何统计、日历、台账")
    withdrawn_at: dt.datetime | None = None
    withdraw_reason: str = ""

    @staticmethod
    def resolve_withdrawn(obj) -> bool:
        return obj.withdrawn_at is not None


class MeetingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MeetingOut]


class MeetingFilterIn(In):
    nullable = frozenset({"org", "since", "until"})
    org: int | None = None
    kind: str = Field("", max_length=30)
    since: dt.date | None = None
    until: dt.date | None = None
    q: str = Field("", max_length=50)
    withdrawn: bool = Field(False, description="true：只列已撤销的会议（默认只列计入统计的会议）")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class AttendanceOut(Schema):
    member_id: int
    name: str = Field(..., alias="member.person.name")
    org_id: int = Field(..., alias="member.org_id")
    status: str
    status_label: str = Field(..., alias="get_status_display")
    reason: str


class MeetingDetailOut(MeetingOut):
    topic_item_title: str | None = None
    minutes: str
    recorded_at: dt.datetime
    attendance: list[AttendanceOut]

    @staticmethod
    def resolve_attendance(obj) -> list:
        return obj.attendance_rows


class AttendanceIn(In):
    member_id: int
    status: str = Field(..., max_length=20)
    reason: str = Field("", max_length=200)


class MeetingIn(In):
    multiline = frozenset({"minutes"})
    nullable = frozenset({"topic_item", "chair", "minute_taker"})
    org: int
    kind: str = Field(..., max_length=30)
    held_on: dt.date | None = None
    place: str = Field("", max_length=200)
    topic: str = Field("", max_length=300)
    first_agenda: str = Field("", max_length=300)
    topic_item: int | None = None
    minutes: str = Field("", max_length=20_000)
    attendance: list[AttendanceIn] = []
    chair: int | None = Field(None, title="主持人", description="出席本次会议的党员编号")
    minute_taker: int | None = Field(None, title="记录人", description="出席本次会议的党员编号")
    confirm_duplicate: bool = Field(
        False, title="确认另一次会议", description="同一组织、类型、日期已有会议时，须为 true 才记录"
    )


class MeetingPatchIn(In):
    """A correction: the fields given replace what was recorded (``attendance``: the whole list);
    the rest stay. ``reason`` is required."""

    multiline = frozenset({"minutes"})
    nullable = frozenset({"topic_item", "chair", "minute_taker"})
    reason: str = Field("", max_length=300, title="更正原因")
    kind: str = Field("", max_length=30)
    held_on: dt.date | None = None
    place: str = Field("", max_length=200)
    topic: str = Field("", max_length=300)
    first_agenda: str = Field("", max_length=300)
    topic_item: int | None = None
    minutes: str = Field("", max_length=20_000)
    attendance: list[AttendanceIn] = []
    chair: int | None = Field(None, title="主持人")
    minute_taker: int | None = Field(None, title="记录人")
    confirm_duplicate: bool = Field(False, title="确认另一次会议")


class WithdrawIn(In):
    reason: str = Field("", max_length=300, title="撤销原因")


class CellOut(Schema):
    start: dt.date
    end: dt.date
    label: str
    held: int
    needed: int
    state: str


class CalendarRowOut(Schema):
    org_id: int
    org_name: str
    kind: str
    overdue: int
    cells: list[CellOut]


class CalendarOut(Schema):
    org_id: int
    org_name: str
    year: int
    rows: list[CalendarRowOut]


class SilentBranchOut(Schema):
    id: int
    name: str
    last_meeting: dt.date | None = None


class ComplianceOut(Schema):
    org_id: int
    period: str
    as_of: dt.date
    required: int
    satisfied: int
    rate: float | None = None
    by_kind: dict[str, tuple[int, int]]
    silent_total: int
    silent_branches: list[SilentBranchOut]


class TopicItemOut(Schema):
    id: int
    seq: int
    title: str
    detail: str


class TopicListOut(Schema):
    id: int
    org_id: int
    org_name: str = Field(..., alias="org.name")
    month: dt.date
    title: str
    published_at: dt.datetime
    items: list[TopicItemOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return selectors.topic_list_items(obj)


class TopicListIn(In):
    org: int
    month: dt.date | None = None
    title: str = Field("", max_length=200)
    items: list[Annotated[str, Field(max_length=300)]] = Field([], max_length=100)


class CoverageOut(Schema):
    item_id: int
    seq: int
    title: str
    covered: int
    branches: int


# --- meetings ------------------------------------------------------------------------------------


def _meeting_detail(actor, meeting_id) -> Meeting:
    """The meeting, its attendance counts and the attendance rows the actor may see."""
    meeting = selectors.meeting_get(actor=actor, meeting_id=meeting_id)
    meeting.n_attended, meeting.n_total = selectors.meeting_counts(actor=actor, meeting=meeting)
    meeting.topic_item_title = meeting.topic_item.title if meeting.topic_item else None
    meeting.attendance_rows = list(selectors.meeting_attendance(actor=actor, meeting=meeting))
    return meeting


@router.get("/meetings", response=MeetingPage, summary="会议记录查询（组织、类型、日期范围、关键词）")
def meeting_list(request, f: Query[MeetingFilterIn]):
    org = org_get(actor=request.auth, org_id=f.org) if f.org else None
    qs = selectors.meetings_for(
        actor=request.auth, org=org, kind=f.kind, since=f.since, until=f.until, q=f.q, withdrawn=f.withdrawn
    )
    return page(qs, offset=f.offset, limit=f.limit)


@router.post(
    "/meetings",
    response=MeetingDetailOut,
    summary="记录一次会议及出勤（校验失败返回400并列出全部问题，不作任何保存；附件仅能在网页上传）",
)
def meeting_create(request, payload: MeetingIn):
    actor = request.auth
    org = org_get(actor=actor, org_id=payload.org)
    # the service resolves the key-content item by id among the lists the actor sees
    meeting = services.meeting_record(
        actor=actor,
        org=org,
        kind=payload.kind,
        held_on=payload.held_on,
        place=payload.place,
        topic=payload.topic,
        first_agenda=payload.first_agenda,
        topic_item=payload.topic_item,
        minutes=payload.minutes,
        attendance=[services.AttendanceIn(a.member_id, a.status, a.reason) for a in payload.attendance],
        chair=payload.chair,
        minute_taker=payload.minute_taker,
        confirm_duplicate=payload.confirm_duplicate,
    )
    return _meeting_detail(actor, meeting.pk)


@router.patch(
    "/meetings/{meeting_id}",
    response=MeetingDetailOut,
    summary="更正会议记录：只改所给字段（出勤名单整体替换），须写明更正原因；与记录时同样校验，"
    "失败返回400且不作任何修改；已撤销的、或所在年度评定已确认（锁定）的会议不能更正",
)
def meeting_correct(request, meeting_id: int, payload: MeetingPatchIn):
    actor = request.auth
    meeting = selectors.meeting_get(actor=actor, meeting_id=meeting_id)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    if "attendance" in changes:
        changes["attendance"] = [
            services.AttendanceIn(a.member_id, a.status, a.reason) for a in payload.attendance
        ]
    services.meeting_correct(actor=actor, meeting=meeting, reason=reason, **changes)
    return _meeting_detail(actor, meeting_id)


@router.post(
    "/meetings/{meeting_id}/withdraw",
    response=MeetingDetailOut,
    summary="撤销会议记录（须写明原因）：记录保留并标明已撤销，不再计入任何统计、日历、台账",
)
def meeting_withdraw(request, meeting_id: int, payload: WithdrawIn):
    actor = request.auth
    meeting = selectors.meeting_get(actor=actor, meeting_id=meeting_id)
    services.meeting_withdraw(actor=actor, meeting=meeting, reason=payload.reason)
    return _meeting_detail(actor, meeting_id)


@router.get(
    "/meetings/{meeting_id}",
    response=MeetingDetailOut,
    summary="会议详情及出勤名单（出勤名单按党员查看权限过滤）",
)
def meeting_detail(request, meeting_id: int):
    return _meeting_detail(request.auth, meeting_id)


# --- calendar and compliance ---------------------------------------------------------------------


@router.get(
    "/orgs/{org_id}/calendar",
    response=CalendarOut,
    summary="支部组织生活日历：按规则包列出各类会议每期应开、已开及状态（done/overdue/due/upcoming）",
)
def org_calendar(request, org_id: int, year: int | None = None):
    org = org_get(actor=request.auth, org_id=org_id)
    today = timezone.localdate()
    year = year or today.year
    errors = ErrorCollector()
    if org.kind not in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH):
        errors.add("org_id", "组织生活日历：请选择党支部（党总支）。")
    if not 2000 <= year <= today.year + 1:
        errors.add("year", f"年度：应在 2000 至 {today.year + 1} 之间。")
    errors.raise_if_any()
    rows = selectors.branch_calendar(actor=request.auth, branch=org, year=year)
    return {
        "org_id": org.pk,
        "org_name": org.name,
        "year": year,
        "rows": [
            {
                "org_id": r.org.pk,
                "org_name": r.org.name,
                "kind": r.kind,
                "overdue": r.overdue,
                "cells": [
                    {
                        "start": c.block.start,
                        "end": c.block.end,
                        "label": c.block.label,
                        "held": c.held,
                        "needed": c.needed,
                        "state": c.state,
                    }
                    for c in r.cells
                ],
            }
            for r in rows
        ],
    }


@router.get(
    "/compliance",
    response=ComplianceOut,
    summary="组织生活达标情况：应开与已开（仅计已结束的周期）、分类型统计、超过规定月数未开展组织生活的支部（最多500个）",
)
def compliance_summary(request, org: int | None = None, period: str | None = None):
    node: Org = org_or_top(actor=request.auth, org_id=org)
    p = parse_period(period)
    t = compliance.tally(node, p)
    silent = selectors.branch_overview(actor=request.auth, root=node, today=p.as_of, only_silent=True)
    silent_page = page(silent, offset=0, limit=SILENT_CAP)
    return {
        "org_id": node.pk,
        "period": p.label,
        "as_of": p.as_of,
        "required": t.required,
        "satisfied": t.satisfied,
        "rate": ratio(t.satisfied, t.required).value,  # the definition of orglife.compliance_rate
        "by_kind": t.by_kind,
        "silent_total": silent_page["count"],
        "silent_branches": silent_page["items"],
    }


# --- key-content lists ---------------------------------------------------------------------------


@router.get("/topic-lists", response=list[TopicListOut], summary="组织生活重点内容清单（本级及上级发布）")
def topic_list_list(request):
    return list(selectors.topic_lists_for(actor=request.auth))


@router.post(
    "/topic-lists", response=TopicListOut, summary="发布月度重点内容清单（党委发布，下属支部均可见）"
)
def topic_list_create(request, payload: TopicListIn):
    org = org_get(actor=request.auth, org_id=payload.org)
    tl = services.topic_list_publish(
        actor=request.auth, org=org, month=payload.month, title=payload.title, items=payload.items
    )
    return get_scoped_or_404(selectors.topic_lists_for(actor=request.auth), pk=tl.pk)


@router.get(
    "/topic-lists/{topic_list_id}/coverage",
    response=list[CoverageOut],
    summary="重点内容覆盖情况：每个条目有多少个支部开会学习过（范围内支部数）",
)
def topic_list_coverage(request, topic_list_id: int):
    tl = get_scoped_or_404(selectors.topic_lists_for(actor=request.auth), pk=topic_list_id)
    return [
        {
            "item_id": row["item"].pk,
            "seq": row["item"].seq,
            "title": row["item"].title,
            "covered": row["covered"],
            "branches": row["branches"],
        }
        for row in selectors.topic_coverage(actor=request.auth, topic_list=tl)
    ]
