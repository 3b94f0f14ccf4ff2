"""The staff pages of residents' requests: the handler's queue and the case list, filing a case on a
resident's behalf, the case page with every step the actor may take now (and why the others are
refused), a department's, a mediator's and a court liaison's pages. Thin: parse with a form, call a
selector or a service, render. The residents' own pages are in public.py."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from jiceng.core import lookup, photos, workflows
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.scoping import can_access_area, can_access_org, has_perm_anywhere, roles_held
from jiceng.core.web import form_errors, needs

from . import selectors, services
from .forms import (
    AdvanceForm,
    AgreementForm,
    CaseFilterForm,
    CourtOutcomeForm,
    CourtPushForm,
    EmptyForm,
    EnforcementReportForm,
    HandOnForm,
    MediatorForm,
    NoteForm,
    ReasonForm,
    ReportInForm,
    ResolveForm,
    StaffCaseForm,
    WageForm,
    WhistleForm,
)
from .models import OPEN_STATES, Case, Channel, Kind, State
from .plugin import (
    DEPARTMENT_WORK,
    ENTER_CASE,
    HANDLE_CASE,
    MEDIATE,
    PUSH_ENFORCEMENT,
    VIEW_CASE,
    WHISTLE,
)

PAGE_SIZE = 50
TABS = ("mine", "all", "overdue")
MEMBER_CHOICES = 200  # members a whistle form lists (those with an account in the village)


# --- shared helpers ------------------------------------------------------------------------------------


def _query_without(request: HttpRequest, *keys: str) -> str:
    query = request.GET.copy()
    for k in keys:
        query.pop(k, None)
    return query.urlencode()


def grouped_categories(categories) -> list[tuple[str, list[tuple[int, str]]]]:
    """(group, [(id, name)]) in the catalogue's order: the grouped select of a case form."""
    groups: OrderedDict[str, list[tuple[int, str]]] = OrderedDict()
    for c in categories:
        groups.setdefault(c.group or _("Other"), []).append((c.pk, c.name))
    return list(groups.items())


def _overdue(case: Case, now: dt.datetime) -> bool:
    if case.state == State.RECEIVED and case.respond_due_at < now:
        return True
    return case.state in OPEN_STATES and case.due_at < now


def case_rows(cases, now: dt.datetime) -> list[dict[str, Any]]:
    """A list's rows: the case, the time it is due by next (acceptance, then resolution) and
    whether it is past it."""
    return [
        {
            "case": c,
            "due": c.respond_due_at if c.state == State.RECEIVED else c.due_at,
            "accept_due": c.state == State.RECEIVED,
            "overdue": _overdue(c, now),
        }
        for c in cases
    ]


def _cnav(actor) -> dict[str, bool]:
    """Which of the app's pages the sub-menu offers (the actor's rights anywhere)."""
    return {
        "view": has_perm_anywhere(actor, VIEW_CASE),
        "enter": has_perm_anywhere(actor, ENTER_CASE),
        "department": selectors.is_department_staff(actor),
        "mediate": "mediator" in roles_held(actor),
        "court": "court_liaison" in roles_held(actor),
    }


def _safe_next(request: HttpRequest) -> str:
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return ""


# --- the queue and the case list ---------------------------------------------------------------------


def _filters(form: CaseFilterForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "state": d.get("state") or "",
        "kind": d.get("kind") or "",
        "category": d.get("category"),
        "channel": d.get("channel") or "",
        "overdue": bool(d.get("overdue")),
        "since": d.get("since"),
        "until": d.get("until"),
        "q": (d.get("q") or "").strip(),
    }


