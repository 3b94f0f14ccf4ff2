"""Village decisions on the home page: the secretary's matters waiting on the village, the
township's reviews waiting (五步决策法) and villages whose 代表会议 is overdue."""

from __future__ import annotations

import datetime as dt

from jiceng.core.models import Org
from jiceng.core.scoping import can_access_org

from . import queries, selectors
from .plugin import RECORD, REVIEW

LIMIT = 10


def secretary(actor, org: Org, today: dt.date) -> dict | None:
    if not can_access_org(actor, RECORD, org):
        return None
    qs = selectors.waiting_on_secretary(actor=actor, org=org)
    matters = list(qs[:LIMIT])
    village = org.area if org.area_id and org.area.kind in ("village", "community") else None
    problems = (
        queries.roster_problems(village, today, org)
        if village is not None and village.kind == "village"
        else []
    )
    if not matters and not problems:
        return None
    return {"open": qs.count(), "matters": matters, "problems": problems, "village": village}


def township(actor, org: Org, today: dt.date) -> dict | None:
    if not can_access_org(actor, REVIEW, org):
        return None
    qs = selectors.reviews_waiting(actor=actor, org=org)
    reviews = list(qs[:LIMIT])
    overdue = len(selectors.overdue_villages(actor=actor, day=today, org=org))
    if not reviews and not overdue:
        return None
    return {"n": qs.count(), "reviews": reviews, "overdue": overdue}
