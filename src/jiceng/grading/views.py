"""Grading pages: rounds, the 000-R2 distribution, confirming or overriding a grade, rectification
plans (一支一策) and their closure (挂账销号); the ledgers are in grading/ledgers.py.

Thin: parse with a form, call a selector or service, render. Every form also works without htmx
(POST, then redirect with a message); forms that carry several actions name theirs in ``action``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core.errors import DomainError, NotFound
from jiceng.core.roles import Perm
from jiceng.core.scoping import can_access_org
from jiceng.core.selectors import org_get
from jiceng.core.web import ensure, form_errors

from . import selectors, services
from .forms import (
    GradeConfirmForm,
    GradeFilterForm,
    MeasureCompleteForm,
    MeasureFormSet,
    PlanCloseForm,
    PlanFilterForm,
    PlanForm,
    RoundOpenForm,
    RoundReopenForm,
)
from .models import Grade, GradingRound, PlanStatus, RectificationMeasure, RectificationPlan
from .plugin import GRADE
from .scoring import bottom_quota

MEASURE_ROWS = 3  # blank measure rows offered on a new plan; "add a row" adds one more

WEAK_SIGNS = {
    "silent": gettext_lazy("A branch without organisational life for the rule's months"),
    "main_leader_vacant": gettext_lazy("Main leader post vacant"),
}
FACTOR_LABELS = [
    ("compliance", gettext_lazy("Meetings held vs required")),
    ("participation", gettext_lazy("Participation")),
    ("education", gettext_lazy("Education coverage")),
    ("committee", gettext_lazy("Party committee seats filled")),
]


def _decorate(grade: Grade, rnd: GradingRound) -> Grade:
    """Labels for the template, which cannot call level_label(key)."""
    grade.proposed_label = rnd.level_label(grade.proposed)
    grade.final_label = rnd.level_label(grade.final) if grade.final else ""
    grade.weak_sign_labels = [WEAK_SIGNS.get(s, s) for s in grade.factors.get("weak_signs", [])]
    grade.plan_obj = selectors.plan_of(grade)
    # confirmed before the round was reopened and not since: its year's records are open again
    grade.awaiting = bool(rnd.reopened_at and grade.confirmed_at and grade.confirmed_at <= rnd.reopened_at)
    return grade


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


# --- rounds ---------------------------------------------------------------------------------------


@login_required
def grading_rounds(request: HttpRequest) -> HttpResponse:
    committees = list(selectors.grading_committees(actor=request.user))
    form = None
    if committees:
        today = timezone.localdate()
        # annual grading is done at the year's end or early in the next
        default_year = today.year if today.month >= 7 else today.year - 1
        choices = [(o.pk, f"{'　' * (o.depth - committees[0].depth)}{o.name}") for o in committees]
        form = RoundOpenForm(
            request.POST or None, org_choices=choices, initial={"org": committees[0].pk, "year": default_year}
        )
        if request.method == "POST" and form.is_valid():
            try:
                org = org_get(actor=request.user, org_id=form.cleaned_data["org"])
                rnd = services.round_open(actor=request.user, org=org, year=form.cleaned_data["year"])
            except NotFound:
                form.add_error("org", _("Organisation: not found or outside your scope."))
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The grading for %(year)s is open: check each proposal, then confirm or override it.")
                    % {"year": rnd.year},
                )
                return redirect("grading_round", round_id=rnd.pk)
    elif request.method == "POST":
        raise NotFound()
    return render(
        request, "grading/rounds.html", {"rounds": selectors.rounds_for(actor=request.user), "form": form}
    )


def _grade_filters(request: HttpRequest, rnd: GradingRound) -> tuple[GradeFilterForm, dict]:
    form = GradeFilterForm(request.GET or None, levels=rnd.levels)
    filters = {"level": "", "lagging": "", "q": ""}
    if form.is_valid():
        filters = {k: (form.cleaned_data.get(k) or "").strip() for k in filters}
    return form, filters


@login_required
def grading_round(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = selectors.round_get(actor=request.user, round_id=round_id)
    # as the service checks it: whoever confirms the round's grades may reopen it
    can_grade = can_access_org(request.user, GRADE, rnd.org)
    reopen_form = RoundReopenForm()
    if request.method == "POST":
        if not can_grade:
            raise NotFound()
        reopen_form = RoundReopenForm(request.POST)
        if request.POST.get("action") == "reopen" and reopen_form.is_valid():
            try:
                services.round_reopen(actor=request.user, rnd=rnd, reason=reopen_form.cleaned_data["reason"])
            except DomainError as exc:
                form_errors(reopen_form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The round is reopened: the year's organisational life can be corrected. "
                        "Re-confirm each grade afterwards; a re-confirmed grade locks its records again."
                    ),
                )
                return redirect("grading_round", round_id=rnd.pk)
    form, filters = _grade_filters(request, rnd)
    page = Paginator(selectors.grades_for(actor=request.user, rnd=rnd, **filters), 50).get_page(
        request.GET.get("page")
    )
    for g in page:
        _decorate(g, rnd)
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"round": rnd, "form": form, "page": page, "query": query.urlencode()}
    if request.htmx:
        return render(request, "grading/round.html#results", ctx)

    rows = selectors.distribution(actor=request.user, rnd=rnd)
    total = sum(r["count"] for r in rows)
    for r in rows:
        r["percent"] = _percent(r["share"])
    summary = selectors.round_summary(actor=request.user, rnd=rnd)
    # the quota is ⌈share × N⌉ of the whole round: only meaningful to someone who sees all of it
    whole = can_access_org(request.user, Perm.VIEW_ORG, rnd.org)
    ctx.update(
        {
            "rows": rows,
            "total": total,
            "summary": summary,
            "whole": whole,
            "quota": bottom_quota(rnd.bottom_share, total) if whole else None,
            "bottom_percent": _percent(rnd.bottom_share),
            # grades that lock the year's records now (the service counts them again)
            "can_reopen": can_grade and summary["confirmed"] - summary["awaiting"] > 0,
            "reopen_form": reopen_form,
        }
    )
    return render(request, "grading/round.html", ctx)


# --- one grade ------------------------------------------------------------------------------------


def _measure_formset(data=None) -> MeasureFormSet:
    return MeasureFormSet(data, prefix="m", initial=None if data is not None else [{}] * MEASURE_ROWS)


@login_required
def grade_detail(request: HttpRequest, grade_id: int) -> HttpResponse:
    grade = selectors.grade_get(actor=request.user, grade_id=grade_id)
    rnd = grade.round
    _decorate(grade, rnd)
    # as the services check it: the committee that runs the round decides
    can_grade = can_access_org(request.user, GRADE, rnd.org)
    initial = {"final": grade.final or grade.proposed, "lagging": grade.lagging, "reason": grade.reason}
    confirm_form = GradeConfirmForm(initial=initial, levels=rnd.levels)
    plan_form, formset, plan_errors = PlanForm(), _measure_formset(), {}
    action = request.POST.get("action", "")

    if request.method == "POST":
        if not can_grade:
            raise NotFound()
        if action == "confirm":
            confirm_form = GradeConfirmForm(request.POST, levels=rnd.levels)
            if confirm_form.is_valid():
                d = confirm_form.cleaned_data
                try:
                    services.grade_confirm(
                        actor=request.user,
                        grade=grade,
                        final=d["final"],
                        lagging=d["lagging"],
                        reason=d["reason"],
                    )
                except DomainError as exc:
                    form_errors(confirm_form, exc)
                else:
                    messages.success(
                        request,
                        _("Grade overridden; the reason is on record.")
                        if grade.reason
                        else _("Grade confirmed."),
                    )
                    return redirect("grade_detail", grade_id=grade.pk)
        elif action in ("plan", "add_row"):
            data = request.POST.copy()
            if action == "add_row":
                rows = data.get("m-TOTAL_FORMS", "")
                data["m-TOTAL_FORMS"] = str((int(rows) if rows.isdigit() else MEASURE_ROWS) + 1)
            plan_form, formset = PlanForm(data), _measure_formset(data)
            if action == "plan" and plan_form.is_valid() and formset.is_valid():
                measures = [
                    (
                        f.cleaned_data.get("description", ""),
                        f.cleaned_data.get("owner", ""),
                        f.cleaned_data.get("deadline"),
                    )
                    for f in formset
                ]
                try:
                    plan = services.plan_create(
                        actor=request.user,
                        grade=grade,
                        problems=plan_form.cleaned_data["problems"],
                        measures=measures,
                    )
                except DomainError as exc:
                    plan_errors = form_errors(plan_form, exc, elsewhere=("measures", "grade"))
                else:
                    messages.success(request, _("Rectification plan created."))
                    return redirect("plan_detail", plan_id=plan.pk)
        else:
            return redirect("grade_detail", grade_id=grade.pk)

    factors = [(label, _percent(grade.factors.get(key))) for key, label in FACTOR_LABELS]
    flow = selectors.grade_flow(actor=request.user, grade=grade)
    return render(
        request,
        "grading/grade_detail.html",
        {
            "grade": grade,
            "round": rnd,
            "factors": factors,
            "plan": grade.plan_obj,
            "can_grade": can_grade,
            "confirm_form": confirm_form,
            "plan_form": plan_form,
            "formset": formset,
            "plan_errors": plan_errors,
            # offered when the workflow would take it now (not during a county's own stage, say)
            "can_plan": can_grade
            and grade.plan_obj is None
            and any(o.transition.key == "plan" and o.allowed for o in (flow["options"] if flow else ())),
            "can_audit": can_access_org(request.user, Perm.VIEW_AUDIT, grade.org),
            "flow": flow,
        },
    )


# --- plans ----------------------------------------------------------------------------------------


def _plan_filters(request: HttpRequest) -> tuple[PlanFilterForm, dict]:
    form = PlanFilterForm(request.GET or None)
    filters = {"status": "", "overdue": False}
    if form.is_valid():
        filters = {"status": form.cleaned_data["status"], "overdue": form.cleaned_data["overdue"]}
    return form, filters


@login_required
def rectification_plans(request: HttpRequest) -> HttpResponse:
    form, filters = _plan_filters(request)
    page = Paginator(selectors.plans_for(actor=request.user, **filters), 50).get_page(request.GET.get("page"))
    for p in page:
        p.grade.level_label = p.grade.round.level_label(p.grade.final or p.grade.proposed)
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate()}
    template = "grading/plans.html#results" if request.htmx else "grading/plans.html"
    return render(request, template, ctx)


def _plan_page(
    request: HttpRequest,
    plan: RectificationPlan,
    *,
    close_form: PlanCloseForm | None = None,
    bound: tuple[int, MeasureCompleteForm] | None = None,
) -> HttpResponse:
    can_grade = can_access_org(request.user, GRADE, plan.grade.org)  # measures: as measure_complete
    can_close = can_access_org(request.user, GRADE, plan.grade.round.org)  # as plan_close
    is_open = plan.status == PlanStatus.OPEN
    today = timezone.localdate()
    measures = selectors.plan_measures(plan)
    for m in measures:
        m.overdue = m.done_on is None and m.deadline < today
        m.form = None
        if can_grade and is_open and m.done_on is None:
            if bound and bound[0] == m.pk:
                m.form = bound[1]
            else:
                m.form = MeasureCompleteForm(initial={"done_on": today}, auto_id=f"id_m{m.pk}_%s")
    rnd = plan.grade.round
    return render(
        request,
        "grading/plan_detail.html",
        {
            "plan": plan,
            "grade": plan.grade,
            "round": rnd,
            "measures": measures,
            "level_label": rnd.level_label(plan.grade.final or plan.grade.proposed),
            "can_grade": can_grade,
            "is_open": is_open,
            "close_form": (close_form or PlanCloseForm()) if can_close and is_open else None,
            "can_audit": can_access_org(request.user, Perm.VIEW_AUDIT, plan.grade.org),
        },
    )


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, plan_id=plan_id)
    if request.method != "POST":
        return _plan_page(request, plan)
    ensure(request.user, GRADE, org=plan.grade.org)
    form = PlanCloseForm(request.POST)
    if form.is_valid():
        try:
            services.plan_close(actor=request.user, plan=plan, closure_note=form.cleaned_data["closure_note"])
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Plan closed (挂账销号)."))
            return redirect("plan_detail", plan_id=plan.pk)
    return _plan_page(request, plan, close_form=form)


@login_required
def measure_complete(request: HttpRequest, measure_id: int) -> HttpResponse:
    """POST marks one measure done; GET shows its plan with the measure's form."""
    measure: RectificationMeasure = selectors.measure_get(actor=request.user, measure_id=measure_id)
    plan = selectors.plan_get(actor=request.user, plan_id=measure.plan_id)
    if request.method != "POST":
        return _plan_page(request, plan)
    ensure(request.user, GRADE, org=plan.grade.org)
    form = MeasureCompleteForm(request.POST, auto_id=f"id_m{measure.pk}_%s")
    if form.is_valid():
        try:
            services.measure_complete(
                actor=request.user,
                measure=measure,
                done_on=form.cleaned_data["done_on"],
                evidence=form.cleaned_data["evidence"],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Measure marked as done."))
            return redirect("plan_detail", plan_id=plan.pk)
    return _plan_page(request, plan, bound=(measure.pk, form))
