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
party member (≈4,000,000 at province scale). Not generated yet: residents' cases (the cases app
does not exist yet).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction

from jiceng.core import audit, crypto
from jiceng.core.models import Area, Org, RoleAssignment, User
from jiceng.core.trees import PathBuilder, depth
from jiceng.demo import AS_OF, EDU_MID, EDU_OLD, EDU_YOUNG, _Gen

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


class _Sink:
    """Rows into one table, in chunks: COPY on PostgreSQL, executemany on SQLite. Chunks are
    written one COPY at a time, so several sinks may be open together on the one connection
    (PostgreSQL allows a single COPY in progress per connection)."""

    CHUNK = 50_000

    def __init__(self, table: str, columns: tuple[str, ...]) -> None:
        self.table, self.columns, self.count = table, columns, 0
        self._buf: list[tuple] = []

    def __enter__(self) -> _Sink:
        return self

    def row(self, values: tuple) -> None:
        self.count += 1
        self._buf.append(values)
        if len(self._buf) >= self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self._buf:
            return
        cols = ", ".join(self.columns)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur, cur.cursor.copy(f"COPY {self.table} ({cols}) FROM STDIN") as copy:
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


class _Ids:
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


def _say(enabled: bool, msg: str, started: float) -> None:
    if enabled:
        print(f"  [{time.monotonic() - started:7.1f}s] {msg}", file=sys.stderr, flush=True)


def _months(n: int) -> list[dt.date]:
    y, m = AS_OF.year, AS_OF.month
    out = []
    for _ in range(n):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(dt.date(y, m, 1))
    return out[::-1]


def generate(scale_name: str, *, seed: int = 1, progress: bool = True) -> dict[str, int]:
    """Generate one dataset into the (empty) database; returns row counts."""
    scale = SCALES[scale_name]
    if Org.objects.exists() or Area.objects.exists():
        raise RuntimeError("jiceng gen needs an empty database (run it on a fresh DATABASE_URL)")
    started = time.monotonic()
    g = _Gen(seed)
    rng = g.rng
    ids = _Ids()
    counts: dict[str, int] = {}
    ap, op = PathBuilder(), PathBuilder()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:  # FK checks are re-established by the data being generated whole
                cur.execute("SET LOCAL session_replication_role = replica")
        tree = _trees(scale, g, ap, op, ids, progress, started)
        counts.update(tree.counts)
        counts.update(_people(scale, g, rng, ids, tree, progress, started))
        counts.update(_orglife(scale, rng, ids, tree, progress, started))
        _users(tree)
        ids.reset_sequences()
        audit.record(actor=None, action="demo_load", target_type="gen", target_repr=f"合成数据 {scale_name}",
                     org_path=Org.objects.get(pk=tree.root_org[0]).path, changes={"seed": [None, seed]})
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    counts["seconds"] = round(time.monotonic() - started, 1)
    _say(progress, f"done: {counts}", started)
    return counts


@dataclass
class _Tree:
    root_org: tuple[int, str]
    villages: list[tuple[int, str, int, str, list[tuple[int, str]]]]  # area id, name, org id, org path, groups
    counties: list[tuple[int, str]]  # org id, path
    counts: dict[str, int]
    # village org id → its members as (member id, org id, joined on)
    members_of: dict[int, list[tuple[int, int, dt.date]]] = field(default_factory=dict)


def _trees(scale: Scale, g: _Gen, ap: PathBuilder, op: PathBuilder, ids: _Ids, progress: bool, started: float):
    rng = g.rng
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
            cty_o = org(city_o[1], f"中共第{c + 1}市{k + 1}县委员会", "committee", cty_a[0], dt.date(1950, 1, 1))
            counties.append(cty_o)
            for t in range(scale.townships_per_county):
                tn = f"{c + 1}-{k + 1}-{t + 1}镇"
                t_a = area(cty_a[1], tn, "township")
                t_o = org(cty_o[1], f"中共{tn}委员会", "committee", t_a[0], dt.date(1984, 1, 1))
                for v in range(scale.villages_per_township):
                    vn = f"{tn}{v + 1}村"
                    v_a = area(t_a[1], vn, "village")
                    v_o = org(t_o[1], f"中共{vn}支部委员会", "branch", v_a[0], dt.date(1960, 7, 1))
                    groups = [org(v_o[1], f"{vn}第{i + 1}党小组", "group", v_a[0], dt.date(2019, 3, 1))
                              for i in range(rng.choice((0, 0, 1, 1, 2)))]
                    n_groups += len(groups)
                    villages.append((v_a[0], vn, v_o[0], v_o[1], groups))
    for row in area_rows:
        row[3] = ap.numchild.get(row[1], 0)
    for row in org_rows:
        row[3] = op.numchild.get(row[1], 0)
    with _Sink("core_area", ("id", "path", "depth", "numchild", "name", "kind", "code")) as s:
        for row in area_rows:
            s.row(tuple(row))
    with _Sink("core_org", ("id", "path", "depth", "numchild", "name", "kind", "area_id", "established_on",
                            "dissolved_on")) as s:
        for row in org_rows:
            s.row(tuple(row))
    _say(progress, f"trees: {len(area_rows)} areas, {len(org_rows)} organisations", started)
    return _Tree(prov_o, villages, counties, {"areas": len(area_rows), "orgs": len(org_rows), "groups": n_groups})


