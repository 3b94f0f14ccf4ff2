"""The demo's organisational life obeys what services.meeting_record checks for a recorded meeting,
runs from January of last year up to the day before the demo's "today" (the current month partly
held, not overdue), its indicators show real numbers, and its party committees were elected from
members admitted by the day the term began. Runs on the session's small demo county, pinned at
tests/conftest.py's DEMO_AS_OF."""

import datetime as dt
from collections import defaultdict

import pytest
from django.db.models import Max, Min
from django.utils import timezone

from jiceng.core import indicators
from jiceng.core.models import OrgKind
from jiceng.core.periods import Period
from jiceng.core.rulepacks import ancestor_paths
from jiceng.orglife import compliance
from jiceng.orglife.demo import months_of
from jiceng.orglife.models import PARTY_LIFE_KINDS, Attendance, Meeting, MeetingKind, TopicList
from jiceng.people.models import CadrePost, PartyMember
from tests.conftest import DEMO_AS_OF as AS_OF

PERIOD = Period(dt.date(AS_OF.year, 1, 1), AS_OF - dt.timedelta(days=1), "demo year to date")


def test_attendance_covers_exactly_the_members_admitted_by_the_meeting_day(demo_county):
    # the members people's step made: orglife's step draws their attendance; the few the development
    # step admits afterwards (their assembly days in the past) have none for the meetings before it
    admitted = PartyMember.objects.filter(development__isnull=False)
    late = set(admitted.values_list("pk", flat=True))
    members = list(PartyMember.objects.exclude(pk__in=admitted).values_list("pk", "org__path", "joined_on"))
    got = defaultdict(list)
    for meeting_id, member_id in Attendance.objects.values_list("meeting_id", "member_id"):
        got[meeting_id].append(member_id)
    meetings = list(Meeting.objects.values_list("pk", "org__path", "held_on"))
    assert len(meetings) > 500
    for meeting_id, path, held_on in meetings:
        expected = {pk for pk, org_path, joined in members if org_path.startswith(path) and joined <= held_on}
        rows = [m for m in got.pop(meeting_id, []) if m not in late]
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
    first = dt.date(AS_OF.year - 1, 1, 1)  # last year's, for its grading round
    assert months_of(AS_OF)[0] == first and months_of(AS_OF)[-1] == AS_OF.replace(day=1)
    for m in Meeting.objects.select_related("org"):
        if m.kind == MeetingKind.GROUP_MEETING:
            assert m.org.kind == OrgKind.GROUP, m
        elif m.kind in PARTY_LIFE_KINDS:
            assert m.org.kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH), m
        assert first <= m.held_on < AS_OF <= today, m
        assert m.org.established_on is None or m.org.established_on <= m.held_on, m
        assert m.place.strip() and m.topic.strip(), m
        if m.kind in PARTY_LIFE_KINDS:
            assert m.first_agenda.strip(), m
    kinds = set(Meeting.objects.values_list("kind", flat=True).distinct())
    assert kinds == set(MeetingKind.values)


def test_topic_lists_and_the_items_meetings_cover(demo_county):
    root = demo_county["root"]
    lists = list(TopicList.objects.prefetch_related("items"))
    # every month's list, the current month's (published at its start) included
    assert sorted(tl.month for tl in lists) == months_of(AS_OF) and all(tl.org_id == root.pk for tl in lists)
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


def test_organisational_life_runs_up_to_the_day_before_the_demo_date(demo_county):
    assert demo_county["as_of"] == AS_OF
    span = Meeting.objects.aggregate(first=Min("held_on"), last=Max("held_on"))
    assert dt.date(AS_OF.year - 1, 1, 1) <= span["first"] < dt.date(AS_OF.year - 1, 1, 15)
    # up to yesterday, not stopping weeks before: the last days before the demo date have meetings
    assert AS_OF - dt.timedelta(days=4) <= span["last"] < AS_OF
    assert not Meeting.objects.filter(held_on__gte=AS_OF).exists()
    # the current month is partly held: meetings in it, but fewer than in the month before, whole
    this_month = Meeting.objects.filter(held_on__gte=AS_OF.replace(day=1)).count()
    last_month = Meeting.objects.filter(
        held_on__gte=(AS_OF.replace(day=1) - dt.timedelta(days=1)).replace(day=1),
        held_on__lt=AS_OF.replace(day=1),
    ).count()
    assert 0 < this_month < last_month


def test_the_current_month_is_due_not_overdue_and_a_branch_that_met_is_done(demo_county):
    """On the demo's day, the calendar shows the current month as due (still to be held) or done,
    never overdue; the months before it are overdue only where nothing was held."""
    root = demo_county["root"]
    month = AS_OF.replace(day=1)
    met = set(
        Meeting.objects.filter(kind=MeetingKind.THEME_DAY, held_on__gte=month).values_list(
            "org_id", flat=True
        )
    )
    branches = list(compliance.branches_in(root).filter(pk__in=met))
    assert branches, "some branch held its theme day this month before the demo date"
    states = {"done": 0, "due": 0}
    for br in compliance.branches_in(root):
        for row in compliance.unit_calendar(br, AS_OF.year, AS_OF):
            for cell in row.cells:
                if cell.block.start <= AS_OF <= cell.block.end:  # the current month (or quarter)
                    assert cell.state in ("done", "due"), (br.name, row.kind, cell)
                    states[cell.state] += 1
                elif cell.block.end < AS_OF and cell.state != "n/a":
                    assert cell.state == ("overdue" if cell.held < cell.needed else "done"), cell
        if br.pk in met:
            theme = next(r for r in compliance.unit_calendar(br, AS_OF.year, AS_OF) if r.kind == "theme_day")
            assert next(c for c in theme.cells if c.block.start == month).state == "done", br.name
    assert states["done"] and states["due"]


