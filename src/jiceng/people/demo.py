"""The people part of the demo county: every party member (≈13,000: 35岁以下≈20%, 60岁以上≈35%)
with their person record; the households of every village and community (7–10 a member in a
village, 4–7 in a community: ≈100,000) with their tags and their residents (≈3 a household, a family
with fitting ages: ≈300,000 persons, members among them); and the 两委 seats (1,406 persons of
whom 499 are cross-appointed, 183 villages with 一肩挑), the secretaries of a secretary's age. Names
are generated; ID numbers are fictional but valid (checksum, birth date, gender digit)."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max

from jiceng.core import crypto
from jiceng.core.demo import DemoContext, Gen, split
from jiceng.core.gen import ModelSink, db_now, deferred_indexes
from jiceng.core.models import Area, Org

from .models import CadrePost, Household, HouseholdTag, PartyMember, Person

TERM_FROM = dt.date(2021, 6, 18)  # 001: the 2021 两委 elections
# households per party member (see _households_for) and registered household sizes (≈2.9 persons)
HOUSEHOLDS_PER_MEMBER = {"village": (7.0, 10.0), "community": (4.0, 7.0)}
HOUSEHOLD_SIZES = [(1, 17), (2, 28), (3, 24), (4, 16), (5, 9), (6, 4), (7, 2)]
EDU_YOUNG = [
    ("bachelor", 22),
    ("college", 30),
    ("secondary_vocational", 12),
    ("high_school", 18),
    ("junior_high", 15),
    ("postgraduate", 3),
]
EDU_MID = [
    ("bachelor", 8),
    ("college", 17),
    ("secondary_vocational", 10),
    ("high_school", 25),
    ("junior_high", 34),
    ("primary_or_below", 6),
]
EDU_OLD = [
    ("college", 4),
    ("secondary_vocational", 5),
    ("high_school", 18),
    ("junior_high", 43),
    ("primary_or_below", 30),
]
TAGS = [
    ("poor", "困难户"),
    ("left_behind_elderly", "留守老人"),
    ("left_behind_children", "留守儿童"),
    ("left_behind_women", "留守妇女"),
    ("dibao", "低保户"),
    ("veteran", "退役军人户"),
]
OUTFLOW_PLACES = [
    "广东省东莞市",
    "浙江省宁波市",
    "重庆市渝北区",
    "四川省成都市",
    "福建省晋江市",
    "江苏省苏州市",
    "广东省深圳市",
    "上海市嘉定区",
]


# Person's columns as the bulk writers fill them; any other column (one an app adds later) gets its
# default (ModelSink)
PERSON_COLUMNS = (
    "id",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "id_number_ciphertext",
    "id_number_digest",
    "id_number_tail_digest",
    "id_number_masked",
    "phone_ciphertext",
    "phone_digest",
    "phone_masked",
    "area",
    "household",
    "user",
    "created_at",
    "updated_at",
)


def _person(
    g: Gen, *, band: str | None = None, gender: str | None = None, area=None, household=None
) -> Person:
    band = band or g.weighted([("young", 20), ("mid", 45), ("old", 35)])
    gender = gender or ("male" if g.rng.random() < 0.72 else "female")
    birth = g.birth_date(band)
    number = g.id_number(birth, gender)
    phone = g.phone()
    edu = g.weighted({"young": EDU_YOUNG, "mid": EDU_MID, "old": EDU_OLD}[band])
    return Person(
        name=g.name(gender),
        gender=gender,
        ethnicity="土家族" if g.rng.random() < 0.06 else "汉族",
        birth_date=birth,
        education=edu,
        id_number_ciphertext=crypto.encrypt(number, field="id_number"),
        id_number_digest=crypto.digest(number, field="id_number"),
        id_number_tail_digest=crypto.digest(number[-4:], field="id_number_tail"),
        id_number_masked=crypto.mask_id_number(number),
        phone_ciphertext=crypto.encrypt(phone, field="phone"),
        phone_digest=crypto.digest(phone, field="phone"),
        phone_masked=crypto.mask_phone(phone),
        area=area,
        household=household,
    )


def _member_dates(g: Gen, birth: dt.date) -> tuple[str, dt.date, dt.date | None]:
    age_now = (g.as_of - birth).days // 365
    # ≈2% are probationary: admitted within the last year
    if age_now < 45 and g.rng.random() < 0.05:
        joined = g.as_of - dt.timedelta(days=g.rng.randint(20, 330))
        return "probationary", joined, None
    join_age = g.rng.randint(19, max(19, min(age_now - 1, 55)))
    joined = birth + dt.timedelta(days=join_age * 365 + g.rng.randint(0, 300))
    joined = min(joined, g.as_of - dt.timedelta(days=400))
    full = joined + dt.timedelta(days=366 + g.rng.randint(0, 20))
    return "full", joined, full


def _early_dates(g: Gen, birth: dt.date) -> tuple[dt.date, dt.date] | None:
    """Join and full dates a full year before the 两委 term began, or None if the person was too
    young then (joined at 19 at the earliest)."""
    latest = TERM_FROM - dt.timedelta(days=400)  # full_on = joined + 366..386 days ≤ TERM_FROM
    earliest = birth + dt.timedelta(days=19 * 365)
    if earliest > latest:
        return None
    age_then = (latest - birth).days // 365
    join_age = g.rng.randint(19, max(19, min(age_then, 55)))
    joined = min(birth + dt.timedelta(days=join_age * 365 + g.rng.randint(0, 300)), latest)
    return joined, joined + dt.timedelta(days=366 + g.rng.randint(0, 20))


def _cadre_quotas(n_v: int) -> tuple[int, list[int], list[int]]:
    """一肩挑 villages, 两委 persons per village and cross-appointed per village (unshuffled),
    scaled from 001's county: 183 of 204, 1,406 persons, 499 cross-appointed."""
    return round(n_v * 183 / 204), split(round(n_v * 1406 / 204), n_v), split(round(n_v * 499 / 204), n_v)


