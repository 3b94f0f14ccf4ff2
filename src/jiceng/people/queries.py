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
    """Every party member, whenever admitted, whether or not still on the rolls. Everywhere: filter
    by the org path."""
    from .models import PartyMember

    return PartyMember.objects.all()


def on_rolls_q(day: dt.date, prefix: str = "") -> Q:
    """Members on the rolls on ``day``: admitted by then and not left by then (``left_on`` is the
    first day they are no longer counted)."""
    return Q(**{f"{prefix}joined_on__lte": day}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": day})
    )


def open_on_q(day: dt.date, prefix: str = "") -> Q:
    """Membership periods open on ``day``: since ≤ day < until (no until: still open)."""
    return Q(**{f"{prefix}since__lte": day}) & (
        Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gt": day})
    )


def memberships_on(as_of: dt.date) -> QuerySet:
    """One row per member on the rolls on ``as_of`` (``Membership``), its ``org`` the organisation the
    member belonged to THAT day: the set to group by ``org__path`` when members are counted per unit
    on a date (people.member_count and the bands do). The member's fields are ``member__…``; the
    member id is ``member_id``. Everywhere: filter by the org path. The (org, since) index serves a
    subtree; a whole-province count is one scan."""
    from .models import Membership

    return Membership.objects.filter(open_on_q(as_of))


def full_memberships_on(as_of: dt.date) -> QuerySet:
    """``memberships_on`` of the members who were full members on ``as_of``."""
    return memberships_on(as_of).filter(member__full_on__lte=as_of)


def members_on(as_of: dt.date) -> QuerySet:
    """Party members on the rolls on ``as_of``: admitted by then and not left by then. Their ``org``
    is the CURRENT organisation: to place each in the organisation of that day, group
    ``memberships_on(as_of)`` instead, or ask ``members_of(root, as_of)``. Everywhere: filter by
    the org path."""
    from .models import PartyMember

    return PartyMember.objects.filter(on_rolls_q(as_of))


def members_of(root: Org, as_of: dt.date) -> QuerySet:
    """Party members of ``root``'s subtree on ``as_of``: those whose relation was kept in the
    subtree that day (the history), not after they left or moved out, not before they moved in."""
    from .models import PartyMember

    placed = memberships_on(as_of).filter(org__path__startswith=root.path).values("member_id")
    return PartyMember.objects.filter(pk__in=placed)


def full_members_on(as_of: dt.date) -> QuerySet:
    """Full members on ``as_of`` (converted by then, not left by then); ``org`` is the current one
    (see members_on). Everywhere: filter by the org path."""
    from .models import PartyMember

    return PartyMember.objects.filter(on_rolls_q(as_of), full_on__lte=as_of)


def member_history(member_ids) -> QuerySet:
    """The membership periods of some members, oldest first (a member's page, a transfer's check)."""
    from .models import Membership

    return Membership.objects.filter(member_id__in=list(member_ids)).order_by("member_id", "since", "pk")


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


def person_choices() -> dict[str, list[tuple[str, Any]]]:
    """The choices of a person's coded fields (gender, education) with their labels, for other
    apps' forms and ledgers."""
    from .models import Education, Gender

    return {"gender": list(Gender.choices), "education": list(Education.choices)}
