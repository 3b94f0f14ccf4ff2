"""What disputes, wage arrears, enforcement assistance and map points add to a case."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.cases import geo, selectors, services
from jiceng.cases.models import Case, EnforcementRequest, Kind, Level, WageClaim
from jiceng.core.errors import DomainError, NotFound

VALID_USCC = "91110000600037341L"  # a valid check digit (python-stdnum's own example)


def test_dispute_routes_by_severity_through_1_1_n(cw):
    minor = cw.file("dispute_neighbour", severity="minor", area=cw.w.grid_a)
    assert minor.mediator.user == cw.users["volunteer"]
    serious = cw.file("dispute_neighbour", severity="serious")
    assert serious.mediator.user == cw.users["judge"] and serious.level == Level.TOWNSHIP
    # a mediator sees the disputes routed to them, nothing else
    assert list(selectors.mediator_cases(cw.users["volunteer"])) == [minor]
    assert set(selectors.cases_for(cw.users["judge"])) == {serious}
    with pytest.raises(NotFound):
        selectors.case(cw.users["volunteer"], serious.pk)


def test_judicial_confirmation_within_30_days(cw):
    case = cw.file("dispute_neighbour", severity="minor", area=cw.w.grid_a)
    Case.objects.filter(pk=case.pk).update(received_at=timezone.now() - dt.timedelta(days=60))
    case = Case.objects.get(pk=case.pk)
    today = timezone.localdate()
    agreed = today - dt.timedelta(days=40)
    with pytest.raises(DomainError) as exc:
        services.record_agreement(
            actor=cw.users["volunteer"],
            case=case,
            agreement_on=agreed,
            confirmation_applied_on=agreed + dt.timedelta(days=31),
        )
    assert "30日内" in str(exc.value.errors["confirmation_applied_on"])
    services.record_agreement(
        actor=cw.users["volunteer"],
        case=case,
        agreement_on=agreed,
        confirmation_applied_on=agreed + dt.timedelta(days=30),
    )
    assert Case.objects.get(pk=case.pk).confirmation_applied_on == agreed + dt.timedelta(days=30)
    with pytest.raises(NotFound):  # another village's secretary
        services.record_agreement(
            actor=cw.w.users["sec_b"], case=case, agreement_on=agreed, confirmation_applied_on=None
        )


def test_wage_claim_validates_the_uscc_and_is_never_public(cw):
    before = WageClaim.objects.count()
    with pytest.raises(DomainError) as exc:
        cw.file(
            "wage_arrears",
            wage=services.WageIn(
                employer="某建筑公司", employer_uscc="91110000600037341X", workers=12, amount="86000"
            ),
        )
    assert "统一社会信用代码" in str(exc.value.errors)
    assert WageClaim.objects.count() == before
    case = cw.file(
        "wage_arrears",
        wage=services.WageIn(
            employer="某建筑公司",
            employer_uscc=VALID_USCC.lower(),
            project="安置房项目",
            workers=12,
            amount="86000.50",
        ),
    )
    assert case.kind == Kind.WAGE and not case.public and case.level == Level.TOWNSHIP
    assert case.wage.employer_uscc == VALID_USCC and case.wage.amount == Decimal("86000.50")
    with pytest.raises(DomainError):  # 挂牌督办 needs a named unit and person
        services.supervise_wage(actor=cw.w.users["township"], case=case, supervised=True)
    services.supervise_wage(
        actor=cw.w.users["township"],
        case=case,
        supervised=True,
        responsible_unit="甲镇劳动保障所",
        responsible_person="钱七",
        police_referred_on=timezone.localdate(),
        police_note="涉嫌拒不支付劳动报酬罪",
    )
    claim = WageClaim.objects.get(case=case)
    assert claim.supervised and claim.police_referred_on == timezone.localdate()


def test_court_pushes_grid_reports_court_records_outcome(cw):
    court = cw.users["court"]
    with pytest.raises(DomainError):  # a resident cannot file an enforcement case
        cw.file("court_assist", area=cw.w.grid_a)
    case = services.submit(
        actor=court,
        data=services.CaseIn(
            category_id=cw.category("court_assist").pk,
            description="查找被执行人下落及财产线索",
            area_id=cw.w.grid_a.pk,
            channel="court",
            court="A县人民法院",
            court_case_number="（2026）A0101执123号",
        ),
    )
    assert case.level == Level.GRID and case.handling_area == cw.w.grid_a and not case.phone_ciphertext
    grid = cw.w.users["grid_a"]
    services.accept(actor=grid, case=case)
    with pytest.raises(DomainError):
        services.report_enforcement(
            actor=grid, case=case, person_located=None, contact_made=True, findings=""
        )
    services.report_enforcement(
        actor=grid,
        case=case,
        person_located=True,
        contact_made=True,
        assets_found="名下有一辆货车",
        findings="被执行人在外务工，已电话联系",
    )
    with pytest.raises(NotFound):  # the outcome is the court's
        services.record_court_outcome(
            actor=grid, case=case, outcome="executed", outcome_on=timezone.localdate()
        )
    services.record_court_outcome(
        actor=court, case=case, outcome="executed", outcome_on=timezone.localdate(), amount_executed="12000"
    )
    req = EnforcementRequest.objects.get(case=case)
    assert req.outcome == "executed" and req.person_located and req.reported_at
    assert set(selectors.court_cases(court)) == {case}


def test_gcj02_point_is_stored_as_wgs84(cw):
    # 天安门 in WGS-84 and its GCJ-02 form as Chinese map pickers give it
    wlon, wlat = 116.391350, 39.907723
    glon, glat = geo.wgs84_to_gcj02(wlon, wlat)
    assert abs(glon - wlon) > 0.004  # the offset is hundreds of metres
    case = cw.file("road", lat=str(glat), lon=str(glon), datum="gcj02")
    assert abs(float(case.lat) - wlat) < 1e-5 and abs(float(case.lon) - wlon) < 1e-5
    plain = cw.file("road", lat=str(wlat), lon=str(wlon))
    assert float(plain.lat) == pytest.approx(wlat, abs=1e-6)
    with pytest.raises(DomainError) as exc:
        cw.file("road", lat="91", lon="116")
    assert "纬度" in str(exc.value.errors)


def test_staff_entry_records_the_channel_and_first_receiver(cw):
    case = cw.file("water", actor=cw.users["hotline"], channel="hotline_12345")
    assert (
        case.channel == "hotline_12345"
        and case.owner == cw.users["hotline"]
        and case.entered_by == cw.users["hotline"]
    )
    with pytest.raises(DomainError):
        cw.file("water", actor=cw.users["hotline"], channel="open311")
    with pytest.raises(NotFound):  # staff cannot file outside their area
        cw.file("water", actor=cw.w.users["sec_b"], channel="window")
