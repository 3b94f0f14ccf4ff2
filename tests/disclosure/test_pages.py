"""Disclosure pages, the township's overdue list across many villages (one query shape however
many villages: guarded), the home sections, the ledgers, the figures, the API's refusals and the
public village page (items by affair, names only within the display period, no phone or ID)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.core import indicators
from jiceng.core import services as core
from jiceng.core.periods import Period
from jiceng.disclosure import public, selectors, services
from jiceng.disclosure.models import Item
from tests.helpers import get_ledger, sheet_rows, workbook

TODAY = timezone.localdate()
PHONE = re.compile(r"1[3-9]\d{9}")
ID_NUMBER = re.compile(r"\d{17}[\dX]")


def pub(w, org, affair="village", actor="county", **kw):
    data = {"title": f"{affair}公开", "body": "内容。", "published_on": TODAY}
    data.update(kw)
    return services.publish(actor=w.users[actor], org=org, affair=affair, **data)


def current(w, org):
    """Every affair published today: nothing of ``org``'s village is overdue."""
    for a in ("party", "village", "finance", "service"):
        pub(w, org, a)


def test_list_filters_publish_and_withdraw_pages(world, login):
    w = world
    a = pub(w, w.branch_a, "finance", title="十月财务收支", body="支出村道维修1.2万元")
    b = pub(w, w.branch_b, "party", title="三社区党务")
    client = login(w.users["sec_a"])
    text = client.get(reverse("disclosure_list")).content.decode()
    assert f'data-item="{a.pk}"' in text and f'data-item="{b.pk}"' not in text  # scope
    text = client.get(reverse("disclosure_list"), {"q": "村道维修"}).content.decode()
    assert f'data-item="{a.pk}"' in text
    text = client.get(reverse("disclosure_list"), {"affair": "party"}).content.decode()
    assert f'data-item="{a.pk}"' not in text
    assert client.get(reverse("disclosure_item", args=[b.pk])).status_code == 404
    # publish: the secretary's one village is preselected; a refusal names the field, nothing stored
    url = reverse("disclosure_publish")
    assert client.get(url).status_code == 200
    before = Item.objects.count()
    r = client.post(url, {"org": w.branch_a.pk, "affair": "village", "title": "修路", "body": "内容",
                          "period_start": "2026-03-01", "period_end": "2026-02-01"})  # fmt: skip
    assert r.status_code == 200 and "不能早于起始日" in r.content.decode() and Item.objects.count() == before
    r = client.post(url, {"org": w.branch_b.pk, "affair": "village", "title": "越权", "body": "内容"})
    assert r.status_code == 200 and Item.objects.count() == before  # B is no choice of A's secretary
    r = client.post(url, {"org": w.branch_a.pk, "affair": "service", "title": "低保名单", "body": "名单如下",
                          "names": "张三\n李四\n"})  # fmt: skip
    item = Item.objects.latest("pk")
    assert r.status_code == 302 and item.names == ["张三", "李四"] and item.village_id == w.village_a.pk
    r = client.post(reverse("disclosure_withdraw", args=[item.pk]), {"reason": "名单有误"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.withdrawn_reason == "名单有误"
    assert client.post(reverse("disclosure_withdraw", args=[b.pk]), {"reason": "越权"}).status_code == 404
    # a grid worker sees no publish page
    assert login(w.users["grid_a"]).get(url).status_code == 404


def test_overdue_list_across_many_villages(world, login, django_assert_max_num_queries):
    w = world
    c = w.users["county"]
    extra = []
    for i in range(12):
        v = core.area_create(actor=c, parent=w.town_a, name=f"新{i}村", kind="village")
        extra.append(
            core.org_create(actor=c, parent=w.town_a_org, name=f"新{i}村党支部", kind="branch", area=v)
        )
    current(w, w.branch_a)
    for o in extra[:6]:
        current(w, o)
    old = TODAY - dt.timedelta(days=200)
    pub(w, extra[6], "finance", published_on=old)  # the oldest finance item
    rows_qs, ctx = selectors.overdue(actor=w.users["township"])
    rows = selectors.overdue_rows(rows_qs, ctx)
    # 一村 and 新0–5村 are current; 二村 and 新6–11村 overdue in all four affairs; 三社区 is outside
    assert {r.village for r in rows} == {"二村", *(f"新{i}村" for i in range(6, 12))}
    assert len(rows) == 7 * 4
    assert rows[0].village == "新6村" and rows[0].affair == "finance" and rows[0].last == old
    assert [r.since for r in rows] == sorted(r.since for r in rows)  # the oldest first
    keys = [r["key"] for r in rows_qs]  # the SQL sort key is the month of the rule's day
    assert [dt.date(k // 12, k % 12 + 1, 1) for k in keys] == [r.since.replace(day=1) for r in rows]
    client = login(w.users["township"])
    with django_assert_max_num_queries(14):
        text = client.get(reverse("disclosure_overdue")).content.decode()
    assert text.count('class="overdue"') == 28 and "新6村" in text and "三社区" not in text
    with django_assert_max_num_queries(14):
        text = client.get(reverse("disclosure_overdue"), {"affair": "finance"}).content.decode()
    assert text.count('class="overdue"') == 7
    r = get_ledger(client, "disclosure.overdue", affair="finance")
    assert len(sheet_rows(workbook(r).active)) == 1 + 7
    # the figure: villages with an affair overdue, per township, and its rows
    year = Period(dt.date(TODAY.year, 1, 1), dt.date(TODAY.year, 12, 31), str(TODAY.year))
    v = indicators.compute(
        actor=w.users["county"], name="disclosure.overdue_villages", org=w.town_a_org, period=year
    )
    assert v.value == 7
    ind = indicators.get("disclosure.overdue_villages")
    assert ind.rows(w.town_a_org, year, "value").count() == 7
    assert selectors.overdue_village_count(actor=w.users["township"], org=w.town_a_org) == 7


def test_home_sections(world, login):
    w = world
    pub(w, w.branch_a, "finance", published_on=TODAY - dt.timedelta(days=1))
    text = login(w.users["sec_a"]).get("/").content.decode()
    assert 'id="home-disclosure"' in text and 'data-affair="finance"' in text
    due = {r.affair: r for r in selectors.village_due(actor=w.users["sec_a"], org=w.branch_a)}
    assert due["party"].overdue and not due["finance"].overdue
    text = login(w.users["township"]).get("/").content.decode()
    assert 'data-count="overdue-villages"' in text


def test_register_and_items_figure(world, login):
    w = world
    a = pub(w, w.branch_a, "finance", source="finance.close:2026-10", major=True,
            period_start=TODAY - dt.timedelta(days=10), period_end=TODAY - dt.timedelta(days=10))  # fmt: skip
    pub(w, w.branch_a2, "party")
    b = pub(w, w.branch_a, "village", names=["王某"])
    services.withdraw(actor=w.users["county"], item=b, reason="错误")
    client = login(w.users["township"])
    rows = sheet_rows(workbook(get_ledger(client, "disclosure.register")).active)
    assert len(rows) == 1 + 3
    by_title = {r[2]: r for r in rows[1:]}
    assert by_title[a.title][7] == "否" and by_title[a.title][10] == "finance.close:2026-10"  # late: > 3 days
    assert by_title[b.title][14] == "错误" and by_title[b.title][8] == 1  # a count, not the name
    assert "王某" not in str(rows)
    year = Period(dt.date(TODAY.year, 1, 1), dt.date(TODAY.year, 12, 31), str(TODAY.year))
    assert (
        indicators.compute(
            actor=w.users["county"], name="disclosure.items", org=w.town_a_org, period=year
        ).value
        == 2
    )


def test_api_list_publish_and_400s(world, client):
    w = world
    client.force_login(w.users["sec_a"])
    body = {"org": w.branch_a.pk, "affair": "finance", "title": "十一月财务", "body": "收支如下"}
    r = client.post("/api/v1/disclosure", body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["village_id"] == w.village_a.pk
    before = Item.objects.count()
    for bad, field in (
        ({"affair": "secret"}, "affair"),
        ({"title": ""}, "title"),
        ({"period_start": "2026-03-01", "period_end": "2026-02-01"}, "period_end"),
        ({"names": ["13800138000"]}, "names"),
        ({"extra": 1}, "extra"),
    ):
        r = client.post("/api/v1/disclosure", {**body, **bad}, content_type="application/json")
        assert r.status_code == 400, (bad, r.content)
        assert field in {e["field"] for e in r.json()["errors"]}, (bad, r.json())
    assert Item.objects.count() == before
    r = client.post("/api/v1/disclosure", {**body, "org": w.branch_b.pk}, content_type="application/json")
    assert r.status_code == 404 and Item.objects.count() == before
    r = client.get("/api/v1/disclosure", {"affair": "finance"})
    assert r.status_code == 200 and r.json()["count"] == 1


def test_public_village_page(world, client):
    w = world
    recent = pub(
        w, w.branch_a, "service", title="低保名单公示", names=["张三", "李四"], link="/public/disclosure/"
    )
    old = pub(
        w,
        w.branch_a,
        "service",
        title="旧低保名单",
        names=["王五"],
        published_on=TODAY - dt.timedelta(days=7),
    )
    edge = pub(
        w,
        w.branch_a,
        "service",
        title="六天前名单",
        names=["赵六"],
        published_on=TODAY - dt.timedelta(days=6),
    )
    gone = pub(w, w.branch_a, "finance", title="撤回的财务")
    services.withdraw(actor=w.users["county"], item=gone, reason="错误")
    for i in range(7):
        pub(w, w.branch_a, "party", title=f"党务{i}", published_on=TODAY - dt.timedelta(days=i))
    page = public.village_page(w.village_a.pk)
    groups = {g.affair: g for g in page.affairs}
    assert [g.affair for g in page.affairs] == ["party", "village", "finance", "service"]
    assert groups["party"].total == 7 and len(groups["party"].items) == public.PER_AFFAIR
    assert groups["party"].items[0].title == "党务0"  # newest first
    assert groups["finance"].total == 0  # the withdrawn item is not public
    shown = {it.title: it.names for it in groups["service"].items}
    # 7 days of display: the item of six days ago shows its names today, the one of seven does not
    assert shown == {recent.title: ("张三", "李四"), edge.title: ("赵六",), old.title: ()}
    r = client.get(reverse("disclosure_public_village", args=[w.village_a.pk]))
    text = r.content.decode()
    assert r.status_code == 200 and "张三" in text and "王五" not in text and "撤回的财务" not in text
    assert not PHONE.search(text) and not ID_NUMBER.search(text)
    assert 'href="/public/disclosure/"' in text
    more = client.get(reverse("disclosure_public_village", args=[w.village_a.pk]), {"affair": "party"})
    assert "党务6" in more.content.decode()
    assert client.get(reverse("disclosure_public_village", args=[w.town_a.pk])).status_code == 404
    idx = client.get(reverse("disclosure_public"), {"township": w.town_a.pk}).content.decode()
    assert "一村" in idx and "二村" in idx and "三社区" not in idx
    found = client.get(reverse("disclosure_public"), {"q": "社区"}).content.decode()
    assert "三社区" in found


@pytest.mark.parametrize("username", ["county", "township", "secretary"])
def test_demo_pages_open(demo_county, client, username):
    from jiceng.core.models import User

    client.force_login(User.objects.get(username=username))
    for name in ("disclosure_list", "disclosure_overdue", "disclosure_publish"):
        assert client.get(reverse(name)).status_code == 200, name
    if username == "township":
        text = client.get(reverse("disclosure_overdue"), {"affair": "finance"}).content.decode()
        assert 'data-affair="finance"' in text  # the demo's lagging village
