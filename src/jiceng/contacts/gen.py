"""The contact duties of ``jiceng gen``: every generated member contacts one household of their
village (000-R3: each ordinary member one household), a few rural members four, from a day in the
last year. Streamed: the members in one server-side pass, each village's households as the run of
keys people's step gave them (taken before the grids step moves households into grids)."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from jiceng.core.gen import GenContext, ModelSink

from .models import ContactDuty

FIELDS = ("person", "role", "org", "household", "area", "since", "until", "created_by", "created_at")
RURAL_SHARE = 0.1  # members who contact four needy households (001)


def build(ctx: GenContext) -> None:
    rng = ctx.rng
    yesterday = ctx.g.as_of - dt.timedelta(days=1)
    now = dt.datetime.now(dt.UTC)
    with connection.cursor() as cur:
        cur.execute("SELECT area_id, MIN(id), MAX(id) FROM people_household GROUP BY area_id")
        runs = {area_id: [lo, hi, lo] for area_id, lo, hi in cur.fetchall()}  # [first, last, next]
    made = 0
    with ModelSink(ContactDuty, FIELDS) as sink, connection.chunked_cursor() as cur:
        cur.execute(
            "SELECT m.person_id, m.org_id, p.area_id FROM people_partymember m "
            "JOIN people_person p ON p.id = m.person_id WHERE p.area_id IS NOT NULL"
        )
        while rows := cur.fetchmany(20_000):
            for person_id, org_id, area_id in rows:
                run = runs.get(area_id)
                if run is None:
                    continue
                rural = rng.random() < RURAL_SHARE
                since = yesterday - dt.timedelta(days=rng.randint(10, 360))
                for _ in range(4 if rural else 1):
                    hid = run[2]
                    run[2] = run[0] if hid >= run[1] else hid + 1
                    sink.row(
                        (
                            person_id,
                            "rural_member" if rural else "member",
                            org_id,
                            hid,
                            None,
                            since,
                            None,
                            None,
                            now,
                        )
                    )
                    made += 1
    ctx.counts["contact_duties"] = made
    ctx.say(f"contacts: {made} contact duties")
