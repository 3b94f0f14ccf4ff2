"""Organisational-life pages (三会一课): overview, branch calendars, the meeting record form and the
monthly key-content lists (the ledgers are in orglife/ledgers.py). Thin: parse with a form, call a selector or service,
render."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from jiceng.core import indicators
from jiceng.core import selectors as core_selectors
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import Org, OrgKind
from jiceng.core.periods import Period, parse_period
from jiceng.core.roles import Perm
from jiceng.core.scoping import (
    can_access_org,
    get_scoped_or_404,
    has_perm_anywhere,
    root_orgs,
)
from jiceng.core.web import ensure, form_errors, needs

from . import selectors, services
from .forms import MeetingCorrectForm, MeetingFilterForm, MeetingForm, MeetingWithdrawForm, TopicListForm
from .models import AttendanceStatus, MeetingKind
from .plugin import HEADLINES, RECORD_MEETING

STATE_LABELS = {
    "done": gettext_lazy("held"),
    "overdue": gettext_lazy("overdue"),
    "due": gettext_lazy("due now"),
    "upcoming": gettext_lazy("upcoming"),
    "n/a": gettext_lazy("not required"),
}
_STATUS_KEY = re.compile(r"status_(\d+)")


def _period(request: HttpRequest) -> tuple[Period, str | None]:
    try:
        return parse_period(request.GET.get("period")), None
    except DomainError as exc:
        return parse_period(None), exc.as_list()[0]["message"]


def _iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _query_without(request: HttpRequest, *keys: str) -> str:
    query = request.GET.copy()
    for k in keys:
        query.pop(k, None)
    return query.urlencode()


def _render(request: HttpRequest, template: str, ctx: dict) -> HttpResponse:
    ctx.setdefault("can_record", has_perm_anywhere(request.user, RECORD_MEETING))
    return render(request, template, ctx)


# --- overview and calendars -----------------------------------------------------------------------


@login_required
def orglife_overview(request: HttpRequest) -> HttpResponse:
    roots = root_orgs(request.user, Perm.VIEW_ORG)
    org = core_selectors.org_or_top(actor=request.user, org_id=request.GET.get("org"))
    period, period_error = _period(request)
    source = indicators.compute_many(actor=request.user, names=list(HEADLINES), org=org, period=period)
    headlines = [
        {
            "name": name,
            "label": indicators.get(name).label,
            "unit": indicators.get(name).unit,
            "result": source.values[name],
        }
        for name in HEADLINES
    ]
    only_silent = request.GET.get("silent") == "1"
    branches = selectors.branch_overview(actor=request.user, root=org, only_silent=only_silent)
    page = Paginator(branches, 50).get_page(request.GET.get("page"))
    return _render(
        request,
        "orglife/overview.html",
        {
            "org": org,
            "roots": roots,
            "period": period,
            "period_error": period_error,
            "headlines": headlines,
            "source": source,
            "page": page,
            "only_silent": only_silent,
            "query": _query_without(request, "page"),
            "children": core_selectors.org_children(
                actor=request.user, org=org, kinds=[OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH]
            ),
            "can_export": can_access_org(request.user, Perm.EXPORT_PERSONAL, org),
        },
    )


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year else today.year  # no calendar of a year not begun


@login_required
def orglife_calendar(request: HttpRequest, org_id: int) -> HttpResponse:
    org = core_selectors.org_get(actor=request.user, org_id=org_id)
    if org.kind == OrgKind.COMMITTEE:
        return redirect(f"{reverse('orglife_overview')}?org={org.pk}")
    if org.kind == OrgKind.GROUP:
        # a party group's meetings are part of its branch's calendar
        parent = core_selectors.org_parent(actor=request.user, org=org)
        return redirect(f"{reverse('orglife_calendar', kwargs={'org_id': parent.pk})}?year={_year(request)}")
    year = _year(request)
    rows = []
    for row in selectors.branch_calendar(actor=request.user, branch=org, year=year):
        cells = [
            {
                "cell": c,
                "span": c.block.end.month - c.block.start.month + 1,
                "css": c.state.replace("/", ""),
                "label": STATE_LABELS.get(c.state, c.state),
            }
            for c in row.cells
        ]
        rows.append({"row": row, "kind_label": MeetingKind(row.kind).label, "cells": cells})
    status = selectors.branch_status(actor=request.user, branch=org)
    absent = selectors.often_absent_members(actor=request.user, root=org, period=parse_period(str(year)))
    return _render(
        request,
        "orglife/calendar.html",
        {
            "org": org,
            "year": year,
            "rows": rows,
            "months": range(1, 13),
            "status": status,
            "often_absent": absent,
            "can_record": can_access_org(request.user, RECORD_MEETING, org),
            "this_year": timezone.localdate().year,
        },
    )


# --- meetings --------------------------------------------------------------------------------------


def _meeting_filters(request: HttpRequest) -> tuple[MeetingFilterForm, dict]:
    form = MeetingFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {
            "org": core_selectors.org_get(actor=request.user, org_id=d["org"]) if d.get("org") else None,
            "kind": d["kind"],
            "since": d["since"],
            "until": d["until"],
            "q": d["q"].strip(),
            "withdrawn": d["withdrawn"],
        }
    return form, filters


@login_required
@needs(Perm.VIEW_ORG)
def meeting_list(request: HttpRequest) -> HttpResponse:
    form, filters = _meeting_filters(request)
    qs = selectors.meetings_for(actor=request.user, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return _render(
        request,
        "orglife/meeting_list.html",
        {
            "form": form,
            "page": page,
            "filter_org": filters.get("org"),
            "query": _query_without(request, "page"),
            "query_without_org": _query_without(request, "page", "org"),
            "ledger_query": _ledger_query(filters),
        },
    )


def _ledger_query(filters: dict) -> str:
    """The meeting ledger (core.ledgers) for the list's filters: its dates as the period."""
    q = QueryDict(mutable=True)  # the ledger lists the meetings that count, never withdrawn ones
    if filters.get("org") is not None:
        q["org"] = str(filters["org"].pk)
    # what the list shows: its dates, else every meeting recorded
    since, until = filters.get("since"), filters.get("until")
    q["period"] = f"{since or dt.date(2000, 1, 1):%Y-%m-%d}..{until or timezone.localdate():%Y-%m-%d}"
    for key in ("kind", "q"):
        if filters.get(key):
            q[key] = filters[key]
    q["format"] = "xlsx"
    return q.urlencode()


