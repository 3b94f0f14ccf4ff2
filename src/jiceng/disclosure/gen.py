"""The disclosures of ``jiceng gen``: every village and community's top organisation publishes its
finances monthly and its party, village and service affairs quarterly over the last four quarters
(about six items a quarter), each on a day in the first ten days of the following period; one
village in twenty stopped publishing its finances four months ago (overdue). Rows as the service
would leave them, streamed through the Sink (COPY on PostgreSQL, batched INSERTs on SQLite)."""

from __future__ import annotations

import datetime as dt

from jiceng.core.gen import GenContext, ModelSink

from . import queries
from .models import Item
from .rules import next_period, period_start

FIELDS = (
    "org", "village", "affair", "title", "body", "published_on", "period_start", "period_end", "major", "source",
    "link", "display_until", "created_at",
)  # fmt: skip
QUARTERS = 4
LAGGING = 20  # one village in this many is overdue on its finances
TITLE = {"party": "党务公开", "village": "村务公开", "service": "服务公开"}


def build(ctx: GenContext) -> None:
    rng = ctx.rng
    yesterday = ctx.g.as_of - dt.timedelta(days=1)
    now = dt.datetime.now(dt.UTC)
    months: list[dt.date] = []
    m = period_start(yesterday, "month")
    for _ in range(QUARTERS * 3 + 1):
        months.append(m)
        m = period_start(m - dt.timedelta(days=1), "month")
    months.reverse()
    villages = queries.village_orgs(queries.villages()).order_by("pk").values_list("pk", "area_id")
    made = 0
    with ModelSink(Item, FIELDS) as sink:
        for n, (org_id, area_id) in enumerate(villages.iterator(chunk_size=5000)):
            lagging = n % LAGGING == LAGGING - 1
            for i, m in enumerate(months[1:], start=1):
                if lagging and i > len(months) - 5:
                    continue
                day = m + dt.timedelta(days=rng.randint(1, 9))
                if day > yesterday:
                    continue
                prev = months[i - 1]
                sink.row(
                    (
                        org_id, area_id, "finance", f"{prev:%Y年%m月}财务收支公开",
                        f"本月收入{rng.randint(1, 300) * 100}元，支出{rng.randint(1, 300) * 100}元。",
                        day, prev, m - dt.timedelta(days=1), False, "", "", None, now,
                    )
                )  # fmt: skip
                made += 1
                if m.month not in (1, 4, 7, 10):
                    continue
                q = period_start(m - dt.timedelta(days=1), "quarter")
                for affair, title in TITLE.items():
                    sink.row(
                        (
                            org_id, area_id, affair, f"{q.year}年第{(q.month - 1) // 3 + 1}季度{title}",
                            f"{title}：本季度事项{rng.randint(2, 12)}项，均已办结。", day, q,
                            next_period(q, "quarter") - dt.timedelta(days=1), False, "", "", None, now,
                        )
                    )  # fmt: skip
                    made += 1
    ctx.counts["disclosure_items"] = made
    ctx.say(f"disclosure: {made} items")
