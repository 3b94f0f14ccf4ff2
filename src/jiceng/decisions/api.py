"""The village decisions API: the matters in scope, one matter with its trail, registering a
matter and recording a stage — refused with 400 and the rule named (the matter unchanged) exactly
as the pages are; a vetoed matter's assembly stage is refused the same way."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from jiceng.core.boundary import In

from . import selectors, services

router = Router(tags=["村级重大事项决策 decisions"])


class MatterOut(Schema):
    id: int
    title: str
    village_id: int
    village_name: str = Field(..., alias="village.name")
    kind: str
    kind_name: str
    procedure: str
    stage: str
    stage_label: str
    outcome: str
    amount_fen: int | None = None
    proposed_on: dt.date
    decided_on: dt.date | None = None
    disclosed_on: dt.date | None = None
    result_on: dt.date | None = None
    end_reason: str


class MatterPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MatterOut]


class MeetingOut(Schema):
    action: str
    label: str
    kind: str
    held_on: dt.date
    notice_on: dt.date | None = None
    base: str
    entitled: int
    attended: int
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstain: int | None = None
    passed: bool
    rule_text: str


class MatterDetailOut(MatterOut):
    meetings: list[MeetingOut]
    next_stages: list[str]

    @staticmethod
    def resolve_meetings(obj) -> list:
        return obj.trail.meetings

    @staticmethod
    def resolve_next_stages(obj) -> list[str]:
        return [t.key for t, offered in obj.trail.options if offered]


class ListIn(In):
    nullable = frozenset({"village", "year"})
    village: int | None = Field(None, ge=1, le=2**31 - 1, description="村（社区）区域编号")
    kind: str = Field("", max_length=40)
    stage: str = Field("", max_length=40)
    outcome: str = Field("", max_length=20)
    year: int | None = Field(None, ge=2000, le=2100)
    q: str = Field("", max_length=50)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class MatterIn(In):
    multiline = frozenset({"description"})
    nullable = frozenset({"amount_fen", "proposed_on"})
    village: int = Field(..., ge=1, le=2**31 - 1, description="村（社区）区域编号")
    kind: str = Field(..., max_length=40, description="事项类型代码（规则 decisions.matter_types）")
    procedure: str = Field(
        ..., max_length=40, description="decisions.four_two / five_step / one_three_two / community"
    )
    title: str = Field(..., max_length=100)
    description: str = Field("", max_length=2000)
    amount_fen: int | None = Field(None, ge=0, le=10**14, description="金额（分）")
    proposed_on: dt.date | None = None


class StageBodyIn(In):
    multiline = frozenset({"minutes", "reason"})
    nullable = frozenset(
        {
            "held_on",
            "notice_on",
            "attended",
            "households",
            "group_reps",
            "votes_for",
            "votes_against",
            "votes_abstain",
        }
    )
    held_on: dt.date | None = None
    notice_on: dt.date | None = None
    assembly: str = Field(
        "", max_length=20, description="决议：villagers 村民会议 / representatives 村民代表会议"
    )
    route: str = Field(
        "", max_length=20, description="村民会议出席计算：adults / households / groups（居民会议）"
    )
    attendee_ids: list[int] = Field([], max_length=5000, description="到会人员（人员编号）")
    attended: int | None = Field(None, ge=0, le=1_000_000)
    households: int | None = Field(None, ge=0, le=1_000_000)
    group_reps: int | None = Field(None, ge=0, le=100_000)
    votes_for: int | None = Field(None, ge=0, le=1_000_000)
    votes_against: int | None = Field(None, ge=0, le=1_000_000)
    votes_abstain: int | None = Field(None, ge=0, le=1_000_000)
    minutes: str = Field("", max_length=5000)
    reason: str = Field("", max_length=300)
    names: str = Field("", max_length=500)


def _detail(actor, matter_id):
    m = selectors.matter_get(actor=actor, matter_id=matter_id)
    m.trail = selectors.matter_trail(actor=actor, matter=m)
    return m


@router.get("/decisions", response=MatterPage, summary="村级重大事项：本人可见的事项、所处环节和结果")
def matter_list(request, f: Query[ListIn]):
    actor = request.auth
    village = selectors.village_get(actor=actor, area_id=f.village) if f.village else None
    qs = selectors.matters_for(
        actor=actor, village=village, kind=f.kind, stage=f.stage, outcome=f.outcome, year=f.year, q=f.q
    )
    count, items = selectors.page_of(qs, offset=f.offset, limit=f.limit)
    return {"count": count, "limit": f.limit, "offset": f.offset, "items": items}


@router.get(
    "/decisions/{matter_id}", response=MatterDetailOut, summary="一个事项的全过程记录和可办的下一环节"
)
def matter_get(request, matter_id: int):
    return _detail(request.auth, matter_id)


@router.post("/decisions", response=MatterDetailOut, summary="登记一个村级重大事项并开始其决策程序")
def matter_create(request, payload: MatterIn):
    actor = request.auth
    village = selectors.village_get(actor=actor, area_id=payload.village, perm=services.PROPOSE)
    m = services.matter_create(
        actor=actor,
        village=village,
        kind=payload.kind,
        title=payload.title,
        procedure=payload.procedure,
        description=payload.description,
        amount_fen=payload.amount_fen,
        proposed_on=payload.proposed_on,
    )
    return _detail(actor, m.pk)


@router.post(
    "/decisions/{matter_id}/stages/{stage_action}",
    response=MatterDetailOut,
    summary="记录一个决策环节（propose、discuss、review、township_approve、township_veto、resolve、disclose、"
    "implement、reject …）；出席或表决不符合规则返回400并指明规则和人数，事项不变",
)
def stage(request, matter_id: int, stage_action: str, payload: StageBodyIn):
    actor = request.auth
    m = selectors.matter_get(actor=actor, matter_id=matter_id)
    body = payload.dict()
    services.record_stage(actor=actor, matter=m, stage=services.StageIn(action=stage_action[:40], **body))
    return _detail(actor, matter_id)
