"""A confirmed grade locks its year's organisational life (core.kit.period_lock); the committee
reopens the round, with a reason, to let the records be corrected; re-confirming locks again."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.core import kit
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.core.services import api_token_create
from jiceng.grading import queries, services
from jiceng.grading.models import Grade, GradingRound

TODAY = timezone.localdate()
YEAR = TODAY.year
IN_YEAR = dt.date(YEAR, 1, 1)


@pytest.fixture
def rnd(world) -> GradingRound:
    return services.round_open(actor=world.users["county"], org=world.county_org, year=YEAR)


def confirm(world, rnd, org) -> Grade:
    return services.grade_confirm(actor=world.users["county"], grade=Grade.objects.get(round=rnd, org=org))


def test_a_confirmed_grade_locks_its_subtree_and_year_only(world, rnd):
    assert kit.period_lock(world.branch_a, IN_YEAR) is None  # proposed only: nothing locked
    confirm(world, rnd, world.branch_a)
    reason = kit.period_lock(world.branch_a, IN_YEAR)
    assert reason and "一村党支部" in reason and "中共A县委员会_w" in reason and "重新开放" in reason
    assert kit.period_lock(world.group_a, TODAY)  # a party group's meetings count for its branch
    assert kit.period_lock(world.branch_a2, IN_YEAR) is None  # a sibling not yet confirmed
    assert kit.period_lock(world.branch_a, dt.date(YEAR - 1, 12, 31)) is None  # another year
    assert kit.period_lock(world.town_a_org, IN_YEAR) is None  # above the graded unit


def test_reopen_lifts_the_lock_until_the_grade_is_confirmed_again(world, rnd):
    county = world.users["county"]
    grade = confirm(world, rnd, world.branch_a)
    services.round_reopen(actor=county, rnd=rnd, reason="一村党支部两次会议重复登记，需撤销")
    rnd.refresh_from_db()
    assert rnd.reopened_by == county and rnd.reopen_reason.startswith("一村党支部")
    assert kit.period_lock(world.branch_a, IN_YEAR) is None
    entry = AuditEntry.objects.get(target_type="grading.gradinground", target_id=str(rnd.pk), action="reopen")
    assert entry.changes["reopen_reason"][1].startswith("一村党支部") and entry.changes[
        "reopened_grades"
    ] == [None, 1]
    assert entry.org_path == world.county_org.path
    # nothing left to reopen
    with pytest.raises(DomainError) as exc:
        services.round_reopen(actor=county, rnd=rnd, reason="再次")
    assert "无需重新开放" in exc.value.errors["__all__"][0]
    # re-confirmed (the workflow's 重新确认): locked again, and it can be reopened again
    services.grade_confirm(actor=county, grade=grade)
    assert kit.period_lock(world.branch_a, IN_YEAR)
    assert queries.locking_grades().filter(round=rnd).count() == 1
    services.round_reopen(actor=county, rnd=rnd, reason="第二次更正")
    assert kit.period_lock(world.branch_a, IN_YEAR) is None


def test_reopen_needs_the_grading_right_at_the_round_and_a_reason(world, rnd):
    confirm(world, rnd, world.branch_a)
    before = GradingRound.objects.filter(pk=rnd.pk).values().get()
    for actor in (world.users["township"], world.users["sec_a"], world.users["sec_b"]):
        with pytest.raises(NotFound):
            services.round_reopen(actor=actor, rnd=rnd, reason="越权")
    for reason in ("", "   ", "x" * 301):
        with pytest.raises(DomainError) as exc:
            services.round_reopen(actor=world.users["county"], rnd=rnd, reason=reason)
        assert "重新开放原因" in exc.value.errors["reason"][0]
    assert GradingRound.objects.filter(pk=rnd.pk).values().get() == before
    assert kit.period_lock(world.branch_a, IN_YEAR)


def test_a_round_without_confirmed_grades_has_nothing_to_reopen(world, rnd):
    with pytest.raises(DomainError) as exc:
        services.round_reopen(actor=world.users["county"], rnd=rnd, reason="更正")
    assert "无需重新开放" in exc.value.errors["__all__"][0]


def test_the_round_page_reopens_and_marks_the_grades_awaiting(world, rnd, login):
    grade = confirm(world, rnd, world.branch_a)
    url = reverse("grading_round", kwargs={"round_id": rnd.pk})
    c = login(world.users["county"])
    page = c.get(url).text
    assert 'id="reopen-form"' in page and 'id="reopened-notice"' not in page
    r = c.post(url, {"action": "reopen", "reason": ""})
    assert r.status_code == 200 and "重新开放原因" in r.text
    assert GradingRound.objects.get(pk=rnd.pk).reopened_at is None
    r = c.post(url, {"action": "reopen", "reason": "会议记录需更正"})
    assert r.status_code == 302 and r["Location"] == url
    page = c.get(url).text
    assert 'id="reopened-notice"' in page and "会议记录需更正" in page
    assert 'id="reopen-form"' not in page  # nothing locks now
    assert 'id="awaiting-notice"' in c.get(reverse("grade_detail", kwargs={"grade_id": grade.pk})).text
    # someone who sees the round but may not grade: the page, no form, and a POST is refused
    c = login(world.users["sec_a"])
    assert c.get(url).status_code == 200 and 'id="reopen-form"' not in c.get(url).text
    assert c.post(url, {"action": "reopen", "reason": "越权"}).status_code == 404


def test_api_reopen(world, rnd, client):
    confirm(world, rnd, world.branch_a)
    url = f"/api/v1/grading/rounds/{rnd.pk}/reopen"

    def post(user, body):
        _t, token = api_token_create(actor=user, name="t")
        return client.post(
            url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )

    assert post(world.users["sec_b"], {"reason": "越权"}).status_code == 404
    r = post(world.users["county"], {"reason": ""})
    assert (
        r.status_code == 400 and r.json()["stage"] == "rules" and r.json()["errors"][0]["field"] == "reason"
    )
    r = post(world.users["county"], {"reason": "会议记录需更正"})
    assert r.status_code == 200, r.content
    assert r.json()["reopened_at"] and r.json()["reopen_reason"] == "会议记录需更正"
    r = post(world.users["county"], {"reason": "再次"})
    assert r.status_code == 400 and "无需重新开放" in r.json()["errors"][0]["message"]
