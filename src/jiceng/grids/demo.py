"""The grids part of the demo county: in every grid its units (3–6: shops, some enterprises and
offices with valid 统一社会信用代码), who answers for it (入网定责: a grid worker in all but ≈2% of
grids, the township's link leader of the village, a resident work team in some villages, two
members placed in the grid), a few households and units not (yet) in a grid (≈0.5% and ≈1%), and a
year of visits up to yesterday (≈50 a grid: most to households, some to units, receptions and
screening rounds, with the three questions and the three things brought). Written in bulk, like
the other demo steps; the rows satisfy what the services check."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from stdnum.cn import uscc

from jiceng.core.demo import DemoContext
from jiceng.core.gen import ModelSink, db_now, deferred_indexes
from jiceng.people import queries as people

from .models import Duty, GridDuty, Unit, UnitKind, Visit, VisitKind

NO_WORKER_SHARE = 0.02  # grids whose grid worker left and was not yet replaced (the coverage figure)
OUTSIDE_HOUSEHOLDS = 0.005  # households registered at the village, not yet put in a grid
OUTSIDE_UNITS = 0.01
VISITS_PER_GRID = (35, 65)  # a year's visits, receptions and screenings of one grid
REGION = "500229"  # the county's division code in the codes the demo's enterprises carry
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

SHOPS = [
    "便民超市",
    "农资店",
    "小卖部",
    "理发店",
    "面馆",
    "药店",
    "快递驿站",
    "五金店",
    "农家乐",
    "粮油店",
    "早餐店",
]
INDUSTRIES = ["茶业", "农业开发", "中药材种植", "建材", "食品", "电子商务", "乡村旅游", "畜禽养殖"]
OFFICES = ["卫生室", "小学", "幼儿园", "邮政所", "供电所"]
OTHERS = ["老年协会", "志愿服务队", "红白理事会"]
NEEDS = [
    "希望帮忙申请临时救助",
    "想了解医保缴费和报销政策",
    "家里老人需要上门体检",
    "想参加技能培训找工作",
    "希望修缮院坝排水沟",
    "孩子上学交通不方便",
    "想办理残疾证",
    "",
]
DIFFICULTIES = [
    "老人独居，行动不便",
    "家中有人长期患病，医疗支出大",
    "外出务工人员工资被拖欠",
    "房屋漏雨需要维修",
    "农产品销路不好",
    "",
    "",
]
SUGGESTIONS = [
    "建议村里多组织文化活动",
    "建议增设路灯",
    "建议定期清理垃圾收集点",
    "建议开展防诈骗宣传",
    "",
    "",
    "",
]
NOTES = [
    "入户走访，了解家庭近况，宣传医保和养老保险政策。",
    "排查安全隐患：用电、燃气、房屋结构，未发现问题。",
    "接待来访，登记诉求，已向村两委反映。",
    "走访留守老人，检查生活物资，留下联系电话。",
    "排查矛盾纠纷，邻里关系和睦。",
    "宣传防汛和地质灾害避险知识。",
]
FOLLOW_UPS = ["", "", "下周回访", "已转村委会办理", "报乡镇民政办", "联系帮扶干部跟进"]


def _uscc(rng, used: set[str]) -> str:
    """A valid 统一社会信用代码 of an enterprise (9: market regulation, 1: enterprise) registered
    in the county: random organisation part, the GB 32100 check character."""
    while True:
        body = "91" + REGION + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        code = body + uscc.calc_check_digit(body)
        if code not in used:
            used.add(code)
            return code


def build(ctx: DemoContext) -> None:
    with deferred_indexes(Unit, GridDuty, Visit):
        _build(ctx)


def _build(ctx: DemoContext) -> None:
    g, rng, as_of = ctx.g, ctx.rng, ctx.as_of
    ctx.say("网格：单位、入网定责与走访")
    by_path = {a.path: a for a in ctx.areas}
    grids = [a for a in ctx.areas if a.kind == "grid"]
    village_of = {gr.pk: by_path[gr.path[:12]] for gr in grids}  # county, township, village: 3 steps
    grid_user = get_user_model().objects.filter(username="grid").first()
    demo_grid = None
    if ctx.first_village and ctx.first_village["groups"]:
        demo_grid = ctx.first_village["groups"][0].area

    # units: shops, enterprises, offices; a few at their village, not yet in a grid
    used: set[str] = set()
    units: list[Unit] = []
    for gi, grid in enumerate(grids):
        village = village_of[grid.pk]
        place = village.name[:-2] if village.name.endswith("社区") else village.name[:-1]
        for k in range(rng.randint(3, 6)):
            r = rng.random()
            code = ""
            if r < 0.62:
                kind, name = UnitKind.SHOP, f"{place}{rng.choice(SHOPS)}"
                code = _uscc(rng, used) if rng.random() < 0.35 else ""  # 个体工商户 often without one here
            elif r < 0.82:
                kind, name = UnitKind.ENTERPRISE, f"青山县{place}{rng.choice(INDUSTRIES)}有限公司"
                code = _uscc(rng, used)
            elif r < 0.92:
                kind, name = UnitKind.OFFICE, f"{place}{rng.choice(OFFICES)}"
            else:
                kind, name = UnitKind.OTHER, f"{place}{rng.choice(OTHERS)}"
            number = gi * 10 + k + 1
            outside = rng.random() < OUTSIDE_UNITS and grid != demo_grid
            units.append(
                Unit(
                    name=name[:100],
                    kind=kind,
                    uscc=code,
                    area_id=(village if outside else grid).pk,
                    address=f"{grid.name}{number % 40 + 1}号",
                )
            )
    Unit.objects.bulk_create(units, batch_size=2000)
    unit_ids: dict[int, list[int]] = defaultdict(list)
    for pk, area_id in Unit.objects.values_list("pk", "area_id"):
        unit_ids[area_id].append(pk)

    # households not (yet) in a grid: registered at the village, their residents with them
    households: dict[int, list[int]] = defaultdict(list)
    for pk, area_id in people.households().filter(area__kind="grid").values_list("pk", "area_id"):
        households[area_id].append(pk)
    moved: dict[int, list[int]] = defaultdict(list)  # village → households
    for grid in grids:
        if grid == demo_grid:
            continue
        for pk in households[grid.pk]:
            if rng.random() < OUTSIDE_HOUSEHOLDS:
                moved[village_of[grid.pk].pk].append(pk)
    for village_id, pks in moved.items():
        people.households().filter(pk__in=pks).update(area_id=village_id)
        people.persons().filter(household_id__in=pks).update(area_id=village_id)
    gone = {pk for pks in moved.values() for pk in pks}
    for grid_id in households:
        households[grid_id] = [pk for pk in households[grid_id] if pk not in gone]

    # 入网定责: a grid worker (a member of the grid's party group, or a resident), the link leader
    # of the village (a township cadre), a work team in some villages, two members in the grid
    members_of_group: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for _pk, target_org, birth, m in ctx.data.get("members", []):
        if target_org.kind == "group" and (as_of - birth).days < 58 * 365:
            members_of_group[target_org.area_id].append((m.person_id, m.joined_on))
    chosen: dict[int, list[int]] = {}
    for grid in grids:
        pool = members_of_group.get(grid.pk, [])
        chosen[grid.pk] = [pid for pid, _j in rng.sample(pool, min(3, len(pool)))]
    names = dict(
        people.persons()
        .filter(pk__in=[pid for pids in chosen.values() for pid in pids])
        .values_list("pk", "name")
    )
    leaders = {v["area"].pk: g.name("male" if rng.random() < 0.7 else "female") for v in ctx.villages}
    teams = {v["area"].pk for v in ctx.villages if not v["organ"] and rng.random() < 0.25}
    without = {
        grid.pk
        for grid in rng.sample(grids, max(1, round(len(grids) * NO_WORKER_SHARE)))
        if grid != demo_grid
    }
    duties: list[GridDuty] = []
    start = dt.date(2021, 7, 1)  # 入网定责 after the 2021 两委 elections
    for grid in grids:
        village = village_of[grid.pk]
        picked = chosen[grid.pk]
        since = start + dt.timedelta(days=rng.randint(0, 900))
        if grid.pk in without:  # the worker left last month; nobody yet in their place
            duties.append(
                GridDuty(
                    grid_id=grid.pk,
                    name=g.name("female"),
                    duty=Duty.GRID_WORKER,
                    from_date=since,
                    to_date=as_of - dt.timedelta(days=rng.randint(10, 40)),
                )
            )
        elif grid == demo_grid and grid_user is not None:
            duties.append(
                GridDuty(
                    grid_id=grid.pk,
                    user=grid_user,
                    name=str(grid_user),
                    duty=Duty.GRID_WORKER,
                    from_date=since,
                )
            )
        elif picked:
            duties.append(
                GridDuty(
                    grid_id=grid.pk,
                    person_id=picked[0],
                    name=names.get(picked[0], "")[:50],
                    duty=Duty.GRID_WORKER,
                    from_date=since,
                )
            )
        else:
            duties.append(
                GridDuty(grid_id=grid.pk, name=g.name("female"), duty=Duty.GRID_WORKER, from_date=since)
            )
        duties.append(
            GridDuty(
                grid_id=grid.pk,
                name=leaders[village.pk],
                duty=Duty.LINK_LEADER,
                from_date=dt.date(2021, 9, 1),
            )
        )
        if village.pk in teams:
            duties.append(
                GridDuty(
                    grid_id=grid.pk, name="县驻村工作队", duty=Duty.WORK_TEAM, from_date=dt.date(2024, 3, 1)
                )
            )
        for pid in picked[1:]:
            duties.append(
                GridDuty(
                    grid_id=grid.pk,
                    person_id=pid,
                    name=names.get(pid, "")[:50],
                    duty=Duty.MEMBER,
                    from_date=since + dt.timedelta(days=rng.randint(0, 200)),
                )
            )
    GridDuty.objects.bulk_create(duties, batch_size=2000)

    # a year of visits, up to yesterday: households mostly, units, receptions and screenings
    ctx.say("走访记录")
    now = db_now()
    first_day = as_of - dt.timedelta(days=365)
    n_visits = 0
    cols = (
        "grid",
        "household",
        "unit",
        "visitor",
        "visited_on",
        "kind",
        "asked_needs",
        "asked_difficulties",
        "asked_suggestions",
        "sent_warmth",
        "sent_policy",
        "sent_service",
        "notes",
        "follow_up",
        "created_at",
    )
    with ModelSink(Visit, cols) as sink:
        for grid in grids:
            hh = households[grid.pk]
            un = unit_ids.get(grid.pk, [])
            visitor = grid_user.pk if grid == demo_grid and grid_user is not None else None
            for _ in range(rng.randint(*VISITS_PER_GRID)):
                day = first_day + dt.timedelta(days=rng.randint(0, 364))  # the last one: yesterday
                r = rng.random()
                household = unit = None
                if r < 0.75 and hh:
                    kind, household = VisitKind.VISIT, rng.choice(hh)
                elif r < 0.85 and un:
                    kind, unit = VisitKind.SCREEN, rng.choice(un)
                elif r < 0.93:
                    kind = VisitKind.RECEIVE
                    household = rng.choice(hh) if hh and rng.random() < 0.6 else None
                else:
                    kind = VisitKind.SCREEN
                needs, difficulties, suggestions = (
                    rng.choice(NEEDS),
                    rng.choice(DIFFICULTIES),
                    rng.choice(SUGGESTIONS),
                )
                sink.row(
                    (
                        grid.pk,
                        household,
                        unit,
                        visitor,
                        day,
                        kind,
                        needs,
                        difficulties,
                        suggestions,
                        rng.random() < 0.5,
                        rng.random() < 0.6,
                        rng.random() < 0.35,
                        rng.choice(NOTES),  # every visit says what was found
                        rng.choice(FOLLOW_UPS),
                        now,
                    )
                )
                n_visits += 1
    ctx.summary.append(
        f"{len(units)} 个网格单位，{len(duties)} 条入网定责，{len(gone)} 户未划入网格，{n_visits} 次走访"
    )
