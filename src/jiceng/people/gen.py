"""The people rows of ``jiceng gen``: persons, party members, households and 两委 seats."""

from __future__ import annotations

import datetime as dt
import random

from jiceng.core import crypto
from jiceng.core.gen import GenContext, ModelSink

from .demo import EDU_MID, EDU_OLD, EDU_YOUNG, PERSON_COLUMNS, open_missing_memberships
from .models import CadrePost, Household, PartyMember, Person


def build(ctx: GenContext) -> None:
    scale, g, rng, ids, tree = ctx.scale, ctx.g, ctx.rng, ctx.ids, ctx.tree
    tail_digests: dict[str, str] = {}
    persons = members = posts = 0
    m_cols = (
        "id",
        "person",
        "org",
        "status",
        "joined_on",
        "full_on",
        "mobility",
        "mobility_note",
        "remarks",
        "created_at",
        "updated_at",
    )
    c_cols = ("id", "area", "committee", "post", "person", "term_from", "term_to")
    h_cols = ("id", "area", "address", "head_name", "created_at")
    households = 0
    now = dt.datetime.now(dt.UTC)
    with (
        ModelSink(Person, PERSON_COLUMNS) as ps,
        ModelSink(PartyMember, m_cols) as ms,
        ModelSink(CadrePost, c_cols) as cs,
        ModelSink(Household, h_cols) as hs,
    ):
        for vi, (area_id, vname, org_id, _path, groups) in enumerate(tree.villages):
            n = max(5, int(rng.gauss(scale.members_per_village, scale.members_per_village * 0.25)))
            rows = []
            for _ in range(n):  # households without a party member, numbered after the members' ones
                households += 1
                hs.row(
                    (
                        ids.take("people_household"),
                        area_id,
                        f"{vname}{rng.randint(1, 9)}组{n + _ + 1}号",
                        g.name("male" if rng.random() < 0.8 else "female"),
                        now,
                    )
                )
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
                ps.row(
                    (
                        pid,
                        name,
                        gender,
                        "汉族",
                        birth,
                        edu,
                        crypto.encrypt(number, field="id_number"),
                        crypto.digest(number, field="id_number"),
                        tail_digests[tail],
                        crypto.mask_id_number(number),
                        crypto.encrypt(phone, field="phone"),
                        crypto.digest(phone, field="phone"),
                        crypto.mask_phone(phone),
                        area_id,
                        hid,
                        None,
                        now,
                        now,
                    )
                )
                persons += 1
                age = (g.as_of - birth).days // 365
                joined = birth + dt.timedelta(days=365 * rng.randint(19, max(19, min(age - 2, 50))))
                full = joined + dt.timedelta(days=370)
                where = groups[rng.randrange(len(groups))][0] if groups and rng.random() < 0.7 else org_id
                mid = ids.take("people_partymember")
                away = age < 55 and rng.random() < 0.1
                ms.row(
                    (
                        mid,
                        pid,
                        where,
                        "full",
                        joined,
                        full,
                        "outflow" if away else "none",
                        "外出务工，微信联系" if away else "",
                        "",
                        now,
                        now,
                    )
                )
                members += 1
                rows.append((mid, where, joined, pid))
            tree.members_of[org_id] = [(m, o, j) for m, o, j, _ in rows]
            # 两委: the earliest members hold the party seats; the secretary also chairs the villagers'
            # committee in ≈90% of villages (一肩挑), otherwise the next member does
            term = dt.date(2021, 6, 18)
            early = [r for r in sorted(rows, key=lambda r: r[2])[:5] if r[2] <= term]
            for i, (_m, _o, _j, pid) in enumerate(early):
                cs.row(
                    (
                        ids.take("people_cadrepost"),
                        area_id,
                        "party",
                        "secretary" if i == 0 else "member",
                        pid,
                        term,
                        None,
                    )
                )
                posts += 1
            if early:
                chair = early[0][3] if rng.random() < 0.9 or len(early) == 1 else early[1][3]
                cs.row((ids.take("people_cadrepost"), area_id, "villagers", "chair", chair, term, None))
                posts += 1
            if vi % 5000 == 4999:
                ctx.say(f"people: {vi + 1}/{len(tree.villages)} villages, {members} members")
    history = open_missing_memberships()  # after the sinks have written the members
    ctx.say(f"people: {persons} persons, {members} members, {posts} 两委 seats, {households} households")
    ctx.say(f"people: {history} membership history rows")
    ctx.counts.update(
        {"persons": persons, "members": members, "cadre_posts": posts, "households": households}
    )


def _fast_id(rng: random.Random, birth: dt.date, gender: str) -> str:
    """At province scale uniqueness by set costs too much memory; a 3-digit sequence plus a
    random region code from the demo's list makes collisions rare, and the ID digest column is
    not unique in the schema."""
    from stdnum.cn import ric

    from jiceng.core.demo import ID_REGIONS

    seq = rng.randint(0, 499) * 2 + (1 if gender == "male" else 0)
    body = f"{rng.choice(ID_REGIONS)}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")
