"""Organisational-life writes: recording a meeting with its attendance, publishing the monthly
key-content list. Everything is validated first; a rejected call stores nothing."""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.core import audit, kit
from jiceng.core.errors import DomainError, ErrorCollector, NotFound
from jiceng.core.models import Org, OrgKind
from jiceng.core.roles import Perm
from jiceng.core.rulepacks import ancestor_paths, rule
from jiceng.core.scoping import can_access_org
from jiceng.people import queries as people

from .models import (
    ATTENDED,
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


class _Keep(enum.Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP  # meeting_correct: this field stays as recorded
Keep = Literal[_Keep.KEEP]
MemberRef = int | None  # a party member, by id


@dataclass
class _Checked:
    """What the checks of a meeting leave for the write: the attendance rows (unsaved), the
    key-content item and the chair and minute-taker, resolved."""

    rows: list[Attendance]
    topic_item: TopicItem | None
    chair: Any  # people's PartyMember, or None
    minute_taker: Any


def _check_meeting(
    errors: ErrorCollector,
    *,
    actor,
    org: Org,
    kind: str,
    held_on: dt.date | None,
    place: str,
    topic: str,
    first_agenda: str,
    topic_item: TopicItem | int | None,
    attendance: Sequence[AttendanceIn],
    chair: MemberRef,
    minute_taker: MemberRef,
    confirm_duplicate: bool,
    exclude: Meeting | None = None,
) -> _Checked:
    """Every rule of a meeting's fields and attendance, for recording and for correcting alike
    (``exclude``: the meeting being corrected, which is no duplicate of itself)."""
    kind_ok = kind in MeetingKind.values
    if not kind_ok:
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
    date_ok = False
    if held_on is None:
        errors.add("held_on", "会议日期：必填。")
    elif held_on > today:
        errors.add("held_on", "会议日期：不能晚于今天，组织生活只能在召开后记录。")
    elif org.established_on and held_on < org.established_on:
        errors.add("held_on", f"会议日期：早于本组织成立日期（{org.established_on:%Y-%m-%d}）。")
    elif org.dissolved_on and held_on >= org.dissolved_on:
        errors.add("held_on", f"会议日期：本组织已于 {org.dissolved_on:%Y-%m-%d} 撤销。")
    elif locked := kit.period_lock(org, held_on):  # a year whose grades are confirmed (grading)
        errors.add("held_on", f"会议日期：{locked}")
    else:
        date_ok = True
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
    # 主持人 and 记录人 are among those present (in person or online)
    present = {r.member.pk: r.member for r in rows if r.status in ATTENDED}
    people_of: dict[str, Any] = {}
    for field, label, pk in (("chair", "主持人", chair), ("minute_taker", "记录人", minute_taker)):
        if pk is None:
            people_of[field] = None
        elif pk not in present:
            errors.add(field, f"{label}：须是出席本次会议（到会或线上参加）的党员。")
        else:
            people_of[field] = present[pk]
    if kind_ok and date_ok and held_on is not None and not confirm_duplicate:
        same = Meeting.objects.counted().filter(org=org, kind=kind, held_on=held_on)
        if exclude is not None:
            same = same.exclude(pk=exclude.pk)
        if found_same := list(same.order_by("pk")[:5]):
            listed = "、".join(f"“{m.topic}”（编号 {m.pk}）" for m in found_same)
            errors.add(
                "confirm_duplicate",
                f"重复会议：{org.name}在 {held_on:%Y-%m-%d} 已记录过{MeetingKind(kind).label}{listed}。"
                "如确是另一次会议，请勾选“确认这是另一次会议”后再保存。",
            )
    return _Checked(rows, topic_item, people_of.get("chair"), people_of.get("minute_taker"))


def _summary(rows: Iterable[Attendance]) -> str:
    counts = Counter(r.status for r in rows)
    return "，".join(f"{_STATUS_LABELS[s]}{counts[s]}" for s in AttendanceStatus.values if counts[s])


def _name(member: Any) -> str | None:
    return member.person.name if member is not None else None


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
    chair: MemberRef = None,
    minute_taker: MemberRef = None,
    confirm_duplicate: bool = False,
) -> Meeting:
    """Record one meeting and everyone's attendance (支部工作条例 第九、十条).

    Rules: the organisation is in the actor's scope; a party-group meeting is held by a party
    group and the other party-life kinds by a branch; no date in the future, nor in a year whose
    records an installed app has locked (grading: its grades are confirmed; core.kit.period_lock);
    every member of the organisation on that day has exactly one attendance status, and no one
    else does; leave or absence carries a reason where the rule pack requires it
    (``orglife.reason_required_for``); the chair (主持人) and the minute-taker (记录人), if given,
    are among those present; a second meeting of the same organisation, kind and date is
    accepted only with ``confirm_duplicate``.
    """
    if not can_access_org(actor, RECORD_MEETING, org):
        raise NotFound()
    errors = ErrorCollector()
    checked = _check_meeting(
        errors,
        actor=actor,
        org=org,
        kind=kind,
        held_on=held_on,
        place=place,
        topic=topic,
        first_agenda=first_agenda,
        topic_item=topic_item,
        attendance=attendance,
        chair=chair,
        minute_taker=minute_taker,
        confirm_duplicate=confirm_duplicate,
    )
    rows = checked.rows
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
            topic_item=checked.topic_item,
            minutes=minutes or "",
            chair=checked.chair,
            minute_taker=checked.minute_taker,
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
        changes = {
            "kind": [None, kind],
            "held_on": [None, held_on.isoformat()],
            "topic": [None, meeting.topic],
            "attendance": [None, _summary(rows)],
            "attachments": [None, len(uploads)],
        }
        for field in ("chair", "minute_taker"):
            if (who := getattr(checked, field)) is not None:
                changes[field] = [None, _name(who)]
        audit.record(actor=actor, action="create", target=meeting, org_path=org.path, changes=changes)
    return meeting


_CORRECTED_FIELDS = (
    "kind",
    "held_on",
    "place",
    "topic",
    "first_agenda",
    "topic_item",
    "minutes",
    "chair",
    "minute_taker",
)


def _text(value: str | Keep, current: str) -> str:
    return current if value is KEEP else (value or "")


def meeting_correct(
    *,
    actor,
    meeting: Meeting,
    reason: str,
    kind: str | Keep = KEEP,
    held_on: dt.date | None | Keep = KEEP,
    place: str | Keep = KEEP,
    topic: str | Keep = KEEP,
    first_agenda: str | Keep = KEEP,
    topic_item: TopicItem | int | None | Keep = KEEP,
    minutes: str | Keep = KEEP,
    chair: MemberRef | Keep = KEEP,
    minute_taker: MemberRef | Keep = KEEP,
    attendance: Sequence[AttendanceIn] | Keep = KEEP,
    confirm_duplicate: bool = False,
) -> Meeting:
    """更正: change a recorded meeting's fields and attendance, with a reason. The corrected
    meeting passes every check of ``meeting_record`` (one set of checks, ``_check_meeting``); a
    field not given (``KEEP``) stays as recorded and is checked again as it stands. Refused for a
    withdrawn meeting and for a date whose records are locked (the recorded date and the new one);
    a refused correction changes nothing. A change of kind or date onto another meeting of the
    same organisation, kind and date needs ``confirm_duplicate``, as recording does. The
    organisation and the attachments stay. Audited with what changed and the reason; the stored
    figures follow (the entry marks the rollups behind, as recording does)."""
    org = meeting.org
    if not can_access_org(actor, RECORD_MEETING, org):
        raise NotFound()
    if meeting.withdrawn_at is not None:
        raise DomainError(field="__all__", message="更正：该会议已撤销，不能更正。")
    if locked := kit.period_lock(org, meeting.held_on):
        raise DomainError(field="__all__", message=f"更正：{locked}")
    errors = ErrorCollector()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", "更正原因：必填，请说明更正了什么、为什么。")
    elif len(reason) > 300:
        errors.add("reason", "更正原因：不能超过300字。")
    current_rows = list(meeting.attendance.select_related("member__person").order_by("member_id"))
    new_kind = meeting.kind if kind is KEEP else kind
    new_held_on = meeting.held_on if held_on is KEEP else held_on
    new_item = meeting.topic_item if topic_item is KEEP else topic_item
    checked = _check_meeting(
        errors,
        actor=actor,
        org=org,
        kind=new_kind,
        held_on=new_held_on,
        place=_text(place, meeting.place),
        topic=_text(topic, meeting.topic),
        first_agenda=_text(first_agenda, meeting.first_agenda),
        topic_item=new_item,
        attendance=(
            [AttendanceIn(a.member_id, a.status, a.reason) for a in current_rows]
            if attendance is KEEP
            else attendance
        ),
        chair=meeting.chair_id if chair is KEEP else chair,
        minute_taker=meeting.minute_taker_id if minute_taker is KEEP else minute_taker,
        # a meeting already accepted beside another is asked again only when moved onto one
        confirm_duplicate=confirm_duplicate or (new_kind == meeting.kind and new_held_on == meeting.held_on),
        exclude=meeting,
    )
    errors.raise_if_any()
    assert new_held_on is not None  # checked above

    def state(m: Meeting, item, chair_m, taker_m) -> dict:
        return {
            "kind": m.kind,
            "held_on": m.held_on,
            "place": m.place,
            "topic": m.topic,
            "first_agenda": m.first_agenda,
            "topic_item": str(item) if item is not None else None,
            "minutes": m.minutes,
            "chair": _name(chair_m),
            "minute_taker": _name(taker_m),
        }

    before = state(meeting, meeting.topic_item, meeting.chair, meeting.minute_taker)
    old_att = {a.member_id: (a.status, a.reason) for a in current_rows}
    new_att = {r.member.pk: (r.status, r.reason) for r in checked.rows}
    names = {a.member_id: a.member.person.name for a in current_rows} | {
        r.member.pk: r.member.person.name for r in checked.rows
    }
    changed_people = [
        f"{names[pk]}：{_status_text(old_att.get(pk))} → {_status_text(new_att.get(pk))}"
        for pk in sorted(old_att.keys() | new_att.keys(), key=lambda pk: names[pk])
        if old_att.get(pk) != new_att.get(pk)
    ]
    meeting.kind = new_kind
    meeting.held_on = new_held_on
    meeting.place = _text(place, meeting.place).strip()
    meeting.topic = _text(topic, meeting.topic).strip()
    meeting.first_agenda = _text(first_agenda, meeting.first_agenda).strip()
    meeting.minutes = _text(minutes, meeting.minutes)
    after = state(meeting, checked.topic_item, checked.chair, checked.minute_taker)
    changes = audit.diff(before, after)
    if changed_people:
        changes["attendance"] = [_summary(current_rows), _summary(checked.rows)]
        changes["attendance_changes"] = [None, changed_people]
    if not changes:
        meeting.refresh_from_db()  # this object as it was
        raise DomainError(field="__all__", message="更正：没有修改任何内容。")
    changes["correction_reason"] = [None, reason]
    with transaction.atomic():
        if Meeting.objects.filter(pk=meeting.pk, withdrawn_at__isnull=False).exists():  # meanwhile
            meeting.refresh_from_db()
            raise DomainError(field="__all__", message="更正：该会议已撤销，不能更正。")
        meeting.topic_item = checked.topic_item
        meeting.chair, meeting.minute_taker = checked.chair, checked.minute_taker
        meeting.corrected_by, meeting.corrected_at = actor, timezone.now()
        meeting.save(update_fields=[*_CORRECTED_FIELDS, "corrected_by", "corrected_at"])
        if changed_people:
            Attendance.objects.filter(meeting=meeting).delete()
            for row in checked.rows:
                row.meeting = meeting
            Attendance.objects.bulk_create(checked.rows)
        audit.record(actor=actor, action="correct", target=meeting, org_path=org.path, changes=changes)
    return meeting


def _status_text(value: tuple[str, str] | None) -> str:
    if value is None:
        return "未登记"
    status, reason = value
    return (
        f"{_STATUS_LABELS.get(status, status)}（{reason}）" if reason else _STATUS_LABELS.get(status, status)
    )


def meeting_withdraw(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """撤销: a meeting recorded in error (never held, recorded twice, under the wrong organisation)
    is withdrawn with a reason. The row and its attendance stay, marked, for the record; it counts
    nowhere from then on (Meeting.objects.counted()). Refused when its date's records are locked
    (core.kit.period_lock). Audited; the stored figures follow."""
    org = meeting.org
    if not can_access_org(actor, RECORD_MEETING, org):
        raise NotFound()
    errors = ErrorCollector()
    if meeting.withdrawn_at is not None:
        errors.add("__all__", "撤销：该会议已撤销。")
    elif locked := kit.period_lock(org, meeting.held_on):
        errors.add("__all__", f"撤销：{locked}")
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", "撤销原因：必填，请说明为什么撤销。")
    elif len(reason) > 300:
        errors.add("reason", "撤销原因：不能超过300字。")
    errors.raise_if_any()
    with transaction.atomic():
        # a second click, or two users at once: only the first withdraws it
        done = Meeting.objects.filter(pk=meeting.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=actor, withdraw_reason=reason
        )
        if not done:
            raise DomainError(field="__all__", message="撤销：该会议已撤销。")
        meeting.refresh_from_db()
        audit.record(
            actor=actor,
            action="withdraw",
            target=meeting,
            org_path=org.path,
            changes={
                "withdraw_reason": [None, reason],
                "held_on": [meeting.held_on.isoformat(), meeting.held_on.isoformat()],
                "kind": [meeting.kind, meeting.kind],
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
