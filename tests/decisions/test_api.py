"""The API: list, get, register, record a stage; refusals are 400 with the rule named and nothing
changes; a vetoed matter's assembly stage is 400."""

from __future__ import annotations

import datetime as dt
import json

from jiceng.core.services import api_token_create
from jiceng.decisions.models import Matter
from tests.decisions.conftest import D0


def bearer(user):
    _t, plaintext = api_token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_api_register_record_and_refuse(dw, client):
    h = bearer(dw.sec)
    r = post(
        client,
        "/api/v1/decisions",
        {
            "village": dw.w.village_a.pk,
            "kind": "public_works",
            "procedure": "decisions.five_step",
            "title": "村道修缮",
            "amount_fen": 500000,
            "proposed_on": D0.isoformat(),
        },
        h,
    )
    assert r.status_code == 200, r.content
    mid = r.json()["id"]
    assert r.json()["next_stages"] == ["propose", "reject"]
    url = f"/api/v1/decisions/{mid}/stages/propose"
    r = post(
        client,
        url,
        {"held_on": (D0 + dt.timedelta(days=1)).isoformat(), "attendee_ids": dw.party[:1], "votes_for": 1},
        h,
    )
    assert r.status_code == 400
    assert any("未过应到 3 人的半数" in e["message"] for e in r.json()["errors"])
    assert Matter.objects.get(pk=mid).stage == "registered"
    m = Matter.objects.get(pk=mid)
    dw.to_reviewed(m)
    th = bearer(dw.township)
    r = post(
        client,
        f"/api/v1/decisions/{mid}/stages/township_veto",
        {"held_on": (D0 + dt.timedelta(days=4)).isoformat(), "reason": "不符合规划"},
        th,
    )
    assert r.status_code == 200 and r.json()["outcome"] == "vetoed"
    body = {
        "held_on": (D0 + dt.timedelta(days=5)).isoformat(),
        "assembly": "representatives",
        "attendee_ids": dw.villagers + dw.reps,
        "votes_for": 15,
    }
    r = post(client, f"/api/v1/decisions/{mid}/stages/resolve", body, h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "action"
    r = client.get(f"/api/v1/decisions/{mid}", **h)
    assert r.status_code == 200 and [x["action"] for x in r.json()["meetings"]] == [
        "propose",
        "discuss",
        "review",
        "township_veto",
    ]
    r = client.get("/api/v1/decisions?outcome=vetoed", **h)
    assert r.json()["count"] == 1
    assert client.get(f"/api/v1/decisions/{mid}", **bearer(dw.w.users["sec_b"])).status_code == 404