def _people(scale, g: _Gen, rng: random.Random, ids: _Ids, tree: _Tree, progress: bool, started: float):
    tail_digests: dict[str, str] = {}
    persons = members = posts = 0
    p_cols = ("id", "name", "gender", "ethnicity", "birth_date", "education", "id_number_ciphertext",
              "id_number_digest", "id_number_tail_digest", "id_number_masked", "phone_ciphertext", "phone_digest",
              "phone_masked", "area_id", "household_id", "user_id", "created_at", "updated_at")
    m_cols = ("id", "person_id", "org_id", "status", "joined_on", "full_on", "mobility", "mobility_note",
              "created_at", "updated_at")
    c_cols = ("id", "area_id", "committee", "post", "person_id", "term_from", "term_to")
    h_cols = ("id", "area_id", "address", "head_name", "created_at")
    households = 0
    now = dt.datetime.now(dt.UTC)
    with _Sink("people_person", p_cols) as ps, _Sink("people_partymember", m_cols) as ms, \
            _Sink("people_cadrepost", c_cols) as cs, _Sink("people_household", h_cols) as hs:
        for vi, (area_id, vname, org_id, _path, groups) in enumerate(tree.villages):
            n = max(5, int(rng.gauss(scale.members_per_village, scale.members_per_village * 0.25)))
            rows = []
            for _ in range(n):  # households without a party member, numbered after the members' ones
                households += 1
                hs.row((ids.take("people_household"), area_id, f"{vname}{rng.randint(1, 9)}组{n + _ + 1}号",
                        g.name("male" if rng.random() < 0.8 else "female"), now))
            for i in range(n):
                band = rng.choices(("young", "mid", "old"), weights=(20, 45, 35))[0]
                gender = "male" if rng.random() < 0.72 else "female"
                birth = g.birth_date(band)
                number = g.id_number(birth, gender) if scale.villages < 5000 else _fast_id(rng, birth, gender)
                phone = g.phone()
                tail = number[-4:]
                if tail not in tail_digests:
                    tail_digests[tail] = crypto.digest(tail, field="id_number_tail")
                pid = ids.take("people_person")
                edu = g.weighted({"young": EDU_YOUNG, "mid": EDU_MID, "old": EDU_OLD}[band])
                name = g.name(gender)
                hid = ids.take("people_household")
                households += 1
                hs.row((hid, area_id, f"{vname}{rng.randint(1, 9)}组{i + 1}号", name, now))
                ps.row((pid, name, gender, "汉族", birth, edu, crypto.encrypt(number, field="id_number"),
                        crypto.digest(number, field="id_number"), tail_digests[tail], crypto.mask_id_number(number),
                        crypto.encrypt(phone, field="phone"), crypto.digest(phone, field="phone"),
                        crypto.mask_phone(phone), area_id, hid, None, now, now))
                persons += 1
                age = (AS_OF - birth).days // 365
                joined = birth + dt.timedelta(days=365 * rng.randint(19, max(19, min(age - 2, 50))))
                full = joined + dt.timedelta(days=370)
                where = groups[rng.randrange(len(groups))][0] if groups and rng.random() < 0.7 else org_id
                mid = ids.take("people_partymember")
                away = age < 55 and rng.random() < 0.1
                ms.row((mid, pid, where, "full", joined, full, "outflow" if away else "none",
                        "外出务工，微信联系" if away else "", now, now))
                members += 1
                rows.append((mid, where, joined, pid))
            tree.members_of[org_id] = [(m, o, j) for m, o, j, _ in rows]
            # 两委: the earliest members hold the party seats; the secretary also chairs the villagers'
            # committee in ≈90% of villages (一肩挑), otherwise the next member does
            term = dt.date(2021, 6, 18)
            early = [r for r in sorted(rows, key=lambda r: r[2])[:5] if r[2] <= term]
            for i, (_m, _o, _j, pid) in enumerate(early):
                cs.row((ids.take("people_cadrepost"), area_id, "party", "secretary" if i == 0 else "member", pid,
                        term, None))
                posts += 1
            if early:
                chair = early[0][3] if rng.random() < 0.9 or len(early) == 1 else early[1][3]
                cs.row((ids.take("people_cadrepost"), area_id, "villagers", "chair", chair, term, None))
                posts += 1
            if progress and vi % 5000 == 4999:
                _say(progress, f"people: {vi + 1}/{len(tree.villages)} villages, {members} members", started)
    _say(progress, f"people: {persons} persons, {members} members, {posts} 两委 seats, {households} households",
         started)
    return {"persons": persons, "members": members, "cadre_posts": posts, "households": households}


