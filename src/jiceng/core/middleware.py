from __future__ import annotations

from .audit import RequestContext, reset_request_context, set_request_context
from .errors import NotFound


class RequestContextMiddleware:
    """Hands IP and user agent to the audit writer for the duration of one request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_context(
            RequestContext(ip=request.META.get("REMOTE_ADDR"), user_agent=request.META.get("HTTP_USER_AGENT", ""))
        )
        try:
            return self.get_response(request)
        finally:
            reset_request_context(token)

    def process_exception(self, request, exception):
        # Out of scope and missing look the same: a plain 404 page (CONVENTIONS: one access gate).
        if isinstance(exception, NotFound):
            from .views import not_found

            return not_found(request)
        return None
