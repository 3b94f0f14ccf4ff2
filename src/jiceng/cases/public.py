"""Residents' own pages, without an account (core/public.py): file a request, follow it with its
number and the last four digits of the phone given, rate the reply, and read the requests their
residents agreed to list. The selectors below return frozen dataclasses of plain values — names of
places and categories, dates, states, the public trail — never a model and never a resident's name,
phone, address or photo; the only personal data a page holds is what the resident typed into the
form they are filling in.

Look-ups and ratings are throttled per client address and hour (rule ``cases.lookups_per_hour``):
a number cannot be found by trying phone tails. The phone tail is posted, never put in a URL, and
never written anywhere (no audit entry: the resident has no account)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import OrderedDict
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import DomainError, NotFound
from jiceng.core.middleware import client_ip
from jiceng.core.models import Area, Org
from jiceng.core.public import found, plain, public, public_form
from jiceng.core.rulepacks import rule
from jiceng.core.web import form_errors

from . import services
from .forms import PublicCaseForm, RateForm, TrackForm
from .models import PRIVATE_KINDS, Case, CaseNote, Category, Kind, State

PAGE_SIZE = 50
TOWNSHIP_KINDS = ("township", "subdistrict")
VILLAGE_KINDS = ("village", "community")
ALL_VILLAGES_MAX = 600  # beyond this the form asks for the township first
WRONG_PAIR = "编号或手机号后四位不正确。"
THROTTLED = "查询过于频繁：同一网络每小时最多查询或评价{n}次，请稍后再试。"


# --- plain values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    kind: str = ""  # a category's kind (the wage fields are for wage arrears)


@dataclass(frozen=True)
class Group:
    name: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Listed:
    number: str
    category: str
    village: str
    township: str
    received_on: dt.date
    status: str
    reply: str


@dataclass(frozen=True)
class Listing:
    rows: tuple[Listed, ...]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class TrailStep:
    at: dt.datetime
    text: str


@dataclass(frozen=True)
class Tracked:
    number: str
    category: str
    village: str
    township: str
    received_at: dt.datetime
    due_at: dt.datetime
    state: str
    status: str
    reply: str
    trail: tuple[TrailStep, ...]
    can_rate: bool
    rating: str
    resolved_for_resident: bool | None


# --- selectors (no actor: what anyone may read) ---------------------------------------------------------


def _ancestors(p: str) -> list[str]:
    step = Area.steplen
    return [p[:i] for i in range(step, len(p) + 1, step)]


def townships() -> tuple[Group, ...]:
    """Every township and subdistrict, grouped by county."""
    counties = {a.path: a.name for a in Area.objects.filter(kind="county")}
    groups: OrderedDict[str, list[Choice]] = OrderedDict()
    for t in Area.objects.filter(kind__in=TOWNSHIP_KINDS).order_by("path"):
        county = next((counties[p] for p in _ancestors(t.path) if p in counties), "")
        groups.setdefault(county, []).append(Choice(t.pk, t.name))
    return plain(tuple(Group(name, tuple(cs)) for name, cs in groups.items()))


def _township(township_id) -> Area | None:
    try:
        pk = int(township_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return Area.objects.filter(pk=pk, kind__in=TOWNSHIP_KINDS).first()


def township_name(township_id) -> str | None:
    town = _township(township_id)
    return town.name if town else None


def villages(township_id=None) -> tuple[Group, ...]:
    """The villages and communities of a township, or of every township (grouped by township)
    while there are not too many to list; an empty tuple means: choose the township first."""
    town = _township(township_id)
    qs = Area.objects.filter(kind__in=VILLAGE_KINDS)
    if town is not None:
        return plain(
            (
                Group(
                    town.name,
                    tuple(
                        Choice(a.pk, a.name) for a in qs.filter(path__startswith=town.path).order_by("path")
                    ),
                ),
            )
        )
    rows = list(qs.order_by("path")[: ALL_VILLAGES_MAX + 1])
    if len(rows) > ALL_VILLAGES_MAX:
        return ()
    towns = {a.path: a.name for a in Area.objects.filter(kind__in=TOWNSHIP_KINDS)}
    groups: OrderedDict[str, list[Choice]] = OrderedDict()
    for a in rows:
        name = next((towns[p] for p in _ancestors(a.path) if p in towns), "")
        groups.setdefault(name, []).append(Choice(a.pk, a.name))
    return plain(tuple(Group(name, tuple(cs)) for name, cs in groups.items()))


def categories(township_id=None) -> tuple[Group, ...]:
    """What a resident may ask for: every active category in force in the township's county
    (or the defaults, where the county is not known yet), but court enforcement, grouped."""
    town = _township(township_id)
    county = None
    if town is not None:
        county = Area.objects.filter(path__in=_ancestors(town.path), kind="county").first()
    else:
        counties = list(Area.objects.filter(kind="county")[:2])
        county = counties[0] if len(counties) == 1 else None
    rows = (
        services.categories_for(county)
        if county is not None
        else Category.objects.filter(county__isnull=True, active=True).order_by("order", "code")
    )
    groups: OrderedDict[str, list[Choice]] = OrderedDict()
    for c in rows.exclude(kind=Kind.ENFORCEMENT):
        groups.setdefault(c.group or "其他", []).append(Choice(c.pk, c.name, c.kind))
    return plain(tuple(Group(name, tuple(cs)) for name, cs in groups.items()))


def _names_of(areas: list[Area], kinds: tuple[str, ...]) -> dict[int, str]:
    """{area pk: the name of its enclosing area of ``kinds``} in one query."""
    paths = {p for a in areas for p in _ancestors(a.path)}
    found_ = {a.path: a.name for a in Area.objects.filter(path__in=paths, kind__in=kinds)}
    return {a.pk: next((found_[p] for p in reversed(_ancestors(a.path)) if p in found_), "") for a in areas}


def listing(*, township_id=None, village_id=None, page=1) -> Listing:
    """The requests their residents agreed to list (never a dispute, wage arrears or enforcement):
    number, category, village, date, status and reply, newest first."""
    qs = Case.objects.filter(public=True, category__public=True).exclude(kind__in=PRIVATE_KINDS)
    town = _township(township_id)
    village = None
    try:
        vid = int(village_id) if village_id else None
    except (TypeError, ValueError):
        vid = None
    if vid is not None and 0 < vid < 2**63:
        village = Area.objects.filter(pk=vid, kind__in=VILLAGE_KINDS).first()
    if village is not None and (town is None or village.path.startswith(town.path)):
        qs = qs.filter(area__path__startswith=village.path)
    elif town is not None:
        qs = qs.filter(area__path__startswith=town.path)
    total = qs.count()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    try:
        number = min(max(int(page), 1), pages)
    except (TypeError, ValueError):
        number = 1
    rows = list(
        qs.select_related("category", "area").order_by("-received_at", "-pk")[
            (number - 1) * PAGE_SIZE : number * PAGE_SIZE
        ]
    )
    areas = [c.area for c in rows]
    village_of = _names_of(areas, VILLAGE_KINDS)
    town_of = _names_of(areas, TOWNSHIP_KINDS)
    return plain(
        Listing(
            rows=tuple(
                Listed(
                    number=c.number,
                    category=c.category.name,
                    village=village_of.get(c.area_id, ""),
                    township=town_of.get(c.area_id, ""),
                    received_on=timezone.localtime(c.received_at).date(),
                    status=str(c.get_state_display()),
                    reply=c.reply,
                )
                for c in rows
            ),
            page=number,
            pages=pages,
            total=total,
        )
    )


def tracked(number: str, tail: str) -> Tracked | None:
    """The resident's own case by its number and phone tail (services.find_for_resident), or None
    for a wrong pair — whichever part is wrong."""
    try:
        case = services.find_for_resident(number=number, phone_tail=tail)
    except NotFound:
        return None
    village = _names_of([case.area], VILLAGE_KINDS).get(case.area_id, "")
    town = _names_of([case.area], TOWNSHIP_KINDS).get(case.area_id, "")
    trail = tuple(
        TrailStep(n.at, n.text) for n in CaseNote.objects.filter(case=case, public=True).order_by("at", "pk")
    )
    return plain(
        Tracked(
            number=case.number,
            category=case.category.name,
            village=village,
            township=town,
            received_at=case.received_at,
            due_at=case.due_at,
            state=case.state,
            status=str(case.get_state_display()),
            reply=case.reply,
            trail=trail,
            can_rate=case.state == State.RESOLVED,
            rating=str(case.get_rating_display()) if case.rating else "",
            resolved_for_resident=case.resolved_for_resident,
        )
    )


def _rule_org() -> Org | None:
    """The installation's one top organisation (a county's deployment), whose override of the
    limit applies; with several, or none, the pack's default (rulepacks.rule without an org)."""
    roots = list(Org.objects.filter(depth=1)[:2])
    return roots[0] if len(roots) == 1 else None


