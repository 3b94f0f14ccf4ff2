"""The demo county's dues (dues/demo.py, loaded once per session): every member declared, twelve
months of payments up to last month with some arrears and a few members six months or more behind,
and the figures computed from them consistent with the rows."""

from __future__ import annotations

import datetime as dt

import pytest

from jiceng.core import indicators
from jiceng.core.periods import Period
from jiceng.dues import calc, queries
from jiceng.dues.models import DuesBase, Payment, PaymentMonth
from jiceng.people import queries as people

pytestmark = pytest.mark.django_db


def test_demo_dues(demo_county):
    as_of = demo_county["as_of"]
    # every member the county has had: the dues step declared for each on the rolls then, and only
    # a later step (mobility's transfer out of the system) has taken one off the rolls since
    assert DuesBase.objects.values("member").distinct().count() == people.members().count()
    members = people.members_on(as_of)
    assert not Payment.objects.filter(paid_on__gte=as_of).exists()  # up to the day before
    # each receipt's amount is its months' dues
    for p in Payment.objects.order_by("?")[:50]:
        assert p.amount == sum(line.amount for line in p.lines.all()) and p.lines.count() == p.months
    streaks = queries.unpaid_streaks(members.values_list("pk", flat=True), as_of)
    behind = [n for n in streaks.values() if n >= 6]
    assert 0 < len(behind) < 0.06 * len(streaks)
    assert sum(1 for n in streaks.values() if n == 0) > 0.8 * len(streaks)
    # the year's collection rate: high, below 100%
    period = Period(dt.date(as_of.year, 1, 1), as_of - dt.timedelta(days=1), "ytd")
    rate = indicators.compute_live(["dues.collection_rate"], demo_county["root"], period)[
        "dues.collection_rate"
    ]
    assert 0.85 < rate.value < 1
    lo, hi = queries.period_months(period.start, period.as_of)
    paid = sum(PaymentMonth.objects.filter(month_no__range=(lo, hi)).values_list("amount", flat=True))
    assert rate.numerator == round(paid * 100)  # in fen
    assert hi == calc.month_no(as_of) - 1
