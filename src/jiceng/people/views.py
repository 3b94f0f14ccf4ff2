"""Member and 两委 pages. Thin: parse with a form, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from jiceng.core import lookup
from jiceng.core import selectors as core_selectors
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.exports import xlsx_response
from jiceng.core.roles import Perm
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_area, can_access_org, has_perm_anywhere
from jiceng.core.selectors import org_get
from jiceng.core.web import form_errors, needs

from . import imports, selectors, services
from .forms import (
    CadrePostEndForm,
    CadrePostForm,
    MemberForm,
    MemberImportForm,
    MemberSearchForm,
)
from .plugin import CHANGE_MEMBER

ORG_OUT_OF_SCOPE = "所属党组织：不存在或不在您的管辖范围内。"
PERSON_OUT_OF_SCOPE = "人员：不存在或不在您的管辖范围内。"


def _filters(request: HttpRequest) -> tuple[MemberSearchForm, selectors.MemberFilters]:
    rules_at = selectors.rules_org(request.user)
    form = MemberSearchForm(
        request.GET or None,
        age_bands=rule("people.age_bands", rules_at),
        education_bands=rule("people.education_bands", rules_at),
        orgs=core_selectors.org_choices(actor=request.user, perm=Perm.VIEW_MEMBER),
    )
    filters = selectors.MemberFilters()
    if form.is_valid():
        d = form.cleaned_data
        org = org_get(actor=request.user, org_id=d["org"]) if d.get("org") else None
        filters = selectors.MemberFilters(
            q=d["q"],
            id_tail=d["id_tail"],
            org=org,
            status=d["status"],
            age_band=d["age_band"],
            education=d["education"],
            mobility=d["mobility"],
        )
    return form, filters


@login_required
@needs(Perm.VIEW_MEMBER)
def member_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    qs = selectors.member_search(actor=request.user, filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    without_org = query.copy()
    without_org.pop("org", None)
    ctx = {
        "form": form,
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "ledger": reverse("ledger_detail", kwargs={"key": "people.members"}),
        "query_without_org": without_org.urlencode(),
        "can_export": has_perm_anywhere(request.user, Perm.EXPORT_PERSONAL),
        "can_create": has_perm_anywhere(request.user, CHANGE_MEMBER),
        "age_bands": form.age_bands,
    }
    template = "people/member_list.html#results" if request.htmx else "people/member_list.html"
    return render(request, template, ctx)


@login_required
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get(actor=request.user, member_id=member_id)
    return render(
        request,
        "people/member_detail.html",
        {
            "member": member,
            "posts": selectors.member_posts(actor=request.user, member=member),
            "can_change": can_access_org(request.user, CHANGE_MEMBER, member.org),
            "can_reveal": can_access_org(request.user, Perm.REVEAL_PERSONAL, member.org),
            "can_audit": can_access_org(request.user, Perm.VIEW_AUDIT, member.org),
        },
    )


@never_cache
@login_required
@require_POST
def member_reveal(request: HttpRequest, member_id: int, field: str) -> HttpResponse:
    if field not in services.REVEALABLE:
        raise Http404  # the URL names a field that cannot be revealed: no such page
    member = selectors.member_get(actor=request.user, member_id=member_id)
    value = services.person_reveal(actor=request.user, member=member, field=field)
    return render(request, "people/member_detail.html#revealed", {"value": value})


@login_required
@needs(CHANGE_MEMBER)
def member_create(request: HttpRequest) -> HttpResponse:
    form = MemberForm(
        request.POST or None,
        orgs=selectors.member_org_choices(actor=request.user),
        creating=True,
        initial={"status": "full", "mobility": "none", "ethnicity": "汉族"},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            data["org"] = org_get(actor=request.user, org_id=data["org"])
            org_error = None
        except NotFound:
            # still run the service, so every other mistake is reported in the same round
            data["org"], org_error = None, ORG_OUT_OF_SCOPE
        try:
            member = services.member_create(actor=request.user, **data)
        except DomainError as exc:
            if org_error:
                exc.errors["org"] = [org_error]
            form_errors(form, exc)
        else:
            messages.success(request, _("Member registered."))
            return redirect("member_detail", member_id=member.pk)
    return render(request, "people/member_form.html", {"member": None, "form": form})


@login_required
@needs(CHANGE_MEMBER)
def member_import(request: HttpRequest) -> HttpResponse:
    """批量导入党员: upload; the file is checked and written by a job (the page that follows shows its
    progress), all or nothing, every bad row listed."""
    form = MemberImportForm(
        request.POST or None, request.FILES or None, orgs=imports.import_targets(actor=request.user)
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            org = org_get(actor=request.user, org_id=form.cleaned_data["org"])
            job = imports.import_start(
                actor=request.user,
                org=org,
                file=upload,
                filename=upload.name,
                ignore_unknown=form.cleaned_data["ignore_unknown"],
            )
        except NotFound:
            form.add_error("org", ORG_OUT_OF_SCOPE)
        except DomainError as exc:
            form_errors(form, exc)
        else:
            url = reverse("job_detail", kwargs={"job_id": job.pk})
            if request.htmx:
                return HttpResponseClientRedirect(url)
            return redirect(url)
    return render(request, "people/member_import.html", {"form": form})


@never_cache
@login_required
@needs(CHANGE_MEMBER)
def member_import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(imports.template_xlsx(), "党员导入模板.xlsx")


def _initial(member) -> dict:
    p = member.person
    return {
        "name": p.name,
        "gender": p.gender,
        "ethnicity": p.ethnicity,
        "id_number": p.id_number_masked,
        "birth_date": p.birth_date,
        "education": p.education,
        "phone": p.phone_masked,
        "org": member.org_id,
        "status": member.status,
        "joined_on": member.joined_on,
        "full_on": member.full_on,
        "mobility": member.mobility,
        "mobility_note": member.mobility_note,
        "remarks": member.remarks,
    }


@login_required
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get_for_change(actor=request.user, member_id=member_id)
    form = MemberForm(
        request.POST or None,
        initial=_initial(member),
        orgs=selectors.member_org_choices(actor=request.user, member=member),
        within=selectors.member_org_anchor(actor=request.user, member=member),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            data["org"] = org_get(actor=request.user, org_id=data["org"])
            initial = _initial(member)
            changes = {k: v for k, v in data.items() if v != initial.get(k)}
            # the masked values shown in the form mean "unchanged"
            for f in ("id_number", "phone"):
                if f in changes and "*" in (changes[f] or ""):
                    changes.pop(f)
            services.member_update(actor=request.user, member=member, **changes)
        except NotFound:
            form.add_error("org", _("Organisation: not found or outside your scope."))
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("member_detail", member_id=member.pk)
    return render(request, "people/member_form.html", {"member": member, "form": form})


@login_required
@needs(Perm.VIEW_MEMBER)
def village_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    dual = {"yes": True, "no": False}.get(request.GET.get("dual", ""))
    qs = selectors.villages_for(actor=request.user, q=q, dual=dual)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request, "people/village_list.html", {"page": page, "q": q, "dual": request.GET.get("dual", "")}
    )


def _person_label(p) -> str:
    """Name, the ID number's last four (two people may share a name) and the member's organisation."""
    tail = f"（{p.id_number_masked[-4:]}）" if p.id_number_masked else ""
    return f"{p.name}{tail}" + (f" · {p.org_name}" if p.org_name else "")


def _seat_people(request: HttpRequest, village) -> dict:
    """The seat form's searchable select: who may be seated, and how each reads."""
    return {
        "village": village,
        "people": selectors.village_people(actor=request.user, village=village),
        "label": _person_label,
    }


