"""The finance section of ``make bench`` (``bench/run.py --only finance``): on the generated
dataset (finance/gen.py), each operation beside its SQL floor.

* the monthly report (科目余额表) of a village (``selectors.trial_balance``, one grouped query);
* the monthly report of a township: every village and account (``selectors.trial_rows_many``);
* the operating-income figure (``finance.operating_income``) of a county and of the province root.
"""

from __future__ import annotations

import datetime as dt

from floors import floor, with_floor

TRIAL_SQL = """
SELECT l.account_id,
  SUM(CASE WHEN l.date < %(s)s THEN l.debit ELSE 0 END), SUM(CASE WHEN l.date < %(s)s THEN l.credit ELSE 0 END),
  SUM(CASE WHEN l.date >= %(s)s THEN l.debit ELSE 0 END), SUM(CASE WHEN l.date >= %(s)s THEN l.credit ELSE 0 END)
FROM finance_line l WHERE l.org_id = %(o)s AND l.date <= %(e)s GROUP BY l.account_id
"""
TRIAL_MANY_SQL = """
SELECT l.org_id, l.account_id,
  SUM(CASE WHEN l.date < %(s)s THEN l.debit ELSE 0 END), SUM(CASE WHEN l.date < %(s)s THEN l.credit ELSE 0 END),
  SUM(CASE WHEN l.date >= %(s)s THEN l.debit ELSE 0 END), SUM(CASE WHEN l.date >= %(s)s THEN l.credit ELSE 0 END)
FROM finance_line l JOIN core_org o ON o.id = l.org_id WHERE o.path LIKE %(p)s AND l.date <= %(e)s
GROUP BY l.org_id, l.account_id
"""
INCOME_SQL = """
SELECT SUM(l.credit) - SUM(l.debit) FROM finance_line l JOIN core_org o ON o.id = l.org_id
JOIN finance_account a ON a.id = l.account_id
WHERE o.path LIKE %(p)s AND l.date >= %(s)s AND l.date <= %(e)s AND a.category = 'pnl' AND a.normal = 'credit'
  AND NOT a.subsidy
"""


def measure(table, scale: str) -> None:
    from django.db import connection

    from jiceng.core import indicators
    from jiceng.core.models import Org, OrgKind, RoleAssignment, User
    from jiceng.core.periods import Period
    from jiceng.finance import queries, selectors
    from jiceng.finance.models import Line, Voucher

    n = 5 if scale in ("city", "province") else 10
    total = Voucher.objects.count()
    if not total:
        table.add("finance", [0.0], None, "no vouchers in this dataset (generated before finance/gen.py)")
        return
    print(
        f"== finance: {total:,} vouchers, {Line.objects.count():,} lines, database {connection.vendor}",
        flush=True,
    )
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["bench_root", "bench_county", "bench_village"])
    }
    orgs = {
        name: RoleAssignment.objects.filter(user=u).select_related("org").first().org
        for name, u in users.items()
    }
    root_user = users["bench_root"]
    village = (
        queries.village_orgs().filter(path__startswith=orgs["bench_village"].path).first()
        or orgs["bench_village"]
    )
    today = dt.date.today()
    month = queries.month_start(queries.month_start(today) - dt.timedelta(days=1))
    end = queries.month_end(month)
    with_floor(
        table,
        f"finance monthly report, a village ({village.name})",
        lambda: selectors.trial_balance(actor=root_user, org=village, month=month),
        floor(connection, TRIAL_SQL, {"s": month, "e": end, "o": village.pk}),
        n,
    )
    county = orgs["bench_county"]
    township = Org.objects.filter(
        path__startswith=county.path, depth=county.depth + 1, kind=OrgKind.COMMITTEE
    ).first()
    if township is not None:
        with_floor(
            table,
            f"finance monthly report, a township ({township.name})",
            lambda: list(selectors.trial_rows_many(actor=root_user, org=township, start=month, end=end)),
            floor(connection, TRIAL_MANY_SQL, {"s": month, "e": end, "p": township.path + "%"}),
            n,
        )
    period = Period(dt.date(today.year, 1, 1), today - dt.timedelta(days=1), "this year")
    for label, org in (("a county", county), ("the root", orgs["bench_root"])):
        with_floor(
            table,
            f"finance.operating_income, {label} ({org.name})",
            lambda org=org: indicators.compute_live(["finance.operating_income"], org, period),
            floor(connection, INCOME_SQL, {"s": period.start, "e": period.as_of, "p": org.path + "%"}),
            n if label == "a county" else max(2, n // 2),
        )
