"""Grading's public, unscoped read layer: which confirmed grades lock a year's records.

A confirmed grade fixes the figures it was confirmed on. So that it never changes silently, the
organisational life of the graded organisation's subtree in the graded year is locked: a meeting of
that organisation or of any organisation below it (its branches, their party groups), dated in that
year, can be neither recorded, corrected nor withdrawn (core.kit.period_lock, which orglife asks).
Reopening the round (services.round_reopen) lifts the lock of every grade confirmed before it; a
grade confirmed again afterwards locks again (docs/organisational-life.md, "Corrections").
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, QuerySet

from jiceng.core.models import Org
from jiceng.core.rulepacks import ancestor_paths

from .models import Grade


def locking_grades() -> QuerySet[Grade]:
    """Grades that lock their year: confirmed, and not before their round was last reopened."""
    return Grade.objects.filter(confirmed_at__isnull=False).filter(
        Q(round__reopened_at__isnull=True) | Q(confirmed_at__gt=F("round__reopened_at"))
    )


def period_lock(org: Org, on_date: dt.date) -> str | None:
    """Registered as grading's ``period_locks`` (core.kit.AppPlugin): the reason why records of
    ``org`` dated ``on_date`` are locked, or None. A meeting counts toward the grade of its own
    organisation and of the organisations above it (a party group's meeting toward its branch's,
    a branch's toward its village committee's), so those grades are the ones asked; a grade below
    the meeting's organisation is not (a meeting is held by a branch or a party group, which have
    no graded organisation below them)."""
    grade = (
        locking_grades()
        .filter(round__year=on_date.year, org__path__in=ancestor_paths(org.path))
        .select_related("org", "round__org")
        .order_by("-org__depth")
        .first()
    )
    if grade is None:
        return None
    committee = grade.round.org.name
    return (
        f"{on_date.year}年度{grade.org.name}的评定等次已由{committee}确认，该年度的组织生活记录已锁定，"
        f"不能新增、更正或撤销；确需修改的，请{committee}先重新开放该年度评定。"
    )
