"""Benchmark harness: ``make bench SCALE=village|county|city|province``.

Loads (once) a synthetic dataset of the scale into its own database (``jiceng gen``), then
measures and prints one table: p50 / p95 / max per operation, rows per second where rows move,
and the indicator ratio app ÷ hand-written SQL floor. Timing belongs here, never in unit tests.

Against PostgreSQL (``DATABASE_URL`` pointing at a server; the database ``jiceng_bench_<scale>``
is created next to it). Without ``DATABASE_URL`` it runs on a SQLite file under var/ — fine for the
smoke test CI runs at village scale, meaningless for the targets.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _database_env(scale: str) -> dict[str, str]:
    env = dict(os.environ)
    url = env.get("DATABASE_URL")
    if url and url.startswith("postgres"):
        base, _, _name = url.rpartition("/")
        name = f"jiceng_bench_{scale}"
        admin = f"{base}/postgres"
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        env["JICENG_VAR_DIR"] = str(ROOT / "var" / f"bench-{scale}")
        env.pop("DATABASE_URL", None)
    return env


def _ensure_data(scale: str, env: dict[str, str]) -> None:
    probe = subprocess.run([str(BIN / "jiceng"), "manage", "shell", "-c",
                            "from jiceng.core.models import Org; print(Org.objects.exists())"],
                           env=env, capture_output=True, text=True)
    if probe.stdout.strip().endswith("True"):
        return
    print(f"== generating the {scale} dataset (once)", flush=True)
    subprocess.run([str(BIN / "jiceng"), "gen", "--scale", scale], env=env, check=True)


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def timed(self, name: str, fn: Callable[[], object], n: int = 10, rows: int | None = None,
              note: str = "") -> list[float]:
        fn()  # warm-up (connection, caches)
        times = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        self.add(name, times, rows, note)
        return times

    def add(self, name: str, times: list[float], rows: int | None = None, note: str = "") -> None:
        times = sorted(times)
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        rate = f"{rows / (statistics.median(times) / 1000):,.0f}" if rows else ""
        self.rows.append((name, f"{statistics.median(times):.1f}", f"{p95:.1f}", f"{times[-1]:.1f}", rate, note))

    def print(self) -> None:
        head = ("operation", "p50 ms", "p95 ms", "max ms", "rows/s", "note")
        widths = [max(len(str(r[i])) for r in [head, *self.rows]) for i in range(len(head))]
        for r in [head, tuple("-" * w for w in widths), *self.rows]:
            print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


def measure(scale: str, seconds: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    from jiceng.core import indicators
    from jiceng.core.models import Org, RoleAssignment, User
    from jiceng.core.periods import parse_period
    from jiceng.orglife import compliance
    from jiceng.people import selectors as people_selectors
    from jiceng.people.models import PartyMember

    table = Table()
    n = 5 if scale in ("city", "province") else 10
    users = {u: User.objects.get(username=f"bench_{u}") for u in ("root", "county", "village")}
    orgs = {u: RoleAssignment.objects.get(user=users[u]).org for u in users}
    period = parse_period(str(__import__("datetime").date.today().year))
    print(f"== {scale}: {PartyMember.objects.count():,} members, {Org.objects.count():,} organisations, "
          f"database {connection.vendor}", flush=True)

    # dashboards, through the full request cycle
    for who in ("root", "county", "village"):
        c = Client()
        c.force_login(users[who])
        table.timed(f"dashboard {who}", lambda c=c: c.get("/"), n=n if who != "root" else max(3, n // 2))

    # every indicator for the root subtree, with its SQL floor where one is written
    floors = _floors(connection, orgs["root"], period)
    for name in sorted(indicators.REGISTRY):
        t = table.timed(f"indicator {name}", lambda name=name: indicators.compute(
            actor=users["root"], name=name, org=orgs["root"], period=period), n=3)
        if name in floors:
            f = table.timed(f"  floor {name}", floors[name], n=3)
            table.rows[-1] = (*table.rows[-1][:5], f"app/floor = {statistics.median(t) / statistics.median(f):.2f}")

    # searches and list pages
    member = PartyMember.objects.select_related("person").order_by("pk")[PartyMember.objects.count() // 2]
    from jiceng.core import crypto

    tail = crypto.decrypt(member.person.id_number_ciphertext, field="id_number")[-4:]
    for label, flt in (("name", people_selectors.MemberFilters(q=member.person.name[:2])),
                       ("ID tail", people_selectors.MemberFilters(id_tail=tail))):
        table.timed(f"member search by {label}", lambda flt=flt: list(
            people_selectors.member_search(actor=users["root"], filters=flt)[:50]), n=n)
    c = Client()
    c.force_login(users["county"])
    for url in ("/members/?page=3", "/orglife/meetings/?page=2", "/villages/", "/orglife/"):
        table.timed(f"list page {url}", lambda url=url: c.get(url), n=n)

    county = orgs["county"]
    table.timed("compliance, one county, one year", lambda: compliance.tally(county, period), n=3)

    _export(table, scale)
    table.rows.append(("import 100,000 rows", "", "", "", "", "not built: the importer comes with the reports issue"))
    _http_load(table, seconds)
    print()
    table.print()


def _floors(connection, root, period) -> dict[str, Callable[[], object]]:
    """The best single query we can write for a number, as the yardstick of the app's cost."""
    like = root.path + "%"
    as_of = period.as_of

    def q(sql, params):
        def run():
            with connection.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        return run

    member_join = "FROM people_partymember pm JOIN core_org o ON o.id = pm.org_id WHERE o.path LIKE %s AND pm.joined_on <= %s"
    return {
        "people.member_count": q(f"SELECT pm.full_on <= %s, COUNT(*) {member_join} GROUP BY 1", [as_of, like, as_of]),
        "people.org_count": q("SELECT kind, COUNT(*) FROM core_org WHERE path LIKE %s GROUP BY kind", [like]),
        "people.age_bands": q(
            f"SELECT CASE WHEN p.birth_date > %s THEN 1 WHEN p.birth_date > %s THEN 2 ELSE 3 END, COUNT(*) "
            f"{member_join.replace('FROM people_partymember pm', 'FROM people_partymember pm JOIN people_person p ON p.id = pm.person_id')} "
            "GROUP BY 1",
            [as_of.replace(year=as_of.year - 36), as_of.replace(year=as_of.year - 60), like, as_of]),
        "orglife.participation_rate": q(
            "SELECT COUNT(DISTINCT a.member_id) FROM orglife_attendance a JOIN orglife_meeting m ON m.id = a.meeting_id "
            "JOIN people_partymember pm ON pm.id = a.member_id JOIN core_org o ON o.id = pm.org_id "
            "WHERE o.path LIKE %s AND m.held_on BETWEEN %s AND %s AND a.status IN ('present', 'online') "
            "AND m.kind <> 'administrative'", [like, period.start, as_of]),
    }


