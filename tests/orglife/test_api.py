import datetime as dt
import json

from django.utils import timezone

from jiceng.core.models import AuditEntry
from jiceng.core.services import api_token_create
from jiceng.orglife import services
from jiceng.orglife.models import Attendance, Meeting, TopicList

TODAY = timezone.localdate()
# A day in the previous month: its monthly block has ended, so it counts as due and held.
LAST_MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=15)


def bearer(user):
    _t, plaintext = api_token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def meeting_body(world, **kw):
    body = {
        "org": world.branch_a.pk,
        "kind": "theme_day",
        "held_on": LAST_MONTH.isoformat(),
        "place": "村党员活动室",
        "topic": "学习贯彻会议精神",
        "first_agenda": "学习总书记重要讲话",
        "minutes": "会议纪要",
        "attendance": [
            {"member_id": world.member_a.pk, "status": "present"},
            {"member_id": world.member_a_grid.pk, "status": "leave", "reason": "外出务工"},
        ],
    }
    return body | kw


def test_record_meeting_then_read_it(world, client):
    h = bearer(world.users["sec_a"])
    r = post(client, "/api/v1/meetings", meeting_body(world), h)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["org_id"] == world.branch_a.pk and body["kind"] == "theme_day"
    assert body["held_on"] == LAST_MONTH.isoformat() and body["n_attended"] == 1 and body["n_total"] == 2
    meeting_id = body["id"]

    r = client.get(f"/api/v1/meetings/{meeting_id}", **h)
    assert r.status_code == 200
    detail = r.json()
    assert detail["topic"] == "学习贯彻会议精神" and detail["minutes"] == "会议纪要"
    att = {a["name"]: a for a in detail["attendance"]}
    assert att["张三"]["status"] == "present" and att["张三"]["member_id"] == world.member_a.pk
    assert att["李四"]["status"] == "leave" and att["李四"]["reason"] == "外出务工"

    r = client.get("/api/v1/meetings", {"org": world.branch_a.pk}, **h)
    page = r.json()
    assert page["count"] == 1 and page["items"][0]["id"] == meeting_id
    assert page["items"][0]["org_name"] == "一村党支部" and page["items"][0]["n_attended"] == 1
    assert client.get("/api/v1/meetings", {"kind": "branch_assembly"}, **h).json()["count"] == 0
    assert client.get("/api/v1/meetings", {"q": "贯彻"}, **h).json()["count"] == 1
    assert client.get("/api/v1/meetings", {"since": TODAY.isoformat()}, **h).json()["count"] == 0


def test_member_role_sees_meeting_but_not_attendance(world, client):
    """Attendance is personal data: a plain member (VIEW_ORG only) sees the meeting and its counts."""
    meeting = services.meeting_record(
        actor=world.users["sec_a"],
        org=world.branch_a,
        kind="theme_day",
        held_on=LAST_MONTH,
        place="活动室",
        topic="主题党日",
        attendance=[
            services.AttendanceIn(world.member_a.pk, "present"),
            services.AttendanceIn(world.member_a_grid.pk, "online"),
        ],
    )
    body = client.get(f"/api/v1/meetings/{meeting.pk}", **bearer(world.users["member"])).json()
    assert body["n_total"] == 2 and body["attendance"] == []


def test_bad_meeting_is_400_with_every_field_and_stores_nothing(world, client):
    h = bearer(world.users["sec_a"])
    before = (Meeting.objects.count(), Attendance.objects.count())
    attendance = meeting_body(world)["attendance"] + [{"member_id": world.member_b.pk, "status": "present"}]
    r = post(
        client,
        "/api/v1/meetings",
        meeting_body(
            world, held_on=(TODAY + dt.timedelta(days=3)).isoformat(), attendance=attendance, place=" "
        ),
        h,
    )
    assert r.status_code == 400, r.content
    errors = r.json()["errors"]
    assert {e["field"] for e in errors} == {"held_on", "attendance", "place"}
    assert any("不能晚于今天" in e["message"] for e in errors)
    assert any("不是本组织" in e["message"] for e in errors)
    assert (Meeting.objects.count(), Attendance.objects.count()) == before


