"""The small world (tests/world.py) with what decisions needs, made through the services: village
A (一村) with a party committee of 3 (张三 and two more members), a villagers' committee of 3, 12
villagers' representatives (5 women), ten full members and one probationary member in its branch,
and a registered-population figure (67 adults, 30 households) as its quorum base."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from jiceng.decisions import services
from jiceng.decisions.models import Matter
from jiceng.people import services as people_services
from tests.factories import MemberFactory, make_id

TODAY = dt.date.today()
D0 = TODAY - dt.timedelta(days=200)


@dataclass
class DecWorld:
    w: object
    party: list  # person ids on the party committee
    villagers: list  # person ids on the villagers' committee
    reps: list  # person ids of the representatives
    full: list  # person ids of the branch's full members
    probationary: int
    extra: dict = field(default_factory=dict)

    @property
    def sec(self):
        return self.w.users["sec_a"]

    @property
    def township(self):
        return self.w.users["township"]

    def matter(self, procedure="decisions.four_two", kind="public_works", title="村道硬化", **kw) -> Matter:
        return services.matter_create(
            actor=self.sec,
            village=self.w.village_a,
            kind=kind,
            title=title,
            procedure=procedure,
            amount_fen=kw.pop("amount_fen", 12_000_000),
            proposed_on=kw.pop("proposed_on", D0),
            **kw,
        )

    def stage(self, m: Matter, action: str, on: dt.date, actor=None, **kw):
        m.refresh_from_db()
        return services.record_stage(
            actor=actor or (self.township if action.startswith("township_") else self.sec),
            matter=m,
            stage=services.StageIn(action=action, held_on=on, **kw),
        )

    def all_for(self, ids):
        return {"attendee_ids": list(ids), "votes_for": len(ids), "votes_against": 0, "votes_abstain": 0}

    def to_reviewed(self, m: Matter, start: dt.date = D0) -> dt.date:
        self.stage(m, "propose", start + dt.timedelta(days=1), **self.all_for(self.party))
        self.stage(m, "discuss", start + dt.timedelta(days=2), **self.all_for(self.party + self.villagers))
        self.stage(m, "review", start + dt.timedelta(days=3), **self.all_for(self.full))
        return start + dt.timedelta(days=3)

    def reps_meeting(self, n_present: int, n_for: int) -> dict:
        body = self.villagers + self.reps
        present = body[:n_present]
        return {
            "assembly": "representatives",
            "attendee_ids": present,
            "votes_for": n_for,
            "votes_against": n_present - n_for,
            "votes_abstain": 0,
        }


def make_dec_world(w) -> DecWorld:
    c = w.users["county"]
    v = w.village_a
    members = [
        MemberFactory(
            actor=c,
            org=w.branch_a,
            name=f"村党员{i}",
            birth=dt.date(1975, 1, 1 + i),
            male=i % 2 == 0,
            seq=600 + i,
        )
        for i in range(8)
    ]
    full = [w.member_a, w.member_a_grid, *members]
    prob = MemberFactory(
        actor=c,
        org=w.branch_a,
        name="预备党员甲",
        birth=dt.date(1999, 6, 1),
        male=True,
        seq=690,
        status="probationary",
        joined_on=TODAY - dt.timedelta(days=400),
        full_on=None,
    )
    since = D0 - dt.timedelta(days=365)
    for i, m in enumerate(full[:3]):
        people_services.cadre_post_create(
            actor=c,
            area=v,
            committee="party",
            post="secretary" if i == 0 else "member",
            person=m.person,
            term_from=since,
        )

    def person(name, seq, female=False):
        return people_services.person_create(
            actor=c,
            name=name,
            gender="female" if female else "male",
            birth_date=dt.date(1970, 3, 1 + seq % 28),
            id_number=make_id(dt.date(1970, 3, 1 + seq % 28), not female, seq),
            phone=f"139{seq:08d}",
            area=v,
        )

    villagers = [person(f"村委{i}", 700 + i, female=i == 2) for i in range(3)]
    for i, p in enumerate(villagers):
        people_services.cadre_post_create(
            actor=c,
            area=v,
            committee="villagers",
            post="chair" if i == 0 else "member",
            person=p,
            term_from=since,
        )
    reps = [person(f"代表{i}", 720 + i, female=i < 5) for i in range(12)]
    for i, p in enumerate(reps):
        services.seat_add(
            actor=c, village=v, body="representative", person_id=p.pk, since=since, group_name=f"第{i + 1}组"
        )
    services.population_set(
        actor=c, village=v, adults=67, households=30, as_of=since, source="2024年户籍统计"
    )
    return DecWorld(
        w,
        party=[m.person_id for m in full[:3]],
        villagers=[p.pk for p in villagers],
        reps=[p.pk for p in reps],
        full=[m.person_id for m in full],
        probationary=prob.person_id,
    )


@pytest.fixture
def dw(world) -> DecWorld:
    return make_dec_world(world)
