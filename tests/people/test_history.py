"""Membership history: moves and leaving, and the figures that place a member on a past day in the
organisation they belonged to that day."""

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.core import indicators
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.core.periods import Period
from jiceng.people import queries, services
from jiceng.people.models import LeaveReason, Membership

TODAY = timezone.localdate()
BEFORE = dt.date(2024, 6, 30)
MOVED = dt.date(2025, 1, 10)


def _period(day):
    return Period(dt.date(day.year, 1, 1), day, str(day))


def _count(actor, org, day):
    return indicators.compute(actor=actor, name="people.member_count", org=org, period=_period(day)).value


def test_member_create_opens_one_history_row(world):
    rows = list(Membership.objects.filter(member=world.member_a))
    assert [(r.org_id, r.since, r.until) for r in rows] == [
        (world.branch_a.pk, world.member_a.joined_on, None)
    ]


def test_move_closes_and_opens_and_past_figures_follow_the_history(world):
    county, a, a2 = world.users["county"], world.branch_a, world.branch_a2
    assert _count(county, a, BEFORE) == 2  # 张三 and 李四 (in a's party group)
    assert _count(county, a2, BEFORE) == 0
    services.member_move(actor=world.users["township"], member=world.member_a, to_org=a2, on=MOVED)
    world.member_a.refresh_from_db()
    assert world.member_a.org == a2  # the current organisation follows
    rows = list(queries.member_history([world.member_a.pk]).values_list("org_id", "since", "until"))
    assert rows == [(a.pk, dt.date(2020, 7, 1), MOVED), (a2.pk, MOVED, None)]
    # before the move: still counted in branch A, not in A2; from the move: the other way round
    assert _count(county, a, BEFORE) == 2 and _count(county, a2, BEFORE) == 0
    assert _count(county, a, MOVED - dt.timedelta(days=1)) == 2
    assert _count(county, a, MOVED) == 1 and _count(county, a2, MOVED) == 1
    assert _count(county, world.town_a_org, BEFORE) == _count(county, world.town_a_org, MOVED) == 2
    assert set(queries.members_of(a, BEFORE).values_list("pk", flat=True)) == {
        world.member_a.pk,
        world.member_a_grid.pk,
    }
    assert list(queries.members_of(a2, MOVED).values_list("pk", flat=True)) == [world.member_a.pk]
    # the rows behind the figure agree with it
    ind = indicators.get("people.member_count")
    assert ind.rows(a, _period(BEFORE), "value").count() == 2
    entries = AuditEntry.objects.filter(action="move", target_id=str(world.member_a.pk))
    assert {e.org_path for e in entries} == {a.path, a2.path}


def test_move_refusals(world):
    township = world.users["township"]
    with pytest.raises(DomainError) as e:  # across townships: a relation transfer, both sides
        services.member_move(
            actor=world.users["county"], member=world.member_a, to_org=world.branch_b, on=MOVED
        )
    assert "组织关系转接" in str(e.value.errors)
    with pytest.raises(DomainError) as e:
        services.member_move(actor=township, member=world.member_a, to_org=world.branch_a, on=MOVED)
    assert "已在" in str(e.value.errors)
    with pytest.raises(DomainError) as e:
        services.member_move(actor=township, member=world.member_a, to_org=world.town_a_org, on=MOVED)
    assert "支部工作条例第三条" in str(e.value.errors)
    with pytest.raises(DomainError) as e:
        services.member_move(
            actor=township, member=world.member_a, to_org=world.branch_a2, on=TODAY + dt.timedelta(days=1)
        )
    assert "不能晚于今天" in str(e.value.errors)
    with pytest.raises(DomainError) as e:
        services.member_move(
            actor=township, member=world.member_a, to_org=world.branch_a2, on=dt.date(2019, 1, 1)
        )
    assert "2020-07-01" in str(e.value.errors)
    with pytest.raises(NotFound):  # village B's secretary cannot take A's member
        services.member_move(
            actor=world.users["sec_b"], member=world.member_a, to_org=world.branch_b, on=MOVED
        )
    assert Membership.objects.filter(member=world.member_a).count() == 1  # nothing written


