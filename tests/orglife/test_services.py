import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.orglife import services
from jiceng.orglife.models import Attendance, Meeting
from jiceng.orglife.services import AttendanceIn

TODAY = timezone.localdate()


def everyone(org_members, status="present", reason=""):
    return [AttendanceIn(m.pk, status, reason) for m in org_members]


def record(
    world, actor=None, org=None, kind="theme_day", held_on=None, attendance=None, place="村党员活动室", **kw
):
    org = org or world.branch_a
    members = [world.member_a, world.member_a_grid] if org == world.branch_a else [world.member_a_grid]
    return services.meeting_record(
        actor=actor or world.users["sec_a"],
        org=org,
        kind=kind,
        held_on=held_on or TODAY - dt.timedelta(days=1),
        place=place,
        topic="学习贯彻会议精神",
        first_agenda="学习总书记重要讲话",
        attendance=everyone(members) if attendance is None else attendance,
        **kw,
    )


def test_record_meeting_with_attendance_and_audit(world):
    m = record(
        world,
        attendance=[
            AttendanceIn(world.member_a.pk, "present"),
            AttendanceIn(world.member_a_grid.pk, "online"),
        ],
    )
    assert Attendance.objects.filter(meeting=m).count() == 2
    e = AuditEntry.objects.get(target_type="orglife.meeting", target_id=str(m.pk))
    assert e.org_path == world.branch_a.path and "1" in e.changes["attendance"][1]


@pytest.mark.parametrize(
    "kw,field,text",
    [
        ({"held_on": TODAY + dt.timedelta(days=1)}, "held_on", "不能晚于今天"),
        ({"kind": "group_meeting"}, "kind", "党小组"),
        ({"kind": "tea_party"}, "kind", "未知类型"),
        ({"place": " "}, "place", "必填"),
    ],
)
def test_bad_meeting_stores_nothing(world, kw, field, text):
    before = (Meeting.objects.count(), Attendance.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DomainError) as exc:
        record(world, **kw)
    assert any(text in m for m in exc.value.errors[field]), exc.value.errors
    assert (Meeting.objects.count(), Attendance.objects.count(), AuditEntry.objects.count()) == before


def test_attendance_rules(world):
    # someone not in the branch
    with pytest.raises(DomainError) as exc:
        record(world, attendance=everyone([world.member_a, world.member_a_grid, world.member_b]))
    assert "不是本组织" in exc.value.errors["attendance"][0]
    # absent without a reason where the pack requires one
    with pytest.raises(DomainError) as exc:
        record(
            world,
            attendance=[
                AttendanceIn(world.member_a.pk, "absent"),
                AttendanceIn(world.member_a_grid.pk, "present"),
            ],
        )
    assert "须登记原因" in exc.value.errors["attendance"][0]
    # a member left out of the checklist
    with pytest.raises(DomainError) as exc:
        record(world, attendance=[AttendanceIn(world.member_a.pk, "present")])
    assert "尚未登记" in exc.value.errors["attendance"][0] and "李四" in exc.value.errors["attendance"][0]
    # duplicate
    with pytest.raises(DomainError):
        record(world, attendance=everyone([world.member_a, world.member_a, world.member_a_grid]))
    assert not Meeting.objects.filter(org=world.branch_a).exists()
    # with a reason it is fine
    record(
        world,
        attendance=[
            AttendanceIn(world.member_a.pk, "absent", "外出务工未请假"),
            AttendanceIn(world.member_a_grid.pk, "leave", "生病"),
        ],
    )


def test_group_meeting_is_held_by_the_group(world):
    m = record(world, org=world.group_a, kind="group_meeting")
    assert m.org == world.group_a


def test_scope_and_role(world):
    with pytest.raises(NotFound):
        record(world, actor=world.users["sec_b"])
    with pytest.raises(NotFound):
        record(world, actor=world.users["grid_a"], org=world.group_a, kind="group_meeting")


def test_attachments_checked_by_content(world):
    pdf = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(DomainError) as exc:
        record(world, attachments=[pdf, fake])
    assert "photo.jpg" in exc.value.errors["attachments"][0]
    pdf.seek(0)
    m = record(world, attachments=[pdf])
    att = m.attachments.get()
    assert att.content_type == "application/pdf" and att.size == len(b"%PDF-1.4 minutes")


def test_attachment_name_too_long_is_refused_not_cut(world):
    long = SimpleUploadedFile("纪" * 197 + ".pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    before = Meeting.objects.count()
    with pytest.raises(DomainError) as exc:
        record(world, attachments=[long])
    assert "超过200字" in exc.value.errors["attachments"][0]
    assert Meeting.objects.count() == before


def test_topic_list_publish_and_cover(world):
    county = world.users["county"]
    month = TODAY.replace(day=1)
    tl = services.topic_list_publish(
        actor=county,
        org=world.county_org,
        month=month,
        title="本月重点",
        items=["学习党的二十届四中全会精神", "开展安全生产排查", ""],
    )
    assert [i.title for i in tl.items.all()] == ["学习党的二十届四中全会精神", "开展安全生产排查"]
    with pytest.raises(DomainError) as exc:
        services.topic_list_publish(actor=county, org=world.county_org, month=month, title="x", items=["y"])
    assert "已发布" in exc.value.errors["month"][0]
    with pytest.raises(NotFound):
        services.topic_list_publish(
            actor=world.users["sec_a"], org=world.county_org, month=month, title="x", items=["y"]
        )
    item = tl.items.first()
    m = record(world, topic_item=item, held_on=TODAY)
    assert m.topic_item == item


def test_committee_meeting_lists_only_the_committee(world):
    # 支委会: attended by the branch committee, not by every member
    m = record(world, kind="committee_meeting", attendance=[AttendanceIn(world.member_a.pk, "present")])
    assert m.attendance.count() == 1
    with pytest.raises(DomainError) as exc:
        record(world, kind="committee_meeting", attendance=[])
    assert "支部委员" in exc.value.errors["attendance"][0]
    with pytest.raises(DomainError):  # still only members of the branch
        record(world, kind="committee_meeting", attendance=[AttendanceIn(world.member_b.pk, "present")])


def test_lengths_general_branch_and_dissolved_orgs(world):
    with pytest.raises(DomainError) as exc:
        record(world, place="活" * 201)
    assert "200字" in exc.value.errors["place"][0]
    from jiceng.core import services as core

    general = core.org_create(
        actor=world.users["county"],
        parent=world.town_a_org,
        name="三村党总支",
        kind="general_branch",
        area=world.village_a2,
    )
    with pytest.raises(DomainError) as exc:
        record(world, org=general, attendance=[], actor=world.users["county"])
    assert "由党支部召开" in exc.value.errors["kind"][0]
    world.branch_a.dissolved_on = TODAY - dt.timedelta(days=10)
    world.branch_a.save()
    with pytest.raises(DomainError) as exc:
        record(world, held_on=TODAY - dt.timedelta(days=2))
    assert "撤销" in exc.value.errors["held_on"][0]
