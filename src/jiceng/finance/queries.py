"""Unscoped building blocks of village finances (no actor, no scope): the chart of accounts, the
village organisations, balances and month totals as grouped sums over the voucher lines, closed
months, operating income per village, and the calls into the decisions and disclosure apps (each
in one small function)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Length, Substr

from jiceng.core.models import AreaKind, Org

from .chart import CASH_CODES, DEFAULT, FUND_CODES
from .models import Account, Asset, Books, Contract, ContractDue, Line, MonthClose, PanelSeat, Voucher

VILLAGE_KINDS = (AreaKind.VILLAGE, AreaKind.COMMUNITY)


# --- the chart -------------------------------------------------------------------------------------


def ensure_chart() -> None:
    """The national default chart in the table (idempotent; one query once it is there)."""
    if Account.objects.filter(county__isnull=True).exists():
        return
    Account.objects.bulk_create(
        [
            Account(code=code, name=name, category=cat, normal=normal, subsidy=subsidy)
            for code, name, cat, normal, subsidy in DEFAULT
        ],
        ignore_conflicts=True,
    )


def county_of(org: Org) -> Org | None:
    """The county committee above a village organisation (the org anchored in a county area)."""
    paths = [org.path[:i] for i in range(Org.steplen, len(org.path) + 1, Org.steplen)]
    return Org.objects.filter(path__in=paths, area__kind=AreaKind.COUNTY).order_by("-depth").first()


def accounts_for(org: Org) -> QuerySet[Account]:
    """The chart a village posts to: the default chart and its county's sub-accounts."""
    county = county_of(org)
    q = Q(county__isnull=True)
    if county is not None:
        q |= Q(county=county)
    return Account.objects.filter(q).order_by("code")


def leaf_q() -> Any:
    """Accounts without sub-accounts (only they take postings)."""
    return ~Exists(Account.objects.filter(parent_id=OuterRef("pk")))


# --- villages --------------------------------------------------------------------------------------


def village_orgs() -> QuerySet[Org]:
    """The top organisation of each village or community (the one its books belong to): anchored
    in a village or community area, under a parent anchored elsewhere."""
    parent_shares = Org.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Org.steplen), area_id=OuterRef("area_id")
    )
    return Org.objects.filter(area__kind__in=VILLAGE_KINDS, dissolved_on__isnull=True).exclude(
        Exists(parent_shares)
    )


def is_village_org(org: Org) -> bool:
    return village_orgs().filter(pk=org.pk).exists()


def books_of(org: Org) -> Books | None:
    return Books.objects.filter(org=org).first()


# --- months ----------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def next_month(month: dt.date) -> dt.date:
    return month_end(month) + dt.timedelta(days=1)


def is_closed(org: Org, day: dt.date) -> bool:
    return MonthClose.objects.filter(org=org, month=month_start(day)).exists()


def closed_months(org: Org) -> set[dt.date]:
    return set(MonthClose.objects.filter(org=org).values_list("month", flat=True))


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = next_month(m)
    return out


# --- sums ------------------------------------------------------------------------------------------


def signed(normal: str, debit: int, credit: int) -> int:
    """A balance on the account's normal side."""
    return debit - credit if normal == "debit" else credit - debit


@dataclass(frozen=True)
class TrialRow:
    account_id: int
    code: str
    name: str
    category: str
    normal: str
    opening: int  # on the normal side
    debit: int
    credit: int
    closing: int


def trial_balance(org: Org, start: dt.date | None, end: dt.date, *, subtree: bool = False) -> list[TrialRow]:
    """Per account: the balance before ``start``, the debits and credits from ``start`` to ``end``,
    the balance at ``end`` — one grouped query over the lines (科目余额表). Accounts with no line
    are left out."""
    lines = (
        Line.objects.filter(org__path__startswith=org.path) if subtree else Line.objects.filter(org=org)
    ).filter(date__lte=end)
    before = Q(date__lt=start) if start else Q(pk__in=[])
    within = Q(date__gte=start) if start else Q()
    rows = (
        lines.order_by()
        .values("account_id", "account__code", "account__name", "account__category", "account__normal")
        .annotate(
            od=Sum("debit", filter=before, default=0),
            oc=Sum("credit", filter=before, default=0),
            d=Sum("debit", filter=within, default=0),
            c=Sum("credit", filter=within, default=0),
        )
        .order_by("account__code")
    )
    out = []
    for r in rows:
        normal = r["account__normal"]
        opening = signed(normal, r["od"], r["oc"])
        out.append(
            TrialRow(
                r["account_id"],
                r["account__code"],
                r["account__name"],
                r["account__category"],
                normal,
                opening,
                r["d"],
                r["c"],
                opening + signed(normal, r["d"], r["c"]),
            )
        )
    return out


