"""The small world (tests/world.py) with what development needs: branch A with ten full members
(张三 and 李四 of the world, and eight more) and one probationary member — made through the
services — and helpers to walk a record through its steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from jiceng.core.dates import months_after, years_after
from jiceng.development import services
from jiceng.development.models import Applicant
from tests.factories import MemberFactory, make_id

TODAY = dt.date.today()


@dataclass
class DevWorld:
    w: object
    full: list  # branch A's full members (ten)
    probationary: object

    def apply(
        self, applied_on: dt.date, *, name="赵小明", birth=dt.date(2000, 3, 4), seq=501, **kw
    ) -> Applicant:
        return services.apply(
            actor=self.w.users["sec_a"],
            org=self.w.branch_a,
            applied_on=applied_on,
            person_data={
                "name": name,
                "gender": "male",
                "id_number": make_id(birth, True, seq),
                "education": "bachelor",
                "area": self.w.village_a,
            },
            **kw,
        )

    def step(self, a: Applicant, code: str, on: dt.date, actor=None, **kw):
        a.refresh_from_db()
        data = kw.pop("data", {})
        return services.record_step(
            actor=actor or self.actor_for(code),
            applicant=a,
            step=services.StepIn(code=code, on=on, data=data, **kw),
        )

    def actor_for(self, code: str):
        from jiceng.development.steps import BY_CODE

        d = BY_CODE.get(code)
        committee = (d and d.by == "committee") or code.startswith("s24") or code == "cancel"
        return self.w.users["township"] if committee else self.w.users["sec_a"]

    def votes(self, present=6, in_favour=6, **kw) -> dict:
        return {
            "votes": {
                "present": present,
                "probationary_present": kw.get("probationary_present", 1),
                "written": kw.get("written", 0),
                "in_favour": in_favour,
                "against": kw.get(
                    "against", present + kw.get("written", 0) - in_favour - kw.get("abstain", 0)
                ),
                "abstain": kw.get("abstain", 0),
            }
        }

    def to_candidate(self, d0: dt.date) -> Applicant:
        """Applied on d0, talked the same week, activist after, reviewed every six months, a
        candidate on the first day the year allows."""
        a = self.apply(d0)
        self.step(a, "s02_talk", d0 + dt.timedelta(days=7), people="王书记")
        act = d0 + dt.timedelta(days=14)
        self.step(a, "s03_activist", act, data={"method": "member"})
        self.step(a, "s04_activist_filed", act + dt.timedelta(days=3))
        self.step(a, "s05_guides", act + dt.timedelta(days=5), data={"guides": [self.full[0].pk]})
        self.step(a, "s06_review", months_after(act, 6), note="表现良好")
        self.step(a, "s06_review", months_after(act, 12) - dt.timedelta(days=1), note="表现良好")
        self.step(a, "s07_candidate", years_after(act, 1))
        a.refresh_from_db()
        return a

    def to_vote_from_candidate(self, a: Applicant, on: dt.date) -> Applicant:
        """Make an activist with the reviews done a candidate on ``on``, then take them to the eve of
        the branch assembly."""
        self.step(a, "s07_candidate", on)
        a.refresh_from_db()
        self.to_vote(a)
        a.refresh_from_db()
        return a

    def to_vote(self, a: Applicant) -> dt.date:
        """From candidate to the eve of the branch assembly: the day after the last step."""
        c = a.candidate_on
        self.step(a, "s08_candidate_filed", c + dt.timedelta(days=1))
        self.step(
            a,
            "s09_introducers",
            c + dt.timedelta(days=2),
            data={"introducers": [self.full[0].pk, self.full[1].pk]},
        )
        self.step(a, "s10_political_review", c + dt.timedelta(days=10), document="政审〔2024〕1号")
        self.step(a, "s11_training", c + dt.timedelta(days=20), data={"days": 3, "hours": 0})
        self.step(a, "s12_branch_check", c + dt.timedelta(days=21))
        nf = c + dt.timedelta(days=22)
        from jiceng.core.workdays import add_workdays

        nt = add_workdays(nf - dt.timedelta(days=1), 5)  # five working days counting the first
        self.step(
            a, "s13_precheck", nt, data={"notice_from": nf, "notice_to": nt, "host_notice": "工作地已公示"}
        )
        self.step(a, "s14_volunteer_form", nt + dt.timedelta(days=1))
        return nt + dt.timedelta(days=2)


def make_dev_world(w) -> DevWorld:
    c = w.users["county"]
    extra = [
        MemberFactory(
            actor=c,
            org=w.branch_a,
            name=f"党员{i}",
            birth=dt.date(1980, 1, 1 + i),
            male=i % 2 == 0,
            seq=300 + i,
        )
        for i in range(8)
    ]
    prob = MemberFactory(
        actor=c,
        org=w.branch_a,
        name="预备甲",
        birth=dt.date(1999, 6, 1),
        male=True,
        seq=400,
        status="probationary",
        joined_on=TODAY - dt.timedelta(days=30),
        full_on=None,
    )
    return DevWorld(w, [w.member_a, w.member_a_grid, *extra], prob)


@pytest.fixture
def dw(world) -> DevWorld:
    return make_dev_world(world)
