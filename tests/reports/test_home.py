"""Home pages by role: each count on a home page equals the indicator or the list it claims, the
menus open, the figures open to their rows, and a member keeps their own card."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from jiceng.core import indicators
from jiceng.core.models import AuditEntry, Org, OrgKind, RoleAssignment, User
from jiceng.core.periods import Period
from jiceng.orglife import compliance
from jiceng.orglife.models import ATTENDED, PARTY_LIFE_KINDS, Attendance
from jiceng.people.models import Household, PartyMember, Person

DEMO_ROLES = ("county", "township", "secretary", "secretary2", "grid", "member")
PASSWORD = "demo12345"


def _log_in(client, username):
    assert client.login(request=HttpRequest(), username=username, password=PASSWORD)
    return client


def _grant_org(username) -> Org:
    return RoleAssignment.objects.select_related("org").get(user__username=username).org


def _year() -> Period:
    today = timezone.localdate()
    return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), str(today.year))


def _section(response, key):
    found = [s for s in response.context["sections"] if s.key == key]
    assert found, [s.key for s in response.context["sections"]]
    return found[0].context


def test_each_demo_role_gets_its_own_home(demo_county, client):
    expected = {
        "county": {"board"},
        "township": {"board"},
        "secretary": {"orglife"},
        "grid": {"grid"},
        "member": {"me", "my_orglife"},
    }
    for username, keys in expected.items():
        r = _log_in(client, username).get(reverse("home"))
        assert r.status_code == 200, username
        got = {s.key for s in r.context["sections"]}
        assert keys <= got, (username, got)
        # nobody below the township is shown the county-style statistics board
        if username in ("secretary", "grid", "member"):
            assert "board" not in got and 'id="dashboard-title"' not in r.text


def test_secretary_due_list_is_the_calendar(demo_county, client):
    org = _grant_org("secretary")
    today = timezone.localdate()
    branches = [org] if org.kind == OrgKind.BRANCH else list(compliance.branches_in(org))
    want = {
        (row.org.pk, row.kind, cell.block.label, cell.state)
        for b in branches
        for row in compliance.unit_calendar(b, today.year, today)
        for cell in row.cells
        if cell.state in ("overdue", "due")
    }
    r = _log_in(client, "secretary").get(reverse("home"))
    ctx = _section(r, "orglife")
    got = {(i["org"].pk, i["kind"], i["block"], i["state"]) for i in ctx["due"]}
    assert got == want and want, "the home's list is the calendar's due and overdue cells"
    assert ctx["n_overdue"] == sum(s == "overdue" for *_x, s in want)
    m = re.search(r'data-count="overdue">(\d+)', r.text.replace("\n", ""))
    assert m is None or int(m.group(1)) == ctx["n_overdue"]
    # each item opens the meeting form for that unit and kind (one tap to record)
    first = ctx["due"][0]
    assert f"?org={first['org'].pk}&amp;kind={first['kind']}" in r.text
    assert _log_in(client, "secretary").get(first["record_url"]).status_code == 200


def test_secretary_often_absent_is_the_indicator(demo_county, client):
    org = _grant_org("secretary")
    value = indicators.compute(
        actor=User.objects.get(username="secretary"), name="orglife.often_absent", org=org, period=_year()
    ).value
    r = _log_in(client, "secretary").get(reverse("home"))
    assert _section(r, "orglife")["n_absent"] == value


def test_recording_the_overdue_meeting_takes_it_off_the_list(demo_county, client):
    user = User.objects.get(username="secretary")
    r = _log_in(client, "secretary").get(reverse("home"))
    item = next(i for i in _section(r, "orglife")["due"] if i["state"] == "overdue")
    block = next(
        c.block
        for row in compliance.unit_calendar(item["org"], timezone.localdate().year, timezone.localdate())
        if row.org.pk == item["org"].pk and row.kind == item["kind"]
        for c in row.cells
        if c.block.label == item["block"]
    )
    from tests.factories import MeetingFactory

    MeetingFactory(actor=user, org=item["org"], kind=item["kind"], held_on=block.end, topic="补记的会议")
    r = client.get(reverse("home"))
    keys = {(i["org"].pk, i["kind"], i["block"]) for i in _section(r, "orglife")["due"]}
    assert (item["org"].pk, item["kind"], item["block"]) not in keys


def test_member_home_counts_their_own_attendance(demo_county, client):
    me = PartyMember.objects.get(person__user__username="member")
    year = _year()
    rows = Attendance.objects.filter(
        member=me, meeting__held_on__gte=year.start, meeting__kind__in=PARTY_LIFE_KINDS
    )
    r = _log_in(client, "member").get(reverse("home"))
    ctx = _section(r, "my_orglife")
    assert ctx["attended"] == rows.filter(status__in=ATTENDED).count()
    assert ctx["absent"] == rows.filter(status="absent").count()
    assert ctx["leave"] == rows.filter(status="leave").count()
    card = _section(r, "me")
    assert card["me"] == me and me.person.name in r.text
    # personal data stays masked on the page
    assert me.person.id_number_masked in r.text and "*" in me.person.id_number_masked


def test_grid_home_counts_are_the_grid(demo_county, client):
    grid = _grant_org("grid").area
    r = _log_in(client, "grid").get(reverse("home"))
    s = _section(r, "grid")["summary"]
    assert s["households"] == Household.objects.filter(area__path__startswith=grid.path).count()
    assert s["residents"] == Person.objects.filter(area__path__startswith=grid.path).count()
    # the search narrows the grid's residents and never reaches outside it
    someone = Person.objects.filter(area__path__startswith=grid.path).first()
    r = client.get(reverse("home"), {"grid.q": someone.name})
    people = _section(r, "grid")["people"]
    assert someone in people
    assert all(
        someone.name in p.name
        or (p.household and someone.name in p.household.head_name + p.household.address)
        for p in people
    )
    outsider = Person.objects.exclude(area__path__startswith=grid.path).exclude(area=None).first()
    r = client.get(reverse("home"), {"grid.q": outsider.name})
    assert all(p.area.path.startswith(grid.path) for p in _section(r, "grid")["people"])


def test_home_refuses_a_long_search_and_ignores_unknown_parameters(demo_county, client):
    c = _log_in(client, "grid")
    r = c.get(reverse("home"), {"grid.q": "王" * 51, "grid.nonsense": "1", "board.sort": "x"})
    assert r.status_code == 200
    ctx = _section(r, "grid")
    assert ctx["people"] == [] and "最多50个字" in ctx["error"] and "最多50个字" in r.text
    r = _log_in(client, "township").get(reverse("home"), {"board.sort": "'; DROP", "board.dir": "sideways"})
    assert r.status_code == 200 and _section(r, "board")["rows"]


def test_township_child_table_equals_each_units_indicators(demo_county, client):
    user = User.objects.get(username="township")
    org = _grant_org("township")
    r = _log_in(client, "township").get(reverse("home"))
    ctx = _section(r, "board")
    children = Org.objects.filter(path__startswith=org.path, depth=org.depth + 1)
    assert {row["org"].pk for row in ctx["rows"]} == set(children.values_list("pk", flat=True))
    names = [c["name"] for c in ctx["columns"]]
    assert "people.member_count" in names and "orglife.participation_rate" in names
    for row in ctx["rows"][:4]:
        for name, v in zip(names, row["values"], strict=True):
            want = indicators.compute(actor=user, name=name, org=row["org"], period=ctx["period"])
            assert v.value == want.value, (row["org"].name, name)
    # sortable by any column, both ways
    col = "people.member_count"
    r = client.get(reverse("home"), {"board.sort": col, "board.dir": "desc"})
    i = names.index(col)
    values = [row["values"][i].value for row in _section(r, "board")["rows"]]
    assert values == sorted(values, reverse=True)


def test_trend_fragment_gives_twelve_months(demo_county, client):
    org = _grant_org("township")
    r = _log_in(client, "township").get(reverse("home_trend", args=[org.pk]))
    assert r.status_code == 200 and len(r.context["months"]) == 12
    assert r.context["months"][-1].label == f"{timezone.localdate():%Y-%m}"
    user = User.objects.get(username="township")
    some = r.context["months"][0]
    want = indicators.compute(actor=user, name="orglife.participation_rate", org=org, period=some)
    got = next(s for s in r.context["series"] if s["name"] == "orglife.participation_rate")["values"][0]
    assert got.value == want.value
    # another township's trend is not the township's to read
    other = Org.objects.filter(kind="committee", depth=org.depth).exclude(pk=org.pk).first()
    assert client.get(reverse("home_trend", args=[other.pk])).status_code == 404


def test_a_user_with_two_grants_gets_a_section_per_grant(demo_county, client):
    user = User.objects.get(username="secretary2")
    extra = _grant_org("secretary")
    RoleAssignment.objects.create(user=user, role="branch_secretary", org=extra)
    r = _log_in(client, "secretary2").get(reverse("home"))
    orgs = [s.org.pk for s in r.context["sections"] if s.key == "orglife"]
    assert len(orgs) == 2 and extra.pk in orgs


@pytest.mark.parametrize("username", DEMO_ROLES)
def test_every_menu_link_opens_for_every_demo_role(demo_county, client, username):
    r = _log_in(client, username).get(reverse("home"))
    links = re.findall(r'<nav class="mainnav"[^>]*>(.*?)</nav>', r.text, re.S)[0]
    hrefs = re.findall(r'href="([^"]+)"', links) + [reverse("notification_list"), reverse("profile")]
    assert hrefs
    for href in hrefs:
        assert client.get(href).status_code == 200, (username, href)


def test_member_menu_is_short(demo_county, client):
    r = _log_in(client, "member").get(reverse("home"))
    nav = re.findall(r'<nav class="mainnav"[^>]*>(.*?)</nav>', r.text, re.S)[0]
    for hidden in ("member_list", "village_list", "audit_list", "grading_rounds", "ledger_list", "org_tree"):
        assert f'href="{reverse(hidden)}"' not in nav, hidden


@pytest.mark.parametrize("username", DEMO_ROLES)
def test_home_query_count(demo_county, client, username, django_assert_max_num_queries):
    _log_in(client, username)
    with django_assert_max_num_queries(90):
        assert client.get(reverse("home")).status_code == 200


# --- figures open to their rows ------------------------------------------------------------------


def test_a_figure_opens_to_the_rows_it_counts(demo_county, client):
    user = User.objects.get(username="township")
    org = _grant_org("township")
    year = _year()
    want = indicators.compute(actor=user, name="people.member_count", org=org, period=year)
    r = _log_in(client, "township").get(
        reverse("figure_rows", args=["people.member_count"]), {"org": org.pk, "period": year.label}
    )
    assert r.status_code == 200 and r.context["page"].paginator.count == want.value
    part = want.parts[0]
    r = client.get(
        reverse("figure_rows", args=["people.member_count"]),
        {"org": org.pk, "period": year.label, "which": part.key},
    )
    assert r.context["page"].paginator.count == part.value
    # the export is the same rows, and it is logged
    before = AuditEntry.objects.filter(action="export").count()
    r = client.get(reverse("figure_rows_csv", args=["people.member_count"]), {"org": org.pk})
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    assert len(body.strip().splitlines()) == want.value + 1
    assert AuditEntry.objects.filter(action="export").count() == before + 1


def test_figure_rows_are_scoped(demo_county, client):
    org = _grant_org("township")
    other = Org.objects.filter(kind="committee", depth=org.depth).exclude(pk=org.pk).first()
    c = _log_in(client, "township")
    url = reverse("figure_rows", args=["people.member_count"])
    assert c.get(url, {"org": other.pk}).status_code == 404
    assert c.get(reverse("figure_rows", args=["no.such_indicator"])).status_code == 404
    assert c.get(url, {"org": org.pk, "which": "x' OR 1=1"}).status_code == 404
    # a member may see their branch's figures but not the names behind them
    c = _log_in(client, "member")
    assert c.get(url).status_code == 404
    assert c.get(reverse("figure_rows", args=["people.org_count"])).status_code == 200


# --- a member's own card and record --------------------------------------------------------------


def test_member_keeps_their_own_card(demo_county, client):
    me = PartyMember.objects.get(person__user__username="member")
    c = _log_in(client, "member")
    r = c.post(
        reverse("own_card"), {"pledge": "带头参加志愿服务", "service_list": "帮老人代办\n\n政策宣讲\n"}
    )
    assert r.status_code == 302
    me.refresh_from_db()
    assert me.pledge == "带头参加志愿服务" and me.service_list == "帮老人代办\n政策宣讲"
    assert AuditEntry.objects.filter(
        target_type="people.partymember", target_id=str(me.pk), action="update"
    ).exists()
    assert "政策宣讲" in c.get(reverse("home")).text
    # more than 20 items: refused, named, nothing changed
    r = c.post(reverse("own_card"), {"pledge": "x", "service_list": "\n".join(f"第{i}项" for i in range(21))})
    assert r.status_code == 200 and "服务群众工作清单" in r.text and "20" in r.text
    me.refresh_from_db()
    assert me.pledge == "带头参加志愿服务"
    # someone who is not a member has no card to keep
    assert _log_in(client, "township").get(reverse("own_card")).status_code == 404


def test_member_sees_their_own_full_number_after_the_password(demo_county, client):
    from jiceng.core import crypto

    me = PartyMember.objects.get(person__user__username="member")
    full = crypto.decrypt(me.person.id_number_ciphertext, field="id_number")
    c = _log_in(client, "member")
    before = AuditEntry.objects.filter(action="reveal").count()
    r = c.post(reverse("own_reveal"), {"field": "id_number", "password": "wrong"})
    assert r.status_code == 400 and full not in r.text and "密码" in r.text
    assert AuditEntry.objects.filter(action="reveal").count() == before
    r = c.post(reverse("own_reveal"), {"field": "id_number", "password": PASSWORD}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and full in r.text
    entry = AuditEntry.objects.filter(action="reveal").latest("pk")
    assert entry.target_id == str(me.pk) and entry.actor.username == "member"
    assert c.post(reverse("own_reveal"), {"field": "org", "password": PASSWORD}).status_code == 404
    assert c.get(reverse("own_reveal")).status_code == 405


def test_periods_before_1900_and_ids_no_column_holds_are_refused_not_500(demo_county, client):
    c = _log_in(client, "secretary")
    for url in ("/figures/people.age_bands/", "/figures/people.age_bands/rows.csv"):
        assert c.get(url, {"period": "0001"}).status_code == 404
    r = c.get(reverse("dashboard"), {"period": "0030"})
    assert r.status_code == 200 and "不能早于1900年" in r.text
    r = c.get(reverse("member_list"), {"org": "99999999999999999999", "status": "zzz"})
    assert r.status_code == 200
    r = c.post(reverse("member_create"), {"org": "9223372036854775808", "name": "张三"})
    assert r.status_code == 200
