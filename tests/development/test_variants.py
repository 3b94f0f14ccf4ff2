"""The migrant-worker variant (003: the host organisation reviews too, two places give notice, the
home committee approves) and the end of a record: withdrawn before admission, probation cancelled."""

from __future__ import annotations

import datetime as dt

import pytest

from jiceng.core.dates import months_after
from jiceng.core.errors import DomainError
from jiceng.development import services
from jiceng.development.models import Stage, Step
from jiceng.people import queries as people_queries

from .conftest import TODAY


def test_host_branch_reviews_a_migrant_worker_and_both_places_give_notice(dw):
    d0 = TODAY - dt.timedelta(days=800)
    a = services.apply(
        actor=dw.w.users["sec_a"],
        org=dw.w.branch_a,
        applied_on=d0,
        person_data={
            "name": "务工甲",
            "gender": "male",
            "birth_date": dt.date(1995, 1, 1),
            "area": dw.w.village_a,
        },
        migrant_worker=True,
        host_org=dw.w.branch_b,
    )
    dw.step(a, "s02_talk", d0 + dt.timedelta(days=3), people="王书记")
    act = d0 + dt.timedelta(days=5)
    dw.step(a, "s03_activist", act, data={"method": "member"})
    dw.step(a, "s04_activist_filed", act + dt.timedelta(days=1))
    dw.step(a, "s05_guides", act + dt.timedelta(days=2), data={"guides": [dw.full[0].pk]})
    # the host branch (another township's) records a review: 接续培养、双向考察
    dw.step(a, "s06_review", months_after(act, 6), actor=dw.w.users["sec_b"], note="在工作地表现良好")
    with pytest.raises(DomainError) as exc:  # but nothing else
        dw.step(a, "s07_candidate", months_after(act, 13), actor=dw.w.users["sec_b"])
    assert "一村党支部" in exc.value.errors["action"][0]
    dw.step(a, "s06_review", months_after(act, 12) - dt.timedelta(days=3), note="好")
    a = dw.to_vote_from_candidate(a, months_after(act, 12) + dt.timedelta(days=2))
    assert Step.objects.filter(applicant=a, code="s13_precheck").get().data["host_notice"] == "工作地已公示"


def test_a_migrant_candidate_without_the_host_notice_is_refused(dw):
    a = dw.to_candidate(TODAY - dt.timedelta(days=800))
    a.migrant_worker = True
    a.save(update_fields=["migrant_worker"])
    c = a.candidate_on
    dw.step(a, "s08_candidate_filed", c + dt.timedelta(days=1))
    dw.step(
        a, "s09_introducers", c + dt.timedelta(days=2), data={"introducers": [dw.full[0].pk, dw.full[1].pk]}
    )
    dw.step(a, "s10_political_review", c + dt.timedelta(days=3), document="政审")
    dw.step(a, "s11_training", c + dt.timedelta(days=4), data={"days": 3})
    dw.step(a, "s12_branch_check", c + dt.timedelta(days=5))
    from jiceng.core.workdays import add_workdays

    nf = c + dt.timedelta(days=6)
    nt = add_workdays(nf - dt.timedelta(days=1), 5)
    with pytest.raises(DomainError) as exc:
        dw.step(a, "s13_precheck", nt, data={"notice_from": nf, "notice_to": nt})
    assert "两地公示" in exc.value.errors["host_notice"][0]


def test_withdrawn_before_admission_and_probation_cancelled(dw):
    a = dw.apply(TODAY - dt.timedelta(days=10), name="撤回者", seq=551)
    with pytest.raises(DomainError) as exc:
        services.end(actor=dw.w.users["sec_a"], applicant=a, on=TODAY, reason="")
    assert "note" in exc.value.errors
    a = dw.to_candidate(TODAY - dt.timedelta(days=800))
    vote = dw.to_vote(a)
    dw.step(a, "s15_branch_vote", vote, data=dw.votes())
    dw.step(a, "s16_interview", vote + dt.timedelta(days=1), people="组织委员")
    dw.step(a, "s17_approval", vote + dt.timedelta(days=2))
    a.refresh_from_db()
    member = a.member
    with pytest.raises(DomainError):  # the branch may not cancel a probation: the higher committee does
        services.end(actor=dw.w.users["sec_a"], applicant=a, on=TODAY, reason="严重违纪")
    services.end(actor=dw.w.users["township"], applicant=a, on=TODAY, reason="严重违纪")
    a.refresh_from_db()
    member.refresh_from_db()
    assert a.stage == Stage.ENDED and member.left_on == TODAY
    assert people_queries.members_on(TODAY - dt.timedelta(days=1)).filter(pk=member.pk).exists()
    assert not people_queries.members_on(TODAY).filter(pk=member.pk).exists()
