"""The organisational-life rows of ``jiceng gen``: the scale's months (24) of meetings with
attendance, then the current month's up to yesterday (nothing dated on or after ``as_of``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from jiceng.core.gen import GenContext, Sink
from jiceng.core.gen import months as month_starts


def build(ctx: GenContext) -> None:
    scale, rng, ids, tree = ctx.scale, ctx.rng, ctx.ids, ctx.tree
    as_of = ctx.g.as_of
    months = [*month_starts(scale.months, as_of), as_of.replace(day=1)]  # the last one: up to yesterday
    meetings = attendance = 0
    mt_cols = (
        "id",
        "org_id",
        "kind",
        "held_on",
        "place",
        "topic",
        "first_agenda",
        "topic_item_id",
        "minutes",
        "recorded_by_id",
        "recorded_at",
    )
    at_cols = ("id", "meeting_id", "member_id", "status", "reason")
    now = dt.datetime.now(dt.UTC)

    def statuses(rows: list) -> Iterator[tuple[int, str, str]]:
        for mid, _o, _joined in rows:
            r = rng.random()
            if r < 0.86:
                yield mid, "present", ""
            elif r < 0.91:
                yield mid, "online", ""
            elif r < 0.97:
                yield mid, "leave", "外出务工"
            else:
                yield mid, "absent", "未请假"

    with Sink("orglife_meeting", mt_cols) as ms, Sink("orglife_attendance", at_cols) as ats:
        for vi, (_area_id, _vn, org_id, _path, groups) in enumerate(tree.villages):
            members = tree.members_of.get(org_id, [])
            silent = rng.random() < 0.03
            for month in months:
                if silent and month > as_of - dt.timedelta(days=220):
                    continue
                plan = []
                if month.month % 2 == 1 and rng.random() < 0.85:
                    plan.append(("theme_day", org_id, members))
                if rng.random() < 0.8:
                    plan.append(("committee_meeting", org_id, members[:5]))
                if month.month % 3 == 0 and rng.random() < 0.8:
                    plan.append(("branch_assembly", org_id, members))
                for gid, _gpath in groups:
                    if rng.random() < 0.6:
                        plan.append(("group_meeting", gid, [m for m in members if m[1] == gid]))
                for kind, holder, invited in plan:
                    day = month + dt.timedelta(days=rng.randint(0, 25))
                    if day >= as_of:  # not held yet
                        continue
                    present = [m for m in invited if m[2] <= day]
                    if not present:
                        continue
                    meeting_id = ids.take("orglife_meeting")
                    ms.row(
                        (
                            meeting_id,
                            holder,
                            kind,
                            day,
                            "党员活动室",
                            "学习贯彻会议精神",
                            "学习重要讲话精神",
                            None,
                            "",
                            None,
                            now,
                        )
                    )
                    meetings += 1
                    for mid, status, reason in statuses(present):
                        ats.row((ids.take("orglife_attendance"), meeting_id, mid, status, reason))
                        attendance += 1
            if vi % 5000 == 4999:
                ctx.say(
                    f"organisational life: {vi + 1}/{len(tree.villages)} villages, {meetings} meetings, "
                    f"{attendance} attendance rows"
                )
    ctx.say(f"organisational life: {meetings} meetings, {attendance} attendance rows")
    ctx.counts.update({"meetings": meetings, "attendance": attendance})