def test_unknown_topic_item_is_reported_with_the_rest_and_nothing_is_stored(world, client):
    h = bearer(world.users["sec_a"])
    before = (Meeting.objects.count(), AuditEntry.objects.count())
    # Otherwise valid: the service would store it, so the rollback is what keeps it out.
    r = post(client, "/api/v1/meetings", meeting_body(world, topic_item=2_000_000_000), h)
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"topic_item"}
    r = post(client, "/api/v1/meetings", meeting_body(world, topic_item=2_000_000_000, topic=""), h)
    assert {e["field"] for e in r.json()["errors"]} == {"topic_item", "topic"}
    assert (Meeting.objects.count(), AuditEntry.objects.count()) == before


def test_other_village_gets_404(world, client):
    meeting = services.meeting_record(
        actor=world.users["sec_a"],
        org=world.branch_a,
        kind="theme_day",
        held_on=LAST_MONTH,
        place="活动室",
        topic="主题党日",
        attendance=[
            services.AttendanceIn(world.member_a.pk, "present"),
            services.AttendanceIn(world.member_a_grid.pk, "present"),
        ],
    )
    hb = bearer(world.users["sec_b"])
    for url in (
        f"/api/v1/meetings/{meeting.pk}",
        f"/api/v1/orgs/{world.branch_a.pk}/calendar",
        f"/api/v1/compliance?org={world.branch_a.pk}",
        f"/api/v1/meetings?org={world.branch_a.pk}",
    ):
        r = client.get(url, **hb)
        assert r.status_code == 404, url
        assert "一村" not in r.content.decode()
    assert client.get("/api/v1/meetings", **hb).json()["count"] == 0
    # and B cannot record a meeting for A
    before = Meeting.objects.count()
    assert post(client, "/api/v1/meetings", meeting_body(world), hb).status_code == 404
    assert Meeting.objects.count() == before


