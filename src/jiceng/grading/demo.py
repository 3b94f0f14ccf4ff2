"""The grading part of the demo county: last year's grading round, as the county committee ran it
early this year — proposals from last year's record, every grade confirmed (a few overridden, with
the reason), and every lagging organisation's rectification plan (一支一策) with its measures: done,
still open, some overdue; the plans whose measures were all done and checked are closed (挂账销号).

It is run through grading's own services, so every row is what they write (the round, the grades,
their workflow instances and steps, the audit entries, the notices to the lagging branches'
secretaries). Each step is taken on its day of the story: the services run with the clock set to
that day, so the rows carry the date the step was taken, before the demo's "today". ≈200 grades and
≈25 plans: a few thousand queries, about a second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

from jiceng.core.demo import DemoContext
from jiceng.core.models import User

from . import services
from .models import Grade

PROBLEMS = {
    "compliance": "“三会一课”等组织生活不经常、不规范：应开展{required}次，按期开展{satisfied}次",
    "participation": "党员参加组织生活不够经常，参加率{participation:.0%}，流动党员联系管理不到位",
    "education": "党员教育覆盖面不足，集中学习覆盖率{education:.0%}",
    "committee": "支部班子配备不齐，党组织委员{party_seats}人",
    "silent": "半年以上未正常开展组织生活",
    "main_leader_vacant": "党组织书记长期缺位",
    "score": "年度评定综合得分{score}分，位列全县后10%",
}
MEASURES = {
    "compliance": [
        ("制定年度组织生活计划，每月按时召开支委会、开展主题党日，规范填写会议记录", "{secretary}"),
        ("每季度召开党员大会、上好党课，书记带头讲党课", "{secretary}"),
    ],
    "participation": [
        ("逐一联系长期未参加组织生活的党员，谈心谈话并建立联系台账", "组织委员"),
        ("为流动党员开通线上参加组织生活渠道，每季度至少联系一次", "组织委员"),
    ],
    "education": [("开展党员集中轮训，每季度至少组织一次专题学习", "宣传委员")],
    "committee": [("配齐配强支部班子，按程序补选支部委员", "{town}党委组织委员")],
    "silent": [("乡镇党委班子成员包联指导，每月到村督导组织生活开展情况", "{town}党委副书记")],
    "main_leader_vacant": [("选优配强党组织书记，未配齐前由第一书记主持工作", "{town}党委书记")],
    "any": [
        ("建立整改台账，每月向乡镇党委报告整改进展", "{secretary}"),
        ("选派第一书记驻村帮扶，帮助理清发展思路", "县委组织部"),
        ("开展“党员联系户”活动，每名党员联系群众并记录走访情况", "{secretary}"),
    ],
}
EVIDENCE = [
    "已按计划落实，会议记录和照片存档备查",
    "乡镇党委实地查看，落实到位",
    "台账已建立，按月报送",
    "已完成，相关材料报乡镇党委备案",
]
OVERRIDE_REASONS = [
    "实地核查：该村组织生活记录补录前后一致，群众评议较好，调整评定等次",
    "乡镇党委复核：年度重点工作完成突出，经县委组织部研究调整",
    "实地核查：部分会议未按要求记录，调整评定等次",
]


@contextmanager
def _clock(day: dt.date, minute: int) -> Iterator[None]:
    """The services' "now" on ``day`` (office hours, ``minute`` minutes after nine)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=minute))
    real = timezone.now
    timezone.now = lambda: moment  # everything reads the clock through this module attribute
    try:
        yield
    finally:
        timezone.now = real


def _problems(grade: Grade) -> tuple[str, list[str]]:
    """The plan's problems, from the grade's own figures, and which measures answer them."""
    f = grade.factors
    found = []
    for sign in f.get("weak_signs") or []:
        found.append(sign)
    if f.get("compliance") is not None and f["compliance"] < 0.85:
        found.append("compliance")
    if f.get("participation") is not None and f["participation"] < 0.9:
        found.append("participation")
    if f.get("education") is not None and f["education"] < 0.85:
        found.append("education")
    if f.get("party_seats") is not None and f["party_seats"] < 3:
        found.append("committee")
    keys = found or ["score"]
    values = {**f, "score": grade.score}
    text = "；".join(f"{i + 1}. {PROBLEMS[k].format(**values)}" for i, k in enumerate(keys)) + "。"
    return text, [k for k in keys if k in MEASURES]


