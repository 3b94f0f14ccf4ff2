"""The input boundary (core/boundary.py): each failure the outside review found, as a test, and
the positive round trips that refusing everything could not pass."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from jiceng.core import boundary
from jiceng.core.identifiers import normalise_phone, parse_id_number
from jiceng.core.models import AuditEntry
from jiceng.core.services import api_token_create
from jiceng.people.models import PartyMember, Person
from tests.world import make_id

FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def bearer(user):
    _t, plaintext = api_token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def _json(client, method, url, body, h):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **h)


def _member_body(world, **over):
    body = {
        "name": "赵六",
        "gender": "male",
        "id_number": make_id(dt.date(1980, 3, 4), True, seq=41),
        "org": world.branch_a.pk,
        "status": "full",
        "joined_on": "2005-07-01",
        "full_on": "2006-07-01",
    }
    return body | over


# --- identifiers ---------------------------------------------------------------------------------


def test_identifiers_are_normalised_and_only_ascii_digits_pass():
    number = make_id(dt.date(1985, 7, 1), True)
    info, msg = parse_id_number(number.translate(FULLWIDTH))
    assert msg is None and info.number == number
    info, msg = parse_id_number(number[:-1].lower() + number[-1].lower())
    assert msg is None
    # a superscript digit: NFKC makes it "2"; the checksum then decides, never a crash
    _info, msg = parse_id_number(number[:-2] + "²" + number[-1])
    assert msg is None or msg.startswith("身份证号")
    # Arabic-Indic digits: isdigit() says yes, the ASCII pattern says no
    arabic = number[:-1].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + number[-1]
    info, msg = parse_id_number(arabic)
    assert info is None and "0-9" in msg
    assert normalise_phone("１３８００００００００") == ("13800000000", None)
    _phone, msg = normalise_phone("١٣٨٠٠٠٠٠٠٠٠")
    assert msg and msg.startswith("联系电话")


def test_text_rules():
    assert boundary.text_problem("买买提·艾力", label="姓名", max_length=50, name=True) is None
    assert boundary.text_problem("𠀀𠀁", label="姓名", max_length=50, name=True) is None  # Extension B
    assert "控制字符" in boundary.text_problem("a\x01", label="姓名", max_length=50)
    assert "控制字符" in boundary.text_problem("a\nb", label="地点", max_length=50)
    assert boundary.text_problem("a\nb\tc", label="会议记录", max_length=50, multiline=True) is None
    assert "代理项" in boundary.text_problem("a\ud800", label="议题", max_length=50)
    assert "不可见" in boundary.text_problem("张\u200b三", label="姓名", max_length=50, name=True)
    assert "不可见" in boundary.text_problem("张\u202e三", label="姓名", max_length=50, name=True)
    assert boundary.text_problem("张\u200b三", label="会议记录", max_length=50, multiline=True) is None
    msg = boundary.text_problem("x" * 51, label="地点", max_length=50)
    assert "最多50个字符" in msg and "51" in msg


def test_date_bounds():
    assert boundary.date_problem(dt.date(1800, 1, 1), label="出生日期", kind="birth")
    assert boundary.date_problem(dt.date(1921, 6, 30), label="入党日期", kind="history")
    assert boundary.date_problem(dt.date(9999, 12, 31), label="任期开始", kind="near")
    assert boundary.date_problem(dt.date(1, 1, 1), label="月份", kind="near")
    assert boundary.date_problem(dt.date(2026, 1, 1), label="月份", kind="near") is None


# --- the API -------------------------------------------------------------------------------------


def test_superscript_digit_in_an_id_number_is_a_field_error_on_create_and_update(world, client):
    h = bearer(world.users["sec_a"])
    number = make_id(dt.date(1980, 3, 4), True, seq=41)
    bad = number[:5] + "²" + number[6:]
    r = _json(client, "post", "/api/v1/members", _member_body(world, id_number=bad), h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "id_number"
    r = _json(client, "patch", f"/api/v1/members/{world.member_a.pk}", {"id_number": bad}, h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "id_number"


@pytest.mark.parametrize("field", ["name", "mobility_note", "ethnicity", "phone"])
def test_a_lone_surrogate_is_refused_naming_the_field(world, client, field):
    h = bearer(world.users["sec_a"])
    before = PartyMember.objects.count()
    body = _member_body(world, **{field: "\ud800"})
    raw = json.dumps(body)  # ensure_ascii: "\ud800" travels as the six characters JSON allows
    assert "\\ud800" in raw
    r = client.post("/api/v1/members", raw, content_type="application/json", **h)
    assert r.status_code == 400, r.content
    assert r.json()["errors"][0]["field"] == field
    assert "代理项" in r.json()["errors"][0]["message"]
    assert PartyMember.objects.count() == before


def test_nul_and_control_characters_in_a_name_are_refused(world, client):
    h = bearer(world.users["sec_a"])
    for bad in ("张\x00三", "张\x07三", "张\u202e三"):
        r = _json(client, "post", "/api/v1/members", _member_body(world, name=bad), h)
        assert r.status_code == 400 and r.json()["errors"][0]["field"] == "name", bad


@pytest.mark.parametrize("url", ["/api/v1/members", "/api/v1/meetings", "/api/v1/grading/plans"])
def test_huge_offsets_are_a_field_error(world, client, url):
    h = bearer(world.users["county"])
    r = client.get(url, {"offset": 2**63}, **h)
    assert r.status_code == 400, (url, r.content)
    assert r.json()["errors"][0]["field"] == "offset"
    assert client.get(url, {"offset": 1_000_000_000}, **h).status_code == 200


def test_over_long_values_are_refused_never_cut(world, client):
    h = bearer(world.users["sec_a"])
    r = _json(
        client,
        "patch",
        f"/api/v1/members/{world.member_a.pk}",
        {"mobility": "outflow", "mobility_note": "a" * 1_000_000},
        h,
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "mobility_note"
    assert "200" in r.json()["errors"][0]["message"]
    world.member_a.refresh_from_db()
    assert world.member_a.mobility_note == ""


def test_a_body_beyond_the_upload_limit_is_a_json_refusal(world, client):
    h = bearer(world.users["sec_a"])
    r = _json(client, "patch", f"/api/v1/members/{world.member_a.pk}", {"mobility_note": "a" * 3_000_000}, h)
    assert r.status_code == 400 and "请求体过大" in r.json()["errors"][0]["message"]


def test_null_and_unknown_fields(world, client):
    h = bearer(world.users["sec_a"])
    url = f"/api/v1/members/{world.member_a.pk}"
    before = PartyMember.objects.get(pk=world.member_a.pk).person.ethnicity
    r = _json(client, "patch", url, {"ethnicity": None}, h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "ethnicity"
    assert "null" in r.json()["errors"][0]["message"]
    r = _json(client, "patch", url, {"nickname": "小张"}, h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "nickname"
    assert "未知字段" in r.json()["errors"][0]["message"]
    assert PartyMember.objects.get(pk=world.member_a.pk).person.ethnicity == before


def test_dates_out_of_bounds(world, client):
    h = bearer(world.users["sec_a"])
    r = _json(
        client, "post", "/api/v1/members", _member_body(world, id_number="", birth_date="1800-01-01"), h
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "birth_date"
    r = _json(client, "post", "/api/v1/members", _member_body(world, joined_on="1900-01-01"), h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "joined_on"
    for month in ("0001-01-01", "9999-12-01"):
        r = _json(client, "post", "/api/v1/topic-lists", {"org": world.branch_a.pk, "month": month}, h)
        assert r.status_code == 400 and r.json()["errors"][0]["field"] == "month", r.content


def test_reveal_of_an_unknown_field_is_not_found(world, client, login):
    login(world.users["county"])
    r = client.post(f"/members/{world.member_a.pk}/reveal/birthday/")
    assert r.status_code == 404


def test_full_width_copy_of_a_registered_number_is_the_same_number(world, client):
    h = bearer(world.users["sec_a"])
    number = make_id(dt.date(1980, 3, 4), True, seq=41)
    r = _json(
        client, "post", "/api/v1/members", _member_body(world, id_number=number.translate(FULLWIDTH)), h
    )
    assert r.status_code == 200, r.content
    person = Person.objects.get(pk=PartyMember.objects.get(pk=r.json()["id"]).person_id)
    assert person.id_number_masked == number[:6] + "********" + number[-4:]
    r = _json(client, "post", "/api/v1/members", _member_body(world, name="赵七", id_number=number), h)
    assert r.status_code == 400 and "已登记" in r.json()["errors"][0]["message"]
    # searched by its tail written full-width
    r = client.get("/api/v1/members", {"id_tail": number[-4:].translate(FULLWIDTH)}, **h)
    assert [i["name"] for i in r.json()["items"]] == ["赵六"]


def test_names_are_kept_exactly(world, client):
    h = bearer(world.users["sec_a"])
    for i, name in enumerate(("买买提·艾力", "𠀀𠮷")):
        body = _member_body(world, name=name, id_number=make_id(dt.date(1981, 1, 2), True, seq=60 + i))
        r = _json(client, "post", "/api/v1/members", body, h)
        assert r.status_code == 200, r.content
        assert r.json()["name"] == name
        r = client.get("/api/v1/members", {"q": name[:2]}, **h)
        assert name in [i["name"] for i in r.json()["items"]]


def test_refusals_write_no_audit_entry(world, client):
    h = bearer(world.users["sec_a"])
    before = AuditEntry.objects.count()
    _json(client, "post", "/api/v1/members", _member_body(world, name="x" * 51), h)
    assert AuditEntry.objects.count() == before


# --- forms ---------------------------------------------------------------------------------------


def test_forms_refuse_control_characters_and_out_of_range_dates(world, client, login):
    login(world.users["sec_a"])
    r = client.post(
        "/members/new/",
        {
            "name": "张\x01三",
            "gender": "male",
            "ethnicity": "汉族",
            "birth_date": "1800-01-01",
            "org": world.branch_a.pk,
            "status": "full",
            "joined_on": "2005-07-01",
            "full_on": "2006-07-01",
        },
    )
    assert r.status_code == 200
    form = r.context["form"]
    assert "控制字符" in " ".join(form.errors["name"])
    assert "1900" in " ".join(form.errors["birth_date"])
