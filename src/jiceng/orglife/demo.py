"""The organisational-life part of the demo county, from January of last year (the year last graded)
up to the day before its "today": the county's monthly key-content lists (the current month's
included), 三会一课 / 主题党日 / 组织生活会 / 民主评议 held as branches hold them — most well, some
poorly (CLASSES: ≈80% of what the rule pack requires; last year's weakest, graded lagging, doing
better this year; ≈3% of branches silent for the last seven months) — with every member's
attendance, a few members out of touch among it. The current month is partly held: the meetings
whose day has come are recorded, the rest are still due."""

from __future__ import annotations

import datetime as dt
import random
import re

from django.db.models import Max

from jiceng.core.demo import DemoContext
from jiceng.core.gen import ModelSink, db_now, deferred_indexes
from jiceng.core.models import Org
from jiceng.core.rulepacks import rule

from .models import Attendance, Meeting, MeetingKind, TopicItem, TopicList

SILENT_SHARE = 0.03  # branches with no party life at all in the last SILENT_MONTHS months (red flag)
SILENT_MONTHS = 7  # one more than the rule's six, so they stay flagged for a while after as_of
# The county's monthly key-content lists (001). The first item is the month's study theme, which
# most branches take up in their theme day.
TOPIC_ITEMS = {
    (2025, 1): [
        "学习习近平总书记在二十届中央纪委四次全会上的重要讲话精神",
        "春节前走访慰问老党员、困难党员",
        "流动党员返乡座谈和集中学习",
        "冬春火灾防控和安全生产检查",
    ],
    (2025, 2): [
        "学习2025年中央一号文件精神",
        "春节期间矛盾纠纷排查化解",
        "春耕备耕动员和农资供应摸排",
        "开展“新春第一课”",
    ],
    (2025, 3): [
        "学习贯彻全国两会精神",
        "深入贯彻中央八项规定精神学习教育动员部署",
        "学雷锋志愿服务活动",
        "森林防火和清明祭扫安全宣传",
    ],
    (2025, 4): [
        "学习《习近平关于加强党的作风建设论述摘编》",
        "开展“清明祭英烈”主题教育",
        "全民国家安全教育日宣传",
        "耕地保护和粮食安全宣传",
    ],
    (2025, 5): [
        "学习《中国共产党农村基层组织工作条例》",
        "对照中央八项规定精神查摆问题、开门纳谏",
        "开展防汛安全排查",
        "防范电信网络诈骗宣传",
    ],
    (2025, 6): [
        "学习习近平总书记关于防汛救灾工作的重要论述",
        "主汛期防汛应急演练和地质灾害隐患点巡查",
        "防溺水安全教育",
        "“七一”前走访慰问生活困难党员",
    ],
    (2025, 7): [
        "庆祝建党104周年，重温入党誓词",
        "讲好“七一”专题党课",
        "主汛期防汛值班值守",
        "暑期留守儿童关爱服务",
    ],
    (2025, 8): [
        "学习《中国共产党纪律处分条例》",
        "高温天气安全生产检查",
        "“八一”走访慰问退役军人",
        "乡村振兴产业项目观摩",
    ],
    (2025, 9): [
        "学习纪念中国人民抗日战争暨世界反法西斯战争胜利80周年大会精神",
        "秋收秋种志愿服务",
        "国庆节前安全隐患排查",
        "助学帮困和留守儿童开学关爱",
    ],
    (2025, 10): [
        "学习习近平总书记关于基层治理的重要论述",
        "重阳节走访慰问老党员",
        "秋冬季森林防火宣传",
        "村级集体经济发展讨论",
    ],
    (2025, 11): [
        "学习贯彻党的二十届四中全会精神",
        "冬季森林防火宣传和隐患排查",
        "冬季征兵宣传动员",
        "农村人居环境整治“冬季攻势”",
    ],
    (2025, 12): [
        "学习《中国共产党章程》，重温入党誓词",
        "“宪法宣传周”学宪法讲宪法",
        "冬春困难群众走访慰问和救助排查",
        "年终党费收缴核对和党员信息核查",
    ],
    (2026, 1): [
        "学习习近平总书记关于党的建设的重要思想，开好年度组织生活会",
        "春节前走访慰问老党员、困难党员",
        "流动党员返乡座谈和集中学习",
        "冬春火灾防控和安全生产检查",
    ],
    (2026, 2): [
        "学习中央一号文件精神",
        "春节期间矛盾纠纷排查化解",
        "春耕备耕动员和农资供应摸排",
        "开展“新春第一课”",
    ],
    (2026, 3): [
        "学习贯彻全国两会精神和“十五五”规划纲要",
        "学雷锋志愿服务活动",
        "春耕生产技术培训",
        "森林防火和清明祭扫安全宣传",
    ],
    (2026, 4): [
        "开展“清明祭英烈”主题教育",
        "学习习近平总书记关于“三农”工作的重要论述",
        "全民国家安全教育日宣传",
        "耕地保护和粮食安全宣传",
    ],
    (2026, 5): [
        "学习《中国共产党农村基层组织工作条例》",
        "开展防汛安全排查",
        "五四青年党员座谈",
        "防范电信网络诈骗宣传",
    ],
    (2026, 6): [
        "学习习近平总书记关于防汛救灾工作的重要论述",
        "主汛期防汛应急演练和地质灾害隐患点巡查",
        "防溺水安全教育",
        "“七一”前走访慰问生活困难党员",
    ],
    (2026, 7): [
        "庆祝建党105周年，重温入党誓词",
        "讲好“七一”专题党课",
        "主汛期防汛值班值守",
        "暑期留守儿童关爱服务",
    ],
    (2026, 8): [
        "学习《中国共产党纪律处分条例》",
        "高温天气安全生产检查",
        "“八一”走访慰问退役军人",
        "乡村振兴产业项目观摩",
    ],
    (2026, 9): [
        "学习习近平总书记关于乡村全面振兴的重要论述",
        "秋收秋种志愿服务",
        "国庆节前安全隐患排查",
        "助学帮困和留守儿童开学关爱",
    ],
    (2026, 10): [
        "学习习近平总书记关于基层治理的重要论述",
        "重阳节走访慰问老党员",
        "秋冬季森林防火宣传",
        "村级集体经济发展讨论",
    ],
    (2026, 11): [
        "学习《中国共产党党员教育管理工作条例》",
        "冬季征兵宣传动员",
        "流动党员返乡登记和联系服务",
        "农村人居环境整治“冬季攻势”",
    ],
    (2026, 12): [
        "学习贯彻中央经济工作会议和中央农村工作会议精神",
        "“宪法宣传周”学宪法讲宪法",
        "冬春困难群众走访慰问和救助排查",
        "年终党费收缴核对和党员信息核查",
    ],
}
FIRST_AGENDA = [
    "学习习近平新时代中国特色社会主义思想",
    "学习习近平总书记关于党的建设的重要思想",
    "学习习近平总书记关于“三农”工作的重要论述",
    "学习习近平总书记关于基层治理的重要论述",
    "学习《中国共产党支部工作条例（试行）》",
    "学习《中国共产党农村基层组织工作条例》",
    "学习习近平总书记关于安全生产的重要论述",
]
THEME_TOPICS = [
    "重温入党誓词，集中交纳党费",
    "清洁家园志愿服务",
    "走访慰问困难群众",
    "为民办实事：疏通村组道路边沟",
    "政策宣讲进院坝",
]
COMMITTEE_TOPICS = [
    "研究本月主题党日安排",
    "研究发展党员和入党积极分子培养工作",
    "研究村集体经济项目推进",
    "研究低保、临时救助评议初审事项",
    "研究党费收缴和困难党员帮扶",
    "研究防汛和安全生产值班安排",
    "分析党员队伍状况，研究流动党员管理",
]
ASSEMBLY_TOPICS = [
    "通报支部工作和党费收缴情况",
    "讨论村务财务公开事项",
    "“四议两公开”：讨论村道硬化项目",
    "讨论接收预备党员",
    "讨论预备党员转正",
    "通报上半年工作，部署下半年任务",
]
LECTURE_TOPICS = [
    "书记讲党课：严守党的纪律，做合格党员",
    "书记讲党课：传承红色基因，争当先锋模范",
    "专题党课：推进乡村全面振兴，党员走在前",
    "专题党课：学习贯彻党的二十届四中全会精神",
    "专题党课：践行全心全意为人民服务的根本宗旨",
    "专题党课：弘扬“四下基层”优良作风",
]
GROUP_TOPICS = [
    "网格走访情况交流",
    "收集整理群众意见建议",
    "学习党章，交纳党费",
    "排查邻里矛盾纠纷",
    "讨论本组环境卫生整治",
]
ADMIN_TOPICS = [
    "村两委工作例会",
    "人居环境整治工作部署会",
    "城乡居民医保缴费动员会",
    "防汛工作部署会",
    "项目推进工作会",
    "网格员工作调度会",
]
LEAVE_REASONS = [
    "因病请假",
    "家中有事请假",
    "外出办事请假",
    "照顾住院家属请假",
    "参加乡镇培训请假",
    "农忙请假",
]
ABSENT_REASONS = ["未请假", "无故缺席", "未请假，电话联系不上"]
FRAIL_REASONS = ["年老体弱，行动不便，会后送学上门", "年老体弱，行动不便"]
SICK_REASONS = ["长期患病卧床", "因病住院治疗"]
# How a member takes part (drawn once per member): most come; outflow members mostly online or on
# leave; the very old either only come to group meetings nearby or cannot come at all; a few stay
# away without leave.
REGULAR, ONLINE, AWAY, FRAIL, SICK, CHRONIC, LOST = range(7)
LOST_REASONS = ["未请假，电话联系不上", "长期不参加组织生活，未请假", "未请假"]
# How diligent a village's party organisation is, last year and this year: (share of villages,
# last year's range, this year's range, share of its members out of touch). The weak ones of last
# year were graded lagging and made a rectification plan: this year they do better, and some of
# their members out of touch were found again (in touch from a day this spring). Half of them held
# no party life in the second half of last year (the weak sign "silent" of the grading).
CLASSES = (
    ("strong", 0.55, (0.9, 1.0), (0.9, 1.0), 0.005),
    ("fair", 0.27, (0.72, 0.9), (0.72, 0.9), 0.03),
    ("average", 0.11, (0.42, 0.62), (0.45, 0.65), 0.12),
    ("weak", 0.07, (0.2, 0.4), (0.6, 0.85), 0.3),
)


