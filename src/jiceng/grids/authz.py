"""The grids app's cases for the authorisation matrix (core.kit.AuthzCases): village B gets a grid
with its party group, a household in it and one outside any grid, a unit, a grid-worker duty and a
visit with a photo, all made through the services."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.core import kit
from jiceng.core import services as core
from jiceng.people import services as people

from . import services
from .models import GridDuty, Unit, Visit, VisitPhoto


def jpeg(name: str = "visit.jpg", size: tuple[int, int] = (32, 24)) -> SimpleUploadedFile:
    """A small real JPEG photo."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def valid_uscc(body: str) -> str:
    """``body`` (17 characters) with its GB 32100 check character."""
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


def _records(w) -> dict:
    county, sec_b = w.users["county"], w.users["sec_b"]
    grid = core.area_create(actor=county, parent=w.village_b, name="三社区第1网格", kind="grid")
    core.org_create(actor=county, parent=w.branch_b, name="三社区第1网格党小组", kind="group", area=grid)
    household = people.household_create(actor=county, area=grid, address="三社区1栋101室", head_name="王五")
    outside = people.household_create(
        actor=county, area=w.village_b, address="三社区2栋202室", head_name="王五"
    )
    unit = services.unit_create(
        actor=county, area=grid, name="三社区便民超市", kind="shop", uscc=valid_uscc("91500229MA5U1234X")
    )
    duty = services.duty_assign(
        actor=county,
        grid=grid,
        duty="grid_worker",
        person=w.member_b.person,
        from_date=timezone.localdate() - dt.timedelta(days=30),
    )
    visit = services.visit_record(
        actor=sec_b,
        grid=grid,
        kind="visit",
        visited_on=timezone.localdate() - dt.timedelta(days=1),
        household=household,
        asked_needs="三社区居民需要修路",
        photos_in=[jpeg()],
    )
    return {
        "grid_b": grid,
        "household_b": outside,
        "unit_b": unit,
        "duty_b": duty,
        "visit_b": visit,
        "photo_b": visit.photos.get(),
    }


def _state(w) -> dict:
    from jiceng.people import queries as people_queries

    town_b = w.town_b.path
    return {
        "units": Unit.objects.count(),
        "units_b": list(Unit.objects.filter(area__path__startswith=town_b).order_by("pk").values()),
        "duties_b": list(GridDuty.objects.filter(grid__path__startswith=town_b).order_by("pk").values()),
        "visits": Visit.objects.count(),
        "visits_b": list(Visit.objects.filter(grid__path__startswith=town_b).order_by("pk").values()),
        "photos_b": list(
            VisitPhoto.objects.filter(visit__grid__path__startswith=town_b).order_by("pk").values()
        ),
        "households_b": list(
            people_queries.households()
            .filter(area__path__startswith=town_b)
            .order_by("pk")
            .values_list("pk", "area_id")
        ),
    }


CASES = kit.AuthzCases(
    records=_records,
    params={
        "grid_id": lambda w, r: r["grid_b"].pk,
        "household_id": lambda w, r: r["household_b"].pk,
        "unit_id": lambda w, r: r["unit_b"].pk,
        "duty_id": lambda w, r: r["duty_b"].pk,
        "visit_id": lambda w, r: r["visit_b"].pk,
        "photo_id": lambda w, r: r["photo_b"].pk,
    },
    page_writes={
        "unit_create": lambda w, r: {"area": r["grid_b"].pk, "name": "越权单位", "kind": "shop"},
    },
    state=_state,
    visible_to_b=frozenset({"grid_list", "visit_list", "unit_list", "grid_coverage"}),
)