def build(ctx: DemoContext) -> None:
    rng, as_of = ctx.rng, ctx.as_of
    assert ctx.county_org is not None, "core's tree step runs first"
    year = as_of.year - 1
    county = User.objects.get(username="county")
    jan1 = dt.date(as_of.year, 1, 1)
    elapsed = (as_of - jan1).days
    last = as_of - dt.timedelta(days=1)  # nothing is done on or after the demo's today

    def day(offset: int) -> dt.date:
        return min(jan1 + dt.timedelta(days=offset), last)

    ctx.say(f"{year} 年度党组织评定与整改")
    # January: the round is opened, the grades confirmed within a fortnight, the plans made early
    # in February; a demo loaded early in the year has all of it squeezed into the days so far.
    opened = day(min(8, elapsed // 6))
    with _clock(opened, rng.randint(0, 420)):
        rnd = services.round_open(actor=county, org=ctx.county_org, year=year)
    grades = list(Grade.objects.filter(round=rnd).select_related("round__org", "org__area", "workflow"))
    keys = [lv["key"] for lv in rnd.levels]
    overridden = 0
    for i, grade in enumerate(sorted(grades, key=lambda g: g.org.path)):
        final, reason = grade.proposed, ""
        level = keys.index(grade.proposed)
        if not grade.lagging_proposed and level < len(keys) - 2 and rng.random() < 0.04:
            final = keys[level + rng.choice([-1, 1]) if level else level + 1]
            reason, overridden = rng.choice(OVERRIDE_REASONS), overridden + 1
        with _clock(day(min(8, elapsed // 6) + min(12, elapsed // 5) + i % 3), rng.randint(0, 480)):
            services.grade_confirm(actor=county, grade=grade, final=final, reason=reason)

    lagging = [g for g in grades if g.lagging]
    secretaries = ctx.data.get("secretary_names", {})
    plans = closed = done = overdue = 0
    for grade in sorted(lagging, key=lambda g: g.org.path):
        town = next((v["town_org"] for v in ctx.villages if v["org"].pk == grade.org_id), None)
        names = {
            "secretary": f"支部书记 {secretaries.get(grade.org.area_id, '')}".strip(),
            "town": town.name.removeprefix("中共").removesuffix("委员会").removesuffix("工作")
            if town
            else "乡镇",
        }
        problems, kinds = _problems(grade)
        chosen = [m for k in kinds for m in MEASURES[k][: rng.randint(1, 2)]]
        chosen += rng.sample(MEASURES["any"], max(1, 3 - len(chosen)))
        planned = day(
            min(8, elapsed // 6) + min(12, elapsed // 5) + min(14, elapsed // 4) + rng.randint(0, 4)
        )
        measures = [
            (desc, owner.format(**names), planned + dt.timedelta(days=rng.randint(25, 330)))
            for desc, owner in chosen[:5]
        ]
        with _clock(planned, rng.randint(0, 480)):
            plan = services.plan_create(actor=county, grade=grade, problems=problems, measures=measures)
        plans += 1
        finished = []
        for m in plan.measures.all():
            start = planned + dt.timedelta(days=10)
            if start > last:
                continue
            if m.deadline <= last:  # due by now: most done, some late, some still not (overdue)
                if rng.random() < 0.25:
                    overdue += 1
                    continue
                on = min(start + dt.timedelta(days=rng.randint(0, (m.deadline - start).days + 20)), last)
            elif rng.random() < 0.4:  # not yet due: some done early
                on = start + dt.timedelta(days=rng.randint(0, (last - start).days))
            else:
                continue
            with _clock(on, rng.randint(0, 480)):
                services.measure_complete(actor=county, measure=m, done_on=on, evidence=rng.choice(EVIDENCE))
            done += 1
            finished.append(on)
        if len(finished) == len(measures) and rng.random() < 0.8:
            checked = max(finished) + dt.timedelta(days=rng.randint(3, 15))
            if checked <= last:
                with _clock(checked, rng.randint(0, 480)):
                    services.plan_close(
                        actor=county,
                        plan=plan,
                        closure_note=f"经{names['town']}党委实地验收、县委组织部复核，整改措施全部落实，同意销号。",
                    )
                closed += 1
    ctx.summary.append(
        f"{year} 年度评定 {len(grades)} 个党组织（调整 {overridden} 个），后进 {len(lagging)} 个，"
        f"整改方案 {plans} 个（已销号 {closed} 个），整改措施完成 {done} 条、逾期 {overdue} 条"
    )
