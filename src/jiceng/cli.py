"""The ``jiceng`` console script.

jiceng demo [--if-empty] [--seed N] [--as-of DATE]
                                      load the demo county, as it stands today, into an empty database
jiceng serve [--port 8000]            serve on 127.0.0.1 (gunicorn)
jiceng manage <django command> ...    any Django management command
jiceng createadmin                    first administrator of a real deployment
jiceng check-deploy                   Django's deployment checks plus ours
jiceng worker [--batch]               run the tracked jobs (imports, large exports, refreshes)
"""

from __future__ import annotations

import argparse
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()


def _ensure_var_dir() -> None:
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)


def cmd_manage(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jiceng manage", *args])
    return 0


def cmd_demo(ns: argparse.Namespace) -> int:
    _setup()
    _ensure_var_dir()
    from django.core.management import call_command

    from jiceng.core.demo import DemoRefused, default_as_of, load_demo

    if not 1 <= ns.villages <= 5000 or ns.members < 20 * ns.villages:
        print("拒绝加载演示数据：--villages 应为 1 至 5000，--members 至少为村数的 20 倍。", file=sys.stderr)
        return 2
    if ns.as_of and ns.as_of > default_as_of():
        print(f"拒绝加载演示数据：--as-of {ns.as_of} 晚于今天（{default_as_of()}）。", file=sys.stderr)
        return 2
    call_command("migrate", interactive=False, verbosity=0)
    try:
        summary = load_demo(
            seed=ns.seed, progress=True, as_of=ns.as_of, villages=ns.villages, members=ns.members
        )
    except DemoRefused as exc:
        if ns.if_empty:
            print(f"演示数据未加载：{exc}")
            return 0
        print(f"拒绝加载演示数据：{exc}", file=sys.stderr)
        return 1
    print(summary)
    # the committees' figures stored now, so that the first dashboard after `jiceng serve` reads
    # them instead of computing live while the rollup worker does the same work beside it
    from jiceng.core import rollups
    from jiceng.core.periods import parse_period

    n, ms = rollups.refresh_all(parse_period(None))
    print(f"已汇总 {n} 个党委的指标（{ms / 1000:.1f} 秒）。")
    return 0


def _print_banner(port: int) -> None:
    from jiceng.core import kit
    from jiceng.core.demo import DEMO_LOGINS, demo_loaded

    print(f"\n  jiceng 基层治理平台  →  http://127.0.0.1:{port}/\n")
    if demo_loaded():
        print("  演示账号（密码均为 demo12345）：")
        for username, role in [*DEMO_LOGINS, *kit.demo_logins()]:
            print(f"    {username:<14} {role}")
        print()


def _die_with_parent() -> None:
    """In a worker started by ``jiceng serve``: stop when serve stops, even if it is killed."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _start_workers() -> list:
    """The job worker and the rollup worker beside the web server (the demo's one-command run; a
    deployment runs them as services of their own, docs/deploy.md)."""
    import atexit
    import subprocess

    exe = [sys.executable, "-m", "jiceng.cli"]
    procs = [
        subprocess.Popen([*exe, "worker"], preexec_fn=_die_with_parent),
        subprocess.Popen([*exe, "rollups", "--every", "10"], preexec_fn=_die_with_parent),
    ]

    def stop() -> None:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()

    atexit.register(stop)
    return procs


def cmd_serve(ns: argparse.Namespace) -> int:
    _setup()
    _ensure_var_dir()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    port = ns.port or int(os.environ.get("PORT", "8000"))
    _print_banner(port)
    if not ns.no_workers:
        _start_workers()
        print("  后台任务与汇总进程已启动（jiceng worker、jiceng rollups）。\n")
    sys.stdout.flush()
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "jiceng.wsgi:application",
        "--bind",
        f"{ns.host}:{port}",
        "--workers",
        str(ns.workers),
        "--threads",
        "4",
        "--timeout",
        "120",
        # one line per request on stdout; JICENG_ACCESS_LOG=0 turns it off (a load test measures
        # the server, not its terminal)
        *(["--access-logfile", "-"] if os.environ.get("JICENG_ACCESS_LOG", "1") != "0" else []),
    ]
    run()
    return 0


def cmd_createadmin(ns: argparse.Namespace) -> int:
    _setup()
    import getpass

    from django.core.management import call_command
    from django.db import transaction

    from jiceng.core import services
    from jiceng.core.errors import DomainError
    from jiceng.core.models import Area, Org

    _ensure_var_dir()
    call_command("migrate", interactive=False, verbosity=0)
    username = ns.username or input("用户名: ").strip()
    password = os.environ.get("JICENG_ADMIN_PASSWORD") or getpass.getpass("密码: ")
    try:
        with transaction.atomic():
            user = services.user_create(actor=None, username=username, password=password, is_superuser=True)
            root = Org.objects.get_root_nodes().first()
            if root is None:
                area = Area.objects.get_root_nodes().first() or services.area_create(
                    actor=None, parent=None, name=ns.area_name, kind="county", code=ns.area_code or ""
                )
                root = services.org_create(
                    actor=None, parent=None, name=ns.org_name, kind="committee", area=area
                )
            services.role_grant(actor=None, user=user, role="county_admin", org=root)
    except DomainError as exc:
        for item in exc.as_list():
            print(item["message"], file=sys.stderr)
        return 1
    print(f"已创建管理员 {username}，管辖：{root.name}")
    return 0


def cmd_gen(ns: argparse.Namespace) -> int:
    _setup()
    _ensure_var_dir()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from jiceng.core.gen import generate

    try:
        counts = generate(ns.scale, seed=ns.seed, progress=True, as_of=ns.as_of)
    except RuntimeError as exc:
        print(f"拒绝生成：{exc}", file=sys.stderr)
        return 1
    print(counts)
    return 0


def cmd_rollups(ns: argparse.Namespace) -> int:
    _setup()
    from jiceng.core import rollups
    from jiceng.core.errors import DomainError

    try:
        rollups.run(period_text=ns.period, every=ns.every, once=ns.once, full=not ns.no_full)
    except DomainError as exc:
        print(exc.as_list()[0]["message"], file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def cmd_worker(ns: argparse.Namespace) -> int:
    """The job worker: marks jobs whose worker died as failed and removes expired files (at start,
    after every job and every quarter of an hour), and runs queued jobs (django-tasks' database
    worker) until stopped; ``--batch``: until none is left."""
    _setup()
    _ensure_var_dir()
    from django.core.management import call_command

    from jiceng.core import jobs

    failed, cleaned = jobs.reconcile_all(), jobs.cleanup()
    if failed or cleaned:
        print(f"任务：{failed} 个中断的任务标为失败，清理 {cleaned} 个过期结果。", file=sys.stderr)
    jobs.start_housekeeping()
    import contextlib

    with contextlib.suppress(KeyboardInterrupt):
        call_command(
            "db_worker",
            queue_name="default",
            interval=ns.interval,
            batch=ns.batch,
            reload=False,
            startup_delay=False,
            verbosity=0 if ns.quiet else 1,
        )
    return 0


def cmd_check_deploy(ns: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    problems = []
    if settings.SECRET_KEY == settings.DEMO_SECRET_KEY:
        problems.append("SECRET_KEY 仍为演示值")
    if settings.JICENG_FIELD_KEY == settings.DEMO_FIELD_KEY:
        problems.append("JICENG_FIELD_KEY 仍为演示值：个人信息未受保护")
    from django.core.management.base import SystemCheckError

    for p in problems:
        print(f"错误：{p}", file=sys.stderr)
    try:
        call_command("check", deploy=True, fail_level="WARNING")
    except SystemCheckError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 1 if problems else 0


def _iso_date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD：{text!r}") from None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "manage":
        return cmd_manage(argv[1:])
    parser = argparse.ArgumentParser(prog="jiceng", description="基层：党建引领基层治理平台")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("demo", help="load the demo county into an empty database")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--if-empty", action="store_true", help="do nothing (exit 0) if data exists")
    p.add_argument(
        "--as-of",
        type=_iso_date,
        default=None,
        help='the demo\'s "today" (YYYY-MM-DD; default today): organisational life up to the day before',
    )
    p.add_argument("--villages", type=int, default=204, help="a smaller county, to try things quickly")
    p.add_argument("--members", type=int, default=13000, help="party members of the smaller county")
    p.set_defaults(fn=cmd_demo)
    p = sub.add_parser("serve", help="serve the web application")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument(
        "--no-workers",
        action="store_true",
        help="serve only: do not start the job worker and the rollup worker beside it",
    )
    p.set_defaults(fn=cmd_serve)
    p = sub.add_parser("worker", help="run the tracked background jobs (imports, large exports, refreshes)")
    p.add_argument("--batch", action="store_true", help="run the queued jobs, then exit")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between looks at an empty queue")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(fn=cmd_worker)
    sub.add_parser("manage", help="run a Django management command")
    p = sub.add_parser("createadmin", help="create the first administrator of a deployment")
    p.add_argument("--username")
    p.add_argument("--org-name", default="县委")
    p.add_argument("--area-name", default="县")
    p.add_argument("--area-code", default="")
    p.set_defaults(fn=cmd_createadmin)
    p = sub.add_parser("gen", help="generate a synthetic dataset for benchmarks into an empty database")
    p.add_argument("--scale", choices=["village", "county", "city", "province"], required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--as-of",
        type=_iso_date,
        default=None,
        help='the data\'s "today" (YYYY-MM-DD; default today): meetings up to the day before',
    )
    p.set_defaults(fn=cmd_gen)
    p = sub.add_parser("rollups", help="keep the large subtrees' indicator rollups fresh (a worker process)")
    p.add_argument("--period", default=None, help="the period to keep (default: the current year)")
    p.add_argument("--every", type=float, default=10.0, help="seconds between cycles")
    p.add_argument("--once", action="store_true", help="one full refresh, then exit")
    p.add_argument(
        "--no-full",
        action="store_true",
        help="start with incremental cycles (after a restart, when the stored values are current)",
    )
    p.set_defaults(fn=cmd_rollups)
    p = sub.add_parser("check-deploy", help="deployment checks")
    p.set_defaults(fn=cmd_check_deploy)
    ns = parser.parse_args(argv)
    return ns.fn(ns)


if __name__ == "__main__":
    sys.exit(main())
