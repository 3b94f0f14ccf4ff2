import datetime as dt

from django.http import HttpRequest
from django.urls import reverse

from jiceng.core.models import AuditEntry
from jiceng.people.models import PartyMember
from tests.helpers import get_ledger, xlsx_rows
from tests.world import make_id


def test_member_search_filters(world, login):
    c = login(world.users["county"])
    r = c.get(reverse("member_list"), {"q": "张三"})
    assert r.status_code == 200 and "张三" in r.text and "王五" not in r.text
    tail = world.member_b.person.id_number_masked[-4:]
    r = c.get(reverse("member_list"), {"id_tail": tail, "org": world.county_org.pk})
    assert "王五" in r.text and "张三" not in r.text
    r = c.get(reverse("member_list"), {"org": world.town_a_org.pk})
    assert "张三" in r.text and "李四" in r.text and "王五" not in r.text
    r = c.get(reverse("member_list"), {"org": world.county_org.pk, "age_band": "le35"})
    assert "李四" in r.text and "张三" not in r.text
    r = c.get(reverse("member_list"), {"id_tail": "12"})
    assert "后四位" in r.text or "last four" in r.text  # form error, not a crash


def test_member_list_query_count_is_flat(demo_county, client, django_assert_max_num_queries):
    from tests.world import PASSWORD  # noqa: F401  (demo users use the demo password)

    client.login(request=HttpRequest(), username="county", password="demo12345")
    with django_assert_max_num_queries(12):
        r = client.get(reverse("member_list"))
    assert r.status_code == 200 and r.text.count("<tr>") >= 50
    with django_assert_max_num_queries(12):
        client.get(reverse("member_list"), {"page": 3, "education": "college_above"})


def test_htmx_search_returns_fragment(world, login):
    c = login(world.users["county"])
    r = c.get(reverse("member_list"), {"q": "张"}, HTTP_HX_REQUEST="true")
    assert "<html" not in r.text and 'id="member-table"' in r.text


def test_member_edit_success_redirects_and_audits(world, login):
    c = login(world.users["sec_a"])
    url = reverse("member_edit", args=[world.member_a.pk])
    page = c.get(url)
    assert page.status_code == 200
    form = page.context["form"].initial.copy()
    form.update({"phone": "13566667777", "org": world.member_a.org_id})
    data = {k: ("" if v is None else v) for k, v in form.items()}
    r = c.post(url, data)
    assert r.status_code == 302
    m = PartyMember.objects.select_related("person").get(pk=world.member_a.pk)
    assert m.person.phone_masked == "135****7777"
    e = AuditEntry.objects.filter(target_id=str(m.pk), action="update").latest("id")
    assert e.changes == {"phone": ["138****0001", "135****7777"]}
    log = c.get(reverse("audit_list"), {"target_type": "people.partymember", "target_id": m.pk})
    assert "135****7777" in log.text and "联系电话" in log.text


def test_member_edit_invalid_shows_field_error_and_changes_nothing(world, login):
    c = login(world.users["sec_a"])
    url = reverse("member_edit", args=[world.member_a.pk])
    data = {k: ("" if v is None else v) for k, v in c.get(url).context["form"].initial.items()}
    valid = world.member_a.person.id_number_masked
    good = make_id(dt.date(1970, 5, 17), True, 1)
    data.update({"id_number": good[:17] + ("0" if good[17] != "0" else "1"), "name": "新名字"})
    before = AuditEntry.objects.count()
    r = c.post(url, data)
    assert r.status_code == 200
    assert "身份证号" in r.text and 'data-field="id_number"' in r.text
    m = PartyMember.objects.select_related("person").get(pk=world.member_a.pk)
    assert m.person.name == "张三" and m.person.id_number_masked == valid
    assert AuditEntry.objects.count() == before


def test_grid_worker_can_read_but_not_edit(world, login):
    c = login(world.users["grid_a"])
    assert c.get(reverse("member_detail", args=[world.member_a_grid.pk])).status_code == 200
    assert c.get(reverse("member_edit", args=[world.member_a_grid.pk])).status_code == 404
    assert c.get(reverse("member_detail", args=[world.member_a.pk])).status_code == 404  # branch level: no


def test_reveal_logs_and_masks_by_default(world, login):
    c = login(world.users["sec_a"])
    detail = c.get(reverse("member_detail", args=[world.member_a.pk]))
    full = "430724197005170" not in detail.text
    assert full and world.member_a.person.id_number_masked in detail.text
    r = c.post(reverse("member_reveal", args=[world.member_a.pk, "id_number"]))
    assert r.status_code == 200 and world.member_a.person.id_number_masked[:6] in r.text and "*" not in r.text
    assert AuditEntry.objects.filter(action="reveal", target_id=str(world.member_a.pk)).count() == 1
    assert c.get(reverse("member_reveal", args=[world.member_a.pk, "id_number"])).status_code == 405


def test_export_is_masked_logged_and_scoped(world, login):
    c = login(world.users["sec_a"])
    rows = xlsx_rows(get_ledger(c, "people.members"))
    names = {row[0] for row in rows[1:]}
    assert names == {"张三", "李四"}
    assert all("*" in (row[5] or "*") for row in rows[1:])
    e = AuditEntry.objects.filter(action="export", actor=world.users["sec_a"]).latest("id")
    assert e.changes["rows"] == [None, 2]


def test_village_posts_page_derives_dual_role(world, login):
    import datetime as dt

    from jiceng.people import services

    c_user = world.users["county"]
    sec = world.member_a.person
    for committee, post in (("party", "secretary"), ("villagers", "chair")):
        services.cadre_post_create(
            actor=c_user,
            area=world.village_a,
            committee=committee,
            post=post,
            person=sec,
            term_from=dt.date(2021, 6, 1),
        )
    c = login(world.users["sec_a"])
    r = c.get(reverse("village_posts", args=[world.village_a.pk]))
    assert r.status_code == 200 and "张三" in r.text
    assert r.context["village"].dual_role is True
    r = c.get(reverse("village_list"), {"dual": "yes"})
    assert "一村" in r.text
