"""Contact-duty pages: an organisation's duties with their flags and the quota table, assigning and
ending a duty, a member's own households, and the phone form of a contact visit. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import DomainError, NotFound
from jiceng.core.roles import Perm
from jiceng.core.scoping import can_access_org
from jiceng.core.web import form_errors, needs

from . import selectors, services
from .forms import AssignForm, EndForm, FilterForm, VisitForm
from .plugin import MANAGE_CONTACTS

PAGE = 50


def _org(request: HttpRequest):
    org_id = request.GET.get("org")
    org = (
        selectors.org_get(actor=request.user, org_id=org_id)
        if org_id
        else selectors.home_org(actor=request.user)
    )
    if org is None:
        raise NotFound()
    return org


@login_required
@needs(Perm.VIEW_MEMBER)
def duty_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    org = _org(request)
    form = FilterForm(request.GET or None)
    q, never = "", False
    if form.is_bound and form.is_valid():
        q, never = form.cleaned_data["q"].strip(), form.cleaned_data["never"]
    qs = selectors.org_duties(actor=actor, org=org, q=q, flag="never" if never else "")
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "contacts/list.html",
        {
            "org": org,
            "form": form,
            "page": page,
            "rows": selectors.rows(duties=list(page.object_list), org=org),
            "quota": selectors.quota_rows(actor=actor, org=org),
            "without": list(selectors.members_without_duty(actor=actor, org=org)[:50]),
            "query": query.urlencode(),
            "can_manage": can_access_org(actor, MANAGE_CONTACTS, org),
        },
    )


@login_required
@needs(MANAGE_CONTACTS)
def assign(request: HttpRequest) -> HttpResponse:
    actor = request.user
    org = _org(request)
    if not can_access_org(actor, MANAGE_CONTACTS, org):
        raise NotFound()
    form = AssignForm(
        request.POST or None,
        members=selectors.member_choices(actor=actor, org=org),
        households=selectors.household_choices(actor=actor, org=org),
        areas=selectors.area_choices(actor=actor, org=org),
        initial={"since": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.assign(
                actor=actor,
                org=org,
                person_id=d["person"],
                role=d["role"],
                since=d["since"],
                household_id=d["household"],
                area_id=d["area"],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The contact duty is assigned."))
            return redirect(reverse("contacts_list") + f"?org={org.pk}")
    return render(request, "contacts/assign.html", {"org": org, "form": form})


@login_required
@needs(MANAGE_CONTACTS)
def end(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = request.user
    duty = selectors.duty_get(actor=actor, duty_id=contact_id)
    form = EndForm(request.POST or None, initial={"until": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.end(actor=actor, duty=duty, until=form.cleaned_data["until"])
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The contact duty is ended."))
            return redirect(reverse("contacts_list") + f"?org={duty.org_id}")
    return render(request, "contacts/end.html", {"duty": duty, "form": form})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    duties = list(selectors.mine(actor=request.user))
    # a member sees no organisation's members: the rules are their duty's organisation's
    rows = selectors.rows(duties=duties, org=duties[0].org) if duties else []
    return render(request, "contacts/mine.html", {"rows": rows})


def _duty_for_visit(request: HttpRequest, duty_id: int):
    """The member's own duty, or one the actor manages."""
    own = next((d for d in selectors.mine(actor=request.user) if d.pk == duty_id), None)
    if own is not None:
        return own
    duty = selectors.duty_get(actor=request.user, duty_id=duty_id)
    if not can_access_org(request.user, MANAGE_CONTACTS, duty.org):
        raise NotFound()
    return duty


@login_required
def visit(request: HttpRequest, contact_id: int) -> HttpResponse:
    duty = _duty_for_visit(request, contact_id)
    households = None if duty.household_id else list(selectors.duty_households(duty=duty))
    form = VisitForm(
        request.POST or None,
        request.FILES or None,
        households=households,
        initial={"visited_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        household_id = d.pop("household", None)
        photos_in = d.pop("photos", None) or []
        try:
            services.record_visit(
                actor=request.user, duty=duty, household_id=household_id, photos_in=photos_in, **d
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The visit is recorded."))
            own = duty.person.user_id == request.user.pk
            return redirect(
                reverse("contacts_mine") if own else reverse("contacts_list") + f"?org={duty.org_id}"
            )
    return render(
        request,
        "contacts/visit.html",
        {
            "duty": duty,
            "form": form,
            "last": selectors.last_visit(duty=duty),
            "files_lost": bool(request.FILES),
        },
    )