@login_required
@require_safe
@needs(VIEW_CASE)
def cases_queue(request: HttpRequest) -> HttpResponse:
    """我的待办 (the cases handled where the actor handles), 全部 (every case in scope, filtered)
    and 超期 (open cases past their time limit, in scope)."""
    actor = request.user
    can_handle = has_perm_anywhere(actor, HANDLE_CASE)
    tab = request.GET.get("tab") or ("mine" if can_handle else "all")
    if tab not in TABS:
        tab = "all"
    form = None
    qs = None
    if tab == "mine":
        qs = selectors.queue(actor)
    elif tab == "overdue":
        qs = selectors.overdue(actor)
    else:
        categories = grouped_categories(selectors.categories_for_actor(actor, VIEW_CASE))
        form = CaseFilterForm(request.GET, category_choices=categories)
        if form.is_valid():
            qs = selectors.search(actor, _filters(form))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")) if qs is not None else None
    return render(
        request,
        "cases/queue.html",
        {
            "tab": tab,
            "form": form,
            "page": page,
            "rows": case_rows(page, timezone.now()) if page is not None else [],
            "query": _query_without(request, "page"),
            "can_handle": can_handle,
            "cnav": _cnav(actor),
        },
    )


@never_cache
@login_required
@require_GET
def cases_place_lookup(request: HttpRequest) -> HttpResponse:
    """The place search of the case forms (core.widgets.SearchSelect): villages, communities and
    grids in the actor's scope for ``perm`` (entering a case, or a court's push)."""
    actor = request.user
    if not (has_perm_anywhere(actor, ENTER_CASE) or has_perm_anywhere(actor, PUSH_ENFORCEMENT)):
        raise NotFound()
    perm = request.GET.get("perm") or ENTER_CASE
    if perm not in (ENTER_CASE, PUSH_ENFORCEMENT):
        return lookup.refused(
            request, DomainError(field="perm", message="权限：只能按登记诉求或法院推送的范围查找地点。")
        )
    try:
        q = lookup.search_term(request)
    except DomainError as exc:
        return lookup.refused(request, exc)
    rows = selectors.place_search(actor, perm=perm, q=q, limit=lookup.LIMIT + 1)
    return lookup.options(request, [(a.pk, a.name) for a in rows], q=q)


# --- filing a case ------------------------------------------------------------------------------------


def _channel_choices() -> list[tuple[str, str]]:
    return [(c.value, c.label) for c in Channel if c.value in services.STAFF_CHANNELS]


def _default_channel(actor) -> str:
    roles = roles_held(actor)
    if "hotline_operator" in roles:
        return Channel.HOTLINE
    if "grid_worker" in roles:
        return Channel.VISIT
    return Channel.WINDOW


