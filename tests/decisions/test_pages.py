"""The staff pages: list, new matter, the matter's trail and a stage's form, the roster with its
problems, the quorum base, the township's list; a vetoed matter's assembly refused by POST."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from jiceng.decisions.models import Matter, Outcome
from tests.decisions.conftest import D0


def test_new_matter_and_its_stages_through_the_pages(dw, login):
    c = login(dw.sec)
    r = c.post(
        reverse("decisions_new"),
        {
            "village": dw.w.village_a.pk,
            "kind": "public_works",
            "procedure": "decisions.five_step",
            "title": "修缮村道",
            "amount_yuan": "85000.50",
            "proposed_on": D0.isoformat(),
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    m = Matter.objects.get(title="修缮村道")
    assert m.amount_fen == 8_500_050 and m.stage == "registered"
    page = c.get(reverse("decisions_matter", args=[m.pk])).content.decode()
    assert 'data-action="propose"' in page and 'data-action="township_approve"' not in page
    url = reverse("decisions_stage", args=[m.pk, "propose"])
    form = c.get(url + f"?held_on={(D0 + dt.timedelta(days=1)).isoformat()}").content.decode()
    assert "张三" in form
    # too few present: refused on the form, nothing changes
    r = c.post(
        url,
        {"held_on": (D0 + dt.timedelta(days=1)).isoformat(), "attendee_ids": [dw.party[0]], "votes_for": 1},
    )
    assert r.status_code == 200 and "未过应到 3 人的半数" in r.content.decode()
    m.refresh_from_db()
    assert m.stage == "registered"
    r = c.post(
        url,
        {
            "held_on": (D0 + dt.timedelta(days=1)).isoformat(),
            "attendee_ids": dw.party,
            "votes_for": 3,
            "votes_against": 0,
        },
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.stage == "proposed"
    assert c.get(reverse("decisions_list") + "?q=修缮").content.decode().count(f'data-matter="{m.pk}"') == 1


def test_vetoed_matter_refuses_the_assembly_by_post(dw, login):
    m = dw.matter(procedure="decisions.five_step")
    day = dw.to_reviewed(m)
    tw = login(dw.township)
    assert f'data-matter="{m.pk}"' in tw.get(reverse("decisions_township")).content.decode()
    home = tw.get("/").content.decode()
    assert 'id="home-decisions-township"' in home and f'data-matter="{m.pk}"' in home
    form = tw.get(reverse("decisions_stage", args=[m.pk, "township_veto"])).content.decode()
    assert 'name="reason"' in form and 'name="attendee_ids"' not in form
    r = tw.post(
        reverse("decisions_stage", args=[m.pk, "township_veto"]),
        {"held_on": (day + dt.timedelta(days=1)).isoformat(), "reason": "资金来源不明"},
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.outcome == Outcome.VETOED
    c = login(dw.sec)
    page = c.get(reverse("decisions_matter", args=[m.pk])).content.decode()
    assert 'data-action="resolve"' not in page and "资金来源不明" in page
    assert 'id="home-decisions"' not in c.get("/").content.decode()  # a vetoed matter waits on nobody
    other = dw.matter(title="待办事项")
    assert f'data-matter="{other.pk}"' in c.get("/").content.decode()
    body = dw.villagers + dw.reps
    r = c.post(
        reverse("decisions_stage", args=[m.pk, "resolve"]),
        {
            "held_on": (day + dt.timedelta(days=2)).isoformat(),
            "assembly": "representatives",
            "attendee_ids": body,
            "votes_for": 15,
        },
    )
    assert r.status_code == 200 and "不能" in r.content.decode()
    m.refresh_from_db()
    assert m.stage == "vetoed" and not m.meetings.filter(action="resolve").exists()


def test_roster_and_quorum_pages(dw, login):
    c = login(dw.sec)
    page = c.get(reverse("decisions_roster", args=[dw.w.village_a.pk])).content.decode()
    assert 'id="roster-ok"' in page and "roster-overdue" in page
    r = c.post(
        reverse("decisions_roster", args=[dw.w.village_a.pk]),
        {"form": "add", "body": "representative", "person": dw.villagers[0], "since": D0.isoformat()},
    )
    assert r.status_code == 302
    page = c.get(reverse("decisions_roster", args=[dw.w.village_a.pk])).content.decode()
    assert 'id="roster-problems"' in page and "未注明所在村民小组或推选户数" in page
    m = dw.matter()
    dw.to_reviewed(m)
    form = c.get(reverse("decisions_stage", args=[m.pk, "resolve"]) + "?assembly=villagers").content.decode()
    assert 'name="notice_on"' in form and 'name="households"' in form and 'name="attendee_ids"' not in form
    form = c.get(reverse("decisions_stage", args=[m.pk, "resolve"])).content.decode()
    assert (
        form.count('name="attendee_ids"') == 15
    )  # the 村民代表会议: 3 committee members, 12 representatives
    page = c.get(reverse("decisions_base", args=[dw.w.village_a.pk])).content.decode()
    assert 'data-kind="registered"' in page and "2024年户籍统计" in page
    r = c.post(
        reverse("decisions_base", args=[dw.w.village_a.pk]),
        {
            "form": "demand",
            "by": "villagers",
            "subject": "公开账目",
            "filed_on": D0.isoformat(),
            "signatures": 7,
        },
    )
    assert r.status_code == 302
    assert 'data-valid="1"' in c.get(reverse("decisions_base", args=[dw.w.village_a.pk])).content.decode()


def test_other_village_is_not_found(dw, login):
    c = login(dw.w.users["sec_b"])
    m = dw.matter()
    assert c.get(reverse("decisions_matter", args=[m.pk])).status_code == 404
    assert c.get(reverse("decisions_roster", args=[dw.w.village_a.pk])).status_code == 404


def test_the_decision_register(dw, login):
    from tests.helpers import get_ledger, xlsx_rows

    m = dw.matter(title="台账事项")
    day = dw.to_reviewed(m)
    dw.stage(m, "resolve", day + dt.timedelta(days=1), **dw.reps_meeting(15, 14))
    rows = xlsx_rows(
        get_ledger(login(dw.sec), "decisions.register", period=f"2000-01-01..{dt.date.today():%Y-%m-%d}")
    )
    assert rows[0][2] == "事项" and rows[0][-1] == "规则核验"
    mine = [r for r in rows[1:] if r[2] == "台账事项"]
    assert [r[8] for r in mine] == [
        "村党组织提议",
        "两委会议商议",
        "党员大会审议",
        "村民代表会议或村民会议决议",
    ]
    assert mine[-1][10:15] == (15, 15, 14, 1, 0)
