"""Mobility services: out-flow and check-ins, the flags at their edges, transfers with both sides,
the history-aware member figure before and after a transfer, refusals and scoping."""

import datetime as dt

import pytest

from jiceng.core import indicators
from jiceng.core.dates import months_after
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.core.periods import Period
from jiceng.mobility import queries, selectors, services
from jiceng.mobility.models import CheckIn, Outflow, Transfer
from jiceng.people import queries as people

from .conftest import TODAY


def _period(day):
    return Period(dt.date(day.year, 1, 1), day, str(day))


def _value(actor, name, org, day=TODAY):
    return indicators.compute(actor=actor, name=name, org=org, period=_period(day)).value


def _errors(exc):
    return " ".join(m for ms in exc.value.errors.values() for m in ms)


def test_outflow_is_recorded_audited_and_shown_on_the_member(world, away):
    world.member_a.refresh_from_db()
    assert world.member_a.mobility == "outflow" and "广东东莞" in world.member_a.mobility_note
    assert AuditEntry.objects.filter(
        target_type="mobility.outflow", target_id=str(away.pk), action="create"
    ).exists()
    with pytest.raises(DomainError) as e:  # one open record per member
        services.outflow_record(
            actor=world.users["sec_a"],
            member=world.member_a,
            destination="浙江",
            since=TODAY,
            keep_in_touch="letter",
        )
    assert "已有外出登记" in _errors(e)


@pytest.mark.parametrize(
    "over,field,text",
    [
        ({"destination": ""}, "destination", "外出去向：必填"),
        ({"keep_in_touch": "pigeon"}, "keep_in_touch", "联系方式类别"),
        ({"keep_in_touch": "phone", "contact": ""}, "contact", "防止失联"),
        ({"since": TODAY + dt.timedelta(days=1)}, "since", "不能晚于今天"),
        ({"destination": "x" * 101}, "destination", "100"),
    ],
)
def test_outflow_refusals_name_the_field(world, over, field, text):
    data = {"destination": "广东", "since": TODAY, "keep_in_touch": "wechat", "contact": "wx"} | over
    with pytest.raises(DomainError) as e:
        services.outflow_record(actor=world.users["sec_a"], member=world.member_a, **data)
    assert field in e.value.errors and text in " ".join(e.value.errors[field])
    assert not Outflow.objects.filter(member=world.member_a).exists()


def test_outflow_scoping(world):
    with pytest.raises(NotFound):
        services.outflow_record(
            actor=world.users["sec_b"],
            member=world.member_a,
            destination="广东",
            since=TODAY,
            keep_in_touch="letter",
        )
    with pytest.raises(NotFound):
        services.outflow_record(
            actor=world.users["grid_a"],
            member=world.member_a,
            destination="广东",
            since=TODAY,
            keep_in_touch="letter",
        )


def _flags(world, day=TODAY):
    o = selectors.outflows_for(actor=world.users["sec_a"], org=world.branch_a, day=day).get()
    return o.overdue, o.lost


def test_overdue_and_lost_contact_at_their_edges(world):
    sec = world.users["sec_a"]
    lost_edge = months_after(TODAY, -6)  # exactly six months without contact: 失联
    out = services.outflow_record(
        actor=sec, member=world.member_a, destination="广东", since=lost_edge, keep_in_touch="letter"
    )
    assert _flags(world) == (False, True)
    assert _value(sec, "mobility.lost_contact", world.branch_a) == 1
    assert _value(sec, "mobility.overdue_checkins", world.branch_a) == 0
    # one day later than the edge: not yet lost, but overdue (more than three months)
    Outflow.objects.filter(pk=out.pk).update(since=lost_edge + dt.timedelta(days=1))
    assert _flags(world) == (True, False)
    assert _value(sec, "mobility.lost_contact", world.branch_a) == 0
    assert _value(sec, "mobility.overdue_checkins", world.branch_a) == 1
    # a check-in exactly three months ago: still overdue; one day later: in touch
    services.checkin_record(
        actor=sec, outflow=out, on=months_after(TODAY, -3), kind="thought", channel="letter"
    )
    assert _flags(world) == (True, False)
    services.checkin_record(
        actor=sec,
        outflow=out,
        on=months_after(TODAY, -3) + dt.timedelta(days=1),
        kind="report",
        channel="phone",
    )
    assert _flags(world) == (False, False)
    # on a past day the later check-ins did not exist yet
    assert _value(sec, "mobility.overdue_checkins", world.branch_a) == 0
    assert _value(sec, "mobility.outflow_members", world.branch_a) == 1
    assert _value(sec, "mobility.outflow_members", world.branch_a, lost_edge - dt.timedelta(days=1)) == 0


