"""The finance API (vouchers list and post, balances; refusals 400 with the field, nothing stored;
a closed month refused) and the collective-economy figures with the rows behind them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.core.indicators import registry
from jiceng.core.periods import parse_period
from jiceng.finance import services
from jiceng.finance.models import Voucher

from .conftest import W_PATH, months_ago

pytestmark = pytest.mark.django_db


def body(fw, day, **kw):
    b = {
        "org": fw.village.pk,
        "date": day.isoformat(),
        "summary": "收到发包款",
        "lines": [{"account": "102", "debit": 30_000}, {"account": "511", "credit": 30_000}],
    }
    b.update(kw)
    return b


def test_api_posts_lists_and_refuses(fw, client, django_assert_max_num_queries):
    client.force_login(fw.w.users["sec_a"])
    day = timezone.localdate()
    r = client.post("/api/v1/finance/vouchers", body(fw, day), content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["number"] == 1 and r.json()["amount"] == 30_000
    bad = body(fw, day, lines=[{"account": "102", "debit": 30_000}, {"account": "511", "credit": 29_999}])
    r = client.post("/api/v1/finance/vouchers", bad, content_type="application/json")
    assert r.status_code == 400 and r.json()["stage"] == "rules"
    assert r.json()["errors"][0]["field"] == "lines"
    r = client.post(
        "/api/v1/finance/vouchers",
        body(fw, day, lines=[{"account": "999", "debit": 1}]),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "lines.0.account"
    r = client.post(
        "/api/v1/finance/vouchers", body(fw, day, summary="x" * 201), content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["stage"] == "input"
    assert Voucher.objects.filter(org__path__startswith=W_PATH[0]).count() == 1
    for i in range(5):
        fw.post(day, ("102", 10 + i, 0), ("501", 0, 10 + i))
    with django_assert_max_num_queries(12):
        r = client.get("/api/v1/finance/vouchers", {"org": fw.village.pk})
    assert r.json()["count"] == 6 and len(r.json()["items"][0]["lines"]) == 2
    r = client.get("/api/v1/finance/balances", {"org": fw.village.pk})
    bal = {row["code"]: row["balance"] for row in r.json()}
    assert bal["102"] == 30_000 + sum(10 + i for i in range(5)) and bal["511"] == 30_000
    assert client.get("/api/v1/finance/balances", {"org": fw.w.branch_b.pk}).status_code == 404


def test_api_refuses_a_closed_month(fw, client):
    month = months_ago(2)
    fw.post(month + dt.timedelta(days=1), ("102", 1, 0), ("501", 0, 1))
    seats = fw.panel(3, month)
    fw.sign_all(month, seats)
    services.month_close(actor=fw.w.users["sec_a"], org=fw.village, month=month)
    client.force_login(fw.w.users["sec_a"])
    r = client.post(
        "/api/v1/finance/vouchers", body(fw, month + dt.timedelta(days=2)), content_type="application/json"
    )
    assert (
        r.status_code == 400
        and r.json()["errors"][0]["field"] == "date"
        and "已月结" in r.json()["errors"][0]["message"]
    )
    assert Voucher.objects.filter(org__path__startswith=W_PATH[0]).count() == 1


def test_figures_and_their_rows(fw):
    day = timezone.localdate()
    period = parse_period(str(day.year))
    fw.post(day, ("102", 4_000_000, 0), ("501", 0, 4_000_000))
    fw.post(day, ("102", 9_000_000, 0), ("521", 0, 9_000_000), summary="补助")
    services.asset_add(
        actor=fw.w.users["township"],
        org=fw.w.branch_a2,
        kind="land",
        name="荒山",
        quantity="3",
        unit="亩",
        value=0,
    )
    reg = registry()
    county = fw.w.county_org
    assert reg["finance.operating_income"].fn(county, period).value == 4_000_000
    assert reg["finance.operating_income"].fn(fw.w.town_b_org, period).value == 0
    # 一村: 4万 (over 3万, under 5万); 二村: nothing; 三社区: nothing
    assert reg["finance.below_minimum_income"].fn(county, period).value == 2
    assert reg["finance.below_award_threshold"].fn(county, period).value == 3
    # 三无: 三社区 only (一村 has funds, 二村 an asset)
    three = reg["finance.three_none_villages"]
    assert three.fn(county, period).value == 1
    assert [o.pk for o in three.rows(county, period, "value")] == [fw.w.branch_b.pk]
    for name in ("finance.below_minimum_income", "finance.below_award_threshold"):
        assert reg[name].rows(county, period, "value").count() == reg[name].fn(county, period).value
