"""A small hand-built world, made through the real services (no fixtures files, no mocks).

县 A (county)                      中共A县委员会 (committee)            user county
├─ 甲镇 (township)                 ├─ 中共甲镇委员会                    user township
│  ├─ 一村 (village)               │  ├─ 一村党支部 (branch)            user sec_a (secretary of village A)
│  │  └─ 一村第1网格 (grid)         │  │  └─ 一村第1网格党小组 (group)    user grid_a
│  └─ 二村 (village)               │  └─ 二村党支部 (branch)
└─ 乙镇 (township)                 └─ 中共乙镇委员会
   └─ 三社区 (community)                └─ 三社区党支部 (branch)         user sec_b (secretary of village B)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jiceng.core.models import Area, Org, User
from jiceng.people.models import PartyMember
from tests.factories import PASSWORD, AreaFactory, MemberFactory, OrgFactory, UserFactory, make_id

__all__ = ["PASSWORD", "World", "build_world", "make_id"]


@dataclass
class World:
    county: Area
    town_a: Area
    town_b: Area
    village_a: Area
    village_a2: Area
    village_b: Area
    grid_a: Area
    county_org: Org
    town_a_org: Org
    town_b_org: Org
    branch_a: Org
    branch_a2: Org
    branch_b: Org
    group_a: Org
    users: dict[str, User]
    member_a: PartyMember
    member_a_grid: PartyMember
    member_b: PartyMember


def build_world(suffix: str = "") -> World:
    """Built by the factories, i.e. through the real services, as the county officer would."""
    county = AreaFactory(parent=None, name=f"A县{suffix}", kind="county")
    county_org = OrgFactory(parent=None, name=f"中共A县委员会{suffix}", kind="committee", area=county)
    c = UserFactory(
        username=f"county{suffix}", display_name="县委组织部", roles=[("county_admin", county_org)]
    )
    town_a = AreaFactory(actor=c, parent=county, name="甲镇", kind="township")
    town_b = AreaFactory(actor=c, parent=county, name="乙镇", kind="township")
    village_a = AreaFactory(actor=c, parent=town_a, name="一村", kind="village")
    village_a2 = AreaFactory(actor=c, parent=town_a, name="二村", kind="village")
    village_b = AreaFactory(actor=c, parent=town_b, name="三社区", kind="community")
    grid_a = AreaFactory(actor=c, parent=village_a, name="一村第1网格", kind="grid")
    town_a_org = OrgFactory(actor=c, parent=county_org, name="中共甲镇委员会", kind="committee", area=town_a)
    town_b_org = OrgFactory(actor=c, parent=county_org, name="中共乙镇委员会", kind="committee", area=town_b)
    branch_a = OrgFactory(actor=c, parent=town_a_org, name="一村党支部", kind="branch", area=village_a)
    branch_a2 = OrgFactory(actor=c, parent=town_a_org, name="二村党支部", kind="branch", area=village_a2)
    branch_b = OrgFactory(actor=c, parent=town_b_org, name="三社区党支部", kind="branch", area=village_b)
    group_a = OrgFactory(actor=c, parent=branch_a, name="一村第1网格党小组", kind="group", area=grid_a)

    def user(key: str, display: str, *roles: tuple[str, Org]) -> User:
        return UserFactory(actor=c, username=f"{key}{suffix}", display_name=display, roles=roles)

    u = {
        "county": c,
        "township": user("township", "甲镇党委", ("township_admin", town_a_org)),
        "sec_a": user("sec_a", "一村书记", ("branch_secretary", branch_a)),
        "sec_b": user("sec_b", "书记B", ("branch_secretary", branch_b)),  # no marker of B in the header
        "grid_a": user("grid_a", "一村网格员", ("grid_worker", group_a)),
        "member": user("member", "党员", ("member", branch_a)),
        "nobody": user("nobody", "无角色"),
    }

    def member(name, org, birth, male, seq):
        return MemberFactory(actor=c, name=name, org=org, birth=birth, male=male, seq=seq)

    member_a = member("张三", branch_a, dt.date(1970, 5, 17), True, 1)
    member_a_grid = member("李四", group_a, dt.date(1995, 2, 3), False, 2)
    member_b = member("王五", branch_b, dt.date(1958, 11, 30), True, 3)
    for x in u.values():
        x.refresh_from_db()
    return World(
        county,
        town_a,
        town_b,
        village_a,
        village_a2,
        village_b,
        grid_a,
        county_org,
        town_a_org,
        town_b_org,
        branch_a,
        branch_a2,
        branch_b,
        group_a,
        u,
        member_a,
        member_a_grid,
        member_b,
    )