def _attendance_from(data: QueryDict) -> list[services.AttendanceIn]:
    """status_<member id> / reason_<member id> pairs; which members belong is the service's rule."""
    out = []
    for key in data:
        if m := _STATUS_KEY.fullmatch(key):
            pk = int(m[1])
            out.append(services.AttendanceIn(pk, data.get(key, ""), data.get(f"reason_{pk}", "")))
    return sorted(out, key=lambda a: a.member_id)


def _checklist_rows(
    actor, org: Org | None, held_on: dt.date, data, default: str = AttendanceStatus.PRESENT
) -> list[dict]:
    """One row per member the checklist must cover; what the user already chose is kept (a
    correction starts from what was recorded, and a member without a row from nothing chosen)."""
    if org is None:
        return []
    return [
        {
            "member": m,
            "status": data.get(f"status_{m.pk}", default),
            "reason": data.get(f"reason_{m.pk}", ""),
            "in_group": m.org_id != org.pk,
        }
        for m in selectors.checklist(actor=actor, org=org, held_on=held_on)
    ]


def _member_choices(rows: list[dict]) -> list[tuple[int, str]]:
    """The holder's members, for the chair and minute-taker selects."""
    return [(r["member"].pk, r["member"].person.name) for r in rows]


def _topic_item_choices(actor, org: Org | None) -> tuple[list, dict]:
    """Items of the lists sent down to ``org`` in the last year, grouped by list, newest first."""
    if org is None:
        return [], {}
    items = selectors.recent_topic_items(actor=actor, org=org)
    groups: OrderedDict[str, list] = OrderedDict()
    by_id = {}
    for item in items:
        tl = item.topic_list
        groups.setdefault(f"{tl.month:%Y-%m} {tl.title}", []).append((item.pk, f"{item.seq}. {item.title}"))
        by_id[item.pk] = item
    return list(groups.items()), by_id


