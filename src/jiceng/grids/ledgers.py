"""Grids' ledgers (core.ledgers): the visits ledger (走访台账, names households and persons) and the
units ledger (网格单位台账)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.ledgers import Ledger, LedgerRequest, Sheet, register
from jiceng.core.roles import Perm

from . import selectors
from .models import VisitKind
from .selectors import UNIT_LEDGER_HEADERS, VISIT_LEDGER_HEADERS


class VisitLedgerFilters(BoundaryForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *VisitKind.choices])


def visit_filters(actor, data) -> tuple[VisitLedgerFilters, dict]:
    form = VisitLedgerFilters(data or None)
    filters = {"kind": ""}
    if form.is_bound and form.is_valid():
        filters = {"kind": form.cleaned_data["kind"]}
    return form, filters


def _visits(req: LedgerRequest):
    assert req.period is not None
    return selectors.visit_ledger_rows(
        actor=req.actor, org=req.org, since=req.period.start, until=req.period.end, **(req.filters or {})
    )


def _visit_count(req: LedgerRequest) -> int:
    assert req.period is not None
    if req.org is not None and req.org.area_id is None:
        return 0
    return selectors.visits_for(
        actor=req.actor,
        perm=Perm.EXPORT_PERSONAL,
        within=req.org.area if req.org is not None else None,
        since=req.period.start,
        until=req.period.end,
        **(req.filters or {}),
    ).count()


def _units(req: LedgerRequest):
    return selectors.unit_ledger_rows(actor=req.actor, org=req.org)


register(
    Ledger(
        key="grids.visits",
        title="走访台账",
        description="网格员走访、接待、排查记录（三问三送），一次走访一行。",
        sheets=(Sheet("走访台账", VISIT_LEDGER_HEADERS, _visits),),
        personal=True,
        parse=visit_filters,
        count=_visit_count,
        target_type="grids.visit",
        order=60,
    )
)
register(
    Ledger(
        key="grids.units",
        title="网格单位台账",
        description="网格内的商铺、企业、机关事业单位及其统一社会信用代码。",
        sheets=(Sheet("网格单位台账", UNIT_LEDGER_HEADERS, _units),),
        period=False,
        count=lambda req: selectors.units_for(
            actor=req.actor,
            perm=Perm.VIEW_ORG,
            within=req.org.area if req.org is not None and req.org.area_id else None,
        ).count(),
        target_type="grids.unit",
        order=61,
    )
)
