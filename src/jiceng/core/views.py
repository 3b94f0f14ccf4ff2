"""Core pages: health, audit log, profile (API tokens), error pages. Thin: parse, call, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import audit, selectors, services
from .errors import DomainError
from .roles import Perm
from .scoping import has_perm_anywhere


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return JsonResponse({"status": "ok", "database": connection.vendor})


def not_found(request, exception=None):
    return render(request, "core/404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "core/403.html", status=403)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.VIEW_AUDIT):
        raise Http404()
    g = request.GET
    qs = selectors.audit_entries(
        actor=request.user, q=g.get("q", "").strip(), action=g.get("action", ""),
        target_type=g.get("target_type", ""), target_id=g.get("target_id", ""),
        since=_date(g.get("since")), until=_date(g.get("until")),
    )
    page = Paginator(qs, 50).get_page(g.get("page"))
    return render(request, "core/audit_list.html", {"page": page, "filters": g, "actions": audit.ACTION_LABELS})




@login_required
def profile(request: HttpRequest) -> HttpResponse:
    new_token = request.session.pop("new_token", None)
    return render(request, "core/profile.html", {
        "tokens": selectors.api_tokens_for(actor=request.user),
        "new_token": new_token,
        "grants": request.user.role_assignments.select_related("org"),
    })


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    try:
        days = int(request.POST.get("expires_days") or 365)
        _token, plaintext = services.api_token_create(actor=request.user, name=request.POST.get("name", ""),
                                                      expires_days=days)
    except ValueError:
        messages.error(request, _("Expiry must be a number of days."))
    except DomainError as exc:
        for item in exc.as_list():
            messages.error(request, item["message"])
    else:
        # Shown once on the next page, then gone: only its digest is stored.
        request.session["new_token"] = plaintext
    return redirect("profile")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.api_token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, _("Token revoked."))
    return redirect("profile")
