from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .audit import RequestContext, reset_request_context, set_request_context
from .errors import NotFound


def client_ip(request) -> str | None:
    """Behind JICENG_PROXY_COUNT trusted reverse proxies, the client is that many hops from the end
    of X-Forwarded-For; without proxies, the socket's address (a client cannot spoof it)."""
    hops = settings.JICENG_PROXY_COUNT
    if hops:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Hands IP and user agent to the audit writer for the duration of one request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_context(
            RequestContext(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
        )
        try:
            return self.get_response(request)
        finally:
            reset_request_context(token)

    def process_exception(self, request, exception):
        # Out of scope and missing look the same: a plain 404 page (CONVENTIONS: one access gate).
        if isinstance(exception, NotFound | Http404 | PermissionDenied):
            from . import security
            from .views import forbidden, not_found

            security.denied(request, detail=type(exception).__name__)
            return forbidden(request) if isinstance(exception, PermissionDenied) else not_found(request)
        return None


class IdleSessionMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without activity: an active session is saved (and its
    expiry moved on) when its last touch is a minute old, so a busy page costs no write per request."""

    TOUCH_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(session.get("_touched", 0)) >= self.TOUCH_EVERY:
                session["_touched"] = now  # marks the session modified: saved with a fresh expiry
        return self.get_response(request)


class SecondFactorMiddleware:
    """With JICENG_REQUIRE_2FA, a user holding one of JICENG_2FA_ROLES who has logged in with the
    password only reaches the second-factor page (set up, then verify) and log-out, nothing else.
    API tokens are separate credentials and are not affected."""

    OPEN = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/", "/healthz", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.JICENG_REQUIRE_2FA and not request.path.startswith(self.OPEN):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and not user.is_verified() and _needs_2fa(user):
                from django.shortcuts import redirect
                from django.utils.http import urlencode

                return redirect(f"/accounts/2fa/?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _needs_2fa(user) -> bool:
    from .models import RoleAssignment

    return RoleAssignment.objects.filter(user=user, role__in=settings.JICENG_2FA_ROLES).exists()