def _village_page(
    request: HttpRequest,
    village,
    *,
    post_form: CadrePostForm | None = None,
    end_form: CadrePostEndForm | None = None,
    end_post_id: int | None = None,
) -> HttpResponse:
    """The village's seats; for those who may change them, the seat form and an end-term form per seat
    (a bound form carries back the errors of the POST that failed)."""
    annotated = selectors.village_annotated(actor=request.user, village=village)
    posts = list(selectors.village_posts(actor=request.user, village=village))
    can_change = can_access_area(request.user, CHANGE_MEMBER, village)
    ctx = {"village": annotated, "posts": posts, "can_change": can_change}
    if can_change:
        today = timezone.localdate()
        if post_form is None:
            post_form = CadrePostForm(initial={"term_from": today}, **_seat_people(request, village))
        ctx["post_form"] = post_form
        for p in posts:
            p.end_form = (
                end_form
                if p.pk == end_post_id
                else CadrePostEndForm(initial={"term_to": today}, auto_id=f"id_end{p.pk}_%s")
            )
        if end_form is not None and end_post_id not in {p.pk for p in posts}:
            # a seat not held today (ended, or not begun) has no row to show its errors on
            for msgs in end_form.errors.values():
                for m in msgs:
                    messages.error(request, m)
    return render(request, "people/village_posts.html", ctx)


