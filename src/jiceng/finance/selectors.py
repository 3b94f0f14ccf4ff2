"""Village-finance reads for a user, each scoped to the actor's subtree for ``view_finance``: the
villages, the books with their balances, vouchers, the month report, assets, contracts and rent
dues, the panel and a month's signatures, hand-overs, and the township's overview — sums in
grouped SQL (queries.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from jiceng.core.errors import NotFound
from jiceng.core.models import Org
from jiceng.core.rulepacks import resolve_many, rule
from jiceng.core.scoping import can_access_org, get_scoped_or_404, org_paths, org_q
from jiceng.people import queries as people_queries

from . import queries
from .models import (
    Account,
    Asset,
    Books,
    Contract,
    ContractDue,
    Handover,
    Line,
    MonthClose,
    PanelSeat,
    Signature,
    Voucher,
    VoucherPhoto,
)
from .plugin import VIEW_FINANCE

# --- villages ----------------------------------------------------------------------------------------


def villages(*, actor, org: Org | None = None) -> QuerySet[Org]:
    """The village organisations the actor may read (below ``org`` when given)."""
    qs = queries.village_orgs().filter(org_q(actor, VIEW_FINANCE, field="")).select_related("area")
    if org is not None:
        qs = qs.filter(path__startswith=org.path)
    return qs.order_by("path")


def village_get(*, actor, org_id: Any) -> Org:
    return get_scoped_or_404(villages(actor=actor), pk=org_id)


def org_get(*, actor, org_id: Any) -> Org:
    """Any organisation in the actor's finance scope (a township for the overview)."""
    return get_scoped_or_404(
        Org.objects.filter(org_q(actor, VIEW_FINANCE, field="")).select_related("area"), pk=org_id
    )


def home_org(*, actor) -> Org | None:
    """Where the actor's finance pages start: the highest organisation of their scope."""
    paths = org_paths(actor, VIEW_FINANCE)
    return Org.objects.filter(path=paths[0]).select_related("area").first() if paths else None


month_start = queries.month_start
month_end = queries.month_end


def is_village(*, actor, org: Org) -> bool:
    return can_access_org(actor, VIEW_FINANCE, org) and queries.is_village_org(org)


def is_closed(*, actor, org: Org, day: dt.date) -> bool:
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    return queries.is_closed(org, day)


def books(*, actor, org: Org) -> Books | None:
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    return queries.books_of(org)


# --- balances and the report ------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    account: Account
    balance: int


def accounts_with_balances(*, actor, org: Org, on: dt.date) -> list[AccountRow]:
    """The village's chart with each account's balance at the end of ``on`` (one grouped query)."""
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    queries.ensure_chart()
    bal = queries.balances(org, on, subtree=not queries.is_village_org(org))
    return [AccountRow(a, bal.get(a.pk, 0)) for a in queries.accounts_for(org)]


def trial_balance(*, actor, org: Org, month: dt.date) -> list[queries.TrialRow]:
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    return queries.trial_balance(org, month, queries.month_end(month))


def month_lines(*, actor, org: Org, month: dt.date) -> QuerySet[Line]:
    """收支明细: the month's lines on profit-and-loss accounts, in voucher order."""
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    return (
        Line.objects.filter(
            org=org, date__gte=month, date__lte=queries.month_end(month), account__category="pnl"
        )
        .select_related("voucher", "account")
        .order_by("date", "voucher__number", "pk")
    )


# --- vouchers ---------------------------------------------------------------------------------------


def vouchers(
    *, actor, org: Org, month: dt.date | None = None, account: Account | None = None, q: str = ""
) -> QuerySet[Voucher]:
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    qs = Voucher.objects.filter(org_q(actor, VIEW_FINANCE), org__path__startswith=org.path)
    if month is not None:
        qs = qs.filter(date__gte=month, date__lte=queries.month_end(month))
    if account is not None:
        qs = qs.filter(
            Exists(
                Line.objects.filter(voucher_id=OuterRef("pk")).filter(
                    Q(account=account) | Q(account__parent=account)
                )
            )
        )
    if q:
        qs = qs.filter(Q(summary__icontains=q) | Q(counterparty__icontains=q))
    return (
        qs.select_related("reverses")
        .annotate(reversed=Exists(Voucher.objects.filter(reverses_id=OuterRef("pk"))))
        .order_by("-date", "-number")
    )


