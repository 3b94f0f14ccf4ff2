"""The grading app's cases for the authorisation matrix (core.kit.AuthzCases)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.core import kit

from . import services
from .models import Grade, GradingRound, RectificationMeasure, RectificationPlan


def _records(w) -> dict:
    county, today = w.users["county"], timezone.localdate()
    rnd = services.round_open(actor=county, org=w.town_b_org, year=today.year)
    grade = services.grade_confirm(
        actor=county, grade=rnd.grades.get(org=w.branch_b), lagging=True, reason="matrix"
    )
    plan = services.plan_create(
        actor=county,
        grade=grade,
        problems="组织生活不正常",
        measures=[("恢复三会一课", "支部书记", dt.date(today.year, 12, 31))],
    )
    return {"round": rnd, "grade": grade, "plan": plan, "measure": plan.measures.get()}


def _today() -> dt.date:
    return timezone.localdate()


CASES = kit.AuthzCases(
    records=_records,
    params={
        "round_id": lambda w, r: r["round"].pk,
        "grade_id": lambda w, r: r["grade"].pk,
        "plan_id": lambda w, r: r["plan"].pk,
        "measure_id": lambda w, r: r["measure"].pk,
        "instance_id": lambda w, r: r["grade"].workflow_id,
    },  # B's grade in the grading workflow
    write_bodies={
        ("post", "/api/v1/grading/grades/{grade_id}/confirm"): lambda w, r: {"final": None, "reason": "越权"},
        ("post", "/api/v1/grading/grades/{grade_id}/plan"): lambda w, r: {
            "problems": "越权",
            "measures": [{"description": "x", "owner": "y", "deadline": f"{_today().year}-12-31"}],
        },
        ("post", "/api/v1/grading/measures/{measure_id}/complete"): lambda w, r: {
            "done_on": _today().isoformat(),
            "evidence": "越权",
        },
        ("post", "/api/v1/grading/plans/{plan_id}/close"): lambda w, r: {"closure_note": "越权"},
        ("post", "/api/v1/grading/rounds"): lambda w, r: {"org": w.town_b_org.pk, "year": _today().year - 1},
        ("post", "/api/v1/grading/rounds/{round_id}/reopen"): lambda w, r: {"reason": "越权"},
    },
    page_writes={
        "grading_rounds": lambda w, r: {"org": w.town_b_org.pk, "year": timezone.localdate().year - 1},
    },
    state=lambda w: {
        "rounds": GradingRound.objects.count(),
        "rounds_b": list(
            GradingRound.objects.filter(org=w.town_b_org)
            .order_by("pk")
            .values("pk", "reopened_at", "reopen_reason")
        ),
        "grades_b": list(Grade.objects.filter(org=w.branch_b).order_by("pk").values()),
        "plans": list(RectificationPlan.objects.order_by("pk").values("pk", "status", "closure_note")),
        "measures": list(RectificationMeasure.objects.order_by("pk").values("pk", "done_on", "evidence")),
    },
    # grading writes need the grading right, which a branch secretary does not hold: 乙镇's own
    # committee officer makes them (a write may fail validation, 400, which still shows scoping let it through)
    b_writer_roles={"/api/v1/grading/": "township_admin"},
)