def test_checkin_refusals(world, away):
    sec = world.users["sec_a"]
    with pytest.raises(DomainError) as e:
        services.checkin_record(
            actor=sec, outflow=away, on=away.since - dt.timedelta(days=1), kind="report", channel="phone"
        )
    assert "不能早于外出" in _errors(e)
    with pytest.raises(DomainError) as e:
        services.checkin_record(actor=sec, outflow=away, on=TODAY, kind="gossip", channel="phone")
    assert "联系类型" in _errors(e)
    with pytest.raises(NotFound):
        services.checkin_record(
            actor=world.users["sec_b"], outflow=away, on=TODAY, kind="report", channel="phone"
        )
    assert not CheckIn.objects.filter(outflow=away).exists()


def test_transfer_inside_the_system_both_sides_and_the_figures(world, away):
    sec_a, sec_b, county = world.users["sec_a"], world.users["sec_b"], world.users["county"]
    issued = TODAY - dt.timedelta(days=5)
    t = services.transfer_issue(
        actor=sec_a,
        member=world.member_a,
        kind="inside",
        to_org=world.branch_b,
        letter_number="甲转1号",
        issued_on=issued,
        dues_paid_to=TODAY,
    )
    assert t.valid_until == months_after(issued, 3) and t.dues_paid_to == TODAY.replace(day=1)
    # the receiving side sees it on its board; the sending side may not confirm it
    board_b = selectors.board(actor=sec_b, org=world.branch_b, day=TODAY)
    assert [x.pk for x in board_b["transfers"] if x.incoming] == [t.pk]
    with pytest.raises(NotFound):
        services.transfer_confirm(actor=sec_a, transfer=t, on=TODAY)
    before = TODAY - dt.timedelta(days=1)
    assert _value(county, "people.member_count", world.branch_a, before) == 2
    assert _value(county, "people.member_count", world.branch_b, before) == 1
    services.transfer_confirm(actor=sec_b, transfer=t, on=TODAY)
    world.member_a.refresh_from_db()
    assert world.member_a.org == world.branch_b
    t.refresh_from_db()
    assert t.state == "confirmed" and t.confirmed_by == sec_b
    # the day before the transfer the member still counts in branch A, from that day in branch B
    assert _value(county, "people.member_count", world.branch_a, before) == 2
    assert _value(county, "people.member_count", world.branch_b, before) == 1
    assert _value(county, "people.member_count", world.branch_a, TODAY) == 1
    assert _value(county, "people.member_count", world.branch_b, TODAY) == 2
    assert _value(county, "people.member_count", world.county_org, TODAY) == 3
    away.refresh_from_db()
    assert away.ended_on == TODAY  # no longer away from the new branch
    with pytest.raises(DomainError) as e:  # confirmed twice
        services.transfer_confirm(actor=sec_b, transfer=t, on=TODAY)
    assert "不能再确认" in _errors(e)


def test_transfer_out_of_the_system_leaves_the_rolls(world):
    sec_a, county = world.users["sec_a"], world.users["county"]
    t = services.transfer_issue(
        actor=sec_a,
        member=world.member_a,
        kind="outside",
        destination="中共东莞市某党支部",
        letter_number="甲转2号",
        issued_on=TODAY - dt.timedelta(days=20),
        dues_paid_to=TODAY.replace(day=1),
    )
    with pytest.raises(NotFound):  # the receipt is the sending side's to record
        services.transfer_confirm(actor=world.users["sec_b"], transfer=t, on=TODAY)
    services.transfer_confirm(actor=sec_a, transfer=t, on=TODAY)
    world.member_a.refresh_from_db()
    assert world.member_a.left_on == TODAY and world.member_a.left_reason == "transferred_out"
    assert _value(county, "people.member_count", world.branch_a, TODAY - dt.timedelta(days=1)) == 2
    assert _value(county, "people.member_count", world.branch_a, TODAY) == 1


@pytest.mark.parametrize(
    "over,field,text",
    [
        ({"kind": "inside", "to_org": None}, "to_org", "须选择接收"),
        ({"kind": "inside", "to_org": "branch_a"}, "to_org", "已在"),
        ({"kind": "inside", "to_org": "town_b_org"}, "to_org", "不能编入"),
        ({"destination": ""}, "destination", "须填写"),
        ({"letter_number": ""}, "letter_number", "必填"),
        ({"dues_paid_to": None}, "dues_paid_to", "必填"),
        ({"dues_paid_to": dt.date(2019, 1, 1)}, "dues_paid_to", "不能早于入党"),
        ({"issued_on": TODAY + dt.timedelta(days=1)}, "issued_on", "不能晚于今天"),
    ],
)
def test_transfer_issue_refusals(world, over, field, text):
    data = {
        "kind": "outside",
        "destination": "外省",
        "letter_number": "1号",
        "issued_on": TODAY,
        "dues_paid_to": TODAY,
    } | over
    if isinstance(data.get("to_org"), str):
        data["to_org"] = getattr(world, data["to_org"])
    with pytest.raises(DomainError) as e:
        services.transfer_issue(actor=world.users["sec_a"], member=world.member_a, **data)
    assert field in e.value.errors and text in " ".join(e.value.errors[field]), e.value.errors
    assert not Transfer.objects.filter(member=world.member_a).exists()