@login_required
@needs(ENTER_CASE)
def cases_new(request: HttpRequest) -> HttpResponse:
    """登记诉求: staff enter a resident's request (window, phone, visit, 12345 …)."""
    actor = request.user
    categories = [c for c in selectors.categories_for_actor(actor, ENTER_CASE) if c.kind != Kind.ENFORCEMENT]
    wage_ids = {str(c.pk) for c in categories if c.kind == Kind.WAGE}
    kwargs = {
        "category_choices": grouped_categories(categories),
        "channel_choices": _channel_choices(),
        "places": selectors.places_for(actor, ENTER_CASE),
    }
    posted = request.method == "POST"
    if posted:
        form = StaffCaseForm(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            d = form.cleaned_data
            data = services.CaseIn(
                category_id=d["category"],
                severity=d["severity"] or "normal",
                channel=d["channel"],
                title=d["title"],
                description=d["description"],
                area_id=d["area"],
                address=d["address"],
                name=d["name"],
                phone=d["phone"],
                photos=d["photos"],
                wage=services.WageIn(**form.wage_values()),
            )
            try:
                case = services.submit(actor=actor, data=data)
            except NotFound:
                form.add_error("area", "所在村（社区）：不在您可以登记诉求的范围内。")
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Request filed: number %(n)s.") % {"n": case.number})
                return redirect("cases_detail", case_id=case.pk)
    else:
        form = StaffCaseForm(initial={"channel": _default_channel(actor), "severity": "normal"}, **kwargs)
    chosen = str(form["category"].value() or "")
    return render(
        request,
        "cases/new.html",
        {
            "form": form,
            "wage_open": chosen in wage_ids or form.wage_errors(),
            "files_lost": posted and bool(request.FILES),
            "cnav": _cnav(actor),
        },
    )


# --- the case page and its steps ----------------------------------------------------------------------

# data that the workflow's own checks read from a step's form: filled in when asking which steps are
# open now, so that only what the actor cannot do (not what they have yet to type) counts as refused
FILLED = {"reason": "-", "reply": "-"}
# steps on the page (the resident's rating and the closing by itself are not staff's)
STEP_ACTIONS = ("accept", "hand_on", "escalate", "whistle", "report_in", "resolve", "reopen", "dismiss")


@dataclass
class Act:
    form: Any  # form class
    done: str  # msgid of the success message


ACTS: dict[str, Act] = {
    "accept": Act(EmptyForm, gettext_noop("Accepted.")),
    "hand_on": Act(HandOnForm, gettext_noop("Handed on.")),
    "escalate": Act(ReasonForm, gettext_noop("Reported to the next level.")),
    "whistle": Act(WhistleForm, gettext_noop("Whistle blown: those called must report in.")),
    "report_in": Act(ReportInForm, gettext_noop("Reported in.")),
    "resolve": Act(ResolveForm, gettext_noop("Resolved; the resident is asked to rate.")),
    "reopen": Act(ReasonForm, gettext_noop("Reopened.")),
    "dismiss": Act(ReasonForm, gettext_noop("Not accepted; the resident is told why.")),
    "note": Act(NoteForm, gettext_noop("Note added.")),
    "mediator": Act(MediatorForm, gettext_noop("Mediator assigned.")),
    "agreement": Act(AgreementForm, gettext_noop("Mediation agreement recorded.")),
    "wage": Act(WageForm, gettext_noop("Supervision saved.")),
    "enforcement_report": Act(EnforcementReportForm, gettext_noop("Report saved.")),
    "court_outcome": Act(CourtOutcomeForm, gettext_noop("Outcome saved.")),
    "advance": Act(AdvanceForm, gettext_noop("Done.")),
}


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _make_form(action: str, actor, case: Case, data=None, **extra):
    """The form of one action on ``case``, with its choices and, unbound, what is recorded."""
    cls = ACTS[action].form
    # a case page holds several forms (a court's page one per case): ids of their own, so that no
    # two fields share an id and each label names its own field
    kwargs: dict[str, Any] = {"auto_id": f"id_{action}_{case.pk}_%s"}
    initial: dict[str, Any] = dict(extra.get("initial") or {})
    if action == "hand_on":
        kwargs["user_choices"] = [
            (u.pk, str(u)) for u in selectors.handlers_for(actor, case) if u.pk != case.owner_id
        ]
    elif action == "whistle":
        kwargs["department_choices"] = [
            (d.pk, f"{'　' * max(d.depth - 1, 0)}{d.name}")
            for d in selectors.departments_for(actor, case.area)
        ]
        kwargs["member_choices"] = [
            (u.pk, str(u)) for u in selectors.members_near(actor, case)[:MEMBER_CHOICES]
        ]
    elif action == "mediator":
        kwargs["mediator_choices"] = [
            (m.pk, f"{m.user} · {m.get_tier_display()} · {m.area.name}")
            for m in selectors.mediators_for(case.area)
        ]
        initial.setdefault("mediator", case.mediator_id)
    elif action == "agreement":
        initial.setdefault("agreement_on", case.agreement_on)
        initial.setdefault("confirmation_applied_on", case.confirmation_applied_on)
    elif action == "wage":
        claim = extra.get("claim")
        if claim is not None:
            initial = {
                "supervised": claim.supervised,
                "responsible_unit": claim.responsible_unit,
                "responsible_person": claim.responsible_person,
                "police_referred_on": claim.police_referred_on,
                "police_note": claim.police_note,
                "recovered": claim.recovered,
                **initial,
            }
    elif action == "court_outcome":
        req = extra.get("enforcement")
        if req is not None:
            initial = {
                "outcome": req.outcome,
                "outcome_on": req.outcome_on,
                "amount_executed": req.amount_executed,
                **initial,
            }
    if data is not None:
        return cls(data, **kwargs)
    return cls(initial=initial, **kwargs)


def _run(action: str, actor, case: Case, d: dict) -> None:
    if action == "accept":
        services.accept(actor=actor, case=case)
    elif action == "hand_on":
        services.hand_on(actor=actor, case=case, to_user_id=d["to_user"], note=d["note"])
    elif action == "escalate":
        services.escalate(actor=actor, case=case, reason=d["reason"])
    elif action == "whistle":
        services.whistle(
            actor=actor,
            case=case,
            department_ids=d["departments"],
            member_user_ids=d["members"],
            note=d["note"],
        )
    elif action == "report_in":
        services.report_in(actor=actor, case=case, note=d["note"])
    elif action == "resolve":
        services.resolve(actor=actor, case=case, reply=d["reply"])
    elif action == "reopen":
        services.reopen(actor=actor, case=case, reason=d["reason"], exception_reason=d["exception_reason"])
    elif action == "dismiss":
        services.dismiss(actor=actor, case=case, reason=d["reason"])
    elif action == "note":
        services.add_note(actor=actor, case=case, text=d["text"], public=d["public"])
    elif action == "mediator":
        services.assign_mediator(actor=actor, case=case, mediator_id=d["mediator"])
    elif action == "agreement":
        services.record_agreement(
            actor=actor,
            case=case,
            agreement_on=d["agreement_on"],
            confirmation_applied_on=d["confirmation_applied_on"],
        )
    elif action == "wage":
        services.supervise_wage(
            actor=actor,
            case=case,
            supervised=d["supervised"],
            responsible_unit=d["responsible_unit"],
            responsible_person=d["responsible_person"],
            police_referred_on=d["police_referred_on"],
            police_note=d["police_note"],
            recovered=d["recovered"],
        )
    elif action == "enforcement_report":
        services.report_enforcement(
            actor=actor,
            case=case,
            person_located=_yes_no(d["person_located"]),
            contact_made=_yes_no(d["contact_made"]),
            assets_found=d["assets_found"],
            findings=d["findings"],
        )
    elif action == "court_outcome":
        services.record_court_outcome(
            actor=actor,
            case=case,
            outcome=d["outcome"],
            outcome_on=d["outcome_on"],
            amount_executed=d["amount_executed"],
        )
    elif action == "advance":
        services.advance(actor=actor, case=case, action=d["step"], exception_reason=d["exception_reason"])
    else:  # pragma: no cover - ACTS and this list are the same
        raise NotFound()


def whistle_row(w, now: dt.datetime, case_open: bool = True) -> dict[str, Any]:
    """A whistle and the minutes left to report in (or past it), while it is still waited for."""
    left = None
    if w.reported_at is None and case_open:
        left = int((w.report_due_at - now).total_seconds() // 60)
    overdue = left is not None and left < 0
    return {"whistle": w, "minutes_left": left, "overdue": overdue, "minutes_over": -left if overdue else 0}


def _steps(actor, case: Case, instance, bound: dict) -> tuple[list[dict], list[dict]]:
    """The workflow's ways on from where the case stands: those the actor may take now (with
    their forms) and those refused, with every reason (core.workflows.options)."""
    open_steps, refused = [], []
    where = instance.authority or instance.org
    for option in workflows.options(actor=actor, instance=instance):
        t = option.transition
        if t.key in ("rate", "auto_close") or (not t.generic and t.key not in STEP_ACTIONS):
            continue
        blocking = option.fields.get("action", [])
        waivable = False
        if blocking and t.exception_perm and can_access_org(actor, t.exception_perm, where):
            # refused only by its time limit: the exception, with a reason, is open to this actor
            waivable = workflows.evaluate(
                actor=actor, instance=instance, action=t.key, data=FILLED, waive_time=True
            ).allowed
        if t.key == "whistle" and not blocking and not can_access_area(actor, WHISTLE, case.handling_area):
            blocking = ["吹哨：须由当前层级的党组织书记或乡镇（县）负责人吹哨。"]
        if blocking and not waivable:
            refused.append({"key": t.key, "label": t.label, "reasons": blocking})
            continue
        action = "advance" if t.generic else t.key
        form = bound.get(t.key) or (
            AdvanceForm(initial={"step": t.key}, auto_id=f"id_{t.key}_{case.pk}_%s")
            if t.generic
            else _make_form(action, actor, case)
        )
        open_steps.append(
            {
                "key": t.key,
                "action": action,
                "label": t.label,
                "form": form,
                "waivable": waivable,
                "time_reasons": blocking if waivable else [],
            }
        )
    return open_steps, refused


def _extras(actor, case: Case, bound: dict) -> list[dict]:
    """What a case's kind adds beside the workflow: a mediator and the agreement for a dispute,
    supervision for wage arrears, the grid's report and the court's outcome for enforcement."""
    out = []
    handles = can_access_area(actor, HANDLE_CASE, case.handling_area)

    def add(action: str, label: str, **extra):
        out.append(
            {
                "action": action,
                "label": label,
                "form": bound.get(action) or _make_form(action, actor, case, **extra),
            }
        )

    if case.kind == Kind.DISPUTE:
        if handles and case.open:
            add("mediator", _("Mediator"))
        if handles or (case.mediator_id and case.mediator.user_id == actor.pk):
            add("agreement", _("Mediation agreement"))
    elif case.kind == Kind.WAGE and handles:
        claim = selectors.wage_claim(case)
        if claim is not None:
            add("wage", _("Supervision (挂牌督办) and referral"), claim=claim)
    elif case.kind == Kind.ENFORCEMENT:
        req = selectors.enforcement(case)
        if handles and case.open:
            add("enforcement_report", _("The grid's report"))
        if can_access_area(actor, PUSH_ENFORCEMENT, case.area):
            add("court_outcome", _("Court's outcome"), enforcement=req)
    return out


def _render_detail(
    request: HttpRequest, case: Case, bound: dict | None = None, status: int = 200
) -> HttpResponse:
    actor = request.user
    bound = dict(bound or {})
    now = timezone.now()
    instance = selectors.workflow_instance(case)
    open_steps, refused = _steps(actor, case, instance, bound)
    extras = _extras(actor, case, bound)
    note_form = bound.get("note") or _make_form("note", actor, case)
    placed = {s["key"] for s in open_steps} | {e["action"] for e in extras} | {"note"}
    # a form posted for a step no longer open (someone else took it meanwhile): its errors on top
    stray = [
        str(m) for key, f in bound.items() if key not in placed for errs in f.errors.values() for m in errs
    ]
    notes = list(selectors.notes(actor, case))
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "photos": list(selectors.photos(case)),
            "public_notes": [n for n in notes if n.public],
            "internal_notes": [n for n in notes if not n.public],
            "whistles": [whistle_row(w, now, case.open) for w in selectors.whistles(case)],
            "history": workflows.history(instance),
            "steps": open_steps,
            "refused": refused,
            "extras": extras,
            "note_form": note_form,
            "stray_errors": stray,
            "overdue": _overdue(case, now),
            "wage": selectors.wage_claim(case) if case.kind == Kind.WAGE else None,
            "enforcement": selectors.enforcement(case) if case.kind == Kind.ENFORCEMENT else None,
            "cnav": _cnav(actor),
        },
        status=status,
    )


