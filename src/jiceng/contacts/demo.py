"""The contact duties of the demo county: in the first villages every member contacts one or more
households (rural members 4–5, as 001 asks; a few short of it), through the services, and most
have visited since — recorded as the grids app's visits with the member as visitor."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model

from jiceng.core.demo import DemoContext, at
from jiceng.grids import queries as grids_queries
from jiceng.people import queries as people_queries

from . import services

VILLAGES = 3
ASKS = ["家里老人身体还好，想了解慢病报销", "孩子上学路上不安全", "想参加电商培训", "庄稼收成好，没有困难"]


def build(ctx: DemoContext) -> None:
    # our own generator: the steps after this one draw what they would without this app
    rng = random.Random(f"contacts-{ctx.n_villages}-{ctx.n_members}-{ctx.as_of}")
    User = get_user_model()
    county = User.objects.get(username="county")
    secretary = User.objects.filter(username="secretary").first()
    until = ctx.as_of - dt.timedelta(days=1)
    made = visits = 0
    for v in [v for v in ctx.villages if not v["organ"]][:VILLAGES]:
        actor = secretary if v is ctx.first_village and secretary else county
        org = v["org"]
        households = list(
            people_queries.households()
            .filter(area__path__startswith=v["area"].path)
            .filter(grids_queries.in_grid_q("area"))
            .order_by("pk")
            .values_list("pk", flat=True)[:400]
        )
        members = list(
            people_queries.memberships_on(until)
            .filter(org__path__startswith=org.path)
            .order_by("member_id")
            .values_list("member__person_id", "since")[:60]
        )
        if not households or not members:
            continue
        rng.shuffle(households)
        for person_id, member_since in members:
            rural = rng.random() < 0.4
            role, n = ("rural_member", rng.choice((3, 4, 4, 5))) if rural else ("member", 1)
            # not before the member came to this organisation (a duty is a member's of that day)
            since = max(until - dt.timedelta(days=rng.randint(30, 400)), member_since)
            for _ in range(n):
                if not households:
                    break
                with at(since, rng.randint(0, 480)):  # audited on the day it began
                    duty = services.assign(
                        actor=actor,
                        org=org,
                        person_id=person_id,
                        role=role,
                        since=since,
                        household_id=households.pop(),
                    )
                made += 1
                if rng.random() < 0.75:
                    # after the duty began, within the 300 days before yesterday (recorded within a year)
                    on = until - dt.timedelta(days=rng.randint(0, min(300, (until - since).days)))
                    with at(on, rng.randint(0, 480)):
                        services.record_visit(
                            actor=actor,
                            duty=duty,
                            kind="visit",
                            visited_on=on,
                            asked_needs=rng.choice(ASKS),
                            sent_policy=rng.random() < 0.5,
                        )
                    visits += 1
    ctx.summary.append(f"{made} 项联系户分包（{visits} 次联系走访）")
