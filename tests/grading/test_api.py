import datetime as dt
import json
import math

from django.utils import timezone

from jiceng.core.models import AuditEntry
from jiceng.core.services import api_token_create
from jiceng.grading.models import Grade, GradingRound, RectificationPlan

TODAY = timezone.localdate()
YEAR = TODAY.year


def bearer(user):
    _t, plaintext = api_token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def open_round(client, demo_county):
    h = bearer(demo_county["county"])
    r = post(client, "/api/v1/grading/rounds", {"org": demo_county["root"].pk, "year": YEAR}, h)
    assert r.status_code == 200, r.content
    return r.json(), h


def test_open_round_on_demo_county_and_distribution_adds_up(demo_county, client):
    rnd, h = open_round(client, demo_county)
    assert rnd["org_id"] == demo_county["root"].pk and rnd["year"] == YEAR and rnd["scheme"] == "four_level"
    n = Grade.objects.filter(round_id=rnd["id"]).count()
    assert n >= 12 and rnd["total"] == n
    assert sum(row["count"] for row in rnd["distribution"]) == n
    assert abs(sum(row["share"] for row in rnd["distribution"]) - 1) < 0.001
    levels = [lv["key"] for lv in rnd["levels"]]
    assert levels == ["good", "fairly_good", "average", "weak"]

    assert (
        client.get(f"/api/v1/grading/rounds/{rnd['id']}", **h).json()["distribution"] == rnd["distribution"]
    )
    rounds = client.get("/api/v1/grading/rounds", **h).json()
    assert [x["id"] for x in rounds if x["year"] == YEAR] == [rnd["id"]]  # (the demo has last year's)
    page = client.get(f"/api/v1/grading/rounds/{rnd['id']}/grades", {"limit": 5}, **h).json()
    assert page["count"] == n and len(page["items"]) == 5
    scores = [g["score"] for g in page["items"]]
    assert scores == sorted(scores)
    g = page["items"][0]  # the lowest score is always inside the bottom quota
    assert g["lagging"] and g["lagging_proposed"] and g["plan_id"] is None and g["final"] == ""
    assert (
        g["level"] == g["proposed"]
        and g["level_label"] == dict((lv["key"], lv["label"]) for lv in rnd["levels"])[g["proposed"]]
    )
    if "silent" in g["factors"]["weak_signs"]:  # the demo without meetings: every unit silent, lowest level
        assert g["level"] == "weak"
    lagging = client.get(f"/api/v1/grading/rounds/{rnd['id']}/grades", {"lagging": True}, **h).json()["count"]
    not_lagging = client.get(f"/api/v1/grading/rounds/{rnd['id']}/grades", {"lagging": False}, **h).json()[
        "count"
    ]
    assert lagging >= math.ceil(n / 10) and lagging + not_lagging == n
    by_level = {row["key"]: row["count"] for row in rnd["distribution"]}
    for key in levels:
        r = client.get(f"/api/v1/grading/rounds/{rnd['id']}/grades", {"level": key, "limit": 1}, **h)
        assert r.json()["count"] == by_level[key]

    # a second round for the same year, and a year in the future, are refused
    r = post(client, "/api/v1/grading/rounds", {"org": demo_county["root"].pk, "year": YEAR}, h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "year"
    r = post(client, "/api/v1/grading/rounds", {"org": demo_county["root"].pk, "year": YEAR + 1}, h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "year"


def test_override_needs_a_reason(demo_county, client):
    rnd, h = open_round(client, demo_county)
    grade_id = client.get(f"/api/v1/grading/rounds/{rnd['id']}/grades", **h).json()["items"][0]["id"]
    url = f"/api/v1/grading/grades/{grade_id}/confirm"
    proposed = Grade.objects.get(pk=grade_id).proposed
    other = "average" if proposed != "average" else "good"
    before = AuditEntry.objects.count()
    r = post(client, url, {"final": other}, h)
    assert r.status_code == 400
    assert [e["field"] for e in r.json()["errors"]] == ["reason"]
    assert Grade.objects.get(pk=grade_id).confirmed_at is None and AuditEntry.objects.count() == before
    r = post(client, url, {"final": "excellent", "reason": "x"}, h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "final"

    r = post(client, url, {"final": other, "reason": "新班子已到位，组织生活恢复"}, h)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["final"] == other and body["proposed"] == proposed and body["level"] == other
    assert body["level_label"] == {"average": "一般", "good": "好"}[other]
    assert body["reason"] and body["confirmed_at"] and body["lagging"]
    assert AuditEntry.objects.filter(
        target_type="grading.grade", target_id=str(grade_id), action="override"
    ).exists()
    before_dist = {row["key"]: row["count"] for row in rnd["distribution"]}
    dist = {
        row["key"]: row["count"]
        for row in client.get(f"/api/v1/grading/rounds/{rnd['id']}", **h).json()["distribution"]
    }
    assert dist[other] == before_dist[other] + 1 and dist[proposed] == before_dist[proposed] - 1
    assert sum(dist.values()) == rnd["total"]


def test_plan_create_complete_close(demo_county, client):
    rnd, h = open_round(client, demo_county)
    grade_id = client.get(f"/api/v1/grading/rounds/{rnd['id']}/grades", **h).json()["items"][0]["id"]
    plan_url = f"/api/v1/grading/grades/{grade_id}/plan"
    measures = [
        {"description": "配齐支部委员", "owner": "镇党委", "deadline": f"{YEAR}-12-31"},
        {"description": "每月开展主题党日", "owner": "支部书记", "deadline": f"{YEAR}-12-31"},
    ]
    # not yet confirmed: no plan
    r = post(client, plan_url, {"problems": "半年未开展组织生活", "measures": measures}, h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "grade"
    assert post(client, f"/api/v1/grading/grades/{grade_id}/confirm", {}, h).status_code == 200
    r = post(
        client,
        plan_url,
        {"problems": "", "measures": [{"description": "x", "owner": "", "deadline": None}]},
        h,
    )
    assert r.status_code == 400 and {e["field"] for e in r.json()["errors"]} == {"problems", "measures"}

    r = post(client, plan_url, {"problems": "半年未开展组织生活", "measures": measures}, h)
    assert r.status_code == 200, r.content
    plan = r.json()
    assert plan["grade_id"] == grade_id and plan["status"] == "open" and plan["n_measures"] == 2
    assert [m["owner"] for m in plan["measures"]] == ["镇党委", "支部书记"]
    assert (
        client.get(f"/api/v1/grading/rounds/{rnd['id']}/grades", {"limit": 1}, **h).json()["items"][0][
            "plan_id"
        ]
        == plan["id"]
    )

    close_url = f"/api/v1/grading/plans/{plan['id']}/close"
    r = post(client, close_url, {"closure_note": "经验收"}, h)
    assert r.status_code == 400 and "未完成" in r.json()["errors"][0]["message"]
    m1, m2 = (m["id"] for m in plan["measures"])
    r = post(
        client,
        f"/api/v1/grading/measures/{m1}/complete",
        {"done_on": (TODAY + dt.timedelta(days=1)).isoformat(), "evidence": ""},
        h,
    )
    assert r.status_code == 400 and {e["field"] for e in r.json()["errors"]} == {"done_on", "evidence"}
    for mid in (m1, m2):
        r = post(
            client,
            f"/api/v1/grading/measures/{mid}/complete",
            {"done_on": TODAY.isoformat(), "evidence": "会议记录、照片"},
            h,
        )
        assert r.status_code == 200 and r.json()["done_on"] == TODAY.isoformat()
    listed = client.get("/api/v1/grading/plans", {"status": "open", "limit": 500}, **h).json()
    mine = [p for p in listed["items"] if p["id"] == plan["id"]]  # the demo has last year's too
    assert (
        listed["count"] == RectificationPlan.objects.filter(status="open").count() and mine[0]["n_done"] == 2
    )
    r = post(client, close_url, {"closure_note": ""}, h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "closure_note"
    r = post(client, close_url, {"closure_note": "镇党委验收合格，挂账销号"}, h)
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["closed_at"]
    still_open = client.get("/api/v1/grading/plans", {"status": "open"}, **h).json()["count"]
    assert still_open == RectificationPlan.objects.filter(status="open").exclude(pk=plan["id"]).count()
    assert (
        client.get(f"/api/v1/grading/plans/{plan['id']}", **h).json()["closure_note"]
        == "镇党委验收合格，挂账销号"
    )
    r = post(
        client, f"/api/v1/grading/measures/{m1}/complete", {"done_on": TODAY.isoformat(), "evidence": "x"}, h
    )
    assert r.status_code == 400  # a closed plan is not changed any more


def test_grading_is_scoped(world, client):
    """The township grades its villages; B's secretary sees nothing of it, and a secretary cannot grade."""
    ht = bearer(world.users["township"])
    r = post(client, "/api/v1/grading/rounds", {"org": world.town_a_org.pk, "year": YEAR}, ht)
    assert r.status_code == 200, r.content
    rnd = r.json()
    assert rnd["total"] == 2  # 一村, 二村
    grades = client.get(f"/api/v1/grading/rounds/{rnd['id']}/grades", **ht).json()["items"]
    grade_a = next(g for g in grades if g["org_id"] == world.branch_a.pk)

    hb = bearer(world.users["sec_b"])
    assert client.get("/api/v1/grading/rounds", **hb).json() == []
    for url in (f"/api/v1/grading/rounds/{rnd['id']}", f"/api/v1/grading/rounds/{rnd['id']}/grades"):
        assert client.get(url, **hb).status_code == 404
    assert post(client, f"/api/v1/grading/grades/{grade_a['id']}/confirm", {}, hb).status_code == 404
    assert (
        post(client, "/api/v1/grading/rounds", {"org": world.town_a_org.pk, "year": YEAR - 1}, hb).status_code
        == 404
    )

    # A's secretary sees its own grade only, and may not confirm it (no grading permission)
    ha = bearer(world.users["sec_a"])
    assert [x["id"] for x in client.get("/api/v1/grading/rounds", **ha).json()] == [rnd["id"]]
    mine = client.get(f"/api/v1/grading/rounds/{rnd['id']}/grades", **ha).json()
    assert [g["org_id"] for g in mine["items"]] == [world.branch_a.pk]
    assert client.get(f"/api/v1/grading/rounds/{rnd['id']}", **ha).json()["total"] == 1
    assert post(client, f"/api/v1/grading/grades/{grade_a['id']}/confirm", {}, ha).status_code == 404
    assert GradingRound.objects.filter(org=world.town_a_org).count() == 1


def test_openapi_lists_grading(client):
    paths = set(client.get("/api/openapi.json").json()["paths"])
    assert {
        "/api/v1/grading/rounds",
        "/api/v1/grading/rounds/{round_id}",
        "/api/v1/grading/rounds/{round_id}/grades",
        "/api/v1/grading/grades/{grade_id}/confirm",
        "/api/v1/grading/plans",
        "/api/v1/grading/plans/{plan_id}",
        "/api/v1/grading/grades/{grade_id}/plan",
        "/api/v1/grading/measures/{measure_id}/complete",
        "/api/v1/grading/plans/{plan_id}/close",
    } <= paths
