"""Every indicator of every party committee of the demo county, against a recorded run.

The file tests/golden/demo_committees.json was written before the platform-kit refactor (issue 17)
by ``jiceng demo --as-of 2026-11-01`` and ``jiceng manage indicators_dump`` over four periods that
end before that date (so the answer does not move with the calendar). The refactor must give
exactly the same values. The demo is loaded into its own SQLite file by the real commands, as a
user runs them; the figures are database-independent, so this runs on SQLite under either suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
PERIODS = ["2026-01-01..2026-10-31", "2026-Q3", "2026-10", "2025-11-01..2026-10-31"]
AS_OF = "2026-11-01"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("golden")
    env = {**os.environ, "JICENG_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var / 'demo.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    jiceng = [sys.executable, "-m", "jiceng.cli"]
    subprocess.run([*jiceng, "demo", "--as-of", AS_OF], env=env, check=True, capture_output=True)
    return env


def _dump(env: dict[str, str], out: Path, *args: str) -> dict:
    subprocess.run(
        [sys.executable, "-m", "jiceng.cli", "manage", "indicators_dump", *args, "--output", str(out)],
        env=env,
        check=True,
        capture_output=True,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def _differences(expected: dict, got: dict) -> list[str]:
    out = []
    for org in sorted(set(expected) | set(got)):
        if org not in got or org not in expected:
            out.append(f"{org}: {'missing' if org not in got else 'not in the golden file'}")
            continue
        for period, values in expected[org].items():
            for name in sorted(set(values) | set(got[org].get(period, {}))):
                a, b = values.get(name), got[org].get(period, {}).get(name)
                if a != b:
                    out.append(f"{org} {period} {name}: golden {a}, now {b}")
    return out


def test_every_committee_indicator_equals_the_golden_run(demo_db, tmp_path):
    expected = json.loads((GOLDEN / "demo_committees.json").read_text(encoding="utf-8"))
    got = _dump(demo_db, tmp_path / "committees.json", *[a for p in PERIODS for a in ("--period", p)])
    assert len(expected) == 21  # the county and its 20 townships and subdistricts
    diffs = _differences(expected, got)
    assert not diffs, f"{len(diffs)} differences:\n" + "\n".join(diffs[:50])


def test_every_branch_computed_together_equals_the_golden_run(demo_db, tmp_path):
    """Per unit: every branch and general branch of the county from one grouped computation per
    indicator (what grading asks for) gives what each subtree gave on its own before the refactor."""
    expected = json.loads((GOLDEN / "demo_branches.json").read_text(encoding="utf-8"))
    got = _dump(
        demo_db,
        tmp_path / "branches.json",
        "--period",
        PERIODS[0],
        "--kind",
        "general_branch",
        "--kind",
        "branch",
        "--together",
    )
    assert len(expected) > 200
    diffs = _differences(expected, got)
    assert not diffs, f"{len(diffs)} differences:\n" + "\n".join(diffs[:50])


def test_committees_computed_together_equal_the_golden_run(demo_db, tmp_path):
    """The county and its townships at once: units that contain one another (depths grouped apart)."""
    expected = json.loads((GOLDEN / "demo_committees.json").read_text(encoding="utf-8"))
    got = _dump(
        demo_db, tmp_path / "together.json", *[a for p in PERIODS for a in ("--period", p)], "--together"
    )
    diffs = _differences(expected, got)
    assert not diffs, f"{len(diffs)} differences:\n" + "\n".join(diffs[:50])