def voucher_get(*, actor, voucher_id: Any) -> Voucher:
    qs = Voucher.objects.filter(org_q(actor, VIEW_FINANCE)).select_related(
        "org", "reverses", "due__contract", "entered_by"
    )
    return get_scoped_or_404(qs, pk=voucher_id)


def voucher_lines(*, actor, voucher: Voucher) -> QuerySet[Line]:
    if not can_access_org(actor, VIEW_FINANCE, voucher.org):
        raise NotFound()
    return voucher.lines.select_related("account").order_by("pk")


def reversed_by(*, actor, voucher: Voucher) -> Voucher | None:
    if not can_access_org(actor, VIEW_FINANCE, voucher.org):
        raise NotFound()
    return Voucher.objects.filter(reverses=voucher).first()


def voucher_photos(*, actor, voucher: Voucher) -> QuerySet[VoucherPhoto]:
    if not can_access_org(actor, VIEW_FINANCE, voucher.org):
        raise NotFound()
    return voucher.photos.order_by("pk")


def photo_get(*, actor, photo_id: Any) -> VoucherPhoto:
    return get_scoped_or_404(
        VoucherPhoto.objects.filter(org_q(actor, VIEW_FINANCE, field="voucher__org")), pk=photo_id
    )


def leaf_accounts(*, actor, org: Org) -> QuerySet[Account]:
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    queries.ensure_chart()
    return queries.accounts_for(org).filter(queries.leaf_q())


def account_choices(*, actor, org: Org) -> QuerySet[Account]:
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    queries.ensure_chart()
    return queries.accounts_for(org)


def decided_matters(*, actor, org: Org) -> list[Any]:
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    return queries.decided_matters(org)


# --- assets, contracts, dues ------------------------------------------------------------------------


def assets(*, actor, org: Org) -> QuerySet[Asset]:
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    return Asset.objects.filter(org=org).order_by("kind", "pk")


@dataclass(frozen=True)
class ContractRow:
    contract: Contract
    unpaid_overdue: int  # dues past their day not yet received
    ending_soon: bool
    ended: bool


def contracts(*, actor, org: Org) -> list[ContractRow]:
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    today = timezone.localdate()
    warn = rule("finance.contract_warn_days", org)
    overdue = Count("dues", filter=Q(dues__due_on__lt=today) & ~Q(dues__in=queries.paid_due_subquery()))
    qs = (
        Contract.objects.filter(org=org)
        .select_related("asset")
        .annotate(n_overdue=overdue)
        .order_by("-ends_on", "pk")
    )
    return [
        ContractRow(c, c.n_overdue, today <= c.ends_on <= today + dt.timedelta(days=warn), c.ends_on < today)
        for c in qs
    ]


def overdue_dues(*, actor, org: Org) -> QuerySet[ContractDue]:
    """Rent dues of the village past their day and not received (a voucher citing them)."""
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    return (
        queries.unpaid_dues()
        .filter(org__path__startswith=org.path, due_on__lt=timezone.localdate())
        .select_related("contract")
        .order_by("due_on", "pk")
    )


def open_dues(*, actor, org: Org) -> QuerySet[ContractDue]:
    """Unpaid dues a rent voucher may cite (up to 60 days ahead)."""
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    return (
        queries.unpaid_dues()
        .filter(org=org, due_on__lte=timezone.localdate() + dt.timedelta(days=60))
        .select_related("contract")
        .order_by("due_on", "pk")
    )


# --- the panel and the months -------------------------------------------------------------------------