def test_calendar(world, client):
    h = bearer(world.users["sec_a"])
    services.meeting_record(
        actor=world.users["sec_a"],
        org=world.group_a,
        kind="group_meeting",
        held_on=LAST_MONTH,
        place="网格",
        topic="党小组学习",
        attendance=[services.AttendanceIn(world.member_a_grid.pk, "present")],
    )
    r = client.get(f"/api/v1/orgs/{world.branch_a.pk}/calendar", {"year": LAST_MONTH.year}, **h)
    assert r.status_code == 200
    body = r.json()
    assert body["year"] == LAST_MONTH.year
    rows = {(row["org_id"], row["kind"]): row for row in body["rows"]}
    group_row = rows[(world.group_a.pk, "group_meeting")]
    cell = next(c for c in group_row["cells"] if c["start"] == LAST_MONTH.replace(day=1).isoformat())
    assert cell["held"] == 1 and cell["needed"] == 1 and cell["state"] == "done"
    theme = rows[(world.branch_a.pk, "theme_day")]
    assert len(theme["cells"]) == 12
    last = next(c for c in theme["cells"] if c["start"] == LAST_MONTH.replace(day=1).isoformat())
    assert last["state"] == "overdue" and theme["overdue"] >= 1
    # a party group has no calendar of its own; a nonsense year is refused
    r = client.get(f"/api/v1/orgs/{world.group_a.pk}/calendar", **h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "org_id"
    r = client.get(f"/api/v1/orgs/{world.branch_a.pk}/calendar", {"year": 1900}, **h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "year"


def test_compliance_changes_when_a_meeting_is_recorded(world, client):
    h = bearer(world.users["township"])
    period = f"{LAST_MONTH:%Y-%m}"
    url = "/api/v1/compliance"
    before = client.get(url, {"org": world.branch_a.pk, "period": period}, **h).json()
    assert (
        before["period"] == period
        and before["as_of"] == (TODAY.replace(day=1) - dt.timedelta(days=1)).isoformat()
    )
    assert before["by_kind"]["theme_day"] == [0, 1] and before["satisfied"] == 0
    assert before["silent_total"] == 1 and before["silent_branches"][0]["id"] == world.branch_a.pk

    r = post(client, "/api/v1/meetings", meeting_body(world), bearer(world.users["sec_a"]))
    assert r.status_code == 200
    after = client.get(url, {"org": world.branch_a.pk, "period": period}, **h).json()
    assert after["by_kind"]["theme_day"] == [1, 1]
    assert after["satisfied"] == before["satisfied"] + 1 and after["required"] == before["required"]
    assert after["rate"] == round(after["satisfied"] / after["required"], 4)
    assert after["silent_total"] == 0 and after["silent_branches"] == []

    # the township's whole subtree: A's two branches; an administrative meeting would count for nothing
    town = client.get(url, {"org": world.town_a_org.pk, "period": period}, **h).json()
    assert town["by_kind"]["theme_day"] == [1, 2]
    assert [b["name"] for b in town["silent_branches"]] == ["二村党支部"] and town["silent_total"] == 1
    # default org: the caller's top node
    assert client.get(url, {"period": period}, **h).json()["org_id"] == world.town_a_org.pk
    r = client.get(url, {"period": "2026-13"}, **h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "period"


def test_topic_lists_publish_cover_and_scope(world, client):
    hc = bearer(world.users["county"])
    body = {
        "org": world.county_org.pk,
        "month": LAST_MONTH.replace(day=1).isoformat(),
        "title": "重点内容",
        "items": ["学习党章", "  ", "乡村振兴"],
    }
    r = post(client, "/api/v1/topic-lists", body, hc)
    assert r.status_code == 200, r.content
    tl = r.json()
    assert [i["title"] for i in tl["items"]] == ["学习党章", "乡村振兴"] and tl[
        "org_id"
    ] == world.county_org.pk
    r = post(client, "/api/v1/topic-lists", body, hc)  # the same month twice
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "month"
    r = post(client, "/api/v1/topic-lists", body | {"org": world.branch_a.pk, "title": "", "items": []}, hc)
    assert r.status_code == 400 and {e["field"] for e in r.json()["errors"]} == {"org", "title", "items"}
    # a branch secretary cannot publish
    assert post(client, "/api/v1/topic-lists", body, bearer(world.users["sec_a"])).status_code == 404

    # every branch sees the county's list and can cover an item
    ha = bearer(world.users["sec_a"])
    lists = client.get("/api/v1/topic-lists", **ha).json()
    assert [x["id"] for x in lists] == [tl["id"]]
    item = tl["items"][0]["id"]
    r = post(client, "/api/v1/meetings", meeting_body(world, topic_item=item), ha)
    assert r.status_code == 200 and r.json()["topic_item_id"] == item
    cov = client.get(f"/api/v1/topic-lists/{tl['id']}/coverage", **hc).json()
    assert [(c["seq"], c["covered"], c["branches"]) for c in cov] == [(1, 1, 3), (2, 0, 3)]
    assert client.get(f"/api/v1/topic-lists/{tl['id']}/coverage", **ha).json()[0]["branches"] == 1

    # a list published by township A is not B's business
    town_list = services.topic_list_publish(
        actor=world.users["township"],
        org=world.town_a_org,
        month=LAST_MONTH,
        title="甲镇清单",
        items=["村规民约"],
    )
    hb = bearer(world.users["sec_b"])
    assert client.get(f"/api/v1/topic-lists/{town_list.pk}/coverage", **hb).status_code == 404
    assert {x["id"] for x in client.get("/api/v1/topic-lists", **hb).json()} == {tl["id"]}
    assert TopicList.objects.filter(org=world.town_a_org).count() == 1


def test_meeting_list_query_count(world, client, django_assert_max_num_queries):
    sec = world.users["sec_a"]
    for i in range(12):
        services.meeting_record(
            actor=sec,
            org=world.branch_a,
            kind="theme_day" if i % 2 else "branch_assembly",
            held_on=TODAY - dt.timedelta(days=i + 1),
            place="活动室",
            topic=f"第{i}次会议",
            attendance=[
                services.AttendanceIn(world.member_a.pk, "present"),
                services.AttendanceIn(world.member_a_grid.pk, "online"),
            ],
        )
    h = bearer(world.users["county"])
    with django_assert_max_num_queries(6):
        r = client.get("/api/v1/meetings", {"org": world.county_org.pk, "limit": 200}, **h)
    assert r.status_code == 200 and len(r.json()["items"]) == 12
    assert all(i["n_total"] == 2 and i["n_attended"] == 2 for i in r.json()["items"])


def test_openapi_lists_orglife_and_grading(client):
    paths = set(client.get("/api/openapi.json").json()["paths"])
    assert {
        "/api/v1/meetings",
        "/api/v1/meetings/{meeting_id}",
        "/api/v1/orgs/{org_id}/calendar",
        "/api/v1/compliance",
        "/api/v1/topic-lists",
        "/api/v1/topic-lists/{topic_list_id}/coverage",
    } <= paths
