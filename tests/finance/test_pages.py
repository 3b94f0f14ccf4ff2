"""Finance pages: every page renders for the roles whose work it is, the voucher form parses 元
(refusing a third decimal), a closed month refuses through the page, scope holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.finance.models import Voucher

from .conftest import W_PATH, months_ago

pytestmark = pytest.mark.django_db


def _voucher_data(fw, day, debit="120.50", credit="120.50", **kw):
    data = {
        "date": day.isoformat(),
        "summary": "收到租金",
        "line0_account": fw.acc("102").pk,
        "line0_debit": debit,
        "line1_account": fw.acc("511").pk,
        "line1_credit": credit,
    }
    data.update(kw)
    return data


def test_pages_render_for_the_secretary_and_the_township(fw, login):
    v = fw.post(timezone.localdate(), ("102", 100, 0), ("501", 0, 100))
    org = fw.village
    c = login(fw.w.users["sec_a"])
    for name, args in (
        ("finance_books", [org.pk]),
        ("finance_vouchers", [org.pk]),
        ("finance_voucher_new", [org.pk]),
        ("finance_report", [org.pk]),
        ("finance_assets", [org.pk]),
        ("finance_contracts", [org.pk]),
        ("finance_panel", [org.pk]),
        ("finance_handovers", [org.pk]),
        ("finance_close", [org.pk, f"{months_ago(1):%Y-%m}"]),
        ("finance_voucher", [v.pk]),
    ):
        r = c.get(reverse(name, args=args))
        assert r.status_code == 200, (name, r.status_code)
    assert c.get(reverse("finance_home")).status_code == 302
    assert c.get(reverse("finance_books", args=[fw.w.branch_b.pk])).status_code == 404
    t = login(fw.w.users["township"])
    r = t.get(reverse("finance_overview") + f"?org={fw.w.town_a_org.pk}")
    assert r.status_code == 200 and "一村党支部" in r.content.decode()
    assert t.get(reverse("finance_panel", args=[org.pk])).status_code == 200


def test_voucher_form_posts_in_yuan_and_refuses_a_third_decimal(fw, login):
    c = login(fw.w.users["sec_a"])
    url = reverse("finance_voucher_new", args=[fw.village.pk])
    day = timezone.localdate()
    r = c.post(url, _voucher_data(fw, day, debit="120.505", credit="120.505"))
    assert r.status_code == 200 and "两位小数" in r.content.decode()
    assert not Voucher.objects.filter(org__path__startswith=W_PATH[0]).exists()
    r = c.post(url, _voucher_data(fw, day, credit="120.49"))
    assert r.status_code == 200 and "借贷不平衡" in r.content.decode()
    r = c.post(url, _voucher_data(fw, day))
    assert r.status_code == 302
    v = Voucher.objects.get(org__path__startswith=W_PATH[0])
    assert v.amount == 12_050


def test_a_closed_month_refuses_through_the_page(fw, login):
    month = months_ago(2)
    v = fw.post(month + dt.timedelta(days=2), ("102", 100, 0), ("501", 0, 100))
    seats = fw.panel(3, month)
    fw.sign_all(month, seats)
    c = login(fw.w.users["sec_a"])
    r = c.post(reverse("finance_close", args=[fw.village.pk, f"{month:%Y-%m}"]), {"do": "close"})
    assert r.status_code == 302
    r = c.post(
        reverse("finance_voucher_new", args=[fw.village.pk]), _voucher_data(fw, month + dt.timedelta(days=5))
    )
    assert r.status_code == 200 and "已月结" in r.content.decode()
    r = c.post(
        reverse("finance_voucher_reverse", args=[v.pk]),
        {"date": (month + dt.timedelta(days=6)).isoformat(), "reason": "错"},
    )
    assert "已月结" in r.content.decode()
    assert Voucher.objects.filter(org__path__startswith=W_PATH[0]).count() == 1
    r = c.post(
        reverse("finance_voucher_reverse", args=[v.pk]),
        {"date": timezone.localdate().isoformat(), "reason": "错"},
    )
    assert r.status_code == 302 and Voucher.objects.filter(org__path__startswith=W_PATH[0]).count() == 2
    assert c.get(reverse("finance_public_month", args=[fw.village.pk, f"{month:%Y-%m}"])).status_code == 200


def test_voucher_list_filters_and_query_count(fw, login, django_assert_max_num_queries):
    for i in range(12):
        fw.post(timezone.localdate(), ("102", 100 + i, 0), ("501", 0, 100 + i), summary=f"租金{i}")
    fw.post(timezone.localdate(), ("541", 5, 0), ("101", 0, 5), summary="办公用品", counterparty="文具店")
    c = login(fw.w.users["sec_a"])
    url = reverse("finance_vouchers", args=[fw.village.pk])
    with django_assert_max_num_queries(20):
        r = c.get(url)
    assert r.content.decode().count('data-voucher="') == 13
    r = c.get(url, {"q": "文具"})
    assert r.content.decode().count('data-voucher="') == 1
    r = c.get(url, {"account": fw.acc("541").pk})
    assert r.content.decode().count('data-voucher="') == 1
    r = c.get(url, {"month": "2026-13"})
    assert r.status_code == 200 and "YYYY-MM" in r.content.decode()


def test_public_month_page_is_404_for_an_open_month(fw, client):
    assert (
        client.get(
            reverse("finance_public_month", args=[fw.village.pk, f"{months_ago(1):%Y-%m}"])
        ).status_code
        == 404
    )
    assert client.get(reverse("finance_public_month", args=[fw.village.pk, "garbage"])).status_code == 404
