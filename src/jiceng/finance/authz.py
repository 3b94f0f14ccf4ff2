"""The finance app's cases for the authorisation matrix (core.kit.AuthzCases): village B's books
get a voucher with a photographed receipt, an asset, a contract with its dues, and (by the county)
a hand-over report, all through the services."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.core import kit

from . import queries, services
from .models import Asset, Books, Contract, Handover, Line, MonthClose, PanelSeat, Signature, Voucher


def _jpeg() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 200, 40)).save(out, "JPEG")
    return SimpleUploadedFile("receipt.jpg", out.getvalue(), content_type="image/jpeg")


def _today() -> dt.date:
    return timezone.localdate()


def _last_month() -> str:
    return f"{(_today().replace(day=1) - dt.timedelta(days=1)):%Y-%m}"


def _records(w) -> dict:
    from jiceng.people import queries as people_queries

    queries.ensure_chart()
    sec_b, county = w.users["sec_b"], w.users["county"]
    acc = {a.code: a.pk for a in queries.accounts_for(w.branch_b)}
    voucher = services.voucher_post(
        actor=sec_b,
        org=w.branch_b,
        date=_today(),
        summary="收到乙方租金",
        lines=[services.LineIn(acc["102"], 12_000, 0), services.LineIn(acc["511"], 0, 12_000)],
        uploads=[_jpeg()],
    )
    asset = services.asset_add(
        actor=sec_b,
        org=w.branch_b,
        kind="building",
        name="活动室",
        quantity="120",
        unit="平方米",
        value=100_000,
    )
    services.contract_add(
        actor=sec_b,
        org=w.branch_b,
        kind="lease",
        counterparty="某商户",
        starts_on=_today() - dt.timedelta(days=200),
        ends_on=_today() + dt.timedelta(days=200),
        rent=50_000,
        period_months=3,
        asset_id=asset.pk,
    )
    person = w.member_b.person
    other = people_queries.persons().exclude(pk=person.pk).first() or person
    handover = services.handover_generate(
        actor=county,
        org=w.branch_b,
        post="村报账员",
        outgoing_id=person.pk,
        incoming_id=other.pk,
        as_of=_today(),
    )
    return {"voucher_b": voucher, "voucher_photo_b": voucher.photos.get(), "handover_b": handover}


def _state(w) -> dict:
    b = w.branch_b.path
    return {
        "books_b": list(Books.objects.filter(org__path__startswith=b).values()),
        "vouchers_b": list(Voucher.objects.filter(org__path__startswith=b).order_by("pk").values()),
        "lines_b": list(Line.objects.filter(org__path__startswith=b).order_by("pk").values()),
        "assets_b": list(Asset.objects.filter(org__path__startswith=b).values()),
        "contracts_b": list(Contract.objects.filter(org__path__startswith=b).values()),
        "panel_b": list(PanelSeat.objects.filter(org__path__startswith=b).values()),
        "signatures_b": list(Signature.objects.filter(org__path__startswith=b).values()),
        "closes_b": list(MonthClose.objects.filter(org__path__startswith=b).values()),
        "handovers_b": list(Handover.objects.filter(org__path__startswith=b).order_by("pk").values()),
    }


def _voucher_body(w, r) -> dict:
    return {
        "org": w.branch_b.pk,
        "date": _today().isoformat(),
        "summary": "越权记账",
        "lines": [{"account": "102", "debit": 100}, {"account": "501", "credit": 100}],
    }


CASES = kit.AuthzCases(
    records=_records,
    params={
        "voucher_id": lambda w, r: r["voucher_b"].pk,
        "voucher_photo_id": lambda w, r: r["voucher_photo_b"].pk,
        "handover_id": lambda w, r: r["handover_b"].pk,
    },
    page_params={"month": lambda w, r: _last_month()},
    query_probes={"org": lambda w: w.branch_b.pk},
    write_bodies={("post", "/api/v1/finance/vouchers"): _voucher_body},
    state=_state,
    visible_to_b=frozenset({"finance_home", "finance_overview"}),
)
