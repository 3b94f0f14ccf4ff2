"""Registering members and seating 两委 cadres from the pages."""

import datetime as dt
import re

from django.urls import reverse

from jiceng.core.models import AuditEntry
from jiceng.people.models import CadrePost, PartyMember, Person
from tests.world import make_id


def member_data(org, **kw):
    data = {
        "name": "赵六",
        "gender": "female",
        "ethnicity": "汉族",
        "id_number": make_id(dt.date(1988, 3, 9), False, 41),
        "birth_date": "",
        "education": "bachelor",
        "phone": "13912345678",
        "org": org.pk,
        "status": "full",
        "joined_on": "2012-07-01",
        "full_on": "2013-07-01",
        "mobility": "none",
        "mobility_note": "",
    }
    data.update(kw)
    return data


def dual_role(page) -> str:
    return re.search(r'id="dual-role">([^<]*)<', page.text).group(1)


def test_register_member_redirects_to_detail_and_is_audited(world, login):
    c = login(world.users["sec_a"])
    listing = c.get(reverse("member_list"))
    assert reverse("member_create") in listing.text
    page = c.get(reverse("member_create"))
    assert page.status_code == 200
    offered = {v for v, _label in page.context["form"].fields["org"].widget.offered([])}
    assert world.branch_a.pk in offered and world.group_a.pk in offered and world.branch_b.pk not in offered
    r = c.post(reverse("member_create"), member_data(world.group_a))
    assert r.status_code == 302
    m = PartyMember.objects.select_related("person").get(person__name="赵六")
    assert r["Location"] == reverse("member_detail", args=[m.pk])
    assert m.org == world.group_a and m.person.birth_date == dt.date(1988, 3, 9)
    assert m.person.phone_masked == "139****5678"
    e = AuditEntry.objects.get(target_type="people.partymember", target_id=str(m.pk), action="create")
    assert e.org_path == world.group_a.path and e.changes["name"] == [None, "赵六"]
    assert "5678" in e.changes["phone"][1] and "12345678" not in str(e.changes)  # masked in the log
    assert "赵六" in c.get(r["Location"]).text


def test_register_member_errors_next_to_fields_and_nothing_stored(world, login):
    c = login(world.users["sec_a"])
    persons, audits = Person.objects.count(), AuditEntry.objects.count()
    r = c.post(reverse("member_create"), member_data(world.branch_a, id_number="430724198803090001"))
    assert r.status_code == 200
    assert re.search(r'<div class="error" data-field="id_number">身份证号：校验码不正确', r.text)
    # B's branch: an error on org, and the ID number mistake reported in the same round
    r = c.post(reverse("member_create"), member_data(world.branch_b, phone="12"))
    assert r.status_code == 200
    assert re.search(r'<div class="error" data-field="org">所属党组织：不存在或不在您的管辖范围内', r.text)
    assert 'data-field="phone"' in r.text
    assert "三社区" not in r.text
    assert Person.objects.count() == persons and AuditEntry.objects.count() == audits


def test_register_member_needs_change_member(world, login):
    c = login(world.users["grid_a"])
    assert c.get(reverse("member_create")).status_code == 404
    persons = Person.objects.count()
    assert c.post(reverse("member_create"), member_data(world.group_a)).status_code == 404
    assert Person.objects.count() == persons
    assert reverse("member_create") not in c.get(reverse("member_list")).text


def seat(c, village, person, committee, post, term_from="2021-01-01", term_to=""):
    return c.post(
        reverse("village_post_create", kwargs={"area_id": village.pk}),
        {
            "committee": committee,
            "post": post,
            "person": person.pk,
            "term_from": term_from,
            "term_to": term_to,
        },
    )


