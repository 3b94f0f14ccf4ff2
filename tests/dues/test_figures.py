"""The dues figures (indicators) and ledgers for a small known story, read back: the collection
rate (paid ÷ due for the period's months), dues collected, members in arrears and six months in a
row unpaid, for the county, a township and a branch; the ledgers opened with openpyxl and checked
cell by cell; nothing of another village in a village's export."""

from __future__ import annotations

import datetime as dt

import pytest

from jiceng.core import indicators
from jiceng.core.periods import parse_period
from tests.helpers import get_ledger, sheet_rows, workbook

from .conftest import declare, month, pay

pytestmark = pytest.mark.django_db
PERIOD = "2026-01-01..2026-10-31"


@pytest.fixture
def story(world, today):
    """张三 (branch A): 4,000 yuan pay from January (40.00 a month), paid January–April on 20 April,
    so May–October unpaid (6 in a row). 李四 (A's grid group): pension 6,000 from July (60.00), paid
    July–September on 5 October. 王五 (village B): a farmer at 1.00 from January, all paid up to
    October on 30 October."""
    c = world.users["county"]
    declare(c, world.member_a, base="4000", start=month(2026, 1))
    pay(c, world.member_a, month(2026, 1), month(2026, 4), paid_on=dt.date(2026, 4, 20))
    declare(c, world.member_a_grid, group="retired", base="6000", start=month(2026, 7))
    pay(
        c,
        world.member_a_grid,
        month(2026, 7),
        month(2026, 9),
        paid_on=dt.date(2026, 10, 5),
        method="transfer",
        reference="ZFB2026100500001",
    )
    declare(c, world.member_b, group="farmer", base=None, amount="1", start=month(2026, 1))
    pay(c, world.member_b, month(2026, 1), month(2026, 10), paid_on=dt.date(2026, 10, 30))
    return world


def values(org, period=PERIOD):
    names = [
        "dues.collection_rate",
        "dues.collected",
        "dues.members_in_arrears",
        "dues.members_unpaid_six_months",
    ]
    got = indicators.compute_live(names, org, parse_period(period))
    rate = got["dues.collection_rate"]
    return (
        rate.value,
        rate.numerator,
        rate.denominator,
        got["dues.collected"].value,
        got["dues.members_in_arrears"].value,
        got["dues.members_unpaid_six_months"].value,
    )


def test_figures_for_county_township_branch(story):
    w = story
    assert values(w.county_org) == (round(350 / 650, 4), 35000, 65000, 350.0, 1, 1)
    assert values(w.town_a_org) == (round(340 / 640, 4), 34000, 64000, 340.0, 1, 1)
    assert values(w.branch_a) == (round(340 / 640, 4), 34000, 64000, 340.0, 1, 1)
    assert values(w.town_b_org) == (1.0, 1000, 1000, 10.0, 0, 0)
    assert values(w.branch_a2) == (None, 0.0, 0.0, 0.0, 0, 0)  # nothing due: no rate, not 0


def test_figures_for_many_units_at_once_match_one_by_one(story):
    w = story
    units = [w.branch_a, w.branch_a2, w.branch_b, w.town_a_org]
    got = indicators.compute_units(
        ["dues.collection_rate", "dues.members_in_arrears"], units, parse_period(PERIOD)
    )
    for u in units:
        assert got["dues.collection_rate"][u.pk].value == values(u)[0]
        assert got["dues.members_in_arrears"][u.pk].value == values(u)[4]


def test_period_months_and_payments_by_the_period_end(story):
    w = story
    # September only: 李四's September was paid on 5 October, after the period: not yet paid then
    assert values(w.branch_a, "2026-09")[:3] == (0.0, 0, 10000)
    # the third quarter: 张三 owes 120, 李四 180; nothing was paid for it by 30 September
    assert values(w.branch_a, "2026-Q3")[:3] == (0.0, 0, 30000)
    # the year to today: 李四's payment of 5 October counts now
    assert values(w.branch_a, "2026")[1:3] == (34000, 64000)
    # a month not yet ended is not due
    assert values(w.branch_a, "2026-11-01..2026-11-14")[:3] == (None, 0.0, 0.0)


