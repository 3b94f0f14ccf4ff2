"""``jiceng gen --scale village|county|city|province``: reproducible synthetic data for benchmarks.

The shape follows the demo county (tree depth and fan-out, member age and education mix, 两委
seats with 一肩挑, monthly organisational life with attendance) but is streamed straight into the
tables: PostgreSQL COPY where available (the fastest correct path), batched INSERTs on SQLite.
Primary keys are assigned here, so no row needs a round trip; sequences are moved past them at
the end. Every generated meeting satisfies meeting_record's rules (the full checklist for every
party-life kind but the 支委会, which lists the committee).

Scales (members ≈ villages × members_per_village):

    village     1 village,          ≈60 members
    county      204 villages,       ≈13,000 members (the demo county's size)
    city        2,000 villages,     ≈130,000 members
    province    60,000 villages,    ≈2,000,000 members, ≈100,000 organisations, ≈3,000,000
                meetings and ≈30,000,000 attendance rows over 24 months

Households: every member's person heads one, and each village has as many again without a
party member (≈4,000,000 at province scale).

Dates: the data stands on ``as_of`` (default today): the scale's whole months before that month,
then the current month up to yesterday, so "the last full month" and the year to date have their
meetings (``jiceng gen --as-of`` pins the date).

This module is the driver and core's part (the trees, the bench log-ins); each installed app adds
its rows as a generator step in its plugin, run in order on one shared context.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from . import audit, kit
from .demo import Gen, default_as_of
from .models import Area, Org, RoleAssignment, User
from .trees import PathBuilder, depth

PASSWORD = "bench12345"


@dataclass(frozen=True)
class Scale:
    cities: int
    counties_per_city: int
    townships_per_county: int
    villages_per_township: int
    members_per_village: int
    months: int = 24

    @property
    def villages(self) -> int:
        return self.cities * self.counties_per_city * self.townships_per_county * self.villages_per_township


SCALES = {
    "village": Scale(1, 1, 1, 1, 60),
    "county": Scale(1, 1, 20, 10, 64),
    "city": Scale(1, 10, 20, 10, 65),
    "province": Scale(15, 10, 17, 24, 33),  # 61,200 villages, ≈2.0 M members
}


class Sink:
    """Rows into one table, in chunks: COPY on PostgreSQL, executemany on SQLite. Chunks are
    written one COPY at a time, so several sinks may be open together on the one connection
    (PostgreSQL allows a single COPY in progress per connection)."""

    CHUNK = 50_000

    def __init__(self, table: str, columns: tuple[str, ...]) -> None:
        self.table, self.columns, self.count = table, columns, 0
        self._buf: list[tuple] = []

    def __enter__(self) -> Sink:
        return self

    def row(self, values: tuple) -> None:
        self.count += 1
        self._buf.append(values)
        if len(self._buf) >= self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self._buf:
            return
        # quoted: a column may be a reserved word ("on")
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        if connection.vendor == "postgresql":
            with (
                connection.cursor() as cur,
                cur.cursor.copy(f"COPY {self.table} ({cols}) FROM STDIN") as copy,
            ):
                for values in self._buf:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            with connection.cursor() as cur:
                cur.executemany(f"INSERT INTO {self.table} ({cols}) VALUES ({marks})", self._buf)
        self._buf = []

    def __exit__(self, *exc) -> None:
        if not exc[0]:
            self._flush()


class ModelSink(Sink):
    """A Sink into a model's table: the fields named, then every other concrete column with its
    default, so a field another app adds later (with a default) needs no change here. The primary
    key is left to the database unless named; a column with a database default and no Python
    default is left to the database."""

    def __init__(self, model, fields: tuple[str, ...]) -> None:
        meta = model._meta
        named = [meta.get_field(f) for f in fields]
        rest = [
            f
            for f in meta.concrete_fields
            if f not in named and not f.primary_key and not (f.has_db_default() and not f.has_default())
        ]
        self._extra = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        super().__init__(meta.db_table, tuple(f.column for f in named + rest))

    def row(self, values: tuple) -> None:
        self.count += 1
        self._buf.append(values + self._extra)
        if len(self._buf) >= self.CHUNK:
            self._flush()


def db_now():
    """Now, in the form the database takes it: a row writer handing the same timestamp to
    300,000 rows should not have the driver format it 300,000 times."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


