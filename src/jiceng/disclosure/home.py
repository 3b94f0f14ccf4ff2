"""Disclosure on the home page: for a branch secretary, each affair of their village with the day
its next item is due by (overdue first); for a township, how many of its villages are overdue."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from jiceng.core.models import Org
from jiceng.core.roles import Perm
from jiceng.core.scoping import can_access_org

from . import selectors

SOON_DAYS = 14  # an affair due within two weeks is shown as due soon


def secretary(actor, org: Org, today: dt.date) -> dict | None:
    if not can_access_org(actor, Perm.VIEW_ORG, org):
        return None
    rows = selectors.village_due(actor=actor, org=org, today=today)
    if not rows:
        return None
    rows.sort(key=lambda r: (not r.overdue, r.due_by))
    return {
        "rows": rows,
        "soon": today + dt.timedelta(days=SOON_DAYS),
        "overdue_count": sum(1 for r in rows if r.overdue),
        "url": reverse("disclosure_publish"),
        "public_url": reverse("disclosure_public_village", args=[rows[0].village_id]),
    }


def township(actor, org: Org, today: dt.date) -> dict | None:
    if not can_access_org(actor, Perm.VIEW_ORG, org) or org.area_id is None:
        return None
    return {
        "count": selectors.overdue_village_count(actor=actor, org=org, today=today),
        "url": reverse("disclosure_overdue"),
    }
