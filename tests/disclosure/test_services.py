"""Disclosure writes: publish (each refusal named by its field), withdraw (audited, kept in the
register, gone from the public page), scope, and the deadline arithmetic at its boundaries (the end
of a quarter, the 10th of the month)."""

from __future__ import annotations

import datetime as dt

import pytest

from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.disclosure import queries, services
from jiceng.disclosure.models import Item
from jiceng.disclosure.rules import due_by, overdue_cutoff

TODAY = dt.date.today()


def pub(w, actor="sec_a", org=None, **kw):
    data = {"affair": "village", "title": "村道维修开支", "body": "共支出1.2万元。"}
    data.update(kw)
    return services.publish(actor=w.users[actor], org=org or w.branch_a, **data)


def test_publish_stores_and_audits(world):
    item = pub(
        world,
        affair="finance",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
        names=["张三", "李四"],
        source="finance.close:2026-01",
        link="/public/finance/1/",
    )
    assert item.village_id == world.village_a.pk
    assert item.published_on == TODAY
    assert item.display_until == TODAY + dt.timedelta(days=6)  # disclosure.names_display_days: 7
    entry = AuditEntry.objects.get(action="disclosure_publish", target_id=str(item.pk))
    assert entry.org_path == world.branch_a.path
    again = pub(world, affair="finance", source="finance.close:2026-01")  # a correction: a new item
    assert again.pk != item.pk and Item.objects.filter(source="finance.close:2026-01").count() == 2


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"title": "  "}, "title", "标题：必填"),
        ({"title": "长" * 201}, "title", "最多200字"),
        ({"body": ""}, "body", "公开内容：必填"),
        ({"body": "长" * 20001}, "body", "最多20000字"),
        ({"affair": "other"}, "affair", "党务、村务、财务或服务"),
        ({"period_start": dt.date(2026, 3, 1), "period_end": dt.date(2026, 2, 1)}, "period_end", "不能早于"),
        ({"period_start": dt.date(2026, 3, 1)}, "period_end", "同时填写"),
        ({"published_on": TODAY + dt.timedelta(days=1)}, "published_on", "不能晚于今天"),
        ({"link": "https://evil.example/"}, "link", "/public/"),
        ({"names": ["张三", "110101199001011234"]}, "names", "身份证号"),
        ({"names": "张三"}, "names", "姓名列表"),
        ({"display_days": 0, "names": ["张三"]}, "display_days", "1至3650"),
        ({"display_days": 5}, "display_days", "只在点名"),
        ({"attachments": ["x.jpg"]}, "attachments", "暂不支持"),
        ({"source": "s" * 101}, "source", "最多100字"),
    ],
)
def test_publish_refusals_name_the_field(world, kw, field, words):
    before = Item.objects.count()
    with pytest.raises(DomainError) as exc:
        pub(world, **kw)
    assert words in " ".join(exc.value.errors[field])
    assert Item.objects.count() == before


def test_only_villages_publish_and_scope(world):
    with pytest.raises(DomainError) as exc:  # a township committee is no village
        pub(world, actor="township", org=world.town_a_org)
    assert "不是村或社区" in exc.value.errors["org"][0]
    with pytest.raises(NotFound):  # village B's secretary cannot publish for A
        pub(world, actor="sec_b", org=world.branch_a)
    with pytest.raises(NotFound):
        pub(world, actor="grid_a", org=world.branch_a)
    assert pub(world, actor="township", org=world.branch_a2).village_id == world.village_a2.pk
    assert pub(world, actor="county", org=world.branch_b).village_id == world.village_b.pk


def test_withdraw(world):
    item = pub(world)
    with pytest.raises(NotFound):
        services.withdraw(actor=world.users["sec_b"], item=item, reason="错误")
    with pytest.raises(DomainError) as exc:
        services.withdraw(actor=world.users["sec_a"], item=item, reason=" ")
    assert "撤回理由：必填" in exc.value.errors["reason"][0]
    services.withdraw(actor=world.users["sec_a"], item=item, reason="金额有误，另行更正")
    item.refresh_from_db()
    assert item.withdrawn_at and item.withdrawn_by == world.users["sec_a"]
    assert AuditEntry.objects.filter(action="disclosure_withdraw", target_id=str(item.pk)).exists()
    assert not queries.live_items().filter(pk=item.pk).exists()
    with pytest.raises(DomainError):
        services.withdraw(actor=world.users["sec_a"], item=item, reason="再撤一次")


@pytest.mark.parametrize(
    ("last", "today", "cadence", "due", "overdue"),
    [
        # finances monthly, by the 10th: October's item (published 8 Oct) → November's by 10 Nov
        (dt.date(2026, 10, 8), dt.date(2026, 11, 10), "month", dt.date(2026, 11, 10), False),
        (dt.date(2026, 10, 8), dt.date(2026, 11, 11), "month", dt.date(2026, 11, 10), True),
        (dt.date(2026, 10, 31), dt.date(2026, 11, 11), "month", dt.date(2026, 11, 10), True),
        (dt.date(2026, 11, 1), dt.date(2026, 12, 10), "month", dt.date(2026, 12, 10), False),
        (dt.date(2026, 12, 31), dt.date(2027, 1, 10), "month", dt.date(2027, 1, 10), False),
        # quarterly: an item on the last day of Q3 → the next by 10 Jan (Q4's start + 9)
        (dt.date(2026, 9, 30), dt.date(2026, 10, 10), "quarter", dt.date(2026, 10, 10), False),
        (dt.date(2026, 9, 30), dt.date(2026, 10, 11), "quarter", dt.date(2026, 10, 10), True),
        (dt.date(2026, 10, 1), dt.date(2027, 1, 10), "quarter", dt.date(2027, 1, 10), False),
        (dt.date(2026, 10, 1), dt.date(2027, 1, 11), "quarter", dt.date(2027, 1, 10), True),
        (None, dt.date(2026, 12, 3), "month", dt.date(2026, 11, 10), True),
    ],
)
def test_deadline_boundaries(last, today, cadence, due, overdue):
    assert due_by(last, today, cadence, 10) == due
    assert (due < today) is overdue
    assert (last is None or last < overdue_cutoff(today, cadence, 10)) is overdue


def test_last_published_for_other_apps(world):
    w = world
    pub(w, affair="finance", published_on=TODAY - dt.timedelta(days=40))
    late = pub(w, affair="finance", published_on=TODAY - dt.timedelta(days=3))
    pub(w, actor="township", org=w.branch_a2, affair="party")
    got = queries.last_published([w.town_a_org, w.branch_a.path, w.branch_b], "finance")
    assert got == {w.town_a_org.path: late.published_on, w.branch_a.path: late.published_on}
    services.withdraw(actor=w.users["sec_a"], item=late, reason="更正")
    assert queries.last_published([w.branch_a], "finance")[w.branch_a.path] == TODAY - dt.timedelta(days=40)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (
            "disclosure.cadence",
            {"party": "year", "village": "quarter", "finance": "month", "service": "quarter"},
        ),
        ("disclosure.cadence", {"party": "quarter"}),
        ("disclosure.deadline_day", 31),
        ("disclosure.deadline_day", 0),
        ("disclosure.names_display_days", True),
    ],
)
def test_rule_validators_refuse(key, value):
    from jiceng.core import kit

    with pytest.raises(kit.RuleValueError):
        kit.rules()[key].validate(value)
