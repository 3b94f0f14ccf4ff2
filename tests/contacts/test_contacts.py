"""Contact duties: quotas per role (001, 000-R3) refused above the maximum and flagged below the
minimum, scope, ending, a member's visit recorded as the grids app's visit with the member as the
visitor, the never-visited flag and figure, the pages and the home sections."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiceng.contacts import selectors, services
from jiceng.contacts.models import ContactDuty
from jiceng.core import indicators
from jiceng.core import services as core
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.core.periods import Period
from jiceng.grids import queries as grids_queries
from jiceng.people import queries as people_queries
from jiceng.people import services as people

TODAY = dt.date.today()


@pytest.fixture
def cw(world):
    c = world.users["county"]
    hs = [
        people.household_create(actor=c, area=world.grid_a, address=f"一村1组{i}号", head_name=f"户主{i}")
        for i in range(7)
    ]
    estate = core.area_create(actor=c, parent=world.village_a, name="一村安置小区", kind="estate")
    return world, hs, estate


def assign(w, person, household=None, area=None, role="member", since=None, actor=None):
    return services.assign(
        actor=actor or w.users["sec_a"],
        org=w.branch_a,
        person_id=person.pk,
        role=role,
        since=since or TODAY - dt.timedelta(days=30),
        household_id=household.pk if household else None,
        area_id=area.pk if area else None,
    )


def test_quota_maximum_refused_and_minimum_flagged(cw):
    w, hs, _estate = cw
    p = w.member_a.person
    for h in hs[:5]:
        assign(w, p, h, role="rural_member")
    with pytest.raises(DomainError) as exc:  # 001: 4–5 households for a rural member
        assign(w, p, hs[5], role="rural_member")
    assert "最多分包5户" in exc.value.errors["household"][0]
    q = selectors.quota_rows(actor=w.users["sec_a"], org=w.branch_a)
    assert [r.under for r in q if r.person_id == p.pk] == [[]]
    p2 = w.member_a_grid.person
    assign(w, p2, hs[5], role="rural_member")
    short = [r for r in selectors.quota_rows(actor=w.users["sec_a"], org=w.branch_a) if r.person_id == p2.pk][
        0
    ]
    assert short.under == ["3户"]
    with pytest.raises(DomainError) as exc:  # an ordinary member contacts no estate
        assign(w, p2, area=cw[2], role="member")
    assert "不分包个小区" in exc.value.errors["role"][0]
    assign(w, p2, area=cw[2], role="leader")


def test_refusals_and_scope(cw):
    w, hs, _estate = cw
    before = ContactDuty.objects.count()
    with pytest.raises(DomainError) as exc:
        assign(w, w.member_b.person, hs[0])  # not a member of 一村
    assert "不是一村党支部" in exc.value.errors["person"][0]
    with pytest.raises(DomainError) as exc:
        services.assign(
            actor=w.users["sec_a"],
            org=w.branch_a,
            person_id=w.member_a.person_id,
            role="member",
            since=TODAY,
            household_id=hs[0].pk,
            area_id=cw[2].pk,
        )
    assert "household" in exc.value.errors
    assign(w, w.member_a.person, hs[0])
    with pytest.raises(DomainError) as exc:
        assign(w, w.member_a.person, hs[0])
    assert "已分包" in exc.value.errors["household"][0]
    with pytest.raises(NotFound):
        assign(w, w.member_a.person, hs[1], actor=w.users["sec_b"])
    assert ContactDuty.objects.count() == before + 1


def test_visit_marks_the_duty_and_the_figure(cw, login):
    w, hs, _estate = cw
    duty = assign(w, w.member_a.person, hs[0])
    period = Period(TODAY - dt.timedelta(days=40), TODAY, "t")
    reg = indicators.registry()
    scope = [indicators.Scope(w.branch_a)]
    assert reg["contacts.never_visited"].compute(scope, period)[w.branch_a.pk].value == 1
    assert reg["contacts.duties"].compute(scope, period)[w.branch_a.pk].value == 1
    visit = services.record_visit(
        actor=w.users["sec_a"],
        duty=duty,
        kind="visit",
        visited_on=TODAY - dt.timedelta(days=1),
        asked_needs="想了解医保",
    )
    assert visit.visitor_person_id == w.member_a.person_id and visit.household_id == hs[0].pk
    assert grids_queries.visits().filter(pk=visit.pk, grid=w.grid_a).exists()
    assert reg["contacts.never_visited"].compute(scope, period)[w.branch_a.pk].value == 0
    # a grid worker's own visit to the household does not count for the member
    duty2 = assign(w, w.member_a_grid.person, hs[1])
    from jiceng.grids import services as grids_services

    grids_services.visit_record(
        actor=w.users["grid_a"],
        grid=w.grid_a,
        kind="visit",
        visited_on=TODAY,
        household=hs[1],
        notes="例行走访",
    )
    assert [d.pk for d in selectors.org_duties(actor=w.users["sec_a"], org=w.branch_a, flag="never")] == [
        duty2.pk
    ]
    client = login(w.users["sec_a"])
    text = client.get("/").content.decode()
    assert 'id="home-contacts"' in text and f'data-duty="{duty2.pk}"' in text


def test_member_records_their_own_visit_on_the_phone(cw, login):
    w, hs, _estate = cw
    people_queries.persons().filter(pk=w.member_a.person_id).update(user=w.users["member"])
    duty = assign(w, w.member_a.person, hs[2])
    client = login(w.users["member"])
    assert f'data-duty="{duty.pk}"' in client.get(reverse("contacts_mine")).content.decode()
    url = reverse("contacts_visit", args=[duty.pk])
    r = client.post(url, {"visited_on": TODAY.isoformat()})
    assert r.status_code == 200 and "至少填写一项" in r.content.decode()
    r = client.post(
        url, {"visited_on": TODAY.isoformat(), "asked_difficulties": "房屋漏雨", "sent_warmth": "on"}
    )
    assert r.status_code == 302
    v = grids_queries.visits().get(visitor_person_id=w.member_a.person_id)
    assert v.visitor_id == w.users["member"].pk and v.sent_warmth and v.asked_difficulties == "房屋漏雨"
    other = assign(w, w.member_a_grid.person, hs[3])
    assert client.get(reverse("contacts_visit", args=[other.pk])).status_code == 404


def test_pages_assign_and_end(cw, login):
    w, hs, _estate = cw
    client = login(w.users["sec_a"])
    url = reverse("contacts_assign") + f"?org={w.branch_a.pk}"
    assert client.get(url).status_code == 200
    r = client.post(url, {"person": w.member_a.person_id, "role": "member", "since": TODAY.isoformat()})
    assert r.status_code == 200 and "只选一个" in r.content.decode()
    r = client.post(
        url,
        {"person": w.member_a.person_id, "role": "member", "household": hs[4].pk, "since": TODAY.isoformat()},
    )
    assert r.status_code == 302
    duty = ContactDuty.objects.get(household=hs[4])
    assert AuditEntry.objects.filter(action="contact_assign", target_id=str(duty.pk)).exists()
    page = client.get(reverse("contacts_list"), {"org": w.branch_a.pk}).content.decode()
    assert f'data-duty="{duty.pk}"' in page and 'id="quota"' in page
    r = client.post(
        reverse("contacts_end", args=[duty.pk]), {"until": (duty.since - dt.timedelta(days=1)).isoformat()}
    )
    assert r.status_code == 200 and "不能早于" in r.content.decode()
    r = client.post(reverse("contacts_end", args=[duty.pk]), {"until": TODAY.isoformat()})
    assert r.status_code == 302
    duty.refresh_from_db()
    assert duty.until == TODAY