def test_seating_secretary_and_chair_makes_dual_role_and_ending_flips_it(world, login):
    c = login(world.users["county"])
    url = reverse("village_posts", kwargs={"area_id": world.village_a.pk})
    page = c.get(url)
    assert dual_role(page) == "否" and 'id="post-form"' in page.text
    offered = {v for v, _label in page.context["post_form"].fields["person"].widget.offered([])}
    assert {world.member_a.person_id, world.member_a_grid.person_id} <= offered
    assert world.member_b.person_id not in offered

    person = world.member_a.person
    r = seat(c, world.village_a, person, "party", "secretary")
    assert r.status_code == 302 and r["Location"] == url
    r = seat(c, world.village_a, person, "villagers", "chair")
    assert r.status_code == 302
    page = c.get(url)
    assert dual_role(page) == "是"
    assert AuditEntry.objects.filter(target_type="people.cadrepost", action="create").count() >= 2

    secretary = CadrePost.objects.get(area=world.village_a, committee="party", post="secretary")
    yesterday = dt.date.today() - dt.timedelta(days=1)
    r = c.post(
        reverse("village_post_end", kwargs={"post_id": secretary.pk}), {"term_to": yesterday.isoformat()}
    )
    assert r.status_code == 302
    secretary.refresh_from_db()
    assert secretary.term_to == yesterday
    assert dual_role(c.get(url)) == "否"
    assert AuditEntry.objects.filter(
        target_type="people.cadrepost", target_id=str(secretary.pk), action="update"
    ).exists()


def test_seat_errors_shown_and_nothing_stored(world, login):
    c = login(world.users["sec_a"])
    seats = CadrePost.objects.count()
    # a villagers' committee post on the party committee, and a term that ends before it starts
    r = seat(
        c,
        world.village_a,
        world.member_a.person,
        "party",
        "chair",
        term_from="2022-01-01",
        term_to="2021-01-01",
    )
    assert r.status_code == 200
    assert 'data-field="post"' in r.text and 'data-field="term_to"' in r.text
    # someone out of scope
    r = seat(c, world.village_a, world.member_b.person, "villagers", "member")
    assert r.status_code == 200 and 'data-field="person"' in r.text and "王五" not in r.text
    assert CadrePost.objects.count() == seats


def test_end_term_error_shown_on_its_row(world, login):
    c = login(world.users["sec_a"])
    seat(c, world.village_a, world.member_a.person, "party", "secretary", term_from="2021-01-01")
    post = CadrePost.objects.get(area=world.village_a, post="secretary")
    r = c.post(reverse("village_post_end", kwargs={"post_id": post.pk}), {"term_to": "2020-01-01"})
    assert r.status_code == 200
    assert re.search(r'<div class="error" data-field="term_to">任期止：不能早于任期起', r.text)
    post.refresh_from_db()
    assert post.term_to is None


def test_other_village_cannot_seat_or_end(world, login):
    c = login(world.users["county"])
    seat(c, world.village_a, world.member_a.person, "party", "secretary")
    post = CadrePost.objects.get(area=world.village_a, post="secretary")

    c = login(world.users["sec_b"])
    seats, audits = CadrePost.objects.count(), AuditEntry.objects.count()
    assert seat(c, world.village_a, world.member_b.person, "villagers", "member").status_code == 404
    r = c.post(reverse("village_post_end", kwargs={"post_id": post.pk}), {"term_to": "2024-01-01"})
    assert r.status_code == 404
    assert c.get(reverse("village_posts", kwargs={"area_id": world.village_a.pk})).status_code == 404
    post.refresh_from_db()
    assert (
        post.term_to is None and CadrePost.objects.count() == seats and AuditEntry.objects.count() == audits
    )
    # missing looks the same as forbidden
    assert (
        c.post(
            reverse("village_post_end", kwargs={"post_id": 2_000_000_000}), {"term_to": "2024-01-01"}
        ).status_code
        == 404
    )


def test_grid_worker_cannot_seat(world, login):
    c = login(world.users["grid_a"])  # sees its grid only, changes nothing
    seats = CadrePost.objects.count()
    assert seat(c, world.village_a, world.member_a.person, "party", "member").status_code == 404
    assert CadrePost.objects.count() == seats
