"""The grids rows of ``jiceng gen``: the generator's villages have no grids of their own, so this
step divides each village into grids (one per party group, at least one and up to three), anchors
each party group at its grid, puts the village's households (and so their people) into its grids,
and adds each grid's units (three), its grid worker's duty (all but ≈2% of grids) and a year of
visits up to yesterday (≈24 a grid: ≈2.9 M at province scale). Streamed like the other steps: COPY
on PostgreSQL, batched INSERTs on SQLite; the re-anchoring is a few set-based UPDATEs."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from jiceng.core.gen import GenContext, ModelSink
from jiceng.core.models import Area
from jiceng.core.trees import depth, segment

from .models import GridDuty, Unit, Visit

VISITS_PER_GRID = 24
NO_WORKER_SHARE = 0.02
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def build(ctx: GenContext) -> None:
    from stdnum.cn import uscc

    rng, ids, tree = ctx.rng, ctx.ids, ctx.tree
    assert tree is not None, "core's trees step runs first"
    as_of = ctx.g.as_of
    now = dt.datetime.now(dt.UTC)
    village_path = dict(Area.objects.filter(kind="village").values_list("pk", "path"))
    with connection.cursor() as cur:  # each village's households: one contiguous run of keys
        cur.execute("SELECT area_id, MIN(id), MAX(id) FROM people_household GROUP BY area_id")
        runs = {area_id: (lo, hi) for area_id, lo, hi in cur.fetchall()}
    numchild, org_area, household_moves = [], [], []
    grids: list[tuple[int, int, int, int, str]] = []  # (grid id, village id, index, grids there, name)
    n_units = n_duties = n_visits = 0
    with ModelSink(Area, ("id", "path", "depth", "numchild", "name", "kind", "code")) as areas:
        for area_id, vname, _org_id, _org_path, groups in tree.villages:
            path = village_path.get(area_id)
            if path is None:
                continue
            n = max(len(groups), rng.choice((1, 2, 2, 3)))
            numchild.append((n, area_id))
            for i in range(n):
                gid = ids.take("core_area")
                gpath = path + segment(i + 1)
                areas.row((gid, gpath, depth(gpath), 0, f"{vname}第{i + 1}网格", "grid", ""))
                grids.append((gid, area_id, i, n, vname))
                if i < len(groups):
                    org_area.append((gid, groups[i][0]))
                household_moves.append((gid, area_id, n, i))
    with connection.cursor() as cur:
        cur.executemany("UPDATE core_area SET numchild = %s WHERE id = %s", numchild)
        cur.executemany("UPDATE core_org SET area_id = %s WHERE id = %s", org_area)
        cur.executemany(
            "UPDATE people_household SET area_id = %s WHERE area_id = %s AND id %% %s = %s", household_moves
        )
        cur.execute(
            "UPDATE people_person SET area_id = (SELECT h.area_id FROM people_household h "
            "WHERE h.id = people_person.household_id) WHERE household_id IS NOT NULL"
        )
    ctx.say(f"grids: {len(grids)} grids, {len(org_area)} party groups anchored at them")

    first_day = as_of - dt.timedelta(days=365)
    used: set[str] = set()
    unit_cols = ("id", "name", "kind", "uscc", "area", "address", "created_at", "updated_at")
    duty_cols = ("id", "grid", "name", "duty", "from_date", "to_date", "created_at")
    visit_cols = (
        "id",
        "grid",
        "household",
        "unit",
        "visited_on",
        "kind",
        "asked_needs",
        "notes",
        "sent_warmth",
        "sent_policy",
        "sent_service",
        "created_at",
    )
    with (
        ModelSink(Unit, unit_cols) as us,
        ModelSink(GridDuty, duty_cols) as ds,
        ModelSink(Visit, visit_cols) as vs,
    ):
        for gi, (gid, village_id, index, n_grids, vname) in enumerate(grids):
            unit_ids = []
            for k in range(3):
                uid = ids.take("grids_unit")
                code = ""
                kind = ("shop", "enterprise", "office")[k]
                if kind == "enterprise":
                    while not code or code in used:
                        body = "91" + "".join(rng.choice("0123456789") for _ in range(6))
                        body += "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
                        code = body + uscc.calc_check_digit(body)
                    used.add(code)
                name = f"{vname}{('便民超市', '农业开发有限公司', '卫生室')[k]}{index + 1}"
                us.row((uid, name[:100], kind, code, gid, f"{vname}{index + 1}组", now, now))
                unit_ids.append(uid)
                n_units += 1
            if rng.random() >= NO_WORKER_SHARE:
                since = dt.date(2021, 7, 1) + dt.timedelta(days=rng.randint(0, 900))
                ds.row(
                    (ids.take("grids_gridduty"), gid, ctx.g.name("female"), "grid_worker", since, None, now)
                )
                n_duties += 1
            lo_hi = runs.get(village_id)
            for _ in range(VISITS_PER_GRID):
                day = first_day + dt.timedelta(days=rng.randint(0, 364))
                household = unit = None
                if lo_hi and rng.random() < 0.85:
                    household = _household_in(rng, lo_hi, index, n_grids)
                if household is None:
                    unit = rng.choice(unit_ids)
                vs.row(
                    (
                        ids.take("grids_visit"),
                        gid,
                        household,
                        unit,
                        day,
                        "visit" if household else "screen",
                        "",
                        "入户走访，宣传政策。" if household else "安全隐患排查。",
                        rng.random() < 0.5,
                        rng.random() < 0.6,
                        rng.random() < 0.3,
                        now,
                    )
                )
                n_visits += 1
            if gi % 20000 == 19999:
                ctx.say(f"grids: {gi + 1}/{len(grids)} grids, {n_visits} visits")
    ctx.say(f"grids: {n_units} units, {n_duties} grid-worker duties, {n_visits} visits")
    ctx.counts.update({"grids": len(grids), "units": n_units, "grid_duties": n_duties, "visits": n_visits})


def _household_in(rng, lo_hi: tuple[int, int], index: int, n: int) -> int | None:
    """A household of the village's run of keys that the UPDATE above put in grid ``index`` of
    ``n`` (key modulo n), or None when the run has none there."""
    lo, hi = lo_hi
    x = rng.randint(lo, hi)
    x += index - x % n
    if x < lo:
        x += n
    if x > hi:
        x -= n
    return x if lo <= x <= hi else None
