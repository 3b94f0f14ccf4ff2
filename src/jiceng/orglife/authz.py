"""The organisational-life app's cases for the authorisation matrix (core.kit.AuthzCases)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.core import kit

from . import services
from .models import Attendance, Meeting, TopicList


def _records(w) -> dict:
    county, today = w.users["county"], timezone.localdate()
    meeting = services.meeting_record(
        actor=county,
        org=w.branch_b,
        kind="theme_day",
        held_on=today - dt.timedelta(days=1),
        place="活动室",
        topic="学习",
        attendance=[services.AttendanceIn(w.member_b.pk, "present")],
        attachments=[SimpleUploadedFile("b.pdf", b"%PDF-1.4 minutes of B")],
    )
    topic_list = services.topic_list_publish(
        actor=county, org=w.town_b_org, month=today.replace(day=1), title="重点内容", items=["事项一"]
    )
    return {"meeting": meeting, "attachment": meeting.attachments.get(), "topic_list": topic_list}


def _yesterday() -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


CASES = kit.AuthzCases(
    records=_records,
    params={
        "meeting_id": lambda w, r: r["meeting"].pk,
        "attachment_id": lambda w, r: r["attachment"].pk,
        "topic_list_id": lambda w, r: r["topic_list"].pk,
    },
    write_bodies={
        ("post", "/api/v1/meetings"): lambda w, r: {
            "org": w.branch_b.pk,
            "kind": "theme_day",
            "held_on": _yesterday(),
            "place": "越权",
            "topic": "越权",
            "attendance": [{"member_id": w.member_b.pk, "status": "present"}],
        },
        ("patch", "/api/v1/meetings/{meeting_id}"): lambda w, r: {"reason": "越权", "topic": "越权"},
        ("post", "/api/v1/meetings/{meeting_id}/withdraw"): lambda w, r: {"reason": "越权"},
        ("post", "/api/v1/topic-lists"): lambda w, r: {
            "org": w.town_b_org.pk,
            "month": timezone.localdate().replace(day=1).isoformat(),
            "title": "越权",
            "items": ["x"],
        },
    },
    page_writes={
        # last year's last day: B's grade of this year is confirmed (grading's records), which locks
        # this year's meetings, and B's own meeting of yesterday would make this one a duplicate
        "meeting_create": lambda w, r: {
            "org": w.branch_b.pk,
            "kind": "theme_day",
            "held_on": dt.date(timezone.localdate().year - 1, 12, 31).isoformat(),
            "place": "越权",
            "topic": "越权",
            f"status_{w.member_b.pk}": "present",
        },
        "topic_lists": lambda w, r: {
            "org": w.town_b_org.pk,
            "month": (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m"),
            "title": "越权",
            "items": "越权",
        },
    },
    state=lambda w: {
        "meetings": Meeting.objects.count(),
        "meetings_b": list(
            Meeting.objects.filter(org__path__startswith=w.town_b_org.path).order_by("pk").values()
        ),
        "attendance_b": list(
            Attendance.objects.filter(meeting__org__path__startswith=w.town_b_org.path)
            .order_by("pk")
            .values()
        ),
        "topic_lists": TopicList.objects.count(),
    },
)