@contextmanager
def deferred_indexes(*models) -> Iterator[None]:
    """On SQLite, the models' own indexes dropped for a bulk load and built again after it, from
    the very statements that made them (sqlite_master): sorting 300,000 keys once is several times
    faster than inserting them one by one into half a dozen B-trees. A unique index built again
    refuses duplicates as it would have on insert. Inside the caller's transaction (SQLite's DDL is
    transactional), so a failure leaves the indexes as they were. Elsewhere it does nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("deferred_indexes needs the caller's transaction")
    tables = [m._meta.db_table for m in models]
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
            tables,
        )
        indexes = cur.fetchall()
        for name, _sql in indexes:
            cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cur:
        for _name, sql in indexes:
            cur.execute(sql)


class Ids:
    """Next primary key per table, from the current maximum."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, table: str) -> int:
        if table not in self._next:
            with connection.cursor() as cur:
                cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                self._next[table] = cur.fetchone()[0] + 1
        value = self._next[table]
        self._next[table] += 1
        return value

    def reset_sequences(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cur:
            for table, nxt in self._next.items():
                cur.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [table, nxt])


def say(enabled: bool, msg: str, started: float) -> None:
    if enabled:
        print(f"  [{time.monotonic() - started:7.1f}s] {msg}", file=sys.stderr, flush=True)


def months(n: int, as_of: dt.date) -> list[dt.date]:
    """The first days of the ``n`` whole months before ``as_of``'s month, oldest first."""
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(n):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(dt.date(y, m, 1))
    return out[::-1]


@dataclass
class Tree:
    root_org: tuple[int, str]
    villages: list[
        tuple[int, str, int, str, list[tuple[int, str]]]
    ]  # area id, name, org id, org path, groups
    counties: list[tuple[int, str]]  # org id, path
    counts: dict[str, int]
    # village org id → its members as (member id, org id, joined on)
    members_of: dict[int, list[tuple[int, int, dt.date]]] = field(default_factory=dict)


@dataclass
class GenContext:
    """What the steps share: the scale, the generator, the key allocator, the trees (core's step)
    and the row counts each step adds."""

    scale: Scale
    g: Gen
    ids: Ids
    progress: bool
    started: float
    tree: Tree | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rng(self) -> random.Random:
        return self.g.rng

    def say(self, msg: str) -> None:
        say(self.progress, msg, self.started)


