"""Disclosure pages: the items of the actor's subtree (filters, pages), publishing one, an item
with its withdrawal, and the township's list of who has not published on time. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.core.errors import DomainError
from jiceng.core.roles import Perm
from jiceng.core.scoping import can_access_org
from jiceng.core.web import form_errors, needs

from . import selectors, services
from .forms import FilterForm, OverdueFilterForm, PublishForm, WithdrawForm
from .plugin import PUBLISH_DISCLOSURE

PAGE = 30


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@needs(Perm.VIEW_ORG)
def item_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = FilterForm(request.GET or None, villages=selectors.village_choices(actor=actor))
    f: dict = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        f = {"village_id": d["village"], "affair": d["affair"], "start": d["start"], "end": d["end"]}
        f["q"] = d["q"].strip()
    qs = selectors.items(actor=actor, **f)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/list.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "can_publish": selectors.can_publish(actor=actor),
        },
    )


@login_required
@needs(PUBLISH_DISCLOSURE)
def publish(request: HttpRequest) -> HttpResponse:
    actor = request.user
    orgs = list(selectors.publish_orgs(actor=actor))
    initial = {"org": orgs[0].pk} if len(orgs) == 1 else {}
    form = PublishForm(request.POST or None, orgs=orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            org = selectors.publish_org_get(actor=actor, org_id=d["org"])
            item = services.publish(
                actor=actor,
                org=org,
                affair=d["affair"],
                title=d["title"],
                body=d["body"],
                period_start=d["period_start"],
                period_end=d["period_end"],
                major=d["major"],
                names=form.name_list(),
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The item is published."))
            return redirect("disclosure_item", disclosure_id=item.pk)
    return render(request, "disclosure/publish.html", {"form": form})


@login_required
@needs(Perm.VIEW_ORG)
def item_detail(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, item_id=disclosure_id)
    return render(
        request,
        "disclosure/item.html",
        {
            "item": item,
            "can_withdraw": item.withdrawn_at is None
            and can_access_org(request.user, PUBLISH_DISCLOSURE, item.org),
            "public_url": reverse("disclosure_public_village", args=[item.village_id]),
        },
    )


@login_required
@needs(PUBLISH_DISCLOSURE)
def withdraw(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    actor = request.user
    item = selectors.item_get(actor=actor, item_id=disclosure_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(actor=actor, item=item, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The item is withdrawn."))
            return redirect("disclosure_item", disclosure_id=item.pk)
    return render(request, "disclosure/withdraw.html", {"item": item, "form": form})


@login_required
@needs(Perm.VIEW_ORG)
def overdue(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = OverdueFilterForm(request.GET or None)
    affair = form.cleaned_data["affair"] if form.is_bound and form.is_valid() else ""
    qs, ctx = selectors.overdue(actor=actor, affair=affair)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/overdue.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.overdue_rows(page.object_list, ctx),
            "query": _query(request),
            "ledger_query": f"affair={affair}" if affair else "",
        },
    )
