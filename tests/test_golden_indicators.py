"""Every indicator of every party committee of the demo county, against a recorded run.

The files tests/golden/*.json were first written before the platform-kit refactor (issue 17), which
had to give exactly the same values. They were written again when the demo began to stand on its
own "today" (organisational life from January of last year up to the day before, last year's
grading round, the households of the whole population): by ``jiceng demo --as-of 2026-11-15`` and
``jiceng manage indicators_dump`` over periods that end before that date (so the answer does not
move with the calendar), with indicator code that gave the first files' values on the first demo; and once more when the
demo member's party group was left without last month's 党小组会 (the overdue item the secretary's
home page offers): 20 committee and 2 branch values moved, by that meeting and the attendance drawn
after it. The cases and grids apps then added their figures: every earlier value stayed as it was
(compared before the files were written again), theirs were added. Then development, contacts,
dues and mobility added theirs, and moved three kinds of earlier values, each by what those steps
write (compared first): the members the development step admitted (a few in six villages) count
in people.member_count and the bands and in orglife's participation and education denominators
(they attended nothing before they were members); the contact visits the contacts step records
count in grids.visits; and mobility's one transfer out of the system, confirmed the day before the
demo's, takes that member off the rolls of the last period's last day. Nothing else moved.
The demo is loaded into its own SQLite file by the real commands, as a user runs them; the figures
are database-independent, so this runs on SQLite under either suite. The same full-size county
also shows what the demo claims about itself (households, secretaries, last year's grading).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
# the year to date, a quarter, a month, twelve months, last year (the graded one: the grade chart)
# and the current month up to the day before the demo's date (partly held)
PERIODS = [
    "2026-01-01..2026-10-31",
    "2026-Q3",
    "2026-10",
    "2025-11-01..2026-10-31",
    "2025",
    "2026-11-01..2026-11-14",
]
AS_OF = "2026-11-15"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("golden")
    env = {**os.environ, "JICENG_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var / 'demo.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    jiceng = [sys.executable, "-m", "jiceng.cli"]
    subprocess.run([*jiceng, "demo", "--as-of", AS_OF], env=env, check=True, capture_output=True)
    env["_DEMO_DB"] = str(var / "demo.sqlite3")
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


def _rows(env: dict[str, str], sql: str, params=()) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(env["_DEMO_DB"]) as db:
        return db.execute(sql, params).fetchall()


def test_the_full_county_looks_like_a_real_one(demo_db):
    """The full-size demo (the session's small county is checked in tests/test_demo_orglife.py):
    7–10 households a member in every village, 4–7 in a community, ≈3 persons a household; the
    village secretaries of a secretary's age; last year's grades spread over the levels, with the
    lagging organisations' measures done, still open and overdue."""
    households = dict(
        _rows(
            demo_db,
            "SELECT substr(a.path, 1, 12), COUNT(*) FROM people_household h JOIN core_area a ON a.id = h.area_id GROUP BY 1",
        )
    )
    members = dict(
        _rows(
            demo_db,
            # the members the demo's people step made (those the development step admitted since, a
            # few in six villages, come on top of the county's population)
            "SELECT substr(a.path, 1, 12), COUNT(*) FROM people_partymember m JOIN core_org o ON o.id = m.org_id "
            "JOIN core_area a ON a.id = o.area_id "
            "WHERE m.id NOT IN (SELECT member_id FROM development_applicant WHERE member_id IS NOT NULL) GROUP BY 1",
        )
    )
    villages = _rows(demo_db, "SELECT path, kind FROM core_area WHERE kind IN ('village', 'community')")
    assert len(villages) == 204
    for path, kind in villages:
        lo, hi = (7, 10) if kind == "village" else (4, 7)
        assert lo <= households[path] / members[path] <= hi, (path, kind, households[path], members[path])
    assert 95_000 <= sum(households.values()) <= 115_000  # for 13,000 members (003: 35万 residents)
    ((persons, in_households),) = _rows(demo_db, "SELECT COUNT(*), COUNT(household_id) FROM people_person")
    assert 2.6 <= in_households / sum(households.values()) <= 3.3 and persons > 20 * 13_000
    ages = [
        a
        for (a,) in _rows(
            demo_db,
            "SELECT (julianday(?) - julianday(p.birth_date)) / 365.25 FROM people_cadrepost c "
            "JOIN people_person p ON p.id = c.person_id WHERE c.committee = 'party' AND c.post = 'secretary'",
            [AS_OF],
        )
    ]
    assert len(ages) == 204 and all(30 <= a < 61 for a in ages) and sum(a < 35 for a in ages) < 20
    grades = dict(_rows(demo_db, "SELECT final, COUNT(*) FROM grading_grade GROUP BY final"))
    assert sum(grades.values()) == 204 and len(grades) == 4 and grades["good"] > 100  # every level, most good
    measures = _rows(
        demo_db,
        "SELECT SUM(done_on IS NOT NULL), SUM(done_on IS NULL AND deadline < ?), SUM(done_on IS NULL AND deadline >= ?) "
        "FROM grading_rectificationmeasure",
        [AS_OF, AS_OF],
    )[0]
    assert all(n > 0 for n in measures), measures  # done, overdue, still open
    assert _rows(demo_db, "SELECT COUNT(*) FROM grading_rectificationplan WHERE status = 'closed'")[0][0] > 0