def _export(table: Table, scale: str) -> None:
    """Stream the attendance ledger (up to 1,000,000 rows) to xlsx in a child process; its peak RSS."""
    code = (
        "import django, os, resource, time; os.environ.setdefault('DJANGO_SETTINGS_MODULE','jiceng.settings'); "
        "django.setup(); from jiceng.core.exports import write_xlsx; "
        "from jiceng.orglife.models import Attendance; "
        "qs = Attendance.objects.values_list('meeting__held_on', 'meeting__org__name', 'meeting__kind', "
        "'member__person__name', 'status', 'reason')[:1000000]; t = time.perf_counter(); "
        "out = write_xlsx('出勤台账', ['日期','组织','类型','姓名','出勤','原因'], qs.iterator(chunk_size=5000)); "
        "print(out.rows_written, (time.perf_counter()-t)*1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ)
    if res.returncode != 0:
        table.rows.append(("export attendance ledger (xlsx)", "", "", "", "", f"failed: {res.stderr[-200:]}"))
        return
    rows, ms, rss = res.stdout.split()[-3:]
    table.add(f"export {int(rows):,} rows (xlsx, streamed)", [float(ms)], int(rows), f"peak RSS {rss} MB")


def _http_load(table: Table, seconds: int, clients: int = 50) -> None:
    """gunicorn on 127.0.0.1 and 50 client threads for ``seconds``: 90% reads, 10% writes."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log_path = Path(tempfile.gettempdir()) / f"bench-gunicorn-{port}.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([str(BIN / "jiceng"), "serve", "--port", str(port), "--workers", "4"],
                                  stdout=log, stderr=subprocess.STDOUT, env=os.environ)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        from jiceng.core.models import User
        from jiceng.core.services import api_token_create
        from jiceng.people.selectors import members_for

        county_user = User.objects.get(username="bench_county")
        _t, token = api_token_create(actor=county_user, name="bench")
        member_id = members_for(actor=county_user).order_by("pk").values_list("pk", flat=True).first()
        reads = ["/api/v1/members?limit=50", "/api/v1/orgs", f"/api/v1/members/{member_id}",
                 "/api/v1/indicators/people.member_count", "/api/v1/meetings?limit=20"]
        lat: list[float] = []
        errors = [0]
        stop = time.monotonic() + seconds
        lock = threading.Lock()

        def worker(i: int) -> None:
            k = i
            while time.monotonic() < stop:
                k += 1
                if k % 10 == 0:
                    req = urllib.request.Request(f"{base}/api/v1/members/{member_id}", method="PATCH",
                                                 data=b'{"mobility_note": "bench"}',
                                                 headers={"Content-Type": "application/json",
                                                          "Authorization": f"Bearer {token}"})
                else:
                    req = urllib.request.Request(base + reads[k % len(reads)],
                                                 headers={"Authorization": f"Bearer {token}"})
                t = time.perf_counter()
                try:
                    with urllib.request.urlopen(req, timeout=30) as r:
                        r.read()
                    ok = True
                except Exception:
                    ok = False
                with lock:
                    lat.append((time.perf_counter() - t) * 1000)
                    errors[0] += 0 if ok else 1

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        table.add(f"HTTP {clients} clients, {seconds}s, 90% read / 10% write", lat, None,
                  f"{len(lat):,} requests, {len(lat) / seconds:.0f} req/s, {errors[0]} errors")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default=os.environ.get("SCALE", "village"),
                        choices=["village", "county", "city", "province"])
    parser.add_argument("--seconds", type=int, default=20, help="duration of the HTTP load")
    ns = parser.parse_args()
    env = _database_env(ns.scale)
    _ensure_data(ns.scale, env)
    os.environ.update({k: v for k, v in env.items() if k in ("DATABASE_URL", "JICENG_VAR_DIR")})
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    started = time.monotonic()
    measure(ns.scale, ns.seconds)
    print(f"\n(bench ran {time.monotonic() - started:.0f}s; peak RSS of the harness "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
