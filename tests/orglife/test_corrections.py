"""Correcting (更正) and withdrawing (撤销) a recorded meeting, the duplicate warning, the chair and
the minute-taker, and the lock a confirmed grading puts on its year."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.core import audit, indicators, rollups
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry, RollupDirty
from jiceng.core.periods import parse_period
from jiceng.core.services import api_token_create
from jiceng.grading import services as grading
from jiceng.grading.models import Grade
from jiceng.orglife import compliance, queries, selectors, services
from jiceng.orglife.models import Attendance, Meeting
from jiceng.orglife.services import AttendanceIn

TODAY = timezone.localdate()
# this year, before today where the year allows it (a meeting may not be in the future)
HELD = TODAY - dt.timedelta(days=1) if TODAY.timetuple().tm_yday > 1 else TODAY
YEAR = HELD.year
PERIOD = parse_period(str(YEAR))


def record(world, actor=None, org=None, kind="theme_day", held_on=HELD, attendance=None, **kw):
    org = org or world.branch_a
    if attendance is None:
        attendance = [
            AttendanceIn(world.member_a.pk, "present"),
            AttendanceIn(world.member_a_grid.pk, "absent", "未请假"),
        ]
    return services.meeting_record(
        actor=actor or world.users["sec_a"],
        org=org,
        kind=kind,
        held_on=held_on,
        place="村党员活动室",
        topic=kw.pop("topic", "学习贯彻会议精神"),
        attendance=attendance,
        **kw,
    )


def snapshot(meeting: Meeting) -> tuple:
    return (
        Meeting.objects.filter(pk=meeting.pk).values().get(),
        list(
            Attendance.objects.filter(meeting=meeting)
            .order_by("member_id")
            .values("member_id", "status", "reason")
        ),
        AuditEntry.objects.count(),
    )


def participation(world, org=None):
    return indicators.compute(
        actor=world.users["county"],
        name="orglife.participation_rate",
        org=org or world.branch_a,
        period=PERIOD,
    )


def theme_day_held(world) -> int:
    row = next(r for r in compliance.unit_calendar(world.branch_a, YEAR, TODAY) if r.kind == "theme_day")
    return next(c.held for c in row.cells if c.block.start <= HELD <= c.block.end)


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=user, name='t')[1]}"}


def api(client, method, url, body, headers):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **headers)


def confirm_branch_a(world):
    """The county's round of the year, with 一村党支部's grade confirmed: its year is locked."""
    rnd = grading.round_open(actor=world.users["county"], org=world.county_org, year=YEAR)
    grading.grade_confirm(actor=world.users["county"], grade=Grade.objects.get(round=rnd, org=world.branch_a))
    return rnd


# --- correction ----------------------------------------------------------------------------------


def test_correction_changes_the_figures_and_is_audited(world):
    m = record(world)
    assert participation(world).value == 0.5  # 张三 present, 李四 absent
    RollupDirty.objects.all().delete()
    services.meeting_correct(
        actor=world.users["sec_a"],
        meeting=m,
        reason="李四线上参加，登记有误",
        attendance=[
            AttendanceIn(world.member_a.pk, "present"),
            AttendanceIn(world.member_a_grid.pk, "online"),
        ],
        topic="学习贯彻全会精神",
    )
    assert participation(world).value == 1.0
    assert dict(Attendance.objects.filter(meeting=m).values_list("member_id", "status")) == {
        world.member_a.pk: "present",
        world.member_a_grid.pk: "online",
    }
    m.refresh_from_db()
    assert (
        m.topic == "学习贯彻全会精神"
        and m.corrected_at is not None
        and m.corrected_by == world.users["sec_a"]
    )
    # the stored figures are marked behind, as after recording
    assert world.branch_a.path in set(RollupDirty.objects.values_list("org_path", flat=True))
    entry = AuditEntry.objects.filter(
        target_type="orglife.meeting", target_id=str(m.pk), action="correct"
    ).get()
    assert entry.changes["correction_reason"] == [None, "李四线上参加，登记有误"]
    assert entry.changes["topic"] == ["学习贯彻会议精神", "学习贯彻全会精神"]
    assert any("李四" in line and "线上" in line for line in entry.changes["attendance_changes"][1])
    labels = {label for label, _b, _a in audit.readable_changes(entry)}
    assert {"更正原因", "出勤变动"} <= labels or {"reason for correction", "attendance changes"} <= labels
    assert "correct" in audit.action_labels()


def test_correction_keeps_the_fields_not_given_and_checks_them_again(world):
    m = record(world)
    services.meeting_correct(actor=world.users["sec_a"], meeting=m, reason="地点写错", kind="party_lecture")
    m.refresh_from_db()
    assert m.kind == "party_lecture" and m.place == "村党员活动室"
    assert Attendance.objects.filter(meeting=m).count() == 2
    # a party group meeting cannot be held by the branch: the recording rule applies to a correction
    with pytest.raises(DomainError) as exc:
        services.meeting_correct(actor=world.users["sec_a"], meeting=m, reason="x", kind="group_meeting")
    assert "党小组" in exc.value.errors["kind"][0]


@pytest.mark.parametrize(
    "change,field",
    [
        ({"held_on": TODAY + dt.timedelta(days=1)}, "held_on"),
        ({"kind": "tea_party"}, "kind"),
        ({"place": " "}, "place"),
        ({"attendance": [AttendanceIn(1, "present")]}, "attendance"),
        ({"reason": ""}, "reason"),
        ({"chair": -1}, "chair"),
        ({"topic": "x" * 301}, "topic"),
    ],
)
def test_a_refused_correction_leaves_the_meeting_exactly_as_it_was(world, change, field):
    m = record(world)
    before = snapshot(m)
    kw = {"reason": "更正", **change}
    with pytest.raises(DomainError) as exc:
        services.meeting_correct(actor=world.users["sec_a"], meeting=m, **kw)
    assert field in exc.value.errors, exc.value.errors
    assert snapshot(m) == before
    assert m.topic == "学习贯彻会议精神"  # and the object in hand too


def test_a_correction_that_changes_nothing_is_refused(world):
    m = record(world)
    before = snapshot(m)
    with pytest.raises(DomainError) as exc:
        services.meeting_correct(actor=world.users["sec_a"], meeting=m, reason="没改", place="村党员活动室")
    assert "没有修改" in exc.value.errors["__all__"][0]
    assert snapshot(m) == before


def test_correction_and_withdrawal_outside_the_scope_are_not_found(world):
    m = record(world)
    for actor in (world.users["sec_b"], world.users["member"], world.users["grid_a"]):
        with pytest.raises(NotFound):
            services.meeting_correct(actor=actor, meeting=m, reason="x", topic="越权")
        with pytest.raises(NotFound):
            services.meeting_withdraw(actor=actor, meeting=m, reason="越权")


# --- withdrawal ------------------------------------------------------------------------------------


def test_a_withdrawn_meeting_counts_nowhere(world, client):
    m = record(world)
    county = world.users["county"]
    ledger = list(selectors.meeting_ledger_rows(actor=county, since=HELD, until=HELD))
    att_ledger = list(selectors.attendance_ledger_rows(actor=county, org=None, period=PERIOD))
    assert participation(world).value == 0.5 and theme_day_held(world) == 1
    assert len(ledger) == 1 and len(att_ledger) == 2
    assert queries.last_party_life([world.branch_a], TODAY)[world.branch_a.pk] == HELD
    assert selectors.meetings_for(actor=county).filter(pk=m.pk).exists()
    r = client.get("/api/v1/meetings", **bearer(world.users["sec_a"]))
    assert [i["id"] for i in r.json()["items"]] == [m.pk]

    RollupDirty.objects.all().delete()
    services.meeting_withdraw(actor=world.users["sec_a"], meeting=m, reason="重复登记")
    assert participation(world).value == 0.0
    assert theme_day_held(world) == 0
    assert list(selectors.meeting_ledger_rows(actor=county, since=HELD, until=HELD)) == []
    assert list(selectors.attendance_ledger_rows(actor=county, org=None, period=PERIOD)) == []
    assert queries.last_party_life([world.branch_a], TODAY)[world.branch_a.pk] is None
    assert not selectors.meetings_for(actor=county).filter(pk=m.pk).exists()
    r = client.get("/api/v1/meetings", **bearer(world.users["sec_a"]))
    assert r.json()["count"] == 0
    r = client.get("/api/v1/meetings", {"withdrawn": "true"}, **bearer(world.users["sec_a"]))
    assert [(i["id"], i["withdrawn"], i["withdraw_reason"]) for i in r.json()["items"]] == [
        (m.pk, True, "重复登记")
    ]
    # kept, marked, with its attendance
    m.refresh_from_db()
    assert (
        m.withdrawn_at is not None
        and m.withdrawn_by == world.users["sec_a"]
        and m.withdraw_reason == "重复登记"
    )
    assert Attendance.objects.filter(meeting=m).count() == 2
    assert world.branch_a.path in set(RollupDirty.objects.values_list("org_path", flat=True))
    entry = AuditEntry.objects.get(target_type="orglife.meeting", target_id=str(m.pk), action="withdraw")
    assert entry.changes["withdraw_reason"] == [None, "重复登记"] and entry.org_path == world.branch_a.path
    # no second withdrawal, no correction of a withdrawn meeting
    with pytest.raises(DomainError):
        services.meeting_withdraw(actor=world.users["sec_a"], meeting=m, reason="再撤")
    with pytest.raises(DomainError) as exc:
        services.meeting_correct(actor=world.users["sec_a"], meeting=m, reason="x", topic="y")
    assert "已撤销" in exc.value.errors["__all__"][0]


def test_a_withdrawn_meeting_no_longer_satisfies_its_block(world):
    last_month = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
    month = parse_period(f"{last_month:%Y-%m}")  # an ended block: due, and held by the meeting
    m = record(world, held_on=last_month)
    assert compliance.tally(world.branch_a, month).by_kind["theme_day"] == (1, 1)
    services.meeting_withdraw(actor=world.users["sec_a"], meeting=m, reason="未召开")
    assert compliance.tally(world.branch_a, month).by_kind["theme_day"] == (0, 1)
    assert (
        indicators.compute(
            actor=world.users["county"], name="orglife.compliance_rate", org=world.branch_a, period=month
        ).numerator
        == compliance.tally(world.branch_a, month).satisfied
    )


def test_the_stored_rollups_follow_a_withdrawal(world):
    period = parse_period(None)
    m = record(world)
    rollups.refresh(world.county_org, period)
    RollupDirty.objects.all().delete()
    county = world.users["county"]
    got = indicators.compute_many(
        actor=county, names=["orglife.participation_rate"], org=world.county_org, period=period
    )
    assert got.stored_at is not None and got.values["orglife.participation_rate"].numerator == 1
    services.meeting_withdraw(actor=world.users["sec_a"], meeting=m, reason="未召开")
    assert world.county_org in rollups.cycle(period)
    got = indicators.compute_many(
        actor=county, names=["orglife.participation_rate"], org=world.county_org, period=period
    )
    assert got.stored_at is not None and not got.pending
    assert got.values["orglife.participation_rate"].numerator == 0


def test_withdrawal_needs_a_reason(world):
    m = record(world)
    before = snapshot(m)
    for reason in ("", "  ", "x" * 301):
        with pytest.raises(DomainError) as exc:
            services.meeting_withdraw(actor=world.users["sec_a"], meeting=m, reason=reason)
        assert "撤销原因" in exc.value.errors["reason"][0]
    assert snapshot(m) == before


# --- duplicates --------------------------------------------------------------------------------------


def test_a_second_meeting_of_the_same_kind_and_day_needs_a_confirmation(world):
    first = record(world)
    before = Meeting.objects.count()
    with pytest.raises(DomainError) as exc:
        record(world, topic="第二次")
    msg = exc.value.errors["confirm_duplicate"][0]
    assert "重复会议" in msg and f"编号 {first.pk}" in msg and "确认这是另一次会议" in msg
    assert Meeting.objects.count() == before
    second = record(world, topic="第二次", confirm_duplicate=True)
    # another kind, another day, another organisation: no warning
    record(world, kind="party_lecture")
    record(world, held_on=HELD - dt.timedelta(days=1))
    record(
        world,
        actor=world.users["sec_b"],
        org=world.branch_b,
        attendance=[AttendanceIn(world.member_b.pk, "present")],
    )
    # a withdrawn meeting is no duplicate
    services.meeting_withdraw(actor=world.users["sec_a"], meeting=first, reason="重复")
    services.meeting_withdraw(actor=world.users["sec_a"], meeting=second, reason="重复")
    record(world, topic="补记")


def test_correcting_into_a_duplicate_needs_the_confirmation_too(world):
    record(world)
    other = record(world, kind="party_lecture")
    before = snapshot(other)
    with pytest.raises(DomainError) as exc:
        services.meeting_correct(actor=world.users["sec_a"], meeting=other, reason="类型错", kind="theme_day")
    assert "confirm_duplicate" in exc.value.errors
    assert snapshot(other) == before
    services.meeting_correct(
        actor=world.users["sec_a"], meeting=other, reason="类型错", kind="theme_day", confirm_duplicate=True
    )
    # a meeting is no duplicate of itself
    services.meeting_correct(actor=world.users["sec_a"], meeting=other, reason="主题", topic="新主题")


def test_duplicate_warning_on_the_form_lists_the_meeting_and_takes_the_tick(world, login):
    first = record(world)
    c = login(world.users["sec_a"])
    a, g = world.member_a.pk, world.member_a_grid.pk
    data = {
        "org": world.branch_a.pk,
        "kind": "theme_day",
        "held_on": HELD.isoformat(),
        "place": "活动室",
        "topic": "另一次",
        f"status_{a}": "present",
        f"status_{g}": "present",
    }
    r = c.post(reverse("meeting_create"), data)
    assert r.status_code == 200 and 'id="duplicate-warning"' in r.text
    assert reverse("meeting_detail", kwargs={"meeting_id": first.pk}) in r.text
    assert 'name="confirm_duplicate"' in r.text and "重复会议" in r.text
    assert Meeting.objects.filter(org=world.branch_a).count() == 1
    r = c.post(reverse("meeting_create"), {**data, "confirm_duplicate": "on"})
    assert r.status_code == 302 and Meeting.objects.filter(org=world.branch_a).count() == 2


def test_duplicate_through_the_api_is_400_rules_unless_confirmed(world, client):
    record(world)
    body = {
        "org": world.branch_a.pk,
        "kind": "theme_day",
        "held_on": HELD.isoformat(),
        "place": "活动室",
        "topic": "另一次",
        "attendance": [
            {"member_id": world.member_a.pk, "status": "present"},
            {"member_id": world.member_a_grid.pk, "status": "present"},
        ],
    }
    h = bearer(world.users["sec_a"])
    r = api(client, "post", "/api/v1/meetings", body, h)
    assert r.status_code == 400 and r.json()["stage"] == "rules"
    assert (
        r.json()["errors"][0]["field"] == "confirm_duplicate"
        and "重复会议" in r.json()["errors"][0]["message"]
    )
    r = api(client, "post", "/api/v1/meetings", {**body, "confirm_duplicate": True}, h)
    assert r.status_code == 200, r.content


# --- chair and minute-taker -------------------------------------------------------------------------


def test_chair_and_minute_taker_are_members_present(world, client, login):
    with pytest.raises(DomainError) as exc:
        record(world, chair=world.member_a_grid.pk, minute_taker=world.member_b.pk)  # absent; not a member
    assert "主持人" in exc.value.errors["chair"][0] and "出席" in exc.value.errors["chair"][0]
    assert "记录人" in exc.value.errors["minute_taker"][0]
    assert not Meeting.objects.filter(org=world.branch_a).exists()
    m = record(
        world,
        chair=world.member_a.pk,
        minute_taker=world.member_a_grid.pk,
        attendance=[
            AttendanceIn(world.member_a.pk, "present"),
            AttendanceIn(world.member_a_grid.pk, "online"),
        ],
    )
    assert (m.chair, m.minute_taker) == (world.member_a, world.member_a_grid)
    entry = AuditEntry.objects.get(target_type="orglife.meeting", target_id=str(m.pk), action="create")
    assert entry.changes["chair"] == [None, "张三"]
    # the page, the ledger, the API
    c = login(world.users["sec_a"])
    page = c.get(reverse("meeting_detail", kwargs={"meeting_id": m.pk})).text
    assert '<dd id="chair">张三</dd>' in page and '<dd id="minute-taker">李四</dd>' in page
    row = next(iter(selectors.meeting_ledger_rows(actor=world.users["county"])))
    assert row[-2:] == ("张三", "李四") and selectors.MEETING_LEDGER_HEADERS[-2:] == ("主持人", "记录人")
    body = client.get(f"/api/v1/meetings/{m.pk}", **bearer(world.users["sec_a"])).json()
    assert (body["chair_id"], body["chair_name"], body["minute_taker_name"]) == (
        world.member_a.pk,
        "张三",
        "李四",
    )
    # a member-role user sees the meeting but not members' names
    assert (
        "张三"
        not in login(world.users["member"]).get(reverse("meeting_detail", kwargs={"meeting_id": m.pk})).text
    )
    # a correction that marks the chair absent is refused, naming the field
    before = snapshot(m)
    with pytest.raises(DomainError) as exc:
        services.meeting_correct(
            actor=world.users["sec_a"],
            meeting=m,
            reason="出勤更正",
            attendance=[
                AttendanceIn(world.member_a.pk, "leave", "生病"),
                AttendanceIn(world.member_a_grid.pk, "online"),
            ],
        )
    assert "主持人" in exc.value.errors["chair"][0]
    assert snapshot(m) == before


# --- the lock of a confirmed grading -----------------------------------------------------------------


def test_a_confirmed_year_refuses_record_correct_and_withdraw_until_reopened(world):
    m = record(world)
    rnd = confirm_branch_a(world)
    before = snapshot(m)
    with pytest.raises(DomainError) as exc:
        record(world, kind="party_lecture")
    assert "已锁定" in exc.value.errors["held_on"][0] and "重新开放" in exc.value.errors["held_on"][0]
    with pytest.raises(DomainError) as exc:  # a party group counts toward its branch's grade
        record(
            world,
            org=world.group_a,
            kind="group_meeting",
            attendance=[AttendanceIn(world.member_a_grid.pk, "present")],
        )
    assert "已锁定" in exc.value.errors["held_on"][0]
    with pytest.raises(DomainError) as exc:
        services.meeting_correct(actor=world.users["sec_a"], meeting=m, reason="更正", topic="新")
    assert "已锁定" in exc.value.errors["__all__"][0]
    with pytest.raises(DomainError) as exc:
        services.meeting_withdraw(actor=world.users["sec_a"], meeting=m, reason="撤销")
    assert "已锁定" in exc.value.errors["__all__"][0]
    assert snapshot(m) == before
    # another year, and a branch whose grade is not confirmed, stay open
    last_year = dt.date(YEAR - 1, 12, 31)
    record(world, held_on=last_year)
    record(
        world,
        actor=world.users["sec_b"],
        org=world.branch_b,
        attendance=[AttendanceIn(world.member_b.pk, "present")],
    )

    grading.round_reopen(actor=world.users["county"], rnd=rnd, reason="一村党支部会议记录需更正")
    services.meeting_correct(actor=world.users["sec_a"], meeting=m, reason="更正", topic="新")
    record(world, kind="party_lecture")
    # re-confirmed: locked again
    grading.grade_confirm(actor=world.users["county"], grade=Grade.objects.get(round=rnd, org=world.branch_a))
    with pytest.raises(DomainError):
        services.meeting_withdraw(actor=world.users["sec_a"], meeting=m, reason="撤销")


def test_the_pages_offer_correction_and_withdrawal_to_those_who_record(world, login):
    m = record(world)
    detail = reverse("meeting_detail", kwargs={"meeting_id": m.pk})
    edit = reverse("meeting_edit", kwargs={"meeting_id": m.pk})
    withdraw = reverse("meeting_withdraw", kwargs={"meeting_id": m.pk})
    c = login(world.users["member"])  # sees the meeting, may not record
    page = c.get(detail)
    assert page.status_code == 200 and edit not in page.text and withdraw not in page.text
    assert c.get(edit).status_code == 404 and c.post(withdraw, {"reason": "x"}).status_code == 404

    c = login(world.users["sec_a"])
    page = c.get(detail).text
    assert edit in page and withdraw in page
    form = c.get(edit)
    assert form.status_code == 200
    assert 'value="学习贯彻会议精神"' in form.text
    assert f'name="status_{world.member_a_grid.pk}" value="absent" checked' in form.text
    a, g = world.member_a.pk, world.member_a_grid.pk
    data = {
        "kind": "theme_day",
        "held_on": HELD.isoformat(),
        "place": "村党员活动室",
        "topic": "学习贯彻会议精神",
        f"status_{a}": "present",
        f"status_{g}": "online",
        "chair": str(a),
    }
    before = snapshot(m)
    r = c.post(edit, data)  # no reason
    assert r.status_code == 200 and "更正原因" in r.text and snapshot(m) == before
    r = c.post(edit, {**data, "reason": "李四线上参加"})
    assert r.status_code == 302 and r["Location"] == detail
    m.refresh_from_db()
    assert m.chair_id == a and Attendance.objects.get(meeting=m, member_id=g).status == "online"

    r = c.get(withdraw)
    assert r.status_code == 200 and 'id="withdraw-form"' in r.text
    r = c.post(withdraw, {"reason": ""})
    assert r.status_code == 200 and "撤销原因" in r.text
    r = c.post(withdraw, {"reason": "重复登记"})
    assert r.status_code == 302
    page = c.get(detail).text
    assert 'id="withdrawn-banner"' in page and "重复登记" in page and edit not in page
    assert c.get(edit).status_code == 200 and 'id="locked-notice"' in c.get(edit).text
    listing = c.get(reverse("meeting_list")).text
    assert detail not in listing
    assert detail in c.get(reverse("meeting_list"), {"withdrawn": "on"}).text


def test_a_locked_meeting_page_says_why(world, login):
    m = record(world)
    confirm_branch_a(world)
    c = login(world.users["sec_a"])
    page = c.get(reverse("meeting_detail", kwargs={"meeting_id": m.pk})).text
    assert 'id="locked-notice"' in page and "已锁定" in page
    assert reverse("meeting_edit", kwargs={"meeting_id": m.pk}) not in page
    r = c.post(reverse("meeting_withdraw", kwargs={"meeting_id": m.pk}), {"reason": "撤销"})
    assert r.status_code == 200 and "已锁定" in r.text
    assert Meeting.objects.get(pk=m.pk).withdrawn_at is None


# --- API ---------------------------------------------------------------------------------------------


def test_api_correction_and_withdrawal(world, client):
    m = record(world)
    sec, other = bearer(world.users["sec_a"]), bearer(world.users["sec_b"])
    url = f"/api/v1/meetings/{m.pk}"
    before = snapshot(m)
    r = api(client, "patch", url, {"topic": "新主题"}, sec)
    assert (
        r.status_code == 400 and r.json()["stage"] == "rules" and r.json()["errors"][0]["field"] == "reason"
    )
    r = api(client, "patch", url, {"reason": "x", "held_on": (TODAY + dt.timedelta(days=3)).isoformat()}, sec)
    assert r.status_code == 400
    assert snapshot(m) == before
    r = api(
        client,
        "patch",
        url,
        {
            "reason": "李四线上参加",
            "topic": "新主题",
            "attendance": [
                {"member_id": world.member_a.pk, "status": "present"},
                {"member_id": world.member_a_grid.pk, "status": "online"},
            ],
            "minute_taker": world.member_a_grid.pk,
        },
        sec,
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (
        body["topic"] == "新主题"
        and body["n_attended"] == 2
        and body["minute_taker_id"] == world.member_a_grid.pk
    )
    assert body["corrected_at"] is not None and body["place"] == "村党员活动室"
    # out of scope: 404, nothing changed
    before = snapshot(m)
    assert api(client, "patch", url, {"reason": "越权", "topic": "越权"}, other).status_code == 404
    assert api(client, "post", f"{url}/withdraw", {"reason": "越权"}, other).status_code == 404
    assert snapshot(m) == before
    r = api(client, "post", f"{url}/withdraw", {"reason": ""}, sec)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "reason"
    r = api(client, "post", f"{url}/withdraw", {"reason": "未召开"}, sec)
    assert r.status_code == 200 and r.json()["withdrawn"] is True and r.json()["withdraw_reason"] == "未召开"


def test_api_refuses_a_locked_year_with_the_reason(world, client):
    m = record(world)
    confirm_branch_a(world)
    h = bearer(world.users["sec_a"])
    r = api(client, "patch", f"/api/v1/meetings/{m.pk}", {"reason": "x", "topic": "y"}, h)
    assert r.status_code == 400 and "已锁定" in r.json()["errors"][0]["message"]
    r = api(client, "post", f"/api/v1/meetings/{m.pk}/withdraw", {"reason": "x"}, h)
    assert r.status_code == 400 and "已锁定" in r.json()["errors"][0]["message"]


def test_the_form_offers_the_holders_members_as_chair_and_minute_taker(world, login):
    c = login(world.users["sec_a"])
    page = c.get(reverse("meeting_create")).text
    for name in ("chair", "minute_taker"):
        assert f'name="{name}"' in page
    assert f'<option value="{world.member_a.pk}">张三</option>' in page and "王五" not in page
    # the checklist fragment swaps the selects for another organisation's members
    r = c.get(
        reverse("meeting_checklist"),
        {"org": world.group_a.pk, "held_on": HELD.isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert 'id="chair-widget" hx-swap-oob="true"' in r.text
    assert f'<option value="{world.member_a_grid.pk}">李四</option>' in r.text and "张三" not in r.text


def test_the_withdrawn_list_does_not_query_per_row(world, login, django_assert_max_num_queries):
    for n in range(3):
        m = record(world, topic=f"会{n}", confirm_duplicate=True)
        services.meeting_withdraw(actor=world.users["sec_a"], meeting=m, reason="重复")
    c = login(world.users["sec_a"])
    with django_assert_max_num_queries(12):
        r = c.get(reverse("meeting_list"), {"withdrawn": "on"})
    assert r.text.count('class="tag overdue"') == 3
