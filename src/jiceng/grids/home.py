"""A grid worker's visit work on the home page (core.kit.HomeSection "grids.worker"): this month's
visits in the grid and the households nobody has visited for 90 days, with one tap to record a
visit. People's own "grid" section already shows the grid's households, residents and search; this
one adds only the visits."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from jiceng.core.errors import NotFound
from jiceng.core.models import AreaKind, Org
from jiceng.core.scoping import can_access_area

from . import selectors
from .models import VisitKind
from .plugin import RECORD_VISIT


def worker(actor, org: Org, today: dt.date) -> dict | None:
    if org.area_id is None:
        return None
    try:
        grid = selectors.grid_get(actor=actor, grid_id=org.area_id)
    except NotFound:  # a grant on an organisation not anchored at a grid
        return None
    if grid.kind != AreaKind.GRID:
        return None
    month = selectors.worker_month(actor=actor, grid=grid, today=today)
    can_record = can_access_area(actor, RECORD_VISIT, grid)
    labels = dict(VisitKind.choices)
    return {
        "grid": grid,
        "month": today.replace(day=1),
        **month,
        "kinds": [(labels[k], month["by_kind"].get(k, 0)) for k in VisitKind.values],
        "days": selectors.NOT_VISITED_DAYS,
        "record_url": reverse("visit_create", kwargs={"grid_id": grid.pk}) if can_record else "",
    }
