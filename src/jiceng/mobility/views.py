"""Mobility pages (phone-first): the branch's board with its flags, the out-flow / in-flow /
check-in forms, transfer issue and confirmation, 党章第九条's signs, the branch profile, hosted
attendance and the migrant-worker ledgers. Thin: parse with a form, call a selector or a service,
render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import DomainError
from jiceng.core.models import OrgKind
from jiceng.core.scoping import can_access_org
from jiceng.core.web import ensure, form_errors, needs

from . import selectors, services
from .forms import (
    CancelForm,
    CheckInForm,
    ConfirmForm,
    EndForm,
    EnterpriseForm,
    HostedAttendanceForm,
    InflowForm,
    OutflowForm,
    ProfileForm,
    TransferForm,
    WorkerForm,
    WorkSignForm,
)
from .plugin import MANAGE_MOBILITY, TRANSFER_RELATION, VIEW_MOBILITY

PAGE = 50
BRANCH_LIKE = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.GROUP)


def _org(request: HttpRequest, org_id: int | None = None, perm: str = VIEW_MOBILITY):
    if org_id is None:
        raw = request.GET.get("org")
        org_id = int(raw) if raw and raw.isdigit() and len(raw) < 11 else None
    if org_id is None:
        top = selectors.top_org(actor=request.user)
        if top is None:
            from jiceng.core.errors import NotFound

            raise NotFound()
        return top
    return selectors.org_get(actor=request.user, org_id=org_id, perm=perm)


@login_required
@needs(VIEW_MOBILITY)
def mobility_home(request: HttpRequest) -> HttpResponse:
    actor = request.user
    org = _org(request)
    today = timezone.localdate()
    board = selectors.board(actor=actor, org=org, day=today)
    ctx = dict(
        board,
        org=org,
        branch=org.kind in BRANCH_LIKE,
        children=selectors.child_counts(actor=actor, org=org, day=today)
        if org.kind == OrgKind.COMMITTEE
        else [],
        article9=selectors.article9(actor=actor, org=org, day=today) if org.kind in BRANCH_LIKE else None,
        can_manage=can_access_org(actor, MANAGE_MOBILITY, org),
        can_transfer=can_access_org(actor, TRANSFER_RELATION, org),
        meetings=selectors.hosted_meetings(actor=actor, org=org, day=today, limit=5)
        if org.kind in BRANCH_LIKE and board["inflows"]
        else [],
    )
    return render(request, "mobility/home.html", ctx)


def _form_page(request, template: str, ctx: dict) -> HttpResponse:
    return render(request, template, ctx)


@login_required
@needs(MANAGE_MOBILITY)
def outflow_create(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = _org(request, org_id, MANAGE_MOBILITY)
    members = selectors.member_choices(actor=actor, org=org)
    if request.method == "POST":
        form = OutflowForm(request.POST, members=members, org=org)
        if form.is_valid():
            d = form.cleaned_data
            member = selectors.member_in(actor=actor, org=org, member_id=d["member"])
            if member is None:
                form.add_error("member", "党员：请选择本组织名册上的党员。")
            else:
                try:
                    out = services.outflow_record(
                        actor=actor,
                        member=member,
                        destination=d["destination"],
                        employer=d["employer"],
                        keep_in_touch=d["keep_in_touch"],
                        contact=d["contact"],
                        card_number=d["card_number"],
                        fixed_place=d["fixed_place"],
                        since=d["since"],
                    )
                except DomainError as exc:
                    form_errors(form, exc)
                else:
                    messages.success(request, _("Out-flow recorded."))
                    return redirect("mobility_outflow", outflow_id=out.pk)
    else:
        form = OutflowForm(
            initial={"since": timezone.localdate(), "keep_in_touch": "wechat"}, members=members, org=org
        )
    return _form_page(
        request, "mobility/form.html", {"form": form, "org": org, "title": _("Record a member working away")}
    )


def _checkin(request, *, outflow=None, inflow=None):
    form = CheckInForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.checkin_record(
                actor=request.user,
                outflow=outflow,
                inflow=inflow,
                on=d["on"],
                kind=d["kind"],
                channel=d["channel"],
                note=d["note"],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Check-in recorded."))
            return None, form
    return form, form


@login_required
@needs(VIEW_MOBILITY)
def outflow_detail(request: HttpRequest, outflow_id: int) -> HttpResponse:
    actor = request.user
    outflow = selectors.outflow_get(actor=actor, outflow_id=outflow_id)
    can_manage = can_access_org(actor, MANAGE_MOBILITY, outflow.member.org)
    form = CheckInForm(
        initial={"on": timezone.localdate(), "kind": "thought", "channel": outflow.keep_in_touch}
    )
    if request.method == "POST":
        ensure(actor, MANAGE_MOBILITY, org=outflow.member.org)
        failed, form = _checkin(request, outflow=outflow)
        if failed is None:
            return redirect("mobility_outflow", outflow_id=outflow.pk)
    return render(
        request,
        "mobility/record.html",
        {
            "record": outflow,
            "outflow": outflow,
            "name": outflow.member.person.name,
            "org": outflow.member.org,
            "checkins": list(selectors.checkins_of(actor=actor, outflow=outflow)[:50]),
            "form": form if can_manage else None,
            "end_form": EndForm(initial={"on": timezone.localdate()})
            if can_manage and outflow.ended_on is None
            else None,
            "end_url": reverse("mobility_outflow_end", args=[outflow.pk]),
        },
    )


@login_required
@needs(MANAGE_MOBILITY)
@require_POST
def outflow_end(request: HttpRequest, outflow_id: int) -> HttpResponse:
    outflow = selectors.outflow_get(actor=request.user, outflow_id=outflow_id, perm=MANAGE_MOBILITY)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.outflow_end(actor=request.user, outflow=outflow, on=form.cleaned_data["on"])
        except DomainError as exc:
            messages.error(request, "；".join(m for ms in exc.errors.values() for m in ms))
        else:
            messages.success(request, _("Return recorded."))
    else:
        messages.error(request, "；".join(str(e) for es in form.errors.values() for e in es))
    return redirect("mobility_outflow", outflow_id=outflow.pk)


@login_required
@needs(MANAGE_MOBILITY)
def inflow_create(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = _org(request, org_id, MANAGE_MOBILITY)
    if request.method == "POST":
        form = InflowForm(request.POST)
        if form.is_valid():
            try:
                inflow = services.inflow_record(actor=actor, host=org, **form.cleaned_data)
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("In-flow member recorded."))
                return redirect("mobility_inflow", inflow_id=inflow.pk)
    else:
        form = InflowForm(initial={"since": timezone.localdate()})
    return _form_page(
        request, "mobility/form.html", {"form": form, "org": org, "title": _("Host a member from elsewhere")}
    )


@login_required
@needs(VIEW_MOBILITY)
def inflow_detail(request: HttpRequest, inflow_id: int) -> HttpResponse:
    actor = request.user
    inflow = selectors.inflow_get(actor=actor, inflow_id=inflow_id)
    can_manage = can_access_org(actor, MANAGE_MOBILITY, inflow.host)
    form = CheckInForm(initial={"on": timezone.localdate(), "kind": "report", "channel": "visit"})
    if request.method == "POST":
        ensure(actor, MANAGE_MOBILITY, org=inflow.host)
        failed, form = _checkin(request, inflow=inflow)
        if failed is None:
            return redirect("mobility_inflow", inflow_id=inflow.pk)
    return render(
        request,
        "mobility/record.html",
        {
            "record": inflow,
            "inflow": inflow,
            "name": inflow.name,
            "org": inflow.host,
            "checkins": list(selectors.checkins_of(actor=actor, inflow=inflow)[:50]),
            "form": form if can_manage else None,
            "end_form": EndForm(initial={"on": timezone.localdate()})
            if can_manage and inflow.ended_on is None
            else None,
            "end_url": reverse("mobility_inflow_end", args=[inflow.pk]),
        },
    )


@login_required
@needs(MANAGE_MOBILITY)
@require_POST
def inflow_end(request: HttpRequest, inflow_id: int) -> HttpResponse:
    inflow = selectors.inflow_get(actor=request.user, inflow_id=inflow_id, perm=MANAGE_MOBILITY)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.inflow_end(actor=request.user, inflow=inflow, on=form.cleaned_data["on"])
        except DomainError as exc:
            messages.error(request, "；".join(m for ms in exc.errors.values() for m in ms))
        else:
            messages.success(request, _("Departure recorded."))
    return redirect("mobility_inflow", inflow_id=inflow.pk)


@login_required
@needs(TRANSFER_RELATION)
def transfer_create(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = _org(request, org_id, TRANSFER_RELATION)
    members = selectors.member_choices(actor=actor, org=org, perm=TRANSFER_RELATION)
    if request.method == "POST":
        form = TransferForm(request.POST, members=members, org=org)
        if form.is_valid():
            d = form.cleaned_data
            member = selectors.member_in(actor=actor, org=org, member_id=d["member"], perm=TRANSFER_RELATION)
            to_org = selectors.transfer_target(actor=actor, org_id=d["to_org"])
            if member is None:
                form.add_error("member", "党员：请选择本组织名册上的党员。")
            elif d["to_org"] and to_org is None:
                form.add_error("to_org", "接收党组织：请选择本系统内可编入党员的组织。")
            else:
                try:
                    t = services.transfer_issue(
                        actor=actor,
                        member=member,
                        kind=d["kind"],
                        to_org=to_org,
                        destination=d["destination"],
                        letter_number=d["letter_number"],
                        issued_on=d["issued_on"],
                        dues_paid_to=d["dues_paid_to"],
                        note=d["note"],
                    )
                except DomainError as exc:
                    form_errors(form, exc)
                else:
                    messages.success(request, _("Transfer letter issued."))
                    return redirect("mobility_transfer", transfer_id=t.pk)
    else:
        today = timezone.localdate()
        raw = request.GET.get("member", "")
        chosen = selectors.member_in(
            actor=actor,
            org=org,
            member_id=int(raw) if raw.isdigit() and len(raw) < 11 else None,
            perm=TRANSFER_RELATION,
        )
        paid = selectors.dues_paid_up_to(member=chosen)
        form = TransferForm(
            initial={
                "kind": "inside",
                "issued_on": today,
                "dues_paid_to": paid or today.replace(day=1),
                "member": chosen.pk if chosen else None,
            },
            members=members,
            org=org,
        )
    return _form_page(
        request, "mobility/form.html", {"form": form, "org": org, "title": _("Issue a transfer letter")}
    )


@login_required
@needs(VIEW_MOBILITY)
def transfer_detail(request: HttpRequest, transfer_id: int) -> HttpResponse:
    actor = request.user
    t = selectors.transfer_get(actor=actor, transfer_id=transfer_id)
    inside = t.kind == "inside"
    confirmer = t.to_org if inside else t.from_org
    open_ = t.state == "issued"
    can_confirm = open_ and confirmer is not None and can_access_org(actor, TRANSFER_RELATION, confirmer)
    can_cancel = open_ and can_access_org(actor, TRANSFER_RELATION, t.from_org)
    return render(
        request,
        "mobility/transfer.html",
        {
            "t": t,
            "confirm_form": ConfirmForm(initial={"on": timezone.localdate()}) if can_confirm else None,
            "cancel_form": CancelForm() if can_cancel else None,
        },
    )


@login_required
@needs(TRANSFER_RELATION)
@require_POST
def transfer_confirm(request: HttpRequest, transfer_id: int) -> HttpResponse:
    actor = request.user
    t = selectors.transfer_get(actor=actor, transfer_id=transfer_id)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_confirm(actor=actor, transfer=t, on=form.cleaned_data["on"])
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Transfer confirmed."))
            return redirect("mobility_transfer", transfer_id=t.pk)
    return render(request, "mobility/transfer.html", {"t": t, "confirm_form": form, "cancel_form": None})


@login_required
@needs(TRANSFER_RELATION)
@require_POST
def transfer_cancel(request: HttpRequest, transfer_id: int) -> HttpResponse:
    actor = request.user
    t = selectors.transfer_get(actor=actor, transfer_id=transfer_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_cancel(actor=actor, transfer=t, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Transfer cancelled."))
            return redirect("mobility_transfer", transfer_id=t.pk)
    return render(request, "mobility/transfer.html", {"t": t, "confirm_form": None, "cancel_form": form})


@login_required
@needs(MANAGE_MOBILITY)
def profile_edit(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = _org(request, org_id, MANAGE_MOBILITY)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.profile_set(actor=actor, org=org, **form.cleaned_data)
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Branch profile saved."))
                return redirect(f"{reverse('mobility_home')}?org={org.pk}")
    else:
        p = selectors.profile_of(actor=actor, org=org)
        form = ProfileForm(
            initial={"branch_type": p.branch_type, "online": p.online, "platform": p.platform, "note": p.note}
            if p
            else {"branch_type": "single"}
        )
    return _form_page(
        request, "mobility/form.html", {"form": form, "org": org, "title": _("Branch type and online branch")}
    )


@login_required
@needs(MANAGE_MOBILITY)
def work_sign_create(request: HttpRequest, org_id: int) -> HttpResponse:
    actor = request.user
    org = _org(request, org_id, MANAGE_MOBILITY)
    members = selectors.member_choices(actor=actor, org=org)
    if request.method == "POST":
        form = WorkSignForm(request.POST, members=members, org=org)
        if form.is_valid():
            d = form.cleaned_data
            member = selectors.member_in(actor=actor, org=org, member_id=d["member"])
            if member is None:
                form.add_error("member", "党员：请选择本组织名册上的党员。")
            else:
                try:
                    services.work_sign_record(
                        actor=actor, member=member, since=d["since"], reason=d["reason"]
                    )
                except DomainError as exc:
                    form_errors(form, exc)
                else:
                    messages.success(request, _("Recorded for the branch's attention."))
                    return redirect(f"{reverse('mobility_home')}?org={org.pk}")
    else:
        form = WorkSignForm(members=members, org=org)
    return _form_page(
        request, "mobility/form.html", {"form": form, "org": org, "title": _("Assigned work not done")}
    )


@login_required
@needs(MANAGE_MOBILITY)
@require_POST
def work_sign_clear(request: HttpRequest, sign_id: int) -> HttpResponse:
    sign = selectors.work_sign_get(actor=request.user, sign_id=sign_id)
    try:
        services.work_sign_clear(actor=request.user, sign=sign, on=timezone.localdate())
    except DomainError as exc:
        messages.error(request, "；".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(request, _("Cleared."))
    return redirect(f"{reverse('mobility_home')}?org={sign.member.org_id}")


@login_required
@needs(MANAGE_MOBILITY)
def hosted_attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    actor = request.user
    meeting, hosted, recorded = selectors.meeting_for_hosting(actor=actor, meeting_id=meeting_id)
    ensure(actor, MANAGE_MOBILITY, org=meeting.org)
    if request.method == "POST":
        form = HostedAttendanceForm(request.POST, hosted=hosted, recorded=recorded)
        if form.is_valid():
            d = form.cleaned_data
            present = [int(k[1:]) for k, v in d.items() if v == "present"]
            online = [int(k[1:]) for k, v in d.items() if v == "online"]
            try:
                services.hosted_attendance_set(actor=actor, meeting=meeting, present=present, online=online)
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Attendance of hosted members saved."))
                return redirect("mobility_hosted_attendance", meeting_id=meeting.pk)
    else:
        form = HostedAttendanceForm(hosted=hosted, recorded=recorded)
    return render(request, "mobility/hosted.html", {"meeting": meeting, "form": form, "hosted": hosted})


# --- the ledgers' pages -------------------------------------------------------------------------


@login_required
@needs(VIEW_MOBILITY)
def worker_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    activists = request.GET.get("activists") == "1"
    page = Paginator(selectors.workers_for(actor=actor, org=None, activists=activists), PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "mobility/workers.html", {"page": page, "activists": activists})


def _worker_form(request, actor, data=None, initial=None):
    return WorkerForm(
        data,
        initial=initial,
        orgs=selectors.ledger_orgs(actor=actor),
        enterprises=selectors.enterprises_for(actor=actor, org=None, perm=MANAGE_MOBILITY)[:500],
    )


def _worker_save(request, actor, form, worker=None):
    d = dict(form.cleaned_data)
    org = selectors.ledger_org(actor=actor, org_id=d.pop("org"))
    enterprise = selectors.enterprise_in(actor=actor, enterprise_id=d.pop("enterprise"))
    try:
        return services.worker_save(actor=actor, org=org, enterprise=enterprise, worker=worker, **d)
    except DomainError as exc:
        form_errors(form, exc)
        return None


@login_required
@needs(MANAGE_MOBILITY)
def worker_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if request.method == "POST":
        form = _worker_form(request, actor, request.POST)
        if form.is_valid() and _worker_save(request, actor, form):
            messages.success(request, _("Migrant worker registered."))
            return redirect("mobility_workers")
    else:
        top = selectors.top_org(actor=actor)
        form = _worker_form(
            request, actor, initial={"since": timezone.localdate(), "org": top.pk if top else None}
        )
    return _form_page(request, "mobility/form.html", {"form": form, "title": _("Register a migrant worker")})


@login_required
@needs(MANAGE_MOBILITY)
def worker_edit(request: HttpRequest, worker_id: int) -> HttpResponse:
    actor = request.user
    w = selectors.worker_get(actor=actor, worker_id=worker_id)
    if request.method == "POST":
        form = _worker_form(request, actor, request.POST)
        if form.is_valid() and _worker_save(request, actor, form, worker=w):
            messages.success(request, _("Saved."))
            return redirect("mobility_workers")
    else:
        form = _worker_form(
            request,
            actor,
            initial={
                "org": w.org_id,
                "name": w.name,
                "gender": w.gender,
                "birth_year": w.birth_year,
                "destination": w.destination,
                "enterprise": w.enterprise_id,
                "trade": w.trade,
                "contact": w.contact,
                "since": w.since,
                "returned_on": w.returned_on,
                "activist": w.activist,
            },
        )
    return _form_page(request, "mobility/form.html", {"form": form, "title": w.name})


@login_required
@needs(VIEW_MOBILITY)
def enterprise_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.enterprises_for(actor=request.user, org=None), PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "mobility/enterprises.html", {"page": page})


def _enterprise_save(actor, form, enterprise=None):
    d = dict(form.cleaned_data)
    org = selectors.ledger_org(actor=actor, org_id=d.pop("org"))
    try:
        return services.enterprise_save(actor=actor, org=org, enterprise=enterprise, **d)
    except DomainError as exc:
        form_errors(form, exc)
        return None


@login_required
@needs(MANAGE_MOBILITY)
def enterprise_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    orgs = selectors.ledger_orgs(actor=actor)
    if request.method == "POST":
        form = EnterpriseForm(request.POST, orgs=orgs)
        if form.is_valid() and _enterprise_save(actor, form):
            messages.success(request, _("Enterprise registered."))
            return redirect("mobility_enterprises")
    else:
        top = selectors.top_org(actor=actor)
        form = EnterpriseForm(initial={"org": top.pk if top else None}, orgs=orgs)
    return _form_page(request, "mobility/form.html", {"form": form, "title": _("Register a host enterprise")})


@login_required
@needs(MANAGE_MOBILITY)
def enterprise_edit(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    actor = request.user
    e = selectors.enterprise_get(actor=actor, enterprise_id=enterprise_id)
    orgs = selectors.ledger_orgs(actor=actor)
    if request.method == "POST":
        form = EnterpriseForm(request.POST, orgs=orgs)
        if form.is_valid() and _enterprise_save(actor, form, enterprise=e):
            messages.success(request, _("Saved."))
            return redirect("mobility_enterprises")
    else:
        form = EnterpriseForm(
            initial={
                "org": e.org_id,
                "name": e.name,
                "uscc": e.uscc,
                "place": e.place,
                "liaison": e.liaison,
                "has_party_org": e.has_party_org,
            },
            orgs=orgs,
        )
    return _form_page(request, "mobility/form.html", {"form": form, "title": e.name})
