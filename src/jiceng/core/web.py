"""What pages and API functions share, so that each is written once: putting a service's errors on a
form, and the gates "may this user use this page at all" and "may this user act on this record".

A refused gate raises NotFound, which pages answer with the 404 page and the API with 404: a record
out of scope and a missing one look alike (CONVENTIONS: one gate for access).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .errors import DomainError, NotFound
from .models import Area, Org
from .scoping import can_access_area, can_access_org, has_perm_anywhere

V = TypeVar("V", bound=Callable[..., Any])


class HtmxRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (for type checking a view that asks)."""

    htmx: HtmxDetails


def form_errors(
    form: forms.BaseForm, exc: DomainError, *, elsewhere: Iterable[str] = ()
) -> dict[str, list[str]]:
    """Put a service's errors next to the fields they name. Errors of a field named in ``elsewhere``
    (shown by the template in a place of its own, e.g. an attendance checklist) are returned;
    those of any other field the form does not have go on the form as a whole, so none is lost."""
    keep = set(elsewhere)
    rest: dict[str, list[str]] = {}
    for field, msgs in exc.errors.items():
        for m in msgs:
            if field in form.fields:
                form.add_error(field, m)
            elif field in keep:
                rest.setdefault(field, []).append(m)
            else:
                form.add_error(None, m)
    return rest


def ensure(actor, perm: str, *, org: Org | None = None, area: Area | None = None) -> None:
    """The actor holds ``perm`` at ``org`` (or ``area``), or, given neither, somewhere; else NotFound."""
    if org is not None:
        allowed = can_access_org(actor, perm, org)
    elif area is not None:
        allowed = can_access_area(actor, perm, area)
    else:
        allowed = has_perm_anywhere(actor, perm)
    if not allowed:
        raise NotFound()


def needs(perm: str) -> Callable[[V], V]:
    """A page (under ``login_required``) only for users who hold ``perm`` somewhere."""

    def deco(view: V) -> V:
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            ensure(request.user, perm)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return deco
