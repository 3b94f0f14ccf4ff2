import datetime as dt

from django.urls import reverse

from jiceng.orglife import services as orglife


def test_audit_page_shows_a_change_of_a_field_named_items(world, login):
    """A topic list's entry records a change of "items"; the template must not take it for the
    dict's items() (it did, and the county's audit page answered 500)."""
    county = world.users["county"]
    orglife.topic_list_publish(
        actor=county,
        org=world.county_org,
        month=dt.date(2026, 11, 1),
        title="11月重点",
        items=["学习", "走访"],
    )
    response = login(county).get(reverse("audit_list"), {"action": "publish"})
    assert response.status_code == 200
    row = response.content.decode()
    assert "11月重点" in row and "→ 2" in row
