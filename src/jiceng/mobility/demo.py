"""The mobility part of the demo county: an out-flow record for every member people's step marked as
working away (003: ≈9% of members), most of them in touch (a check-in within the quarter), some
overdue, a few out of contact (失联); each village branch's type (003's five, a few online branches);
migrant workers with their host enterprises and activists (the four ledgers). Through the services,
in the first village (the demo secretary's): two members hosted from elsewhere and their attendance
at a meeting, a relation transfer to another township's village waiting for its confirmation, a
pocket member (a letter issued four months ago, never received), an assigned-work sign. In another
village: a transfer out of the system completed today, so that member leaves the rolls today
(golden figures end the day before). Bulk rows satisfy what the services check."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from stdnum.cn import uscc

from jiceng.core.dates import months_after
from jiceng.core.demo import DemoContext, at
from jiceng.orglife import selectors as orglife_selectors
from jiceng.people import queries as people

from . import services
from .models import BranchProfile, CheckIn, HostEnterprise, MigrantWorker, Outflow

PLACES = ["广东东莞", "浙江宁波", "江苏苏州", "福建晋江", "上海松江", "重庆九龙坡", "四川成都", "陕西西安"]
EMPLOYERS = ["电子厂", "制衣厂", "建筑工地", "物流园", "修脚连锁店", "餐饮公司", "家政公司"]
TRADES = ["修脚养生", "特色烹饪", "电子商务", "家政月嫂", "职业茶农", "建筑", "电子装配"]
CHANNELS = ["wechat", "phone", "qq", "online_branch"]
REGION = "500229"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "国明华建军红英芳伟强平秀兰勇杰娟霞"


def _rng(ctx: DemoContext) -> random.Random:
    """Mobility's own generator, seeded from the demo's state without drawing from it: the steps
    after this one (and every figure of theirs) come out as they did before mobility existed."""
    rng = random.Random()
    rng.setstate(ctx.rng.getstate())
    rng.seed(f"mobility-{rng.random()}")
    return rng


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _uscc(rng) -> str:
    body = "91" + REGION + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def build(ctx: DemoContext) -> None:
    # the services act on the day before the demo's: their audit entries are history by then
    with at(ctx.as_of - dt.timedelta(days=1), 240):
        _build(ctx)


def _build(ctx: DemoContext) -> None:
    today = ctx.as_of
    rng = _rng(ctx)
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["county", "secretary", "secretary2"])
    }
    _outflows(ctx, rng)
    _profiles(ctx, rng)
    _ledgers(ctx, rng)
    first = ctx.first_village
    if not first or "secretary" not in users:
        return
    sec, county = users["secretary"], users["county"]
    members = list(
        people.members_of(first["org"], today)
        .filter(left_on__isnull=True)
        .select_related("person", "org")
        .order_by("pk")
    )
    if len(members) < 4:
        return
    branch = first["branches"][0]
    hosted = [
        services.inflow_record(
            actor=sec,
            host=branch,
            name=name,
            home_org=home,
            workplace=work,
            contact=contact,
            since=today - dt.timedelta(days=days),
        )
        for name, home, work, contact, days in (
            ("周流入", "中共安康市汉滨区某村党支部", "本村茶叶合作社", "微信 zhou_tea", 400),
            ("吴流入", "中共十堰市某社区党支部", "县城物流园", "13800000000", 120),
        )
    ]
    for i in hosted:
        services.checkin_record(
            actor=sec, inflow=i, on=today - dt.timedelta(days=20), kind="report", channel="visit"
        )
    meetings = orglife_selectors.meetings_for(actor=sec, org=branch, until=today - dt.timedelta(days=1))
    meeting = meetings.first()
    if meeting is not None:
        services.hosted_attendance_set(
            actor=sec, meeting=meeting, present=[hosted[0].pk], online=[hosted[1].pk]
        )
    other = ctx.other_village
    a, b, c = members[-1], members[-2], members[-3]
    if other is not None:
        target = other["branches"][0]
        services.transfer_issue(
            actor=sec,
            member=a,
            kind="inside",
            to_org=target,
            letter_number="转字〔演示〕1号",
            issued_on=today - dt.timedelta(days=10),
            dues_paid_to=today.replace(day=1),
        )
    services.transfer_issue(
        actor=sec,
        member=b,
        kind="outside",
        destination="中共东莞市长安镇某企业党支部",
        letter_number="转字〔演示〕2号",
        issued_on=today - dt.timedelta(days=120),
        dues_paid_to=months_after(today.replace(day=1), -4),
    )
    services.work_sign_record(
        actor=sec, member=c, since=months_after(today, -7), reason="村级后备力量联系帮带任务，半年未开展"
    )
    # a transfer out of the system completed yesterday, in a village of its own
    pool = [v for v in ctx.villages if v is not first and v is not other and v.get("branches")]
    if pool:
        v = pool[len(pool) // 2]
        leaving = (
            people.members_of(v["org"], today)
            .filter(left_on__isnull=True)
            .select_related("person", "org")
            .order_by("-pk")
            .first()
        )
        if leaving is not None:
            t = services.transfer_issue(
                actor=county,
                member=leaving,
                kind="outside",
                destination="中共宁波市北仑区某社区党委",
                letter_number="转字〔演示〕3号",
                issued_on=today - dt.timedelta(days=25),
                dues_paid_to=today.replace(day=1),
            )
            services.transfer_confirm(actor=county, transfer=t, on=today - dt.timedelta(days=1))
    ctx.summary.append("流动党员、组织关系转接、四本台账")


def _outflows(ctx: DemoContext, rng: random.Random) -> None:
    """One out-flow record per member marked as working away; check-ins by how in touch they are."""
    today = ctx.as_of
    rows = list(
        people.members()
        .filter(mobility="outflow", left_on__isnull=True)
        .order_by("pk")
        .values_list("pk", "joined_on")
    )
    outs = []
    for pk, joined in rows:
        since = max(joined, today - dt.timedelta(days=rng.randint(40, 900)))
        outs.append(
            Outflow(
                member_id=pk,
                destination=rng.choice(PLACES),
                employer=rng.choice(EMPLOYERS),
                contact=f"wx_{pk}",
                keep_in_touch=rng.choice(CHANNELS),
                card_number=f"LD{REGION}{pk:06d}",
                fixed_place=rng.random() < 0.4,
                since=since,
            )
        )
    Outflow.objects.bulk_create(outs, batch_size=2000)
    made = list(Outflow.objects.filter(ended_on__isnull=True).order_by("pk").values_list("pk", "since"))
    checks = []
    for pk, since in made:
        r = rng.random()
        if r < 0.05:  # out of contact: nothing for over six months
            continue
        # overdue: last contact three to six months ago; else within the quarter
        back = rng.randint(100, 170) if r < 0.15 else rng.randint(1, 85)
        on = max(since, today - dt.timedelta(days=back))
        checks.append(
            CheckIn(
                outflow_id=pk,
                on=on,
                kind=rng.choice(["thought", "report", "contact"]),
                channel=rng.choice(CHANNELS),
            )
        )
    CheckIn.objects.bulk_create(checks, batch_size=2000)
    ctx.say(f"流动党员 {len(outs)} 人，联系记录 {len(checks)} 条")


def _profiles(ctx: DemoContext, rng: random.Random) -> None:
    profiles = []
    for v in ctx.villages:
        for b in v.get("branches") or []:
            r = rng.random()
            kind = "single" if r < 0.8 else ("joint" if r < 0.9 else ("mobile" if r < 0.95 else "online"))
            online = kind == "online"
            profiles.append(
                BranchProfile(
                    org_id=b.pk,
                    branch_type=kind,
                    online=online,
                    platform=f"{b.name}流动党员微信群" if online else "",
                )
            )
    BranchProfile.objects.bulk_create(profiles, batch_size=2000, ignore_conflicts=True)


def _ledgers(ctx: DemoContext, rng: random.Random) -> None:
    today = ctx.as_of
    if ctx.county_org is None:
        return
    HostEnterprise.objects.bulk_create(
        [
            HostEnterprise(
                org=ctx.county_org,
                name=f"{place}{rng.choice(EMPLOYERS)}{i + 1}",
                uscc=_uscc(rng),
                place=place,
                liaison=f"联络员{i + 1}",
                has_party_org=rng.random() < 0.3,
            )
            for i, place in enumerate(PLACES * 2)
        ]
    )
    enterprises = list(HostEnterprise.objects.filter(org=ctx.county_org).order_by("pk"))
    workers = []
    for v in ctx.villages:
        for _ in range(rng.randint(2, 5)):
            e = rng.choice(enterprises)
            gender = "male" if rng.random() < 0.7 else "female"
            workers.append(
                MigrantWorker(
                    org=v["org"],
                    home=v["area"],
                    name=_name(rng),
                    gender=gender,
                    birth_year=today.year - rng.randint(20, 55),
                    destination=e.place,
                    enterprise=e,
                    trade=rng.choice(TRADES),
                    contact="",
                    since=today - dt.timedelta(days=rng.randint(30, 2000)),
                    activist=rng.random() < 0.1,
                )
            )
    MigrantWorker.objects.bulk_create(workers, batch_size=2000)
