"""A job killed with SIGKILL in the middle of an import: nothing of it written, the job shown failed,
a retry succeeds; another user's write succeeds while the import runs. On SQLite (a file the worker
process shares) and, when DATABASE_URL names PostgreSQL, on a database of its own there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROWS = 12_000


def _scenario(env: dict[str, str]) -> dict:
    res = subprocess.run(
        [sys.executable, "-m", "tests.job_kill_scenario", str(ROWS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def _check(out: dict) -> None:
    assert out["other_write_done"], out  # while the rows are checked
    # while the import writes: on SQLite it waits for the write lock, then goes through; not lost
    assert out["write_during_write_done"] and out["write_during_write_error"] is None, out
    assert out["members_after_kill"] == 0, out  # the import's transaction died with its process
    assert out["status_after_kill"] == "failed" and "任务中断" in out["message_after_kill"], out
    assert out["succeeded"] and out["members_after_retry"] == ROWS and out["attempts"] == 2, out
    assert out["message_after_retry"] == f"已导入 {ROWS} 名党员。", out


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTEST_CURRENT_TEST")}
    env.update({"DATABASE_URL": database_url, "JICENG_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)})
    return env


def test_killed_import_writes_nothing_shows_failed_and_a_retry_succeeds_sqlite(tmp_path):
    out = _scenario(_env(tmp_path, f"sqlite:///{tmp_path / 'jobs.sqlite3'}"))
    assert out["vendor"] == "sqlite"
    _check(out)


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="PostgreSQL suite only (DATABASE_URL)",
)
def test_killed_import_writes_nothing_shows_failed_and_a_retry_succeeds_postgresql(tmp_path):
    import psycopg

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = "jiceng_job_kill"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        out = _scenario(_env(tmp_path, f"{base}/{name}"))
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    assert out["vendor"] == "postgresql"
    _check(out)
    # the import's registration lock is taken last: another registration did not wait for it
    assert out["write_during_write_finished_first"], out
