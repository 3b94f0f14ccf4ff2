"""What organisational life is due, and what was held, counted in SQL.

A requirement (rule ``orglife.required_per_period``) says: every unit of a holder kind holds at
least ``count`` meetings of a kind in every calendar-aligned block of ``every_months`` months
(monthly = each month, quarterly = Jan–Mar, …). A block is *due* once it has ended (on or before
the snapshot date), and *satisfied* for a unit when the unit held enough meetings inside it.
Only party-life kinds are ever counted: an administrative meeting satisfies nothing.

Units: branches hold branch-level kinds (committee meetings only where the branch has at least the
committee threshold of full members), party groups hold group meetings. A unit is required to
hold meetings only in blocks that end after it was established.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, ExtractMonth, ExtractYear, Floor, Length, Substr

from jiceng.core.indicators import Scope, by_rule, common_path, grouped, partitions, scopes_q
from jiceng.core.models import Org, OrgKind
from jiceng.core.periods import Period
from jiceng.core.rulepacks import rule
from jiceng.people import queries as people

from .models import ATTENDED, COUNTED_SQL, PARTY_LIFE_KINDS, Attendance, AttendanceStatus, Meeting


@dataclass(frozen=True)
class Block:
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.start.month == self.end.month:
            return f"{self.start:%Y-%m}"
        return f"{self.start:%Y-%m}~{self.end:%m}"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def blocks_in(every_months: int, start: dt.date, end: dt.date) -> list[Block]:
    """Calendar-aligned blocks that end within [start, end]."""
    out = []
    for year in range(start.year, end.year + 1):
        for first in range(1, 13, every_months):
            b = Block(dt.date(year, first, 1), _month_end(year, first + every_months - 1))
            if start <= b.end <= end:
                out.append(b)
    return out


def _block_index(every_months: int):
    # Month → block number inside its year: (month - 1) // every_months, the same on both databases.
    return Floor((ExtractMonth("held_on") - Value(1)) / Value(every_months), output_field=IntegerField())


def branches_in(root: Org) -> QuerySet[Org]:
    return Org.objects.filter(path__startswith=root.path, kind=OrgKind.BRANCH)


def groups_in(root: Org) -> QuerySet[Org]:
    return Org.objects.filter(path__startswith=root.path, kind=OrgKind.GROUP)


def committee_branch_ids(root: Org, as_of: dt.date, threshold: int) -> list[int]:
    """Branches with at least ``threshold`` full members on ``as_of`` (they must have a committee,
    支部工作条例 第十九条): one grouped query; a member of a party group counts for its branch."""
    return list(
        branches_in(root)
        .filter(path__in=_committee_branch_paths(Q(org__path__startswith=root.path), as_of, threshold))
        .values_list("pk", flat=True)
    )


def _committee_branch_paths(members: Q, as_of: dt.date, threshold: int) -> QuerySet:
    # each full member in the organisation they belonged to that day (people's membership history)
    return (
        people.full_memberships_on(as_of)
        .filter(members)
        .annotate(bp=_branch_path_of_meeting())
        .order_by()
        .values("bp")
        .annotate(n=Count("member_id"))
        .filter(n__gte=threshold)
        .values_list("bp", flat=True)
    )


def _holders(holder: str, as_of: dt.date, threshold: int, scopes: Sequence[Scope]) -> QuerySet[Org]:
    """The units under the scopes that must hold a kind: every branch, the branches with a
    committee, or the party groups."""
    if holder == "group":
        return Org.objects.filter(scopes_q(scopes, "path"), kind=OrgKind.GROUP)
    units = Org.objects.filter(scopes_q(scopes, "path"), kind=OrgKind.BRANCH)
    if holder == "branch_with_committee":
        units = units.filter(
            path__in=list(_committee_branch_paths(scopes_q(scopes, "org__path"), as_of, threshold))
        )
    return units


@dataclass
class Tally:
    required: int = 0
    satisfied: int = 0
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)


def _required(scopes: Sequence[Scope], units: QuerySet[Org], blocks: list[Block]) -> dict[int, int]:
    """Per scope, Σ over blocks of its units existing during the block. Units are grouped by scope
    and dates in SQL first."""
    out = {s.key: 0 for s in scopes}
    for rows, keys in partitions(scopes, units, "path"):
        for key, est, dis, n in (
            rows.order_by().values_list("_u", "established_on", "dissolved_on").annotate(n=Count("pk"))
        ):
            existing = sum(
                1 for b in blocks if (est is None or est <= b.end) and (dis is None or dis > b.start)
            )
            for pk in keys.get(key, ()):
                out[pk] += n * existing
    return out


def _satisfied(
    scopes: Sequence[Scope], units: QuerySet[Org], kind: str, every: int, count: int, blocks: list[Block]
) -> dict[int, int]:
    """Per scope, the (unit, block) slots in which the unit held at least ``count`` meetings of
    ``kind``, counted in SQL."""
    out = {s.key: 0 for s in scopes}
    if not blocks:
        return out
    meetings = (
        Meeting.objects.counted()
        .filter(
            org__in=units.values("pk"), kind=kind, held_on__gte=blocks[0].start, held_on__lte=blocks[-1].end
        )
        # only while the unit existed, as _required counts it
        .filter(Q(org__dissolved_on__isnull=True) | Q(held_on__lt=F("org__dissolved_on")))
    )
    for rows, keys in partitions(scopes, meetings, "org__path"):
        slots = (
            rows.annotate(y=ExtractYear("held_on"), b=_block_index(every))
            .order_by()
            .values("_u", "org_id", "y", "b")
            .annotate(n=Count("pk"))
            .filter(n__gte=count)
        )
        for key, n in count_by(slots, "_u"):
            for pk in keys.get(key, ()):
                out[pk] = n
    return out


def count_by(qs: QuerySet, key: str) -> list[tuple[Any, int]]:
    """Rows of a grouped query counted per ``key``, in SQL (a count over a GROUP BY)."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[qs.db].cursor() as cur:  # where the query would read (the replica for reports)
        cur.execute(f"SELECT t.{key}, COUNT(*) FROM ({sql}) t GROUP BY t.{key}", params)
        return cur.fetchall()


