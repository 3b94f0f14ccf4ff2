"""Open311 GeoReport v2 (/open311/v2/, docs/open311.md): every resource in JSON and XML, the
spec's filters and errors, a client system's POST through to the village handler's queue and back,
and no personal data in anything it serves."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from jiceng.cases import open311_selectors as sel
from jiceng.cases import selectors, services, setup
from jiceng.cases.catalogue_errands import ERRANDS
from jiceng.cases.models import Case, PendingToken
from jiceng.core import crypto
from jiceng.core.models import Area
from tests.factories import AreaFactory

BASE = "/open311/v2/"


def jid(area) -> str:
    return sel.jurisdiction_id(area)


def file(cw, code="road", *, when=None, public=True, area=None, **kw) -> Case:
    data = services.CaseIn(
        category_id=cw.category(code).pk,
        description=kw.pop("description", "村口路灯不亮，晚上看不清路。"),
        area_id=(area or cw.w.village_a).pk,
        name=kw.pop("name", "赵六"),
        phone=kw.pop("phone", "13912345678"),
        public=public,
        **kw,
    )
    return services.submit(actor=None, data=data, when=when)


def get(client, path, **params):
    return client.get(BASE + path, params)


def as_json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8", response["Content-Type"]
    return json.loads(response.content.decode("utf-8"))


def as_xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8", response["Content-Type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def ids_of(response) -> set[int]:
    return {int(r["service_request_id"]) for r in as_json(response)}


def error_list(response, status: int) -> list[str]:
    """The spec's error list, in whichever format answered, checked for shape: its descriptions."""
    assert response.status_code == status, (response.status_code, response.content.decode())
    if response["Content-Type"].startswith("application/json"):
        body = as_json(response)
        assert isinstance(body, list) and body
        assert all(set(e) == {"code", "description"} and e["code"] == status for e in body), body
        return [e["description"] for e in body]
    root = as_xml(response)
    assert root.tag == "errors" and [c.tag for c in root] == ["error"] * len(root) and len(root)
    assert all(e.findtext("code") == str(status) for e in root)
    return [e.findtext("description") for e in root]


@pytest.fixture
def key(cw):
    _client, key = setup.issue_client(actor=cw.w.users["county"], county=cw.w.county, name="12345热线")
    return key


def post(client, fmt="json", **data):
    return client.post(BASE + f"requests.{fmt}", data)


