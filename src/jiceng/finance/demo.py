"""The finance part of the demo county: in the first villages (the secretary's among them) a year
of accounts up to yesterday, posted through the services on their days — rents received against
the contracts' dues, subsidies, office costs and wages — an asset register, two contracts (one
with a rent overdue), a finance panel of three residents, and every month signed and closed (its
summary published to the finance disclosure) except the last one or two. One large expense cites
a decided matter where the decisions app's demo made one; one village has a hand-over report
that is not yet confirmed."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model

from jiceng.core.demo import DemoContext, at
from jiceng.core.errors import DomainError
from jiceng.people import queries as people_queries

from . import queries, services

VILLAGES = 4
SMALL = [  # (summary, debit code, credit code, low, high in fen)
    ("购买办公用品", "541", "101", 20_000, 150_000),
    ("支付村干部误工补贴", "541", "102", 200_000, 450_000),
    ("收到上级转移支付补助", "102", "521", 500_000, 2_000_000),
    ("村集体农产品销售收入", "102", "501", 100_000, 900_000),
    ("支付保洁人员工资", "541", "101", 80_000, 200_000),
    ("银行存款利息", "102", "522", 500, 5_000),
    ("支付水电费", "541", "102", 10_000, 60_000),
]


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    return queries.months_between(first, last)


def build(ctx: DemoContext) -> None:
    assert ctx.county_org is not None, "core's tree step runs first"
    rng = random.Random(f"finance-{ctx.n_villages}-{ctx.as_of}")
    User = get_user_model()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=("county", "township", "secretary", "secretary2"))
    }
    county = users["county"]
    yesterday = ctx.as_of - dt.timedelta(days=1)
    last_month = queries.month_start(queries.month_start(ctx.as_of) - dt.timedelta(days=1))
    first_month = queries.month_start(last_month.replace(year=last_month.year - 1) + dt.timedelta(days=31))
    queries.ensure_chart()
    chart = {a.code: a.pk for a in queries.accounts_for(ctx.county_org)}
    villages = [v for v in ctx.villages if not v["organ"]]
    chosen = [ctx.first_village, ctx.other_village] + [
        v for v in villages if v not in (ctx.first_village, ctx.other_village)
    ]
    chosen = [v for v in chosen if v is not None][:VILLAGES]
    made = closed = 0
    ctx.say("三资：一年的账、合同与月结（通过服务逐笔记账）")
    for k, v in enumerate(chosen):
        org = v["org"]
        keeper = (
            users["secretary"]
            if v is ctx.first_village
            else users["secretary2"]
            if v is ctx.other_village
            else county
        )
        signer = users["township"] if v is ctx.first_village else county
        start = first_month
        with at(start):
            asset = services.asset_add(
                actor=keeper,
                org=org,
                kind="land",
                name="集体机动地",
                quantity=f"{rng.randint(20, 120)}.5",
                unit="亩",
                value=0,
            )
            services.asset_add(
                actor=keeper,
                org=org,
                kind="building",
                name="村集体厂房",
                quantity=str(rng.randint(300, 900)),
                unit="平方米",
                value=rng.randint(20, 80) * 1_000_000,
            )
            good = services.contract_add(
                actor=keeper,
                org=org,
                kind="contracting",
                counterparty=f"{v['area'].name}种植专业合作社",
                starts_on=start,
                ends_on=start.replace(year=start.year + 5) - dt.timedelta(days=1),
                rent=rng.randint(3, 8) * 100_000,
                period_months=3,
                asset_id=asset.pk,
            )
            late = services.contract_add(
                actor=keeper,
                org=org,
                kind="lease",
                counterparty=f"{v['area'].name}农资经营部",
                starts_on=start,
                ends_on=start.replace(year=start.year + 1) + dt.timedelta(days=20),
                rent=rng.randint(2, 5) * 100_000,
                period_months=6,
            )
        seats = _panel(org, v, county, start, rng)
        dues = {d.due_on: d for d in good.dues.all()}
        late_dues = sorted(late.dues.all(), key=lambda d: d.due_on)
        matter = next((m for m in queries.decided_matters(org) if m.decided_on <= yesterday), None)
        matter_used = False
        for month in _months(first_month, queries.month_start(yesterday)):
            end = min(queries.month_end(month), yesterday)
            days = sorted(rng.sample(range(1, end.day + 1), k=min(end.day, rng.randint(4, 6))))
            for i, day_n in enumerate(days):
                day = month.replace(day=day_n)
                summary, dr, cr, lo, hi = rng.choice(SMALL)
                amount = rng.randint(lo, hi)
                with at(day):
                    services.voucher_post(
                        actor=keeper,
                        org=org,
                        date=day,
                        summary=summary,
                        lines=[services.LineIn(chart[dr], amount, 0), services.LineIn(chart[cr], 0, amount)],
                    )
                made += 1
                if i == 0:  # the rents due this month, received on the first posting day
                    for due in [d for d in dues.values() if month <= d.due_on <= day] + [
                        d for d in late_dues[:1] if month <= d.due_on <= day
                    ]:
                        with at(day):
                            services.voucher_post(
                                actor=keeper,
                                org=org,
                                date=day,
                                summary=f"收到{due.contract.counterparty}租金",
                                counterparty=due.contract.counterparty,
                                lines=[
                                    services.LineIn(chart["102"], due.amount, 0),
                                    services.LineIn(chart["511"], 0, due.amount),
                                ],
                                due_id=due.pk,
                            )
                        made += 1
            if (
                matter is not None
                and not matter_used
                and month >= queries.month_start(matter.decided_on)
                and end >= matter.decided_on
            ):
                day = max(matter.decided_on, month.replace(day=days[-1]))
                if day <= end:
                    amount = matter.amount_fen or 1_200_000
                    with at(day):
                        try:
                            services.voucher_post(
                                actor=keeper,
                                org=org,
                                date=day,
                                summary=f"{matter.title}支出",
                                lines=[
                                    services.LineIn(chart["154"], amount, 0),
                                    services.LineIn(chart["102"], 0, amount),
                                ],
                                matter_id=matter.id,
                            )
                            made += 1
                            matter_used = True
                        except DomainError:
                            pass
            # every month signed and closed but the last one (two in the second village)
            keep_open = 2 if v is ctx.other_village else 1
            if month <= last_month and month < _nth_before(last_month, keep_open - 1) and seats:
                close_day = min(queries.next_month(month) + dt.timedelta(days=rng.randint(2, 8)), yesterday)
                with at(close_day):
                    for seat in seats[:2] + ([seats[2]] if len(seats) > 2 and rng.random() < 0.7 else []):
                        services.month_sign(
                            actor=signer,
                            org=org,
                            month=month,
                            person_id=seat.person_id,
                            opinion="账目清楚，票据齐全，同意",
                        )
                    services.month_close(actor=keeper, org=org, month=month)
                closed += 1
        if k == 1:
            people = list(
                people_queries.persons().filter(area__path__startswith=v["area"].path).order_by("pk")[:2]
            )
            if len(people) == 2:
                with at(yesterday):
                    services.handover_generate(
                        actor=county,
                        org=org,
                        post="村报账员",
                        outgoing_id=people[0].pk,
                        incoming_id=people[1].pk,
                        as_of=yesterday,
                    )
    ctx.summary.append(f"{made} 张记账凭证（{len(chosen)} 个村，{closed} 个月已月结）")


def _nth_before(month: dt.date, n: int) -> dt.date:
    for _ in range(n):
        month = queries.month_start(month - dt.timedelta(days=1))
    return month


def _panel(org, v, actor, since: dt.date, rng: random.Random) -> list:
    seats = []
    candidates = list(
        people_queries.persons().filter(area__path__startswith=v["area"].path).order_by("pk")[:60]
    )
    rng.shuffle(candidates)
    with at(since):
        for p in candidates:
            if len(seats) == 3:
                break
            try:
                seats.append(services.panel_seat(actor=actor, org=org, person_id=p.pk, since=since))
            except DomainError:
                continue
    return seats
