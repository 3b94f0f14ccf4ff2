"""Organisational life's public, unscoped read layer: building blocks for other apps' services and
selectors (grading). A caller that serves a user scopes the result itself (docs/adding-an-app.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Max

from jiceng.core.indicators import Scope, grouped
from jiceng.core.models import Org

from .models import PARTY_LIFE_KINDS, Meeting


def last_party_life(units: Sequence[Org], as_of: dt.date) -> dict[int, dt.date | None]:
    """The date of each unit's last party-life meeting on or before ``as_of`` (its whole subtree),
    one grouped query per depth; None when it never held one."""
    meetings = Meeting.objects.counted().filter(kind__in=PARTY_LIFE_KINDS, held_on__lte=as_of)
    return {
        pk: agg["last"]
        for pk, agg in grouped(
            [Scope(u) for u in units], meetings, "org__path", {"last": Max("held_on")}
        ).items()
    }
