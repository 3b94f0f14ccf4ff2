"""The HTTP load real users make, driven from outside by wrk (a C load generator: it costs the two
cores little, and what it does cost is measured and printed).

The mix is what the home pages made the platform's first pages: mostly village secretaries' and
members' home pages, branch calendars and meeting records, the secretaries' case queue and a case of
their village (8%, when the dataset has cases), some township and county boards, and 10% writes (members keeping their card through the form, the county editing a member through the
API). Every request carries a real session (or token) of a user of the generated county, so each
one pays the fixed cost a real one pays: the session, the role grants, the scope, the menu, the
template.

``page_costs`` measures each kind of page in-process first: server milliseconds and queries per
request, the numbers that explain the load figures.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

SECRETARIES = 60
MEMBERS = 120
TOWNSHIPS = 5
CSRF = "benchcsrfbenchcsrfbenchcsrfbench"  # a fixed CSRF secret: cookie and header carry the same value

# (kind, weight): the share of the load each kind of request takes
MIX = (
    ("secretary home", 22),
    ("cases queue", 5),  # a secretary's 我的待办 (/cases/)
    ("case detail", 3),  # a case of the secretary's village
    ("member home", 20),
    ("branch calendar", 15),
    ("meeting record", 10),
    ("meeting list", 5),
    ("township board", 7),
    ("county board", 3),
    ("write: member card (form)", 6),
    ("write: member (API PATCH)", 4),
)

LUA = r"""
local reqs = {}
local n = 0
local counter = 0
errors = 0 -- a global: done() reads it from every thread with thread:get
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local method, path, headers, body = line:match("^(%S+)\t(%S+)\t([^\t]*)\t?(.*)$")
    local h = {}
    for k, v in headers:gmatch("([^|=]+)=([^|]*)") do h[k] = v end
    n = n + 1
    reqs[n] = wrk.format(method, path, h, body ~= "" and body or nil)
  end
  counter = math.random(n)
end

function request()
  counter = counter % n + 1
  return reqs[counter]
end

