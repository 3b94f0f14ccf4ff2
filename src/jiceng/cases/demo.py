"""The cases part of the demo county: a year of residents' requests, up to the day before its
"today" (``ctx.as_of``).

* **Set-up, through cases.setup** (dated a year ago): the county departments of the default
  catalogue at the county, the township stations (司法所、派出所、劳动保障所、城管中队) under their
  county department in every township; staff accounts for 住建局, 民政局, 人社局 and the first
  township's 司法所 and 派出所; mediators of every tier (1+1+N) in a few villages and townships;
  a court liaison, a 12345 hotline operator, a village handler and an errand agent (代办员) for the
  demo secretary's village; two Open311 client systems (the 12345 hotline and the city platform),
  whose api_keys are printed once in the load's summary and stored nowhere but as digests.
* **About thirty journeys, through cases.services**, each step taken on its day of the story (the
  services run with the clock set to that moment, as grading's demo does), so the paths that only
  the services make exist with everything they write (workflow steps, audit entries, notes, the
  residents' SMS in the outbox): escalation village → township → county, whistles with report-ins
  on time and late, a department resolving, a reopen, disputes with mediators and an agreement
  sent for 司法确认, wage arrears under 挂牌督办 and the one referral to the police, a court push
  with the grid's findings and the court's outcome, errands, a dismissal, Open311 and hotline
  filings, and open work in the demo secretary's village and grid and at the township (the home
  pages' queues), a whistle waiting for the demo member (党员报到) and for the departments.
* **The bulk (≈4,500 cases for 204 villages; ≈22 a village a year, more in communities)**,
  written directly: Case rows, their workflow instances (the county's effective definition, state
  matching), the workflow steps of their history, the public trail of notes, whistles, wage
  claims and enforcement requests — what the services would have written for the same story,
  with the same dates (respond_due_at, due_at by core.workdays' calendar, workdays_to_resolve,
  auto-close after the configured working days). Not written for them: audit entries and the
  residents' SMS; steps and notes in villages without a demo account have no actor (nobody there
  has an account). Each village has its own way of working: strong ones keep almost everything
  in the village (小事不出村), weak ones hand a third upward, answer late and leave residents less
  satisfied. Resident names and phones are generated and encrypted one by one (≈4 µs each).

Random draws come from a generator of the step's own, seeded from the demo's, so the county is the
same for the same seed and date (the journeys' tracking numbers, made by the services, differ).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from jiceng.core import crypto, workdays, workflows
from jiceng.core import services as core_services
from jiceng.core.demo import FEMALE_CHARS, MALE_CHARS, SURNAMES, DemoContext
from jiceng.core.gen import Ids, ModelSink
from jiceng.core.models import Area, HolidayOverride, Org, User, WorkflowInstance, WorkflowStep
from jiceng.core.rulepacks import rule

from . import services, setup
from .catalogue import DEPARTMENTS, MEDIATOR_TIER
from .models import (
    LEVEL_KINDS,
    PRIVATE_KINDS,
    Case,
    CaseNote,
    Channel,
    Department,
    DepartmentStaff,
    EnforcementOutcome,
    EnforcementRequest,
    Kind,
    Level,
    Rating,
    State,
    WageClaim,
    Whistle,
)
from .plugin import CASE_LOGINS
from .services import NUMBER_ALPHABET, NUMBER_LENGTH, CaseIn, WageIn
from .workflows import KEY

# the demo accounts this step adds (password: the demo's) are plugin.CASE_LOGINS

# the township stations and the county department each hangs under
STATION_PARENT = {
    "justice_station": "justice",
    "police_station": "public_security",
    "labour_station": "human_resources",
    "urban_squad": "urban_management",
}
# which departments a category's whistle calls: township stations first where one fits
WHISTLE_TO: dict[str, tuple[str, ...]] = {
    "road": ("housing", "agriculture"),
    "street_light": ("urban_management",),
    "water": ("water",),
    "sanitation": ("urban_squad", "urban_management"),
    "drainage": ("water", "housing"),
    "noise": ("police_station", "ecology"),
    "illegal_building": ("urban_squad", "natural_resources"),
    "stall": ("urban_squad", "market"),
    "property": ("housing",),
    "safety_hazard": ("housing", "market"),
    "policy": ("civil_affairs", "human_resources"),
    "hardship": ("civil_affairs",),
    "elderly_care": ("civil_affairs", "health"),
    "dispute_neighbour": ("justice_station", "police_station"),
    "dispute_family": ("justice_station",),
    "dispute_land": ("natural_resources", "justice_station"),
    "dispute_contract": ("justice_station",),
    "wage_arrears": ("labour_station", "human_resources"),
    "court_assist": ("police_station",),
}

DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "road": (
        "村口道路塌陷，车辆无法通行。",
        "通组公路有一段路面开裂下沉，雨天积水严重。",
        "进村小桥的护栏断了，孩子上学经过很危险。",
    ),
    "street_light": ("路灯一直不亮，晚上出行不便。", "广场边上三盏路灯坏了半个月了。"),
    "water": ("家里停水两天了，没有接到通知。", "自来水浑浊发黄，不敢饮用。", "水压太低，二楼以上用不上水。"),
    "sanitation": ("垃圾收集点满了没人清运，气味很大。", "路边有人乱倒建筑垃圾。", "公厕损坏无人维修。"),
    "drainage": ("下水道堵塞，污水漫到路上。", "雨后排水沟不通，院坝积水。"),
    "noise": ("晚上十点以后广场舞音响声音太大。", "附近工地夜间施工，影响休息。"),
    "illegal_building": ("邻居在公共通道上搭建棚子。", "有人在河道边违规建房。"),
    "stall": ("学校门口流动摊贩占道，影响通行。", "店铺把货物摆到人行道上。"),
    "property": ("小区电梯经常故障，物业维修不及时。", "物业费收了但楼道卫生没人打扫。"),
    "safety_hazard": (
        "老旧房屋墙体开裂，担心垮塌。",
        "电线私拉乱接，存在火灾隐患。",
        "山坡有落石，威胁下方住户。",
    ),
    "policy": ("想咨询城乡居民养老保险怎么缴费。", "咨询低保申请需要什么条件。", "咨询孩子上学的资助政策。"),
    "hardship": ("家中老人重病住院，医药费负担不起。", "房屋被暴雨冲毁，生活困难，请求救助。"),
    "elderly_care": ("独居老人行动不便，希望有人定期上门看看。", "留守儿童放学后无人照看。"),
    "suggestion": ("建议在村委会门口增设健身器材。", "建议公开村里项目资金使用情况。"),
    "dispute_neighbour": ("邻居房屋滴水到我家院子，协商不成。", "相邻两家因通行道路发生争执。"),
    "dispute_family": ("兄弟之间因父母赡养问题发生矛盾。", "夫妻矛盾，一方要求离婚，涉及子女抚养。"),
    "dispute_land": ("两户承包地界址不清，发生争执。", "宅基地边界有争议，对方要砌墙。"),
    "dispute_contract": ("借给熟人的钱到期不还。", "装修工程款结算有争议。"),
    "wage_arrears": ("在工地干了三个月，工资一直没结。", "劳务公司拖欠十几名工人工资。"),
    "court_assist": ("协助查找被执行人下落及财产线索。",),
}
REPLIES: dict[str, str] = {
    "road": "已安排施工队修复路面，恢复通行。",
    "street_light": "已更换灯具，路灯恢复照明。",
    "water": "已联系水厂检修管道，供水恢复正常。",
    "sanitation": "已清运垃圾，并安排保洁员定期巡查。",
    "drainage": "已疏通排水管道。",
    "noise": "已约谈相关方，夜间22时后停止高噪声活动。",
    "illegal_building": "经核查属违法建设，已责令当事人限期拆除。",
    "stall": "已劝导摊贩入市经营，并加强巡查。",
    "property": "已督促物业公司维修，并公示维保记录。",
    "safety_hazard": "已现场排查，设置警示标志并督促整改。",
    "policy": "已电话解答政策，并告知办理流程和所需材料。",
    "hardship": "已按程序申请临时救助，救助金已发放。",
    "elderly_care": "已安排网格员和志愿者每周上门探访。",
    "suggestion": "建议已提交村民代表会议研究，将逐步落实。",
    "wage_arrears": "经督促，用工单位已支付拖欠工资。",
    "court_assist": "已将查找情况和财产线索反馈法院。",
}
DISPUTE_REPLY = "经调解双方达成协议，矛盾已化解。"
ERRAND_REPLY = "已代办完成，办理结果已送达群众。"
ESCALATE_REASONS = (
    "涉及多个部门，需上级协调",
    "超出本级处置能力",
    "需相关部门现场核查",
    "涉及资金较大，需上级研究",
)
DISMISS_REASONS = (
    "重复提交，已并入同一诉求办理",
    "已进入诉讼程序，告知群众依法通过诉讼解决",
    "诉求内容不明确，多次联系未果",
    "不属于本平台受理范围，已告知向有关单位反映",
)
REOPEN_REASONS = ("群众反映问题未彻底解决，重新办理", "回访不满意，重新核实处理")
WHISTLE_NOTES = ("请到现场联合处置", "请派员到场核查", "请协助处置")
COMMENTS = {
    Rating.SATISFIED: ("办得很快，谢谢！", "村干部很负责", ""),
    Rating.BASIC: ("问题解决了，就是慢了点", ""),
    Rating.UNSATISFIED: ("问题没有真正解决", "处理太慢，没人回复", ""),
}
EMPLOYERS = ("建筑劳务有限公司", "建设工程有限公司", "农业开发有限公司", "装饰工程有限公司", "物流有限公司")
FINDINGS = (
    ("当事人在家，已当面告知履行义务", True, True, ""),
    ("当事人长期在外务工，电话联系上，称近期回乡处理", False, True, ""),
    ("当事人下落不明，邻居称已多年未回", False, False, ""),
    ("找到当事人，其名下有一辆小型货车", True, True, "小型货车一辆（停放于本组院坝）"),
    ("当事人居住地已查明，拒不配合", True, False, "自建住房一处"),
)

CATEGORY_WEIGHTS = {  # a rural county's year (share of cases by category code; errands share one weight)
    "road": 8, "street_light": 5, "water": 6, "sanitation": 8, "drainage": 4, "noise": 3,
    "illegal_building": 3, "stall": 2, "property": 2, "safety_hazard": 4, "policy": 8, "hardship": 4,
    "elderly_care": 3, "suggestion": 3, "dispute_neighbour": 5, "dispute_family": 3, "dispute_land": 3,
    "dispute_contract": 2, "wage_arrears": 4, "court_assist": 3, "errand": 12,
}  # fmt: skip
SEVERITIES = (("minor", 35), ("normal", 50), ("serious", 12), ("major", 3))
RATINGS = {  # village class -> (rated share, satisfied, basic, unsatisfied)
    "strong": (0.7, 0.8, 0.15, 0.05),
    "middle": (0.65, 0.66, 0.22, 0.12),
    "weak": (0.55, 0.5, 0.25, 0.25),
}


@dataclass(frozen=True)
class Ways:
    """How a village (and the township above it) works its cases."""

    cls: str
    up_from_grid: float  # a grid's case handed up to the village
    up_from_village: float  # a village's case escalated to the township (小事不出村 misses)
    up_from_township: float
    responds: float  # accepted within the category's response time
    on_time: float  # resolved within the promise
    stuck: float  # accepted, then never resolved (still open, overdue)


WAYS = {
    "strong": Ways("strong", 0.12, 0.03, 0.06, 0.96, 0.95, 0.004),
    "middle": Ways("middle", 0.25, 0.12, 0.1, 0.88, 0.87, 0.01),
    "weak": Ways("weak", 0.45, 0.35, 0.18, 0.7, 0.7, 0.025),
}
WAY_SHARES = (("strong", 30), ("middle", 50), ("weak", 20))
CASES_A_YEAR = 22  # a village's, at its county's average size; a community's ×1.6


# --- time -------------------------------------------------------------------------------------------------


class Calendar:
    """core.workdays for a window of dates, read once: the same working days (the holiday table,
    then chinesecalendar, then Monday–Friday) without a query per date; outside the window it asks
    core.workdays itself."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        overrides = dict(
            HolidayOverride.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday")
        )
        self.start = start
        n = (end - start).days + 1
        work = [workdays.is_workday(start + dt.timedelta(days=i), overrides) for i in range(n)]
        self._cum = list(itertools.accumulate(int(w) for w in work))
        self._days = [i for i, w in enumerate(work) if w]
        self.tz = timezone.get_current_timezone()

    def add(self, day: dt.date, n: int) -> dt.date:
        """workdays.add_workdays(day, n)."""
        if n <= 0:
            return day
        i = (day - self.start).days
        k = bisect.bisect_right(self._days, i) + n - 1
        if i < 0 or k >= len(self._days):
            return workdays.add_workdays(day, n)
        return self.start + dt.timedelta(days=self._days[k])

    def between(self, a: dt.date, b: dt.date) -> int:
        """workdays.workdays_between(a, b): working days in (a, b]."""
        if b <= a:
            return 0
        i, j = (a - self.start).days, (b - self.start).days
        if i < 0 or j >= len(self._cum):
            return workdays.workdays_between(a, b)
        return self._cum[j] - self._cum[i]

    def local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)

    def due(self, start: dt.datetime, days: int) -> dt.datetime:
        """services._due: ``days`` working days after ``start``, at the same time of day."""
        local = start.astimezone(self.tz)
        return dt.datetime.combine(self.add(local.date(), days), local.time(), tzinfo=self.tz)

    def date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()


