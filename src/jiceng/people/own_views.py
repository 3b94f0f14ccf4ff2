"""A member's own pages ("我的"): keep their card, see their own full record after re-entering the
password (logged). Thin: parse with a form, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jiceng.core.errors import DomainError, NotFound
from jiceng.core.web import form_errors

from . import selectors, services
from .forms import OwnCardForm, OwnRevealForm


def _me(request: HttpRequest):
    me = selectors.member_of_user(actor=request.user)
    if me is None:
        raise NotFound()
    return me


@login_required
def own_card(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    form = OwnCardForm(request.POST or None, initial={"pledge": me.pledge, "service_list": me.service_list})
    if request.method == "POST" and form.is_valid():
        try:
            services.own_card_update(actor=request.user, member=me, **form.cleaned_data)
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("home")
    return render(request, "people/own_card.html", {"form": form, "me": me})


@login_required
@require_POST
@never_cache
def own_reveal(request: HttpRequest) -> HttpResponse:
    """One's own full ID or phone number: no record is named (it is always the actor's own)."""
    field = request.POST.get("field", "")
    if field not in services.REVEALABLE:
        raise Http404
    me = _me(request)
    form = OwnRevealForm(request.POST)
    value = None
    if form.is_valid():
        try:
            value = services.own_reveal(
                actor=request.user, member=me, field=field, password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            form_errors(form, exc)
    status = 200 if value is not None else 400
    template = "people/_own_reveal_result.html" if request.htmx else "people/own_reveal.html"
    # a wrong password is a 200 fragment for htmx (it swaps only 2xx), a 400 page otherwise
    return render(
        request,
        template,
        {"form": form, "value": value, "field": field, "me": me},
        status=200 if request.htmx else status,
    )
