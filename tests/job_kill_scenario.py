"""A job killed in the middle of an import, on a real database file and a real worker process.

Run by tests/test_job_kill.py in a process of its own (its database must be one the worker
subprocess can open: the suite's is in memory). Prints one JSON line with what it saw.

    python -m tests.job_kill_scenario ROWS

1. a small world; a file of ROWS valid members queued for import as the job worker would get it;
2. ``jiceng worker`` started; while it checks the rows, another user registers a member;
3. once the worker is inside the import's write transaction, a third user starts registering a
   member (on SQLite that write waits for the single write lock) and the worker is killed with
   SIGKILL; the waiting write then goes through;
4. nothing of the file is in the database, and the job shows failed;
5. a retry, run by a new worker, imports every row.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import django


def main(rows: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", interactive=False, verbosity=0)
    from jiceng.core import jobs
    from jiceng.core.models import Job, JobStatus
    from jiceng.people import services as people
    from jiceng.people.models import Person
    from tests.world import build_world, make_id

    world = build_world()
    lines = ["姓名,性别,身份证号,党员类别,入党日期,转正日期"]
    for i in range(rows):
        birth = dt.date(1930, 1, 1) + dt.timedelta(days=i % 15_000)  # 18 or older when admitted in 1990
        lines.append(f"杀{i},男,{make_id(birth, True, 5)},正式党员,1990-07-01,1991-07-02")
    job = jobs.start(
        actor=world.users["sec_a"],
        kind="people.member_import",
        org=world.branch_a,
        params={"filename": "kill.csv"},
        inputs={"upload": "\n".join(lines).encode()},
    )
    out: dict = {"vendor": connection.vendor, "rows": rows}

    def worker(*args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "jiceng.cli", "worker", "--interval", "0.1", "--quiet", *args],
            env=os.environ.copy(),
        )

    def state() -> tuple[str, str, int]:
        return Job.objects.filter(pk=job.pk).values_list("status", "stage", "done").get()

    started = time.monotonic()
    proc = worker()
    deadline = started + 120
    while state()[1] != "校验":
        assert time.monotonic() < deadline, f"the worker never checked rows: {state()}"
        assert state()[0] in (JobStatus.QUEUED, JobStatus.RUNNING), (
            f"the import ended before it was seen: {state()}"
        )
        time.sleep(0.02)
    out["checking_seen_at"] = round(time.monotonic() - started, 2)
    # another user's write while the import runs
    t = time.monotonic()
    people.member_create(
        actor=world.users["county"],
        name="同时登记",
        gender="female",
        ethnicity="汉族",
        id_number=make_id(dt.date(1988, 8, 8), False, 7),
        org=world.branch_b,
        status="full",
        joined_on=dt.date(2010, 7, 1),
        full_on=dt.date(2011, 7, 1),
    )
    out["other_write_ms"] = round((time.monotonic() - t) * 1000, 1)
    out["other_write_done"] = Person.objects.filter(name="同时登记").exists()

    db_file = settings.DATABASES["default"]["NAME"]

    def in_write_transaction() -> bool:
        if state()[1] != "写入":
            return False
        if connection.vendor == "sqlite":
            probe = sqlite3.connect(str(db_file), timeout=0)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.rollback()
                return False
            except sqlite3.OperationalError:  # the worker's transaction holds the write lock
                return True
            finally:
                probe.close()
        return state()[2] > 0  # PostgreSQL: batches report from inside the transaction

    while not in_write_transaction():
        assert time.monotonic() < deadline, f"the worker never began writing: {state()}"
        assert state()[0] == JobStatus.RUNNING, f"the import ended before it could be killed: {state()}"
        time.sleep(0.005)
    out["killed_at"] = round(time.monotonic() - started, 2)
    during: dict = {}

    def write_during() -> None:
        from django.db import connection as own

        t0 = time.monotonic()
        try:
            people.member_create(
                actor=world.users["county"],
                name="写入时登记",
                gender="male",
                ethnicity="汉族",
                id_number=make_id(dt.date(1977, 7, 7), True, 9),
                org=world.branch_b,
                status="full",
                joined_on=dt.date(2010, 7, 1),
                full_on=dt.date(2011, 7, 1),
            )
            during["ms"] = round((time.monotonic() - t0) * 1000, 1)
        except Exception as exc:  # noqa: BLE001 - reported, the test fails on it
            during["error"] = repr(exc)
        finally:
            own.close()

    other = threading.Thread(target=write_during)
    other.start()
    if connection.vendor == "postgresql":
        # nothing holds the other registration up: it is stored while the import still writes
        other.join(timeout=30)
        out["write_during_write_finished_first"] = not other.is_alive() and state()[0] == JobStatus.RUNNING
    else:
        time.sleep(0.3)  # under way, waiting for SQLite's single write lock
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    other.join(timeout=60)
    out["write_during_write_ms"] = during.get("ms")
    out["write_during_write_error"] = during.get("error")
    out["write_during_write_done"] = Person.objects.filter(name="写入时登记").exists()
    out["members_after_kill"] = Person.objects.filter(name__startswith="杀").count()
    job.refresh_from_db()
    jobs.reconcile(job)
    out["status_after_kill"], out["message_after_kill"] = job.status, job.message

    jobs.retry(actor=world.users["sec_a"], job=job)
    t = time.monotonic()
    retry = worker("--batch")
    retry.wait(timeout=180)
    job.refresh_from_db()
    out["retry_seconds"] = round(time.monotonic() - t, 2)
    out["status_after_retry"], out["message_after_retry"] = job.status, job.message
    out["members_after_retry"] = Person.objects.filter(name__startswith="杀").count()
    out["attempts"] = job.attempts
    out["succeeded"] = job.status == JobStatus.SUCCEEDED
    return out


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000), ensure_ascii=False))
