"""The development API: the board below an organisation, one record with its steps, and recording
a step — refused with 400 and the rule named (the record unchanged) exactly as the pages are."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from jiceng.core.boundary import In
from jiceng.core.errors import NotFound

from . import selectors, services

router = Router(tags=["发展党员 development"])


class RecordOut(Schema):
    id: int
    name: str = Field(..., alias="person.name")
    org_id: int
    org_name: str = Field(..., alias="org.name")
    stage: str
    migrant_worker: bool
    applied_on: dt.date
    activist_on: dt.date | None = None
    candidate_on: dt.date | None = None
    admitted_on: dt.date | None = None
    approved_on: dt.date | None = None
    probation_ends_on: dt.date | None = None
    full_on: dt.date | None = None
    ended_on: dt.date | None = None


class BoardRowOut(Schema):
    record: RecordOut
    state: str
    state_label: str
    next: str
    due_by: dt.date | None = None
    overdue: bool


class BoardPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[BoardRowOut]


class StepOut(Schema):
    code: str
    on: dt.date = Field(..., alias="done_on")
    people: str
    document: str
    note: str
    data: dict
    exception_reason: str


class RecordDetailOut(RecordOut):
    steps: list[StepOut]
    next_steps: list[str]

    @staticmethod
    def resolve_steps(obj) -> list:
        return obj.step_rows

    @staticmethod
    def resolve_next_steps(obj) -> list[str]:
        return obj.next_codes


class BoardIn(In):
    nullable = frozenset({"org"})
    org: int | None = Field(None, ge=1, le=2**31 - 1, description="组织编号；不填为本人可见的最高一级组织")
    stage: str = Field("", max_length=20)
    q: str = Field("", max_length=50)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class VotesIn(In):
    present: int = Field(..., ge=0, le=100_000)
    probationary_present: int = Field(0, ge=0, le=100_000)
    written: int = Field(0, ge=0, le=100_000)
    in_favour: int = Field(..., ge=0, le=100_000)
    against: int = Field(0, ge=0, le=100_000)
    abstain: int = Field(0, ge=0, le=100_000)


class StepBodyIn(In):
    multiline = frozenset({"note"})
    nullable = frozenset({"votes", "notice_from", "notice_to", "days", "hours", "extension_months"})
    on: dt.date
    people: str = Field("", max_length=100)
    document: str = Field("", max_length=100)
    note: str = Field("", max_length=500)
    exception_reason: str = Field("", max_length=300)
    method: str = Field("", max_length=20)
    guides: list[int] = Field([], max_length=5, description="培养联系人：党员编号")
    introducers: list[int] = Field([], max_length=5, description="入党介绍人：党员编号")
    days: int | None = Field(None, ge=0, le=365)
    hours: int | None = Field(None, ge=0, le=2000)
    notice_from: dt.date | None = None
    notice_to: dt.date | None = None
    host_notice: str = Field("", max_length=200)
    votes: VotesIn | None = None
    decision: str = Field("", max_length=10)
    extension_months: int | None = Field(None, ge=0, le=24)


def _detail(actor, applicant_id):
    a = selectors.applicant_get(actor=actor, applicant_id=applicant_id)
    a.step_rows = selectors.steps_of(actor=actor, applicant=a)
    a.next_codes = [n.code for n in selectors.next_steps(actor=actor, applicant=a)]
    return a


@router.get(
    "/development",
    response=BoardPage,
    summary="发展党员看板：某组织以下在程序中的人员、所处环节、下一步及期限",
)
def board(request, f: Query[BoardIn]):
    actor = request.auth
    org = selectors.org_get(actor=actor, org_id=f.org) if f.org else selectors.home_org(actor=actor)
    if org is None:
        raise NotFound()
    count, rows = selectors.board_page(
        actor=actor, org=org, stage=f.stage, q=f.q, offset=f.offset, limit=f.limit
    )
    return {
        "count": count,
        "limit": f.limit,
        "offset": f.offset,
        "items": [
            {
                "record": r.applicant,
                "state": r.state,
                "state_label": r.state_label,
                "next": r.due.label,
                "due_by": r.due.by,
                "overdue": r.overdue,
            }
            for r in rows
        ],
    }


@router.get(
    "/development/{applicant_id}",
    response=RecordDetailOut,
    summary="一名发展对象的记录、已办步骤和可办的下一步",
)
def record(request, applicant_id: int):
    return _detail(request.auth, applicant_id)


@router.post(
    "/development/{applicant_id}/steps/{code}",
    response=RecordDetailOut,
    summary="办理一个步骤（s02_talk … s25_archive、end 终止、cancel 取消预备党员资格）；不符合规则返回400并指明规则和最早日期，记录不变",
)
def step(request, applicant_id: int, code: str, payload: StepBodyIn):
    actor = request.auth
    a = selectors.applicant_get(actor=actor, applicant_id=applicant_id)
    body = payload.dict()
    data = {
        k: body[k]
        for k in (
            "method",
            "guides",
            "introducers",
            "days",
            "hours",
            "notice_from",
            "notice_to",
            "host_notice",
            "decision",
            "extension_months",
        )
        if body.get(k) not in (None, "", [])
    }
    if payload.votes is not None:
        data["votes"] = payload.votes.dict()
    services.record_step(
        actor=actor,
        applicant=a,
        step=services.StepIn(
            code=code,
            on=payload.on,
            people=payload.people,
            document=payload.document,
            note=payload.note,
            data=data,
            exception_reason=payload.exception_reason,
        ),
    )
    return _detail(actor, applicant_id)
