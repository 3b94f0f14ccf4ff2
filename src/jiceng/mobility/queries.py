"""Mobility's unscoped read layer: the open records on a day and their flags, as SQL building blocks
for the indicators, for this app's selectors (which scope them) and for other apps. No actor, no
scope (docs/adding-an-app.md).

Flags, all on a day ``d`` and each by its rule at the member's organisation:
- last contact: the latest check-in on or before ``d``, else the day the member went away;
- overdue (逾期未联系): last contact on or before ``d`` minus ``mobility.checkin_interval_months`` and not
  yet lost;
- lost contact (失联): last contact on or before ``d`` minus ``mobility.lost_contact_months``;
- pocket member (口袋党员): a transfer letter issued more than ``mobility.pocket_after_days`` days
  before ``d`` and still not confirmed on ``d``;
- prompted to transfer: away at a fixed place since ``d`` minus ``mobility.transfer_prompt_months``
  or earlier, with no transfer under way.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import DateField, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from jiceng.core.dates import months_after
from jiceng.people import queries as people

from .models import CheckIn, Inflow, Outflow, Transfer, TransferKind, TransferState


def _open_q(day: dt.date, start: str, end: str) -> Q:
    return Q(**{f"{start}__lte": day}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": day}))


def outflows_on(day: dt.date) -> QuerySet:
    """Out-flow records open on ``day`` of members on the rolls that day, with ``last_contact``.
    Placed by ``member__org__path`` (the member's current organisation)."""
    last = (
        CheckIn.objects.filter(outflow=OuterRef("pk"), on__lte=day)
        .order_by()
        .values("outflow")
        .annotate(m=Max("on"))
        .values("m")
    )
    return (
        Outflow.objects.filter(_open_q(day, "since", "ended_on"))
        .filter(people.on_rolls_q(day, "member__"))
        .annotate(last_contact=Coalesce(Subquery(last, output_field=DateField()), "since"))
    )


def lost_q(day: dt.date, lost_months: int) -> Q:
    return Q(last_contact__lte=months_after(day, -lost_months))


def overdue_q(day: dt.date, interval_months: int, lost_months: int) -> Q:
    return Q(last_contact__lte=months_after(day, -interval_months)) & ~lost_q(day, lost_months)


def transfers_open_on(day: dt.date) -> QuerySet:
    """Transfer letters issued by ``day`` and neither confirmed nor cancelled by then."""
    return Transfer.objects.filter(issued_on__lte=day).filter(
        Q(state=TransferState.ISSUED)
        | Q(state=TransferState.CONFIRMED, confirmed_on__gt=day)
        | Q(state=TransferState.CANCELLED, cancelled_on__gt=day)
    )


def pocket_q(day: dt.date, days: int) -> Q:
    return Q(issued_on__lt=day - dt.timedelta(days=days))


def pocket_transfers(day: dt.date, days: int) -> QuerySet:
    """口袋党员: the open letters of ``day`` issued more than ``days`` days before it. Placed by
    ``from_org__path``."""
    return transfers_open_on(day).filter(pocket_q(day, days))


def transfer_prompt_q(day: dt.date, months: int) -> Q:
    under_way = Transfer.objects.filter(member=OuterRef("member_id"), state=TransferState.ISSUED)
    return Q(fixed_place=True, since__lte=months_after(day, -months)) & ~Q(Exists(under_way))


def inflows_on(day: dt.date) -> QuerySet:
    """In-flow members hosted on ``day``. Placed by ``host__path``; never members of the host."""
    return Inflow.objects.filter(_open_q(day, "since", "ended_on"))


def inflow_last_contact(day: dt.date) -> QuerySet:
    last = (
        CheckIn.objects.filter(inflow=OuterRef("pk"), on__lte=day)
        .order_by()
        .values("inflow")
        .annotate(m=Max("on"))
        .values("m")
    )
    return inflows_on(day).annotate(last_contact=Coalesce(Subquery(last, output_field=DateField()), "since"))


def hosted_member_ids(host_path: str, day: dt.date) -> QuerySet:
    """Ids of the system's members hosted on ``day`` by the organisations under ``host_path`` (an
    in-flow record naming the member): attended there, counted at home."""
    return inflows_on(day).filter(host__path__startswith=host_path, member__isnull=False).values("member_id")


def outside_transfers_confirmed() -> QuerySet:
    return Transfer.objects.filter(kind=TransferKind.OUTSIDE, state=TransferState.CONFIRMED)
