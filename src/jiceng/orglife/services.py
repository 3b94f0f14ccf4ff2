"""Organisational-life writes: recording a meeting with its attendance, publishing the monthly
key-content list. Everything is validated first; a rejected call stores nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.core import audit
from jiceng.core.errors import DomainError, ErrorCollector, NotFound
from jiceng.core.models import Org, OrgKind
from jiceng.core.roles import Perm
from jiceng.core.rulepacks import ancestor_paths, rule
from jiceng.core.scoping import can_access_org
from jiceng.people import queries as people

from .models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    TopicItem,
    TopicList,
)
from .plugin import PUBLISH_TOPICS, RECORD_MEETING

MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Magic numbers, not the browser's claim: a renamed executable is not a photo.
_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"%PDF-": "application/pdf"}
_STATUS_LABELS = {s.value: str(s.label) for s in AttendanceStatus}


@dataclass(frozen=True)
class AttendanceIn:
    member_id: int
    status: str
    reason: str = ""


def _sniff(upload: UploadedFile) -> str | None:
    head = upload.read(8)
    upload.seek(0)
    return next((ct for sig, ct in _SIGNATURES.items() if head.startswith(sig)), None)


def meeting_record(
    *,
    actor,
    org: Org,
    kind: str,
    held_on: dt.date | None,
    place: str,
    topic: str,
    attendance: Sequence[AttendanceIn],
    first_agenda: str = "",
    topic_item: TopicItem | int | None = None,
    minutes: str = "",
    attachments: Iterable[UploadedFile] = (),
) -> Meeting:
    """Record one meeting and everyone's attendance (支部工作条例 第九、十条).

    Rules: the organisation is in the actor's scope; a party-group meeting is held by a party
    group and the other party-life kinds by a branch; no date in the future; every member of the
    organisation on that day has exactly one attendance status, and no one else does; leave or
    absence carries a reason where the rule pack requires it (``orglife.reason_required_for``).
    """
    if not can_access_org(actor, RECORD_MEETING, org):
        raise NotFound()
    errors = ErrorCollector()
    if kind not in MeetingKind.values:
        errors.add("kind", f"会议类型：未知类型“{kind}”。")
    elif kind == MeetingKind.GROUP_MEETING and org.kind != OrgKind.GROUP:
        errors.add("kind", "会议类型：党小组会由党小组召开，请在党小组下记录。")
    elif kind not in (MeetingKind.GROUP_MEETING, MeetingKind.ADMINISTRATIVE) and org.kind != OrgKind.BRANCH:
        # a 党总支's branches hold their own 三会一课 and are the ones the requirements count
        errors.add(
            "kind",
            f"会议类型：{MeetingKind(kind).label}由党支部召开，请在党支部下记录，不能记在{org.get_kind_display()}下。",
        )
    today = timezone.localdate()
    if held_on is None:
        errors.add("held_on", "会议日期：必填。")
    elif held_on > today:
        errors.add("held_on", "会议日期：不能晚于今天，组织生活只能在召开后记录。")
    elif org.established_on and held_on < org.established_on:
        errors.add("held_on", f"会议日期：早于本组织成立日期（{org.established_on:%Y-%m-%d}）。")
    elif org.dissolved_on and held_on >= org.dissolved_on:
        errors.add("held_on", f"会议日期：本组织已于 {org.dissolved_on:%Y-%m-%d} 撤销。")
    for field, label, value, limit in (
        ("place", "会议地点", place, 200),
        ("topic", "会议主题", topic, 300),
        ("first_agenda", "第一议题", first_agenda, 300),
    ):
        value = (value or "").strip()
        if not value and field != "first_agenda":
            errors.add(field, f"{label}：必填。")
        elif len(value) > limit:
            errors.add(field, f"{label}：不能超过{limit}字。")
    if isinstance(topic_item, int):  # by id (the API): one the actor's lists reach, else a field error
        from .selectors import topic_item_visible

        found = topic_item_visible(actor=actor, item_id=topic_item)
        if found is None:
            errors.add("topic_item", "重点内容：找不到该清单条目。")
        topic_item = found
    if topic_item is not None:
        tl = topic_item.topic_list
        if tl.org.path not in ancestor_paths(org.path):
            errors.add("topic_item", "重点内容：该清单不是上级下发给本组织的。")
        elif held_on and tl.month > held_on.replace(day=1):
            errors.add("topic_item", "重点内容：不能覆盖会议日期之后月份的清单条目。")

    rows = _check_attendance(errors, org, held_on, attendance, everyone=kind != MeetingKind.COMMITTEE_MEETING)
    uploads = _check_attachments(errors, list(attachments))
    errors.raise_if_any()
    assert held_on is not None  # checked above

    with transaction.atomic():
        meeting = Meeting.objects.create(
            org=org,
            kind=kind,
            held_on=held_on,
            place=place.strip(),
            topic=topic.strip(),
            first_agenda=(first_agenda or "").strip(),
            topic_item=topic_item,
            minutes=minutes or "",
            recorded_by=actor,
        )
        for row in rows:
            row.meeting = meeting
        Attendance.objects.bulk_create(rows)
        for upload, content_type in uploads:
            MeetingAttachment.objects.create(
                meeting=meeting,
                file=upload,
                original_name=upload.name or "",
                content_type=content_type,
                size=upload.size or 0,
            )
        counts = {s: sum(r.status == s for r in rows) for s in AttendanceStatus.values}
        audit.record(
            actor=actor,
            action="create",
            target=meeting,
            org_path=org.path,
            changes={
                "kind": [None, kind],
                "held_on": [None, held_on.isoformat()],
                "topic": [None, meeting.topic],
                "attendance": [None, "，".join(f"{_STATUS_LABELS[s]}{n}" for s, n in counts.items() if n)],
                "attachments": [None, len(uploads)],
            },
        )
    return meeting


def _check_attendance(
    errors: ErrorCollector, org: Org, held_on, attendance: Sequence[AttendanceIn], everyone: bool = True
) -> list:
    """Each row names a member of the organisation on that day, once. ``everyone``: the checklist must
    cover every member (a 支委会 is attended by the committee only, so it lists just them)."""
    expected = {}
    if held_on is not None:
        expected = {m.pk: m for m in people.members_of(org, held_on).select_related("person")}
    need_reason = set(rule("orglife.reason_required_for", org))
    seen: set[int] = set()
    rows = []
    for item in attendance:
        if item.member_id in seen:
            errors.add("attendance", f"出勤：党员（编号 {item.member_id}）重复登记。")
            continue
        seen.add(item.member_id)
        member = expected.get(item.member_id)
        if member is None:
            errors.add(
                "attendance", f"出勤：编号 {item.member_id} 不是本组织在会议当日的党员，不能登记出勤。"
            )
            continue
        if item.status not in AttendanceStatus.values:
            errors.add("attendance", f"出勤：{member.person.name} 的出勤状态“{item.status}”无效。")
            continue
        reason = (item.reason or "").strip()
        if len(reason) > 200:
            errors.add("attendance", f"出勤：{member.person.name} 的原因不能超过200字。")
        if item.status in need_reason and not reason:
            errors.add(
                "attendance", f"出勤：{member.person.name} {_STATUS_LABELS[item.status]}，须登记原因。"
            )
        rows.append(Attendance(member=member, status=item.status, reason=reason))
    missing = [m.person.name for pk, m in expected.items() if pk not in seen] if everyone else []
    if not everyone and not seen:
        errors.add("attendance", "出勤：请登记参加支委会的支部委员。")
    if missing:
        shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
        errors.add(
            "attendance", f"出勤：每名党员都要登记出勤状态，尚未登记：{shown}（共 {len(missing)} 人）。"
        )
    return rows


def _check_attachments(errors: ErrorCollector, uploads: list[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    if len(uploads) > MAX_ATTACHMENTS:
        errors.add("attachments", f"附件：最多上传 {MAX_ATTACHMENTS} 个文件。")
        return []
    out = []
    for up in uploads:
        if len(up.name or "") > 200:
            errors.add("attachments", f"附件：文件名“{(up.name or '')[:20]}…”超过200字，请改短后再上传。")
            continue
        if (up.size or 0) > MAX_ATTACHMENT_BYTES:
            errors.add("attachments", f"附件：{up.name} 超过 10 MB。")
            continue
        content_type = _sniff(up)
        if content_type is None:
            errors.add("attachments", f"附件：{up.name} 不是 JPEG、PNG 图片或 PDF 文件。")
            continue
        out.append((up, content_type))
    return out


def topic_list_publish(*, actor, org: Org, month: dt.date, title: str, items: Sequence[str]) -> TopicList:
    """The county (or township) publishes a month's key-content list to its whole subtree (001)."""
    if not can_access_org(actor, PUBLISH_TOPICS, org):
        raise NotFound()
    errors = ErrorCollector()
    if org.kind != OrgKind.COMMITTEE:
        errors.add("org", "发布单位：重点内容清单由党委发布。")
    first: dt.date | None = month.replace(day=1) if month else None
    if first is None:
        errors.add("month", "月份：必填。")
    elif TopicList.objects.filter(org=org, month=first).exists():
        errors.add("month", f"月份：{first:%Y年%m月}的清单已发布。")
    if not (title or "").strip():
        errors.add("title", "标题：必填。")
    elif len(title.strip()) > 200:
        errors.add("title", "标题：不能超过200字。")
    clean = [i.strip() for i in items if i and i.strip()]
    if not clean:
        errors.add("items", "清单条目：至少一条。")
    for n, item in enumerate(clean, start=1):
        if len(item) > 300:
            errors.add("items", f"清单条目：第{n}条不能超过300字。")
    errors.raise_if_any()
    assert first is not None  # checked above
    try:
        with transaction.atomic():
            tl = TopicList.objects.create(org=org, month=first, title=title.strip(), published_by=actor)
            TopicItem.objects.bulk_create(
                [TopicItem(topic_list=tl, seq=i + 1, title=t) for i, t in enumerate(clean)]
            )
            audit.record(
                actor=actor,
                action="publish",
                target=tl,
                org_path=org.path,
                changes={"month": [None, f"{month:%Y-%m}"], "items": [None, len(clean)]},
            )
    except IntegrityError:  # published twice at once
        raise DomainError(field="month", message=f"月份：{month:%Y年%m月}的清单已发布。") from None
    return tl


def attendance_export_record(*, actor, org: Org | None, period_label: str, count: int) -> None:
    """The attendance ledger names members: each export is logged with its filter and size, under the
    filtered organisation or else under every root of the actor's export scope."""
    from jiceng.core.scoping import org_paths

    paths = [org.path] if org else org_paths(actor, Perm.EXPORT_PERSONAL)
    for path in paths:
        audit.record(
            actor=actor,
            action="export",
            target_type="orglife.attendance",
            target_repr=f"出勤台账导出 {count} 条",
            org_path=path,
            changes={
                "filters": [None, {"org": org.name if org else "", "period": period_label}],
                "rows": [None, count],
            },
        )
