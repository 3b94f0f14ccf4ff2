"""Grid pages as their users open them: the list, one grid, the phone form of a visit posted with a
photo (multipart), the photo served scoped and stripped, units, duties, coverage, and the address
look-up (internal and public) with no personal data. List pages do not query per row."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from jiceng.core import services as core
from jiceng.grids import services
from jiceng.grids.models import GridDuty, Unit, Visit, VisitPhoto
from jiceng.people import queries as people_queries
from jiceng.people import services as people
from tests.grids.conftest import gps_jpeg, valid_uscc

TODAY = timezone.localdate()


def text(response) -> str:
    return response.content.decode()


def test_grid_list_for_the_village_and_for_its_grid_worker(gw, login):
    page = login(gw.w.users["sec_a"]).get(reverse("grid_list"))
    assert page.status_code == 200
    body = text(page)
    assert "一村第1网格" in body and "一村第2网格" in body and "三社区" not in body
    assert f'data-grid="{gw.grid_a2.pk}"' in body and 'data-flag="no-worker"' in body
    body = text(login(gw.w.users["grid_a"]).get(reverse("grid_list")))
    assert "一村第1网格" in body and "一村第2网格" not in body
    filtered = text(login(gw.w.users["sec_a"]).get(reverse("grid_list"), {"no_worker": "on"}))
    assert f'data-grid="{gw.grid_a2.pk}"' in filtered and f'data-grid="{gw.grid_a.pk}"' not in filtered


def test_grid_page_shows_households_units_duties_and_visits(gw, login):
    services.visit_record(
        actor=gw.w.users["grid_a"],
        grid=gw.grid_a,
        kind="visit",
        visited_on=TODAY - dt.timedelta(days=2),
        household=gw.h1,
        notes="走访",
    )
    client = login(gw.w.users["grid_a"])
    page = client.get(reverse("grid_detail", kwargs={"grid_id": gw.grid_a.pk}))
    assert page.status_code == 200
    body = text(page)
    for shown in (
        "一村1组1号",
        "一村1组2号",
        "一村便民超市",
        "一村网格员",
        "一村第1网格党小组",
        'id="grid-cases"',
    ):
        assert shown in body, shown
    assert 'data-count="households">2<' in body
    assert reverse("visit_create", kwargs={"grid_id": gw.grid_a.pk}) in body
    assert f"{(TODAY - dt.timedelta(days=2)):%Y-%m-%d}" in body  # the household's last visit
    searched = text(client.get(reverse("grid_detail", kwargs={"grid_id": gw.grid_a.pk}), {"q": "赵六"}))
    assert 'id="resident-rows"' in searched and "赵六" in searched
    assert "最多50个字" in text(
        client.get(reverse("grid_detail", kwargs={"grid_id": gw.grid_a.pk}), {"q": "长" * 51})
    )
    assert client.get(reverse("grid_detail", kwargs={"grid_id": gw.grid_a2.pk})).status_code == 404


def test_recording_a_visit_from_the_phone_with_a_photo(gw, login, settings):
    client = login(gw.w.users["grid_a"])
    url = reverse("visit_create", kwargs={"grid_id": gw.grid_a.pk})
    form = client.get(url, {"household": gw.h1.pk})
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in text(form)
    assert f'value="{gw.h1.pk}" selected' in text(form)
    before = Visit.objects.count()
    response = client.post(
        url,
        {
            "kind": "visit",
            "visited_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            "household": gw.h1.pk,
            "person": gw.resident.pk,
            "asked_needs": "想了解医保缴费",
            "sent_policy": "on",
            "photos": [gps_jpeg("a.jpg"), gps_jpeg("b.jpg")],
        },
    )
    assert response.status_code == 302, text(response)
    visit = Visit.objects.latest("pk")
    assert Visit.objects.count() == before + 1
    assert response["Location"] == reverse("visit_detail", kwargs={"visit_id": visit.pk})
    assert (visit.household, visit.person, visit.sent_policy, visit.sent_warmth) == (
        gw.h1,
        gw.resident,
        True,
        False,
    )
    photos = list(visit.photos.order_by("pk"))
    assert len(photos) == 2
    detail = text(client.get(response["Location"]))
    served = client.get(reverse("visit_photo", kwargs={"photo_id": photos[0].pk}))
    assert reverse("visit_photo", kwargs={"photo_id": photos[0].pk}) in detail
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, no-store" and served["X-Content-Type-Options"] == "nosniff"
    img = Image.open(io.BytesIO(served.content))
    assert dict(img.getexif()) == {} and not img.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    # another village's secretary: the photo is not there
    assert (
        login(gw.w.users["sec_b"]).get(reverse("visit_photo", kwargs={"photo_id": photos[0].pk})).status_code
        == 404
    )


def test_a_refused_visit_shows_the_errors_and_stores_nothing(gw, login, settings):
    client = login(gw.w.users["grid_a"])
    before = (Visit.objects.count(), VisitPhoto.objects.count())
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("visit_create", kwargs={"grid_id": gw.grid_a.pk}),
        {
            "kind": "visit",
            "visited_on": (TODAY + dt.timedelta(days=1)).isoformat(),
            "household": gw.h3.pk,
            "photos": [SimpleUploadedFile("x.jpg", b"text, not a photo", content_type="image/jpeg")],
        },
    )
    assert response.status_code == 200
    body = text(response)
    for field, message in (
        ("visited_on", "不能晚于今天"),
        ("household", "不是一村第1网格的户"),
        ("photos", "照片："),
        ("notes", "至少填写一项"),
    ):
        assert f'data-field="{field}">' in body and message in body, field
    assert (Visit.objects.count(), VisitPhoto.objects.count()) == before


def test_visit_list_filters(gw, login):
    for days, grid, household, kind in ((1, gw.grid_a, gw.h1, "visit"), (3, gw.grid_a2, gw.h3, "screen")):
        services.visit_record(
            actor=gw.w.users["sec_a"],
            grid=grid,
            kind=kind,
            visited_on=TODAY - dt.timedelta(days=days),
            household=household,
            notes="走访",
        )
    client = login(gw.w.users["sec_a"])
    body = text(client.get(reverse("visit_list")))
    assert "一村1组1号" in body and "一村2组1号" in body
    body = text(client.get(reverse("visit_list"), {"kind": "screen"}))
    assert "一村1组1号" not in body and "一村2组1号" in body
    body = text(client.get(reverse("visit_list"), {"grid": gw.grid_a.pk}))
    assert "一村1组1号" in body and "一村2组1号" not in body
    assert client.get(reverse("visit_list"), {"grid": gw.grid_b.pk}).status_code == 404


def test_units_pages(gw, login):
    client = login(gw.w.users["sec_a"])
    body = text(client.get(reverse("unit_list")))
    assert "一村便民超市" in body and "一村茶业有限公司" in body and valid_uscc() in body
    response = client.post(
        reverse("unit_create"),
        {"name": "一村理发店", "kind": "shop", "uscc": "91500229MA5U1234", "area": gw.grid_a.pk},
    )
    assert response.status_code == 200 and 'data-field="uscc">统一社会信用代码：应为18位' in text(response)
    response = client.post(
        reverse("unit_create"), {"name": "一村理发店", "kind": "shop", "area": gw.grid_a.pk}
    )
    assert response.status_code == 302 and Unit.objects.filter(name="一村理发店", area=gw.grid_a).exists()
    response = client.post(reverse("unit_create"), {"name": "越权", "kind": "shop", "area": gw.grid_b.pk})
    assert response.status_code == 200 and "管辖范围" in text(response)
    edit = reverse("unit_edit", kwargs={"unit_id": gw.u_out.pk})
    response = client.post(
        edit, {"name": "一村茶业有限公司", "kind": "enterprise", "uscc": valid_uscc(), "area": gw.grid_a2.pk}
    )
    assert response.status_code == 302
    gw.u_out.refresh_from_db()
    assert gw.u_out.area == gw.grid_a2
    assert login(gw.w.users["grid_a"]).get(edit).status_code == 404  # a grid worker keeps no units


def test_duty_pages(gw, login):
    client = login(gw.w.users["sec_a"])
    url = reverse("duty_create", kwargs={"grid_id": gw.grid_a2.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"duty": "grid_worker", "name": "二网格员", "from_date": TODAY.isoformat()})
    assert response.status_code == 302
    duty = GridDuty.objects.get(grid=gw.grid_a2, name="二网格员")
    end = reverse("duty_end", kwargs={"duty_id": duty.pk})
    response = client.post(end, {"to_date": (TODAY - dt.timedelta(days=400)).isoformat()})
    assert response.status_code == 200 and "不能早于起始日期" in text(response)
    assert client.post(end, {"to_date": TODAY.isoformat()}).status_code == 302
    duty.refresh_from_db()
    assert duty.to_date == TODAY


def test_coverage_page_and_putting_a_household_into_a_grid(gw, login):
    client = login(gw.w.users["sec_a"])
    body = text(client.get(reverse("grid_coverage")))
    assert 'data-count="grids.households_outside_grids">1<' in body
    assert 'data-count="grids.grids_without_worker">1<' in body
    move = reverse("household_move", kwargs={"household_id": gw.h_out.pk})
    assert move in body and "一村3组9号" in body
    assert client.get(move).status_code == 200
    response = client.post(move, {"grid": gw.grid_a2.pk})
    assert response.status_code == 302
    assert people_queries.households().get(pk=gw.h_out.pk).area_id == gw.grid_a2.pk
    body = text(client.get(reverse("grid_coverage")))
    assert 'data-count="grids.households_outside_grids">0<' in body
    assert client.post(move, {"grid": gw.grid_b.pk}).status_code == 404


def test_the_address_look_up_shows_places_not_people(gw, login, client):
    heads = ("赵大", "钱二", "孙三", "周七", "赵六", "李四")
    internal = login(gw.w.users["grid_a"])
    body = text(internal.get(reverse("grid_where"), {"q": "一村1组2号"}))
    assert "一村第1网格" in body and "甲镇" in body
    assert not [h for h in heads if h in body]
    too_long = text(internal.get(reverse("grid_where"), {"q": "长" * 51}))
    assert 'data-field="q" role="alert"' in too_long and "50" in too_long
    client.logout()
    for q, place in (("一村1组2号", "一村第1网格"), ("一村3组9号", "一村"), ("一村第2网格", "一村第2网格")):
        r = client.get(reverse("public_where"), {"q": q})
        assert r.status_code == 200 and r["Cache-Control"].startswith("public")
        body = text(r)
        assert place in body and not [h for h in heads if h in body], q
    r = client.get(reverse("public_where"), {"q": "长" * 60})
    assert r.status_code == 200 and "最多50个字" in text(r) and 'id="public-places"' not in text(r)
    assert client.post(reverse("public_where"), {"q": "一村"}).status_code == 405


def test_the_grid_workers_home_has_the_visit_work(gw, login):
    services.visit_record(
        actor=gw.w.users["grid_a"],
        grid=gw.grid_a,
        kind="visit",
        visited_on=TODAY,
        household=gw.h1,
        notes="走访",
    )
    body = text(login(gw.w.users["grid_a"]).get(reverse("home")))
    assert f'id="grid-visits-{gw.grid_a.pk}"' in body
    assert 'data-count="visits">1<' in body and 'data-count="not-visited">1<' in body
    assert f'data-household="{gw.h2.pk}"' in body and "home-record-visit" in body


# --- no query per row -------------------------------------------------------------------------------


def grow(gw, n: int) -> None:
    c = gw.w.users["county"]
    for i in range(n):
        grid = core.area_create(
            actor=c, parent=gw.w.village_a, name=f"一村加{gw.grid_a.pk}-{i}网格", kind="grid"
        )
        core.org_create(actor=c, parent=gw.w.branch_a, name=f"加{i}党小组", kind="group", area=grid)
        h = people.household_create(actor=c, area=grid, address=f"一村加{i}号", head_name="加户")
        u = services.unit_create(actor=c, area=grid, name=f"一村加{i}店", kind="shop")
        services.duty_assign(actor=c, grid=grid, duty="grid_worker", name=f"加{i}网格员", from_date=TODAY)
        for j in range(2):
            services.visit_record(
                actor=c,
                grid=grid,
                kind="visit",
                visited_on=TODAY - dt.timedelta(days=j),
                household=h,
                notes="走访",
                photos_in=[gps_jpeg()] if j == 0 else [],
            )
        services.visit_record(actor=c, grid=grid, kind="screen", visited_on=TODAY, unit=u, notes="排查")
        h2 = people.household_create(actor=c, area=gw.w.village_a, address=f"一村外{i}号", head_name="外户")
        assert h2


LIST_PAGES = ("grid_list", "visit_list", "unit_list", "grid_coverage", "grid_where")


@pytest.mark.parametrize("username", ["county", "sec_a"])
def test_list_pages_do_not_query_per_row(gw, login, username):
    client = login(gw.w.users[username])
    urls = [reverse(name) for name in LIST_PAGES]
    urls[-1] += "?q=一村"
    urls.append(reverse("grid_detail", kwargs={"grid_id": gw.grid_a.pk}))

    def measure() -> dict[str, int]:
        out = {}
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            out[url] = len(ctx.captured_queries)
        return out

    grow(gw, 2)
    before = measure()
    grow(gw, 3)
    after = measure()
    assert after == before, {u: (before[u], after[u]) for u in urls if after[u] != before[u]}
    assert max(after.values()) <= 45, after
