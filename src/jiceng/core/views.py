"""Core pages: health, audit log, profile (API tokens), rule packs and the holiday table, error pages.
Thin: parse, call, render."""

from __future__ import annotations

import datetime as dt
import json
from typing import cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import audit, jobs, ledgers, notify, security, selectors, services, workflows
from .dbrouter import reporting
from .errors import DomainError, NotFound
from .forms import HolidayForm, RuleOverrideForm, WorkflowInsertForm, WorkflowRemoveForm, WorkflowTimeForm
from .models import Channel, Job, NotificationStatus, OrgKind, SecurityEvent, User
from .roles import Perm
from .rulepacks import VERSION, default_rules, resolve_all, words
from .scoping import can_access_org, has_perm_anywhere
from .web import HtmxRequest, form_errors, needs


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return JsonResponse({"status": "ok", "database": connection.vendor})


def not_found(request, exception=None):
    return render(request, "core/404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "core/403.html", status=403)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@needs(Perm.VIEW_AUDIT)
def audit_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    qs = selectors.audit_entries(
        actor=request.user,
        q=g.get("q", "").strip(),
        action=g.get("action", ""),
        target_type=g.get("target_type", ""),
        target_id=g.get("target_id", ""),
        since=_date(g.get("since")),
        until=_date(g.get("until")),
    )
    page = Paginator(qs, 50).get_page(g.get("page"))
    return render(
        request, "core/audit_list.html", {"page": page, "filters": g, "actions": audit.action_labels()}
    )


def _rule_form_id(key: str) -> str:
    return f"id_{key.replace('.', '_')}_%s"


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    """Every rule of the default pack as it applies at one organisation (the actor's top node, or
    ?org=): its value in words, where it comes from, and, for MANAGE_RULES, a form per rule to
    override it, shaped like the rule's value (kit.Shape)."""
    org = selectors.org_or_top(actor=request.user, org_id=request.GET.get("org"))
    can_manage = can_access_org(request.user, Perm.MANAGE_RULES, org)
    here = f"{reverse('rule_list')}?org={org.pk}"
    rules = default_rules()
    bound = None
    if request.method == "POST":
        key = request.POST.get("key", "")
        if not can_manage or key not in rules:
            raise NotFound()  # nor a rule that is not in the pack
        bound = RuleOverrideForm(
            request.POST,
            rule=rules[key],
            auto_id=_rule_form_id(key),
            more_rows=bool(request.POST.get("more_rows")),
        )
        if not bound.more_rows and bound.is_valid():
            d = bound.cleaned_data
            try:
                services.rule_override_set(
                    actor=request.user,
                    org=org,
                    key=d["key"],
                    value=d["value"],
                    valid_from=d["valid_from"],
                    reason=d["reason"],
                    source=d["source"],
                )
            except DomainError as exc:
                form_errors(bound, exc)
            else:
                messages.success(
                    request,
                    _("Override saved; it applies from %(date)s.") % {"date": d["valid_from"].isoformat()},
                )
                return redirect(f"{here}#rule-{d['key']}")
    today = timezone.localdate()
    rows = []
    resolved = resolve_all(org)
    for key, r in rules.items():
        value, where = resolved[key]
        lines = words(r, value)
        row = {
            "key": key,
            "label": r.label,
            "source": r.source,
            "local": r.local,
            "lines": lines,
            # as stored, when the rule declares no shape or the value does not fit it
            "raw": None if lines is not None else json.dumps(value, ensure_ascii=False, indent=2),
            "default_lines": None if where == "default" else words(r, r.value),
            "is_default": where == "default",
            "where": where,
            "form": None,
            "open": False,
        }
        if can_manage:
            if bound is not None and bound.data.get("key") == key:
                row["form"], row["open"] = bound, True
            else:
                row["form"] = RuleOverrideForm(
                    rule=r,
                    current=value,
                    auto_id=_rule_form_id(key),
                    initial={"key": key, "valid_from": today},
                )
        rows.append(row)
    return render(
        request,
        "core/rule_list.html",
        {
            "org": org,
            "rows": rows,
            "can_manage": can_manage,
            "version": VERSION,
            "ancestors": selectors.org_ancestors_in_scope(actor=request.user, org=org),
            "committees": selectors.org_search(actor=request.user, kind=OrgKind.COMMITTEE, limit=200),
        },
    )


@login_required
@needs(Perm.VIEW_ORG)
def holiday_list(request: HttpRequest) -> HttpResponse:
    """The State Council holiday notices entered by hand (years the calendar library does not know,
    or corrections). One table for the whole installation; MANAGE_RULES adds rows."""
    can_manage = has_perm_anywhere(request.user, Perm.MANAGE_RULES)
    if request.method == "POST" and not can_manage:
        raise NotFound()
    form = HolidayForm(request.POST or None) if can_manage else None
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.holiday_set(
                actor=request.user, date=d["date"], is_workday=d["is_workday"], name=d["name"]
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("holiday_list")
    page = Paginator(selectors.holidays(), 100).get_page(request.GET.get("page"))
    labels = {name: f.label for name, f in HolidayForm.base_fields.items()}
    return render(
        request,
        "core/holiday_list.html",
        {"page": page, "form": form, "can_manage": can_manage, "form_labels": labels},
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    new_token = request.session.pop("new_token", None)
    return render(
        request,
        "core/profile.html",
        {
            "tokens": selectors.api_tokens_for(actor=request.user),
            "new_token": new_token,
            "grants": selectors.grants_of(actor=request.user),
            "can_view_rules": has_perm_anywhere(request.user, Perm.VIEW_ORG),
        },
    )


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    try:
        days = int(request.POST.get("expires_days") or 365)
        _token, plaintext = services.api_token_create(
            actor=request.user, name=request.POST.get("name", ""), expires_days=days
        )
    except ValueError:
        messages.error(request, _("Expiry must be a number of days."))
    except DomainError as exc:
        for item in exc.as_list():
            messages.error(request, item["message"])
    else:
        # Shown once on the next page, then gone: only its digest is stored.
        request.session["new_token"] = plaintext
    return redirect("profile")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.api_token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, _("Token revoked."))
    return redirect("profile")


# --- ledgers (core.ledgers) ------------------------------------------------------------------------


@login_required
@needs(Perm.VIEW_ORG)
def ledger_list(request: HttpRequest) -> HttpResponse:
    """Every ledger of the installed apps, and which this user may export."""
    return render(request, "core/ledger_list.html", {"offers": ledgers.offers(request.user)})


@never_cache
@login_required
@reporting
def ledger_detail(request: HttpRequest, key: str) -> HttpResponse:
    """One ledger: the form (subtree, period, the ledger's own filters) and, with ?format=xlsx|csv,
    the file. A bad period or filter is shown on the form, or answered 400 for a download."""
    fmt = request.GET.get("format", "")
    error = None
    try:
        ledger, req, form = ledgers.prepare(actor=request.user, key=key, data=request.GET)
    except DomainError as exc:
        if fmt:
            return HttpResponseBadRequest(
                "；".join(m["message"] for m in exc.as_list()), content_type="text/plain; charset=utf-8"
            )
        found = ledgers.get(key)
        if found is None:
            raise NotFound() from None
        ledger, req, error = found, None, exc
        form = ledgers.filter_form(ledger, request.user, request.GET)
    if fmt and req is not None:
        try:
            out = ledgers.export(ledger, req, fmt, asked=dict(request.GET.items()))
        except DomainError as exc:
            return HttpResponseBadRequest(
                "；".join(m["message"] for m in exc.as_list()), content_type="text/plain; charset=utf-8"
            )
        if isinstance(out, Job):  # too large for a request: a job writes it
            return redirect("job_detail", job_id=out.pk)
        return out
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "core/ledger_detail.html",
        {
            "ledger": ledger,
            "req": req,
            "form": form,
            "error": error,
            "query": query.urlencode(),
            "orgs": selectors.ledger_orgs(actor=request.user, perm=ledger.perm),
            "org_id": request.GET.get("org", ""),
            "period": request.GET.get("period", ""),
        },
    )


# --- jobs (core.jobs) ---------------------------------------------------------------------------------

JOB_PROBLEMS_SHOWN = 500


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.jobs_for(actor=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/job_list.html", {"page": page})


@never_cache
@login_required
def job_detail(request: HtmxRequest, job_id) -> HttpResponse:
    """A job's progress (the fragment reloads itself every second until the job has finished), its
    outcome, its problems, its result file and, when it failed, a retry."""
    job = selectors.job_get(actor=request.user, job_id=job_id)
    problems = job.result.get("rows") if isinstance(job.result, dict) else None  # a rejected file's rows
    problems = problems if isinstance(problems, list) else []
    ctx = {
        "job": job,
        "problems": problems[:JOB_PROBLEMS_SHOWN],
        "problems_total": len(problems),
        "download": jobs.downloadable(job) is not None,
        "limit": JOB_PROBLEMS_SHOWN,
    }
    template = "core/job_detail.html#status" if request.htmx else "core/job_detail.html"
    return render(request, template, ctx)


@never_cache
@login_required
def job_result(request: HttpRequest, job_id) -> FileResponse:
    """The result file, to its owner only, while it has not expired."""
    job = selectors.job_get(actor=request.user, job_id=job_id)
    path = jobs.downloadable(job)
    if path is None:
        raise NotFound()
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name)


@login_required
@require_POST
def job_retry(request: HttpRequest, job_id) -> HttpResponse:
    job = selectors.job_get(actor=request.user, job_id=job_id)
    try:
        jobs.retry(actor=request.user, job=job)
    except DomainError as exc:
        for item in exc.as_list():
            messages.error(request, item["message"])
    else:
        messages.success(request, _("The job is queued again."))
    return redirect("job_detail", job_id=job.pk)


@login_required
@require_POST
def rollup_refresh(request: HttpRequest) -> HttpResponse:
    """Recompute the stored figures of a subtree now (after a rule change, say), as a job."""
    org = selectors.org_get(actor=request.user, org_id=request.POST.get("org"))
    try:
        job = services.rollup_refresh_start(
            actor=request.user, org=org, period=request.POST.get("period", "")
        )
    except DomainError as exc:  # a malformed period, or one that has not begun
        messages.error(request, "；".join(m["message"] for m in exc.as_list()))
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("dashboard") + f"?org={org.pk}"
        return redirect(back)
    return redirect("job_detail", job_id=job.pk)


# --- workflows (core.workflows) -----------------------------------------------------------------------


@login_required
@needs(Perm.VIEW_ORG)
def workflow_list(request: HttpRequest) -> HttpResponse:
    org = selectors.org_or_top(actor=request.user, org_id=request.GET.get("org"))
    rows = []
    for key, template in sorted(workflows.templates().items()):
        row = workflows.effective(key, org)
        rows.append(
            {
                "key": key,
                "title": template.title,
                "version": row.version,
                "where": row.org.name if row.org is not None else _("template"),
            }
        )
    return render(request, "core/workflow_list.html", {"rows": rows, "org": org})


@login_required
@needs(Perm.VIEW_ORG)
def workflow_detail(request: HttpRequest, workflow: str) -> HttpResponse:
    """A workflow as it applies at one organisation: its stages (the nationally fixed ones marked),
    its actions with their conditions, its versions; for those who may change the subtree's rules,
    the forms that make a local version."""
    key = workflow
    if key not in workflows.templates():
        raise NotFound()
    org = selectors.org_or_top(actor=request.user, org_id=request.GET.get("org") or request.POST.get("org"))
    row = workflows.effective(key, org)
    spec = workflows.spec_of(row)
    can_edit = can_access_org(request.user, Perm.MANAGE_RULES, org)
    states = [(s.key, s.label) for s in spec.states if not s.final]
    own = [(s.key, s.label) for s in spec.states if not s.locked]
    actions = [(t.key, t.label) for t in spec.transitions]
    forms = {
        "insert": WorkflowInsertForm(states=states, initial={"unit": "workdays"}, prefix="insert"),
        "time": WorkflowTimeForm(transitions=actions, prefix="time"),
        "remove": WorkflowRemoveForm(states=own, prefix="remove"),
    }
    if request.method == "POST":
        if not can_edit:
            raise NotFound()
        op = request.POST.get("operation", "")
        form_class = {
            "insert": WorkflowInsertForm,
            "time": WorkflowTimeForm,
            "remove": WorkflowRemoveForm,
        }.get(op)
        if form_class is None:
            raise NotFound()
        kwargs = {"insert": {"states": states}, "time": {"transitions": actions}, "remove": {"states": own}}[
            op
        ]
        bound = forms[op] = form_class(request.POST, prefix=op, **kwargs)
        if bound.is_valid():
            d = dict(bound.cleaned_data)
            note = d.pop("note")
            try:
                saved = services.workflow_edit(
                    actor=request.user, org=org, key=key, operation=op, note=note, **d
                )
            except DomainError as exc:
                form_errors(bound, exc)
            else:
                messages.success(
                    request,
                    _("Saved as version %(v)s; matters already under way keep theirs.")
                    % {"v": saved.version},
                )
                return redirect(f"{reverse('workflow_detail', kwargs={'workflow': key})}?org={org.pk}")
    return render(
        request,
        "core/workflow_detail.html",
        {
            "key": key,
            "spec": spec,
            "row": row,
            "org": org,
            "can_edit": can_edit,
            "forms": forms,
            "template": workflows.templates()[key],
            "versions": selectors.workflow_versions(actor=request.user, key=key, org=org)[:20],
            "guards": {t.key: [g.describe() for g in t.guards] for t in spec.transitions},
            "labels": {s.key: s.label for s in spec.states},
        },
    )


@login_required
@require_POST
def workflow_advance(request: HttpRequest, instance_id: int) -> HttpResponse:
    instance = selectors.workflow_instance_get(actor=request.user, instance_id=instance_id)
    try:
        services.workflow_advance(
            actor=request.user,
            instance=instance,
            action=request.POST.get("action", ""),
            exception_reason=request.POST.get("exception_reason", ""),
        )
    except DomainError as exc:
        for item in exc.as_list():
            messages.error(request, item["message"])
    else:
        messages.success(request, _("Done."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("dashboard")
    return redirect(back)


# --- notifications (core.notify) ------------------------------------------------------------------------


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(actor=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one's notification read, then go where it points (a page of this site only)."""
    note = selectors.notification_get(actor=request.user, notification_id=notification_id)
    notify.mark_read(actor=request.user, notification=note)
    link = note.link if url_has_allowed_host_and_scheme(note.link, allowed_hosts={request.get_host()}) else ""
    return redirect(link or "notification_list")


@login_required
@needs(Perm.MANAGE_USERS)
def outbox(request: HttpRequest) -> HttpResponse:
    """Every message concerning the subtrees whose users one manages, and what became of it: sent,
    held (no sender configured: the demo shows what it would have sent), failed and why."""
    if request.method == "POST":  # the worker sends (never this request: each send may wait 10 s)
        services.outbox_dispatch_request(actor=request.user)
        messages.success(request, _("The queued messages are handed to the worker for sending."))
        return redirect("outbox")
    status, channel = request.GET.get("status", ""), request.GET.get("channel", "")
    page = Paginator(selectors.outbox(actor=request.user, status=status, channel=channel), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "core/outbox.html",
        {
            "page": page,
            "status": status,
            "channel": channel,
            "statuses": NotificationStatus.choices,
            "channels": Channel.choices,
        },
    )


@login_required
@require_POST
def contact_update(request: HttpRequest) -> HttpResponse:
    try:
        services.contact_set(
            actor=request.user,
            phone=request.POST.get("phone", ""),
            email=request.POST.get("email", ""),
            wechat_openid=request.POST.get("wechat_openid", ""),
        )
    except DomainError as exc:
        for item in exc.as_list():
            messages.error(request, item["message"])
    else:
        messages.success(request, _("Saved."))
    return redirect("profile")


@login_required
@needs(Perm.MANAGE_USERS)
def security_list(request: HttpRequest) -> HttpResponse:
    """The security log (failed log-ins, lock-outs, refused look-ups) and the accounts locked now,
    with a button to unlock each."""
    g = request.GET
    qs = security.events_for(
        actor=request.user,
        kind=g.get("kind", ""),
        q=g.get("q", "").strip()[:150],
        ip=_ip(g.get("ip", "")),
        since=_date(g.get("since")),
        until=_date(g.get("until")),
    )
    page = Paginator(qs, 50).get_page(g.get("page"))
    return render(
        request,
        "core/security_list.html",
        {
            "page": page,
            "filters": g,
            "kinds": SecurityEvent.Kind.choices,
            "locked": security.locked_pairs(actor=request.user),
        },
    )


def _ip(value: str) -> str:
    import ipaddress

    try:
        return str(ipaddress.ip_address(value.strip())) if value.strip() else ""
    except ValueError:
        return ""


@login_required
@needs(Perm.MANAGE_USERS)
@require_POST
def security_unlock(request: HttpRequest) -> HttpResponse:
    username = request.POST.get("username", "")[:150]
    ip = _ip(request.POST.get("ip", "")) or None
    security.unlock(actor=request.user, username=username, ip=ip, request=request)
    messages.success(request, _("%(user)s can log in again.") % {"user": username})
    return redirect("security_list")


class PasswordChange(auth_views.PasswordChangeView):
    """Django's validators (settings.AUTH_PASSWORD_VALIDATORS); the change is audited and logged."""

    template_name = "core/password_change.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = cast(User, self.request.user)  # login_required: never anonymous here
        security.record(SecurityEvent.Kind.PASSWORD_CHANGED, request=self.request, user=user)
        audit.record(
            actor=user,
            action="password_change",
            target=user,
            org_path=security.org_path_of(user),
            changes={"password": [None, "******"]},
        )
        messages.success(self.request, _("Your password was changed."))
        return response


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """第二重验证: a new device shows its key to enter into an authenticator app, then asks for a
    code; a confirmed one only asks for the code."""
    device = security.totp_device(request.user, create=True)
    nxt = request.POST.get("next") or request.GET.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = reverse("home")
    error = ""
    if request.method == "POST":
        if security.second_factor(request=request, token=request.POST.get("token", "")[:20]):
            return redirect(nxt)
        error = _("The code is wrong or has expired; enter the six digits the app shows now.")
    return render(
        request,
        "core/two_factor.html",
        {
            "device": device,
            "secret": security.totp_secret(device) if not device.confirmed else "",
            "config_url": device.config_url if not device.confirmed else "",
            "next": nxt,
            "error": error,
        },
    )
