"""The organisational-life part of the demo county: the twelve months before its "today" — the
county's monthly key-content lists, 三会一课 / 主题党日 / 组织生活会 / 民主评议 held as most branches
hold them (≈85% of what the rule pack requires, ≈3% of branches silent for the last seven months),
with every member's attendance."""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection

from jiceng.core.demo import DemoContext
from jiceng.core.models import Org
from jiceng.core.rulepacks import rule

from .models import Attendance, Meeting, MeetingKind, TopicItem, TopicList

ORGLIFE_MONTHS = 12  # meetings in the twelve months before AS_OF's month
SILENT_SHARE = 0.03  # branches with no party life at all in the last SILENT_MONTHS months (red flag)
SILENT_MONTHS = 7  # one more than the rule's six, so they stay flagged for a while after AS_OF
# The county's monthly key-content lists (001). The first item is the month's study theme, which
# most branches take up in their theme day.
TOPIC_ITEMS = {
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
REGULAR, ONLINE, AWAY, FRAIL, SICK, CHRONIC = range(6)


def build(ctx: DemoContext) -> None:
    ctx.say(f"组织生活（近 {ORGLIFE_MONTHS} 个月的重点内容清单、会议与出勤）")
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


def _month_items(month: dt.date) -> list[str]:
    items = TOPIC_ITEMS.get((month.year, month.month))
    if items is None:  # AS_OF moved: reuse the same calendar month
        items = next(v for (_y, m), v in TOPIC_ITEMS.items() if m == month.month)
    return items


def _attend(rng: random.Random, profile: int, kind: str, month: int, away_at: str) -> tuple[str, str]:
    r = rng.random()
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
    """Key-content lists, meetings and attendance for the ORGLIFE_MONTHS months before AS_OF, written
    in bulk. The rows satisfy what services.meeting_record checks: group meetings in party groups,
    the other party-life kinds in branches, no date in the future, one attendance row for every
    member of the organisation's subtree admitted by the meeting day, a reason for leave and absence."""
    rng = ctx.rng
    AS_OF = ctx.as_of  # noqa: N806 - the demo's "today"
    months = _month_starts(AS_OF.replace(day=1) - dt.timedelta(days=1), ORGLIFE_MONTHS)
    silent_from = _month_starts(AS_OF.replace(day=1) - dt.timedelta(days=1), SILENT_MONTHS)[0]

    # the county's monthly lists, including the one just published for AS_OF's month
    lists = []
    for month in months + [AS_OF.replace(day=1)]:
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

    # members of every unit's subtree, with how each takes part
    own: dict[str, list[tuple]] = {}
    full_on: dict[str, int] = {}
    for pk, target_org, birth, m in member_rows:
        age = (AS_OF - birth).days // 365
        r = rng.random()
        if m.mobility == "outflow":
            profile = AWAY if r < 0.4 else ONLINE
        elif age >= 75:
            profile = SICK if r < 0.2 else FRAIL if r < 0.5 else REGULAR
        else:
            profile = CHRONIC if r < 0.025 else REGULAR
        away_at = m.mobility_note.split("务工")[0] or "外地"
        own.setdefault(target_org.path, []).append((pk, m.joined_on, profile, away_at))
        if m.full_on and m.full_on <= AS_OF:
            full_on[target_org.path] = full_on.get(target_org.path, 0) + 1
    threshold = rule("org.branch_committee_threshold", county_org)

    branches = []  # (branch, village, diligence, its groups with their diligence)
    for v in villages:
        r = rng.random()
        base = (
            rng.uniform(0.9, 1.0)
            if r < 0.6
            else rng.uniform(0.72, 0.9)
            if r < 0.9
            else rng.uniform(0.45, 0.72)
        )
        for br in v["branches"]:
            d = min(1.0, max(0.3, base + rng.uniform(-0.05, 0.05)))
            groups = [
                (gr, min(1.0, max(0.3, d + rng.uniform(-0.12, 0.04))))
                for gr in v["groups"]
                if gr.path.startswith(br.path)
            ]
            branches.append((br, v, d, groups))
    candidates = [b for b in branches if not b[1]["organ"] and all(b[1] is not k for k in keep_active)]
    n_silent = min(len(candidates), max(1, round(len(branches) * SILENT_SHARE))) if branches else 0
    silent = {b[0].path for b in rng.sample(candidates, n_silent)}

    specs = []  # (held_on, org, kind, place, topic, first_agenda, topic_item_id, members)
    quarters: dict[tuple[int, int], list[dt.date]] = {}
    for month in months:
        quarters.setdefault((month.year, (month.month - 1) // 3), []).append(month)
    january = dt.date(AS_OF.year, 1, 1) if dt.date(AS_OF.year, 1, 1) in months else None

    def day_in(month: dt.date, day: int) -> dt.date:
        return month.replace(day=min(max(day, 1), 28))

    def agenda(month: dt.date) -> str:
        study = month_items[month][0][1]
        return study if study.startswith("学习") and rng.random() < 0.7 else rng.choice(FIRST_AGENDA)

    for br, v, d, groups in branches:
        members = list(own.get(br.path, []))
        for gr, _dg in groups:
            members += own.get(gr.path, [])
        members.sort(key=lambda x: x[1])
        n_full = full_on.get(br.path, 0) + sum(full_on.get(gr.path, 0) for gr, _dg in groups)
        is_silent = br.path in silent
        if v["organ"]:
            town = v["area"].name
            places = ["机关党员活动室", f"{town}{'办事处' if town.endswith('街道') else '人民政府'}会议室"]
        elif v.get("is_comm"):
            places = ["社区党群服务中心", "党员活动室", "社区会议室"]
        else:
            places = ["党员活动室", "村便民服务中心会议室", "村党群服务中心"]
        theme_day = rng.choice([5, 8, 10, 15, 18, 20, 25])
        held = {m: rng.random() < d and not (is_silent and m >= silent_from) for m in months}
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
            specs.append(
                (day, br, MeetingKind.THEME_DAY, place, topic, agenda(month), item and item[0], members)
            )
            if n_full >= threshold and rng.random() < 0.97:
                specs.append(
                    (
                        day_in(month, day.day - rng.randint(2, 6)),
                        br,
                        MeetingKind.COMMITTEE_MEETING,
                        places[0],
                        rng.choice(COMMITTEE_TOPICS),
                        agenda(month),
                        None,
                        members,
                    )
                )
        for qmonths in quarters.values():
            for kind, topics in (
                (MeetingKind.BRANCH_ASSEMBLY, ASSEMBLY_TOPICS),
                (MeetingKind.PARTY_LECTURE, LECTURE_TOPICS),
            ):
                month = rng.choice(qmonths)
                if rng.random() < min(1.0, d + 0.05) and not (is_silent and month >= silent_from):
                    item = (
                        month_items[month][0]
                        if kind == MeetingKind.PARTY_LECTURE and rng.random() < 0.3
                        else None
                    )
                    specs.append(
                        (
                            day_in(month, rng.randint(3, 27)),
                            br,
                            kind,
                            rng.choice(places),
                            rng.choice(topics),
                            agenda(month),
                            item and item[0],
                            members,
                        )
                    )
        if january and not (is_silent and january >= silent_from):
            day = day_in(january, rng.randint(12, 24))
            if rng.random() < 0.95:
                specs.append(
                    (
                        day,
                        br,
                        MeetingKind.LIFE_MEETING,
                        places[0],
                        f"{AS_OF.year - 1}年度组织生活会：对照检视，开展批评和自我批评",
                        agenda(january),
                        month_items[january][0][0],
                        members,
                    )
                )
            if rng.random() < 0.93:
                specs.append(
                    (
                        day_in(january, day.day + rng.randint(0, 3)),
                        br,
                        MeetingKind.MEMBER_APPRAISAL,
                        places[0],
                        f"{AS_OF.year - 1}年度民主评议党员",
                        agenda(january),
                        None,
                        members,
                    )
                )
        # work meetings that are not party life: the silent branches hold only these lately
        n_admin = rng.randint(2, 3) if is_silent else (rng.randint(1, 2) if rng.random() < 0.08 else 0)
        for _ in range(n_admin):
            month = rng.choice([m for m in months if m >= silent_from] if is_silent else months)
            specs.append(
                (
                    day_in(month, rng.randint(1, 28)),
                    br,
                    MeetingKind.ADMINISTRATIVE,
                    places[-1] if not v["organ"] else places[1],
                    "机关工作例会" if v["organ"] else rng.choice(ADMIN_TOPICS),
                    "",
                    None,
                    members,
                )
            )
        for gr, dg in groups:
            gmembers = sorted(own.get(gr.path, []), key=lambda x: x[1])
            gplaces = [f"{gr.area.name}党员中心户家中", f"{gr.area.name}服务站", "组院坝"]
            for month in months:
                if is_silent and month >= silent_from or rng.random() >= dg:
                    continue
                study = month_items[month][0][1]
                topic = (
                    f"党小组学习：{study.removeprefix('学习')}"
                    if rng.random() < 0.5
                    else rng.choice(GROUP_TOPICS)
                )
                specs.append(
                    (
                        day_in(month, rng.randint(3, 27)),
                        gr,
                        MeetingKind.GROUP_MEETING,
                        rng.choice(gplaces),
                        topic,
                        agenda(month),
                        None,
                        gmembers,
                    )
                )

    specs.sort(key=lambda s: (s[0], s[1].path, s[2]))
    meetings, rows = [], []
    for held_on, org, kind, place, topic, first_agenda, item_id, members in specs:
        att = []
        for pk, joined, profile, away_at in members:
            if joined > held_on:
                break  # sorted by join date
            status, reason = _attend(rng, profile, kind, held_on.month, away_at)
            att.append((pk, status, reason))
        n = {s: 0 for s in ("present", "online", "leave", "absent")}
        for _pk, status, _r in att:
            n[status] += 1
        online = f"（其中线上{n['online']}人）" if n["online"] else ""
        minutes = f"应到{len(att)}人，实到{n['present'] + n['online']}人{online}，请假{n['leave']}人，缺席{n['absent']}人。"
        meetings.append(
            Meeting(
                org_id=org.pk,
                kind=kind,
                held_on=held_on,
                place=place,
                topic=topic,
                first_agenda=first_agenda,
                topic_item_id=item_id,
                minutes=minutes,
            )
        )
        rows.append(att)
    Meeting.objects.bulk_create(meetings, batch_size=5000)
    meeting_ids = list(Meeting.objects.order_by("pk").values_list("pk", flat=True))
    ctx.say(f"出勤记录（{sum(len(a) for a in rows):,} 条）")
    # ≈500,000 rows: bulk_create spends ~40 s building and compiling model instances for them, so
    # these go through the cursor in batches of plain tuples (the same columns, no defaults to fill).
    opts = Attendance._meta
    cols = [opts.get_field(f).column for f in ("meeting", "member", "status", "reason")]
    qn = connection.ops.quote_name
    sql = f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(c) for c in cols)}) VALUES (%s, %s, %s, %s)"
    n_rows = 0
    batch: list[tuple] = []
    with connection.cursor() as cur:
        for mid, att in zip(meeting_ids, rows, strict=True):
            batch.extend((mid, pk, status, reason) for pk, status, reason in att)
            if len(batch) >= 5000:
                cur.executemany(sql, batch)
                n_rows += len(batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
            n_rows += len(batch)
    return len(meetings), n_rows
