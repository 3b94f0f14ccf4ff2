"""The contacts section of ``make bench`` (``bench/run.py --only contacts``): the contact duties
of the generated dataset (contacts/gen.py, one household per member, four for a tenth of them),
beside their SQL floors: a branch's quota table and never-visited count (the secretary's home
section), and the two ``contacts.*`` figures of a county and of the root."""

from __future__ import annotations

import datetime as dt

from floors import floor, with_floor

QUOTA_SQL = """
SELECT d.person_id, p.name, d.role, SUM(CASE WHEN d.household_id IS NOT NULL THEN 1 ELSE 0 END), COUNT(*)
FROM contacts_contactduty d JOIN core_org o ON o.id = d.org_id JOIN people_person p ON p.id = d.person_id
WHERE o.path LIKE %s AND d.since <= %s AND (d.until IS NULL OR d.until >= %s)
GROUP BY d.person_id, p.name, d.role ORDER BY p.name
"""
NEVER_SQL = """
SELECT COUNT(*) FROM contacts_contactduty d JOIN core_org o ON o.id = d.org_id
WHERE o.path LIKE %s AND d.since <= %s AND (d.until IS NULL OR d.until >= %s)
AND NOT EXISTS (SELECT 1 FROM grids_visit v WHERE v.visitor_person_id = d.person_id
  AND v.household_id = d.household_id AND v.visited_on >= d.since AND v.visited_on <= %s)
"""


def measure(table, scale: str) -> None:
    from django.db import connection

    from jiceng.contacts import selectors
    from jiceng.contacts.models import ContactDuty
    from jiceng.core import indicators
    from jiceng.core.models import RoleAssignment, User
    from jiceng.core.periods import Period

    n = 5 if scale in ("city", "province") else 10
    total = ContactDuty.objects.count()
    if not total:
        table.add(
            "contacts", [0.0], None, "no contact duties in this dataset (generated before contacts/gen.py)"
        )
        return
    print(f"== contacts: {total:,} contact duties, database {connection.vendor}", flush=True)
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["bench_root", "bench_county", "bench_village"])
    }
    orgs = {
        k: RoleAssignment.objects.filter(user=u).select_related("org").first().org for k, u in users.items()
    }
    today = dt.date.today()
    village_user, village = users["bench_village"], orgs["bench_village"]
    like = village.path + "%"
    with_floor(
        table,
        "contacts quota table (a village)",
        lambda: selectors.quota_rows(actor=village_user, org=village),
        floor(connection, QUOTA_SQL, [like, today, today]),
        n,
    )
    with_floor(
        table,
        "contacts never-visited count (a village)",
        lambda: selectors.org_duties(actor=village_user, org=village, flag="never").count(),
        floor(connection, NEVER_SQL, [like, today, today, today]),
        n,
    )
    period = Period(dt.date(today.year, 1, 1), today - dt.timedelta(days=1), "year")
    names = ["contacts.duties", "contacts.never_visited"]
    for label, org in (("a county", orgs["bench_county"]), ("the root", orgs["bench_root"])):
        d = period.as_of
        with_floor(
            table,
            f"2 contacts.* figures, {label} ({org.name})",
            lambda org=org: indicators.compute_live(names, org, period),
            floor(connection, NEVER_SQL, [org.path + "%", d, d, d]),
            n if label == "a county" else 2,
        )