def hours(h: float) -> dt.timedelta:
    return dt.timedelta(seconds=int(h * 3600))


@contextmanager
def clock(moment: dt.datetime) -> Iterator[None]:
    """The services' "now" at ``moment``: everything reads it through this module attribute."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real


# --- one case's story --------------------------------------------------------------------------------


_SEVERITY_UP = {"minor": 0.6, "normal": 1.0, "serious": 1.6, "major": 2.2}  # how much likelier handed up
_WHISTLED = (0.0, 0.02, 0.3, 0.55)  # by level: how often a whistle is blown (吹哨报到)


class _Stop(Exception):
    """The story reached the demo's today: the rest has not happened yet."""


@dataclass(frozen=True)
class Cat:
    pk: int
    code: str
    name: str
    kind: str
    public: bool
    routing: dict
    respond_hours: int
    promise_workdays: int


@dataclass
class Story:
    """What one case went through, as the services would have written it."""

    state: str = State.RECEIVED
    level: int = 1
    top_level: int = 1
    handling: tuple[int, str] = (0, "")
    owner: int | None = None
    since: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    workdays: int | None = None
    rating: str = ""
    resolved_for_resident: bool | None = None
    rating_comment: str = ""
    reopened: int = 0
    reply: str = ""
    steps: list[tuple] = field(default_factory=list)  # (at, action, from, to, actor, data)
    notes: list[tuple] = field(default_factory=list)  # (at, author, text, public)
    whistles: list[list] = field(
        default_factory=list
    )  # [department pk, by, at, note, due, reported_at, reported_by]
    findings_at: dt.datetime | None = None


