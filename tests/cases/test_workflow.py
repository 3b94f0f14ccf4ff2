"""Every transition of the case workflow, allowed and refused, and the time promises."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.cases import services
from jiceng.cases.models import Case, Level, Rating, State
from jiceng.cases.workflows import KEY, SPEC
from jiceng.core import workflows
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import WorkflowInstance


def refresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def instance(case) -> WorkflowInstance:
    return WorkflowInstance.objects.get(target_type="cases.case", target_id=str(case.pk))


def handling(cw, **kw) -> Case:
    case = cw.file("road", **kw)
    services.accept(actor=cw.w.users["sec_a"], case=case)
    return refresh(case)


def resolved(cw) -> Case:
    case = handling(cw)
    services.resolve(actor=cw.w.users["sec_a"], case=case, reply="已处理。")
    return refresh(case)


def test_the_template_is_valid_and_every_stage_locked():
    assert workflows.validate(SPEC, SPEC) == []
    assert all(s.locked for s in SPEC.states)


def test_a_case_keeps_the_version_it_started_with(cw):
    case = cw.file("road")
    before = instance(case).definition_id
    local = workflows.customise(
        actor=cw.w.users["county"],
        org=cw.w.county_org,
        key=KEY,
        spec=workflows.insert_state(SPEC, after="resolved", key="local1", label="电话回访"),
        note="本县评价后增加电话回访",
    )
    newer = cw.file("road")
    assert instance(case).definition_id == before
    assert instance(newer).definition_id == local.pk
    for c in (case, newer):
        services.accept(actor=cw.w.users["sec_a"], case=refresh(c))
        services.resolve(actor=cw.w.users["sec_a"], case=refresh(c), reply="已处理。")
        services.rate(number=c.number, phone_tail="5678", rating="satisfied", resolved=True)
    # the running case closes on the rating; the new one waits in the county's own stage, still
    # counted as resolved (a local stage is never a state of its own in the figures)
    assert refresh(case).state == State.CLOSED
    assert instance(newer).state == "local1" and refresh(newer).state == State.RESOLVED
    with pytest.raises(DomainError):  # only the generic way on, by someone who handles it
        services.advance(actor=cw.users["hotline"], case=refresh(newer), action="local1_done")
    services.advance(actor=cw.w.users["sec_a"], case=refresh(newer), action="local1_done")
    assert refresh(newer).state == State.CLOSED


def test_accept_only_by_the_current_level(cw):
    case = cw.file("road")
    with pytest.raises(
        DomainError
    ) as exc:  # the grid worker sees the village's case? no: not placed in the grid
        services.accept(actor=cw.users["hotline"], case=case)
    assert "办理人员" in str(exc.value.errors)
    assert refresh(case).state == State.RECEIVED
    services.accept(actor=cw.w.users["sec_a"], case=case)
    with pytest.raises(DomainError):  # accepting twice: not from 办理中
        services.accept(actor=cw.w.users["sec_a"], case=refresh(case))


def test_grid_case_starts_at_the_grid_and_goes_up_level_by_level(cw):
    w = cw.w
    case = cw.file("street_light", severity="minor", area=w.grid_a)
    assert case.level == Level.GRID and case.handling_area == w.grid_a
    services.accept(actor=w.users["grid_a"], case=case)
    services.escalate(actor=w.users["grid_a"], case=refresh(case), reason="网格解决不了")
    assert refresh(case).handling_area == w.village_a
    with pytest.raises(DomainError):  # the grid no longer handles it
        services.escalate(actor=w.users["grid_a"], case=refresh(case), reason="再报")


def test_hand_on_keeps_first_responsibility_recorded(cw):
    case = handling(cw)
    assert case.owner == cw.w.users["sec_a"]
    with pytest.raises(DomainError):  # not a handler of the village
        services.hand_on(actor=cw.w.users["sec_a"], case=case, to_user_id=cw.w.users["sec_b"].pk)
    services.hand_on(
        actor=cw.w.users["sec_a"], case=case, to_user_id=cw.users["handler_a"].pk, note="请办事员跟进"
    )
    case = refresh(case)
    assert case.owner == cw.users["handler_a"]
    steps = [s["action"] for s in workflows.history(instance(case))]
    assert steps == ["受理", "转交"]


def test_whistle_needs_the_right_and_report_in_only_by_the_whistled(cw):
    case = handling(cw)
    with pytest.raises(DomainError):  # a village handler may not blow the whistle
        services.whistle(actor=cw.users["handler_a"], case=case, department_ids=[cw.dept.pk])
    with pytest.raises(DomainError):  # nobody named
        services.whistle(actor=cw.w.users["sec_a"], case=case)
    services.whistle(actor=cw.w.users["sec_a"], case=case, department_ids=[cw.dept.pk])
    with pytest.raises(NotFound):  # a department not whistled cannot even see it
        services.report_in(actor=cw.users["dept_other"], case=refresh(case))
    with pytest.raises(DomainError):  # the village's own handler was not whistled
        services.report_in(actor=cw.w.users["sec_a"], case=refresh(case))
    services.report_in(actor=cw.users["dept"], case=refresh(case))


def test_members_can_be_whistled(cw):
    from tests.factories import UserFactory

    w = cw.w
    member_user = UserFactory(username="m_user", display_name="党员张三")
    person = w.member_a.person
    person.user = member_user
    person.area = w.village_a
    person.save()
    case = handling(cw)
    services.whistle(actor=w.users["sec_a"], case=case, member_user_ids=[member_user.pk])
    services.report_in(actor=member_user, case=refresh(case), note="党员报到")
    assert refresh(case).whistles.get().reported_by == member_user


def test_resolve_refused_without_reply_and_rating_by_someone_else(cw):
    case = handling(cw)
    with pytest.raises(DomainError) as exc:
        services.resolve(actor=cw.w.users["sec_a"], case=case, reply="")
    assert "reply" in exc.value.errors
    assert refresh(case).state == State.HANDLING
    services.resolve(actor=cw.w.users["sec_a"], case=case, reply="已修复。")
    with pytest.raises(NotFound):  # the wrong tail, or a guessed number
        services.rate(number=case.number, phone_tail="1111", rating="satisfied", resolved=True)
    with pytest.raises(NotFound):
        services.rate(number="2" * 10, phone_tail="5678", rating="satisfied", resolved=True)
    # a handler cannot rate through the workflow either: the rating needs the resident's proof
    with pytest.raises(DomainError):
        services._step(actor=cw.w.users["sec_a"], case=refresh(case), action="rate", data={})
    assert refresh(case).state == State.RESOLVED
    with pytest.raises(DomainError):  # a rating outside the scale
        services.rate(number=case.number, phone_tail="5678", rating="great", resolved=True)
    assert refresh(case).state == State.RESOLVED


def test_unrated_case_closes_itself_after_the_working_days_and_is_out_of_satisfaction(cw):
    from jiceng.cases import queries

    case = resolved(cw)
    services.auto_close_due()
    assert refresh(case).state == State.RESOLVED  # not yet
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - dt.timedelta(days=15))
    WorkflowInstance.objects.filter(pk=instance(case).pk).update(
        state_since=timezone.now() - dt.timedelta(days=15)
    )
    assert services.auto_close_due() >= 1
    case = refresh(case)
    assert case.state == State.CLOSED and case.rating == Rating.UNRATED
    f = queries.figures(Case.objects.filter(pk=case.pk))
    assert f["closed"] == 1 and f["rated"] == 0 and f["satisfied"] == 0


def test_reopen_within_the_window_only(cw):
    case = resolved(cw)
    services.rate(number=case.number, phone_tail="5678", rating="unsatisfied", resolved=False)
    with pytest.raises(DomainError):  # a reason is required
        services.reopen(actor=cw.w.users["sec_a"], case=refresh(case), reason="")
    services.reopen(actor=cw.w.users["sec_a"], case=refresh(case), reason="群众不满意，重新办理")
    case = refresh(case)
    assert case.state == State.HANDLING and case.reopened == 1 and case.rating == ""
    services.resolve(actor=cw.w.users["sec_a"], case=case, reply="再次处理。")
    services.rate(number=case.number, phone_tail="5678", rating="satisfied", resolved=True)
    inst = instance(case)
    inst.state_since = timezone.now() - dt.timedelta(days=40)  # closed long ago
    inst.save()
    with pytest.raises(DomainError) as exc:
        services.reopen(actor=cw.w.users["sec_a"], case=refresh(case), reason="再来")
    assert "时限" in str(exc.value.errors)
    assert refresh(case).state == State.CLOSED


def test_dismiss_needs_a_reason_and_is_final(cw):
    case = cw.file("road")
    with pytest.raises(DomainError):
        services.dismiss(actor=cw.w.users["sec_a"], case=case, reason=" ")
    services.dismiss(actor=cw.w.users["sec_a"], case=case, reason="重复提交")
    with pytest.raises(DomainError):
        services.accept(actor=cw.w.users["sec_a"], case=refresh(case))
    assert refresh(case).state == State.DISMISSED


def test_promise_counts_working_days_across_a_holiday(cw):
    # National Day 2026: 1–7 October off (chinesecalendar knows 2026)
    when = timezone.make_aware(dt.datetime(2026, 9, 30, 10, 0))
    case = services.submit(
        actor=None,
        data=services.CaseIn(
            category_id=cw.category("sanitation").pk,
            description="垃圾未清运",
            area_id=cw.w.village_a.pk,
            name="赵六",
            phone="13912345678",
        ),
        when=when,
    )
    # 3 working days from 30 September: 8, 9 and 10 October (the 10th is a make-up working day)
    assert timezone.localtime(case.due_at).date() == dt.date(2026, 10, 10)


def test_promise_in_a_year_the_calendar_library_does_not_know(cw):
    when = timezone.make_aware(dt.datetime(2031, 1, 1, 9, 0))  # a Wednesday, beyond the library
    case = services.submit(
        actor=None,
        data=services.CaseIn(
            category_id=cw.category("sanitation").pk,
            description="垃圾未清运",
            area_id=cw.w.village_a.pk,
            name="赵六",
            phone="13912345678",
        ),
        when=when,
    )
    # Monday–Friday fallback: Thu 2, Fri 3, Mon 6
    assert timezone.localtime(case.due_at).date() == dt.date(2031, 1, 6)


def test_case_states_read_as_case_words_in_chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(State.CLOSED.label) == "已关闭" and str(State.HANDLING.label) == "办理中"


def test_a_whistle_offers_the_county_and_the_case_townships_stations_only(cw):
    from jiceng.cases import selectors

    here = set(selectors.departments_for(cw.w.users["sec_a"], cw.w.village_a))
    there = set(selectors.departments_for(cw.w.users["sec_b"], cw.w.village_b))
    assert cw.station in here and cw.station not in there  # 甲镇司法所 serves 甲镇 only
    assert cw.dept in here and cw.dept in there
