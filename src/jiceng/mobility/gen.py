"""The mobility rows of ``jiceng gen``: an out-flow record for every member people's step marked as
working away (≈10%: ≈200,000 at province scale), a check-in for most of them (≈10% overdue, ≈5%
out of contact), every village branch's type and a few online branches, and a few pocket members
(letters issued four months ago, never received). Streamed through ModelSink (COPY on PostgreSQL);
the records are read back by key ranges, never one at a time."""

from __future__ import annotations

import datetime as dt

from jiceng.core.gen import GenContext, ModelSink
from jiceng.people import queries as people

from .models import BranchProfile, CheckIn, Outflow, Transfer

CHANNELS = ("wechat", "phone", "qq", "online_branch")
PLACES = ("广东东莞", "浙江宁波", "江苏苏州", "福建晋江", "上海松江", "重庆九龙坡")


def build(ctx: GenContext) -> None:
    import random

    rng = random.Random()  # its own draws: the later steps' rows stay what they were
    rng.setstate(ctx.rng.getstate())
    rng.seed(f"mobility-{rng.random()}")
    ids, tree = ctx.ids, ctx.tree
    assert tree is not None, "core's trees step runs first"
    as_of = ctx.g.as_of
    now = dt.datetime.now(dt.UTC)
    outs = checks = pockets = 0
    away = people.members().filter(mobility="outflow", left_on__isnull=True).order_by("pk")
    from django.contrib.auth import get_user_model

    issuer = get_user_model().objects.order_by("pk").values_list("pk", flat=True).first()
    with (
        ModelSink(
            Outflow,
            (
                "id",
                "member",
                "destination",
                "employer",
                "contact",
                "keep_in_touch",
                "card_number",
                "fixed_place",
                "since",
                "ended_on",
                "created_at",
            ),
        ) as os_,
        ModelSink(CheckIn, ("id", "outflow", "on", "kind", "channel", "note")) as cs,
        ModelSink(
            Transfer,
            (
                "id",
                "member",
                "kind",
                "from_org",
                "destination",
                "letter_number",
                "issued_on",
                "valid_until",
                "dues_paid_to",
                "state",
                "issued_by",
                "note",
                "created_at",
            ),
        ) as ts,
    ):
        for pk, org_id, joined in away.values_list("pk", "org_id", "joined_on").iterator(chunk_size=20000):
            since = max(joined, as_of - dt.timedelta(days=rng.randint(40, 900)))
            oid = ids.take("mobility_outflow")
            channel = rng.choice(CHANNELS)
            os_.row((oid, pk, rng.choice(PLACES), "", "", channel, "", rng.random() < 0.4, since, None, now))
            outs += 1
            r = rng.random()
            if r >= 0.05:
                back = rng.randint(100, 170) if r < 0.15 else rng.randint(1, 85)
                cs.row(
                    (
                        ids.take("mobility_checkin"),
                        oid,
                        max(since, as_of - dt.timedelta(days=back)),
                        "thought",
                        channel,
                        "",
                    )
                )
                checks += 1
            if issuer is not None and rng.random() < 0.005:
                issued = as_of - dt.timedelta(days=120)
                if issued >= joined:
                    ts.row(
                        (
                            ids.take("mobility_transfer"),
                            pk,
                            "outside",
                            org_id,
                            "外省某党组织",
                            f"G{pk}",
                            issued,
                            issued + dt.timedelta(days=91),
                            issued.replace(day=1),
                            "issued",
                            issuer,
                            "",
                            now,
                        )
                    )
                    pockets += 1
    with ModelSink(
        BranchProfile, ("id", "org", "branch_type", "online", "platform", "note", "updated_at")
    ) as ps:
        for _area_id, vname, org_id, _path, _groups in tree.villages:
            online = rng.random() < 0.02
            ps.row(
                (
                    ids.take("mobility_branchprofile"),
                    org_id,
                    "online" if online else "single",
                    online,
                    f"{vname}流动党员微信群" if online else "",
                    "",
                    now,
                )
            )
    ctx.say(f"mobility: {outs} out-flow records, {checks} check-ins, {pockets} pocket members")
    ctx.counts.update({"outflows": outs, "checkins": checks, "pocket_members": pockets})
