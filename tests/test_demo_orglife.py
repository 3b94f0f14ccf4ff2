"""The demo's organisational life obeys what services.meeting_record checks for a recorded meeting,
its indicators show real numbers, and its party committees were elected from members admitted by
the day the term began. Runs on the session's small demo county (tests/conftest.py)."""

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from jiceng.core import indicators
from jiceng.core.demo import AS_OF
from jiceng.core.models import OrgKind
from jiceng.core.periods import Period
from jiceng.core.rulepacks import ancestor_paths
from jiceng.orglife import compliance
from jiceng.orglife.demo import ORGLIFE_MONTHS
from jiceng.orglife.models import PARTY_LIFE_KINDS, Attendance, Meeting, MeetingKind, TopicList
from jiceng.people.models import CadrePost, PartyMember

PERIOD = Period(dt.date(AS_OF.year, 1, 1), AS_OF - dt.timedelta(days=1), "demo year to date")


def test_attendance_covers_exactly_the_members_admitted_by_the_meeting_day(demo_county):
    members = list(PartyMember.objects.values_list("pk", "org__path", "joined_on"))
    got = defaultdict(list)
    for meeting_id, member_id in Attendance.objects.values_list("meeting_id", "member_id"):
        got[meeting_id].append(member_id)
    meetings = list(Meeting.objects.values_list("pk", "org__path", "held_on"))
    assert len(meetings) > 500
    for meeting_id, path, held_on in meetings:
        expected = {pk for pk, org_path, joined in members if org_path.startswith(path) and joined <= held_on}
        rows = got.pop(meeting_id, [])
        assert len(rows) == len(set(rows)), meeting_id  # exactly one row per member
        assert set(rows) == expected, meeting_id
    assert not got  # no attendance without its meeting


def test_leave_and_absence_carry_a_reason_and_every_status_occurs(demo_county):
    assert not Attendance.objects.filter(status__in=["leave", "absent"], reason="").exists()
    assert not Attendance.objects.filter(status__in=["present", "online"]).exclude(reason="").exists()
    statuses = set(Attendance.objects.values_list("status", flat=True).distinct())
    assert statuses == {"present", "online", "leave", "absent"}
    outflow = Attendance.objects.filter(member__mobility="outflow")
    assert outflow.filter(status="online").exists() and outflow.filter(reason__contains="外出务工").exists()


def test_meetings_are_held_by_the_right_organisations_and_never_in_the_future(demo_county):
    today = timezone.localdate()
    first = AS_OF.replace(day=1)
    for _ in range(ORGLIFE_MONTHS):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    for m in Meeting.objects.select_related("org"):
        if m.kind == MeetingKind.GROUP_MEETING:
            assert m.org.kind == OrgKind.GROUP, m
        elif m.kind in PARTY_LIFE_KINDS:
            assert m.org.kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH), m
        assert first <= m.held_on <= AS_OF <= today, m
        assert m.org.established_on is None or m.org.established_on <= m.held_on, m
        assert m.place.strip() and m.topic.strip(), m
        if m.kind in PARTY_LIFE_KINDS:
            assert m.first_agenda.strip(), m
    kinds = set(Meeting.objects.values_list("kind", flat=True).distinct())
    assert kinds == set(MeetingKind.values)


def test_topic_lists_and_the_items_meetings_cover(demo_county):
    root = demo_county["root"]
    lists = list(TopicList.objects.prefetch_related("items"))
    assert len(lists) == ORGLIFE_MONTHS + 1 and all(tl.org_id == root.pk for tl in lists)
    assert all(3 <= len(tl.items.all()) <= 4 for tl in lists)
    for m in Meeting.objects.filter(topic_item__isnull=False).select_related(
        "org", "topic_item__topic_list__org"
    ):
        tl = m.topic_item.topic_list
        assert tl.org.path in ancestor_paths(m.org.path) and tl.month <= m.held_on.replace(day=1), m
    # most theme days take up the month's first item
    theme = Meeting.objects.filter(kind=MeetingKind.THEME_DAY)
    assert theme.filter(topic_item__seq=1).count() > 0.7 * theme.count()


def test_orglife_indicators_show_real_numbers(demo_county):
    root, county = demo_county["root"], demo_county["county"]

    def value(name):
        return indicators.compute(actor=county, name=name, org=root, period=PERIOD).value

    participation, education = value("orglife.participation_rate"), value("orglife.education_coverage")
    assert 0 < participation < 1 and 0 < education < 1 and education <= participation
    assert 0 < value("orglife.compliance_rate") < 1
    assert value("orglife.silent_branches") >= 0
    assert value("orglife.often_absent") > 0


def test_silent_branches_held_only_work_meetings_lately(demo_county):
    root = demo_county["root"]
    silent = list(compliance.silent_branches(root, PERIOD.as_of))
    assert 1 <= len(silent) < 0.1 * compliance.branches_in(root).count()
    since = compliance.silent_since(PERIOD.as_of, root)
    for br in silent:
        recent = Meeting.objects.filter(org__path__startswith=br.path, held_on__gte=since)
        assert not recent.filter(kind__in=PARTY_LIFE_KINDS).exists()
        assert recent.filter(kind=MeetingKind.ADMINISTRATIVE).exists()  # recorded, but they do not count


def test_party_committee_seats_held_by_members_admitted_before_the_term(demo_county):
    joined = {p: (j, f) for p, j, f in PartyMember.objects.values_list("person_id", "joined_on", "full_on")}
    posts = list(CadrePost.objects.filter(committee="party"))
    assert posts
    for post in posts:
        joined_on, full_on = joined[post.person_id]
        assert joined_on <= post.term_from, post
        if post.post == "secretary":
            assert full_on is not None and full_on <= post.term_from, post
