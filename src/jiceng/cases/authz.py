"""The cases app's cases for the authorisation matrix (core.kit.AuthzCases): village B's requests,
made through the services, against the users of village A."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.core import kit

from . import routine, services
from .models import (
    Case,
    CaseNote,
    Category,
    DisputeRoutine,
    DutyShift,
    ListItem,
    Milestone,
    ScreeningItem,
    Whistle,
)


def _jpeg() -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "JPEG")
    return SimpleUploadedFile("b.jpg", buf.getvalue(), content_type="image/jpeg")


def _records(w) -> dict:
    county = w.users["county"]
    road = Category.objects.get(county__isnull=True, code="road")
    case = services.submit(
        actor=county,
        data=services.CaseIn(
            category_id=road.pk,
            description="三社区道路塌陷",
            area_id=w.village_b.pk,
            name="王五",
            phone="13800001111",
            channel="window",
            photos=[_jpeg()],
        ),
    )
    return {"case": case, "case_photo": case.photos.get(), **setup_records(w)}


def setup_records(w) -> dict:
    """B's roster shift, screening finding, need and project (with a milestone), made by B's secretary."""
    sec_b, today = w.users["sec_b"], timezone.localdate()
    shift = routine.add_shift(actor=sec_b, area=w.village_b, on=today, user_id=sec_b.pk)
    finding = routine.add_screening(
        actor=sec_b,
        area=w.village_b,
        month=today.replace(day=1),
        description="三社区排查发现",
        parties="王五",
    )
    need = routine.add_need(actor=sec_b, area=w.village_b, title="三社区需求")
    project = routine.add_project(
        actor=sec_b,
        area=w.village_b,
        title="三社区项目",
        source_ids=[need.pk],
        milestones=[("三社区节点", today + dt.timedelta(days=7))],
    )
    return {
        "shift": shift,
        "finding": finding,
        "need": need,
        "project": project,
        "milestone": Milestone.objects.get(project=project),
    }


SETUP_PARAMS = {
    "point_id": lambda w, r: w.village_b.pk,  # a service point (duty roster)
    "village_id": lambda w, r: w.village_b.pk,  # routine month, report, three lists
    "shift_id": lambda w, r: r["shift"].pk,
    "finding_id": lambda w, r: r["finding"].pk,
    "list_item_id": lambda w, r: r["project"].pk,
    "milestone_id": lambda w, r: r["milestone"].pk,
}
# a default category's code names nothing of anyone's (the county's copy is the county's)
SETUP_NEUTRAL = {"category_code": lambda w, r: "road"}
# list pages that show B's data to B's secretary
SETUP_VISIBLE = frozenset({"cases_duty", "cases_routine", "cases_lists"})


def setup_state(w) -> dict:
    b = w.town_b.path
    return {
        "shifts_b": list(
            DutyShift.objects.filter(area__path__startswith=b).order_by("pk").values("pk", "on", "user_id")
        ),
        "routines_b": list(
            DisputeRoutine.objects.filter(area__path__startswith=b)
            .order_by("pk")
            .values("pk", "meeting_on", "attendees", "minutes")
        ),
        "findings_b": list(
            ScreeningItem.objects.filter(routine__area__path__startswith=b)
            .order_by("pk")
            .values("pk", "description", "resolved")
        ),
        "list_items_b": list(
            ListItem.objects.filter(area__path__startswith=b)
            .order_by("pk")
            .values("pk", "title", "closed_on")
        ),
        "milestones_b": list(
            Milestone.objects.filter(project__area__path__startswith=b)
            .order_by("pk")
            .values("pk", "title", "done_on")
        ),
    }


def _state(w) -> dict:
    b = Case.objects.filter(area__path__startswith=w.town_b.path)
    return {
        "cases": Case.objects.count(),
        "cases_b": list(
            b.order_by("pk").values(
                "pk", "state", "level", "handling_area_id", "owner_id", "reply", "rating", "mediator_id"
            )
        ),
        "notes_b": CaseNote.objects.filter(case__in=b).count(),
        "whistles_b": Whistle.objects.filter(case__in=b).count(),
        **setup_state(w),
    }


CASES = kit.AuthzCases(
    records=_records,
    params={
        "case_id": lambda w, r: r["case"].pk,
        "action": lambda w, r: "accept",
        "case_photo_id": lambda w, r: r["case_photo"].pk,
        **SETUP_PARAMS,
    },
    neutral_params=SETUP_NEUTRAL,
    visible_to_b=SETUP_VISIBLE,
    write_bodies={
        ("post", "/api/v1/cases"): lambda w, r: {
            "category": Category.objects.get(county__isnull=True, code="road").pk,
            "area": w.village_b.pk,
            "description": "越权",
            "channel": "window",
            "name": "越权",
            "phone": "13800002222",
        },
        ("post", "/api/v1/cases/{case_id}/steps/{action}"): lambda w, r: {"reason": "越权", "reply": "越权"},
    },
    state=_state,
)