def tally_scopes(scopes: Sequence[Scope], period: Period) -> dict[int, Tally]:
    """Required vs satisfied blocks for every unit under each scope, over the period's due blocks;
    the requirements and the committee threshold as they apply at each scope's organisation."""
    out = {s.key: Tally() for s in scopes}
    as_of = period.as_of
    for reqs, same_reqs in by_rule(scopes, "orglife.required_per_period", as_of):
        for threshold, group in by_rule(same_reqs, "org.branch_committee_threshold", as_of):
            for kind, req in reqs.items():
                if kind not in PARTY_LIFE_KINDS:
                    continue
                blocks = blocks_in(req["every_months"], period.start, as_of)
                units = _holders(req["holder"], as_of, threshold, group)
                required = _required(group, units, blocks)
                due = [s for s in group if required[s.key]]
                satisfied = (
                    _satisfied(due, units, kind, req["every_months"], req["count"], blocks) if due else {}
                )
                for s in group:
                    t, n = out[s.key], satisfied.get(s.key, 0)
                    t.required += required[s.key]
                    t.satisfied += n
                    t.by_kind[kind] = (n, required[s.key])
    return out


def tally(root: Org, period: Period) -> Tally:
    """Required vs satisfied blocks for every unit in the subtree, over the period's due blocks."""
    return tally_scopes([Scope(root)], period)[root.pk]


# --- one unit's calendar -------------------------------------------------------------------------


@dataclass
class Cell:
    block: Block
    held: int
    needed: int
    state: str  # done | overdue | due | upcoming


@dataclass
class CalendarRow:
    org: Org
    kind: str
    cells: list[Cell]

    @property
    def overdue(self) -> int:
        return sum(c.state == "overdue" for c in self.cells)


def unit_calendar(branch: Org, year: int, today: dt.date) -> list[CalendarRow]:
    """Kinds × blocks of one year for a branch and its party groups, with what was held."""
    reqs = rule("orglife.required_per_period", branch, min(today, dt.date(year, 12, 31)))
    groups = list(groups_in(branch).order_by("path"))
    held = {
        (org_id, kind, month): n
        for org_id, kind, month, n in Meeting.objects.counted()
        .filter(org__path__startswith=branch.path, held_on__year=year, kind__in=PARTY_LIFE_KINDS)
        .annotate(m=ExtractMonth("held_on"))
        .order_by()
        .values_list("org_id", "kind", "m")
        .annotate(n=Count("pk"))
    }
    has_committee = branch.pk in committee_branch_ids(
        branch, today, rule("org.branch_committee_threshold", branch, today)
    )
    rows = []
    for kind, req in reqs.items():
        if req["holder"] == "group":
            holders = groups
        elif req["holder"] == "branch_with_committee" and not has_committee:
            holders = []
        else:
            holders = [branch]
        for unit in holders:
            cells = []
            for b in blocks_in(req["every_months"], dt.date(year, 1, 1), dt.date(year, 12, 31)):
                n = sum(held.get((unit.pk, kind, m), 0) for m in range(b.start.month, b.end.month + 1))
                if (unit.established_on and unit.established_on > b.end) or (
                    unit.dissolved_on and unit.dissolved_on <= b.start
                ):
                    state = "n/a"
                elif n >= req["count"]:
                    state = "done"
                elif b.end < today:
                    state = "overdue"
                elif b.start <= today:
                    state = "due"
                else:
                    state = "upcoming"
                cells.append(Cell(b, n, req["count"], state))
            rows.append(CalendarRow(unit, kind, cells))
    return rows


