"""Rollups: indicator values of large subtrees, stored and kept fresh by a worker.

A province's dashboard cannot recompute ~20 indicators over millions of rows on each view (see
docs/scaling.md), so the worker (``jiceng rollups``) stores every registered indicator of every
rollup organisation (party committees by default: province, city, county, township) for the
current period, using the registry's own compute functions — a number is defined once.

Freshness: every audited write under an organisation also inserts a RollupDirty row with its
path, in the same transaction. Each cycle the worker takes (deletes) those rows, and recomputes
the rollup organisations on their paths, deepest first. A reader uses a stored value when

* it was computed for the same period, on the snapshot date or the day before (after midnight the
  worker recomputes every subtree; until then the page shows when the values were computed), and
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
from django.db import connection, transaction
from django.utils import timezone

from . import indicators
from .indicators import IndicatorValue, Part
from .models import IndicatorSnapshot, Org, OrgKind, RollupDirty
from .periods import Period, parse_period
from .rulepacks import ancestor_paths


def max_age() -> int:
    return int(getattr(settings, "JICENG_ROLLUP_MAX_AGE", 600))


def rollup_kinds() -> tuple[str, ...]:
    return tuple(getattr(settings, "JICENG_ROLLUP_ORG_KINDS", (OrgKind.COMMITTEE,)))


def _to_json(v: IndicatorValue) -> dict:
    return {"value": v.value, "numerator": v.numerator, "denominator": v.denominator,
            "parts": [[p.key, p.label, p.value] for p in v.parts]}


def _from_json(d: dict) -> IndicatorValue:
    return IndicatorValue(value=d["value"], numerator=d["numerator"], denominator=d["denominator"],
                          parts=[Part(k, label, n) for k, label, n in d["parts"]])


def work_mem() -> str:
    return str(getattr(settings, "JICENG_ROLLUP_WORK_MEM", "256MB"))


def refresh(org: Org, period: Period, names: list[str] | None = None) -> int:
    """Compute and store the indicators of one subtree; returns the milliseconds it took.
    Internal: called by the worker, which has no actor; readers go through indicators.compute_many."""
    started = time.perf_counter()
    rows = []
    if connection.vendor == "postgresql":
        # one worker process may take memory no web worker could: PostgreSQL's default 4MB makes
        # the province's distinct-member counts spill to disk and run ten times longer
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('work_mem', %s, false)", [work_mem()])
    try:
        for name in names or sorted(indicators.REGISTRY):
            t = time.perf_counter()
            value = indicators.REGISTRY[name].fn(org, period).check()
            rows.append(IndicatorSnapshot(org=org, name=name, period=period.label, as_of=period.as_of,
                                          value=_to_json(value), computed_at=timezone.now(),
                                          took_ms=round((time.perf_counter() - t) * 1000)))
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("RESET work_mem")
    with transaction.atomic():
        IndicatorSnapshot.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["org", "name", "period"],
            update_fields=["as_of", "value", "computed_at", "took_ms"])
    return round((time.perf_counter() - started) * 1000)


@dataclass
class Stored:
    values: dict[str, IndicatorValue]
    computed_at: dt.datetime
    pending: bool  # written to since: the next worker cycle will update it


def read(org: Org, period: Period, names: list[str]) -> Stored | None:
    """The stored values of ``names`` for this subtree and period, or None when any is missing,
    from another snapshot date, or behind and older than the allowed age. No access check here:
    callers go through indicators.compute_many."""
    if org.kind not in rollup_kinds():
        return None
    # yesterday's values stand in after midnight while the worker recomputes the day (they show
    # their time); older ones never do
    snaps = list(IndicatorSnapshot.objects.filter(org=org, period=period.label, name__in=names,
                                                  as_of__gte=period.as_of - dt.timedelta(days=1)))
    if len(snaps) != len(set(names)):
        return None
    oldest = min(s.computed_at for s in snaps)
    pending = RollupDirty.objects.filter(org_path__startswith=org.path).exists()
    if pending and (timezone.now() - oldest).total_seconds() > max_age():
        return None
    return Stored({s.name: _from_json(s.value) for s in snaps}, oldest, pending)


def take_dirty() -> list[Org]:
    """Take the waiting writes and return the rollup organisations above them, deepest first
    (cheap ones land first). Rows committed after this read stay for the next cycle."""
    with transaction.atomic():
        rows = list(RollupDirty.objects.select_for_update(skip_locked=True).values_list("pk", "org_path"))
        RollupDirty.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    prefixes = {p for _, path in rows for p in ancestor_paths(path)}
    if not prefixes:
        return []
    return list(Org.objects.filter(path__in=prefixes, kind__in=rollup_kinds()).order_by("-depth", "path"))


def _say(quiet: bool, msg: str) -> None:
    if not quiet:
        print(f"[{timezone.localtime():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def refresh_all(period: Period, *, quiet: bool = True) -> tuple[int, int]:
    """Every rollup organisation, deepest first; returns (organisations, milliseconds)."""
    started = time.perf_counter()
    orgs = Org.objects.filter(kind__in=rollup_kinds()).order_by("-depth", "path")
    total = orgs.count()
    for i, org in enumerate(orgs.iterator(chunk_size=500), 1):
        refresh(org, period)
        if i % 100 == 0 or i == total:
            _say(quiet, f"rollups: {i}/{total} organisations")
    return total, round((time.perf_counter() - started) * 1000)


def run(*, period_text: str | None = None, every: float = 10.0, once: bool = False, quiet: bool = False,
        cycles: int | None = None, full: bool = True) -> None:
    """The worker loop: a full refresh at start (unless ``full`` is False: a restart over values
    that are current) and whenever the date changes, then every ``every`` seconds only the
    organisations written under since the last cycle."""
    period = parse_period(period_text)
    if full:
        RollupDirty.objects.all().delete()  # the full refresh below covers them
        n, ms = refresh_all(period, quiet=quiet)
        _say(quiet, f"rollups: full refresh of {n} organisations for {period.label} in {ms / 1000:.1f}s")
    if once:
        return
    day, done = timezone.localdate(), 0
    while cycles is None or done < cycles:
        time.sleep(every)
        done += 1
        if timezone.localdate() != day:  # snapshot date moved: everything is a day behind
            period, day = parse_period(period_text), timezone.localdate()
            RollupDirty.objects.all().delete()
            refresh_all(period, quiet=quiet)
            continue
        cycle(period, quiet=quiet)


def cycle(period: Period, *, quiet: bool = True) -> list[Org]:
    """One incremental cycle: recompute the rollup organisations written under since the last."""
    started = time.perf_counter()
    orgs = take_dirty()
    for org in orgs:
        refresh(org, period)
    if orgs:
        _say(quiet, f"rollups: {len(orgs)} organisations refreshed in {time.perf_counter() - started:.1f}s")
    return orgs
