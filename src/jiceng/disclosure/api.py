"""The disclosure API: the items of the caller's subtree (filters as the list page) and publishing
one — refused with 400 and the field named, nothing stored, exactly as the page."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from jiceng.core.boundary import In

from . import selectors, services
from .models import BODY_MAX, NAME_MAX, NAMES_MAX, SOURCE_MAX, TITLE_MAX

router = Router(tags=["四务公开 disclosure"])


class ItemOut(Schema):
    id: int
    org_id: int
    village_id: int
    village: str = Field(..., alias="village.name")
    affair: str
    title: str
    body: str
    published_on: dt.date
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    major: bool
    source: str
    link: str
    names: list[str]
    display_until: dt.date | None = None
    withdrawn_at: dt.datetime | None = None
    withdrawn_reason: str


class ItemPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ItemOut]


class ListIn(In):
    nullable = frozenset({"village", "start", "end"})
    village: int | None = Field(None, ge=1, le=2**31 - 1, description="村（社区）区域编号")
    affair: str = Field("", max_length=10, description="party / village / finance / service")
    start: dt.date | None = None
    end: dt.date | None = None
    q: str = Field("", max_length=50)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class PublishIn(In):
    multiline = frozenset({"body"})
    nullable = frozenset({"period_start", "period_end", "published_on"})
    org: int = Field(..., ge=1, le=2**31 - 1, description="村（社区）党组织编号")
    affair: str = Field(..., max_length=10, description="party / village / finance / service")
    title: str = Field(..., max_length=TITLE_MAX)
    body: str = Field(..., max_length=BODY_MAX)
    published_on: dt.date | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    major: bool = False
    names: list[str] = Field([], max_length=NAMES_MAX, description=f"点名公开的姓名，每个最多{NAME_MAX}字")
    source: str = Field("", max_length=SOURCE_MAX)


@router.get("/disclosure", response=ItemPage, summary="四务公开：本人可见范围内的公开事项（新的在前）")
def item_list(request, f: Query[ListIn]):
    count, rows = selectors.items_page(
        actor=request.auth,
        offset=f.offset,
        limit=f.limit,
        village_id=f.village,
        affair=f.affair,
        start=f.start,
        end=f.end,
        q=f.q.strip(),
    )
    return {"count": count, "limit": f.limit, "offset": f.offset, "items": rows}


@router.post(
    "/disclosure",
    response=ItemOut,
    summary="发布一项公开（党务、村务、财务、服务）；不符合规则返回400并指明字段，不保存",
)
def publish(request, payload: PublishIn):
    actor = request.auth
    org = selectors.publish_org_get(actor=actor, org_id=payload.org)
    item = services.publish(
        actor=actor,
        org=org,
        affair=payload.affair,
        title=payload.title,
        body=payload.body,
        published_on=payload.published_on,
        period_start=payload.period_start,
        period_end=payload.period_end,
        major=payload.major,
        names=payload.names,
        source=payload.source,
    )
    return selectors.item_get(actor=actor, item_id=item.pk)
