"""The dues section of ``make bench`` (``bench/run.py --only dues`` once its name is in
``APP_BENCHES``): the dues rows of the generated dataset (dues/gen.py), each operation beside the
best single query we can write for the same answer (its SQL floor), as bench/cases.py does.

* the branch page of a village secretary (``bench_village``): ``selectors.branch_members`` first
  page with the paid-up-to months and flags (``member_rows``);
* the four dues figures of a county and of the province root (``indicators.compute_live``): due
  and paid for the year's months, collected, members in arrears, six months in a row unpaid;
* ``queries.unpaid_streaks`` for 1,000 members (what mobility asks for 党章第九条's signs).
"""

from __future__ import annotations

import datetime as dt

from floors import floor, with_floor

DUE_SQL = """
SELECT SUM(b.amount * (LEAST(COALESCE(b.until_no, 10000000), %s) - GREATEST(b.from_no, %s) + 1))
FROM dues_duesbase b JOIN people_partymember m ON m.id = b.member_id JOIN core_org o ON o.id = m.org_id
WHERE o.path LIKE %s AND b.from_no <= %s AND (b.until_no IS NULL OR b.until_no >= %s)
"""
PAID_SQL = """
SELECT SUM(pm.amount) FROM dues_paymentmonth pm JOIN dues_payment p ON p.id = pm.payment_id
JOIN people_partymember m ON m.id = pm.member_id JOIN core_org o ON o.id = m.org_id
WHERE o.path LIKE %s AND pm.month_no BETWEEN %s AND %s AND p.paid_on <= %s
"""
COLLECTED_SQL = """
SELECT SUM(p.amount) FROM dues_payment p JOIN people_partymember m ON m.id = p.member_id
JOIN core_org o ON o.id = m.org_id
WHERE o.path LIKE %s AND p.voided_at IS NULL AND p.paid_on BETWEEN %s AND %s
"""
ARREARS_SELECT = """SUM(CASE WHEN (%s + 1 - s.start - COALESCE(s.paid, 0)) >= 3 THEN 1 ELSE 0 END),
       SUM(CASE WHEN (%s - GREATEST(COALESCE(s.last, -1), s.start - 1)) >= 6 THEN 1 ELSE 0 END)"""
# per member: first declared month, paid months and the last paid month up to L
ARREARS_SQL = f"""
SELECT {ARREARS_SELECT}
FROM (
  SELECT m.id,
    (SELECT MIN(b.from_no) FROM dues_duesbase b WHERE b.member_id = m.id) AS start,
    (SELECT COUNT(*) FROM dues_paymentmonth pm JOIN dues_payment p ON p.id = pm.payment_id
     WHERE pm.member_id = m.id AND pm.month_no <= %s AND p.paid_on <= %s) AS paid,
    (SELECT MAX(pm.month_no) FROM dues_paymentmonth pm JOIN dues_payment p ON p.id = pm.payment_id
     WHERE pm.member_id = m.id AND pm.month_no <= %s AND p.paid_on <= %s) AS last
  FROM people_partymember m JOIN core_org o ON o.id = m.org_id
  WHERE o.path LIKE %s AND m.joined_on <= %s
) s WHERE s.start IS NOT NULL
"""
STREAK_SQL = """
SELECT m.id, (SELECT MIN(b.from_no) FROM dues_duesbase b WHERE b.member_id = m.id),
  (SELECT MAX(pm.month_no) FROM dues_paymentmonth pm JOIN dues_payment p ON p.id = pm.payment_id
   WHERE pm.member_id = m.id AND pm.month_no <= %s AND p.paid_on <= %s)
FROM people_partymember m WHERE m.id IN ({ids})
"""


def measure(table, scale: str) -> None:
    from django.db import connection
    from django.utils import timezone

    from jiceng.core import indicators
    from jiceng.core.models import RoleAssignment, User
    from jiceng.core.periods import Period
    from jiceng.dues import calc, queries, selectors
    from jiceng.dues.models import PaymentMonth

    n = 5 if scale in ("city", "province") else 10
    total = PaymentMonth.objects.count()
    if not total:
        table.add(
            "dues",
            [0.0],
            None,
            "no dues in this dataset (generated before dues/gen.py): drop it to regenerate",
        )
        return
    print(f"== dues: {total:,} paid months, database {connection.vendor}", flush=True)
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["bench_root", "bench_county", "bench_village"])
    }
    orgs = {
        name: RoleAssignment.objects.filter(user=u).select_related("org__area").first().org
        for name, u in users.items()
    }
    today = timezone.localdate()

    # the branch page: first page of members with arrears, this month's dues and paid up to
    sec, branch = users["bench_village"], orgs["bench_village"]

    def branch_page():
        members = list(selectors.branch_members(actor=sec, org=branch, today=today)[:50])
        return selectors.member_rows(actor=sec, org=branch, members=members, today=today)

    last = calc.last_full_month_no(today)
    with_floor(
        table,
        "dues branch page, first 50 members",
        branch_page,
        floor(
            connection,
            ARREARS_SQL.replace(
                "SUM(CASE WHEN (%s + 1 - s.start - COALESCE(s.paid, 0)) >= 3 THEN 1 ELSE 0 END),\n       SUM(CASE WHEN (%s - GREATEST(COALESCE(s.last, -1), s.start - 1)) >= 6 THEN 1 ELSE 0 END)",
                "s.id, s.start, s.paid, s.last, %s, %s",
            )
            + " LIMIT 50",
            [last, last, last, today, last, today, branch.path + "%", today],
        ),
        n,
    )

    # the four figures for the year to yesterday, a county and the root
    period = Period(dt.date(today.year, 1, 1), today - dt.timedelta(days=1), "year to date")
    lo, hi = queries.period_months(period.start, period.as_of)
    names = sorted(k for k in indicators.registry() if k.startswith("dues."))
    for who in ("bench_county", "bench_root"):
        org = orgs[who]
        like = org.path + "%"
        runs = 1 if (who == "bench_root" and scale == "province") else (3 if scale == "city" else n)
        day = period.as_of + dt.timedelta(days=1)
        L = calc.last_full_month_no(day)
        with_floor(
            table,
            f"dues figures ({len(names)} indicators), {org.name}",
            lambda org=org: indicators.compute_live(names, org, period),
            lambda like=like, L=L: (
                floor(connection, DUE_SQL, [hi, lo, like, hi, lo])(),
                floor(connection, PAID_SQL, [like, lo, hi, period.as_of])(),
                floor(connection, COLLECTED_SQL, [like, period.start, period.as_of])(),
                floor(
                    connection, ARREARS_SQL, [L, L, L, period.as_of, L, period.as_of, like, period.as_of]
                )(),
            ),
            runs,
        )

    # unpaid streaks for 1,000 members (mobility's 党章第九条 signs)
    ids = list(
        PaymentMonth.objects.order_by("member_id").values_list("member_id", flat=True).distinct()[:1000]
    )
    with_floor(
        table,
        f"dues unpaid_streaks, {len(ids)} members",
        lambda: queries.unpaid_streaks(ids, today),
        floor(
            connection,
            STREAK_SQL.format(ids=",".join(map(str, ids))),
            [calc.last_full_month_no(today), today],
        ),
        n,
    )
