"""The residents' requests of ``jiceng gen``: ≈5,000,000 cases over the scale's 24 months at province
scale (61,200 villages; ≈82 a village, the same share at every smaller scale), up to yesterday.

Each case is told by the demo's story (cases/demo.py ``tell``: the same categories, severities,
routing by level, escalation, response and resolution times by the working-day calendar, ratings,
auto-close, reopening, whistles and report-ins), with the village's way of working drawn as in the
demo (strong, middle, weak). Written per case: the Case row, its workflow instance (the county's
effective definition, the state matching: the services find it when someone acts on a generated
case), its whistles (≈5% of the cases), its wage claim or enforcement request. Not written: the
workflow steps and notes of the history (20–25 M rows more at province scale; the pages and the
figures do not read them, a generated case shows an empty history), photos, mediators, audit.

The generator also makes, per county, the default departments and township stations (cases.setup's
tree) and two Open311 client systems (their keys unknown: digests of generated strings), and two
log-ins for the bench: ``bench_township`` (the benchmark village's township) and ``bench_dept``
(the first county's 住房和城乡建设局). Residents' names and phones come from a pool of 1,000
encrypted ones (AES-GCM per value costs ≈4 µs; 10 M encryptions would be ≈40 s of the run for
nothing a benchmark reads).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection

from jiceng.core import crypto, workflows
from jiceng.core.gen import PASSWORD, GenContext, ModelSink, Sink, deferred_indexes
from jiceng.core.gen import months as month_starts
from jiceng.core.models import Area, Org, RoleAssignment, User, WorkflowInstance
from jiceng.core.rulepacks import rule
from jiceng.core.trees import PathBuilder, depth

from .catalogue import DEPARTMENTS, ensure_defaults
from .demo import (
    CASE_FIELDS,
    CATEGORY_WEIGHTS,
    DESCRIPTIONS,
    EMPLOYERS,
    FINDINGS,
    INSTANCE_FIELDS,
    RATINGS,
    SEVERITIES,
    STATION_PARENT,
    WAY_SHARES,
    WAYS,
    WHISTLE_TO,
    Calendar,
    Cat,
    hours,
    tell,
)
from .models import (
    PRIVATE_KINDS,
    Case,
    Category,
    Channel,
    DepartmentStaff,
    EnforcementOutcome,
    Kind,
    State,
)
from .services import NUMBER_ALPHABET, NUMBER_LENGTH
from .workflows import KEY

PROVINCE_CASES = 5_000_000
PROVINCE_VILLAGES = 61_200
PER_VILLAGE = PROVINCE_CASES / PROVINCE_VILLAGES  # over the scale's months (24)
POOL = 1_000
_MASK = (1 << (5 * NUMBER_LENGTH)) - 1  # 32 letters: 5 bits each
_A, _B = 0x2F5A_3C91_D7B3, 0x1B2C_3D4E_5F61  # odd multiplier: a bijection on the 50-bit numbers


def number(pk: int) -> str:
    """A tracking number from the key, unique without a look-up: (pk·A + B) mod 2⁵⁰ is a bijection,
    written in the 32 letters residents read out on the phone."""
    x = (pk * _A + _B) & _MASK
    out = []
    for _ in range(NUMBER_LENGTH):
        x, r = divmod(x, 32)
        out.append(NUMBER_ALPHABET[r])
    return "".join(out)


def build(ctx: GenContext) -> None:
    assert ctx.tree is not None, "core's trees step runs first"
    started = time.monotonic()
    tree, ids = ctx.tree, ctx.ids
    rng = random.Random(ctx.rng.getrandbits(64))
    as_of = ctx.g.as_of
    first_month = month_starts(ctx.scale.months, as_of)[0]
    cal = Calendar(first_month - dt.timedelta(days=10), as_of + dt.timedelta(days=400))
    cutoff = cal.local(as_of, 0)
    days = (as_of - first_month).days

    ensure_defaults()
    cats = [
        Cat(c.pk, c.code, c.name, c.kind, c.public, c.routing, c.respond_hours, c.promise_workdays)
        for c in Category.objects.filter(county__isnull=True, active=True)
    ]
    base = [c for c in cats if c.kind != Kind.ERRAND]
    errands = [c for c in cats if c.kind == Kind.ERRAND]
    weights = [CATEGORY_WEIGHTS.get(c.code, 1) for c in base]
    county_orgs = {path: pk for pk, path in tree.counties}
    first_county = Org.objects.get(pk=tree.counties[0][0])
    definition = workflows.effective(KEY, first_county)
    auto_close_days = int(rule("cases.auto_close_workdays", first_county))
    steplen = Area.steplen
    area_rows = {
        path: (pk, name, kind)
        for pk, path, name, kind in Area.objects.values_list("pk", "path", "name", "kind")
    }
    village_paths = dict(Area.objects.filter(kind="village").values_list("pk", "path"))

    # departments and stations of every county, and two client systems each
    ctx.say("cases: departments, stations and client systems of every county")
    pb = PathBuilder()
    dep_rows: list[list] = []
    county_dep: dict[tuple[int, str], tuple[int, str]] = {}  # (county area, code) -> (pk, name)
    station: dict[tuple[int, str], tuple[int, str]] = {}  # (township area, code) -> (pk, name)
    clients: dict[int, dict[str, int]] = {}
    county_areas = [(path, pk, name) for path, (pk, name, kind) in area_rows.items() if kind == "county"]
    with Sink("cases_open311client", ("id", "county_id", "name", "prefix", "digest", "channel", "created_by_id", "created_at", "last_used_at", "revoked_at")) as cs:  # fmt: skip
        for cpath, cpk, _cname in sorted(county_areas):
            parents = {}
            for code, name, at_township in DEPARTMENTS:
                if not at_township:
                    path = pb.root()
                    pk = ids.take("cases_department")
                    dep_rows.append([pk, path, depth(path), 0, name, code, cpk, True])
                    county_dep[(cpk, code)] = (pk, name)
                    parents[code] = path
            towns = sorted(
                (p, pk, n) for p, (pk, n, k) in area_rows.items() if k == "township" and p[:-steplen] == cpath
            )
            for _tpath, tpk, tname in towns:
                for code, name, at_township in DEPARTMENTS:
                    if at_township:
                        path = pb.child(parents[STATION_PARENT[code]])
                        pk = ids.take("cases_department")
                        dep_rows.append([pk, path, depth(path), 0, f"{tname}{name}", code, tpk, True])
                        station[(tpk, code)] = (pk, f"{tname}{name}")
            clients[cpk] = {}
            for name, channel in (
                ("12345政务服务便民热线", Channel.HOTLINE),
                ("市域社会治理综合平台", Channel.OPEN311),
            ):
                pk = ids.take("cases_open311client")
                digest = hashlib.sha256(f"gen-{cpk}-{channel}-{rng.random()}".encode()).hexdigest()
                cs.row(
                    (
                        pk,
                        cpk,
                        name,
                        "o311_gen",
                        digest,
                        channel,
                        None,
                        _db(cutoff - dt.timedelta(days=800)),
                        None,
                        None,
                    )
                )
                clients[cpk][channel] = pk
    for row in dep_rows:
        row[3] = pb.numchild.get(row[1], 0)
    with Sink(
        "cases_department", ("id", "path", "depth", "numchild", "name", "code", "area_id", "active")
    ) as s:
        for row in dep_rows:
            s.row(tuple(row))

    def departments_for(code: str, level: int, area_pk: int) -> list[tuple[int, int | None, str]]:
        out = []
        for d in WHISTLE_TO.get(code, ()):
            if d in STATION_PARENT:
                found = station.get((area_pk, d)) if level == 2 else None
            else:
                found = county_dep.get((area_pk if level == 3 else county_of_area.get(area_pk, 0), d))
            if found is not None:
                out.append((found[0], None, found[1]))
        return out

    county_of_area: dict[int, int] = {}
    pool = []
    for _ in range(POOL):
        name = _name(rng)
        phone = rng.choice(("138", "139", "158", "187", "133", "177")) + f"{rng.randint(0, 10**8 - 1):08d}"
        pool.append((
            crypto.encrypt(name, field="resident_name"), name[0] + "*" * (len(name) - 1),
            crypto.encrypt(phone, field="phone"), crypto.mask_phone(phone), crypto.digest(phone[-4:], field="phone_tail"),
        ))  # fmt: skip
    empty = ("", "", "", "", "")
    ways_names = [w for w, _s in WAY_SHARES]
    ways_weights = [s for _w, s in WAY_SHARES]
    sev_names = [s for s, _w in SEVERITIES]
    sev_weights = [w for _s, w in SEVERITIES]
    scale = ctx.scale.months / 24
    counts = {"cases": 0, "case_instances": 0, "whistles": 0, "wage_claims": 0, "enforcement_requests": 0}
    seq = 1000
    # COPY takes a moment as it is; SQLite's executemany needs Django's form of it
    db = _as_is if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value
    ctx.say(
        f"cases: ≈{round(PER_VILLAGE * scale * len(tree.villages)):,} cases over {ctx.scale.months} months"
    )
    cols_w = ("id", "case_id", "department_id", "member_user_id", "by_id", "at", "note", "report_due_at", "reported_at", "reported_by_id", "report_note")  # fmt: skip
    cols_wage = ("id", "case_id", "employer", "employer_uscc", "project", "workers", "amount", "recovered", "supervised", "responsible_unit", "responsible_person", "police_referred_on", "police_note")  # fmt: skip
    cols_enf = ("id", "case_id", "court", "court_case_number", "person_located", "assets_found", "contact_made", "findings", "reported_at", "outcome", "outcome_on", "amount_executed")  # fmt: skip
    t_rows = 0.0
    with (
        _indexes_after(Case, WorkflowInstance),
        ModelSink(Case, CASE_FIELDS) as cases_sink,
        ModelSink(WorkflowInstance, INSTANCE_FIELDS) as inst_sink,
        Sink("cases_whistle", cols_w) as w_sink,
        Sink("cases_wageclaim", cols_wage) as wage_sink,
        Sink("cases_enforcementrequest", cols_enf) as enf_sink,
    ):
        for vi, (v_area, _vname, _org_id, org_path, _groups) in enumerate(tree.villages):
            vpath = village_paths.get(v_area)
            if vpath is None:
                continue
            town_pk, town_name, _k = area_rows[vpath[:-steplen]]
            cpath = vpath[: -2 * steplen]
            county_pk, county_name, _k = area_rows[cpath]
            county_of_area[town_pk] = county_pk
            county_org = county_orgs[org_path[: -2 * Org.steplen]]
            levels = [(1, v_area, _vname), (2, town_pk, town_name), (3, county_pk, county_name)]
            cls = rng.choices(ways_names, ways_weights)[0]
            ways, ratings = WAYS[cls], RATINGS[cls]
            n = round(
                PER_VILLAGE * scale * rng.lognormvariate(0, 0.3) / 1.046
            )  # E[lognormal(0, 0.3)] = 1.046
            for _ in range(n):
                cat = rng.choice(errands) if rng.random() < 0.12 else rng.choices(base, weights)[0]
                kind = cat.kind
                severity = "minor" if kind == Kind.ERRAND else rng.choices(sev_names, sev_weights)[0]
                day = first_month + dt.timedelta(days=rng.randrange(days))
                channel, client = _channel(rng, kind)
                received = cal.local(
                    day, rng.randint(8, 17) if channel in _STAFFED else rng.randint(7, 22), rng.randint(0, 59)
                )
                s = tell(
                    rng, cal, cat=cat, severity=severity, levels=levels, received_at=received, cutoff=cutoff,
                    ways=ways, ratings=ratings, has_phone=kind != Kind.ENFORCEMENT, owner=None,
                    handler_of=_nobody, departments_for=departments_for, auto_close_days=auto_close_days,
                    whistle_share=0.45, record=False,
                )  # fmt: skip
                pk = ids.take("cases_case")
                resident = empty if kind == Kind.ENFORCEMENT else pool[pk % POOL]
                agreement = None
                if kind == Kind.DISPUTE and s.resolved_at is not None and rng.random() < 0.75:
                    agreement = cal.date(s.resolved_at)
                last = s.since or received
                cases_sink.row((
                    pk, number(pk), cat.pk, kind, severity, channel, cat.name, DESCRIPTIONS.get(cat.code, ("请代办。",))[0],
                    v_area, "", None, None, *resident[:4], resident[4], "",
                    s.level, s.top_level, s.handling[0], None, None, clients[county_pk][client] if client else None, None,
                    None, s.state, cat.public and kind not in PRIVATE_KINDS and rng.random() < 0.7, s.reply,
                    db(received), db(received + hours(cat.respond_hours)), db(s.accepted_at),
                    db(cal.due(received, cat.promise_workdays)), db(s.resolved_at), db(s.closed_at), s.workdays,
                    s.rating, s.resolved_for_resident, s.rating_comment, s.reopened, agreement, None, db(last),
                ))  # fmt: skip
                inst_sink.row((
                    ids.take("core_workflowinstance"), definition.pk, county_org, None, "cases.case", str(pk),
                    s.state, db(last), None, db(received),
                ))  # fmt: skip
                counts["cases"] += 1
                for dep, _by, at, text, due, reported, _rb in s.whistles:
                    w_sink.row((ids.take("cases_whistle"), pk, dep, None, None, db(at), text, db(due), db(reported), None, "已到场" if reported else ""))  # fmt: skip
                if kind == Kind.WAGE:
                    amount = Decimal(rng.randint(8, 900) * 1000)
                    closed = s.state == State.CLOSED
                    recovered = amount if closed else Decimal(0)
                    supervised = rng.random() < 0.2
                    wage_sink.row((
                        ids.take("cases_wageclaim"), pk, f"第{vi % 97 + 1}{rng.choice(EMPLOYERS)}", "", "", rng.randint(1, 45),
                        amount, recovered, supervised, "劳动保障监察大队" if supervised else "",
                        _name(rng) if supervised else "", None, "",
                    ))  # fmt: skip
                if kind == Kind.ENFORCEMENT:
                    seq += 1
                    row = [ids.take("cases_enforcementrequest"), pk, f"{county_name}人民法院", f"（{received.year}）执{seq}号", None, "", None, "", None, "", None, None]  # fmt: skip
                    reported = s.findings_at or s.resolved_at
                    if reported is not None:
                        text, located, contact, assets = rng.choice(FINDINGS)
                        row[4:9] = [located, assets, contact, text, db(reported)]
                        if (as_of - day).days > 45:
                            r = rng.random()
                            outcome = (
                                EnforcementOutcome.EXECUTED if r < 0.015 else EnforcementOutcome.PARTLY if r < 0.03
                                else EnforcementOutcome.NOT_EXECUTED if r < 0.5 else EnforcementOutcome.TERMINATED if r < 0.8 else ""
                            )  # fmt: skip
                            if outcome:
                                row[9] = outcome
                                row[10] = min(
                                    as_of - dt.timedelta(days=1),
                                    day + dt.timedelta(days=rng.randint(30, 120)),
                                )
                                if outcome in (EnforcementOutcome.EXECUTED, EnforcementOutcome.PARTLY):
                                    row[11] = Decimal(rng.randint(5, 200) * 1000)
                    enf_sink.row(tuple(row))
            if vi % 5000 == 4999:
                ctx.say(f"cases: {vi + 1:,}/{len(tree.villages):,} villages, {counts['cases']:,} cases")
        counts.update(
            case_instances=inst_sink.count, whistles=w_sink.count, wage_claims=wage_sink.count,
            enforcement_requests=enf_sink.count,
        )  # fmt: skip
    t_rows = time.monotonic() - started
    _bench_users(ctx, county_dep)
    ctx.say(f"cases: {counts['cases']:,} cases, {counts['whistles']:,} whistles in {t_rows:.0f}s")
    ctx.counts.update(counts)
    ctx.counts["departments"] = len(dep_rows)


def _bench_users(ctx: GenContext, county_dep: dict) -> None:
    """bench_township: the benchmark village's township; bench_dept: the first county's 住建局."""
    assert ctx.tree is not None
    pw = make_password(PASSWORD)
    village_org = ctx.tree.villages[0][3]
    town = Org.objects.get(path=village_org[: -Org.steplen])
    u = User.objects.create(username="bench_township", password=pw, display_name="bench_township")
    RoleAssignment.objects.create(user=u, role="township_admin", org=town)
    county = Org.objects.get(pk=ctx.tree.counties[0][0])
    dep_pk = county_dep[(county.area_id, "housing")][0]
    u = User.objects.create(username="bench_dept", password=pw, display_name="bench_dept")
    DepartmentStaff.objects.create(department_id=dep_pk, user=u)
    RoleAssignment.objects.create(user=u, role="department_handler", org=county)


@contextmanager
def _indexes_after(*models) -> Iterator[None]:
    """The tables' plain (not unique) indexes dropped for the load and built again after it, on
    PostgreSQL as ``core.gen.deferred_indexes`` does on SQLite: at city scale the case rows went in
    at 10,000 a second into sixteen indexes (each of the 14 plain ones a random insert per row).
    Inside the generator's transaction, so a failure leaves them as they were. The unique ones
    (keys, tracking numbers) stay and check every row as it comes."""
    if connection.vendor != "postgresql":
        with deferred_indexes(*models):
            yield
        return
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_index x ON x.indexrelid = c.oid WHERE i.tablename = ANY(%s) AND NOT x.indisunique",
            [tables],
        )
        found = cur.fetchall()
        for name, _sql in found:
            cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cur:
        for _name, sql in found:
            cur.execute(sql)


_STAFFED = frozenset((Channel.WINDOW, Channel.VISIT, Channel.PHONE, Channel.WECHAT, Channel.COURT))


def _nobody(_area_pk: int) -> None:
    return None


def _channel(rng: random.Random, kind: str) -> tuple[str, str | None]:
    """(channel, which client system) as in the demo; nobody has an account to enter them as."""
    if kind == Kind.ENFORCEMENT:
        return Channel.COURT, None
    if kind == Kind.ERRAND:
        return (Channel.WINDOW if rng.random() < 0.7 else Channel.VISIT), None
    r = rng.random()
    if kind == Kind.WAGE:
        return (
            (Channel.LABOUR, None)
            if r < 0.55
            else (Channel.HOTLINE, Channel.HOTLINE)
            if r < 0.75
            else (Channel.WINDOW, None)
        )
    for upto, channel, client in _CHANNELS:
        if r < upto:
            return channel, client
    return Channel.OPEN311, Channel.OPEN311


_CHANNELS = (
    (0.24, Channel.ONLINE, None),
    (0.36, Channel.WINDOW, None),
    (0.56, Channel.VISIT, None),
    (0.66, Channel.HOTLINE, Channel.HOTLINE),
    (0.72, Channel.HOTLINE, None),
    (0.82, Channel.WECHAT, None),
    (0.9, Channel.PHONE, None),
    (0.93, Channel.LABOUR, None),
)


def _name(rng: random.Random) -> str:
    from jiceng.core.demo import MALE_CHARS, SURNAMES

    return (
        rng.choice(SURNAMES[:60])
        + rng.choice(MALE_CHARS)
        + (rng.choice(MALE_CHARS) if rng.random() < 0.7 else "")
    )


def _db(moment):
    return connection.ops.adapt_datetimefield_value(moment)


def _as_is(moment):
    return moment
