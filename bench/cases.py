"""The cases section of ``make bench`` (``bench/run.py --only cases``, and part of the default run):
the residents' requests of the generated dataset (cases/gen.py), each operation beside the best
single query we can write for the same answer (its SQL floor), as the rest of the bench does.

* the handler's queue, first page: a township officer (``bench_township``) and a village secretary
  (``bench_village``) — ``selectors.queue``;
* the case search of a county administrator (``bench_county``): a word in the title with filters,
  first page and the count — ``selectors.search``;
* the figures of a county and of the province root: every ``cases.*`` indicator computed together
  for one scope (``indicators.compute_live``: one grouped aggregate and one for wage and
  enforcement), and ``queries.figures`` over the same subtree;
* a department's page (``bench_dept``, the first county's 住房和城乡建设局): ``selectors.department_cases``,
  first page and the count;
* Open311 search (``GET /open311/v2/requests.json`` for the first county, through the test client):
  the whole request, against the floor of its query alone.
"""

from __future__ import annotations

import datetime as dt

from floors import floor, with_floor

FIGURES_SQL = """
SELECT COUNT(*),
  SUM(CASE WHEN c.state = 'closed' THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.resolved_at IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.resolved_at <= c.due_at THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.accepted_at <= c.respond_due_at THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.state = 'closed' AND c.top_level <= 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.state = 'closed' AND c.top_level <= 2 THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.state = 'closed' AND c.rating IN ('satisfied', 'basic', 'unsatisfied') THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.state = 'closed' AND c.rating IN ('satisfied', 'basic', 'unsatisfied')
      AND c.resolved_for_resident THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.state = 'closed' AND c.rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.resolved_at IS NOT NULL THEN c.workdays_to_resolve ELSE 0 END)
FROM cases_case c JOIN core_area a ON a.id = c.area_id
WHERE a.path LIKE %s AND c.received_at >= %s AND c.received_at < %s
"""
SPECIAL_SQL = """
SELECT SUM(CASE WHEN c.kind = 'wage' THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'wage' AND c.state = 'closed' THEN 1 ELSE 0 END),
  SUM(w.workers), SUM(w.amount),
  SUM(CASE WHEN c.kind = 'enforcement' THEN 1 ELSE 0 END),
  SUM(CASE WHEN e.outcome IN ('executed', 'partly') THEN 1 ELSE 0 END)
FROM cases_case c JOIN core_area a ON a.id = c.area_id
LEFT JOIN cases_wageclaim w ON w.case_id = c.id LEFT JOIN cases_enforcementrequest e ON e.case_id = c.id
WHERE a.path LIKE %s AND c.kind IN ('wage', 'enforcement') AND c.received_at >= %s AND c.received_at < %s
"""
# a list page's row: the case, its category, its place and where it is handled
PAGE = (
    "SELECT c.id, c.number, c.title, c.state, c.level, c.due_at, c.received_at, k.name, a.name, h.name "
    "FROM cases_case c JOIN cases_category k ON k.id = c.category_id JOIN core_area a ON a.id = c.area_id "
    "JOIN core_area h ON h.id = c.handling_area_id"
)