def test_last_year_is_graded_with_confirmed_grades_and_rectification_plans(demo_county):
    """Last year's grading round by the county, run through grading's services on the days of the
    story: every grade confirmed, every lagging organisation with a plan of measures, everything
    dated before the demo's day."""
    from jiceng.core.models import AuditEntry, WorkflowStep
    from jiceng.grading.models import Grade, GradingRound, RectificationMeasure, RectificationPlan

    rnd = GradingRound.objects.get(org=demo_county["root"], year=AS_OF.year - 1)
    grades = list(Grade.objects.filter(round=rnd).select_related("workflow"))
    assert len(grades) == 12  # the top organisation of each village and community
    for g in grades:
        assert g.final and g.confirmed_at and g.confirmed_at.date() < AS_OF, g
        assert g.workflow.state == ("confirmed" if not g.lagging else g.workflow.state), g
        assert not g.lagging or g.workflow.state in ("planned", "closed"), g
    lagging = [g for g in grades if g.lagging]
    assert lagging and set(RectificationPlan.objects.values_list("grade_id", flat=True)) == {
        g.pk for g in lagging
    }
    measures = RectificationMeasure.objects.filter(plan__grade__round=rnd)
    assert measures.count() >= 3 * len(lagging)
    assert measures.filter(done_on__isnull=False).exists()
    assert not measures.filter(done_on__gte=AS_OF).exists()
    assert not measures.filter(done_on__isnull=False, evidence="").exists()
    # the history is the services' own: steps and audit entries, dated before the demo's day
    steps = WorkflowStep.objects.filter(instance__in=[g.workflow for g in grades])
    assert steps.filter(action="confirm").count() == len(grades)
    assert steps.filter(action="plan").count() == len(lagging)
    assert steps.aggregate(m=Max("at"))["m"].date() < AS_OF
    assert AuditEntry.objects.filter(
        action__in=["confirm", "override"], target_type="grading.grade"
    ).count() == len(grades)
    assert not AuditEntry.objects.exclude(action="demo_load").filter(at__date__gte=AS_OF).exists()


def test_the_grade_chart_of_last_year_has_a_distribution(demo_county):
    root, county = demo_county["root"], demo_county["county"]
    last_year = Period(dt.date(AS_OF.year - 1, 1, 1), dt.date(AS_OF.year - 1, 12, 31), str(AS_OF.year - 1))
    chart = indicators.compute(actor=county, name="grading.grade_distribution", org=root, period=last_year)
    assert chart.value == 12 and sum(p.value for p in chart.parts) == 12
    assert sum(1 for p in chart.parts if p.value) >= 2  # not everyone in one grade
    lagging = indicators.compute(actor=county, name="grading.lagging_count", org=root, period=last_year)
    assert lagging.value >= 2  # the bottom 10% of 12, rounded up


@pytest.mark.parametrize(("kind", "band"), [("village", (7, 10)), ("community", (4, 7))])
def test_households_fit_the_population(demo_county, kind, band):
    """Rural members are a few per cent of the residents: 7–10 households a member in a village,
    4–7 in a community; every household has residents, of an age that fits its head's."""
    from django.db.models import Count

    from jiceng.core.models import Area
    from jiceng.people.models import Household, Person

    villages = list(Area.objects.filter(kind=kind))
    assert villages
    for v in villages:
        households = Household.objects.filter(area__path__startswith=v.path).count()
        # the members people's step made (those development's step admitted come on top)
        members = PartyMember.objects.filter(
            org__area__path__startswith=v.path, development__isnull=True
        ).count()
        assert members and band[0] <= households / members <= band[1], (v.name, households, members)
        # every member of the village lives in one of its households
        assert not PartyMember.objects.filter(
            org__area__path__startswith=v.path, person__household__isnull=True
        ).exists()
    sizes = (
        Person.objects.filter(household__area__path__startswith=villages[0].path)
        .values("household")
        .annotate(n=Count("pk"))
    )
    assert 2.3 <= sum(r["n"] for r in sizes) / len(sizes) <= 3.6 and min(r["n"] for r in sizes) >= 1
    assert (
        Person.objects.filter(household__isnull=False, party_member__isnull=True).count()
        > 10 * PartyMember.objects.count()
    )


def test_secretaries_are_of_a_secretarys_age(demo_county):
    ages = [
        (AS_OF - b).days // 365
        for b in CadrePost.objects.filter(committee="party", post="secretary").values_list(
            "person__birth_date", flat=True
        )
    ]
    assert len(ages) == 12 and all(30 <= a <= 60 for a in ages), ages
    seats = [
        (AS_OF - b).days // 365
        for b in CadrePost.objects.filter(committee="party").values_list("person__birth_date", flat=True)
    ]
    assert max(seats) <= 65, seats
