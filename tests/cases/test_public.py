"""The residents' pages (no account): submitting a request, following and rating it with the number
and the phone's last four digits, the public list — with no personal data on any page but what the
resident typed into the form they are filling in, throttled look-ups, photos stripped of their
location data, and refused input storing nothing."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from jiceng.cases import public, services
from jiceng.cases.models import Case, CasePhoto, Channel, State
from jiceng.core import photos
from jiceng.core.public import plain

NAME, PHONE = "赵六", "13912345678"
PHONE_LIKE = re.compile(r"1[3-9]\d{9}|1[3-9]\d\*{4}\d{4}")


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def gps_jpeg() -> bytes:
    img = Image.new("RGB", (64, 48), "green")
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (28.0, 12.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (112.0, 58.0, 1.0)
    exif[ExifTags.Base.Make] = "TestPhone"
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    data = buf.getvalue()
    assert dict(Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo))  # it carries GPS
    return data


def form_data(cw, **kw) -> dict:
    return {
        "township": cw.w.town_a.pk,
        "category": cw.category("road").pk,
        "description": "村口道路塌陷，车辆无法通行。",
        "area": cw.w.village_a.pk,
        "address": "村口桥头",
        "name": NAME,
        "phone": PHONE,
        "datum": "wgs84",
        **kw,
    }


def no_personal_data(text: str) -> None:
    assert NAME not in text and PHONE not in text and not PHONE_LIKE.search(text)


def test_a_resident_submits_a_request_and_gets_the_number(cw, client):
    page = client.get(reverse("public_case_new"), {"township": cw.w.town_a.pk})
    text = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "一村" in text and "csrfmiddlewaretoken" in text and 'id="photo-note"' in text
    assert "WGS-84 (GPS)" in text and "GCJ-02" in text
    assert cw.category("court_assist").name not in text  # a court's matter is never a resident's to file
    r = client.post(
        reverse("public_case_new"),
        form_data(
            cw,
            public="on",
            lat="28.2",
            lon="112.9",
            datum="gcj02",
            photos=[SimpleUploadedFile("p.jpg", gps_jpeg(), "image/jpeg")],
        ),
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    case = Case.objects.latest("pk")
    assert r["Location"] == f"{reverse('public_case_done')}?number={case.number}"
    assert case.channel == Channel.ONLINE and case.entered_by is None and case.public
    # a Chinese map's point is stored converted to WGS-84 (a few hundred metres off GCJ-02)
    assert 0.0005 < abs(float(case.lon) - 112.9) < 0.01 and 0.0005 < abs(float(case.lat) - 28.2) < 0.01
    done = client.get(r["Location"]).content.decode()
    assert f'id="tracking-number">{case.number}<' in done
    no_personal_data(done)
    # the photo is stored without any EXIF: no GPS position, no camera
    photo = CasePhoto.objects.get(case=case)
    assert photo.by_resident
    stored = photos.read(photo.name)
    assert b"Exif" not in stored and b"TestPhone" not in stored
    assert not dict(Image.open(io.BytesIO(stored)).getexif())


def test_refused_input_stores_nothing_and_says_why_in_chinese(cw, client, tmp_path):
    before = (Case.objects.count(), CasePhoto.objects.count())
    r = client.post(reverse("public_case_new"), form_data(cw, category=""))
    text = r.content.decode()
    assert r.status_code == 200 and "诉求类别：必选" in text
    r = client.post(
        reverse("public_case_new"),
        form_data(cw, photos=[SimpleUploadedFile("notes.txt", b"not a photo at all", "image/jpeg")]),
    )
    text = r.content.decode()
    assert r.status_code == 200 and "不是可识别的图片" in text and 'id="public-case-form"' in text
    big = b"\xff\xd8" + b"0" * (photos.MAX_BYTES + 10)
    r = client.post(
        reverse("public_case_new"), form_data(cw, photos=[SimpleUploadedFile("big.jpg", big, "image/jpeg")])
    )
    assert r.status_code == 200 and "超过 8 MB" in r.content.decode()
    seven = [SimpleUploadedFile(f"{i}.jpg", gps_jpeg(), "image/jpeg") for i in range(7)]
    r = client.post(reverse("public_case_new"), form_data(cw, photos=seven))
    assert r.status_code == 200 and "最多6张" in r.content.decode()
    r = client.post(reverse("public_case_new"), form_data(cw, phone="12", name=""))
    text = r.content.decode()
    assert "姓名：必填" in text and "联系电话" in text
    assert (Case.objects.count(), CasePhoto.objects.count()) == before
    media = tmp_path / "media" / "cases"
    assert not media.exists() or not any(media.iterdir())


def test_the_form_is_csrf_protected_and_never_cached(cw):
    strict = Client(enforce_csrf_checks=True)
    before = Case.objects.count()
    assert strict.post(reverse("public_case_new"), form_data(cw)).status_code == 403
    assert strict.post(reverse("public_case_track"), {"number": "X", "tail": "1"}).status_code == 403
    assert Case.objects.count() == before
    for name in ("public_case_new", "public_case_track"):
        r = strict.get(reverse(name))
        assert (
            r.status_code == 200 and "no-store" in r["Cache-Control"] and "public" not in r["Cache-Control"]
        )
    assert Client().put(reverse("public_case_new")).status_code == 405


def test_tracking_needs_the_right_pair_and_shows_no_personal_data(cw, client):
    case = cw.file("road")
    services.accept(actor=cw.w.users["sec_a"], case=case)
    wrong = (
        (case.number, "0000"),
        ("ZZZZZZZZZZ", "5678"),
        (case.number.lower()[:-1], "5678"),
        (case.number, "abcd"),
    )
    for number, tail in wrong:
        r = client.post(reverse("public_case_track"), {"number": number, "tail": tail})
        text = r.content.decode()
        assert r.status_code == 200 and "编号或手机号后四位不正确。" in text and 'id="tracked"' not in text, (
            number,
            tail,
        )
    r = client.post(reverse("public_case_track"), {"number": case.number.lower(), "tail": "5678"})
    text = r.content.decode()
    assert 'id="tracked"' in text and "一村" in text and cw.category("road").name in text
    assert "已受理" in text  # the public trail
    assert 'id="rate-form"' not in text  # not resolved yet: nothing to rate
    no_personal_data(text)
    # the tail is posted, never part of a URL
    assert client.get(reverse("public_case_track"), {"number": case.number}).status_code == 200
    assert (
        f'value="{case.number}"'
        in client.get(reverse("public_case_track"), {"number": case.number}).content.decode()
    )
    # a selector hands out plain values only
    assert plain(public.tracked(case.number, "5678")) is not None
    assert public.tracked(case.number, "1111") is None


def test_rating_through_the_page_and_its_refusals(cw, client):
    case = cw.file("road")
    sec = cw.w.users["sec_a"]
    services.accept(actor=sec, case=case)
    services.resolve(actor=sec, case=Case.objects.get(pk=case.pk), reply="已修复。")
    r = client.post(
        reverse("public_case_rate"),
        {"number": case.number, "tail": "0000", "rating": "satisfied", "resolved": "yes"},
    )
    assert "编号或手机号后四位不正确。" in r.content.decode()
    r = client.post(
        reverse("public_case_rate"), {"number": case.number, "tail": "5678", "rating": "", "resolved": "yes"}
    )
    text = r.content.decode()
    assert r.status_code == 200 and "评价：请选择" in text and 'id="rate-form"' in text
    assert Case.objects.get(pk=case.pk).state == State.RESOLVED
    r = client.post(
        reverse("public_case_rate"),
        {"number": case.number, "tail": "5678", "rating": "basic", "resolved": "no", "comment": "还有积水"},
    )
    assert r.status_code == 200 and 'id="notice"' in r.content.decode()
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.CLOSED and case.rating == "basic" and case.resolved_for_resident is False
    no_personal_data(r.content.decode())
    assert client.get(reverse("public_case_rate")).status_code == 302


def test_lookups_are_throttled_per_address_and_hour(cw, client):
    case = cw.file("road")
    limit = 20  # the pack's default (cases.lookups_per_hour), with several counties installed
    for _ in range(limit):
        assert (
            client.post(reverse("public_case_track"), {"number": case.number, "tail": "0000"}).status_code
            == 200
        )
    r = client.post(reverse("public_case_track"), {"number": case.number, "tail": "5678"})
    assert (
        r.status_code == 429
        and "查询过于频繁" in r.content.decode()
        and 'id="tracked"' not in r.content.decode()
    )
    r = client.post(
        reverse("public_case_rate"),
        {"number": case.number, "tail": "5678", "rating": "satisfied", "resolved": "yes"},
    )
    assert r.status_code == 429
    # another address is counted on its own
    other = Client(REMOTE_ADDR="10.0.0.9")
    r = other.post(reverse("public_case_track"), {"number": case.number, "tail": "5678"})
    assert r.status_code == 200 and 'id="tracked"' in r.content.decode()
    # the count is kept in the cache under a hash of the address, never the address or the digits
    keys = [k for k in cache._cache] if hasattr(cache, "_cache") else []
    assert keys and not any("127.0.0.1" in k or "5678" in k for k in keys)


def test_the_public_list_shows_listed_requests_only_and_no_personal_data(cw, client):
    w = cw.w
    listed = cw.file("road", public=True)
    unlisted = cw.file("water", public=False)
    dispute = cw.file("dispute_neighbour", public=True)  # never listed, whatever the resident ticked
    other_town = cw.file("road", area=w.village_b, public=True, name="孙七", phone="13800001111")
    sec = w.users["sec_a"]
    services.accept(actor=sec, case=listed)
    services.resolve(actor=sec, case=Case.objects.get(pk=listed.pk), reply="路面已修复。")
    r = client.get(reverse("public_cases"))
    text = r.content.decode()
    assert r.status_code == 200 and "public" in r["Cache-Control"]
    assert listed.number in text and "路面已修复。" in text and other_town.number in text
    assert unlisted.number not in text and dispute.number not in text
    no_personal_data(text)
    assert "孙七" not in text and "13800001111" not in text and "村口" not in text
    by_town = client.get(reverse("public_cases"), {"township": w.town_a.pk}).content.decode()
    assert listed.number in by_town and other_town.number not in by_town and 'id="id_village"' in by_town
    by_village = client.get(
        reverse("public_cases"), {"township": w.town_a.pk, "village": w.village_a2.pk}
    ).content.decode()
    assert listed.number not in by_village
    # nonsense in the query is ignored, never a 500
    assert (
        client.get(
            reverse("public_cases"), {"township": "x", "village": "99999999999999999999", "page": "-3"}
        ).status_code
        == 200
    )
    assert client.post(reverse("public_cases")).status_code == 405
    got = public.listing(township_id=w.town_a.pk)
    assert plain(got) is got and all(row.village for row in got.rows)


def test_the_done_page_shows_only_a_well_formed_number(client, db):
    assert client.get(reverse("public_case_done"), {"number": "<script>"}).status_code == 404
    assert client.get(reverse("public_case_done")).status_code == 404
