"""The cases API for staff systems (a grid app, a county dashboard): the queue, the search, a case
with its trail, filing a case and taking a step. Thin: parse, call a selector or a service, return.
Client systems of the 12345 kind use Open311 (/open311/v2/) with an api_key instead."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from jiceng.core.boundary import In
from jiceng.core.errors import DomainError
from jiceng.core.selectors import page

from . import selectors, services
from .models import Case

router = Router(tags=["群众诉求 cases"])

ACTIONS = ("accept", "escalate", "hand_on", "whistle", "report_in", "resolve", "reopen", "dismiss")


class CaseOut(Schema):
    id: int
    number: str
    title: str
    category: str = Field(..., alias="category.name")
    kind: str
    severity: str
    channel: str
    area_id: int
    area_name: str = Field(..., alias="area.name")
    handling_area_name: str = Field(..., alias="handling_area.name")
    level: int
    top_level: int
    state: str
    state_label: str = Field(..., alias="get_state_display")
    resident: str = Field(..., alias="resident_name_masked", description="群众姓名（脱敏）")
    phone: str = Field(..., alias="phone_masked", description="联系电话（脱敏）")
    received_at: dt.datetime
    respond_due_at: dt.datetime
    accepted_at: dt.datetime | None = None
    due_at: dt.datetime
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    rating: str
    public: bool


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseOut]


class NoteOut(Schema):
    at: dt.datetime
    text: str
    public: bool


class CaseDetailOut(CaseOut):
    description: str
    address: str
    reply: str
    notes: list[NoteOut]

    @staticmethod
    def resolve_notes(obj) -> list:
        return obj.note_rows


class CaseFilterIn(In):
    nullable = frozenset({"since", "until", "category"})
    state: str = Field("", max_length=12, description="received/handling/resolved/closed/dismissed，或 open")
    kind: str = Field("", max_length=20)
    category: int | None = None
    channel: str = Field("", max_length=20)
    overdue: bool = False
    since: dt.date | None = None
    until: dt.date | None = None
    q: str = Field("", max_length=50, description="编号、标题或地址")
    queue: bool = Field(False, description="true：只列本人所在层级待办的诉求（待受理、办理中）")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class WageBodyIn(In):
    employer: str = Field(..., max_length=100)
    employer_uscc: str = Field("", max_length=18)
    project: str = Field("", max_length=100)
    workers: int = Field(..., ge=1, le=100_000)
    amount: str = Field(..., max_length=20, description="欠薪金额（元）")


class CaseIn(In):
    multiline = frozenset({"description"})
    nullable = frozenset({"lat", "lon", "wage"})
    category: int
    area: int = Field(..., description="所在村（社区）或网格的区域编号")
    description: str = Field(..., max_length=2000)
    title: str = Field("", max_length=100)
    severity: str = Field("normal", max_length=10)
    channel: str = Field(
        ..., max_length=20, description="window/phone/visit/hotline_12345/hotline_12333/wechat"
    )
    address: str = Field("", max_length=200)
    name: str = Field(..., max_length=50)
    phone: str = Field(..., max_length=20)
    lat: float | None = None
    lon: float | None = None
    datum: str = Field(
        "wgs84", max_length=6, description="wgs84 或 gcj02（高德、腾讯地图的坐标，转换后以 WGS-84 保存）"
    )
    wage: WageBodyIn | None = None


class StepIn(In):
    multiline = frozenset({"reason", "reply", "note"})
    reason: str = Field("", max_length=500)
    reply: str = Field("", max_length=2000)
    note: str = Field("", max_length=500)
    to_user: int = Field(0, ge=0, description="转交：同层级办理人员的用户编号")
    departments: list[int] = Field([], max_length=50, description="吹哨：部门编号")
    members: list[int] = Field([], max_length=50, description="吹哨：党员的用户编号")
    exception_reason: str = Field("", max_length=300)


def _detail(actor, case_id) -> Case:
    case = selectors.case(actor, case_id)
    case.note_rows = list(selectors.notes(actor, case))
    return case


@router.get(
    "/cases",
    response=CasePage,
    summary="群众诉求查询（状态、类型、类别、渠道、超期、日期、关键词；queue=true 为本人待办）",
)
def case_list(request, f: Query[CaseFilterIn]):
    filters = f.dict()
    qs = selectors.queue(request.auth, filters) if f.queue else selectors.search(request.auth, filters)
    return page(qs, offset=f.offset, limit=f.limit)


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="一件诉求及其办理记录（群众姓名、电话脱敏）")
def case_get(request, case_id: int):
    return _detail(request.auth, case_id)


@router.post(
    "/cases",
    response=CaseDetailOut,
    summary="代群众登记诉求（窗口、电话、走访、12345、12333、微信群）；校验失败返回400，不作任何保存",
)
def case_create(request, payload: CaseIn):
    wage = payload.wage
    case = services.submit(
        actor=request.auth,
        data=services.CaseIn(
            category_id=payload.category,
            area_id=payload.area,
            description=payload.description,
            title=payload.title,
            severity=payload.severity,
            channel=payload.channel,
            address=payload.address,
            name=payload.name,
            phone=payload.phone,
            lat=payload.lat,
            lon=payload.lon,
            datum=payload.datum,
            wage=services.WageIn(**wage.dict()) if wage else None,
        ),
    )
    return _detail(request.auth, case.pk)


@router.post(
    "/cases/{case_id}/steps/{action}",
    response=CaseDetailOut,
    summary="办理一步：accept 受理、escalate 上报、hand_on 转交、whistle 吹哨、report_in 报到、resolve 办结、"
    "reopen 重新办理、dismiss 不予受理；不允许的步骤返回400并说明原因，诉求不变",
)
def case_step(request, case_id: int, action: str, payload: StepIn):
    actor = request.auth
    case = selectors.case(actor, case_id)
    if action not in ACTIONS:
        raise DomainError(field="action", message=f"办理动作：应为 {', '.join(ACTIONS)} 之一。")
    if action == "accept":
        services.accept(actor=actor, case=case)
    elif action == "escalate":
        services.escalate(actor=actor, case=case, reason=payload.reason)
    elif action == "hand_on":
        services.hand_on(actor=actor, case=case, to_user_id=payload.to_user, note=payload.note)
    elif action == "whistle":
        services.whistle(
            actor=actor,
            case=case,
            department_ids=payload.departments,
            member_user_ids=payload.members,
            note=payload.note,
        )
    elif action == "report_in":
        services.report_in(actor=actor, case=case, note=payload.note)
    elif action == "resolve":
        services.resolve(actor=actor, case=case, reply=payload.reply)
    elif action == "reopen":
        services.reopen(
            actor=actor, case=case, reason=payload.reason, exception_reason=payload.exception_reason
        )
    else:
        services.dismiss(actor=actor, case=case, reason=payload.reason)
    return _detail(actor, case_id)
