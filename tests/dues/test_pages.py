"""Dues pages, GET and POST: a branch's members, the phone form of a payment (accepted → the
printable receipt; refused → the form again with the service's message, nothing stored), a
declaration, voiding, the township's summary by branch, the home sections, scoping (another
village's member neither visible nor payable) and a member's own statement (only their own)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiceng.dues.models import DuesBase, Payment

from .conftest import declare, month, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world, today):
    c = world.users["county"]
    declare(c, world.member_a, base="4000", start=month(2026, 1))
    pay(c, world.member_a, month(2026, 1), month(2026, 4), paid_on=dt.date(2026, 4, 20))
    declare(c, world.member_a_grid, group="retired", base="6000", start=month(2026, 7))
    pay(c, world.member_a_grid, month(2026, 7), month(2026, 10), paid_on=dt.date(2026, 10, 20))
    declare(c, world.member_b, group="farmer", base=None, amount="1", start=month(2026, 1))
    return world


def test_branch_page_lists_members_with_arrears(w, login):
    client = login(w.users["sec_a"])
    response = client.get(reverse("dues_overview"), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "张三" in html and "李四" in html and "王五" not in html
    assert 'data-arrears="6"' in html  # 张三: May–October
    assert "2026-04" in html  # paid up to
    assert "党章第九条" in html  # six months in a row: for the branch's attention


def test_township_summary_by_branch(w, login):
    client = login(w.users["township"])
    response = client.get(reverse("dues_org", args=[w.town_a_org.pk]), {"period": "2026-01-01..2026-10-31"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-org="{w.branch_a.pk}"' in html and f'data-org="{w.branch_a2.pk}"' in html
    assert "62.5%" in html  # (160 + 240) ÷ (400 + 240)
    assert "三社区" not in html
    assert client.get(reverse("dues_org", args=[w.town_b_org.pk])).status_code == 404


def test_payment_form_records_and_prints_the_receipt(w, login, collector):
    client = login(collector)
    url = reverse("dues_pay", args=[w.member_a.pk])
    page = client.get(url).content.decode()
    assert "2026年5月" in page and "280.00" in page  # May–November offered: 7 × 40.00
    response = client.post(
        url,
        {
            "from_month": "2026-05",
            "to_month": "2026-07",
            "amount": "120",
            "method": "transfer",
            "reference": "4200001234",
            "paid_on": "2026-11-14",
        },
    )
    payment = Payment.objects.get(member=w.member_a, from_month=month(2026, 5))
    assert response.status_code == 302 and response["Location"] == reverse("dues_receipt", args=[payment.pk])
    receipt = client.get(response["Location"]).content.decode()
    assert (
        payment.receipt_no in receipt
        and "120.00" in receipt
        and "4200001234" in receipt
        and "张三" in receipt
    )


def test_payment_form_refusal_shows_the_amount_due(w, login):
    client = login(w.users["sec_a"])
    before = Payment.objects.count()
    response = client.post(
        reverse("dues_pay", args=[w.member_a.pk]),
        {
            "from_month": "2026-05",
            "to_month": "2026-06",
            "amount": "100",
            "method": "cash",
            "paid_on": "2026-11-14",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "应交80.00元" in html and "多20.00元" in html
    assert Payment.objects.count() == before


def test_declare_form(w, login):
    client = login(w.users["sec_a"])
    url = reverse("dues_declare", args=[w.member_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"group": "employed", "base": "10000.01", "from_month": "2026-11"})
    assert response.status_code == 302
    latest = DuesBase.objects.filter(member=w.member_a).order_by("-from_no").first()
    assert latest.amount == 200 and latest.from_month == month(2026, 11)
    response = client.post(url, {"group": "employed", "base": "5000", "from_month": "2026-03"})
    assert response.status_code == 200 and "2026年11月起的核定" in response.content.decode()


def test_void_from_the_receipt(w, login):
    client = login(w.users["sec_a"])
    payment = Payment.objects.get(member=w.member_a)
    url = reverse("dues_void", args=[payment.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "金额登记错误"}).status_code == 302
    payment.refresh_from_db()
    assert payment.voided_at and payment.void_reason == "金额登记错误"
    assert "金额登记错误" in client.get(reverse("dues_receipt", args=[payment.pk])).content.decode()


def test_another_villages_member_is_not_visible_nor_payable(w, login):
    client = login(w.users["sec_a"])
    for name in ("dues_member", "dues_pay", "dues_declare"):
        assert client.get(reverse(name, args=[w.member_b.pk])).status_code == 404
    response = client.post(
        reverse("dues_pay", args=[w.member_b.pk]),
        {"from_month": "2026-01", "amount": "1", "method": "cash", "paid_on": "2026-11-14"},
    )
    assert response.status_code == 404 and not Payment.objects.filter(member=w.member_b).exists()
    grid = login(w.users["grid_a"])
    assert grid.get(reverse("dues_member", args=[w.member_a.pk])).status_code == 404  # no dues right


def test_member_statement_shows_only_their_own(w, login):
    member_user = w.users["member"]
    type(w.member_a.person).objects.filter(pk=w.member_a.person_id).update(user=member_user)
    client = login(member_user)
    response = client.get(reverse("dues_mine"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="unpaid">6</div>' in html and 'data-figure="paid_up_to">2026-04</div>' in html
    assert (
        'data-month="2026年4月" data-state="paid"' in html
        and 'data-month="2026年5月" data-state="unpaid"' in html
    )
    assert "李四" not in html and "王五" not in html
    own = Payment.objects.get(member=w.member_a)
    other = Payment.objects.get(member=w.member_a_grid)
    assert client.get(reverse("dues_receipt", args=[own.pk])).status_code == 200
    assert client.get(reverse("dues_receipt", args=[other.pk])).status_code == 404
    assert (
        client.get(reverse("dues_member", args=[w.member_a.pk])).status_code == 404
    )  # not the branch's page
    home = client.get(reverse("home")).content.decode()
    assert 'id="my-dues"' in home
    # a log-in that is no member has no statement
    assert login(w.users["nobody"]).get(reverse("dues_mine")).status_code == 404


def test_secretary_home_flags_six_months_unpaid(w, login):
    html = login(w.users["sec_a"]).get(reverse("home")).content.decode()
    assert f'id="dues-home-{w.branch_a.pk}"' in html and "党章第九条" in html and "张三" in html


def test_six_month_flag_at_exactly_six(world, today, login, collector):
    """May–October unpaid (6 in a row): flagged for the branch; June–October (5): in arrears only."""
    from jiceng.dues import selectors

    c = world.users["county"]
    declare(c, world.member_a, start=month(2026, 5))
    declare(c, world.member_a_grid, start=month(2026, 6))
    members = list(selectors.branch_members(actor=collector, org=world.branch_a, today=today))
    rows = {
        r.member.pk: r
        for r in selectors.member_rows(actor=collector, org=world.branch_a, members=members, today=today)
    }
    a, g = rows[world.member_a.pk], rows[world.member_a_grid.pk]
    assert (a.unpaid_streak, a.flag_lapse, a.flag_arrears) == (6, True, True)
    assert (g.unpaid_streak, g.flag_lapse, g.flag_arrears) == (5, False, True)
    html = login(collector).get(reverse("home")).content.decode()
    assert 'id="dues-lapsed"' in html and "张三" in html.split('id="dues-lapsed"')[1].split("</ul>")[0]
    assert "李四" not in html.split('id="dues-lapsed"')[1].split("</ul>")[0]
