"""The contacts app's cases for the authorisation matrix: village B's member contacts a household
of B (in a grid of B), with one visit, all through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.core import kit
from jiceng.core import services as core
from jiceng.people import services as people

from . import services
from .models import ContactDuty


def _records(w) -> dict:
    county, sec_b = w.users["county"], w.users["sec_b"]
    grid = core.area_create(actor=county, parent=w.village_b, name="三社区联系网格", kind="grid")
    household = people.household_create(actor=county, area=grid, address="三社区5栋501室", head_name="孙户主")
    duty = services.assign(
        actor=sec_b,
        org=w.branch_b,
        person_id=w.member_b.person_id,
        role="member",
        since=timezone.localdate() - dt.timedelta(days=20),
        household_id=household.pk,
    )
    services.record_visit(
        actor=sec_b,
        duty=duty,
        kind="visit",
        visited_on=timezone.localdate() - dt.timedelta(days=2),
        notes="联系走访",
    )
    return {"contact_duty_b": duty, "contact_household_b": household}


def _state(w) -> dict:
    return {
        "duties_b": list(
            ContactDuty.objects.filter(org__path__startswith=w.branch_b.path).order_by("pk").values()
        ),
    }


CASES = kit.AuthzCases(
    records=_records,
    params={"contact_id": lambda w, r: r["contact_duty_b"].pk},
    page_writes={
        "contacts_assign": lambda w, r: {
            "person": w.member_b.person_id,
            "role": "member",
            "household": r["contact_household_b"].pk,
            "since": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        },
    },
    state=_state,
    visible_to_b=frozenset({"contacts_list"}),
)
