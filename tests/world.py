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

from stdnum.cn import ric

from jiceng.core import services as core
from jiceng.core.models import Area, Org, User
from jiceng.people import services as people
from jiceng.people.models import PartyMember

PASSWORD = "Test-pass-2026!"


def make_id(birth: dt.date, male: bool, seq: int = 1, region: str = "430724") -> str:
    body = f"{region}{birth:%Y%m%d}{(seq * 2 + (1 if male else 0)) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects the check digit slot


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


def user(username: str, display: str) -> User:
    return core.user_create(actor=None, username=username, password=PASSWORD, display_name=display)


def build_world(suffix: str = "") -> World:
    county = core.area_create(actor=None, parent=None, name=f"A县{suffix}", kind="county")
    county_org = core.org_create(
        actor=None, parent=None, name=f"中共A县委员会{suffix}", kind="committee", area=county
    )
    u = {
        "county": user(f"county{suffix}", "县委组织部"),
        "township": user(f"township{suffix}", "甲镇党委"),
        "sec_a": user(f"sec_a{suffix}", "一村书记"),
        "sec_b": user(f"sec_b{suffix}", "书记B"),  # no marker of B in the page header
        "grid_a": user(f"grid_a{suffix}", "一村网格员"),
        "member": user(f"member{suffix}", "党员"),
        "nobody": user(f"nobody{suffix}", "无角色"),
    }
    core.role_grant(actor=None, user=u["county"], role="county_admin", org=county_org)
    c = u["county"]
    town_a = core.area_create(actor=c, parent=county, name="甲镇", kind="township")
    town_b = core.area_create(actor=c, parent=county, name="乙镇", kind="township")
    village_a = core.area_create(actor=c, parent=town_a, name="一村", kind="village")
    village_a2 = core.area_create(actor=c, parent=town_a, name="二村", kind="village")
    village_b = core.area_create(actor=c, parent=town_b, name="三社区", kind="community")
    grid_a = core.area_create(actor=c, parent=village_a, name="一村第1网格", kind="grid")
    town_a_org = core.org_create(
        actor=c, parent=county_org, name="中共甲镇委员会", kind="committee", area=town_a
    )
    town_b_org = core.org_create(
        actor=c, parent=county_org, name="中共乙镇委员会", kind="committee", area=town_b
    )
    branch_a = core.org_create(actor=c, parent=town_a_org, name="一村党支部", kind="branch", area=village_a)
    branch_a2 = core.org_create(actor=c, parent=town_a_org, name="二村党支部", kind="branch", area=village_a2)
    branch_b = core.org_create(actor=c, parent=town_b_org, name="三社区党支部", kind="branch", area=village_b)
    group_a = core.org_create(actor=c, parent=branch_a, name="一村第1网格党小组", kind="group", area=grid_a)
    core.role_grant(actor=c, user=u["township"], role="township_admin", org=town_a_org)
    core.role_grant(actor=c, user=u["sec_a"], role="branch_secretary", org=branch_a)
    core.role_grant(actor=c, user=u["sec_b"], role="branch_secretary", org=branch_b)
    core.role_grant(actor=c, user=u["grid_a"], role="grid_worker", org=group_a)
    core.role_grant(actor=c, user=u["member"], role="member", org=branch_a)

    def member(name, org, birth, male, seq, **kw):
        return people.member_create(
            actor=c,
            name=name,
            gender="male" if male else "female",
            ethnicity="汉族",
            id_number=make_id(birth, male, seq),
            phone=f"1380000{seq:04d}",
            education="high_school",
            org=org,
            status="full",
            joined_on=dt.date(2020, 7, 1),
            full_on=dt.date(2021, 7, 1),
            **kw,
        )

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