def _chosen_org(value: str | None, by_id: dict[int, Org], *, strict: bool) -> Org | None:
    try:
        org = by_id.get(int(value)) if value else None
    except ValueError:
        org = None
    if value and org is None and strict:
        raise NotFound()
    return org


STATUS_CHOICES = AttendanceStatus.choices


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    orgs = list(selectors.recordable_orgs(actor=request.user))
    if not orgs:
        raise NotFound()
    by_id = {o.pk: o for o in orgs}
    posted = request.method == "POST"
    data = request.POST if posted else request.GET
    # ?org= of something the actor cannot record for is a 404; a bad POSTed value is a form error
    org = _chosen_org(data.get("org"), by_id, strict=not posted) or (None if posted else orgs[0])
    held_on = _iso_date(data.get("held_on")) or timezone.localdate()
    topic_choices, topic_items = _topic_item_choices(request.user, org)
    org_choices = [(o.pk, f"{'　' * max(o.depth - orgs[0].depth, 0)}{o.name}") for o in orgs]
    rows = _checklist_rows(request.user, org, held_on, data)
    extra_errors: dict[str, list[str]] = {}
    duplicates: list = []
    if posted:
        form = MeetingForm(
            request.POST,
            request.FILES,
            org_choices=org_choices,
            topic_item_choices=topic_choices,
            member_choices=_member_choices(rows),
        )
        if form.is_valid():
            d = form.cleaned_data
            try:
                meeting = services.meeting_record(
                    actor=request.user,
                    org=by_id[d["org"]],
                    kind=d["kind"],
                    held_on=d["held_on"],
                    place=d["place"],
                    topic=d["topic"],
                    first_agenda=d["first_agenda"],
                    topic_item=topic_items.get(d["topic_item"]) if d["topic_item"] else None,
                    minutes=d["minutes"],
                    attendance=_attendance_from(request.POST),
                    attachments=request.FILES.getlist("attachments"),
                    chair=d["chair"],
                    minute_taker=d["minute_taker"],
                    confirm_duplicate=d["confirm_duplicate"],
                )
            except DomainError as exc:
                extra_errors = form_errors(form, exc, elsewhere=ELSEWHERE)
                duplicates = _duplicates(request.user, by_id[d["org"]], d, exc)
            else:
                messages.success(request, _("Meeting recorded."))
                return redirect("meeting_detail", meeting_id=meeting.pk)
    else:
        initial = {
            k: data[k]
            for k in ("kind", "place", "topic", "first_agenda", "minutes", "topic_item")
            if k in data
        }
        initial.setdefault("kind", MeetingKind.GROUP_MEETING if org.kind == OrgKind.GROUP else "")
        form = MeetingForm(
            initial={**initial, "org": org.pk, "held_on": held_on},
            org_choices=org_choices,
            topic_item_choices=topic_choices,
            member_choices=_member_choices(rows),
        )
    return _render(
        request,
        "orglife/meeting_form.html",
        {
            "form": form,
            "org": org,
            "held_on": held_on,
            "statuses": STATUS_CHOICES,
            "rows": rows,
            "attendance_errors": extra_errors.pop("attendance", []),
            "duplicates": duplicates,
            "other_errors": extra_errors,
            "files_lost": posted and bool(request.FILES),
            "checklist_url": reverse("meeting_checklist"),
        },
    )


# errors the form shows in places of their own: the checklist, the files (the duplicate warning is
# the confirm_duplicate field's error, shown with the existing meetings)
ELSEWHERE = ("attendance", "attachments")


def _duplicates(actor, org: Org, d: dict, exc: DomainError, exclude_id: int | None = None) -> list:
    """The meetings the duplicate warning names, with links (only when the service warned)."""
    if "confirm_duplicate" not in exc.errors:
        return []
    return selectors.meeting_duplicates(
        actor=actor, org=org, kind=d["kind"], held_on=d["held_on"], exclude_id=exclude_id
    )


