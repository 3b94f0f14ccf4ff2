"""The routine work (MANAGE_DUTY): the duty roster, the monthly dispute routine and its report, the
three lists — the services' rules and refusals, the scope, and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jiceng.cases import routine, routine_selectors, services
from jiceng.cases.models import DisputeRoutine, DutyShift, ListItem, Milestone, ScreeningItem
from jiceng.core import audit
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry
from tests.factories import AreaFactory


def url(name: str, *args, **query) -> str:
    base = reverse(name, args=args)
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def today() -> dt.date:
    return timezone.localdate()


def this_month() -> dt.date:
    return today().replace(day=1)


# --- the duty roster ------------------------------------------------------------------------------------


def test_who_may_be_on_duty_and_when(cw):
    w = cw.w
    sec, member = w.users["sec_a"], w.users["member"]
    shift = routine.add_shift(actor=sec, area=w.village_a, on=today(), user_id=member.pk)
    assert shift.area == w.village_a and shift.user == member
    with pytest.raises(DomainError) as exc:  # the same person twice on a day
        routine.add_shift(actor=sec, area=w.village_a, on=today(), user_id=member.pk)
    assert "已在" in exc.value.errors["user"][0]
    for day in (today() + dt.timedelta(days=63), today() - dt.timedelta(days=32), None):
        with pytest.raises(DomainError) as exc:
            routine.add_shift(actor=sec, area=w.village_a, on=day, user_id=w.users["sec_a"].pk)
        assert set(exc.value.errors) == {"on"}
    # the grid worker's role is on the grid's party group, B's secretary is elsewhere: neither
    for other in (w.users["grid_a"], w.users["sec_b"], w.users["nobody"]):
        with pytest.raises(DomainError) as exc:
            routine.add_shift(actor=sec, area=w.village_a, on=today(), user_id=other.pk)
        assert set(exc.value.errors) == {"user"}
    # the township's officer may be on duty in the village below (a role on the area above)
    routine.add_shift(actor=w.users["township"], area=w.village_a, on=today(), user_id=w.users["township"].pk)
    # out of reach: B's village, the township for a village secretary
    with pytest.raises(NotFound):
        routine.add_shift(actor=sec, area=w.village_b, on=today(), user_id=w.users["sec_b"].pk)
    with pytest.raises(NotFound):
        routine.add_shift(actor=sec, area=w.town_a, on=today(), user_id=sec.pk)
    with pytest.raises(DomainError):  # a grid is no service point
        routine.add_shift(actor=sec, area=w.grid_a, on=today(), user_id=sec.pk)
    assert DutyShift.objects.filter(area=w.village_a).count() == 2
    with pytest.raises(NotFound):
        routine.remove_shift(actor=w.users["sec_b"], shift=shift)
    routine.remove_shift(actor=sec, shift=shift)
    assert not DutyShift.objects.filter(pk=shift.pk).exists()
    assert [
        e.action
        for e in AuditEntry.objects.filter(action__startswith="duty_", org_path=w.branch_a.path).order_by(
            "pk"
        )
    ] == [
        "duty_add",
        "duty_add",
        "duty_remove",
    ]


def test_service_points_with_nobody_on_duty_are_flagged(cw, login):
    w = cw.w
    t = w.users["township"]
    routine.add_shift(actor=t, area=w.village_a, on=today(), user_id=w.users["sec_a"].pk)
    routine.add_shift(actor=t, area=w.town_a, on=today(), user_id=t.pk)
    assert set(routine_selectors.uncovered(actor=t, day=today())) == {w.village_a2}
    assert set(routine_selectors.uncovered(actor=w.users["sec_a"], day=today())) == set()
    page = login(t).get(url("cases_duty"))
    assert page.status_code == 200
    flagged = page.text.split('id="uncovered"')[1].split("</section>")[0]
    assert "二村" in flagged and "一村" not in flagged and "三社区" not in page.text
    page = login(w.users["sec_a"]).get(url("cases_duty"))
    assert 'id="all-covered"' in page.text and "二村" not in page.text


def test_roster_page_adds_and_removes(cw, login):
    w = cw.w
    client = login(w.users["sec_a"])
    page = client.get(url("cases_duty_roster", w.village_a.pk))
    assert page.status_code == 200 and f'data-day="{today():%Y-%m-%d}"' in page.text
    r = client.post(
        url("cases_duty_roster", w.village_a.pk), {"on": today().isoformat(), "user": w.users["member"].pk}
    )
    assert r.status_code == 302
    shift = DutyShift.objects.get(area=w.village_a)
    page = client.get(url("cases_duty_roster", w.village_a.pk))
    assert str(w.users["member"]) in page.text.split(f'data-day="{today():%Y-%m-%d}"')[1].split("</li>")[0]
    r = client.post(
        url("cases_duty_roster", w.village_a.pk), {"on": "2000-01-01", "user": w.users["member"].pk}
    )
    assert r.status_code == 200 and 'data-field="on"' in r.text
    # B's secretary can neither read A's roster nor take A's shift off
    b = login(w.users["sec_b"])
    assert b.get(url("cases_duty_roster", w.village_a.pk)).status_code == 404
    assert b.post(url("cases_duty_remove", shift.pk)).status_code == 404
    assert DutyShift.objects.filter(pk=shift.pk).exists()
    client = login(w.users["sec_a"])
    assert client.get(url("cases_duty_remove", shift.pk)).status_code == 405
    assert client.post(url("cases_duty_remove", shift.pk)).status_code == 302
    assert not DutyShift.objects.filter(pk=shift.pk).exists()


# --- the monthly dispute routine ----------------------------------------------------------------------------


def test_the_monthly_meeting_is_checked(cw):
    w, sec = cw.w, cw.w.users["sec_a"]
    next_month = (this_month() + dt.timedelta(days=32)).replace(day=1)
    with pytest.raises(DomainError) as exc:
        routine.record_meeting(
            actor=sec, area=w.village_a, month=this_month(), meeting_on=next_month, attendees=[], minutes=""
        )
    assert set(exc.value.errors) == {"meeting_on", "attendees", "minutes"}
    with pytest.raises(DomainError) as exc:
        routine.record_meeting(
            actor=sec, area=w.village_a, month=next_month, meeting_on=today(), attendees=["两委"], minutes="x"
        )
    assert "month" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        routine.record_meeting(
            actor=sec,
            area=w.village_a,
            month=this_month(),
            meeting_on=today(),
            attendees=["外星人"],
            minutes="x",
        )
    assert "attendees" in exc.value.errors
    assert not DisputeRoutine.objects.filter(area=w.village_a).exists()
    r = routine.record_meeting(
        actor=sec,
        area=w.village_a,
        month=this_month(),
        meeting_on=today(),
        attendees=["两委", "驻社区民警", "网格管理员"],
        others="物业经理，楼长",
        minutes="研判本月排查出的3起纠纷。",
    )
    assert r.attendees == "两委、驻社区民警、网格管理员、物业经理、楼长"
    routine.record_meeting(
        actor=sec,
        area=w.village_a,
        month=this_month(),
        meeting_on=today(),
        attendees=["两委"],
        minutes="更正。",
    )
    entry = AuditEntry.objects.filter(action="routine_meeting").latest("pk")
    assert entry.changes["minutes"] == ["研判本月排查出的3起纠纷。", "更正。"]
    with pytest.raises(NotFound):
        routine.record_meeting(
            actor=w.users["sec_b"],
            area=w.village_a,
            month=this_month(),
            meeting_on=today(),
            attendees=["两委"],
            minutes="x",
        )
    with pytest.raises(DomainError):  # a township keeps no dispute routine of its own
        routine.record_meeting(
            actor=w.users["township"],
            area=w.town_a,
            month=this_month(),
            meeting_on=today(),
            attendees=["两委"],
            minutes="x",
        )


def test_a_finding_links_a_request_of_the_village_only(cw):
    w, sec = cw.w, cw.w.users["sec_a"]
    mine = cw.file("dispute_neighbour", area=w.grid_a)
    theirs = cw.file("dispute_neighbour", area=w.village_b)
    item = routine.add_screening(
        actor=sec,
        area=w.village_a,
        month=this_month(),
        description="两户因排水沟争执",
        parties="赵某、钱某",
        risk="normal",
        case_number=mine.number.lower(),
    )
    assert item.case == mine and item.routine.area == w.village_a
    with pytest.raises(DomainError) as exc:
        routine.add_screening(
            actor=sec, area=w.village_a, month=this_month(), description="x", case_number=theirs.number
        )
    assert "case_number" in exc.value.errors
    routine.set_screening_resolved(actor=sec, item=item, resolved=True)
    assert ScreeningItem.objects.get(pk=item.pk).resolved
    with pytest.raises(NotFound):
        routine.remove_screening(actor=w.users["sec_b"], item=item)
    routine.remove_screening(actor=sec, item=item)
    assert not ScreeningItem.objects.filter(routine__area=w.village_a).exists()


def test_the_monthly_report_counts_the_months_disputes(cw, login):
    w, sec = cw.w, cw.w.users["sec_a"]
    one = cw.file("dispute_neighbour")
    cw.file("dispute_family", area=w.grid_a)
    cw.file("dispute_neighbour", area=w.village_b)  # B's: not counted in A
    cw.file("road")  # not a dispute
    services.record_agreement(actor=sec, case=one, agreement_on=today(), confirmation_applied_on=today())
    routine.add_screening(
        actor=sec,
        area=w.village_a,
        month=this_month(),
        description="宅基地界址争议",
        parties="孙某",
        risk="serious",
    )
    routine.record_meeting(
        actor=sec,
        area=w.village_a,
        month=this_month(),
        meeting_on=today(),
        attendees=["两委"],
        minutes="已研判。",
    )
    report = routine_selectors.monthly_report(actor=sec, area=w.village_a, month=this_month())
    assert (report.figures["received"], report.figures["mediated"], report.figures["applied"]) == (2, 1, 1)
    assert report.status.reported and report.high_risk == 1
    page = login(sec).get(url("cases_routine_report", w.village_a.pk, month=f"{this_month():%Y-%m}"))
    assert page.status_code == 200 and "宅基地界址争议" in page.text and 'id="report-xlsx"' in page.text
    assert page.context["report"].figures["received"] == 2 and "三社区" not in page.text
    # the handler keeps the routine but may not export personal data: no Excel link
    page = login(cw.users["handler_a"]).get(url("cases_routine_report", w.village_a.pk))
    assert page.status_code == 200 and 'id="report-xlsx"' not in page.text
    assert login(w.users["sec_b"]).get(url("cases_routine_report", w.village_a.pk)).status_code == 404


def test_routine_overview_flags_a_month_without_screening_or_meeting(cw, login):
    w, sec = cw.w, cw.w.users["sec_a"]
    routine.screened_nothing(actor=sec, area=w.village_a, month=this_month())
    status = routine_selectors.routine_status(areas=[w.village_a, w.village_a2], months=[this_month()])
    assert status[(w.village_a.pk, this_month())].screened and not status[(w.village_a.pk, this_month())].met
    assert status[(w.village_a.pk, this_month())].findings == 0  # "nothing found" is no dispute
    routine.record_meeting(
        actor=sec,
        area=w.village_a,
        month=this_month(),
        meeting_on=today(),
        attendees=["两委"],
        minutes="无新增纠纷。",
    )
    gaps = routine_selectors.routine_gaps(actor=w.users["township"], months=[this_month()])
    assert set(gaps) == {w.village_a2}
    client = login(w.users["township"])
    page = client.get(url("cases_routine"))
    assert (
        page.status_code == 200 and "一村" in page.text and "二村" in page.text and "三社区" not in page.text
    )
    page = client.get(url("cases_routine", flagged="on"))
    assert page.status_code == 200  # past months: both are missing them
    page = client.get(url("cases_routine_month", w.village_a.pk))
    assert page.status_code == 200 and routine.NOTHING_FOUND in page.text and "无新增纠纷" in page.text


def test_routine_month_page_records_findings_and_the_meeting(cw, login):
    w = cw.w
    client = login(w.users["sec_a"])
    here = url("cases_routine_month", w.village_a.pk, month=f"{this_month():%Y-%m}")
    r = client.post(
        here, {"action": "screening", "description": "噪声扰民投诉", "parties": "周某", "risk": "minor"}
    )
    assert r.status_code == 302
    item = ScreeningItem.objects.get(routine__area=w.village_a)
    r = client.post(
        here,
        {
            "action": "meeting",
            "meeting_on": today().isoformat(),
            "attendees": ["两委", "社工"],
            "others": "",
            "minutes": "已调处。",
        },
    )
    assert r.status_code == 302 and DisputeRoutine.objects.get(area=w.village_a).attendees == "两委、社工"
    r = client.post(here, {"action": "meeting", "meeting_on": today().isoformat(), "minutes": ""})
    assert r.status_code == 200 and 'data-field="attendees"' in r.text and 'data-field="minutes"' in r.text
    r = client.post(url("cases_routine_finding", item.pk), {"action": "resolved"})
    assert r.status_code == 302 and ScreeningItem.objects.get(routine__area=w.village_a).resolved
    assert (
        login(w.users["sec_b"]).post(url("cases_routine_finding", item.pk), {"action": "remove"}).status_code
        == 404
    )
    assert ScreeningItem.objects.filter(pk=item.pk).exists()


# --- the three lists ----------------------------------------------------------------------------------------


def test_a_project_closes_only_when_every_milestone_is_done(cw):
    w, sec = cw.w, cw.w.users["sec_a"]
    need = routine.add_need(actor=sec, area=w.village_a, title="村口路灯不足", detail="夜间出行不便")
    money = routine.add_resource(
        actor=sec,
        area=w.village_a,
        title="路灯改造资金",
        resource_kind="money",
        offered_by="县供电公司",
        amount="5000",
    )
    with pytest.raises(DomainError) as exc:  # money without an amount
        routine.add_resource(
            actor=sec, area=w.village_a, title="x", resource_kind="money", offered_by="某单位"
        )
    assert "amount" in exc.value.errors
    with pytest.raises(DomainError) as exc:  # a project answers a need
        routine.add_project(
            actor=sec,
            area=w.village_a,
            title="路灯改造",
            source_ids=[money.pk],
            milestones=[("采购", today())],
        )
    assert "sources" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        routine.add_project(
            actor=sec, area=w.village_a, title="路灯改造", source_ids=[need.pk], milestones=[("", None)]
        )
    assert "milestones" in exc.value.errors
    project = routine.add_project(
        actor=sec,
        area=w.village_a,
        title="路灯改造",
        source_ids=[need.pk, money.pk],
        milestones=[
            ("采购路灯", today() + dt.timedelta(days=10)),
            ("安装验收", today() + dt.timedelta(days=30)),
        ],
    )
    first, second = Milestone.objects.filter(project=project).order_by("due_on")
    with pytest.raises(DomainError) as exc:
        routine.close_project(actor=sec, project=project)
    assert "还有2个节点未完成" in exc.value.errors["project"][0]
    routine.complete_milestone(actor=sec, milestone=first)
    with pytest.raises(DomainError) as exc:
        routine.close_project(actor=sec, project=project)
    assert "还有1个节点未完成" in exc.value.errors["project"][0]
    with pytest.raises(DomainError):  # not in the future
        routine.complete_milestone(actor=sec, milestone=second, done_on=today() + dt.timedelta(days=1))
    routine.complete_milestone(actor=sec, milestone=second)
    routine.close_project(actor=sec, project=project)
    assert ListItem.objects.get(pk=project.pk).closed_on == today()
    assert ListItem.objects.get(pk=need.pk).closed_on == today()  # the need closes with its project
    assert ListItem.objects.get(pk=need.pk).closing_note == f"项目“{project.title}”已销号"
    assert ListItem.objects.get(pk=money.pk).closed_on is None  # a resource stays on its list
    with pytest.raises(DomainError):
        routine.add_milestone(actor=sec, project=project, title="追加", due_on=today())


def test_a_need_closes_by_hand_with_a_reason_and_sources_stay_in_their_village(cw):
    w, sec = cw.w, cw.w.users["sec_a"]
    need = routine.add_need(actor=sec, area=w.village_a, title="老年食堂")
    with pytest.raises(DomainError) as exc:
        routine.close_item(actor=sec, item=need, reason=" ")
    assert "reason" in exc.value.errors
    need_b = routine.add_need(actor=w.users["sec_b"], area=w.village_b, title="停车难")
    with pytest.raises(DomainError) as exc:  # B's need is no source of A's project
        routine.add_project(
            actor=sec,
            area=w.village_a,
            title="停车场",
            source_ids=[need.pk, need_b.pk],
            milestones=[("选址", today())],
        )
    assert "sources" in exc.value.errors
    with pytest.raises(NotFound):
        routine.close_item(actor=sec, item=need_b, reason="越权")
    routine.close_item(actor=sec, item=need, reason="已由镇统一建设")
    assert ListItem.objects.get(pk=need.pk).closed_on == today()
    assert ListItem.objects.get(pk=need.pk).closing_note == "已由镇统一建设"
    entry = AuditEntry.objects.filter(action="list_close").latest("pk")
    assert entry.changes["closure_reason"] == [None, "已由镇统一建设"]
    project = routine.add_project(
        actor=sec,
        area=w.village_a,
        title="x",
        source_ids=[routine.add_need(actor=sec, area=w.village_a, title="y").pk],
        milestones=[("z", today())],
    )
    with pytest.raises(NotFound):  # a project closes through its milestones only
        routine.close_item(actor=sec, item=project, reason="直接销号")


def test_lists_overview_counts_and_flags(cw, login):
    w, sec = cw.w, cw.w.users["sec_a"]
    routine.add_need(actor=sec, area=w.village_a, title="无人认领的需求")
    answered = routine.add_need(actor=sec, area=w.village_a, title="有项目的需求")
    routine.add_project(
        actor=sec,
        area=w.village_a,
        title="逾期项目",
        source_ids=[answered.pk],
        milestones=[("第一步", today() - dt.timedelta(days=1))],
    )
    routine.add_need(actor=w.users["sec_b"], area=w.village_b, title="B的需求")
    counts = routine_selectors.list_counts(areas=[w.village_a, w.village_a2])
    assert counts[w.village_a.pk] == {"needs": 2, "unmatched": 1, "projects": 1, "overdue": 1}
    assert counts[w.village_a2.pk] == {"needs": 0, "unmatched": 0, "projects": 0, "overdue": 0}
    page = login(w.users["township"]).get(url("cases_lists"))
    assert page.status_code == 200 and "逾期项目" in page.text and "无人认领的需求" in page.text
    assert "B的需求" not in page.text and "三社区" not in page.text
    page = login(w.users["township"]).get(url("cases_lists", flagged="on"))
    assert (
        "一村" in page.text.split('id="lists-table"')[1]
        and "二村" not in page.text.split('id="lists-table"')[1]
    )


def test_lists_pages_add_a_project_and_close_it(cw, login):
    w = cw.w
    client = login(w.users["sec_a"])
    here = url("cases_lists_village", w.village_a.pk)
    assert client.post(here, {"action": "need", "title": "儿童托管", "detail": ""}).status_code == 302
    r = client.post(
        here,
        {
            "action": "resource",
            "title": "党员志愿者辅导",
            "resource_kind": "people",
            "offered_by": "退休教师党员",
        },
    )
    assert r.status_code == 302
    need, res = ListItem.objects.get(title="儿童托管"), ListItem.objects.get(title="党员志愿者辅导")
    page = client.get(url("cases_lists_village", w.village_a.pk, list="project"))
    assert page.status_code == 200 and "儿童托管" in page.text and "党员志愿者辅导" in page.text
    r = client.post(
        here,
        {
            "action": "project",
            "title": "四点半课堂",
            "sources": [need.pk, res.pk],
            "m1_title": "腾出活动室",
            "m1_due": today().isoformat(),
            "m2_title": "开班",
            "m2_due": (today() + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert r.status_code == 302, r.content[:400]
    project = ListItem.objects.get(title="四点半课堂")
    item_url = url("cases_list_item", project.pk)
    r = client.post(item_url, {"action": "close"})
    assert r.status_code == 200 and "还有2个节点未完成" in r.text
    for m in Milestone.objects.filter(project=project):
        assert (
            client.post(url("cases_milestone_done", m.pk), {"done_on": today().isoformat()}).status_code
            == 302
        )
    assert client.post(item_url, {"action": "close"}).status_code == 302
    assert ListItem.objects.get(pk=project.pk).closed_on == today()
    b = login(w.users["sec_b"])
    assert b.get(item_url).status_code == 404
    assert b.get(url("cases_lists_village", w.village_a.pk)).status_code == 404


def test_overview_pages_cost_the_same_with_more_villages(cw, login):
    """No query per row on the list pages (the same guard as tests/test_query_counts.py)."""
    w, t = cw.w, cw.w.users["township"]
    client = login(t)
    pages = [url("cases_duty"), url("cases_routine"), url("cases_lists"), url("cases_setup")]

    def measure():
        out = []
        for p in pages:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(p).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    routine.add_need(actor=t, area=w.village_a, title="需求")
    before = measure()
    for n in range(4):
        v = AreaFactory(actor=w.users["county"], parent=w.town_a, name=f"新村{n}", kind="village")
        routine.add_need(actor=t, area=v, title=f"需求{n}")
        routine.add_shift(actor=t, area=v, on=today(), user_id=t.pk)
        routine.screened_nothing(actor=t, area=v, month=this_month())
    assert measure() == before


def test_every_routine_write_is_audited_with_a_declared_label(cw):
    w, sec = cw.w, cw.w.users["sec_a"]
    s = routine.add_shift(actor=sec, area=w.village_a, on=today(), user_id=sec.pk)
    routine.remove_shift(actor=sec, shift=s)
    item = routine.add_screening(actor=sec, area=w.village_a, month=this_month(), description="纠纷")
    routine.set_screening_resolved(actor=sec, item=item, resolved=True)
    routine.remove_screening(actor=sec, item=item)
    routine.record_meeting(
        actor=sec, area=w.village_a, month=this_month(), meeting_on=today(), attendees=["两委"], minutes="x"
    )
    need = routine.add_need(actor=sec, area=w.village_a, title="需求")
    p = routine.add_project(
        actor=sec, area=w.village_a, title="项目", source_ids=[need.pk], milestones=[("a", today())]
    )
    m = routine.add_milestone(actor=sec, project=p, title="b", due_on=today())
    for x in Milestone.objects.filter(project=p):
        routine.complete_milestone(actor=sec, milestone=x)
    routine.close_project(actor=sec, project=p)
    assert m.pk
    actions = {e.action for e in AuditEntry.objects.filter(target_type__startswith="cases.")}
    assert actions >= {
        "duty_add",
        "duty_remove",
        "screening_add",
        "screening_update",
        "screening_remove",
        "routine_meeting",
        "list_add",
        "milestone_add",
        "milestone_done",
        "list_close",
    }
    assert actions <= set(audit.action_labels())
    labels = audit.field_labels()
    for e in AuditEntry.objects.filter(target_type__startswith="cases."):
        from jiceng.core.audit import _model_fields

        for name in e.changes:
            assert name in labels or name in _model_fields(e.target_type), (e.action, name)


def test_a_need_page_closes_it_by_hand(cw, login):
    w = cw.w
    client = login(w.users["sec_a"])
    need = routine.add_need(actor=w.users["sec_a"], area=w.village_a, title="健身器材")
    routine.add_resource(
        actor=w.users["sec_a"], area=w.village_a, title="闲置场地", resource_kind="room", offered_by="村委会"
    )
    page = client.get(url("cases_lists_village", w.village_a.pk, list="resource"))
    assert page.status_code == 200 and "闲置场地" in page.text and "健身器材" not in page.text
    page = client.get(url("cases_list_item", need.pk))
    assert page.status_code == 200 and 'id="item-close"' in page.text
    r = client.post(url("cases_list_item", need.pk), {"action": "close", "reason": ""})
    assert r.status_code == 200 and 'data-field="reason"' in r.text
    r = client.post(url("cases_list_item", need.pk), {"action": "close", "reason": "镇里统一配置"})
    assert r.status_code == 302 and ListItem.objects.get(pk=need.pk).closed_on == today()
    page = client.get(url("cases_list_item", need.pk))
    assert 'id="closing-note"' in page.text and "镇里统一配置" in page.text
    page = client.get(url("cases_lists_village", w.village_a.pk, state="closed"))
    assert "健身器材" in page.text