def _seat_counts(n_p: int, n_x: int, dual: bool) -> tuple[int, int, int]:
    """(cross-appointed, party committee only, villagers' committee only) for one village."""
    n_x = max(n_x, 1 if dual else 0)
    rest = n_p - n_x
    n_party_only = max(1, (rest + 1) // 2)
    return n_x, n_party_only, max(1, rest - n_party_only)


def _ensure_early_members(
    g: Gen, villages: list[dict], member_specs: list, persons: list[Person], members: list[PartyMember]
) -> None:
    """Every village needs enough members admitted before the 两委 term to fill its party seats,
    and one of them of a secretary's age (_secretary_weight) a full member by then. Big villages
    have them anyway; in a small one others are given earlier dates: working-age members first,
    the oldest of them first."""
    n_v = sum(not v["organ"] for v in villages)
    if not n_v:
        return
    _dual, persons_per, cross_per = _cadre_quotas(n_v)
    need = max(
        sum(_seat_counts(n_p, n_x, dual)[:2])
        for n_p in set(persons_per)
        for n_x in set(cross_per)
        for dual in (True, False)
    )
    by_village: dict[str, list[int]] = {}
    for pos, (_idx, _org, v) in enumerate(member_specs):
        if not v["organ"]:
            by_village.setdefault(v["area"].path, []).append(pos)

    def age(i: int) -> int:
        return _age(g, persons[member_specs[i][0]].birth_date)

    def full_early(i: int) -> bool:
        return bool(members[i].full_on and members[i].full_on <= TERM_FROM)

    for v in villages:
        if v["organ"]:
            continue
        positions = by_village.get(v["area"].path, [])
        early = [i for i in positions if members[i].joined_on <= TERM_FROM]
        has_leader = any(full_early(i) and _secretary_weight(age(i)) for i in early)
        if len(early) >= need and has_leader:
            continue
        later = [i for i in positions if not full_early(i)]
        # a secretary first (the likeliest age first), then working age, oldest first
        leaders = [i for i in later if _secretary_weight(age(i))] if not has_leader else []
        order = sorted(leaders, key=lambda i: (-_secretary_weight(age(i)), i))
        order += sorted(
            later, key=lambda i: (not _seat_weight(age(i)), persons[member_specs[i][0]].birth_date, i)
        )
        for i in order:
            if len(early) >= need and has_leader:
                break
            if full_early(i) or (has_leader and members[i].joined_on <= TERM_FROM):
                continue
            dates = _early_dates(g, persons[member_specs[i][0]].birth_date)
            if dates is None:
                continue
            m = members[i]
            if m.joined_on > TERM_FROM:
                early.append(i)
            m.status, (m.joined_on, m.full_on) = "full", dates
            has_leader = has_leader or bool(_secretary_weight(age(i)))
        if len(early) < need or not has_leader:
            raise RuntimeError(f"{v['area'].name}: too few members old enough for its party committee")


def _age(g: Gen, birth: dt.date) -> int:
    return (g.as_of - birth).days // 365


def _secretary_weight(age: int) -> int:
    """How likely a full member of this age (on the demo's day) was elected secretary: village
    secretaries are mostly 40–55, some 35–39 or 56–60, few 30–34, none younger or older."""
    if 40 <= age <= 55:
        return 6
    if 35 <= age <= 39 or 56 <= age <= 60:
        return 2
    return 1 if 30 <= age <= 34 else 0


def _seat_weight(age: int) -> int:
    """Other 两委 seats: working age first (25–62), the old only when a village has nobody else."""
    return 2 if 25 <= age <= 62 else 0


def _by_preference(
    g: Gen, pks: list[int], weight: Callable[[int], int], age_of: Callable[[int], int]
) -> list[int]:
    """``pks`` ordered by a weighted random draw (weight 0 last, in their given order)."""
    keyed = [
        (-(g.rng.random() ** (1 / weight(age_of(pk)))) if weight(age_of(pk)) else 1.0, i)
        for i, pk in enumerate(pks)
    ]
    return [pks[i] for _k, i in sorted(keyed)]


def _households_for(g: Gen, members: int, community: bool) -> int:
    """Households of a village (community) for its party members: rural members are ≈3.7% of the
    residents (003: 13,092 members in a county of 35万), ≈3 a household, so 7–10 households a
    member; a community's members are a larger share of its residents (retired cadres, teachers),
    4–7 households a member."""
    lo, hi = HOUSEHOLDS_PER_MEMBER["community" if community else "village"]
    return max(math.ceil(lo * members), min(math.floor(hi * members), round(members * g.rng.uniform(lo, hi))))


class _Residents:
    """The residents who are not party members, as plain rows for the bulk writer (≈300,000 in the
    full county: Person objects and bulk_create would cost half a minute)."""

    COLUMNS = tuple(c for c in PERSON_COLUMNS if c not in ("id", "user"))  # new rows, nobody's log-in

    def __init__(self, g: Gen) -> None:
        self.g = g
        self.rows: list[tuple] = []
        self._tails: dict[str, str] = {}
        self._now = db_now()
        self._edu = [
            ([k for k, _w in table], list(itertools.accumulate(w for _k, w in table)))
            for table in (EDU_YOUNG, EDU_MID, EDU_OLD)
        ]

    def add(self, name: str, gender: str, birth: dt.date, ethnicity: str, area_id: int, hh_index: int) -> int:
        g, rng = self.g, self.g.rng
        age = _age(g, birth)
        number = g.id_number(birth, gender)
        tail = number[-4:]
        if tail not in self._tails:
            self._tails[tail] = crypto.digest(tail, field="id_number_tail")
        has_phone = age >= 16 and rng.random() < (0.5 if age >= 75 else 0.92)
        phone = g.phone() if has_phone else ""
        if age < 6:
            edu = ""
        elif age < 12:
            edu = "primary_or_below"
        elif age < 15:
            edu = "junior_high"
        elif age < 18:
            edu = "high_school" if rng.random() < 0.6 else "secondary_vocational"
        else:
            levels, cum = self._edu[0 if age <= 35 else 1 if age < 60 else 2]
            edu = rng.choices(levels, cum_weights=cum)[0]
        self.rows.append(
            (
                name,
                gender,
                ethnicity,
                birth,
                edu,
                crypto.encrypt(number, field="id_number"),
                crypto.digest(number, field="id_number"),
                self._tails[tail],
                crypto.mask_id_number(number),
                crypto.encrypt(phone, field="phone"),
                crypto.digest(phone, field="phone"),
                crypto.mask_phone(phone),
                area_id,
                hh_index,  # replaced by the household's key once the households are written
                self._now,
                self._now,
            )
        )
        return len(self.rows) - 1


def _birth(g: Gen, age: int) -> dt.date:
    return g.as_of - dt.timedelta(days=max(0, age) * 365 + g.rng.randint(1, 364))


def _family(g: Gen, size: int, head: tuple[str, str, dt.date], taken: int) -> list[tuple[str, str, dt.date]]:
    """The other members of a household of ``size`` with this head (name, gender, birth), of whom
    ``taken`` are party members already placed in it: a spouse, children, grandchildren or an old
    parent, with ages that fit the head's."""
    rng = g.rng
    head_name, head_gender, head_birth = head
    head_age = _age(g, head_birth)
    surname = head_name[0]
    out: list[tuple[str, str, dt.date]] = []
    left = size - 1 - taken
    if left > 0 and head_age >= 22 and rng.random() < 0.85:
        gender = "female" if head_gender == "male" else "male"
        age = head_age + (rng.randint(-5, 1) if gender == "female" else rng.randint(-1, 5))
        out.append((g.name(gender), gender, _birth(g, min(age, 95))))
        left -= 1
    for _ in range(left):
        gender = "male" if rng.random() < 0.52 else "female"
        name = surname + g.name(gender)[1:]  # the family's surname
        while name in g.reserved:
            name = surname + g.name(gender)[1:]
        if head_age >= 44 and rng.random() < 0.75 or head_age >= 70:
            age = head_age - rng.randint(22, 32)
            if age > 45 and rng.random() < 0.5:  # the children's generation, or the grandchildren's
                age = head_age - rng.randint(44, 58)
        elif head_age <= 58 and rng.random() < 0.35:
            age = head_age + rng.randint(22, 30)  # an old parent living with the family
            if age > 92:
                age = head_age - rng.randint(22, 30)
        else:
            age = head_age - rng.randint(22, 32)
        out.append((name, gender, _birth(g, max(age, 0))))
    return out


def build(ctx: DemoContext) -> None:
    with deferred_indexes(Person, Household, Household.tags.through, PartyMember, CadrePost):
        _build(ctx)


def _build(ctx: DemoContext) -> None:
    g, rng = ctx.g, ctx.rng
    villages, areas = ctx.villages, ctx.areas
    tags = {
        code: HouseholdTag.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in TAGS
    }
    grids_of_village: dict[str, list[Area]] = {}
    by_path = {a.path: a for a in areas}
    for a in areas:
        if a.kind == "grid":
            grids_of_village.setdefault(a.path[:12], []).append(a)

    ctx.say("党员（约 13,000 人）")
    persons: list[Person] = []
    member_specs: list[tuple[int, Org, dict]] = []  # (person index, org, village)
    for v in villages:
        first = len(persons)
        for i in range(v["members"]):
            target_org = (
                v["groups"][i % len(v["groups"])]
                if v["groups"] and rng.random() < 0.85
                else v["branches"][i % len(v["branches"])]
            )
            persons.append(_person(g, area=v["area"]))
            member_specs.append((len(persons) - 1, target_org, v))
        if not v["organ"] and not any(33 <= _age(g, p.birth_date) <= 57 for p in persons[first:]):
            # a village needs someone of a secretary's age: the first member is drawn again
            g.used_ids.discard(crypto.decrypt(persons[first].id_number_ciphertext, field="id_number"))
            persons[first] = _person(g, band="mid", area=v["area"])

    ctx.say("户籍、家庭成员与标签")
    # Every village member lives in one of the village's households, most in one of their own,
    # some with another member (a couple, a parent and a grown child); the township organs' members
    # are registered where they work, not in a village household.
    households: list[tuple[Area, str, str]] = []  # (grid, address, head's name)
    residents = _Residents(g)
    members_of_village: dict[str, list[int]] = {}
    for pos, (_idx, _org, v) in enumerate(member_specs):
        if not v["organ"]:
            members_of_village.setdefault(v["area"].path, []).append(pos)
    n_by_kind = {"village": [0, 0], "community": [0, 0]}  # households, members
    for v in villages:
        if v["organ"]:
            continue
        positions = members_of_village.get(v["area"].path, [])
        community = bool(v.get("is_comm"))
        n_hh = _households_for(g, len(positions), community)
        kind = "community" if community else "village"
        n_by_kind[kind][0] += n_hh
        n_by_kind[kind][1] += len(positions)
        grids = grids_of_village.get(v["area"].path, [v["area"]])
        homes: dict[int, list[int]] = {}  # household number in the village → member positions
        chosen = rng.sample(range(n_hh), len(positions))
        for pos, k in zip(positions, chosen, strict=True):
            if homes and rng.random() < 0.12:
                k = rng.choice(list(homes))
            homes.setdefault(k, []).append(pos)
        numbers: dict[int, int] = {}
        for k in range(n_hh):
            grid = grids[k * len(grids) // n_hh]  # neighbours share a grid
            numbers[grid.pk] = numbers.get(grid.pk, 0) + 1
            if community:
                estate = by_path.get(grid.path[:-4])
                place = estate.name if estate is not None and estate.kind == "estate" else v["area"].name
                gi = grids.index(grid) + 1
                address = (
                    f"{place}{gi}-{rng.randint(1, 2)}栋{rng.randint(1, 3)}单元"
                    f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}室"
                )
            else:
                address = f"{v['area'].name}{grids.index(grid) + 1}组{numbers[grid.pk]}号"
            in_home = [persons[member_specs[pos][0]] for pos in homes.get(k, [])]
            size = max(len(in_home), g.weighted(HOUSEHOLD_SIZES))
            head_member = next(
                (
                    p
                    for p in sorted(in_home, key=lambda p: p.birth_date)
                    if _age(g, p.birth_date) >= 28 and rng.random() < (0.8 if p.gender == "male" else 0.45)
                ),
                None,
            )
            hh_index = len(households)
            ethnicity = in_home[0].ethnicity if in_home else ("土家族" if rng.random() < 0.06 else "汉族")
            if head_member is not None:
                head = (head_member.name, head_member.gender, head_member.birth_date)
                others = len(in_home) - 1
            else:
                gender = "male" if rng.random() < 0.8 else "female"
                band = g.weighted([("young", 15), ("mid", 50), ("old", 35)])
                head = (g.name(gender), gender, g.birth_date(band))
                residents.add(*head, ethnicity, grid.pk, hh_index)
                others = len(in_home)
                size = max(size, len(in_home) + 1)
            for name, gender, birth in _family(g, size, head, others):
                residents.add(name, gender, birth, ethnicity, grid.pk, hh_index)
            for p in in_home:
                p.area, p.household_id = grid, hh_index  # the household's key once it is written
            households.append((grid, address, head[0]))
    ctx.say(f"写入 {len(households):,} 户")
    now = db_now()
    first_hh = (Household.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    with ModelSink(Household, ("area", "address", "head_name", "created_at")) as sink:
        for grid, address, head_name in households:
            sink.row((grid.pk, address, head_name, now))
    hh_ids = list(Household.objects.filter(pk__gte=first_hh).order_by("pk").values_list("pk", flat=True))
    through = Household.tags.through
    with ModelSink(through, ("household", "householdtag")) as links:
        for hh in hh_ids:
            r = rng.random()
            if r < 0.10:
                links.row((hh, tags["poor"].pk))
            if 0.08 < r < 0.13:
                links.row((hh, tags["dibao"].pk))
            if rng.random() < 0.08:
                code = rng.choice(["left_behind_elderly", "left_behind_children", "left_behind_women"])
                links.row((hh, tags[code].pk))
            if rng.random() < 0.03:
                links.row((hh, tags["veteran"].pk))
    for p in persons:
        if p.household_id is not None:
            p.household_id = hh_ids[p.household_id]

    Person.objects.bulk_create(persons, batch_size=2000)
    person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    for p, pk in zip(persons, person_ids, strict=True):
        p.pk = p.id = pk
    members = []
    outflow_quota = 0.092  # 003: 1209 of 13092 members work away
    for idx, target_org, _v in member_specs:
        p = persons[idx]
        status, joined, full = _member_dates(g, p.birth_date)
        mobility, note = "none", ""
        age = _age(g, p.birth_date)
        if age < 55 and rng.random() < outflow_quota * 1.5:
            mobility = "outflow"
            note = f"{rng.choice(OUTFLOW_PLACES)}务工，微信联系"
        members.append(
            PartyMember(
                person_id=p.pk,
                org_id=target_org.pk,
                status=status,
                joined_on=joined,
                full_on=full,
                mobility=mobility,
                mobility_note=note,
            )
        )
    _ensure_early_members(g, villages, member_specs, persons, members)
    PartyMember.objects.bulk_create(members, batch_size=2000)
    open_missing_memberships()

    ctx.say(f"居民（{len(residents.rows):,} 人）")
    first_resident = person_ids[-1] + 1 if person_ids else 1
    with ModelSink(Person, _Residents.COLUMNS) as sink:
        for row in residents.rows:
            sink.row((*row[:13], hh_ids[row[13]], *row[14:]))
    resident_ids = list(
        Person.objects.filter(pk__gte=first_resident).order_by("pk").values_list("pk", flat=True)
    )
    # the residents a village could elect to its villagers' committee: working age, not members
    electable: dict[str, list[int]] = {}
    village_of_grid = {a.pk: a.path[:12] for a in areas if a.kind == "grid"}
    for pk, row in zip(resident_ids, residents.rows, strict=True):
        if 26 <= _age(g, row[3]) <= 58:
            electable.setdefault(village_of_grid.get(row[12], ""), []).append(pk)

    ctx.say("两委班子（1,406 人，499 人交叉任职，183 个村一肩挑）")
    real_villages = [v for v in villages if not v["organ"]]
    n_v = len(real_villages)
    n_dual, persons_per, cross_per = _cadre_quotas(n_v)
    rng.shuffle(persons_per)
    rng.shuffle(cross_per)
    dual_flags = [True] * n_dual + [False] * (n_v - n_dual)
    rng.shuffle(dual_flags)
    members_by_village: dict[str, list[int]] = {}
    in_a_group: list[tuple[int, Any]] = []  # the first village's members kept in a party group
    dates_of: dict[int, tuple[dt.date, dt.date | None]] = {}  # person pk → (joined_on, full_on)
    age_of: dict[int, int] = {}
    for (idx, target_org, v), m in zip(member_specs, members, strict=True):
        dates_of[persons[idx].pk] = (m.joined_on, m.full_on)
        age_of[persons[idx].pk] = _age(g, persons[idx].birth_date)
        if not v["organ"]:
            members_by_village.setdefault(v["area"].path, []).append(persons[idx].pk)
            if v is ctx.first_village and target_org.kind == "group":
                in_a_group.append((persons[idx].pk, target_org))
    plans = []
    for v, n_p, n_x, dual in zip(real_villages, persons_per, cross_per, dual_flags, strict=True):
        n_x, n_party_only, n_comm_only = _seat_counts(n_p, n_x, dual)
        pool = list(members_by_village.get(v["area"].path, []))
        rng.shuffle(pool)
        # The party committee was elected on TERM_FROM: its members had joined by then, and the
        # secretary was a full member by then (_ensure_early_members made sure there are enough),
        # of a secretary's age; the other seats go to working-age members first.
        early = [pk for pk in pool if dates_of[pk][0] <= TERM_FROM]
        eligible = [pk for pk in early if dates_of[pk][1] and dates_of[pk][1] <= TERM_FROM]
        secretary = _by_preference(g, eligible, _secretary_weight, age_of.__getitem__)[0]
        others = _by_preference(g, [pk for pk in early if pk != secretary], _seat_weight, age_of.__getitem__)
        party = [secretary] + others[: n_x + n_party_only - 1]
        if len(party) < n_x + n_party_only:
            raise RuntimeError(f"{v['area'].name}: not enough members admitted before {TERM_FROM}")
        cross, party_only = party[:n_x], party[n_x:]
        taken = set(party)
        rest = _by_preference(g, [pk for pk in pool if pk not in taken], _seat_weight, age_of.__getitem__)
        comm_only_members = [pk for pk in rest if _seat_weight(age_of[pk])][: n_comm_only // 2]
        # the rest of the villagers' committee: residents of the village who are not members
        candidates = electable.get(v["area"].path, [])
        outsiders = rng.sample(candidates, min(len(candidates), n_comm_only - len(comm_only_members)))
        plans.append((v, dual, cross, party_only, comm_only_members, outsiders))
    posts = []
    for v, dual, cross, party_only, comm_members, outsiders in plans:
        committee = "residents" if v.get("is_comm") else "villagers"
        comm_only = comm_members + outsiders
        party_seats = cross + party_only
        comm_seats = cross + comm_only
        secretary = party_seats[0]
        chair = secretary if dual else (comm_only[0] if comm_only else comm_seats[-1])
        if not dual and chair == secretary:
            chair = comm_only[0]
        deputy_given = False
        for pid in party_seats:
            post = "secretary" if pid == secretary else ("deputy_secretary" if not deputy_given else "member")
            if post == "deputy_secretary":
                deputy_given = True
            posts.append(
                CadrePost(
                    area_id=v["area"].pk, committee="party", post=post, person_id=pid, term_from=TERM_FROM
                )
            )
        vice_given = False
        for pid in [chair] + [x for x in comm_seats if x != chair]:
            post = "chair" if pid == chair else ("vice_chair" if not vice_given else "member")
            if post == "vice_chair":
                vice_given = True
            posts.append(
                CadrePost(
                    area_id=v["area"].pk, committee=committee, post=post, person_id=pid, term_from=TERM_FROM
                )
            )
    CadrePost.objects.bulk_create(posts, batch_size=2000)
    name_of = {p.pk: p.name for p in persons}
    # for grading's rectification plans: who answers for a village's party organisation
    ctx.data["secretary_names"] = {
        v["area"].pk: name_of[(cross + party_only)[0]] for v, _dual, cross, party_only, _c, _o in plans
    }

    # the demo member ("党员（本人）") belongs to a grid party group, as most village members do, so
    # that their home shows the group's meetings; orglife leaves that group's last full month
    # without its 党小组会, the overdue item the secretary's home offers to record
    member_user = get_user_model().objects.get(username="member")
    if in_a_group:
        member_person, ctx.data["demo_member_org"] = in_a_group[-1]
    else:
        member_person = members_by_village[ctx.first_village["area"].path][-1]
    Person.objects.filter(pk=member_person).update(user=member_user)
    member_pks = list(PartyMember.objects.order_by("pk").values_list("pk", flat=True))
    # for the steps that hang off members (orglife's attendance): (member pk, org, birth date, member)
    ctx.data["members"] = [
        (pk, target_org, persons[idx].birth_date, m)
        for pk, (idx, target_org, _v), m in zip(member_pks, member_specs, members, strict=True)
    ]
    n_hh = len(households)
    ctx.summary.append(
        f"{len(members)} 名党员，{n_v} 个村（社区），{len(posts)} 个两委职务，"
        f"{n_hh} 户（村 {n_by_kind['village'][0]} 户、社区 {n_by_kind['community'][0]} 户），"
        f"{len(residents.rows) + sum(1 for p in persons if p.household_id)} 名户籍居民"
    )


_OPEN_MISSING = """
INSERT INTO people_membership (member_id, org_id, since, until)
SELECT pm.id, pm.org_id, pm.joined_on, NULL
FROM people_partymember pm
WHERE NOT EXISTS (SELECT 1 FROM people_membership h WHERE h.member_id = pm.id)
"""


def open_missing_memberships() -> int:
    """The first history row (current organisation since joining) of every member written in bulk
    without one: one INSERT … SELECT, for the demo's and the generator's bulk writers."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(_OPEN_MISSING)
        return cur.rowcount