def throttled(request: HttpRequest) -> int | None:
    """Count one look-up or rating from the request's address this hour; the limit when it is
    over it, else None. The address is kept hashed, only in the cache, for the hour."""
    limit = int(rule("cases.lookups_per_hour", _rule_org()))
    ip = client_ip(request) or "unknown"
    key = f"jiceng:cases:lookups:{hashlib.sha256(ip.encode()).hexdigest()[:32]}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3700)
    try:
        n = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=3700)
        n = 1
    return limit if n > limit else None


# --- pages -------------------------------------------------------------------------------------------


def _choices(groups: tuple[Group, ...]) -> list:
    return [(g.name, [(c.id, c.name) for c in g.choices]) for g in groups]


def _number(value) -> str:
    number = (value or "").strip().upper()
    ok = len(number) == services.NUMBER_LENGTH and all(c in services.NUMBER_ALPHABET for c in number)
    return number if ok else ""


@public_form
def case_new(request: HttpRequest) -> HttpResponse:
    """提交诉求: a resident's request; on success the tracking number (done page)."""
    data = request.POST if request.method == "POST" else request.GET
    township = data.get("township") or None
    town = township_name(township)
    if town is None:
        township = None
    category_groups = categories(township)
    village_groups = villages(township)
    wage_ids = {str(c.id) for g in category_groups for c in g.choices if c.kind == Kind.WAGE}
    kwargs = {"category_choices": _choices(category_groups), "village_choices": _choices(village_groups)}
    posted = request.method == "POST"
    if posted:
        form = PublicCaseForm(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            d = form.cleaned_data
            try:
                case = services.submit(
                    actor=None,
                    data=services.CaseIn(
                        category_id=d["category"],
                        description=d["description"],
                        area_id=d["area"],
                        address=d["address"],
                        lat=d["lat"] or None,
                        lon=d["lon"] or None,
                        datum=d["datum"] or "wgs84",
                        name=d["name"],
                        phone=d["phone"],
                        public=d["public"],
                        photos=d["photos"],
                        wage=services.WageIn(**form.wage_values()),
                    ),
                )
            except DomainError as exc:
                form_errors(form, exc)
            else:
                return redirect(f"{reverse('public_case_done')}?number={case.number}")
    else:
        form = PublicCaseForm(initial={"datum": "wgs84"}, **kwargs)
    chosen = str(form["category"].value() or "")
    return render(
        request,
        "cases/public_new.html",
        {
            "form": form,
            "townships": townships(),
            "township": int(township) if township else None,
            "township_name": town,
            "choose_township_first": not village_groups,
            "wage_open": chosen in wage_ids or form.wage_errors(),
            "files_lost": posted and bool(request.FILES),
        },
    )


@public
def case_done(request: HttpRequest) -> HttpResponse:
    number = _number(request.GET.get("number"))
    if not number:
        raise NotFound()
    return render(request, "cases/public_done.html", {"number": number})


def _track_page(request, *, form=None, result=None, rate_form=None, error="", notice="", status=200):
    return render(
        request,
        "cases/public_track.html",
        {"form": form, "result": result, "rate_form": rate_form, "error": error, "notice": notice},
        status=status,
    )


def _rate_form_for(result: Tracked | None, number: str, tail: str, data=None) -> RateForm | None:
    if result is None or not result.can_rate:
        return None
    if data is not None:
        return RateForm(data)
    return RateForm(initial={"number": number, "tail": tail})


def _refused(request, limit: int) -> HttpResponse:
    return render(request, "cases/public_throttled.html", {"message": THROTTLED.format(n=limit)}, status=429)


@public_form
def case_track(request: HttpRequest) -> HttpResponse:
    """查询进度: the number and the phone's last four digits (posted, never in the URL)."""
    if request.method != "POST":
        return _track_page(request, form=TrackForm(initial={"number": _number(request.GET.get("number"))}))
    if (limit := throttled(request)) is not None:
        return _refused(request, limit)
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _track_page(request, form=form)
    number, tail = form.cleaned_data["number"].strip(), form.cleaned_data["tail"].strip()
    result = tracked(number, tail)
    if result is None:
        return _track_page(request, form=form, error=WRONG_PAIR)
    return _track_page(request, result=result, rate_form=_rate_form_for(result, result.number, tail))


@public_form
def case_rate(request: HttpRequest) -> HttpResponse:
    """评价: satisfied / basically / unsatisfied, resolved or not, and a comment (services.rate)."""
    if request.method != "POST":
        return redirect("public_case_track")
    if (limit := throttled(request)) is not None:
        return _refused(request, limit)
    form = RateForm(request.POST)
    if not form.is_valid():
        return _track_page(request, form=TrackForm(), error=WRONG_PAIR)
    d = form.cleaned_data
    number, tail = d["number"].strip(), d["tail"].strip()
    try:
        services.rate(
            number=number, phone_tail=tail, rating=d["rating"], resolved=d["resolved"], comment=d["comment"]
        )
    except NotFound:
        return _track_page(request, form=TrackForm(), error=WRONG_PAIR)
    except DomainError as exc:
        form_errors(form, exc)
        result = tracked(number, tail)
        if result is None:
            return _track_page(request, form=TrackForm(), error=WRONG_PAIR)
        return _track_page(request, result=result, rate_form=form if result.can_rate else None)
    result = tracked(number, tail)
    return _track_page(
        request, result=found(result), notice=_("Thank you: your rating is recorded and the request closed.")
    )


@public
def case_list(request: HttpRequest) -> HttpResponse:
    """公开的诉求: the requests listed publicly, by township and village."""
    township = request.GET.get("township") or None
    if township_name(township) is None:
        township = None
    village = request.GET.get("village") or None
    result = listing(township_id=township, village_id=village, page=request.GET.get("page") or 1)
    query = "&".join(
        f"{k}={v}" for k, v in (("township", township), ("village", village)) if v and str(v).isdigit()
    )
    return render(
        request,
        "cases/public_list.html",
        {
            "listing": result,
            "townships": townships(),
            "township": int(township) if township else None,
            "villages": villages(township) if township else (),
            "village": int(village) if village and village.isdigit() else None,
            "query": query,
        },
    )


urlpatterns = [
    path("cases/", case_list, name="public_cases"),
    path("cases/new/", case_new, name="public_case_new"),
    path("cases/new/done/", case_done, name="public_case_done"),
    path("cases/track/", case_track, name="public_case_track"),
    path("cases/rate/", case_rate, name="public_case_rate"),
]
