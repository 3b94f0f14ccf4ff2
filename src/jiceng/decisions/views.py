"""Village decision pages: the matters list, a new matter, a matter with its whole trail and what
can be done next, the form of one stage, a village's roster and its quorum base, the township's
list. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import photos
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.web import form_errors, needs

from . import selectors, services
from .forms import DemandForm, MatterFilterForm, MatterForm, PopulationForm, SeatEndForm, SeatForm, StageForm
from .plugin import PROPOSE, RECORD
from .workflows import MEETING_OF, TITLES

PAGE = 30
COMMON = ("held_on", "minutes", "photos")
SHOW = {
    "consultation": ("held_on", "attended", "minutes", "photos"),
    "party_committee": (*COMMON, "attendee_ids", "votes_for", "votes_against", "votes_abstain"),
    "joint": (*COMMON, "attendee_ids", "votes_for", "votes_against", "votes_abstain"),
    "members": (*COMMON, "attendee_ids", "votes_for", "votes_against", "votes_abstain"),
    "township": (*COMMON, "reason"),
    "representatives": (*COMMON, "assembly", "attendee_ids", "votes_for", "votes_against", "votes_abstain"),
    "villagers": (
        *COMMON,
        "assembly",
        "notice_on",
        "route",
        "attended",
        "households",
        "group_reps",
        "votes_for",
        "votes_against",
        "votes_abstain",
    ),
    "disclosure": (*COMMON, "names"),
    "reject": ("held_on", "reason"),
}


@login_required
@needs(RECORD)
def matter_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    villages = list(selectors.villages_for(actor=actor)[:2000])
    types = services.matter_types(None)
    form = MatterFilterForm(request.GET or None, villages=villages, types=types)
    f: dict = {}
    if form.is_bound and form.is_valid():
        f = form.cleaned_data
    village = next((v for v in villages if v.pk == f.get("village")), None)
    qs = selectors.matters_for(
        actor=actor,
        village=village,
        kind=f.get("kind") or "",
        stage=f.get("stage") or "",
        outcome=f.get("outcome") or "",
        year=f.get("year"),
        q=(f.get("q") or "").strip(),
    )
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "decisions/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "titles": TITLES},
    )


@login_required
@needs(PROPOSE)
def matter_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    villages = list(selectors.villages_for(actor=actor, perm=PROPOSE)[:2000])
    if not villages:
        raise NotFound()
    types = services.matter_types(None)
    procedures = [(k, v) for k, v in TITLES.items()]
    form = MatterForm(
        request.POST or None,
        villages=villages,
        types=types,
        procedures=procedures,
        initial={"proposed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        village = next(v for v in villages if v.pk == d["village"])
        amount = d.get("amount_yuan")
        try:
            matter = services.matter_create(
                actor=actor,
                village=village,
                kind=d["kind"],
                title=d["title"],
                procedure=d["procedure"],
                description=d.get("description") or "",
                amount_fen=None if amount is None else int((amount * Decimal(100)).to_integral_value()),
                proposed_on=d["proposed_on"],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Matter registered."))
            return redirect("decisions_matter", matter_id=matter.pk)
    return render(request, "decisions/new.html", {"form": form})


@login_required
@needs(RECORD)
def matter_detail(request: HttpRequest, matter_id: int) -> HttpResponse:
    actor = request.user
    matter = selectors.matter_get(actor=actor, matter_id=matter_id)
    trail = selectors.matter_trail(actor=actor, matter=matter)
    return render(request, "decisions/matter.html", {"m": matter, "trail": trail})


def _show(action: str, assembly: str, generic: bool) -> tuple[str, ...]:
    if generic:
        return ("held_on",)
    if action == "reject":
        return SHOW["reject"]
    kind = MEETING_OF.get(action, "")
    if kind == "assembly":
        return SHOW["villagers" if assembly == "villagers" else "representatives"]
    return SHOW.get(kind, COMMON)


@login_required
@needs(RECORD)
def matter_stage(request: HttpRequest, matter_id: int, stage_action: str) -> HttpResponse:
    actor = request.user
    matter = selectors.matter_get(actor=actor, matter_id=matter_id)
    way = selectors.stage_transition(actor=actor, matter=matter, action=stage_action)
    if way is None:
        raise NotFound()
    data = request.POST if request.method == "POST" else None
    assembly = (request.POST.get("assembly") or request.GET.get("assembly") or "representatives")[:20]
    day_raw = (request.POST.get("held_on") or request.GET.get("held_on") or "")[:10]
    try:
        import datetime as dt

        day = dt.date.fromisoformat(day_raw) if day_raw else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    attendees = selectors.attendee_choices(
        actor=actor, matter=matter, action=stage_action, on=day, assembly=assembly
    )
    show = _show(stage_action, assembly, way.generic)
    form = StageForm(
        data,
        request.FILES or None,
        attendees=attendees,
        show=show,
        initial={"held_on": day, "assembly": assembly},
    )
    files_lost = False
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        stage = services.StageIn(
            action=stage_action,
            held_on=c.get("held_on"),
            notice_on=c.get("notice_on"),
            assembly=c.get("assembly") or ("" if MEETING_OF.get(stage_action) != "assembly" else assembly),
            route=c.get("route") or "",
            attendee_ids=list(c.get("attendee_ids") or []),
            attended=c.get("attended"),
            households=c.get("households"),
            group_reps=c.get("group_reps"),
            votes_for=c.get("votes_for"),
            votes_against=c.get("votes_against"),
            votes_abstain=c.get("votes_abstain"),
            minutes=c.get("minutes") or "",
            reason=c.get("reason") or "",
            names=c.get("names") or "",
        )
        try:
            services.record_stage(actor=actor, matter=matter, stage=stage, uploads=c.get("photos") or [])
        except DomainError as exc:
            form_errors(form, exc)
            files_lost = bool(c.get("photos"))
        else:
            messages.success(request, _("Stage recorded."))
            return redirect("decisions_matter", matter_id=matter.pk)
    return render(
        request,
        "decisions/stage.html",
        {"m": matter, "way": way, "form": form, "files_lost": files_lost, "assembly": assembly, "day": day},
    )


@login_required
@needs(RECORD)
def photo(request: HttpRequest, meeting_photo_id: int) -> HttpResponse:
    p = selectors.photo_get(actor=request.user, meeting_photo_id=meeting_photo_id)
    return photos.response(p.name, p.content_type)


@login_required
@needs(RECORD)
def village_roster(request: HttpRequest, area_id: int) -> HttpResponse:
    actor = request.user
    village = selectors.village_get(actor=actor, area_id=area_id)
    persons = selectors.resident_choices(actor=actor, village=village)
    add = SeatForm(
        request.POST if request.POST.get("form") == "add" else None,
        persons=persons,
        initial={"since": timezone.localdate()},
    )
    end = SeatEndForm(request.POST if request.POST.get("form") == "end" else None)
    if request.method == "POST":
        try:
            if add.is_bound and add.is_valid():
                d = add.cleaned_data
                services.seat_add(
                    actor=actor,
                    village=village,
                    body=d["body"],
                    person_id=d["person"],
                    since=d["since"],
                    group_name=d.get("group_name") or "",
                    households=d.get("households"),
                )
                messages.success(request, _("Seat added."))
                return redirect("decisions_roster", area_id=village.pk)
            if end.is_bound and end.is_valid():
                seat = selectors.seat_get(actor=actor, seat_id=end.cleaned_data["seat"])
                if seat.village_id != village.pk:
                    raise NotFound()
                services.seat_end(actor=actor, seat=seat, until=end.cleaned_data["until"])
                messages.success(request, _("Seat ended."))
                return redirect("decisions_roster", area_id=village.pk)
        except DomainError as exc:
            form_errors(add if add.is_bound else end, exc)
    r = selectors.roster(actor=actor, village=village)
    return render(request, "decisions/roster.html", {"r": r, "add": add, "end": end})


@login_required
@needs(RECORD)
def village_base(request: HttpRequest, area_id: int) -> HttpResponse:
    actor = request.user
    village = selectors.village_get(actor=actor, area_id=area_id)
    which = request.POST.get("form")
    pop = PopulationForm(
        request.POST if which == "population" else None, initial={"as_of": timezone.localdate()}
    )
    demand = DemandForm(
        request.POST if which == "demand" else None, initial={"filed_on": timezone.localdate()}
    )
    if request.method == "POST":
        try:
            if pop.is_bound and pop.is_valid():
                d = pop.cleaned_data
                services.population_set(
                    actor=actor,
                    village=village,
                    adults=d["adults"],
                    households=d["households"],
                    as_of=d["as_of"],
                    source=d["source"],
                )
                messages.success(request, _("Registered population saved."))
                return redirect("decisions_base", area_id=village.pk)
            if demand.is_bound and demand.is_valid():
                d = demand.cleaned_data
                services.demand_record(
                    actor=actor,
                    village=village,
                    by=d["by"],
                    subject=d["subject"],
                    filed_on=d["filed_on"],
                    signatures=d["signatures"],
                )
                messages.success(request, _("Demand recorded."))
                return redirect("decisions_base", area_id=village.pk)
        except DomainError as exc:
            form_errors(pop if pop.is_bound else demand, exc)
    page = selectors.quorum_page(actor=actor, village=village)
    return render(request, "decisions/quorum.html", {"p": page, "pop": pop, "demand": demand})


@login_required
@needs(RECORD)
def township(request: HttpRequest) -> HttpResponse:
    actor = request.user
    reviews = list(selectors.reviews_waiting(actor=actor)[:200])
    overdue = selectors.overdue_villages(actor=actor)
    villages = list(selectors.villages_for(actor=actor)[:500])
    return render(
        request,
        "decisions/township.html",
        {"reviews": reviews, "overdue": overdue, "villages": villages},
    )
