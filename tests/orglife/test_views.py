"""Organisational-life pages: the record form, calendars, key-content lists, ledgers, and scoping."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from jiceng.core.models import AuditEntry
from jiceng.orglife import services
from jiceng.orglife.models import Attendance, Meeting, MeetingAttachment, TopicList
from jiceng.orglife.services import AttendanceIn
from tests.helpers import get_ledger, xlsx_rows

TODAY = timezone.localdate()
# compliance only counts blocks that have ended: the previous month has
PREV = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
WHOLE = f"2000-01-01..{TODAY:%Y-%m-%d}"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form_data(world, **over):
    a, g = world.member_a.pk, world.member_a_grid.pk
    data = {
        "org": world.branch_a.pk,
        "kind": "theme_day",
        "held_on": PREV.isoformat(),
        "place": "村党员活动室",
        "topic": "学习贯彻全会精神",
        "first_agenda": "学习总书记重要讲话",
        "topic_item": "",
        "minutes": "会议纪要",
        f"status_{a}": "present",
        f"reason_{a}": "",
        f"status_{g}": "online",
        f"reason_{g}": "",
    }
    data.update(over)
    return data


def record(world, org=None, actor=None, held_on=PREV, kind="theme_day", **kw):
    org = org or world.branch_a
    members = {
        world.branch_a.pk: [world.member_a, world.member_a_grid],
        world.group_a.pk: [world.member_a_grid],
        world.branch_b.pk: [world.member_b],
    }[org.pk]
    actor = actor or (world.users["sec_b"] if org == world.branch_b else world.users["sec_a"])
    return services.meeting_record(
        actor=actor,
        org=org,
        kind=kind,
        held_on=held_on,
        place="活动室",
        topic="主题党日",
        attendance=[AttendanceIn(m.pk, "present") for m in members],
        **kw,
    )


def calendar_cell(html: str, kind: str, org_pk: int, block: str) -> tuple[str, str]:
    """(class, data-state) of one calendar cell."""
    row = re.search(rf'<tr data-kind="{kind}" data-org="{org_pk}">(.*?)</tr>', html, re.S)
    assert row, f"no {kind} row"
    cell = re.search(rf'<td[^>]*class="([^"]*)" data-state="([^"]*)" data-block="{block}"', row[1])
    assert cell, f"no {block} cell in the {kind} row"
    return cell[1], cell[2]


# --- the record form ---------------------------------------------------------------------------------


def test_form_defaults_today_everyone_present(world, login):
    c = login(world.users["sec_a"])
    r = c.get(reverse("meeting_create"))
    assert r.status_code == 200
    html = r.text
    assert f'type="date" name="held_on" value="{TODAY.isoformat()}"' in html
    assert "张三" in html and "李四" in html and "王五" not in html
    for m in (world.member_a, world.member_a_grid):
        assert f'name="status_{m.pk}" value="present" checked' in html
        assert f'name="reason_{m.pk}"' in html
    assert f'<option value="{world.branch_a.pk}" selected' in html
    # a party group: its own members, and the group meeting is the kind it holds
    r = c.get(reverse("meeting_create"), {"org": world.group_a.pk})
    assert "李四" in r.text and "张三" not in r.text
    assert '<option value="group_meeting" selected' in r.text


def test_record_meeting_through_the_form(world, login):
    c = login(world.users["sec_a"])
    a, g = world.member_a.pk, world.member_a_grid.pk
    data = form_data(world, **{f"status_{a}": "leave", f"reason_{a}": "外出务工"})
    data["attachments"] = [SimpleUploadedFile("会议照片.pdf", PDF, content_type="application/pdf")]
    r = c.post(reverse("meeting_create"), data)
    assert r.status_code == 302, r.context and r.context["form"].errors
    meeting = Meeting.objects.get(org=world.branch_a)
    assert r["Location"] == reverse("meeting_detail", kwargs={"meeting_id": meeting.pk})
    assert (meeting.kind, meeting.held_on, meeting.first_agenda) == ("theme_day", PREV, "学习总书记重要讲话")
    att = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    assert att == {a: "leave", g: "online"}
    assert Attendance.objects.get(meeting=meeting, member_id=a).reason == "外出务工"

    detail = c.get(r["Location"])
    assert detail.status_code == 200
    assert "张三" in detail.text and "外出务工" in detail.text and "会议照片.pdf" in detail.text
    assert "msg-success" in detail.text
    f = MeetingAttachment.objects.get(meeting=meeting)
    assert reverse("attachment_download", kwargs={"attachment_id": f.pk}) in detail.text
    assert "/media/" not in detail.text

    dl = c.get(reverse("attachment_download", kwargs={"attachment_id": f.pk}))
    assert dl.status_code == 200 and b"".join(dl.streaming_content) == PDF
    assert (
        dl["Content-Disposition"].startswith("attachment;")
        and "filename*=utf-8''" in dl["Content-Disposition"]
    )
    assert dl["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    "over,fields",
    [
        ({"held_on": (TODAY + dt.timedelta(days=1)).isoformat()}, ["held_on"]),
        ("absent_no_reason", ["attendance"]),
        ({"place": "", "topic": " "}, ["place", "topic"]),
        ({"kind": "group_meeting"}, ["kind"]),
        ({"kind": ""}, ["kind"]),
        ({"held_on": "2026-13-40"}, ["held_on"]),
    ],
)
def test_bad_input_rerenders_with_field_errors_and_stores_nothing(world, login, over, fields):
    c = login(world.users["sec_a"])
    if over == "absent_no_reason":
        over = {f"status_{world.member_a.pk}": "absent", f"reason_{world.member_a.pk}": ""}
    before = (Meeting.objects.count(), Attendance.objects.count(), AuditEntry.objects.count())
    r = c.post(reverse("meeting_create"), form_data(world, **over))
    assert r.status_code == 200
    for field in fields:
        assert f'class="error" data-field="{field}"' in r.text, field
    assert (Meeting.objects.count(), Attendance.objects.count(), AuditEntry.objects.count()) == before
    # the user's input is kept
    assert 'value="学习总书记重要讲话"' in r.text
    assert f'name="status_{world.member_a_grid.pk}" value="online" checked' in r.text


def test_future_date_and_absent_without_reason_reported_together(world, login):
    c = login(world.users["sec_a"])
    a = world.member_a.pk
    data = form_data(world, held_on=(TODAY + dt.timedelta(days=3)).isoformat(), **{f"status_{a}": "absent"})
    r = c.post(reverse("meeting_create"), data)
    assert 'data-field="held_on"' in r.text and "不能晚于今天" in r.text
    assert 'data-field="attendance"' in r.text and "须登记原因" in r.text
    assert f'name="status_{a}" value="absent" checked' in r.text
    assert not Meeting.objects.filter(org=world.branch_a).exists()


def test_member_of_another_village_cannot_be_slipped_in(world, login):
    c = login(world.users["sec_a"])
    data = form_data(world, **{f"status_{world.member_b.pk}": "present"})
    r = c.post(reverse("meeting_create"), data)
    assert r.status_code == 200 and 'data-field="attendance"' in r.text and "不是本组织" in r.text
    assert "王五" not in r.text
    assert not Meeting.objects.filter(org=world.branch_a).exists()


def test_checklist_fragment(world, login):
    c = login(world.users["sec_a"])
    url = reverse("meeting_checklist")
    r = c.get(
        url,
        {"org": world.branch_a.pk, "held_on": PREV.isoformat(), f"status_{world.member_a.pk}": "leave"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "<html" not in r.text
    assert f'name="status_{world.member_a.pk}" value="leave" checked' in r.text  # choices survive a reload
    assert f'name="status_{world.member_a_grid.pk}" value="present" checked' in r.text
    assert 'id="topic-item-widget" hx-swap-oob="true"' in r.text
    # before anyone joined, nobody is on the list
    r = c.get(url, {"org": world.branch_a.pk, "held_on": "2019-01-01"})
    assert "张三" not in r.text
    # someone else's branch, or an org that does not hold meetings
    assert c.get(url, {"org": world.branch_b.pk}).status_code == 404
    assert c.get(reverse("meeting_create"), {"org": world.branch_b.pk}).status_code == 404


# --- calendar and overview -------------------------------------------------------------------------


def test_calendar_overdue_turns_done_and_silent_flag_clears(world, login):
    c = login(world.users["sec_a"])
    url = reverse("orglife_calendar", kwargs={"org_id": world.branch_a.pk})
    block = f"{PREV:%Y-%m}"
    r = c.get(url, {"year": PREV.year})
    assert r.status_code == 200
    css, state = calendar_cell(r.text, "theme_day", world.branch_a.pk, block)
    assert "overdue" in css.split() and state == "overdue"
    assert 'id="silent-flag"' in r.text
    assert f'href="{reverse("meeting_create")}?org={world.branch_a.pk}"' in r.text

    overview = login(world.users["township"]).get(reverse("orglife_overview"))
    assert re.search(rf'<tr class="silent" data-org="{world.branch_a.pk}">', overview.text)

    c = login(world.users["sec_a"])
    assert c.post(reverse("meeting_create"), form_data(world)).status_code == 302
    r = c.get(url, {"year": PREV.year})
    css, state = calendar_cell(r.text, "theme_day", world.branch_a.pk, block)
    assert "overdue" not in css.split() and state == "done"
    assert 'id="silent-flag"' not in r.text

    overview = login(world.users["township"]).get(reverse("orglife_overview"))
    assert re.search(rf'<tr data-org="{world.branch_a.pk}">', overview.text)
    only_silent = login(world.users["township"]).get(reverse("orglife_overview"), {"silent": "1"})
    assert "一村党支部" not in only_silent.text and "二村党支部" in only_silent.text


def test_calendar_group_rows_and_redirects(world, login):
    record(world, org=world.group_a, kind="group_meeting")
    c = login(world.users["sec_a"])
    r = c.get(reverse("orglife_calendar", kwargs={"org_id": world.branch_a.pk}), {"year": PREV.year})
    assert calendar_cell(r.text, "group_meeting", world.group_a.pk, f"{PREV:%Y-%m}")[1] == "done"
    r = c.get(reverse("orglife_calendar", kwargs={"org_id": world.group_a.pk}))
    assert r.status_code == 302 and str(world.branch_a.pk) in r["Location"]
    c = login(world.users["county"])
    r = c.get(reverse("orglife_calendar", kwargs={"org_id": world.town_a_org.pk}))
    assert r.status_code == 302 and r["Location"].endswith(f"?org={world.town_a_org.pk}")


def test_overview_headlines_and_scope(world, login):
    record(world)
    c = login(world.users["county"])
    r = c.get(reverse("orglife_overview"), {"period": str(PREV.year)})
    assert r.status_code == 200
    for name in (
        "participation_rate",
        "education_coverage",
        "compliance_rate",
        "silent_branches",
        "often_absent",
    ):
        assert f'data-indicator="orglife.{name}"' in r.text
    assert "一村党支部" in r.text and "三社区党支部" in r.text
    # participation: both members of A attended, B's member did not → 2/3
    fig = re.search(
        r'data-indicator="orglife.participation_rate">.*?<small class="muted">([^<]+)</small>', r.text, re.S
    )
    assert fig[1].strip() == "2/3"
    r = c.get(reverse("orglife_overview"), {"period": "2026-99"})
    assert r.status_code == 200 and 'data-field="period"' in r.text
    # a secretary sees her branch only and cannot point the page elsewhere
    c = login(world.users["sec_a"])
    r = c.get(reverse("orglife_overview"))
    assert "一村党支部" in r.text and "三社区" not in r.text
    assert c.get(reverse("orglife_overview"), {"org": world.branch_b.pk}).status_code == 404
    assert login(world.users["nobody"]).get(reverse("orglife_overview")).status_code == 404


def test_other_village_gets_404(world, login):
    meeting = record(world, attachments=[SimpleUploadedFile("p.pdf", PDF)])
    att = MeetingAttachment.objects.get(meeting=meeting)
    c = login(world.users["sec_b"])
    for url in (
        reverse("orglife_calendar", kwargs={"org_id": world.branch_a.pk}),
        reverse("meeting_detail", kwargs={"meeting_id": meeting.pk}),
        reverse("attachment_download", kwargs={"attachment_id": att.pk}),
    ):
        r = c.get(url)
        assert r.status_code == 404, url
        assert "一村" not in r.text and "张三" not in r.text
    # the same pages work for A
    c = login(world.users["sec_a"])
    assert c.get(reverse("meeting_detail", kwargs={"meeting_id": meeting.pk})).status_code == 200
    # a party member sees the meeting but neither names nor attachments
    c = login(world.users["member"])
    r = c.get(reverse("meeting_detail", kwargs={"meeting_id": meeting.pk}))
    assert r.status_code == 200 and "张三" not in r.text and "p.pdf" not in r.text
    assert c.get(reverse("attachment_download", kwargs={"attachment_id": att.pk})).status_code == 404
    assert c.get(reverse("meeting_create")).status_code == 404


# --- lists and ledgers -------------------------------------------------------------------------------


def test_meeting_list_filters(world, login):
    record(world, kind="theme_day")
    record(world, kind="party_lecture", held_on=PREV - dt.timedelta(days=1))
    record(world, org=world.branch_b)
    c = login(world.users["county"])
    r = c.get(reverse("meeting_list"))
    assert r.status_code == 200 and r.text.count('href="/orglife/meetings/') >= 6
    r = c.get(reverse("meeting_list"), {"org": world.branch_b.pk})
    assert "三社区党支部" in r.text and "一村党支部</td>" not in r.text
    r = c.get(reverse("meeting_list"), {"kind": "party_lecture"})
    assert r.text.count("一村党支部</td>") == 1
    r = c.get(
        reverse("meeting_list"),
        {"since": PREV.isoformat(), "until": PREV.isoformat(), "org": world.branch_a.pk},
    )
    assert r.text.count("一村党支部</td>") == 1
    assert (
        login(world.users["sec_a"]).get(reverse("meeting_list"), {"org": world.branch_b.pk}).status_code
        == 404
    )


def test_meeting_ledger_is_scoped(world, login):
    record(world)
    record(world, org=world.branch_b)
    rows = xlsx_rows(get_ledger(login(world.users["county"]), "orglife.meetings", period=WHOLE))
    assert rows[0][:3] == ("会议日期", "党组织", "会议类型")
    assert {r[1] for r in rows[1:]} == {"一村党支部", "三社区党支部"}
    c = login(world.users["sec_a"])
    rows = xlsx_rows(get_ledger(c, "orglife.meetings", period=WHOLE))
    assert len(rows) == 2 and rows[1][1] == "一村党支部" and rows[1][6:8] == (2, 2)
    assert get_ledger(c, "orglife.meetings", org=world.branch_b.pk).status_code == 404


def test_attendance_ledger_is_scoped_and_audited(world, login):
    m = services.meeting_record(
        actor=world.users["sec_a"],
        org=world.branch_a,
        kind="party_lecture",
        held_on=PREV,
        place="活动室",
        topic="党课",
        attendance=[
            AttendanceIn(world.member_a.pk, "absent", "=外出未请假"),
            AttendanceIn(world.member_a_grid.pk, "present"),
        ],
    )
    record(world, org=world.branch_b)
    c = login(world.users["sec_a"])
    before = AuditEntry.objects.filter(action="export").count()
    rows = xlsx_rows(get_ledger(c, "orglife.attendance", **{"period": str(PREV.year)}))
    assert rows[0] == (
        "会议日期",
        "党组织",
        "会议类型",
        "会议主题",
        "党员姓名",
        "所在党组织",
        "出勤情况",
        "原因",
    )
    names = {r[4]: r for r in rows[1:]}
    assert set(names) == {"张三", "李四"}
    assert names["张三"][7] == "'=外出未请假"  # formula-safe
    assert names["李四"][5] == "一村第1网格党小组"
    e = AuditEntry.objects.filter(action="export").latest("id")
    assert AuditEntry.objects.filter(action="export").count() == before + 1
    assert (
        e.org_path == world.branch_a.path and e.target_type == "orglife.attendance" and "2" in e.target_repr
    )

    c = login(world.users["county"])
    rows = xlsx_rows(
        get_ledger(c, "orglife.attendance", **{"org": world.branch_a.pk, "period": str(PREV.year)})
    )
    assert {r[4] for r in rows[1:]} == {"张三", "李四"}
    assert AuditEntry.objects.filter(action="export").latest("id").org_path == world.branch_a.path
    rows = xlsx_rows(get_ledger(c, "orglife.attendance", **{"period": str(PREV.year)}))
    assert {r[4] for r in rows[1:]} == {"张三", "李四", "王五"}
    # an empty period
    rows = xlsx_rows(get_ledger(c, "orglife.attendance", **{"period": "2019"}))
    assert len(rows) == 1
    assert get_ledger(c, "orglife.attendance", period="junk").status_code == 400

    c = login(world.users["sec_b"])
    before = AuditEntry.objects.count()
    assert get_ledger(c, "orglife.attendance", org=world.branch_a.pk).status_code == 404
    assert AuditEntry.objects.count() == before, "a refused export was recorded as an export"
    assert get_ledger(login(world.users["grid_a"]), "orglife.attendance").status_code == 404
    assert m.pk


# --- key-content lists -------------------------------------------------------------------------------


def test_county_publishes_and_sees_coverage(world, login):
    c = login(world.users["county"])
    r = c.get(reverse("topic_lists"))
    assert r.status_code == 200 and 'id="topic-publish"' in r.text
    r = c.post(
        reverse("topic_lists"),
        {
            "org": world.county_org.pk,
            "month": f"{PREV:%Y-%m}",
            "title": "重点内容清单",
            "items": "学习全会精神\n\n开展主题党日\n",
        },
    )
    assert r.status_code == 302, r.context and r.context["form"].errors
    tl = TopicList.objects.get(org=world.county_org)
    assert tl.month == PREV.replace(day=1) and [i.title for i in tl.items.all()] == [
        "学习全会精神",
        "开展主题党日",
    ]
    assert r["Location"] == reverse("topic_list_detail", kwargs={"topic_list_id": tl.pk})
    # the same month again: the service's message next to the field, nothing stored
    r = c.post(
        reverse("topic_lists"),
        {"org": world.county_org.pk, "month": f"{PREV:%Y-%m}", "title": "又一份", "items": "x"},
    )
    assert r.status_code == 200 and 'data-field="month"' in r.text and "已发布" in r.text
    assert TopicList.objects.filter(org=world.county_org).count() == 1

    item1, item2 = tl.items.all()
    # the branch records a meeting covering item 1 through the form; its group covers it too
    c = login(world.users["sec_a"])
    r = c.get(reverse("meeting_create"))
    assert "学习全会精神" in r.text and f'<option value="{item1.pk}"' in r.text
    assert c.post(reverse("meeting_create"), form_data(world, topic_item=item1.pk)).status_code == 302
    assert Meeting.objects.get(org=world.branch_a).topic_item == item1
    record(world, org=world.group_a, kind="group_meeting", topic_item=item1)
    # an administrative meeting covers nothing
    record(world, org=world.branch_b, kind="administrative", topic_item=item2)
    # the branch sees the county's list
    r = c.get(reverse("topic_lists"))
    assert "重点内容清单" in r.text and 'id="topic-publish"' not in r.text
    assert c.post(reverse("topic_lists"), {"org": world.county_org.pk}).status_code == 404

    c = login(world.users["county"])
    r = c.get(reverse("topic_list_detail", kwargs={"topic_list_id": tl.pk}))
    assert r.status_code == 200
    rows = dict(re.findall(r'<tr data-item="(\d+)">.*?data-covered="(\d+)" data-branches="3"', r.text, re.S))
    assert rows == {str(item1.pk): "1", str(item2.pk): "0"}
    missing1 = re.search(rf'<tr data-item="{item1.pk}">(.*?)</tr>', r.text, re.S)[1]
    assert "二村党支部" in missing1 and "三社区党支部" in missing1 and "一村党支部" not in missing1
    missing2 = re.search(rf'<tr data-item="{item2.pk}">(.*?)</tr>', r.text, re.S)[1]
    assert "三社区党支部" in missing2  # its administrative meeting does not count

    # a secretary sees the coverage of her own branch only
    r = login(world.users["sec_a"]).get(reverse("topic_list_detail", kwargs={"topic_list_id": tl.pk}))
    assert re.search(rf'data-item="{item1.pk}">.*?data-covered="1" data-branches="1"', r.text, re.S)
    assert "三社区" not in r.text


def test_topic_list_outside_visible_lists_is_404(world, login):
    tl_b = services.topic_list_publish(
        actor=world.users["county"], org=world.town_b_org, month=PREV, title="乙镇清单", items=["条目"]
    )
    assert (
        login(world.users["sec_a"])
        .get(reverse("topic_list_detail", kwargs={"topic_list_id": tl_b.pk}))
        .status_code
        == 404
    )
    assert "乙镇清单" not in login(world.users["sec_a"]).get(reverse("topic_lists")).text
    assert (
        login(world.users["sec_b"])
        .get(reverse("topic_list_detail", kwargs={"topic_list_id": tl_b.pk}))
        .status_code
        == 200
    )


# --- query-count pins --------------------------------------------------------------------------------


def test_meeting_list_query_count_is_flat(world, login, django_assert_max_num_queries):
    for i in range(30):
        record(world, held_on=PREV - dt.timedelta(days=i), topic_item=None)
        record(world, org=world.group_a, kind="group_meeting", held_on=PREV - dt.timedelta(days=i))
    c = login(world.users["county"])
    c.get(reverse("meeting_list"))  # warm the session
    with django_assert_max_num_queries(8):
        r = c.get(reverse("meeting_list"))
    assert r.text.count("一村第1网格党小组</td>") == 25
    with django_assert_max_num_queries(8):
        c.get(reverse("meeting_list"), {"page": 2, "org": world.town_a_org.pk, "q": "主题"})


def test_overview_query_count_is_flat(demo_county, client, django_assert_max_num_queries):
    client.login(request=HttpRequest(), username="county", password="demo12345")
    client.get(reverse("orglife_overview"))
    with django_assert_max_num_queries(40):
        r = client.get(reverse("orglife_overview"))
    assert r.status_code == 200 and r.text.count("<tr") >= 13
    with django_assert_max_num_queries(40):
        client.get(reverse("orglife_overview"), {"silent": "1", "period": "2026-Q3"})
