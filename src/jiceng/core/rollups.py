"""Rollups: indicator values of large subtrees, stored and kept fresh by a worker.

A province's dashboard cannot recompute ~20 indicators over millions of rows on each view (see
docs/scaling.md), so the worker (``jiceng rollups``) stores every registered indicator of every
rollup organisation (party committees by default: province, city, county, township) for the
current period, using the registry's own compute functions — a number is defined once.

Freshness: every audited write under an organisation also inserts a RollupDirty row with its
path, in the same transaction (a rule override marks every committee under it). Each cycle the
worker reads those rows, recomputes the rollup organisations on their paths, deepest first, and
only then deletes the rows it covered. A reader uses a stored value when

* it was computed for the same period, today or yesterday, on the snapshot date or the day before
  (after midnight the worker recomputes every subtree; until then the page shows when the values
  were computed; a past period, which the worker no longer keeps, is computed live), and
* either no write under the organisation is waiting, or the value is at most
  ``JICENG_ROLLUP_MAX_AGE`` seconds old (default 600: a province root takes minutes to recompute,
  and a live computation would take as long on every view); the page then says changes are
  pending.

Otherwise the reader computes live, so a stopped worker makes dashboards slow, never wrong.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from . import indicators, kit
from .indicators import IndicatorValue, Part
from .models import IndicatorSnapshot, Org, OrgKind, RollupDirty
from .periods import Period, parse_period
from .rulepacks import ancestor_paths, overridden_inside

PERIODIC_SECONDS = 60  # how often the loop runs the apps' periodic functions (kit.run_periodic)


def max_age() -> int:
    return int(getattr(settings, "JICENG_ROLLUP_MAX_AGE", 600))


def rollup_kinds() -> tuple[str, ...]:
    return tuple(getattr(settings, "JICENG_ROLLUP_ORG_KINDS", (OrgKind.COMMITTEE,)))


def _to_json(v: IndicatorValue) -> dict:
    return {
        "value": v.value,
        "numerator": v.numerator,
        "denominator": v.denominator,
        "parts": [[p.key, p.label, p.value] for p in v.parts],
    }


def _from_json(d: dict) -> IndicatorValue:
    return IndicatorValue(
        value=d["value"],
        numerator=d["numerator"],
        denominator=d["denominator"],
        parts=[Part(k, label, n) for k, label, n in d["parts"]],
    )


def work_mem() -> str:
    return str(getattr(settings, "JICENG_ROLLUP_WORK_MEM", "256MB"))


def refresh(org: Org, period: Period, names: list[str] | None = None, *, combine: bool = True) -> int:
    """Compute and store the indicators of one subtree; returns the milliseconds it took.

    An indicator that adds up over a partition (``Indicator.additive``) is combined from the stored
    values of the rollup organisations just below (its child committees, refreshed first: the worker
    goes deepest first) plus the organisation's own rows outside them, instead of rescanning the whole
    subtree — unless a child has no current stored value, a rule it reads is overridden inside the
    subtree, or (area-based figures) the children's areas do not partition the subtree's. Otherwise,
    and for the rest, it is computed from the rows. ``combine=False`` always computes from the rows.
    Internal: called by the worker, which has no actor; readers go through indicators.compute_many."""
    started, stamp = time.perf_counter(), timezone.now()  # the values reflect the data from here on
    registry = indicators.registry()
    wanted = names or sorted(registry)
    children = _rollup_children(org) if combine else []
    stored = _stored_values(children, period, wanted) if children else {}
    own_org = _own_org_rows(org, children) if children else None
    own_area = _own_area_rows(org, children) if children else None
    rows = []
    if connection.vendor == "postgresql":
        # one worker process may take memory no web worker could: PostgreSQL's default 4MB makes
        # the province's distinct-member counts spill to disk and run ten times longer
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('work_mem', %s, false)", [work_mem()])
    try:
        with indicators.shared_work():
            for name in wanted:
                ind = registry[name]
                t = time.perf_counter()
                own = own_org if ind.basis == "org" else own_area
                parts = [stored.get((c.pk, name)) for c in children]
                combined = (
                    ind.additive
                    and bool(children)
                    and own is not None
                    and None not in parts
                    and not overridden_inside(ind.rules, org)
                )
                if combined:
                    mine = ind.compute([indicators.Scope(org, own)], period)[org.pk]
                    value = indicators.combine([mine, *(p for p in parts if p is not None)], ind).check()
                else:
                    value = ind.fn(org, period).check()
                rows.append(
                    IndicatorSnapshot(
                        org=org,
                        name=name,
                        period=period.label,
                        as_of=period.as_of,
                        value=_to_json(value),
                        computed_at=stamp,
                        combined=combined,
                        took_ms=round((time.perf_counter() - t) * 1000),
                    )
                )
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("RESET work_mem")
    with transaction.atomic():
        IndicatorSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["org", "name", "period"],
            update_fields=["as_of", "value", "computed_at", "took_ms", "combined"],
        )
    return round((time.perf_counter() - started) * 1000)


def _rollup_children(org: Org) -> list[Org]:
    """The rollup organisations just below ``org``: under it with no other rollup organisation
    between (its child committees)."""
    below = list(
        Org.objects.filter(path__startswith=org.path, kind__in=rollup_kinds())
        .exclude(pk=org.pk)
        .select_related("area")
        .order_by("path")
    )
    nearest: list[Org] = []
    for o in below:  # in path order an org's rollup ancestors come before it
        if not any(o.path.startswith(n.path) for n in nearest):
            nearest.append(o)
    return nearest


def _stored_values(
    children: list[Org], period: Period, names: list[str]
) -> dict[tuple[int, str], IndicatorValue]:
    """The children's stored values for the period on the same snapshot date."""
    snaps = IndicatorSnapshot.objects.filter(
        org__in=children, period=period.label, as_of=period.as_of, name__in=names
    ).values_list("org_id", "name", "value")
    return {(org_id, name): _from_json(value) for org_id, name, value in snaps}