def balances(org: Org, on: dt.date, *, subtree: bool = False) -> dict[int, int]:
    """{account id: balance on its normal side at the end of ``on``} (one grouped query); with
    ``subtree``, summed over every village below ``org``."""
    return {r.account_id: r.closing for r in trial_balance(org, None, on, subtree=subtree)}


def totals(org: Org, start: dt.date, end: dt.date) -> dict[str, int]:
    """The month's figures a close publishes: income and expense (profit-and-loss accounts),
    and the closing balance of each category — grouped sums, one query each."""
    rows = trial_balance(org, start, end)
    income = sum(
        signed("credit", r.debit, r.credit) for r in rows if r.category == "pnl" and r.normal == "credit"
    )
    expense = sum(
        signed("debit", r.debit, r.credit) for r in rows if r.category == "pnl" and r.normal == "debit"
    )
    out = {
        "income": income,
        "expense": expense,
        "debit": sum(r.debit for r in rows),
        "credit": sum(r.credit for r in rows),
    }
    for cat in ("asset", "liability", "equity", "cost", "pnl"):
        out[f"closing_{cat}"] = sum(r.closing for r in rows if r.category == cat)
    return out


def operating_income_q() -> Q:
    """Lines of income accounts that count as operating income: profit-and-loss accounts on the
    credit side, subsidy income (补助收入) excluded."""
    return Q(account__category="pnl", account__normal="credit", account__subsidy=False)


def operating_income(orgs: Iterable[Org], start: dt.date, end: dt.date) -> dict[int, int]:
    """{org pk: operating income in fen} for villages, from one grouped query."""
    ids = [o.pk for o in orgs]
    rows = (
        Line.objects.filter(operating_income_q(), org_id__in=ids, date__gte=start, date__lte=end)
        .order_by()
        .values("org_id")
        .annotate(c=Sum("credit", default=0), d=Sum("debit", default=0))
    )
    got = {r["org_id"]: r["c"] - r["d"] for r in rows}
    return {pk: got.get(pk, 0) for pk in ids}


def below_award_threshold(orgs: Iterable[Org], year: int) -> set[int]:
    """The villages among ``orgs`` whose operating income in ``year`` is under the award threshold
    (004-P9: under 5万 元 a village loses eligibility for awards; rule finance.award_min_income_fen)."""
    from jiceng.core.rulepacks import resolve_many

    orgs = list(orgs)
    income = operating_income(orgs, dt.date(year, 1, 1), dt.date(year, 12, 31))
    limit = resolve_many("finance.award_min_income_fen", orgs, dt.date(year, 12, 31))
    return {o.pk for o in orgs if income[o.pk] < limit[o.pk]}


def funds_q(on: dt.date) -> Q:
    return Q(account__code__in=FUND_CODES, date__lte=on) | Q(
        account__parent__code__in=FUND_CODES, date__lte=on
    )


def cash_q() -> Q:
    return Q(account__code__in=CASH_CODES) | Q(account__parent__code__in=CASH_CODES)


def paid_due_ids(due_ids: Iterable[int]) -> set[int]:
    """Dues a voucher cites that has not been reversed."""
    return set(
        Voucher.objects.filter(due_id__in=list(due_ids), reversed_by__isnull=True).values_list(
            "due_id", flat=True
        )
    )


def unpaid_dues() -> QuerySet[ContractDue]:
    return ContractDue.objects.exclude(
        Exists(Voucher.objects.filter(due_id=OuterRef("pk"), reversed_by__isnull=True))
    )


def open_contracts(on: dt.date) -> QuerySet[Contract]:
    return Contract.objects.filter(starts_on__lte=on, ends_on__gte=on)


def assets() -> QuerySet[Asset]:
    return Asset.objects.all()


def seats_on(org: Org, on: dt.date) -> QuerySet[PanelSeat]:
    return PanelSeat.objects.filter(org=org, since__lte=on).exclude(until__lt=on)


# --- the other apps (each call in one function) ---------------------------------------------------


def decided_matters(org: Org) -> list[Any]:
    """The village's decided matters (decisions app): objects with id, title, kind, decided_on,
    amount_fen."""
    from jiceng.decisions import queries as decision_queries

    return list(decision_queries.decided_matters(org))


def committee_persons(org: Org, on: dt.date) -> set[int]:
    """Person ids on the village's 两委 that day (decisions app)."""
    from jiceng.decisions import queries as decision_queries

    return set(decision_queries.committee_persons(org, on))


def paid_due_subquery() -> QuerySet:
    """The ids of dues a voucher (not reversed) cites, as a subquery."""
    return Voucher.objects.filter(due_id__isnull=False, reversed_by__isnull=True).values("due_id")


def accounts_for_default() -> QuerySet[Account]:
    return Account.objects.filter(county__isnull=True).order_by("code")