def panel(*, actor, org: Org, on: dt.date | None = None) -> QuerySet[PanelSeat]:
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    return queries.seats_on(org, on or timezone.localdate()).select_related("person").order_by("since", "pk")


def persons_of(*, actor, org: Org, q: str = "") -> QuerySet:
    """Residents of the village, for the panel and hand-over forms (names only)."""
    if not can_access_org(actor, VIEW_FINANCE, org) or org.area is None:
        raise NotFound()
    qs = people_queries.persons().filter(area__path__startswith=org.area.path)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("name", "pk")


@dataclass(frozen=True)
class MonthStatus:
    month: dt.date
    closed: MonthClose | None
    signatures: list[Signature]
    seated: list[PanelSeat]
    problems: list[str]


def month_status(*, actor, org: Org, month: dt.date) -> MonthStatus:
    from . import services

    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    closed = MonthClose.objects.filter(org=org, month=month).first()
    sigs = list(
        Signature.objects.filter(org=org, month=month)
        .select_related("person", "recorded_by")
        .order_by("signed_at")
    )
    seated = list(queries.seats_on(org, queries.month_end(month)).select_related("person"))
    return MonthStatus(month, closed, sigs, seated, [] if closed else services.close_problems(org, month))


def month_list(*, actor, org: Org) -> list[tuple[dt.date, bool]]:
    """Every month of the village's books up to the current one, newest first, with whether it is
    closed."""
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    b = queries.books_of(org)
    first = Voucher.objects.filter(org=org).order_by("date").values_list("date", flat=True).first()
    starts = [d for d in (b.opened_on if b else None, first) if d]
    if not starts:
        return []
    closed = queries.closed_months(org)
    months = queries.months_between(min(starts), timezone.localdate())
    return [(m, m in closed) for m in reversed(months)]


def open_months(*, actor, org: Org) -> list[dt.date]:
    """Past months of the village's books not closed (from the books' first month to last month)."""
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    return _open_months([org])[org.pk]


def _open_months(orgs: list[Org]) -> dict[int, list[dt.date]]:
    ids = [o.pk for o in orgs]
    opened = dict(Books.objects.filter(org_id__in=ids).values_list("org_id", "opened_on"))
    first = dict(
        Voucher.objects.filter(org_id__in=ids)
        .order_by()
        .values("org_id")
        .annotate(d=Min("date"))
        .values_list("org_id", "d")
    )
    closed: dict[int, set[dt.date]] = {}
    for oid, m in MonthClose.objects.filter(org_id__in=ids).values_list("org_id", "month"):
        closed.setdefault(oid, set()).add(m)
    last = queries.month_start(timezone.localdate()) - dt.timedelta(days=1)
    out: dict[int, list[dt.date]] = {}
    for oid in ids:
        starts = [d for d in (opened.get(oid), first.get(oid)) if d]
        if not starts:
            out[oid] = []
            continue
        out[oid] = [m for m in queries.months_between(min(starts), last) if m not in closed.get(oid, set())]
    return out


# --- hand-overs -------------------------------------------------------------------------------------


def handovers(*, actor, org: Org) -> QuerySet[Handover]:
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    return (
        Handover.objects.filter(org__path__startswith=org.path)
        .filter(org_q(actor, VIEW_FINANCE))
        .select_related("org", "outgoing", "incoming")
        .order_by("-generated_at")
    )


def unconfirmed_handovers(*, actor, org: Org) -> QuerySet[Handover]:
    return handovers(actor=actor, org=org).filter(
        Q(outgoing_confirmed_at__isnull=True) | Q(incoming_confirmed_at__isnull=True)
    )


def handover_get(*, actor, handover_id: Any) -> Handover:
    qs = Handover.objects.filter(org_q(actor, VIEW_FINANCE)).select_related("org", "outgoing", "incoming")
    return get_scoped_or_404(qs, pk=handover_id)


# --- the township's overview ------------------------------------------------------------------------