def measure(table, scale: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import Resolver404, resolve
    from django.utils import timezone

    from jiceng.cases import queries, selectors
    from jiceng.cases.models import Case
    from jiceng.core import indicators
    from jiceng.core.models import RoleAssignment, User
    from jiceng.core.periods import Period

    n = 5 if scale in ("city", "province") else 10
    total = Case.objects.count()
    if not total:
        table.add(
            "cases",
            [0.0],
            None,
            "no cases in this dataset (generated before cases/gen.py): drop it to regenerate",
        )
        return
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["bench_root", "bench_county", "bench_village", "bench_township", "bench_dept"]
        )
    }
    print(f"== cases: {total:,} cases, database {connection.vendor}", flush=True)
    if "bench_township" not in users:
        table.add("cases", [0.0], None, "no bench_township / bench_dept log-ins: the dataset predates them")
        return
    orgs = {
        name: RoleAssignment.objects.filter(user=u).select_related("org__area").first().org
        for name, u in users.items()
    }

    # the handler's queue, first page, for a township officer and a village secretary
    for who in ("bench_township", "bench_village"):
        actor = users[who]
        area = orgs[who].area
        with_floor(
            table,
            f"cases queue, first page ({who.removeprefix('bench_')}, {selectors.queue(actor).count():,} open)",
            lambda actor=actor: list(selectors.queue(actor)[:50]),
            floor(
                connection,
                f"{PAGE} WHERE c.state IN ('received', 'handling') AND c.handling_area_id = %s "
                "ORDER BY c.due_at, c.id LIMIT 50",
                [area.pk],
            ),
            n,
        )

    # the county administrator's search: a word of the title, filters, first page and the count
    county_user, county = users["bench_county"], orgs["bench_county"].area
    since = timezone.localdate() - dt.timedelta(days=365)
    for label, filters, where, params in (
        ("all, newest first", {}, "", []),
        ("closed, since a year ago", {"state": "closed", "since": since}, "AND c.state = 'closed' AND c.received_at >= %s", [_day_start(since)]),
        ("q='路灯'", {"q": "路灯"}, "AND (c.number = %s OR c.title LIKE %s OR c.address LIKE %s)", ["路灯", "%路灯%", "%路灯%"]),
        ("q='道路' + kind service + open", {"q": "道路", "kind": "service", "state": "open"},
         "AND (c.number = %s OR c.title LIKE %s OR c.address LIKE %s) AND c.kind = 'service' AND c.state IN ('received', 'handling')",
         ["道路", "%道路%", "%道路%"]),
    ):  # fmt: skip
        args = [county.path + "%", *params]
        page = floor(
            connection,
            f"{PAGE} WHERE a.path LIKE %s {where} ORDER BY c.received_at DESC, c.id DESC LIMIT 50",
            args,
        )
        count = floor(
            connection,
            f"SELECT COUNT(*) FROM cases_case c JOIN core_area a ON a.id = c.area_id WHERE a.path LIKE %s {where}",
            args,
        )
        with_floor(
            table,
            f"cases search {label}: first page + count",
            lambda filters=filters: (
                list(selectors.search(county_user, filters)[:50]),
                selectors.search(county_user, filters).count(),
            ),
            lambda page=page, count=count: (page(), count()),
            n,
        )

    # every cases.* figure of a county and of the root, computed together for one scope
    today = timezone.localdate()
    period = Period(today - dt.timedelta(days=365), today - dt.timedelta(days=1), "last 12 months")
    names = sorted(k for k in indicators.registry() if k.startswith("cases."))
    lo, hi = _day_start(period.start), _day_start(period.as_of + dt.timedelta(days=1))
    for who in ("bench_county", "bench_root"):
        org = orgs[who]
        like = org.area.path + "%"
        cases_in = Case.objects.filter(area__path__startswith=org.area.path)
        runs = 1 if (who == "bench_root" and scale == "province") else (3 if scale == "city" else n)
        with_floor(
            table,
            f"cases figures ({len(names)} indicators), {org.name}",
            lambda org=org: indicators.compute_live(names, org, period),
            lambda like=like: (
                floor(connection, FIGURES_SQL, [like, lo, hi])(),
                floor(connection, SPECIAL_SQL, [like, lo, hi])(),
            ),
            runs,
        )
        with_floor(
            table,
            f"cases queries.figures, {org.name}",
            lambda cases_in=cases_in: queries.figures(
                queries.in_period(cases_in, period.start, period.as_of)
            ),
            floor(connection, FIGURES_SQL, [like, lo, hi]),
            runs,
        )

    # a department's page: the cases it was whistled to, open, first page and the count
    dept = users["bench_dept"]
    from jiceng.cases.models import Department

    dep = Department.objects.filter(staff__user=dept).first()
    dep_sql = (
        "FROM cases_case c WHERE c.state IN ('received', 'handling') AND c.id IN (SELECT w.case_id FROM cases_whistle w "
        "JOIN cases_department d ON d.id = w.department_id WHERE d.path LIKE %s)"
    )
    with_floor(
        table,
        f"cases department page ({dep.name if dep else '-'}), first page + count",
        lambda: (list(selectors.department_cases(dept)[:50]), selectors.department_cases(dept).count()),
        lambda: (
            floor(
                connection,
                f"SELECT c.id, c.number, c.title {dep_sql} ORDER BY c.due_at, c.id LIMIT 50",
                [dep.path + "%"],
            )(),
            floor(connection, f"SELECT COUNT(*) {dep_sql}", [dep.path + "%"])(),
        ),
        n,
    )

    # Open311 search: the whole request (the module is written beside this one)
    try:
        resolve("/open311/v2/requests.json")
    except Resolver404:
        table.add(
            "Open311 GET requests.json",
            [0.0],
            None,
            "not measured: the Open311 module has no requests endpoint yet",
        )
        return
    jurisdiction = county.code or f"area-{county.pk}"
    c = Client()
    recent = _day_start(today - dt.timedelta(days=90))
    listed = (
        "FROM cases_case c JOIN core_area a ON a.id = c.area_id JOIN cases_category k ON k.id = c.category_id "
        "WHERE a.path LIKE %s AND c.public AND k.public AND c.kind NOT IN ('dispute', 'wage', 'enforcement') "
        "AND c.received_at >= %s"
    )
    for label, query, extra in (
        ("last 90 days", "", ""),
        ("status=open", "&status=open", " AND c.state IN ('received', 'handling')"),
    ):
        url = f"/open311/v2/requests.json?jurisdiction_id={jurisdiction}{query}"
        r = c.get(url)
        got = len(r.json()) if r.status_code == 200 else f"HTTP {r.status_code}"
        with_floor(
            table,
            f"Open311 GET requests.json {label} ({got} requests)",
            lambda url=url: c.get(url),
            floor(
                connection,
                f"SELECT c.id, c.number, c.title, c.state, c.received_at, k.code, k.name {listed}{extra} "
                "ORDER BY c.received_at DESC, c.id DESC LIMIT 1000",
                [county.path + "%", recent],
            ),
            n,
        )


def _day_start(day: dt.date):
    from django.db import connection
    from django.utils import timezone

    moment = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return connection.ops.adapt_datetimefield_value(moment)
