"""Registering members and seating / ending 两委 posts through the API."""

import datetime as dt
import json

from django.utils import timezone

from jiceng.core.dates import years_between
from jiceng.core.models import AuditEntry
from jiceng.core.services import api_token_create
from jiceng.people.models import CadrePost, PartyMember, Person
from tests.world import make_id


def bearer(user):
    _t, plaintext = api_token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def body(org_id, **kw):
    data = {
        "name": "钱七",
        "gender": "male",
        "id_number": make_id(dt.date(1990, 8, 8), True, 51),
        "org": org_id,
        "status": "probationary",
        "joined_on": "2025-06-01",
    }
    data.update(kw)
    return data


def test_register_member(world, client):
    h = bearer(world.users["sec_a"])
    r = post(client, "/api/v1/members", body(world.branch_a.pk), h)
    assert r.status_code == 200, r.content
    item = r.json()
    assert (
        item["name"] == "钱七"
        and item["org_id"] == world.branch_a.pk
        and item["age"] == years_between(dt.date(1990, 8, 8), timezone.localdate())
        and "birth_date" not in item
    )
    assert "*" in item["id_number_masked"] and item["ethnicity"] == "汉族"
    assert AuditEntry.objects.filter(
        target_type="people.partymember", target_id=str(item["id"]), action="create"
    ).exists()
    assert client.get(f"/api/v1/members/{item['id']}", **h).status_code == 200


def test_register_member_org_null_unknown_or_out_of_scope_is_400_on_org(world, client):
    h = bearer(world.users["sec_a"])
    persons, audits = Person.objects.count(), AuditEntry.objects.count()
    for org in (None, 2_000_000_000, world.branch_b.pk):
        r = post(client, "/api/v1/members", body(org), h)
        assert r.status_code == 400, (org, r.content)
        fields = {e["field"] for e in r.json()["errors"]}
        assert fields == {"org"}, (org, r.json())
        assert "三社区" not in r.text
    # every mistake at once: org and ID number
    r = post(client, "/api/v1/members", body(world.branch_b.pk, id_number="123"), h)
    assert r.status_code == 400 and {e["field"] for e in r.json()["errors"]} == {"org", "id_number"}
    # a committee is not a place for members (the service's rule, passed through)
    r = post(client, "/api/v1/members", body(world.town_a_org.pk), h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "org"
    assert Person.objects.count() == persons and AuditEntry.objects.count() == audits


def test_register_member_requires_the_required_fields(world, client):
    h = bearer(world.users["sec_a"])
    r = post(client, "/api/v1/members", {"name": "缺字段", "org": world.branch_a.pk}, h)
    assert r.status_code == 400 and r.json()["stage"] == "input"
    assert {e["field"] for e in r.json()["errors"]} >= {"gender", "status", "joined_on"}
    assert not Person.objects.filter(name="缺字段").exists()


def test_register_member_without_change_right_is_404(world, client):
    h = bearer(world.users["grid_a"])
    persons = Person.objects.count()
    r = post(client, "/api/v1/members", body(world.group_a.pk), h)
    assert r.status_code == 404  # no right to register anywhere, as on the page
    assert Person.objects.count() == persons


def test_seat_and_end_posts(world, client):
    h = bearer(world.users["county"])
    base = f"/api/v1/villages/{world.village_a.pk}/posts"
    person = world.member_a.person_id
    r = post(
        client,
        base,
        {"committee": "party", "post": "secretary", "person": person, "term_from": "2021-01-01"},
        h,
    )
    assert r.status_code == 200, r.content
    secretary = r.json()
    assert secretary["is_party_member"] is True and secretary["area_id"] == world.village_a.pk
    r = post(
        client,
        base,
        {"committee": "villagers", "post": "chair", "person": person, "term_from": "2021-01-01"},
        h,
    )
    assert r.status_code == 200
    assert client.get(base, **h).json()["dual_role"] is True

    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    r = post(client, f"/api/v1/posts/{secretary['id']}/end", {"term_to": yesterday}, h)
    assert r.status_code == 200 and r.json()["term_to"] == yesterday
    assert client.get(base, **h).json()["dual_role"] is False

    r = post(client, f"/api/v1/posts/{secretary['id']}/end", {"term_to": "2020-01-01"}, h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "term_to"


def test_seat_errors_are_400_and_store_nothing(world, client):
    h = bearer(world.users["sec_a"])
    base = f"/api/v1/villages/{world.village_a.pk}/posts"
    seats = CadrePost.objects.count()
    r = post(
        client,
        base,
        {
            "committee": "villagers",
            "post": "member",
            "person": world.member_b.person_id,
            "term_from": "2021-01-01",
        },
        h,
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "person" and "王五" not in r.text
    r = post(
        client,
        base,
        {
            "committee": "residents",
            "post": "chair",
            "person": world.member_a.person_id,
            "term_from": "2021-01-01",
        },
        h,
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "committee"
    assert CadrePost.objects.count() == seats


def test_other_village_gets_404(world, client):
    county = bearer(world.users["county"])
    r = post(
        client,
        f"/api/v1/villages/{world.village_a.pk}/posts",
        {
            "committee": "party",
            "post": "secretary",
            "person": world.member_a.person_id,
            "term_from": "2021-01-01",
        },
        county,
    )
    post_id = r.json()["id"]

    h = bearer(world.users["sec_b"])
    seats = CadrePost.objects.count()
    r = post(
        client,
        f"/api/v1/villages/{world.village_a.pk}/posts",
        {
            "committee": "villagers",
            "post": "member",
            "person": world.member_b.person_id,
            "term_from": "2021-01-01",
        },
        h,
    )
    assert r.status_code == 404
    assert post(client, f"/api/v1/posts/{post_id}/end", {"term_to": "2024-01-01"}, h).status_code == 404
    assert CadrePost.objects.get(pk=post_id).term_to is None and CadrePost.objects.count() == seats
    assert PartyMember.objects.filter(person__name="王五").count() == 1
