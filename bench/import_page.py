"""Benchmark of 批量导入党员 through the page, as a user does it: the upload request, then the job
that checks and writes the rows while the page polls its progress.

On a copy of the generated dataset (PostgreSQL: ``CREATE DATABASE … TEMPLATE``; SQLite: the file),
because the import commits and the audit log cannot be rolled back; the copy is dropped afterwards.
A web server (``jiceng serve --no-workers``) and one job worker (``jiceng worker``) run on the copy,
as two services of a deployment do; the rollup worker is not started, so the import is measured
alone. bench_root logs in, uploads the CSV (bench/imports.py builds it) to /members/import/, and
polls GET /api/v1/jobs/<id> every 0.25 s until the job ends.

Printed: the upload request's time (target < 1 s), the job's time from queued to succeeded
(target ≤ 60 s at province scale), its stages and the progress readings seen on the way.

Standalone: ``python bench/import_page.py --rows 100000`` with DATABASE_URL pointing at a generated
dataset (or, without it, the SQLite village dataset of bench/run.py); bench/run.py calls it too.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "bench"))


def _copy_database(env: dict[str, str]) -> tuple[dict[str, str], Callable[[], None]]:
    """An environment pointing at a fresh copy of the dataset, and the function that drops it."""
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, _, source = url.rpartition("/")
        copy = f"{source}_import_{os.getpid()}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            # the template may have no other session: end the idle ones left on it (a previous run's);
            # the harness closed its own before calling this
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid() AND state = 'idle'",
                [source],
            )
            conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')

        def drop() -> None:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')

        return {**env, "DATABASE_URL": f"{base}/{copy}"}, drop
    var = Path(env.get("JICENG_VAR_DIR", ROOT / "var" / "bench-village"))
    copy_dir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    src = var / "jiceng.sqlite3"
    import sqlite3

    with sqlite3.connect(src) as db:  # fold the WAL in so that one file is the whole database
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(src, copy_dir / "jiceng.sqlite3")
    out = {k: v for k, v in env.items() if k != "DATABASE_URL"}
    out["JICENG_VAR_DIR"] = str(copy_dir)
    return out, lambda: shutil.rmtree(copy_dir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _multipart(fields: dict[str, str], name: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: text/csv\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects (the upload's is the job page)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **kw):
            return None

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect()
        )

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, path: str, data: bytes | None = None, content_type: str = "", timeout: int = 120):
        headers = {"Referer": self.base + path}
        if data is not None:
            headers["Content-Type"] = content_type
            headers["X-CSRFToken"] = self.csrf()
        req = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with self.opener.open(req, timeout=timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:  # 302 lands here (no redirect handler)
            return e.code, dict(e.headers), e.read()


def run(rows: int, env: dict[str, str]) -> dict[str, float]:
    os.environ.update({k: v for k, v in env.items() if k in ("DATABASE_URL", "JICENG_VAR_DIR")})
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.db import connection
    from imports import build_csv

    from jiceng.core.gen import PASSWORD
    from jiceng.core.models import Org, OrgKind, RoleAssignment

    target = RoleAssignment.objects.select_related("org").get(user__username="bench_root").org
    names = list(
        Org.objects.filter(path__startswith=target.path, kind__in=[OrgKind.BRANCH, OrgKind.GROUP])
        .order_by("path")
        .values_list("name", flat=True)
    )
    data = build_csv(rows, names)
    connection.close()  # the template database may have no other session

    t = time.perf_counter()
    copy_env, drop = _copy_database(env)
    copied = time.perf_counter() - t
    port = _free_port()
    log = open(Path(tempfile.gettempdir()) / f"bench-import-{port}.log", "wb")  # noqa: SIM115
    procs = [
        subprocess.Popen(
            [str(BIN / "jiceng"), "serve", "--no-workers", "--port", str(port), "--workers", "2"],
            env=copy_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen([str(BIN / "jiceng"), "worker"], env=copy_env, stdout=log, stderr=subprocess.STDOUT),
    ]
    numbers: dict[str, float] = {"copy_s": copied}
    try:
        b = Browser(f"http://127.0.0.1:{port}")
        for _ in range(240):
            try:
                if b.request("/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        b.request("/accounts/login/")
        status, headers, _ = b.request(
            "/accounts/login/",
            urllib.parse.urlencode(
                {"username": "bench_root", "password": PASSWORD, "csrfmiddlewaretoken": b.csrf()}
            ).encode(),
            "application/x-www-form-urlencoded",
        )
        assert status == 302, f"log-in failed: {status}"
        b.request("/members/import/")
        body, ctype = _multipart(
            {"org": str(target.pk), "csrfmiddlewaretoken": b.csrf()}, "file", "bench.csv", data
        )
        t = time.perf_counter()
        status, headers, page = b.request("/members/import/", body, ctype)
        numbers["request_s"] = time.perf_counter() - t
        assert status == 302, f"upload answered {status}: {page[:500]!r}"
        job_id = re.search(r"/jobs/([0-9a-f-]{36})/", headers["Location"])[1]
        readings, stages = [], []
        while True:
            status, _h, raw = b.request(f"/api/v1/jobs/{job_id}")
            job = json.loads(raw)
            now = time.perf_counter() - t
            if not readings or readings[-1][1:] != (job["done"], job["total"]):
                readings.append((now, job["done"], job["total"]))
            if job["stage"] and (not stages or stages[-1][1] != job["stage"]):
                stages.append((now, job["stage"]))
            if job["status"] in ("succeeded", "failed"):
                break
            if now > 1800:
                raise AssertionError("the job did not end in 30 minutes")
            time.sleep(0.25)
        numbers["job_s"] = time.perf_counter() - t
        numbers["progress_readings"] = len(readings)
        assert job["status"] == "succeeded", job["message"]
        assert job["result"].get("created") == rows, job["result"]
        print(
            f"== import of {rows:,} rows through the page ({'PostgreSQL' if 'DATABASE_URL' in copy_env else 'SQLite'}; "
            f"copy of the dataset made in {copied:.0f}s)\n"
            f"upload request: {numbers['request_s'] * 1000:.0f} ms (the file stored, its header checked, "
            f"the job queued)\njob, from the upload to succeeded: {numbers['job_s']:.1f}s, "
            f"{rows / numbers['job_s']:,.0f} rows/s\nstages: "
            + ", ".join(f"{s} at {at:.1f}s" for at, s in stages)
            + f"\nprogress seen {len(readings)} times: "
            + ", ".join(
                f"{d:,}/{tot:,} at {at:.1f}s" for at, d, tot in readings[:: max(1, len(readings) // 8)]
            ),
            flush=True,
        )
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()
        drop()
    return numbers


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    ns = parser.parse_args()
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env.setdefault("JICENG_VAR_DIR", str(ROOT / "var" / "bench-village"))
    numbers = run(ns.rows, env)
    print("RESULT", json.dumps(numbers))  # for bench/run.py
    return 0


if __name__ == "__main__":
    sys.exit(main())
