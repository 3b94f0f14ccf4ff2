"""What the browser tests share: the application served as for a user (a fresh database with the
demo county, gunicorn on a free port, once per test module) and Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PROJECT_DIR = Path(__file__).resolve().parents[2]
RESULTS_DIR = PROJECT_DIR / "test-results"
SCREENSHOTS_DIR = PROJECT_DIR / "var" / "screenshots"
BIN_DIR = Path(sys.executable).parent
PASSWORD = "demo12345"
TIMEOUT_MS = 15_000

# ---------------------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 80) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # our own process group (start_new_session)
        proc.wait(timeout=10)


class Server:
    def __init__(self, base_url: str, log: Path) -> None:
        self.base_url = base_url
        self.log = log

    def log_tail(self) -> str:
        return _tail(self.log)


@pytest.fixture(scope="module")  # each module its own county: one journey's writes never meet another's
def server():
    tmp = Path(tempfile.mkdtemp(prefix="jiceng-e2e-"))
    env = {**os.environ, "JICENG_VAR_DIR": str(tmp), "PYTHONUNBUFFERED": "1"}
    pg_url = os.environ.get("DATABASE_URL", "")
    db_name = f"jiceng_e2e_{os.getpid()}"
    if pg_url:
        _pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{db_name}"')
        _pg_admin(pg_url, f'CREATE DATABASE "{db_name}"')
        env["DATABASE_URL"] = _with_database(pg_url, db_name)
    jiceng = str(BIN_DIR / "jiceng")
    proc = None
    try:
        demo = subprocess.run([jiceng, "demo"], env=env, cwd=tmp, capture_output=True, text=True, timeout=180)
        if demo.returncode != 0:
            pytest.fail(
                f"`jiceng demo` exited {demo.returncode}:\n{demo.stdout[-3000:]}\n{demo.stderr[-3000:]}"
            )
        port = _free_port()
        log = tmp / "server.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [jiceng, "serve", "--port", str(port), "--workers", "2"],
                env=env,
                cwd=tmp,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"`jiceng serve` exited {proc.returncode} while starting:\n{_tail(log)}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"/healthz did not answer 200 within 60 s:\n{_tail(log)}")
            time.sleep(0.25)
        srv = Server(base, log)
        yield srv
        if proc.poll() is not None:
            print(f"\n--- the server died during the tests (exit {proc.returncode}) ---\n{srv.log_tail()}")
    finally:
        if proc is not None:
            _stop(proc)
        if pg_url:
            _pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(autouse=True)
def _server_log_on_failure(request, server):
    """Print the server's log under a failed test (shown as "Captured stdout teardown")."""
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        print(f"\n--- server log ({server.log}) ---\n{server.log_tail()}")


# --------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser journeys need Debian's Chromium and CJK fonts. "
            "Install them with `apt-get install chromium fonts-noto-cjk`."
        )
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-gpu",
            ],
        )
        yield browser
        browser.close()
    finally:
        pw.stop()


@pytest.fixture
def log_in(browser, server):
    """``log_in("county")`` → a page of a fresh browser context, logged in, on the home page
    (``viewport=(390, 844)`` for a phone)."""
    contexts = []

    def do(username: str, viewport: tuple[int, int] = (1366, 900)):
        ctx = browser.new_context(
            base_url=server.base_url, locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
        )
        ctx.set_default_timeout(TIMEOUT_MS)
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_selector("#home-title")
        return page

    yield do
    for ctx in contexts:
        ctx.close()
