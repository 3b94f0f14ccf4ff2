"""Development ledgers (core.ledgers): the register of records (发展党员工作台账: one row per
person, the stage dates, the guides and introducers) and every step as it was recorded. Both read
the records the exporting user may see, below the chosen organisation, applied by the period's end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from jiceng.core.ledgers import Ledger, LedgerRequest, Sheet, register
from jiceng.people import queries as people_queries

from . import selectors
from .models import Link, LinkRole, Step
from .steps import BY_CODE
from .workflows import OTHER

CHUNK = 2000
STAGE_ZH = {
    "applicant": "入党申请人",
    "activist": "入党积极分子",
    "candidate": "发展对象",
    "probationary": "预备党员",
    "full": "正式党员",
    "ended": "已终止",
}
OTHER_ZH = {code: label for code, label, _s, _t in OTHER}

REGISTER_HEADERS = (
    "姓名",
    "性别",
    "出生日期",
    "学历",
    "党支部",
    "所处阶段",
    "农民工",
    "递交申请日期",
    "确定积极分子日期",
    "确定发展对象日期",
    "支部大会通过日期（入党日期）",
    "上级党委审批日期",
    "预备期满日期",
    "转正日期",
    "培养联系人",
    "入党介绍人",
    "终止日期",
    "终止原因",
)
STEP_HEADERS = ("姓名", "党支部", "步骤", "日期", "经办人", "材料", "说明", "例外说明")


def _records(req: LedgerRequest) -> QuerySet:
    qs = selectors.applicants_for(actor=req.actor)
    if req.org is not None:
        qs = qs.filter(org__path__startswith=req.org.path)
    if req.period is not None:
        qs = qs.filter(applied_on__lte=req.period.as_of)
    return qs.order_by("org__path", "applied_on", "pk")


def _names(ids: list[int]) -> dict[tuple[int, str], str]:
    out: dict[tuple[int, str], list[str]] = {}
    for link in Link.objects.filter(applicant_id__in=ids).select_related("member__person").order_by("pk"):
        out.setdefault((link.applicant_id, link.role), []).append(link.member.person.name)
    return {k: "、".join(v) for k, v in out.items()}


def _register(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    qs = _records(req)
    last = 0
    gender = {"male": "男", "female": "女"}
    education = dict(people_queries.person_choices()["education"])
    while True:
        chunk = list(qs.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            return
        names = _names([a.pk for a in chunk])
        for a in sorted(chunk, key=lambda a: (a.org.path, a.applied_on, a.pk)):
            p = a.person
            yield (
                p.name,
                gender.get(p.gender, ""),
                p.birth_date,
                str(education.get(p.education, "")),
                a.org.name,
                STAGE_ZH[a.stage],
                "是" if a.migrant_worker else "否",
                a.applied_on,
                a.activist_on,
                a.candidate_on,
                a.admitted_on,
                a.approved_on,
                a.probation_ends_on,
                a.full_on,
                names.get((a.pk, LinkRole.GUIDE), ""),
                names.get((a.pk, LinkRole.INTRODUCER), ""),
                a.ended_on,
                a.end_reason,
            )
        last = chunk[-1].pk


def _steps(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    ids = _records(req).values("pk")
    qs = Step.objects.filter(applicant__in=ids).select_related("applicant__person", "applicant__org")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            return
        for s in chunk:
            d = BY_CODE.get(s.code)
            label = f"{d.number}. {d.label}" if d else OTHER_ZH.get(s.code, s.code)
            yield (
                s.applicant.person.name,
                s.applicant.org.name,
                label,
                s.done_on,
                s.people,
                s.document,
                s.note,
                s.exception_reason,
            )
        last = chunk[-1].pk


register(
    Ledger(
        key="development.register",
        title="发展党员工作台账",
        description="入党申请人、积极分子、发展对象和预备党员：各阶段日期、培养联系人和入党介绍人；另一页为每个步骤的记录。",
        sheets=(Sheet("发展党员台账", REGISTER_HEADERS, _register), Sheet("步骤记录", STEP_HEADERS, _steps)),
        personal=True,
        count=lambda req: _records(req).count(),
        target_type="development.applicant",
        order=30,
    )
)