# --- silence ---------------------------------------------------------------------------------------


def _months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def silent_since(today: dt.date, root: Org) -> dt.date:
    return _months_before(today, rule("orglife.silent_months_weak", root, today))


def branches_with_last_meeting(root: Org) -> QuerySet[Org]:
    """Branches annotated with the date of their last party-life meeting (their groups' included)."""
    # A branch's subtree is itself and its party groups (ORG_CHILD_KINDS), whose paths lie between
    # the branch's and the branch's followed by the alphabet's last digits: an index range per
    # branch. LIKE against a column cannot use an index (35 s for 50 branches at province scale);
    # it stays as the guard that defines the subtree.
    upper = Concat(OuterRef("path"), Value("Z" * Org.steplen), output_field=CharField())
    last = (
        Meeting.objects.counted()
        .filter(
            org__path__gte=OuterRef("path"),
            org__path__lte=upper,
            org__path__startswith=OuterRef("path"),
            kind__in=PARTY_LIFE_KINDS,
        )
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    return branches_in(root).annotate(last_meeting=Subquery(last))


def _branch_path_of_meeting():
    # the branch of a row whose org is a branch or one of its party groups (meetings, members)
    return Case(
        When(org__kind=OrgKind.GROUP, then=Substr("org__path", 1, Length("org__path") - Org.steplen)),
        default=F("org__path"),
    )


def _silent(scopes_filter: Q, within: Q, since: dt.date, today: dt.date) -> QuerySet[Org]:
    """Branches selected by ``within`` with no party life in [since, today], established before the
    window began and not dissolved. One grouped query finds the branches that did meet (among the
    meetings ``scopes_filter`` selects); the rest are silent."""
    active = (
        Meeting.objects.counted()
        .filter(scopes_filter, kind__in=PARTY_LIFE_KINDS, held_on__gte=since, held_on__lte=today)
        .annotate(bp=_branch_path_of_meeting())
        .order_by()
        .values_list("bp", flat=True)
        .distinct()
    )
    return (
        Org.objects.filter(within, kind=OrgKind.BRANCH)
        .exclude(path__in=list(active))
        .filter(Q(established_on__isnull=True) | Q(established_on__lt=since))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
    )


def silent_branches(root: Org, today: dt.date) -> QuerySet[Org]:
    """No party life for the rule's number of months (000-R2: 半年以上没有正常开展组织生活), counting
    only branches established before the window began."""
    return _silent(
        Q(org__path__startswith=root.path), Q(path__startswith=root.path), silent_since(today, root), today
    )


def silent_counts(scopes: Sequence[Scope], today: dt.date) -> dict[int, int]:
    """How many branches under each scope are silent (silent_branches), per rule value one query."""
    out = {s.key: 0 for s in scopes}
    for months, group in by_rule(scopes, "orglife.silent_months_weak", today):
        since = _months_before(today, months)
        silent = _silent(scopes_q(group, "org__path"), scopes_q(group, "path"), since, today)
        for pk, agg in grouped(group, silent, "path", {"n": Count("pk")}).items():
            out[pk] = agg["n"]
    return out


# --- participation ----------------------------------------------------------------------------------


def member_counts(scopes: Sequence[Scope], as_of: dt.date) -> dict[int, int]:
    return {
        pk: agg["n"]
        for pk, agg in grouped(
            scopes, people.memberships_on(as_of), "org__path", {"n": Count("member_id")}
        ).items()
    }


def _attended(period: Period, wanted: list[str]) -> QuerySet:
    return Attendance.objects.counted().filter(
        member__joined_on__lte=period.as_of,
        status__in=ATTENDED,
        meeting__kind__in=wanted,
        meeting__held_on__gte=period.start,
        meeting__held_on__lte=period.as_of,
    )


def attended_scopes(
    scopes: Sequence[Scope], period: Period, kinds: dict[str, list[str]]
) -> dict[int, dict[str, int]]:
    """Per scope, the members who attended (present or online) a meeting of each group of
    ``kinds`` — each placed in the organisation they belonged to on the period's last day and
    counted only if on the rolls that day, as the denominator (member_counts) places them: one
    pass over the memberships of that day, a semi-join into the attendance per group."""
    flags = {
        f"_attended_{name}": Exists(_attended(period, group).filter(member_id=OuterRef("member_id")))
        for name, group in kinds.items()
    }
    return grouped(
        scopes,
        people.memberships_on(period.as_of).annotate(**flags),
        "org__path",
        {name: Count("member_id", filter=Q(**{f"_attended_{name}": True})) for name in kinds},
    )


def attended_counts(root: Org, period: Period, kinds: dict[str, list[str]]) -> dict[str, int]:
    """Distinct members of the subtree who attended a meeting of each group of ``kinds``."""
    return attended_scopes([Scope(root)], period, kinds)[root.pk]


def attendees(root: Org, period: Period, kinds: list[str]) -> QuerySet:
    """The members of the subtree who attended a meeting of one of ``kinds`` (the rows behind a rate)."""
    # members_of places them by the membership history, as attended_scopes does
    ids = _attended(period, sorted(kinds)).values("member_id")
    return people.members_of(root, period.as_of).filter(pk__in=ids)


# A streak of N absences needs N absences: the window (a sort of every row by member and date)
# runs only over the members who have that many, found by a cheaper grouped scan first.
_OFTEN_ABSENT_SQL = """
WITH candidates AS (
    SELECT at.member_id
    FROM orglife_attendance at
    JOIN orglife_meeting m ON m.id = at.meeting_id
    JOIN people_partymember pm ON pm.id = at.member_id
    JOIN core_org o ON o.id = pm.org_id
    WHERE {orgs} AND m.held_on >= %s AND m.held_on <= %s AND m.kind IN ({kinds}) AND m.{counted}
      AND at.status = %s
    GROUP BY at.member_id HAVING COUNT(*) >= %s
), a AS (
    SELECT at.member_id, at.status,
           SUM(CASE WHEN at.status = %s THEN 0 ELSE 1 END)
               OVER (PARTITION BY at.member_id ORDER BY m.held_on, m.id) AS grp
    FROM orglife_attendance at
    JOIN orglife_meeting m ON m.id = at.meeting_id
    WHERE at.member_id IN (SELECT member_id FROM candidates)
      AND m.held_on >= %s AND m.held_on <= %s AND m.kind IN ({kinds}) AND m.{counted}
)
SELECT member_id FROM a WHERE status = %s GROUP BY member_id, grp HAVING COUNT(*) >= %s
"""


def _orgs_sql(scopes: Sequence[Scope]) -> tuple[str, list]:
    """The organisations of some scopes as a WHERE condition on ``o.path``: the common subtree of
    whole scopes, or a scope's own rows."""
    whole = [s for s in scopes if s.own is None]
    terms, params = [], []
    if whole:
        terms.append("o.path LIKE %s")
        params.append(common_path(whole) + "%")
    for s in scopes:
        if s.own is not None:
            if s.own.org_exact:
                terms.append(f"o.path IN ({', '.join(['%s'] * len(s.own.org_exact))})")
                params += list(s.own.org_exact)
            for prefix in s.own.org_prefixes:
                terms.append("o.path LIKE %s")
                params.append(prefix + "%")
    return (f"({' OR '.join(terms)})" if terms else "1 = 0"), params


def _often_absent_sql(scopes: Sequence[Scope], period: Period, n: int) -> tuple[str, list]:
    orgs, org_params = _orgs_sql(scopes)
    kinds = ", ".join(["%s"] * len(PARTY_LIFE_KINDS))
    absent = AttendanceStatus.ABSENT
    params = [
        *org_params,
        period.start,
        period.as_of,
        *PARTY_LIFE_KINDS,
        absent,
        n,
        absent,
        period.start,
        period.as_of,
        *PARTY_LIFE_KINDS,
        absent,
        n,
    ]
    return _OFTEN_ABSENT_SQL.format(orgs=orgs, kinds=kinds, counted=COUNTED_SQL), params


def often_absent_member_ids(root: Org, period: Period) -> list[int]:
    """Members with at least N consecutive absences without leave among the meetings recorded for
    them in the period (window functions; leave and attendance break a streak)."""
    n = rule("orglife.often_absent_consecutive", root, period.as_of)
    sql, params = _often_absent_sql([Scope(root)], period, n)
    with connections[Attendance.objects.all().db].cursor() as cur:
        cur.execute(sql, params)
        return sorted({row[0] for row in cur.fetchall()})


def often_absent_counts(scopes: Sequence[Scope], period: Period) -> dict[int, int]:
    """How many members under each scope are often absent, the streak found once per rule value."""
    out = {s.key: 0 for s in scopes}
    for n, group in by_rule(scopes, "orglife.often_absent_consecutive", period.as_of):
        sql, params = _often_absent_sql(group, period, n)
        members = people.members().filter(pk__in=RawSQL(sql, params))
        for pk, agg in grouped(group, members, "org__path", {"n": Count("pk")}).items():
            out[pk] = agg["n"]
    return out
