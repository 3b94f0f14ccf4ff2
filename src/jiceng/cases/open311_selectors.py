"""The reads behind Open311 GeoReport v2 (open311.py): jurisdictions, services, a service's
definition, requests and tokens. The endpoint is public, so these take no actor; like the
selectors of a public page (core.public) they hand out frozen dataclasses of plain values — never a
model, never a resident's name, phone, e-mail, street address, exact point or tracking number.

What is listed (docs/open311.md):

* services: the county's categories in force (its own rows and the defaults it has not replaced),
  only those marked public, never a dispute, wage-arrears or enforcement category;
* requests: only cases the resident agreed to list (``Case.public``) in such a category, placed in
  the county; the address is the village or community, the point is rounded to 3 decimals
  (about 100 m), phone and ID numbers and the resident's own name are masked in free text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from jiceng.core import crypto
from jiceng.core.models import Area, AreaKind, AuditEntry
from jiceng.core.public import plain

from . import services as case_services
from .models import (
    OPEN_STATES,
    PRIVATE_KINDS,
    Case,
    CaseNote,
    Category,
    PendingToken,
    Severity,
    State,
    Whistle,
)
from .workflows import SPEC

JURISDICTION_PREFIX = "area-"  # a county without a division code: "area-<its id>"
MAX_REQUESTS = 1000  # the spec's "first 1000 requests"
DEFAULT_DAYS = 90  # the spec's default span, and the longest one a search may ask for
MAX_IDS = 1000
MAX_CODES = 100
COORD_PLACES = Decimal("0.001")  # ≈ 110 m of latitude: a point, not a house
# the date this document's content (fields, attributes) last changed; category edits move it on
CHANGESET = dt.datetime(2026, 12, 2, tzinfo=dt.timezone(dt.timedelta(hours=8)))

VILLAGE_KINDS = (AreaKind.VILLAGE, AreaKind.COMMUNITY)
OPEN311_CLOSED = (State.RESOLVED, State.CLOSED, State.DISMISSED)  # resolved counts as closed
STATE_LABELS = {s.key: s.label for s in SPEC.states}  # 待受理, 办理中, 已办结待评价, 已关闭, 不予受理
SEVERITY_NAMES = {  # in Chinese whatever the client's language: the values are data, not interface
    Severity.MINOR: "较小",
    Severity.NORMAL: "一般",
    Severity.SERIOUS: "较大",
    Severity.MAJOR: "重大",
}
KIND_NAMES = {"service": "服务诉求", "complaint": "投诉举报", "errand": "代办"}

# digits that could be a phone, an ID or a bank account (7 and more, spaces or dashes between),
# an ID number ending in X
_NUMBERS = re.compile(r"\d(?:[\s\-]?\d){6,}[\dXx]?")
MASK = "＊＊＊"


class Open311Error(Exception):
    """A refusal in the spec's terms: the HTTP status and one description per problem."""

    def __init__(self, status: int, *descriptions: str):
        self.status = status
        self.descriptions = list(descriptions)
        super().__init__("; ".join(descriptions))


# --- jurisdictions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Jurisdiction:
    id: str
    area_id: int
    name: str
    path: str


def jurisdiction_id(area: Area) -> str:
    """A county's jurisdiction_id: its GB/T 2260 division code, or ``area-<id>`` without one."""
    return (area.code or "").strip() or f"{JURISDICTION_PREFIX}{area.pk}"


def _jurisdiction(area: Area) -> Jurisdiction:
    return Jurisdiction(id=jurisdiction_id(area), area_id=area.pk, name=area.name, path=area.path)


def jurisdictions() -> tuple[Jurisdiction, ...]:
    return plain(tuple(_jurisdiction(a) for a in Area.objects.filter(kind=AreaKind.COUNTY).order_by("path")))


