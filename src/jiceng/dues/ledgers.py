"""Dues ledgers (core.ledgers), for a branch, a township or the county (the export's organisation):
the members ledger (党费收缴台账: due, paid and arrears by member; names members, so personal), the
branches ledger (党费收缴汇总表: by branch) and the payments ledger (党费收据登记簿)."""

from __future__ import annotations

from jiceng.core.ledgers import Ledger, LedgerRequest, Sheet, register

from . import selectors


def _check(req: LedgerRequest) -> None:
    """An organisation outside the actor's dues scope is NotFound before anything is written."""
    selectors.ledger_orgs(actor=req.actor, org=req.org)


def _members(req: LedgerRequest):
    assert req.period is not None
    return selectors.member_ledger_rows(actor=req.actor, org=req.org, period=req.period)


def _branches(req: LedgerRequest):
    assert req.period is not None
    return selectors.branch_ledger_rows(actor=req.actor, org=req.org, period=req.period)


def _payments(req: LedgerRequest):
    assert req.period is not None
    return selectors.payment_ledger_rows(actor=req.actor, org=req.org, period=req.period)


register(
    Ledger(
        key="dues.members",
        title="党费收缴台账",
        description="每名党员一行：交纳基数、月交纳额，期间应交、已交，交至月份，欠交月数和金额，连续未交月数及提示。",
        sheets=(Sheet("党费收缴台账", selectors.MEMBER_LEDGER_HEADERS, _members),),
        personal=True,
        count=lambda req: selectors.member_ledger_count(actor=req.actor, org=req.org, period=req.period),
        target_type="people.partymember",
        check=_check,
        order=70,
    )
)
register(
    Ledger(
        key="dues.branches",
        title="党费收缴汇总表",
        description="每个党支部一行：党员数、已核定人数，期间应交、已交、收缴率、期间收缴金额，欠交党员数。",
        sheets=(Sheet("党费收缴汇总表", selectors.BRANCH_LEDGER_HEADERS, _branches),),
        count=lambda req: len(selectors.branches_in(actor=req.actor, org=req.org)),
        target_type="core.org",
        check=_check,
        order=71,
    )
)
register(
    Ledger(
        key="dues.payments",
        title="党费收据登记簿",
        description="期间内登记的每笔党费（一张收据一行），含已作废的收据。",
        sheets=(Sheet("党费收据登记簿", selectors.PAYMENT_LEDGER_HEADERS, _payments),),
        personal=True,
        count=lambda req: selectors.payments_in(actor=req.actor, org=req.org, period=req.period).count(),
        target_type="dues.payment",
        check=_check,
        order=72,
    )
)