def test_transfer_across_townships_needs_both_sides(world):
    sec_a, sec_b = world.users["sec_a"], world.users["sec_b"]
    with pytest.raises(NotFound):  # B's secretary alone: may not reach A's member
        services.member_move(actor=sec_b, member=world.member_a, to_org=world.branch_b, on=MOVED)
    services.member_move(actor=sec_b, member=world.member_a, to_org=world.branch_b, on=MOVED, issued_by=sec_a)
    world.member_a.refresh_from_db()
    assert world.member_a.org == world.branch_b
    county = world.users["county"]
    assert _count(county, world.town_b_org, BEFORE) == 1 and _count(county, world.town_b_org, TODAY) == 2


def test_member_update_routes_an_org_change_through_the_history(world):
    services.member_update(actor=world.users["sec_a"], member=world.member_a, org=world.group_a)
    rows = list(queries.member_history([world.member_a.pk]).values_list("org_id", "until"))
    assert rows == [(world.branch_a.pk, TODAY), (world.group_a.pk, None)]
    with pytest.raises(DomainError) as e:  # an admission date after the first move would break the history
        services.member_update(actor=world.users["sec_a"], member=world.member_a, joined_on=TODAY)
    assert "第一次调整组织关系" in str(e.value.errors)


def test_member_update_of_admission_date_moves_the_first_period(world):
    services.member_update(
        actor=world.users["sec_a"],
        member=world.member_a,
        joined_on=dt.date(2019, 7, 1),
        full_on=dt.date(2020, 7, 1),
    )
    assert Membership.objects.get(member=world.member_a).since == dt.date(2019, 7, 1)


def test_leave_closes_the_history_and_figures_stop_that_day(world):
    county, left = world.users["county"], dt.date(2025, 3, 1)
    services.member_leave(actor=world.users["sec_a"], member=world.member_a, on=left, reason=LeaveReason.DIED)
    world.member_a.refresh_from_db()
    assert world.member_a.left_on == left and world.member_a.left_reason == "died"
    assert _count(county, world.branch_a, left - dt.timedelta(days=1)) == 2
    assert _count(county, world.branch_a, left) == 1
    assert not queries.members_on(left).filter(pk=world.member_a.pk).exists()
    assert queries.members_on(left - dt.timedelta(days=1)).filter(pk=world.member_a.pk).exists()
    assert not queries.full_members_on(TODAY).filter(pk=world.member_a.pk).exists()
    with pytest.raises(DomainError) as e:
        services.member_leave(actor=world.users["sec_a"], member=world.member_a, on=left, reason="died")
    assert "已于2025-03-01" in str(e.value.errors)
    with pytest.raises(DomainError) as e:
        services.member_move(
            actor=world.users["township"], member=world.member_a, to_org=world.branch_a2, on=TODAY
        )
    assert "不能转接" in str(e.value.errors)


def test_leave_refusals(world):
    sec_a = world.users["sec_a"]
    with pytest.raises(DomainError) as e:
        services.member_leave(actor=sec_a, member=world.member_a, on=TODAY, reason="fled")
    assert "离开原因" in str(e.value.errors)
    with pytest.raises(DomainError) as e:
        services.member_leave(actor=sec_a, member=world.member_a, on=dt.date(2019, 1, 1), reason="died")
    assert "不能早于" in str(e.value.errors)
    with pytest.raises(NotFound):
        services.member_leave(actor=world.users["sec_b"], member=world.member_a, on=TODAY, reason="died")
    world.member_a.refresh_from_db()
    assert world.member_a.left_on is None


def test_memberships_on_is_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        n = queries.memberships_on(TODAY).filter(org__path__startswith=world.county_org.path).count()
    assert n == 3


def test_every_member_the_bulk_writers_made_has_its_history(demo_county):
    """The demo writes members in bulk (people.demo): each still on the rolls has one open period,
    in its current organisation, and the figures by the history equal the member table's."""
    from django.db.models import Count, F, Q

    from jiceng.people.models import PartyMember

    on_rolls = PartyMember.objects.filter(left_on__isnull=True)
    assert on_rolls.count() > 100
    assert not on_rolls.annotate(n=Count("memberships", filter=Q(memberships__until__isnull=True))).exclude(
        n=1
    )
    assert not Membership.objects.filter(until__isnull=True).exclude(org_id=F("member__org_id")).exists()
    day = demo_county["as_of"] - dt.timedelta(days=1)
    root = demo_county["root"]
    assert (
        queries.members_of(root, day).count()
        == queries.members_on(day).filter(org__path__startswith=root.path).count()
    )