def road_post(cw, key, **extra):
    data = {
        "api_key": key,
        "jurisdiction_id": jid(cw.w.county),
        "service_code": "road",
        "attribute[village]": str(cw.w.village_a.pk),
        "attribute[severity]": "normal",
        "first_name": "六",
        "last_name": "赵",
        "phone": "13812345678",
        "email": "zhao@example.com",
        "description": "村口道路塌陷，车辆无法通行。",
        "address_string": "幸福路12号",
        "lat": "30.123456",
        "long": "120.987654",
        "media_url": "http://example.com/photo.jpg",
        "device_id": "dev-1",
        "account_id": "acc-1",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


# --- discovery, services, definition ------------------------------------------------------------------


def test_discovery_in_json_and_xml(db, client):
    doc = as_json(get(client, "discovery.json"))
    assert set(doc) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = doc["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2" and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert dt.datetime.fromisoformat(doc["changeset"]).tzinfo is not None
    root = as_xml(get(client, "discovery.xml"))
    assert root.tag == "discovery" and root.findtext("key_service") == doc["key_service"]
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/url") == endpoint["url"]
    assert as_xml(client.get(BASE)).tag == "discovery"  # at the root too, as the spec suggests


def test_services_list_the_public_categories_and_never_a_private_kind(cw, client):
    w = cw.w
    c = w.users["county"]
    setup.save_category(actor=c, county=w.county, code="noise", data={"public": False})  # hidden here
    setup.save_category(
        actor=c,
        county=w.county,
        code="pond",
        data={
            "name": "池塘清淤",
            "kind": "service",
            "group": "人居环境",
            "public": True,
            "respond_hours": 24,
            "promise_workdays": 5,
            "routing": {"minor": 1, "normal": 1, "serious": 2, "major": 2},
        },
    )
    # a county cannot make a dispute public (the setup refuses silently, the list refuses again)
    setup.save_category(actor=c, county=w.county, code="dispute_neighbour", data={"public": True})
    other = AreaFactory(parent=None, name="B县", kind="county")
    services_json = as_json(get(client, "services.json", jurisdiction_id=jid(w.county)))
    codes = [s["service_code"] for s in services_json]
    assert {"road", "street_light", "water", "pond", "suggestion"} <= set(codes)
    for absent in (
        "noise",
        "hardship",
        "elderly_care",
        "dispute_neighbour",
        "dispute_family",
        "wage_arrears",
        "court_assist",
    ):
        assert absent not in codes
    assert not {e["code"] for e in ERRANDS} & set(codes)  # errands are not public by default
    road = next(s for s in services_json if s["service_code"] == "road")
    assert road == {
        "service_code": "road",
        "service_name": "道路桥梁破损",
        "description": "村组道路、桥梁、涵洞破损或积水",
        "metadata": True,
        "type": "realtime",
        "keywords": "基础设施,服务诉求",
        "group": "基础设施",
    }
    root = as_xml(get(client, "services.xml", jurisdiction_id=jid(w.county)))
    assert root.tag == "services" and {e.tag for e in root} == {"service"}
    assert [e.findtext("service_code") for e in root] == codes
    assert root.find("service").findtext("metadata") == "true"
    # another county sees the defaults, not this county's own row
    other_codes = {
        s["service_code"] for s in as_json(get(client, "services.json", jurisdiction_id=jid(other)))
    }
    assert "pond" not in other_codes and "noise" in other_codes


def test_service_definition_asks_for_the_village(cw, client):
    w = cw.w
    doc = as_json(get(client, "services/road.json", jurisdiction_id=jid(w.county)))
    assert doc["service_code"] == "road"
    by_code = {a["code"]: a for a in doc["attributes"]}
    assert list(by_code) == ["village", "severity", "title", "public"]
    assert [a["order"] for a in doc["attributes"]] == [1, 2, 3, 4]
    village = by_code["village"]
    assert (
        village["variable"] is True
        and village["required"] is True
        and village["datatype"] == "singlevaluelist"
    )
    assert {v["key"] for v in village["values"]} == {
        str(w.village_a.pk),
        str(w.village_a2.pk),
        str(w.village_b.pk),
    }
    assert {"key": str(w.village_a.pk), "name": "一村（甲镇）"} in village["values"]
    assert "经纬度" in village["description"]
    severity = by_code["severity"]
    assert severity["required"] is False and [v["key"] for v in severity["values"]] == [
        "minor",
        "normal",
        "serious",
        "major",
    ]
    assert by_code["title"]["datatype"] == "string" and "values" not in by_code["title"]
    root = as_xml(get(client, "services/road.xml", jurisdiction_id=jid(w.county)))
    assert root.tag == "service_definition" and root.findtext("service_code") == "road"
    attrs = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attrs] == ["village", "severity", "title", "public"]
    assert attrs[0].findtext("required") == "true" and attrs[0].findtext("datatype_description")
    assert {v.findtext("key") for v in attrs[0].findall("values/value")} == {
        v["key"] for v in village["values"]
    }
    for code in ("dispute_neighbour", "hardship", "nothing"):  # private, unlisted, unknown: all 404
        assert error_list(get(client, f"services/{code}.json", jurisdiction_id=jid(w.county)), 404)
        assert error_list(get(client, f"services/{code}.xml", jurisdiction_id=jid(w.county)), 404)


# --- jurisdictions and errors ---------------------------------------------------------------------------


def test_jurisdiction_missing_unknown_and_by_division_code(cw, client):
    w = cw.w
    assert Area.objects.filter(kind="county").count() > 1  # the demo county and the world's
    (missing,) = error_list(get(client, "services.json"), 400)
    assert "jurisdiction_id" in missing and "GB/T 2260" in missing
    (missing_xml,) = error_list(get(client, "requests.xml"), 400)
    assert missing_xml == missing
    assert "jurisdiction_id" in error_list(get(client, "services.xml", jurisdiction_id="nowhere.gov"), 404)[0]
    assert jid(w.county) == f"area-{w.county.pk}"  # no division code in the test world
    Area.objects.filter(pk=w.county.pk).update(code="990101")
    assert get(client, "services.json", jurisdiction_id="990101").status_code == 200
    # one id per county: with a code, area-<id> no longer names it
    assert error_list(get(client, "services.json", jurisdiction_id=f"area-{w.county.pk}"), 404)


def test_errors_are_the_spec_list_in_both_formats(cw, client, key):
    j = jid(cw.w.county)
    for fmt in ("json", "xml"):
        assert error_list(get(client, f"requests.{fmt}"), 400)
        assert error_list(post(client, fmt, jurisdiction_id=j, service_code="road"), 403)
        assert error_list(get(client, f"requests/2000000000.{fmt}", jurisdiction_id=j), 404)
        assert error_list(get(client, f"requests/abc.{fmt}", jurisdiction_id=j), 404)
        assert error_list(get(client, f"tokens/nope.{fmt}", jurisdiction_id=j), 404)
        assert error_list(client.put(BASE + f"requests.{fmt}"), 405)
    assert error_list(get(client, "requests.html"), 404)  # an unknown format: XML, the required one
    assert as_xml(get(client, "requests.html")).tag == "errors"
    assert error_list(get(client, "nothing/here.json"), 404) and as_json(get(client, "nothing/here.json"))
    response = client.put(BASE + "services.json")
    assert response["Allow"] == "GET, HEAD"
    assert client.head(BASE + "services.json", {"jurisdiction_id": jid(cw.w.county)}).status_code == 200


# --- GET requests -----------------------------------------------------------------------------------------


def test_search_defaults_and_every_filter(cw, client):
    w, now = cw.w, timezone.now()
    j = jid(w.county)
    recent = file(cw, "road")
    lamp = file(cw, "street_light", area=w.village_b)
    services.accept(actor=w.users["sec_b"], case=lamp)
    services.resolve(actor=w.users["sec_b"], case=Case.objects.get(pk=lamp.pk), reply="已更换灯泡。")
    old = file(cw, "road", when=now - dt.timedelta(days=100))
    hidden = file(cw, "road", public=False)  # the resident did not agree to list it
    unlisted = file(cw, "hardship")  # a category that is not public
    dispute = file(cw, "dispute_neighbour")  # never listed

    def search(fmt="json", **params):
        return get(client, f"requests.{fmt}", jurisdiction_id=j, **params)

    assert ids_of(search()) == {recent.pk, lamp.pk}  # the most recent 90 days
    assert {r["status"] for r in as_json(search())} == {"open", "closed"}
    # 90 days from start_date
    assert ids_of(search(start_date=w3(now - dt.timedelta(days=101)))) == {old.pk}
    assert ids_of(search(start_date=(now - dt.timedelta(days=101)).date().isoformat())) == {
        old.pk
    }  # a date alone
    # 90 days up to end_date
    assert ids_of(search(end_date=w3(now - dt.timedelta(days=95)))) == {old.pk}
    assert ids_of(
        search(start_date=w3(now - dt.timedelta(days=1)), end_date=w3(now + dt.timedelta(minutes=1)))
    ) == {recent.pk, lamp.pk}
    assert ids_of(search(service_code="street_light")) == {lamp.pk}
    assert ids_of(search(service_code="road,street_light")) == {recent.pk, lamp.pk}
    assert ids_of(
        client.get(BASE + "requests.json", {"jurisdiction_id": j, "service_code": ["road", "street_light"]})
    ) == {recent.pk, lamp.pk}
    assert ids_of(search(service_code="nothing")) == set()
    assert ids_of(search(status="open")) == {recent.pk}
    assert ids_of(search(status="closed")) == {lamp.pk}  # resolved counts as closed
    assert ids_of(search(status="open,closed")) == {recent.pk, lamp.pk}
    assert ids_of(search(status="")) == {recent.pk, lamp.pk}  # empty = not given
    # service_request_id overrides every other argument, but lists only what may be listed
    every = ",".join(str(c.pk) for c in (recent, lamp, old, hidden, unlisted, dispute))
    assert ids_of(search(service_request_id=every, status="open", start_date="bad")) == {
        recent.pk,
        lamp.pk,
        old.pk,
    }
    # refusals, all named at once
    assert "status" in error_list(search(status="pending"), 400)[0]
    problems = error_list(search(start_date="yesterday", end_date="2026-13-01", status="x"), 400)
    assert (
        len(problems) == 3
        and any("start_date" in p for p in problems)
        and any("end_date" in p for p in problems)
    )
    assert (
        "90" in error_list(search(start_date="2026-01-01T00:00:00Z", end_date="2026-06-01T00:00:00Z"), 400)[0]
    )
    assert error_list(search(start_date="2026-06-01T00:00:00Z", end_date="2026-05-01T00:00:00Z"), 400)
    assert error_list(search(start_date="0001-01-01"), 400)
    assert error_list(search(service_request_id="1,abc"), 400)
    # XML: the same list
    root = as_xml(search("xml"))
    assert root.tag == "service_requests" and {e.tag for e in root} == {"request"}
    assert {int(e.findtext("service_request_id")) for e in root} == {recent.pk, lamp.pk}
    assert {e.findtext("status") for e in root} == {"open", "closed"}
    # a county that stops listing a category takes its cases off the list
    setup.save_category(actor=w.users["county"], county=w.county, code="street_light", data={"public": False})
    assert ids_of(search()) == {recent.pk}
    assert error_list(get(client, f"requests/{lamp.pk}.json", jurisdiction_id=j), 404)
    # another county's jurisdiction sees none of it
    other = AreaFactory(parent=None, name="B县", kind="county")
    assert as_json(get(client, "requests.json", jurisdiction_id=jid(other))) == []


def test_the_list_is_capped(cw, client, monkeypatch):
    for _ in range(4):
        file(cw, "road")
    monkeypatch.setattr(sel, "MAX_REQUESTS", 3)
    assert len(as_json(get(client, "requests.json", jurisdiction_id=jid(cw.w.county)))) == 3
    assert sel.MAX_REQUESTS == 3 and sel.DEFAULT_DAYS == 90


def w3(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def test_a_request_is_coarse(cw, client, django_assert_max_num_queries):
    w = cw.w
    case = file(
        cw,
        "road",
        area=w.grid_a,
        address="幸福路12号",
        lat="30.123456",
        lon="120.987654",
        name="孙小梅",
        phone="13700001111",
    )
    j = jid(w.county)
    (r,) = as_json(get(client, f"requests/{case.pk}.json", jurisdiction_id=j))  # a list of one (Spark)
    case = Case.objects.get(pk=case.pk)
    assert r["service_request_id"] == str(case.pk) and r["status"] == "open"
    assert r["address"] == "一村" and r["address_id"] == str(
        w.village_a.pk
    )  # the village, not the grid or street
    assert r["lat"] == 30.123 and r["long"] == 120.988  # ≈100 m
    assert case.lat == Decimal("30.123456")  # stored as given (WGS-84)
    assert r["requested_datetime"] == w3(case.received_at) and r["requested_datetime"].endswith("+08:00")
    assert r["expected_datetime"] == w3(case.due_at)
    assert r["service_name"] == "道路桥梁破损" and r["service_code"] == "road"
    assert r["agency_responsible"] == "一村" and r["status_notes"].startswith("待受理：")
    assert r["zipcode"] is None and r["media_url"] is None and r["service_notice"].startswith("承诺")
    assert set(r) == {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }
    # up to the township, a department whistled: both named as responsible
    services.accept(actor=w.users["sec_a"], case=case)
    services.escalate(actor=w.users["sec_a"], case=Case.objects.get(pk=case.pk), reason="需镇里协调")
    services.accept(actor=w.users["township"], case=Case.objects.get(pk=case.pk))
    services.whistle(
        actor=w.users["township"],
        case=Case.objects.get(pk=case.pk),
        department_ids=[cw.dept.pk],
        note="请到场",
    )
    (r,) = as_json(get(client, f"requests/{case.pk}.json", jurisdiction_id=j))
    assert r["agency_responsible"] == "甲镇、住房和城乡建设局" and r["status_notes"].startswith("办理中：")
    root = as_xml(get(client, f"requests/{case.pk}.xml", jurisdiction_id=j))
    (request,) = root.findall("request")
    assert request.findtext("address") == "一村" and request.findtext("lat") == "30.123"
    assert request.find("zipcode").text is None and b"<zipcode />" in ET.tostring(request)  # empty: null
    for _ in range(20):
        file(cw, "water")
    with django_assert_max_num_queries(12):  # not one query per request
        assert len(as_json(get(client, "requests.json", jurisdiction_id=j))) == 21


# --- POST requests, tokens ----------------------------------------------------------------------------------


def test_post_round_trip_to_the_village_queue_and_back(cw, key):
    w = cw.w
    client = Client(enforce_csrf_checks=True)  # the api_key authenticates; no CSRF token
    before = Case.objects.count()
    response = post(client, "json", **road_post(cw, key))
    assert response.status_code == 201, response.content.decode()
    (answer,) = as_json(response)
    assert set(answer) == {"service_request_id", "token", "service_notice", "account_id"}
    assert answer["account_id"] is None and "一村" in answer["service_notice"]
    case = Case.objects.get(pk=int(answer["service_request_id"]))
    assert Case.objects.count() == before + 1
    assert case.number in answer["service_notice"]  # to the posting client only
    assert case.channel == "hotline_12345" and case.open311_client.name == "12345热线"
    assert (
        case.address == "幸福路12号"
        and case.lat == Decimal("30.123456")
        and case.lon == Decimal("120.987654")
    )
    assert crypto.decrypt(case.resident_name_ciphertext, field="resident_name") == "赵六"
    assert crypto.decrypt(case.email_ciphertext, field="email") == "zhao@example.com"
    assert case.area == w.village_a and case.public and not case.photos.exists()  # media_url is not fetched
    assert case in selectors.queue(w.users["sec_a"])

    services.accept(actor=w.users["sec_a"], case=case)
    services.resolve(
        actor=w.users["sec_a"], case=Case.objects.get(pk=case.pk), reply="已修复路面，恢复通行。"
    )
    (r,) = as_json(client.get(BASE + f"requests/{case.pk}.json", {"jurisdiction_id": jid(w.county)}))
    assert r["status"] == "closed" and "已修复路面，恢复通行。" in r["status_notes"]
    assert r["status_notes"].startswith("已办结待评价：")
    assert r["updated_datetime"] == w3(Case.objects.get(pk=case.pk).resolved_at)
    services.rate(number=case.number, phone_tail="5678", rating="satisfied", resolved=True)
    (r,) = as_json(client.get(BASE + f"requests/{case.pk}.json", {"jurisdiction_id": jid(w.county)}))
    assert (
        r["status"] == "closed"
        and r["status_notes"].startswith("已关闭：")
        and "已修复路面" in r["status_notes"]
    )

    # the token resolves to the same request, in both formats
    (t,) = as_json(client.get(BASE + f"tokens/{answer['token']}.json", {"jurisdiction_id": jid(w.county)}))
    assert t == {"service_request_id": answer["service_request_id"], "token": answer["token"]}
    root = as_xml(client.get(BASE + f"tokens/{answer['token']}.xml", {"jurisdiction_id": jid(w.county)}))
    assert (
        root.tag == "service_requests"
        and root.findtext("request/service_request_id") == answer["service_request_id"]
    )
    assert PendingToken.objects.filter(case=case).count() == 1

    # XML: the same answer under service_requests/request
    root = as_xml(post(client, "xml", **road_post(cw, key)))
    assert root.tag == "service_requests" and root.findtext("request/service_request_id").isdigit()
    assert root.find("request/account_id") is not None and root.findtext("request/token")


def test_refused_posts_store_nothing(cw, client, key, demo_county):
    w = cw.w
    before = (Case.objects.count(), PendingToken.objects.count())
    client_row, revoked = setup.issue_client(actor=w.users["county"], county=w.county, name="旧系统")
    setup.revoke_client(actor=w.users["county"], client=client_row)
    demo = Area.objects.get(pk=demo_county["root"].area_id)
    _c, elsewhere = setup.issue_client(actor=demo_county["county"], county=demo, name="别县热线")

    def refused(status, fmt="json", **changes):
        return error_list(post(client, fmt, **road_post(cw, key, **changes)), status)

    assert "缺少" in refused(403, api_key=None)[0]
    assert refused(403, "xml", api_key="")
    assert "撤销" in refused(403, api_key=revoked)[0]
    assert refused(403, api_key="o311_guessed-key")
    assert "不是辖区" in refused(403, api_key=elsewhere)[0]
    assert refused(400, jurisdiction_id=None)
    assert refused(404, jurisdiction_id="nowhere")
    assert refused(404, service_code="nothing")
    assert refused(404, service_code="dispute_neighbour")  # a private kind cannot be posted either
    assert refused(400, service_code=None)
    (no_village,) = refused(400, **{"attribute[village]": None})
    assert "attribute[village]" in no_village and "地理编码" in no_village
    assert "地理编码" not in refused(400, **{"attribute[village]": None, "lat": None, "long": None})[0]
    assert refused(400, **{"attribute[village]": str(w.town_a.pk)})  # a township is not a village
    demo_village = Area.objects.filter(path__startswith=demo.path, kind="village").first()
    assert refused(400, **{"attribute[village]": str(demo_village.pk)})  # a village of another county
    assert refused(400, **{"attribute[severity]": "urgent"}) == [
        "attribute[severity]: 紧急程度：应为较小、一般、较大或重大。"
    ]
    assert refused(400, **{"attribute[public]": "maybe"})
    (phone,) = refused(400, phone=None)
    assert phone.startswith("phone: 联系电话：必填")
    assert refused(400, lat="30.1", long=None) == ["lat/long: 地图位置：经度和纬度须同时填写。"]
    assert refused(400, lat="91", long="120") == ["lat/long: 纬度：应在 -90 至 90 之间。"]
    # an Open311 problem and the service's own, named together
    both = refused(
        400,
        **{
            "attribute[village]": None,
            "phone": None,
            "first_name": None,
            "last_name": None,
            "description": None,
        },
    )
    assert len(both) == 4 and both[0].startswith("attribute[village]")
    assert {d.split(":")[0] for d in both[1:]} == {"phone", "first_name/last_name", "description"}
    assert (Case.objects.count(), PendingToken.objects.count()) == before


def test_a_request_not_to_be_listed_is_only_its_clients(cw, client, key):
    w = cw.w
    j = jid(w.county)
    response = post(client, "json", **road_post(cw, key, **{"attribute[public]": "false"}))
    rid = as_json(response)[0]["service_request_id"]
    assert not Case.objects.get(pk=int(rid)).public
    assert error_list(get(client, f"requests/{rid}.json", jurisdiction_id=j), 404)
    (r,) = as_json(get(client, f"requests/{rid}.json", jurisdiction_id=j, api_key=key))
    assert r["address"] == "一村" and r["lat"] == 30.123
    _c, other_key = setup.issue_client(actor=w.users["county"], county=w.county, name="城市服务平台")
    assert error_list(get(client, f"requests/{rid}.json", jurisdiction_id=j, api_key=other_key), 404)
    assert error_list(get(client, f"requests/{rid}.json", jurisdiction_id=j, api_key="o311_wrong"), 403)
    assert int(rid) not in ids_of(get(client, "requests.json", jurisdiction_id=j, api_key=key))


# --- no personal data ------------------------------------------------------------------------------------------

SURNAMES = "钱孙周吴郑冯陈褚卫蒋"
GIVEN = ("子涵", "浩然", "梓轩", "雨桐", "欣怡", "宇航")
CODES = (
    "road",
    "street_light",
    "water",
    "sanitation",
    "noise",
    "property",
    "policy",
    "hardship",
    "dispute_neighbour",
    "suggestion",
)


def test_nothing_personal_in_any_answer(cw, client, key):
    w = cw.w
    villages = (w.village_a, w.village_a2, w.village_b, w.grid_a)
    people = []
    for i in range(60):
        name = SURNAMES[i % 10] + GIVEN[i % 6]
        phone = f"13{i % 7 + 3}{(48271 * (i + 1) + 12345) % 10**8:08d}"
        mention = i % 3 == 0  # the resident wrote their own name and number into the request
        description = f"第{i}号：村里{'我是' + name + '，电话' + phone + '，' if mention else ''}排水沟堵了。"
        case = file(
            cw,
            CODES[i % 10],
            area=villages[i % 4],
            name=name,
            phone=phone,
            description=description,
            public=i % 5 != 0,
            address=f"幸福路{i}号",
            email=f"r{i}@example.com",
            lat=f"30.{100000 + i * 37}",
            lon=f"120.{200000 + i * 53}",
            when=timezone.now() - dt.timedelta(days=i * 2),
        )
        if i % 2 == 0 and case.handling_area_id == w.village_a.pk:
            services.accept(actor=w.users["sec_a"], case=case)
            services.resolve(actor=w.users["sec_a"], case=Case.objects.get(pk=case.pk), reply="已疏通。")
        people.append((name, phone, case.number, f"幸福路{i}号", f"r{i}@example.com"))
    posted = as_json(post(client, "json", **road_post(cw, key)))[0]
    people.append(
        (
            "赵六",
            "13812345678",
            Case.objects.get(pk=int(posted["service_request_id"])).number,
            "幸福路12号",
            "zhao@example.com",
        )
    )
    cases = list(Case.objects.filter(area__path__startswith=w.county.path))
    j = jid(w.county)
    urls = [("discovery.json", {}), ("discovery.xml", {})]
    for fmt in ("json", "xml"):
        urls += [(f"services.{fmt}", {}), (f"requests.{fmt}", {})]
        urls += [(f"services/{code}.{fmt}", {}) for code in CODES]
        urls += [(f"requests.{fmt}", {"status": s}) for s in ("open", "closed", "open,closed")]
        urls += [(f"requests.{fmt}", {"service_code": code}) for code in CODES]
        urls += [
            (f"requests.{fmt}", {"start_date": "2020-01-01T00:00:00+08:00"}),
            (f"requests.{fmt}", {"end_date": w3(timezone.now() - dt.timedelta(days=60))}),
        ]
        urls += [(f"requests.{fmt}", {"service_request_id": ",".join(str(c.pk) for c in cases)})]
        urls += [(f"requests/{c.pk}.{fmt}", {}) for c in cases]
        urls += [(f"requests/{c.pk}.{fmt}", {"api_key": key}) for c in cases if fmt == "json"]
        urls += [(f"tokens/{posted['token']}.{fmt}", {})]
    listed = 0
    texts = []
    for path, params in urls:
        response = get(client, path, jurisdiction_id=j, **params)
        assert response.status_code in (200, 404), (path, response.status_code)
        text = response.content.decode("utf-8")
        texts.append(text)
        listed += text.count("<service_request_id>") + text.count('"service_request_id"')
    everything = "\n".join(texts)
    assert listed > 200 and "排水沟堵了" in everything  # the requests are there …
    assert (
        "＊＊＊" in everything and "**" in everything
    )  # … with what the residents wrote of themselves masked
    for name, phone, number, address, email in people:
        for secret in (name, phone, phone[3:], phone[-8:], crypto.mask_phone(phone), number, address, email):
            assert secret not in everything, secret
    assert not re.search(
        r"1[3-9]\d{9}", everything.replace(posted["token"], "")
    )  # a hex token may hold digits