@dataclass(frozen=True)
class VillageRow:
    org: Org
    open_months: int
    overdue_rents: int
    unconfirmed_handovers: int
    income: int  # operating income this year (fen)
    min_income: int
    award_min: int


def overview(*, actor, org: Org, year: int | None = None) -> list[VillageRow]:
    """Per village below ``org``: past months not closed, overdue rents, unconfirmed hand-overs,
    this year's operating income against the 004-P6 and 004-P9 thresholds — grouped queries."""
    if not can_access_org(actor, VIEW_FINANCE, org):
        raise NotFound()
    today = timezone.localdate()
    year = year or today.year
    vs = list(villages(actor=actor, org=org)[:500])
    ids = [v.pk for v in vs]
    months = _open_months(vs)
    overdue = dict(
        queries.unpaid_dues()
        .filter(org_id__in=ids, due_on__lt=today)
        .order_by()
        .values("org_id")
        .annotate(n=Count("pk"))
        .values_list("org_id", "n")
    )
    handover_n = dict(
        Handover.objects.filter(org_id__in=ids)
        .filter(Q(outgoing_confirmed_at__isnull=True) | Q(incoming_confirmed_at__isnull=True))
        .order_by()
        .values("org_id")
        .annotate(n=Count("pk"))
        .values_list("org_id", "n")
    )
    income = queries.operating_income(vs, dt.date(year, 1, 1), dt.date(year, 12, 31))
    low = resolve_many("finance.min_income_fen", vs)
    award = resolve_many("finance.award_min_income_fen", vs)
    return [
        VillageRow(
            v,
            len(months[v.pk]),
            overdue.get(v.pk, 0),
            handover_n.get(v.pk, 0),
            income[v.pk],
            low[v.pk],
            award[v.pk],
        )
        for v in vs
    ]


# --- many villages at once (ledgers, the API) ------------------------------------------------------


def trial_rows_many(*, actor, org: Org | None, start: dt.date, end: dt.date) -> QuerySet:
    """The trial balance of every village below ``org`` in scope: one grouped query, a row per
    village and account (org name, account code and name, sums before and within the period)."""
    from django.db.models import Sum

    qs = Line.objects.filter(org_q(actor, VIEW_FINANCE), date__lte=end)
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    before, within = Q(date__lt=start), Q(date__gte=start)
    return (
        qs.order_by()
        .values(
            "org_id",
            "org__name",
            "org__path",
            "account__code",
            "account__name",
            "account__category",
            "account__normal",
        )
        .annotate(
            od=Sum("debit", filter=before, default=0),
            oc=Sum("credit", filter=before, default=0),
            d=Sum("debit", filter=within, default=0),
            c=Sum("credit", filter=within, default=0),
        )
        .order_by("org__path", "account__code")
    )


def pnl_lines_many(*, actor, org: Org | None, start: dt.date, end: dt.date) -> QuerySet[Line]:
    qs = Line.objects.filter(
        org_q(actor, VIEW_FINANCE), date__gte=start, date__lte=end, account__category="pnl"
    )
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    return qs.select_related("voucher", "account", "org")


def voucher_page(
    *, actor, org: Org, month: dt.date | None, q: str, offset: int, limit: int
) -> tuple[int, list[Voucher]]:
    """A page of the village's vouchers with their lines (two queries, whatever the page's size)."""
    qs = vouchers(actor=actor, org=org, month=month, q=q)
    count = qs.count()
    page = list(qs.prefetch_related("lines__account")[offset : offset + limit])
    for v in page:
        v.line_rows = list(v.lines.all())  # type: ignore[attr-defined]  # prefetched above
    return count, page


def voucher_with_lines(*, actor, voucher_id: Any) -> Voucher:
    v = voucher_get(actor=actor, voucher_id=voucher_id)
    v.line_rows = list(voucher_lines(actor=actor, voucher=v))  # type: ignore[attr-defined]
    return v