def generate(
    scale_name: str, *, seed: int = 1, progress: bool = True, as_of: dt.date | None = None
) -> dict[str, float]:
    """Generate one dataset into the (empty) database as it stands on ``as_of`` (default today:
    meetings up to yesterday); returns row counts."""
    scale = SCALES[scale_name]
    as_of = as_of or default_as_of()
    if as_of > default_as_of():
        raise RuntimeError(f"--as-of {as_of} is in the future: meetings cannot be recorded as held")
    if Org.objects.exists() or Area.objects.exists():
        raise RuntimeError("jiceng gen needs an empty database (run it on a fresh DATABASE_URL)")
    started = time.monotonic()
    ctx = GenContext(scale, Gen(seed, as_of), Ids(), progress, started)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:  # FK checks are re-established by the data being generated whole
                cur.execute("SET LOCAL session_replication_role = replica")
        for step in kit.steps("gen"):
            step(ctx)
        ctx.ids.reset_sequences()
        assert ctx.tree is not None, "core's trees step runs first"
        audit.record(
            actor=None,
            action="demo_load",
            target_type="gen",
            target_repr=f"合成数据 {scale_name}",
            org_path=Org.objects.get(pk=ctx.tree.root_org[0]).path,
            changes={"seed": [None, seed], "as_of": [None, as_of.isoformat()]},
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    counts: dict[str, float] = dict(ctx.counts)
    counts["seconds"] = round(time.monotonic() - started, 1)
    say(progress, f"done: {counts}", started)
    return counts


def trees(ctx: GenContext) -> None:
    scale, ids, rng, ap, op = ctx.scale, ctx.ids, ctx.rng, PathBuilder(), PathBuilder()
    area_rows, org_rows = [], []

    def area(parent_path, name, kind):
        path = ap.child(parent_path) if parent_path else ap.root()
        pk = ids.take("core_area")
        area_rows.append([pk, path, depth(path), 0, name, kind, ""])
        return pk, path

    def org(parent_path, name, kind, area_id, est):
        path = op.child(parent_path) if parent_path else op.root()
        pk = ids.take("core_org")
        org_rows.append([pk, path, depth(path), 0, name, kind, area_id, est, None])
        return pk, path

    prov_a = area(None, "示范省", "province")
    prov_o = org(None, "中共示范省委员会", "committee", prov_a[0], dt.date(1949, 10, 1))
    villages, counties = [], []
    n_groups = 0
    for c in range(scale.cities):
        city_a = area(prov_a[1], f"第{c + 1}市", "city")
        city_o = org(prov_o[1], f"中共第{c + 1}市委员会", "committee", city_a[0], dt.date(1950, 1, 1))
        for k in range(scale.counties_per_city):
            cty_a = area(city_a[1], f"第{c + 1}市{k + 1}县", "county")
            cty_o = org(
                city_o[1], f"中共第{c + 1}市{k + 1}县委员会", "committee", cty_a[0], dt.date(1950, 1, 1)
            )
            counties.append(cty_o)
            for t in range(scale.townships_per_county):
                tn = f"{c + 1}-{k + 1}-{t + 1}镇"
                t_a = area(cty_a[1], tn, "township")
                t_o = org(cty_o[1], f"中共{tn}委员会", "committee", t_a[0], dt.date(1984, 1, 1))
                for v in range(scale.villages_per_township):
                    vn = f"{tn}{v + 1}村"
                    v_a = area(t_a[1], vn, "village")
                    v_o = org(t_o[1], f"中共{vn}支部委员会", "branch", v_a[0], dt.date(1960, 7, 1))
                    groups = [
                        org(v_o[1], f"{vn}第{i + 1}党小组", "group", v_a[0], dt.date(2019, 3, 1))
                        for i in range(rng.choice((0, 0, 1, 1, 2)))
                    ]
                    n_groups += len(groups)
                    villages.append((v_a[0], vn, v_o[0], v_o[1], groups))
    for row in area_rows:
        row[3] = ap.numchild.get(row[1], 0)
    for row in org_rows:
        row[3] = op.numchild.get(row[1], 0)
    with Sink("core_area", ("id", "path", "depth", "numchild", "name", "kind", "code")) as s:
        for row in area_rows:
            s.row(tuple(row))
    with Sink(
        "core_org",
        ("id", "path", "depth", "numchild", "name", "kind", "area_id", "established_on", "dissolved_on"),
    ) as s:
        for row in org_rows:
            s.row(tuple(row))
    ctx.say(f"trees: {len(area_rows)} areas, {len(org_rows)} organisations")
    ctx.tree = Tree(
        prov_o, villages, counties, {"areas": len(area_rows), "orgs": len(org_rows), "groups": n_groups}
    )
    ctx.counts.update(ctx.tree.counts)


def users(ctx: GenContext) -> None:
    """bench_root (province), bench_county (first county), bench_village (first village's branch)."""
    from django.contrib.auth.hashers import make_password

    assert ctx.tree is not None, "core's trees step runs first"
    pw = make_password(PASSWORD)
    for username, (org_id, _p), role in (
        ("bench_root", ctx.tree.root_org, "county_admin"),
        ("bench_county", ctx.tree.counties[0], "county_admin"),
        ("bench_village", (ctx.tree.villages[0][2], ctx.tree.villages[0][3]), "branch_secretary"),
    ):
        u = User.objects.create(username=username, password=pw, display_name=username)
        RoleAssignment.objects.create(user=u, role=role, org_id=org_id)


def fast_id_number(rng: random.Random, birth: dt.date, gender: str) -> str:
    """A valid ID number for the generator at scale: uniqueness by set would cost too much memory;
    a 3-digit sequence plus a random region code from the demo's list makes collisions rare, and
    the ID digest column is not unique in the schema."""
    from stdnum.cn import ric

    from .demo import ID_REGIONS

    seq = rng.randint(0, 499) * 2 + (1 if gender == "male" else 0)
    body = f"{rng.choice(ID_REGIONS)}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")