def build(ctx: DemoContext) -> None:
    first = months_of(ctx.as_of)[0]
    ctx.say(f"组织生活（{first:%Y年%m月}至 {ctx.as_of - dt.timedelta(days=1)} 的重点内容清单、会议与出勤）")
    with deferred_indexes(Meeting, Attendance):
        n_meetings, n_attendance = _orglife(
            ctx,
            ctx.county_org,
            ctx.villages,
            ctx.data["members"],
            keep_active=[ctx.first_village, ctx.other_village],
        )
    ctx.summary.append(f"{n_meetings} 次会议，{n_attendance} 条出勤记录")


def _month_starts(last: dt.date, n: int) -> list[dt.date]:
    """The first days of the ``n`` months ending with ``last``'s month, oldest first."""
    out = []
    for k in range(n - 1, -1, -1):
        y, m = divmod(last.year * 12 + last.month - 1 - k, 12)
        out.append(dt.date(y, m + 1, 1))
    return out


def months_of(as_of: dt.date) -> list[dt.date]:
    """The months of the demo's organisational life: from January of the year before ``as_of``'s
    (the year last graded) to ``as_of``'s month, which is held only up to the day before."""
    return _month_starts(as_of, 12 + as_of.month)


def _month_items(month: dt.date) -> list[str]:
    items = TOPIC_ITEMS.get((month.year, month.month))
    if items is None:  # a month the table does not have: the latest list of the same calendar month
        _year, items = max((y, v) for (y, m), v in TOPIC_ITEMS.items() if m == month.month)
        # "建党105周年" in 2026 is "建党106周年" in 2027
        items = [re.sub(r"建党(\d+)周年", f"建党{month.year - 1921}周年", t) for t in items]
    return items


