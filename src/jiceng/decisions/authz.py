"""The decisions app's cases for the authorisation matrix (core.kit.AuthzCases): community B gets
a party secretary seat, a registered-population figure, a representative, and a matter proposed
with a photographed minute, all through the services."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.core import kit

from . import services
from .models import Demand, Matter, Meeting, MeetingPhoto, PopulationFigure, Seat


def _jpeg() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 40, 200)).save(out, "JPEG")
    return SimpleUploadedFile("minutes.jpg", out.getvalue(), content_type="image/jpeg")


def _today() -> dt.date:
    return timezone.localdate()


def _records(w) -> dict:
    from jiceng.people import services as people_services

    c, sec_b = w.users["county"], w.users["sec_b"]
    d0 = _today() - dt.timedelta(days=20)
    people_services.cadre_post_create(
        actor=c, area=w.village_b, committee="party", post="secretary", person=w.member_b.person, term_from=d0
    )
    services.population_set(
        actor=c, village=w.village_b, adults=80, households=30, as_of=d0, source="户籍统计"
    )
    from stdnum.cn import ric

    body = "430724" + "19800303" + "556"
    rep = people_services.person_create(
        actor=c,
        name="代表乙",
        gender="female",
        id_number=body + ric.calc_check_digit(body + "0"),
        area=w.village_b,
    )
    seat = services.seat_add(
        actor=c, village=w.village_b, body="representative", person_id=rep.pk, since=d0, group_name="一组"
    )
    matter = services.matter_create(
        actor=sec_b,
        village=w.village_b,
        kind="public_works",
        title="社区道路修缮",
        procedure="decisions.community",
        amount_fen=100000,
        proposed_on=d0,
    )
    meeting = services.record_stage(
        actor=sec_b,
        matter=matter,
        stage=services.StageIn(
            action="propose",
            held_on=d0 + dt.timedelta(days=1),
            attendee_ids=[w.member_b.person_id],
            votes_for=1,
        ),
        uploads=[_jpeg()],
    )
    assert meeting is not None
    return {"matter_b": matter, "decision_photo_b": meeting.photos.get(), "seat_b": seat}


def _state(w) -> dict:
    v = w.village_b
    return {
        "matters_b": list(Matter.objects.filter(village=v).order_by("pk").values()),
        "meetings_b": list(Meeting.objects.filter(matter__village=v).order_by("pk").values()),
        "photos_b": list(MeetingPhoto.objects.filter(meeting__matter__village=v).values()),
        "seats_b": list(Seat.objects.filter(village=v).order_by("pk").values()),
        "figures_b": list(PopulationFigure.objects.filter(village=v).order_by("pk").values()),
        "demands_b": list(Demand.objects.filter(village=v).order_by("pk").values()),
    }


CASES = kit.AuthzCases(
    records=_records,
    params={
        "matter_id": lambda w, r: r["matter_b"].pk,
        "meeting_photo_id": lambda w, r: r["decision_photo_b"].pk,
    },
    page_params={"stage_action": lambda w, r: "discuss"},
    neutral_params={"stage_action": lambda w, r: ["discuss"]},
    query_probes={"village": lambda w: w.village_b.pk},
    write_bodies={
        ("post", "/api/v1/decisions/{matter_id}/stages/{stage_action}"): lambda w, r: {
            "held_on": (_today() - dt.timedelta(days=1)).isoformat(),
            "attendee_ids": [w.member_b.person_id],
            "votes_for": 1,
        },
        ("post", "/api/v1/decisions"): lambda w, r: {
            "village": w.village_b.pk,
            "kind": "public_works",
            "procedure": "decisions.community",
            "title": "越权登记",
        },
    },
    page_writes={
        "decisions_new": lambda w, r: {
            "village": w.village_b.pk,
            "kind": "public_works",
            "procedure": "decisions.community",
            "title": "越权登记",
            "proposed_on": (_today() - dt.timedelta(days=1)).isoformat(),
        },
    },
    state=_state,
    visible_to_b=frozenset({"decisions_list"}),
)
