"""The dues rows of ``jiceng gen``: every generated member's declaration and twelve months of
payments up to last month, told by the demo's ``story`` (the same habits and arrears), streamed by
the kit's sinks (COPY on PostgreSQL, batched INSERTs on SQLite). At province scale (≈2.0 M members)
that is ≈2.0 M declarations, ≈17 M receipts and ≈24 M paid months (county scale, SQLite: 12,845,
109,742 and 150,907 rows in 4.2 s)."""

from __future__ import annotations

import random
import time

from jiceng.core.gen import GenContext, db_now, deferred_indexes

from .demo import Writer, story
from .models import DuesBase, Payment, PaymentMonth


def build(ctx: GenContext) -> None:
    tree = ctx.tree
    assert tree is not None, "core's trees step runs first"
    started = time.monotonic()
    rng = random.Random(ctx.rng.getrandbits(64))
    as_of = ctx.g.as_of
    with deferred_indexes(DuesBase, Payment, PaymentMonth), Writer(ctx.ids, db_now()) as w:
        for vi, members in enumerate(tree.members_of.values()):
            for member_id, org_id, joined in members:
                decls, pays = story(rng, joined_on=joined, age=None, place="village", as_of=as_of)
                w.member(member_id, org_id, decls, pays)
            if vi % 5000 == 4999:
                ctx.say(f"dues: {vi + 1}/{len(tree.members_of)} villages, {w.payments.count} receipts")
    c = w.counts
    ctx.say(
        f"dues: {c['dues_bases']} declarations, {c['dues_payments']} receipts, {c['dues_months']} paid months "
        f"in {time.monotonic() - started:.1f}s"
    )
    ctx.counts.update(c)