def resolve_jurisdiction(value: str | None) -> Jurisdiction:
    """The county a request names. Missing: the only county, or 400 when there are several;
    unknown: 404 (the spec's errors for every method)."""
    value = (value or "").strip()
    counties = Area.objects.filter(kind=AreaKind.COUNTY)
    if not value:
        found = list(counties.order_by("path")[:2])
        if len(found) == 1:
            return _jurisdiction(found[0])
        if not found:
            raise Open311Error(404, "jurisdiction_id：本服务器尚未设置任何辖区（县）。")
        raise Open311Error(
            400,
            "jurisdiction_id：本服务器服务多个辖区（县），须提供 jurisdiction_id，即县的行政区划代码"
            "（GB/T 2260，如 110101）；未登记代码的县用 area-<编号>，由签发 api_key 的县管理员告知。",
        )
    if len(value) > 40:
        raise Open311Error(404, "jurisdiction_id：没有这个辖区。")
    area = counties.filter(code=value).order_by("path").first()
    if area is None and value.startswith(JURISDICTION_PREFIX) and value[len(JURISDICTION_PREFIX) :].isdigit():
        pk = int(value[len(JURISDICTION_PREFIX) :])
        area = counties.filter(pk=pk, code="").first() if pk < 2**63 else None
    if area is None:
        raise Open311Error(404, f"jurisdiction_id：没有这个辖区（{value}）。")
    return _jurisdiction(area)


