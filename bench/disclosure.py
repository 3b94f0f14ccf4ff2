"""The disclosure section of ``make bench`` (``bench/run.py --only disclosure``, and part of the
default run): the items of the generated dataset (disclosure/gen.py), each operation beside the
best single query we can write for the same answer (its SQL floor).

* the public page of a village (``public.village_page``: the newest items of each affair);
* a township's overdue list, first page (``selectors.overdue`` + ``overdue_rows``) and its count,
  and the same for the province root (every village);
* the two ``disclosure.*`` figures of a county and of the root (``indicators.compute_live``).
"""

from __future__ import annotations

import datetime as dt

from floors import floor, with_floor

PUBLIC_SQL = """
SELECT i.id, i.affair, i.title, i.body, i.published_on, i.period_start, i.period_end, i.names, i.display_until
FROM disclosure_item i WHERE i.village_id = %s AND i.withdrawn_at IS NULL
ORDER BY i.affair, i.published_on DESC, i.id DESC LIMIT 40
"""
LAST_SQL = """
SELECT i.village_id, i.affair, MAX(i.published_on)
FROM disclosure_item i JOIN core_area a ON a.id = i.village_id
WHERE a.path LIKE %s AND i.withdrawn_at IS NULL GROUP BY 1, 2
"""
ITEMS_SQL = """
SELECT COUNT(*) FROM disclosure_item i JOIN core_org o ON o.id = i.org_id
WHERE o.path LIKE %s AND i.withdrawn_at IS NULL AND i.published_on >= %s AND i.published_on <= %s
"""


def measure(table, scale: str) -> None:
    from django.db import connection

    from jiceng.core import indicators
    from jiceng.core.models import Org, OrgKind, RoleAssignment, User
    from jiceng.core.periods import Period
    from jiceng.disclosure import public, selectors
    from jiceng.disclosure.models import Item

    n = 5 if scale in ("city", "province") else 10
    total = Item.objects.count()
    if not total:
        table.add("disclosure", [0.0], None, "no items in this dataset (generated before disclosure/gen.py)")
        return
    print(f"== disclosure: {total:,} items, database {connection.vendor}", flush=True)
    users = {u.username: u for u in User.objects.filter(username__in=["bench_root", "bench_county"])}
    orgs = {
        name: RoleAssignment.objects.filter(user=u).select_related("org").first().org
        for name, u in users.items()
    }
    village_id = Item.objects.order_by("pk").values_list("village_id", flat=True).first()
    with_floor(
        table,
        "public village disclosure page (newest of each affair)",
        lambda: public.village_page(village_id),
        floor(connection, PUBLIC_SQL, [village_id]),
        n,
    )
    county_user, county = users["bench_county"], orgs["bench_county"]
    township = (
        Org.objects.filter(
            path__startswith=county.path, depth=county.depth + 1, kind=OrgKind.COMMITTEE, area__isnull=False
        )
        .select_related("area")
        .first()
    )

    def page(actor, org):
        qs, ctx = selectors.overdue(actor=actor, org=org)
        return qs.count(), selectors.overdue_rows(list(qs[:30]), ctx)

    if township is not None:
        with_floor(
            table,
            f"disclosure overdue list, first page + count ({township.name})",
            lambda: page(county_user, township),
            floor(connection, LAST_SQL, [township.area.path + "%"]),
            n,
        )
    root_user, root = users["bench_root"], orgs["bench_root"]
    if root.area_id:
        with_floor(
            table,
            f"disclosure overdue list, first page + count ({root.name})",
            lambda: page(root_user, root),
            floor(connection, LAST_SQL, [root.area.path + "%"]),
            max(2, n // 2),
        )
    today = dt.date.today()
    period = Period(dt.date(today.year, 1, 1), today - dt.timedelta(days=1), "this year")
    names = [k for k in indicators.registry() if k.startswith("disclosure.")]
    for label, org in (("a county", county), ("the root", root)):
        with_floor(
            table,
            f"{len(names)} disclosure.* figures, {label} ({org.name})",
            lambda org=org: indicators.compute_live(names, org, period),
            floor(connection, ITEMS_SQL, [org.path + "%", period.start, period.as_of]),
            n if label == "a county" else max(2, n // 2),
        )
