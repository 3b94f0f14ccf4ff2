"""The development app's cases for the authorisation matrix (core.kit.AuthzCases): village B's
branch gets an applicant (talked to, so the record has steps) with a photographed document, and its
township a plan, all through the services."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.core import kit

from . import services
from .models import Applicant, Link, Plan, Step, StepPhoto


def _jpeg() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(out, "JPEG")
    return SimpleUploadedFile("application.jpg", out.getvalue(), content_type="image/jpeg")


def _today() -> dt.date:
    return timezone.localdate()


def make_id(birth: dt.date, male: bool, seq: int) -> str:
    """A valid GB 11643 number (region, birth date, an order code whose parity is the sex)."""
    from stdnum.cn import ric

    body = f"430724{birth:%Y%m%d}{(seq * 2 + (1 if male else 0)) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _records(w) -> dict:
    sec_b = w.users["sec_b"]
    applicant = services.apply(
        actor=sec_b,
        org=w.branch_b,
        applied_on=_today() - dt.timedelta(days=5),
        person_data={
            "name": "陈申请",
            "gender": "female",
            "id_number": make_id(dt.date(1998, 4, 5), False, 77),
            "area": w.village_b,
        },
    )
    talked = services.apply(
        actor=sec_b,
        org=w.branch_b,
        applied_on=_today() - dt.timedelta(days=9),
        person_data={
            "name": "林谈话",
            "gender": "male",
            "id_number": make_id(dt.date(1997, 2, 3), True, 78),
            "area": w.village_b,
        },
    )
    step = services.record_step(
        actor=sec_b,
        applicant=talked,
        step=services.StepIn(code="s02_talk", on=_today() - dt.timedelta(days=2), people="支部书记"),
        uploads=[_jpeg()],
    )
    services.plan_set(actor=w.users["county"], org=w.town_b_org, year=_today().year, members=3, activists=5)
    return {"applicant_b": applicant, "talked_b": talked, "dev_photo_b": step.photos.get()}


def _state(w) -> dict:
    b = w.branch_b.path
    return {
        "applicants_b": list(Applicant.objects.filter(org__path__startswith=b).order_by("pk").values()),
        "steps_b": list(Step.objects.filter(applicant__org__path__startswith=b).order_by("pk").values()),
        "photos_b": list(StepPhoto.objects.filter(step__applicant__org__path__startswith=b).values()),
        "links_b": list(Link.objects.filter(applicant__org__path__startswith=b).values()),
        "plans_b": list(Plan.objects.filter(org__path__startswith=w.town_b_org.path).values()),
    }


CASES = kit.AuthzCases(
    records=_records,
    params={
        "applicant_id": lambda w, r: r["applicant_b"].pk,
        "step_photo_id": lambda w, r: r["dev_photo_b"].pk,
    },
    page_params={"code": lambda w, r: "s02_talk"},
    neutral_params={"code": lambda w, r: ["s02_talk"]},
    write_bodies={
        ("post", "/api/v1/development/{applicant_id}/steps/{code}"): lambda w, r: {
            "on": (_today() - dt.timedelta(days=1)).isoformat(),
            "people": "支部书记",
        },
    },
    page_writes={
        "development_apply": lambda w, r: {
            "org": w.branch_b.pk,
            "applied_on": (_today() - dt.timedelta(days=1)).isoformat(),
            "name": "越权申请",
            "gender": "male",
            "birth_date": "1999-01-01",
        },
        "development_plans": lambda w, r: {
            "org": w.town_b_org.pk,
            "year": _today().year,
            "members": 9,
            "activists": 9,
        },
    },
    state=_state,
    visible_to_b=frozenset({"development_board"}),
)
