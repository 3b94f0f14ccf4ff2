"""Rule-pack arithmetic and scenarios for organisational life."""

import datetime as dt

from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from jiceng.core import services as core_services
from jiceng.core.periods import Period
from jiceng.orglife import compliance, services
from jiceng.orglife.services import AttendanceIn

TODAY = timezone.localdate()


def record(world, org, kind, held_on, actor=None):
    members = [world.member_a, world.member_a_grid] if org == world.branch_a else [world.member_a_grid]
    return services.meeting_record(
        actor=actor or world.users["sec_a"],
        org=org,
        kind=kind,
        held_on=held_on,
        place="活动室",
        topic="学习",
        attendance=[AttendanceIn(m.pk, "present") for m in members],
    )


def test_blocks_are_calendar_aligned():
    year = compliance.blocks_in(3, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert [(b.start, b.end) for b in year] == [
        (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
        (dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        (dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
    ]
    # a block is due only once it has ended inside the window
    assert compliance.blocks_in(3, dt.date(2025, 1, 1), dt.date(2025, 5, 15)) == year[:1]
    assert len(compliance.blocks_in(1, dt.date(2025, 1, 1), dt.date(2025, 12, 31))) == 12


def _branch_required(world, year):
    p = Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
    return compliance.tally(world.branch_a, p)


def test_required_meetings_default_pack(world):
    # 一村党支部: 2 members, no committee (< 7 full members); one party group (一村第1网格党小组)
    t = _branch_required(world, 2025)
    assert t.by_kind["branch_assembly"] == (0, 4)
    assert t.by_kind["theme_day"] == (0, 12)
    assert t.by_kind["group_meeting"] == (0, 12)  # the group's, monthly
    assert t.by_kind["committee_meeting"] == (0, 0)  # no committee below the threshold
    assert t.by_kind["party_lecture"] == (0, 4) and t.by_kind["life_meeting"] == (0, 1)
    assert t.required == 4 + 12 + 12 + 4 + 1 + 1


def test_required_meetings_under_county_override(world):
    core_services.rule_override_set(
        actor=world.users["county"],
        org=world.county_org,
        key="orglife.required_per_period",
        value={
            "branch_assembly": {"every_months": 3, "count": 1, "holder": "branch"},
            "party_lecture": {"every_months": 12, "count": 1, "holder": "branch"},
        },
        valid_from=dt.date(2000, 1, 1),
        reason="县委规定：党课每年一次（支部工作条例最低要求）",
    )
    t = _branch_required(world, 2025)
    assert t.by_kind == {"branch_assembly": (0, 4), "party_lecture": (0, 1)}


def test_meeting_satisfies_its_block_and_administrative_never_counts(world):
    last_year = TODAY.year - 1
    record(world, world.branch_a, "administrative", dt.date(last_year, 2, 10), actor=world.users["sec_a"])
    assert _branch_required(world, last_year).by_kind["theme_day"][0] == 0
    record(world, world.branch_a, "theme_day", dt.date(last_year, 2, 10))
    record(world, world.branch_a, "theme_day", dt.date(last_year, 2, 20))  # two in one month still one slot
    record(world, world.group_a, "group_meeting", dt.date(last_year, 3, 1))
    t = _branch_required(world, last_year)
    assert t.by_kind["theme_day"] == (1, 12) and t.by_kind["group_meeting"] == (1, 12)


def test_calendar_marks_overdue_then_done(world):
    year = TODAY.year - 1  # a whole past year: every block has ended
    rows = compliance.unit_calendar(world.branch_a, year, TODAY)
    group_row = next(r for r in rows if r.kind == "group_meeting")
    assert group_row.org == world.group_a and group_row.overdue == 12
    record(world, world.group_a, "group_meeting", dt.date(year, 5, 20))
    rows = compliance.unit_calendar(world.branch_a, year, TODAY)
    group_row = next(r for r in rows if r.kind == "group_meeting")
    assert group_row.overdue == 11 and group_row.cells[4].state == "done"


def test_silent_branch_is_flagged_then_cleared(world):
    root = world.county_org
    silent = set(compliance.silent_branches(root, TODAY).values_list("pk", flat=True))
    assert world.branch_a.pk in silent  # never held anything
    record(world, world.branch_a, "theme_day", TODAY - dt.timedelta(days=200))  # ~6.5 months ago
    assert world.branch_a.pk in set(compliance.silent_branches(root, TODAY).values_list("pk", flat=True))
    record(world, world.group_a, "group_meeting", TODAY - dt.timedelta(days=3))  # a group's meeting counts
    assert world.branch_a.pk not in set(compliance.silent_branches(root, TODAY).values_list("pk", flat=True))


def test_last_meeting_covers_the_branchs_groups_and_nothing_beside(world):
    """The index-range form of the last-meeting lookup: a group's meeting is its branch's; a
    sibling branch (the next path) is not."""
    record(world, world.branch_a, "theme_day", TODAY - dt.timedelta(days=40))
    record(world, world.group_a, "group_meeting", TODAY - dt.timedelta(days=3))
    last = dict(compliance.branches_with_last_meeting(world.county_org).values_list("pk", "last_meeting"))
    assert last[world.branch_a.pk] == TODAY - dt.timedelta(days=3)
    assert last[world.branch_a2.pk] is None and last[world.branch_b.pk] is None


def test_participation_education_and_often_absent(world):
    year = TODAY.year - 1
    p = Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
    for month in (3, 4, 5):
        services.meeting_record(
            actor=world.users["sec_a"],
            org=world.branch_a,
            kind="theme_day",
            held_on=dt.date(year, month, 5),
            place="活动室",
            topic="主题党日",
            attendance=[
                AttendanceIn(world.member_a.pk, "present"),
                AttendanceIn(world.member_a_grid.pk, "absent", "未请假"),
            ],
        )
    assert compliance.attended_counts(world.branch_a, p, {"n": ["theme_day"]})["n"] == 1
    assert compliance.often_absent_member_ids(world.county_org, p) == [world.member_a_grid.pk]
    services.meeting_record(
        actor=world.users["sec_a"],
        org=world.branch_a,
        kind="party_lecture",
        held_on=dt.date(year, 6, 5),
        place="活动室",
        topic="党课",
        attendance=[
            AttendanceIn(world.member_a.pk, "leave", "生病"),
            AttendanceIn(world.member_a_grid.pk, "online"),
        ],
    )
    assert compliance.attended_counts(world.branch_a, p, {"n": ["party_lecture"]})["n"] == 1
    # a leave breaks nobody's streak here, but the online attendance ends 李四's run at 3 — still ≥3
    assert compliance.often_absent_member_ids(world.county_org, p) == [world.member_a_grid.pk]


@given(
    st.integers(min_value=1, max_value=12).filter(lambda m: 12 % m == 0),
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.integers(min_value=0, max_value=800),
)
def test_blocks_partition_the_window(every, start, days):
    end = start + dt.timedelta(days=days)
    blocks = compliance.blocks_in(every, start, end)
    assert all(start <= b.end <= end for b in blocks)
    assert all(b.start.month % every == 1 % every or every == 1 for b in blocks)
    assert all(a.end < b.start for a, b in zip(blocks, blocks[1:], strict=False))


def test_indicators_computed_together_share_their_scans(world):
    """On one dashboard the two compliance figures share one tally and the two attendance rates
    one scan: computing both costs the queries of one; outside shared_work nothing is cached."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiceng.core import indicators

    record(world, world.branch_a, "theme_day", TODAY - dt.timedelta(days=3))
    period = Period(dt.date(TODAY.year, 1, 1), dt.date(TODAY.year, 12, 31), str(TODAY.year))
    fns = indicators.registry()

    def queries(names, shared):
        with CaptureQueriesContext(connection) as ctx:
            if shared:
                with indicators.shared_work():
                    values = [fns[n].fn(world.county_org, period) for n in names]
            else:
                values = [fns[n].fn(world.county_org, period) for n in names]
        heavy = [
            q["sql"]
            for q in ctx.captured_queries
            if "orglife_attendance" in q["sql"] or "orglife_meeting" in q["sql"]
        ]
        return len(heavy), values

    for pair in (
        ["orglife.compliance_rate", "orglife.compliance_by_kind"],
        ["orglife.participation_rate", "orglife.education_coverage"],
    ):
        one, _ = queries(pair[:1], shared=True)
        both, shared_values = queries(pair, shared=True)
        apart, separate_values = queries(pair, shared=False)
        assert 0 < both == one < apart, (pair, one, both, apart)
        assert shared_values == separate_values