@login_required
@require_safe
def cases_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _render_detail(request, selectors.case(request.user, case_id))


@login_required
@require_POST
def cases_act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """One step or record on a case; refused: the case page again, the form with its errors."""
    case = selectors.case(request.user, case_id)
    if action not in ACTS:
        raise NotFound()
    form = _make_form(action, request.user, case, data=request.POST)
    if form.is_valid():
        try:
            _run(action, request.user, case, form.cleaned_data)
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _(ACTS[action].done))
            return redirect(_safe_next(request) or reverse("cases_detail", kwargs={"case_id": case.pk}))
    key = form.cleaned_data.get("step") if action == "advance" and hasattr(form, "cleaned_data") else None
    # the case as stored (a refused step may have changed the object in memory)
    return _render_detail(request, selectors.case(request.user, case_id), bound={key or action: form})


@never_cache
@login_required
@require_safe
def cases_photo(request: HttpRequest, case_photo_id: int) -> HttpResponse:
    """A case's photo, only to those who may see the case (MEDIA_ROOT is never published)."""
    p = selectors.photo(request.user, case_photo_id)
    return photos.response(p.name, p.content_type)


# --- a department's, a mediator's and a court's pages -------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@login_required
@require_safe
@needs(DEPARTMENT_WORK)
def cases_department(request: HttpRequest) -> HttpResponse:
    """部门报到: the whistles waiting for the department to report in, its open cases, the closed
    ones, and its figures for the cases received this year."""
    actor = request.user
    now = timezone.now()
    today = timezone.localdate()
    waiting = [whistle_row(w, now) for w in selectors.whistles_waiting(actor)[:100]]
    open_rows = case_rows(selectors.department_cases(actor)[:200], now)
    closed = Paginator(selectors.department_closed(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    f = selectors.department_figures(actor, start=dt.date(today.year, 1, 1), end=today)
    figures = {
        **f,
        "resolved_rate": _rate(f["resolved"], f["received"]),
        "on_time_rate": _rate(f["on_time"], f["resolved"]),
        "satisfied_rate": _rate(f["satisfied"], f["rated"]),
        "average_workdays": round(f["workdays"] / f["resolved"], 1) if f["resolved"] else None,
    }
    return render(
        request,
        "cases/department.html",
        {
            "waiting": waiting,
            "open_rows": open_rows,
            "page": closed,
            "query": _query_without(request, "page"),
            "figures": figures,
            "year": today.year,
        },
    )


@login_required
@require_safe
@needs(MEDIATE)
def cases_mediator(request: HttpRequest) -> HttpResponse:
    """调解: the disputes routed to the actor, open ones first."""
    now = timezone.now()
    open_rows = case_rows(selectors.mediator_cases(request.user, open_only=True)[:200], now)
    page = Paginator(selectors.mediator_cases(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/mediator.html",
        {
            "open_rows": open_rows,
            "page": page,
            "rows": case_rows(page, now),
            "query": _query_without(request, "page"),
        },
    )


@login_required
@needs(PUSH_ENFORCEMENT)
def cases_court(request: HttpRequest) -> HttpResponse:
    """执行协助: the court liaison pushes an enforcement case to the grid and records the outcome."""
    actor = request.user
    categories = [
        c for c in selectors.categories_for_actor(actor, PUSH_ENFORCEMENT) if c.kind == Kind.ENFORCEMENT
    ]
    kwargs = {
        "category_choices": [(c.pk, c.name) for c in categories],
        "places": selectors.places_for(actor, PUSH_ENFORCEMENT),
    }
    if request.method == "POST":
        form = CourtPushForm(request.POST, **kwargs)
        if form.is_valid():
            d = form.cleaned_data
            data = services.CaseIn(
                category_id=d["category"],
                area_id=d["area"],
                title=d["title"],
                description=d["description"],
                channel=Channel.COURT,
                court=d["court"],
                court_case_number=d["court_case_number"],
            )
            try:
                case = services.submit(actor=actor, data=data)
            except NotFound:
                form.add_error("area", "所在村（社区）：不在您可以推送的范围内。")
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Pushed to the grid: number %(n)s.") % {"n": case.number})
                return redirect("cases_court")
    else:
        form = CourtPushForm(initial={"category": categories[0].pk if categories else ""}, **kwargs)
    page = Paginator(selectors.court_cases(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = case_rows(page, now)
    for row in rows:
        req = getattr(row["case"], "enforcement", None)
        row["enforcement"] = req
        row["outcome_form"] = _make_form("court_outcome", actor, row["case"], enforcement=req)
    return render(
        request,
        "cases/court.html",
        {"form": form, "page": page, "rows": rows, "query": _query_without(request, "page")},
    )