def _attend(rng: random.Random, profile: int, kind: str, month: int, away_at: str) -> tuple[str, str]:
    r = rng.random()
    if profile == LOST:  # out of touch: a 隐性党员 who never comes
        return ("leave", "外出，已请假") if r < 0.05 else ("absent", rng.choice(LOST_REASONS))
    if profile == REGULAR:
        if r < 0.94:
            return "present", ""
        if r < 0.985:
            return "leave", rng.choice(LEAVE_REASONS)
        return "absent", rng.choice(ABSENT_REASONS)
    if profile == ONLINE:
        if month in (1, 2) and r < 0.5:  # home for the Spring Festival
            return "present", ""
        if r < 0.75:
            return "online", ""
        if r < 0.97:
            return "leave", f"外出务工（{away_at}），已请假"
        return "absent", "外出务工，未请假"
    if profile == AWAY:
        return "leave", f"外出务工（{away_at}），已请假"
    if profile == FRAIL:
        if (
            kind in (MeetingKind.GROUP_MEETING, MeetingKind.LIFE_MEETING, MeetingKind.MEMBER_APPRAISAL)
            and r < 0.8
        ):
            return "present", ""
        return "leave", rng.choice(FRAIL_REASONS)
    if profile == SICK:
        return "leave", rng.choice(SICK_REASONS)
    # CHRONIC: stays away without leave, now and then turns up
    if r < 0.8:
        return "absent", rng.choice(ABSENT_REASONS)
    if r < 0.85:
        return "leave", rng.choice(LEAVE_REASONS)
    return "present", ""