def _own_paths(
    root: str, children: set[str], child_paths: dict[str, list[str]]
) -> tuple[list[str], list[str]]:
    """Rows of ``root``'s subtree outside the children's subtrees, as exact paths and prefixes:
    ``root`` itself, and each child node's subtree unless a child lies in it (then that node
    itself, and the same one level down). ``child_paths``: each node's direct children."""
    exact, prefixes = [root], []
    for node in child_paths.get(root, []):
        if node in children:
            continue
        if any(c.startswith(node) for c in children):
            more_exact, more_prefixes = _own_paths(node, children, child_paths)
            exact += more_exact
            prefixes += more_prefixes
        else:
            prefixes.append(node)
    return exact, prefixes


def _tree_children(model, root: str, needed: set[str]) -> dict[str, list[str]]:
    """Direct children of ``root`` and of every node on the way down to the ``needed`` paths."""
    steplen = model.steplen
    parents = {root} | {p[:i] for p in needed for i in range(len(root) + steplen, len(p), steplen)}
    out: dict[str, list[str]] = {}
    for path in model.objects.filter(
        path__startswith=root, depth__in={len(p) // steplen + 1 for p in parents}
    ).values_list("path", flat=True):
        parent = path[:-steplen]
        if parent in parents:
            out.setdefault(parent, []).append(path)
    return out


def _own_org_rows(org: Org, children: list[Org]) -> indicators.OwnRows:
    paths = {c.path for c in children}
    exact, prefixes = _own_paths(org.path, paths, _tree_children(Org, org.path, paths))
    return indicators.OwnRows(org_exact=tuple(exact), org_prefixes=tuple(prefixes))


def _own_area_rows(org: Org, children: list[Org]) -> indicators.OwnRows | None:
    """The same in the area tree; None when the children's areas do not partition part of the
    organisation's area (a child without an area, outside it, or two overlapping): area-based
    figures are then computed from their rows."""
    from .models import Area

    if org.area is None or any(c.area is None for c in children):
        return None
    root, areas = org.area.path, sorted(c.area.path for c in children if c.area is not None)
    if any(not a.startswith(root) or a == root for a in areas) or any(
        b.startswith(a) for a, b in zip(areas, areas[1:], strict=False)
    ):
        return None
    exact, prefixes = _own_paths(root, set(areas), _tree_children(Area, root, set(areas)))
    return indicators.OwnRows(area_exact=tuple(exact), area_prefixes=tuple(prefixes))


@dataclass
class Stored:
    values: dict[str, IndicatorValue]
    computed_at: dt.datetime
    pending: bool  # written to since: the next worker cycle will update it


def read(org: Org, period: Period, names: list[str]) -> Stored | None:
    """The stored values of ``names`` for this subtree and period, or None when any is missing,
    computed before yesterday, from another snapshot date, or behind and older than the allowed
    age. No access check here: callers go through indicators.compute_many."""
    if org.kind not in rollup_kinds():
        return None
    # yesterday's values stand in after midnight while the worker recomputes the day (they show
    # their time); older ones never do — nor a past period's, which the worker no longer keeps
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    since = timezone.make_aware(dt.datetime.combine(yesterday, dt.time.min))
    snaps = list(
        IndicatorSnapshot.objects.filter(
            org=org,
            period=period.label,
            name__in=names,
            as_of__gte=period.as_of - dt.timedelta(days=1),
            computed_at__gte=since,
        )
    )
    if len(snaps) != len(set(names)):
        return None
    oldest = min(s.computed_at for s in snaps)
    pending = RollupDirty.objects.filter(org_path__startswith=org.path).exists()
    if pending and (timezone.now() - oldest).total_seconds() > max_age():
        return None
    return Stored({s.name: _from_json(s.value) for s in snaps}, oldest, pending)


def read_many(orgs: list[Org], period: Period, names: list[str]) -> dict[int, Stored]:
    """``read`` for many organisations side by side (a county's townships on its home page): two
    queries in all, not two per organisation. Organisations with no valid stored values are left out."""
    kept = [o for o in orgs if o.kind in rollup_kinds()]
    if not kept:
        return {}
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    since = timezone.make_aware(dt.datetime.combine(yesterday, dt.time.min))
    by_org: dict[int, list[IndicatorSnapshot]] = {}
    for s in IndicatorSnapshot.objects.filter(
        org__in=[o.pk for o in kept],
        period=period.label,
        name__in=names,
        as_of__gte=period.as_of - dt.timedelta(days=1),
        computed_at__gte=since,
    ):
        by_org.setdefault(s.org_id, []).append(s)
    complete = [o for o in kept if len(by_org.get(o.pk, [])) == len(set(names))]
    if not complete:
        return {}
    # one pass over the waiting writes: a count per organisation's subtree
    waiting = RollupDirty.objects.aggregate(
        **{f"o{o.pk}": Count("pk", filter=Q(org_path__startswith=o.path)) for o in complete}
    )
    out = {}
    for o in complete:
        snaps = by_org[o.pk]
        oldest = min(s.computed_at for s in snaps)
        pending = bool(waiting[f"o{o.pk}"])
        if pending and (timezone.now() - oldest).total_seconds() > max_age():
            continue
        out[o.pk] = Stored({s.name: _from_json(s.value) for s in snaps}, oldest, pending)
    return out


def mark_subtree(org: Org | None) -> None:
    """A change that moves every figure under ``org`` (a rule override; ``None``: the holiday
    table, which moves all): mark each rollup organisation there, not only the node itself."""
    orgs = Org.objects.filter(kind__in=rollup_kinds())
    if org is not None:
        orgs = orgs.filter(path__startswith=org.path)
    RollupDirty.objects.bulk_create(
        [RollupDirty(org_path=p) for p in orgs.values_list("path", flat=True)], batch_size=2000
    )


def _waiting() -> list[tuple[int, str]]:
    """The committed dirty rows now (the ones a refresh that starts next will cover)."""
    return list(RollupDirty.objects.order_by("pk").values_list("pk", "org_path"))


def _done(pks: list[int]) -> None:
    """Forget dirty rows once the refresh covering them has been stored — not before, so that
    readers see them as pending meanwhile and a worker that dies mid-cycle finds them again."""
    for start in range(0, len(pks), 500):  # SQLite's limit on query variables
        RollupDirty.objects.filter(pk__in=pks[start : start + 500]).delete()


def take_dirty() -> tuple[list[Org], list[int]]:
    """The rollup organisations above the waiting writes, deepest first (cheap ones land first),
    and the dirty rows that their refresh will cover. Rows committed later stay for the next cycle."""
    rows = _waiting()
    prefixes = {p for _, path in rows for p in ancestor_paths(path)}
    orgs = (
        list(Org.objects.filter(path__in=prefixes, kind__in=rollup_kinds()).order_by("-depth", "path"))
        if prefixes
        else []
    )
    return orgs, [pk for pk, _ in rows]


def _refresh_or_forget(org: Org, period: Period, quiet: bool) -> None:
    """A subtree whose figures cannot be computed (a breakdown that does not add up after a bad
    rule change) loses its stored values, so readers compute live and see the error themselves
    instead of yesterday's numbers; the others go on. Database errors stop the cycle."""
    try:
        refresh(org, period)
    except DatabaseError:
        raise
    except Exception as exc:  # noqa: BLE001 — reported, and the stored values withdrawn
        IndicatorSnapshot.objects.filter(org=org).delete()
        _say(False, f"rollups: {org.name}: {exc!r}; its stored values are withdrawn")


def _say(quiet: bool, msg: str) -> None:
    if not quiet:
        print(f"[{timezone.localtime():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def refresh_all(period: Period, *, quiet: bool = True) -> tuple[int, int]:
    """Every rollup organisation, deepest first; returns (organisations, milliseconds). The dirty
    rows waiting at the start are covered and forgotten at the end."""
    started = time.perf_counter()
    covered = [pk for pk, _ in _waiting()]
    orgs = Org.objects.filter(kind__in=rollup_kinds()).order_by("-depth", "path")
    total = orgs.count()
    for i, org in enumerate(orgs.iterator(chunk_size=500), 1):
        _refresh_or_forget(org, period, quiet)
        if i % 100 == 0 or i == total:
            _say(quiet, f"rollups: {i}/{total} organisations")
    _done(covered)
    return total, round((time.perf_counter() - started) * 1000)


def current(period: Period) -> bool:
    """Whether every rollup organisation holds every registered indicator for ``period``, computed
    today on its snapshot date, with no write waiting: then a worker that starts (``jiceng serve``
    right after ``jiceng demo``) need not recompute them all before its first cycle."""
    names = set(indicators.registry())
    orgs = Org.objects.filter(kind__in=rollup_kinds())
    if not names or not orgs.exists() or RollupDirty.objects.exists():
        return False
    today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    fresh = IndicatorSnapshot.objects.filter(
        org__in=orgs, period=period.label, as_of=period.as_of, name__in=names, computed_at__gte=today
    )
    return fresh.count() == orgs.count() * len(names)


def run(
    *,
    period_text: str | None = None,
    every: float = 10.0,
    once: bool = False,
    quiet: bool = False,
    cycles: int | None = None,
    full: bool = True,
) -> None:
    """The worker loop: a full refresh at start (unless ``full`` is False: a restart over values
    that are current) and whenever the date changes, then every ``every`` seconds only the
    organisations written under since the last cycle. A failed cycle (the database restarting, a
    deploy) is reported and retried on the next: its dirty rows are still there."""
    period = parse_period(period_text)
    if full and current(period):
        _say(quiet, "rollups: the stored figures are today's; no full refresh at start")
    elif full:
        n, ms = refresh_all(period, quiet=quiet)
        _say(quiet, f"rollups: full refresh of {n} organisations for {period.label} in {ms / 1000:.1f}s")
    if once:
        return
    day, done, periodic_at = timezone.localdate(), 0, 0.0
    while cycles is None or done < cycles:
        time.sleep(every)
        done += 1
        close_old_connections()
        if time.monotonic() - periodic_at >= PERIODIC_SECONDS:
            periodic_at = time.monotonic()
            kit.run_periodic()
        try:
            if timezone.localdate() != day:  # snapshot date moved: everything is a day behind
                period, day = parse_period(period_text), timezone.localdate()
                refresh_all(period, quiet=quiet)
                continue
            cycle(period, quiet=quiet)
        except DatabaseError as exc:
            _say(False, f"rollups: cycle failed, retrying next cycle: {exc}")


def cycle(period: Period, *, quiet: bool = True) -> list[Org]:
    """One incremental cycle: recompute the rollup organisations written under since the last."""
    started = time.perf_counter()
    orgs, covered = take_dirty()
    for org in orgs:
        _refresh_or_forget(org, period, quiet)
    _done(covered)
    if orgs:
        _say(quiet, f"rollups: {len(orgs)} organisations refreshed in {time.perf_counter() - started:.1f}s")
    return orgs
