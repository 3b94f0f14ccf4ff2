"""The development section of ``make bench`` (``bench/run.py --only development``, and part of the
default run): the records of the generated dataset (development/gen.py), each operation beside the
best single query we can write for the same answer (its SQL floor).

* a branch's board, first page with what is due (the village secretary ``bench_village``):
  ``selectors.board`` + ``board_rows``;
* a township's stage counts per village (``selectors.stage_counts``, one grouped query);
* the eight ``development.*`` figures of a county and of the province root, computed together
  (``indicators.compute_live``).
"""

from __future__ import annotations

import datetime as dt

from floors import floor, with_floor

BOARD_SQL = """
SELECT a.id, p.name, a.stage, a.applied_on, a.activist_on, a.candidate_on, a.admitted_on, a.probation_ends_on,
  w.state, (SELECT MAX(s.done_on) FROM development_step s WHERE s.applicant_id = a.id AND s.code = 's06_review')
FROM development_applicant a JOIN core_org o ON o.id = a.org_id JOIN people_person p ON p.id = a.person_id
LEFT JOIN core_workflowinstance w ON w.target_type = 'development.applicant' AND w.target_id = CAST(a.id AS TEXT)
WHERE o.path LIKE %s AND a.stage IN ('applicant', 'activist', 'candidate', 'probationary')
ORDER BY o.path, a.applied_on, a.id LIMIT 30
"""
STAGES_SQL = """
SELECT SUBSTR(o.path, 1, %s), a.stage, COUNT(*), MIN(a.applied_on)
FROM development_applicant a JOIN core_org o ON o.id = a.org_id
WHERE o.path LIKE %s AND a.stage IN ('applicant', 'activist', 'candidate', 'probationary')
GROUP BY 1, 2
"""
FIGURES_SQL = """
SELECT
  SUM(CASE WHEN a.applied_on <= %(d)s AND (a.activist_on IS NULL OR a.activist_on > %(d)s)
      AND (a.ended_on IS NULL OR a.ended_on > %(d)s) THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.activist_on <= %(d)s AND (a.candidate_on IS NULL OR a.candidate_on > %(d)s)
      AND (a.ended_on IS NULL OR a.ended_on > %(d)s) THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.candidate_on <= %(d)s AND (a.approved_on IS NULL OR a.approved_on > %(d)s)
      AND (a.ended_on IS NULL OR a.ended_on > %(d)s) THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.admitted_on >= %(s)s AND a.admitted_on <= %(d)s AND a.approved_on <= %(d)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.admitted_on >= %(s)s AND a.admitted_on <= %(d)s AND a.approved_on <= %(d)s
      AND a.migrant_worker THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.admitted_on >= %(s)s AND a.admitted_on <= %(d)s AND a.approved_on <= %(d)s
      AND a.admitted_age <= 35 THEN 1 ELSE 0 END)
FROM development_applicant a JOIN core_org o ON o.id = a.org_id WHERE o.path LIKE %(p)s
"""


def measure(table, scale: str) -> None:
    from django.db import connection

    from jiceng.core import indicators
    from jiceng.core.models import Org, OrgKind, RoleAssignment, User
    from jiceng.core.periods import Period
    from jiceng.development import selectors
    from jiceng.development.models import Applicant

    n = 5 if scale in ("city", "province") else 10
    total = Applicant.objects.count()
    if not total:
        table.add(
            "development", [0.0], None, "no records in this dataset (generated before development/gen.py)"
        )
        return
    print(f"== development: {total:,} records, database {connection.vendor}", flush=True)
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["bench_root", "bench_county", "bench_village"])
    }
    orgs = {
        name: RoleAssignment.objects.filter(user=u).select_related("org").first().org
        for name, u in users.items()
    }
    village_user, village = users["bench_village"], orgs["bench_village"]
    branch = (
        Applicant.objects.filter(org__path__startswith=village.path).values_list("org", flat=True).first()
        or village.pk
    )
    branch = Org.objects.get(pk=branch)
    like = branch.path + "%"

    def board():
        qs = selectors.board(actor=village_user, org=branch)
        return selectors.board_rows(actor=village_user, applicants=list(qs[:30]))

    with_floor(
        table,
        "development board, first page + dues (a branch)",
        board,
        floor(connection, BOARD_SQL, [like]),
        n,
    )

    county_user, county = users["bench_county"], orgs["bench_county"]
    township = Org.objects.filter(
        path__startswith=county.path, depth=county.depth + 1, kind=OrgKind.COMMITTEE
    ).first()
    if township is not None:
        child_len = len(township.path) + Org.steplen
        with_floor(
            table,
            f"development stage counts per village ({township.name})",
            lambda: selectors.stage_counts(actor=county_user, org=township),
            floor(connection, STAGES_SQL, [child_len, township.path + "%"]),
            n,
        )
    today = dt.date.today()
    period = Period(dt.date(today.year - 1, 1, 1), today - dt.timedelta(days=1), "two years")
    names = [k for k in indicators.registry() if k.startswith("development.")]
    for label, org in (("a county", county), ("the root", orgs["bench_root"])):
        params = {"d": period.as_of, "s": period.start, "p": org.path + "%"}
        with_floor(
            table,
            f"{len(names)} development.* figures, {label} ({org.name})",
            lambda org=org: indicators.compute_live(names, org, period),
            floor(connection, FIGURES_SQL, params),  # type: ignore[arg-type]
            n if label == "a county" else max(2, n // 2),
        )
