import json

from jiceng.core.models import AuditEntry
from jiceng.core.services import api_token_create
from jiceng.people.models import PartyMember


def bearer(user):
    _t, plaintext = api_token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_member_list_filters_and_pagination(world, client):
    h = bearer(world.users["county"])
    r = client.get("/api/v1/members", {"org": world.county_org.pk, "limit": 2}, **h)
    body = r.json()
    assert r.status_code == 200 and body["count"] == 3 and len(body["items"]) == 2
    r = client.get("/api/v1/members", {"org": world.county_org.pk, "q": "王"}, **h)
    assert [i["name"] for i in r.json()["items"]] == ["王五"]
    item = r.json()["items"][0]
    assert "*" in item["id_number_masked"] and "id_number" not in item


def test_member_list_api_query_count(demo_county, client, django_assert_max_num_queries):
    h = bearer(demo_county["county"])
    with django_assert_max_num_queries(8):
        r = client.get("/api/v1/members", {"limit": 200}, **h)
    assert len(r.json()["items"]) == 200


def test_patch_validates_and_changes_nothing(world, client):
    h = bearer(world.users["sec_a"])
    before = AuditEntry.objects.count()
    r = client.patch(
        f"/api/v1/members/{world.member_a.pk}",
        json.dumps({"id_number": "123", "phone": "1"}),
        content_type="application/json",
        **h,
    )
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"id_number", "phone"}
    assert all(e["message"] for e in r.json()["errors"])
    assert AuditEntry.objects.count() == before
    r = client.patch(
        f"/api/v1/members/{world.member_a.pk}",
        json.dumps({"phone": "13600000000"}),
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200 and r.json()["phone_masked"] == "136****0000"
    assert PartyMember.objects.get(pk=world.member_a.pk).person.phone_masked == "136****0000"


def test_indicator_endpoint(world, client):
    h = bearer(world.users["township"])
    r = client.get(
        "/api/v1/indicators/people.member_count", {"org": world.town_a_org.pk, "period": "2026"}, **h
    )
    assert r.status_code == 200
    body = r.json()
    assert body["value"] == 2 and {p["key"]: p["value"] for p in body["parts"]}["full"] == 2
    assert (
        client.get("/api/v1/indicators/people.member_count", {"org": world.town_b_org.pk}, **h).status_code
        == 404
    )
    r = client.get("/api/v1/indicators/people.member_count", {"period": "2026-13"}, **h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "period"
    names = {i["name"] for i in client.get("/api/v1/indicators", **h).json()}
    assert {"people.member_count", "people.dual_role_rate", "people.cross_appointment_rate"} <= names


def test_org_and_area_nodes(world, client):
    h = bearer(world.users["township"])
    roots = client.get("/api/v1/orgs", **h).json()
    assert [o["id"] for o in roots] == [world.town_a_org.pk]
    node = client.get(f"/api/v1/orgs/{world.town_a_org.pk}", **h).json()
    assert {c["name"] for c in node["children"]} == {"一村党支部", "二村党支部"}
    assert node["ancestors"] == []  # the county above is not in a township officer's scope
    area = client.get(f"/api/v1/areas/{world.village_a.pk}", **h).json()
    assert [c["name"] for c in area["children"]] == ["一村第1网格"]


def test_openapi_lists_endpoints(client):
    spec = client.get("/api/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/v1/members",
        "/api/v1/members/{member_id}",
        "/api/v1/orgs/{org_id}",
        "/api/v1/areas/{area_id}",
        "/api/v1/indicators/{name}",
    } <= paths


def test_unauthenticated_api_is_401(world, client):
    assert client.get("/api/v1/members").status_code == 401
    assert client.get("/api/v1/members", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_patch_org_null_or_foreign_is_400_naming_the_field(world, client):
    h = bearer(world.users["sec_a"])
    for org in (None, world.branch_b.pk, 999999):
        r = client.patch(
            f"/api/v1/members/{world.member_a.pk}",
            json.dumps({"org": org}),
            content_type="application/json",
            **h,
        )
        assert r.status_code == 400 and r.json()["errors"][0]["field"] == "org", (org, r.content)
