"""Benchmark of 批量导入党员: ``bench_import(rows=100_000)`` imports a CSV of valid, unique members
into the generated dataset's villages as ``bench_root`` (the top of the tree), through the same
service the page calls, and rolls everything back, so the dataset stays as ``jiceng gen`` made it.

The time counts reading the CSV, checking every row, and writing persons, members and audit
entries (inside the transaction that is then rolled back; only the final COMMIT is not counted).
A second, optional run puts one bad row last, to time the check alone (the file is refused).

Standalone (Django set up here):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_bench_county .venv/bin/python bench/imports.py
    .venv/bin/python bench/imports.py --rows 20000     # SQLite, var/bench-village (or $JICENG_VAR_DIR)

Without DATABASE_URL the village dataset is generated first if the database is empty.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Not among the demo's / generator's regions (jiceng.core.demo.ID_REGIONS), so no number is taken.
REGIONS = ("110101", "110102", "110105", "110106", "110107", "110108")
HEADER = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "学历",
    "身份证号",
    "联系电话",
    "所属党组织",
    "党员类别",
    "入党日期",
    "转正日期",
    "流动状态",
    "流动去向及联系方式",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
EDUCATION = ("高中", "初中", "大专", "大学本科", "中专", "小学及以下", "研究生")


def build_csv(rows: int, org_names: list[str]) -> bytes:
    """``rows`` distinct, valid members spread over ``org_names``; UTF-8 with BOM as Excel saves it."""
    from stdnum.cn import ric

    today = dt.date.today()
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out)
    w.writerow(HEADER)
    days = 18_000  # births from 1950 to 1999; then the next sequence number
    for i in range(rows):
        region = REGIONS[i % len(REGIONS)]
        k = i // len(REGIONS)  # (region, birth date, sequence) is unique for each i
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=k % days)
        male = i % 4 != 0
        seq = (k // days) * 2 + (1 if male else 0)
        body = f"{region}{birth:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        probationary = i % 25 == 0
        joined = dt.date(today.year - 1, 1, 15) if probationary else dt.date(birth.year + 25, 7, 1)
        away = i % 12 == 0
        w.writerow(
            [
                SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 3) % len(GIVEN)],
                "男" if male else "女",
                "汉族" if i % 20 else "土家族",
                "",
                EDUCATION[i % len(EDUCATION)],
                number,
                f"13{i % 10}{i:08d}"[:11],
                org_names[i % len(org_names)],
                "预备党员" if probationary else "正式党员",
                joined.isoformat(),
                "" if probationary else dt.date(joined.year + 1, 7, 1).isoformat(),
                "外出流动" if away else "在本地",
                "广东东莞务工，电话同上" if away else "",
            ]
        )
    return out.getvalue().encode()


class _Rollback(Exception):
    pass


def bench_import(rows: int = 100_000, *, check_only_run: bool = True) -> dict[str, float]:
    """Import ``rows`` members as bench_root and roll back; print and return the numbers."""
    from django.db import connection, transaction

    from jiceng.core.models import AuditEntry, Org, OrgKind, RoleAssignment, User
    from jiceng.people import imports
    from jiceng.people.models import PartyMember

    actor = User.objects.get(username="bench_root")
    target = RoleAssignment.objects.select_related("org").get(user=actor).org
    names = list(
        Org.objects.filter(path__startswith=target.path, kind__in=[OrgKind.BRANCH, OrgKind.GROUP])
        .order_by("path")
        .values_list("name", flat=True)
    )
    t = time.perf_counter()
    data = build_csv(rows, names)
    built = time.perf_counter() - t
    members_before, audit_before = PartyMember.objects.count(), AuditEntry.objects.count()
    print(
        f"== import {rows:,} rows into {len(names):,} branches and groups under {target.name} "
        f"({connection.vendor}; CSV of {len(data) / 1e6:.1f} MB built in {built:.1f}s)",
        flush=True,
    )

    numbers: dict[str, float] = {}
    if check_only_run:
        bad = (
            data.rstrip(b"\r\n")
            + "\r\n无名,男,汉族,,高中,123,,,正式党员,2000-07-01,2001-07-01,在本地,\r\n".encode()
        )
        t = time.perf_counter()
        try:
            imports.member_import(actor=actor, org=target, file=io.BytesIO(bad), filename="bench.csv")
            raise AssertionError("the bad last row was not refused")
        except imports.MemberImportRejected as exc:
            assert exc.bad_rows == 1, exc.rows[:5]
        numbers["check_s"] = time.perf_counter() - t
        print(
            f"check only (one bad row last, refused): {numbers['check_s']:.1f}s, "
            f"{(rows + 1) / numbers['check_s']:,.0f} rows/s",
            flush=True,
        )

    in_db = [0.0]

    def timed(execute, sql, params, many, context):  # time inside the driver and the server
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_db[0] += time.perf_counter() - started

    t, cpu = time.perf_counter(), time.process_time()
    try:
        with transaction.atomic(), connection.execute_wrapper(timed):
            result = imports.member_import(
                actor=actor, org=target, file=io.BytesIO(data), filename="bench.csv"
            )
            numbers["import_s"] = time.perf_counter() - t
            numbers["db_s"] = in_db[0]
            numbers["import_cpu_s"] = time.process_time() - cpu  # this process only, not the database's
            assert result.created == rows
            assert PartyMember.objects.count() == members_before + rows
            raise _Rollback
    except _Rollback:
        pass
    numbers["rows_per_s"] = rows / numbers["import_s"]
    assert PartyMember.objects.count() == members_before and AuditEntry.objects.count() == audit_before
    numbers["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"import (read, check, write {rows:,} persons + members + audit entries, then rolled back): "
        f"{numbers['import_s']:.1f}s, {numbers['rows_per_s']:,.0f} rows/s (CPU of this process "
        f"{numbers['import_cpu_s']:.1f}s; in the database driver and server {numbers['db_s']:.1f}s), "
        f"peak RSS {numbers['peak_rss_mb']:.0f} MB",
        flush=True,
    )
    return numbers


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-check-run", action="store_true", help="skip the timing of the check alone")
    ns = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("JICENG_VAR_DIR", str(ROOT / "var" / "bench-village"))
        Path(os.environ["JICENG_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from jiceng.core.models import Org

    call_command("migrate", interactive=False, verbosity=0)
    if not Org.objects.exists():
        if os.environ.get("DATABASE_URL"):
            print("the database is empty: run `jiceng gen --scale county` into it first", file=sys.stderr)
            return 1
        subprocess.run([str(Path(sys.executable).parent / "jiceng"), "gen", "--scale", "village"], check=True)
    numbers = bench_import(ns.rows, check_only_run=not ns.no_check_run)
    print("RESULT", json.dumps(numbers))  # for bench/run.py
    return 0


if __name__ == "__main__":
    sys.exit(main())