def _orglife(
    ctx: DemoContext, county_org: Org, villages: list[dict], member_rows: list, keep_active: list[dict]
) -> tuple[int, int]:
    """Key-content lists, meetings and attendance for the months of months_of(as_of), written in
    bulk; nothing is dated on or after as_of (the current month's remaining meetings are still due).
    The rows satisfy what services.meeting_record checks: group meetings in party groups, the other
    party-life kinds in branches, no date in the future, one attendance row for every member of the
    organisation's subtree admitted by the meeting day, a reason for leave and absence."""
    rng = ctx.rng
    as_of = ctx.as_of
    months = months_of(as_of)  # the last one is as_of's own month
    silent_from = _month_starts(as_of.replace(day=1) - dt.timedelta(days=1), SILENT_MONTHS)[0]

    # the county's monthly lists, including the one published for as_of's month
    lists = []
    for month in months:
        items = _month_items(month)[: rng.choice([3, 4])]
        lists.append((month, items))
    TopicList.objects.bulk_create(
        [
            TopicList(
                org_id=county_org.pk, month=month, title=f"{month.year}年{month.month}月组织生活重点内容清单"
            )
            for month, _items in lists
        ]
    )
    list_ids = list(TopicList.objects.order_by("pk").values_list("pk", flat=True))
    TopicItem.objects.bulk_create(
        [
            TopicItem(topic_list_id=tl_id, seq=i + 1, title=t)
            for tl_id, (_month, items) in zip(list_ids, lists, strict=True)
            for i, t in enumerate(items)
        ]
    )
    item_ids = {
        (tl_id, seq): pk for pk, tl_id, seq in TopicItem.objects.values_list("pk", "topic_list_id", "seq")
    }
    month_items = {
        month: [(item_ids[(tl_id, i + 1)], t) for i, t in enumerate(items)]
        for tl_id, (month, items) in zip(list_ids, lists, strict=True)
    }

    # how diligent each village is, by year (CLASSES); the demo users' villages are strong
    last_year = as_of.year - 1
    rectified_from = dt.date(as_of.year, 2, 15)  # the plans were made early in February
    cls_of: dict[int, tuple] = {}
    for v in villages:
        if v["organ"] or any(v is k for k in keep_active):
            cls = CLASSES[0] if any(v is k for k in keep_active) else rng.choice(CLASSES[:2])
        else:
            r, acc = rng.random(), 0.0
            cls = CLASSES[-1]
            for c in CLASSES:
                acc += c[1]
                if r < acc:
                    cls = c
                    break
        cls_of[id(v)] = cls
    village_of = {o.path: v for v in villages for o in [v["org"], *v["branches"], *v["groups"]]}
    h2_silent = {
        id(v) for v in villages if cls_of[id(v)][0] == "weak" and rng.random() < 0.5
    }  # no party life from June to December last year
    silent_last_year = (dt.date(last_year, 6, 1), dt.date(last_year, 12, 31))

    # members of every unit's subtree, with how each takes part
    own: dict[str, list[tuple]] = {}
    full_on: dict[str, int] = {}
    for pk, target_org, birth, m in member_rows:
        age = (as_of - birth).days // 365
        v = village_of[target_org.path]
        cls = cls_of[id(v)]
        r = rng.random()
        found = None  # a member out of touch found again on this day (then regular)
        if m.mobility == "outflow":
            profile = AWAY if r < 0.4 else ONLINE
        elif age >= 75:
            profile = SICK if r < 0.2 else FRAIL if r < 0.5 else REGULAR
        elif r < cls[4]:
            profile = LOST
            if cls[0] == "weak" and rng.random() < 0.6:
                found = rectified_from + dt.timedelta(days=rng.randint(0, 120))
        else:
            profile = CHRONIC if rng.random() < 0.025 else REGULAR
        away_at = m.mobility_note.split("务工")[0] or "外地"
        own.setdefault(target_org.path, []).append((pk, m.joined_on, profile, away_at, found))
        if m.full_on and m.full_on <= as_of:
            full_on[target_org.path] = full_on.get(target_org.path, 0) + 1
    threshold = rule("org.branch_committee_threshold", county_org)

    # (branch, village, diligence by year, its groups with theirs, whether silent when)
    branches = []
    for v in villages:
        cls = cls_of[id(v)]
        base = {last_year: rng.uniform(*cls[2]), as_of.year: rng.uniform(*cls[3])}
        for br in v["branches"]:
            d = {y: min(1.0, max(0.15, b + rng.uniform(-0.05, 0.05))) for y, b in base.items()}
            groups = [
                (gr, {y: min(1.0, max(0.15, x + rng.uniform(-0.12, 0.04))) for y, x in d.items()})
                for gr in v["groups"]
                if gr.path.startswith(br.path)
            ]
            branches.append((br, v, d, groups))
    candidates = [b for b in branches if not b[1]["organ"] and all(b[1] is not k for k in keep_active)]
    n_silent = min(len(candidates), max(1, round(len(branches) * SILENT_SHARE))) if branches else 0
    silent = {b[0].path for b in rng.sample(candidates, n_silent)}

    specs = []  # (held_on, org, kind, place, topic, first_agenda, topic_item_id, members)
    demo_group = ctx.data.get("demo_member_org")
    last_full_month = (as_of.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    # every quarter the months touch, with all three of its months (the current quarter's later
    # months are still to come: what falls in them is not held yet)
    quarters = sorted({(m.year, (m.month - 1) // 3) for m in months})
    januaries = [m for m in months if m.month == 1]

    def day_in(month: dt.date, day: int) -> dt.date:
        return month.replace(day=min(max(day, 1), 28))

    def agenda(month: dt.date) -> str:
        study = month_items[month][0][1]
        return study if study.startswith("学习") and rng.random() < 0.7 else rng.choice(FIRST_AGENDA)

    def add(held_on: dt.date, *rest) -> None:
        if held_on < as_of:  # on or after the demo's today: not held (yet)
            specs.append((held_on, *rest))

    for br, v, d, groups in branches:
        members = list(own.get(br.path, []))
        for gr, _dg in groups:
            members += own.get(gr.path, [])
        members.sort(key=lambda x: x[1])
        n_full = full_on.get(br.path, 0) + sum(full_on.get(gr.path, 0) for gr, _dg in groups)
        is_silent = br.path in silent
        was_silent = id(v) in h2_silent

        def quiet(month: dt.date, is_silent=is_silent, was_silent=was_silent) -> bool:
            """No party life this month: silent lately, or in the second half of last year."""
            return (is_silent and month >= silent_from) or (
                was_silent and silent_last_year[0] <= month <= silent_last_year[1]
            )

        if v["organ"]:
            town = v["area"].name
            places = ["机关党员活动室", f"{town}{'办事处' if town.endswith('街道') else '人民政府'}会议室"]
        elif v.get("is_comm"):
            places = ["社区党群服务中心", "党员活动室", "社区会议室"]
        else:
            places = ["党员活动室", "村便民服务中心会议室", "村党群服务中心"]
        theme_day = rng.choice([5, 8, 10, 15, 18, 20, 25])
        held = {m: rng.random() < d[m.year] and not quiet(m) for m in months}
        for month in months:
            if not held[month]:
                continue
            items = month_items[month]
            day = day_in(month, theme_day + rng.randint(-2, 2))
            r = rng.random()
            item = items[0] if r < 0.85 else items[1] if r < 0.93 else None
            place = rng.choice(places)
            if item is None:
                topic = rng.choice(THEME_TOPICS)
            else:
                topic = f"主题党日：{item[1]}"
                if "志愿服务" in item[1] and not v["organ"]:
                    place = f"{v['area'].name}{rng.choice(['一组', '二组', '三组', '四组'])}院坝"
                elif "英烈" in item[1]:
                    place = "革命烈士纪念碑"
            add(day, br, MeetingKind.THEME_DAY, place, topic, agenda(month), item and item[0], members)
            if n_full >= threshold and rng.random() < 0.97:
                add(
                    day_in(month, day.day - rng.randint(2, 6)),
                    br,
                    MeetingKind.COMMITTEE_MEETING,
                    places[0],
                    rng.choice(COMMITTEE_TOPICS),
                    agenda(month),
                    None,
                    members,
                )
        for year, q in quarters:
            for kind, topics in (
                (MeetingKind.BRANCH_ASSEMBLY, ASSEMBLY_TOPICS),
                (MeetingKind.PARTY_LECTURE, LECTURE_TOPICS),
            ):
                month = dt.date(year, 3 * q + rng.randint(1, 3), 1)
                day = day_in(month, rng.randint(3, 27))
                if day < as_of and rng.random() < min(1.0, d[year] + 0.05) and not quiet(month):
                    item = (
                        month_items[month][0]
                        if kind == MeetingKind.PARTY_LECTURE and rng.random() < 0.3
                        else None
                    )
                    add(
                        day,
                        br,
                        kind,
                        rng.choice(places),
                        rng.choice(topics),
                        agenda(month),
                        item and item[0],
                        members,
                    )
        for january in januaries:
            if quiet(january):
                continue
            day = day_in(january, rng.randint(12, 24))
            if rng.random() < 0.95:
                add(
                    day,
                    br,
                    MeetingKind.LIFE_MEETING,
                    places[0],
                    f"{january.year - 1}年度组织生活会：对照检视，开展批评和自我批评",
                    agenda(january),
                    month_items[january][0][0],
                    members,
                )
            if rng.random() < 0.93:
                add(
                    day_in(january, day.day + rng.randint(0, 3)),
                    br,
                    MeetingKind.MEMBER_APPRAISAL,
                    places[0],
                    f"{january.year - 1}年度民主评议党员",
                    agenda(january),
                    None,
                    members,
                )
        # work meetings that are not party life: the silent branches hold only these then
        quiet_months = [m for m in months if quiet(m)]
        n_admin = rng.randint(2, 3) if quiet_months else (rng.randint(1, 2) if rng.random() < 0.08 else 0)
        for _ in range(n_admin):
            month = rng.choice(quiet_months or months)
            add(
                day_in(month, rng.randint(1, 28)),
                br,
                MeetingKind.ADMINISTRATIVE,
                places[-1] if not v["organ"] else places[1],
                "机关工作例会" if v["organ"] else rng.choice(ADMIN_TOPICS),
                "",
                None,
                members,
            )
        for gr, dg in groups:
            gmembers = sorted(own.get(gr.path, []), key=lambda x: x[1])
            # the demo member's group missed last month's 党小组会 (people/demo.py): drawn as
            # the others, then not held, so nothing else in the county moves
            missed = last_full_month if demo_group is not None and gr.pk == demo_group.pk else None
            gplaces = [f"{gr.area.name}党员中心户家中", f"{gr.area.name}服务站", "组院坝"]
            for month in months:
                if quiet(month) or rng.random() >= dg[month.year]:
                    continue
                study = month_items[month][0][1]
                topic = (
                    f"党小组学习：{study.removeprefix('学习')}"
                    if rng.random() < 0.5
                    else rng.choice(GROUP_TOPICS)
                )
                day, place, first = day_in(month, rng.randint(3, 27)), rng.choice(gplaces), agenda(month)
                if month != missed:
                    add(day, gr, MeetingKind.GROUP_MEETING, place, topic, first, None, gmembers)

    ctx.say(f"会议（{len(specs):,} 次）")
    specs.sort(key=lambda s: (s[0], s[1].path, s[2]))
    # ≈900,000 attendance rows and ≈45,000 meetings: model instances and bulk_create would spend
    # most of a minute building and compiling them, so they go to the bulk writer as plain tuples
    # (COPY on PostgreSQL); the meetings' keys are read back in the order they were written.
    now = db_now()
    first_meeting = (Meeting.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    rows = []
    meeting_cols = (
        "org",
        "kind",
        "held_on",
        "place",
        "topic",
        "first_agenda",
        "topic_item",
        "minutes",
        "recorded_at",
    )
    with ModelSink(Meeting, meeting_cols) as sink:
        for held_on, org, kind, place, topic, first_agenda, item_id, members in specs:
            att = []
            for pk, joined, profile, away_at, found in members:
                if joined > held_on:
                    break  # sorted by join date
                if found is not None and held_on >= found:
                    profile = REGULAR  # found again by the rectification
                status, reason = _attend(rng, profile, kind, held_on.month, away_at)
                att.append((pk, status, reason))
            n = {s: 0 for s in ("present", "online", "leave", "absent")}
            for _pk, status, _r in att:
                n[status] += 1
            online = f"（其中线上{n['online']}人）" if n["online"] else ""
            minutes = f"应到{len(att)}人，实到{n['present'] + n['online']}人{online}，请假{n['leave']}人，缺席{n['absent']}人。"
            sink.row((org.pk, kind, held_on, place, topic, first_agenda, item_id, minutes, now))
            rows.append(att)
    meeting_ids = list(
        Meeting.objects.filter(pk__gte=first_meeting).order_by("pk").values_list("pk", flat=True)
    )
    ctx.say(f"出勤记录（{sum(len(a) for a in rows):,} 条）")
    with ModelSink(Attendance, ("meeting", "member", "status", "reason")) as sink:
        for mid, att in zip(meeting_ids, rows, strict=True):
            for pk, status, reason in att:
                sink.row((mid, pk, status, reason))
        n_rows = sink.count
    meetings = meeting_ids
    return len(meetings), n_rows
