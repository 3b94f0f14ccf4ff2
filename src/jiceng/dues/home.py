"""Dues on the home page (core.kit.HomeSection): a branch's members in arrears and those unpaid for
six months in a row (党章第九条: for the branch's attention, never acted on), and a member's own
dues. Reads only, through this app's selectors."""

from __future__ import annotations

import datetime as dt

from jiceng.core.errors import NotFound
from jiceng.core.models import Org, OrgKind
from jiceng.core.scoping import can_access_org

from . import selectors
from .plugin import MANAGE_DUES, VIEW_DUES


def branch(actor, org: Org, today: dt.date) -> dict | None:
    if org.kind not in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.GROUP) or not can_access_org(
        actor, VIEW_DUES, org
    ):
        return None
    try:
        flags = selectors.arrears_members(actor=actor, org=org, today=today, limit=8)
    except NotFound:
        return None
    return {"org": org, **flags, "can_manage": can_access_org(actor, MANAGE_DUES, org)}


def member(actor, org: Org, today: dt.date) -> dict | None:
    return selectors.own_statement(actor=actor, today=today)
