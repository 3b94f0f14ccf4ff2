"""People on the home page (core.kit.HomeSection): a member's own card and record ("我的"), and a
grid worker's grid. Reads only, through this app's selectors."""

from __future__ import annotations

import datetime as dt

from jiceng.core.dates import years_between
from jiceng.core.models import Area, Org

from . import selectors

RESIDENTS_SHOWN = 20
Q_MAX = 50


def member_card(actor, org: Org, today: dt.date) -> dict | None:
    """我的: the member's branch and group, their 党员名片 (亮身份) and their own record, masked."""
    me = selectors.member_of_user(actor=actor)
    if me is None:
        return None
    chain = [me.org]
    if me.org.depth > 1:
        parent = Org.objects.filter(path=me.org.path[: -Org.steplen]).first()
        if parent is not None:
            chain.insert(0, parent)
    return {
        "me": me,
        "orgs": chain,
        "party_years": years_between(me.joined_on, today),
        "posts": list(selectors.own_posts(actor=actor, member=me).filter(term_to__isnull=True)),
        "services": [line for line in me.service_list.splitlines() if line],
        "masked": [("id_number", me.person.id_number_masked), ("phone", me.person.phone_masked)],
    }


def grid(actor, org: Org, today: dt.date, q: str = "") -> dict | None:
    """A grid worker's grid (the area their party group is anchored at): its households, residents
    and members, the flagged households, and a search over its residents."""
    area = Area.objects.filter(pk=org.area_id).first() if org.area_id else None
    if area is None:
        return None
    q = q.strip()
    error = f"搜索词：最多{Q_MAX}个字（现为{len(q)}个），请缩短后再查。" if len(q) > Q_MAX else ""
    return {
        "grid": area,
        "summary": selectors.grid_summary(actor=actor, grid=area),
        "people": [] if error else list(selectors.grid_people(actor=actor, grid=area, q=q)[:RESIDENTS_SHOWN]),
        "q": q,
        "error": error,
    }
