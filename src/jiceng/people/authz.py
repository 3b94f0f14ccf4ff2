"""The people app's cases for the authorisation matrix (core.kit.AuthzCases)."""

from __future__ import annotations

import datetime as dt

from jiceng.core import crypto, kit

from . import services
from .models import CadrePost, PartyMember, Person


def _records(w) -> dict:
    county = w.users["county"]
    post = services.cadre_post_create(
        actor=county,
        area=w.village_b,
        committee="residents",
        post="member",
        person=w.member_b.person,
        term_from=dt.date(2021, 6, 1),
    )
    return {"post": post}


def _today() -> str:
    return dt.date.today().isoformat()


def _roster_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "越权.csv",
        "姓名,性别,党员类别,入党日期\n越权,男,正式党员,2020-07-01\n".encode(),
        content_type="text/csv",
    )


CASES = kit.AuthzCases(
    records=_records,
    params={"member_id": lambda w, r: w.member_b.pk, "post_id": lambda w, r: r["post"].pk},
    page_params={"field": lambda w, r: "id_number"},
    query_probes={
        "member": lambda w: w.member_b.pk,
        "q": lambda w: "王",  # partial ("王" of "王五"): a search box that echoes it is not a leak
        "id_tail": lambda w: crypto.decrypt(w.member_b.person.id_number_ciphertext, field="id_number")[-4:],
    },
    write_bodies={
        ("patch", "/api/v1/members/{member_id}"): lambda w, r: {"mobility_note": "越权修改", "name": "篡改"},
        ("post", "/api/v1/posts/{post_id}/end"): lambda w, r: {"term_to": _today()},
        ("post", "/api/v1/villages/{area_id}/posts"): lambda w, r: {
            "committee": "residents",
            "post": "vice_chair",
            "person": w.member_b.person_id,
            "term_from": "2022-01-01",
        },
        ("post", "/api/v1/members"): lambda w, r: {
            "name": "越权",
            "gender": "male",
            "org": w.branch_b.pk,
            "status": "full",
            "joined_on": "2001-07-01",
            "full_on": "2002-07-01",
        },
    },
    page_writes={
        "member_create": lambda w, r: {
            "org": w.branch_b.pk,
            "name": "越权",
            "gender": "male",
            "ethnicity": "汉族",
            "education": "high_school",
            "status": "full",
            "joined_on": "2020-07-01",
            "full_on": "2021-07-01",
            "mobility": "none",
        },
        "member_import": lambda w, r: {
            "org": w.branch_b.pk,
            "file": _roster_file(),
        },
    },
    state=lambda w: {
        "person_b": Person.objects.filter(pk=w.member_b.person_id).values().get(),
        "member_b": PartyMember.objects.filter(pk=w.member_b.pk).values().get(),
        "people": Person.objects.count(),
        "posts_b": list(CadrePost.objects.filter(area=w.village_b).order_by("pk").values()),
    },
    # member_lookup: a searchable select's options; the seat form's (village_person_lookup) is an
    # object page, B's village: 404 to A, 200 to B
    visible_to_b=frozenset({"member_list", "village_list", "member_lookup"}),
)
