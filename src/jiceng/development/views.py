"""Member development pages: the board of a branch (and the stage counts of a township or the
county), the application form, one record with its steps and what can be done next, the form of
one step, the plans, the documents' photos. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import photos
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import OrgKind
from jiceng.core.roles import Perm
from jiceng.core.scoping import can_access_org
from jiceng.core.web import form_errors, needs
from jiceng.people import selectors as people_selectors

from . import selectors, services
from .forms import ApplyForm, BoardFilterForm, EndForm, PlanForm, StepForm
from .models import Stage
from .plugin import APPROVE, DEVELOP, EXCEPTION
from .steps import BY_CODE, STAGES
from .workflows import WAIVABLE

PAGE = 30


def _org(request: HttpRequest):
    org_id = request.GET.get("org") or request.POST.get("org_scope")
    if org_id:
        return selectors.org_get(actor=request.user, org_id=org_id)
    org = selectors.home_org(actor=request.user)
    if org is None:
        raise NotFound()
    return org


@login_required
@needs(Perm.VIEW_MEMBER)
def board(request: HttpRequest) -> HttpResponse:
    actor = request.user
    org = _org(request)
    form = BoardFilterForm(request.GET or None)
    stage, q, overdue = "", "", False
    if form.is_bound and form.is_valid():
        stage, q, overdue = (
            form.cleaned_data["stage"],
            form.cleaned_data["q"].strip(),
            form.cleaned_data["overdue"],
        )
    qs = selectors.board(actor=actor, org=org, stage=stage, q=q)
    rows_all = None
    if overdue:  # the dues are computed per record from the rules: filter after, on at most 2,000
        rows_all = [r for r in selectors.board_rows(actor=actor, applicants=list(qs[:2000])) if r.overdue]
        page = Paginator(rows_all, PAGE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
    else:
        page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
        rows = selectors.board_rows(actor=actor, applicants=list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    is_branch = org.kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.GROUP)
    return render(
        request,
        "development/board.html",
        {
            "org": org,
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "counts": None if is_branch else selectors.stage_counts(actor=actor, org=org),
            "stages": [s for s in Stage.choices if s[0] != Stage.ENDED and s[0] != Stage.FULL],
            "can_apply": can_access_org(actor, DEVELOP, org),
            "can_plan": can_access_org(actor, APPROVE, org),
        },
    )


@login_required
@needs(DEVELOP)
def apply(request: HttpRequest) -> HttpResponse:
    actor = request.user
    org = _org(request)
    branches = list(selectors.branches(actor=actor, within=org)[:500])
    if not branches:
        raise NotFound()
    chosen = next(
        (b for b in branches if str(b.pk) == (request.POST.get("org") or request.GET.get("branch"))),
        branches[0],
    )
    persons = (
        list(people_selectors.village_person_choices(actor=actor, village=chosen.area))
        if chosen.area_id
        else []
    )
    form = ApplyForm(request.POST or None, branches=branches, persons=persons, initial={"org": chosen.pk})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        branch = next(b for b in branches if b.pk == d["org"])
        person = next((p for p in persons if p.pk == d["person"]), None)
        person_data = None
        if person is None:
            person_data = {
                "name": d["name"],
                "gender": d["gender"],
                "id_number": d["id_number"],
                "birth_date": d["birth_date"],
                "education": d["education"],
                "phone": d["phone"],
                "area": branch.area,
            }
        try:
            applicant = services.apply(
                actor=actor,
                org=branch,
                applied_on=d["applied_on"],
                person=person,
                person_data=person_data,
                migrant_worker=d["migrant_worker"],
                host_outside=d["host_outside"],
                document=d["document"],
                note=d["note"],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The application is registered."))
            return redirect("development_record", applicant_id=applicant.pk)
    return render(request, "development/apply.html", {"form": form, "org": org})


@login_required
@needs(Perm.VIEW_MEMBER)
def record(request: HttpRequest, applicant_id: int) -> HttpResponse:
    actor = request.user
    applicant = selectors.applicant_get(actor=actor, applicant_id=applicant_id)
    steps = selectors.steps_of(actor=actor, applicant=applicant)
    labels = {s.code: s for s in BY_CODE.values()}
    return render(
        request,
        "development/record.html",
        {
            "a": applicant,
            "steps": [(s, labels.get(s.code)) for s in steps],
            "next_steps": selectors.next_steps(actor=actor, applicant=applicant),
            "links": selectors.links_of(actor=actor, applicant=applicant),
            "state": selectors.board_rows(actor=actor, applicants=[applicant])[0],
            "stages": STAGES,
            "can_end": can_access_org(
                actor, APPROVE if applicant.stage == Stage.PROBATIONARY else DEVELOP, applicant.org
            )
            and applicant.stage in selectors.OPEN_STAGES,
        },
    )


@login_required
@needs(Perm.VIEW_MEMBER)
def step(request: HttpRequest, applicant_id: int, code: str) -> HttpResponse:
    actor = request.user
    applicant = selectors.applicant_get(actor=actor, applicant_id=applicant_id)
    ways = {n.code: n for n in selectors.next_steps(actor=actor, applicant=applicant)}
    if code not in ways:
        raise NotFound()
    way = ways[code]
    d = BY_CODE.get(code)
    members = (
        selectors.member_choices(actor=actor, applicant=applicant)
        if d and {"guides", "introducers"} & set(d.fields)
        else []
    )
    waivable = code in WAIVABLE and can_access_org(actor, EXCEPTION, applicant.org)
    form = StepForm(
        request.POST or None,
        request.FILES or None,
        own=d.fields if d else (),
        members=members,
        waivable=waivable,
        initial={"on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.record_step(
                actor=actor,
                applicant=applicant,
                step=services.StepIn(
                    code=code,
                    on=c["on"],
                    people=c.get("people", ""),
                    document=c.get("document", ""),
                    note=c.get("note", ""),
                    data=form.step_data(),
                    exception_reason=c.get("exception_reason", ""),
                ),
                uploads=c.get("photos") or [],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The step is recorded."))
            return redirect("development_record", applicant_id=applicant.pk)
    return render(
        request,
        "development/step.html",
        {
            "a": applicant,
            "way": way,
            "form": form,
            "files_lost": request.method == "POST" and bool(request.FILES),
        },
    )


@login_required
@needs(Perm.VIEW_MEMBER)
def end(request: HttpRequest, applicant_id: int) -> HttpResponse:
    actor = request.user
    applicant = selectors.applicant_get(actor=actor, applicant_id=applicant_id)
    form = EndForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.end(
                actor=actor,
                applicant=applicant,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The record is ended."))
            return redirect("development_record", applicant_id=applicant.pk)
    return render(request, "development/end.html", {"a": applicant, "form": form})


@login_required
@needs(Perm.VIEW_MEMBER)
def plans(request: HttpRequest) -> HttpResponse:
    actor = request.user
    org = _org(request)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), timezone.localdate().year + 1)
    rows = selectors.plans(actor=actor, org=org, year=year)
    committees = [r.org for r in rows if can_access_org(actor, APPROVE, r.org)]
    form = PlanForm(request.POST or None, committees=committees, initial={"year": year, "org": org.pk})
    if request.method == "POST":
        if not committees:
            raise NotFound()
        if form.is_valid():
            d = form.cleaned_data
            target = next(c for c in committees if c.pk == d["org"])
            try:
                services.plan_set(
                    actor=actor,
                    org=target,
                    year=d["year"],
                    members=d["members"],
                    activists=d["activists"],
                    migrant_members=d["migrant_members"] or 0,
                )
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The plan is saved."))
                return redirect(f"{reverse('development_plans')}?org={org.pk}&year={d['year']}")
    return render(
        request,
        "development/plans.html",
        {
            "org": org,
            "year": year,
            "rows": rows,
            "form": form if committees else None,
            "years": range(year - 2, year + 2),
        },
    )


@login_required
@needs(Perm.VIEW_MEMBER)
def photo(request: HttpRequest, step_photo_id: int) -> HttpResponse:
    p = selectors.photo_get(actor=request.user, photo_id=step_photo_id)
    return photos.response(p.name, p.content_type)
