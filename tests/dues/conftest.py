"""The small world (tests/world.py) with what dues adds: a dues collector of village A's branch, and
helpers to declare and pay through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jiceng.dues import calc, services
from tests.factories import UserFactory

# the tests' "today": mid-month, so "last month" and "this month" are fixed
TODAY = dt.date(2026, 11, 15)


def month(y: int, m: int) -> dt.date:
    return dt.date(y, m, 1)


@pytest.fixture
def today(monkeypatch):
    """Pin timezone.localdate() for the services and selectors."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


@pytest.fixture
def collector(world):
    return UserFactory(
        actor=world.users["county"],
        username="collector_w",
        display_name="一村组织委员",
        roles=[("dues_collector", world.branch_a)],
    )


JAN = dt.date(2026, 1, 1)


def declare(actor, member, *, group="employed", base="4000", amount=None, start=JAN):
    return services.base_declare(
        actor=actor, member=member, group=group, base=base, amount=amount, from_month=start
    )


def pay(actor, member, lo, hi=None, *, amount=None, method="cash", reference="", paid_on=TODAY):
    if amount is None:
        lo_no, hi_no = calc.month_no(lo), calc.month_no(hi or lo)
        from jiceng.dues import queries

        amount = sum((b.amount for _n, b, _p in queries.due_months(member.pk, lo_no, hi_no)), Decimal(0))
    return services.payment_record(
        actor=actor,
        member=member,
        from_month=lo,
        to_month=hi or lo,
        amount=amount,
        method=method,
        reference=reference,
        paid_on=paid_on,
    )
