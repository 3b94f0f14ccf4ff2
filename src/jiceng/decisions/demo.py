"""The decisions part of the demo county, through the services (every rule held, every stage
audited), dated up to yesterday with ``core.demo.at``: in the first villages a 村民代表 roster
(in one of them with too few women, so the roster page shows its problems; one village never
meets, so the township sees it overdue) and matters at different stages — in the secretary's
village a road repair through 五步决策法, approved by the township, resolved, disclosed and its
result disclosed; one matter vetoed by the township; others part-way."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model

from jiceng.core.dates import years_before
from jiceng.core.demo import DemoContext, at
from jiceng.people import queries as people_queries

from . import queries, services
from .services import StageIn

VILLAGES = 5
ROAD = "三组通组公路修缮"
VETOED = "村集体厂房对外出租"


def _all_for(ids) -> dict:
    ids = sorted(ids)
    return {"attendee_ids": ids, "votes_for": len(ids), "votes_against": 0, "votes_abstain": 0}


def _members_meeting(org, on: dt.date) -> dict:
    full = sorted(
        set(
            people_queries.full_memberships_on(on)
            .filter(org__path__startswith=org.path)
            .values_list("member__person_id", flat=True)
        )
    )
    present = full[: len(full) * 3 // 4 + 1]
    return {"attendee_ids": present, "votes_for": len(present), "votes_against": 0, "votes_abstain": 0}


def _reps_meeting(village, on: dt.date) -> dict:
    body = sorted(
        queries.representative_persons(village.pk, on) | queries.villagers_committee_persons(village.pk, on)
    )
    present = body[: -(-len(body) * 5 // 6)] if len(body) > 3 else body
    against = 1 if len(present) > 6 else 0
    return {
        "assembly": "representatives",
        "attendee_ids": present,
        "votes_for": len(present) - against,
        "votes_against": against,
        "votes_abstain": 0,
    }


def _roster(actor, v: dict, since: dt.date, rng: random.Random, few_women: bool) -> int:
    area = v["area"]
    adults = list(
        people_queries.persons()
        .filter(household__area__path__startswith=area.path, birth_date__lte=years_before(since, 25))
        .exclude(pk__in=queries.committee_persons(area, since))
        .order_by("pk")
        .values_list("pk", "gender")[:400]
    )
    women = [p for p, g in adults if g == "female"]
    men = [p for p, g in adults if g != "female"]
    n = 16
    n_women = 2 if few_women else 7
    chosen = rng.sample(women, min(n_women, len(women))) + rng.sample(men, min(n - n_women, len(men)))
    for i, pid in enumerate(chosen):
        with at(since, i):
            services.seat_add(
                actor=actor,
                village=area,
                body="representative",
                person_id=pid,
                since=since,
                group_name=f"第{i // 2 + 1}村民小组",
            )
    supervisors = [p for p, _g in adults if p not in chosen][:3]
    for i, pid in enumerate(supervisors):
        with at(since, 30 + i):
            services.seat_add(actor=actor, village=area, body="supervision", person_id=pid, since=since)
    return len(chosen)


def _walk(matter, *, sec, township, start: dt.date, stop: str, veto: str = "", until: dt.date) -> None:
    """Take ``matter`` through its stages from ``start``, a few days apart, up to ``stop``."""
    village, org = matter.village, matter.org
    day = start
    order = ["consult", "propose", "discuss", "review", "township", "resolve", "disclose", "implement"]
    for step in order:
        if step == stop:
            return
        m = type(matter).objects.get(pk=matter.pk)
        if step == "consult" and m.procedure != "decisions.one_three_two":
            continue
        if step == "township" and m.procedure != "decisions.five_step":
            continue
        day = day + dt.timedelta(days=3 if step != "implement" else 40)
        if day > until:
            return
        actor = sec
        if step == "consult":
            stage = StageIn(action="consult", held_on=day, attended=36, minutes="入户征求意见，多数村民赞成")
        elif step == "propose":
            stage = StageIn(
                action="propose", held_on=day, **_all_for(queries.party_committee_persons(village.pk, day))
            )
        elif step == "discuss":
            stage = StageIn(
                action="discuss", held_on=day, **_all_for(queries.committee_persons(village, day))
            )
        elif step == "review":
            stage = StageIn(action="review", held_on=day, **_members_meeting(org, day))
        elif step == "township":
            actor = township
            if veto:
                stage = StageIn(action="township_veto", held_on=day, reason=veto)
            else:
                stage = StageIn(
                    action="township_approve", held_on=day, minutes="经镇党委会研究，同意提交村民代表会议决议"
                )
        elif step == "resolve":
            stage = StageIn(action="resolve", held_on=day, **_reps_meeting(village, day))
        elif step == "disclose":
            stage = StageIn(action="disclose", held_on=day, names="施工单位：青山县路桥工程队")
        else:
            stage = StageIn(
                action="implement", held_on=day, minutes="工程已完工并经村务监督委员会验收，决算与预算相符"
            )
        with at(day, 60):
            services.record_stage(actor=actor, matter=m, stage=stage)
        if step == "township" and veto:
            return


def build(ctx: DemoContext) -> None:
    rng = random.Random(f"decisions-{ctx.n_villages}-{ctx.as_of}")
    User = get_user_model()
    county = User.objects.get(username="county")
    users = {u.username: u for u in User.objects.filter(username__in=("secretary", "township"))}
    until = ctx.as_of - dt.timedelta(days=1)
    villages = [v for v in ctx.villages if not v["organ"] and not v.get("is_comm")][:VILLAGES]
    if ctx.first_village is not None and ctx.first_village in villages:
        villages.remove(ctx.first_village)
        villages.insert(0, ctx.first_village)
    ctx.say("村级重大事项决策：村民代表名册与各环节的事项（通过服务逐项办理）")
    since = until - dt.timedelta(days=400)
    made = reps = 0
    for k, v in enumerate(villages):
        area = v["area"]
        if (
            not queries.party_committee_persons(area.pk, since)
            or not queries.registered_households(area).exists()
        ):
            continue
        first = v is ctx.first_village
        sec = users.get("secretary", county) if first else county
        township = users.get("township", county) if first else county
        reps += _roster(county, v, since, rng, few_women=(k == 1))
        plans = (
            [
                ("public_works", ROAD, "decisions.five_step", 180, "", 18_600_000),
                (
                    "asset_disposal",
                    VETOED,
                    "decisions.five_step",
                    90,
                    "出租价格明显低于市场价，且未经资产评估",
                    3_600_000,
                ),
                (
                    "income_use",
                    "2025年度集体经营收益分配方案",
                    "decisions.four_two",
                    30,
                    "resolve",
                    25_000_000,
                ),
                (
                    "collective_project",
                    "村集体茶叶加工厂立项",
                    "decisions.one_three_two",
                    12,
                    "review",
                    52_000_000,
                ),
            ]
            if first
            else [
                ("public_works", "村卫生室改造", "decisions.four_two", 150, "", 4_200_000),
                (
                    "homestead",
                    "新增宅基地使用方案",
                    rng.choice(["decisions.four_two", "decisions.five_step"]),
                    40,
                    "resolve",
                    None,
                ),
            ]
        )
        if k == 2:
            plans = plans[:0]  # this village's representatives' assembly never meets: overdue
        for kind, title, procedure, back, stop, amount in plans:
            start = until - dt.timedelta(days=back)
            with at(start, 10):
                m = services.matter_create(
                    actor=sec,
                    village=area,
                    kind=kind,
                    title=title,
                    procedure=procedure,
                    description=f"{area.name}{title}，经村党组织提议按程序决策。",
                    amount_fen=amount,
                    proposed_on=start,
                )
            veto = stop if title == VETOED else ""
            _walk(
                m, sec=sec, township=township, start=start, stop="" if veto else stop, veto=veto, until=until
            )
            made += 1
    ctx.summary.append(f"{made} 个村级重大事项，{reps} 名村民代表")
