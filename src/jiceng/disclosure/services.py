"""Disclosure writes: publish an item of a village or community (四务公开) and withdraw one. An item
is never edited: a correction is a new item, a withdrawn one stays in the register.

Other apps publish here (decisions: 决议公开, 实施结果公开; finance: the monthly summary) with the
same function the publish page calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiceng.core import audit
from jiceng.core.errors import ErrorCollector, NotFound
from jiceng.core.models import AreaKind, Org
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_org

from .models import (
    BODY_MAX,
    LINK_MAX,
    NAME_MAX,
    NAMES_MAX,
    REASON_MAX,
    SOURCE_MAX,
    TITLE_MAX,
    Affair,
    Item,
)
from .plugin import PUBLISH_DISCLOSURE
from .rules import AFFAIRS

__all__ = ["AFFAIRS", "publish", "withdraw"]

VILLAGE_KINDS = (AreaKind.VILLAGE, AreaKind.COMMUNITY)
# the earliest day an item may carry (older paper disclosures are not back-filled here)
EARLIEST = dt.date(2000, 1, 1)


def _text(errors: ErrorCollector, field: str, label: str, value: Any, limit: int, *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, f"{label}：应为文字。")
        return ""
    value = value.strip()
    if required and not value:
        errors.add(field, f"{label}：必填。")
    elif len(value) > limit:
        errors.add(field, f"{label}：最多{limit}字，现有{len(value)}字。")
    return value


def _date(errors: ErrorCollector, field: str, label: str, value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        errors.add(field, f"{label}：应为日期。")
        return None
    if value < EARLIEST:
        errors.add(field, f"{label}：不能早于{EARLIEST:%Y-%m-%d}。")
    return value


def _names(errors: ErrorCollector, names: Any) -> list[str]:
    if names is None:
        return []
    if isinstance(names, str) or not isinstance(names, list | tuple):
        errors.add("names", "点名公开的人员：应为姓名列表。")
        return []
    out: list[str] = []
    for n in names:
        if not isinstance(n, str) or not n.strip():
            errors.add("names", "点名公开的人员：每一项都应为非空的姓名。")
            return []
        n = n.strip()
        if len(n) > NAME_MAX:
            errors.add("names", f"点名公开的人员：每个姓名最多{NAME_MAX}字（{n[:10]}…）。")
            return []
        if any(ch.isdigit() for ch in n):
            errors.add("names", f"点名公开的人员：只写姓名，不写身份证号或电话（{n[:10]}…）。")
            return []
        out.append(n)
    if len(out) > NAMES_MAX:
        errors.add("names", f"点名公开的人员：最多{NAMES_MAX}人，现有{len(out)}人。")
    return out


def is_village(org: Org | None) -> bool:
    return org is not None and org.area is not None and org.area.kind in VILLAGE_KINDS


@transaction.atomic
def publish(
    *,
    actor,
    org: Org,
    affair: str,
    title: str,
    body: str,
    published_on: dt.date | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    major: bool = False,
    source: str = "",
    link: str = "",
    names: list[str] | None = None,
    display_days: int | None = None,
    attachments=(),
) -> Item:
    """One disclosure item of a village or community (org whose area is a village or community).
    ``source``: an opaque key of the producing record ("decisions.matter:12"); publishing again
    with the same source adds a new dated item. ``link``: a public URL of the producing app's
    page (a path under /public/). ``names``: who the disclosure must name, shown on the public
    page only until the display period (disclosure.names_display_days, or ``display_days``) ends.
    Attachments are not stored yet: passing any is refused."""
    if org is None or not can_access_org(actor, PUBLISH_DISCLOSURE, org):
        raise NotFound()
    errors = ErrorCollector()
    today = timezone.localdate()
    if not is_village(org):
        errors.add("org", f"公开单位：{org.name}不是村或社区的党组织，只有村（社区）发布四务公开。")
    if affair not in AFFAIRS:
        errors.add("affair", "公开类别：请选择党务、村务、财务或服务。")
    title = _text(errors, "title", "标题", title, TITLE_MAX, required=True)
    body = _text(errors, "body", "公开内容", body, BODY_MAX, required=True)
    source = _text(errors, "source", "来源", source, SOURCE_MAX, required=False)
    link = _text(errors, "link", "链接", link, LINK_MAX, required=False)
    if link and not link.startswith("/public/"):
        errors.add("link", "链接：应为本平台公开页面的地址（以 /public/ 开头）。")
    published_on = _date(errors, "published_on", "公开日期", published_on) if published_on else today
    if published_on and published_on > today:
        errors.add("published_on", "公开日期：不能晚于今天。")
    start = _date(errors, "period_start", "所属期间起", period_start)
    end = _date(errors, "period_end", "所属期间止", period_end)
    if start and end and end < start:
        errors.add("period_end", f"所属期间止：不能早于起始日（{start:%Y-%m-%d}）。")
    if bool(start) != bool(end):
        errors.add("period_end" if start else "period_start", "所属期间：起止日期应同时填写或同时不填。")
    if not isinstance(major, bool):
        errors.add("major", "重大事项：应为是或否。")
    people = _names(errors, names)
    if display_days is not None and (
        isinstance(display_days, bool) or not isinstance(display_days, int) or not 1 <= display_days <= 3650
    ):
        errors.add("display_days", "点名显示天数：应为1至3650之间的整数。")
    if display_days is not None and not people:
        errors.add("display_days", "点名显示天数：只在点名公开人员时填写。")
    if attachments:
        errors.add("attachments", "附件：暂不支持上传附件，请把内容写入公开内容或链接到来源页面。")
    errors.raise_if_any()
    assert published_on is not None and org.area is not None
    days = display_days or rule("disclosure.names_display_days", org, published_on)
    item = Item.objects.create(
        org=org,
        village=org.area,
        affair=affair,
        title=title,
        body=body,
        published_on=published_on,
        period_start=start,
        period_end=end,
        major=major,
        source=source,
        link=link,
        names=people,
        display_until=published_on + dt.timedelta(days=days - 1) if people else None,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="disclosure_publish",
        target=item,
        target_repr=f"{org.area.name}·{Affair(affair).label}·{title}"[:200],
        org_path=org.path,
        changes={
            "disclosure_affair": [None, str(Affair(affair).label)],
            "disclosure_title": [None, title],
            "disclosure_published_on": [None, published_on.isoformat()],
        },
    )
    return item


@transaction.atomic
def withdraw(*, actor, item: Item, reason: str) -> Item:
    """Take an item off the public page; it stays in the register, marked withdrawn with the
    reason and who withdrew it."""
    if not can_access_org(actor, PUBLISH_DISCLOSURE, item.org):
        raise NotFound()
    errors = ErrorCollector()
    reason = _text(errors, "reason", "撤回理由", reason, REASON_MAX, required=True)
    if item.withdrawn_at is not None:
        errors.add("reason", f"撤回：该事项已于{timezone.localtime(item.withdrawn_at):%Y-%m-%d}撤回。")
    errors.raise_if_any()
    item.withdrawn_at = timezone.now()
    item.withdrawn_reason = reason
    item.withdrawn_by = actor
    item.save(update_fields=["withdrawn_at", "withdrawn_reason", "withdrawn_by"])
    audit.record(
        actor=actor,
        action="disclosure_withdraw",
        target=item,
        target_repr=item.title[:200],
        org_path=item.org.path,
        changes={"disclosure_withdrawn": [None, reason]},
    )
    return item
