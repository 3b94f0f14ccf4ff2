"""SQL building blocks shared by selectors and indicators (one definition of each band)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from jiceng.core.dates import years_before


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
