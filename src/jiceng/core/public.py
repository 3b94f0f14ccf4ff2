"""Public pages: read without an account (a village's party-affairs disclosure, later a resident's
request and a village's decisions). The pattern:

* an app declares them in its plugin (``public``), mounted under ``/public/``;
* the module keeps its own selectors, which take no actor and return frozen dataclasses of plain
  values — counts, titles, dates, names of organisations and places — never a model instance and
  never personal data; the views render only those;
* tests/test_public_pages.py fetches every public page anonymously for every area it serves and
  fails on any person's name, ID or phone number in it, and on a selector returning a model.

``public`` marks a view: no login, never cached privately, answered 404 for what it does not serve.
``public_form`` marks a page with a form a resident fills in (a request, a look-up, a rating): GET
and POST, CSRF-protected, never cached (the page carries a CSRF token and answers for one person).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import Model, QuerySet
from django.db.models.manager import BaseManager
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from .errors import NotFound


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page anyone may read: GET only, cacheable by proxies for a minute."""

    @functools.wraps(view)
    @require_GET
    @cache_control(public=True, max_age=60)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.is_public = True  # type: ignore[attr-defined]
    return wrapped


def public_form(view: Callable[..., Any]) -> Callable[..., Any]:
    """A form anyone may fill in: GET and POST only, CSRF-protected, never cached by anyone."""

    @functools.wraps(view)
    @require_http_methods(["GET", "POST"])
    @never_cache
    @csrf_protect
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.is_public = True  # type: ignore[attr-defined]
    return wrapped


def plain(value: Any) -> Any:
    """Refuse to hand a model to a public page (a selector's result is checked on its way out)."""
    if isinstance(value, Model):
        raise TypeError(f"a public selector returned a model: {type(value).__name__}")
    if isinstance(value, QuerySet | BaseManager):
        raise TypeError("a public selector returned a queryset: hand out plain values")
    if isinstance(value, Iterator):  # a generator could yield anything once the check is past
        raise TypeError("a public selector returned an iterator: hand out a tuple or a list")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            plain(getattr(value, f.name))
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            plain(v)
    elif isinstance(value, dict):
        for v in value.values():
            plain(v)
    return value


def found(value: Any) -> Any:
    """The value, or the 404 page for nothing (a public page of nothing looks like a missing one)."""
    if value is None:
        raise NotFound()
    return plain(value)