def changeset() -> dt.datetime:
    """When the services or their definitions last changed: a county's category edit, or this
    module's own last change."""
    last = (
        AuditEntry.objects.filter(target_type="cases.category")
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return max(CHANGESET, last) if last else CHANGESET


# --- services ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    group: str
    keywords: str
    category_id: int  # for filing (not shown)


@dataclass(frozen=True)
class Value:
    key: str
    name: str


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    required: bool
    order: int
    description: str
    datatype_description: str | None = None
    values: tuple[Value, ...] = ()
    variable: bool = True


def _listed_categories(county: Area) -> QuerySet[Category]:
    """The county's categories in force that may be listed: public, and of no private kind."""
    return case_services.categories_for(county).filter(public=True).exclude(kind__in=PRIVATE_KINDS)


def _county(j: Jurisdiction) -> Area:
    return Area.objects.get(pk=j.area_id)


def services(j: Jurisdiction) -> tuple[Service, ...]:
    out = []
    for c in _listed_categories(_county(j)):
        words = [w for w in (c.group, KIND_NAMES.get(c.kind, "")) if w]
        out.append(Service(c.code, c.name, c.description, c.group, ",".join(words), c.pk))
    return plain(tuple(out))


def service(j: Jurisdiction, code: str | None) -> Service:
    code = (code or "").strip()
    if not code:
        raise Open311Error(400, "service_code：必填。")
    found = next((s for s in services(j) if s.code == code), None)
    if found is None:
        raise Open311Error(404, f"service_code：本辖区没有这一公开的服务类别（{code[:40]}）。")
    return found


def villages(j: Jurisdiction) -> tuple[Value, ...]:
    """The county's villages and communities: key = the area's id, name = 村（乡镇）."""
    rows = list(
        Area.objects.filter(
            path__startswith=j.path, kind__in=(*VILLAGE_KINDS, AreaKind.TOWNSHIP, AreaKind.SUBDISTRICT)
        )
        .order_by("path")
        .values_list("pk", "path", "name", "kind")
    )
    towns = {path: name for _pk, path, name, kind in rows if kind not in VILLAGE_KINDS}
    step = Area.steplen
    out = []
    for pk, path, name, kind in rows:
        if kind in VILLAGE_KINDS:
            town = next((towns[path[:i]] for i in range(len(path) - step, 0, -step) if path[:i] in towns), "")
            out.append(Value(str(pk), f"{name}（{town}）" if town else name))
    return plain(tuple(out))


def definition(j: Jurisdiction, code: str | None) -> tuple[Service, tuple[Attribute, ...]]:
    """A service's attributes: the village (required: jiceng places a request by its village or
    community, having no geocoder), severity, a short title and whether it may be listed."""
    found = service(j, code)
    attributes = (
        Attribute(
            code="village",
            datatype="singlevaluelist",
            required=True,
            order=1,
            description="所在村（社区）：诉求发生地所属的村或社区。本系统不根据经纬度或地址推算位置，须从列表中选择。",
            datatype_description="村（社区）编号，取值见 values 的 key",
            values=villages(j),
        ),
        Attribute(
            code="severity",
            datatype="singlevaluelist",
            required=False,
            order=2,
            description="紧急程度：决定由哪一级（网格、村、乡镇、县）先行办理，不填为“一般”。",
            values=tuple(Value(k, v) for k, v in SEVERITY_NAMES.items()),
        ),
        Attribute(
            code="title",
            datatype="string",
            required=False,
            order=3,
            description="标题：一句话概括诉求，最多100字；不填用类别名称。",
        ),
        Attribute(
            code="public",
            datatype="singlevaluelist",
            required=False,
            order=4,
            description="是否公开：群众是否同意公开此诉求的内容和办理情况（姓名、电话、详细地址从不公开），不填为同意。",
            values=(Value("true", "同意公开"), Value("false", "不公开")),
        ),
    )
    return plain((found, attributes))


def village_key(j: Jurisdiction, key: str) -> int | None:
    """The village a POST names by attribute[village], if it is one of the jurisdiction's."""
    key = (key or "").strip()
    if not key.isascii() or not key.isdigit() or len(key) > 18:
        return None
    area = Area.objects.filter(pk=int(key), kind__in=VILLAGE_KINDS, path__startswith=j.path).first()
    return area.pk if area else None


# --- requests ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    """GET requests' filters, parsed (open311.parse_search)."""

    ids: tuple[int, ...] = ()  # overrides every other filter
    codes: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Request:
    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str | None
    requested_datetime: dt.datetime
    updated_datetime: dt.datetime
    expected_datetime: dt.datetime | None
    address: str | None
    address_id: str | None
    zipcode: None
    lat: float | None
    long: float | None
    media_url: None


def parse_datetime(name: str, value: str) -> dt.datetime:
    """A w3 (ISO 8601) date or time; without a zone it is read in China Standard Time."""
    text = (value or "").strip()
    try:
        if len(text) > 40:
            raise ValueError
        parsed = dt.datetime.fromisoformat(text)
        if parsed.year < 1900:
            raise ValueError
    except ValueError:
        raise Open311Error(
            400,
            f"{name}：不是有效的 ISO 8601 时间（例：2010-01-01T00:00:00Z 或 2010-01-01T08:00:00+08:00）。",
        ) from None
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def window(
    start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The received-at span a search covers: the most recent 90 days by default, 90 days from
    start_date or up to end_date, and never more than 90 days."""
    span = dt.timedelta(days=DEFAULT_DAYS)
    if start is None and end is None:
        end = now or timezone.now()
    if start is None:
        assert end is not None
        return end - span, end
    if end is None:
        return start, start + span
    if end < start:
        raise Open311Error(400, "end_date：不能早于 start_date。")
    if end - start > span:
        raise Open311Error(400, f"start_date, end_date：查询跨度不能超过{DEFAULT_DAYS}天。")
    return start, end


def _listed_cases(j: Jurisdiction) -> QuerySet[Case]:
    return (
        Case.objects.filter(area__path__startswith=j.path)
        .exclude(kind__in=PRIVATE_KINDS)
        .exclude(category__kind__in=PRIVATE_KINDS)
    )


def _public_q(j: Jurisdiction) -> Q:
    """Listed: the resident agreed, and the case's category is public and still one of the county's
    listed services (a county that stops listing a category takes its cases off the list too)."""
    codes = _listed_categories(_county(j)).values("code")
    return Q(public=True, category__public=True, category__code__in=codes)


def _with_details(qs: QuerySet[Case]) -> QuerySet[Case]:
    notes = CaseNote.objects.filter(case=OuterRef("pk"), public=True).order_by("-at", "-pk")
    departments = (
        Whistle.objects.filter(department__isnull=False).select_related("department").order_by("at", "pk")
    )
    return (
        qs.select_related("category", "area", "handling_area")
        .annotate(last_note=Subquery(notes.values("text")[:1]), last_note_at=Subquery(notes.values("at")[:1]))
        .prefetch_related(Prefetch("whistles", queryset=departments, to_attr="department_whistles"))
    )


def _village_names(j: Jurisdiction) -> dict[str, tuple[int, str]]:
    return {
        path: (pk, name)
        for pk, path, name in Area.objects.filter(
            path__startswith=j.path, kind__in=VILLAGE_KINDS
        ).values_list("pk", "path", "name")
    }


def scrub(text: str, name: str = "") -> str:
    """Free text as it may be listed: numbers that could be a phone or an ID, and the resident's own
    name, masked."""
    text = _NUMBERS.sub(MASK, text or "")
    if name and len(name) >= 2:
        text = text.replace(name, "*" * len(name))
    return text


def _coordinate(value: Decimal | None) -> float | None:
    return None if value is None else float(Decimal(value).quantize(COORD_PLACES, rounding=ROUND_HALF_UP))


def _request(case: Case, villages_by_path: dict[str, tuple[int, str]]) -> Request:
    name = (
        crypto.decrypt(case.resident_name_ciphertext, field="resident_name")
        if case.resident_name_ciphertext
        else ""
    )
    closed = case.state in OPEN311_CLOSED
    label = STATE_LABELS.get(case.state, case.get_state_display())
    note = getattr(case, "last_note", None) or ""
    notes = f"{label}：{note}" if note else label
    if case.reply and case.reply not in note:
        notes += f"（答复：{case.reply}）"
    step = Area.steplen
    path = case.area.path
    village = next(
        (villages_by_path[path[:i]] for i in range(len(path), 0, -step) if path[:i] in villages_by_path), None
    )
    departments = list(dict.fromkeys(w.department.name for w in getattr(case, "department_whistles", [])))
    if closed:
        updated = case.resolved_at or case.closed_at or case.updated_at
    else:
        updated = getattr(case, "last_note_at", None) or case.received_at
    return Request(
        service_request_id=str(case.pk),
        status="closed" if closed else "open",
        status_notes=scrub(notes, name)[:1000],
        service_name=case.category.name,
        service_code=case.category.code,
        description=scrub(case.description, name)[:4000],
        agency_responsible="、".join([case.handling_area.name, *departments]),
        service_notice=f"承诺{case.category.promise_workdays}个工作日内办结。",
        requested_datetime=case.received_at,
        updated_datetime=updated,
        expected_datetime=case.due_at,
        address=village[1] if village else None,
        address_id=str(village[0]) if village else None,
        zipcode=None,
        lat=_coordinate(case.lat),
        long=_coordinate(case.lon),
        media_url=None,
    )


def search(j: Jurisdiction, f: Search, *, now: dt.datetime | None = None) -> tuple[Request, ...]:
    """GET requests: newest first, at most 1000. service_request_id overrides every other filter
    (the spec); otherwise the span is the one ``window`` gives."""
    qs = _listed_cases(j).filter(_public_q(j))
    if f.ids:
        qs = qs.filter(pk__in=f.ids)
    else:
        start, end = window(f.start, f.end, now)
        qs = qs.filter(received_at__gte=start, received_at__lte=end)
        if f.codes:
            qs = qs.filter(category__code__in=f.codes)
        if f.statuses == {"open"}:
            qs = qs.filter(state__in=OPEN_STATES)
        elif f.statuses == {"closed"}:
            qs = qs.filter(state__in=OPEN311_CLOSED)
    by_path = _village_names(j)
    rows = _with_details(qs).order_by("-received_at", "-pk")[:MAX_REQUESTS]
    return plain(tuple(_request(c, by_path) for c in rows))


def request(j: Jurisdiction, request_id: str, *, client_id: int | None = None) -> Request:
    """GET requests/{id}: a listed request of the jurisdiction; a request the resident did not let
    list only for the client system that posted it (its api_key), with the same coarse fields."""
    text = (request_id or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise Open311Error(404, f"service_request_id：没有这个诉求（{text[:20]}）。")
    visible = _public_q(j)
    if client_id is not None:
        visible |= Q(open311_client_id=client_id)
    case = _with_details(_listed_cases(j).filter(visible, pk=int(text))).first()
    if case is None:
        raise Open311Error(404, f"service_request_id：没有这个诉求（{text}）。")
    return plain(_request(case, _village_names(j)))


def token_request_id(j: Jurisdiction, token: str) -> str:
    """GET tokens/{token}: the service_request_id a POST's token stands for."""
    token = (token or "").strip()
    found = None
    if token and token.isascii() and len(token) <= 40:
        found = (
            PendingToken.objects.filter(token=token, case__area__path__startswith=j.path)
            .values_list("case_id", flat=True)
            .first()
        )
    if found is None:
        raise Open311Error(404, "token：没有这个 token。")
    return str(found)
