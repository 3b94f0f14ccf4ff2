"""Contact duties on the home page: for a secretary, members under their quota, members with no
duty and duties never visited; for a member, their own households with one tap to record a visit."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from jiceng.core.models import Org
from jiceng.core.roles import Perm
from jiceng.core.scoping import can_access_org

from . import selectors


def secretary(actor, org: Org, today: dt.date) -> dict | None:
    if not can_access_org(actor, Perm.VIEW_MEMBER, org):
        return None
    quota = selectors.quota_rows(actor=actor, org=org)
    never = list(selectors.org_duties(actor=actor, org=org, flag="never")[:8])
    without = selectors.members_without_duty(actor=actor, org=org)
    return {
        "org": org,
        "under": [q for q in quota if q.under][:8],
        "under_count": sum(1 for q in quota if q.under),
        "never": selectors.rows(duties=never, org=org, today=today),
        "never_count": selectors.org_duties(actor=actor, org=org, flag="never").count(),
        "without_count": without.count(),
        "url": reverse("contacts_list") + f"?org={org.pk}",
    }


def member(actor, org: Org, today: dt.date) -> dict | None:
    duties = list(selectors.mine(actor=actor))
    if not duties:
        return None
    return {"rows": selectors.rows(duties=duties, org=duties[0].org, today=today)}
