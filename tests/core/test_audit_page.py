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


def test_audit_page_shows_labels_and_choice_labels_as_the_forms_do(world, login):
    from jiceng.orglife.services import AttendanceIn, meeting_record

    meeting_record(
        actor=world.users["sec_a"],
        org=world.branch_a,
        kind="theme_day",
        held_on=dt.date(2026, 11, 5),
        place="活动室",
        topic="主题党日",
        attendance=[
            AttendanceIn(world.member_a.pk, "present"),
            AttendanceIn(world.member_a_grid.pk, "leave", "病假"),
        ],
    )
    page = login(world.users["county"]).get(reverse("audit_list")).content.decode()
    assert "主题党日" in page
    assert "theme_day" not in page and "held_on" not in page and "attendance:" not in page
    assert "<b>类型</b>: — → 主题党日" in page and "<b>日期</b>: — → 2026-11-05" in page
    assert "<b>出勤</b>" in page
