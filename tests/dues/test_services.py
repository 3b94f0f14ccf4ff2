"""Declarations and payments through the services: the history kept, every refusal with its field
and message (nothing stored), scoping, voiding, and the arrears streaks computed in SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.dues import queries, services
from jiceng.dues.models import DuesBase, Payment, PaymentMonth

from .conftest import TODAY, declare, month, pay

pytestmark = pytest.mark.django_db


def refused(fn, field, *needles):
    before = (
        DuesBase.objects.count(),
        Payment.objects.count(),
        PaymentMonth.objects.count(),
        AuditEntry.objects.count(),
    )
    with pytest.raises(DomainError) as exc:
        fn()
    assert field in exc.value.errors, exc.value.errors
    text = " ".join(exc.value.errors[field])
    for n in needles:
        assert n in text, text
    after = (
        DuesBase.objects.count(),
        Payment.objects.count(),
        PaymentMonth.objects.count(),
        AuditEntry.objects.count(),
    )
    assert before == after, "a refused write stored something"
    return exc.value


def test_declare_computes_the_amount_and_keeps_the_history(world, today):
    sec = world.users["sec_a"]
    m = world.member_a
    first = declare(sec, m, base="3000.01", start=month(2026, 1))
    assert (first.rate, first.amount, first.until_no) == (Decimal("0.0100"), Decimal("30.00"), None)
    second = declare(sec, m, base="5200", start=month(2026, 7))
    first.refresh_from_db()
    assert first.until_no == second.from_no - 1 and first.amount == Decimal("30.00")  # the past unchanged
    assert second.amount == Decimal("78.00")
    due = {no: b.amount for no, b, _p in queries.due_months(m.pk, first.from_no, second.from_no + 1)}
    assert list(due.values()) == [Decimal("30.00")] * 6 + [Decimal("78.00")] * 2
    assert AuditEntry.objects.filter(action="dues_declare").count() == 2


def test_declaration_refusals(world, today):
    sec = world.users["sec_a"]
    m = world.member_a  # admitted 2020-07-01
    refused(lambda: declare(sec, m, start=month(2020, 6)), "from_month", "入党当月", "2020年7月")
    refused(lambda: declare(sec, m, start=month(2027, 1)), "from_month", "最晚为下月")
    refused(lambda: declare(sec, m, base="", start=month(2026, 1)), "base", "必填")
    refused(lambda: declare(sec, m, base="12.345", start=month(2026, 1)), "base", "两位小数")
    refused(lambda: declare(sec, m, base="-5", start=month(2026, 1)), "base", "大于0")
    refused(lambda: declare(sec, m, group="farmer", base=None, amount="1.50"), "amount", "0.20元至1.00元")
    refused(lambda: declare(sec, m, group="nobody"), "group")
    declare(sec, m, start=month(2026, 3))
    refused(lambda: declare(sec, m, start=month(2026, 3)), "from_month", "2026年3月起", "不修改")
    pay(sec, m, month(2026, 3), month(2026, 5))
    refused(lambda: declare(sec, m, start=month(2026, 4)), "from_month", "2026年5月的党费已交", "2026年6月")


def test_fixed_groups(world, today):
    sec = world.users["sec_a"]
    farmer = declare(sec, world.member_a, group="farmer", base=None, amount="0.5")
    assert (farmer.base, farmer.rate, farmer.amount) == (None, None, Decimal("0.50"))
    student = declare(sec, world.member_a_grid, group="low_income", base=None)
    assert student.amount == Decimal("0.20")


def test_payment_of_several_months_and_its_receipt(world, today, collector):
    m = world.member_a
    declare(world.users["sec_a"], m, base="4000")  # 1% → 40.00 a month
    p = pay(
        collector,
        m,
        month(2026, 1),
        month(2026, 3),
        amount="120.00",
        method="transfer",
        reference="wx 4200 0001",
    )
    assert p.receipt_no == f"DF2026{p.pk:08d}" and p.months == 3 and p.reference == "WX42000001"
    assert list(p.lines.order_by("month_no").values_list("month", "amount")) == [
        (month(2026, k), Decimal("40.00")) for k in (1, 2, 3)
    ]
    assert p.recorded_by == collector and p.org == m.org
    assert AuditEntry.objects.filter(action="dues_pay", target_id=str(p.pk)).exists()


def test_payment_refusals(world, today):
    sec = world.users["sec_a"]
    m = world.member_a
    refused(lambda: pay(sec, m, month(2026, 1), amount="40"), "from_month", "尚未核定")
    declare(sec, m, base="4000", start=month(2026, 1))
    e = refused(
        lambda: pay(sec, m, month(2026, 1), month(2026, 2), amount="100"),
        "amount",
        "应交80.00元",
        "多20.00元",
    )
    assert "100.00" in " ".join(e.errors["amount"])
    refused(lambda: pay(sec, m, month(2026, 1), month(2026, 2), amount="79.99"), "amount", "少0.01元")
    refused(
        lambda: pay(sec, m, month(2020, 6), amount="40"), "from_month", "早于该党员入党的月份", "2020年7月"
    )
    refused(lambda: pay(sec, m, month(2026, 1), amount="40", method="transfer"), "reference", "转账单号")
    refused(lambda: pay(sec, m, month(2026, 1), amount="40", reference="ABC123"), "reference", "现金")
    refused(
        lambda: pay(sec, m, month(2026, 1), amount="40", paid_on=TODAY + dt.timedelta(days=1)),
        "paid_on",
        "今天",
    )
    refused(
        lambda: pay(sec, m, month(2026, 1), amount="40", paid_on=dt.date(2020, 6, 30)), "paid_on", "入党日期"
    )
    refused(lambda: pay(sec, m, month(2026, 3), month(2026, 1), amount="40"), "to_month", "不能早于")
    refused(
        lambda: pay(sec, m, month(2026, 1), month(2027, 12), amount="40"), "to_month", "最多预交到2027年11月"
    )
    pay(sec, m, month(2026, 2))
    refused(
        lambda: pay(sec, m, month(2026, 1), month(2026, 3), amount="120"), "from_month", "2026年2月", "已交"
    )


def test_scope_another_villages_member_is_not_payable(world, today):
    county = world.users["county"]
    declare(county, world.member_b, start=month(2026, 1))
    for user in ("sec_a", "township", "grid_a", "member"):
        with pytest.raises(NotFound):
            pay(world.users[user], world.member_b, month(2026, 1), amount="40")
        with pytest.raises(NotFound):
            declare(world.users[user], world.member_b, start=month(2026, 2))
    assert not Payment.objects.filter(member=world.member_b).exists()
    pay(world.users["sec_b"], world.member_b, month(2026, 1))  # B's own secretary may


def test_void_frees_the_months(world, today):
    sec = world.users["sec_a"]
    m = world.member_a
    declare(sec, m, base="4000")
    p = pay(sec, m, month(2026, 1), month(2026, 2))
    refused(lambda: services.payment_void(actor=sec, payment=p, reason=""), "reason", "必填")
    with pytest.raises(NotFound):
        services.payment_void(actor=world.users["sec_b"], payment=p, reason="错录")
    services.payment_void(actor=sec, payment=p, reason="错录为一村张三")
    p.refresh_from_db()
    assert p.voided_at and not p.lines.exists() and p.receipt_no
    again = pay(sec, m, month(2026, 1), month(2026, 2))
    assert again.receipt_no != p.receipt_no
    refused(lambda: services.payment_void(actor=sec, payment=p, reason="再次"), "reason", "已于")


def test_unpaid_streaks(world, today):
    """Consecutive unpaid months ending with the last full month before as_of (October 2026 for
    15 November), from the start of the dues record."""
    sec = world.users["sec_a"]
    a, g, b = world.member_a, world.member_a_grid, world.member_b
    declare(sec, a, start=month(2026, 1))
    declare(sec, g, start=month(2026, 1))
    early = dt.date(2026, 10, 20)
    pay(sec, a, month(2026, 1), month(2026, 4), paid_on=early)  # paid Jan–Apr: May–Oct unpaid = 6
    pay(sec, g, month(2026, 1), month(2026, 10))  # all paid up to October, on 15 November
    pay(sec, g, month(2026, 11))  # this month too (not counted either way)
    got = queries.unpaid_streaks([a.pk, g.pk, b.pk], TODAY)
    assert got == {a.pk: 6, g.pk: 0, b.pk: 0}  # b: no declaration, no dues record yet
    assert queries.unpaid_streaks([a.pk], dt.date(2026, 11, 1)) == {a.pk: 6}
    assert queries.unpaid_streaks([a.pk], dt.date(2026, 10, 31)) == {a.pk: 5}
    # a payment counts from the day it was made: on 1 November g's October was not paid yet
    assert queries.unpaid_streaks([g.pk], dt.date(2026, 11, 1)) == {g.pk: 10}
    pay(sec, a, month(2026, 6))  # a gap: only July–October in a row now
    assert queries.unpaid_streaks([a.pk], TODAY) == {a.pk: 4}
    rows = dict(
        queries.with_arrears(type(a).objects.filter(pk=a.pk), TODAY).values_list("pk", "unpaid_months")
    )
    assert rows == {a.pk: 5}  # May, July, August, September, October
    assert queries.paid_up_to([a.pk, g.pk, b.pk]) == {a.pk: month(2026, 4), g.pk: month(2026, 11), b.pk: None}
    assert queries.unpaid_streaks([], TODAY) == {}


def test_unpaid_streak_never_counts_before_the_record_starts(world, today):
    sec = world.users["sec_a"]
    declare(sec, world.member_a, start=month(2026, 9))
    assert queries.unpaid_streaks([world.member_a.pk], TODAY) == {world.member_a.pk: 2}
    declare(sec, world.member_a_grid, start=month(2026, 12))
    assert queries.unpaid_streaks([world.member_a_grid.pk], TODAY) == {world.member_a_grid.pk: 0}
