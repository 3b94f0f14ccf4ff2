"""Organisational life's ledgers (core.ledgers): meetings (会议台账) and attendance (出勤台账)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.ledgers import Ledger, LedgerRequest, Sheet, register

from . import selectors
from .models import MeetingKind
from .selectors import ATTENDANCE_LEDGER_HEADERS, MEETING_LEDGER_HEADERS


class MeetingLedgerFilters(BoundaryForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *MeetingKind.choices])
    q = forms.CharField(label=_("Topic or place"), required=False, max_length=50)


def meeting_filters(actor, data) -> tuple[MeetingLedgerFilters, dict]:
    form = MeetingLedgerFilters(data or None)
    filters = {"kind": "", "q": ""}
    if form.is_bound and form.is_valid():
        filters = {"kind": form.cleaned_data["kind"], "q": form.cleaned_data["q"].strip()}
    return form, filters


def _meetings(req: LedgerRequest):
    return selectors.meeting_ledger_rows(
        actor=req.actor, org=req.org, since=req.period.start, until=req.period.end, **(req.filters or {})
    )


def _attendance(req: LedgerRequest):
    return selectors.attendance_ledger_rows(actor=req.actor, org=req.org, period=req.period)


register(
    Ledger(
        key="orglife.meetings",
        title="会议台账",
        description="三会一课等组织生活会议，一次会议一行（应到、实到人数）。",
        sheets=(Sheet("会议台账", MEETING_LEDGER_HEADERS, _meetings),),
        parse=meeting_filters,
        count=lambda req: selectors.meetings_for(
            actor=req.actor, org=req.org, since=req.period.start, until=req.period.end, **(req.filters or {})
        ).count(),
        target_type="orglife.meeting",
        order=20,
    )
)
register(
    Ledger(
        key="orglife.attendance",
        title="出勤台账",
        description="每次会议每名党员的出勤情况与原因。",
        sheets=(Sheet("出勤台账", ATTENDANCE_LEDGER_HEADERS, _attendance),),
        personal=True,
        count=lambda req: selectors.attendance_for_export(
            actor=req.actor, org=req.org, period=req.period
        ).count(),
        target_type="orglife.attendance",
        order=30,
    )
)
