"""The disclosures of the demo county: every village and community publishes, through the
services and dated on the days of the story, its finances monthly and its party, village and
service affairs quarterly over the past half year (a few a little late); one village of the first
township stopped publishing its finances three months ago, so the township's overdue list and
the dashboard show it. Names a disclosure must name (低保) appear only on items older than their
display period, so the public pages name no one today."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model

from jiceng.core.demo import DemoContext, at

from . import services
from .rules import next_period, period_start

MONTHS = 6
FINANCE = ["村集体经营收入", "上级转移支付", "村干部报酬", "村道维修", "环境整治", "办公经费"]
QUARTER = {
    "party": ("党务公开", "发展党员、党费收缴、主题党日活动情况；党员积分管理结果。"),
    "village": ("村务公开", "村级工程项目进展、集体资产承包情况、惠农补贴发放情况。"),
    "service": ("服务公开", "便民服务事项办理情况：代办{n}件，办结{m}件。"),
}


def _finance_body(rng: random.Random) -> str:
    lines = [f"{k}：{rng.randint(2, 90) * 100}元" for k in rng.sample(FINANCE, 4)]
    return "本月收支明细：\n" + "\n".join(lines) + "\n民主理财小组已审核。"


def build(ctx: DemoContext) -> None:
    rng = random.Random(f"disclosure-{ctx.n_villages}-{ctx.as_of}")
    User = get_user_model()
    county = User.objects.get(username="county")
    secretary = User.objects.filter(username="secretary").first()
    until = ctx.as_of - dt.timedelta(days=1)
    villages = [v for v in ctx.villages if not v["organ"]]
    first = ctx.first_village
    lagging = next(
        (v for v in villages if first and v["town_org"] is first["town_org"] and v is not first),
        first,  # a small county may have one village in the first township: then that one
    )
    start = period_start(until, "month")
    months = []
    for _ in range(MONTHS):
        months.append(start)
        start = period_start(start - dt.timedelta(days=1), "month")
    months.reverse()
    made = 0
    for v in villages:
        actor = secretary if v is first and secretary else county
        org = v["org"]

        def publish(day: dt.date, _actor=actor, _org=org, **kw) -> None:
            nonlocal made
            with at(day, rng.randint(0, 480)):
                services.publish(actor=_actor, org=_org, published_on=day, **kw)
            made += 1

        for i, m in enumerate(months[1:], start=1):
            # the previous month's finances, in the first days of the month (one in ten late)
            if v is lagging and i >= MONTHS - 3:
                continue
            day = m + dt.timedelta(days=rng.randint(1, 8) if rng.random() > 0.1 else rng.randint(10, 14))
            if day > until:
                continue
            prev = months[i - 1]
            publish(
                day,
                affair="finance",
                title=f"{prev:%Y年%m月}财务收支公开",
                body=_finance_body(rng),
                period_start=prev,
                period_end=m - dt.timedelta(days=1),
                source=f"demo.finance:{prev:%Y-%m}",
            )
        for m in months:
            if m.month not in (1, 4, 7, 10):
                continue
            prev = period_start(m - dt.timedelta(days=1), "quarter")
            for affair, (title, body) in QUARTER.items():
                day = m + dt.timedelta(days=rng.randint(2, 9))
                if day > until:
                    continue
                q = (prev.month - 1) // 3 + 1
                publish(
                    day,
                    affair=affair,
                    title=f"{prev.year}年第{q}季度{title}",
                    body=body.format(n=rng.randint(10, 60), m=rng.randint(5, 10)),
                    period_start=prev,
                    period_end=next_period(prev, "quarter") - dt.timedelta(days=1),
                )
        if rng.random() < 0.5:
            # a 低保 list, long enough ago that its names are no longer shown
            day = until - dt.timedelta(days=rng.randint(30, 120))
            publish(
                day,
                affair="service",
                title="城乡低保对象名单公示",
                body="经村民代表评议、乡镇审核，拟纳入最低生活保障的家庭名单如下（公示期内如有异议请向村委会反映）。",
                names=[
                    f"{rng.choice('王李张刘陈杨')}某{rng.choice('甲乙丙丁')}"
                    for _ in range(rng.randint(2, 5))
                ],
                major=True,
                period_start=day - dt.timedelta(days=2),
                period_end=day - dt.timedelta(days=2),
            )
    ctx.summary.append(f"{made} 项四务公开（{lagging['area'].name if lagging else '—'}财务逾期未公开）")
