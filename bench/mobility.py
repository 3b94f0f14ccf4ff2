"""The mobility section of ``make bench`` (``bench/run.py --only mobility`` once its name is in
``APP_BENCHES``): the mobility rows of the generated dataset (mobility/gen.py) and the membership
history (people.Membership), each operation beside the best single query we can write for the same
answer (its SQL floor), as bench/dues.py does.

* a village secretary's mobility board (``selectors.board``: out-flow records with the overdue /
  失联 / transfer flags, in-flow, open transfers);
* the five mobility figures of a county and of the province root (``indicators.compute_live``);
* ``people.member_count`` by the history (``queries.memberships_on``) for a county and the root,
  beside the count over the history table alone.
"""

from __future__ import annotations

import datetime as dt

from floors import floor, with_floor

OUTFLOW_SQL = """
SELECT COUNT(*) FROM mobility_outflow f JOIN people_partymember m ON m.id = f.member_id
JOIN core_org o ON o.id = m.org_id
WHERE o.path LIKE %s AND f.since <= %s AND (f.ended_on IS NULL OR f.ended_on > %s)
  AND m.joined_on <= %s AND (m.left_on IS NULL OR m.left_on > %s)
"""
MEMBERS_SQL = """
SELECT COUNT(*) FROM people_membership h JOIN core_org o ON o.id = h.org_id
WHERE o.path LIKE %s AND h.since <= %s AND (h.until IS NULL OR h.until > %s)
"""


def measure(table, scale: str) -> None:
    from django.db import connection
    from django.utils import timezone

    from jiceng.core import indicators
    from jiceng.core.models import RoleAssignment, User
    from jiceng.core.periods import Period
    from jiceng.mobility import selectors
    from jiceng.mobility.models import Outflow

    n = 5 if scale in ("city", "province") else 10
    total = Outflow.objects.count()
    if not total:
        table.add(
            "mobility", [0.0], None, "no out-flow records in this dataset (generated before mobility/gen.py)"
        )
        return
    print(f"== mobility: {total:,} out-flow records, database {connection.vendor}", flush=True)
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["bench_root", "bench_county", "bench_village"])
    }
    orgs = {
        name: RoleAssignment.objects.filter(user=u).select_related("org__area").first().org
        for name, u in users.items()
    }
    today = timezone.localdate()
    sec, branch = users["bench_village"], orgs["bench_village"]
    table.timed("mobility board, a village", lambda: selectors.board(actor=sec, org=branch, day=today), n=n)

    period = Period(dt.date(today.year, 1, 1), today - dt.timedelta(days=1), "year to date")
    d = period.as_of
    names = sorted(k for k in indicators.registry() if k.startswith("mobility."))
    for who in ("bench_county", "bench_root"):
        org = orgs[who]
        like = org.path + "%"
        runs = 1 if (who == "bench_root" and scale == "province") else (3 if scale == "city" else n)
        with_floor(
            table,
            f"mobility figures ({len(names)} indicators), {org.name}",
            lambda org=org: indicators.compute_live(names, org, period),
            floor(connection, OUTFLOW_SQL, [like, d, d, d, d]),
            runs,
        )
        with_floor(
            table,
            f"people.member_count by the history, {org.name}",
            lambda org=org: indicators.compute_live(["people.member_count"], org, period),
            floor(connection, MEMBERS_SQL, [like, d, d]),
            runs,
        )
