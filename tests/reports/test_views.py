import json

from django.http import HttpRequest
from django.urls import reverse


def test_dashboard_shows_subtree_numbers_with_charts(world, login):
    c = login(world.users["township"])
    r = c.get(reverse("dashboard"))
    assert r.status_code == 200
    assert r.context["org"] == world.town_a_org
    charts = json.loads(r.context["charts"] and json.dumps(r.context["charts"]))
    members = next(p for p in r.context["panels"] if p.name == "people.member_count")
    assert members.result.value == 2  # 张三 and 李四; 王五 is in the other township
    assert any(ch["data"] for ch in charts)
    assert 'id="chart-data"' in r.text and "<script>" not in r.text.replace("<script src", "")


def test_dashboard_other_node_and_period(world, login):
    c = login(world.users["county"])
    r = c.get(reverse("dashboard"), {"org": world.branch_b.pk, "period": "2026-Q1"})
    assert r.context["org"] == world.branch_b and r.context["period"].label == "2026-Q1"
    r = c.get(reverse("dashboard"), {"period": "bogus"})
    assert r.status_code == 200 and "统计期间" in r.text
    login(world.users["sec_a"])
    assert c.get(reverse("dashboard"), {"org": world.branch_b.pk}).status_code == 404


def test_dashboard_query_count(demo_county, client, django_assert_max_num_queries):
    client.login(request=HttpRequest(), username="county", password="demo12345")
    # a fixed number per registered indicator (compliance asks ~3 per meeting kind), none per row
    with django_assert_max_num_queries(60):
        r = client.get(reverse("dashboard"))
    assert r.status_code == 200 and r.context["org"] == demo_county["root"]


def test_user_without_role_sees_explanation(world, login):
    r = login(world.users["nobody"]).get(reverse("dashboard"))
    assert r.status_code == 403


def test_org_tree_and_lazy_children(world, login):
    c = login(world.users["township"])
    r = c.get(reverse("org_tree"))
    assert "中共甲镇委员会" in r.text and "中共A县委员会" not in r.text
    frag = c.get(reverse("org_children", args=[world.town_a_org.pk]))
    assert "一村党支部" in frag.text and "<html" not in frag.text
    r = c.get(reverse("org_tree"), {"q": "二村"})
    assert "二村党支部" in r.text
    node = c.get(reverse("org_node", args=[world.branch_a.pk]))
    assert node.status_code == 200 and "一村第1网格党小组" in node.text


def test_area_node_statistics(world, login):
    from jiceng.people.services import household_create

    household_create(actor=world.users["county"], area=world.grid_a, address="一村1号", head_name="张三")
    c = login(world.users["sec_a"])
    r = c.get(reverse("area_node", args=[world.village_a.pk]))
    assert r.status_code == 200 and r.context["stats"]["households"] == 1
    assert c.get(reverse("area_node", args=[world.village_b.pk])).status_code == 404
    assert "一村" in c.get(reverse("area_tree")).text