def test_transfer_confirm_refused_after_the_letter_expires(world):
    issued = months_after(TODAY, -3) - dt.timedelta(days=1)
    t = services.transfer_issue(
        actor=world.users["sec_a"],
        member=world.member_a,
        kind="inside",
        to_org=world.branch_b,
        letter_number="1号",
        issued_on=issued,
        dues_paid_to=TODAY,
    )
    with pytest.raises(DomainError) as e:
        services.transfer_confirm(actor=world.users["sec_b"], transfer=t, on=TODAY)
    assert "已过期" in _errors(e)
    world.member_a.refresh_from_db()
    assert world.member_a.org == world.branch_a
    services.transfer_cancel(actor=world.users["sec_a"], transfer=t, reason="逾期未报到")
    t.refresh_from_db()
    assert t.state == "cancelled"


def test_pocket_member_at_the_edge(world):
    sec = world.users["sec_a"]
    t = services.transfer_issue(
        actor=sec,
        member=world.member_a,
        kind="outside",
        destination="外省",
        letter_number="1号",
        issued_on=TODAY - dt.timedelta(days=90),
        dues_paid_to=TODAY,
    )
    assert _value(sec, "mobility.pocket_members", world.branch_a) == 0  # 90 days: still within
    Transfer.objects.filter(pk=t.pk).update(issued_on=TODAY - dt.timedelta(days=91))
    assert _value(sec, "mobility.pocket_members", world.branch_a) == 1
    assert _value(world.users["county"], "mobility.pocket_members", world.town_a_org) == 1
    assert _value(world.users["county"], "mobility.pocket_members", world.branch_b) == 0
    board = selectors.board(actor=sec, org=world.branch_a, day=TODAY)
    assert board["pocket_ids"] == {world.member_a.pk}
    # received (confirmed) on a later day: a pocket member until then, not after
    services.transfer_confirm(actor=sec, transfer=Transfer.objects.get(pk=t.pk), on=TODAY)
    assert _value(sec, "mobility.pocket_members", world.branch_a) == 0
    assert queries.pocket_transfers(TODAY - dt.timedelta(days=1), 90).count() == 1


def test_transfer_prompt_for_a_fixed_place_six_months_away(world):
    sec = world.users["sec_a"]
    services.outflow_record(
        actor=sec,
        member=world.member_a,
        destination="宁波",
        since=months_after(TODAY, -6),
        keep_in_touch="letter",
        fixed_place=True,
    )
    o = selectors.outflows_for(actor=sec, org=world.branch_a, day=TODAY).get()
    assert o.prompt
    o2 = selectors.outflows_for(actor=sec, org=world.branch_a, day=TODAY - dt.timedelta(days=1)).get()
    assert not o2.prompt  # the day before six months had passed
    services.transfer_issue(
        actor=sec,
        member=world.member_a,
        kind="outside",
        destination="宁波某党支部",
        letter_number="1号",
        issued_on=TODAY,
        dues_paid_to=TODAY,
    )
    assert not selectors.outflows_for(actor=sec, org=world.branch_a, day=TODAY).get().prompt  # under way


