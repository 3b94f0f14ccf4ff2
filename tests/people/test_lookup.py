"""Searchable selects of the people app: the member lookup, the seat form's person lookup, and the
forms that use them (member form, import, member list filter, seat form)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.core import crypto
from jiceng.core.lookup import LIMIT
from jiceng.core.models import AuditEntry, Org
from jiceng.core.widgets import INITIAL_OPTIONS
from jiceng.people.models import PartyMember
from tests.factories import MemberFactory

OPTION = re.compile(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>')


def options(text: str) -> list[tuple[str, bool, bool, str]]:
    return [(v, "selected" in a, "disabled" in a, label) for v, a, label in OPTION.findall(text)]


def select_of(page: str, name: str) -> str:
    m = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert m, f"no select {name}"
    return m.group(1)


def members(client, **params):
    return client.get(reverse("member_lookup"), params)


def people(client, village, **params):
    return client.get(reverse("village_person_lookup", kwargs={"area_id": village.pk}), params)


def full_id(person) -> str:
    return crypto.decrypt(person.id_number_ciphertext, field="id_number")


def full_phone(person) -> str:
    return crypto.decrypt(person.phone_ciphertext, field="phone") if person.phone_ciphertext else ""


# --- the member lookup -----------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["", "王", "王五", "五", "张"])
def test_member_lookup_of_a_never_shows_b(world, login, q):
    c = login(world.users["sec_a"])
    r = members(c, q=q)
    assert r.status_code == 200
    assert "王五" not in r.text and "三社区" not in r.text
    ids = {int(v) for v, *_ in options(r.text) if v}
    assert ids <= {world.member_a.pk, world.member_a_grid.pk}
    if q in ("", "张"):
        assert world.member_a.pk in ids


def test_member_lookup_shows_b_to_b_and_searches_any_part_of_the_name(world, login):
    c = login(world.users["sec_b"])
    assert [int(v) for v, *_ in options(members(c, q="五").text)] == [world.member_b.pk]
    c = login(world.users["county"])
    MemberFactory(actor=world.users["county"], name="三张", org=world.branch_a, seq=9)
    labels = [label for _v, _s, _d, label in options(members(c, q="张").text)]
    assert labels[0].startswith("张三") and labels[1].startswith("三张")  # the name's start first


def test_member_option_shows_name_id_tail_and_branch_never_the_full_id_or_phone(world, login):
    c = login(world.users["sec_a"])
    text = members(c, q="张三").text
    p = world.member_a.person
    tail = p.id_number_masked[-4:]
    assert options(text) == [(str(world.member_a.pk), True, False, f"张三（{tail}） · 一村党支部")]
    assert full_id(p) not in text and p.id_number_masked not in text
    assert p.phone_masked not in text and (not full_phone(p) or full_phone(p) not in text)


def test_member_lookup_within_an_org_and_refusals(world, login):
    c = login(world.users["county"])
    ids = {int(v) for v, *_ in options(members(c, org=world.group_a.pk).text)}
    assert ids == {world.member_a_grid.pk}
    c = login(world.users["sec_a"])
    assert members(c, org=world.branch_b.pk).status_code == 404
    assert members(c, org=2_000_000_000).status_code == 404
    r = members(c, q="张" * 51)
    assert r.status_code == 400 and "搜索词：最多50个字" in r.text
    assert members(login(world.users["nobody"])).status_code == 404


def test_member_lookup_truncates(demo_county, client):
    client.force_login(demo_county["county"])
    opts = options(members(client).text)
    assert len([o for o in opts if o[0]]) == LIMIT
    assert opts[-1][0] == "" and opts[-1][2]


def test_member_lookup_reads_no_audit_and_is_flat(demo_county, world, client, login):
    """One query for the rows whatever the scope (the county's 600 members or a village's two), and
    nothing is logged: no personal data is revealed."""

    def count(c, **params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert members(c, **params).status_code == 200
        return len(ctx.captured_queries)

    audits = AuditEntry.objects.count()
    client.force_login(demo_county["county"])
    big = [count(client), count(client, q="王"), count(client, q="王", org=demo_county["root"].pk)]
    small = [count(login(world.users["sec_a"])), count(login(world.users["sec_a"]), q="王")]
    assert max(big) <= 8 and max(big) <= max(small) + 1, (big, small)
    assert AuditEntry.objects.count() == audits


# --- the seat form's person lookup -----------------------------------------------------------------


def test_village_person_lookup_is_scoped(world, login):
    c = login(world.users["sec_a"])
    r = people(c, world.village_a, q="张")
    assert r.status_code == 200
    assert [int(v) for v, *_ in options(r.text)] == [world.member_a.person_id]
    assert full_id(world.member_a.person) not in r.text
    assert people(c, world.village_b).status_code == 404
    assert people(c, world.village_b, q="王").status_code == 404
    assert people(login(world.users["grid_a"]), world.village_a).status_code == 404  # no right to seat
    c = login(world.users["sec_b"])
    assert [int(v) for v, *_ in options(people(c, world.village_b).text) if v] == [world.member_b.person_id]


def test_village_person_lookup_query_count_is_flat(world, login):
    c = login(world.users["county"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert people(c, world.village_a, q="").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    MemberFactory.create_batch(5, actor=world.users["county"], org=world.branch_a)
    assert count() <= before <= 8


def test_seat_form_uses_the_lookup_and_refuses_an_id_out_of_scope(world, login):
    c = login(world.users["sec_a"])
    page = c.get(reverse("village_posts", kwargs={"area_id": world.village_a.pk})).text
    url = reverse("village_person_lookup", kwargs={"area_id": world.village_a.pk})
    assert f'hx-get="{url}"' in page
    r = c.post(
        reverse("village_post_create", kwargs={"area_id": world.village_a.pk}),
        {
            "committee": "villagers",
            "post": "member",
            "person": world.member_b.person_id,
            "term_from": "2021-01-01",
        },
    )
    assert r.status_code == 200 and 'data-field="person"' in r.text and "王五" not in r.text


# --- the forms using the widget --------------------------------------------------------------------


def _last_member(root: Org) -> PartyMember:
    """A member of the organisation furthest down the demo county's list: far beyond the first
    options a select draws."""
    return PartyMember.objects.filter(org__path__startswith=root.path).order_by("-org__path").first()


def test_member_edit_draws_the_current_org_among_few_options(demo_county, client):
    client.force_login(demo_county["county"])
    member = _last_member(demo_county["root"])
    page = client.get(reverse("member_edit", kwargs={"member_id": member.pk})).text
    opts = options(select_of(page, "org"))
    assert (str(member.org_id), True, False, member.org.name) in opts
    assert len(opts) <= INITIAL_OPTIONS + 1
    assert 'placeholder="' in page and 'hx-get="/lookup/orgs/?' in page and "perm=change_member" in page


def test_member_edit_search_is_kept_within_the_township(world, login):
    c = login(world.users["county"])
    page = c.get(reverse("member_edit", kwargs={"member_id": world.member_a.pk})).text
    assert f"org={world.town_a_org.pk}" in page  # a move stays in 甲镇: the search too
    c = login(world.users["sec_a"])  # sec_a cannot see 甲镇's committee: its own scope is narrower
    page = c.get(reverse("member_edit", kwargs={"member_id": world.member_a.pk})).text
    assert "perm=change_member" in page and f"org={world.town_a_org.pk}" not in page


def test_member_edit_refuses_an_org_out_of_scope_posted_directly(world, login):
    c = login(world.users["sec_a"])
    m = world.member_a
    p = m.person
    before = PartyMember.objects.filter(pk=m.pk).values().get()
    data = {
        "name": p.name,
        "gender": p.gender,
        "ethnicity": p.ethnicity,
        "id_number": p.id_number_masked,
        "phone": p.phone_masked,
        "education": p.education,
        "org": world.branch_b.pk,
        "status": m.status,
        "joined_on": m.joined_on.isoformat(),
        "full_on": m.full_on.isoformat() if m.full_on else "",
        "mobility": m.mobility,
    }
    r = c.post(reverse("member_edit", kwargs={"member_id": m.pk}), data)
    assert r.status_code == 200 and 'data-field="org"' in r.text and "三社区" not in r.text
    assert str(world.branch_b.pk) not in {v for v, *_ in options(select_of(r.text, "org"))}
    assert PartyMember.objects.filter(pk=m.pk).values().get() == before


def test_member_create_keeps_the_posted_org_after_an_error(world, login):
    """A form shown again keeps the organisation chosen by search, even one beyond the first few."""
    c = login(world.users["sec_a"])
    r = c.post(reverse("member_create"), {"name": "", "org": world.group_a.pk})
    assert r.status_code == 200
    opts = options(select_of(r.text, "org"))
    assert (str(world.group_a.pk), True, False, world.group_a.name) in opts
    assert opts[0][0] != ""  # chosen: no blank in front


def test_member_list_filter_is_a_searchable_select(demo_county, client):
    client.force_login(demo_county["county"])
    member = _last_member(demo_county["root"])
    page = client.get(reverse("member_list"), {"org": member.org_id}).text
    opts = options(select_of(page, "org"))
    assert opts[0][:3] == ("", False, False)  # "—": all of the scope
    assert (str(member.org_id), True, False, member.org.name) in opts
    assert "blank=1" in page and "perm=view_member" in page
    page = client.get(reverse("member_list")).text
    assert options(select_of(page, "org"))[0][:2] == ("", True)


def test_import_form_offers_its_targets_and_searches_the_rest(world, login):
    c = login(world.users["county"])
    page = c.get(reverse("member_import")).text
    values = {v for v, *_ in options(select_of(page, "org")) if v}
    assert {str(world.county_org.pk), str(world.town_a_org.pk)} <= values
    assert "perm=change_member" in page


def test_member_ledger_page_keeps_one_organisation_select(world, login):
    """The roster ledger reuses the member list's search form but has its own organisation select:
    the filter's searchable select is not drawn a second time there."""
    c = login(world.users["sec_a"])
    page = c.get(reverse("ledger_detail", kwargs={"key": "people.members"})).text
    assert page.count('name="org"') == 1 and page.count('id="id_org"') == 1
    assert "search-select" not in page
