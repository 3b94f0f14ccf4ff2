"""Ledger arithmetic by property tests (hypothesis), with the real database: for random balanced
vouchers every account's balance is the sum of its lines and the trial balance nets to zero; a
closed month's figures never change under any later sequence of allowed operations; reversing a
voucher brings every balance back. Each example runs in a savepoint that is rolled back."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core.errors import DomainError
from jiceng.finance import queries, services
from jiceng.finance.chart import CASH_CODES, DEFAULT

from .conftest import months_ago

pytestmark = pytest.mark.django_db

CODES = [c for c, *_ in DEFAULT]
NON_CASH = [c for c in CODES if c not in CASH_CODES]  # credits off cash: no large-expense rule in play
NORMAL = {c: n for c, _name, _cat, n, _s in DEFAULT}
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _Rollback(Exception):
    pass


def rolled_back(fn) -> None:
    try:
        with transaction.atomic():
            fn()
            raise _Rollback
    except _Rollback:
        pass


@st.composite
def vouchers(draw, n_max=6):
    """Balanced vouchers: 1–3 debit lines on any account, 1–3 credit lines off cash, equal totals."""
    out = []
    for _ in range(draw(st.integers(1, n_max))):
        debits = draw(
            st.lists(st.tuples(st.sampled_from(CODES), st.integers(1, 10**9)), min_size=1, max_size=3)
        )
        total = sum(a for _c, a in debits)
        k = draw(st.integers(1, min(3, total)))
        cuts = (
            sorted(draw(st.sets(st.integers(1, total - 1), min_size=k - 1, max_size=k - 1))) if k > 1 else []
        )
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
        credits = [(draw(st.sampled_from(NON_CASH)), p) for p in parts]
        out.append([(c, a, 0) for c, a in debits] + [(c, 0, a) for c, a in credits])
    return out


def post_all(fw, day, vs):
    return [fw.post(day, *lines, summary=f"随机{i}") for i, lines in enumerate(vs)]


@SETTINGS
@given(vs=vouchers())
def test_balances_are_the_sum_of_the_lines_and_the_trial_balance_nets_to_zero(fw, vs):
    def run():
        day = timezone.localdate()
        post_all(fw, day, vs)
        expected: dict[str, int] = defaultdict(int)
        for lines in vs:
            for code, d, c in lines:
                expected[code] += d - c if NORMAL[code] == "debit" else c - d
        got = {fw.acc(c).code: b for c, b in ((a, b) for a, b in _by_code(fw, day).items())}
        assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}
        rows = queries.trial_balance(fw.village, None, day)
        assert sum(r.debit for r in rows) == sum(r.credit for r in rows)
        net = sum(r.closing if r.normal == "debit" else -r.closing for r in rows)
        assert net == 0

    rolled_back(run)


def _by_code(fw, day) -> dict[str, int]:
    bal = queries.balances(fw.village, day)
    return {r.code: bal[r.account_id] for r in queries.trial_balance(fw.village, None, day)}


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("post_later"), vouchers(n_max=1)),
        st.tuples(st.just("post_closed"), vouchers(n_max=1)),
        st.tuples(st.just("reverse"), st.integers(0, 20)),
    ),
    min_size=1,
    max_size=5,
)


@pytest.fixture
def panel_fw(fw):
    fw.seats = fw.panel(3, months_ago(4))
    return fw


@SETTINGS
@given(vs=vouchers(n_max=4), ops=OPS)
def test_a_closed_month_never_changes(panel_fw, vs, ops):
    fw = panel_fw
    month = months_ago(2)
    end = queries.month_end(month)

    def run():
        posted = post_all(fw, month + dt.timedelta(days=3), vs)
        fw.sign_all(month, fw.seats, 2)
        services.month_close(actor=fw.w.users["sec_a"], org=fw.village, month=month)
        before = (queries.totals(fw.village, month, end), queries.trial_balance(fw.village, month, end))
        for op, arg in ops:
            if op == "post_later":
                posted += post_all(fw, months_ago(1) + dt.timedelta(days=1), arg)
            elif op == "post_closed":
                with pytest.raises(DomainError):
                    post_all(fw, month + dt.timedelta(days=10), arg)
            else:
                v = posted[arg % len(posted)]
                try:
                    services.voucher_reverse(
                        actor=fw.w.users["sec_a"], voucher=v, date=timezone.localdate(), reason="更正"
                    )
                except DomainError as exc:  # reversed already, or itself a reversal: refused, nothing changed
                    assert "__all__" in exc.errors
        after = (queries.totals(fw.village, month, end), queries.trial_balance(fw.village, month, end))
        assert after == before

    rolled_back(run)


@SETTINGS
@given(vs=vouchers(n_max=3), extra=vouchers(n_max=1))
def test_reversing_a_voucher_brings_the_balances_back(fw, vs, extra):
    def run():
        day = timezone.localdate()
        post_all(fw, day, vs)
        before = _by_code(fw, day)
        (v,) = post_all(fw, day, extra)
        services.voucher_reverse(actor=fw.w.users["sec_a"], voucher=v, date=day, reason="冲销")
        after = _by_code(fw, day)
        assert {k: b for k, b in after.items() if b} == {k: b for k, b in before.items() if b}

    rolled_back(run)