@login_required
def meeting_checklist(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the attendance checklist for ?org=&held_on= (reloaded when either changes),
    and, out of band, the key-content items sent down to that organisation."""
    by_id = {o.pk: o for o in selectors.recordable_orgs(actor=request.user)}
    org = _chosen_org(request.GET.get("org"), by_id, strict=True)
    if org is None:
        raise NotFound()
    held_on = _iso_date(request.GET.get("held_on")) or timezone.localdate()
    topic_choices, _items = _topic_item_choices(request.user, org)
    rows = _checklist_rows(request.user, org, held_on, request.GET)
    form = MeetingForm(
        initial={"chair": request.GET.get("chair"), "minute_taker": request.GET.get("minute_taker")},
        org_choices=[(org.pk, org.name)],
        topic_item_choices=topic_choices,
        member_choices=_member_choices(rows),
    )
    return render(
        request,
        "orglife/_checklist.html",
        {
            "rows": rows,
            "org": org,
            "held_on": held_on,
            "statuses": STATUS_CHOICES,
            "form": form,
            "oob": bool(request.htmx),
        },
    )


@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    attendance = list(selectors.meeting_attendance(actor=request.user, meeting=meeting))
    can_view_members = can_access_org(request.user, Perm.VIEW_MEMBER, meeting.org)
    counts = Counter(a.status for a in attendance)
    can_correct = meeting.withdrawn_at is None and can_access_org(request.user, RECORD_MEETING, meeting.org)
    return _render(
        request,
        "orglife/meeting_detail.html",
        {
            "meeting": meeting,
            "attendance": attendance,
            "counts": [(label, counts.get(value, 0)) for value, label in AttendanceStatus.choices],
            "attachments": selectors.meeting_attachments(actor=request.user, meeting=meeting),
            "can_view_members": can_view_members,
            "can_correct": can_correct,
            "locked": selectors.meeting_lock(meeting=meeting) if can_correct else None,
            "can_audit": can_access_org(request.user, Perm.VIEW_AUDIT, meeting.org),
        },
    )


def _editable(request: HttpRequest, meeting_id: int):
    """The meeting, for a user who may record meetings for its organisation (else 404), and why
    it cannot be changed now (withdrawn, or its year locked), or None."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    ensure(request.user, RECORD_MEETING, org=meeting.org)
    if meeting.withdrawn_at is not None:
        return meeting, _("This meeting was withdrawn; it can no longer be changed.")
    return meeting, selectors.meeting_lock(meeting=meeting)


@login_required
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """更正: the record form filled with what was recorded, and the reason for the correction."""
    meeting, blocked = _editable(request, meeting_id)
    org = meeting.org
    posted = request.method == "POST"
    recorded = {
        key: value
        for a in selectors.meeting_attendance_all(meeting=meeting)
        for key, value in ((f"status_{a.member_id}", a.status), (f"reason_{a.member_id}", a.reason))
    }
    data = request.POST if posted else recorded
    held_on = (_iso_date(request.POST.get("held_on")) if posted else None) or meeting.held_on
    topic_choices, topic_items = _topic_item_choices(request.user, org)
    if meeting.topic_item is not None and meeting.topic_item.pk not in topic_items:  # an older list's item
        tl = meeting.topic_item.topic_list
        topic_choices.append(
            (
                f"{tl.month:%Y-%m} {tl.title}",
                [(meeting.topic_item.pk, f"{meeting.topic_item.seq}. {meeting.topic_item.title}")],
            )
        )
        topic_items[meeting.topic_item.pk] = meeting.topic_item
    rows = _checklist_rows(request.user, org, held_on, data, default="")
    kwargs = {"topic_item_choices": topic_choices, "member_choices": _member_choices(rows)}
    extra_errors: dict[str, list[str]] = {}
    duplicates: list = []
    if posted and not blocked:
        form = MeetingCorrectForm(request.POST, **kwargs)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.meeting_correct(
                    actor=request.user,
                    meeting=meeting,
                    reason=d["reason"],
                    kind=d["kind"],
                    held_on=d["held_on"],
                    place=d["place"],
                    topic=d["topic"],
                    first_agenda=d["first_agenda"],
                    topic_item=topic_items.get(d["topic_item"]) if d["topic_item"] else None,
                    minutes=d["minutes"],
                    chair=d["chair"],
                    minute_taker=d["minute_taker"],
                    attendance=_attendance_from(request.POST),
                    confirm_duplicate=d["confirm_duplicate"],
                )
            except DomainError as exc:
                extra_errors = form_errors(form, exc, elsewhere=ELSEWHERE)
                duplicates = _duplicates(request.user, org, d, exc, exclude_id=meeting.pk)
            else:
                messages.success(request, _("Meeting corrected; the reason is in the change history."))
                return redirect("meeting_detail", meeting_id=meeting.pk)
    else:
        form = MeetingCorrectForm(
            initial={
                "kind": meeting.kind,
                "held_on": meeting.held_on,
                "place": meeting.place,
                "topic": meeting.topic,
                "first_agenda": meeting.first_agenda,
                "topic_item": meeting.topic_item_id,
                "minutes": meeting.minutes,
                "chair": meeting.chair_id,
                "minute_taker": meeting.minute_taker_id,
            },
            **kwargs,
        )
    return _render(
        request,
        "orglife/meeting_form.html",
        {
            "form": form,
            "meeting": meeting,
            "blocked": blocked,
            "org": org,
            "held_on": held_on,
            "statuses": STATUS_CHOICES,
            "rows": rows,
            "attendance_errors": extra_errors.pop("attendance", []),
            "duplicates": duplicates,
            "other_errors": extra_errors,
            "checklist_url": f"{reverse('meeting_checklist')}?org={org.pk}",
        },
    )


@login_required
def meeting_withdraw(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """撤销: the meeting stays on record, marked withdrawn with the reason, and counts nowhere."""
    meeting, blocked = _editable(request, meeting_id)
    form = MeetingWithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            services.meeting_withdraw(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Meeting withdrawn: it no longer counts anywhere."))
            return redirect("meeting_detail", meeting_id=meeting.pk)
    return _render(
        request, "orglife/meeting_withdraw.html", {"meeting": meeting, "form": form, "blocked": blocked}
    )


@never_cache
@login_required
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """Attachments are only ever served through here, scoped; MEDIA_ROOT is not published."""
    att = selectors.attachment_get(actor=request.user, attachment_id=attachment_id)
    try:
        handle = att.file.open("rb")
    except FileNotFoundError:
        raise NotFound() from None
    return FileResponse(handle, as_attachment=True, filename=att.original_name, content_type=att.content_type)


# --- key-content lists -----------------------------------------------------------------------------


@login_required
@needs(Perm.VIEW_ORG)
def topic_lists(request: HttpRequest) -> HttpResponse:
    publishers = list(selectors.topic_publishers(actor=request.user))
    if request.method == "POST" and not publishers:
        raise NotFound()
    form = None
    if publishers:
        by_id = {o.pk: o for o in publishers}
        choices = [(o.pk, f"{'　' * max(o.depth - publishers[0].depth, 0)}{o.name}") for o in publishers]
        form = TopicListForm(
            request.POST or None,
            org_choices=choices,
            initial={"org": publishers[0].pk, "month": timezone.localdate().replace(day=1)},
        )
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                tl = services.topic_list_publish(
                    actor=request.user,
                    org=by_id[d["org"]],
                    month=d["month"],
                    title=d["title"],
                    items=d["items"].splitlines(),
                )
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Published to every branch below."))
                return redirect("topic_list_detail", topic_list_id=tl.pk)
    page = Paginator(selectors.topic_lists_for(actor=request.user), 24).get_page(request.GET.get("page"))
    return _render(request, "orglife/topic_lists.html", {"page": page, "form": form})


@login_required
def topic_list_detail(request: HttpRequest, topic_list_id: int) -> HttpResponse:
    topic_list = get_scoped_or_404(selectors.topic_lists_for(actor=request.user), pk=topic_list_id)
    coverage = selectors.topic_coverage(actor=request.user, topic_list=topic_list)
    return _render(
        request, "orglife/topic_list_detail.html", {"topic_list": topic_list, "coverage": coverage}
    )