def test_inflow_is_hosted_and_counted_in_no_member_figure(world):
    from jiceng.orglife.models import Meeting  # the test builds a meeting only
    from tests.factories import MeetingFactory

    sec, county = world.users["sec_a"], world.users["county"]
    members_before = _value(county, "people.member_count", world.branch_a)
    inflow = services.inflow_record(
        actor=sec,
        host=world.branch_a,
        name="周流入",
        home_org="外县某村党支部",
        since=TODAY - dt.timedelta(days=30),
    )
    assert _value(county, "people.member_count", world.branch_a) == members_before
    assert _value(county, "mobility.inflow_members", world.branch_a) == 1
    assert _value(county, "mobility.inflow_members", world.branch_b) == 0
    meeting = MeetingFactory(org=world.branch_a, held_on=TODAY - dt.timedelta(days=2), actor=sec)
    assert isinstance(meeting, Meeting)
    assert services.hosted_attendance_set(actor=sec, meeting=meeting, present=[inflow.pk]) == 1
    part = indicators.compute(
        actor=county, name="orglife.participation_rate", org=world.branch_a, period=_period(TODAY)
    )
    assert part.denominator == members_before  # the guest is nobody's member here
    with pytest.raises(DomainError) as e:  # a guest hosted elsewhere
        other = services.inflow_record(
            actor=world.users["sec_b"],
            host=world.branch_b,
            name="别处",
            home_org="外县",
            since=TODAY - dt.timedelta(days=30),
        )
        services.hosted_attendance_set(actor=sec, meeting=meeting, present=[other.pk])
    assert "不是会议当日由本支部接收" in _errors(e)
    with pytest.raises(DomainError) as e:
        services.inflow_record(
            actor=sec, host=world.branch_a, name="张三", home_org="x", since=TODAY, member=world.member_a
        )
    assert "不是流入党员" in _errors(e)
    with pytest.raises(NotFound):
        services.inflow_record(
            actor=world.users["sec_b"], host=world.branch_a, name="x", home_org="x", since=TODAY
        )


def test_article9_signs_are_flagged_never_acted_on(world):
    from tests.factories import MeetingFactory

    sec = world.users["sec_a"]
    signs = selectors.article9(actor=sec, org=world.branch_a, day=TODAY)
    # nobody attended anything in six months: both members are flagged; nothing else changes
    assert {m.pk for m in signs.no_life} == {world.member_a.pk, world.member_a_grid.pk}
    MeetingFactory(org=world.branch_a, held_on=TODAY - dt.timedelta(days=3), actor=sec)
    signs = selectors.article9(actor=sec, org=world.branch_a, day=TODAY)
    assert signs.no_life == []
    assert signs.no_dues == [] or signs.dues_note == ""
    services.work_sign_record(
        actor=sec,
        member=world.member_a,
        since=months_after(TODAY, -6) + dt.timedelta(days=1),
        reason="联系帮带任务未开展",
    )
    assert selectors.article9(actor=sec, org=world.branch_a, day=TODAY).no_work == []  # not six months yet
    sign = selectors.article9(actor=sec, org=world.branch_a, day=TODAY + dt.timedelta(days=1)).no_work[0]
    assert sign.member == world.member_a
    world.member_a.refresh_from_db()
    assert world.member_a.left_on is None  # flagged, never acted on
    with pytest.raises(DomainError):
        services.work_sign_record(actor=sec, member=world.member_a, since=TODAY, reason="再记")
    with pytest.raises(NotFound):
        services.work_sign_record(
            actor=world.users["sec_b"], member=world.member_a, since=TODAY, reason="越权"
        )
    assert not [
        m
        for m in selectors.article9(actor=world.users["sec_b"], org=world.branch_b, day=TODAY).no_life
        if m.org_id == world.branch_a.pk
    ]


def test_profile_and_ledger_records(world):
    from tests.grids.conftest import valid_uscc

    sec = world.users["sec_a"]
    with pytest.raises(DomainError) as e:
        services.profile_set(actor=sec, org=world.branch_a, branch_type="online", online=True)
    assert "网络平台" in _errors(e)
    p = services.profile_set(
        actor=sec, org=world.branch_a, branch_type="online", online=True, platform="一村微信群"
    )
    assert p.online and p.branch_type == "online"
    with pytest.raises(DomainError) as e:
        services.profile_set(
            actor=world.users["township"], org=world.town_a_org, branch_type="single", online=False
        )
    assert "党支部" in _errors(e)
    with pytest.raises(DomainError) as e:
        services.enterprise_save(
            actor=sec, org=world.branch_a, name="某厂", place="东莞", uscc="91500229MA5U1234X0"
        )
    assert "统一社会信用代码" in _errors(e)
    e1 = services.enterprise_save(
        actor=sec, org=world.branch_a, name="某厂", place="东莞", uscc=valid_uscc().lower()
    )
    assert e1.uscc == valid_uscc()
    with pytest.raises(DomainError) as e:
        services.enterprise_save(
            actor=sec, org=world.branch_a, name="又一厂", place="东莞", uscc=valid_uscc()
        )
    assert "已登记" in _errors(e)
    with pytest.raises(DomainError) as e:
        services.enterprise_save(actor=sec, org=world.branch_b, name="越权", place="x")
    assert "管辖范围" in _errors(e)
    with pytest.raises(DomainError) as e:
        services.worker_save(
            actor=sec,
            org=world.branch_a,
            name="工",
            gender="male",
            destination="x",
            since=TODAY,
            member=world.member_a,
            activist=True,
        )
    assert "入党积极分子" in _errors(e)
    assert people.members_of(world.branch_a, TODAY).count() == 2
