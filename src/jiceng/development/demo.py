"""The development part of the demo county: in the first villages, records at every stage of the
pipeline — applicants, activists under review, candidates, probationary members, a few converted
and archived, a few ended — each walked step by step through the services (so every rule held
and every step is audited), with dates up to yesterday; migrant workers among them; and each
township's plan for the year.

``walk`` is what tests and the generator's small journeys use too: it takes a record through its
steps with the earliest dates the rules allow (plus a little slack), stopping at a step or a day."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model

from jiceng.core.dates import months_after, years_after
from jiceng.core.demo import DemoContext, at
from jiceng.core.models import Org
from jiceng.core.workdays import add_workdays
from jiceng.people import queries as people_queries

from . import services
from .models import Applicant
from .services import StepIn
from .steps import STEPS

VILLAGES = 6  # villages with records, walked step by step (≈0.2 s a record; the others have none)
PER_VILLAGE = 3
ORDER = [s.code for s in STEPS[1:]]  # s02 … s25


def _entitled_votes(org: Org, on: dt.date, rng: random.Random) -> dict | None:
    entitled = people_queries.full_memberships_on(on).filter(org__path__startswith=org.path).count()
    if entitled < 3:
        return None
    present = min(entitled, entitled // 2 + 1 + rng.randint(0, max(entitled // 3, 0)))
    written = rng.randint(0, min(2, entitled - present))
    against = rng.randint(0, 1) if present > entitled // 2 + 2 else 0
    return {
        "present": present,
        "probationary_present": rng.randint(0, 2),
        "written": written,
        "in_favour": present + written - against,
        "against": against,
        "abstain": 0,
    }


def walk(
    applicant: Applicant,
    *,
    branch_actor,
    committee_actor,
    until: dt.date,
    stop_at: str = "",
    rng: random.Random | None = None,
    slack: Callable[[], int] | None = None,
) -> str:
    """Record the steps after the last one, each on the earliest day its rules allow plus
    ``slack()`` days, up to (not including) ``stop_at`` or while the dates stay on or before
    ``until``. Returns the code of the last step recorded."""
    rng = rng or random.Random(applicant.pk)
    slack = slack or (lambda: rng.randint(0, 6))
    a = applicant
    done = ""
    day = a.applied_on
    for code in ORDER:
        if code == stop_at:
            break
        a.refresh_from_db()
        members = list(
            people_queries.full_memberships_on(day)
            .filter(org__path__startswith=a.org.path)
            .exclude(member__person_id=a.person_id)
            .values_list("member_id", flat=True)[:20]
        )
        data: dict = {}
        people = document = note = ""
        if code == "s02_talk":
            on, people = day + dt.timedelta(days=3 + slack()), "支部书记"
        elif code == "s03_activist":
            on, data = day + dt.timedelta(days=7 + slack()), {"method": rng.choice(["member", "mass_org"])}
        elif code == "s05_guides":
            if not members:
                break
            on, data = (
                day + dt.timedelta(days=2 + slack()),
                {"guides": rng.sample(members, min(len(members), rng.randint(1, 2)))},
            )
        elif code == "s06_review":
            assert a.activist_on is not None
            for k in (6, 12):
                when = months_after(a.activist_on, k) - dt.timedelta(days=1 + slack())
                if when > until:
                    return done
                with at(when, rng.randint(0, 480)):  # the audit entry on the day of the step
                    services.record_step(
                        actor=branch_actor,
                        applicant=a,
                        step=StepIn(code=code, on=when, note="思想积极，学习认真，群众评价好"),
                    )
                done, day = code, when
            continue
        elif code == "s07_candidate":
            assert a.activist_on is not None
            on = years_after(a.activist_on, 1) + dt.timedelta(days=slack())
        elif code == "s09_introducers":
            if len(members) < 2:
                break
            on, data = day + dt.timedelta(days=2 + slack()), {"introducers": rng.sample(members, 2)}
        elif code == "s10_political_review":
            on, document = day + dt.timedelta(days=10 + slack()), "政治审查综合报告"
        elif code == "s11_training":
            on, data = day + dt.timedelta(days=5 + slack()), {"days": 3, "hours": 24}
        elif code == "s13_precheck":
            start = day + dt.timedelta(days=1)
            end = add_workdays(start - dt.timedelta(days=1), 5 + rng.randint(0, 2))
            on = end + dt.timedelta(days=rng.randint(0, 3))
            data = {"notice_from": start, "notice_to": end}
            if a.migrant_worker:
                data["host_notice"] = "工作地党组织已公示5个工作日，来函确认"
        elif code in ("s15_branch_vote", "s23_conversion_vote"):
            if code == "s23_conversion_vote":
                assert a.probation_ends_on is not None
                on = max(day, a.probation_ends_on) + dt.timedelta(days=1 + slack())
                data["decision"] = "convert"
            else:
                on = day + dt.timedelta(days=2 + slack())
            votes = _entitled_votes(a.org, on, rng)
            if votes is None:
                break
            data["votes"] = votes
        elif code == "s17_approval":
            on, document = day + dt.timedelta(days=20 + slack()), "党委审批意见"
        elif code == "s21_review":
            on, note = day + dt.timedelta(days=150 + slack()), "预备期表现良好"
        elif code == "s22_conversion_application":
            assert a.probation_ends_on is not None
            on = a.probation_ends_on - dt.timedelta(days=rng.randint(5, 25))
        elif code == "s24_conversion_approval":
            on = day + dt.timedelta(days=15 + slack())
        else:
            on = day + dt.timedelta(days=1 + slack())
        if on > until:
            break
        with at(on, rng.randint(0, 480)):
            services.record_step(
                actor=committee_actor if _by_committee(code) else branch_actor,
                applicant=a,
                step=StepIn(code=code, on=on, people=people, document=document, note=note, data=data),
            )
        done, day = code, on
    return done


def _id_number(ctx: DemoContext, rng: random.Random, birth: dt.date, male: bool) -> str:
    """A valid number nobody in the demo holds (core.demo.Gen.id_number, on our generator)."""
    from stdnum.cn import ric

    while True:
        seq = rng.randint(0, 499) * 2 + (1 if male else 0)
        body = f"500229{birth:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in ctx.g.used_ids:
            ctx.g.used_ids.add(number)
            return number


def _by_committee(code: str) -> bool:
    from .steps import BY_CODE

    return BY_CODE[code].by == "committee"


READY = "李晓东"  # the secretary's activist whose year passed about six weeks ago
FIRST = [  # (the step they stop before, days before yesterday the application came)
    ("s02_talk", 20),
    ("s07_candidate", 430),
    ("s07_candidate", 200),
    ("s15_branch_vote", 520),
    ("s22_conversion_application", 820),
    ("", 1150),
]

# where the demo's records stop: (share of records, the step they stop before, or "" to run on)
STOPS = [
    ("s02_talk", 0.12),
    ("s07_candidate", 0.30),
    ("s15_branch_vote", 0.15),
    ("s22_conversion_application", 0.23),
    ("", 0.20),
]


def build(ctx: DemoContext) -> None:
    assert ctx.county_org is not None, "core's tree step runs first"
    # our own generator, seeded without drawing from the demo's: the steps after this one (grading,
    # grids, cases) get the same draws whether or not this app is installed
    rng = random.Random(f"development-{ctx.n_villages}-{ctx.n_members}-{ctx.as_of}")
    User = get_user_model()
    county = User.objects.get(username="county")
    users = {u.username: u for u in User.objects.filter(username__in=("secretary", "township"))}
    until = ctx.as_of - dt.timedelta(days=1)
    villages = [v for v in ctx.villages if not v["organ"]][:VILLAGES]
    # how long before yesterday a record starts to reach its stop by then
    back = {
        "s02_talk": 20,
        "s07_candidate": 300,
        "s15_branch_vote": 500,
        "s22_conversion_application": 800,
        "": 1100,
    }
    made = ended = members = 0
    used: set[int] = set()
    ctx.say("发展党员：各阶段的发展对象（通过服务逐步办理）")
    for v in villages:
        first = v is ctx.first_village
        branch_actor = users.get("secretary", county) if first else county
        committee_actor = users.get("township", county) if first else county
        # the secretary's village has one record of each kind, at fixed ages: among them an
        # activist whose year has just passed (READY: the browser journey makes them a candidate)
        plan = FIRST if first else [None] * PER_VILLAGE
        for k, fixed in enumerate(plan):
            branch = v["branches"][k % len(v["branches"])]
            if fixed is None:
                stop = rng.choices([s for s, _w in STOPS], weights=[w for _s, w in STOPS])[0]
                # old enough to reach its stop by yesterday
                d0 = until - dt.timedelta(days=back[stop] + rng.randint(0, 120))
            else:
                stop, days = fixed
                d0 = until - dt.timedelta(days=days)
            migrant = rng.random() < 0.25
            if first and k == 1:  # READY: a new person, named for the browser journey
                birth = dt.date(d0.year - 24, 5, 6)
                person, person_data = (
                    None,
                    {
                        "name": READY,
                        "gender": "male",
                        "id_number": _id_number(ctx, rng, birth, True),
                        "education": "college",
                        "area": v["area"],
                    },
                )
            else:  # a resident of the village, living in one of its households, adult on d0
                person = (
                    people_queries.persons()
                    .filter(
                        area__path__startswith=v["area"].path,
                        household__isnull=False,
                        party_member__isnull=True,
                        birth_date__gte=dt.date(d0.year - 38, 1, 1),
                        birth_date__lte=dt.date(d0.year - 19, 1, 1),
                    )
                    .exclude(pk__in=used)
                    .order_by("pk")
                    .first()
                )
                if person is None:
                    continue
                used.add(person.pk)
                person_data = None
            with at(d0, rng.randint(0, 480)):
                a = services.apply(
                    actor=branch_actor,
                    org=branch,
                    applied_on=d0,
                    person=person,
                    person_data=person_data,
                    migrant_worker=migrant,
                    host_outside="浙江省宁波市某工业园区党委" if migrant else "",
                    document="入党申请书",
                )
            made += 1
            walk(
                a,
                branch_actor=branch_actor,
                committee_actor=committee_actor,
                until=until,
                stop_at=stop,
                rng=rng,
            )
            a.refresh_from_db()
            if a.member_id:
                members += 1
            if stop == "s07_candidate" and not first and rng.random() < 0.1:
                with at(until, rng.randint(0, 480)):
                    services.end(actor=branch_actor, applicant=a, on=until, reason="本人申请撤回入党申请")
                ended += 1
    year = ctx.as_of.year
    for v in ctx.villages:
        if v["organ"]:
            with at(min(dt.date(year, 1, 10), until)):
                services.plan_set(
                    actor=county,
                    org=v["town_org"],
                    year=year,
                    members=rng.randint(3, 8),
                    activists=rng.randint(6, 15),
                    migrant_members=rng.randint(1, 3),
                )
    ctx.summary.append(f"{made} 名发展党员对象（其中 {members} 名已接收为党员，{ended} 名终止）")
