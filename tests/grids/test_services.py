"""Grid writes: every refusal names its field in Chinese and stores nothing (no row, no audit entry,
no file); what is accepted is audited under the grid's organisation."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.grids import services
from jiceng.grids.models import GridDuty, Unit, Visit, VisitPhoto
from jiceng.people import queries as people_queries
from tests.factories import MemberFactory
from tests.grids.conftest import gps_jpeg, valid_uscc

TODAY = timezone.localdate()


def snapshot():
    return (
        Unit.objects.count(),
        GridDuty.objects.count(),
        Visit.objects.count(),
        VisitPhoto.objects.count(),
        AuditEntry.objects.count(),
        sorted(people_queries.households().values_list("pk", "area_id")),
        sorted(Unit.objects.values_list("pk", "area_id", "name", "uscc")),
    )


def refused(fn, field: str, text: str, **kw) -> str:
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        fn(**kw)
    assert field in exc.value.errors, exc.value.errors
    message = " ".join(exc.value.errors[field])
    assert text in message, message
    assert snapshot() == before
    return message


# --- units and the 统一社会信用代码 -----------------------------------------------------------------


def test_uscc_is_normalised_and_stored_compact(gw):
    code = valid_uscc("91500229MA5U4321Y")
    typed = " ９" + code[1:9] + " " + code[9:].lower() + " "  # a full-width digit, spaces, lower case
    unit = services.unit_create(
        actor=gw.w.users["sec_a"], area=gw.grid_a, name="一村农资店", kind="shop", uscc=typed
    )
    assert unit.uscc == code
    entry = AuditEntry.objects.get(target_type="grids.unit", target_id=str(unit.pk))
    assert entry.changes["uscc"] == [None, code] and entry.org_path == gw.w.group_a.path


@pytest.mark.parametrize(
    "uscc,text",
    [
        (valid_uscc()[:-1] + ("0" if valid_uscc()[-1] != "0" else "1"), "校验码"),
        ("91500229MA5U1234", "应为18位"),
        ("9150022IMA5U1234XX", "不允许的字符"),
        ("ABCDEFGH123456789X", "不允许的字符"),
    ],
)
def test_an_invalid_uscc_is_refused_naming_the_field(gw, uscc, text):
    message = refused(
        services.unit_create,
        "uscc",
        text,
        actor=gw.w.users["sec_a"],
        area=gw.grid_a,
        name="一村五金店",
        kind="shop",
        uscc=uscc,
    )
    assert message.startswith("统一社会信用代码：")


def test_a_uscc_already_registered_is_refused(gw):
    refused(
        services.unit_create,
        "uscc",
        "已登记为“一村茶业有限公司”",
        actor=gw.w.users["sec_a"],
        area=gw.grid_a,
        name="另一家",
        kind="enterprise",
        uscc=valid_uscc(),
    )


def test_every_unit_error_at_once_and_a_place_out_of_scope(gw):
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        services.unit_create(actor=gw.w.users["sec_a"], area=gw.grid_b, name=" ", kind="bank", uscc="123")
    assert set(exc.value.errors) == {"area", "name", "kind", "uscc"}
    assert "不在您的管辖范围内" in exc.value.errors["area"][0]
    assert snapshot() == before


def test_unit_update_is_audited_and_out_of_scope_is_not_found(gw):
    sec_a = gw.w.users["sec_a"]
    services.unit_update(
        actor=sec_a, unit=gw.u1, area=gw.grid_a2, name="一村便民超市", kind="shop", address="一村2组3号"
    )
    gw.u1.refresh_from_db()
    assert gw.u1.area == gw.grid_a2 and gw.u1.address == "一村2组3号"
    entry = AuditEntry.objects.filter(
        target_type="grids.unit", target_id=str(gw.u1.pk), action="update"
    ).first()
    assert entry.changes["grid"] == ["一村第1网格", "一村第2网格"]
    with pytest.raises(NotFound):
        services.unit_update(actor=gw.w.users["sec_b"], unit=gw.u1, area=gw.grid_b, name="x", kind="shop")
    with pytest.raises(DomainError):  # nothing changed
        services.unit_update(
            actor=sec_a, unit=gw.u1, area=gw.grid_a2, name="一村便民超市", kind="shop", address="一村2组3号"
        )


def test_putting_a_unit_and_a_household_into_a_grid(gw):
    sec_a = gw.w.users["sec_a"]
    services.unit_move(actor=sec_a, unit=gw.u_out, grid=gw.grid_a)
    services.household_move(actor=sec_a, household=gw.h_out, grid=gw.grid_a2)
    gw.u_out.refresh_from_db()
    assert gw.u_out.area == gw.grid_a
    assert people_queries.households().get(pk=gw.h_out.pk).area_id == gw.grid_a2.pk
    moves = AuditEntry.objects.filter(action="grid_move")
    assert {e.target_type for e in moves} == {"grids.unit", "people.household"}
    assert all(e.changes["grid"][1] in ("一村第1网格", "一村第2网格") for e in moves)


def test_a_household_goes_only_into_a_grid_of_its_own_village(gw):
    county = gw.w.users["county"]
    refused(
        services.household_move, "grid", "须是一村的网格", actor=county, household=gw.h_out, grid=gw.grid_b
    )
    refused(
        services.household_move,
        "grid",
        "请选择一个网格",
        actor=county,
        household=gw.h_out,
        grid=gw.w.village_a,
    )
    refused(services.household_move, "grid", "已在", actor=county, household=gw.h1, grid=gw.grid_a)
    with pytest.raises(NotFound):  # a household out of the actor's scope
        services.household_move(actor=gw.w.users["sec_b"], household=gw.h_out, grid=gw.grid_b)
    # the grid worker sees households but keeps no grid's registry
    with pytest.raises(NotFound):
        services.household_move(actor=gw.w.users["grid_a"], household=gw.h1, grid=gw.grid_a2)


# --- duties ----------------------------------------------------------------------------------------


def test_duty_assign_and_end(gw):
    sec_a = gw.w.users["sec_a"]
    duty = services.duty_assign(
        actor=sec_a,
        grid=gw.grid_a2,
        duty="link_leader",
        name="镇联村领导",
        from_date=TODAY - dt.timedelta(days=3),
    )
    assert duty.name == "镇联村领导"
    refused(
        services.duty_assign,
        "__all__",
        "已是一村第2网格的联村领导",
        actor=sec_a,
        grid=gw.grid_a2,
        duty="link_leader",
        name="镇联村领导",
        from_date=TODAY,
    )
    refused(
        services.duty_end,
        "to_date",
        "不能早于起始日期",
        actor=sec_a,
        duty=duty,
        to_date=TODAY - dt.timedelta(days=10),
    )
    services.duty_end(actor=sec_a, duty=duty, to_date=TODAY)
    duty.refresh_from_db()
    assert duty.to_date == TODAY
    assert AuditEntry.objects.filter(action="duty_end", target_id=str(duty.pk)).exists()


def test_duty_rules(gw):
    sec_a = gw.w.users["sec_a"]
    refused(
        services.duty_assign, "name", "必填", actor=sec_a, grid=gw.grid_a2, duty="work_team", from_date=TODAY
    )
    refused(
        services.duty_assign,
        "person",
        "不是党员",
        actor=sec_a,
        grid=gw.grid_a2,
        duty="member",
        person=gw.resident,
        from_date=TODAY,
    )
    refused(
        services.duty_assign,
        "person",
        "不在您的管辖范围内",
        actor=sec_a,
        grid=gw.grid_a2,
        duty="helper_cadre",
        person=gw.w.member_b.person,
        from_date=TODAY,
    )
    refused(
        services.duty_assign,
        "to_date",
        "不能早于起始日期",
        actor=sec_a,
        grid=gw.grid_a2,
        duty="helper_cadre",
        name="帮扶干部甲",
        from_date=TODAY,
        to_date=TODAY - dt.timedelta(days=1),
    )
    member = services.duty_assign(
        actor=sec_a, grid=gw.grid_a, duty="member", person=gw.w.member_a_grid.person, from_date=TODAY
    )
    assert member.name == "李四" and member.person_id == gw.w.member_a_grid.person_id
    with pytest.raises(NotFound):
        services.duty_assign(actor=sec_a, grid=gw.grid_b, duty="link_leader", name="x", from_date=TODAY)


# --- visits ----------------------------------------------------------------------------------------


def visit(gw, actor=None, **kw):
    args = {
        "actor": actor or gw.w.users["grid_a"],
        "grid": gw.grid_a,
        "kind": "visit",
        "visited_on": TODAY - dt.timedelta(days=1),
        "household": gw.h1.pk,
        "asked_needs": "想了解医保缴费",
    }
    args.update(kw)
    return services.visit_record(**args)


def media(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_visit_with_a_photo_is_stored_stripped_and_audited(gw, settings):
    v = visit(gw, person=gw.resident.pk, sent_policy=True, photos_in=[gps_jpeg()])
    assert (v.household, v.person, v.visitor) == (gw.h1, gw.resident, gw.w.users["grid_a"])
    (photo,) = v.photos.all()
    data = (Path(settings.MEDIA_ROOT) / photo.name).read_bytes()
    stored = Image.open(io.BytesIO(data))
    assert dict(stored.getexif()) == {} and not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"PhoneCo" not in data and b"Exif" not in data
    assert (photo.width, photo.height, photo.content_type) == (48, 32, "image/jpeg")
    entry = AuditEntry.objects.get(target_type="grids.visit", target_id=str(v.pk))
    assert entry.org_path == gw.w.group_a.path
    assert entry.changes["three_asks"] == [None, "需求"] and entry.changes["three_sends"] == [None, "政策"]
    assert entry.changes["photos"] == [None, 1] and entry.changes["person_visited"] == [None, "赵六"]


@pytest.mark.parametrize(
    "kw,field,text",
    [
        ({"visited_on": TODAY + dt.timedelta(days=1)}, "visited_on", "不能晚于今天"),
        ({"visited_on": TODAY - dt.timedelta(days=400)}, "visited_on", "一年内"),
        ({"visited_on": None}, "visited_on", "必填"),
        ({"kind": "chat"}, "kind", "走访方式"),
        ({"household": "h3"}, "household", "不是一村第1网格的户"),
        ({"unit": "u1"}, "unit", "不能同时选"),
        ({"person": "member_b"}, "person", "不是一村第1网格的居民"),
        ({"person": "member_a_grid"}, "person", "不是该户的成员"),
        ({"asked_needs": ""}, "notes", "至少填写一项"),
        ({"asked_needs": "长" * 501}, "asked_needs", "最多500个字符"),
        ({"notes": "甲\x00乙"}, "notes", "控制字符"),
    ],
)
def test_a_bad_visit_stores_nothing(gw, settings, kw, field, text):
    ids = {
        "h3": gw.h3.pk,
        "u1": gw.u1.pk,
        "member_b": gw.w.member_b.person_id,
        "member_a_grid": gw.w.member_a_grid.person_id,
    }
    kw = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in kw.items()}
    refused(lambda **a: visit(gw, photos_in=[gps_jpeg()], **a), field, text, **kw)
    assert media(settings) == []


def test_photos_are_checked_and_counted(gw, settings):
    text = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    message = refused(lambda **a: visit(gw, **a), "photos", "不是可识别的图片", photos_in=[gps_jpeg(), text])
    assert message.startswith("照片：")
    refused(
        lambda **a: visit(gw, **a),
        "photos",
        "最多上传 6 张",
        photos_in=[gps_jpeg(f"{i}.jpg") for i in range(7)],
    )
    assert media(settings) == []


def test_a_unit_visit_and_a_reception_without_household(gw):
    v = visit(gw, household=None, unit=gw.u1.pk, kind="screen", asked_needs="", notes="消防通道畅通")
    assert v.unit == gw.u1 and v.household is None
    r = visit(gw, household=None, kind="receive", asked_needs="", asked_suggestions="增设路灯")
    assert r.kind == "receive"


def test_a_grid_worker_records_only_in_their_grid(gw):
    with pytest.raises(NotFound):
        visit(gw, grid=gw.grid_a2, household=gw.h3.pk)
    with pytest.raises(NotFound):  # a secretary of B neither
        visit(gw, actor=gw.w.users["sec_b"])
    with pytest.raises(NotFound):  # and a grid is a grid
        visit(gw, actor=gw.w.users["sec_a"], grid=gw.w.village_a, household=None)
    # the village's secretary records in every grid of the village
    assert visit(gw, actor=gw.w.users["sec_a"], grid=gw.grid_a2, household=gw.h3.pk).grid == gw.grid_a2


def test_a_failed_write_removes_the_photo_already_saved(gw, settings, monkeypatch):
    """The files are written before the rows: if the transaction fails they go too."""

    def boom(*a, **k):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services.audit, "record", boom)
    before = Visit.objects.count()
    with pytest.raises(RuntimeError):
        visit(gw, photos_in=[gps_jpeg()])
    assert media(settings) == [] and Visit.objects.count() == before


def test_moving_a_household_moves_the_residents_recorded_where_it_was(gw):
    """赵六 lives at h1's grid and moves with it; a person of h1 recorded elsewhere keeps their own."""
    elsewhere = MemberFactory(
        actor=gw.w.users["county"], org=gw.w.group_a, name="钱九", area=gw.w.village_b
    ).person
    people_queries.persons().filter(pk=elsewhere.pk).update(household=gw.h1)
    services.household_move(actor=gw.w.users["sec_a"], household=gw.h1, grid=gw.grid_a2)
    assert people_queries.persons().get(pk=gw.resident.pk).area_id == gw.grid_a2.pk
    assert people_queries.persons().get(pk=elsewhere.pk).area_id == gw.w.village_b.pk
    entry = AuditEntry.objects.filter(action="grid_move").latest("pk")
    assert entry.changes["residents_moved"] == [None, 1]
