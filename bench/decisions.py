"""The decisions section of ``make bench`` (``bench/run.py --only decisions``, and part of the
default run): the generated matters (decisions/gen.py), each operation beside the best single
query we can write for the same answer (its SQL floor).

* the public page of one disclosed matter (``decisions.public.trail``);
* the public list of a village's and a township's disclosed matters (``decisions.public.listing``);
* a township's review list (``selectors.reviews_waiting``) and its villages whose 村民代表会议 is
  overdue (``selectors.overdue_villages``), for the county user.
"""

from __future__ import annotations

from floors import floor, with_floor

TRAIL_SQL = """
SELECT m.id, m.title, m.kind_name, v.name, m.decided_on, m.disclosed_on, m.result_on, x.label, x.held_on, x.kind,
  x.entitled, x.attended, x.votes_for, x.votes_against, x.votes_abstain, x.rule_text
FROM decisions_matter m JOIN core_area v ON v.id = m.village_id LEFT JOIN decisions_meeting x ON x.matter_id = m.id
WHERE m.id = %s AND m.disclosed_on IS NOT NULL ORDER BY x.held_on, x.id
"""
LIST_SQL = """
SELECT m.id, m.title, m.kind_name, v.name, m.decided_on, m.disclosed_on, m.result_on
FROM decisions_matter m JOIN core_area v ON v.id = m.village_id
WHERE v.path LIKE %s AND m.disclosed_on IS NOT NULL ORDER BY m.disclosed_on DESC, m.id DESC LIMIT 30
"""
REVIEWS_SQL = """
SELECT m.id, m.title, v.name FROM decisions_matter m JOIN core_org o ON o.id = m.org_id
JOIN core_area v ON v.id = m.village_id
WHERE o.path LIKE %s AND m.procedure = 'decisions.five_step' AND m.stage = 'reviewed' ORDER BY m.proposed_on LIMIT 200
"""
OVERDUE_SQL = """
SELECT v.id, MAX(x.held_on) FROM core_area v
LEFT JOIN decisions_matter m ON m.village_id = v.id
LEFT JOIN decisions_meeting x ON x.matter_id = m.id AND x.kind = 'representatives'
WHERE v.path LIKE %s AND v.kind = 'village' GROUP BY v.id
"""


def measure(table, scale: str) -> None:
    from django.db import connection

    from jiceng.core.models import Area, Org, OrgKind, RoleAssignment, User
    from jiceng.decisions import public, selectors
    from jiceng.decisions.models import Matter

    n = 5 if scale in ("city", "province") else 10
    total = Matter.objects.count()
    if not total:
        table.add("decisions", [0.0], None, "no matters in this dataset (generated before decisions/gen.py)")
        return
    print(f"== decisions: {total:,} matters, database {connection.vendor}", flush=True)
    one = Matter.objects.filter(disclosed_on__isnull=False).order_by("pk").first()
    if one is not None:
        with_floor(
            table,
            "public matter page: the trail of one disclosed matter",
            lambda: public.trail(one.pk),
            floor(connection, TRAIL_SQL, [one.pk]),
            n,
        )
        village = Area.objects.get(pk=one.village_id)
        town = Area.objects.get(path=village.path[: -Area.steplen])
        with_floor(
            table,
            f"public list, one village ({village.name})",
            lambda: public.listing(township=town.pk, village=village.pk, q="", page=1),
            floor(connection, LIST_SQL, [village.path + "%"]),
            n,
        )
        with_floor(
            table,
            f"public list, one township ({town.name})",
            lambda: public.listing(township=town.pk, village=None, q="", page=1),
            floor(connection, LIST_SQL, [town.path + "%"]),
            n,
        )
    county_user = User.objects.filter(username="bench_county").first()
    if county_user is None:
        return
    county = RoleAssignment.objects.filter(user=county_user).select_related("org").first().org
    township = Org.objects.filter(
        path__startswith=county.path, depth=county.depth + 1, kind=OrgKind.COMMITTEE
    ).first()
    if township is None:
        return
    with_floor(
        table,
        f"township review list ({township.name})",
        lambda: list(selectors.reviews_waiting(actor=county_user, org=township)[:200]),
        floor(connection, REVIEWS_SQL, [township.path + "%"]),
        n,
    )
    with_floor(
        table,
        f"villages whose representatives' assembly is overdue ({township.name})",
        lambda: selectors.overdue_villages(actor=county_user, org=township),
        floor(connection, OVERDUE_SQL, [(township.area.path if township.area else "") + "%"]),
        n,
    )