def tell(
    rng: random.Random,
    cal: Calendar,
    *,
    cat: Cat,
    severity: str,
    levels: list[tuple[int, int, str]],
    received_at: dt.datetime,
    cutoff: dt.datetime,
    ways: Ways,
    ratings: tuple[float, float, float, float],
    has_phone: bool,
    owner: int | None,
    handler_of: Callable[[int], int | None],
    departments_for: Callable[[str, int, int], list[tuple[int, int | None, str]]] | None,
    auto_close_days: int,
    whistle_share: float = 1.0,
    record: bool = True,
) -> Story:
    """The case's story from its receipt to the demo's today (``cutoff``): each step at its moment,
    stopped where the next one would fall on or after today. ``levels``: (level, area pk, area name)
    of the place's chain, lowest first; ``handler_of(area pk)``: the account acting there, if any;
    ``departments_for(code, level, area pk)``: the departments a whistle calls, with the account
    reporting in for each; ``whistle_share`` scales how often one is blown. ``record``: keep the
    steps and notes (the generator keeps only the rows and the whistles)."""
    s = Story(since=received_at, owner=owner)
    start = int(cat.routing.get(severity, Level.VILLAGE))
    at = next((i for i, lv in enumerate(levels) if lv[0] >= start), len(levels) - 1)
    s.level = s.top_level = levels[at][0]
    s.handling = (levels[at][1], levels[at][2])
    if record:
        s.notes.append((received_at, owner, f"已收到诉求，由{s.handling[1]}办理。", True))

    def step(t: dt.datetime, action: str, to: str, actor: int | None, data: dict | None = None) -> None:
        if t >= cutoff:
            raise _Stop
        if record:
            s.steps.append((t, action, s.state, to, actor, data or {}))
        s.state, s.since = to, t

    def note(t: dt.datetime, text: str, *, public: bool = True, author: int | None = None) -> None:
        if record:
            s.notes.append((t, author, text, public))

    kind = cat.kind
    t = received_at
    try:
        if kind != Kind.ENFORCEMENT and rng.random() < (0.01 if kind == Kind.ERRAND else 0.035):
            t += hours(rng.uniform(0.3, 20))
            reason = rng.choice(DISMISS_REASONS)
            actor = handler_of(s.handling[0])
            step(t, "dismiss", State.DISMISSED, actor, {"reason": reason})
            s.closed_at = t
            note(t, f"不予受理：{reason}", author=actor)
            return s
        if rng.random() < 0.004:  # never accepted (overdue for acceptance)
            return s
        up = (ways.up_from_grid, ways.up_from_village, ways.up_from_township, 0.0)
        factor = _SEVERITY_UP[severity] * (0.2 if kind in (Kind.ERRAND, Kind.ENFORCEMENT) else 1.0)
        while True:
            late = rng.random() > ways.responds
            t += hours(cat.respond_hours * (rng.uniform(1.05, 2.5) if late else rng.uniform(0.03, 0.9)))
            actor = handler_of(s.handling[0])
            step(t, "accept", State.HANDLING, actor)
            if s.accepted_at is None:
                s.accepted_at = t
            if s.owner is None:
                s.owner = actor
            note(t, f"{s.handling[1]}已受理，正在办理。", author=actor)
            if at + 1 < len(levels) and rng.random() < up[s.level] * factor:
                t += hours(rng.uniform(1, 30))
                nxt = levels[at + 1]
                reason = rng.choice(ESCALATE_REASONS)
                step(t, "escalate", State.RECEIVED, actor, {"reason": reason, "to": nxt[1]})
                note(t, reason, public=False, author=actor)
                note(t, f"已上报{nxt[2]}办理。", author=actor)
                at += 1
                s.level, s.handling, s.owner = nxt[0], (nxt[1], nxt[2]), None
                s.top_level = max(s.top_level, s.level)
                continue
            break
        if (
            departments_for is not None
            and kind not in (Kind.ERRAND, Kind.ENFORCEMENT)
            and rng.random() < _WHISTLED[s.level] * whistle_share
            and (called := departments_for(cat.code, s.level, s.handling[0]))
        ):
            called = called[: rng.choice((1, 1, 2))]
            t += hours(rng.uniform(0.5, 24))
            text = rng.choice(WHISTLE_NOTES)
            actor = handler_of(s.handling[0])
            step(t, "whistle", State.HANDLING, actor, {"to": [name for _pk, _u, name in called]})
            note(t, text, public=False, author=actor)
            reports = []
            for dep, user, name in called:
                due = t + dt.timedelta(minutes=30)
                w = [dep, actor, t, text, due, None, None]
                s.whistles.append(w)
                r = rng.random()
                if r < 0.85:
                    reports.append((t + dt.timedelta(minutes=rng.uniform(4, 29)), w, user, name))
                elif r < 0.97:
                    reports.append((t + dt.timedelta(minutes=rng.uniform(32, 240)), w, user, name))
            for when, w, user, name in sorted(reports, key=lambda x: x[0]):
                step(when, "report_in", State.HANDLING, user)
                w[5], w[6] = when, user
                note(when, f"{name}已报到。", author=user)
                t = max(t, when)
        if rng.random() < ways.stuck * (2.5 if s.level >= Level.TOWNSHIP else 1):
            return s  # worked on, never resolved: open and overdue
        if kind == Kind.ENFORCEMENT:
            s.findings_at = t + hours(rng.uniform(20, 24 * 12))
            if s.findings_at >= cutoff:
                s.findings_at = None
                return s
            t = s.findings_at
        received_day = cal.date(received_at)
        while True:
            on_time = rng.random() < (ways.on_time if s.level < Level.COUNTY else ways.on_time - 0.1)
            promise = cat.promise_workdays
            if s.reopened:
                n = rng.randint(1, 6)
                day = cal.add(cal.date(t), n)
            elif on_time:
                n = rng.randint(0, max(0, promise - 1)) if promise > 1 else 0
                day = cal.add(received_day, n)
            else:
                n = promise + rng.randint(1, max(3, promise // 2 + 4))
                day = cal.add(received_day, n)
            resolved = cal.local(day, rng.randint(9, 17), rng.randint(0, 59))
            if resolved <= t:
                resolved = t + hours(rng.uniform(0.5, 5))
            actor = handler_of(s.handling[0])
            reply = REPLIES.get(cat.code) or (DISPUTE_REPLY if kind == Kind.DISPUTE else ERRAND_REPLY)
            step(resolved, "resolve", State.RESOLVED, actor, {"reply": reply})
            s.resolved_at, s.reply = resolved, reply
            s.workdays = cal.between(received_day, cal.date(resolved))
            note(resolved, f"已办结：{reply}", author=actor)
            t = resolved
            share, sat, basic, _uns = ratings
            if has_phone and rng.random() < (share + 0.1 if s.reopened else share):
                t = resolved + hours(rng.uniform(0.3, 60))
                r = rng.random()
                rating = (
                    Rating.SATISFIED if r < sat else Rating.BASIC if r < sat + basic else Rating.UNSATISFIED
                )
                if s.reopened and rating == Rating.UNSATISFIED and rng.random() < 0.5:
                    rating = Rating.BASIC
                step(t, "rate", State.CLOSED, None, {"resident_verified": True, "rating": rating})
                s.rating, s.closed_at = rating, t
                s.resolved_for_resident = (
                    rng.random() < 0.97 if rating == Rating.SATISFIED
                    else rng.random() < 0.75 if rating == Rating.BASIC
                    else rng.random() < 0.15
                )  # fmt: skip
                s.rating_comment = rng.choice(COMMENTS[rating])
                note(t, "群众已评价，诉求关闭。")
                if rating == Rating.UNSATISFIED and not s.reopened and rng.random() < 0.4:
                    t += hours(rng.uniform(2, 70))
                    reason = rng.choice(REOPEN_REASONS)
                    actor = handler_of(s.handling[0])
                    step(t, "reopen", State.HANDLING, actor, {"reason": reason})
                    s.reopened += 1
                    s.resolved_at = s.closed_at = None
                    s.rating, s.resolved_for_resident, s.workdays, s.rating_comment = "", None, None, ""
                    note(t, reason, public=False, author=actor)
                    note(t, "诉求已重新办理。", author=actor)
                    continue
            else:
                local = resolved.astimezone(cal.tz)
                ready = dt.datetime.combine(
                    cal.add(local.date(), auto_close_days), local.time(), tzinfo=cal.tz
                )
                t = ready + dt.timedelta(seconds=rng.randint(10, 170))  # the worker's next round
                step(t, "auto_close", State.CLOSED, None)
                s.rating, s.closed_at = Rating.UNRATED, t
                note(t, "逾期未评价，诉求自动关闭（未评价）。")
            break
    except _Stop:
        pass
    return s


# --- the step -----------------------------------------------------------------------------------------


def build(ctx: DemoContext) -> None:
    assert ctx.county is not None and ctx.county_org is not None, "core's tree step runs first"
    rng = random.Random(ctx.rng.getrandbits(64))  # our own draws: later steps see the same generator
    cal = Calendar(ctx.as_of - dt.timedelta(days=800), ctx.as_of + dt.timedelta(days=400))
    w = _World(ctx, rng, cal)
    ctx.say("诉求办理：部门、站所、调解员与接入系统")
    keys = w.set_up()
    ctx.say("诉求办理：演示流程（通过服务逐步办理）")
    journeys = w.journeys()
    ctx.say("诉求办理：一年的群众诉求")
    made = w.bulk()
    # the outbox as a demo shows it: every SMS the steps wrote, held (no gateway) or failed, none queued
    from jiceng.core import notify

    for _ in range(1000):  # 200 a batch, until nothing is left queued
        if not any(notify.dispatch().values()):
            break
    names = "、".join(u for u, _d in CASE_LOGINS)
    ctx.summary.append(
        f"{journeys + made} 件群众诉求（{journeys} 件逐步办理），{w.n_departments} 个部门和站所；"
        f"诉求办理演示账号 {names}（密码同上）；"
        f"Open311 接入密钥（仅此一次显示）：" + "；".join(f"{name} {key}" for name, key in keys)
    )


class _World:
    def __init__(self, ctx: DemoContext, rng: random.Random, cal: Calendar) -> None:
        self.ctx, self.rng, self.cal = ctx, rng, cal
        self.tz = cal.tz
        self.cutoff = cal.local(ctx.as_of, 0)
        self.county_user = User.objects.get(username="county")
        self.password = self.county_user.password  # the demo password's hash, made once by core
        self.county_area: Area = ctx.county  # type: ignore[assignment]
        self.county_org: Org = ctx.county_org  # type: ignore[assignment]
        fv, ov = ctx.first_village, ctx.other_village
        assert fv is not None and ov is not None, "core's users step runs first"
        self.v1, self.v2 = fv, ov
        self.town1 = fv["town_org"].area
        self.areas = {a.path: a for a in ctx.areas}
        self.grids: dict[str, list[Area]] = {}
        for a in ctx.areas:
            if a.kind == "grid":
                self.grids.setdefault(self._village_path(a.path), []).append(a)
        self.n_departments = 0

    def _village_path(self, path: str) -> str:
        step = Area.steplen
        for i in range(len(path), 0, -step):
            a = self.areas.get(path[:i])
            if a is not None and a.kind in ("village", "community"):
                return a.path
        return path

    def levels_of(self, place: Area) -> list[tuple[int, int, str]]:
        """(level, area pk, name) of the place's chain, lowest first (queries.area_at_level's)."""
        out = []
        step = Area.steplen
        for lv, kinds in LEVEL_KINDS.items():
            found = [
                self.areas[place.path[:i]]
                for i in range(step, len(place.path) + 1, step)
                if place.path[:i] in self.areas and self.areas[place.path[:i]].kind in kinds
            ]
            if found:
                out.append((lv, found[-1].pk, found[-1].name))
        return out

    def at(self, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
        return self.cal.local(self.ctx.as_of - dt.timedelta(days=days_ago), hour, minute)

    def user(self, username: str, display: str) -> User:
        return User.objects.create(username=username, display_name=display, password=self.password)

    def person_name(self) -> str:
        rng = self.rng
        chars = MALE_CHARS if rng.random() < 0.5 else FEMALE_CHARS
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
        return rng.choice(SURNAMES[:60] if rng.random() < 0.8 else SURNAMES) + given

    def phone(self) -> str:
        rng = self.rng
        return (
            rng.choice(("138", "139", "158", "187", "133", "177", "151", "136"))
            + f"{rng.randint(0, 10**8 - 1):08d}"
        )

    # --- set-up ---------------------------------------------------------------------------------------

    def set_up(self) -> list[tuple[str, str]]:
        ctx, c = self.ctx, self.county_user
        towns = [v["area"] for v in ctx.villages if v["organ"]]
        with clock(self.at(400, 9)):
            by_code = {}
            for code, name, at_township in DEPARTMENTS:
                if not at_township:
                    by_code[code] = setup.add_department(actor=c, area=self.county_area, name=name, code=code)
            self.stations: dict[tuple[int, str], Department] = {}
            for town in towns:
                for code, name, at_township in DEPARTMENTS:
                    if at_township:
                        parent = Department.objects.get(pk=by_code[STATION_PARENT[code]].pk)
                        self.stations[(town.pk, code)] = setup.add_department(
                            actor=c, area=town, name=f"{town.name}{name}", code=code, parent=parent
                        )
            self.county_departments = {code: Department.objects.get(pk=d.pk) for code, d in by_code.items()}
            self.n_departments = len(by_code) + len(self.stations)
            t1 = self.town1
            self.u: dict[str, User] = {}
            for username, dep in (
                ("housing", self.county_departments["housing"]),
                ("civil", self.county_departments["civil_affairs"]),
                ("hrss", self.county_departments["human_resources"]),
                ("justice_station", self.stations[(t1.pk, "justice_station")]),
                ("police_station", self.stations[(t1.pk, "police_station")]),
            ):
                u = self.user(username, f"{dep.name} {self.person_name()}")
                setup.add_department_staff(actor=c, department=dep, user=u)
                self.u[username] = u
            self.dept_user = dict(DepartmentStaff.objects.values_list("department_id", "user_id"))
            v1, v2 = self.v1["area"], self.v2["area"]
            others = [v["area"] for v in ctx.villages if not v["organ"] and v["area"] not in (v1, v2)]
            # 1+1+N: volunteers and community mediators in a few villages, community judges at townships
            self.mediators: dict[tuple[str, str], int] = {}
            med = [(v1, "community", "mediator"), (v1, "volunteer", ""), (t1, "judge", "judge")]
            for v in [v2, *others[:3]]:
                med += [(v, "volunteer", ""), (v, "community", "")]
            town2 = self.v2["town_org"].area
            if town2 != t1:
                med.append((town2, "judge", ""))
            for i, (area, tier, username) in enumerate(med):
                label = {"volunteer": "调解志愿者", "community": "社区调解员", "judge": "社区法官"}[tier]
                u = self.user(username or f"mediator{i + 1}", f"{area.name}{label} {self.person_name()}")
                m = setup.add_mediator(actor=c, area=area, user=u, tier=tier)
                self.mediators[(area.path, tier)] = m.pk
                if username:
                    self.u[username] = u
            for username, display, role, org in (
                ("court", "县人民法院执行局联络员", "court_liaison", self.county_org),
                ("hotline", "12345热线话务员", "hotline_operator", self.county_org),
                ("handler", f"{v1.name}便民服务站办事员", "village_handler", self.v1["org"]),
                ("errand", f"{v1.name}代办员", "errand_agent", self.v1["org"]),
            ):
                u = self.user(username, f"{display} {self.person_name()}")
                core_services.role_grant(actor=c, user=u, role=role, org=org)
                self.u[username] = u
            hotline, hotline_key = setup.issue_client(
                actor=c, county=self.county_area, name="12345政务服务便民热线", channel=Channel.HOTLINE
            )
            city, city_key = setup.issue_client(
                actor=c, county=self.county_area, name="市域社会治理综合平台", channel=Channel.OPEN311
            )
        self.clients = {Channel.HOTLINE: hotline, Channel.OPEN311: city}
        for username in ("county", "township", "secretary", "secretary2", "grid", "member"):
            self.u[username] = User.objects.get(username=username)
        self.categories = {c.code: c for c in services.categories_for(v1)}
        return [(hotline.name, hotline_key), (city.name, city_key)]

    # --- journeys through the services -------------------------------------------------------------------

    def journeys(self) -> int:
        u, v1a, v2a, t1 = self.u, self.v1["area"], self.v2["area"], self.town1
        grid = self.grids.get(v1a.path, [v1a])[0]
        first = list(Case.objects.values_list("pk", flat=True))
        sec, sec2, town, county, gw = u["secretary"], u["secretary2"], u["township"], u["county"], u["grid"]
        J = _Journey(self)
        # fmt: off
        # (one story a few lines long each: kept as written, a call a step)

        # closed, rated: the plain path
        c = J.file(80, 9, "road", v1a, title="村口道路塌陷", rated=("satisfied", True))
        J.step(80, 11, services.accept, c, actor=sec)
        J.step(78, 16, services.resolve, c, actor=sec, reply="已组织村民修补路面，恢复通行。")
        J.rate(77, 20, c)
        # a grid worker's visit, never rated: closed by itself (未评价)
        c = J.file(60, 10, "street_light", grid, actor=gw, channel=Channel.VISIT, severity="minor", title="路灯不亮")
        J.step(60, 10, services.accept, c, actor=gw, minute=20)
        J.step(59, 15, services.resolve, c, actor=gw, reply="已更换灯具，路灯恢复照明。")
        J.auto_close(c)
        # handed on to a colleague (首问负责), rated basic, not resolved in the resident's view
        c = J.file(70, 14, "drainage", v1a, actor=sec, channel=Channel.WECHAT, rated=("basic", False))
        J.step(70, 15, services.accept, c, actor=sec)
        J.step(70, 16, services.hand_on, c, actor=sec, to_user_id=u["handler"].pk, note="请便民服务站跟进")
        J.step(66, 11, services.resolve, c, actor=u["handler"], reply="已疏通排水沟。")
        J.rate(65, 9, c)
        # to the township, a department whistled and reporting in on time, the department resolving
        c = J.file(55, 9, "safety_hazard", v1a, actor=sec, channel=Channel.WINDOW, severity="serious", title="老旧房屋墙体开裂")
        J.step(55, 10, services.accept, c, actor=town)
        J.step(55, 11, services.whistle, c, minute=0, actor=town, department_ids=[self.county_departments["housing"].pk], note="请住建局到场鉴定")
        J.step(55, 11, services.report_in, c, actor=u["housing"], minute=20, note="已派员到场")
        J.step(52, 15, services.resolve, c, actor=u["housing"], reply="经鉴定为C级危房，已督促搬离并落实过渡安置。")
        J.rate(51, 10, c, rating="satisfied", resolved=True)
        # village → township → county, 民政局 reporting in late, rated unsatisfied, reopened, closed
        c = J.file(45, 9, "hardship", v1a, title="大病医疗费负担不起")
        J.step(45, 10, services.accept, c, actor=sec)
        J.step(45, 16, services.escalate, c, actor=sec, reason="超出村级救助能力，需镇里研究")
        J.step(44, 9, services.accept, c, actor=town)
        J.step(44, 11, services.escalate, c, actor=town, reason="需县民政局研究临时救助")
        J.step(43, 9, services.accept, c, actor=county)
        J.step(43, 10, services.whistle, c, minute=0, actor=county, department_ids=[self.county_departments["civil_affairs"].pk], note="请民政局研究救助")
        J.step(43, 11, services.report_in, c, actor=u["civil"], minute=25, note="已对接")  # 75 minutes: late
        J.step(40, 15, services.resolve, c, actor=u["civil"], reply="已发放临时救助金2000元。")
        J.rate(39, 10, c, rating="unsatisfied", resolved=False, comment="救助金额太少")
        J.step(37, 9, services.reopen, c, actor=county, reason="群众反映困难未解决，重新研究")
        J.step(33, 16, services.resolve, c, actor=county, reply="已纳入低保并申请医疗救助，医疗费报销比例提高。")
        J.rate(32, 11, c, rating="basic", resolved=True)
        # disputes: a volunteer at the grid, a community mediator with an agreement sent for 司法确认,
        # a community judge with 司法所 reporting in (still open)
        c = J.file(50, 15, "dispute_neighbour", grid, severity="minor", title="邻居滴水纠纷")
        J.step(50, 17, services.accept, c, actor=gw)
        J.step(47, 10, services.resolve, c, actor=gw, reply="经调解志愿者调解，双方同意加装檐沟。")
        J.rate(46, 9, c, rating="satisfied", resolved=True)
        c = J.file(42, 10, "dispute_family", v1a, title="赡养纠纷")
        J.step(42, 11, services.accept, c, actor=sec)
        agreed = self.ctx.as_of - dt.timedelta(days=36)
        J.step(36, 15, services.record_agreement, c, actor=u["mediator"], agreement_on=agreed, confirmation_applied_on=None)
        J.step(36, 16, services.resolve, c, actor=sec, reply=DISPUTE_REPLY)
        J.rate(35, 9, c, rating="satisfied", resolved=True)
        J.step(
            30, 10, services.record_agreement, c, actor=u["mediator"],
            agreement_on=agreed, confirmation_applied_on=self.ctx.as_of - dt.timedelta(days=30),
        )
        c = J.file(9, 9, "dispute_contract", v1a, severity="serious", title="工程款纠纷")
        J.step(9, 11, services.accept, c, actor=town)
        J.step(8, 9, services.whistle, c, minute=0, actor=town, department_ids=[self.stations[(t1.pk, "justice_station")].pk], note="请司法所参与调解")
        J.step(8, 9, services.report_in, c, actor=u["justice_station"], minute=15)
        # wage arrears: 12333, 挂牌督办, 人社局 reporting in, part recovered (open); and the one case
        # referred to the police (拒不支付劳动报酬), resolved and closed by itself
        wage = WageIn(employer="青山县宏远建筑劳务有限公司", project="镇卫生院改扩建工程", workers=14, amount="186000")
        c = J.file(20, 10, "wage_arrears", v1a, actor=u["hotline"], channel=Channel.LABOUR, wage=wage, title="拖欠14名工人工资")
        J.step(20, 14, services.accept, c, actor=town)
        J.step(
            19, 10, services.supervise_wage, c, actor=town, supervised=True,
            responsible_unit=f"{t1.name}劳动保障所", responsible_person=self.person_name(),
        )
        J.step(19, 11, services.whistle, c, minute=0, actor=town, department_ids=[self.county_departments["human_resources"].pk], note="请人社局劳动监察介入")
        J.step(19, 11, services.report_in, c, actor=u["hrss"], minute=18)
        J.step(10, 16, services.supervise_wage, c, actor=town, supervised=True, responsible_unit=f"{t1.name}劳动保障所",
               responsible_person="张建", recovered="90000")
        wage = WageIn(employer="青山县鑫达建设工程有限公司", project="安置小区二期", workers=32, amount="520000")
        c = J.file(100, 9, "wage_arrears", v2a, actor=sec2, channel=Channel.WINDOW, severity="serious", wage=wage)
        J.step(100, 11, services.accept, c, actor=county)
        J.step(
            90, 10, services.supervise_wage, c, actor=county, supervised=True, responsible_unit="县人社局劳动保障监察大队",
            responsible_person=self.person_name(), police_referred_on=self.ctx.as_of - dt.timedelta(days=90),
            police_note="涉嫌拒不支付劳动报酬罪，移送县公安局",
        )
        J.step(75, 15, services.supervise_wage, c, actor=county, supervised=True, responsible_unit="县人社局劳动保障监察大队",
               responsible_person="李强", police_referred_on=self.ctx.as_of - dt.timedelta(days=90),
               police_note="涉嫌拒不支付劳动报酬罪，移送县公安局", recovered="520000")
        J.step(75, 16, services.resolve, c, actor=county, reply="欠薪已全部追回发放，相关责任人已移送公安机关。")
        J.auto_close(c)
        # court pushes: a grid worker's findings and the court's outcome; one still being looked into
        court = u["court"]
        c = J.file(70, 9, "court_assist", grid, actor=court, channel=Channel.COURT, severity="minor",
                   court="青山县人民法院", court_case_number=f"（{self.ctx.as_of.year}）渝0229执{412}号")
        J.step(70, 10, services.accept, c, actor=gw)
        J.step(66, 15, services.report_enforcement, c, actor=gw, person_located=True, contact_made=True,
               assets_found="小型货车一辆", findings="找到被执行人，已当面告知履行义务。")
        J.step(66, 16, services.resolve, c, actor=gw, reply="已将查找情况和财产线索反馈法院。")
        J.auto_close(c)
        J.step(40, 10, services.record_court_outcome, c, actor=court, outcome=EnforcementOutcome.PARTLY,
               outcome_on=self.ctx.as_of - dt.timedelta(days=40), amount_executed="30000")
        c = J.file(6, 9, "court_assist", v1a, actor=court, channel=Channel.COURT,
                   court="青山县人民法院", court_case_number=f"（{self.ctx.as_of.year}）渝0229执{1288}号")
        J.step(6, 10, services.accept, c, actor=sec)
        J.step(3, 16, services.report_enforcement, c, actor=sec, person_located=False, contact_made=False,
               findings="被执行人长期在外务工，电话无法接通，正在继续查找。")
        # errands (代办): one done and rated, one in progress
        c = J.file(30, 10, "errand_pension_certify", v1a, actor=u["errand"], channel=Channel.WINDOW)
        J.step(30, 10, services.accept, c, actor=u["errand"], minute=5)
        J.step(30, 15, services.resolve, c, actor=u["errand"], reply="已协助完成人脸识别认证。")
        J.rate(29, 9, c, rating="satisfied", resolved=True)
        c = J.file(3, 10, "errand_medical_insurance_pay", v1a, actor=u["errand"], channel=Channel.VISIT)
        J.step(3, 11, services.accept, c, actor=u["errand"])
        # not accepted
        c = J.file(25, 20, "suggestion", v1a, title="重复提交的建议")
        J.step(24, 9, services.dismiss, c, actor=sec, reason="重复提交，已并入同一诉求办理")
        # Open311: the city platform (channel open311) and the 12345 hotline (client and operator)
        c = J.file(28, 11, "suggestion", v2a, client=self.clients[Channel.OPEN311], rated=("satisfied", True))
        J.step(28, 15, services.accept, c, actor=sec2)
        J.step(25, 10, services.resolve, c, actor=sec2, reply="已在村务公开栏公示，并增设意见箱。")
        J.rate(24, 19, c)
        c = J.file(18, 21, "water", v1a, client=self.clients[Channel.HOTLINE], title="停水两天")
        J.step(18, 22, services.accept, c, actor=sec)
        J.step(17, 10, services.resolve, c, actor=sec, reply="管道已抢修，供水恢复。")
        J.rate(17, 18, c, rating="satisfied", resolved=True)
        c = J.file(15, 9, "drainage", v2a, actor=u["hotline"], channel=Channel.HOTLINE)
        J.step(15, 10, services.accept, c, actor=sec2)
        J.step(14, 9, services.escalate, c, actor=sec2, reason="涉及镇区主干管网")
        J.step(14, 11, services.accept, c, actor=county)
        J.step(11, 16, services.resolve, c, actor=county, reply="镇区排水管网已疏通改造。")
        J.rate(10, 9, c, rating="basic", resolved=True)
        # open work on the home pages: the secretary's village, the grid, the township, the member
        c = J.file(20, 9, "water", v1a, actor=u["handler"], channel=Channel.PHONE, title="水压低")
        J.step(20, 11, services.accept, c, actor=u["handler"])  # promise 5 working days: overdue
        J.file(4, 8, "road", v1a, title="路面坑洼")  # not accepted in 24 hours: overdue
        J.file(1, 17, "policy", v1a, actor=u["handler"], channel=Channel.PHONE, severity="minor", title="咨询养老保险缴费")
        c = J.file(2, 10, "sanitation", v1a, actor=sec, channel=Channel.WINDOW, title="垃圾点无人清运")
        J.step(2, 11, services.accept, c, actor=sec)
        J.step(2, 14, services.whistle, c, actor=sec, member_user_ids=[u["member"].pk], note="请附近党员协助清理")
        c = J.file(3, 15, "elderly_care", grid, actor=gw, channel=Channel.VISIT, severity="minor", title="独居老人需要照看")
        J.step(3, 16, services.accept, c, actor=gw)
        J.file(1, 19, "street_light", grid, severity="minor", title="巷口路灯不亮")
        c = J.file(5, 10, "noise", v1a, title="夜间施工噪声")
        J.step(5, 15, services.escalate, c, actor=sec, reason="需镇综合执法队现场处置")
        c = J.file(4, 9, "road", v1a, severity="serious", title="桥梁护栏断裂")
        J.step(4, 11, services.accept, c, actor=town)
        J.step(4, 14, services.whistle, c, actor=town, note="请相关部门到场", department_ids=[
            self.county_departments["housing"].pk, self.county_departments["civil_affairs"].pk,
            self.stations[(t1.pk, "police_station")].pk,
        ])
        # rated unsatisfied and reopened: in the secretary's queue again
        c = J.file(12, 9, "drainage", v1a, title="排水沟又堵了")
        J.step(12, 10, services.accept, c, actor=sec)
        J.step(9, 15, services.resolve, c, actor=sec, reply="已清理排水沟。")
        J.rate(8, 19, c, rating="unsatisfied", resolved=False, comment="只清了表面，下雨还是堵")
        J.step(6, 9, services.reopen, c, actor=sec, reason="群众反映问题未彻底解决，重新办理")
        # resolved yesterday: awaiting the resident's rating
        c = J.file(3, 9, "sanitation", grid, severity="minor", title="建筑垃圾乱倒")
        J.step(3, 10, services.accept, c, actor=gw)
        J.step(1, 15, services.resolve, c, actor=gw, reply="已清运，并在路口设置提示牌。")
        # fmt: on
        return Case.objects.exclude(pk__in=first).count()

    # --- the bulk -----------------------------------------------------------------------------------------

    def bulk(self) -> int:
        ctx, rng, cal = self.ctx, self.rng, self.cal
        county_org = Org.objects.get(pk=self.county_org.pk)
        definition = workflows.effective(KEY, county_org)
        spec = workflows.spec_of(definition)
        auto_close_days = int(rule("cases.auto_close_workdays", county_org))
        cats = [
            Cat(c.pk, c.code, c.name, c.kind, c.public, c.routing, c.respond_hours, c.promise_workdays)
            for c in self.categories.values()
        ]
        base = [c for c in cats if c.kind != Kind.ERRAND]
        errands = [c for c in cats if c.kind == Kind.ERRAND]
        weights = [CATEGORY_WEIGHTS.get(c.code, 1) for c in base]
        # who acts where: the demo accounts handle at their own area (queries.handlers_at's rule)
        handlers = {
            self.v1["area"].pk: [self.u["secretary"].pk, self.u["handler"].pk],
            self.v2["area"].pk: [self.u["secretary2"].pk],
            self.town1.pk: [self.u["township"].pk],
            self.county_area.pk: [self.u["county"].pk],
        }
        g1 = self.grids.get(self.v1["area"].path, [])
        if g1:
            handlers[g1[0].pk] = [self.u["grid"].pk]

        def handler_of(area_pk: int) -> int | None:
            found = handlers.get(area_pk)
            return found[0] if found else None

        depts = self.county_departments
        dept_user = self.dept_user

        def departments_for(code: str, level: int, area_pk: int) -> list[tuple[int, int | None, str]]:
            out = []
            for d in WHISTLE_TO.get(code, ()):
                if d in STATION_PARENT:
                    dep = self.stations.get((area_pk, d)) if level == Level.TOWNSHIP else None
                else:
                    dep = depts.get(d)
                if dep is not None:
                    out.append((dep.pk, dept_user.get(dep.pk), dep.name))
            return out

        villages = [v for v in ctx.villages if not v["organ"]]
        mean = sum(v["members"] for v in villages) / len(villages)
        ways_of = {}
        for v in villages:
            cls = "middle" if v is self.v1 else _weighted(rng, WAY_SHARES)
            ways_of[v["area"].pk] = cls
        ids = Ids()
        db = connection.ops.adapt_datetimefield_value  # a moment as the bulk writer hands it on
        start = ctx.as_of - dt.timedelta(days=365)
        peak = [d for d in (start + dt.timedelta(days=i) for i in range(365)) if d.month in (11, 12, 1)]
        rows, inst, steps, notes, whistles, wages, enforcement = [], [], [], [], [], [], []
        numbers = set(Case.objects.values_list("number", flat=True))
        court_seq = itertools.count(2000)
        for v in villages:
            area: Area = v["area"]
            cls = ways_of[area.pk]
            ways, ratings = WAYS[cls], RATINGS[cls]
            n = max(
                3,
                round(
                    CASES_A_YEAR
                    * (1.6 if v.get("is_comm") else 1.0)
                    * (0.5 + v["members"] / mean / 2)
                    * rng.lognormvariate(0, 0.25)
                ),
            )
            places = [area, *self.grids.get(area.path, [])]
            levels_for = {p.pk: self.levels_of(p) for p in places}
            for _ in range(n):
                cat = rng.choice(errands) if rng.random() < 0.12 else rng.choices(base, weights)[0]
                kind = cat.kind
                place = area if len(places) == 1 or rng.random() < 0.35 else rng.choice(places[1:])
                severity = "minor" if kind == Kind.ERRAND else _weighted(rng, SEVERITIES)
                if kind == Kind.WAGE and rng.random() < 0.4:  # arrears peak before the Spring Festival
                    day = rng.choice(peak)
                else:
                    day = start + dt.timedelta(days=rng.randrange(365))
                channel, client, entered = self._channel(kind, area.pk)
                staffed = channel in (Channel.WINDOW, Channel.VISIT, Channel.PHONE, Channel.WECHAT)
                hour = rng.randint(8, 17) if staffed or channel == Channel.COURT else rng.randint(7, 22)
                received = cal.local(day, hour, rng.randint(0, 59))
                if received >= self.cutoff:
                    continue
                has_phone = kind != Kind.ENFORCEMENT
                owner = entered
                s = tell(
                    rng, cal, cat=cat, severity=severity, levels=levels_for[place.pk], received_at=received,
                    cutoff=self.cutoff, ways=ways, ratings=ratings,
                    has_phone=has_phone, owner=owner, handler_of=handler_of, departments_for=departments_for,
                    auto_close_days=auto_close_days,
                )  # fmt: skip
                pk = ids.take("cases_case")
                number = _number(rng, numbers)
                name = phone = ""
                if has_phone:
                    name, phone = self.person_name(), self.phone()
                mediator = None
                agreement = confirmation = None
                if kind == Kind.DISPUTE:
                    mediator = self._mediator(place, severity)
                    if s.resolved_at is not None and rng.random() < 0.75:
                        rday = cal.date(s.resolved_at)
                        agreement = max(cal.date(received), rday - dt.timedelta(days=rng.randint(0, 2)))
                        if rng.random() < 0.25:
                            confirmation = agreement + dt.timedelta(days=rng.randint(1, 25))
                            if confirmation >= ctx.as_of:
                                confirmation = None
                public = cat.public and kind not in PRIVATE_KINDS and rng.random() < 0.7
                last = s.since or received
                rows.append((
                    pk, number, cat.pk, kind, severity, channel, cat.name, rng.choice(DESCRIPTIONS.get(cat.code) or (f"请代办：{cat.name}。",)),
                    place.pk, _address(rng, place), None, None,
                    crypto.encrypt(name, field="resident_name") if name else "", (name[0] + "*" * (len(name) - 1)) if name else "",
                    crypto.encrypt(phone, field="phone") if phone else "", crypto.mask_phone(phone) if phone else "",
                    crypto.digest(phone[-4:], field="phone_tail") if phone else "", "",
                    s.level, s.top_level, s.handling[0], s.owner, entered, client, mediator, None,
                    s.state, public, s.reply, db(received), db(received + hours(cat.respond_hours)), db(s.accepted_at),
                    db(cal.due(received, cat.promise_workdays)), db(s.resolved_at), db(s.closed_at), s.workdays,
                    s.rating, s.resolved_for_resident, s.rating_comment, s.reopened, agreement, confirmation, db(last),
                ))  # fmt: skip
                ipk = ids.take("core_workflowinstance")
                state = spec.state(s.state)
                inst.append((
                    ipk, definition.pk, county_org.pk, None, "cases.case", str(pk), s.state, db(last),
                    db(_deadline(cal, state, last)), db(received),
                ))  # fmt: skip
                for at, action, frm, to, actor, data in s.steps:
                    steps.append(
                        (ipk, action, frm, to, actor, db(at), json.dumps(data, ensure_ascii=False), "")
                    )
                for at, author, text, is_public in s.notes:
                    notes.append((pk, db(at), author, text, is_public))
                for dep, by, at, text, due, reported, reported_by in s.whistles:
                    whistles.append(Whistle(
                        case_id=pk, department_id=dep, by_id=by, at=at, note=text, report_due_at=due,
                        reported_at=reported, reported_by_id=reported_by, report_note="已到场" if reported else "",
                    ))  # fmt: skip
                if kind == Kind.WAGE:
                    wages.append(self._wage(pk, s))
                if kind == Kind.ENFORCEMENT:
                    enforcement.append(self._enforcement(pk, s, received, next(court_seq)))
        with ModelSink(Case, CASE_FIELDS) as sink:
            for row in rows:
                sink.row(row)
        with ModelSink(WorkflowInstance, INSTANCE_FIELDS) as sink:
            for row in inst:
                sink.row(row)
        first_step = ids.take("core_workflowstep")
        with ModelSink(WorkflowStep, ("id", *STEP_FIELDS)) as sink:
            for i, row in enumerate(steps):
                sink.row((first_step + i, *row))
        with ModelSink(CaseNote, ("case", "at", "author", "text", "public")) as sink:
            for row in notes:
                sink.row(row)
        Whistle.objects.bulk_create(whistles, batch_size=2000)
        WageClaim.objects.bulk_create(wages, batch_size=2000)
        EnforcementRequest.objects.bulk_create(enforcement, batch_size=2000)
        _reset_sequences(("cases_case", "core_workflowinstance", "core_workflowstep"))
        return len(rows)

    def _channel(self, kind: str, village_pk: int) -> tuple[str, int | None, int | None]:
        """(channel, Open311 client, who entered it) as residents and staff file a case of ``kind``."""
        rng, u = self.rng, self.u
        staff = handler = None
        if village_pk == self.v1["area"].pk:
            handler = rng.choice((u["secretary"], u["handler"], u["grid"])).pk
        elif village_pk == self.v2["area"].pk:
            handler = u["secretary2"].pk
        if kind == Kind.ENFORCEMENT:
            return Channel.COURT, None, u["court"].pk
        if kind == Kind.ERRAND:
            staff = u["errand"].pk if village_pk == self.v1["area"].pk else handler
            return rng.choice((Channel.WINDOW, Channel.WINDOW, Channel.VISIT)), None, staff
        if kind == Kind.WAGE:
            r = rng.random()
            if r < 0.55:
                return Channel.LABOUR, None, u["hotline"].pk
            if r < 0.75:
                return Channel.HOTLINE, self.clients[Channel.HOTLINE].pk, None
            return Channel.WINDOW, None, handler
        r = rng.random()
        if r < 0.24:
            return Channel.ONLINE, None, None
        if r < 0.36:
            return Channel.WINDOW, None, handler
        if r < 0.56:
            return Channel.VISIT, None, handler
        if r < 0.66:
            return Channel.HOTLINE, self.clients[Channel.HOTLINE].pk, None
        if r < 0.72:
            return Channel.HOTLINE, None, u["hotline"].pk
        if r < 0.82:
            return Channel.WECHAT, None, handler
        if r < 0.9:
            return Channel.PHONE, None, handler
        if r < 0.93:
            return Channel.LABOUR, None, u["hotline"].pk
        return Channel.OPEN311, self.clients[Channel.OPEN311].pk, None

    def _mediator(self, place: Area, severity: str) -> int | None:
        """services._route_dispute: the tier by severity, the deepest mediator serving the place."""
        tier = MEDIATOR_TIER.get(severity, "community")
        step = Area.steplen
        for i in range(len(place.path), 0, -step):
            found = self.mediators.get((place.path[:i], tier))
            if found:
                return found
        return None

    def _wage(self, pk: int, s: Story) -> WageClaim:
        rng = self.rng
        amount = Decimal(rng.randint(8, 900) * 1000)
        closed = s.state == State.CLOSED
        recovered = (
            (amount * Decimal(rng.uniform(0.85, 1.0))).quantize(Decimal("1"))
            if closed
            else (
                (amount * Decimal(rng.uniform(0, 0.5))).quantize(Decimal("1"))
                if rng.random() < 0.5
                else Decimal(0)
            )
        )
        supervised = rng.random() < 0.2
        town = rng.choice(TOWN_WORDS)
        return WageClaim(
            case_id=pk,
            employer=f"青山县{town}{rng.choice(EMPLOYERS)}",
            project=rng.choice(
                ("", "安置小区建设工程", "乡村道路硬化工程", "产业园厂房工程", "学校改扩建工程")
            ),
            workers=rng.randint(1, 45),
            amount=amount,
            recovered=recovered,
            supervised=supervised,
            responsible_unit="县人社局劳动保障监察大队" if supervised else "",
            responsible_person=self.person_name() if supervised else "",
        )

    def _enforcement(self, pk: int, s: Story, received: dt.datetime, seq: int) -> EnforcementRequest:
        """004-P1: 4,737 cases pushed to grids, 125 executed (2.6%): most end not executed or 终本."""
        rng, as_of = self.rng, self.ctx.as_of
        req = EnforcementRequest(
            case_id=pk, court="青山县人民法院", court_case_number=f"（{received.year}）渝0229执{seq}号"
        )
        if s.findings_at is not None or s.resolved_at is not None:
            text, located, contact, assets = rng.choice(FINDINGS)
            req.findings, req.person_located, req.contact_made, req.assets_found = (
                text,
                located,
                contact,
                assets,
            )
            req.reported_at = s.findings_at or s.resolved_at
        age = (as_of - self.cal.date(received)).days
        if req.reported_at is not None and age > 45:
            r = rng.random()
            outcome = (
                EnforcementOutcome.EXECUTED if r < 0.015 else EnforcementOutcome.PARTLY if r < 0.03
                else EnforcementOutcome.NOT_EXECUTED if r < 0.5 else EnforcementOutcome.TERMINATED if r < 0.8 else ""
            )  # fmt: skip
            if outcome:
                req.outcome = outcome
                req.outcome_on = min(
                    as_of - dt.timedelta(days=1),
                    self.cal.date(received) + dt.timedelta(days=rng.randint(30, 120)),
                )
                if outcome in (EnforcementOutcome.EXECUTED, EnforcementOutcome.PARTLY):
                    req.amount_executed = Decimal(rng.randint(5, 200) * 1000)
        return req


TOWN_WORDS = ("宏远", "鑫达", "永兴", "恒通", "华盛", "顺发", "金山", "利民")

CASE_FIELDS = (
    "id", "number", "category", "kind", "severity", "channel", "title", "description", "area", "address", "lat", "lon",
    "resident_name_ciphertext", "resident_name_masked", "phone_ciphertext", "phone_masked", "phone_tail_digest",
    "email_ciphertext", "level", "top_level", "handling_area", "owner", "entered_by", "open311_client", "mediator",
    "legal_adviser", "state", "public", "reply", "received_at", "respond_due_at", "accepted_at", "due_at",
    "resolved_at", "closed_at", "workdays_to_resolve", "rating", "resolved_for_resident", "rating_comment",
    "reopened", "agreement_on", "confirmation_applied_on", "updated_at",
)  # fmt: skip
INSTANCE_FIELDS = (
    "id", "definition", "org", "authority", "target_type", "target_id", "state", "state_since", "due_at", "created_at",
)  # fmt: skip
STEP_FIELDS = ("instance", "action", "from_state", "to_state", "actor", "at", "data", "exception_reason")


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _number(rng: random.Random, taken: set[str]) -> str:
    while True:
        number = "".join(rng.choices(NUMBER_ALPHABET, k=NUMBER_LENGTH))
        if number not in taken:
            taken.add(number)
            return number


def _address(rng: random.Random, place: Area) -> str:
    if rng.random() < 0.3:
        return ""
    if place.kind == "grid":
        return f"{place.name}{rng.randint(1, 40)}号"
    return f"{place.name}{rng.randint(1, 12)}组"


def _deadline(cal: Calendar, state, since: dt.datetime) -> dt.datetime | None:
    """workflows._due: the state's soft time limit, when the definition gives it one."""
    if not state.deadline:
        return None
    if state.deadline_unit == "minutes":
        return since + dt.timedelta(minutes=state.deadline)
    return cal.due(since, state.deadline)


def _reset_sequences(tables: tuple[str, ...]) -> None:
    """Rows written with their keys: PostgreSQL's sequences moved past them (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",
                [table],
            )


class _Journey:
    """Cases through the services, each step at its moment (``days_ago``, hour, minute)."""

    def __init__(self, world: _World) -> None:
        self.w = world
        self.phones: dict[int, str] = {}
        self.rated: dict[int, tuple[str, bool]] = {}
        self.last: dict[int, dt.datetime] = {}  # each case's last step: the next one comes after it
        self.auto_close_days = int(rule("cases.auto_close_workdays", world.county_org))

    def file(
        self, days_ago: int, hour: int, code: str, place: Area, *, actor=None, client=None, channel: str = Channel.ONLINE,
        severity: str = "normal", title: str = "", wage: WageIn | None = None, court: str = "", court_case_number: str = "",
        rated: tuple[str, bool] | None = None,
    ) -> Case:  # fmt: skip
        w = self.w
        cat = w.categories[code]
        is_court = channel == Channel.COURT
        phone = "" if is_court else w.phone()
        data = CaseIn(
            category_id=cat.pk,
            description=w.rng.choice(DESCRIPTIONS.get(code) or (f"请代办：{cat.name}。",)),
            area_id=place.pk,
            name="" if is_court else w.person_name(),
            phone=phone,
            title=title,
            severity=severity,
            channel=channel,
            address=_address(w.rng, place),
            public=True,
            wage=wage,
            court=court,
            court_case_number=court_case_number,
        )
        moment = w.at(days_ago, hour, w.rng.randint(0, 50))
        with clock(moment):
            case = services.submit(actor=actor, data=data, client=client, when=moment)
        self.phones[case.pk] = phone
        self.last[case.pk] = moment
        if rated:
            self.rated[case.pk] = rated
        return case

    def step(self, days_ago: int, hour: int, fn, case: Case, *, minute: int | None = None, **kw: Any) -> None:
        w = self.w
        moment = w.at(days_ago, hour, w.rng.randint(0, 50) if minute is None else minute)
        moment = max(moment, self.last.get(case.pk, moment) + dt.timedelta(minutes=3))
        self.last[case.pk] = moment
        with clock(moment):
            fn(
                case=Case.objects.select_related("area", "handling_area", "category", "mediator").get(
                    pk=case.pk
                ),
                **kw,
            )

    def rate(
        self,
        days_ago: int,
        hour: int,
        case: Case,
        *,
        rating: str = "",
        resolved: bool | None = None,
        comment: str = "",
    ) -> None:
        want = self.rated.get(case.pk, ("satisfied", True))
        moment = max(
            self.w.at(days_ago, hour, self.w.rng.randint(0, 50)), self.last[case.pk] + dt.timedelta(minutes=3)
        )
        self.last[case.pk] = moment
        with clock(moment):
            services.rate(
                number=case.number,
                phone_tail=self.phones[case.pk][-4:],
                rating=rating or want[0],
                resolved=want[1] if resolved is None else resolved,
                comment=comment,
            )

    def auto_close(self, case: Case) -> None:
        """The worker's round after the resident's working days to rate have passed."""
        found = Case.objects.get(pk=case.pk)
        assert found.resolved_at is not None
        local = timezone.localtime(found.resolved_at)
        ready = timezone.make_aware(
            dt.datetime.combine(workdays.add_workdays(local.date(), self.auto_close_days), local.time())
        ) + dt.timedelta(minutes=2)
        self.last[case.pk] = ready
        with clock(ready):
            services.auto_close_due(now=ready)
