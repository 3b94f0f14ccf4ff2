"""Dues pages: a committee's summary (collection by unit), a branch's members (base, this month's
dues, paid up to, arrears) with the phone form of a payment, a member's dues, the printable receipt
and the member's own statement. Thin: parse with a form, call a selector or a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import DomainError, NotFound
from jiceng.core.periods import parse_period
from jiceng.core.scoping import can_access_org
from jiceng.core.web import ensure, form_errors, needs

from . import calc, selectors, services
from .forms import BaseForm, PaymentForm, VoidForm
from .plugin import MANAGE_DUES, VIEW_DUES

PAGE = 50


def _period(request: HttpRequest):
    try:
        return parse_period(request.GET.get("period"))
    except DomainError:
        return parse_period(None)


@login_required
@needs(VIEW_DUES)
def dues_overview(request: HttpRequest) -> HttpResponse:
    roots = selectors.dues_roots(actor=request.user)
    if len(roots) == 1:  # the one organisation's page itself (a menu link answers 200, no hop)
        return dues_org(request, org_id=roots[0].pk)
    return render(request, "dues/overview.html", {"roots": roots})


@login_required
@needs(VIEW_DUES)
def dues_org(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = selectors.org_get(actor=actor, org_id=org_id)
    period = _period(request)
    today = timezone.localdate()
    units = selectors.child_units(actor=actor, org=org)
    figures = selectors.org_figures(actor=actor, org=org, period=period)
    ctx = {
        "org": org,
        "period": period,
        "figures": figures,
        "can_manage": can_access_org(actor, MANAGE_DUES, org),
        "month": calc.month_label(today),
    }
    if units:
        by_unit = selectors.unit_figures(actor=actor, units=units, period=period)
        ctx["units"] = [(u, by_unit[u.pk]) for u in units]
        return render(request, "dues/summary.html", ctx)
    page = Paginator(selectors.branch_members(actor=actor, org=org, today=today), PAGE).get_page(
        request.GET.get("page")
    )
    ctx["page"] = page
    ctx["rows"] = selectors.member_rows(actor=actor, org=org, members=list(page.object_list), today=today)
    ctx["flags"] = selectors.arrears_members(actor=actor, org=org, today=today, limit=0)
    return render(request, "dues/branch.html", ctx)


@login_required
@needs(VIEW_DUES)
def dues_member(request: HttpRequest, member_id: int) -> HttpResponse:
    actor = request.user
    member = selectors.member_get(actor=actor, member_id=member_id)
    return render(
        request,
        "dues/member.html",
        {
            "member": member,
            "months": selectors.member_statement(actor=actor, member=member),
            "bases": list(selectors.member_bases(actor=actor, member=member)[:24]),
            "payments": list(selectors.member_payments(actor=actor, member=member)[:24]),
            "can_manage": can_access_org(actor, MANAGE_DUES, member.org),
        },
    )


@login_required
@needs(MANAGE_DUES)
def dues_declare(request: HttpRequest, member_id: int) -> HttpResponse:
    actor = request.user
    member = selectors.member_get(actor=actor, member_id=member_id)
    ensure(actor, MANAGE_DUES, org=member.org)
    form = BaseForm(request.POST or None, initial={"from_month": timezone.localdate().replace(day=1)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.base_declare(
                actor=actor,
                member=member,
                group=d["group"],
                base=d["base"],
                amount=d["amount"],
                from_month=d["from_month"],
                note=d["note"],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Dues base declared."))
            return redirect("dues_member", member_id=member.pk)
    return render(
        request,
        "dues/declare.html",
        {
            "member": member,
            "form": form,
            "bases": list(selectors.member_bases(actor=actor, member=member)[:5]),
        },
    )


@login_required
@needs(MANAGE_DUES)
def dues_pay(request: HttpRequest, member_id: int) -> HttpResponse:
    actor = request.user
    member = selectors.member_get(actor=actor, member_id=member_id)
    ensure(actor, MANAGE_DUES, org=member.org)
    today = timezone.localdate()
    suggestion = selectors.pay_suggestion(actor=actor, member=member, today=today)
    form = PaymentForm(
        request.POST or None,
        initial={
            "from_month": suggestion["from_month"],
            "to_month": suggestion["to_month"],
            "amount": calc.yuan(suggestion["amount"]).replace(",", "") if suggestion["amount"] else "",
            "paid_on": today,
            "method": "cash",
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            payment = services.payment_record(
                actor=actor,
                member=member,
                from_month=d["from_month"],
                to_month=d["to_month"],
                amount=d["amount"],
                method=d["method"],
                reference=d["reference"],
                paid_on=d["paid_on"],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Payment recorded: receipt %(no)s.") % {"no": payment.receipt_no})
            return redirect("dues_receipt", payment_id=payment.pk)
    return render(request, "dues/pay.html", {"member": member, "form": form, "suggestion": suggestion})


@login_required
def dues_receipt(request: HttpRequest, payment_id: int) -> HttpResponse:
    """A receipt, for the branch (with the void form) and for the member who paid it."""
    actor = request.user
    payment = selectors.receipt_get(actor=actor, payment_id=payment_id)
    in_scope = can_access_org(actor, VIEW_DUES, payment.member.org)
    return render(
        request,
        "dues/receipt.html",
        {
            "payment": payment,
            "can_manage": can_access_org(actor, MANAGE_DUES, payment.member.org),
            "own": not in_scope,
            "form": VoidForm(),
        },
    )


@login_required
@needs(MANAGE_DUES)
@require_POST
def dues_void(request: HttpRequest, payment_id: int) -> HttpResponse:
    actor = request.user
    payment = selectors.payment_get(actor=actor, payment_id=payment_id)
    ensure(actor, MANAGE_DUES, org=payment.member.org)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.payment_void(actor=actor, payment=payment, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Receipt voided; its months are unpaid again."))
            return redirect("dues_member", member_id=payment.member_id)
    return render(request, "dues/receipt.html", {"payment": payment, "can_manage": True, "form": form})


@login_required
def dues_mine(request: HttpRequest) -> HttpResponse:
    ctx = selectors.own_statement(actor=request.user)
    if ctx is None:
        raise NotFound()
    return render(request, "dues/mine.html", ctx)
