"""The disclosure app's cases for the authorisation matrix: village B publishes an item through the
service; users of A may neither see it, nor withdraw it, nor publish for B."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.core import kit

from . import services
from .models import Item


def _records(w) -> dict:
    item = services.publish(
        actor=w.users["sec_b"],
        org=w.branch_b,
        affair="village",
        title="三社区第三季度居务公开",
        body="道路修缮、活动室改造。",
        published_on=timezone.localdate() - dt.timedelta(days=1),
    )
    return {"disclosure_b": item}


def _state(w) -> dict:
    return {
        "items_b": list(Item.objects.filter(org__path__startswith=w.branch_b.path).order_by("pk").values())
    }


CASES = kit.AuthzCases(
    records=_records,
    params={"disclosure_id": lambda w, r: r["disclosure_b"].pk},
    query_probes={"village": lambda w: w.village_b.pk},
    write_bodies={
        ("post", "/api/v1/disclosure"): lambda w, r: {
            "org": w.branch_b.pk,
            "affair": "finance",
            "title": "越权公开",
            "body": "不应保存。",
        },
    },
    page_writes={
        "disclosure_publish": lambda w, r: {
            "org": w.branch_b.pk,
            "affair": "finance",
            "title": "越权公开",
            "body": "不应保存。",
        },
    },
    state=_state,
    visible_to_b=frozenset({"disclosure_list"}),
)
