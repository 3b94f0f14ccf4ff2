"""The demo county's residents' requests (cases/demo.py) on the session's small demo county
(tests/conftest.py, pinned at DEMO_AS_OF): every state, kind and channel occurs; each case's row
agrees with its workflow instance and history, as the services would have left it; nothing happens
on or after the demo's today; the figures are real numbers; no resident's phone is stored in the
clear; the home pages' queues have work in them."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pytest
from django.db import connection
from django.utils import timezone

from jiceng.cases import queries, selectors
from jiceng.cases.demo import CASE_LOGINS
from jiceng.cases.models import (
    Case,
    CaseNote,
    Channel,
    Department,
    EnforcementOutcome,
    EnforcementRequest,
    Kind,
    Open311Client,
    Rating,
    State,
    WageClaim,
    Whistle,
)
from jiceng.core import crypto, workdays
from jiceng.core.models import Area, User, WorkflowInstance, WorkflowStep
from tests.conftest import DEMO_AS_OF

pytestmark = pytest.mark.django_db


def _cutoff() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(DEMO_AS_OF, dt.time.min))


@pytest.fixture
def cases(demo_county):
    return list(Case.objects.select_related("category").order_by("pk"))


def _history(cases):
    instances = {
        int(i.target_id): i
        for i in WorkflowInstance.objects.filter(target_type="cases.case").select_related("definition")
    }
    steps = defaultdict(list)
    for s in WorkflowStep.objects.filter(instance__target_type="cases.case").order_by("at", "pk"):
        steps[s.instance_id].append(s)
    return instances, steps


def test_every_state_kind_channel_and_rating_occurs(cases):
    assert 200 <= len(cases) <= 600  # 12 villages: ≈22 a village a year, and the journeys
    assert {c.state for c in cases} == set(State.values)
    assert {c.kind for c in cases} == set(Kind.values)
    assert {c.channel for c in cases} == set(Channel.values)
    assert {c.rating for c in cases if c.state == State.CLOSED} == set(Rating.values)
    rated = [c for c in cases if c.rating in (Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED)]
    assert {c.resolved_for_resident for c in rated} == {True, False}
    assert any(c.reopened and c.state == State.CLOSED for c in cases)
    assert any(c.reopened and c.state == State.HANDLING for c in cases)
    assert any(c.top_level == 2 for c in cases) and any(c.top_level == 3 for c in cases)
    assert any(c.public for c in cases) and any(not c.public for c in cases)
    assert not any(c.public for c in cases if c.kind in (Kind.DISPUTE, Kind.WAGE, Kind.ENFORCEMENT))
    cutoff = _cutoff()
    assert any(c.state == State.RECEIVED and c.respond_due_at < cutoff for c in cases)  # overdue to accept
    assert any(c.state == State.HANDLING and c.due_at < cutoff for c in cases)  # overdue to resolve


def test_rows_agree_with_their_workflow_instance_and_history(cases):
    instances, steps = _history(cases)
    cutoff = _cutoff()
    for c in cases:
        inst = instances[c.pk]
        assert inst.definition.key == "cases.case" and inst.state == c.state, c.number
        history = steps[inst.pk]
        state = "received"
        for s in history:
            assert s.from_state == state and s.at < cutoff, (c.number, s.action)
            state = s.to_state
        assert state == c.state, c.number
        assert inst.state_since == (history[-1].at if history else c.received_at), c.number
        assert c.received_at < cutoff and c.top_level >= c.level
        assert c.respond_due_at == c.received_at + dt.timedelta(hours=c.category.respond_hours)
        last = history[-1].action if history else None
        if c.rating in (Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED):
            assert c.state == State.CLOSED and last == "rate", c.number
        elif c.rating == Rating.UNRATED:
            assert c.state == State.CLOSED and last == "auto_close", c.number
        else:
            assert c.state != State.CLOSED and last not in ("rate", "auto_close"), c.number
        if c.state in (State.CLOSED, State.DISMISSED):
            assert c.closed_at is not None and c.closed_at == history[-1].at, c.number
        else:
            assert c.closed_at is None, c.number
        if c.state in (State.RESOLVED, State.CLOSED):
            assert c.resolved_at is not None and (c.closed_at is None or c.resolved_at <= c.closed_at), (
                c.number
            )
            assert c.reply and c.accepted_at is not None and c.accepted_at <= c.resolved_at
        elif c.state != State.DISMISSED:
            assert c.resolved_at is None and c.workdays_to_resolve is None, c.number
        if c.state == State.RECEIVED:  # never accepted, or handed up and not yet accepted there
            assert not history or history[-1].action == "escalate", c.number
        if c.kind != Kind.ENFORCEMENT:
            assert c.phone_ciphertext and c.phone_tail_digest
        assert (c.open311_client_id is not None) == (
            c.channel == Channel.OPEN311 or (c.channel == Channel.HOTLINE and c.entered_by_id is None)
        ), c.number


def test_dates_follow_the_working_day_calendar(cases):
    """due_at and workdays_to_resolve as services.submit and services.resolve compute them."""
    for c in cases[::3]:
        local = timezone.localtime(c.received_at)
        due = timezone.make_aware(
            dt.datetime.combine(
                workdays.add_workdays(local.date(), c.category.promise_workdays), local.time()
            )
        )
        assert c.due_at == due, c.number
        if c.resolved_at is not None:
            assert c.workdays_to_resolve == workdays.workdays_between(
                local.date(), timezone.localtime(c.resolved_at).date()
            ), c.number


def test_whistles_disputes_wage_and_enforcement(demo_county):
    cutoff = _cutoff()
    whistles = list(Whistle.objects.select_related("case"))
    assert any(w.reported_at and w.reported_at <= w.report_due_at for w in whistles)
    assert any(w.reported_at and w.reported_at > w.report_due_at for w in whistles)  # late
    assert any(w.reported_at is None and w.case.open for w in whistles)
    assert any(w.member_user_id for w in whistles)  # 党员报到
    for w in whistles:
        assert w.at < cutoff and w.report_due_at == w.at + dt.timedelta(minutes=30)
        assert w.reported_at is None or w.at <= w.reported_at < cutoff
    disputes = Case.objects.filter(kind=Kind.DISPUTE)
    assert disputes.filter(mediator__isnull=False).exists()
    assert disputes.filter(confirmation_applied_on__isnull=False).exists()
    for c in disputes.exclude(agreement_on=None):
        assert timezone.localtime(c.received_at).date() <= c.agreement_on < DEMO_AS_OF
        if c.confirmation_applied_on:
            assert 0 < (c.confirmation_applied_on - c.agreement_on).days <= 30
    wages = WageClaim.objects.all()
    assert wages.count() == Case.objects.filter(kind=Kind.WAGE).count()
    assert (
        wages.filter(supervised=True).exists() and wages.filter(police_referred_on__isnull=False).count() == 1
    )
    assert not wages.filter(supervised=True, responsible_person="").exists()
    pushed = EnforcementRequest.objects.all()
    assert pushed.count() == Case.objects.filter(kind=Kind.ENFORCEMENT).count() > 0
    assert not Case.objects.filter(kind=Kind.ENFORCEMENT).exclude(channel=Channel.COURT).exists()
    executed = pushed.filter(outcome__in=[EnforcementOutcome.EXECUTED, EnforcementOutcome.PARTLY]).count()
    assert 1 <= executed <= max(2, pushed.count() // 5)  # 004-P1: few executed
    assert pushed.filter(reported_at__isnull=False).exclude(findings="").exists()


def test_figures_are_real_numbers_and_villages_differ(demo_county):
    f = queries.figures(Case.objects.all())
    assert f["received"] >= 200 and 0.8 < f["closed"] / f["received"] < 0.99
    assert 0.5 < f["in_village"] / f["closed"] < 0.95 and f["in_village"] < f["in_township"] < f["closed"]
    assert 0.6 < f["on_time"] / f["resolved"] < 0.97 and 0.75 < f["satisfied"] / f["rated"] < 1
    assert 0 < f["resolved_by_resident"] < f["rated"] < f["closed"] and f["workdays"] > 0
    rates = []
    for v in Area.objects.filter(kind__in=["village", "community"]):
        got = queries.figures(Case.objects.filter(area__path__startswith=v.path))
        if got["closed"] >= 10:
            rates.append(got["in_village"] / got["closed"])
    assert len(rates) >= 6 and max(rates) - min(rates) > 0.15  # strong villages and weak ones


def test_no_phone_in_the_clear(demo_county):
    phones = {
        crypto.decrypt(p, field="phone")
        for p in Case.objects.exclude(phone_ciphertext="").values_list("phone_ciphertext", flat=True)
    }
    assert len(phones) > 200
    eleven = re.compile(r"1\d{10}")
    tables = ["cases_case", "cases_casenote", "core_workflowstep", "core_auditentry", "core_notification"]
    for table in tables:
        with connection.cursor() as cur:
            cur.execute(f"SELECT * FROM {table}")  # noqa: S608 (a fixed list)
            for row in cur.fetchall():
                for value in row:
                    if isinstance(value, str):
                        assert not (set(eleven.findall(value)) & phones), (table, value[:80])
    assert all("*" in m for m in Case.objects.exclude(phone_masked="").values_list("phone_masked", flat=True))


def test_accounts_departments_and_the_home_pages_work(demo_county):
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[u for u, _ in CASE_LOGINS] + ["secretary", "grid", "township", "member"]
        )
    }
    assert set(users) >= {u for u, _ in CASE_LOGINS}
    n_towns = Area.objects.filter(kind__in=["township", "subdistrict"]).count()
    assert Department.objects.count() == 12 + 4 * n_towns
    assert Department.objects.filter(depth=2, code="justice_station").count() == n_towns  # under 司法局
    clients = Open311Client.objects.all()
    assert {c.channel for c in clients} == {Channel.HOTLINE, Channel.OPEN311}
    assert all(len(c.digest) == 64 and c.prefix.startswith("o311_") for c in clients)
    assert selectors.queue(users["secretary"]).exists()
    assert selectors.queue(users["grid"]).exists()
    assert selectors.queue(users["township"]).filter(state=State.RECEIVED).exists()
    assert selectors.overdue(users["secretary"], now=_cutoff()).exists()
    assert selectors.whistles_waiting(users["member"]).exists()
    for dept in ("housing", "civil", "police_station"):
        assert selectors.whistles_waiting(users[dept]).exists(), dept
        assert selectors.department_cases(users[dept]).exists(), dept
    assert (
        selectors.mediator_cases(users["mediator"]).exists()
        and selectors.mediator_cases(users["judge"]).exists()
    )
    assert selectors.court_cases(users["court"]).filter(enforcement__outcome="").exists()
    # the journeys went through the services: audited, with the residents' SMS in the outbox
    from jiceng.core.models import AuditEntry, Notification

    assert AuditEntry.objects.filter(action="case_submit").count() >= 25
    assert Notification.objects.filter(kind="cases.update", recipient__isnull=True).exists()
    assert CaseNote.objects.filter(public=True).count() > 3 * Case.objects.count()
