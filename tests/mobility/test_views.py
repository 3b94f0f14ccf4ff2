"""Mobility pages (GET and POST, as the phone posts them), scoping, the home section and the ledgers
opened back with openpyxl, cell by cell."""

import datetime as dt

from django.urls import reverse

from jiceng.mobility import services
from jiceng.mobility.models import CheckIn, Outflow, Transfer
from tests.helpers import get_ledger, xlsx_rows

from .conftest import TODAY


def _cell_date(v):
    return v.date() if isinstance(v, dt.datetime) else v


def test_branch_board_shows_flags_and_forms(world, login, away):
    client = login(world.users["sec_a"])
    Outflow.objects.filter(pk=away.pk).update(since=TODAY - dt.timedelta(days=400))  # 失联
    r = client.get(reverse("mobility_home"), {"org": world.branch_a.pk})
    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-outflow="{away.pk}"' in html and 'data-flag="lost"' in html
    assert 'id="article9"' in html and "张三" in html
    assert reverse("mobility_outflow_create", args=[world.branch_a.pk]) in html
    # B's branch is not A's to read
    assert client.get(reverse("mobility_home"), {"org": world.branch_b.pk}).status_code == 404
    assert client.get(reverse("mobility_outflow_create", args=[world.branch_b.pk])).status_code == 404


def test_record_outflow_and_checkin_from_the_phone(world, login):
    client = login(world.users["sec_a"])
    url = reverse("mobility_outflow_create", args=[world.branch_a.pk])
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "member": world.member_a.pk,
            "destination": "",
            "keep_in_touch": "wechat",
            "since": TODAY.isoformat(),
        },
    )
    assert bad.status_code == 200 and 'data-field="destination"' in bad.content.decode()
    not_ours = client.post(
        url,
        {
            "member": world.member_b.pk,
            "destination": "广东",
            "keep_in_touch": "letter",
            "since": TODAY.isoformat(),
        },
    )
    assert "请选择本组织名册上的党员" in not_ours.content.decode()
    r = client.post(
        url,
        {
            "member": world.member_a.pk,
            "destination": "广东东莞",
            "keep_in_touch": "wechat",
            "contact": "zs_wx",
            "since": TODAY.isoformat(),
        },
    )
    out = Outflow.objects.get(member=world.member_a)
    assert r.status_code == 302 and r["Location"] == reverse("mobility_outflow", args=[out.pk])
    detail = reverse("mobility_outflow", args=[out.pk])
    assert "广东东莞" in client.get(detail).content.decode()
    r = client.post(
        detail, {"on": TODAY.isoformat(), "kind": "thought", "channel": "wechat", "note": "思想汇报"}
    )
    assert r.status_code == 302 and CheckIn.objects.filter(outflow=out).count() == 1
    assert login(world.users["sec_b"]).get(detail).status_code == 404


def test_transfer_pages_both_sides(world, login):
    a = login(world.users["sec_a"])
    url = reverse("mobility_transfer_create", args=[world.branch_a.pk])
    assert a.get(url).status_code == 200
    r = a.post(
        url,
        {
            "member": world.member_a.pk,
            "kind": "inside",
            "to_org": world.branch_b.pk,
            "letter_number": "甲转9号",
            "issued_on": TODAY.isoformat(),
            "dues_paid_to": f"{TODAY:%Y-%m}",
        },
    )
    t = Transfer.objects.get(member=world.member_a)
    assert r.status_code == 302 and t.to_org == world.branch_b and t.dues_paid_to == TODAY.replace(day=1)
    page = a.get(reverse("mobility_transfer", args=[t.pk])).content.decode()
    assert 'id="cancel-form"' in page and 'id="confirm-form"' not in page
    assert (
        a.post(reverse("mobility_transfer_confirm", args=[t.pk]), {"on": TODAY.isoformat()}).status_code
        == 404
    )
    b = login(world.users["sec_b"])
    home = b.get(reverse("home")).content.decode()
    assert "甲转9号" not in home and reverse("mobility_transfer", args=[t.pk]) in home  # to confirm
    page = b.get(reverse("mobility_transfer", args=[t.pk])).content.decode()
    assert 'id="confirm-form"' in page and 'id="cancel-form"' not in page
    r = b.post(reverse("mobility_transfer_confirm", args=[t.pk]), {"on": TODAY.isoformat()})
    assert r.status_code == 302
    world.member_a.refresh_from_db()
    assert world.member_a.org == world.branch_b
    again = b.post(reverse("mobility_transfer_confirm", args=[t.pk]), {"on": TODAY.isoformat()})
    assert again.status_code == 200 and "不能再确认" in again.content.decode()


def test_township_sees_counts_per_village(world, login, away):
    client = login(world.users["township"])
    r = client.get(reverse("mobility_home"), {"org": world.town_a_org.pk})
    html = r.content.decode()
    assert r.status_code == 200 and 'id="mobility-children"' in html
    assert f'data-org="{world.branch_a.pk}"' in html and "三社区" not in html