def _fast_id(rng: random.Random, birth: dt.date, gender: str) -> str:
    """At province scale uniqueness by set costs too much memory; a 3-digit sequence plus a
    random region code from the demo's list makes collisions rare, and the ID digest column is
    not unique in the schema."""
    from stdnum.cn import ric

    from jiceng.demo import ID_REGIONS

    seq = rng.randint(0, 499) * 2 + (1 if gender == "male" else 0)
    body = f"{rng.choice(ID_REGIONS)}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def _orglife(scale, rng: random.Random, ids: _Ids, tree: _Tree, progress: bool, started: float):
    months = _months(scale.months)
    meetings = attendance = 0
    mt_cols = ("id", "org_id", "kind", "held_on", "place", "topic", "first_agenda", "topic_item_id", "minutes",
               "recorded_by_id", "recorded_at")
    at_cols = ("id", "meeting_id", "member_id", "status", "reason")
    now = dt.datetime.now(dt.UTC)

    def statuses(rows: list) -> Iterator[tuple[int, str, str]]:
        for mid, _o, _joined in rows:
            r = rng.random()
            if r < 0.86:
                yield mid, "present", ""
            elif r < 0.91:
                yield mid, "online", ""
            elif r < 0.97:
                yield mid, "leave", "外出务工"
            else:
                yield mid, "absent", "未请假"

    with _Sink("orglife_meeting", mt_cols) as ms, _Sink("orglife_attendance", at_cols) as ats:
        for vi, (_area_id, _vn, org_id, _path, groups) in enumerate(tree.villages):
            members = tree.members_of.get(org_id, [])
            silent = rng.random() < 0.03
            for month in months:
                if silent and month > AS_OF - dt.timedelta(days=220):
                    continue
                plan = []
                if month.month % 2 == 1 and rng.random() < 0.85:
                    plan.append(("theme_day", org_id, members))
                if rng.random() < 0.8:
                    plan.append(("committee_meeting", org_id, members[:5]))
                if month.month % 3 == 0 and rng.random() < 0.8:
                    plan.append(("branch_assembly", org_id, members))
                for gid, _gpath in groups:
                    if rng.random() < 0.6:
                        plan.append(("group_meeting", gid, [m for m in members if m[1] == gid]))
                for kind, holder, invited in plan:
                    day = month + dt.timedelta(days=rng.randint(0, 25))
                    present = [m for m in invited if m[2] <= day]
                    if not present:
                        continue
                    meeting_id = ids.take("orglife_meeting")
                    ms.row((meeting_id, holder, kind, day, "党员活动室", "学习贯彻会议精神", "学习重要讲话精神", None, "",
                            None, now))
                    meetings += 1
                    for mid, status, reason in statuses(present):
                        ats.row((ids.take("orglife_attendance"), meeting_id, mid, status, reason))
                        attendance += 1
            if progress and vi % 5000 == 4999:
                _say(progress, f"organisational life: {vi + 1}/{len(tree.villages)} villages, {meetings} meetings, "
                               f"{attendance} attendance rows", started)
    _say(progress, f"organisational life: {meetings} meetings, {attendance} attendance rows", started)
    return {"meetings": meetings, "attendance": attendance}


def _users(tree: _Tree) -> None:
    """bench_root (province), bench_county (first county), bench_village (first village's branch)."""
    from django.contrib.auth.hashers import make_password

    pw = make_password(PASSWORD)
    for username, (org_id, _p), role in (
        ("bench_root", tree.root_org, "county_admin"),
        ("bench_county", tree.counties[0], "county_admin"),
        ("bench_village", (tree.villages[0][2], tree.villages[0][3]), "branch_secretary"),
    ):
        u = User.objects.create(username=username, password=pw, display_name=username)
        RoleAssignment.objects.create(user=u, role=role, org_id=org_id)
