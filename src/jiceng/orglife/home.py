"""Organisational life on the home page (core.kit.HomeSection): what a secretary has to do this
month, and a member's own organisational life. Reads only, through this app's selectors and
compliance rules, so a figure here is the one the calendar and the indicators show."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse

from jiceng.core.models import Org, OrgKind
from jiceng.core.periods import Period
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_org
from jiceng.people import selectors as people

from . import compliance, selectors
from .models import ATTENDED, PARTY_LIFE_KINDS, Attendance, AttendanceStatus, MeetingKind
from .plugin import RECORD_MEETING

LIST_LIMIT = 10  # a home page shows the first few; the link opens the whole list


def _year(today: dt.date) -> Period:
    return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), str(today.year))


def _month(today: dt.date) -> Period:
    start = today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return Period(start, end, f"{today:%Y-%m}")


def _branches(org: Org) -> list[Org]:
    """The branches whose calendars the grant covers: the branch itself, or those of a general
    branch (or of a township, for a secretary granted there)."""
    if org.kind == OrgKind.BRANCH:
        return [org]
    if org.kind == OrgKind.GROUP:
        return list(Org.objects.filter(path=org.path[: -Org.steplen], kind=OrgKind.BRANCH))
    return list(compliance.branches_in(org).order_by("path")[:50])


def due_items(org: Org, today: dt.date, *, can_record: bool, only: set[int] | None = None) -> list[dict]:
    """Meetings due in the block that holds today, and those overdue this year, by kind and unit
    (branch or party group), from the same calendar the branch page draws; overdue first."""
    kinds = dict(MeetingKind.choices)
    items = []
    for branch in _branches(org):
        for row in compliance.unit_calendar(branch, today.year, today):
            if only is not None and row.org.pk not in only:
                continue
            for cell in row.cells:
                if cell.state not in ("overdue", "due"):
                    continue
                items.append(
                    {
                        "org": row.org,
                        "kind": row.kind,
                        "kind_label": kinds.get(row.kind, row.kind),
                        "block": cell.block.label,
                        "held": cell.held,
                        "needed": cell.needed,
                        "state": cell.state,
                        "record_url": (
                            f"{reverse('meeting_create')}?org={row.org.pk}&kind={row.kind}"
                            if can_record
                            else ""
                        ),
                    }
                )
    items.sort(key=lambda i: (i["state"] != "overdue", i["block"], i["org"].path, i["kind"]))
    return items


def secretary(actor, org: Org, today: dt.date) -> dict | None:
    """A village or branch secretary's month: what is due and overdue, silent branches and those
    nearing the limit, members often absent, this month's key-content list and 第一议题."""
    can_record = can_access_org(actor, RECORD_MEETING, org)
    due = due_items(org, today, can_record=can_record)
    months = rule("orglife.silent_months_weak", org, today)
    nearing_since = compliance._months_before(today, max(months - 1, 1))
    branches = list(selectors.branch_overview(actor=actor, root=org, today=today))
    silent = [b for b in branches if b.silent]
    nearing = [
        b for b in branches if not b.silent and (b.last_meeting is None or b.last_meeting < nearing_since)
    ]
    year = _year(today)
    absent = selectors.often_absent_members(actor=actor, root=org, period=year)
    month = _month(today)
    meetings = selectors.meetings_for(actor=actor, org=org, since=month.start, until=today).filter(
        kind__in=PARTY_LIFE_KINDS
    )
    agenda = meetings.aggregate(n=Count("pk"), with_first=Count("pk", filter=~Q(first_agenda="")))
    topic_list = next(
        (tl for tl in selectors.topic_lists_for(actor=actor) if tl.month == month.start),
        None,
    )
    coverage = selectors.topic_coverage(actor=actor, topic_list=topic_list) if topic_list else []
    return {
        "org": org,
        "due": due,
        "n_overdue": sum(i["state"] == "overdue" for i in due),
        "n_due": sum(i["state"] == "due" for i in due),
        "silent": silent,
        "nearing": nearing,
        "silent_months": months,
        "absent": list(absent[:LIST_LIMIT]),
        "n_absent": absent.count(),
        "year": year,
        "month": month,
        "topic_list": topic_list,
        "coverage": coverage,
        "n_meetings": agenda["n"],
        "n_first_agenda": agenda["with_first"],
        "can_record": can_record,
    }


def member(actor, org: Org, today: dt.date) -> dict | None:
    """A member's own organisational life this year: attended, on leave, absent; what their branch
    and group still have to hold this month; the meetings of the year with their own status."""
    me = people.member_of_user(actor=actor)
    if me is None:
        return None
    year = _year(today)
    mine = (
        Attendance.objects.counted()
        .filter(member=me, meeting__held_on__range=(year.start, today))
        .filter(meeting__kind__in=PARTY_LIFE_KINDS)
        .select_related("meeting__org")
        .order_by("-meeting__held_on", "-meeting_id")
    )
    counts = dict(mine.order_by().values_list("status").annotate(n=Count("pk")))
    holders = {me.org_id, *(o.pk for o in _branches(me.org))}
    return {
        "me": me,
        "attended": sum(counts.get(s, 0) for s in ATTENDED),
        "leave": counts.get(AttendanceStatus.LEAVE, 0),
        "absent": counts.get(AttendanceStatus.ABSENT, 0),
        "recent": list(mine[:LIST_LIMIT]),
        "next": due_items(me.org, today, can_record=False, only=holders),
        "year": year,
    }
