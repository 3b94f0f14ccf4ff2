"""The people part of the demo county: households with their tags, every party member (≈13,000:
35岁以下≈20%, 60岁以上≈35%) with their person record, and the 两委 seats (1,406 persons of whom 499
are cross-appointed, 183 villages with 一肩挑). Names are generated; ID numbers are fictional but
valid (checksum, birth date, gender digit)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from jiceng.core import crypto
from jiceng.core.demo import DemoContext, Gen, split
from jiceng.core.models import Area, Org

from .models import CadrePost, Household, HouseholdTag, PartyMember, Person

TERM_FROM = dt.date(2021, 6, 18)  # 001: the 2021 两委 elections
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
    """Every village needs enough members admitted before the 两委 term to fill its party seats
    (and one full member by then for secretary). Big villages have them anyway; in a small one the
    oldest of the others are given earlier dates."""
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
    for v in villages:
        if v["organ"]:
            continue
        positions = by_village.get(v["area"].path, [])
        early = [i for i in positions if members[i].joined_on <= TERM_FROM]
        has_full = any(members[i].full_on and members[i].full_on <= TERM_FROM for i in early)
        if len(early) >= need and has_full:
            continue
        later = sorted(
            (i for i in positions if members[i].full_on is None or members[i].full_on > TERM_FROM),
            key=lambda i: (persons[member_specs[i][0]].birth_date, i),
        )
        for i in later:
            if len(early) >= need and has_full:
                break
            dates = _early_dates(g, persons[member_specs[i][0]].birth_date)
            if dates is None:
                continue
            m = members[i]
            if m.joined_on > TERM_FROM:
                early.append(i)
            m.status, (m.joined_on, m.full_on) = "full", dates
            has_full = True
        if len(early) < need or not has_full:
            raise RuntimeError(f"{v['area'].name}: too few members old enough for its party committee")


def build(ctx: DemoContext) -> None:
    g, rng = ctx.g, ctx.rng
    villages, areas = ctx.villages, ctx.areas
    ctx.say("户籍与标签")
    tags = {
        code: HouseholdTag.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in TAGS
    }
    households: list[Household] = []
    grids_of_village: dict[int, list[Area]] = {}
    for a in areas:
        if a.kind == "grid":
            vpath = a.path[:12]
            grids_of_village.setdefault(vpath, []).append(a)
    for v in villages:
        if v["organ"]:
            continue
        grids = grids_of_village.get(v["area"].path, [v["area"]])
        for _ in range(rng.randint(30, 50)):
            grid = rng.choice(grids)
            households.append(
                Household(
                    area=grid,
                    address=f"{v['area'].name}{grid.name[-4:]}{rng.randint(1, 99)}号",
                    head_name=g.name("male" if rng.random() < 0.8 else "female"),
                )
            )
    Household.objects.bulk_create(households, batch_size=2000)
    households = list(Household.objects.select_related("area").order_by("pk"))
    through = Household.tags.through
    links = []
    for hh in households:
        r = rng.random()
        if r < 0.10:
            links.append(through(household_id=hh.pk, householdtag_id=tags["poor"].pk))
        if 0.08 < r < 0.13:
            links.append(through(household_id=hh.pk, householdtag_id=tags["dibao"].pk))
        if rng.random() < 0.08:
            code = rng.choice(["left_behind_elderly", "left_behind_children", "left_behind_women"])
            links.append(through(household_id=hh.pk, householdtag_id=tags[code].pk))
        if rng.random() < 0.03:
            links.append(through(household_id=hh.pk, householdtag_id=tags["veteran"].pk))
    through.objects.bulk_create(links, batch_size=5000)
    hh_by_village: dict[str, list[Household]] = {}
    for hh in households:
        hh_by_village.setdefault(hh.area.path[:12], []).append(hh)

    ctx.say("党员（约 13,000 人）")
    persons: list[Person] = []
    member_specs: list[tuple[int, Org, dict]] = []  # (person index, org, village)
    for v in villages:
        vhh = hh_by_village.get(v["area"].path[:12], [])
        for i in range(v["members"]):
            target_org = (
                v["groups"][i % len(v["groups"])]
                if v["groups"] and rng.random() < 0.85
                else v["branches"][i % len(v["branches"])]
            )
            hh = rng.choice(vhh) if vhh and rng.random() < 0.6 else None
            p = _person(g, area=(hh.area if hh else v["area"]), household=hh)
            persons.append(p)
            member_specs.append((len(persons) - 1, target_org, v))
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
        age = (g.as_of - p.birth_date).days // 365
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

    ctx.say("两委班子（1,406 人，499 人交叉任职，183 个村一肩挑）")
    real_villages = [v for v in villages if not v["organ"]]
    n_v = len(real_villages)
    n_dual, persons_per, cross_per = _cadre_quotas(n_v)
    rng.shuffle(persons_per)
    rng.shuffle(cross_per)
    dual_flags = [True] * n_dual + [False] * (n_v - n_dual)
    rng.shuffle(dual_flags)
    members_by_village: dict[str, list[int]] = {}
    dates_of: dict[int, tuple[dt.date, dt.date | None]] = {}  # person pk → (joined_on, full_on)
    for (idx, _org, v), m in zip(member_specs, members, strict=True):
        dates_of[persons[idx].pk] = (m.joined_on, m.full_on)
        if not v["organ"]:
            members_by_village.setdefault(v["area"].path, []).append(persons[idx].pk)
    new_persons: list[Person] = []
    plans = []
    for v, n_p, n_x, dual in zip(real_villages, persons_per, cross_per, dual_flags, strict=True):
        n_x, n_party_only, n_comm_only = _seat_counts(n_p, n_x, dual)
        pool = list(members_by_village.get(v["area"].path, []))
        rng.shuffle(pool)
        # The party committee was elected on TERM_FROM: its members had joined by then, and the
        # secretary was a full member by then (_ensure_early_members made sure there are enough).
        early = [pk for pk in pool if dates_of[pk][0] <= TERM_FROM]
        secretary = next(pk for pk in early if dates_of[pk][1] and dates_of[pk][1] <= TERM_FROM)
        party = [secretary] + [pk for pk in early if pk != secretary][: n_x + n_party_only - 1]
        if len(party) < n_x + n_party_only:
            raise RuntimeError(f"{v['area'].name}: not enough members admitted before {TERM_FROM}")
        cross, party_only = party[:n_x], party[n_x:]
        taken = set(party)
        comm_only_members = [pk for pk in pool if pk not in taken][: n_comm_only // 2]
        n_outsiders = n_comm_only - len(comm_only_members)
        outsiders = []
        for _ in range(n_outsiders):
            p = _person(g, band=rng.choice(["young", "mid"]), area=v["area"])
            new_persons.append(p)
            outsiders.append(p)
        plans.append((v, dual, cross, party_only, comm_only_members, outsiders))
    Person.objects.bulk_create(new_persons, batch_size=2000)
    new_ids = list(Person.objects.order_by("-pk").values_list("pk", flat=True)[: len(new_persons)])[::-1]
    for p, pk in zip(new_persons, new_ids, strict=True):
        p.pk = p.id = pk
    posts = []
    for v, dual, cross, party_only, comm_members, outsiders in plans:
        committee = "residents" if v.get("is_comm") else "villagers"
        comm_only = comm_members + [p.pk for p in outsiders]
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

    member_user = get_user_model().objects.get(username="member")
    Person.objects.filter(pk=members_by_village[ctx.first_village["area"].path][-1]).update(user=member_user)
    member_pks = list(PartyMember.objects.order_by("pk").values_list("pk", flat=True))
    # for the steps that hang off members (orglife's attendance): (member pk, org, birth date, member)
    ctx.data["members"] = [
        (pk, target_org, persons[idx].birth_date, m)
        for pk, (idx, target_org, _v), m in zip(member_pks, member_specs, members, strict=True)
    ]
    ctx.summary.append(
        f"{len(members)} 名党员，{n_v} 个村（社区），{len(posts)} 个两委职务，{len(households)} 户"
    )