@login_required
def village_posts(request: HttpRequest, area_id: int) -> HttpResponse:
    village = selectors.village_get(actor=request.user, area_id=area_id)
    return _village_page(request, village)


@login_required
@require_POST
def village_post_create(request: HttpRequest, area_id: int) -> HttpResponse:
    village = selectors.village_get_for_change(actor=request.user, area_id=area_id)
    form = CadrePostForm(request.POST, **_seat_people(request, village))
    if form.is_valid():
        d = form.cleaned_data
        try:
            person = selectors.person_get(actor=request.user, person_id=d["person"])
        except NotFound:
            form.add_error("person", PERSON_OUT_OF_SCOPE)
        else:
            try:
                services.cadre_post_create(
                    actor=request.user,
                    area=village,
                    committee=d["committee"],
                    post=d["post"],
                    person=person,
                    term_from=d["term_from"],
                    term_to=d["term_to"],
                )
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Post recorded."))
                return redirect("village_posts", area_id=village.pk)
    return _village_page(request, village, post_form=form)


@login_required
@require_POST
def village_post_end(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.post_get_for_change(actor=request.user, post_id=post_id)
    form = CadrePostEndForm(request.POST, auto_id=f"id_end{post.pk}_%s")
    if form.is_valid():
        try:
            services.cadre_post_end(actor=request.user, post=post, term_to=form.cleaned_data["term_to"])
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Term ended."))
            return redirect(f"{reverse('village_posts', kwargs={'area_id': post.area_id})}#posts-table")
    village = selectors.village_get(actor=request.user, area_id=post.area_id)
    return _village_page(request, village, end_form=form, end_post_id=post.pk)


# --- searchable selects (core.widgets.SearchSelect) -------------------------------------------------


def _member_label(m) -> str:
    """Name, the ID number's last four (two members may share a name) and the organisation: never
    the full number, nor the phone."""
    tail = f"（{m.person.id_number_masked[-4:]}）" if m.person.id_number_masked else ""
    return f"{m.person.name}{tail} · {m.org.name}"


@never_cache
@login_required
@require_GET
@needs(Perm.VIEW_MEMBER)
def member_lookup(request: HttpRequest) -> HttpResponse:
    """Options for a select of members: ?q= (any part of the name), org= (within this node, in scope:
    else 404), blank=1."""
    try:
        q = lookup.search_term(request)
    except DomainError as exc:
        return lookup.refused(request, exc)
    org_id = request.GET.get("org")
    org = org_get(actor=request.user, org_id=org_id) if org_id else None
    rows = selectors.member_lookup(actor=request.user, q=q, org=org, limit=lookup.LIMIT + 1)
    return lookup.options(request, [(m.pk, _member_label(m)) for m in rows], q=q)


@never_cache
@login_required
@require_GET
def village_person_lookup(request: HttpRequest, area_id: int) -> HttpResponse:
    """Options for the seat form's person: who may be seated in this village (the form's own list),
    for those who may change its seats."""
    village = selectors.village_get_for_change(actor=request.user, area_id=area_id)
    try:
        q = lookup.search_term(request)
    except DomainError as exc:
        return lookup.refused(request, exc)
    rows = selectors.village_people(actor=request.user, village=village, q=q)[: lookup.LIMIT + 1]
    return lookup.options(request, [(p.pk, _person_label(p)) for p in rows], q=q)
