"""The dues app's cases for the authorisation matrix (core.kit.AuthzCases): village B's member gets
a declaration and a payment (receipt), made by the county through the services."""

from __future__ import annotations

from django.utils import timezone

from jiceng.core import kit

from . import calc, services
from .models import DuesBase, Payment, PaymentMonth


def _records(w) -> dict:
    county = w.users["county"]
    today = timezone.localdate()
    start = calc.month_start(calc.month_no(today) - 2)
    services.base_declare(actor=county, member=w.member_b, group="retired", base="4200", from_month=start)
    payment = services.payment_record(
        actor=county,
        member=w.member_b,
        from_month=start,
        to_month=start,
        amount="21.00",
        method="transfer",
        reference="WX20260001",
        paid_on=today,
    )
    return {"payment_b": payment}


def _state(w) -> dict:
    town_b = w.town_b_org.path
    return {
        "dues_bases_b": list(
            DuesBase.objects.filter(member__org__path__startswith=town_b).order_by("pk").values()
        ),
        "dues_payments_b": list(
            Payment.objects.filter(member__org__path__startswith=town_b).order_by("pk").values()
        ),
        "dues_months_b": list(
            PaymentMonth.objects.filter(member__org__path__startswith=town_b).order_by("pk").values()
        ),
    }


CASES = kit.AuthzCases(
    records=_records,
    params={"payment_id": lambda w, r: r["payment_b"].pk},
    state=_state,
    visible_to_b=frozenset({"dues_overview"}),
)
