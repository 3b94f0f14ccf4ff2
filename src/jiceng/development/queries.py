"""Unscoped building blocks of the development figures: who was at which stage on a day, who was
developed in a period. No actor, no scope: selectors scope, indicators group by ``org__path``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from .models import Applicant

# the stage a record is at on a day, from its dates: each stage ends when the next begins or the
# record ends (the approval makes a probationary member, who is counted by people from then on)
_NOT_ENDED = Q(ended_on__isnull=True)


def _open(day: dt.date) -> Q:
    return _NOT_ENDED | Q(ended_on__gt=day)


def _until(field: str, day: dt.date) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": day})


def applicants_on(day: dt.date) -> QuerySet:
    """入党申请人 on ``day``: applied, not yet an activist."""
    return Applicant.objects.filter(Q(applied_on__lte=day) & _until("activist_on", day) & _open(day))


def activists_on(day: dt.date) -> QuerySet:
    """入党积极分子 on ``day``: an activist, not yet a development candidate."""
    return Applicant.objects.filter(Q(activist_on__lte=day) & _until("candidate_on", day) & _open(day))


def candidates_on(day: dt.date) -> QuerySet:
    """发展对象 on ``day``: a candidate, not yet approved as a probationary member."""
    return Applicant.objects.filter(Q(candidate_on__lte=day) & _until("approved_on", day) & _open(day))


def developed_between(start: dt.date, end: dt.date) -> QuerySet:
    """Members developed in the period: the higher committee approved them (the member exists),
    with the branch assembly's date — their 入党日期 — in the period; a record whose approval came
    after the period's end is not counted for it."""
    return Applicant.objects.filter(
        admitted_on__gte=start, admitted_on__lte=end, approved_on__isnull=False, approved_on__lte=end
    )


def educated_levels() -> tuple[str, ...]:
    """大专及以上 (college diploma and above), as cadres count an educated new member."""
    return ("postgraduate", "bachelor", "college")
