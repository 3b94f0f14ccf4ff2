"""Village finances on the home page: for a secretary, the months to close and the rents due; for
a township, the counts of its villages with months not closed, overdue rents and unconfirmed
hand-overs."""

from __future__ import annotations

import datetime as dt

from jiceng.core.errors import NotFound
from jiceng.core.models import Org
from jiceng.core.scoping import can_access_org

from . import selectors
from .plugin import VIEW_FINANCE


def secretary(actor, org: Org, today: dt.date) -> dict | None:
    if not can_access_org(actor, VIEW_FINANCE, org):
        return None
    try:
        village = selectors.village_get(actor=actor, org_id=org.pk)
    except NotFound:
        return None
    months = selectors.open_months(actor=actor, org=village)
    overdue = list(selectors.overdue_dues(actor=actor, org=village)[:5])
    if not months and not overdue:
        return None
    return {"org": village, "months": months[-6:], "overdue": overdue}


def township(actor, org: Org, today: dt.date) -> dict | None:
    if not can_access_org(actor, VIEW_FINANCE, org):
        return None
    rows = selectors.overview(actor=actor, org=org)
    if not rows:
        return None
    return {
        "org": org,
        "villages": len(rows),
        "open_months": sum(1 for r in rows if r.open_months),
        "overdue": sum(1 for r in rows if r.overdue_rents),
        "handovers": sum(1 for r in rows if r.unconfirmed_handovers),
        "under": sum(1 for r in rows if r.income < r.award_min),
    }