function response(status, headers, body)
  if status >= 400 then errors = errors + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("errors") end
  io.write(string.format(
    "JSON {\"requests\": %d, \"p50\": %.1f, \"p95\": %.1f, \"p99\": %.1f, \"max\": %.1f, \"bad_status\": %d, " ..
    "\"socket_errors\": %d, \"duration_us\": %d}\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration))
end
"""


def _users(county_org):
    """Secretaries of the county's first villages, members of those villages with their own log-in,
    township officers: created once (``bench_mix_*``) and reused by later runs."""
    from django.contrib.auth.hashers import make_password

    from jiceng.core.models import Org, OrgKind, RoleAssignment, User
    from jiceng.orglife.models import Meeting
    from jiceng.people.models import PartyMember, Person

    villages = list(
        Org.objects.filter(
            path__startswith=county_org.path,
            kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH],
            depth=county_org.depth + 2,
        ).order_by("path")[:SECRETARIES]
    )
    towns = list(
        Org.objects.filter(
            path__startswith=county_org.path, kind=OrgKind.COMMITTEE, depth=county_org.depth + 1
        ).order_by("path")[:TOWNSHIPS]
    )
    password = make_password(None)
    out: dict[str, list] = {"secretary": [], "member": [], "township": []}

    def user(username, role, org):
        u = User.objects.filter(username=username).first()
        if u is None:
            u = User.objects.create(username=username, display_name=username, password=password)
        RoleAssignment.objects.filter(user=u).exclude(role=role, org=org).delete()
        RoleAssignment.objects.get_or_create(user=u, role=role, org=org)
        return u

    for i, v in enumerate(villages):
        branch = (
            Org.objects.filter(path__startswith=v.path, kind=OrgKind.BRANCH).order_by("path").first() or v
        )
        meeting = (
            Meeting.objects.filter(org__path__startswith=v.path)
            .order_by("-held_on")
            .values_list("pk", flat=True)
            .first()
        )
        out["secretary"].append((user(f"bench_mix_sec{i}", "branch_secretary", v), v, branch, meeting))
        out.setdefault("case", []).append(_latest_case(v))
    per_village = max(1, MEMBERS // max(1, len(villages)))
    k = 0
    for v in villages:
        for m in (
            PartyMember.objects.filter(org__path__startswith=v.path)
            .select_related("person")
            .order_by("pk")[:per_village]
        ):
            username = f"bench_mix_mem{k}"
            k += 1
            # granted on their branch, as the demo's member is: they see its meetings, not only the group's
            branch = (
                m.org if m.org.kind != OrgKind.GROUP else Org.objects.get(path=m.org.path[: -Org.steplen])
            )
            u = user(username, "member", branch)
            if m.person.user_id is None:
                Person.objects.filter(pk=m.person_id).update(user=u)
            meeting = (
                Meeting.objects.filter(attendance__member=m)
                .order_by("-held_on")
                .values_list("pk", flat=True)
                .first()
            )
            out["member"].append((u, m.org, meeting))
    for i, t in enumerate(towns):
        out["township"].append((user(f"bench_mix_town{i}", "township_admin", t), t))
    return out


def _latest_case(village) -> int | None:
    """The newest case placed in the village (None without the cases app or its rows)."""
    try:
        from jiceng.cases.models import Case
    except ImportError:
        return None
    return (
        Case.objects.filter(area__path__startswith=village.area.path)
        .order_by("-received_at")
        .values_list("pk", flat=True)
        .first()
    )


def _drop_failing(pools: dict[str, list], kinds: tuple[str, ...]) -> None:
    """Kinds whose first page does not answer 200 in-process leave the mix (said, not fatal): the
    case pages are younger than the rest of the mix."""
    from django.test import Client

    for kind in kinds:
        if not pools[kind]:
            continue
        u, _m, path, _h, _b = pools[kind][0]
        c = Client()
        c.force_login(u)
        status = c.get(path).status_code
        if status != 200:
            print(f"  .. {kind}: {path} answered {status}; left out of the mix", flush=True)
            pools[kind] = []


def _session(user) -> str:
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c.cookies["sessionid"].value


def requests_for(county_user, county_org, token: str, member_id: int) -> tuple[list[tuple], dict[str, list]]:
    """The request lines (method, path, headers, body, kind) in the mix's proportions, and per kind
    a few (user, path) samples for the in-process page costs."""
    users = _users(county_org)
    sessions = {}

    def cookie(u) -> str:
        if u.pk not in sessions:
            sessions[u.pk] = _session(u)
        return f"Cookie=sessionid={sessions[u.pk]}; csrftoken={CSRF}"

    pools: dict[str, list[tuple]] = {kind: [] for kind, _w in MIX}
    for (u, _v, _branch, _meeting), case_id in zip(users["secretary"], users.get("case", []), strict=False):
        pools["cases queue"].append((u, "GET", "/cases/", cookie(u), ""))
        if case_id:
            pools["case detail"].append((u, "GET", f"/cases/{case_id}/", cookie(u), ""))
    _drop_failing(pools, ("cases queue", "case detail"))
    for u, v, branch, meeting in users["secretary"]:
        pools["secretary home"].append((u, "GET", "/", cookie(u), ""))
        pools["branch calendar"].append((u, "GET", f"/orglife/orgs/{branch.pk}/calendar/", cookie(u), ""))
        pools["meeting list"].append((u, "GET", f"/orglife/meetings/?org={v.pk}", cookie(u), ""))
        if meeting:
            pools["meeting record"].append((u, "GET", f"/orglife/meetings/{meeting}/", cookie(u), ""))
    for u, _org, meeting in users["member"]:
        pools["member home"].append((u, "GET", "/", cookie(u), ""))
        if meeting:
            pools["meeting record"].append((u, "GET", f"/orglife/meetings/{meeting}/", cookie(u), ""))
        body = "pledge=%E5%B8%A6%E5%A4%B4%E6%9C%8D%E5%8A%A1&service_list=%E4%BB%A3%E5%8A%9E"
        pools["write: member card (form)"].append(
            (
                u,
                "POST",
                "/me/card/",
                cookie(u)
                + f"|X-CSRFToken={CSRF}|Content-Type=application/x-www-form-urlencoded|Referer=http://127.0.0.1/",
                body,
            )
        )
    for u, _t in users["township"]:
        pools["township board"].append((u, "GET", "/", cookie(u), ""))
    pools["county board"].append((county_user, "GET", "/", cookie(county_user), ""))
    pools["write: member (API PATCH)"].append(
        (
            county_user,
            "PATCH",
            f"/api/v1/members/{member_id}",
            f"Authorization=Bearer {token}|Content-Type=application/json",
            '{"mobility_note": "bench"}',
        )
    )
    rng = random.Random(1)  # the same shuffled order every run
    lines = []
    total = 2000
    for kind, weight in MIX:
        pool = pools[kind]
        if not pool:
            continue
        for i in range(total * weight // 100):
            _u, method, path, headers, body = pool[i % len(pool)]
            lines.append((method, path, headers, body, kind))
    rng.shuffle(lines)
    samples = {
        kind: [(p[0], p[2]) for p in pools[kind][:5]]
        for kind, _w in MIX
        if pools[kind] and pools[kind][0][1] == "GET"
    }
    return lines, samples


def page_costs(table, samples: dict[str, list]) -> None:
    """Each kind of page in-process: server ms (p50 / p95 over the samples, warm) and queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for kind, pairs in samples.items():
        times, queries = [], []
        for user, path in pairs:
            c = Client()
            c.force_login(user)
            c.get(path)  # warm: this user's first request
            for _ in range(3):
                with CaptureQueriesContext(connection) as ctx:
                    t = time.perf_counter()
                    r = c.get(path)
                    times.append((time.perf_counter() - t) * 1000)
                queries.append(len(ctx.captured_queries))
                if r.status_code != 200:
                    raise RuntimeError(f"{kind} {path}: {r.status_code}")
        table.add(
            f"page {kind}",
            times,
            None,
            f"{statistics.median(queries):.0f} queries (max {max(queries)}), {len(pairs)} users, server time in-process",
        )


def wrk_load(table, lines: list[tuple], seconds: int, clients: int = 50, workers: int = 2) -> None:
    """gunicorn (the web server alone) and wrk from outside for ``seconds`` with ``clients``
    connections; prints latency percentiles, requests/s, errors and wrk's own CPU share."""
    wrk = shutil.which("wrk")
    if wrk is None:
        table.add("HTTP mix (wrk)", [0.0], None, "wrk is not installed (apt-get install wrk): not measured")
        return
    bin_dir = Path(os.sys.executable).parent
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmp = Path(tempfile.mkdtemp(prefix="bench-wrk-"))
    reqs = tmp / "requests.tsv"
    reqs.write_text("\n".join("\t".join(line[:4]) for line in lines) + "\n", encoding="utf-8")
    script = tmp / "mix.lua"
    script.write_text(LUA, encoding="utf-8")
    env = {**os.environ, "JICENG_ACCESS_LOG": "0"}
    with open(tmp / "gunicorn.log", "wb") as log:
        server = subprocess.Popen(
            [
                str(bin_dir / "jiceng"),
                "serve",
                "--no-workers",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        # warm every worker's connections and caches with a short run, then measure
        subprocess.run(
            [wrk, "-t2", "-c8", "-d3s", "-s", str(script), base, "--", str(reqs)], capture_output=True
        )
        mark_child_cpu()
        started = time.perf_counter()
        proc = subprocess.Popen(
            [
                wrk,
                "-t2",
                f"-c{clients}",
                f"-d{seconds}s",
                "--timeout",
                "30s",
                "-s",
                str(script),
                base,
                "--",
                str(reqs),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        out, _ = proc.communicate()  # reaped: its CPU time is now in RUSAGE_CHILDREN
        wall = time.perf_counter() - started
        text = out.decode("utf-8", "replace")
        found = [line for line in text.splitlines() if line.startswith("JSON ")]
        if not found:
            table.add("HTTP mix (wrk)", [0.0], None, f"wrk gave no result: {text[-300:]}")
            return
        res = json.loads(found[-1][5:])
        cpu = _child_cpu_seconds()
        rps = res["requests"] / (res["duration_us"] / 1e6)
        table.rows.append(
            (
                f"HTTP mix, {clients} clients, {seconds}s (wrk, {workers} gunicorn workers × 4 threads)",
                f"{res['p50']:.1f}",
                f"{res['p95']:.1f}",
                f"{res['max']:.1f}",
                "",
                f"{res['requests']:,} requests, {rps:.0f} req/s, {res['bad_status']} HTTP errors, "
                f"{res['socket_errors']} socket errors; p99 {res['p99']:.0f} ms; wrk took {cpu / wall * 100:.0f}% "
                f"of one core ({cpu:.1f} s CPU in {wall:.0f} s)",
            )
        )
        print("  ..", "  ".join(table.rows[-1]), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _child_cpu_seconds() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime - _CHILD_CPU_BEFORE[0]


_CHILD_CPU_BEFORE = [0.0]


def mark_child_cpu() -> None:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    _CHILD_CPU_BEFORE[0] = ru.ru_utime + ru.ru_stime