def test_hosted_attendance_page(world, login):
    from tests.factories import MeetingFactory

    sec = world.users["sec_a"]
    inflow = services.inflow_record(
        actor=sec,
        host=world.branch_a,
        name="周流入",
        home_org="外县党支部",
        since=TODAY - dt.timedelta(days=30),
    )
    meeting = MeetingFactory(org=world.branch_a, held_on=TODAY - dt.timedelta(days=1), actor=sec)
    client = login(sec)
    url = reverse("mobility_hosted_attendance", args=[meeting.pk])
    assert "周流入" in client.get(url).content.decode()
    assert client.post(url, {f"i{inflow.pk}": "online"}).status_code == 302
    assert meeting.hosted_attendance.get().online
    assert login(world.users["sec_b"]).get(url).status_code == 404


def test_profile_and_ledger_forms(world, login):
    client = login(world.users["sec_a"])
    r = client.post(
        reverse("mobility_profile", args=[world.branch_a.pk]), {"branch_type": "online", "online": "on"}
    )
    assert r.status_code == 200 and "网络平台" in r.content.decode()
    r = client.post(
        reverse("mobility_profile", args=[world.branch_a.pk]),
        {"branch_type": "online", "online": "on", "platform": "一村群"},
    )
    assert r.status_code == 302
    r = client.post(
        reverse("mobility_enterprise_create"),
        {"org": world.branch_a.pk, "name": "某厂", "place": "东莞", "uscc": "123"},
    )
    assert r.status_code == 200 and "统一社会信用代码" in r.content.decode()
    r = client.post(
        reverse("mobility_worker_create"),
        {
            "org": world.branch_a.pk,
            "name": "赵工",
            "gender": "male",
            "destination": "东莞",
            "since": TODAY.isoformat(),
            "activist": "on",
        },
    )
    assert r.status_code == 302
    assert "赵工" in client.get(reverse("mobility_workers"), {"activists": "1"}).content.decode()


def test_migrant_members_ledger_cell_by_cell(world, login, away):
    Outflow.objects.filter(pk=away.pk).update(since=TODAY - dt.timedelta(days=400), fixed_place=True)
    services.outflow_record(
        actor=world.users["sec_b"],
        member=world.member_b,
        destination="浙江",
        since=TODAY,
        keep_in_touch="letter",
    )
    client = login(world.users["sec_a"])
    rows = xlsx_rows(get_ledger(client, "mobility.members", org=world.branch_a.pk))
    assert rows[0] == (
        "姓名",
        "所在党组织",
        "外出去向",
        "务工单位",
        "联系方式类别",
        "流动党员证号",
        "外出时间",
        "最近联系",
        "逾期未联系",
        "失联",
        "应转接组织关系",
    )
    assert len(rows) == 2  # A's one member, not B's
    row = rows[1]
    assert row[:6] == ("张三", "一村党支部", "广东东莞", "某电子厂", "微信", "LD0001")
    assert _cell_date(row[6]) == TODAY - dt.timedelta(days=400) == _cell_date(row[7])
    assert row[8:] == ("否", "是", "是")


def test_workers_and_enterprises_ledgers_cell_by_cell(world, login):
    from tests.grids.conftest import valid_uscc

    sec = world.users["sec_a"]
    e = services.enterprise_save(
        actor=sec,
        org=world.branch_a,
        name="东莞修脚店",
        place="广东东莞",
        uscc=valid_uscc(),
        liaison="刘联络",
        has_party_org=True,
    )
    services.worker_save(
        actor=sec,
        org=world.branch_a,
        home=world.village_a,
        name="钱工",
        gender="female",
        birth_year=1990,
        destination="广东东莞",
        enterprise=e,
        trade="修脚养生",
        contact="wx",
        since=dt.date(2024, 3, 1),
        activist=True,
    )
    services.enterprise_save(actor=world.users["sec_b"], org=world.branch_b, name="三社区厂", place="乙镇")
    client = login(sec)
    rows = xlsx_rows(get_ledger(client, "mobility.enterprises"))
    assert rows == [
        (
            "企业名称",
            "统一社会信用代码",
            "所在地",
            "党建联络员",
            "是否建立党组织",
            "在此务工人数",
            "登记单位",
        ),
        ("东莞修脚店", valid_uscc(), "广东东莞", "刘联络", "是", 1, "一村党支部"),
    ]
    rows = xlsx_rows(get_ledger(client, "mobility.workers"))
    assert rows[1][:9] == (
        "钱工",
        "女",
        1990,
        "一村",
        "广东东莞",
        "东莞修脚店",
        "修脚养生",
        "wx",
        rows[1][8],
    ) and _cell_date(rows[1][8]) == dt.date(2024, 3, 1)
    assert rows[1][9:] == (None, "否", "一村党支部") and len(rows) == 2
    rows = xlsx_rows(get_ledger(client, "mobility.activists"))
    assert [r[0] for r in rows] == ["姓名", "钱工"]
