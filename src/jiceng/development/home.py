"""The development work on a secretary's (and a township's) home page: the open records by stage
and those overdue — the talk not held within a month, a review missed, an approval late."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from jiceng.core.errors import NotFound
from jiceng.core.models import Org
from jiceng.core.roles import Perm
from jiceng.core.scoping import can_access_org

from . import selectors
from .models import Stage

LIMIT = 500  # records whose dues are worked out for the home page (a branch has a handful)


def secretary(actor, org: Org, today: dt.date) -> dict | None:
    if not can_access_org(actor, Perm.VIEW_MEMBER, org):
        return None
    try:
        qs = selectors.board(actor=actor, org=org)
    except NotFound:
        return None
    counts = dict(qs.order_by().values_list("stage").annotate(n=Count("pk")))
    if not counts:
        return None
    rows = selectors.board_rows(actor=actor, applicants=list(qs[:LIMIT]))
    labels = dict(Stage.choices)
    return {
        "org": org,
        "open": sum(counts.values()),
        "stages": [(labels[s], counts.get(s, 0)) for s in selectors.OPEN_STAGES],
        "overdue": [r for r in rows if r.overdue][:10],
    }
