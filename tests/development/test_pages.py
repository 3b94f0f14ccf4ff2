"""The development pages, the API and the ledger: the board and its counts, registering an
application, recording a step (a refusal re-shows the form with the rule and changes nothing),
the plans, the register opened back with openpyxl, and the figures' rows."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from jiceng.core import indicators
from jiceng.core.models import AuditEntry
from jiceng.core.periods import Period
from jiceng.development import services
from jiceng.development.models import Applicant, Plan, Step
from tests.helpers import get_ledger, sheet_rows, workbook

from .conftest import TODAY


def test_board_shows_the_branch_records_with_what_is_due(dw, login):
    late = dw.apply(TODAY - dt.timedelta(days=45), name="迟谈话", seq=511)
    fresh = dw.apply(TODAY - dt.timedelta(days=3), name="新申请", seq=512)
    client = login(dw.w.users["sec_a"])
    page = client.get(reverse("development_board"), {"org": dw.w.branch_a.pk})
    assert page.status_code == 200
    text = page.content.decode()
    assert f'data-applicant="{late.pk}"' in text and f'data-applicant="{fresh.pk}"' in text
    assert "党组织派人谈话" in text and "overdue" in text
    only = client.get(
        reverse("development_board"), {"org": dw.w.branch_a.pk, "overdue": "on"}
    ).content.decode()
    assert f'data-applicant="{late.pk}"' in only and f'data-applicant="{fresh.pk}"' not in only
    named = client.get(
        reverse("development_board"), {"org": dw.w.branch_a.pk, "q": "新申请"}
    ).content.decode()
    assert f'data-applicant="{fresh.pk}"' in named and f'data-applicant="{late.pk}"' not in named
    assert client.get(reverse("development_board"), {"org": dw.w.branch_b.pk}).status_code == 404


def test_township_sees_counts_per_village(dw, login):
    dw.apply(TODAY - dt.timedelta(days=45), name="迟谈话", seq=521)
    a = dw.to_candidate(TODAY - dt.timedelta(days=700))
    assert a.stage == "candidate"
    client = login(dw.w.users["township"])
    text = client.get(reverse("development_board"), {"org": dw.w.town_a_org.pk}).content.decode()
    assert 'id="stage-counts"' in text
    row = text[text.index(f'data-org="{dw.w.branch_a.pk}"') :]
    row = row[: row.index("</tr>")]
    assert '<td data-stage="applicant">1</td>' in row and '<td data-stage="candidate">1</td>' in row
    assert '<td class="overdue">1</td>' in row  # one applicant not talked to within the month
    since = text[text.index(f'data-since="{dw.w.branch_a.pk}"') :]
    since = since[: since.index("</tr>")]
    assert f'<td data-since-stage="candidate"><small>{a.candidate_on:%Y-%m}</small></td>' in since


def test_apply_page_registers_and_refuses_with_the_field(dw, login):
    client = login(dw.w.users["sec_a"])
    url = reverse("development_apply") + f"?org={dw.w.branch_a.pk}"
    assert client.get(url).status_code == 200
    before = Applicant.objects.count()
    r = client.post(
        url,
        {
            "org": dw.w.branch_a.pk,
            "applied_on": TODAY.isoformat(),
            "name": "少年",
            "gender": "male",
            "birth_date": (TODAY - dt.timedelta(days=365 * 17)).isoformat(),
        },
    )
    assert r.status_code == 200 and "年满18周岁" in r.content.decode() and Applicant.objects.count() == before
    r = client.post(
        url,
        {
            "org": dw.w.branch_a.pk,
            "applied_on": TODAY.isoformat(),
            "name": "周青年",
            "gender": "female",
            "birth_date": "2001-05-06",
        },
    )
    assert r.status_code == 302
    a = Applicant.objects.latest("pk")
    assert a.person.name == "周青年" and a.org == dw.w.branch_a and a.stage == "applicant"
    assert AuditEntry.objects.filter(action="development_apply", target_id=str(a.pk)).exists()


def test_step_page_records_and_refuses_with_the_rule(dw, login):
    d0 = TODAY - dt.timedelta(days=100)
    a = dw.apply(d0)
    client = login(dw.w.users["sec_a"])
    record = client.get(reverse("development_record", args=[a.pk])).content.decode()
    assert 'data-step="s02_talk"' in record and reverse("development_step", args=[a.pk, "s02_talk"]) in record
    url = reverse("development_step", args=[a.pk, "s02_talk"])
    late = (d0 + dt.timedelta(days=40)).isoformat()
    r = client.post(url, {"on": late, "people": "王书记"})
    assert r.status_code == 200 and "1个月内" in r.content.decode()
    assert 'name="exception_reason"' not in r.content.decode()  # a secretary has no right to an exception
    assert Step.objects.filter(applicant=a).count() == 1
    r = client.post(
        url, {"on": (d0 + dt.timedelta(days=10)).isoformat(), "people": "王书记", "note": "谈话记录已存档"}
    )
    assert r.status_code == 302
    assert Step.objects.filter(applicant=a, code="s02_talk").get().note == "谈话记录已存档"
    # a step not next is no page at all
    assert client.get(reverse("development_step", args=[a.pk, "s17_approval"])).status_code == 404
    # the higher committee's step is listed but not recordable by the secretary
    a.refresh_from_db()
    dw.step(a, "s03_activist", d0 + dt.timedelta(days=12), data={"method": "member"})
    record = client.get(reverse("development_record", args=[a.pk])).content.decode()
    assert 'data-step="s04_activist_filed"' in record
    assert reverse("development_step", args=[a.pk, "s04_activist_filed"]) not in record


def test_vote_form_counts_from_the_recorded_votes(dw, login):
    a = dw.to_candidate(TODAY - dt.timedelta(days=800))
    vote = dw.to_vote(a)
    client = login(dw.w.users["sec_a"])
    url = reverse("development_step", args=[a.pk, "s15_branch_vote"])
    base = {"on": vote.isoformat(), "probationary_present": 1, "written": 0, "against": 0, "abstain": 0}
    r = client.post(url, {**base, "present": 5, "in_favour": 5})
    assert r.status_code == 200 and "未超过应到会的10人的半数" in r.content.decode()
    r = client.post(url, {**base, "present": 6, "in_favour": 6})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.admitted_on == vote
    page = client.get(reverse("development_record", args=[a.pk])).content.decode()
    assert 'data-entitled="10" data-in-favour="6"' in page


def test_plans_page(dw, login):
    client = login(dw.w.users["township"])
    url = reverse("development_plans")
    r = client.post(
        url + f"?org={dw.w.town_a_org.pk}",
        {"org": dw.w.town_a_org.pk, "year": TODAY.year, "members": 4, "activists": 8, "migrant_members": 5},
    )
    assert r.status_code == 200 and "不能多于" in r.content.decode()
    r = client.post(
        url + f"?org={dw.w.town_a_org.pk}",
        {"org": dw.w.town_a_org.pk, "year": TODAY.year, "members": 4, "activists": 8, "migrant_members": 1},
    )
    assert r.status_code == 302
    plan = Plan.objects.get(org=dw.w.town_a_org, year=TODAY.year)
    assert (plan.members, plan.activists, plan.migrant_members) == (4, 8, 1)
    text = client.get(url, {"org": dw.w.town_a_org.pk, "year": TODAY.year}).content.decode()
    assert f'data-org="{dw.w.town_a_org.pk}"' in text
    sec = login(dw.w.users["sec_a"])
    assert "plan-form" not in sec.get(url, {"org": dw.w.branch_a.pk}).content.decode()


def test_api_board_record_and_step(dw, client):
    d0 = TODAY - dt.timedelta(days=20)
    a = dw.apply(d0)
    client.force_login(dw.w.users["sec_a"])
    r = client.get("/api/v1/development", {"org": dw.w.branch_a.pk})
    assert r.status_code == 200
    ids = [row["record"]["id"] for row in r.json()["items"]]
    assert a.pk in ids
    r = client.post(
        f"/api/v1/development/{a.pk}/steps/s03_activist",
        {"on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "action"
    r = client.post(
        f"/api/v1/development/{a.pk}/steps/s02_talk",
        {"on": (d0 + dt.timedelta(days=2)).isoformat(), "people": "王书记"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert [s["code"] for s in body["steps"]] == ["s01_apply", "s02_talk"] and "s03_activist" in body[
        "next_steps"
    ]


def test_register_ledger_cell_by_cell(dw, login):
    a = dw.to_candidate(TODAY - dt.timedelta(days=700))
    client = login(dw.w.users["county"])
    wb = workbook(
        get_ledger(
            client, "development.register", org=dw.w.branch_a.pk, period=f"2000-01-01..{TODAY:%Y-%m-%d}"
        )
    )
    rows = sheet_rows(wb.worksheets[0])
    header, body = rows[0], rows[1:]
    assert header[0] == "姓名" and header[5] == "所处阶段"
    mine = [r for r in body if r[0] == "赵小明"]
    assert len(mine) == 1
    r = mine[0]
    assert r[1] == "男" and r[4] == "一村党支部" and r[5] == "发展对象" and r[6] == "否"
    assert r[7].date() == a.applied_on and r[8].date() == a.activist_on and r[9].date() == a.candidate_on
    assert r[14] == dw.full[0].person.name  # the guiding member
    steps = sheet_rows(wb.worksheets[1])
    mine = [s for s in steps[1:] if s[0] == "赵小明"]
    assert [s[2] for s in mine][:3] == ["1. 递交入党申请书", "2. 党组织派人谈话", "3. 确定入党积极分子"]
    assert all(s[1] == "一村党支部" for s in mine)
    assert not any(s[1] == "三社区党支部" for s in steps[1:])


def test_figures_and_their_rows(dw):
    a = dw.to_candidate(TODAY - dt.timedelta(days=800))
    vote = dw.to_vote(a)
    dw.step(a, "s15_branch_vote", vote, data=dw.votes())
    dw.step(a, "s16_interview", vote + dt.timedelta(days=1), people="组织委员")
    dw.step(a, "s17_approval", vote + dt.timedelta(days=2))
    dw.apply(TODAY - dt.timedelta(days=10), name="新申请", seq=531)
    period = Period(vote - dt.timedelta(days=1), TODAY, "t")
    reg = indicators.registry()
    scope = [indicators.Scope(dw.w.branch_a)]
    assert reg["development.developed"].compute(scope, period)[dw.w.branch_a.pk].value == 1
    assert reg["development.applicants"].compute(scope, period)[dw.w.branch_a.pk].value == 1
    assert reg["development.candidates"].compute(scope, period)[dw.w.branch_a.pk].value == 0
    young = reg["development.young_share"].compute(scope, period)[dw.w.branch_a.pk]
    assert (young.numerator, young.denominator) == (1, 1)  # born 2000, admitted in their twenties
    edu = reg["development.educated_share"].compute(scope, period)[dw.w.branch_a.pk]
    assert (edu.numerator, edu.denominator) == (1, 1)  # a bachelor
    rows = reg["development.developed"].rows(dw.w.branch_a, period, "value")
    assert [r.person.name for r in rows] == ["赵小明"]
    town = [indicators.Scope(dw.w.town_a_org), indicators.Scope(dw.w.town_b_org)]
    got = reg["development.developed"].compute(town, period)
    assert got[dw.w.town_a_org.pk].value == 1 and got[dw.w.town_b_org.pk].value == 0
    # 003: a village that developed no migrant worker in two years
    without = reg["development.villages_without_migrant"].compute([indicators.Scope(dw.w.town_a_org)], period)
    assert without[dw.w.town_a_org.pk].value == 2  # 一村 (赵小明 is no migrant worker) and 二村


def test_home_section_lists_what_is_overdue(dw, login):
    late = dw.apply(TODAY - dt.timedelta(days=45), name="迟谈话", seq=541)
    client = login(dw.w.users["sec_a"])
    text = client.get("/").content.decode()
    assert 'id="home-development"' in text and f'data-applicant="{late.pk}"' in text


def test_services_end_a_record(dw):
    a = dw.apply(TODAY - dt.timedelta(days=10))
    services.end(actor=dw.w.users["sec_a"], applicant=a, on=TODAY, reason="本人撤回申请")
    a.refresh_from_db()
    assert a.stage == "ended" and a.ended_on == TODAY and a.end_reason == "本人撤回申请"
