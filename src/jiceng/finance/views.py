"""Village-finance pages: the books of a village, vouchers (list, new, one with its reverse
button), the month report, assets, contracts, a month's close with its signatures, the panel,
hand-overs and the township's overview. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core import photos
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.scoping import can_access_org
from jiceng.core.web import form_errors, needs

from . import selectors, services
from .forms import (
    AssetForm,
    ContractForm,
    HandoverForm,
    KeeperForm,
    KinshipForm,
    ReverseForm,
    SeatForm,
    SignForm,
    VoucherFilterForm,
    VoucherForm,
)
from .plugin import KEEP_BOOKS, OVERSEE_FINANCE, SIGN_FINANCE, VIEW_FINANCE
from .public import parse_month

PAGE = 30
PERSONS_MAX = 500


def _can(request, perm, org) -> bool:
    return can_access_org(request.user, perm, org)


def _last_month() -> dt.date:
    return selectors.month_start(selectors.month_start(timezone.localdate()) - dt.timedelta(days=1))


@login_required
@needs(VIEW_FINANCE)
def home(request: HttpRequest) -> HttpResponse:
    org = selectors.home_org(actor=request.user)
    if org is None:
        raise NotFound()
    if selectors.is_village(actor=request.user, org=org):
        return redirect("finance_books", org_id=org.pk)
    return redirect(reverse("finance_overview") + f"?org={org.pk}")


@login_required
@needs(VIEW_FINANCE)
def overview(request: HttpRequest) -> HttpResponse:
    actor = request.user
    org_id = request.GET.get("org")
    org = selectors.org_get(actor=actor, org_id=org_id) if org_id else selectors.home_org(actor=actor)
    if org is None:
        raise NotFound()
    rows = selectors.overview(actor=actor, org=org)
    return render(
        request,
        "finance/overview.html",
        {
            "org": org,
            "rows": rows,
            "year": timezone.localdate().year,
            "handovers": list(selectors.unconfirmed_handovers(actor=actor, org=org)[:50]),
        },
    )


@login_required
@needs(VIEW_FINANCE)
def books(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = selectors.village_get(actor=actor, org_id=org_id)
    the_books = selectors.books(actor=actor, org=org)
    form = KeeperForm(request.POST or None, initial={"keeper": the_books.keeper if the_books else "village"})
    if request.method == "POST":
        if not _can(request, OVERSEE_FINANCE, org):
            raise NotFound()
        if form.is_valid():
            try:
                services.books_set_keeper(actor=actor, org=org, keeper=form.cleaned_data["keeper"])
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The setting is saved."))
                return redirect("finance_books", org_id=org.pk)
    today = timezone.localdate()
    return render(
        request,
        "finance/books.html",
        {
            "org": org,
            "books": the_books,
            "rows": selectors.accounts_with_balances(actor=actor, org=org, on=today),
            "today": today,
            "open_months": selectors.open_months(actor=actor, org=org)[-6:],
            "keeper_form": form if _can(request, OVERSEE_FINANCE, org) else None,
            "can_post": services.may_post(actor, org, the_books),
        },
    )


@login_required
@needs(VIEW_FINANCE)
def voucher_list(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = selectors.village_get(actor=actor, org_id=org_id)
    accounts = list(selectors.account_choices(actor=actor, org=org))
    form = VoucherFilterForm(request.GET or None, accounts=accounts)
    month = account = None
    q = ""
    if form.is_bound and form.is_valid():
        month, q = form.cleaned_data["month"], form.cleaned_data["q"].strip()
        account = next((a for a in accounts if a.pk == form.cleaned_data["account"]), None)
    qs = selectors.vouchers(actor=actor, org=org, month=month, account=account, q=q)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "finance/vouchers.html",
        {
            "org": org,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_post": services.may_post(actor, org, selectors.books(actor=actor, org=org)),
        },
    )


@login_required
@needs(KEEP_BOOKS)
def voucher_new(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = selectors.village_get(actor=actor, org_id=org_id)
    if not _can(request, KEEP_BOOKS, org):
        raise NotFound()
    form = VoucherForm(
        request.POST or None,
        request.FILES or None,
        accounts=selectors.leaf_accounts(actor=actor, org=org),
        matters=selectors.decided_matters(actor=actor, org=org),
        dues=selectors.open_dues(actor=actor, org=org)[:100],
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            v = services.voucher_post(
                actor=actor,
                org=org,
                date=d["date"],
                summary=d["summary"],
                lines=[services.LineIn(a, debit, credit) for a, debit, credit in d["lines"]],
                counterparty=d["counterparty"],
                counterparty_uscc=d["counterparty_uscc"],
                matter_id=d["matter"],
                due_id=d["due"],
                uploads=d["photos"] or [],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The voucher is posted."))
            return redirect("finance_voucher", voucher_id=v.pk)
    return render(request, "finance/voucher_new.html", {"org": org, "form": form})


@login_required
@needs(VIEW_FINANCE)
def voucher(request: HttpRequest, voucher_id: int) -> HttpResponse:
    actor = request.user
    v = selectors.voucher_get(actor=actor, voucher_id=voucher_id)
    form = ReverseForm(initial={"date": timezone.localdate()})
    return render(request, "finance/voucher.html", _voucher_context(request, v, form))


def _voucher_context(request, v, form) -> dict:
    actor = request.user
    return {
        "v": v,
        "org": v.org,
        "lines": selectors.voucher_lines(actor=actor, voucher=v),
        "photos": selectors.voucher_photos(actor=actor, voucher=v),
        "reversed_by": selectors.reversed_by(actor=actor, voucher=v),
        "closed": selectors.is_closed(actor=actor, org=v.org, day=v.date),
        "form": form,
        "can_reverse": services.may_post(actor, v.org, selectors.books(actor=actor, org=v.org))
        and v.reverses_id is None,
    }


@login_required
@needs(KEEP_BOOKS)
@require_POST
def voucher_reverse(request: HttpRequest, voucher_id: int) -> HttpResponse:
    actor = request.user
    v = selectors.voucher_get(actor=actor, voucher_id=voucher_id)
    if not _can(request, KEEP_BOOKS, v.org):
        raise NotFound()
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            rev = services.voucher_reverse(
                actor=actor, voucher=v, date=form.cleaned_data["date"], reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The voucher is reversed."))
            return redirect("finance_voucher", voucher_id=rev.pk)
    return render(request, "finance/voucher.html", _voucher_context(request, v, form), status=200)


@login_required
@needs(VIEW_FINANCE)
def photo(request: HttpRequest, voucher_photo_id: int) -> HttpResponse:
    p = selectors.photo_get(actor=request.user, photo_id=voucher_photo_id)
    return photos.response(p.name, p.content_type)


@login_required
@needs(VIEW_FINANCE)
def report(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = selectors.village_get(actor=actor, org_id=org_id)
    month = parse_month(request.GET.get("month", "")) or _last_month()
    return render(
        request,
        "finance/report.html",
        {
            "org": org,
            "month": month,
            "rows": selectors.trial_balance(actor=actor, org=org, month=month),
            "lines": list(selectors.month_lines(actor=actor, org=org, month=month)[:500]),
            "closed": selectors.is_closed(actor=actor, org=org, day=month),
        },
    )


@login_required
@needs(VIEW_FINANCE)
def assets(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = selectors.village_get(actor=actor, org_id=org_id)
    can = _can(request, KEEP_BOOKS, org)
    form = AssetForm(request.POST or None)
    if request.method == "POST":
        if not can:
            raise NotFound()
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.asset_add(
                    actor=actor,
                    org=org,
                    kind=d["kind"],
                    name=d["name"],
                    quantity=d["quantity"],
                    unit=d["unit"],
                    value=d["value_fen"],
                    acquired_on=d["acquired_on"],
                )
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The asset is registered."))
                return redirect("finance_assets", org_id=org.pk)
    return render(
        request,
        "finance/assets.html",
        {"org": org, "assets": selectors.assets(actor=actor, org=org), "form": form if can else None},
    )


@login_required
@needs(VIEW_FINANCE)
def contracts(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = selectors.village_get(actor=actor, org_id=org_id)
    can = _can(request, KEEP_BOOKS, org)
    form = ContractForm(request.POST or None, assets=selectors.assets(actor=actor, org=org))
    if request.method == "POST":
        if not can:
            raise NotFound()
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.contract_add(
                    actor=actor,
                    org=org,
                    kind=d["kind"],
                    asset_id=d["asset"],
                    counterparty=d["counterparty"],
                    counterparty_uscc=d["counterparty_uscc"],
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    rent=d["rent_fen"],
                    period_months=d["period_months"],
                )
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The contract is registered."))
                return redirect("finance_contracts", org_id=org.pk)
    return render(
        request,
        "finance/contracts.html",
        {
            "org": org,
            "rows": selectors.contracts(actor=actor, org=org),
            "overdue": list(selectors.overdue_dues(actor=actor, org=org)[:100]),
            "form": form if can else None,
        },
    )


@login_required
@needs(VIEW_FINANCE)
def month(request: HttpRequest, org_id: int, month: str) -> HttpResponse:
    actor = request.user
    org = selectors.village_get(actor=actor, org_id=org_id)
    m = parse_month(month)
    if m is None:
        raise NotFound()
    persons = [s.person for s in selectors.panel(actor=actor, org=org, on=selectors.month_end(m))]
    own = getattr(getattr(actor, "person", None), "pk", None)
    if not _can(request, OVERSEE_FINANCE, org):
        persons = [p for p in persons if p.pk == own]
    sign_form = SignForm(
        request.POST if request.POST.get("do") == "sign" else None,
        persons=persons,
        initial={"person": own, "agrees": True},
    )
    close_errors: list[str] = []
    if request.method == "POST":
        if request.POST.get("do") == "sign":
            if not _can(request, SIGN_FINANCE, org):
                raise NotFound()
            if sign_form.is_valid():
                d = sign_form.cleaned_data
                try:
                    services.month_sign(
                        actor=actor,
                        org=org,
                        month=m,
                        person_id=d["person"],
                        opinion=d["opinion"],
                        agrees=d["agrees"],
                    )
                except DomainError as exc:
                    form_errors(sign_form, exc)
                else:
                    messages.success(request, _("The signature is recorded."))
                    return redirect("finance_close", org_id=org.pk, month=month)
        elif request.POST.get("do") == "close":
            if not _can(request, KEEP_BOOKS, org):
                raise NotFound()
            try:
                services.month_close(actor=actor, org=org, month=m)
            except DomainError as exc:
                close_errors = [msg for msgs in exc.errors.values() for msg in msgs]
            else:
                messages.success(request, _("The month is closed and its summary published."))
                return redirect("finance_close", org_id=org.pk, month=month)
    return render(
        request,
        "finance/month.html",
        {
            "org": org,
            "m": m,
            "month": month,
            "status": selectors.month_status(actor=actor, org=org, month=m),
            "sign_form": sign_form if persons and _can(request, SIGN_FINANCE, org) else None,
            "can_close": _can(request, KEEP_BOOKS, org),
            "close_errors": close_errors,
            "ended": selectors.month_end(m) < timezone.localdate(),
        },
    )


@login_required
@needs(VIEW_FINANCE)
def months(request: HttpRequest, org_id: int) -> HttpResponse:
    """The open past months of a village, each linking to its close page."""
    org = selectors.village_get(actor=request.user, org_id=org_id)
    return render(
        request,
        "finance/months.html",
        {"org": org, "months": selectors.month_list(actor=request.user, org=org), "last": _last_month()},
    )


@login_required
@needs(VIEW_FINANCE)
def panel(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = selectors.village_get(actor=actor, org_id=org_id)
    can = _can(request, OVERSEE_FINANCE, org)
    persons = (
        list(selectors.persons_of(actor=actor, org=org, q=request.GET.get("q", "")[:50])[:PERSONS_MAX])
        if can
        else []
    )
    do = request.POST.get("do")
    seat_form = SeatForm(
        request.POST if do == "seat" else None, persons=persons, initial={"since": timezone.localdate()}
    )
    kin_form = KinshipForm(request.POST if do == "kin" else None, persons=persons)
    if request.method == "POST":
        if not can:
            raise NotFound()
        form = seat_form if do == "seat" else kin_form
        if form.is_valid():
            d = form.cleaned_data
            try:
                if do == "seat":
                    services.panel_seat(actor=actor, org=org, person_id=d["person"], since=d["since"])
                else:
                    services.kinship_declare(
                        actor=actor,
                        org=org,
                        person_id=d["person"],
                        relative_id=d["relative"],
                        relation=d["relation"],
                    )
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("finance_panel", org_id=org.pk)
    return render(
        request,
        "finance/panel.html",
        {
            "org": org,
            "seats": selectors.panel(actor=actor, org=org),
            "seat_form": seat_form if can else None,
            "kin_form": kin_form if can else None,
        },
    )


@login_required
@needs(VIEW_FINANCE)
def handovers(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = selectors.village_get(actor=actor, org_id=org_id)
    can = _can(request, OVERSEE_FINANCE, org)
    persons = (
        list(selectors.persons_of(actor=actor, org=org, q=request.GET.get("q", "")[:50])[:PERSONS_MAX])
        if can
        else []
    )
    form = HandoverForm(request.POST or None, persons=persons, initial={"as_of": timezone.localdate()})
    if request.method == "POST":
        if not can:
            raise NotFound()
        if form.is_valid():
            d = form.cleaned_data
            try:
                h = services.handover_generate(
                    actor=actor,
                    org=org,
                    post=d["post"],
                    outgoing_id=d["outgoing"],
                    incoming_id=d["incoming"],
                    as_of=d["as_of"],
                )
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The hand-over report is generated."))
                return redirect("finance_handover", handover_id=h.pk)
    return render(
        request,
        "finance/handovers.html",
        {"org": org, "rows": selectors.handovers(actor=actor, org=org)[:100], "form": form if can else None},
    )


@login_required
@needs(VIEW_FINANCE)
def handover(request: HttpRequest, handover_id: int) -> HttpResponse:
    actor = request.user
    h = selectors.handover_get(actor=actor, handover_id=handover_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.handover_confirm(actor=actor, handover=h, side=request.POST.get("side", "")[:10])
        except DomainError as exc:
            errors = [m for ms in exc.errors.values() for m in ms]
        else:
            messages.success(request, _("The confirmation is recorded."))
            return redirect("finance_handover", handover_id=h.pk)
    own = getattr(actor, "pk", None)
    oversee = _can(request, OVERSEE_FINANCE, h.org)
    return render(
        request,
        "finance/handover.html",
        {
            "h": h,
            "org": h.org,
            "s": h.snapshot,
            "errors": errors,
            "may_out": h.outgoing_confirmed_at is None and (oversee or h.outgoing.user_id == own),
            "may_in": h.incoming_confirmed_at is None and (oversee or h.incoming.user_id == own),
        },
    )
