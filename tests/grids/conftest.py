"""A small grid world on top of tests/world.py, made through the real services:

一村 (village A) ── 一村第1网格 (grid_a: party group group_a, worker grid_a, households h1 h2, unit u1,
                   member 李四 living there, resident 赵六 of h1)
                └─ 一村第2网格 (grid_a2: no party group, no worker, household h3)
                └─ household h_out registered at the village itself (in no grid), unit u_out
三社区 (village B) ── 三社区第1网格 (grid_b: household hb)
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from jiceng.core import services as core
from jiceng.core.models import Area
from jiceng.grids import services
from jiceng.grids.models import GridDuty, Unit
from jiceng.people import queries as people_queries
from jiceng.people import services as people
from tests.factories import MemberFactory

TODAY = dt.date.today()


def valid_uscc(body: str = "91500229MA5U1234X") -> str:
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


def gps_jpeg(name: str = "visit.jpg") -> SimpleUploadedFile:
    """A phone photo with the GPS position in its EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (31.0, 56.0, 12.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (108.0, 39.0, 47.25),
    }
    out = io.BytesIO()
    Image.new("RGB", (48, 32), (10, 200, 10)).save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@dataclass
class GridWorld:
    w: object
    grid_a: Area
    grid_a2: Area
    grid_b: Area
    h1: object
    h2: object
    h3: object
    h_out: object
    hb: object
    u1: Unit
    u_out: Unit
    resident: object  # 赵六, of h1, not a member
    worker_duty: GridDuty


@pytest.fixture
def gw(world) -> GridWorld:
    c = world.users["county"]
    grid_a2 = core.area_create(actor=c, parent=world.village_a, name="一村第2网格", kind="grid")
    grid_b = core.area_create(actor=c, parent=world.village_b, name="三社区第1网格", kind="grid")
    core.org_create(actor=c, parent=world.branch_b, name="三社区第1网格党小组", kind="group", area=grid_b)
    h1 = people.household_create(actor=c, area=world.grid_a, address="一村1组1号", head_name="赵大")
    h2 = people.household_create(actor=c, area=world.grid_a, address="一村1组2号", head_name="钱二")
    h3 = people.household_create(actor=c, area=grid_a2, address="一村2组1号", head_name="孙三")
    h_out = people.household_create(actor=c, area=world.village_a, address="一村3组9号", head_name="周七")
    hb = people.household_create(actor=c, area=grid_b, address="三社区1栋101室", head_name="吴八")
    resident = MemberFactory(actor=c, org=world.group_a, name="赵六", area=world.grid_a).person
    # 赵六 is a resident of h1 who is not a member: the member record made the person, then goes
    people_queries.persons().filter(pk=resident.pk).update(household=h1)
    people_queries.members().filter(person=resident).delete()
    resident.refresh_from_db()
    people_queries.persons().filter(pk=world.member_a_grid.person_id).update(area=world.grid_a, household=h2)
    u1 = services.unit_create(
        actor=c, area=world.grid_a, name="一村便民超市", kind="shop", address="一村1组5号"
    )
    u_out = services.unit_create(
        actor=c, area=world.village_a, name="一村茶业有限公司", kind="enterprise", uscc=valid_uscc()
    )
    duty = services.duty_assign(
        actor=c,
        grid=world.grid_a,
        duty="grid_worker",
        user=world.users["grid_a"],
        from_date=TODAY - dt.timedelta(days=100),
    )
    return GridWorld(world, world.grid_a, grid_a2, grid_b, h1, h2, h3, h_out, hb, u1, u_out, resident, duty)
