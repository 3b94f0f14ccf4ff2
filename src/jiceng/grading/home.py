"""Grading on the home page (core.kit.HomeSection): the rectification measures of the grant's
lagging organisations that are due within a month or overdue (一支一策, 挂账销号)."""

from __future__ import annotations

import datetime as dt

from jiceng.core.models import Org

from .models import RectificationMeasure
from .selectors import plans_for

DUE_WITHIN_DAYS = 31


def rectification(actor, org: Org, today: dt.date) -> dict | None:
    plans = plans_for(actor=actor, within=org).exclude(status="closed")
    measures = list(
        RectificationMeasure.objects.filter(
            plan__in=plans.values("pk"),
            done_on__isnull=True,
            deadline__lte=today + dt.timedelta(days=DUE_WITHIN_DAYS),
        )
        .select_related("plan__grade__org")
        .order_by("deadline", "pk")[:20]
    )
    if not measures:
        return None
    return {"measures": measures, "today": today}
