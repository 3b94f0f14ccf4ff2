"""The whole path of a case through the services, and every refused step."""

from __future__ import annotations

import pytest

from jiceng.cases import services
from jiceng.cases.models import Case, Level, Rating, State, Whistle
from jiceng.core import notify
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import Notification


def refresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_resident_to_department_to_rating(cw):
    w, u = cw.w, cw.users
    case = cw.file("road")
    assert case.state == State.RECEIVED and case.level == Level.VILLAGE and case.handling_area == w.village_a
    assert case.owner is None and case.phone_masked.startswith("139") and "1234" not in case.phone_masked
    # the resident is told by SMS (held in the outbox), addressed without an account
    sms = Notification.objects.filter(recipient__isnull=True, kind="cases.update", body__contains=case.number)
    assert sms.count() == 1 and "13912345678" not in sms.get().to_ciphertext
    notify.dispatch()  # no SMS gateway configured: held, visibly, with the address masked
    held = sms.get()
    assert held.status == "held" and held.address_masked == "139****5678"

    services.accept(actor=w.users["sec_a"], case=case)
    case = refresh(case)
    assert case.state == State.HANDLING and case.owner == w.users["sec_a"] and case.accepted_at

    services.escalate(actor=w.users["sec_a"], case=case, reason="需镇里协调")
    case = refresh(case)
    assert case.state == State.RECEIVED and case.level == Level.TOWNSHIP and case.handling_area == w.town_a
    assert case.top_level == Level.TOWNSHIP

    services.accept(actor=w.users["township"], case=case)
    services.whistle(
        actor=w.users["township"], case=refresh(case), department_ids=[cw.dept.pk], note="请住建局到场"
    )
    case = refresh(case)
    assert Whistle.objects.filter(case=case, department=cw.dept, reported_at__isnull=True).count() == 1

    # the other department was not whistled: it cannot see the case, nor report in
    with pytest.raises(NotFound):
        services.report_in(actor=u["dept_other"], case=case)
    services.report_in(actor=u["dept"], case=case, note="已到场")
    with pytest.raises(DomainError):  # reporting in twice
        services.report_in(actor=u["dept"], case=refresh(case))
    with pytest.raises(DomainError) as exc:  # closing without a reply
        services.resolve(actor=u["dept"], case=refresh(case), reply="  ")
    assert "答复" in str(exc.value.errors)
    services.resolve(actor=u["dept"], case=refresh(case), reply="已修复路面。")
    case = refresh(case)
    assert case.state == State.RESOLVED and case.workdays_to_resolve is not None

    with pytest.raises(NotFound):  # someone else's phone
        services.rate(number=case.number, phone_tail="0000", rating="satisfied", resolved=True)
    services.rate(number=case.number, phone_tail="5678", rating="satisfied", resolved=True)
    case = refresh(case)
    assert case.state == State.CLOSED and case.rating == Rating.SATISFIED and case.resolved_for_resident


def test_escalating_past_the_top_is_refused(cw):
    w = cw.w
    case = cw.file("road", severity="major", actor=w.users["county"], channel="window")
    for _ in range(3):
        c = refresh(case)
        if c.level == Level.COUNTY:
            break
        services.escalate(actor=w.users["county"], case=c, reason="上报")
    c = refresh(case)
    assert c.level == Level.COUNTY
    with pytest.raises(DomainError) as exc:
        services.escalate(actor=w.users["county"], case=c, reason="再上报")
    assert "没有更高层级" in str(exc.value.errors)
    assert refresh(case).level == Level.COUNTY


def test_handler_of_another_village_cannot_accept(cw):
    case = cw.file("road")
    with pytest.raises(NotFound):
        services.accept(actor=cw.w.users["sec_b"], case=case)
    assert refresh(case).state == State.RECEIVED


def test_missing_category_and_bad_phone_store_nothing(cw):
    before = Case.objects.count()
    with pytest.raises(DomainError) as exc:
        services.submit(
            actor=None,
            data=services.CaseIn(
                category_id=None, description="", area_id=cw.w.village_a.pk, name="赵六", phone="123"
            ),
        )
    assert set(exc.value.errors) >= {"category", "description", "phone"}
    assert Case.objects.count() == before