def test_rows_behind_the_member_figures(story):
    w = story
    ind = indicators.registry()["dues.members_in_arrears"]
    rows = ind.rows(w.county_org, parse_period(PERIOD), "value")
    assert [m.pk for m in rows] == [w.member_a.pk]
    lapsed = indicators.registry()["dues.members_unpaid_six_months"].rows(
        w.branch_a, parse_period(PERIOD), "value"
    )
    assert [(m.pk, m.unpaid_streak) for m in lapsed] == [(w.member_a.pk, 6)]


def test_members_ledger_cell_by_cell(story, login):
    w = story
    client = login(w.users["sec_a"])
    rows = sheet_rows(workbook(get_ledger(client, "dues.members", period=PERIOD)).worksheets[0])
    assert rows[0][:5] == ("党组织", "姓名", "党员类别", "交纳基数（元）", "月交纳额（元）")
    body = sorted(rows[1:], key=lambda r: r[1])
    assert body == sorted(
        [
            (
                "一村党支部",
                "张三",
                "在职党员",
                4000,
                40,
                10,
                400,
                160,
                "2026-04",
                6,
                240,
                6,
                "连续6个月未交，提请支部注意（党章第九条）",
            ),
            ("一村第1网格党小组", "李四", "离退休党员", 6000, 60, 4, 240, 180, "2026-09", 1, 60, 1, None),
        ],
        key=lambda r: r[1],
    )


def test_members_ledger_counts_payments_made_by_the_period_end(story, login):
    """For September, 李四's July–September (paid 5 October) were not paid yet: three months owed."""
    w = story
    client = login(w.users["sec_a"])
    rows = sheet_rows(workbook(get_ledger(client, "dues.members", period="2026-09")).worksheets[0])
    li = next(r for r in rows if r[1] == "李四")
    assert li[5:] == (1, 60, 0, None, 3, 180, 3, "欠交3个月")


def test_branches_ledger_for_a_township(story, login):
    w = story
    client = login(w.users["township"])
    rows = sheet_rows(workbook(get_ledger(client, "dues.branches", period=PERIOD)).worksheets[0])
    assert rows[0][0] == "上级党组织" and rows[0][6] == "收缴率"
    assert rows[1:] == [
        ("中共甲镇委员会", "一村党支部", 2, 2, 640, 340, "53.1%", 340, 1, 1),
        ("中共甲镇委员会", "二村党支部", 0, 0, 0, 0, "—", 0, 0, 0),
    ]


def test_payments_ledger_and_scope(story, login):
    w = story
    client = login(w.users["sec_a"])
    rows = sheet_rows(workbook(get_ledger(client, "dues.payments", period="2026")).worksheets[0])
    body = rows[1:]
    assert [(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[11]) for r in body] == [
        ("一村党支部", "张三", "2026-01", "2026-04", 4, 160, "现金", None, "有效"),
        ("一村第1网格党小组", "李四", "2026-07", "2026-09", 3, 180, "转账", "ZFB2026100500001", "有效"),
    ]
    assert [r[0][:6] for r in body] == ["DF2026", "DF2026"] and str(body[0][9])[:10] == "2026-04-20"
    text = str(rows)
    assert "王五" not in text and "三社区" not in text
    for key in ("dues.members", "dues.payments", "dues.branches"):
        assert get_ledger(client, key, period="2026", org=w.branch_b.pk).status_code == 404


def test_a_member_who_left_owes_nothing_from_the_month_they_left(story):
    """People's left_on (a transfer out of the system): months from the month of leaving are neither
    due nor counted as paid, so the rate stays paid ÷ due of the months the member was here."""
    from jiceng.people import services as people_services

    w = story
    assert values(w.town_b_org)[:3] == (1.0, 1000, 1000)  # 1 yuan a month, January to October
    people_services.member_leave(
        actor=w.users["county"], member=w.member_b, on=dt.date(2026, 6, 15), reason="transferred_out"
    )
    assert values(w.town_b_org)[:3] == (1.0, 500, 500)  # January to May
