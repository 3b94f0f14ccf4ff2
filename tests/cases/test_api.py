"""The staff API: file, list, step; refusals are 400 with the field named and nothing changes."""

from __future__ import annotations

import json

from jiceng.cases.models import Case, State
from jiceng.core.services import api_token_create


def bearer(user):
    _t, plaintext = api_token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def body(cw, **kw):
    return {
        "category": cw.category("water").pk,
        "area": cw.w.village_a.pk,
        "description": "停水三天",
        "channel": "phone",
        "name": "赵六",
        "phone": "13912345678",
    } | kw


def test_file_list_and_step_through_the_api(client, cw):
    h = bearer(cw.w.users["sec_a"])
    r = post(client, "/api/v1/cases", body(cw), h)
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["state"] == "received" and data["phone"] != "13912345678" and "赵六" not in r.content.decode()
    r = client.get("/api/v1/cases?queue=true", **h)
    assert [c["number"] for c in r.json()["items"]] == [data["number"]]
    r = post(client, f"/api/v1/cases/{data['id']}/steps/accept", {}, h)
    assert r.json()["state"] == "handling"
    r = post(client, f"/api/v1/cases/{data['id']}/steps/resolve", {"reply": ""}, h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "reply"
    assert Case.objects.get(pk=data["id"]).state == State.HANDLING
    r = post(client, f"/api/v1/cases/{data['id']}/steps/fly", {}, h)
    assert r.status_code == 400


def test_another_village_gets_404(client, cw):
    case = cw.file("water")
    before = Case.objects.count()
    h = bearer(cw.w.users["sec_b"])
    assert client.get(f"/api/v1/cases/{case.pk}", **h).status_code == 404
    assert post(client, f"/api/v1/cases/{case.pk}/steps/accept", {}, h).status_code == 404
    assert client.get("/api/v1/cases", **h).json()["count"] == 0
    r = post(client, "/api/v1/cases", body(cw), h)  # filing in village A from village B
    assert r.status_code == 404
    assert Case.objects.count() == before


def test_bad_body_is_refused_with_the_field(client, cw):
    h = bearer(cw.w.users["sec_a"])
    before = Case.objects.count()
    r = post(client, "/api/v1/cases", body(cw, channel="open311", phone="12"), h)
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"channel", "phone"} <= fields
    assert Case.objects.count() == before
