"""People's public, unscoped read layer: SQL building blocks for indicators, for this app's selectors
and for other apps' services and selectors (one definition of "the members of a subtree on a day",
of each band …). Unscoped: a caller that serves a user scopes the result itself (docs/adding-an-app.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from jiceng.core.dates import years_before
from jiceng.core.models import Org


def age_band_q(band: dict[str, Any], as_of: dt.date, field: str = "birth_date") -> Q:
    """Persons whose age on ``as_of`` lies in [min, max] (whole years), as a date range on birth."""
    q = Q()
    if band.get("max") is not None:
        q &= Q(**{f"{field}__gt": years_before(as_of, band["max"] + 1)})
    if band.get("min") is not None:
        q &= Q(**{f"{field}__lte": years_before(as_of, band["min"])})
    return q & Q(**{f"{field}__isnull": False})


def active_on_q(day: dt.date, prefix: str = "") -> Q:
    """Posts held on ``day``: started on or before it, not ended before it."""
    return Q(**{f"{prefix}term_from__lte": day}) & (
        Q(**{f"{prefix}term_to__isnull": True}) | Q(**{f"{prefix}term_to__gte": day})
    )


def members() -> QuerySet:
    """Every party member, whenever admitted. Everywhere: filter by the org path."""
    from .models import PartyMember

    return PartyMember.objects.all()


def members_on(as_of: dt.date) -> QuerySet:
    """Party members on ``as_of``: admitted (joined) by then. Everywhere: filter by the org path."""
    from .models import PartyMember

    return PartyMember.objects.filter(joined_on__lte=as_of)


def members_of(root: Org, as_of: dt.date) -> QuerySet:
    """Party members of ``root``'s subtree on ``as_of``."""
    return members_on(as_of).filter(org__path__startswith=root.path)


def full_members_on(as_of: dt.date) -> QuerySet:
    """Full members on ``as_of`` (converted by then). Everywhere: filter by the org path."""
    from .models import PartyMember

    return PartyMember.objects.filter(full_on__lte=as_of)


def party_seats(area_ids, as_of: dt.date) -> dict[int, int]:
    """Seats held on the village party committee on ``as_of``, per village (area id)."""
    from django.db.models import Count

    from .models import CadrePost, Committee

    return dict(
        CadrePost.objects.filter(active_on_q(as_of), committee=Committee.PARTY, area_id__in=set(area_ids))
        .order_by()
        .values_list("area_id")
        .annotate(n=Count("pk"))
    )


def villages_with_party_secretary(area_ids, as_of: dt.date) -> set[int]:
    """The villages (area ids) whose party secretary seat is held on ``as_of``."""
    from .models import CadrePost, Committee, Post

    return set(
        CadrePost.objects.filter(
            active_on_q(as_of), committee=Committee.PARTY, post=Post.SECRETARY, area_id__in=set(area_ids)
        ).values_list("area_id", flat=True)
    )


def households() -> QuerySet:
    """Every household, wherever it is registered. Everywhere: filter by the area path."""
    from .models import Household

    return Household.objects.all()


def persons() -> QuerySet:
    """Every person (residents and members alike). Everywhere: filter by the area path."""
    from .models import Person

    return Person.objects.all()
