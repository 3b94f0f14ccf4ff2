"""The branch secretary's (and township's) mobility flags on the home page (core.kit.HomeSection
"mobility.secretary"): how many are overdue, out of contact, pocket members, to transfer, and the
transfers waiting for this side to confirm."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from jiceng.core.models import Org
from jiceng.core.scoping import can_access_org

from . import selectors
from .plugin import VIEW_MOBILITY


def secretary(actor, org: Org, today: dt.date) -> dict | None:
    if not can_access_org(actor, VIEW_MOBILITY, org):
        return None
    b = selectors.board(actor=actor, org=org, day=today)
    c = b["counts"]
    if not (c["outflow"] or c["inflow"] or b["transfers"]):
        return None
    return {
        "org": org,
        "flags": [
            ("outflow", _("working away"), c["outflow"]),
            ("overdue", _("check-in overdue"), c["overdue"]),
            ("lost", _("out of contact"), c["lost"]),
            ("pocket", _("pocket members"), c["pocket"]),
            ("prompt", _("to transfer"), c["prompt"]),
        ],
        "to_confirm": [t for t in b["transfers"] if t.incoming][:10],
    }
