"""Which community and grid is my address in (004-P7: residents who do not know their community),
read without an account. The answer is place names only — township, village or community, grid —
never a household, a head of household or anyone's name (core/public.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import render
from django.urls import path

from jiceng.core.public import plain, public

from . import selectors


@dataclass(frozen=True)
class PublicPlace:
    township: str
    village: str
    grid: str


@dataclass(frozen=True)
class WhereAnswer:
    q: str
    problem: str  # why it was not looked up (too long, too short), or ""
    places: tuple[PublicPlace, ...]


def where(q: str) -> WhereAnswer:
    """The places an address, estate or building name matches, at most a few; nothing for a
    question of fewer than two or more than fifty characters (the answer says which)."""
    q = (q or "").strip()
    if not q:
        return plain(WhereAnswer("", "", ()))
    problem = selectors.where_problem(q)
    if problem:
        return plain(WhereAnswer(q[: selectors.WHERE_MAX], problem, ()))
    found = selectors.places_of(selectors.where_paths(q))
    return plain(WhereAnswer(q, "", tuple(PublicPlace(p.township, p.village, p.grid) for p in found)))


@public
def where_page(request):
    return render(request, "grids/public_where.html", {"answer": where(request.GET.get("q", ""))})


urlpatterns = [path("where/", where_page, name="public_where")]
